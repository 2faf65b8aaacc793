"""The live stack for end-to-end tests: broker, workers, Prometheus, Alertmanager, a webhook."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.services import (
    ROOT,
    GatewayProcess,
    WorkerProcess,
    ensure_broker,
    free_port,
    wait_for,
)

STANDARDS = ROOT / "tests/fixtures/mpp-medan-day.standards.yaml"
TOKEN = "e2e-kiosk-token-0123456789"


@dataclass
class Webhook:
    """An Alertmanager webhook receiver on loopback that keeps every notification."""

    port: int
    received: list[dict[str, Any]] = field(default_factory=list)

    def alerts(self) -> list[dict[str, Any]]:
        return [alert for note in self.received for alert in note.get("alerts", [])]


@pytest.fixture(scope="module")
def webhook() -> Iterator[Webhook]:
    hook = Webhook(free_port())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            hook.received.append(json.loads(body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", hook.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield hook
    server.shutdown()


@dataclass
class Stack:
    """Two workers (wall and event clock) and the gateway, scraped by Prometheus, which
    alerts to Alertmanager."""

    live: WorkerProcess  # wall clock: the office's day as it happens
    replayed: WorkerProcess  # event clock: a recorded day
    gateway: GatewayProcess  # in front of the live worker's topics
    prometheus: str
    alertmanager: str

    def query(self, expr: str) -> list[dict[str, Any]]:
        reply = httpx.get(f"{self.prometheus}/api/v1/query", params={"query": expr}, timeout=10)
        body = reply.json()
        assert body.get("status") == "success", f"{expr}: {body.get('error')}"
        return list(body["data"]["result"])

    def firing(self) -> list[dict[str, Any]]:
        alerts = httpx.get(f"{self.prometheus}/api/v1/alerts", timeout=10).json()
        return [a for a in alerts["data"]["alerts"] if a["state"] == "firing"]


def _script(name: str, action: str, env: dict[str, str]) -> None:
    subprocess.run(
        [str(ROOT / f"deploy/local/{name}.sh"), action], check=True, env={**os.environ, **env}
    )


@pytest.fixture(scope="module")
def stack(webhook: Webhook, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    ensure_broker()
    tmp = tmp_path_factory.mktemp("stack")
    live = WorkerProcess(
        f"live{uuid.uuid4().hex[:8]}", STANDARDS, tmp / "live", free_port(), clock="wall"
    ).start()
    replayed = WorkerProcess(
        f"day{uuid.uuid4().hex[:8]}", STANDARDS, tmp / "day", free_port(), clock="event"
    ).start()
    tokens = tmp / "tokens.yaml"
    tokens.write_text(f'{TOKEN}: "*"\n')
    gateway = GatewayProcess(live.prefix, tokens, tmp).start()
    prom_port, am_port = free_port(), free_port()
    env = {
        "PANTAU_STATE_DIR": str(tmp / "state"),
        "PROMETHEUS_PORT": str(prom_port),
        "ALERTMANAGER_PORT": str(am_port),
        "PANTAU_WORKER_TARGETS": f"127.0.0.1:{live.port},127.0.0.1:{replayed.port}",
        "PANTAU_GATEWAY_TARGETS": f"127.0.0.1:{gateway.port}",
        "SCRAPE_INTERVAL": "1s",
        "EVALUATION_INTERVAL": "1s",
        "PANTAU_ALERT_FOR": "3s",
        "ALERTMANAGER_WEBHOOK_URL": f"http://127.0.0.1:{webhook.port}/alerts",
        "ALERTMANAGER_GROUP_WAIT": "1s",
        "ALERTMANAGER_GROUP_INTERVAL": "1s",
        "ALERTMANAGER_REPEAT_INTERVAL": "1m",
    }
    _script("alertmanager", "start", env)
    _script("prometheus", "start", env)
    stack = Stack(
        live, replayed, gateway, f"http://127.0.0.1:{prom_port}", f"http://127.0.0.1:{am_port}"
    )
    wait_for(lambda: len(stack.query("up == 1")) == 3, 30, "Prometheus scraping the stack")
    yield stack
    _script("prometheus", "stop", env)
    _script("alertmanager", "stop", env)
    gateway.stop()
    live.stop()
    replayed.stop()


def write_events(path: Path, events: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path
