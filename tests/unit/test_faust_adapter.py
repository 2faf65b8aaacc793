"""Every private part of Faust that `streams.faust_adapter` uses still exists, with its shape.

When an upgrade of faust-streaming, mode-streaming or aiokafka changes one of them, this
test fails and names it; otherwise the batch consumer could silently lose events.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from typing import Any

import aiokafka
import faust
import pytest
from aiokafka.structs import ConsumerRecord
from faust.transport import consumer as faust_consumer
from faust.transport.drivers import aiokafka as kafka_driver
from faust.types import TP
from faust.types import tuples as faust_tuples
from mode import threads as mode_threads
from mode.utils import futures as mode_futures

import streams.faust_adapter as adapter
from streams.faust_adapter import batch_consumer, seek_in_consumer_thread, seek_to_state
from streams.processor import Handled

VERSIONS = {"faust": "0.15.3"}


def test_the_pinned_versions() -> None:
    assert faust.__version__ == VERSIONS["faust"], "re-check every part below, then pin anew"
    assert aiokafka.__version__.startswith("0.")


def test_the_docstring_lists_what_this_test_checks() -> None:
    doc = adapter.__doc__ or ""
    for name in (*CONSUMER_METHODS, *CONSUMER_ATTRIBUTES, "_stopped", "CONSUMER_FETCHING",
                 "ack_lock", "notify", "consumer_generation_id", "flow_control",
                 "wait_until_ebb", "track_tp_end_offset", "acks_enabled_for"):  # fmt: skip
        assert f"`{name}" in doc or f"{name}`" in doc or name in doc, name


CONSUMER_METHODS = {
    # name: parameters after self
    "_drain_messages": ["fetcher"],
    "perform_seek": [],
    "_wait_next_records": ["timeout"],
    "_add_gap": ["tp", "offset_from", "offset_to"],
    "_to_message": ["tp", "record"],
    "seek": ["partition", "offset"],
    "_seek": ["partition", "offset"],
    "assignment": [],
    "highwater": ["tp"],
    "commit": ["topics", "start_new_transaction"],
    "seek_wait": ["partitions"],
}


@pytest.mark.parametrize(("name", "params"), CONSUMER_METHODS.items())
def test_consumer_methods(name: str, params: list[str]) -> None:
    method = getattr(kafka_driver.Consumer, name)
    got = list(inspect.signature(method).parameters)[1:]
    assert got[: len(params)] == params, f"Consumer.{name}{inspect.signature(method)}"


@pytest.mark.parametrize(
    "name", ["_drain_messages", "perform_seek", "_wait_next_records", "seek", "_seek"]
)
def test_coroutines_stay_coroutines(name: str) -> None:
    assert inspect.iscoroutinefunction(getattr(kafka_driver.Consumer, name)), name


CONSUMER_ATTRIBUTES = (
    "_stopped", "diag", "flow_active", "_buffered_partitions", "_committed_offset", "_acked",
    "_acked_index", "_n_acked", "_commit_every", "_waiting_for_ack", "_read_offset",
    "callback", "suspend_flow", "consumer_stopped_errors", "should_stop",
)  # fmt: skip


def test_consumer_attributes_after_construction() -> None:
    app = faust.App("adapter-test", broker="kafka://127.0.0.1:1", store="memory://")
    consumer = kafka_driver.Consumer(
        app.transport,
        callback=lambda m: None,
        on_partitions_revoked=None,
        on_partitions_assigned=None,
    )  # type: ignore[arg-type]
    c: Any = consumer
    for name in CONSUMER_ATTRIBUTES:
        assert hasattr(c, name), name
    assert callable(c.diag.set_flag) and callable(c.diag.unset_flag)
    tp = TP("t", 0)
    assert c._committed_offset[tp] is None and c._read_offset[tp] is None  # defaultdicts
    assert isinstance(c._acked[tp], list) and isinstance(c._acked_index[tp], set)
    assert isinstance(c._n_acked, int)
    assert isinstance(c.consumer_stopped_errors, tuple)
    assert isinstance(c._waiting_for_ack, asyncio.Future | None)
    assert isinstance(c._thread, kafka_driver.AIOKafkaConsumerThread)
    assert isinstance(c._thread, mode_threads.QueueServiceThread)


def test_the_consumer_thread_seeks_synchronously_with_aiokafka() -> None:
    # Faust's Consumer._seek calls this from the caller's thread; ours runs it in the
    # consumer thread, so it must stay a plain call of aiokafka's (synchronous) seek.
    seek = kafka_driver.AIOKafkaConsumerThread.seek
    assert not inspect.iscoroutinefunction(seek)
    assert list(inspect.signature(seek).parameters)[1:] == ["partition", "offset"]
    assert "self._ensure_consumer().seek(partition, offset)" in inspect.getsource(seek)
    assert not inspect.iscoroutinefunction(aiokafka.AIOKafkaConsumer.seek)
    call_thread = mode_threads.QueueServiceThread.call_thread
    assert list(inspect.signature(call_thread).parameters)[1:3] == ["fun", "args"]


def test_module_level_parts() -> None:
    assert isinstance(faust_consumer.CONSUMER_FETCHING, str)
    with faust_tuples.ack_lock:
        pass
    assert callable(mode_futures.notify)
    assert set(ConsumerRecord.__dataclass_fields__) >= {
        "partition", "offset", "timestamp", "key", "value",
    }  # fmt: skip


def test_app_parts() -> None:
    app = faust.App("adapter-test-app", broker="kafka://127.0.0.1:1", store="memory://")
    assert hasattr(app, "consumer_generation_id")
    assert callable(app.flow_control.acquire) and callable(app.flow_control.is_active)
    assert callable(app.monitor.track_tp_end_offset)
    assert callable(app.topics.acks_enabled_for)
    assert hasattr(app.producer.buffer, "wait_until_ebb")


def test_the_consumer_class_overrides_the_fetch_loop_and_the_seek() -> None:
    cls = batch_consumer("t.events", lambda batch: Handled(()), lambda p: None)
    assert issubclass(cls, kafka_driver.Consumer)
    assert cls._drain_messages is not kafka_driver.Consumer._drain_messages
    assert cls.perform_seek is not kafka_driver.Consumer.perform_seek
    assert cls.seek_wait is not kafka_driver.Consumer.seek_wait
    assert cls._seek is not kafka_driver.Consumer._seek


class SeekingThread(mode_threads.QueueServiceThread):
    """A real mode service thread that notes in which thread each seek ran."""

    def __init__(self) -> None:
        super().__init__()
        self.seeks: list[tuple[TP, int, int]] = []

    def seek(self, partition: TP, offset: int) -> None:
        self.seeks.append((partition, offset, threading.get_ident()))


def test_a_seek_runs_in_the_consumer_thread_not_the_callers() -> None:
    # aiokafka's fetcher hands out prefetched records in the consumer thread and its seek
    # drops them: called from the app's thread it raced the fetcher (KeyError, crash).
    async def main() -> tuple[list[tuple[TP, int, int]], int | None]:
        thread = SeekingThread()
        await thread.start()
        try:
            consumer = type("C", (), {"_thread": thread})()
            await seek_in_consumer_thread(consumer, TP("t.events", 3), 42)
            return thread.seeks, thread._thread.ident if thread._thread else None
        finally:
            await thread.stop()

    seeks, consumer_thread = asyncio.run(main())
    assert len(seeks) == 1
    tp, offset, ran_in = seeks[0]
    assert (tp, offset) == (TP("t.events", 3), 42)
    assert ran_in == consumer_thread
    assert ran_in != threading.get_ident()


class FakeConsumer:
    def __init__(self, assigned: set[TP]) -> None:
        self.assigned = assigned
        self.sought: list[tuple[TP, int]] = []

    def assignment(self) -> set[TP]:
        return self.assigned

    async def seek(self, tp: TP, offset: int) -> None:
        self.sought.append((tp, offset))


def test_seek_to_state_moves_only_assigned_events_partitions_with_state() -> None:
    tps = [TP("t.events", 0), TP("t.events", 1), TP("t.events", 2), TP("other", 0)]
    consumer = FakeConsumer({tps[0], tps[1], tps[3]})
    state = {0: 0, 1: 42}  # partition 2 is not assigned; `other` is not the events topic
    asyncio.run(seek_to_state(consumer, "t.events", tps, state.get))
    assert consumer.sought == [(tps[0], 0), (tps[1], 42)]


class AckingConsumer:
    """What `_ack` touches of a consumer."""

    def __init__(self, assigned: set[TP]) -> None:
        from collections import defaultdict

        self.assigned = assigned
        self._committed_offset: dict[TP, int | None] = defaultdict(lambda: None)
        self._acked: dict[TP, list[int]] = defaultdict(list)
        self._acked_index: dict[TP, set[int]] = defaultdict(set)
        self._n_acked = 0
        self._waiting_for_ack = None
        self.app = type(
            "App",
            (),
            {"topics": type("T", (), {"acks_enabled_for": staticmethod(lambda t: True)})()},
        )()

    def assignment(self) -> set[TP]:
        return self.assigned


def test_offsets_are_acknowledged_only_once_their_changelog_sends_are_done() -> None:
    async def scenario() -> None:
        tp, gone = TP("t.events", 0), TP("t.events", 1)
        c = AckingConsumer({tp})
        loop = asyncio.get_running_loop()
        first, second = loop.create_future(), loop.create_future()
        acks = adapter._Acks()
        acks.add({tp: [0, 1]}, [first])
        acks.add({tp: [2], gone: [7]}, [second])
        acks.release(c)
        assert c._acked[tp] == []  # nothing durable yet
        second.set_result(None)
        acks.release(c)
        assert c._acked[tp] == []  # in order: the first batch is not durable yet
        first.set_result(None)
        acks.release(c)
        assert c._acked[tp] == [0, 1, 2] and c._n_acked == 3
        assert c._acked[gone] == []  # revoked meanwhile: not acknowledged
        failed = loop.create_future()
        failed.set_exception(RuntimeError("broker refused"))
        acks.add({tp: [3]}, [failed])
        acks.release(c)
        assert c._acked[tp] == [0, 1, 2]  # a failed send acknowledges nothing

    asyncio.run(scenario())


def test_recovery_seeks_never_pass_faust_a_negative_or_missing_offset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under churn Faust's recovery asked for -2 and for None; either crashed the worker."""
    seen: dict[TP, int] = {}

    async def record(self: Any, partitions: dict[TP, int]) -> None:
        seen.update(partitions)

    monkeypatch.setattr(kafka_driver.Consumer, "seek_wait", record)
    cls = batch_consumer("t", lambda batch: Handled(set(), []), lambda p: None)
    a, b, c = TP("t-changelog", 0), TP("t-changelog", 1), TP("t-changelog", 2)
    asyncio.run(cls.seek_wait(object.__new__(cls), {a: -2, b: None, c: 17}))  # type: ignore[dict-item]
    assert seen == {a: 0, b: 0, c: 17}


@pytest.mark.parametrize("name", ["_on_sigterm", "_on_sigint"])
def test_the_worker_signal_handlers_exist_and_are_extended(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from faust.worker import Worker

    assert list(inspect.signature(getattr(Worker, name)).parameters) == ["self"]
    calls: list[str] = []
    monkeypatch.setattr(Worker, name, lambda self: calls.append("mode"))
    monkeypatch.setattr(adapter, "_arm_deadline", lambda deadline: calls.append(f"arm {deadline}"))
    cls = adapter.bounded_worker(7.0)
    getattr(cls, name)(object.__new__(cls))
    assert calls == ["arm 7.0", "mode"]


def test_a_stop_that_hangs_ends_at_the_deadline_with_status_0() -> None:
    import subprocess
    import sys
    import time

    code = (
        "import logging, time; logging.basicConfig();"
        "from streams.faust_adapter import _arm_deadline; _arm_deadline(0.5); time.sleep(30)"
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and time.monotonic() - started < 25
    assert "stop did not finish within 0.5 s; exiting now" in done.stderr
