"""Contract version 2 in the standards file (§3): timezones, opening hours and warn_at."""

from __future__ import annotations

from datetime import datetime

import pytest

from pantau.standards import Standard, StandardsError, load_standards, parse_standards
from tests.support import FIXTURES

# Monday 2026-11-23 is the first day below; times are local to the office's zone.
WEEK = """
offices:
  o:
    timezone: {tz}
    hours:
{hours}
"""


def open_at(hours: str, local: str, tz: str = "Asia/Jakarta") -> bool | None:
    """Whether office `o` with these `hours` lines is open at `local` (ISO, with offset)."""
    indented = "\n".join(f"      {line}" for line in hours.splitlines())
    standards = parse_standards(WEEK.format(tz=tz, hours=indented), "t.yaml")
    return standards.is_open("o", datetime.fromisoformat(local).timestamp())


@pytest.mark.parametrize(
    ("hours", "local", "expected"),
    [
        # a range: its start is in, its end is out (half-open)
        ('mon: "08:00-15:30"', "2026-11-23T08:00:00+07:00", True),
        ('mon: "08:00-15:30"', "2026-11-23T07:59:59.999999+07:00", False),
        ('mon: "08:00-15:30"', "2026-11-23T15:29:59.999999+07:00", True),
        ('mon: "08:00-15:30"', "2026-11-23T15:30:00+07:00", False),
        # another day of the week is closed
        ('mon: "08:00-15:30"', "2026-11-24T09:00:00+07:00", False),
        # day ranges cover both ends and what lies between
        ('mon-fri: "08:00-16:00"', "2026-11-23T09:00:00+07:00", True),
        ('mon-fri: "08:00-16:00"', "2026-11-25T09:00:00+07:00", True),
        ('mon-fri: "08:00-16:00"', "2026-11-27T09:00:00+07:00", True),
        ('mon-fri: "08:00-16:00"', "2026-11-28T09:00:00+07:00", False),
        ('mon-fri: "08:00-16:00"', "2026-11-29T09:00:00+07:00", False),
        ('sat-sun: "09:00-12:00"', "2026-11-29T10:00:00+07:00", True),
        # a list of ranges: the break between them is closed; touching ranges are one stretch
        ('fri: ["08:00-11:30", "13:30-16:00"]', "2026-11-27T11:30:00+07:00", False),
        ('fri: ["08:00-11:30", "13:30-16:00"]', "2026-11-27T12:00:00+07:00", False),
        ('fri: ["08:00-11:30", "13:30-16:00"]', "2026-11-27T13:30:00+07:00", True),
        ('fri: ["13:30-16:00", "08:00-11:30"]', "2026-11-27T10:00:00+07:00", True),
        ('mon: ["08:00-12:00", "12:00-13:00"]', "2026-11-23T12:00:00+07:00", True),
        # 24:00 ends a range at midnight: the last second is in, midnight is the next day
        ('mon: "20:00-24:00"', "2026-11-23T23:59:59.5+07:00", True),
        ('mon: "20:00-24:00"', "2026-11-24T00:00:00+07:00", False),
        ('mon-sun: "00:00-24:00"', "2026-11-24T00:00:00+07:00", True),
        # the instant is taken in the office's zone, whatever offset it was written in
        ('mon: "08:00-15:30"', "2026-11-23T01:00:00Z", True),  # 08:00 WIB
        ('mon: "08:00-15:30"', "2026-11-23T00:59:59Z", False),
        ("{}", "2026-11-23T10:00:00+07:00", False),  # hours: {} is never open
    ],
)
def test_opening_hours(hours: str, local: str, expected: bool) -> None:
    assert open_at(hours, local) is expected


@pytest.mark.parametrize(
    ("tz", "utc", "expected"),
    [
        # 08:00-16:00 local, Monday 2026-11-23, in the three zones of Indonesia
        ("Asia/Jakarta", "2026-11-23T01:00:00Z", True),  # WIB, UTC+7: 08:00
        ("Asia/Jakarta", "2026-11-23T00:59:00Z", False),
        ("Asia/Makassar", "2026-11-23T00:00:00Z", True),  # WITA, UTC+8: 08:00
        ("Asia/Makassar", "2026-11-22T23:59:00Z", False),  # 07:59 on Monday
        ("Asia/Jayapura", "2026-11-22T23:00:00Z", True),  # WIT, UTC+9: 08:00 on Monday
        ("Asia/Jayapura", "2026-11-23T07:00:00Z", False),  # 16:00
        ("Asia/Jayapura", "2026-11-23T06:59:59Z", True),
    ],
)
def test_opening_hours_in_the_office_timezone(tz: str, utc: str, expected: bool) -> None:
    assert open_at('mon: "08:00-16:00"', utc, tz) is expected


