"""The worker's processing loop body: a batch of messages in, state written, records out."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

from pantau.standards import Standards
from streams.core.office import OfficeState
from streams.core.outcomes import Breach, Effect, Rejection
from streams.core.partition import PartitionState
from streams.core.replay import Fed, Replay
from streams.core.status import rfc3339, status_record
from streams.store import StateStore


def dlq_record(rejection: Rejection, now: float) -> bytes:
    return orjson.dumps(
        {
            "reason": rejection.reason.value,
            "detail": rejection.detail,
            "raw": rejection.raw,
            "rejected_at": rfc3339(now),
        }
    )


def breach_record(breach: Breach) -> bytes:
    return orjson.dumps(
        {
            "office": breach.office,
            "service": breach.service,
            "ticket": breach.ticket,
            "queued_at": rfc3339(breach.queued_at),
            "max_wait_seconds": breach.max_wait_seconds,
            "detected_at": rfc3339(breach.detected_at),
        }
    )


class Incoming(Protocol):
    """What the processor reads of a consumed Kafka message (Faust's and aiokafka's have it)."""

    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...
    @property
    def timestamp(self) -> int | None: ...  # milliseconds: when the message was received


@dataclass(frozen=True, slots=True)
class Message:
    """One consumed Kafka message, as far as the processor is concerned."""

    partition: int
    offset: int
    key: bytes | None
    value: bytes
    timestamp: int | None = None


def received_time(msg: Incoming) -> float | None:
    """The message's received time in seconds (CONTRACT §4 step 0), None if it has none."""
    ms = msg.timestamp
    return ms / 1000.0 if ms is not None and ms >= 0 else None


@dataclass(frozen=True, slots=True)
class Handled:
    """What the processor did with a batch: the partitions it applied, and the changelog
    sends (futures) whose acknowledgement by the broker makes that durable."""

    partitions: Collection[int]
    durable: Sequence[asyncio.Future[Any]] = ()


# Sends one output record: (topic kind "dlq", "breaches" or "status", key, value).
Emit = Callable[[str, bytes | None, bytes], None]


