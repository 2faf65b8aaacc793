"""Durable state in a changelog-backed Faust table: per office a snapshot, per partition a journal.

Keys are strings that start with the input partition, and each record goes to that
partition of the changelog, so whoever owns an input partition recovers exactly its state:

- `p{P}/j/{seq}`: a journal entry of one batch of the partition (see `streams.core.journal`);
- `p{P}/s/{office}`: a snapshot, `{"next": seq, "state": OfficeState.to_json()}`, where
  `next` is the first journal seq it does not include;
- `p{P}/m`: the partition's malformed-message count and the offset of the last one.

Each record is written whole, so after a crash every office is either before or after a
batch, and redelivered messages are skipped by offset. Once `snapshot_every` events have
been journaled in a partition, the offices they changed are snapshotted and the journal is
deleted, which bounds recovery time and changelog size. One entry per partition and batch
(not per office) keeps the changelog to a few large records. A crash in the middle of a
snapshot round is harmless: replaying entries over a newer snapshot skips them by offset.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

import faust

from pantau.standards import Standards
from streams.core.journal import replay, replay_partition
from streams.core.office import OfficeState
from streams.core.partition import PartitionState


def partition_of_key(key: str) -> int:
    return int(key[1 : key.index("/")])


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

    def __init__(self, table: faust.Table, standards: Standards, snapshot_every: int) -> None:
        self.table = table
        self.standards = standards
        self.snapshot_every = snapshot_every
        # Per partition, since its last snapshot round: journal seqs written, events in
        # them and the offices they changed; and the next seq.
        self._journal: dict[int, list[int]] = defaultdict(list)
        self._journaled_events: dict[int, int] = defaultdict(int)
        self._changed: dict[int, set[str]] = defaultdict(set)
        self._next_seq: dict[int, int] = defaultdict(int)
        # journal keys of the earlier per-office format, deleted by the next snapshot round
        self._legacy: dict[int, list[str]] = defaultdict(list)

    def take_sent(self) -> list[asyncio.Future[Any]]:
        """The changelog sends since the last call (none for a plain mapping in tests)."""
        take = getattr(self.table, "take_sent", None)
        return take() if take is not None else []

    def write_entry(
        self, partition: int, pstate: PartitionState, entry: dict[str, Any], offices: set[str]
    ) -> None:
        """Journal one entry that changed `offices`, or start a snapshot round instead."""
        seq = self._next_seq[partition]
        self._next_seq[partition] = seq + 1
        self._changed[partition] |= offices
        size = len(entry.get("msgs", ())) or 1
        if self._journaled_events[partition] + size >= self.snapshot_every:
            self._snapshot(partition, pstate)
            return
        self.table[f"p{partition}/j/{seq}"] = entry
        self._journal[partition].append(seq)
        self._journaled_events[partition] += size

    def _snapshot(self, partition: int, pstate: PartitionState) -> None:
        next_seq = self._next_seq[partition]
        for office in sorted(self._changed.pop(partition, ())):
            state = pstate.offices[office]
            self.table[f"p{partition}/s/{office}"] = {"next": next_seq, "state": state.to_json()}
        self.table[f"p{partition}/m"] = pstate.malformed_to_json()
        for seq in self._journal.pop(partition, []):
            del self.table[f"p{partition}/j/{seq}"]
        for key in self._legacy.pop(partition, []):
            del self.table[key]
        self._journaled_events[partition] = 0

    def load(self, partition: int) -> PartitionState:
        """Rebuild one partition's state from the table (after recovery)."""
        pstate = PartitionState(self.standards)
        snapshot_next: dict[str, int] = {}
        entries: list[tuple[int, dict[str, Any]]] = []
        legacy: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
        prefix = f"p{partition}/"
        for key, value in self.table.items():
            if not key.startswith(prefix):
                continue
            kind, _, rest = key[len(prefix) :].partition("/")
            if kind == "m":
                pstate.malformed_from_json(value)
            elif kind == "s":
                pstate.offices[rest] = OfficeState.from_json(value["state"], self.standards)
                snapshot_next[rest] = value["next"]
            elif kind == "j" and "/" in rest:  # `p{P}/j/{office}/{seq}`, written by 0.1
                office, _, seq = rest.rpartition("/")
                legacy[office].append((int(seq), value))
                self._legacy[partition].append(key)
            elif kind == "j":
                entries.append((int(rest), value))
        touched = self._replay_legacy(pstate, legacy, snapshot_next)
        entries.sort(key=lambda item: item[0])
        touched |= replay_partition(pstate, entries, snapshot_next)
        self._changed[partition] = touched
        self._journal[partition] = [seq for seq, _ in entries]
        every_entry = [e for _, e in entries] + [e for es in legacy.values() for _, e in es]
        self._journaled_events[partition] = sum(len(e.get("msgs", ())) or 1 for e in every_entry)
        self._next_seq[partition] = max(
            [0, *snapshot_next.values(), *(seq + 1 for seq, _ in entries)]
        )
        return pstate

    def _replay_legacy(
        self,
        pstate: PartitionState,
        legacy: dict[str, list[tuple[int, dict[str, Any]]]],
        snapshot_next: dict[str, int],
    ) -> set[str]:
        """Apply journals of the per-office format; its snapshots' `next` counts per office."""
        for office, office_entries in legacy.items():
            first = snapshot_next.get(office, 0)
            replay(pstate.office(office), (e for seq, e in sorted(office_entries) if seq >= first))
        return set(legacy)

    def forget(self, partition: int) -> None:
        """Drop bookkeeping of a partition this worker no longer owns."""
        for bookkeeping in (
            self._journal,
            self._journaled_events,
            self._changed,
            self._next_seq,
            self._legacy,
        ):
            bookkeeping.pop(partition, None)
