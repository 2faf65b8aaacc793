"""The published JSON Schema of office status records agrees with the records the core writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pantau.schema import render, status_json_schema
from pantau.standards import load_standards
from pantau.status import OfficeStatus
from tests.support import FIXTURE_NAMES, FIXTURES, core_state, core_status, fixture_lines
from tests.unit.test_schema import Validator

COMMITTED = Path(__file__).parents[2] / "docs" / "office-status.schema.json"


def test_committed_schema_is_up_to_date() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == render(status_json_schema()), (
        "regenerate it: python -m pantau.schema"
    )


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(status_json_schema())


def records(name: str) -> list[dict[str, Any]]:
    standards = load_standards(FIXTURES / f"{name}.standards.yaml")
    return list(core_status(core_state(fixture_lines(name), standards), standards).values())


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_the_core_writes_records_the_schema_and_model_accept(name: str) -> None:
    validator = Validator(status_json_schema())
    for record in records(name):
        text = json.dumps(record)
        assert validator.is_valid(json.loads(text)), list(validator.iter_errors(record))
        assert OfficeStatus.model_validate_json(text).model_dump() == record


@pytest.mark.parametrize(
    "change",
    [
        {"open": "yes"},
        {"at": "2026-11-23 08:00:00"},
        {"services": [{"service": "ktp-el", "queue_length": -1}]},
        {"counters": [{"counter": "loket-1", "status": "busy", "serving": None}]},
        {"recent_calls": [{"ticket": "A1", "counter": "c", "service": "s", "at": "x"}]},
        {"colour": "red"},
    ],
)
def test_the_schema_rejects_broken_records(change: dict[str, Any]) -> None:
    record = {**records("v2-features")[0], **change}
    assert not Validator(status_json_schema()).is_valid(record)
