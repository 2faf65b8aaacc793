"""JSON Schema (draft 2020-12) of the events of CONTRACT §2, generated from pantau.events."""

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from pantau.events import Event

DEFAULT_PATH = Path("docs/event.schema.json")


def event_json_schema() -> dict[str, Any]:
    """The schema counter-system vendors can validate their messages with."""
    schema = TypeAdapter(Event).json_schema(mode="validation")
    for model in schema["$defs"].values():
        model["properties"]["type"]["description"] = "The event type; decides the other fields."
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
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


def render_event_json_schema() -> str:
    """The schema as committed in docs/event.schema.json."""
    return json.dumps(event_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Write the schema: python -m pantau.schema [PATH]."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DEFAULT_PATH
    path.write_text(render_event_json_schema(), encoding="utf-8")


if __name__ == "__main__":
    main()
