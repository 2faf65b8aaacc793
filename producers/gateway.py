"""The HTTP gateway: authenticated, validated event batches to Kafka, answered once acknowledged."""

import asyncio
import contextlib
import json
import logging
import signal
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from types import FrameType
from typing import Annotated, Any, Literal, Protocol

from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from kafka.errors import KafkaError
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from swagger_ui_bundle import swagger_ui_path
from uvicorn.protocols.http.h11_impl import H11Protocol

from pantau.events import MalformedEvent, future_reason, parse_event
from pantau.schema import event_json_schema
from pantau.settings import GatewaySettings
from pantau.standards import Standards, StandardsError, load_standards

from .board import _ReadRefused, read_refused_response, status_router
from .broker import Producer, broker_reachable, close_producer, kafka_producer
from .status_cache import StatusCache
from .status_feed import FeedMessage, KafkaStatusFeed
from .tokens import TokenTable, load_tokens

__all__ = [
    "BodyTimeout",
    "EventSender",
    "GatewayHttpProtocol",
    "KafkaEventSender",
    "SendFailed",
    "StatusFeed",
    "create_gateway",
    "server_options",
]

log = logging.getLogger("pantau.gateway")

EVENTS_PATH = "/v1/events"
DOCS_PATH = "/docs"
DOCS_ASSETS = "/docs/assets"


class SendFailed(Exception):
    """Kafka did not acknowledge every event of a request."""


class EventSender(Protocol):
    """Where the gateway puts accepted events (Kafka, or a fake in tests)."""

    def send_batch(self, events: Sequence[tuple[str, bytes]], timeout: float) -> None:
        """Send (office, payload) pairs in order; return once all are acknowledged."""

    def reachable(self) -> bool: ...

    def close(self) -> None: ...


class StatusFeed(Protocol):
    """What fills the status cache (a Kafka consumer, or a fake in tests)."""

    def start(self) -> None: ...

    def stop(self, timeout: float = 5.0) -> None: ...


StatusFeedFactory = Callable[[StatusCache, asyncio.AbstractEventLoop], StatusFeed]


def kafka_status_feed(settings: GatewaySettings) -> StatusFeedFactory:
    """A factory of the Kafka feed that hands each batch to the cache on the event loop."""

    def make(cache: StatusCache, loop: asyncio.AbstractEventLoop) -> StatusFeed:
        def apply(batch: list[FeedMessage]) -> None:
            for m in batch:
                cache.apply(m.value, m.partition, m.offset, m.key, m.received)

        def loaded() -> None:
            cache.ready = True

        def soon(function: Callable[..., None], *args: object) -> None:
            with contextlib.suppress(RuntimeError):  # the loop closed: the gateway stops
                loop.call_soon_threadsafe(function, *args)

        return KafkaStatusFeed(settings, lambda batch: soon(apply, batch), lambda: soon(loaded))

    return make


class KafkaEventSender:
    """One shared kafka-python producer, created on first use (so the gateway starts, and
    answers 503, while the broker is down)."""

    def __init__(
        self,
        settings: GatewaySettings,
        producer_factory: Callable[[], Producer] | None = None,
        probe: Callable[[], bool] | None = None,
    ) -> None:
        self._topic = settings.events_topic
        self._factory = producer_factory or (
            lambda: kafka_producer(settings, "pantau-gateway", settings.send_timeout)
        )
        self._probe = probe or (lambda: broker_reachable(settings))
        self._producer: Producer | None = None
        self._lock = threading.Lock()

    def send_batch(self, events: Sequence[tuple[str, bytes]], timeout: float) -> None:
        producer = self._get()
        deadline = time.monotonic() + timeout
        try:
            futures = [
                producer.send(self._topic, value=payload, key=office.encode())
                for office, payload in events
            ]
            for future in futures:
                future.get(timeout=max(0.0, deadline - time.monotonic()))
        except (KafkaError, OSError) as exc:
            self._replace(producer)
            raise SendFailed(f"Kafka did not acknowledge the events: {exc}") from exc

    def reachable(self) -> bool:
        return self._probe()

    def close(self) -> None:
        with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            close_producer(producer, 5.0)

    def _get(self) -> Producer:
        with self._lock:
            if self._producer is None:
                try:
                    self._producer = self._factory()
                except (KafkaError, OSError) as exc:
                    raise SendFailed(f"cannot reach Kafka: {exc}") from exc
            return self._producer

    def _replace(self, failed: Producer) -> None:
        # A producer that failed may be stuck in a fatal idempotence state: use a new one.
        with self._lock:
            if self._producer is failed:
                self._producer = None
        close_producer(failed, 0.0)


