"""The state store: snapshot rounds and an offsets journal rebuild the same state, crash or not."""

from __future__ import annotations

import random
from typing import Any

import orjson
import pytest

from pantau.standards import Standards, load_standards
from streams.core.durable import Batch, DurableFormatError, Tick, piece_key, read_partition
from streams.core.partition import PartitionState
from streams.processor import Handled, Message, Processor
from streams.store import StateStore
from tests.support import FIXTURES, fixture_lines

NAME = "mpp-medan-day"
STANDARDS = load_standards(FIXTURES / f"{NAME}.standards.yaml")
LINES = fixture_lines(NAME) + fixture_lines("edge-cases")  # edge cases: malformed lines too
START = 1_795_395_600.0  # received times and wall clock: before the fixture's first event


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


def table_after(log: list[tuple[str, Any]]) -> RecordingTable:
    """The table a worker recovers when the changelog ends after these records."""
    table = RecordingTable()
    for key, value in log:
        if value is None:
            dict.pop(table, key, None)
        else:
            dict.__setitem__(table, key, value)
    return table


def worker(
    table: RecordingTable,
    snapshot_every: int,
    standards: Standards = STANDARDS,
    wall: list[float] | None = None,
) -> Processor:
    clock = (lambda: wall[0]) if wall is not None else None
    store = StateStore(table, standards, snapshot_every)  # type: ignore[arg-type]
    return Processor(store, standards, lambda *_: None, clock)


def message(offset: int) -> Message:
    """The events topic's message at `offset`: the line and its received time."""
    return Message(0, offset, b"k", LINES[offset], round((START + offset) * 1000))


def feed(processor: Processor, start: int, end: int, rng: random.Random) -> list[Handled]:
    """Read offsets start..end-1 in batches of random size, as a fetch loop does."""
    handled = []
    offset = start
    while offset < end:
        size = rng.randint(1, 60)
        handled.append(
            processor.process([message(o) for o in range(offset, min(offset + size, end))])
        )
        offset += size
    return handled


def recover(processor: Processor, end: int, rng: random.Random) -> None:
    """Read the events topic from where the state says, up to `end`, until caught up."""
    processor.load([0])
    for _ in range(1000):
        start = processor.resume_at(0)
        assert start is not None
        if start >= end and processor.ready(0):
            return
        feed(processor, start, end, rng)
    raise AssertionError("recovery did not catch up")


def durable(pstate: PartitionState) -> dict[str, Any]:
    """A deep copy of the partition's state, comparable with ==."""
    state = {
        "offices": {name: state.to_json() for name, state in sorted(pstate.offices.items())},
        "malformed": [pstate.malformed, pstate.malformed_offset],
        "position": pstate.position,
    }
    return orjson.loads(orjson.dumps(state))  # type: ignore[no-any-return]


@pytest.mark.parametrize("snapshot_every", [1, 7, 100, 100_000])
def test_any_changelog_prefix_read_again_gives_the_same_state(snapshot_every: int) -> None:
    rng = random.Random(snapshot_every)
    table = RecordingTable()
    live = worker(table, snapshot_every)
    feed(live, 0, len(LINES), rng)
    expected = durable(live.partitions[0])
    cuts = sorted({0, len(table.log), *rng.sample(range(len(table.log)), 40)})
    for cut in cuts:
        recovered = worker(table_after(table.log[:cut]), snapshot_every)
        recover(recovered, len(LINES), rng)
        assert durable(recovered.partitions[0]) == expected, f"changelog cut after {cut} records"


def test_a_replay_waits_for_its_next_offset_and_skips_what_it_has() -> None:
    rng = random.Random(3)
    table = RecordingTable()
    feed(worker(table, 100_000), 0, 300, rng)
    recovered = worker(table_after(table.log), 100_000)
    recovered.load([0])
    assert recovered.resume_at(0) == 0 and not recovered.ready(0)
    assert list(recovered.offices()) == []  # nothing served while replaying
    # a fetch that starts too late (one dropped before it): not applied, read again
    late = recovered.process([message(o) for o in range(10, 20)])
    assert 0 not in late.partitions
    assert recovered.resume_at(0) == 0
    assert recovered.process([message(o) for o in range(0, 150)]).partitions == {0}
    assert recovered.resume_at(0) == 150
    recovered.process([message(o) for o in range(100, 300)])  # redelivered, then the rest
    assert recovered.ready(0) and recovered.resume_at(0) == 300
    reference = worker(RecordingTable(), 100_000)
    feed(reference, 0, 300, rng)
    assert durable(recovered.partitions[0]) == durable(reference.partitions[0])


