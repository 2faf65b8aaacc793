"""End-to-end latency at a fixed offered rate: produce time to the first scrape showing it.

A paced producer records when it hands message i to the Kafka client; a sampler thread
scrapes /metrics (only the message counters) every few milliseconds and records when each
response arrived and how many messages it showed settled (consumed plus parked). Message i's
latency is the arrival time of the first scrape that shows at least i + 1 settled messages,
minus i's produce time. Meanwhile another thread scrapes the whole /metrics every 15 seconds,
as Prometheus would, since rendering it holds up processing.
"""

from __future__ import annotations

import asyncio
import bisect
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
from aiokafka import AIOKafkaProducer

from bench.worker import PROGRESS_QUERY, Worker, read_progress
from bench.workloads import Message


@dataclass(frozen=True, slots=True)
class Latency:
    """Percentiles of the latencies, in seconds, and how the run went."""

    p50: float
    p99: float
    max: float
    offered_per_s: float
    samples: int
    scrape_ms_mean: float
    full_scrape_ms_max: float


class Sampler(threading.Thread):
    """Scrapes the worker's /metrics in a loop: (response arrival time, settled count)."""

    def __init__(self, worker: Worker, every: float) -> None:
        super().__init__(daemon=True)
        self.worker = worker
        self.every = every
        self.times: list[float] = []
        self.counts: list[int] = []
        self.scrape_seconds = 0.0
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            asked = time.time()
            body = self.worker.metrics(PROGRESS_QUERY)
            arrived = time.time()
            if body is not None:
                self.times.append(arrived)
                self.counts.append(read_progress(body).settled)
                self.scrape_seconds += arrived - asked
            pause = self.every - (time.time() - asked)
            if pause > 0:
                time.sleep(pause)


class FullScraper(threading.Thread):
    """Scrapes the whole /metrics every `every` seconds, as Prometheus does."""

    def __init__(self, worker: Worker, every: float) -> None:
        super().__init__(daemon=True)
        self.url = f"http://127.0.0.1:{worker.port}/metrics"
        self.every = every
        self.seconds: list[float] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.every):
            asked = time.perf_counter()
            try:
                httpx.get(self.url, timeout=30)
            except httpx.HTTPError:
                continue
            self.seconds.append(time.perf_counter() - asked)


async def _produce_paced(
    broker: str, topic: str, messages: Sequence[Message], rate: float
) -> list[float]:
    producer = AIOKafkaProducer(bootstrap_servers=broker, acks=1, linger_ms=0)
    await producer.start()
    produced: list[float] = []
    try:
        begin = time.time()
        for i, (key, value) in enumerate(messages):
            due = begin + i / rate
            now = time.time()
            if due > now:
                await asyncio.sleep(due - now)
            produced.append(time.time())
            await producer.send(topic, value, key=key)
        await producer.flush()
    finally:
        await producer.stop()
    return produced


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure_latency(
    worker: Worker,
    topic: str,
    messages: Sequence[Message],
    rate: float,
    sample_every: float = 0.02,
    full_scrape_every: float = 15.0,
    timeout: float = 60.0,
) -> Latency:
    """Offer `messages` at `rate` per second to a worker that starts from zero settled."""
    sampler = Sampler(worker, sample_every)
    full = FullScraper(worker, full_scrape_every)
    sampler.start()
    full.start()
    try:
        produced = asyncio.run(_produce_paced(worker.broker, topic, messages, rate))
        deadline = time.monotonic() + timeout
        while (not sampler.counts or sampler.counts[-1] < len(messages)) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.05)
    finally:
        sampler.stopping.set()
        full.stopping.set()
        sampler.join()
        full.join()
    times, counts = sampler.times, sampler.counts
    if not counts or counts[-1] < len(messages):
        raise TimeoutError(f"only {counts[-1] if counts else 0} of {len(messages)} settled")
    latencies = [times[bisect.bisect_left(counts, i + 1)] - at for i, at in enumerate(produced)]
    span = produced[-1] - produced[0]
    return Latency(
        p50=_percentile(latencies, 0.50),
        p99=_percentile(latencies, 0.99),
        max=max(latencies),
        offered_per_s=(len(produced) - 1) / span if span > 0 else 0.0,
        samples=len(times),
        scrape_ms_mean=1000 * sampler.scrape_seconds / max(len(times), 1),
        full_scrape_ms_max=1000 * max(full.seconds, default=0.0),
    )
