"""The published JSON Schema of the standards file agrees with the loader (pantau.standards)."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from pantau.schema import render, standards_json_schema
from pantau.standards import StandardsError, parse_standards
from pantau.yaml12 import Loader
from tests.support import FIXTURES
from tests.unit import test_standards, test_standards_v2
from tests.unit.test_schema import Validator

COMMITTED = Path(__file__).parents[2] / "docs" / "standards.schema.json"

# What a JSON Schema cannot say; the loader still refuses these (see the schema's description).
NOT_EXPRESSIBLE = (
    "unknown time zone",
    "appears twice",
    "must come before",
    "the start must be before the end",
    "overlaps",
    "invalid YAML",
    # YAML, not JSON: a number as a key, and NaN
    "must be a string (quote it)",
    "a day must be one of",
    "nan is not a share",
)


def schema_accepts(text: str) -> bool:
    document = yaml.load(text, Loader=Loader)
    return bool(Validator(standards_json_schema()).is_valid({} if document is None else document))


def invalid_cases() -> list[tuple[str, str | None]]:
    cases = [c for c in test_standards.INVALID_FILES if c[1] is not None]
    return cases + [(text, message) for text, message in test_standards_v2.INVALID_V2_VALUES]


def test_committed_schema_is_up_to_date() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == render(standards_json_schema()), (
        "regenerate it: python -m pantau.schema"
    )


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(standards_json_schema())


@pytest.mark.parametrize("name", ["edge-cases", "mpp-medan-day", "v2-features"])
def test_the_fixtures_and_the_example_are_valid(name: str) -> None:
    assert schema_accepts((FIXTURES / f"{name}.standards.yaml").read_text())


def test_the_shipped_example_is_valid() -> None:
    assert schema_accepts((Path(__file__).parents[2] / "examples/standards.yaml").read_text())


@pytest.mark.parametrize(
    "text",
    [
        "{}",
        "offices: {a: {hours: {}}}",
        'offices: {a: {hours: {mon-sun: "00:00-24:00"}, timezone: Asia/Jayapura}}',
        'offices: {a: {hours: {fri: ["08:00-11:30", "13:30-16:00"]}, defaults: {warn_at: 0.5}}}',
        "offices: {a: {services: {s: {max_wait: 90, max_processing: 1h30m, target: 1}}}}",
        "defaults: {max_wait: 0h1s}",
        "offices: {a: {name: null, hours: null, defaults: null, services: null}}",
    ],
)
def test_valid_files_pass_both(text: str) -> None:
    parse_standards(text, "ok.yaml")
    assert schema_accepts(text)


@pytest.mark.parametrize(("text", "message"), invalid_cases())
def test_invalid_files_fail_both_where_a_schema_can_tell(text: str, message: str) -> None:
    with pytest.raises(StandardsError):
        parse_standards(text, "bad.yaml")
    if any(reason in message for reason in NOT_EXPRESSIBLE):
        return
    assert not schema_accepts(text), message
