"""`python -m bench`: every measurement of issue #5 in one run on the local broker."""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from kafka import KafkaAdminClient

from bench.core import core_events_per_s
from bench.kafka import changelog_of, committed_total, create_topic, preload, topic_size
from bench.latency import measure_latency
from bench.machine import ROOT, describe_machine
from bench.worker import Worker, contract_series
from bench.workloads import Message, open_visits, simulated_mix
from pantau.settings import WorkerSettings

TARGETS = {
    "worker_events_per_s": 20_000.0,  # at least
    "baseline_ratio": 0.5,  # at least
    "p99_latency_s": 1.0,  # under
    "restart_s": 30.0,  # under (after 1,000,000 events)
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Run:
    """One benchmark run: its topic prefixes, data folders and the workers it started."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.id = f"bench{time.strftime('%Y%m%d%H%M%S')}{uuid.uuid4().hex[:4]}"
        self.dir = ROOT / ".state" / "bench" / self.id
        self.workers: list[Worker] = []
        self.prefixes: list[str] = []

    def prefix(self, name: str) -> str:
        prefix = f"{self.id}-{name}"
        self.prefixes.append(prefix)
        create_topic(self.args.broker, f"{prefix}.events", self.args.partitions)
        return prefix

    def worker(self, prefix: str, name: str) -> Worker:
        worker = Worker(
            prefix, self.args.broker, self.dir / f"data-{prefix}", self.dir / f"{name}.log"
        )
        self.workers.append(worker)
        return worker.start()

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        if not self.args.keep_topics:
            delete_topics(self.args.broker, self.prefixes)


def delete_topics(broker: str, prefixes: list[str]) -> None:
    """Delete the run's topics, the worker's changelog and assignor topics included."""
    if not prefixes:
        return
    admin = KafkaAdminClient(bootstrap_servers=broker, client_id="pantau-bench")
    try:
        mine = [t for t in admin.list_topics() if any(p in t for p in prefixes)]
        if mine:
            admin.delete_topics(mine)
    finally:
        admin.close()


@contextmanager
def phase(name: str) -> Iterator[None]:
    log(f"{name} ...")
    started = time.perf_counter()
    yield
    log(f"{name}: {time.perf_counter() - started:.1f}s")


def in_own_process(module: str, *args: str, timeout: float) -> dict[str, float]:
    """Run `python -m module args...` and read the JSON line it prints last."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        check=False, capture_output=True, text=True, cwd=ROOT, timeout=timeout,
    )  # fmt: skip
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"{module} exited {done.returncode}: {last}")
    line = done.stdout.strip().splitlines()[-1]  # after Faust's terminal codes, if any
    result: dict[str, float] = json.loads(line[line.index("{") :])
    return result


def baseline(args: argparse.Namespace, topic: str, decoder: str) -> dict[str, float]:
    return in_own_process(
        "bench.baseline", args.broker, topic, str(args.partitions), str(args.events), decoder,
        timeout=1800,
    )  # fmt: skip


def by_the_book(run: Run, topic: str) -> dict[str, float]:
    """The core behind Faust's public stream API (`bench.by_the_book`), in its own process."""
    args = run.args
    datadir = run.dir / "data-by-the-book"
    datadir.parent.mkdir(parents=True, exist_ok=True)
    return in_own_process(
        "bench.by_the_book", args.broker, topic, str(args.partitions), str(args.events),
        str(datadir), timeout=3600,
    )  # fmt: skip


def changelog(run: Run, prefix: str, n: int) -> dict[str, float]:
    """What the worker wrote to its state changelog for n events."""
    size = topic_size(run.args.broker, changelog_of(prefix))
    return {**size, "bytes_per_event": size["bytes"] / n, "records_per_event": size["records"] / n}


def throughput(run: Run, prefix: str, n: int) -> tuple[Worker, dict[str, Any]]:
    """Start a worker on a preloaded topic and time it until every message is settled."""
    worker = run.worker(prefix, "throughput")
    first_at, first = worker.wait(lambda p: p.settled > 0, 600, 0.05, "the first message")
    every = run.args.poll_every
    _, last = worker.wait(lambda p: p.settled >= n, 3600, every, f"{n} messages settled")
    end = last.last_batch_at
    return worker, {
        "events_per_s": n / (end - worker.started_at),
        "steady_events_per_s": (n - first.settled) / (end - first_at),
        "seconds": end - worker.started_at,
        "startup_s": first_at - worker.started_at,
        "settled": last.settled,
        "peak_rss_mb": worker.memory_kib()["VmHWM"] / 1024,
    }


