"""Journal entries: what one partition applied in one batch, so its state can be rebuilt exactly.

A partition's durable state is a snapshot per office plus the journal entries written after
the last snapshot round. An entry holds the messages handled (with their input offsets and
received times) and the wall clock the batch ran with, or a wall-clock tick and the offices
it flagged live breaches in, so replaying the entries in order gives the same state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .office import OfficeState
from .outcomes import Effect
from .partition import PartitionState
from .wire import decode

# One message of a batch: [offset, raw text, received time in seconds or None]; entries
# written before contract version 2 have no received time.
JournaledMessage = tuple[int, str, float | None]


def batch_entry(wall: float | None, messages: list[JournaledMessage]) -> dict[str, Any]:
    return {"wall": wall, "msgs": messages}


def tick_entry(wall: float, offices: Iterable[str]) -> dict[str, Any]:
    return {"wall": wall, "tick": sorted(offices)}


def replay(state: OfficeState, entries: Iterable[dict[str, Any]]) -> None:
    """Apply one office's entries to `state`, discarding what they emit (it was emitted before)."""
    sink: list[Effect] = []
    for entry in entries:
        wall = entry["wall"]
        if entry.get("tick"):
            state.tick(sink, wall)
        else:
            for offset, raw, *received in entry["msgs"]:
                if offset > state.last_offset:
                    state.process(decode(raw), raw, sink, wall, *received)
                    state.last_offset = offset
        sink.clear()


def replay_partition(
    pstate: PartitionState,
    entries: Iterable[tuple[int, dict[str, Any]]],
    snapshot_next: Mapping[str, int],
) -> set[str]:
    """Apply a partition's (seq, entry) pairs in order to `pstate`; returns the offices touched.

    `snapshot_next` is, per office, the first seq its snapshot does not include. Messages a
    snapshot includes are skipped by their offsets, as redelivered ones are; ticks by seq.
    """
    sink: list[Effect] = []
    touched: set[str] = set()
    for seq, entry in entries:
        wall = entry["wall"]
        if "tick" in entry:
            for office in entry["tick"]:
                if seq >= snapshot_next.get(office, 0):
                    pstate.office(office).tick(sink, wall)
                    touched.add(office)
        else:
            for offset, raw, *received in entry["msgs"]:
                state = pstate.handle(raw, offset, sink, wall, *received)
                if state is not None:
                    touched.add(state.office)
        sink.clear()
    return touched
