"""The one adapter to Faust's private parts: the events topic a whole fetch at a time, read
from where the durable state ends.

Faust hands every message to its stream on its own (a message object, two asyncio tasks,
a channel queue, a stream iteration and an ack), which costs several times what the
lifecycle core does with the message. So this consumer's drain loop (Faust's own, with the
events topic diverted) gives each fetched batch of the events topic to a plain function;
every other topic still goes through the conductor.

Exact numbers through rebalances, restarts and shutdowns rest on three rules:

1. **The read position comes from the state.** Whenever Faust positions the consumer
   (`perform_seek`, after every rebalance's recovery and whenever flow was stopped), each
   events partition the worker has state for is sought to the first offset that state does
   not cover. A batch dropped for any reason is followed by the same seek, so it is read
   again; the state skips by offset what it already applied. Faust's read offsets are not
   used for the events topic, so a stale read can never skip records fetched again.
2. **Nothing is acknowledged before it is durable.** A batch's offsets are acknowledged
   (and so become committable) only once the broker acknowledged the changelog records
   that cover them, and only for partitions the processor applied. Committed offsets then
   serve lag monitoring; correctness does not depend on them.
3. **Shutdown is quiet, and bounded.** A cancelled drain loop returns while the app
   stops, as Faust's own loop does; the batch in hand is finished or dropped, never half
   acknowledged. A stop that hangs (seen under churn: a consumer that lost its group
   coordinator for good never finishes leaving the group) ends after a deadline with a
   hard exit, which rule 1 makes as safe as a crash.

Private parts of faust-streaming 0.15.3 and mode-streaming used here, each checked by
`tests/unit/test_faust_adapter.py` so that an upgrade fails there, not in production:

- `faust.transport.drivers.aiokafka.Consumer`, subclassed: `_drain_messages(fetcher)`
  (the fetch loop, replaced), `perform_seek()` (extended), `_seek(partition, offset)` (run
  in the consumer thread) and `seek_wait(partitions)` (negative offsets from Faust's
  recovery clamped to 0);
- its consumer thread `_thread` (a mode `QueueServiceThread`): `call_thread(fun, *args)` and
  `seek(partition, offset)`, aiokafka's own seek;
- its attributes `_stopped`, `diag` (`set_flag`, `unset_flag`), `_wait_next_records(timeout)`
  returning `(records by TP, active TPs or None)`, `flow_active`, `_buffered_partitions`,
  `_committed_offset`, `_acked`, `_acked_index`, `_n_acked`, `_commit_every`,
  `_waiting_for_ack`, `_read_offset`, `_add_gap`, `_to_message`, `callback`, `suspend_flow`,
  `consumer_stopped_errors`, `should_stop`, `seek`, `assignment`, `highwater`;
- the fetcher service's `_stopped`; `faust.transport.consumer.CONSUMER_FETCHING`;
  `faust.types.tuples.ack_lock`; `mode.utils.futures.notify`;
- the app's `consumer_generation_id`, `flow_control`, `producer.buffer.wait_until_ebb()`,
  `monitor.track_tp_end_offset`, `topics.acks_enabled_for`, `should_stop`;
- aiokafka's `ConsumerRecord` fields `partition`, `offset`, `timestamp` (ms), `key`, `value`;
- mode's `Worker._on_sigterm()` and `Worker._on_sigint()` (the signal handlers, extended).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from faust.transport.consumer import CONSUMER_FETCHING
from faust.transport.drivers import aiokafka as kafka_driver
from faust.types import TP
from faust.types.tuples import ack_lock
from faust.worker import Worker
from mode import ServiceT
from mode.utils.futures import notify

from streams.processor import Handled, Incoming

log = logging.getLogger(__name__)

BatchHandler = Callable[[Sequence[Incoming]], Handled]
# The first offset of a partition its state does not cover, or None if there is no state.
ResumeAt = Callable[[int], int | None]


def batch_consumer(
    topic: str, handler: BatchHandler, resume_at: ResumeAt, hold_first: float = 0.0
) -> type[kafka_driver.Consumer]:
    """A consumer class that gives `topic`'s records to `handler`, one fetch at a time.

    `hold_first` (tests only) holds the first batch that long before it is handled.
    """

    class BatchConsumer(kafka_driver.Consumer):
        async def _drain_messages(self, fetcher: ServiceT) -> None:  # pragma: no cover
            await _drain(self, fetcher, topic, handler, resume_at, hold_first)

        async def perform_seek(self) -> None:
            await super().perform_seek()  # other topics: the committed offsets
            await seek_to_state(self, topic, self.assignment(), resume_at)

        async def _seek(self, partition: TP, offset: int) -> None:
            await seek_in_consumer_thread(self, partition, offset)

        async def seek_wait(self, partitions: Mapping[TP, int]) -> None:
            # Faust's recovery can ask for offset -2, or None, for a changelog partition
            # whose offsets it did not learn (both seen under churn, each crashing the
            # worker); reading such a partition from its start is right, only slower.
            await super().seek_wait({tp: max(offset or 0, 0) for tp, offset in partitions.items()})

    return BatchConsumer


async def seek_in_consumer_thread(consumer: Any, partition: TP, offset: int) -> None:
    """Seek where aiokafka's fetcher runs, in the consumer thread.

    Faust's `Consumer.seek` calls aiokafka's from the caller's thread. That seek drops the
    partition's prefetched records, which the fetcher may be handing out in the consumer
    thread at that moment: under churn it died there with a KeyError, and the worker with
    it. Faust's own `seek_wait` already runs in the consumer thread.
    """
    thread = consumer._thread
    await thread.call_thread(thread.seek, partition, offset)


async def seek_to_state(
    consumer: Any, topic: str, tps: Collection[TP], resume_at: ResumeAt
) -> None:
    """Seek each assigned events partition with state to where its state ends."""
    assigned = consumer.assignment()
    for tp in tps:
        if tp.topic != topic or tp not in assigned:
            continue
        offset = resume_at(tp.partition)
        if offset is None:
            continue
        try:
            await consumer.seek(tp, offset)
        except Exception as exc:  # revoked meanwhile: the next assignment seeks again
            consumer.log.warning(f"could not seek {tp} to {offset}: {exc!r}")


@dataclass
class _Acks:
    """Batches applied but not yet durable: their offsets wait for their changelog sends."""

    waiting: deque[tuple[dict[TP, list[int]], Sequence[asyncio.Future[Any]]]] = field(
        default_factory=deque
    )

    def add(self, offsets: dict[TP, list[int]], durable: Sequence[asyncio.Future[Any]]) -> None:
        if offsets:
            self.waiting.append((offsets, durable))

    def release(self, c: Any) -> None:
        """Acknowledge, in order, the batches whose changelog records the broker took."""
        while self.waiting:
            offsets, durable = self.waiting[0]
            if not all(f.done() for f in durable):
                return
            self.waiting.popleft()
            if any(f.cancelled() or f.exception() is not None for f in durable):
                continue  # not durable: the state is re-read from the events topic later
            _ack(c, offsets)


async def _drain(
    consumer: kafka_driver.Consumer,
    fetcher: ServiceT,
    topic: str,
    handler: BatchHandler,
    resume_at: ResumeAt,
    hold_first: float = 0.0,
) -> None:
    c = cast(Any, consumer)  # Faust's bookkeeping is private and untyped
    app = consumer.app
    consumer_should_stop = c._stopped.is_set
    fetcher_should_stop = cast(Any, fetcher)._stopped.is_set
    set_flag, unset_flag = c.diag.set_flag, c.diag.unset_flag
    acks = _Acks()

    async def read_again(records: dict[TP, list[Any]], why: str) -> None:
        # A dropped fetch: the events partitions with state go back to where it ends; the
        # others (events partitions not loaded yet, changelogs during recovery) to the
        # first record dropped, as the state skips what it already applied.
        stateless = {
            tp: rs
            for tp, rs in records.items()
            if tp.topic != topic or resume_at(tp.partition) is None
        }
        await seek_to_state(c, topic, records, resume_at)
        await _rewind(c, stateless)
        dropped = {tp.partition: (rs[0].offset, rs[-1].offset) for tp, rs in records.items()
                   if tp.topic == topic and rs}  # fmt: skip
        if dropped:
            c.log.warning(f"events fetch dropped ({why}), read again: {dropped}")

    try:
        while not (consumer_should_stop() or fetcher_should_stop()):
            set_flag(CONSUMER_FETCHING)
            await consumer.sleep(0)
            if consumer.should_stop:
                break
            generation = app.consumer_generation_id
            records, active = await c._wait_next_records(1.0)
            acks.release(c)
            if records is None or consumer.should_stop:
                continue
            if not c.flow_active:
                try:  # as Consumer.getmany; ours also seeks the events partitions to the state
                    await c.perform_seek()
                except Exception as exc:
                    c.log.warning(f"exception performing seek when flow not active {exc}")
                continue
            await app.flow_control.acquire()
            await app.producer.buffer.wait_until_ebb()
            if not app.flow_control.is_active() or app.consumer_generation_id != generation:
                await read_again(records, "a rebalance came between the fetch and now")
                continue
            events: dict[TP, list[Any]] = {}
            for tp, tp_records in records.items():
                if active is not None and tp not in active and tp not in c._buffered_partitions:
                    await read_again({tp: tp_records}, "partition not active")
                elif tp.topic == topic:
                    events[tp] = tp_records
                else:
                    await _deliver_one_by_one(c, tp, tp_records)
            if events:
                if hold_first:
                    await asyncio.sleep(hold_first)
                    hold_first = 0.0
                if app.consumer_generation_id != generation:  # changed during the awaits
                    c.log.warning(
                        "a rebalance came while a batch was in hand (generation %s, now %s): "
                        "its partitions are read again from their state",
                        generation, app.consumer_generation_id,
                    )  # fmt: skip
                    await read_again(events, "the generation changed during the awaits")
                    continue
                handled = handler([record for rs in events.values() for record in rs])
                applied = set(handled.partitions)
                skipped = {tp: rs for tp, rs in events.items() if tp.partition not in applied}
                if skipped:  # not the processor's (revoked meanwhile): back, in case it is ours
                    await read_again(skipped, "partition not owned by the processor")
                acks.add(
                    {
                        tp: [record.offset for record in rs]
                        for tp, rs in events.items()
                        if tp.partition in applied
                    },
                    handled.durable,
                )
                for tp in events:
                    app.monitor.track_tp_end_offset(tp, c.highwater(tp))
                acks.release(c)
            commit_every = c._commit_every
            if commit_every is not None and c._n_acked >= commit_every:
                c._n_acked = 0
                await consumer.commit()
            unset_flag(CONSUMER_FETCHING)
    except c.consumer_stopped_errors:
        if app.should_stop:
            return
        raise
    except asyncio.CancelledError:
        if app.should_stop:  # SIGTERM: the worker stops; Faust's own loop returns too
            return
        raise
    finally:
        unset_flag(CONSUMER_FETCHING)


async def _rewind(c: Any, records: dict[TP, list[Any]]) -> None:
    """Fetch dropped records of other topics again: back to the first of them (or the
    commit, if lower; aiokafka's own seek skips partitions with no commit)."""
    assigned = c.assignment()
    for tp, tp_records in records.items():
        if tp not in assigned or not tp_records:
            continue
        offset = tp_records[0].offset
        committed = c._committed_offset.get(tp)
        if committed is not None and committed < offset:
            offset = committed
        await c.seek(tp, offset)


async def _read(c: Any, tp: TP, records: list[Any]) -> list[Any]:
    """The records not read before, noting gaps and the read offset as Faust's loop does."""
    r_offset = c._read_offset[tp]
    acks_enabled = c.app.topics.acks_enabled_for(tp.topic)
    fresh = []
    for record in records:
        offset = record.offset
        if r_offset is not None and offset < r_offset:
            continue
        if r_offset and offset - r_offset > 1 and acks_enabled:
            await c._add_gap(tp, r_offset + 1, offset)
        fresh.append(record)
        r_offset = offset
    if fresh:
        c._read_offset[tp] = r_offset
        c.app.monitor.track_tp_end_offset(tp, c.highwater(tp))
    return fresh


async def _deliver_one_by_one(c: Any, tp: TP, records: list[Any]) -> None:
    """Any other topic: Faust's way, a message at a time through the conductor."""
    for record in await _read(c, tp, records):
        message = c._to_message(tp, record)
        await c.wait_first(c.callback(message), c.suspend_flow.wait())


def _ack(c: Any, offsets: dict[TP, list[int]]) -> None:
    """Mark offsets as processed, as `Consumer.ack` does for each message of a stream."""
    assigned = c.assignment()
    with ack_lock:
        for tp, tp_offsets in offsets.items():
            if tp not in assigned or not c.app.topics.acks_enabled_for(tp.topic):
                continue  # revoked meanwhile: its new owner reads from its own state
            committed = c._committed_offset[tp]
            acked_index, acked = c._acked_index[tp], c._acked[tp]
            for offset in tp_offsets:
                if (committed is None or offset >= committed) and offset not in acked_index:
                    acked_index.add(offset)
                    acked.append(offset)
                    c._n_acked += 1
        notify(c._waiting_for_ack)


def bounded_worker(deadline: float) -> type[Worker]:
    """A Faust worker class whose stop on SIGTERM or SIGINT takes at most `deadline` seconds.

    Past the deadline the process exits (status 0: it was asked to stop, and stopped) with
    one warning line; the durable state, not the stop, is what keeps the numbers exact.
    """

    class BoundedWorker(Worker):
        def _on_sigterm(self) -> None:
            _arm_deadline(deadline)
            super()._on_sigterm()

        def _on_sigint(self) -> None:
            _arm_deadline(deadline)
            super()._on_sigint()

    return BoundedWorker


_armed = threading.Event()


def _arm_deadline(deadline: float) -> None:
    if _armed.is_set():
        return
    _armed.set()
    timer = threading.Timer(deadline, _exit_now, args=(deadline,))
    timer.daemon = True  # a stop that finishes in time exits without waiting for it
    timer.start()


def _exit_now(deadline: float) -> None:
    log.warning(
        "stop did not finish within %g s; exiting now (the next owner of each partition "
        "resumes from its durable state)", deadline,
    )  # fmt: skip
    logging.shutdown()
    os._exit(0)