def test_wall_clock_ticks_are_journaled_and_replayed_in_their_place() -> None:
    rng = random.Random(5)
    table = RecordingTable()
    now = [START]
    live = worker(table, 5_000, wall=now)
    boundaries: list[tuple[int, int, dict[str, Any]]] = []
    for start in range(0, len(LINES), 40):
        now[0] = START + start * 20
        end = min(start + 40, len(LINES))
        live.process([message(o) for o in range(start, end)])
        now[0] += 3600
        live.tick()
        boundaries.append((len(table.log), end, durable(live.partitions[0])))
    assert any("tick" in (value or {}) for _, value in table.log)
    now[0] += 10 * 86400  # recovery runs later: the journal's wall clocks must be used
    for cut, end, expected in boundaries:
        recovered = worker(table_after(table.log[:cut]), 5_000, wall=now)
        recover(recovered, end, rng)
        assert durable(recovered.partitions[0]) == expected, f"changelog cut after {cut} records"


def test_the_journal_holds_offsets_not_messages() -> None:
    table = RecordingTable()
    feed(worker(table, 100_000), 0, len(LINES), random.Random(1))
    journal = sum(len(orjson.dumps(v)) for k, v in table.log if "/j/" in k and v is not None)
    messages = sum(len(line) for line in LINES)
    assert 0 < journal * 20 < messages  # about 35 bytes a batch, not 300 an event


def test_a_crash_after_a_round_leaves_entries_the_next_round_deletes() -> None:
    rng = random.Random(9)
    table = RecordingTable()
    live = worker(table, 200)
    feed(live, 0, 500, rng)
    log = table.log
    deletes = [i for i, (key, value) in enumerate(log) if value is None]
    first_delete = deletes[0]  # the first round wrote its partition record, then deleted
    crashed = table_after(log[: first_delete + 1])
    assert sum("/j/" in key for key in crashed) > 1
    recovered = worker(crashed, 200)
    recover(recovered, 500, rng)
    feed(recovered, 500, len(LINES), rng)  # far enough for a round: the leftovers go too
    found = read_partition(dict(recovered.store.table).items(), 0)
    assert found.stale == []
    reference = worker(RecordingTable(), 200)
    feed(reference, 0, len(LINES), rng)
    assert durable(recovered.partitions[0]) == durable(reference.partitions[0])


def test_a_round_is_due_once_the_journal_is_old_enough() -> None:
    now = [START]
    table = RecordingTable()
    store = StateStore(table, STANDARDS, 100_000, snapshot_seconds=600, clock=lambda: now[0])  # type: ignore[arg-type]
    processor = Processor(store, STANDARDS, lambda *_: None, None)
    processor.process([message(o) for o in range(20)])
    assert store.due() == []
    now[0] += 599
    processor.tick()
    assert not any("/s/" in key for key in table)
    now[0] += 1
    assert store.due() == [0]
    processor.tick()
    assert any("/s/" in key for key in table) and not any("/j/" in key for key in table)
    assert store.due() == []


def test_events_deleted_before_the_replay_are_given_up() -> None:
    table = RecordingTable()
    feed(worker(table, 100_000), 0, 300, random.Random(2))
    recovered = worker(table_after(table.log), 100_000)
    recovered.load([0])
    assert recovered.lose_before(0, 120) == 120
    assert recovered.resume_at(0) == 120
    assert recovered.lose_before(0, 10_000) == 180
    assert recovered.ready(0) and recovered.resume_at(0) == 0  # nothing applied at all


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("p0/j/1", {"wall": None, "runs": [[1, "x"]]}, "p0/j/1: Expected `int`, got `str`"),
        ("p0/j/1", {"wall": None, "msgs": [[1, "{}"]]}, "p0/j/1: a journal entry with messages"),
        ("p0/j/2", {"wall": 1.0, "tick": "k"}, "p0/j/2: Expected `array`, got `str`"),
        ("p0/m", [0, -1], "p0/m: Expected `object`, got `array`"),
        ("p0/s/k", {"next": 1}, "p0/s/k: Object missing required field `state`"),
        ("p0/j/k/1", {"wall": None, "runs": []}, "p0/j/k/1: not a key of the durable format"),
    ],
)
def test_a_record_not_in_the_durable_format_is_named(key: str, value: Any, reason: str) -> None:
    with pytest.raises(DurableFormatError) as info:
        read_partition([(key, value)], 0)
    assert str(info.value).startswith(reason)


