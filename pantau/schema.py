"""JSON Schemas (draft 2020-12) of what pantau publishes: events, standards, status records.

Each is generated from the pydantic models of the contract and committed under docs/
(`python -m pantau.schema` writes them again).
"""

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from pantau.events import Event
from pantau.standards_model import StandardsFile
from pantau.status import OfficeStatus

DEFAULT_DIR = Path("docs")
_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def event_json_schema() -> dict[str, Any]:
    """The schema counter-system vendors can validate their messages with."""
    schema = TypeAdapter(Event).json_schema(mode="validation")
    for model in schema["$defs"].values():
        model["properties"]["type"]["description"] = "The event type; decides the other fields."
    # JSON Schema's integer is a value with no fraction, so it admits 4.0 (and 4e0), which
    # the contract rejects: no keyword can tell them apart, so the score itself says so.
    score = schema["$defs"]["FeedbackSubmitted"]["properties"]["scores"]["additionalProperties"]
    score["description"] = (
        "A JSON integer 1 to 4, written without a fraction or exponent: 4, not 4.0 or 4e0 "
        "(which JSON Schema's integer admits, and pantau rejects as malformed)."
    )
    return {
        "$schema": _DRAFT,
        "title": "pantau event",
        "description": (
            "One message of the <prefix>.events Kafka topic: a UTF-8 JSON object, keyed by its "
            "office. Fields not named here are ignored. The patterns use ECMA-262 semantics "
            "($ is the end of the string). Not expressible here, but also malformed: a score "
            "written as 4.0, and 29 February of a common year (a validator that asserts "
            "format date-time rejects it)."
        ),
        **schema,
    }


def standards_json_schema() -> dict[str, Any]:
    """The schema of a service standards file (YAML), for editors that check it as you type."""
    schema = TypeAdapter(StandardsFile).json_schema(mode="validation")
    _close_pattern_maps(schema)
    return {
        "$schema": _DRAFT,
        **schema,
        "title": "pantau service standards",
        "description": (
            "A pantau service standards file (CONTRACT §3), written in YAML. Not expressible "
            "here, but also invalid, as `pantau worker` says at start: an unknown time zone, "
            "a day that appears twice in hours, a day range whose first day does not come "
            "before its last, a range whose start is not before its end, ranges of a day "
            "that overlap, and a key that appears twice."
        ),
    }


def status_json_schema() -> dict[str, Any]:
    """The schema of a record of <prefix>.office.status, for board and kiosk vendors."""
    return {
        "$schema": _DRAFT,
        **OfficeStatus.model_json_schema(mode="serialization"),
        "title": "pantau office status",
        "description": (
            "One record of the compacted <prefix>.office.status Kafka topic, keyed by office "
            "(CONTRACT §6): written when the office changed, at most once a second per office, "
            "so its last record is the office now."
        ),
    }


def _close_pattern_maps(node: Any) -> None:
    """Maps whose keys must match a pattern allow no other keys."""
    if isinstance(node, dict):
        if "patternProperties" in node and "properties" not in node:
            node.setdefault("additionalProperties", False)
        for value in node.values():
            _close_pattern_maps(value)
    elif isinstance(node, list):
        for value in node:
            _close_pattern_maps(value)


SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    "event.schema.json": event_json_schema,
    "standards.schema.json": standards_json_schema,
    "office-status.schema.json": status_json_schema,
}


def render(schema: dict[str, Any]) -> str:
    """A schema as committed under docs/."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_event_json_schema() -> str:
    """The schema as committed in docs/event.schema.json."""
    return render(event_json_schema())


def main(argv: list[str] | None = None) -> None:
    """Write every schema: python -m pantau.schema [FOLDER] (default docs)."""
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else DEFAULT_DIR
    for name, make in SCHEMAS.items():
        (folder / name).write_text(render(make()), encoding="utf-8")


if __name__ == "__main__":
    main()
