"""Tests of streams.core.wire: the fast decoder gives parse_event's verdicts, message by message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pantau import events as contract
from streams.core import wire

FIXTURES = Path(__file__).parents[1] / "fixtures"

VALID: dict[str, dict[str, Any]] = {
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
    "feedback.submitted": {"service": "ktp-el", "scores": {"u1": 4, "u7": 1}},
}
assert set(VALID) == set(contract.EVENT_TYPES)


def message(type_: str = "ticket.issued", **changes: Any) -> dict[str, Any]:
    body = {
        "event_id": "ev-1",
        "type": type_,
        "occurred_at": "2026-11-23T08:01:02+07:00",
        "office": "mpp-medan",
        **VALID[type_],
    }
    body.update(changes)
    return body


def reference(raw: bytes | str) -> wire.Event | list[tuple[str, str]]:
    """What the contract's parser says: the event (as a struct) or the error list."""
    try:
        return wire.from_model(contract.parse_event(raw))
    except contract.MalformedEvent as exc:
        return exc.errors


def fast(raw: bytes | str) -> wire.Event | list[tuple[str, str]]:
    try:
        return wire.decode(raw)
    except contract.MalformedEvent as exc:
        return exc.errors


def assert_same_verdict(raw: bytes | str) -> None:
    got, want = fast(raw), reference(raw)
    assert type(got) is type(want), (raw, got, want)
    assert got == want, raw


# --- the structs are the models -----------------------------------------------------------


@pytest.mark.parametrize("type_", contract.EVENT_TYPES)
def test_each_struct_has_the_fields_of_its_model_in_order(type_: str) -> None:
    model = contract.parse_event(json.dumps(message(type_)))
    struct = wire.STRUCTS[type_]
    assert struct.type == type_
    names = [field.name for field in msgspec.structs.fields(struct) if field.name != "ts"]
    assert sorted(names) == sorted(name for name in type(model).model_fields if name != "type")