def restart(run: Run, worker: Worker, n: int) -> dict[str, Any]:
    """SIGKILL a worker with n messages of history; time until a new one shows the same."""
    body = worker.metrics()
    assert body is not None
    before = contract_series(body)
    group = f"pantau-worker-{worker.prefix}"
    deadline = time.monotonic() + 60
    while committed_total(run.args.broker, group) < n and time.monotonic() < deadline:
        time.sleep(0.5)
    committed = committed_total(run.args.broker, group)
    worker.kill()
    killed_at = time.time()
    again = Worker(worker.prefix, worker.broker, worker.data_dir, run.dir / "restart.log")
    run.workers.append(again)
    again.start()
    answered_at, _ = again.wait(lambda p: True, 600, 0.1, "/metrics to answer")
    partitions = run.args.partitions
    assigned_at, _ = again.wait(
        lambda p: p.partitions >= partitions, 600, 0.1, "partitions assigned and recovered"
    )
    settled_at, _ = again.wait(lambda p: p.settled >= n, 600, 0.1, f"{n} settled again")
    after_body = again.metrics()
    assert after_body is not None
    after = contract_series(after_body)
    differences = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return {
        "restart_s": settled_at - killed_at,
        "answered_s": answered_at - killed_at,
        "recovered_s": assigned_at - killed_at,
        "committed_before_kill": committed,
        "series": len(before),
        "series_equal": not differences,
        "differences": differences[:10],
    }


def latency(run: Run, args: argparse.Namespace) -> dict[str, Any]:
    count = int(args.rate * args.latency_seconds)
    messages = simulated_mix(count, args.latency_offices, args.seed + 1).messages
    prefix = run.prefix("latency")
    worker = run.worker(prefix, "latency")
    worker.wait(lambda p: p.partitions >= args.partitions, 300, 0.2, "partitions assigned")
    result = measure_latency(
        worker, f"{prefix}.events", messages, args.rate, sample_every=args.sample_every
    )
    return {
        "p50_s": result.p50, "p99_s": result.p99, "max_s": result.max,
        "offered_per_s": result.offered_per_s, "events": count,
        "scrapes": result.samples, "scrape_ms_mean": result.scrape_ms_mean,
        "full_scrape_ms_max": result.full_scrape_ms_max,
    }  # fmt: skip


def memory(run: Run, args: argparse.Namespace) -> dict[str, Any]:
    prefix = run.prefix("rss")
    preload(
        args.broker, f"{prefix}.events", args.partitions,
        open_visits(args.open_visits, args.offices),
    )  # fmt: skip
    worker = run.worker(prefix, "rss")
    worker.wait(lambda p: p.settled >= args.open_visits, 1200, 0.5, "open visits settled")
    body = worker.metrics() or b""
    queued = sum(
        float(line.rsplit(b" ", 1)[1])
        for line in body.split(b"\n")
        if line.startswith(b"pantau_queue_length{")
    )
    mem = worker.memory_kib()
    worker.stop()
    return {
        "open_visits": int(queued),
        "peak_rss_mb": mem["VmHWM"] / 1024,
        "rss_mb": mem["VmRSS"] / 1024,
    }


def attempt(results: dict[str, Any], key: str, name: str, step: Callable[[], Any]) -> Any:
    """Run one measurement; a failure is recorded under `key` and the run goes on."""
    with phase(name):
        try:
            results[key] = step()
        except Exception as exc:  # one failed measurement must not lose the others
            log(f"{name} failed: {exc!r}")
            results[key] = {"error": repr(exc)}
            return None
    return results[key]


def core_phase(messages: list[Message]) -> dict[str, float]:
    return {"events_per_s": core_events_per_s(messages)}


