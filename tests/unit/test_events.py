"""Tests of pantau.events: the wire rules of CONTRACT §2."""

import calendar
import json
import pickle
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pantau.events import (
    COUNTER_EVENT_TYPES,
    EVENT_TYPES,
    CounterEvent,
    FeedbackSubmitted,
    MalformedEvent,
    ServiceCompleted,
    ServiceStarted,
    TicketCalled,
    TicketCancelled,
    TicketIssued,
    TicketNoShow,
    TicketTransferred,
    parse_event,
    parse_event_obj,
)

FIXTURES = Path(__file__).parents[1] / "fixtures"

BASE = {
    "event_id": "ev-1",
    "occurred_at": "2026-11-23T08:01:02+07:00",
    "office": "mpp-medan",
}
# The fields each type needs, with valid values.
REQUIRED: dict[str, dict[str, Any]] = {
    "ticket.issued": {"ticket": "A001", "service": "ktp-el"},
    "ticket.called": {"ticket": "A001", "counter": "loket-01"},
    "service.started": {"ticket": "A001", "counter": "loket-01"},
    "service.completed": {"ticket": "A001", "counter": "loket-01"},
    "ticket.transferred": {"ticket": "A001", "to_service": "kartu-keluarga"},
    "ticket.no_show": {"ticket": "A001"},
    "ticket.cancelled": {"ticket": "A001"},
    "counter.opened": {"counter": "loket-01"},
    "counter.paused": {"counter": "loket-01"},
    "counter.resumed": {"counter": "loket-01"},
    "counter.closed": {"counter": "loket-01"},
    "feedback.submitted": {"service": "ktp-el", "scores": {"u1": 4}},
}
MODELS = {
    "ticket.issued": TicketIssued,
    "ticket.called": TicketCalled,
    "service.started": ServiceStarted,
    "service.completed": ServiceCompleted,
    "ticket.transferred": TicketTransferred,
    "ticket.no_show": TicketNoShow,
    "ticket.cancelled": TicketCancelled,
    **dict.fromkeys(COUNTER_EVENT_TYPES, CounterEvent),
    "feedback.submitted": FeedbackSubmitted,
}


def message(type_: str = "ticket.issued", **changes: Any) -> dict[str, Any]:
    """A valid message of type_, with fields changed (a value of ... removes the field)."""
    msg = {**BASE, "type": type_, **REQUIRED[type_], **changes}
    return {key: value for key, value in msg.items() if value is not ...}


def reject(obj: Any) -> MalformedEvent:
    """The error parse_event gives for obj (encoded as JSON), checked against parse_event_obj."""
    raw = json.dumps(obj) if not isinstance(obj, bytes | str) else obj
    with pytest.raises(MalformedEvent) as info:
        parse_event(raw)
    if not isinstance(obj, bytes | str):
        with pytest.raises(MalformedEvent) as obj_info:
            parse_event_obj(obj)
        assert obj_info.value.errors == info.value.errors
    return info.value


def accept(obj: dict[str, Any]) -> Any:
    event = parse_event(json.dumps(obj))
    assert parse_event_obj(obj) == event
    return event


# --- the fixtures -------------------------------------------------------------------------

# Line number → field of the first error, for every malformed line of the fixtures.
MALFORMED_LINES = {
    "edge-cases": {
        27: "occurred_at",  # no offset
        28: "",  # not JSON
        29: "scores.u1",  # score 5
    },
    "mpp-medan-day": {
        87: "event_id",  # empty
        421: "occurred_at",  # a space instead of T
        491: "occurred_at",  # a number
        499: "occurred_at",  # a number
        623: "",  # a JSON array
        677: "scores.u1",  # score 5
        819: "office",  # upper case
        1036: "ticket",  # "bad ticket!"
        1056: "",  # not JSON
        1193: "scores.u1",  # score 5
        1240: "occurred_at",  # a number
        1304: "office",  # upper case
        1353: "occurred_at",  # no offset
        1365: "ticket",  # "bad ticket!"
        1437: "",  # a JSON array
        1502: "occurred_at",  # no offset
        1570: "scores.u10",  # no such element
        1666: "counter",  # missing from a ticket.called
    },
}


