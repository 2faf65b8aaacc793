"""Durable state in a changelog-backed Faust table: per office a snapshot, per partition a journal.

The records and their keys are `streams.core.durable`'s. Each record goes to the changelog
partition of its input partition, so whoever owns an input partition recovers exactly its
state. Each batch writes one small journal entry per partition it changed (offsets and
wall clock, not the messages: the events topic keeps those). Once `snapshot_every` events
have been journaled in a partition, or its oldest entry is `snapshot_seconds` old, the
offices changed since the last round are snapshotted, then the partition record, then the
journal is deleted: recovery re-reads at most that much of the events topic. An office's
event ids go in pieces by their instant, each written once and rewritten (as a new version)
only when it got ids since, so a round does not copy a whole day of ids again; a piece a
snapshot no longer names is deleted after that snapshot is written. A crash in the
middle of a round is harmless: the round's own batch is journaled first, and replaying
entries over a newer snapshot skips them by offset (messages) and by seq (ticks).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import faust

from pantau.standards import Standards
from streams.core.durable import (
    Batch,
    DurableFormatError,
    Entry,
    IdPiece,
    PartitionRecord,
    Snapshot,
    Tick,
    entry_key,
    partition_key,
    partition_of_key,
    piece_key,
    read_partition,
    snapshot_key,
    to_value,
)
from streams.core.office import OfficeState
from streams.core.partition import PartitionState
from streams.core.replay import Replay


class PartitionedTable(faust.Table):
    """A table whose keys name their changelog partition, so writes work outside a stream.

    It keeps the futures of its changelog sends until `take_sent`, so that the offsets a
    write covers are acknowledged only once the broker has the write.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sent: list[asyncio.Future[Any]] = []

    def partition_for_key(self, key: Any) -> int | None:
        return partition_of_key(key)

    def send_changelog(self, *args: Any, **kwargs: Any) -> Any:
        future = super().send_changelog(*args, **kwargs)
        self._sent.append(future)
        return future

    def take_sent(self) -> list[asyncio.Future[Any]]:
        """The changelog sends since the last call."""
        sent, self._sent = self._sent, []
        return sent


