"""CounterClient: typed, validated events from a counter system to Kafka, via a durable spool."""

from __future__ import annotations

import logging
import threading
import time
import uuid
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypedDict, Unpack

import orjson
from kafka.errors import KafkaError
from prometheus_client import CollectorRegistry, Counter, Gauge

from pantau.events import MalformedEvent, future_reason, parse_event_obj
from pantau.settings import ClientSettings

from .broker import Producer, close_producer, kafka_producer
from .spool import Spool, SpooledEvent, SpoolFull

__all__ = ["ClientStats", "CounterClient", "EventOptions", "InvalidEvent", "SpoolFull"]

log = logging.getLogger("pantau.client")

_BATCH = 500  # events read from the spool and sent per round
MAX_EVENT_BYTES = 900_000  # under Kafka's default 1 MB message limit
_BACKOFF_START, _BACKOFF_MAX = 0.2, 5.0


class EventOptions(TypedDict, total=False):
    """Keyword options of every typed method."""

    office: str  # instead of the client's office
    at: datetime  # occurred_at, instead of the clock's now (must be aware)
    event_id: str  # instead of a new UUID (keep it when re-sending the same event)


class InvalidEvent(ValueError):
    """The event would break the contract; nothing was spooled or sent."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors
        self.field, self.reason = errors[0]

    def __str__(self) -> str:
        return "invalid event: " + "; ".join(
            f"{field}: {reason}" if field else reason for field, reason in self.errors
        )


@dataclass(frozen=True, slots=True)
class ClientStats:
    """What a CounterClient has done since it was created."""

    accepted: int  # events written to the spool
    sent: int  # events Kafka acknowledged
    retries: int  # connection or send attempts that failed and will be tried again
    pending: int  # events in the spool now, not yet acknowledged
    spool_full: int  # events refused because the spool was full
    spool_warnings: int  # times the spool crossed its warning level


class _Metrics:
    """The client's counters, optionally mirrored into a Prometheus registry."""

    def __init__(self, registry: CollectorRegistry | None) -> None:
        self.accepted = self.sent = self.retries = self.spool_full = self.spool_warnings = 0
        self._prom: dict[str, Any] = {}
        if registry is not None:
            events = Counter(
                "pantau_client_events",
                "Events by what happened to them.",
                ["result"],
                registry=registry,
            )
            self._prom = {
                "accepted": events.labels("spooled"),
                "sent": events.labels("sent"),
                "spool_full": events.labels("refused"),
                "retries": Counter(
                    "pantau_client_retries", "Failed send attempts.", registry=registry
                ),
                "spool_warnings": Counter(
                    "pantau_client_spool_warnings",
                    "Times the spool crossed its warning level.",
                    registry=registry,
                ),
            }
            self.pending_gauge: Gauge | None = Gauge(
                "pantau_client_spool_events", "Events in the spool.", registry=registry
            )
        else:
            self.pending_gauge = None

    def add(self, name: str, n: int = 1) -> None:
        setattr(self, name, getattr(self, name) + n)
        if name in self._prom:
            self._prom[name].inc(n)


