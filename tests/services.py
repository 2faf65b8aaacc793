"""Start and read the real services the integration tests use: broker, worker, /metrics."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parent.parent
PANTAU = [sys.executable, "-m", "pantau"]


def broker_address() -> str:
    return f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}"


def ensure_broker() -> str:
    """Start the local broker unless it runs already (the script is idempotent)."""
    subprocess.run([str(ROOT / "deploy/local/kafka.sh"), "start"], check=True)
    return broker_address()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(predicate: Callable[[], bool], timeout: float, what: str, every: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def scrape(port: int) -> dict[str, float]:
    """The worker's /metrics as `name{label=value,...}` -> value (the fixtures' format)."""
    reply = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
    reply.raise_for_status()
    text = reply.text
    flat: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            body = ",".join(f"{k}={sample.labels[k]}" for k in sorted(sample.labels))
            flat[f"{sample.name}{{{body}}}"] = float(sample.value)
    return flat


def settled_count(series: dict[str, float]) -> float:
    """Messages that reached an outcome plus those parked now."""
    return sum(
        v for k, v in series.items()
        if k.startswith("pantau_events_consumed_total{") or k.startswith("pantau_events_parked{")
    )  # fmt: skip


@dataclass
class WorkerProcess:
    """A `pantau worker` subprocess on its own topic prefix and web port."""

    prefix: str
    standards: Path | None
    data_dir: Path
    port: int
    clock: str = "event"
    extra_env: dict[str, str] | None = None
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        args = [
            *PANTAU, "worker", "--clock", self.clock, "--topic-prefix", self.prefix,
            "--web-port", str(self.port), "--data-dir", str(self.data_dir),
            "--broker", broker_address(),
        ]  # fmt: skip
        if self.standards is not None:
            args += ["--standards", str(self.standards)]
        log = (self.data_dir.parent / f"worker-{self.port}.log").open("ab")
        env = {**os.environ, **(self.extra_env or {})}
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
        wait_for(self._answers, 60, f"worker on port {self.port} to serve /metrics")
        return self

    def _answers(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"worker exited with {self.proc.returncode}")
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/metrics", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def scrape(self) -> dict[str, float]:
        return scrape(self.port)

    def wait_settled(self, count: int, timeout: float = 120) -> dict[str, float]:
        """Wait until consumed plus parked equals `count`; returns that scrape."""
        seen: dict[str, float] = {}

        def done() -> bool:
            nonlocal seen
            try:
                seen = self.scrape()
            except httpx.HTTPError:
                return False
            return settled_count(seen) >= count

        wait_for(done, timeout, f"{count} messages settled (last: {settled_count(seen)})")
        return seen

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


def replay(path: Path, prefix: str) -> str:
    """`pantau replay` as a user runs it; returns its output line."""
    done = subprocess.run(
        [*PANTAU, "replay", str(path), "--topic-prefix", prefix, "--broker", broker_address()],
        check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return done.stdout.strip()


@dataclass
class GatewayProcess:
    """A `pantau gateway` subprocess (a real uvicorn server) on a free loopback port."""

    prefix: str
    tokens: Path
    log_dir: Path
    broker: str = ""
    extra: tuple[str, ...] = ()
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> GatewayProcess:
        self.port = self.port or free_port()
        log = (self.log_dir / f"gateway-{self.port}.log").open("ab")
        self.proc = subprocess.Popen(
            [*PANTAU, "gateway", "--port", str(self.port), "--tokens", str(self.tokens),
             "--topic-prefix", self.prefix, "--broker", self.broker or broker_address(),
             "--log-level", "warning", *self.extra],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for(self._answers, 30, f"gateway on port {self.port}")
        return self

    def _answers(self) -> bool:
        assert self.proc is not None
        assert self.proc.poll() is None, f"gateway exited with {self.proc.returncode}"
        try:
            return httpx.get(f"{self.url}/openapi.json", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def post(self, body: bytes, token: str | None, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.post(
            f"{self.url}/v1/events", content=body, headers=headers, timeout=30, **kwargs
        )

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