def fixture_lines(name: str) -> list[bytes]:
    return (FIXTURES / f"{name}.events.jsonl").read_bytes().splitlines()


@pytest.mark.parametrize("name", sorted(MALFORMED_LINES))
def test_fixture_malformed_count_matches_expected(name: str) -> None:
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text())
    rejected = 0
    for line in fixture_lines(name):
        try:
            parse_event(line)
        except MalformedEvent:
            rejected += 1
    assert rejected == expected["pantau_events_rejected_total{reason=malformed}"]


@pytest.mark.parametrize("name", sorted(MALFORMED_LINES))
def test_fixture_malformed_lines(name: str) -> None:
    found = {}
    for number, line in enumerate(fixture_lines(name), start=1):
        try:
            event = parse_event(line)
        except MalformedEvent as exc:
            found[number] = exc.field
        else:
            assert event.ts == datetime.fromisoformat(event.occurred_at).timestamp()
    assert found == MALFORMED_LINES[name]


# --- types and fields ---------------------------------------------------------------------


@pytest.mark.parametrize("type_", EVENT_TYPES)
def test_each_type_parses_to_its_model(type_: str) -> None:
    event = accept(message(type_))
    assert type(event) is MODELS[type_]
    assert event.type == type_
    assert (event.event_id, event.office) == ("ev-1", "mpp-medan")
    assert event.occurred_at == "2026-11-23T08:01:02+07:00"
    assert event.ts == 1795395662.0


@pytest.mark.parametrize(
    ("type_", "field"),
    [(t, f) for t in EVENT_TYPES for f in ("event_id", "type", "occurred_at", "office")]
    + [(t, f) for t, fields in REQUIRED.items() for f in fields],
)
def test_missing_field(type_: str, field: str) -> None:
    exc = reject(message(type_, **{field: ...}))
    assert (exc.field, exc.reason) == (field, "required")


@pytest.mark.parametrize("type_", EVENT_TYPES)
def test_extra_and_other_types_fields_are_ignored(type_: str) -> None:
    others = {"ticket": "bad ticket!", "service": 5, "counter": None, "to_service": "X"}
    others.update({"scores": {"u10": True}, "outcome": "served", "priority": 1, "ts": "now"})
    named = {*REQUIRED[type_], *(["ticket"] if type_ == "feedback.submitted" else [])}
    obj = message(type_, **{k: v for k, v in others.items() if k not in named})
    event = accept(obj)
    assert event.ts == 1795395662.0
    assert "outcome" not in event.model_dump()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("[1, 2, 3]", "not an object"),
        ('"ticket.issued"', "not an object"),
        ("5", "not an object"),
        ("null", "not an object"),
        ("true", "not an object"),
        ("this is not json", "not JSON: expected ident at line 1 column 2"),
        ("{not json", "not JSON: key must be a string at line 1 column 2"),
        ("", "not JSON: EOF while parsing a value at line 1 column 0"),
    ],
)
def test_not_an_object(raw: str, reason: str) -> None:
    exc = reject(raw)
    assert (exc.field, exc.reason, str(exc)) == ("", reason, reason)


@pytest.mark.parametrize("value", [[1], "x", 5, None])
def test_parse_event_obj_rejects_non_objects(value: Any) -> None:
    with pytest.raises(MalformedEvent) as info:
        parse_event_obj(value)
    assert (info.value.field, info.value.reason) == ("", "not an object")


