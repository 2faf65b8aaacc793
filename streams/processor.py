"""The worker's processing loop body: a batch of messages in, state written, records out."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from pantau.standards import Standards
from streams.core.journal import batch_entry, tick_entry
from streams.core.office import OfficeState
from streams.core.outcomes import Breach, Effect, Rejection
from streams.core.partition import PartitionState, as_text
from streams.store import StateStore


def rfc3339(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


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


@dataclass(frozen=True, slots=True)
class Message:
    """What the processor needs of one consumed Kafka message."""

    partition: int
    offset: int
    key: bytes | None
    value: bytes


# Sends one output record: (topic kind "dlq" or "breaches", key, value).
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
    partitions: dict[int, PartitionState] = field(default_factory=dict)
    positions: dict[int, int] = field(default_factory=dict)  # next offset per partition
    last_batch_at: float = 0.0

    def load(self, partitions: Iterable[int]) -> None:
        """Rebuild newly assigned partitions from the recovered table."""
        for p in partitions:
            if p not in self.partitions:
                self.partitions[p] = self.store.load(p)

    def drop(self, partitions: Iterable[int]) -> None:
        """Forget partitions this worker no longer owns (their series disappear)."""
        for p in partitions:
            self.partitions.pop(p, None)
            self.positions.pop(p, None)
            self.store.forget(p)

    def process(self, batch: Iterable[Message]) -> None:
        wall = self.wall_clock() if self.wall_clock else None
        out: list[Effect] = []
        applied: dict[tuple[int, str], list[tuple[int, str]]] = defaultdict(list)
        malformed_changed: set[int] = set()
        keys: list[bytes | None] = []
        for msg in batch:
            pstate = self.partitions.get(msg.partition)
            if pstate is None:
                if not self.owns(msg.partition):
                    continue  # revoked meanwhile: its new owner will process it
                pstate = self.partitions[msg.partition] = self.store.load(msg.partition)
            before = len(out)
            malformed = pstate.malformed
            state = pstate.handle(msg.value, msg.offset, out, wall)
            if state is not None:
                applied[msg.partition, state.office].append((msg.offset, as_text(msg.value)))
            elif pstate.malformed != malformed:
                malformed_changed.add(msg.partition)
            keys.extend([msg.key] * (len(out) - before))
            self.positions[msg.partition] = msg.offset + 1
        for (partition, office), messages in applied.items():
            state = self.partitions[partition].offices[office]
            self.store.write_entry(partition, state, batch_entry(wall, messages))
        for partition in malformed_changed:
            self.store.write_malformed(partition, self.partitions[partition])
        self._emit(out, keys)
        self.last_batch_at = self.now()

    def tick(self) -> None:
        """Flag live breaches by the wall clock (wall mode), journaling offices that changed."""
        if self.wall_clock is None:
            return
        wall = self.wall_clock()
        for partition, pstate in self.partitions.items():
            for state in pstate.offices.values():
                out: list[Effect] = []
                state.tick(out, wall)
                if out:
                    self.store.write_entry(partition, state, tick_entry(wall))
                    self._emit(out, [state.office.encode()] * len(out))

    def _emit(self, effects: list[Effect], keys: list[bytes | None]) -> None:
        now = self.now()
        for effect, key in zip(effects, keys, strict=True):
            if isinstance(effect, Rejection):
                self.emit("dlq", key, dlq_record(effect, now))
            else:
                self.emit("breaches", effect.office.encode(), breach_record(effect))

    def offices(self) -> Iterable[OfficeState]:
        for pstate in self.partitions.values():
            yield from pstate.offices.values()

    def malformed(self) -> int:
        return sum(p.malformed for p in self.partitions.values())

    def describe(self) -> dict[str, Any]:
        return {"partitions": sorted(self.partitions), "offices": sum(1 for _ in self.offices())}
