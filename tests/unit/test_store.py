"""The state store: snapshot rounds and journals rebuild the same state, crash or not."""

from __future__ import annotations

import random
from typing import Any

import orjson
import pytest

from pantau.standards import load_standards
from streams.core.journal import batch_entry
from streams.core.partition import PartitionState, as_text
from streams.processor import Message, Processor
from streams.store import StateStore
from tests.support import FIXTURES, fixture_lines


class RecordingTable(dict[str, Any]):
    """A dict standing in for the Faust table that logs every write, as the changelog does."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[str, Any]] = []

    def __setitem__(self, key: str, value: Any) -> None:
        value = orjson.loads(orjson.dumps(value))  # what the changelog gives back
        self.log.append((key, value))
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.log.append((key, None))
        super().__delitem__(key)


def table_after(log: list[tuple[str, Any]]) -> dict[str, Any]:
    """The table a worker recovers when the changelog ends after these records."""
    table: dict[str, Any] = {}
    for key, value in log:
        if value is None:
            table.pop(key, None)
        else:
            table[key] = value
    return table


def process(
    store: StateStore, pstate: PartitionState, lines: list[bytes], batches: list[int]
) -> None:
    """Feed the lines in batches as the processor does (one journal entry per batch)."""
    offset = 0
    for size in batches:
        handled: list[tuple[int, str]] = []
        changed: set[str] = set()
        for line in lines[offset : offset + size]:
            malformed = pstate.malformed
            state = pstate.handle(line, offset, [])
            if state is not None:
                changed.add(state.office)
            if state is not None or pstate.malformed != malformed:
                handled.append((offset, as_text(line)))
            offset += 1
        if handled:
            store.write_entry(0, pstate, batch_entry(None, handled), changed)


def snapshot(pstate: PartitionState) -> dict[str, Any]:
    """A deep copy of the partition's durable state, comparable with ==."""
    state = {
        "offices": {name: state.to_json() for name, state in sorted(pstate.offices.items())},
        "malformed": pstate.malformed_to_json(),
    }
    return orjson.loads(orjson.dumps(state))  # type: ignore[no-any-return]


@pytest.mark.parametrize("snapshot_every", [1, 7, 100, 100_000])
def test_any_changelog_prefix_plus_redelivery_gives_the_same_state(snapshot_every: int) -> None:
    name = "mpp-medan-day"
    standards = load_standards(FIXTURES / f"{name}.standards.yaml")
    lines = fixture_lines(name) + fixture_lines("edge-cases")
    rng = random.Random(snapshot_every)
    batches = []
    while sum(batches) < len(lines):
        batches.append(rng.randint(1, 60))
    table = RecordingTable()
    live = PartitionState(standards)
    process(StateStore(table, standards, snapshot_every), live, lines, batches)
    expected = snapshot(live)
    cuts = sorted({0, len(table.log), *rng.sample(range(len(table.log)), 40)})
    for cut in cuts:
        store = StateStore(table_after(table.log[:cut]), standards, snapshot_every)  # type: ignore[arg-type]
        recovered = store.load(0)
        process(store, recovered, lines, [len(lines)])  # Kafka redelivers from the start
        assert snapshot(recovered) == expected, f"changelog cut after {cut} records"


@pytest.mark.parametrize("snapshot_every", [5, 100_000])
def test_wall_clock_ticks_are_journaled_and_replayed(snapshot_every: int) -> None:
    name = "mpp-medan-day"
    standards = load_standards(FIXTURES / f"{name}.standards.yaml")
    lines = fixture_lines(name)
    table = RecordingTable()
    now = [0.0]
    processor = Processor(
        StateStore(table, standards, snapshot_every), standards, lambda *_: None, lambda: now[0]
    )
    boundaries: list[tuple[int, dict[str, Any]]] = []
    for start in range(0, len(lines), 40):
        now[0] = 1_795_395_600.0 + start * 20
        chunk = lines[start : start + 40]
        processor.process(Message(0, start + i, None, line) for i, line in enumerate(chunk))
        now[0] += 3600
        processor.tick()
        boundaries.append((len(table.log), snapshot(processor.partitions[0])))
    assert any("tick" in (value or {}) for _, value in table.log)
    for cut, expected in boundaries:
        recovered = StateStore(table_after(table.log[:cut]), standards, snapshot_every).load(0)  # type: ignore[arg-type]
        assert snapshot(recovered) == expected, f"changelog cut after {cut} records"


def legacy_table(
    lines: list[bytes], standards: Any, snapshot_every: int
) -> tuple[dict[str, Any], PartitionState]:
    """State written by pantau 0.1: a journal per office (`p0/j/{office}/{seq}`)."""
    table: dict[str, Any] = {}
    pstate = PartitionState(standards)
    seqs: dict[str, int] = {}
    journaled: dict[str, int] = {}
    keys: dict[str, list[str]] = {}
    for start in range(0, len(lines), 25):
        applied: dict[str, list[tuple[int, str]]] = {}
        for offset in range(start, min(start + 25, len(lines))):
            state = pstate.handle(lines[offset], offset, [])
            if state is not None:
                applied.setdefault(state.office, []).append((offset, as_text(lines[offset])))
        for office, messages in applied.items():
            seq = seqs[office] = seqs.get(office, -1) + 1
            if journaled.get(office, 0) + len(messages) >= snapshot_every:
                state_json = orjson.loads(orjson.dumps(pstate.offices[office].to_json()))
                table[f"p0/s/{office}"] = {"next": seq + 1, "state": state_json}
                for key in keys.pop(office, []):
                    del table[key]
                journaled[office] = 0
            else:
                key = f"p0/j/{office}/{seq}"
                table[key] = orjson.loads(orjson.dumps(batch_entry(None, messages)))
                keys.setdefault(office, []).append(key)
                journaled[office] = journaled.get(office, 0) + len(messages)
        table["p0/m"] = pstate.malformed_to_json()
    return table, pstate


def test_state_written_by_the_per_office_journal_still_loads() -> None:
    name = "mpp-medan-day"
    standards = load_standards(FIXTURES / f"{name}.standards.yaml")
    lines = fixture_lines(name)
    half = len(lines) // 2
    old, old_live = legacy_table(lines[:half], standards, 300)
    assert any(key.count("/") == 3 for key in old)  # per-office journal entries to migrate
    table = RecordingTable()
    dict.update(table, old)
    store = StateStore(table, standards, 200)
    pstate = store.load(0)
    assert snapshot(pstate) == snapshot(old_live)
    process(store, pstate, lines, [len(lines)])  # redelivered from the start, then the rest
    assert not any(key.count("/") == 3 for key in table)  # the round deleted the old entries
    reference = PartitionState(standards)
    for offset, line in enumerate(lines):
        reference.handle(line, offset, [])
    assert snapshot(pstate) == snapshot(reference)
    assert snapshot(StateStore(dict(table), standards, 200).load(0)) == snapshot(reference)  # type: ignore[arg-type]
