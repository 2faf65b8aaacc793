"""The service standards file of CONTRACT §3: loading, validation and lookups."""

import itertools
import math
import os
import re
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

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
    """An invalid standards file; the message names the file, the path inside it and why."""

    def __init__(self, source: str, path: str, reason: str) -> None:
        super().__init__(source, path, reason)
        self.source, self.path, self.reason = source, path, reason

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


@dataclass(frozen=True, slots=True)
class _Service:
    name: str | None
    values: _Values


@dataclass(frozen=True, slots=True)
class _Office:
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
    try:
        return _build(document)
    except _Invalid as exc:
        raise StandardsError(source, exc.path, exc.reason) from None


class _Invalid(Exception):
    def __init__(self, path: str, reason: str) -> None:
        super().__init__(path, reason)
        self.path, self.reason = path, reason


def _build(document: object) -> Standards:
    top = _mapping(document, "", _TOP_KEYS)
    timezone = _timezone(top, "")
    offices: dict[str, _Office] = {}
    for office_id, raw_office in _mapping(top.get("offices"), "offices").items():
        path = _id(office_id, "offices", "office")
        office = _mapping(raw_office, path, _OFFICE_KEYS)
        services: dict[str, _Service] = {}
        for service_id, raw_service in _mapping(office.get("services"), f"{path}.services").items():
            service_path = _id(service_id, f"{path}.services", "service")
            service = _mapping(raw_service, service_path, _SERVICE_KEYS)
            services[service_id] = _Service(
                _name(service, service_path), _values(service, service_path)
            )
        defaults_path = f"{path}.defaults"
        office_defaults = _values(
            _mapping(office.get("defaults"), defaults_path, _VALUE_KEYS), defaults_path
        )
        hours = _hours(office["hours"], f"{path}.hours") if "hours" in office else None
        offices[office_id] = _Office(
            _name(office, path), office_defaults, services, _timezone(office, path), hours
        )
    defaults = _values(_mapping(top.get("defaults"), "defaults", _VALUE_KEYS), "defaults")
    return Standards(defaults, offices, timezone)


def _mapping(value: object, path: str, keys: tuple[str, ...] | None = None) -> dict[Any, Any]:
    """A mapping (null counts as empty) whose keys, if given, are all known."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Invalid(path, f"must be a mapping, not {_kind(value)}")
    if keys is not None:
        for key in value:
            if key not in keys:
                raise _Invalid(
                    _join(path, _label(key)), f"unknown key (expected {', '.join(keys)})"
                )
    return value


def _id(value: object, parent: str, what: str) -> str:
    if not isinstance(value, str):
        raise _Invalid(_join(parent, _label(value)), f"{what} id must be a string (quote it)")
    if not _ID.fullmatch(value):
        raise _Invalid(_join(parent, _label(value)), f"bad {what} id: must match {ID_PATTERN}")
    return _join(parent, value)


def _name(entry: dict[str, Any], path: str) -> str | None:
    name = entry.get("name")
    if name is not None and not isinstance(name, str):
        raise _Invalid(f"{path}.name", f"must be a string, not {_kind(name)}")
    return name


def _values(entry: dict[str, Any], path: str) -> _Values:
    values: _Values = {}
    for key in ("max_wait", "max_processing"):
        if key in entry:
            try:
                values[key] = parse_duration(entry[key])
            except ValueError as exc:
                raise _Invalid(f"{path}.{key}", f"bad duration: {exc}") from None
    if "target" in entry:
        target = entry["target"]
        if (
            isinstance(target, bool)
            or not isinstance(target, int | float)
            or not 0 <= target <= 1  # also false for NaN
        ):
            raise _Invalid(f"{path}.target", f"{target!r} is not a share between 0 and 1")
        values["target"] = float(target)
    if "warn_at" in entry:
        warn_at = entry["warn_at"]
        if (
            isinstance(warn_at, bool)
            or not isinstance(warn_at, int | float)
            or not 0 < warn_at < 1  # also false for NaN
        ):
            raise _Invalid(
                f"{path}.warn_at", f"{warn_at!r} is not a share more than 0 and less than 1"
            )
        values["warn_at"] = float(warn_at)
    return values


def _timezone(entry: dict[str, Any], parent: str) -> str | None:
    """The entry's `timezone`, checked to be an IANA name this machine knows."""
    value = entry.get("timezone")
    if value is None:
        return None
    path = _join(parent, "timezone")
    if not isinstance(value, str):
        raise _Invalid(path, f"must be a time zone name, not {_kind(value)}")
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise _Invalid(path, f"unknown time zone {value!r}") from None
    return value


_CLOCK = re.compile(r"([01][0-9]|2[0-4]):([0-5][0-9])")
_DAYS_HINT = f"one of {', '.join(DAYS)} or a range such as mon-fri"
_RANGE_HINT = 'a range "HH:MM-HH:MM" (two digits each, 00:00 to 24:00) or a list of them'


def _hours(value: object, path: str) -> OpeningHours | None:
    """Opening hours (CONTRACT §3); null counts as not given, `{}` as never open."""
    if value is None:
        return None
    days: list[list[tuple[int, int]]] = [[] for _ in DAYS]
    named_by: dict[int, str] = {}
    for key, ranges in _mapping(value, path).items():
        key_path = _join(path, _label(key))
        for day in _day_keys(key, key_path):
            if day in named_by:
                raise _Invalid(key_path, f"{DAYS[day]} appears twice (also in {named_by[day]})")
            named_by[day] = str(key)
            days[day] = _ranges(ranges, key_path)
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


def _ranges(value: object, path: str) -> list[tuple[int, int]]:
    if isinstance(value, str):
        return [_range(value, path)]
    if not isinstance(value, list):
        raise _Invalid(path, f"must be {_RANGE_HINT}, not {_kind(value)}")
    if not value:
        raise _Invalid(path, f"must be {_RANGE_HINT}, not an empty list")
    ranges = [_range(item, f"{path}[{i}]") for i, item in enumerate(value)]
    by_start = sorted(range(len(ranges)), key=lambda i: ranges[i])
    for before, after in itertools.pairwise(by_start):
        if ranges[after][0] < ranges[before][1]:
            first, second = sorted((before, after))
            raise _Invalid(
                f"{path}[{second}]",
                f"{value[second]!r} overlaps {value[first]!r} (ranges exclude their end, so "
                '"08:00-12:00" and "12:00-13:00" may both be given)',
            )
    return sorted(ranges)


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
