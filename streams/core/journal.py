"""Journal entries: what an office applied in one batch, so its state can be rebuilt exactly.

An office's durable state is a snapshot plus the journal entries written after it. An entry
holds the messages applied (with their input offsets) and the wall clock the batch ran with,
or a wall-clock tick that flagged live breaches, so replaying it gives the same state.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pantau.events import parse_event

from .office import OfficeState
from .outcomes import Effect


def batch_entry(wall: float | None, messages: list[tuple[int, str]]) -> dict[str, Any]:
    return {"wall": wall, "msgs": messages}


def tick_entry(wall: float) -> dict[str, Any]:
    return {"wall": wall, "tick": True}


def replay(state: OfficeState, entries: Iterable[dict[str, Any]]) -> None:
    """Apply journal entries to `state`, discarding what they emit (it was emitted before)."""
    sink: list[Effect] = []
    for entry in entries:
        wall = entry["wall"]
        if entry.get("tick"):
            state.tick(sink, wall)
        else:
            for offset, raw in entry["msgs"]:
                if offset > state.last_offset:
                    state.process(parse_event(raw), raw, sink, wall)
                    state.last_offset = offset
        sink.clear()