@pytest.mark.parametrize("type_", contract.EVENT_TYPES)
def test_a_valid_message_decodes_to_the_models_values_without_the_slow_way(
    type_: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (feedback without a ticket goes the slow way: only pydantic tells absent from null)
    extra = {"ticket": "A001"} if type_ == "feedback.submitted" else {}
    raw = json.dumps(message(type_, **extra)).encode()
    want = wire.from_model(contract.parse_event(raw))

    def refuse(raw: bytes | str) -> contract.Event:
        raise AssertionError("the fast way fell back to pydantic")

    monkeypatch.setattr(contract, "parse_event", refuse)
    got = wire.decode(raw)
    assert got == want and type(got) is type(want)
    assert got.ts == contract.instant("2026-11-23T08:01:02+07:00")


@pytest.mark.parametrize("name", sorted(path.name for path in FIXTURES.glob("*.events.jsonl")))
def test_every_fixture_line_gets_the_same_verdict(name: str) -> None:
    lines = (FIXTURES / name).read_bytes().splitlines()
    assert lines
    for line in lines:
        if line.strip():
            assert_same_verdict(line)


# --- the corners where two parsers could disagree -------------------------------------------

EDGES: list[tuple[str, bytes | str]] = [
    ("explicit null ticket", json.dumps(message("feedback.submitted", ticket=None))),
    ("absent feedback ticket", json.dumps(message("feedback.submitted"))),
    ("feedback ticket", json.dumps(message("feedback.submitted", ticket="B7"))),
    ("the ts key, a number", json.dumps({**message(), "pantau:ts": 5})),
    ("the ts key, a string", json.dumps({**message(), "pantau:ts": "x"})),
    ("a ts key", json.dumps({**message(), "ts": "x"})),
    (
        "a type key twice, same",
        b'{"type":"ticket.no_show",' + json.dumps(message("ticket.no_show"))[1:].encode(),
    ),
    ("a type key twice, other", json.dumps(message())[:-1].encode() + b',"type":"ticket.called"}'),
    ("an office twice", json.dumps(message())[:-1].encode() + b',"office":"BAD"}'),
    ("an office twice, valid", json.dumps(message())[:-1].encode() + b',"office":"x-2"}'),
    ("escaped key", json.dumps(message()).replace('"office"', '"\\u006fffice"')),
    ("escaped value", json.dumps(message()).replace('"mpp-medan"', '"mpp\\u002dmedan"')),
    ("id with a newline", json.dumps(message(office="mpp\n"))),
    ("ticket with a newline", json.dumps(message(ticket="A1\n"))),
    ("timestamp with a newline", json.dumps(message(occurred_at="2026-11-23T08:01:02Z\n"))),
    ("29 February, common year", json.dumps(message(occurred_at="2026-02-29T08:01:02Z"))),
    ("29 February, leap year", json.dumps(message(occurred_at="2028-02-29T08:01:02Z"))),
    ("nine fraction digits", json.dumps(message(occurred_at="2026-11-23T08:01:02.123456789Z"))),
    ("ten fraction digits", json.dumps(message(occurred_at="2026-11-23T08:01:02.1234567891Z"))),
    ("lower-case t", json.dumps(message(occurred_at="2026-11-23t08:01:02Z"))),
    ("short timestamp", json.dumps(message(occurred_at="2026-11-23"))),
    ("empty timestamp", json.dumps(message(occurred_at=""))),
    ("offset 24:00", json.dumps(message(occurred_at="2026-11-23T08:01:02+24:00"))),
    ("score true", json.dumps(message("feedback.submitted", scores={"u1": True}))),
    ("score 4.0", json.dumps(message("feedback.submitted", scores={"u1": 4.0}))),
    ("score 5", json.dumps(message("feedback.submitted", scores={"u1": 5}))),
    ("score string", json.dumps(message("feedback.submitted", scores={"u1": "4"}))),
    ("score key u10", json.dumps(message("feedback.submitted", scores={"u10": 4}))),
    ("no scores", json.dumps(message("feedback.submitted", scores={}))),
    ("huge int extra", json.dumps({**message(), "n": 2**70})),
    ("huge score", json.dumps(message("feedback.submitted", scores={"u1": 2**70}))),
    ("deep extra", json.dumps(message())[:-1] + ',"x":' + "[" * 600 + "]" * 600 + "}"),
    ("NaN extra", json.dumps(message())[:-1] + ',"x":NaN}'),
    ("Infinity extra", json.dumps(message())[:-1] + ',"x":-Infinity}'),
    ("lone surrogate escape", json.dumps(message()).replace('"ev-1"', '"\\ud800"')),
    ("lone surrogate str", json.dumps(message(event_id="\udc80"), ensure_ascii=False)),
    ("invalid UTF-8", json.dumps(message()).encode().replace(b"ev-1", b"ev-\xff")),
    ("non-ASCII event id", json.dumps(message(event_id="é" * 128), ensure_ascii=False)),
    ("129-character event id", json.dumps(message(event_id="e" * 129))),
    ("empty event id", json.dumps(message(event_id=""))),
    ("event id a number", json.dumps(message(event_id=1))),
    ("upper-case office", json.dumps(message(office="MPP"))),
    ("64-character id", json.dumps(message(office="a" * 64))),
    ("65-character id", json.dumps(message(office="a" * 65))),
    ("unknown type", json.dumps(message() | {"type": "ticket.lost"})),
    ("type a number", json.dumps(message() | {"type": 3})),
    ("no type", json.dumps({k: v for k, v in message().items() if k != "type"})),
    ("a list", b"[1, 2]"),
    ("null", b"null"),
    ("trailing data", json.dumps(message()).encode() + b" x"),
    ("trailing whitespace", json.dumps(message()).encode() + b" \n"),
    ("a BOM", b"\xef\xbb\xbf" + json.dumps(message()).encode()),
    ("empty", b""),
    ("a str", json.dumps(message())),
]


@pytest.mark.parametrize(("what", "raw"), EDGES, ids=[what for what, _ in EDGES])
def test_an_edge_case_gets_the_same_verdict(what: str, raw: bytes | str) -> None:
    assert_same_verdict(raw)


# A timestamp whose minute and offset were already seen valid is read from a cache: its
# seconds and fraction are still checked.
KNOWN_MINUTE_REST = [
    ":02+07:00", ":59+07:00", ":60+07:00", ":2+07:00", ":0a+07:00", ":02.+07:00",
    ":02.5+07:00", ":02.123456789+07:00", ":02.1234567891+07:00", ":02,5+07:00",
    ":02.\u0661+07:00", ":02.\u0661\u0662+07:00", ":02.5 +07:00", ":02.-5+07:00",
    ":02.+5+07:00", ":02.5_0+07:00", ":02+07:00\n", "+07:00", ":02.5Z", ":02.5z",
]  # fmt: skip


@pytest.mark.parametrize("rest", KNOWN_MINUTE_REST)
def test_a_timestamp_of_a_known_minute_gets_the_same_verdict(rest: str) -> None:
    assert isinstance(fast(json.dumps(message())), wire.TicketIssued)  # the minute is known
    text = json.dumps(message()).replace("08:01:02+07:00", "08:01" + rest)
    assert_same_verdict(text.encode())
    assert_same_verdict(text.encode().decode("unicode_escape"))


# --- generated messages ------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
NEAR_IDS = st.from_regex(r"[a-zA-Z0-9_.\-]{0,66}", fullmatch=True) | st.sampled_from(
    ["a", "A001", "loket-01", "mpp-medan", "-x", "_", "a" * 64, "a" * 65, "A" * 32, "A" * 33]
)
NEAR_TIMESTAMPS = st.from_regex(
    r"[0-9]{4}-[0-1][0-9]-[0-3][0-9][Tt ][0-2][0-9]:[0-6][0-9](:[0-6][0-9])?(\.[0-9]{0,10})?"
    r"(Z|[+-][0-2][0-9]:[0-6][0-9])?",
    fullmatch=True,
)
FIELDS = ["event_id", "type", "occurred_at", "office", "ticket", "service", "counter",
          "to_service", "scores"]  # fmt: skip


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    body = message(draw(st.sampled_from(contract.EVENT_TYPES)))
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(FIELDS))
        change = draw(st.sampled_from(["drop", "json", "id", "timestamp", "scores"]))
        if change == "drop":
            body.pop(name, None)
        elif change == "json":
            body[name] = draw(JSON_VALUES)
        elif change == "id":
            body[name] = draw(NEAR_IDS)
        elif change == "timestamp":
            body[name] = draw(NEAR_TIMESTAMPS)
        else:
            body[name] = draw(
                st.dictionaries(
                    st.sampled_from(["u1", "u5", "u9", "u0", "x"]),
                    st.integers(-1, 6) | st.booleans() | st.floats(0, 5) | st.none(),
                    max_size=3,
                )
            )
    if draw(st.booleans()):
        body[draw(st.text(max_size=5))] = draw(JSON_VALUES)
    raw = json.dumps(body).encode()
    if draw(st.integers(0, 9)) == 0:  # a key repeated at the end with another value
        raw = (
            raw[:-1]
            + b","
            + json.dumps({draw(st.sampled_from(FIELDS)): draw(NEAR_IDS)})[1:].encode()
        )
    return raw


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages())
def test_generated_messages_get_the_same_verdict(raw: bytes) -> None:
    assert_same_verdict(raw)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=80) | st.text(max_size=80))
def test_arbitrary_input_gets_the_same_verdict(raw: bytes | str) -> None:
    assert_same_verdict(raw)