def measure(run: Run) -> dict[str, Any]:
    args = run.args
    n = args.events
    results: dict[str, Any] = {}
    with phase(f"generating {n} events over {args.offices} offices"):
        generated = simulated_mix(n, args.offices, args.seed)
    results["generate"] = {
        "simulate_events_per_s": n / generated.simulate_s,
        "encode_events_per_s": n / generated.encode_s,
        "mean_message_bytes": sum(len(v) for _, v in generated.messages) / n,
    }
    attempt(results, "core", "the core alone", partial(core_phase, generated.messages))
    prefix = run.prefix("load")
    topic = f"{prefix}.events"
    with phase("preloading"):
        seconds = preload(args.broker, topic, args.partitions, generated.messages)
    results["preload"] = {"events_per_s": n / seconds}
    del generated
    gc.collect()
    for decoder in ("orjson", "json"):
        attempt(
            results, f"baseline_{decoder}", f"baseline consumer with {decoder}",
            lambda decoder=decoder: baseline(args, topic, decoder),  # type: ignore[misc]
        )  # fmt: skip
    attempt(
        results, "by_the_book", "the core behind Faust's take_events",
        lambda: by_the_book(run, topic),
    )  # fmt: skip
    workers: list[Worker] = []

    def run_throughput() -> dict[str, Any]:
        worker, found = throughput(run, prefix, n)
        workers.append(worker)
        return found

    attempt(results, "throughput", "worker throughput", run_throughput)
    if workers:
        attempt(results, "changelog", "changelog size", lambda: changelog(run, prefix, n))
        attempt(results, "restart", "restart after SIGKILL", lambda: restart(run, workers[0], n))
    for w in run.workers:
        w.stop()
    attempt(results, "latency", f"latency at {args.rate:.0f} events/s", lambda: latency(run, args))
    for w in run.workers:
        w.stop()
    attempt(
        results, "memory", f"memory with {args.open_visits} open visits",
        lambda: memory(run, args),
    )  # fmt: skip
    return results


def _get(results: dict[str, Any], phase_key: str, key: str) -> Any:
    """A measured value, or None when its phase failed or did not run."""
    value = results.get(phase_key, {}).get(key)
    return None if value is None else value


def _round(value: float | None, digits: int | None = None) -> float | None:
    return None if value is None else round(value, digits)


def summary(args: argparse.Namespace, results: dict[str, Any]) -> dict[str, Any]:
    """The flat keys of bench/results/latest.json (None where a phase failed), then details."""
    settings = WorkerSettings(**{})  # PANTAU_* from the environment, as the worker reads them
    worker_rate = _get(results, "throughput", "events_per_s")
    base_rate = _get(results, "baseline_orjson", "events_per_s")
    ratio = worker_rate / base_rate if worker_rate and base_rate else None
    book_rate = _get(results, "by_the_book", "events_per_s")
    core_rate = _get(results, "core", "events_per_s")
    out: dict[str, Any] = {
        "worker_events_per_s": _round(worker_rate),
        "worker_steady_events_per_s": _round(_get(results, "throughput", "steady_events_per_s")),
        "baseline_events_per_s": _round(base_rate),
        "baseline_stdlib_json_events_per_s": _round(_get(results, "baseline_json", "events_per_s")),
        "baseline_ratio": _round(ratio, 3),
        "by_the_book_events_per_s": _round(book_rate),
        "by_the_book_ratio": _round(worker_rate / book_rate, 3)
        if worker_rate and book_rate
        else None,
        "core_events_per_s": _round(core_rate),
        "core_ratio": _round(worker_rate / core_rate, 3) if worker_rate and core_rate else None,
        "changelog_bytes_per_event": _round(_get(results, "changelog", "bytes_per_event"), 1),
        "changelog_bytes": _get(results, "changelog", "bytes"),
        "p50_latency_s": _round(_get(results, "latency", "p50_s"), 4),
        "p99_latency_s": _round(_get(results, "latency", "p99_s"), 4),
        "peak_rss_mb": _round(_get(results, "memory", "peak_rss_mb"), 1),
        "restart_s": _round(_get(results, "restart", "restart_s"), 2),
        "machine": describe_machine(),
        "parameters": {
            **{k: v for k, v in vars(args).items() if k not in ("broker", "out")},
            "clock": "event",
            "batch_size": settings.batch_size,
            "batch_seconds": settings.batch_seconds,
            "snapshot_every": settings.snapshot_every,
        },
        "details": results,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }

    def at_least(value: float | None, target: float) -> bool:
        return value is not None and value >= target

    def under(value: float | None, target: float) -> bool:
        return value is not None and value < target

    out["targets"] = {
        "worker_events_per_s >= 20000": at_least(worker_rate, TARGETS["worker_events_per_s"]),
        "baseline_ratio >= 0.5": at_least(ratio, TARGETS["baseline_ratio"]),
        "p99_latency_s < 1": under(out["p99_latency_s"], TARGETS["p99_latency_s"]),
        "restart_s < 30": under(out["restart_s"], TARGETS["restart_s"]),
        "restart series equal": bool(_get(results, "restart", "series_equal")),
    }
    return out


