"""Tests of the gateway's status API, stream and board page, with a fake status feed."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from pantau.settings import GatewaySettings
from pantau.standards import parse_standards
from producers.gateway import create_gateway
from producers.status_cache import StatusCache
from producers.tokens import parse_tokens
from tests.services import free_port
from tests.unit.test_gateway_app import FakeSender
from tests.unit.test_status_cache import record

TOKENS = parse_tokens("kiosk-medan-7f3a9c2e41: [mpp-medan]\n", "tokens.yaml")
STANDARDS = parse_standards(
    "timezone: Asia/Jakarta\ndefaults: {max_wait: 15m, max_processing: 10m, target: 0.9}\n"
    "offices:\n  mpp-medan:\n    name: MPP Kota Medan\n    services:\n"
    "      ktp-el: {name: KTP Elektronik}\n      paspor: {name: Paspor}\n",
    "standards.yaml",
)


class FakeFeed:
    """Hands records to the cache on the app's loop, as the Kafka feed does."""

    def __init__(self, cache: StatusCache, loop: asyncio.AbstractEventLoop) -> None:
        self.cache, self.loop, self.offset = cache, loop, 0
        self.started = self.stopped = False

    def start(self) -> None:
        self.started = True

    def stop(self, timeout: float = 5.0) -> None:
        self.stopped = True

    def push(self, value: bytes) -> None:
        self.offset += 1
        self.loop.call_soon_threadsafe(self.cache.apply, value, 0, self.offset)

    def loaded(self) -> None:
        self.loop.call_soon_threadsafe(setattr, self.cache, "ready", True)


def make_app(feeds: list[FakeFeed], **settings: Any) -> FastAPI:
    def factory(cache: StatusCache, loop: asyncio.AbstractEventLoop) -> FakeFeed:
        feeds.append(FakeFeed(cache, loop))
        return feeds[-1]

    return create_gateway(
        GatewaySettings.model_validate({"topic_prefix": "t", **settings}),
        TOKENS,
        sender_factory=FakeSender,
        status_feed_factory=factory,
        standards=STANDARDS,
    )


def settle(client: TestClient, path: str, status: int) -> httpx.Response:
    deadline = time.monotonic() + 5
    while (reply := client.get(path)).status_code != status and time.monotonic() < deadline:
        time.sleep(0.02)
    return reply


@pytest.fixture
def feeds() -> list[FakeFeed]:
    return []


@pytest.fixture
def client(feeds: list[FakeFeed]) -> Iterator[TestClient]:
    with TestClient(make_app(feeds)) as test_client:
        yield test_client
    assert feeds[0].started and feeds[0].stopped


def test_503_until_the_topic_is_read_then_404_for_an_unknown_office(
    client: TestClient, feeds: list[FakeFeed]
) -> None:
    reply = client.get("/v1/offices/mpp-medan/status")
    assert reply.status_code == 503 and reply.headers["retry-after"] == "2"
    feeds[0].loaded()
    reply = settle(client, "/v1/offices/nowhere/status", 404)
    assert reply.json() == {"detail": "no status for office 'nowhere'"}
    assert client.get("/v1/offices").json() == {"offices": []}
    assert client.get("/v1/offices/Bad Id/status").status_code == 422


def test_the_newest_record_is_served_and_listed(client: TestClient, feeds: list[FakeFeed]) -> None:
    feeds[0].push(record(at="2026-11-23T01:15:00Z", open=True))
    feeds[0].push(record(at="2026-11-23T01:14:00Z", open=False))  # older: ignored
    feeds[0].push(record("disdukcapil-binjai"))
    feeds[0].loaded()
    reply = settle(client, "/v1/offices", 200)
    assert reply.json() == {
        "offices": [
            {"office": "disdukcapil-binjai", "name": None, "at": "2026-11-23T01:15:00Z",
             "open": None},
            {"office": "mpp-medan", "name": "MPP Kota Medan", "at": "2026-11-23T01:15:00Z",
             "open": True},
        ]
    }  # fmt: skip
    status = client.get("/v1/offices/mpp-medan/status")
    assert status.status_code == 200
    assert status.headers["content-type"] == "application/json"
    assert status.json() == json.loads(record(at="2026-11-23T01:15:00Z", open=True))


