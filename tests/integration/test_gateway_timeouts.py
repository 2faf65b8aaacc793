"""Slow bodies, idle connections and too many connections, on real sockets against a real
gateway (uvicorn on 127.0.0.1, the local Kafka broker behind it)."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from pantau.settings import GatewaySettings
from producers.gateway import create_gateway, server_options
from producers.tokens import parse_tokens
from tests.services import GatewayProcess, free_port

pytestmark = pytest.mark.integration

KIOSK = "kiosk-medan-7f3a9c2e41"
OPS = "ops-all-offices-5b8d0e"
TOKENS = f"{KIOSK}: [mpp-medan]\n{OPS}: '*'\n"
SOCKETS = 60


def an_event() -> bytes:
    return json.dumps(
        {
            "event_id": str(uuid.uuid4()),
            "type": "ticket.issued",
            "occurred_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "office": "mpp-medan",
            "ticket": "A001",
            "service": "ktp-el",
        }
    ).encode()


@contextmanager
def running_gateway(broker: str, prefix: str, **fields: Any) -> Iterator[str]:
    """The gateway app on a real uvicorn server, configured as `pantau gateway` runs it."""
    settings = GatewaySettings(
        broker=broker, topic_prefix=prefix, gateway_port=free_port(), **fields
    )
    app = create_gateway(settings, parse_tokens(TOKENS, "tokens.yaml"))
    config = uvicorn.Config(app, **server_options(settings), log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the gateway did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{settings.gateway_port}"
    finally:
        server.should_exit = True
        thread.join(15)


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def connect(port: int, data: bytes = b"") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    if data:
        sock.sendall(data)
    return sock


def slow_post(token: str | None) -> bytes:
    """A request that declares a body of 1000 bytes and sends one."""
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return (
        f"POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}"
        "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
    ).encode()


def is_open(sock: socket.socket) -> bool:
    """True while the server has neither closed the connection nor sent anything."""
    sock.setblocking(False)
    try:
        sock.recv(1, socket.MSG_PEEK)  # b"" once closed; bytes once it answered
    except BlockingIOError:
        return True
    except ConnectionError:
        return False
    finally:
        sock.setblocking(True)
    return False


def read_until_closed(sock: socket.socket, deadline: float) -> bytes:
    """Everything the server sends until it closes the connection; fails at `deadline`."""
    data = b""
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"the server did not close the connection; it sent {data[:80]!r}"
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        except ConnectionError:
            return data
        if not chunk:
            return data
        data += chunk


def status_line(response: bytes) -> str:
    return response.split(b"\r\n", 1)[0].decode()


@pytest.fixture
def prefix() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


def test_slow_bodies_get_408_and_are_closed_after_the_body_timeout(
    broker: str, prefix: str
) -> None:
    timeout = 2.0
    with running_gateway(broker, prefix, gateway_body_timeout=timeout) as url, ExitStack() as stack:
        started = time.monotonic()
        sockets = [
            stack.enter_context(connect(port_of(url), slow_post(KIOSK))) for _ in range(SOCKETS)
        ]
        time.sleep(timeout / 2)
        assert all(is_open(s) for s in sockets), "closed before the body timeout"
        deadline = started + timeout + 5
        answers = [read_until_closed(s, deadline) for s in sockets]
        assert {status_line(a) for a in answers} == {"HTTP/1.1 408 Request Timeout"}
        assert all(b"connection: close" in a.lower() for a in answers)
        assert answers[0].endswith(b'{"detail":"the request body did not arrive within 2 s"}'), (
            answers[0]
        )
        assert time.monotonic() - started >= timeout
        # the gateway serves on as before
        sent = httpx.post(
            f"{url}/v1/events",
            content=an_event(),
            headers={"Authorization": f"Bearer {KIOSK}"},
            timeout=30,
        )
        assert sent.status_code == 202, sent.text


def test_a_response_before_the_body_is_read_closes_the_connection(broker: str, prefix: str) -> None:
    # 401 (no token) and a route that reads no body answer at once; the rest of the body
    # never comes, so the connection is closed with the answer instead of kept waiting.
    with running_gateway(broker, prefix, gateway_body_timeout=30) as url, ExitStack() as stack:
        port = port_of(url)
        unauthorized = [stack.enter_context(connect(port, slow_post(None))) for _ in range(30)]
        healthz = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\nx"
        health = [stack.enter_context(connect(port, healthz)) for _ in range(30)]
        deadline = time.monotonic() + 5  # far before the body timeout of 30 s
        for sock in unauthorized:
            answer = read_until_closed(sock, deadline)
            assert status_line(answer) == "HTTP/1.1 401 Unauthorized", answer
        for sock in health:
            answer = read_until_closed(sock, deadline)
            assert status_line(answer) == "HTTP/1.1 200 OK", answer
            assert b"connection: close" in answer.lower()


def test_idle_connections_and_slow_request_heads_are_closed(broker: str, prefix: str) -> None:
    idle = 3
    with running_gateway(broker, prefix, gateway_idle_timeout=idle) as url, ExitStack() as stack:
        port = port_of(url)
        started = time.monotonic()
        silent = [stack.enter_context(connect(port)) for _ in range(20)]
        trickling = [
            stack.enter_context(connect(port, b"GET /healthz HTTP/1.1\r\n")) for _ in range(20)
        ]
        # a keep-alive connection after one answered request
        kept = stack.enter_context(connect(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"))
        for _ in range(4):  # a header line every half second: never a whole request head
            time.sleep(0.5)
            for sock in trickling:
                assert is_open(sock), "closed before the idle timeout"
                sock.sendall(b"X-Slow: 1\r\n")
        deadline = started + idle + 5
        for sock in [*silent, *trickling]:
            assert read_until_closed(sock, deadline) == b""
        answered = read_until_closed(kept, deadline)  # the answer, then nothing but the close
        assert answered.startswith(b"HTTP/1.1 200 OK") and answered.endswith(b'"reachable"}')
        assert time.monotonic() - started >= idle
        assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200


def test_requests_past_the_connection_limit_get_503(broker: str, prefix: str) -> None:
    limit = 10
    with (
        running_gateway(
            broker, prefix, gateway_max_connections=limit, gateway_idle_timeout=2
        ) as url,
        ExitStack() as stack,
    ):
        held = [stack.enter_context(connect(port_of(url))) for _ in range(limit)]
        time.sleep(0.2)
        assert httpx.get(f"{url}/healthz", timeout=10).status_code == 503
        deadline = time.monotonic() + 7
        for sock in held:  # the idle ones go after the idle timeout, then there is room
            read_until_closed(sock, deadline)
        assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200


def test_pantau_gateway_times_out_slow_bodies(
    broker: str, prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real command, configured by its environment variable."""
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text(TOKENS)
    monkeypatch.setenv("PANTAU_GATEWAY_BODY_TIMEOUT", "1.5")
    gateway = GatewayProcess(prefix, tokens, tmp_path, broker).start()
    try:
        with ExitStack() as stack:
            started = time.monotonic()
            sockets = [
                stack.enter_context(connect(gateway.port, slow_post(KIOSK))) for _ in range(SOCKETS)
            ]
            deadline = started + 1.5 + 5
            answers = [read_until_closed(s, deadline) for s in sockets]
            assert {status_line(a) for a in answers} == {"HTTP/1.1 408 Request Timeout"}
            assert time.monotonic() - started >= 1.5
        assert gateway.post(an_event(), KIOSK).status_code == 202
    finally:
        gateway.stop()
