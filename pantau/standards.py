"""The service standards file of CONTRACT §3: loading, validation and lookups."""

import itertools
import math
import os
import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import yaml

from pantau.events import ID_PATTERN

from . import yaml12

__all__ = [
    "BUILTIN_STANDARD",
    "DAYS",
    "OpeningHours",
    "Standard",
    "Standards",
    "StandardsError",
    "load_standards",
    "parse_duration",
    "parse_standards",
]


@dataclass(frozen=True, slots=True)
class Standard:
    """The standard in force for one (office, service): seconds, seconds, share, share."""

    max_wait: float
    max_processing: float
    target: float
    warn_at: float = 0.8  # share of max_wait after which a waiting citizen is near it

    @property
    def warn_seconds(self) -> float:
        """The wait after which a citizen is near the standard (warn_at times max_wait)."""
        return self.warn_at * self.max_wait


BUILTIN_STANDARD = Standard(max_wait=1800.0, max_processing=900.0, target=0.90, warn_at=0.8)

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # as datetime.weekday() numbers them
_Ranges = tuple[tuple[int, int], ...]  # half-open [start, end) in seconds of the day


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """An office's weekly opening hours: per weekday (Monday first) its half-open ranges."""

    days: tuple[_Ranges, ...]

    def is_open(self, ts: float, tz: zoneinfo.ZoneInfo) -> bool:
        """Whether the instant `ts` (seconds since the epoch) falls in a range, in `tz`."""
        local = datetime.fromtimestamp(ts, tz)
        second = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        return any(start <= second < end for start, end in self.days[local.weekday()])

    def seconds_until_open(self, ts: float, tz: zoneinfo.ZoneInfo) -> float | None:
        """0 while open at `ts`, else the seconds until it next opens; None if it never does."""
        local = datetime.fromtimestamp(ts, tz)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        for days_ahead in range(8):
            day = midnight + timedelta(days=days_ahead)
            waits = [
                max((day + timedelta(seconds=start)).timestamp() - ts, 0.0)
                for start, end in self.days[day.weekday()]
                if (day + timedelta(seconds=end)).timestamp() > ts
            ]
            if waits:
                return min(waits)
        return None


_VALUE_KEYS = ("max_wait", "max_processing", "target", "warn_at")
_TOP_KEYS = ("timezone", "defaults", "offices")
_OFFICE_KEYS = ("name", "timezone", "hours", "defaults", "services")
_SERVICE_KEYS = ("name", *_VALUE_KEYS)
_ID = re.compile(ID_PATTERN)
_DURATION = re.compile(r"(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?")
_DURATION_HINT = "a duration such as 90s, 15m or 1h30m, or a positive number of seconds"
_LOOKUP_CACHE_LIMIT = 100_000

# The values one level of the file can set; a missing key falls back to the next level.
_Values = dict[str, float]


class StandardsError(Exception):
    """An invalid standards file; the message names the file, the path inside it and why.

    `path` and `reason` are the first problem found; `problems` lists every one as (path,
    reason) pairs, in the order they are checked (`pantau check standards` prints them)."""

    def __init__(
        self, source: str, path: str, reason: str, problems: Sequence[tuple[str, str]] = ()
    ) -> None:
        super().__init__(source, path, reason)
        self.source, self.path, self.reason = source, path, reason
        self.problems: tuple[tuple[str, str], ...] = tuple(problems) or ((path, reason),)

    def __str__(self) -> str:
        return f"{self.source}: {self.path or '(top level)'}: {self.reason}"