def test_a_read_token_is_required_when_set(feeds: list[FakeFeed]) -> None:
    with TestClient(make_app(feeds, status_read_token="s3cret")) as client:
        feeds[0].push(record())
        feeds[0].loaded()
        for path in ("/v1/offices", "/v1/offices/mpp-medan/status", "/board/mpp-medan"):
            refused = client.get(path)
            assert refused.status_code == 401, path
            assert refused.json() == {
                "detail": "this gateway needs a read token: Authorization: Bearer TOKEN"
            }
            assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
        good = {"Authorization": "Bearer s3cret"}
        deadline = time.monotonic() + 5
        while client.get("/v1/offices", headers=good).json() == {"offices": []}:
            assert time.monotonic() < deadline
        assert client.get("/v1/offices/mpp-medan/status", headers=good).status_code == 200
        page = client.get("/board/mpp-medan?access_token=s3cret")
        assert page.status_code == 200
        assert "/v1/offices/mpp-medan/status/stream?access_token=s3cret" in page.text


def test_disabled_status_service_has_no_routes(feeds: list[FakeFeed]) -> None:
    with TestClient(make_app(feeds, status_enabled=False)) as client:
        assert client.get("/v1/offices").status_code == 404
    assert feeds == []


def test_openapi_documents_the_status_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    ids = {
        path: {method: op.get("operationId") for method, op in ops.items()}
        for path, ops in paths.items()
    }
    assert ids["/v1/offices"] == {"get": "listOffices"}
    assert ids["/v1/offices/{office}/status"] == {"get": "getOfficeStatus"}
    assert ids["/v1/offices/{office}/status/stream"] == {"get": "streamOfficeStatus"}
    assert ids["/board/{office}"] == {"get": "getBoard"}
    status = paths["/v1/offices/{office}/status"]["get"]["responses"]
    assert {"200", "404", "401", "503"} <= set(status)
    assert status["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/OfficeStatus"
    }
    stream = paths["/v1/offices/{office}/status/stream"]["get"]["responses"]["200"]
    assert "text/event-stream" in stream["content"]


def test_the_board_page_is_self_contained_and_localised(client: TestClient) -> None:
    page = client.get("/board/mpp-medan")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="id">' in html and '"name": "MPP Kota Medan"' in html
    assert '"ktp-el": "KTP Elektronik"' in html and '"timezone": "Asia/Jakarta"' in html
    assert "Data terakhir diperbarui {t} — koneksi terputus" in html
    # nothing loaded from elsewhere: no external scripts, styles, fonts or images
    for marker in ("http://", "https://", "<link", "src=", "@import", "url("):
        assert marker not in html, marker
    english = client.get("/board/mpp-medan?lang=en").text
    assert '<html lang="en">' in english and '"lang": "en"' in english
    assert client.get("/board/mpp-medan?lang=fr").status_code == 422


@pytest.fixture
def served(feeds: list[FakeFeed]) -> Iterator[str]:
    """The app on a real uvicorn server (streams need a real connection)."""
    port = free_port()
    app = make_app(feeds, status_heartbeat=0.3)
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def read_events(lines: Iterator[str], count: int) -> list[tuple[str, str]]:
    events: list[tuple[str, str]] = []
    name, data = "message", ""
    for line in lines:
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            data = line[6:]
        elif line == "" and data:
            events.append((name, data))
            name, data = "message", ""
            if len(events) == count:
                break
    return events


def test_the_stream_sends_the_current_record_then_new_ones_and_heartbeats(
    served: str, feeds: list[FakeFeed]
) -> None:
    feeds[0].push(record(at="2026-11-23T01:15:00Z"))
    feeds[0].loaded()
    assert httpx.get(f"{served}/v1/offices/nowhere/status/stream").status_code == 404
    with httpx.stream("GET", f"{served}/v1/offices/mpp-medan/status/stream", timeout=10) as reply:
        assert reply.status_code == 200
        assert reply.headers["content-type"].startswith("text/event-stream")
        lines = reply.iter_lines()
        first = read_events(lines, 1)
        assert first == [("status", record(at="2026-11-23T01:15:00Z").decode().replace(" ", ""))]
        feeds[0].push(record(at="2026-11-23T01:15:01Z", open=True))
        ((name, data),) = read_events(lines, 1)
        assert name == "status" and json.loads(data)["open"] is True
        beat = read_events(lines, 1)
        assert beat[0][0] == "heartbeat" and json.loads(beat[0][1]).endswith("Z")
