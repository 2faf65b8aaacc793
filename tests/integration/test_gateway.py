"""`pantau gateway` as a real uvicorn server, with a real HTTP client, the broker and a worker."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from pantau.events import MalformedEvent, parse_event
from pantau.standards import load_standards
from producers.simulator import simulate_events
from tests.integration.test_producers_client import STANDARDS, outcomes
from tests.services import (
    PANTAU,
    GatewayProcess,
    WorkerProcess,
    broker_address,
    free_port,
)
from tests.support import FIXTURE_NAMES, core_series, fixture_lines, series_differences

pytestmark = pytest.mark.integration

KIOSK = "kiosk-medan-7f3a9c2e41"
OPS = "ops-all-offices-5b8d0e"
TOKENS = f"{KIOSK}: [mpp-medan]\n{OPS}: '*'\n"


def malformed_lines() -> list[tuple[bytes, str]]:
    """Every line of the fixtures the contract calls malformed, with the field it names."""
    found = []
    for name in FIXTURE_NAMES:
        for line in fixture_lines(name):
            try:
                parse_event(line)
            except MalformedEvent as exc:
                found.append((line, exc.field))
    return found


@dataclass
class Gateway:
    """The gateway under test, posting with the kiosk's token unless told otherwise."""

    process: GatewayProcess

    @property
    def url(self) -> str:
        return self.process.url

    @property
    def proc(self) -> subprocess.Popen[bytes]:
        assert self.process.proc is not None
        return self.process.proc

    def post(self, body: bytes, token: str | None = KIOSK, **kwargs: Any) -> httpx.Response:
        return self.process.post(body, token, **kwargs)


@pytest.fixture
def start_gateway(broker: str, tmp_path: Path) -> Iterator[Callable[..., Gateway]]:
    started: list[GatewayProcess] = []
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text(TOKENS)

    def start(prefix: str, kafka: str = broker, *extra: str) -> Gateway:
        process = GatewayProcess(prefix, tokens, tmp_path, kafka, extra)
        started.append(process)
        return Gateway(process.start())

    yield start
    for process in started:
        process.stop()


def test_the_gateway_refuses_what_it_must_and_what_it_accepts_reaches_the_worker(
    prefix: str,
    start_worker: Callable[..., WorkerProcess],
    start_gateway: Callable[..., Gateway],
) -> None:
    worker = start_worker(STANDARDS)
    gateway = start_gateway(prefix)
    assert httpx.get(f"{gateway.url}/healthz").json() == {"status": "ok", "kafka": "reachable"}

    # Every malformed fixture line: 422 naming the same field as the worker would.
    bad = malformed_lines()
    assert len(bad) >= 10
    for line, field in bad:
        response = gateway.post(line)
        assert response.status_code == 422, line
        assert response.json()["errors"][0]["field"] == field, line

    rules = load_standards(STANDARDS)
    events = list(simulate_events(rules, ["mpp-medan"], seed=8, start=date(2026, 11, 23)))
    first = orjson.dumps(events[:10])
    assert gateway.post(first, token=None).status_code == 401
    unknown = gateway.post(first, token="not-a-token-at-all-123")
    assert unknown.status_code == 401
    assert unknown.headers["www-authenticate"].startswith("Bearer")
    other = orjson.dumps([*events[:3], {**events[3], "office": "samsat-medan"}])
    forbidden = gateway.post(other)
    assert forbidden.status_code == 403
    assert "samsat-medan" in forbidden.json()["detail"]
    assert gateway.post(b"[" + b" " * (1 << 20) + b"]").status_code == 413

    # 202 batches, in order: the worker sees exactly these events.
    for start in range(0, len(events), 400):
        batch = events[start : start + 400]
        response = gateway.post(orjson.dumps(batch))
        assert response.status_code == 202, response.text
        assert response.json() == {
            "accepted": len(batch), "event_ids": [e["event_id"] for e in batch],
        }  # fmt: skip
    series = worker.wait_settled(len(events))
    assert outcomes(series) == {"accepted": len(events), "parked": 0}
    assert series_differences(series, core_series(events, rules)) == []

    metrics = httpx.get(f"{gateway.url}/metrics").text
    assert f'pantau_gateway_events_total{{result="accepted"}} {float(len(events))}' in metrics
    assert f'pantau_gateway_requests_total{{status="422"}} {float(len(bad))}' in metrics


def test_without_kafka_the_gateway_starts_and_answers_503(
    prefix: str, start_gateway: Callable[..., Gateway]
) -> None:
    gateway = start_gateway(prefix, f"127.0.0.1:{free_port()}")  # nothing listens there
    assert httpx.get(f"{gateway.url}/healthz", timeout=30).status_code == 503
    event = next(iter(simulate_events(load_standards(STANDARDS), ["mpp-medan"])))
    response = gateway.post(orjson.dumps(event))
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"


@pytest.mark.parametrize(
    ("tokens", "message"),
    [
        (None, "no tokens file: give --tokens PATH or set PANTAU_TOKENS"),
        ("missing.yaml", "missing.yaml: cannot read the file"),
        ("short: [mpp-medan]\n", "tokens.yaml: token #1: too short"),
        (f"{KIOSK}: [Bad Office]\n", "tokens.yaml: token #1: 'Bad Office' is not an office id"),
    ],
)
def test_a_bad_tokens_file_stops_the_gateway_with_one_line(
    tmp_path: Path, tokens: str | None, message: str
) -> None:
    args = [*PANTAU, "gateway", "--port", str(free_port()), "--broker", broker_address()]
    if tokens == "missing.yaml":
        args += ["--tokens", str(tmp_path / tokens)]
    elif tokens is not None:
        (tmp_path / "tokens.yaml").write_text(tokens)
        args += ["--tokens", str(tmp_path / "tokens.yaml")]
    done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith("pantau: error: ") and message in line
