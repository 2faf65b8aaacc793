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
    TIMESTAMP_PATTERN,
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


def _fullmatch(pattern: str) -> Callable[[str], object]:
    # `$` in Python's re also matches before a final newline: fullmatch of the inner
    # pattern is what the contract's anchors mean.
    return re.compile(pattern.removeprefix("^").removesuffix("$")).fullmatch


def _remember(valid: set[str], value: str) -> None:
    if len(valid) >= _CACHE_LIMIT:
        valid.clear()
    valid.add(value)


_id_match = _fullmatch(ID_PATTERN)
_ticket_match = _fullmatch(TICKET_PATTERN)
_timestamp_match = _fullmatch(TIMESTAMP_PATTERN)
_IDS: set[str] = set()  # values seen to match ID_PATTERN
_TICKETS: set[str] = set()  # values seen to match TICKET_PATTERN


def _new_id(value: str) -> bool:
    if _id_match(value) is None:
        return False
    _remember(_IDS, value)
    return True


def _new_ticket(value: str) -> bool:
    if _ticket_match(value) is None:
        return False
    _remember(_TICKETS, value)
    return True


# Most events share their minute and offset with many others: a timestamp is read as its
# minute with its offset (checked and converted once, then remembered), the seconds, and
# the fraction.
_MINUTES: dict[str, int] = {}  # minute + offset text -> seconds since the epoch (UTC)
_SECONDS = {f":{n:02d}": n for n in range(60)}
_SCALES = tuple(10**digits for digits in range(10))
_FRACTIONS = {f"{n:0{width}d}": n for width in (1, 2, 3) for n in range(10**width)}


def _instant(text: str) -> float | None:
    """`contract.instant(text)` if text matches TIMESTAMP_PATTERN, else None (and None for
    29 February of a common year)."""
    end = len(text) - 1 if text[-1:] == "Z" else len(text) - 6
    if end < 19:
        return None
    minute = _MINUTES.get(text[:16] + text[end:])
    if minute is None:
        return _new_minute(text, end)
    seconds = _SECONDS.get(text[16:19])
    if seconds is None:
        return None
    if end == 19:
        return float(minute + seconds)
    if text[19] != ".":
        return None
    fraction = text[20:end]
    digits = _FRACTIONS.get(fraction)  # most have three digits or fewer
    if digits is None:
        if len(fraction) > 9 or not (fraction.isascii() and fraction.isdigit()):
            return None
        digits = int(fraction)
    # One correctly rounded division of exact integers, as contract.instant does.
    scale = _SCALES[len(fraction)]
    return ((minute + seconds) * scale + digits) / scale


def _new_minute(text: str, end: int) -> float | None:
    if _timestamp_match(text) is None:
        return None
    key = text[:16] + text[end:]
    try:
        minute = int(contract.instant(f"{text[:16]}:00{text[end:]}"))
    except ValueError:  # 29 February of a common year (pydantic's error is a ValueError)
        return None
    if len(_MINUTES) >= _CACHE_LIMIT:
        _MINUTES.clear()
    _MINUTES[key] = minute
    return contract.instant(text)


def _instant_if_valid(event: Any) -> float | None:
    """The instant of a decoded event whose pattern fields all match, else None."""
    # `event` is an Event; Any since its class is told by `type(event) is`, which is
    # cheaper per event than the isinstance checks that would narrow it for mypy.
    office, kind = event.office, type(event)
    if office not in _IDS and not _new_id(office):
        return None
    if kind is TicketIssued:
        second = event.service
    elif kind is TicketTransferred:
        second = event.to_service
    elif kind is TicketNoShow or kind is TicketCancelled:
        second = office
    elif kind is FeedbackSubmitted:
        # None is an absent ticket or an explicit null (refused): only the slow way knows
        if event.ticket is None:
            return None
        second = event.service
    else:  # a counter event or a visit event at a counter
        second = event.counter
    if second not in _IDS and not _new_id(second):
        return None
    if kind not in _COUNTER_KINDS:
        ticket = event.ticket
        if ticket not in _TICKETS and not _new_ticket(ticket):
            return None
    return _instant(event.occurred_at)


_COUNTER_KINDS = frozenset({CounterOpened, CounterPaused, CounterResumed, CounterClosed})

# pydantic's parser refuses JSON nested 200 deep, msgspec's goes further: a message with
# this many brackets at all (a real event has one or two) goes the slow way. A message
# msgspec accepts closes each bracket, so a shorter one cannot have as many.
_BRACKETS_LIMIT = 100
_SHORT = 2 * _BRACKETS_LIMIT


def decode(raw: bytes | str) -> Event:
    """Decode one message of the events topic, or raise MalformedEvent (as parse_event)."""
    if len(raw) > _SHORT:
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
    ts = _instant_if_valid(event)
    if ts is None:
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