def test_records_round_trip_through_json() -> None:
    table = RecordingTable()
    dict.update(
        table,
        {
            "p0/j/3": {"wall": 5.0, "tick": ["a", "b"]},
            "p0/j/2": {"wall": None, "runs": [[0, 4], [6, 6]]},
            "p0/j/0": {"wall": None, "runs": [[0, 0]]},
            "p0/m": {"next": 1, "malformed": 2, "malformed_offset": 5},
            "p1/j/0": {"wall": None, "runs": [[0, 0]]},
        },
    )
    found = read_partition(table.items(), 0)
    assert found.entries == [(2, Batch(None, ((0, 4), (6, 6)))), (3, Tick(5.0, ("a", "b")))]
    assert found.stale == ["p0/j/0"]
    assert found.entries[0][1].size() == 6


@pytest.mark.parametrize("seed", range(8))
def test_crash_then_an_unreliable_fetch_gives_the_same_state(seed: int) -> None:
    """Ticks between batches, a crash after any batch, then fetches that start too early
    (read again), too late (one dropped) or right, in random sizes: once the journal is
    replayed, the state is the one the crashed worker had."""
    rng = random.Random(seed)
    now = [START]
    table = RecordingTable()
    snapshot_every = rng.choice([50, 300, 100_000])
    live = worker(table, snapshot_every, wall=now)
    cuts: list[tuple[int, dict[str, Any]]] = []  # changelog records and state after a batch
    offset = 0
    while offset < len(LINES):
        end = min(offset + rng.randint(1, 80), len(LINES))
        now[0] = START + offset * 20
        live.process([message(o) for o in range(offset, end)])
        if rng.random() < 0.3:
            now[0] += rng.choice([60, 3600])
            live.tick()
        offset = end
        cuts.append((len(table.log), durable(live.partitions[0])))
    assert any("tick" in (value or {}) for _, value in table.log)
    now[0] += 86400  # the replay must use the journal's clocks, not this one
    for cut, expected in rng.sample(cuts, 5):
        crashed = table_after(table.log[:cut])
        recovered = worker(crashed, snapshot_every, wall=now)
        recovered.load([0])
        fetches = 0
        while not recovered.ready(0):
            fetches += 1
            assert fetches < 10_000, "the replay did not finish"
            start = recovered.resume_at(0)
            assert start is not None
            start = max(0, start + rng.choice([-30, -1, 0, 0, 0, 1, 7]))
            end = min(start + rng.randint(1, 80), expected["position"])  # the journal's end
            recovered.process([message(o) for o in range(start, end)])
            if not recovered.ready(0):  # nothing written or served while replaying
                assert crashed.log == [] and list(recovered.offices()) == []
        assert durable(recovered.partitions[0]) == expected, f"changelog cut after {cut} records"


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        ({"seen_packed": "AAAA"}, "packed ids: 3 bytes, not a whole number of 24-byte records"),
        ({"seen_packed": "%%"}, "packed ids: not base64"),
        ({"tally": None}, None),
    ],
)
def test_an_office_state_that_does_not_load_is_named_by_its_key(
    damage: dict[str, Any], reason: str | None
) -> None:
    table = RecordingTable()
    feed(worker(table, 1), 0, 50, random.Random(1))
    key = next(k for k in table if k.startswith("p0/s/"))
    dict.__setitem__(table, key, {**table[key], "state": {**table[key]["state"], **damage}})
    with pytest.raises(DurableFormatError) as info:
        worker(table, 1).load([0])
    text = str(info.value)
    assert text.startswith(f"{key}: an office state that does not load: ")
    assert "\n" not in text
    if reason is not None:
        assert text.endswith(reason)


def test_a_snapshot_packs_the_fixtures_uuid_ids() -> None:
    live = worker(RecordingTable(), 1_000_000)
    feed(live, 0, len(LINES), random.Random(2))
    office = live.partitions[0].offices["mpp-medan"]
    state = office.to_json()
    remembered = {k for k, at in office.seen.items() if office.watermark - at <= 86_400}
    canonical = {k for k in remembered if len(k) == 36 and k == k.lower()}
    assert len(canonical) > 20  # the fixture's ids are UUIDs
    assert len(state["seen_packed"]) == 32 * len(canonical)
    assert set(state["seen"]) == remembered - canonical


def pieces_in(table: dict[str, Any]) -> set[str]:
    return {key for key in table if key.startswith("p0/i/")}


def named_pieces(table: dict[str, Any]) -> set[str]:
    found = read_partition(table.items(), 0)
    return {
        piece_key(0, office, piece, version)
        for office, snapshot in found.snapshots.items()
        for piece, version in snapshot.pieces
    }


