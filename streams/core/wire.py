"""The core's events: msgspec structs, decoded with exactly `parse_event`'s verdicts, faster.

`pantau.events` (pydantic) stays the contract: its models make the JSON Schema and every
error message. The per-event path decodes into the structs below instead, because that is
a tenth of the cost of building a pydantic model. msgspec checks the shape (types,
required fields, lengths, scores) in C; the patterns are checked here against caches of
values already seen valid, since offices, services, counters, tickets and minutes repeat.
Anything this decoder is not sure of goes to `parse_event`, which either rejects it with
the contract's reason or accepts it (then the model is converted): so an accepted message
gives the same event either way, and a rejected one the same reasons (tests/unit/
test_wire.py checks both over generated messages).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal

import msgspec
from msgspec.structs import force_setattr

from pantau import events as contract
from pantau.events import (
    ID_PATTERN,
    SCORE_ELEMENTS,
    TICKET_PATTERN,
    TIMESTAMP_MINUTE,
    TIMESTAMP_REST,
    MalformedEvent,
    ScoreElement,
)

__all__ = [
    "CounterClosed",
    "CounterEvent",
    "CounterOpened",
    "CounterPaused",
    "CounterResumed",
    "Event",
    "FeedbackSubmitted",
    "MalformedEvent",
    "ServiceCompleted",
    "ServiceStarted",
    "TicketCalled",
    "TicketCancelled",
    "TicketIssued",
    "TicketNoShow",
    "TicketTransferred",
    "VisitEvent",
    "decode",
    "from_model",
]

# The JSON name of `ts`, which is computed, never read: a message that has this key still
# gets its own `ts`, and one whose value is not a number goes the slow way (and the
# contract ignores unknown keys).
_TS_KEY = "pantau:ts"

EventId = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
Score = Annotated[int, msgspec.Meta(ge=1, le=4)]
Scores = Annotated[dict[ScoreElement, Score], msgspec.Meta(min_length=1)]


class _Event(msgspec.Struct, tag_field="type", frozen=True, kw_only=True):
    """Fields every event has; `type` is the tag, a class attribute."""

    type: ClassVar[str]
    event_id: EventId
    occurred_at: str
    office: str
    # seconds since the epoch of occurred_at, set by the decoder
    ts: float = msgspec.field(default=0.0, name=_TS_KEY)


class TicketIssued(_Event, frozen=True, tag="ticket.issued"):
    type: ClassVar[Literal["ticket.issued"]] = "ticket.issued"
    ticket: str
    service: str


class TicketCalled(_Event, frozen=True, tag="ticket.called"):
    type: ClassVar[Literal["ticket.called"]] = "ticket.called"
    ticket: str
    counter: str


class ServiceStarted(_Event, frozen=True, tag="service.started"):
    type: ClassVar[Literal["service.started"]] = "service.started"
    ticket: str
    counter: str


class ServiceCompleted(_Event, frozen=True, tag="service.completed"):
    type: ClassVar[Literal["service.completed"]] = "service.completed"
    ticket: str
    counter: str


class TicketTransferred(_Event, frozen=True, tag="ticket.transferred"):
    type: ClassVar[Literal["ticket.transferred"]] = "ticket.transferred"
    ticket: str
    to_service: str


class TicketNoShow(_Event, frozen=True, tag="ticket.no_show"):
    type: ClassVar[Literal["ticket.no_show"]] = "ticket.no_show"
    ticket: str


class TicketCancelled(_Event, frozen=True, tag="ticket.cancelled"):
    type: ClassVar[Literal["ticket.cancelled"]] = "ticket.cancelled"
    ticket: str


class CounterEvent(_Event, frozen=True):
    """A counter opened, paused, resumed or closed (one struct per tag)."""

    counter: str


class CounterOpened(CounterEvent, frozen=True, tag="counter.opened"):
    type: ClassVar[Literal["counter.opened"]] = "counter.opened"


class CounterPaused(CounterEvent, frozen=True, tag="counter.paused"):
    type: ClassVar[Literal["counter.paused"]] = "counter.paused"


class CounterResumed(CounterEvent, frozen=True, tag="counter.resumed"):
    type: ClassVar[Literal["counter.resumed"]] = "counter.resumed"


class CounterClosed(CounterEvent, frozen=True, tag="counter.closed"):
    type: ClassVar[Literal["counter.closed"]] = "counter.closed"


class FeedbackSubmitted(_Event, frozen=True, tag="feedback.submitted"):
    type: ClassVar[Literal["feedback.submitted"]] = "feedback.submitted"
    service: str
    scores: Scores
    ticket: str | None = None


VisitEvent = (
    TicketIssued | TicketCalled | ServiceStarted | ServiceCompleted | TicketTransferred
    | TicketNoShow | TicketCancelled
)  # fmt: skip
Event = (
    VisitEvent | CounterOpened | CounterPaused | CounterResumed | CounterClosed
    | FeedbackSubmitted
)  # fmt: skip

STRUCTS: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        TicketIssued, TicketCalled, ServiceStarted, ServiceCompleted, TicketTransferred,
        TicketNoShow, TicketCancelled, CounterOpened, CounterPaused, CounterResumed,
        CounterClosed, FeedbackSubmitted,
    )
}  # fmt: skip
assert set(STRUCTS) == set(contract.EVENT_TYPES)
assert SCORE_ELEMENTS == contract.SCORE_ELEMENTS

_DECODER = msgspec.json.Decoder(Event)

# --- the patterns, checked once per distinct value ----------------------------------------

_CACHE_LIMIT = 65_536  # per cache; a full cache is emptied (a miss only costs a regex)


def _cached(pattern: str) -> Callable[[str], bool]:
    """A check of `pattern` (anchored at both ends, as in the contract) that remembers hits."""
    # `$` in Python's re also matches before a final newline: fullmatch of the inner
    # pattern is what the contract's anchors mean.
    inner = pattern.removeprefix("^").removesuffix("$")
    fullmatch = re.compile(inner).fullmatch
    valid: set[str] = set()

    def check(value: str) -> bool:
        if value in valid:
            return True
        if fullmatch(value) is None:
            return False
        if len(valid) >= _CACHE_LIMIT:
            valid.clear()
        valid.add(value)
        return True

    return check


_is_id = _cached(ID_PATTERN)
_is_ticket = _cached(TICKET_PATTERN)
_is_minute = _cached(TIMESTAMP_MINUTE)
_is_rest = _cached(TIMESTAMP_REST)


def _valid(event: Event) -> bool:
    """Whether the fields msgspec cannot check match their patterns."""
    text = event.occurred_at
    if not (_is_minute(text[:16]) and _is_rest(text[16:]) and _is_id(event.office)):
        return False
    if isinstance(event, CounterEvent):
        return _is_id(event.counter)
    if isinstance(event, FeedbackSubmitted):
        # None is an absent ticket or an explicit null (refused): only the slow way knows
        return event.ticket is not None and _is_id(event.service) and _is_ticket(event.ticket)
    if not _is_ticket(event.ticket):
        return False
    if isinstance(event, TicketIssued):
        return _is_id(event.service)
    if isinstance(event, TicketTransferred):
        return _is_id(event.to_service)
    if isinstance(event, (TicketCalled, ServiceStarted, ServiceCompleted)):
        return _is_id(event.counter)
    return True


# pydantic's parser refuses JSON nested 200 deep, msgspec's goes further: a message with
# this many brackets at all (a real event has one or two) goes the slow way.
_BRACKETS_LIMIT = 100


def decode(raw: bytes | str) -> Event:
    """Decode one message of the events topic, or raise MalformedEvent (as parse_event)."""
    if isinstance(raw, bytes):
        brackets = raw.count(b"{") + raw.count(b"[")
    else:
        brackets = raw.count("{") + raw.count("[")
    if brackets > _BRACKETS_LIMIT:
        return _slow(raw)
    try:
        event = _DECODER.decode(raw)
    except (msgspec.DecodeError, UnicodeError):  # DecodeError includes ValidationError; a
        return _slow(raw)  # str with a lone surrogate cannot be encoded
    if not _valid(event):
        return _slow(raw)
    try:
        ts = contract.instant(event.occurred_at)
    except ValueError:  # 29 February of a common year (pydantic's error is a ValueError)
        return _slow(raw)
    force_setattr(event, "ts", ts)
    return event


def _slow(raw: bytes | str) -> Event:
    return from_model(contract.parse_event(raw))


def from_model(model: contract.Event) -> Event:
    """The struct of a pydantic event (which has already been validated)."""
    fields: dict[str, Any] = dict(model.__dict__)
    kind = fields.pop("type")
    return STRUCTS[kind](**fields)
