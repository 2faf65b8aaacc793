"""The ceiling for a Python consumer: aiokafka reading a topic and JSON-decoding each message.

Run in its own process so that the harness's memory does not slow its garbage collector:
`python -m bench.baseline BROKER TOPIC PARTITIONS COUNT orjson|json` prints one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

DECODERS: dict[str, Callable[[bytes], Any]] = {"orjson": orjson.loads, "json": json.loads}


async def consume(
    broker: str, topic: str, partitions: int, count: int, decoder: str
) -> dict[str, float]:
    decode = DECODERS[decoder]
    started = time.perf_counter()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=broker, group_id=None, enable_auto_commit=False,
        auto_offset_reset="earliest", client_id=f"pantau-bench-baseline-{decoder}",
    )  # fmt: skip
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, p) for p in range(partitions)])
        seen, first = 0, 0.0
        while seen < count:
            batches = await consumer.getmany(timeout_ms=1000)
            for messages in batches.values():
                if not first and messages:
                    first = time.perf_counter()
                for message in messages:
                    decode(message.value)
                seen += len(messages)
        ended = time.perf_counter()
    finally:
        await consumer.stop()
    return {
        "events": seen,
        "events_per_s": seen / (ended - started),
        "steady_events_per_s": seen / (ended - first),
        "seconds": ended - started,
    }


def main() -> None:
    broker, topic, partitions, count, decoder = sys.argv[1:6]
    result = asyncio.run(consume(broker, topic, int(partitions), int(count), decoder))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
