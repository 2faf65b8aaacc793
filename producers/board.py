"""The public status API (JSON and Server-Sent Events) and the waiting-room board page."""

import asyncio
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from pantau.events import ID_PATTERN
from pantau.settings import GatewaySettings
from pantau.standards import Standards
from pantau.status import OfficeStatus

from .status_cache import StatusCache, StatusEntry

__all__ = ["OfficeList", "OfficeSummary", "board_page", "status_router"]

log = logging.getLogger("pantau.gateway.status")

SSE_MEDIA_TYPE = "text/event-stream"


class OfficeSummary(BaseModel):
    """An office whose status record the service holds."""

    office: str
    name: str | None = Field(description="From the standards file; null if it has none.")
    at: str = Field(description="The `at` of its newest record (the office's now).")
    open: bool | None = Field(description="As in the record.")


class OfficeList(BaseModel):
    offices: list[OfficeSummary] = Field(description="Sorted by office id.")


class StatusProblem(BaseModel):
    detail: str


class EventStreamResponse(StreamingResponse):
    """A Server-Sent Events stream (so the OpenAPI document names text/event-stream only)."""

    media_type = SSE_MEDIA_TYPE


def _problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status, headers=headers)


_UNAUTHORIZED: dict[int | str, dict[str, Any]] = {
    401: {
        "model": StatusProblem,
        "description": "The gateway sets a read token, and the request has none or a wrong one.",
    }
}
_PROBLEM_JSON = {"application/json": {"schema": {"$ref": "#/components/schemas/StatusProblem"}}}
_LOADING: dict[int | str, dict[str, Any]] = {
    503: {
        "model": StatusProblem,
        "description": "The service is still reading the status topic: retry.",
    }
}
OfficeId = Annotated[str, Path(pattern=ID_PATTERN, description="The office id.")]