def parse_duration(value: object) -> float:
    """Seconds of a duration ("90s", "15m", "1h30m" or a positive number); ValueError if bad."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            seconds = float(value)
        except OverflowError:
            seconds = math.inf
        if math.isfinite(seconds) and seconds > 0:
            return seconds
        raise ValueError(f"{value!r} is not a positive, finite number of seconds")
    if isinstance(value, str):
        match = _DURATION.fullmatch(value)
        if match and value:
            hours, minutes, seconds_ = (int(part or 0) for part in match.groups())
            total = hours * 3600 + minutes * 60 + seconds_
            if total > 0:
                return float(total)
            raise ValueError(f"{value!r} is zero: a duration must be positive")
        if value.isdecimal():
            raise ValueError(f"{value!r} has no unit: write {value}s, or the number unquoted")
    raise ValueError(f"{value!r} is not {_DURATION_HINT}")


class _Service(NamedTuple):  # tuples: thousands are made per file, and quickly
    name: str | None
    values: _Values


class _Office(NamedTuple):
    name: str | None
    defaults: _Values
    services: dict[str, _Service]
    timezone: str | None = None
    hours: OpeningHours | None = None


class Standards:
    """The standards in force; lookups fall back service → office → file → built-in."""

    def __init__(
        self,
        defaults: _Values | None = None,
        offices: dict[str, _Office] | None = None,
        timezone: str | None = None,
    ) -> None:
        self.timezone = timezone
        self._defaults = defaults or {}
        self._offices = offices or {}
        self._cache: dict[tuple[str, str], Standard] = {}
        self._zones: dict[str, zoneinfo.ZoneInfo] = {}

    @classmethod
    def empty(cls) -> "Standards":
        """No file: every lookup gives the built-in 30m / 15m / 0.90."""
        return cls()

    def lookup(self, office: str, service: str) -> Standard:
        """The standard for a service of an office, configured or not."""
        key = (office, service)
        found = self._cache.get(key)
        if found is None:
            found = self._resolve(office, service)
            if len(self._cache) >= _LOOKUP_CACHE_LIMIT:  # ids come from the wire
                self._cache.clear()
            self._cache[key] = found
        return found

    def configured(self) -> list[tuple[str, str]]:
        """Every (office, service) listed in the file, in file order."""
        return [
            (office_id, service_id)
            for office_id, office in self._offices.items()
            for service_id in office.services
        ]

    def office_name(self, office: str) -> str | None:
        found = self._offices.get(office)
        return found.name if found else None

    def service_name(self, office: str, service: str) -> str | None:
        found = self._offices.get(office)
        entry = found.services.get(service) if found else None
        return entry.name if entry else None

    def timezone_of(self, office: str) -> str:
        """The office's IANA time zone: its own, else the file's, else UTC."""
        found = self._offices.get(office)
        return (found.timezone if found else None) or self.timezone or "UTC"

    def zone_of(self, office: str) -> zoneinfo.ZoneInfo:
        name = self.timezone_of(office)
        zone = self._zones.get(name)
        if zone is None:
            zone = self._zones[name] = zoneinfo.ZoneInfo(name)
        return zone

    def hours_of(self, office: str) -> OpeningHours | None:
        """The office's opening hours, or None if the file gives it none."""
        found = self._offices.get(office)
        return found.hours if found else None

    def offices_with_hours(self) -> list[str]:
        return [name for name, office in self._offices.items() if office.hours is not None]

    def is_open(self, office: str, ts: float) -> bool | None:
        """Whether the office is open by its hours at `ts`; None for an office without hours."""
        hours = self.hours_of(office)
        if hours is None:
            return None
        return hours.is_open(ts, self.zone_of(office))

    def seconds_until_open(self, office: str, ts: float) -> float | None:
        """0 while the office is open by its hours (or has none), else seconds until it opens.

        None if its hours never open it.
        """
        hours = self.hours_of(office)
        if hours is None:
            return 0.0
        return hours.seconds_until_open(ts, self.zone_of(office))

    def _resolve(self, office: str, service: str) -> Standard:
        levels: list[_Values] = []
        found = self._offices.get(office)
        if found is not None:
            entry = found.services.get(service)
            if entry is not None:
                levels.append(entry.values)
            levels.append(found.defaults)
        levels.append(self._defaults)

        def pick(key: str) -> float:
            for level in levels:
                if key in level:
                    return level[key]
            return float(getattr(BUILTIN_STANDARD, key))

        return Standard(pick("max_wait"), pick("max_processing"), pick("target"), pick("warn_at"))


def load_standards(path: str | os.PathLike[str]) -> Standards:
    """Read and validate a standards file; StandardsError if it cannot be used."""
    source = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise StandardsError(source, "", f"cannot read the file: {exc}") from None
    return parse_standards(text, source)


def parse_standards(text: str, source: str) -> Standards:
    """Validate the text of a standards file; source names it in error messages."""
    try:
        document = yaml12.load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise StandardsError(source, where, f"invalid YAML: {reason}") from None
    except (yaml.YAMLError, ValueError) as exc:
        raise StandardsError(source, "", f"invalid YAML: {' '.join(str(exc).split())}") from None
    if document is None:  # nothing but blanks and comments: a file emptied by mistake
        raise StandardsError(
            source, "", "the file is empty; write {} to use the built-in defaults only"
        )
    reader = _Reader()
    standards = reader.standards(document)
    if reader.problems:
        first = reader.problems[0]
        raise StandardsError(
            source, first.path, first.reason, [(p.path, p.reason) for p in reader.problems]
        )
    assert standards is not None
    return standards