@pytest.mark.parametrize(
    "raw",
    [
        b'{"event_id": "\xff", "type": "counter.opened"}',
        b'{"event_id": "ev-1", "type": "counter.opened", "note": "\xed\xa0\x80"}',  # a surrogate
        b"\xef\xbb\xbf{}",  # a byte order mark is not JSON text either
        '{"event_id": "\ud800"}',  # a str that cannot be encoded as UTF-8
    ],
)
def test_not_utf8(raw: bytes | str) -> None:
    exc = reject(raw)
    assert exc.field == ""
    assert exc.reason.startswith(("not UTF-8", "not JSON"))


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_json_numbers_are_rejected_even_in_ignored_fields(constant: str) -> None:
    raw = json.dumps(message())[:-1] + f', "extra": {constant}}}'
    exc = reject(raw)
    assert exc.field == "" and exc.reason.startswith("not JSON")
    assert isinstance(parse_event(json.dumps(message(extra="NaN Infinity"))), TicketIssued)


def test_whitespace_around_the_object_is_json() -> None:
    assert parse_event(b" \n" + json.dumps(message()).encode() + b"\r\n").ts == 1795395662.0


@pytest.mark.parametrize(
    ("type_value", "reason"),
    [
        ("ticket.unknown", 'unknown event type "ticket.unknown"'),
        ("TICKET.ISSUED", 'unknown event type "TICKET.ISSUED"'),
        (5, "must be a string"),
        (None, "must be a string"),
        (["ticket.issued"], "must be a string"),
    ],
)
def test_bad_type(type_value: Any, reason: str) -> None:
    exc = reject({**message(), "type": type_value})
    assert (exc.field, exc.reason) == ("type", reason)


# --- strings and ids ----------------------------------------------------------------------

ID_CASES = [
    ("a", True),
    ("0", True),
    ("mpp-medan", True),
    ("loket_01", True),
    ("a" * 64, True),
    ("a" * 65, False),
    ("", False),
    ("-a", False),
    ("_a", False),
    ("MPP-MEDAN", False),
    ("mpp medan", False),
    ("mpp.medan", False),
    ("medan\n", False),
    ("\nmedan", False),
    ("médan", False),
    ("\uff11", False),  # a full-width digit
]
TICKET_CASES = [
    ("A001", True),
    ("a.b-c_d", True),
    ("9", True),
    ("A" * 32, True),
    ("A" * 33, False),
    ("", False),
    (".A", False),
    ("bad ticket!", False),
    ("A001\n", False),
    ("A/1", False),
]


ID_FIELD_TYPES = {
    "office": "ticket.issued",
    "service": "ticket.issued",
    "counter": "ticket.called",
    "to_service": "ticket.transferred",
}


@pytest.mark.parametrize("field", sorted(ID_FIELD_TYPES))
@pytest.mark.parametrize(("value", "valid"), ID_CASES)
def test_ids(field: str, value: str, valid: bool) -> None:
    obj = message(ID_FIELD_TYPES[field], **{field: value})
    if valid:
        assert getattr(accept(obj), field) == value
    else:
        exc = reject(obj)
        assert exc.field == field
        assert "is not a valid id (must match ^[a-z0-9][a-z0-9_-]{0,63}$)" in exc.reason


@pytest.mark.parametrize("type_", [t for t, fields in REQUIRED.items() if "ticket" in fields])
@pytest.mark.parametrize(("value", "valid"), TICKET_CASES)
def test_tickets(type_: str, value: str, valid: bool) -> None:
    obj = message(type_, ticket=value)
    if valid:
        assert accept(obj).ticket == value
    else:
        exc = reject(obj)
        assert exc.field == "ticket" and "is not a valid ticket id" in exc.reason


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("x", True),
        ("e" * 128, True),
        ("é" * 128, True),  # code points, not bytes
        ("😀" * 128, True),
        ("e" * 129, False),
        ("", False),
    ],
)
def test_event_id_length(value: str, valid: bool) -> None:
    if valid:
        assert accept(message(event_id=value)).event_id == value
    else:
        exc = reject(message(event_id=value))
        assert (exc.field, exc.reason) == ("event_id", "must be 1 to 128 characters")


