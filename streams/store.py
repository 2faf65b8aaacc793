"""Durable state in a changelog-backed Faust table: per office a snapshot plus a journal.

Keys are strings that start with the input partition, and each record goes to that
partition of the changelog, so whoever owns an input partition recovers exactly its state:

- `p{P}/s/{office}`: a snapshot, `{"next": seq, "state": OfficeState.to_json()}`;
- `p{P}/j/{office}/{seq}`: a journal entry of one batch (see `streams.core.journal`);
- `p{P}/m`: the partition's malformed-message count and the offset of the last one.

Each record is written whole, so after a crash every office is either before or after a
batch, and redelivered messages are skipped by offset. Snapshots replace the journal after
`snapshot_every` journaled events, which bounds recovery time and changelog size.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import faust

from pantau.standards import Standards
from streams.core.journal import replay
from streams.core.office import OfficeState
from streams.core.partition import PartitionState


def partition_of_key(key: str) -> int:
    return int(key[1 : key.index("/")])


class PartitionedTable(faust.Table):
    """A table whose keys name their changelog partition, so writes work outside a stream."""

    def partition_for_key(self, key: Any) -> int | None:
        return partition_of_key(key)


class StateStore:
    """Writes office states to the table and rebuilds them from it."""

    def __init__(self, table: faust.Table, standards: Standards, snapshot_every: int) -> None:
        self.table = table
        self.standards = standards
        self.snapshot_every = snapshot_every
        # (partition, office) -> journal seqs written since the snapshot, and the next seq
        self._journal: dict[tuple[int, str], list[int]] = defaultdict(list)
        self._journaled_events: dict[tuple[int, str], int] = defaultdict(int)
        self._next_seq: dict[tuple[int, str], int] = defaultdict(int)

    def write_entry(self, partition: int, state: OfficeState, entry: dict[str, Any]) -> None:
        """Journal one entry for an office, or snapshot it when the journal is long enough."""
        ident = (partition, state.office)
        seq = self._next_seq[ident]
        self._next_seq[ident] = seq + 1
        size = len(entry.get("msgs", ())) or 1
        if self._journaled_events[ident] + size >= self.snapshot_every:
            self._snapshot(partition, state, seq + 1)
            return
        self.table[f"p{partition}/j/{state.office}/{seq}"] = entry
        self._journal[ident].append(seq)
        self._journaled_events[ident] += size

    def _snapshot(self, partition: int, state: OfficeState, next_seq: int) -> None:
        ident = (partition, state.office)
        self.table[f"p{partition}/s/{state.office}"] = {"next": next_seq, "state": state.to_json()}
        for seq in self._journal.pop(ident, []):
            del self.table[f"p{partition}/j/{state.office}/{seq}"]
        self._journaled_events[ident] = 0

    def write_malformed(self, partition: int, pstate: PartitionState) -> None:
        self.table[f"p{partition}/m"] = pstate.malformed_to_json()

    def load(self, partition: int) -> PartitionState:
        """Rebuild one partition's state from the table (after recovery)."""
        pstate = PartitionState(self.standards)
        snapshots: dict[str, dict[str, Any]] = {}
        journals: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
        prefix = f"p{partition}/"
        for key, value in self.table.items():
            if not key.startswith(prefix):
                continue
            kind, _, rest = key[len(prefix) :].partition("/")
            if kind == "m":
                pstate.malformed_from_json(value)
            elif kind == "s":
                snapshots[rest] = value
            elif kind == "j":
                office, _, seq = rest.rpartition("/")
                journals[office].append((int(seq), value))
        for office in snapshots.keys() | journals.keys():
            snap = snapshots.get(office)
            if snap is None:
                state, first = OfficeState(office, self.standards), 0
            else:
                state, first = OfficeState.from_json(snap["state"], self.standards), snap["next"]
            entries = sorted(e for e in journals.get(office, []) if e[0] >= first)
            replay(state, (entry for _, entry in entries))
            pstate.offices[office] = state
            ident = (partition, office)
            self._journal[ident] = [seq for seq, _ in entries]
            self._journaled_events[ident] = sum(len(e.get("msgs", ())) or 1 for _, e in entries)
            self._next_seq[ident] = max([first, *(seq + 1 for seq, _ in entries)])
        return pstate

    def forget(self, partition: int) -> None:
        """Drop bookkeeping of a partition this worker no longer owns."""
        for ident in [i for i in self._next_seq if i[0] == partition]:
            self._journal.pop(ident, None)
            self._journaled_events.pop(ident, None)
            self._next_seq.pop(ident, None)
