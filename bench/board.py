"""The status stream under load: N concurrent SSE clients of one gateway on loopback.

Starts `pantau gateway` on a fresh topic prefix, creates the compacted status topic,
connects the clients to one office's stream, then produces status records at a fixed
pace, each carrying its produce time in `at`. Reports the gateway's memory (RSS) before
and with the clients, and the delay from producing a record to each client reading it
(p50, p99, max). Bounded: at most 1,000 clients and 300 records, and a deadline.

    .venv/bin/python -m bench.board --clients 200 --records 60
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic

OFFICE = "mpp-bench"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def record(sequence: int) -> bytes:
    at = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    calls = [
        {"ticket": f"A{(sequence - i) % 1000:03d}", "counter": f"loket-{i % 8 + 1}",
         "service": "ktp-el", "at": at}
        for i in range(10)
    ]  # fmt: skip
    status = {
        "office": OFFICE, "at": at, "open": True,
        "services": [{"service": "ktp-el", "queue_length": sequence % 40,
                      "waiting_near_standard": 0, "waiting_over_standard": 0,
                      "oldest_wait_seconds": 12.5, "max_wait_seconds": 900.0,
                      "predicted_wait_seconds": 420.0}],
        "counters": [{"counter": f"loket-{i}", "status": "open", "serving": None}
                     for i in range(1, 9)],
        "recent_calls": calls,
    }  # fmt: skip
    return json.dumps(status).encode()


async def client(url: str, delays: list[float], connected: asyncio.Event, count: list[int]) -> None:
    async with (
        httpx.AsyncClient(timeout=httpx.Timeout(30, read=60)) as http,
        http.stream("GET", url) as reply,
    ):
        reply.raise_for_status()
        count[0] += 1
        if count[0] == count[1]:
            connected.set()
        async for line in reply.aiter_lines():
            if line.startswith("data: {"):
                at = json.loads(line[6:])["at"]
                sent = datetime.fromisoformat(at).timestamp()
                delays.append(time.time() - sent)


async def run(args: argparse.Namespace) -> dict[str, object]:
    prefix = f"bench-board-{uuid.uuid4().hex[:8]}"
    broker = args.broker
    admin = KafkaAdminClient(bootstrap_servers=broker)
    topic = f"{prefix}.office.status"
    admin.create_topics([NewTopic(topic, 1, 1, topic_configs={"cleanup.policy": "compact"})])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=broker, linger_ms=0)
    producer.send(topic, key=OFFICE.encode(), value=record(0)).get(10)
    tokens = Path(tempfile.mkdtemp()) / "tokens.yaml"
    tokens.write_text("bench-board-token-0123: '*'\n")
    port = args.port
    gateway = subprocess.Popen(
        [sys.executable, "-m", "pantau", "gateway", "--port", str(port), "--tokens", str(tokens),
         "--topic-prefix", prefix, "--broker", broker, "--log-level", "warning"],
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/v1/offices/{OFFICE}/status", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the gateway did not serve the status within 30 s")
            await asyncio.sleep(0.2)
        rss_idle = rss_kib(gateway.pid)
        delays: list[float] = []
        connected = asyncio.Event()
        count = [0, args.clients]
        url = f"{base}/v1/offices/{OFFICE}/status/stream"
        tasks = [
            asyncio.create_task(client(url, delays, connected, count)) for _ in range(args.clients)
        ]
        await asyncio.wait_for(connected.wait(), 60)
        await asyncio.sleep(1.0)
        delays.clear()  # the current record each client got at once is not a delay
        rss_connected = rss_kib(gateway.pid)
        for sequence in range(1, args.records + 1):
            producer.send(topic, key=OFFICE.encode(), value=record(sequence))
            producer.flush()
            await asyncio.sleep(args.interval)
        wanted = args.clients * args.records
        end = time.monotonic() + 15
        while len(delays) < wanted and time.monotonic() < end:
            await asyncio.sleep(0.2)
        rss_after = rss_kib(gateway.pid)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        ordered = sorted(delays)
        return {
            "clients": args.clients,
            "records": args.records,
            "interval_s": args.interval,
            "deliveries": len(delays),
            "expected_deliveries": wanted,
            "delay_ms_p50": round(statistics.median(ordered) * 1000, 1),
            "delay_ms_p99": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 1),
            "delay_ms_max": round(ordered[-1] * 1000, 1),
            "rss_mib_idle": round(rss_idle / 1024, 1),
            "rss_mib_with_clients": round(rss_connected / 1024, 1),
            "rss_mib_after_records": round(rss_after / 1024, 1),
        }
    finally:
        gateway.terminate()
        try:
            gateway.wait(15)
        except subprocess.TimeoutExpired:
            gateway.kill()
        producer.close(5)
        admin = KafkaAdminClient(bootstrap_servers=broker)
        admin.delete_topics([topic])
        admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200, choices=range(1, 1001), metavar="N")
    parser.add_argument("--records", type=int, default=60, choices=range(1, 301), metavar="N")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between records")
    parser.add_argument("--port", type=int, default=18099)
    parser.add_argument("--broker", default=f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}")
    args = parser.parse_args()
    try:
        result = asyncio.run(asyncio.wait_for(run(args), 300))
    except (RuntimeError, TimeoutError, OSError, httpx.HTTPError) as exc:
        sys.exit(f"bench.board: {exc}")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