@pytest.mark.parametrize("field", ["event_id", "office", "ticket", "service"])
@pytest.mark.parametrize("value", [5, 1.5, True, None, ["a"], {"a": 1}])
def test_strings_are_not_coerced(field: str, value: Any) -> None:
    exc = reject(message(**{field: value}))
    assert (exc.field, exc.reason) == (field, "must be a string")


# --- timestamps ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ts"),
    [
        ("2026-11-23T08:01:02+07:00", 1795395662.0),
        ("2026-11-23T01:01:02Z", 1795395662.0),
        ("2026-11-23T01:01:02.250Z", 1795395662.25),
        ("2026-11-23T01:01:02.5Z", 1795395662.5),
        ("2026-11-23T01:01:02.000000000Z", 1795395662.0),
        ("2026-11-23T01:01:02.123456789Z", 1795395662.123456789),
        ("2026-11-23T01:01:02.999999999Z", 1795395662.999999999),
        ("2026-11-22T20:31:02-04:30", 1795395662.0),
        ("2026-11-23T01:01:02+00:00", 1795395662.0),
        ("2026-11-23T01:01:02-00:00", 1795395662.0),
        ("2026-11-24T00:00:00+23:59", 1795392060.0),
        ("1970-01-01T00:00:00Z", 0.0),
        ("1969-12-31T23:59:59.5Z", -0.5),
        ("2024-02-29T00:00:00Z", 1709164800.0),
        ("2000-02-29T00:00:00Z", 951782400.0),
        ("0000-01-01T00:00:00Z", -62167219200.0),
        ("9999-12-31T23:59:59Z", 253402300799.0),
        ("2026-12-31T23:59:59.9Z", 1798761599.9),
    ],
)
def test_valid_timestamps(text: str, ts: float) -> None:
    event = accept(message(occurred_at=text))
    assert event.occurred_at == text
    assert event.ts == ts


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-11-23T08:01:02", "an offset (Z or ±HH:MM) is required"),
        ("2026-11-23t08:01:02Z", "upper-case T"),
        ("2026-11-23 08:01:02Z", "upper-case T"),
        ("2026-11-23T08:01Z", "seconds are required"),
        ("2026-11-23T08:01+07:00", "seconds are required"),
        ("2026-11-23T08:01:02.Z", "1 to 9 digits"),
        ("2026-11-23T08:01:02.1234567890Z", "1 to 9 digits"),
        ("2026-11-23T08:01:02z", "the offset must be Z or ±HH:MM"),
        ("2026-11-23T08:01:02+0700", "the offset must be Z or ±HH:MM"),
        ("2026-11-23T08:01:02+07", "the offset must be Z or ±HH:MM"),
        ("2026-11-23T08:01:02 +07:00", "the offset must be Z or ±HH:MM"),
        ("2026-11-23T08:01:02Z\n", "the offset must be Z or ±HH:MM"),
        ("2026-11-23T08:01:02+07:60", "impossible offset +07:60"),
        ("2026-11-23T08:01:02+24:00", "impossible offset +24:00"),
        ("2026-02-30T08:01:02Z", "impossible date 2026-02-30"),
        ("2026-02-29T08:01:02Z", "impossible date 2026-02-29"),
        ("1900-02-29T08:01:02Z", "impossible date 1900-02-29"),
        ("2026-04-31T08:01:02Z", "impossible date 2026-04-31"),
        ("2026-13-01T08:01:02Z", "impossible date 2026-13-01"),
        ("2026-00-01T08:01:02Z", "impossible date 2026-00-01"),
        ("2026-11-00T08:01:02Z", "impossible date 2026-11-00"),
        ("2026-11-23T24:00:00Z", "impossible time 24:00:00"),
        ("2026-11-23T08:60:00Z", "impossible time 08:60:00"),
        ("2026-12-31T23:59:60Z", "impossible time 23:59:60"),
        ("26-11-23T08:01:02Z", "not an RFC 3339 timestamp"),
        ("+2026-11-23T08:01:02Z", "not an RFC 3339 timestamp"),
        ("2026-11-23", "not an RFC 3339 timestamp"),
        ("2026-11-23T08:01:02.\u0661Z", "1 to 9 digits"),  # an Arabic-Indic digit
        ("\uff12026-11-23T08:01:02Z", "not an RFC 3339 timestamp"),  # full-width
        ("", "not an RFC 3339 timestamp"),
        ("Mon, 23 Nov 2026 08:01:02 +0700", "not an RFC 3339 timestamp"),
    ],
)
def test_invalid_timestamps(text: str, reason: str) -> None:
    exc = reject(message(occurred_at=text))
    assert exc.field == "occurred_at"
    assert reason in exc.reason