def _show(value: float | None, form: str) -> str:
    return "failed" if value is None else form.format(value)


def table(out: dict[str, Any]) -> str:
    d = out["details"]
    rate = _get(d, "latency", "offered_per_s") or out["parameters"]["rate"]
    rows = [
        ("worker throughput (from process start)",
         _show(out["worker_events_per_s"], "{:,.0f} events/s")),
        ("worker throughput (first consumed to done)",
         _show(out["worker_steady_events_per_s"], "{:,.0f} events/s")),
        ("baseline: aiokafka + orjson", _show(out["baseline_events_per_s"], "{:,.0f} events/s")),
        ("baseline: aiokafka + stdlib json",
         _show(out["baseline_stdlib_json_events_per_s"], "{:,.0f} events/s")),
        ("Faust by the book: take_events + the core",
         _show(out["by_the_book_events_per_s"], "{:,.0f} events/s")),
        ("the core alone, in one process", _show(out["core_events_per_s"], "{:,.0f} events/s")),
        ("worker / baseline (the ceiling)", _show(out["baseline_ratio"], "{:.1%}")),
        ("worker / Faust by the book", _show(out["by_the_book_ratio"], "{:.2f}x")),
        ("worker / the core alone", _show(out["core_ratio"], "{:.1%}")),
        ("changelog written per event",
         _show(out["changelog_bytes_per_event"], "{:,.1f} bytes")),
        ("changelog size after the run",
         _show(out["changelog_bytes"], "{:,.0f} bytes")),
        (f"latency p50 at {rate:,.0f}/s", _show(out["p50_latency_s"], "{:.3f} s")),
        (f"latency p99 at {rate:,.0f}/s", _show(out["p99_latency_s"], "{:.3f} s")),
        (f"peak RSS, {out['parameters']['open_visits']:,} visits open",
         _show(out["peak_rss_mb"], "{:.0f} MB")),
        (f"restart after {out['parameters']['events']:,} events",
         _show(out["restart_s"], "{:.1f} s")),
        ("worker peak RSS in the throughput run",
         _show(_get(d, "throughput", "peak_rss_mb"), "{:.0f} MB")),
        ("simulator", _show(d["generate"]["simulate_events_per_s"], "{:,.0f} events/s")),
        ("preload producer", _show(d["preload"]["events_per_s"], "{:,.0f} events/s")),
    ]  # fmt: skip
    width = max(len(name) for name, _ in rows)
    lines = [f"{name:<{width}}  {value}" for name, value in rows]
    lines += [f"target {name}: {'met' if ok else 'NOT met'}" for name, ok in out["targets"].items()]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    add = parser.add_argument
    add("--events", type=int, default=int(os.environ.get("BENCH_EVENTS", 1_000_000)))
    add("--offices", type=int, default=200)
    add("--seed", type=int, default=1)
    add("--partitions", type=int, default=8)
    add("--rate", type=float, default=2000.0, help="offered events/s for the latency run")
    add("--latency-seconds", type=float, default=25.0)
    add("--latency-offices", type=int, default=50)
    add("--open-visits", type=int, default=100_000)
    add("--broker", default=f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}")
    add("--out", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    add("--poll-every", type=float, default=0.5, help="seconds between progress scrapes")
    add("--sample-every", type=float, default=0.02, help="seconds between latency samples")
    add("--keep-topics", action="store_true", help="leave the run's topics on the broker")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    run = Run(args)
    log(f"run {run.id}: {args.events} events, broker {args.broker}")
    try:
        results = measure(run)
    finally:
        run.close()
    out = summary(args, results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print(table(out))
    print(f"written to {args.out}")
