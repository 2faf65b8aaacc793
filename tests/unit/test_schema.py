"""Tests of pantau.schema: the published JSON Schema agrees with the models."""

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import regress

from pantau.events import MalformedEvent, parse_event
from pantau.schema import event_json_schema, main, render_event_json_schema
from tests.unit.test_events import FIXTURES, REQUIRED, message

COMMITTED = Path(__file__).parents[2] / "docs" / "event.schema.json"


@cache
def _ecma(pattern: str) -> regress.Regex:
    return regress.Regex(pattern)


def _pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    # JSON Schema patterns are ECMA-262 regexes; python-jsonschema uses re.search, whose `$`
    # also matches before a final newline. Vendors' validators follow ECMA, so test that.
    if validator.is_type(instance, "string") and _ecma(pattern).find(instance) is None:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": _pattern})


def without(field: str) -> dict[str, Any]:
    return {key: value for key, value in message().items() if key != field}


def schema_accepts(obj: Any) -> bool:
    return Validator(event_json_schema()).is_valid(obj)


def model_accepts(obj: Any) -> bool:
    try:
        parse_event(json.dumps(obj))
    except MalformedEvent:
        return False
    return True


def test_committed_schema_is_up_to_date() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == render_event_json_schema(), (
        "regenerate it: python -m pantau.schema"
    )


def test_main_writes_the_schemas(tmp_path: Path) -> None:
    main([str(tmp_path)])
    target = tmp_path / "event.schema.json"
    assert target.read_text(encoding="utf-8") == render_event_json_schema()
    assert {p.name for p in tmp_path.iterdir()} == {
        "event.schema.json", "standards.schema.json", "office-status.schema.json",
    }  # fmt: skip
    assert render_event_json_schema().endswith("}\n")


def test_schema_is_valid_draft_2020_12() -> None:
    schema = event_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_field_is_described() -> None:
    for name, model in event_json_schema()["$defs"].items():
        assert model.get("description"), name
        assert model.get("examples"), name
        for field, spec in model["properties"].items():
            assert spec.get("description"), f"{name}.{field}"


def test_examples_are_valid_events() -> None:
    for model in event_json_schema()["$defs"].values():
        for example in model["examples"]:
            assert model_accepts(example)
            assert schema_accepts(example)


@pytest.mark.parametrize(
    "obj",
    [
        *(message(t) for t in REQUIRED),
        message("feedback.submitted", ticket="A001"),
        message("feedback.submitted", ticket=None),
        message("feedback.submitted", ticket="bad ticket!"),
        message(extra={"anything": [1, 2]}),
        message("ticket.no_show", counter=5, service="BAD"),
        message(type="ticket.unknown"),
        message(type=None),
        message(type=...),
        *(without(field) for field in ("event_id", "occurred_at", "office", "ticket")),
        message(event_id=""),
        message(event_id="x" * 128),
        message(event_id="x" * 129),
        message(event_id="😀" * 128),
        message(office="mpp-medan\n"),
        message(office="MPP"),
        message(office="a" * 65),
        message(office=5),
        message(ticket="A001\n"),
        message(ticket="A" * 33),
        message(occurred_at="2026-11-23T08:01:02.123456789Z"),
        message(occurred_at="2026-11-23T08:01:02.1234567890Z"),
        message(occurred_at="2026-11-23T08:01:02"),
        message(occurred_at="2026-11-23t08:01:02Z"),
        message(occurred_at="2026-11-23T08:01:02z"),
        message(occurred_at="2026-11-23T08:01Z"),
        message(occurred_at="2026-11-23T08:01:02Z\n"),
        message(occurred_at="2026-02-30T08:01:02Z"),
        message(occurred_at="2024-02-29T08:01:02Z"),
        message(occurred_at="2026-04-31T08:01:02Z"),
        message(occurred_at="2026-11-23T24:00:00Z"),
        message(occurred_at="2026-11-23T23:59:60Z"),
        message(occurred_at="2026-11-23T08:01:02+07:60"),
        message(occurred_at=1795395662),
        message("feedback.submitted", scores={}),
        message("feedback.submitted", scores={"u1": True}),
        message("feedback.submitted", scores={"u1": 0}),
        message("feedback.submitted", scores={"u1": 5}),
        message("feedback.submitted", scores={"u1": "4"}),
        message("feedback.submitted", scores={"u10": 4}),
        message("feedback.submitted", scores={f"u{i}": 4 for i in range(1, 10)}),
        [1, 2, 3],
        "ticket.issued",
        None,
    ],
)
def test_schema_and_models_agree(obj: Any) -> None:
    assert schema_accepts(obj) == model_accepts(obj)


@pytest.mark.parametrize(
    "obj",
    [
        # JSON Schema cannot tell 4.0 from 4, nor (without format assertion) 29 February of
        # a common year from a real date: the schema says so in its description.
        message("feedback.submitted", scores={"u1": 4.0}),
        message(occurred_at="2026-02-29T08:01:02Z"),
    ],
)
def test_documented_gaps_of_the_schema(obj: Any) -> None:
    assert schema_accepts(obj)
    assert not model_accepts(obj)


@pytest.mark.parametrize("name", ["edge-cases", "mpp-medan-day"])
def test_schema_and_models_agree_on_fixture_lines(name: str) -> None:
    validator = Validator(event_json_schema())
    for line in (FIXTURES / f"{name}.events.jsonl").read_bytes().splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        try:
            parse_event(line)
            valid = True
        except MalformedEvent:
            valid = False
        assert validator.is_valid(obj) == valid, line
