"""Event models of CONTRACT §2 and the strict parser for messages on the events topic."""

import json
import re
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol, Self, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

__all__ = [
    "COUNTER_EVENT_TYPES",
    "EVENT_TYPES",
    "FUTURE_SECONDS",
    "ID_PATTERN",
    "SCORE_ELEMENTS",
    "TICKET_PATTERN",
    "TIMESTAMP_PATTERN",
    "CounterEvent",
    "Event",
    "EventType",
    "FeedbackSubmitted",
    "MalformedEvent",
    "ScoreElement",
    "ServiceCompleted",
    "ServiceStarted",
    "TicketCalled",
    "TicketCancelled",
    "TicketIssued",
    "TicketNoShow",
    "TicketTransferred",
    "Timed",
    "future_reason",
    "instant",
    "parse_event",
    "parse_event_obj",
]

EventType = Literal[
    "ticket.issued",
    "ticket.called",
    "service.started",
    "service.completed",
    "ticket.transferred",
    "ticket.no_show",
    "ticket.cancelled",
    "counter.opened",
    "counter.paused",
    "counter.resumed",
    "counter.closed",
    "feedback.submitted",
]
CounterEventType = Literal["counter.opened", "counter.paused", "counter.resumed", "counter.closed"]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)
COUNTER_EVENT_TYPES: tuple[str, ...] = get_args(CounterEventType)

ScoreElement = Literal["u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9"]
SCORE_ELEMENTS: tuple[str, ...] = get_args(ScoreElement)

# `$` means end of input in both pydantic's Rust regex engine and ECMA-262 (JSON Schema),
# so the same patterns serve the models and the published schema.
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
TICKET_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$"
_DATE = (
    r"[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|[12][0-9]))"
)
_OFFSET = r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
_MINUTE = f"{_DATE}T(?:[01][0-9]|2[0-3]):[0-5][0-9]"
_REST = f":[0-5][0-9](?:\\.[0-9]{{1,9}})?{_OFFSET}"
# Everything but 29 February of a common year, which the model validator rejects.
TIMESTAMP_PATTERN = f"^{_MINUTE}{_REST}$"

EventId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128),
    Field(
        description="Unique id of the event (a UUID); kept unchanged when the producer retries.",
        examples=["9880e88b-c841-421e-88a9-48145ca2c132"],
    ),
]
Timestamp = Annotated[
    str,
    StringConstraints(pattern=TIMESTAMP_PATTERN),
    Field(
        description=(
            "When it happened: RFC 3339 with an upper-case T, seconds, an optional fraction "
            "of 1 to 9 digits and a mandatory offset (Z or ±HH:MM)."
        ),
        examples=["2026-11-23T08:01:02+07:00", "2026-11-23T01:01:02.250Z"],
        json_schema_extra={"format": "date-time"},
    ),
]
OfficeId = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN),
    Field(description="Id of the office; also the Kafka message key.", examples=["mpp-medan"]),
]
ServiceId = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN),
    Field(description="Id of a service of the office.", examples=["ktp-el"]),
]
CounterId = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN),
    Field(description="Id of a counter (loket) of the office.", examples=["loket-01"]),
]
TicketId = Annotated[
    str,
    StringConstraints(pattern=TICKET_PATTERN),
    Field(
        description="The queue number; unique in the office while its visit is open.",
        examples=["A001"],
    ),
]
Score = Annotated[int, Field(ge=1, le=4)]
Scores = Annotated[
    dict[ScoreElement, Score],
    Field(
        min_length=1,
        description=(
            "SKM scores (Permenpan RB 14/2017), 1 to 4 per element answered: u1 requirements, "
            "u2 procedure, u3 completion time, u4 cost, u5 product, u6 officer competence, "
            "u7 officer behaviour, u8 complaint handling, u9 facilities."
        ),
        examples=[{"u1": 4, "u2": 3, "u7": 4}],
    ),
]

if TYPE_CHECKING:
    OptionalTicketId = str | None
else:
    # Absent means None, but an explicit null is not a ticket id: the default is not
    # validated, and a present value must pass TicketId.
    OptionalTicketId = TicketId