class StateStore:
    """Writes partition states to the table and rebuilds them from it."""

    def __init__(
        self,
        table: faust.Table,
        standards: Standards,
        snapshot_every: int,
        snapshot_seconds: float = float("inf"),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.table = table
        self.standards = standards
        self.snapshot_every = snapshot_every
        self.snapshot_seconds = snapshot_seconds
        self.clock = clock
        # Per partition, since its last snapshot round: journal keys written (or left by
        # a crash), events in them, the offices they changed and when the first was
        # written; and the next seq.
        self._journal: dict[int, list[str]] = defaultdict(list)
        self._journaled_events: dict[int, int] = defaultdict(int)
        self._changed: dict[int, set[str]] = defaultdict(set)
        self._opened: dict[int, float] = {}
        self._next_seq: dict[int, int] = defaultdict(int)
        # Per partition and office, the id pieces its last snapshot names: piece ->
        # (ids ever added to it when it was written, its version).
        self._pieces: dict[int, dict[str, dict[int, tuple[int, int]]]] = defaultdict(dict)
        # Id pieces found at load that no snapshot names (a crash came before their delete).
        self._unnamed: dict[int, set[str]] = defaultdict(set)

    def take_sent(self) -> list[asyncio.Future[Any]]:
        """The changelog sends since the last call (none for a plain mapping in tests)."""
        take = getattr(self.table, "take_sent", None)
        return take() if take is not None else []

    def write_batch(
        self,
        partition: int,
        pstate: PartitionState,
        wall: float | None,
        runs: Iterable[Sequence[int]],
        offices: set[str],
    ) -> None:
        """Journal a batch that applied the offsets `runs` ([first, last] each) and
        changed `offices`."""
        entry = Batch(wall, tuple((first, last) for first, last in runs))
        self._write(partition, pstate, entry, offices)

    def write_tick(
        self, partition: int, pstate: PartitionState, wall: float, offices: set[str]
    ) -> None:
        """Journal a wall-clock tick that changed `offices`."""
        self._write(partition, pstate, Tick(wall, tuple(sorted(offices))), offices)

    def _write(
        self, partition: int, pstate: PartitionState, entry: Entry, offices: set[str]
    ) -> None:
        seq = self._next_seq[partition]
        self._next_seq[partition] = seq + 1
        key = entry_key(partition, seq)
        self.table[key] = to_value(entry)
        self._journal[partition].append(key)
        self._opened.setdefault(partition, self.clock())
        self._changed[partition] |= offices
        self._journaled_events[partition] += entry.size()
        if self._journaled_events[partition] >= self.snapshot_every:
            self.snapshot(partition, pstate)

    def due(self) -> list[int]:
        """Partitions whose oldest journal entry is `snapshot_seconds` old."""
        oldest = self.clock() - self.snapshot_seconds
        return [p for p, opened in self._opened.items() if opened <= oldest]

    def snapshot(self, partition: int, pstate: PartitionState) -> None:
        """A snapshot round: the changed offices, the partition record, the journal deleted."""
        next_seq = self._next_seq[partition]
        leftover = self._unnamed.pop(partition, set())
        for office in sorted(self._changed.pop(partition, ())):
            state = pstate.offices[office]
            names, unnamed = self._write_pieces(partition, office, state, next_seq)
            self.table[snapshot_key(partition, office)] = to_value(
                Snapshot(next_seq, state.to_json(ids=False), names)
            )
            for key in unnamed:
                del self.table[key]
            # a leftover of a crashed round with this version may just have been written again
            leftover -= {piece_key(partition, office, p, v) for p, v in names}
        for key in sorted(leftover):
            del self.table[key]
        record = PartitionRecord(next_seq, pstate.malformed, pstate.malformed_offset)
        self.table[partition_key(partition)] = to_value(record)
        for key in self._journal.pop(partition, []):
            del self.table[key]
        self._journaled_events[partition] = 0
        self._opened.pop(partition, None)

    def _write_pieces(
        self, partition: int, office: str, state: OfficeState, version: int
    ) -> tuple[tuple[tuple[int, int], ...], list[str]]:
        """Write the id pieces of `office` that got ids since they were written, as
        `version`; the pieces its snapshot is to name, and the keys it no longer names."""
        written = self._pieces[partition].setdefault(office, {})
        adds = state.id_piece_adds()
        unnamed = [piece_key(partition, office, p, v) for p, (_, v) in written.items()
                   if p not in adds]  # fmt: skip
        changed = [piece for piece, n in adds.items() if piece not in written
                   or written[piece][0] != n]  # fmt: skip
        for piece, (seen, packed) in state.id_pieces(changed).items():
            before = written.get(piece)
            if before is not None and before[1] != version:
                unnamed.append(piece_key(partition, office, piece, before[1]))
            self.table[piece_key(partition, office, piece, version)] = to_value(
                IdPiece(seen, packed)
            )
            written[piece] = (adds[piece], version)
        for piece in [p for p in written if p not in adds]:
            del written[piece]
        return tuple(sorted((p, v) for p, (_, v) in written.items())), unnamed

    def load(self, partition: int) -> tuple[PartitionState, Replay | None]:
        """One partition's state from the table (after recovery), and the replay of its
        journal still to come as its events are read again (None if there is none)."""
        found = read_partition(self.table.items(), partition)
        pstate = PartitionState(self.standards)
        unnamed = self._unnamed[partition] = set()
        pieces = self._pieces[partition] = {}
        for office, found_pieces in found.pieces.items():
            named = set(found.snapshots[office].pieces) if office in found.snapshots else set()
            unnamed |= {piece_key(partition, office, p, v) for p, v in found_pieces
                        if (p, v) not in named}  # fmt: skip
        for office, snapshot in found.snapshots.items():
            key = snapshot_key(partition, office)
            have = found.pieces.get(office, {})
            missing = [f"{p}.{v}" for p, v in snapshot.pieces if (p, v) not in have]
            if missing:
                raise DurableFormatError(f"{key}: names id pieces not in the table: {missing}")
            ids = [(have[name].seen, have[name].packed) for name in snapshot.pieces]
            try:
                state = OfficeState.from_json(snapshot.state, self.standards, ids)
            except (KeyError, TypeError, ValueError) as exc:
                why = f"no {exc}" if isinstance(exc, KeyError) else str(exc)
                raise DurableFormatError(
                    f"{key}: an office state that does not load: {why}"
                ) from None
            pstate.offices[office] = state
            pieces[office] = {p: (state.id_adds.get(p, 0), v) for p, v in snapshot.pieces}
        if found.partition is not None:
            pstate.malformed = found.partition.malformed
            pstate.malformed_offset = found.partition.malformed_offset
        pstate.restore_position()
        snapshot_next = {office: s.next for office, s in found.snapshots.items()}
        replay = Replay(pstate, found.entries, snapshot_next)
        self._changed[partition] = replay.touched  # filled as the replay goes
        self._journal[partition] = found.stale + [entry_key(partition, s) for s, _ in found.entries]
        self._journaled_events[partition] = sum(e.size() for _, e in found.entries)
        if self._journal[partition] or unnamed:
            self._opened[partition] = float("-inf")  # a round once the replay is done
        self._next_seq[partition] = max(
            [
                found.partition.next if found.partition else 0,
                *snapshot_next.values(),
                *(seq + 1 for seq, _ in found.entries),
            ]
        )
        return pstate, None if replay.done else replay

    def forget(self, partition: int) -> None:
        """Drop bookkeeping of a partition this worker no longer owns."""
        for bookkeeping in (
            self._journal,
            self._journaled_events,
            self._changed,
            self._opened,
            self._next_seq,
            self._pieces,
            self._unnamed,
        ):
            bookkeeping.pop(partition, None)