class _Invalid(Exception):
    def __init__(self, path: str, reason: str) -> None:
        super().__init__(path, reason)
        self.path, self.reason = path, reason


_ABSENT: Any = object()


class _Reader:
    """Validates a document and builds its Standards, collecting every problem: the top
    level's keys and zone, then office by office (its keys, services, defaults, hours, name,
    zone), then the defaults; the first is what the loader that stopped at it said.

    Durations, opening hours, zones and service ids repeat across thousands of offices:
    each distinct one is checked once."""

    def __init__(self) -> None:
        self.problems: list[_Invalid] = []
        self._durations: dict[str, float] = {}
        self._hours: dict[Any, OpeningHours] = {}
        self._zones: set[str] = set()
        self._service_ids: set[object] = set()  # ids found good

    def standards(self, document: object) -> Standards | None:
        top = self._mapping(document, "", _TOP_KEY_SET, _TOP_KEYS)
        if top is None:
            return None
        timezone = self._timezone(top, "")
        offices: dict[str, _Office] = {}
        raw_offices = self._mapping(top.get("offices"), "offices")
        for office_id, raw_office in (raw_offices or {}).items():
            office = self._office(office_id, raw_office)
            if office is not None:
                offices[office_id] = office
        defaults = self._values(
            self._mapping(top.get("defaults"), "defaults", _VALUE_KEY_SET, _VALUE_KEYS),
            "defaults",
        )
        return Standards(defaults, offices, timezone)

    def _office(self, office_id: object, raw: object) -> _Office | None:
        # The checks of a good office are inline: a file may hold thousands.
        if type(office_id) is str and _ID.fullmatch(office_id):
            path = f"offices.{office_id}"
        else:
            self._id(office_id, "offices", "office")
            return None
        if type(raw) is dict and _OFFICE_KEY_SET.issuperset(raw):
            office: dict[str, Any] = raw
        else:
            found = self._mapping(raw, path, _OFFICE_KEY_SET, _OFFICE_KEYS)
            if found is None:
                return None
            office = found
        services: dict[str, _Service] = {}
        raw_services = office.get("services")
        if raw_services is not None:
            services_path = f"{path}.services"
            for service_id, raw_service in (
                self._mapping(raw_services, services_path) or {}
            ).items():
                service = self._service(service_id, raw_service, services_path)
                if service is not None:
                    services[service_id] = service
        raw_defaults = office.get("defaults")
        defaults: _Values = {}
        if raw_defaults is not None:
            defaults_path = f"{path}.defaults"
            defaults = self._values(
                self._mapping(raw_defaults, defaults_path, _VALUE_KEY_SET, _VALUE_KEYS),
                defaults_path,
            )
        hours = self._opening_hours(office["hours"], f"{path}.hours") if "hours" in office else None
        name = office.get("name")
        if name is not None and type(name) is not str:
            name = self._name(office, path)
        timezone = office.get("timezone")
        if timezone is not None:
            timezone = self._timezone(office, path)
        return _Office(name, defaults, services, timezone, hours)

    def _service(self, service_id: object, raw: object, parent: str) -> _Service | None:
        if service_id not in self._service_ids:
            if self._id(service_id, parent, "service") is None:
                return None
            self._service_ids.add(service_id)
        if type(raw) is dict and _SERVICE_KEY_SET.issuperset(raw):
            service: dict[str, Any] = raw
        else:
            found = self._mapping(raw, f"{parent}.{service_id}", _SERVICE_KEY_SET, _SERVICE_KEYS)
            if found is None:
                return None
            service = found
        name = service.get("name")
        if name is not None and type(name) is not str:
            name = self._name(service, f"{parent}.{service_id}")
        return _Service(name, self._values(service, f"{parent}.{service_id}") if service else {})

    def _problem(self, path: str, reason: str) -> None:
        self.problems.append(_Invalid(path, reason))

    def _mapping(
        self,
        value: object,
        path: str,
        key_set: frozenset[str] | None = None,
        keys: tuple[str, ...] = (),
    ) -> dict[Any, Any] | None:
        """A mapping (null counts as empty) without its unknown keys, each one a problem;
        None (and a problem) if it is not a mapping."""
        if value is None:
            return {}
        if type(value) is not dict:
            self._problem(path, f"must be a mapping, not {_kind(value)}")
            return None
        if key_set is not None and not key_set.issuperset(value):
            for key in value:
                if key not in key_set:
                    self._problem(
                        _join(path, _label(key)), f"unknown key (expected {', '.join(keys)})"
                    )
            return {key: item for key, item in value.items() if key in key_set}
        return value

    def _id(self, value: object, parent: str, what: str) -> str | None:
        if type(value) is not str:
            self._problem(_join(parent, _label(value)), f"{what} id must be a string (quote it)")
            return None
        if not _ID.fullmatch(value):
            self._problem(_join(parent, _label(value)), f"bad {what} id: must match {ID_PATTERN}")
            return None
        return f"{parent}.{value}"

    def _name(self, entry: dict[str, Any], path: str) -> str | None:
        name = entry.get("name")
        if name is not None and type(name) is not str:
            self._problem(f"{path}.name", f"must be a string, not {_kind(name)}")
            return None
        return name

    def _values(self, entry: dict[str, Any] | None, path: str) -> _Values:
        values: _Values = {}
        if not entry:
            return values
        for key in ("max_wait", "max_processing"):
            raw = entry.get(key, _ABSENT)
            if raw is not _ABSENT:
                seconds = self._duration(raw, f"{path}.{key}")
                if seconds is not None:
                    values[key] = seconds
        target = entry.get("target", _ABSENT)
        if target is not _ABSENT:
            if (
                isinstance(target, bool)
                or not isinstance(target, int | float)
                or not 0 <= target <= 1  # also false for NaN
            ):
                self._problem(f"{path}.target", f"{target!r} is not a share between 0 and 1")
            else:
                values["target"] = float(target)
        warn_at = entry.get("warn_at", _ABSENT)
        if warn_at is not _ABSENT:
            if (
                isinstance(warn_at, bool)
                or not isinstance(warn_at, int | float)
                or not 0 < warn_at < 1  # also false for NaN
            ):
                self._problem(
                    f"{path}.warn_at", f"{warn_at!r} is not a share more than 0 and less than 1"
                )
            else:
                values["warn_at"] = float(warn_at)
        return values

    def _duration(self, value: object, path: str) -> float | None:
        if type(value) is str:
            known = self._durations.get(value)
            if known is not None:
                return known
        try:
            seconds = parse_duration(value)
        except ValueError as exc:
            self._problem(path, f"bad duration: {exc}")
            return None
        if type(value) is str:
            self._durations[value] = seconds
        return seconds

    def _timezone(self, entry: dict[str, Any], parent: str) -> str | None:
        """The entry's `timezone`, checked to be an IANA name this machine knows."""
        value = entry.get("timezone")
        if value is None or (type(value) is str and value in self._zones):
            return value
        path = _join(parent, "timezone")
        if type(value) is not str:
            self._problem(path, f"must be a time zone name, not {_kind(value)}")
            return None
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self._problem(path, f"unknown time zone {value!r}")
            return None
        self._zones.add(value)
        return value

    def _opening_hours(self, value: object, path: str) -> OpeningHours | None:
        """Opening hours (CONTRACT §3); null counts as not given, `{}` as never open."""
        if value is None:
            return None
        try:
            key = (
                tuple((day, r if type(r) is str else tuple(r)) for day, r in value.items())
                if type(value) is dict
                else None
            )
            known = self._hours.get(key) if key is not None else None
        except TypeError:  # a list in it holds something unhashable: no shortcut
            key = known = None
        if known is not None:
            return known
        before = len(self.problems)
        hours = _hours(value, path, self.problems)
        if key is not None and hours is not None and len(self.problems) == before:
            self._hours[key] = hours
        return hours


