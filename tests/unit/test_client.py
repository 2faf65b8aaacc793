"""Tests of producers.client.CounterClient against a fake Kafka: events, spool, retries."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest
from kafka.errors import KafkaTimeoutError
from prometheus_client import CollectorRegistry

from pantau.events import parse_event
from pantau.settings import ClientSettings
from producers.client import CounterClient, InvalidEvent
from producers.spool import Spool, SpoolFull

WIB = timezone(timedelta(hours=7))
NOW = datetime(2026, 11, 23, 8, 0, 0, 250000, tzinfo=WIB)


class FakeFuture:
    def __init__(self, error: Exception | None) -> None:
        self.error = error

    def get(self, timeout: float | None = None) -> None:
        if self.error is not None:
            raise self.error


class FakeKafka:
    """A broker that can be down, and can fail chosen sends once."""

    def __init__(self, up: bool = True) -> None:
        self.up = up
        self.log: list[tuple[str, bytes | None, bytes | None]] = []
        self.fail_sends: set[int] = set()  # indexes of send() calls that fail
        self.sends = 0
        self.producers = 0

    def factory(self) -> FakeProducer:
        if not self.up:
            raise KafkaTimeoutError("Unable to bootstrap from 127.0.0.1:1")
        self.producers += 1
        return FakeProducer(self)

    def payloads(self) -> list[dict[str, Any]]:
        return [orjson.loads(value or b"") for _, _, value in self.log]


class FakeProducer:
    def __init__(self, kafka: FakeKafka) -> None:
        self.kafka = kafka

    def send(self, topic: str, value: bytes | None = None, key: bytes | None = None) -> FakeFuture:
        k = self.kafka
        index, k.sends = k.sends, k.sends + 1
        if not k.up or index in k.fail_sends:
            return FakeFuture(KafkaTimeoutError("no acknowledgement"))
        k.log.append((topic, key, value))
        return FakeFuture(None)

    def flush(self, timeout: float | None = None) -> None:
        pass

    def close(self, timeout: float | None = None) -> None:
        pass


@pytest.fixture
def settings(tmp_path: Path) -> ClientSettings:
    return ClientSettings.model_validate(
        {"topic_prefix": "t", "spool_path": tmp_path / "spool.sqlite", "spool_max_events": 1000}
    )


@pytest.fixture
def make_client(settings: ClientSettings) -> Iterator[Callable[..., CounterClient]]:
    made: list[CounterClient] = []

    def make(kafka: FakeKafka, **kwargs: Any) -> CounterClient:
        kwargs.setdefault("office", "mpp-medan")
        kwargs.setdefault("clock", lambda: NOW)
        client = CounterClient(
            kwargs.pop("settings", settings), producer_factory=kafka.factory, **kwargs
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close(timeout=1)


@pytest.mark.parametrize(
    ("method", "args", "fields"),
    [
        ("issue_ticket", ("A001", "ktp-el"), {"type": "ticket.issued", "service": "ktp-el"}),
        ("call", ("A001", "loket-01"), {"type": "ticket.called", "counter": "loket-01"}),
        ("start", ("A001", "loket-01"), {"type": "service.started", "counter": "loket-01"}),
        ("complete", ("A001", "loket-01"), {"type": "service.completed", "counter": "loket-01"}),
        ("transfer", ("A001", "paspor"), {"type": "ticket.transferred", "to_service": "paspor"}),
        ("no_show", ("A001",), {"type": "ticket.no_show", "ticket": "A001"}),
        ("cancel", ("A001",), {"type": "ticket.cancelled", "ticket": "A001"}),
        ("open_counter", ("loket-02",), {"type": "counter.opened", "counter": "loket-02"}),
        ("pause_counter", ("loket-02",), {"type": "counter.paused"}),
        ("resume_counter", ("loket-02",), {"type": "counter.resumed"}),
        ("close_counter", ("loket-02",), {"type": "counter.closed"}),
        (
            "submit_feedback",
            ("ktp-el", {"u1": 4, "u9": 2}, "A001"),
            {"type": "feedback.submitted", "scores": {"u1": 4, "u9": 2}, "ticket": "A001"},
        ),
        ("submit_feedback", ("ktp-el", {"u3": 1}), {"type": "feedback.submitted"}),
    ],
)
def test_typed_methods_send_contract_events_keyed_by_office(
    make_client: Callable[..., CounterClient],
    method: str,
    args: tuple[Any, ...],
    fields: dict[str, Any],
) -> None:
    kafka = FakeKafka()
    client = make_client(kafka)
    event_id = getattr(client, method)(*args)
    assert client.flush(5)
    [(topic, key, value)] = kafka.log
    assert (topic, key) == ("t.events", b"mpp-medan")
    assert value is not None
    event = parse_event(value)  # the worker's parser accepts it
    sent = orjson.loads(value)
    assert event.event_id == event_id and len(event_id) == 36  # a UUID
    assert sent["occurred_at"] == "2026-11-23T08:00:00.250+07:00"
    assert sent["office"] == "mpp-medan"
    assert fields.items() <= sent.items()


def test_options_override_office_time_and_id(make_client: Callable[..., CounterClient]) -> None:
    kafka = FakeKafka()
    client = make_client(kafka)
    at = datetime(2026, 11, 23, 1, 2, 3, tzinfo=UTC)
    client.issue_ticket("B7", "paspor", office="samsat-medan", at=at, event_id="retry-1")
    client.flush(5)
    assert kafka.payloads()[0] == {
        "event_id": "retry-1", "type": "ticket.issued",
        "occurred_at": "2026-11-23T01:02:03.000+00:00", "office": "samsat-medan", "ticket": "B7",
        "service": "paspor",
    }  # fmt: skip
    assert kafka.log[0][1] == b"samsat-medan"


def test_the_default_clock_is_now_in_the_configured_zone(tmp_path: Path) -> None:
    kafka = FakeKafka()
    settings = ClientSettings.model_validate(
        {"spool_path": tmp_path / "s.sqlite", "timezone": "Asia/Jakarta"}
    )
    with CounterClient(settings, office="mpp-medan", producer_factory=kafka.factory) as client:
        client.open_counter("loket-01")
    stamp = kafka.payloads()[0]["occurred_at"]
    assert stamp.endswith("+07:00")
    sent_at = datetime.fromisoformat(stamp)
    assert abs((datetime.now(UTC) - sent_at).total_seconds()) < 60


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.issue_ticket("bad ticket!", "ktp-el"), "ticket"),
        (lambda c: c.issue_ticket("A1", "KTP"), "service"),
        (lambda c: c.call("A1", ""), "counter"),
        (lambda c: c.transfer("A1", "x" * 65), "to_service"),
        (lambda c: c.submit_feedback("ktp-el", {"u10": 3}), "scores.u10"),
        (lambda c: c.submit_feedback("ktp-el", {"u1": 5}), "scores.u1"),
        (lambda c: c.submit_feedback("ktp-el", {}), "scores"),
        (lambda c: c.cancel("A1", office="MPP"), "office"),
        (lambda c: c.cancel("A1", event_id="x" * 129), "event_id"),
        (lambda c: c.cancel("A1", at=datetime(2026, 11, 23, 8)), "occurred_at"),  # naive
        (lambda c: c.send({"type": "ticket.issued"}), "event_id"),
        # more than 5 minutes ahead of this machine's clock: the worker would reject it
        (lambda c: c.cancel("A1", at=datetime.now(UTC) + timedelta(minutes=6)), "occurred_at"),
        (lambda c: c.cancel("A1", at=datetime(2099, 1, 1, tzinfo=UTC)), "occurred_at"),
    ],
)
def test_invalid_input_names_the_field_and_sends_nothing(
    make_client: Callable[..., CounterClient], call: Callable[[CounterClient], Any], field: str
) -> None:
    kafka = FakeKafka()
    client = make_client(kafka)
    with pytest.raises(InvalidEvent) as caught:
        call(client)
    assert caught.value.field == field
    assert field in str(caught.value)
    assert client.stats.accepted == 0 and client.pending == 0
    assert client.flush(1) and kafka.log == []


def test_an_event_a_few_minutes_ahead_is_sent(make_client: Callable[..., CounterClient]) -> None:
    kafka = FakeKafka()
    client = make_client(kafka)
    client.cancel("A1", at=datetime.now(UTC) + timedelta(minutes=4))
    assert client.flush(5) and len(kafka.log) == 1


def test_a_client_without_office_says_so(make_client: Callable[..., CounterClient]) -> None:
    client = make_client(FakeKafka(), office=None)
    with pytest.raises(InvalidEvent, match="office"):
        client.open_counter("loket-01")


def test_broker_down_at_start_spools_then_sends_in_order(
    make_client: Callable[..., CounterClient],
) -> None:
    kafka = FakeKafka(up=False)
    client = make_client(kafka)
    ids = [client.issue_ticket(f"A{i:03d}", "ktp-el") for i in range(30)]
    assert not client.flush(0.5)
    assert client.pending == 30 and client.stats.retries >= 1 and kafka.producers == 0
    kafka.up = True
    assert client.flush(10)
    assert [p["event_id"] for p in kafka.payloads()] == ids
    stats = client.stats
    assert (stats.accepted, stats.sent, stats.pending) == (30, 30, 0)


def test_a_failed_send_is_sent_again_and_nothing_is_lost(
    make_client: Callable[..., CounterClient],
) -> None:
    kafka = FakeKafka()
    kafka.fail_sends = {3, 4}
    client = make_client(kafka)
    ids = client.send_many(
        [
            {"event_id": f"e{i}", "type": "counter.opened", "office": "mpp-medan",
             "occurred_at": "2026-11-23T08:00:00+07:00", "counter": f"loket-{i}"}
            for i in range(10)
        ]
    )  # fmt: skip
    assert client.flush(10)
    delivered = [p["event_id"] for p in kafka.payloads()]
    assert set(delivered) == set(ids) and len(delivered) == len(ids)
    assert delivered[-2:] == ["e3", "e4"]  # those acknowledged the first time are not re-sent
    assert client.stats.retries == 1 and kafka.producers == 2  # a fresh producer after failing


def test_the_spool_bound_warns_then_refuses(
    settings: ClientSettings,
    make_client: Callable[..., CounterClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    registry = CollectorRegistry()
    small = settings.model_copy(update={"spool_max_events": 10, "spool_warn_ratio": 0.8})
    client = make_client(FakeKafka(up=False), settings=small, registry=registry)
    caplog.set_level(logging.WARNING, "pantau.client")
    for i in range(7):
        client.open_counter(f"loket-{i}")
    assert client.stats.spool_warnings == 0
    client.open_counter("loket-7")  # 8 of 10
    assert client.stats.spool_warnings == 1
    assert "80% full" in caplog.text and "refused with SpoolFull" in caplog.text
    client.open_counter("loket-8")
    client.open_counter("loket-9")
    with pytest.raises(SpoolFull):
        client.open_counter("loket-10")
    stats = client.stats
    assert (stats.pending, stats.spool_full, stats.spool_warnings) == (10, 1, 1)

    def sample(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, labels)

    assert sample("pantau_client_events_total", result="spooled") == 10
    assert sample("pantau_client_events_total", result="refused") == 1
    assert sample("pantau_client_spool_warnings_total") == 1
    assert sample("pantau_client_spool_events") == 10


def test_metrics_count_sends(make_client: Callable[..., CounterClient]) -> None:
    registry = CollectorRegistry()
    client = make_client(FakeKafka(), registry=registry)
    for i in range(5):
        client.cancel(f"A{i}")
    client.flush(5)
    assert registry.get_sample_value("pantau_client_events_total", {"result": "sent"}) == 5
    assert registry.get_sample_value("pantau_client_spool_events") == 0


def test_close_leaves_unsent_events_for_the_next_client(
    settings: ClientSettings, make_client: Callable[..., CounterClient]
) -> None:
    kafka = FakeKafka(up=False)
    client = make_client(kafka)
    ids = [client.cancel(f"A{i}") for i in range(5)]
    assert client.close(timeout=0.3) is False
    with pytest.raises(RuntimeError, match="closed"):
        client.cancel("A9")
    kafka.up = True
    with CounterClient(settings, producer_factory=kafka.factory) as again:
        assert again.pending == 5
    assert [p["event_id"] for p in kafka.payloads()] == ids


def test_the_context_manager_sends_everything_on_exit(settings: ClientSettings) -> None:
    kafka = FakeKafka()
    with CounterClient(settings, office="mpp-medan", producer_factory=kafka.factory) as client:
        for i in range(50):
            client.issue_ticket(f"A{i}", "ktp-el")
    assert len(kafka.log) == 50 and client.pending == 0


CRASHING_CLIENT = textwrap.dedent(
    """
    import os, signal, sys
    from kafka.errors import KafkaTimeoutError
    from pantau.settings import ClientSettings
    from producers.client import CounterClient

    def unreachable():
        raise KafkaTimeoutError("down")

    settings = ClientSettings(spool_path=sys.argv[1])
    client = CounterClient(settings, office="mpp-medan", producer_factory=unreachable)
    for i in range(20):
        print(client.issue_ticket(f"A{i}", "ktp-el"), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_a_killed_client_leaves_every_accepted_event_in_the_spool(tmp_path: Path) -> None:
    path = tmp_path / "spool.sqlite"
    done = subprocess.run(
        [sys.executable, "-c", CRASHING_CLIENT, str(path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == -9
    accepted = done.stdout.split()
    assert len(accepted) == 20
    spool = Spool(path, 100)
    assert [e.event_id for e in spool.peek(100)] == accepted