@pytest.mark.parametrize("value", [1795395662, 1795395662.0, True, None, ["2026-11-23T01:01:02Z"]])
def test_timestamp_must_be_a_string(value: Any) -> None:
    exc = reject(message(occurred_at=value))
    assert (exc.field, exc.reason) == ("occurred_at", "must be a string")


def test_nine_digit_fractions_are_not_truncated() -> None:
    first = accept(message(occurred_at="2026-11-23T01:01:02.000000100Z"))
    second = accept(message(occurred_at="2026-11-23T01:01:02.000000900Z"))
    assert first.ts < second.ts
    small = accept(message(occurred_at="1970-01-01T00:00:00.000000001Z"))
    assert small.ts == 1e-9


@given(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59),
    st.integers(min_value=0, max_value=999_999),
    st.integers(min_value=1, max_value=6),
)
def test_ts_matches_the_standard_library(
    local: datetime, offset_minutes: int, micros: int, digits: int
) -> None:
    micros -= micros % 10 ** (6 - digits)
    sign = "+" if offset_minutes >= 0 else "-"
    hours, minutes = divmod(abs(offset_minutes), 60)
    whole = f"{local.year:04d}-{local:%m-%dT%H:%M:%S}"
    offset = f"{sign}{hours:02d}:{minutes:02d}"
    fraction = f".{micros:06d}"[: digits + 1]

    def ts(text: str) -> float:
        return parse_event(json.dumps(message(occurred_at=text))).ts

    assert ts(whole + offset) == calendar.timegm(local.timetuple()) - offset_minutes * 60
    # datetime computes (exact integer microseconds) / 10**6, correctly rounded, like ts.
    aware = local.replace(microsecond=micros, tzinfo=timezone(timedelta(minutes=offset_minutes)))
    assert ts(whole + fraction + offset) == aware.timestamp()


def test_ts_is_set_once_and_not_a_field() -> None:
    event = accept(message())
    assert event.__dict__["ts"] == 1795395662.0
    assert "ts" not in event.model_dump()
    assert "ts" not in type(event).model_fields
    assert pickle.loads(pickle.dumps(event)).ts == event.ts


def test_events_are_immutable() -> None:
    event = accept(message())
    with pytest.raises(ValueError, match="frozen"):
        event.office = "other"


def test_the_instant_is_the_same_in_every_offset() -> None:
    moment = datetime(2026, 11, 23, 1, 1, 2, 250000, tzinfo=UTC)
    for minutes in (-720, -90, 0, 330, 420, 840):
        local = moment.astimezone(timezone(timedelta(minutes=minutes)))
        text = local.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        assert accept(message(occurred_at=text)).ts == 1795395662.25


# --- feedback -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scores",
    [
        {"u1": 1},
        {"u9": 4},
        {f"u{i}": 1 + i % 4 for i in range(1, 10)},
    ],
)
def test_valid_scores(scores: dict[str, int]) -> None:
    event = accept(message("feedback.submitted", scores=scores))
    assert event.scores == scores
    assert event.ticket is None