_TOP_KEY_SET = frozenset(_TOP_KEYS)
_OFFICE_KEY_SET = frozenset(_OFFICE_KEYS)
_SERVICE_KEY_SET = frozenset(_SERVICE_KEYS)
_VALUE_KEY_SET = frozenset(_VALUE_KEYS)


_CLOCK = re.compile(r"([01][0-9]|2[0-4]):([0-5][0-9])")
_DAYS_HINT = f"one of {', '.join(DAYS)} or a range such as mon-fri"
_RANGE_HINT = 'a range "HH:MM-HH:MM" (two digits each, 00:00 to 24:00) or a list of them'


def _hours(value: object, path: str, problems: list[_Invalid]) -> OpeningHours | None:
    """Opening hours (CONTRACT §3), each problem added to `problems`; `{}` is never open."""
    if type(value) is not dict:
        problems.append(_Invalid(path, f"must be a mapping, not {_kind(value)}"))
        return None
    days: list[list[tuple[int, int]]] = [[] for _ in DAYS]
    named_by: dict[int, str] = {}
    for key, ranges in value.items():
        key_path = _join(path, _label(key))
        try:
            key_days = _day_keys(key, key_path)
        except _Invalid as exc:
            problems.append(exc)
            continue
        parsed: list[tuple[int, int]] | None = None
        for day in key_days:
            if day in named_by:
                problems.append(
                    _Invalid(key_path, f"{DAYS[day]} appears twice (also in {named_by[day]})")
                )
                break
            named_by[day] = str(key)
            if parsed is None:
                parsed = _ranges(ranges, key_path, problems) or []
            days[day] = parsed
    return OpeningHours(tuple(tuple(day) for day in days))