# --- response bodies (for the OpenAPI document) --------------------------------------------


class Accepted(BaseModel):
    """Kafka acknowledged every event of the request."""

    accepted: int = Field(description="How many events were sent.")
    event_ids: list[str] = Field(description="Their event ids, in request order.")


class EventError(BaseModel):
    index: int | None = Field(description="Position in the batch (0 for a single event).")
    field: str = Field(description="Dotted path of the field; empty for the whole event/body.")
    reason: str


class Invalid(BaseModel):
    """Some events break the contract: none of the request's events was sent."""

    detail: str
    errors: list[EventError]


class Problem(BaseModel):
    detail: str


class Health(BaseModel):
    """Whether the gateway reaches Kafka."""

    status: Literal["ok", "unavailable"]
    kafka: Literal["reachable", "unreachable"]


class BodyTimeout(Exception):
    """The request's body did not arrive within the gateway's body timeout."""


class _BodyDeadline:
    """ASGI middleware that bounds how long a request may take to send its body.

    Once a request's head is in, its whole body must arrive within `seconds`: reading it
    later raises BodyTimeout (POST /v1/events answers 408). A response that starts before
    the body was read to its end (401, 413, 408, or a route that reads no body) says
    `Connection: close`, so the server closes the connection after it instead of waiting
    for the rest of the body. No client can hold a connection by sending a body slowly.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app, self.seconds = app, seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = asyncio.get_running_loop().time() + self.seconds
        complete = not _declares_body(scope["headers"])
        started = False

        async def timed_receive() -> Message:
            nonlocal complete
            if complete:
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                if started:  # too late for a 408: the connection closes after the response
                    return {"type": "http.disconnect"}
                raise BodyTimeout(
                    f"the request body did not arrive within {self.seconds:g} s"
                ) from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                complete = True
            return message

        async def closing_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if not complete:
                    headers = [*message.get("headers", []), (b"connection", b"close")]
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, timed_receive, closing_send)


def _declares_body(headers: Sequence[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() != b"0"):
            return True
    return False


class GatewayHttpProtocol(H11Protocol):
    """uvicorn's h11 protocol, with its keep-alive clock also bounding a request's head.

    uvicorn starts the keep-alive clock only after a response and stops it at any byte, so
    a connection that sends nothing, or a request head a byte at a time, stays open for
    ever. Here the clock also starts when the connection opens, and only a whole request
    head stops it: `timeout_keep_alive` is the longest a connection may take to send a
    request head, from its opening or from the end of the previous response.
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )

    def data_received(self, data: bytes) -> None:
        # H11Protocol.data_received without stopping the clock: handle_events stops it
        # when the bytes complete a request head.
        self.conn.receive_data(data)
        self.handle_events()


def server_options(settings: GatewaySettings) -> dict[str, Any]:
    """uvicorn's options for the gateway (uvicorn.run(app, **server_options(settings)))."""
    return {
        "host": settings.gateway_host,
        "port": settings.gateway_port,
        "http": GatewayHttpProtocol,
        "timeout_keep_alive": settings.gateway_idle_timeout,
        "limit_concurrency": settings.gateway_max_connections,
    }


