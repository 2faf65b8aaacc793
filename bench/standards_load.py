"""Loading a standards file of 20,000 offices: the loader now beside the one before (#15).

    python -m bench.standards_load [--offices 20000] [--services 1] [--rich] [--repeat 3]

Writes a generated file to a temporary folder, loads it with `pantau.standards.load_standards`
and with the loader it replaced (kept below as it was: PyYAML's constructor over libyaml's
parser, then a validator that stopped at the first problem), prints both times and checks
that both give the same standards.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import sys
import tempfile
import time
import zoneinfo
from pathlib import Path
from typing import Any

import yaml

from pantau import yaml12
from pantau.events import ID_PATTERN
from pantau.standards import (
    DAYS,
    OpeningHours,
    Standards,
    StandardsError,
    _Office,
    _Service,
    load_standards,
    parse_duration,
)

SERVICES = ("ktp-el", "kartu-keluarga", "akta-kelahiran", "paspor", "pkb-samsat", "kia")


def generate(offices: int, services: int = 1, rich: bool = False) -> str:
    """A standards file of `offices` offices with `services` services each; `rich` adds a
    time zone, opening hours, office defaults and service names to every office."""
    lines = ["timezone: Asia/Jakarta", "defaults: {max_wait: 30m, max_processing: 15m}", "offices:"]
    for number in range(1, offices + 1):
        lines += [f"  office-{number:05d}:", f"    name: Kantor {number}"]
        if rich:
            zone = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")[number % 3]
            lines += [
                f"    timezone: {zone}",
                '    hours: {mon-thu: "08:00-15:30", fri: ["08:00-11:30", "13:30-16:00"]}',
                "    defaults: {max_wait: 25m, warn_at: 0.75}",
            ]
        lines.append("    services:")
        for index, service in enumerate(SERVICES[:services]):
            wait = 10 + (number + index) % 20
            if rich:
                lines.append(
                    f"      {service}: {{name: {service.title()}, max_wait: {wait}m, "
                    f"max_processing: {wait * 30}, target: 0.9}}"
                )
            else:
                lines.append(f"      {service}: {{max_wait: {wait}m}}")
    return "\n".join(lines) + "\n"


def same(a: Standards, b: Standards) -> bool:
    """Whether two loaded files give the same standards (zone, defaults, every office)."""
    return (a.timezone, a._defaults, a._offices) == (b.timezone, b._defaults, b._offices)


def best_of(repeat: int, load: Any, path: Path) -> tuple[float, float, Standards]:
    """The least wall-clock and CPU seconds of `repeat` loads, and what was loaded."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = load(path)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    assert result is not None
    return min(walls), min(cpus), result


def legacy_load_standards(path: str | os.PathLike[str]) -> Standards:
    source = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise StandardsError(source, "", f"cannot read the file: {exc}") from None
    return legacy_parse_standards(text, source)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offices", type=int, default=20_000)
    parser.add_argument("--services", type=int, default=1, choices=range(1, len(SERVICES) + 1))
    parser.add_argument("--rich", action="store_true", help="time zones, hours, names")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many loads")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "standards.yaml"
        path.write_text(generate(args.offices, args.services, args.rich), encoding="utf-8")
        size = path.stat().st_size
        print(
            f"standards file: {args.offices:,} offices x {args.services} service(s)"
            f"{', rich' if args.rich else ''}, {size / 1e6:.1f} MB; best of {args.repeat}"
        )
        print(f"libyaml: {'yes' if yaml.__with_libyaml__ else 'no'}")
        old, old_cpu, old_result = best_of(args.repeat, legacy_load_standards, path)
        print(f"  before (PyYAML constructor, validator)   {old:7.3f} s   (CPU {old_cpu:.3f} s)")
        new, new_cpu, new_result = best_of(args.repeat, load_standards, path)
        print(
            f"  now    (event reader, cached validator)  {new:7.3f} s   (CPU {new_cpu:.3f} s)"
            f"   {old / new:.1f}x faster"
        )
    if not same(old_result, new_result):
        print("the two loaders disagree", file=sys.stderr)
        return 1
    print(f"  same standards: {len(new_result.configured()):,} (office, service) pairs")
    return 0


# --- the loader before #15, as it was -----------------------------------------------------

_VALUE_KEYS = ("max_wait", "max_processing", "target", "warn_at")
_TOP_KEYS = ("timezone", "defaults", "offices")
_OFFICE_KEYS = ("name", "timezone", "hours", "defaults", "services")
_SERVICE_KEYS = ("name", *_VALUE_KEYS)
_ID = re.compile(ID_PATTERN)
_Values = dict[str, float]


def _legacy_yaml(text: str) -> Any:
    fast, careful = yaml12._LOADERS[False]
    try:
        return yaml.load(text, Loader=fast)
    except yaml.YAMLError:
        if fast is careful:
            raise
    return yaml.load(text, Loader=careful)


def legacy_parse_standards(text: str, source: str) -> Standards:
    """The loader before #15: PyYAML's constructor over libyaml, the first problem only."""
    try:
        document = _legacy_yaml(text)
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


if __name__ == "__main__":
    sys.exit(main())