def _no_default(schema: dict[str, Any]) -> None:
    # A null ticket is malformed, so the schema must not suggest one.
    schema.pop("default", None)


def _example(type_: str, **fields: Any) -> ConfigDict:
    example = {
        "event_id": "9880e88b-c841-421e-88a9-48145ca2c132",
        "type": type_,
        "occurred_at": "2026-11-23T08:01:02+07:00",
        "office": "mpp-medan",
        **fields,
    }
    return ConfigDict(json_schema_extra={"examples": [example]})


class _Event(BaseModel):
    """Fields every event has."""

    model_config = ConfigDict(strict=True, frozen=True, extra="ignore")

    event_id: EventId
    occurred_at: Timestamp
    office: OfficeId

    if TYPE_CHECKING:
        # Seconds since the epoch of occurred_at; set once by _set_ts, not a wire field.
        ts: float

    @model_validator(mode="after")
    def _set_ts(self) -> Self:
        # Written to __dict__ so reading it is a plain attribute lookup (pydantic private
        # attributes go through __getattr__ and cost a microsecond per read).
        self.__dict__["ts"] = instant(self.occurred_at)
        return self


class TicketIssued(_Event):
    """A citizen took a queue number for a service: a new visit starts waiting."""

    model_config = _example("ticket.issued", ticket="A001", service="ktp-el")

    type: Literal["ticket.issued"]
    ticket: TicketId
    service: ServiceId


class _AtCounter(_Event):
    ticket: TicketId
    counter: CounterId


class TicketCalled(_AtCounter):
    """The ticket was called to a counter (a second call is a recall)."""

    model_config = _example("ticket.called", ticket="A001", counter="loket-01")

    type: Literal["ticket.called"]


class ServiceStarted(_AtCounter):
    """Serving started at the counter (optional: many systems start serving at the call)."""

    model_config = _example("service.started", ticket="A001", counter="loket-01")

    type: Literal["service.started"]


class ServiceCompleted(_AtCounter):
    """Serving ended at the counter: the visit is closed as served."""

    model_config = _example("service.completed", ticket="A001", counter="loket-01")

    type: Literal["service.completed"]


class TicketTransferred(_Event):
    """The ticket moves to the queue of another service."""

    model_config = _example("ticket.transferred", ticket="A001", to_service="kartu-keluarga")

    type: Literal["ticket.transferred"]
    ticket: TicketId
    to_service: ServiceId = Field(description="Id of the service the ticket now waits for.")


class TicketNoShow(_Event):
    """The ticket was called, or was waiting, but the citizen did not come."""

    model_config = _example("ticket.no_show", ticket="A001")

    type: Literal["ticket.no_show"]
    ticket: TicketId


class TicketCancelled(_Event):
    """The citizen left before being served."""

    model_config = _example("ticket.cancelled", ticket="A001")

    type: Literal["ticket.cancelled"]
    ticket: TicketId


class CounterEvent(_Event):
    """A counter opened, paused, resumed or closed."""

    model_config = _example("counter.opened", counter="loket-01")

    type: CounterEventType
    counter: CounterId


class FeedbackSubmitted(_Event):
    """A citizen answered the satisfaction survey (SKM) for a service."""

    model_config = _example(
        "feedback.submitted", service="ktp-el", ticket="A001", scores={"u1": 4, "u2": 3, "u7": 4}
    )

    type: Literal["feedback.submitted"]
    service: ServiceId
    scores: Scores
    ticket: OptionalTicketId = Field(
        default=None,
        description="The queue number the answers are about; optional, never null.",
        json_schema_extra=_no_default,
    )


Event = Annotated[
    TicketIssued
    | TicketCalled
    | ServiceStarted
    | ServiceCompleted
    | TicketTransferred
    | TicketNoShow
    | TicketCancelled
    | CounterEvent
    | FeedbackSubmitted,
    Field(discriminator="type"),
]

_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