def status_router(
    settings: GatewaySettings, cache: StatusCache, standards: Standards | None
) -> APIRouter:
    """The routes of the status API and the board, reading `cache`."""
    router = APIRouter()
    token = settings.status_read_token.get_secret_value() if settings.status_read_token else None
    bearer = HTTPBearer(
        auto_error=False,
        scheme_name="read_token",
        description="The read token (PANTAU_STATUS_READ_TOKEN), only if the gateway sets one; "
        "EventSource clients may pass it as ?access_token= instead.",
    )

    async def reader(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        access_token: Annotated[
            str | None,
            Query(description="The read token, for clients that cannot send headers."),
        ] = None,
    ) -> None:
        if token is None:
            return
        given = credentials.credentials if credentials else access_token
        if given is None or not hmac.compare_digest(given.encode(), token.encode()):
            raise _ReadRefused()

    guarded = [Depends(reader)]

    def loading() -> JSONResponse | None:
        if cache.ready:
            return None
        return _problem(503, "still reading the office status topic; retry", {"Retry-After": "2"})

    def unknown(office: str) -> JSONResponse:
        return _problem(404, f"no status for office {office!r}")

    @router.get(
        "/v1/offices",
        operation_id="listOffices",
        summary="The offices with a status record",
        response_model=OfficeList,
        responses={**_UNAUTHORIZED, **_LOADING},
        tags=["status"],
        dependencies=guarded,
    )
    async def list_offices() -> Response:
        if (busy := loading()) is not None:
            return busy
        offices = [
            {
                "office": e.office,
                "name": standards.office_name(e.office) if standards else None,
                "at": e.record["at"],
                "open": e.record["open"],
            }
            for e in cache.offices()
        ]
        return JSONResponse({"offices": offices})

    @router.get(
        "/v1/offices/{office}/status",
        operation_id="getOfficeStatus",
        summary="The office's live status (its newest record, CONTRACT §6)",
        response_model=None,
        responses={
            200: {"model": OfficeStatus, "description": "The newest status record."},
            404: {"model": StatusProblem, "description": "No record for this office."},
            **_UNAUTHORIZED,
            **_LOADING,
        },
        tags=["status"],
        dependencies=guarded,
    )
    async def office_status(office: OfficeId) -> Response:
        if (busy := loading()) is not None:
            return busy
        entry = cache.get(office)
        if entry is None:
            return unknown(office)
        return Response(entry.data, media_type="application/json")

    @router.get(
        "/v1/offices/{office}/status/stream",
        operation_id="streamOfficeStatus",
        summary="The office's status as Server-Sent Events",
        description=(
            "`event: status` with the newest record at once (if there is one), then one per "
            "new record (`id`: partition-offset; `data`: the record as JSON); `event: "
            "heartbeat` (data: the gateway's clock) every "
            f"{settings.status_heartbeat:g} s. A client too slow to read skips to newer "
            "records. 404 only once the topic is read and the office has no record."
        ),
        response_model=None,
        response_class=EventStreamResponse,
        responses={
            200: {
                "description": "An endless text/event-stream.",
                "content": {SSE_MEDIA_TYPE: {"schema": {"type": "string"}}},
            },
            # JSON like every error, though the stream is text/event-stream
            404: {"description": "No record for this office.", "content": _PROBLEM_JSON},
            401: {"description": _UNAUTHORIZED[401]["description"], "content": _PROBLEM_JSON},
        },
        tags=["status"],
        dependencies=guarded,
    )
    async def office_stream(office: OfficeId, request: Request) -> Response:
        if cache.ready and cache.get(office) is None:
            return unknown(office)
        subscription = cache.subscribe(office)

        async def events() -> AsyncIterator[bytes]:
            try:
                yield b"retry: 5000\n\n"
                current = cache.get(office)
                if current is not None:
                    yield _status_event(current)
                while True:
                    try:
                        entry = await asyncio.wait_for(
                            subscription.queue.get(), settings.status_heartbeat
                        )
                    except TimeoutError:
                        if await request.is_disconnected():
                            return
                        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
                        yield f"event: heartbeat\ndata: {json.dumps(now)}\n\n".encode()
                        continue
                    if entry is None:  # the gateway stops: clients reconnect elsewhere
                        return
                    yield _status_event(entry)
            finally:
                cache.unsubscribe(subscription)

        return EventStreamResponse(
            events(),
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    @router.get(
        "/board/{office}",
        operation_id="getBoard",
        summary="The waiting-room board of the office (HTML, full screen, live)",
        response_class=HTMLResponse,
        responses={
            200: {"description": "The page.", "content": {"text/html": {}}},
            # JSON like every error, though the page is HTML
            401: {"description": _UNAUTHORIZED[401]["description"], "content": _PROBLEM_JSON},
        },
        tags=["board"],
        dependencies=guarded,
    )
    async def board(
        office: OfficeId,
        request: Request,
        lang: Annotated[str, Query(pattern="^(id|en)$", description="id or en")] = "id",
    ) -> HTMLResponse:
        access_token = request.query_params.get("access_token") if token else None
        return HTMLResponse(
            board_page(office, lang, standards, access_token),
            headers={"Cache-Control": "no-store"},
        )

    return router


class _ReadRefused(Exception):
    """No or a wrong read token."""


def read_refused_response() -> JSONResponse:
    return _problem(
        401,
        "this gateway needs a read token: Authorization: Bearer TOKEN",
        {"WWW-Authenticate": 'Bearer realm="pantau-status"'},
    )


def _status_event(entry: StatusEntry) -> bytes:
    return b"event: status\nid: " + entry.event_id.encode() + b"\ndata: " + entry.data + b"\n\n"


def board_page(
    office: str, lang: str, standards: Standards | None, access_token: str | None = None
) -> str:
    """The board's HTML: the template with the office's config inlined (no external assets)."""
    stream = f"/v1/offices/{office}/status/stream"
    if access_token:
        from urllib.parse import quote

        stream += f"?access_token={quote(access_token)}"
    services: dict[str, str] = {}
    if standards is not None:
        for office_id, service in standards.configured():
            if office_id == office:
                services[service] = standards.service_name(office, service) or service
    config: dict[str, Any] = {
        "office": office,
        "name": (standards.office_name(office) if standards else None) or office,
        "lang": lang,
        "stream": stream,
        "services": services,
        "timezone": standards.timezone_of(office) if standards else None,
        "rendered": time.time(),
    }
    # Inside <script>: no "</" may close it early.
    inline = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")
    template = resources.files("producers").joinpath("static/board.html").read_text("utf-8")
    return template.replace("__LANG__", lang).replace("/*__CONFIG__*/null", inline)
