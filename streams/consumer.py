"""Faust's Kafka consumer, but one topic's records go to a handler a whole fetch at a time.

Faust hands every message to its stream on its own: a message object, two asyncio tasks to
wait for it, a channel queue, a stream iteration and an ack, which together cost several
times what the lifecycle core does with the message. The events topic needs none of that,
so the drain loop below (Faust's own, with that one topic diverted) gives each fetched batch
of its records to a plain function, then marks their offsets acknowledged the way
`Consumer.ack` does, so that offsets are committed as before. Every other topic still goes
through the conductor. Rebalances behave as for streams: a batch fetched before flow control
was suspended is dropped, and Faust seeks back to the committed offsets.

This leans on private parts of faust-streaming 0.15.3 (pinned in constraints.txt).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from faust.transport.consumer import CONSUMER_FETCHING
from faust.transport.drivers import aiokafka as kafka_driver
from faust.types import TP
from faust.types.tuples import ack_lock
from mode import ServiceT
from mode.utils.futures import notify

from streams.processor import Incoming

BatchHandler = Callable[[Sequence[Incoming]], None]


def batch_consumer(topic: str, handler: BatchHandler) -> type[kafka_driver.Consumer]:
    """A consumer class that gives `topic`'s records to `handler`, one fetch at a time."""

    class BatchConsumer(kafka_driver.Consumer):
        async def _drain_messages(self, fetcher: ServiceT) -> None:  # pragma: no cover
            await _drain(self, fetcher, topic, handler)

    return BatchConsumer


async def _drain(
    consumer: kafka_driver.Consumer, fetcher: ServiceT, topic: str, handler: BatchHandler
) -> None:
    c = cast(Any, consumer)  # Faust's bookkeeping is private and untyped
    app = consumer.app
    consumer_should_stop = c._stopped.is_set
    fetcher_should_stop = cast(Any, fetcher)._stopped.is_set
    set_flag, unset_flag = c.diag.set_flag, c.diag.unset_flag
    try:
        while not (consumer_should_stop() or fetcher_should_stop()):
            set_flag(CONSUMER_FETCHING)
            await consumer.sleep(0)
            if consumer.should_stop:
                break
            generation = app.consumer_generation_id
            records, active = await c._wait_next_records(1.0)
            if records is None or consumer.should_stop:
                continue
            if not c.flow_active:
                try:  # as Consumer.getmany: back to the committed offsets
                    await c.perform_seek()
                except Exception as exc:
                    c.log.warning(f"exception performing seek when flow not active {exc}")
                continue
            await app.flow_control.acquire()
            await app.producer.buffer.wait_until_ebb()
            if not app.flow_control.is_active() or app.consumer_generation_id != generation:
                # A rebalance came between the fetch and now: these records must come again.
                await _rewind(c, records)
                continue
            batch: list[Incoming] = []
            offsets: dict[TP, list[int]] = {}
            for tp, tp_records in records.items():
                if active is not None and tp not in active and tp not in c._buffered_partitions:
                    await _rewind(c, {tp: tp_records})
                    continue
                if tp.topic == topic:
                    fresh = await _read(c, tp, tp_records)
                    batch.extend(fresh)
                    offsets[tp] = [record.offset for record in fresh]
                else:
                    await _deliver_one_by_one(c, tp, tp_records)
            if batch and app.consumer_generation_id == generation:
                handler(batch)
                _ack(c, offsets)
            commit_every = c._commit_every
            if commit_every is not None and c._n_acked >= commit_every:
                c._n_acked = 0
                await consumer.commit()
            unset_flag(CONSUMER_FETCHING)
    except c.consumer_stopped_errors:
        if app.should_stop:
            return
        raise
    finally:
        unset_flag(CONSUMER_FETCHING)


async def _rewind(c: Any, records: dict[TP, list[Any]]) -> None:
    """Fetch dropped records again: seek back to the first of them (or the commit, if lower).

    Faust's own seek after a rebalance goes back to the committed offset only where one
    exists (aiokafka skips offset 0), so a dropped fetch of a partition with no commit yet
    would otherwise be lost. Messages read twice are skipped by offset in the state.
    """
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
    with ack_lock:
        for tp, tp_offsets in offsets.items():
            if not c.app.topics.acks_enabled_for(tp.topic):
                continue
            committed = c._committed_offset[tp]
            acked_index, acked = c._acked_index[tp], c._acked[tp]
            for offset in tp_offsets:
                if (committed is None or offset >= committed) and offset not in acked_index:
                    acked_index.add(offset)
                    acked.append(offset)
                    c._n_acked += 1
        notify(c._waiting_for_ack)