def _day_keys(key: object, path: str) -> range:
    if not isinstance(key, str):
        raise _Invalid(path, f"a day must be {_DAYS_HINT}, not {_kind(key)}")
    first, dash, last = key.partition("-")
    for name in (first, last) if dash else (first,):
        if name not in DAYS:
            raise _Invalid(path, f"unknown day {name!r} (expected {_DAYS_HINT})")
    if not dash:
        return range(DAYS.index(first), DAYS.index(first) + 1)
    if DAYS.index(first) >= DAYS.index(last):
        raise _Invalid(path, f"bad day range {key!r}: {first} must come before {last} (mon…sun)")
    return range(DAYS.index(first), DAYS.index(last) + 1)


def _ranges(value: object, path: str, problems: list[_Invalid]) -> list[tuple[int, int]] | None:
    """The ranges of one day, sorted; None (and each problem) if any is bad or they overlap."""
    if isinstance(value, str):
        value = [value]
        paths = [path]
    elif not isinstance(value, list):
        problems.append(_Invalid(path, f"must be {_RANGE_HINT}, not {_kind(value)}"))
        return None
    elif not value:
        problems.append(_Invalid(path, f"must be {_RANGE_HINT}, not an empty list"))
        return None
    else:
        paths = [f"{path}[{i}]" for i in range(len(value))]
    ranges: list[tuple[int, int]] = []
    for item, item_path in zip(value, paths, strict=True):
        try:
            ranges.append(_range(item, item_path))
        except _Invalid as exc:
            problems.append(exc)
    if len(ranges) < len(value):
        return None
    by_start = sorted(range(len(ranges)), key=lambda i: ranges[i])
    overlapping = False
    for before, after in itertools.pairwise(by_start):
        if ranges[after][0] < ranges[before][1]:
            first, second = sorted((before, after))
            problems.append(
                _Invalid(
                    f"{path}[{second}]",
                    f"{value[second]!r} overlaps {value[first]!r} (ranges exclude their end, "
                    'so "08:00-12:00" and "12:00-13:00" may both be given)',
                )
            )
            overlapping = True
    return None if overlapping else sorted(ranges)


def _range(value: object, path: str) -> tuple[int, int]:
    if not isinstance(value, str):
        raise _Invalid(path, f"must be {_RANGE_HINT}, not {_kind(value)}")
    start_text, dash, end_text = value.partition("-")
    start, end = _clock(start_text), _clock(end_text)
    if not dash or start is None or end is None:
        raise _Invalid(
            path, f'bad range {value!r}: write "HH:MM-HH:MM", two digits each, 00:00 to 24:00'
        )
    if not start < end:
        raise _Invalid(path, f"bad range {value!r}: the start must be before the end")
    return start, end


def _clock(text: str) -> int | None:
    """Seconds of the day of "HH:MM" (00:00 to 24:00), or None if it is not one."""
    match = _CLOCK.fullmatch(text)
    if match is None:
        return None
    hours, minutes = int(match[1]), int(match[2])
    if hours == 24 and minutes:
        return None
    return hours * 3600 + minutes * 60


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _label(key: object) -> str:
    """A key as written in a path: plain if it is a simple word, else quoted."""
    if isinstance(key, str) and key and key.isprintable() and " " not in key and "." not in key:
        return key
    return repr(key)


def _kind(value: object) -> str:
    return "null" if value is None else f"{type(value).__name__} {value!r}"