class _Refusal(Exception):
    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers


def create_gateway(
    settings: GatewaySettings,
    tokens: TokenTable | None = None,
    *,
    producer_factory: Callable[[], Producer] | None = None,
    sender_factory: Callable[[], EventSender] | None = None,
    probe: Callable[[], bool] | None = None,
    registry: CollectorRegistry | None = None,
    status_feed_factory: StatusFeedFactory | None = None,
    standards: Standards | None = None,
) -> FastAPI:
    """The gateway app; nothing connects to Kafka until it starts serving.

    `tokens` defaults to the file named by settings.tokens. Tests pass their own
    `producer_factory` (a fake producer), `probe` (Kafka health) or a whole `sender_factory`,
    and a `status_feed_factory` that fills the status cache. `standards` (default: the file
    of settings.standards, if any) names the offices and services on the board.
    """
    if tokens is None:
        if settings.tokens is None:
            raise ValueError("no tokens: set settings.tokens or pass tokens")
        tokens = load_tokens(settings.tokens)
    table = tokens
    registry = registry or CollectorRegistry()
    requests_total = Counter(
        "pantau_gateway_requests",
        f"Requests to POST {EVENTS_PATH}, by HTTP status.",
        ["status"],
        registry=registry,
    )
    events_total = Counter(
        "pantau_gateway_events",
        "Events by result: accepted (acknowledged by Kafka), rejected (in a request refused "
        "with 403 or 422), failed (Kafka did not acknowledge them: 503).",
        ["result"],
        registry=registry,
    )
    make_sender = sender_factory or (lambda: KafkaEventSender(settings, producer_factory, probe))
    bearer = HTTPBearer(
        auto_error=False, description="A token of the gateway's tokens file.", scheme_name="token"
    )

    if standards is None and settings.standards is not None:
        try:
            standards = load_standards(settings.standards)
        except StandardsError as exc:
            log.warning("the board shows ids, not names: %s", exc)
    cache = StatusCache(queue_size=settings.status_client_queue)
    make_feed = status_feed_factory or kafka_status_feed(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.sender = make_sender()
        feed: StatusFeed | None = None
        restore = _end_streams_on_exit(cache, asyncio.get_running_loop())
        if settings.status_enabled:
            feed = make_feed(cache, asyncio.get_running_loop())
            feed.start()
        try:
            yield
        finally:
            restore()
            cache.close()
            if feed is not None:
                await run_in_threadpool(feed.stop, 2.0)
            await run_in_threadpool(app.state.sender.close)

    app = FastAPI(
        title="pantau gateway",
        version="1",
        summary="Send counter-system events to pantau over HTTP.",
        lifespan=lifespan,
        docs_url=None,  # served below from the package's own Swagger UI files, not a CDN
        redoc_url=None,
    )
    app.state.registry = registry
    app.add_middleware(_BodyDeadline, seconds=settings.gateway_body_timeout)
    app.add_exception_handler(BodyTimeout, lambda _r, e: JSONResponse({"detail": str(e)}, 408))
    _serve_docs(app)
    app.state.status_cache = cache
    if settings.status_enabled:
        app.include_router(status_router(settings, cache, standards))
        app.add_exception_handler(_ReadRefused, lambda _r, _e: read_refused_response())

    @app.post(
        EVENTS_PATH,
        operation_id="sendEvents",
        status_code=202,
        summary="Send one event or a batch of events",
        description=(
            f"One event object, or a JSON array of 1 to {settings.gateway_max_batch}. The "
            "answer 202 comes once Kafka acknowledged every event of the request. If any "
            "event is invalid (422) or for an office the token may not send for (403), none "
            "is sent. On 503, send the same events again: the pipeline ignores an event_id it "
            "has seen."
        ),
        response_model=Accepted,
        responses={
            401: {"model": Problem, "description": "No valid bearer token."},
            403: {"model": Problem, "description": "An event for an office the token lacks."},
            408: {
                "model": Problem,
                "description": f"The body did not arrive within {settings.gateway_body_timeout:g} "
                "s of the request's headers; the connection is closed.",
            },
            413: {"model": Problem, "description": "The body is over the size limit."},
            422: {
                "model": Invalid,
                "description": "Not JSON, or events break the contract, or an event is more "
                "than 5 minutes ahead of the gateway's clock (field occurred_at).",
            },
            503: {"model": Problem, "description": "Kafka did not acknowledge: retry."},
        },
    )
    async def post_events(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Response:
        try:
            response = await _accept(request, credentials)
        except _Refusal as refusal:
            response = JSONResponse(refusal.body, refusal.status, headers=refusal.headers)
        requests_total.labels(str(response.status_code)).inc()
        return response

    async def _accept(
        request: Request, credentials: HTTPAuthorizationCredentials | None
    ) -> Response:
        grant = table.grant(credentials.credentials) if credentials else None
        if grant is None:
            challenge = 'Bearer realm="pantau"' + (', error="invalid_token"' if credentials else "")
            raise _Refusal(
                401, {"detail": "missing or unknown bearer token"}, {"WWW-Authenticate": challenge}
            )
        try:
            body = await _read_body(request, settings.gateway_max_body)
        except BodyTimeout as exc:
            raise _Refusal(408, {"detail": str(exc)}) from None
        items = _decode(body, settings.gateway_max_batch)
        payloads: list[bytes] = []
        errors: list[dict[str, Any]] = []
        offices: list[str] = []
        event_ids: list[str] = []
        for index, item in enumerate(items):
            # The exact bytes the worker will parse, checked by the worker's own parser.
            payload = json.dumps(item, separators=(",", ":"), allow_nan=True).encode()
            try:
                event = parse_event(payload)
            except MalformedEvent as exc:
                errors += [{"index": index, "field": f, "reason": r} for f, r in exc.errors]
                continue
            too_early = future_reason(event, time.time(), "the gateway's clock")
            if too_early is not None:  # the worker would reject it as `future`
                errors.append({"index": index, "field": "occurred_at", "reason": too_early})
                continue
            payloads.append(payload)
            offices.append(event.office)
            event_ids.append(event.event_id)
        if errors:
            events_total.labels("rejected").inc(len(items))
            bad = len({e["index"] for e in errors})
            raise _Refusal(
                422,
                {
                    "detail": f"{bad} of {len(items)} event(s) invalid; none was sent",
                    "errors": errors,
                },
            )
        forbidden = sorted({office for office in offices if not grant.allows(office)})
        if forbidden:
            events_total.labels("rejected").inc(len(items))
            names = ", ".join(forbidden)
            raise _Refusal(
                403, {"detail": f"this token may not send events for office {names}; none was sent"}
            )
        sender: EventSender = request.app.state.sender
        try:
            await run_in_threadpool(
                sender.send_batch, list(zip(offices, payloads, strict=True)), settings.send_timeout
            )
        except SendFailed as exc:
            events_total.labels("failed").inc(len(items))
            log.warning("%s", exc)
            raise _Refusal(
                503,
                {"detail": f"{exc}; send the same events again"},
                {"Retry-After": "5"},
            ) from None
        events_total.labels("accepted").inc(len(items))
        return JSONResponse({"accepted": len(event_ids), "event_ids": event_ids}, 202)

    @app.get(
        "/healthz",
        operation_id="getHealth",
        summary="Whether Kafka is reachable (200) or not (503)",
        response_model=Health,
        responses={503: {"model": Health, "description": "Kafka is unreachable."}},
    )
    async def healthz(request: Request) -> JSONResponse:
        sender: EventSender = request.app.state.sender
        if await run_in_threadpool(sender.reachable):
            return JSONResponse({"status": "ok", "kafka": "reachable"})
        return JSONResponse({"status": "unavailable", "kafka": "unreachable"}, 503)

    @app.get(
        "/metrics",
        operation_id="getMetrics",
        summary="The gateway's own Prometheus metrics",
        response_class=PlainTextResponse,
        responses={
            200: {
                "description": "The Prometheus text exposition format.",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        },
    )
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    public_reads = settings.status_read_token is None
    app.openapi = lambda: _openapi(app, settings.gateway_max_batch, public_reads)  # type: ignore[method-assign]
    return app


def _serve_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from the files of the swagger-ui-bundle-v2 package (imported as
    swagger_ui_bundle), not from a CDN: office networks are often closed."""
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get(DOCS_PATH, include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=root + (app.openapi_url or "/openapi.json"),
            title=f"{app.title} - API",
            swagger_js_url=f"{root}{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{DOCS_ASSETS}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},  # no calls to validator.swagger.io
        )


def _end_streams_on_exit(cache: StatusCache, loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
    """On SIGTERM/SIGINT, end the status streams, then let the server's handler run.

    uvicorn waits for open responses before it stops, and a status stream never ends by
    itself. Returns what restores the previous handlers.
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None  # signals reach the main thread only (tests run apps elsewhere)
    previous: dict[int, Any] = {}

    def handle(signum: int, frame: FrameType | None) -> None:
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(cache.close)
        handler = previous.get(signum)
        if callable(handler):
            handler(signum, frame)

    for signum in (signal.SIGTERM, signal.SIGINT):
        previous[signum] = signal.signal(signum, handle)

    def restore() -> None:
        for signum, handler in previous.items():
            if signal.getsignal(signum) is handle:
                signal.signal(signum, handler)

    return restore


async def _read_body(request: Request, limit: int) -> bytes:
    too_large = _Refusal(413, {"detail": f"request body larger than {limit} bytes"})
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():  # also bounds chunked bodies with no length
        body += chunk
        if len(body) > limit:
            raise too_large
    return bytes(body)


def _decode(body: bytes, max_batch: int) -> list[Any]:
    """The events of a body: one object, or an array of 1 to max_batch."""

    def invalid(reason: str) -> _Refusal:
        error = {"index": None, "field": "", "reason": reason}
        return _Refusal(422, {"detail": reason, "errors": [error]})

    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise invalid(f"not UTF-8: {exc.reason} at offset {exc.start}") from None
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        raise invalid(f"not JSON: {exc}") from None
    except RecursionError:  # no event nests more than a few levels
        raise invalid("not an event: JSON nested too deeply") from None
    if isinstance(document, list):
        if not 1 <= len(document) <= max_batch:
            raise invalid(f"a batch holds 1 to {max_batch} events, not {len(document)}")
        return document
    return [document]


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def _openapi(app: FastAPI, max_batch: int, public_reads: bool) -> dict[str, Any]:
    """FastAPI's document plus the event schema as the request body of POST /v1/events;
    with `public_reads` (no read token set), the status API and board need no token."""
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title, version=app.version, summary=app.summary, routes=app.routes
    )
    event = json.loads(
        json.dumps(event_json_schema()).replace('"#/$defs/', '"#/components/schemas/')
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(event.pop("$defs"))
    event.pop("$schema", None)
    schemas["Event"] = event
    ref = {"$ref": "#/components/schemas/Event"}
    batch = {"type": "array", "items": ref, "minItems": 1, "maxItems": max_batch}
    document["paths"][EVENTS_PATH]["post"]["requestBody"] = {
        "required": True,
        "content": {"application/json": {"schema": {"oneOf": [ref, batch]}}},
    }
    if public_reads:
        for operations in document["paths"].values():
            for operation in operations.values():
                if operation.get("security") == [{"read_token": []}]:
                    operation["security"] = [{}, {"read_token": []}]
    app.openapi_schema = document
    return document