def test_timezone_falls_back_to_the_file_then_utc() -> None:
    text = """
timezone: Asia/Makassar
offices:
  own: {timezone: Asia/Jayapura}
  inherits: {}
"""
    standards = parse_standards(text, "t.yaml")
    assert standards.timezone_of("own") == "Asia/Jayapura"
    assert standards.timezone_of("inherits") == "Asia/Makassar"
    assert standards.timezone_of("unknown") == "Asia/Makassar"
    assert parse_standards("offices: {a: {}}", "t.yaml").timezone_of("a") == "UTC"


def test_offices_without_hours_are_neither_open_nor_closed() -> None:
    standards = parse_standards("offices: {a: {}, b: {hours: null}}", "t.yaml")
    assert standards.is_open("a", 0.0) is None
    assert standards.is_open("b", 0.0) is None
    assert standards.is_open("unknown", 0.0) is None
    assert standards.offices_with_hours() == []


def test_v2_fixture_standards() -> None:
    standards = load_standards(FIXTURES / "v2-features.standards.yaml")
    assert standards.offices_with_hours() == [
        "mpp-denpasar", "samsat-sore", "mpp-jayapura", "kantor-tanpa-peristiwa",
    ]  # fmt: skip
    assert standards.timezone_of("mpp-denpasar") == "Asia/Makassar"
    assert standards.timezone_of("samsat-sore") == "Asia/Jakarta"


@pytest.mark.parametrize(
    ("office", "service", "warn_at", "warn_seconds"),
    [
        ("mpp-denpasar", "ktp-el", 0.9, 810.0),  # the service's own
        ("mpp-denpasar", "paspor", 0.5, 1200.0),  # the office's default, the service's max_wait
        ("mpp-denpasar", "other", 0.5, 600.0),  # the office's defaults for both
        ("samsat-sore", "pkb-samsat", 0.8, 1440.0),  # the file's defaults
        ("elsewhere", "any", 0.8, 1440.0),
    ],
)
def test_warn_at_lookup(office: str, service: str, warn_at: float, warn_seconds: float) -> None:
    standard = load_standards(FIXTURES / "v2-features.standards.yaml").lookup(office, service)
    assert (standard.warn_at, standard.warn_seconds) == (warn_at, warn_seconds)


def test_builtin_warn_at() -> None:
    standard = parse_standards("{}", "t.yaml").lookup("a", "b")
    assert standard == Standard(1800.0, 900.0, 0.9, 0.8)
    assert standard.warn_seconds == 1440.0