@dataclass
class Processor:
    """Owns the state of the partitions assigned to this worker and processes batches."""

    store: StateStore
    standards: Standards
    emit: Emit
    wall_clock: Callable[[], float] | None  # None in `event` clock mode
    now: Callable[[], float] = time.time
    owns: Callable[[int], bool] = lambda partition: True  # is the input partition assigned?
    status_every: float = 1.0  # seconds between two status records of an office, at least
    partitions: dict[int, PartitionState] = field(default_factory=dict)
    # partitions whose journal is being applied again to their re-read events; their
    # offices are not served (metrics, status records, ticks) until it is done
    replays: dict[int, Replay] = field(default_factory=dict)
    last_batch_at: float = 0.0
    # Office status records (CONTRACT §6): offices changed since their last record, and per
    # office the last record sent and when (by `now`).
    _status_due: dict[str, OfficeState] = field(default_factory=dict, init=False)
    _status_sent: dict[str, tuple[float, dict[str, Any]]] = field(default_factory=dict, init=False)

    def load(self, partitions: Iterable[int]) -> None:
        """Rebuild newly assigned partitions from the recovered table."""
        for p in partitions:
            if p not in self.partitions:
                self._load(p)

    def _load(self, partition: int) -> PartitionState:
        pstate, replay = self.store.load(partition)
        self.partitions[partition] = pstate
        if replay is None:
            # a record may not have been sent for the last change before a restart
            self._status_due.update(pstate.offices)
        else:
            self.replays[partition] = replay
        return pstate

    def drop(self, partitions: Iterable[int]) -> None:
        """Forget partitions this worker no longer owns (their series disappear)."""
        for p in partitions:
            pstate = self.partitions.pop(p, None)
            self.replays.pop(p, None)
            self.store.forget(p)
            for office in pstate.offices if pstate else ():
                self._status_due.pop(office, None)
                self._status_sent.pop(office, None)

    def ready(self, partition: int) -> bool:
        """Is the partition's state served: loaded, and its journal replayed?"""
        return partition in self.partitions and partition not in self.replays

    def _served(self) -> Iterator[tuple[int, PartitionState]]:
        """The partitions whose state is served, with their states."""
        for partition, pstate in self.partitions.items():
            if partition not in self.replays:
                yield partition, pstate

    def resume_at(self, partition: int) -> int | None:
        """The first offset of a partition its state does not cover; None without state."""
        replay = self.replays.get(partition)
        if replay is not None:
            return replay.next_offset
        pstate = self.partitions.get(partition)
        return None if pstate is None else pstate.position

    def process(self, batch: Iterable[Incoming]) -> Handled:
        """Apply a batch; messages of partitions this worker does not own are left alone,
        and so is a replaying partition whose next journaled message is not in the batch."""
        wall = self.wall_clock() if self.wall_clock else None
        out: list[Effect] = []
        # per partition: the runs of offsets applied, and the offices they changed
        runs: dict[int, list[list[int]]] = defaultdict(list)
        changed: dict[int, set[str]] = defaultdict(set)
        keys: list[bytes | None] = []
        partitions = self.partitions
        replays = self.replays
        applied: set[int] = set()
        skipped: set[int] = set()
        missing: set[int] = set()
        for msg in batch:
            partition = msg.partition
            pstate = partitions.get(partition)
            if pstate is None:
                if partition in skipped or not self.owns(partition):
                    skipped.add(partition)
                    continue  # revoked meanwhile: its new owner reads it from its state
                pstate = self._load(partition)
            applied.add(partition)
            offset = msg.offset
            if replays and partition in replays:
                if partition not in missing and self._replay(partition, msg) is Fed.MISSING:
                    missing.add(partition)
                continue
            if offset < pstate.position:
                continue  # delivered again: applied before
            before = len(out)
            state = pstate.handle(msg.value or b"", offset, out, wall, received_time(msg))
            if state is not None:
                changed[partition].add(state.office)
            partition_runs = runs[partition]
            if partition_runs and partition_runs[-1][1] == offset - 1:
                partition_runs[-1][1] = offset
            else:
                partition_runs.append([offset, offset])
            if len(out) > before:
                keys.extend([msg.key] * (len(out) - before))
        for partition, partition_runs in runs.items():
            pstate = partitions[partition]
            offices = changed[partition]
            self.store.write_batch(partition, pstate, wall, partition_runs, offices)
            for office in offices:
                self._status_due[office] = pstate.offices[office]
        self._emit(out, keys)
        self.last_batch_at = self.now()
        self.send_status()
        return Handled(applied - missing, self.store.take_sent())

    def _replay(self, partition: int, msg: Incoming) -> Fed:
        replay = self.replays[partition]
        fed = replay.feed(msg.offset, msg.value or b"", received_time(msg))
        if replay.done:
            self._replayed(partition)
        return fed

    def _replayed(self, partition: int) -> None:
        del self.replays[partition]
        self._status_due.update(self.partitions[partition].offices)

    def lose_before(self, partition: int, earliest: int) -> int:
        """Give up a replay's offsets below `earliest` (no longer in the events topic);
        returns how many."""
        replay = self.replays.get(partition)
        if replay is None:
            return 0
        lost = replay.lose_before(earliest)
        if replay.done:
            self._replayed(partition)
        return lost

    def send_status(self) -> None:
        """Send a status record for each changed office whose last one is old enough.

        Called after each batch and by a timer, so an office's last change reaches the
        topic within about `status_every` once the worker is idle.
        """
        if not self._status_due:
            return
        now = self.now()
        wall = self.wall_clock() if self.wall_clock else None
        for office, state in list(self._status_due.items()):
            sent = self._status_sent.get(office)
            if sent is not None and now - sent[0] < self.status_every:
                continue
            del self._status_due[office]
            if state.watermark == float("-inf"):
                continue  # only future or no events yet: no "now" to report
            record = status_record(state, self.standards, wall)
            if sent is not None and sent[1] == record:
                continue
            self._status_sent[office] = (now, record)
            self.emit("status", office.encode(), orjson.dumps(record))

    def _refresh_status(self, wall: float) -> None:
        """Wall mode: ages grow and offices open and close without events; mark those."""
        for _, pstate in self._served():
            for office, state in pstate.offices.items():
                sent = self._status_sent.get(office)
                if sent is None or state.watermark == float("-inf"):
                    continue
                record = status_record(state, self.standards, wall)
                if {**record, "at": None} != {**sent[1], "at": None}:
                    self._status_due[office] = state

    def tick(self) -> None:
        """Flag live breaches by the wall clock (wall mode), journaling partitions that
        changed; and start the snapshot rounds that are due by age."""
        for partition in self.store.due():
            if self.ready(partition):
                self.store.snapshot(partition, self.partitions[partition])
        if self.wall_clock is None:
            return
        wall = self.wall_clock()
        for partition, pstate in self._served():
            flagged: set[str] = set()
            for state in pstate.offices.values():
                out: list[Effect] = []
                state.tick(out, wall)
                if out:
                    flagged.add(state.office)
                    self._emit(out, [state.office.encode()] * len(out))
            if flagged:
                self.store.write_tick(partition, pstate, wall, flagged)
        self._refresh_status(wall)
        self.send_status()

    def _emit(self, effects: list[Effect], keys: list[bytes | None]) -> None:
        now = self.now()
        for effect, key in zip(effects, keys, strict=True):
            if isinstance(effect, Rejection):
                self.emit("dlq", key, dlq_record(effect, now))
            else:
                self.emit("breaches", effect.office.encode(), breach_record(effect))

    def offices(self) -> Iterable[OfficeState]:
        """The offices served (of partitions loaded and replayed)."""
        for _, pstate in self._served():
            yield from pstate.offices.values()

    def malformed(self) -> int:
        return sum(pstate.malformed for _, pstate in self._served())

    def describe(self) -> dict[str, Any]:
        return {
            "partitions": sorted(self.partitions),
            "replaying": sorted(self.replays),
            "offices": sum(1 for _ in self.offices()),
        }
