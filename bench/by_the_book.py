"""Faust by the book: the lifecycle core behind Faust's public stream API, no custom consumer.

What pantau's worker would cost without its batch consumer: an agent reads the events topic
with `take_events` and applies each message to its partition's state (nothing journaled,
nothing emitted). Run in its own process:
`python -m bench.by_the_book BROKER TOPIC PARTITIONS COUNT DATADIR` prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import defaultdict
from typing import Any

import faust

from pantau.settings import WorkerSettings
from pantau.standards import Standards
from streams.core.outcomes import Effect
from streams.core.partition import PartitionState

# the worker's default PANTAU_BATCH_SIZE and batch window
BATCH = WorkerSettings.model_fields["batch_size"].default
WITHIN = WorkerSettings.model_fields["batch_seconds"].default


def build(broker: str, topic: str, partitions: int, count: int, datadir: str) -> faust.App:
    started = time.perf_counter()
    app = faust.App(
        f"pantau-bench-book-{topic}",
        broker=f"kafka://{broker}",
        store="memory://",
        datadir=datadir,
        topic_partitions=partitions,
        consumer_auto_offset_reset="earliest",
        stream_wait_empty=False,
        web_enabled=False,
    )
    events = app.topic(topic, key_type=bytes, value_type=bytes,
                       key_serializer="raw", value_serializer="raw")  # fmt: skip
    states: dict[int, PartitionState] = defaultdict(lambda: PartitionState(Standards.empty()))
    progress = {"seen": 0, "first": 0.0}

    @app.agent(events)
    async def apply(stream: Any) -> None:
        out: list[Effect] = []
        async for batch in stream.take_events(BATCH, within=WITHIN):
            if not progress["first"]:
                progress["first"] = time.perf_counter()
            for event in batch:
                message = event.message
                states[message.partition].handle(
                    message.value, message.offset, out, None, message.timestamp
                )
            out.clear()
            progress["seen"] += len(batch)
            if progress["seen"] >= count:
                ended = time.perf_counter()
                seen = progress["seen"]
                result = {
                    "events": seen,
                    "events_per_s": seen / (ended - started),
                    "steady_events_per_s": seen / (ended - progress["first"]),
                    "seconds": ended - started,
                }
                print(json.dumps(result), flush=True)
                os._exit(0)  # the measurement is done; a clean stop takes seconds

    return app


def main() -> None:
    broker, topic, partitions, count, datadir = sys.argv[1:6]
    app = build(broker, topic, int(partitions), int(count), datadir)
    worker = faust.Worker(app, loglevel="warning", quiet=True, override_logging=False)
    worker.execute_from_commandline()


if __name__ == "__main__":
    main()
