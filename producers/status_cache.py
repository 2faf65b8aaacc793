"""The last office status record (CONTRACT §6) per office, in memory, with live subscribers."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from pantau.status import OfficeStatus

__all__ = ["StatusCache", "StatusEntry", "Subscription"]

log = logging.getLogger("pantau.gateway.status")


@dataclass(frozen=True)
class StatusEntry:
    """One office's newest record, as parsed and as the bytes every client is sent."""

    office: str
    at: float  # the record's `at` as an instant (epoch seconds)
    partition: int
    offset: int
    record: dict[str, Any]
    data: bytes  # compact JSON of `record`
    received: float  # wall-clock time the service read it

    @property
    def event_id(self) -> str:
        return f"{self.partition}-{self.offset}"

    def newer_than(self, other: StatusEntry) -> bool:
        """Ordered by `at`; on the same instant, by the position in the topic."""
        if self.at != other.at:
            return self.at > other.at
        return (self.partition, self.offset) > (other.partition, other.offset)


@dataclass(eq=False)
class Subscription:
    """A client's bounded queue of new entries of one office: when it is full (a slow
    client) the oldest is dropped, since only the newest record matters."""

    office: str
    queue: asyncio.Queue[StatusEntry | None]  # None: the service is stopping, end the stream
    dropped: int = 0

    def offer(self, entry: StatusEntry | None) -> None:
        while True:
            try:
                self.queue.put_nowait(entry)
                return
            except asyncio.QueueFull:
                try:
                    self.queue.get_nowait()
                    self.dropped += 1
                except asyncio.QueueEmpty:  # pragma: no cover - single-threaded
                    pass


@dataclass
class StatusCache:
    """Keeps the newest record per office; an older record never replaces a newer one.

    Not thread-safe: use it from the event loop only (the Kafka feed hands records over
    with `loop.call_soon_threadsafe`).
    """

    queue_size: int = 8
    _entries: dict[str, StatusEntry] = field(default_factory=dict)
    _subscribers: dict[str, set[Subscription]] = field(default_factory=dict)
    ready: bool = False
    rejected: int = 0
    closed: bool = False

    def apply(
        self,
        value: bytes | None,
        partition: int,
        offset: int,
        key: bytes | None = None,
        received: float = 0.0,
    ) -> bool:
        """Take one message of the status topic; True if it became the office's record.

        A tombstone (no value) forgets the office named by the key; an invalid record is
        counted, logged on one line and skipped.
        """
        if value is None:
            if key is not None:
                self._entries.pop(key.decode("utf-8", "replace"), None)
            return False
        try:
            status = OfficeStatus.model_validate_json(value)
        except ValidationError as exc:
            self.rejected += 1
            problem = exc.errors()[0]
            where = ".".join(str(p) for p in problem["loc"]) or "record"
            log.warning(
                "status record %d-%d skipped: %s: %s", partition, offset, where, problem["msg"]
            )
            return False
        record = status.model_dump(mode="json")
        entry = StatusEntry(
            office=status.office,
            at=_instant(status.at),
            partition=partition,
            offset=offset,
            record=record,
            data=json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode(),
            received=received,
        )
        return self.put(entry)

    def put(self, entry: StatusEntry) -> bool:
        current = self._entries.get(entry.office)
        if current is not None and not entry.newer_than(current):
            return False
        self._entries[entry.office] = entry
        for subscription in self._subscribers.get(entry.office, ()):
            subscription.offer(entry)
        return True

    def get(self, office: str) -> StatusEntry | None:
        return self._entries.get(office)

    def offices(self) -> list[StatusEntry]:
        """Every known office's entry, sorted by office id."""
        return [self._entries[office] for office in sorted(self._entries)]

    def subscribe(self, office: str) -> Subscription:
        subscription = Subscription(office, asyncio.Queue(maxsize=self.queue_size))
        if self.closed:
            subscription.offer(None)
        self._subscribers.setdefault(office, set()).add(subscription)
        return subscription

    def close(self) -> None:
        """End every stream (the server stops and would otherwise wait for them)."""
        self.closed = True
        for subscribers in self._subscribers.values():
            for subscription in subscribers:
                subscription.offer(None)

    def unsubscribe(self, subscription: Subscription) -> None:
        subscribers = self._subscribers.get(subscription.office)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscribers[subscription.office]

    @property
    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._subscribers.values())


def _instant(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