@pytest.mark.parametrize(
    ("scores", "field", "reason"),
    [
        ({"u1": True}, "scores.u1", "must be a JSON integer 1 to 4, not true"),
        ({"u1": False}, "scores.u1", "must be a JSON integer 1 to 4, not false"),
        ({"u1": 4.0}, "scores.u1", "must be a JSON integer 1 to 4, not 4.0"),
        ({"u1": 3.5}, "scores.u1", "must be a JSON integer 1 to 4, not 3.5"),
        ({"u1": 0}, "scores.u1", "must be a JSON integer 1 to 4, not 0"),
        ({"u1": 5}, "scores.u1", "must be a JSON integer 1 to 4, not 5"),
        ({"u1": -1}, "scores.u1", "must be a JSON integer 1 to 4, not -1"),
        ({"u1": "4"}, "scores.u1", 'must be a JSON integer 1 to 4, not "4"'),
        ({"u1": None}, "scores.u1", "must be a JSON integer 1 to 4, not null"),
        ({"u1": 10**30}, "scores.u1", "must be a JSON integer 1 to 4, not " + "1" + "0" * 30),
        ({"u10": 4}, "scores.u10", "unknown element: scores has keys u1 to u9"),
        ({"u0": 4}, "scores.u0", "unknown element: scores has keys u1 to u9"),
        ({"U1": 4}, "scores.U1", "unknown element: scores has keys u1 to u9"),
        ({"u1": 4, "x": 4}, "scores.x", "unknown element: scores has keys u1 to u9"),
        ({}, "scores", "must have at least one element"),
        ([4, 3], "scores", "must be an object"),
        ("u1=4", "scores", "must be an object"),
        (None, "scores", "must be an object"),
    ],
)
def test_invalid_scores(scores: Any, field: str, reason: str) -> None:
    exc = reject(message("feedback.submitted", scores=scores))
    assert (exc.field, exc.reason) == (field, reason)


def test_score_written_as_float_in_json_text() -> None:
    raw = json.dumps(message("feedback.submitted")).replace('"u1": 4', '"u1": 4.0')
    assert "4.0" in raw
    assert reject(raw).field == "scores.u1"


@pytest.mark.parametrize(
    ("ticket", "error"),
    [
        ("A001", None),
        (..., None),
        (None, ("ticket", "must be a string")),
        ("bad ticket!", ("ticket", None)),
        (12, ("ticket", "must be a string")),
    ],
)
def test_feedback_ticket_is_optional_but_valid_if_present(ticket: Any, error: Any) -> None:
    obj = message("feedback.submitted", ticket=ticket)
    if error is None:
        assert accept(obj).ticket == (None if ticket is ... else ticket)
    else:
        exc = reject(obj)
        assert exc.field == error[0]
        assert error[1] is None or exc.reason == error[1]


# --- errors -------------------------------------------------------------------------------


def test_all_errors_are_kept_in_order() -> None:
    obj = message(
        "feedback.submitted",
        event_id="",
        occurred_at="2026-11-23 08:01:02",
        office="MPP",
        scores={"u1": 0, "u10": 1},
    )
    exc = reject(obj)
    assert [field for field, _ in exc.errors] == [
        "event_id",
        "occurred_at",
        "office",
        "scores.u1",
        "scores.u10",
    ]
    assert (exc.field, exc.reason) == exc.errors[0]
    assert str(exc) == "event_id: must be 1 to 128 characters"


def test_long_values_are_shortened_in_reasons() -> None:
    exc = reject(message(office="X" * 10_000))
    assert exc.field == "office"
    assert len(exc.reason) < 150


def test_malformed_event_pickles() -> None:
    exc = reject(message(office="X"))
    copy = pickle.loads(pickle.dumps(exc))
    assert (copy.field, copy.reason, copy.errors, str(copy)) == (
        exc.field,
        exc.reason,
        exc.errors,
        str(exc),
    )


def test_str_and_bytes_give_the_same_event() -> None:
    text = json.dumps(message(), ensure_ascii=False)
    assert parse_event(text) == parse_event(text.encode())
