"""A `pantau worker` subprocess for the benchmark, and cheap reads of its /metrics."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

_SETTLED = (b"pantau_events_consumed_total{", b"pantau_events_parked{")
# Only the families a progress check reads: the worker renders these in well under 1 ms,
# where the whole exposition of 200 busy offices takes around 100 ms of its time.
PROGRESS_QUERY = "&".join(
    f"name[]={name}"
    for name in (
        "pantau_events_consumed_total", "pantau_events_parked",
        "pantau_last_batch_timestamp_seconds", "pantau_partitions_assigned",
    )
)  # fmt: skip
_LAST_BATCH = b"pantau_last_batch_timestamp_seconds "
_ASSIGNED = b"pantau_partitions_assigned "
# Series that describe the pipeline, not the contract: they may differ after a restart.
_VOLATILE = (
    "pantau_consumer_lag_messages", "pantau_partitions_assigned",
    "pantau_last_batch_timestamp_seconds",
)  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True, slots=True)
class Progress:
    """What a scrape says about progress: settled messages and the last batch's wall time."""

    settled: int
    last_batch_at: float
    partitions: int


def read_progress(body: bytes) -> Progress:
    """Consumed plus parked, read from the exposition text without a full parse."""
    settled, last, assigned = 0.0, 0.0, 0.0
    for line in body.split(b"\n"):
        if line.startswith(_SETTLED):
            settled += float(line.rsplit(b" ", 1)[1])
        elif line.startswith(_LAST_BATCH):
            last = float(line.rsplit(b" ", 1)[1])
        elif line.startswith(_ASSIGNED):
            assigned = float(line.rsplit(b" ", 1)[1])
    return Progress(int(settled), last, int(assigned))


def contract_series(body: bytes) -> dict[str, float]:
    """Every series but `_created` and pipeline health, as `name{labels}` -> value."""
    flat: dict[str, float] = {}
    for family in text_string_to_metric_families(body.decode()):
        if family.name.startswith(_VOLATILE):
            continue
        for sample in family.samples:
            if sample.name.endswith("_created"):
                continue
            labels = ",".join(f"{k}={sample.labels[k]}" for k in sorted(sample.labels))
            flat[f"{sample.name}{{{labels}}}"] = float(sample.value)
    return flat


@dataclass
class Worker:
    """One worker process on a topic prefix, event clock, with its own web port."""

    prefix: str
    broker: str
    data_dir: Path
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    cwd: Path | None = None  # run the code of this tree (python -m puts it first on sys.path)
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0  # time.time() just before the process was spawned
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))

    def start(self) -> Worker:
        args = [
            sys.executable, "-m", "pantau", "worker", "--clock", "event",
            "--topic-prefix", self.prefix, "--web-port", str(self.port),
            "--data-dir", str(self.data_dir), "--broker", self.broker,
        ]  # fmt: skip
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.started_at = time.time()
        self.proc = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **self.env},
            cwd=self.cwd,
        )  # fmt: skip
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def metrics(self, query: str = "") -> bytes | None:
        """The /metrics body (all of it, or as `query` limits it), or None while it is down."""
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise RuntimeError(f"worker exited with {self.proc.returncode}; see {self.log_path}")
        try:
            response = self.client.get(f"http://127.0.0.1:{self.port}/metrics?{query}")
        except httpx.HTTPError:
            return None
        return response.content if response.status_code == 200 else None

    def progress(self) -> Progress | None:
        body = self.metrics(PROGRESS_QUERY)
        return None if body is None else read_progress(body)

    def wait(
        self, done: Callable[[Progress], bool], timeout: float, every: float, what: str
    ) -> tuple[float, Progress]:
        """Poll until `done`; returns the wall time the satisfying scrape came back, and it."""
        deadline = time.monotonic() + timeout
        last: Progress | None = None
        while time.monotonic() < deadline:
            progress = self.progress()
            if progress is not None:
                last = progress
                if done(progress):
                    return time.time(), progress
            time.sleep(every)
        raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what} (last: {last})")

    def memory_kib(self) -> dict[str, int]:
        """VmHWM (peak resident set) and VmRSS of the worker, in KiB."""
        found = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("VmHWM", "VmRSS"):
                found[name] = int(rest.split()[0])
        return found

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.client.close()
