"""Topics for one benchmark run, a fast preloading producer, committed offsets, topic sizes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import murmur2
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import NewTopic

from bench.workloads import Message


def partition_for(key: bytes, partitions: int) -> int:
    """Kafka's default partitioner (murmur2), as the worker and every producer use it."""
    return (murmur2(key) & 0x7FFFFFFF) % partitions


def create_topic(broker: str, topic: str, partitions: int) -> None:
    admin = KafkaAdminClient(bootstrap_servers=broker, client_id="pantau-bench")
    try:
        admin.create_topics([NewTopic(topic, partitions, 1)])
    finally:
        admin.close()


def committed_total(broker: str, group: str) -> int:
    """Sum of the offsets a consumer group has committed (0 before its first commit)."""
    admin = KafkaAdminClient(bootstrap_servers=broker, client_id="pantau-bench")
    try:
        offsets = admin.list_group_offsets(group).get(group, {})
        return sum(max(meta.offset, 0) for meta in offsets.values())
    finally:
        admin.close()


def changelog_of(prefix: str) -> str:
    """The worker's state changelog topic for a topic prefix (Faust's naming)."""
    return f"pantau-worker-{prefix}-state-changelog"


def topic_size(broker: str, topic: str) -> dict[str, int]:
    """Records written to `topic` (its end offsets) and its size on the broker's disk.

    Compaction runs only on closed segments, which a benchmark's run rarely closes, so the
    size is about the bytes written (batch headers included)."""
    admin = KafkaAdminClient(bootstrap_servers=broker, client_id="pantau-bench")
    try:
        on_disk = sum(
            partition["partition_size"]
            for answer in admin.describe_log_dirs()
            for log_dir in answer["log_dirs"]
            for found in log_dir["topics"]
            if found["name"] == topic
            for partition in found["partitions"]
        )
    finally:
        admin.close()
    consumer = KafkaConsumer(bootstrap_servers=broker, client_id="pantau-bench")
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        ends = consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
    finally:
        consumer.close()
    return {"records": sum(ends.values()), "bytes": on_disk}


async def _preload(broker: str, topic: str, partitions: int, messages: Iterable[Message]) -> int:
    # Whole batches per partition: far cheaper per message than send() with linger.
    producer = AIOKafkaProducer(
        bootstrap_servers=broker, acks=1, max_batch_size=1 << 20, max_request_size=4 << 20,
        client_id="pantau-bench-preload",
    )  # fmt: skip
    await producer.start()
    pending: set[asyncio.Future[object]] = set()
    batches = [producer.create_batch() for _ in range(partitions)]
    sent = 0

    async def flush(p: int) -> None:
        batch = batches[p]
        batch.close()
        pending.add(await producer.send_batch(batch, topic, partition=p))
        batches[p] = producer.create_batch()
        if len(pending) >= 64:
            done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for future in done:
                future.result()
                pending.discard(future)

    try:
        for key, value in messages:
            p = partition_for(key, partitions)
            if batches[p].append(key=key, value=value, timestamp=None) is None:
                await flush(p)
                batches[p].append(key=key, value=value, timestamp=None)
            sent += 1
        for p in range(partitions):
            if batches[p].record_count():
                await flush(p)
        for future in pending:
            await future
    finally:
        await producer.stop()
    return sent


def preload(broker: str, topic: str, partitions: int, messages: Iterable[Message]) -> float:
    """Write every message to the topic, keyed by office; returns the seconds it took."""
    started = time.perf_counter()
    asyncio.run(_preload(broker, topic, partitions, messages))
    return time.perf_counter() - started