class MalformedEvent(Exception):
    """A message that breaks CONTRACT §2; `field` and `reason` describe the first problem."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors
        self.field, self.reason = errors[0]

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}" if self.field else self.reason


def parse_event(raw: bytes | str) -> Event:
    """Parse one message of the events topic, or raise MalformedEvent."""
    try:
        event = _ADAPTER.validate_json(raw)
    except ValidationError as exc:
        raise MalformedEvent(_not_utf8(raw) or _describe(exc)) from None
    # pydantic's JSON parser accepts NaN and ±Infinity, which JSON does not have.
    if isinstance(raw, str):
        suspicious = "NaN" in raw or "Infinity" in raw
    else:
        suspicious = b"NaN" in raw or b"Infinity" in raw
    if suspicious:
        try:
            json.loads(raw, parse_constant=_reject_constant)
        except ValueError as exc:
            raise MalformedEvent([("", f"not JSON: {exc}")]) from None
    return event


# CONTRACT §4 step 0: how far `occurred_at` may be after the time its message was received.
FUTURE_SECONDS = 300.0


class Timed(Protocol):
    """An event as far as the `future` rule goes (a model here, or the core's struct)."""

    @property
    def occurred_at(self) -> str: ...
    @property
    def ts(self) -> float: ...


def future_reason(event: Timed, received: float, by: str = "it was received") -> str | None:
    """Why `event` is `future` against the instant `received` (seconds), or None if it is not.

    `by` names that instant in the message (the gateway compares with its own clock).
    """
    ahead = event.ts - received
    if not ahead > FUTURE_SECONDS:
        return None
    return (
        f"{event.occurred_at} is {ahead:.0f} s after {by}; an event may be at most 5 minutes "
        "ahead (is the device's clock wrong?)"
    )


def parse_event_obj(obj: dict[str, Any]) -> Event:
    """Validate an already decoded JSON object, or raise MalformedEvent."""
    try:
        return _ADAPTER.validate_python(obj)
    except ValidationError as exc:
        raise MalformedEvent(_describe(exc)) from None


def _not_utf8(raw: bytes | str) -> list[tuple[str, str]]:
    try:
        raw.encode() if isinstance(raw, str) else raw.decode()
    except (UnicodeDecodeError, UnicodeEncodeError) as exc:
        return [("", f"not UTF-8: {exc.reason} at offset {exc.start}")]
    return []


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


# --- instants ------------------------------------------------------------------------------


# Most events of a stream share their minute and offset, so the seconds of each pair are
# cached, and short digit groups read from a table: a third of the cost of the instant.
# A miss just recomputes.
_MINUTE_CACHE: dict[str, int] = {}  # minute + offset text -> seconds of the minute in UTC
_CACHE_LIMIT = 4096
_SCALES = tuple(10**digits for digits in range(10))
_DIGITS = {f"{n:0{width}d}": n for width in (1, 2, 3) for n in range(10**width)}


def instant(text: str) -> float:
    """Seconds since the epoch of a timestamp that already matches TIMESTAMP_PATTERN."""
    end = len(text) - 1 if text[-1] == "Z" else len(text) - 6
    key = text[:16] + text[end:]
    seconds = _MINUTE_CACHE.get(key)
    if seconds is None:
        seconds = _minute_start(text)
        if end != len(text) - 1:
            offset = int(text[-5:-3]) * 3600 + int(text[-2:]) * 60
            seconds += -offset if text[end] == "+" else offset
        if len(_MINUTE_CACHE) >= _CACHE_LIMIT:
            _MINUTE_CACHE.clear()
        _MINUTE_CACHE[key] = seconds
    seconds += _DIGITS[text[17:19]]
    if end == 19:
        return float(seconds)
    fraction = text[20:end]
    digits = _DIGITS.get(fraction)
    if digits is None:
        digits = int(fraction)
    # One correctly rounded division of exact integers: no digit of the fraction is lost.
    scale = _SCALES[end - 20]
    return (seconds * scale + digits) / scale


def _minute_start(text: str) -> int:
    """Seconds since the epoch of the minute of text, before its offset is applied."""
    year, month, day = int(text[0:4]), int(text[5:7]), int(text[8:10])
    if month == 2 and day == 29 and not _is_leap(year):
        raise PydanticCustomError("timestamp", "impossible date {date}", {"date": text[:10]})
    days = _days_from_civil(year, month, day)
    return days * 86400 + int(text[11:13]) * 3600 + int(text[14:16]) * 60


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm).

    Same result as calendar.timegm, but also defined for year 0000, which RFC 3339 allows.
    """
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month - 3 if month > 2 else month + 9) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


# --- error messages ------------------------------------------------------------------------

_LOOSE_TIMESTAMP = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})(.)([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?(?:\.([0-9]*))?(.*)",
    re.DOTALL,
)
_OFFSET_RE = re.compile(r"Z|[+-]([0-9]{2}):([0-9]{2})")
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _describe(exc: ValidationError) -> list[tuple[str, str]]:
    return [_describe_one(err) for err in exc.errors(include_url=False)]


def _describe_one(err: ErrorDetails) -> tuple[str, str]:
    kind, value = err["type"], err["input"]
    loc = [str(part) for part in err["loc"]]
    if loc and loc[0] in EVENT_TYPES:  # the tag of the model the union chose
        loc = loc[1:]
    is_key = bool(loc) and loc[-1] == "[key]"
    if is_key:
        loc = loc[:-1]
    field = ".".join(loc)
    name = loc[-1] if loc else ""

    if kind == "json_invalid":
        return "", f"not JSON: {err.get('ctx', {}).get('error', err['msg'])}"
    if kind == "timestamp":  # raised by instant() after the pattern passed
        return "occurred_at", err["msg"]
    if kind == "union_tag_not_found":
        return "type", "required"
    if kind == "union_tag_invalid":
        tag = value.get("type") if isinstance(value, dict) else None
        if not isinstance(tag, str):
            return "type", "must be a string"
        return "type", f"unknown event type {_show(tag)}"
    if not loc:
        if kind in ("dict_type", "model_type", "model_attributes_type"):
            return "", "not an object"
        return "", err["msg"]
    if kind == "missing":
        return field, "required"
    if is_key:
        return field, "unknown element: scores has keys u1 to u9"
    if kind == "string_type":
        return field, "must be a string"
    if name == "occurred_at":
        return field, _explain_timestamp(value)
    if kind == "string_pattern_mismatch":
        what, pattern = ("ticket id", TICKET_PATTERN) if name == "ticket" else ("id", ID_PATTERN)
        return field, f"{_show(value)} is not a valid {what} (must match {pattern})"
    if kind in ("string_too_short", "string_too_long"):
        return field, "must be 1 to 128 characters"
    if field == "scores":
        if kind == "too_short":
            return field, "must have at least one element"
        return field, "must be an object"
    if loc[0] == "scores":
        return field, f"must be a JSON integer 1 to 4, not {_show(value)}"
    return field, err["msg"]


def _explain_timestamp(value: object) -> str:
    """Say what is wrong with a timestamp the pattern or the model validator refused."""
    hint = "an RFC 3339 timestamp such as 2026-11-23T08:01:02+07:00"
    if not isinstance(value, str):
        return f"must be {hint}"
    match = _LOOSE_TIMESTAMP.fullmatch(value)
    if match is None:
        return f"{_show(value)} is not {hint}"
    year, month, day, sep, hour, minute, second, fraction, offset = match.groups()
    if sep != "T":
        return f"{_show(value)}: date and time must be separated by an upper-case T"
    if second is None:
        return f"{_show(value)}: seconds are required"
    if fraction is not None and not 1 <= len(fraction) <= 9:
        return f"{_show(value)}: the fraction of a second must have 1 to 9 digits"
    m, y = int(month), int(year)
    if not 1 <= m <= 12 or not 1 <= int(day) <= _DAYS_IN_MONTH[m - 1] + (m == 2 and _is_leap(y)):
        return f"impossible date {year}-{month}-{day}"
    if int(hour) > 23 or int(minute) > 59 or int(second) > 59:
        return f"impossible time {hour}:{minute}:{second}"
    if not offset:
        return f"{_show(value)}: an offset (Z or ±HH:MM) is required"
    offset_match = _OFFSET_RE.fullmatch(offset)
    if offset_match is None:
        return f"{_show(value)}: the offset must be Z or ±HH:MM"
    if offset_match.group(1) and (int(offset_match[1]) > 23 or int(offset_match[2]) > 59):
        return f"impossible offset {offset}"
    return f"{_show(value)} is not {hint}"


def _show(value: object, limit: int = 60) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
