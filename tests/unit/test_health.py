"""The broker watch of /healthz and the log filter that keeps a broker outage readable."""

from __future__ import annotations

import logging

import pytest

from streams.health import BrokerWatch, OncePerInterval


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_lost_broker_is_logged_once_then_once_a_minute_then_when_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    watch = BrokerWatch([("127.0.0.1", 9092)], clock=clock)
    caplog.set_level(logging.WARNING, "pantau.worker")
    for _ in range(40):  # every 2 s for 80 s
        watch.note(False)
        clock.now += 2
    assert not watch.reachable and watch.unreachable_for() == 80
    watch.note(True)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3, lines
    assert "unreachable" in lines[0]
    assert "still unreachable after 60 s (31 failed checks)" in lines[1]
    assert "reachable again after 80 s" in lines[2]
    assert watch.reachable and watch.unreachable_for() == 0


def test_the_probe_tells_a_closed_port(free_tcp_port: int) -> None:
    import asyncio

    watch = BrokerWatch([("127.0.0.1", free_tcp_port)], timeout=1)
    assert asyncio.run(watch.probe()) is False
    assert not watch.reachable


def test_repeated_messages_pass_once_per_interval_with_a_count() -> None:
    clock = Clock()
    flt = OncePerInterval(60, clock)
    logger = logging.getLogger("test.flood")

    def record(msg: str) -> logging.LogRecord:
        return logger.makeRecord("aiokafka", logging.ERROR, "f", 1, msg, (1,), None)

    passed = []
    for _ in range(5600):  # a second of "Unable connect to node" lines
        r = record("Unable connect to node with id %s")
        if flt.filter(r):
            passed.append(r.getMessage())
    assert passed == ["Unable connect to node with id 1"]
    assert flt.filter(record("another message %s"))  # another kind of line passes
    clock.now += 60
    r = record("Unable connect to node with id %s")
    assert flt.filter(r)
    assert (
        r.getMessage() == "Unable connect to node with id 1 (and 5599 more like it since the last)"
    )