def test_a_round_rewrites_only_the_id_pieces_that_got_ids_since(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("streams.core.office.ID_PIECE_SECONDS", 600.0)  # the fixture: 40 min
    table = RecordingTable()
    live = worker(table, 10_000)
    split = len(LINES) - 20
    live.process([message(o) for o in range(0, split)])
    live.store.snapshot(0, live.partitions[0])
    first = [key for key, value in table.log if key.startswith("p0/i/") and value is not None]
    before = len(table.log)
    live.process([message(o) for o in range(split, len(LINES))])  # 20 events: a piece or two
    live.store.snapshot(0, live.partitions[0])
    second = [k for k, v in table.log[before:] if k.startswith("p0/i/") and v is not None]
    deleted = [k for k, v in table.log[before:] if k.startswith("p0/i/") and v is None]
    assert len(first) >= 6 and 0 < len(second) <= 3
    assert len(deleted) == len(second)  # each rewritten piece's earlier version
    assert {k.rpartition("/")[2].split(".")[0] for k in deleted} == {
        k.rpartition("/")[2].split(".")[0] for k in second
    }
    assert pieces_in(table) == named_pieces(table)  # nothing left that no snapshot names
    ids = sum(len(orjson.dumps(v)) for k, v in table.log[before:] if k.startswith("p0/i/") and v)
    assert ids * 2 < sum(len(orjson.dumps(v)) for k, v in table.log[:before] if "/i/" in k and v)


def test_id_pieces_a_crash_left_unnamed_are_deleted_by_the_next_round() -> None:
    rng = random.Random(4)
    table = RecordingTable()
    live = worker(table, 150)
    feed(live, 0, 400, rng)
    log = table.log
    # cut right after a piece write of a later round, before its snapshot
    cut = max(i for i, (key, value) in enumerate(log) if key.startswith("p0/i/") and value)
    crashed = table_after(log[: cut + 1])
    left = pieces_in(crashed) - named_pieces(crashed)
    assert left
    journaled = read_partition(crashed.items(), 0).entries
    end = max(e.runs[-1][1] for _, e in journaled if isinstance(e, Batch)) + 1
    recovered = worker(crashed, 150)
    recover(recovered, end, rng)  # what the crashed round covered, no more
    # a round with the crashed round's seq writes the same piece keys again: they stay
    recovered.store.snapshot(0, recovered.partitions[0])
    table_now = dict(recovered.store.table)
    assert pieces_in(table_now) == named_pieces(table_now)
    assert pieces_in(table_now) & left
    feed(recovered, end, len(LINES), rng)
    table_now = dict(recovered.store.table)
    assert pieces_in(table_now) == named_pieces(table_now)
    reference = worker(RecordingTable(), 150)
    feed(reference, 0, len(LINES), rng)
    assert durable(recovered.partitions[0]) == durable(reference.partitions[0])


def test_a_snapshot_naming_a_missing_id_piece_is_named_by_its_key() -> None:
    table = RecordingTable()
    feed(worker(table, 1), 0, 50, random.Random(1))
    gone = sorted(pieces_in(table))[0]
    dict.pop(table, gone)
    with pytest.raises(DurableFormatError) as info:
        worker(table, 1).load([0])
    office = gone.split("/")[2]
    assert str(info.value).startswith(f"p0/s/{office}: names id pieces not in the table: ")
    assert "\n" not in str(info.value)


def test_a_snapshot_with_its_ids_inside_still_loads() -> None:
    rng = random.Random(6)
    table = RecordingTable()
    live = worker(table, 10_000)
    feed(live, 0, 300, rng)
    live.store.snapshot(0, live.partitions[0])
    old = RecordingTable()  # as snapshots were written before id pieces
    for key, value in table.items():
        if key.startswith("p0/s/"):
            office = live.partitions[0].offices[key[len("p0/s/") :]]
            value = {"next": value["next"], "state": office.to_json()}
        if not key.startswith("p0/i/"):
            dict.__setitem__(old, key, orjson.loads(orjson.dumps(value)))
    recovered = worker(old, 10_000)
    recover(recovered, 300, rng)
    assert durable(recovered.partitions[0]) == durable(live.partitions[0])
    feed(recovered, 300, len(LINES), rng)  # its next round writes the pieces
    recovered.store.snapshot(0, recovered.partitions[0])
    table_now = dict(recovered.store.table)
    assert pieces_in(table_now) and pieces_in(table_now) == named_pieces(table_now)