INVALID_V2_VALUES: list[tuple[str, str]] = [
    (
        "defaults: {warn_at: 0}",
        "defaults.warn_at: 0 is not a share more than 0 and less than 1",
    ),
    (
        "defaults: {warn_at: 1}",
        "defaults.warn_at: 1 is not a share more than 0 and less than 1",
    ),
    (
        "offices: {a: {services: {s: {warn_at: '0.5'}}}}",
        "offices.a.services.s.warn_at: '0.5' is not a share more than 0 and less than 1",
    ),
    (
        "offices: {a: {defaults: {warn_at: true}}}",
        "offices.a.defaults.warn_at: True is not a share more than 0 and less than 1",
    ),
    (
        "offices: {a: {timezone: Asia/Medan}}",
        "offices.a.timezone: unknown time zone 'Asia/Medan'",
    ),
    ("offices: {a: {timezone: '+07:00'}}", "offices.a.timezone: unknown time zone '+07:00'"),
    ("offices: {a: {timezone: 7}}", "offices.a.timezone: must be a time zone name, not int 7"),
    (
        "offices: {a: {hours: [mon]}}",
        "offices.a.hours: must be a mapping, not list ['mon']",
    ),
    (
        'offices: {a: {hours: {monday: "08:00-12:00"}}}',
        "offices.a.hours.monday: unknown day 'monday' (expected one of mon, tue, wed, thu, "
        "fri, sat, sun or a range such as mon-fri)",
    ),
    (
        'offices: {a: {hours: {mon-fry: "08:00-12:00"}}}',
        "offices.a.hours.mon-fry: unknown day 'fry' (expected one of mon, tue, wed, thu, "
        "fri, sat, sun or a range such as mon-fri)",
    ),
    (
        'offices: {a: {hours: {fri-mon: "08:00-12:00"}}}',
        "offices.a.hours.fri-mon: bad day range 'fri-mon': fri must come before mon (mon…sun)",
    ),
    (
        'offices: {a: {hours: {mon-mon: "08:00-12:00"}}}',
        "offices.a.hours.mon-mon: bad day range 'mon-mon': mon must come before mon (mon…sun)",
    ),
    (
        'offices: {a: {hours: {mon-fri: "08:00-12:00", wed: "13:00-14:00"}}}',
        "offices.a.hours.wed: wed appears twice (also in mon-fri)",
    ),
    (
        'offices: {a: {hours: {mon: "08:00-12:00", mon: "13:00-14:00"}}}',
        "line 1, column 43: invalid YAML: found duplicate key 'mon'",
    ),
    (
        'offices: {a: {hours: {mon: "8:00-12:00"}}}',
        "offices.a.hours.mon: bad range '8:00-12:00': write \"HH:MM-HH:MM\", two digits "
        "each, 00:00 to 24:00",
    ),
    (
        'offices: {a: {hours: {mon: "08:00 - 12:00"}}}',
        "offices.a.hours.mon: bad range '08:00 - 12:00': write \"HH:MM-HH:MM\", two digits "
        "each, 00:00 to 24:00",
    ),
    (
        'offices: {a: {hours: {mon: "08:00-24:01"}}}',
        "offices.a.hours.mon: bad range '08:00-24:01': write \"HH:MM-HH:MM\", two digits "
        "each, 00:00 to 24:00",
    ),
    (
        'offices: {a: {hours: {mon: "08:60-12:00"}}}',
        "offices.a.hours.mon: bad range '08:60-12:00': write \"HH:MM-HH:MM\", two digits "
        "each, 00:00 to 24:00",
    ),
    (
        'offices: {a: {hours: {mon: "12:00-08:00"}}}',
        "offices.a.hours.mon: bad range '12:00-08:00': the start must be before the end",
    ),
    (
        'offices: {a: {hours: {mon: "12:00-12:00"}}}',
        "offices.a.hours.mon: bad range '12:00-12:00': the start must be before the end",
    ),
    (
        "offices: {a: {hours: {mon: []}}}",
        'offices.a.hours.mon: must be a range "HH:MM-HH:MM" (two digits each, 00:00 to '
        "24:00) or a list of them, not an empty list",
    ),
    (
        "offices: {a: {hours: {mon: 8}}}",
        'offices.a.hours.mon: must be a range "HH:MM-HH:MM" (two digits each, 00:00 to '
        "24:00) or a list of them, not int 8",
    ),
    (
        'offices: {a: {hours: {mon: ["08:00-12:00", 13]}}}',
        'offices.a.hours.mon[1]: must be a range "HH:MM-HH:MM" (two digits each, 00:00 to '
        "24:00) or a list of them, not int 13",
    ),
    (
        'offices: {a: {hours: {fri: ["08:00-12:00", "11:00-13:00"]}}}',
        "offices.a.hours.fri[1]: '11:00-13:00' overlaps '08:00-12:00' (ranges exclude "
        'their end, so "08:00-12:00" and "12:00-13:00" may both be given)',
    ),
    (
        'offices: {a: {hours: {fri: ["13:00-15:00", "08:00-14:00"]}}}',
        "offices.a.hours.fri[1]: '08:00-14:00' overlaps '13:00-15:00' (ranges exclude "
        'their end, so "08:00-12:00" and "12:00-13:00" may both be given)',
    ),
    (
        'offices: {a: {hours: {5: "08:00-12:00"}}}',
        "offices.a.hours.5: a day must be one of mon, tue, wed, thu, fri, sat, sun or a "
        "range such as mon-fri, not int 5",
    ),
]


@pytest.mark.parametrize(("text", "message"), INVALID_V2_VALUES)
def test_invalid_v2_values(text: str, message: str) -> None:
    with pytest.raises(StandardsError) as info:
        parse_standards(text, "bad.yaml")
    assert str(info.value) == f"bad.yaml: {message}"