class CounterClient:
    """Sends the events of one counter system (queue kiosk, loket app) to `<prefix>.events`.

    Every event is validated against the contract, then written to the spool (an SQLite
    file) before the call returns; a background thread sends the spool to Kafka in order
    (acks=all, idempotent, keyed by office) and deletes events only once Kafka acknowledged
    them. While the broker is unreachable events stay in the spool and are sent once it is
    back; a crash may send an event twice (same event_id, which the pipeline counts as a
    duplicate) but never loses one. When the spool holds `spool_max_events`, new events are
    refused with SpoolFull: the caller decides, nothing spooled is dropped.
    """

    def __init__(
        self,
        settings: ClientSettings | None = None,
        *,
        office: str | None = None,
        clock: Callable[[], datetime] | None = None,
        producer_factory: Callable[[], Producer] | None = None,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self.settings = settings or ClientSettings.model_validate({})
        self.office = office
        self.topic = self.settings.events_topic
        tz = zoneinfo.ZoneInfo(self.settings.timezone)
        self._clock = clock or (lambda: datetime.now(tz))
        self._factory = producer_factory or self._kafka_producer
        self._spool = Spool(self.settings.spool_path, self.settings.spool_max_events)
        self._warn_at = max(1, int(self.settings.spool_max_events * self.settings.spool_warn_ratio))
        self._warned = False
        self._metrics = _Metrics(registry)
        self._update_gauge()
        self._producer: Producer | None = None
        self._wake = threading.Event()  # new events, or closing
        self._stop = threading.Event()
        self._drained = threading.Condition()
        self._close_by = float("inf")  # monotonic deadline for the last sends on close
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="pantau-client-sender", daemon=True)
        self._thread.start()

    # -- typed events ----------------------------------------------------------------------

    def issue_ticket(self, ticket: str, service: str, **opts: Unpack[EventOptions]) -> str:
        """A citizen took queue number `ticket` for `service`; returns the event id."""
        return self._emit("ticket.issued", {"ticket": ticket, "service": service}, **opts)

    def call(self, ticket: str, counter: str, **opts: Unpack[EventOptions]) -> str:
        """The ticket was called to a counter (again: a recall)."""
        return self._emit("ticket.called", {"ticket": ticket, "counter": counter}, **opts)

    def start(self, ticket: str, counter: str, **opts: Unpack[EventOptions]) -> str:
        """Serving started at the counter."""
        return self._emit("service.started", {"ticket": ticket, "counter": counter}, **opts)

    def complete(self, ticket: str, counter: str, **opts: Unpack[EventOptions]) -> str:
        """Serving ended: the visit is closed as served."""
        return self._emit("service.completed", {"ticket": ticket, "counter": counter}, **opts)

    def transfer(self, ticket: str, to_service: str, **opts: Unpack[EventOptions]) -> str:
        """The ticket moves to the queue of `to_service`."""
        return self._emit(
            "ticket.transferred", {"ticket": ticket, "to_service": to_service}, **opts
        )

    def no_show(self, ticket: str, **opts: Unpack[EventOptions]) -> str:
        """The ticket was called, or was waiting, but the citizen did not come."""
        return self._emit("ticket.no_show", {"ticket": ticket}, **opts)

    def cancel(self, ticket: str, **opts: Unpack[EventOptions]) -> str:
        """The citizen left before being served."""
        return self._emit("ticket.cancelled", {"ticket": ticket}, **opts)

    def open_counter(self, counter: str, **opts: Unpack[EventOptions]) -> str:
        return self._emit("counter.opened", {"counter": counter}, **opts)

    def pause_counter(self, counter: str, **opts: Unpack[EventOptions]) -> str:
        return self._emit("counter.paused", {"counter": counter}, **opts)

    def resume_counter(self, counter: str, **opts: Unpack[EventOptions]) -> str:
        return self._emit("counter.resumed", {"counter": counter}, **opts)

    def close_counter(self, counter: str, **opts: Unpack[EventOptions]) -> str:
        return self._emit("counter.closed", {"counter": counter}, **opts)

    def submit_feedback(
        self,
        service: str,
        scores: Mapping[str, int],
        ticket: str | None = None,
        **opts: Unpack[EventOptions],
    ) -> str:
        """SKM answers (u1..u9, 1 to 4 each) for a service, about a ticket if given."""
        fields: dict[str, Any] = {"service": service, "scores": dict(scores)}
        if ticket is not None:
            fields["ticket"] = ticket
        return self._emit("feedback.submitted", fields, **opts)

    # -- whole events ----------------------------------------------------------------------

    def send(self, event: Mapping[str, Any]) -> str:
        """Spool one complete contract event (a dict as on the wire); returns its event id."""
        return self.send_many([event])[0]

    def send_many(self, events: Iterable[Mapping[str, Any]]) -> list[str]:
        """Validate every event, then spool them in one transaction (all or none)."""
        rows = [self._row(dict(event)) for event in events]
        if not rows:
            return []
        if self._closed:
            raise RuntimeError("the client is closed")
        try:
            self._spool.append_many(rows)
        except SpoolFull:
            self._metrics.add("spool_full", len(rows))
            log.warning("spool %s is full: %d event(s) refused", self._spool.path, len(rows))
            raise
        self._metrics.add("accepted", len(rows))
        self._update_gauge()
        self._check_level()
        self._wake.set()
        return [event_id for event_id, _, _ in rows]

    # -- delivery --------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """Events in the spool, not yet acknowledged by Kafka."""
        return len(self._spool)

    @property
    def stats(self) -> ClientStats:
        m = self._metrics
        return ClientStats(
            m.accepted, m.sent, m.retries, len(self._spool), m.spool_full, m.spool_warnings
        )

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until Kafka acknowledged every spooled event; False if `timeout` passed first.

        Events left when it returns False stay in the spool and are still being sent.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        self._wake.set()
        with self._drained:
            while len(self._spool) > 0 and self._thread.is_alive():
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._drained.wait(0.5 if left is None else min(left, 0.5))
        return len(self._spool) == 0

    def close(self, timeout: float | None = 10.0) -> bool:
        """Send what is spooled for up to `timeout` seconds, then stop; True if all was sent.

        Whatever is left stays in the spool file and is sent by the next client on it.
        """
        if self._closed:
            return len(self._spool) == 0
        self._closed = True
        self._close_by = time.monotonic() + (timeout if timeout is not None else float("inf"))
        self._wake.set()
        self._stop.set()
        self._thread.join()
        if self._producer is not None:
            self._close_producer()
        drained = len(self._spool) == 0
        if not drained:
            log.warning(
                "%d event(s) left in the spool %s; they are sent when a client opens it again",
                len(self._spool),
                self._spool.path,
            )
        self._spool.close()
        return drained

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- internals -------------------------------------------------------------------------

    def _emit(
        self,
        type_: str,
        fields: dict[str, Any],
        *,
        office: str | None = None,
        at: datetime | None = None,
        event_id: str | None = None,
    ) -> str:
        office = office or self.office
        if office is None:
            raise InvalidEvent([("office", "required: pass office= here or to CounterClient")])
        when = at if at is not None else self._clock()
        if when.tzinfo is None or when.utcoffset() is None:
            raise InvalidEvent([("occurred_at", "the clock must give aware datetimes")])
        event = {
            "event_id": event_id or str(uuid.uuid4()),
            "type": type_,
            "occurred_at": when.isoformat(timespec="milliseconds"),
            "office": office,
            **fields,
        }
        return self.send(event)

    def _row(self, event: dict[str, Any]) -> tuple[str, str, bytes]:
        try:
            parsed = parse_event_obj(event)
        except MalformedEvent as exc:
            raise InvalidEvent(exc.errors) from None
        # The worker would reject it as `future` (CONTRACT §4 step 0): tell the caller now.
        too_early = future_reason(parsed, time.time(), "this machine's clock")
        if too_early is not None:
            raise InvalidEvent([("occurred_at", too_early)])
        try:
            payload = orjson.dumps(event)
        except TypeError as exc:
            raise InvalidEvent([("", f"not JSON-serialisable: {exc}")]) from None
        if len(payload) > MAX_EVENT_BYTES:  # Kafka would refuse it on every retry
            raise InvalidEvent([("", f"larger than {MAX_EVENT_BYTES} bytes as JSON")])
        return parsed.event_id, parsed.office, payload

    def _check_level(self) -> None:
        level = len(self._spool)
        if level >= self._warn_at and not self._warned:
            self._warned = True
            self._metrics.add("spool_warnings")
            log.warning(
                "spool %s is %d%% full (%d of %d events); past %d new events are refused "
                "with SpoolFull",
                self._spool.path,
                100 * level // self._spool.max_events,
                level,
                self._spool.max_events,
                self._spool.max_events,
            )
        elif level < self._warn_at:
            self._warned = False

    def _update_gauge(self) -> None:
        if self._metrics.pending_gauge is not None:
            self._metrics.pending_gauge.set(len(self._spool))

    def _kafka_producer(self) -> Producer:
        s = self.settings
        return kafka_producer(s, s.client_id, s.send_timeout)

    def _run(self) -> None:
        backoff = _BACKOFF_START
        while True:
            rows = self._spool.peek(_BATCH)
            if not rows:
                if self._closed:
                    return
                self._wake.wait(1.0)
                self._wake.clear()
                continue
            if self._closed and time.monotonic() >= self._close_by:
                return
            try:
                delivered = self._deliver(rows)
            except Exception:  # keep the sender alive whatever happens (a full disk, a bug)
                log.exception("unexpected error while sending the spool")
                self._close_producer()
                delivered = False
            if delivered:
                backoff = _BACKOFF_START
                continue
            self._metrics.add("retries")
            wait = min(backoff, max(0.0, self._close_by - time.monotonic()))
            if self._closed:
                time.sleep(wait)
            else:
                self._stop.wait(wait)  # close() cuts the wait short
            backoff = min(backoff * 2, _BACKOFF_MAX)

    def _deliver(self, rows: list[SpooledEvent]) -> bool:
        """Send rows in order; delete those acknowledged. True if all were."""
        if self._producer is None:
            try:
                self._producer = self._factory()
            except (KafkaError, OSError) as exc:
                log.info("Kafka unreachable (%s); %d event(s) spooled", exc, len(self._spool))
                return False
        producer = self._producer
        acked: list[int] = []
        failed: Exception | None = None
        try:
            futures = [
                (row.seq, producer.send(self.topic, value=row.payload, key=row.office.encode()))
                for row in rows
            ]
            producer.flush(self.settings.send_timeout + 5)
            for seq, future in futures:
                try:
                    future.get(timeout=0)
                    acked.append(seq)
                except (KafkaError, OSError) as exc:  # keep checking: delete all that landed
                    failed = failed or exc
        except (KafkaError, OSError) as exc:
            failed = exc
        if acked:
            self._spool.delete(acked)
            self._metrics.add("sent", len(acked))
            self._update_gauge()
            self._check_level()
            with self._drained:
                self._drained.notify_all()
        if failed is not None:
            log.info("send failed (%s); %d event(s) stay spooled", failed, len(self._spool))
            self._close_producer()  # a fresh producer after a failure: new idempotence epoch
            return False
        return True

    def _close_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            close_producer(producer, 1.0, later=self.settings.send_timeout + 10)
