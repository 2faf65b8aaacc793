"""Recovery: a partition's journal applied again to its events as they are read back.

The journal holds no messages, only which input offsets each batch applied and with which
wall clock, and the ticks between batches. After the snapshots are loaded, the events
topic is read again from the first journaled offset; each message read is applied with
the wall clock of the batch that first applied it, ticks in their place between batches,
so the state comes out exactly as it was. What a replay emits was emitted the first time,
and is discarded.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Mapping

from .durable import Batch, Entry, Tick
from .outcomes import Effect
from .partition import PartitionState


class Fed(enum.Enum):
    SKIPPED = "skipped"  # before the next journaled offset: already in the state
    APPLIED = "applied"
    MISSING = "missing"  # after it: the journaled offset was not read, read again from it


class Replay:
    """The journal entries of one partition not applied yet, in seq order."""

    def __init__(
        self,
        pstate: PartitionState,
        entries: list[tuple[int, Entry]],
        snapshot_next: Mapping[str, int],
    ) -> None:
        self.pstate = pstate
        self.snapshot_next = snapshot_next
        self.touched: set[str] = set()  # offices the replay changed
        self._entries = deque(entries)
        self._runs: deque[tuple[int, int]] = deque()
        self._wall: float | None = None
        self.next_offset: int | None = None  # the next offset to apply; None when done
        self._sink: list[Effect] = []
        self._next_batch()

    @property
    def done(self) -> bool:
        return self.next_offset is None

    def feed(self, offset: int, raw: bytes | str, received: float | None) -> Fed:
        """Apply the message at `offset` if it is the next one the journal applied."""
        expected = self.next_offset
        if expected is None or offset < expected:
            return Fed.SKIPPED
        if offset > expected:
            return Fed.MISSING
        state = self.pstate.handle(raw, offset, self._sink, self._wall, received)
        self._sink.clear()
        if state is not None:
            self.touched.add(state.office)
        self._past(offset)
        return Fed.APPLIED

    def lose_before(self, earliest: int) -> int:
        """Give up journaled offsets below `earliest` (deleted from the events topic);
        returns how many were given up."""
        lost = 0
        while self.next_offset is not None and self.next_offset < earliest:
            end = min(self._runs[0][1], earliest - 1)
            lost += end - self.next_offset + 1
            self._past(end)
        return lost

    def _past(self, offset: int) -> None:
        """Move on past `offset`, an offset of the current run."""
        if offset < self._runs[0][1]:
            self.next_offset = offset + 1
            return
        self._runs.popleft()
        if self._runs:
            self.next_offset = self._runs[0][0]
        else:
            self._next_batch()

    def _next_batch(self) -> None:
        """Apply the ticks up to the next batch entry, then wait for that batch's messages."""
        self.next_offset = None
        while self._entries:
            seq, entry = self._entries.popleft()
            if isinstance(entry, Tick):
                self._tick(seq, entry)
            elif isinstance(entry, Batch) and entry.runs:
                self._runs = deque(entry.runs)
                self._wall = entry.wall
                self.next_offset = self._runs[0][0]
                return

    def _tick(self, seq: int, entry: Tick) -> None:
        for office in entry.tick:
            if seq >= self.snapshot_next.get(office, 0):  # the snapshot may include it
                self.pstate.office(office).tick(self._sink, entry.wall)
                self.touched.add(office)
        self._sink.clear()
