"""Tests of pantau.standards: the standards file of CONTRACT §3."""

import math
from pathlib import Path

import pytest

from pantau.standards import (
    BUILTIN_STANDARD,
    Standard,
    Standards,
    StandardsError,
    load_standards,
    parse_duration,
    parse_standards,
)

FIXTURES = Path(__file__).parents[1] / "fixtures"


# --- durations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("90s", 90.0),
        ("15m", 900.0),
        ("2h", 7200.0),
        ("1h30m", 5400.0),
        ("1h30s", 3630.0),
        ("1m30s", 90.0),
        ("1h2m3s", 3723.0),
        ("0h1s", 1.0),
        ("90m", 5400.0),
        (90, 90.0),
        (1, 1.0),
        (0.5, 0.5),
        (1e3, 1000.0),
    ],
)
def test_valid_durations(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize(
    "value",
    [
        "0s",
        "0h0m0s",
        "0",
        "90",
        "",
        "15",
        "-5m",
        "1.5m",
        "30m1h",
        "1s1m",
        "15 m",
        " 15m",
        "15m\n",
        "15M",
        "1h 30m",
        "1d",
        "m",
        "1:30",
        0,
        -1,
        -0.5,
        0.0,
        math.inf,
        math.nan,
        10**400,
        True,
        False,
        None,
        [15],
        {"m": 15},
    ],
)
def test_invalid_durations(value: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(value)


def test_unit_less_string_gets_a_hint() -> None:
    with pytest.raises(ValueError, match="has no unit: write 90s"):
        parse_duration("90")


# --- the fixtures -------------------------------------------------------------------------


def test_edge_cases_standards() -> None:
    standards = load_standards(FIXTURES / "edge-cases.standards.yaml")
    assert standards.timezone == "Asia/Jakarta"
    assert standards.configured() == [
        ("kantor-contoh", "ktp-el"),
        ("kantor-contoh", "kartu-keluarga"),
    ]
    assert standards.lookup("kantor-contoh", "ktp-el") == Standard(900.0, 600.0, 0.90)
    assert standards.lookup("kantor-contoh", "kartu-keluarga") == Standard(1200.0, 900.0, 0.85)
    # An unknown service of a known office: the office default max_wait (20m), then the top.
    assert standards.lookup("kantor-contoh", "pbb-pajak") == Standard(1200.0, 900.0, 0.90)
    assert standards.lookup("kantor-contoh", "akta-kelahiran") == Standard(1200.0, 900.0, 0.90)
    # An unknown office: the top defaults.
    assert standards.lookup("kantor-lain", "ktp-el") == Standard(1800.0, 900.0, 0.90)
    assert standards.office_name("kantor-contoh") == "Kantor Contoh"
    assert standards.office_name("kantor-lain") is None
    assert standards.service_name("kantor-contoh", "ktp-el") == "Perekaman KTP-el"
    assert standards.service_name("kantor-contoh", "pbb-pajak") is None
    assert standards.service_name("kantor-lain", "ktp-el") is None


def test_mpp_medan_day_standards() -> None:
    standards = load_standards(str(FIXTURES / "mpp-medan-day.standards.yaml"))
    assert standards.timezone == "Asia/Jakarta"
    assert len(standards.configured()) == 7
    assert all(office == "mpp-medan" for office, _ in standards.configured())
    assert standards.lookup("mpp-medan", "paspor") == Standard(1800.0, 1200.0, 0.85)
    assert standards.lookup("mpp-medan", "perizinan-oss") == Standard(1800.0, 1800.0, 0.95)
    assert standards.lookup("mpp-medan", "unknown") == Standard(1500.0, 900.0, 0.90)
    assert standards.service_name("mpp-medan", "pkb-samsat") == "Pkb Samsat"


# --- lookups ------------------------------------------------------------------------------

CHAIN = """
defaults: {target: 0.8}
offices:
  a:
    defaults: {max_processing: 5m}
    services:
      s: {max_wait: 1m}
      t: {}
  b:
    services:
      s: {target: 1}
"""


@pytest.mark.parametrize(
    ("office", "service", "expected"),
    [
        ("a", "s", Standard(60.0, 300.0, 0.8)),  # each value from a different level
        ("a", "t", Standard(1800.0, 300.0, 0.8)),
        ("a", "u", Standard(1800.0, 300.0, 0.8)),
        ("b", "s", Standard(1800.0, 900.0, 1.0)),
        ("b", "t", Standard(1800.0, 900.0, 0.8)),
        ("c", "s", Standard(1800.0, 900.0, 0.8)),
    ],
)
def test_fallback_chain(office: str, service: str, expected: Standard) -> None:
    assert parse_standards(CHAIN, "chain.yaml").lookup(office, service) == expected


def test_empty_standards_use_the_builtin_values() -> None:
    standards = Standards.empty()
    assert standards.lookup("any", "thing") == BUILTIN_STANDARD == Standard(1800.0, 900.0, 0.90)
    assert standards.configured() == []
    assert standards.timezone is None
    assert standards.office_name("any") is None


@pytest.mark.parametrize(
    "text", ["{}", "{}  # defaults only\n", "offices:\n", "offices: {a: {services: }}"]
)
def test_explicitly_empty_files_mean_the_defaults(text: str) -> None:
    standards = parse_standards(text, "empty.yaml")
    assert standards.lookup("a", "s") == BUILTIN_STANDARD


@pytest.mark.parametrize("text", ["", "\n\n", "# nothing\n", "---\n"])
def test_an_emptied_file_is_an_error_not_no_standards(text: str) -> None:
    with pytest.raises(StandardsError) as caught:
        parse_standards(text, "empty.yaml")
    assert str(caught.value) == (
        "empty.yaml: (top level): the file is empty; write {} to use the built-in defaults only"
    )


def test_lookups_are_cached() -> None:
    standards = parse_standards(CHAIN, "chain.yaml")
    assert standards.lookup("a", "s") is standards.lookup("a", "s")
    assert standards.lookup("z", "z") is standards.lookup("z", "z")


def test_standard_is_a_frozen_slotted_value() -> None:
    standard = Standard(60.0, 300.0, 0.8)
    with pytest.raises(AttributeError):
        standard.target = 1.0  # type: ignore[misc]
    assert not hasattr(standard, "__dict__")


def test_numbers_of_seconds_and_integer_targets() -> None:
    text = "defaults: {max_wait: 90, max_processing: 7.5, target: 1}"
    assert parse_standards(text, "x.yaml").lookup("a", "b") == Standard(90.0, 7.5, 1.0)


@pytest.mark.parametrize(
    ("text", "office", "expected"),
    [
        # YAML 1.1 would read these as False, 8 and 90 (base 60).
        ("offices: {no: {defaults: {max_wait: 1m}}}", "no", 60.0),
        ("offices: {on: {defaults: {max_wait: 010}}}", "on", 10.0),
        ("offices: {y: {defaults: {max_wait: 1e3}}}", "y", 1000.0),
    ],
)
def test_yaml_1_2_scalars(text: str, office: str, expected: float) -> None:
    assert parse_standards(text, "x.yaml").lookup(office, "s").max_wait == expected


# --- invalid files ------------------------------------------------------------------------


INVALID_FILES: list[tuple[str, str | None]] = [
    (
        "offices: {mpp-medan: {services: {ktp-el: {max_wait: 15x}}}}",
        "bad.yaml: offices.mpp-medan.services.ktp-el.max_wait: bad duration: '15x' is not a "
        "duration such as 90s, 15m or 1h30m, or a positive number of seconds",
    ),
    (
        "offices: {mpp-medan: {services: {ktp-el: {max_wiat: 15m}}}}",
        "bad.yaml: offices.mpp-medan.services.ktp-el.max_wiat: unknown key "
        "(expected name, max_wait, max_processing, target, warn_at)",
    ),
    (
        "defaults: {max_wait: '90'}",
        "bad.yaml: defaults.max_wait: bad duration: '90' has no unit: write 90s, or the "
        "number unquoted",
    ),
    (
        "defaults: {max_wait: 0m}",
        "bad.yaml: defaults.max_wait: bad duration: '0m' is zero: a duration must be positive",
    ),
    (
        "defaults: {max_processing: -5}",
        "bad.yaml: defaults.max_processing: bad duration: -5 is not a positive, finite "
        "number of seconds",
    ),
    (
        "defaults: {max_wait: 1:30}",
        "bad.yaml: defaults.max_wait: bad duration: '1:30' is not a duration such as 90s, "
        "15m or 1h30m, or a positive number of seconds",
    ),
    (
        "defaults: {target: 1.5}",
        "bad.yaml: defaults.target: 1.5 is not a share between 0 and 1",
    ),
    (
        "defaults: {target: -0.1}",
        "bad.yaml: defaults.target: -0.1 is not a share between 0 and 1",
    ),
    (
        "defaults: {target: '0.9'}",
        "bad.yaml: defaults.target: '0.9' is not a share between 0 and 1",
    ),
    (
        "defaults: {target: true}",
        "bad.yaml: defaults.target: True is not a share between 0 and 1",
    ),
    (
        "defaults: {target: .nan}",
        "bad.yaml: defaults.target: nan is not a share between 0 and 1",
    ),
    (
        "offices: {a: {defaults: {target: 90}}}",
        "bad.yaml: offices.a.defaults.target: 90 is not a share between 0 and 1",
    ),
    (
        "offices: {a: {defaults: {name: x}}}",
        "bad.yaml: offices.a.defaults.name: unknown key (expected max_wait, max_processing, "
        "target, warn_at)",
    ),
    (
        "defaults: {max_wait: 1m, colour: red}",
        "bad.yaml: defaults.colour: unknown key (expected max_wait, max_processing, target, "
        "warn_at)",
    ),
    (
        "timezone: Asia/Jakarta\nregion: x",
        "bad.yaml: region: unknown key (expected timezone, defaults, offices)",
    ),
    (
        "offices: {a: {address: Jl. Medan}}",
        "bad.yaml: offices.a.address: unknown key (expected name, timezone, hours, defaults, "
        "services)",
    ),
    ("timezone: Asia/Medan", "bad.yaml: timezone: unknown time zone 'Asia/Medan'"),
    ("timezone: ../../etc/passwd", "bad.yaml: timezone: unknown time zone '../../etc/passwd'"),
    ("timezone: 7", "bad.yaml: timezone: must be a time zone name, not int 7"),
    (
        "offices: {MPP-Medan: {}}",
        "bad.yaml: offices.MPP-Medan: bad office id: must match ^[a-z0-9][a-z0-9_-]{0,63}$",
    ),
    (
        "offices: {a: {services: {ktp el: {}}}}",
        "bad.yaml: offices.a.services.'ktp el': bad service id: must match "
        "^[a-z0-9][a-z0-9_-]{0,63}$",
    ),
    ("offices: {123: {}}", "bad.yaml: offices.123: office id must be a string (quote it)"),
    ("offices: {a: {name: 5}}", "bad.yaml: offices.a.name: must be a string, not int 5"),
    ("offices: [a, b]", "bad.yaml: offices: must be a mapping, not list ['a', 'b']"),
    (
        "offices: {a: {services: [s]}}",
        "bad.yaml: offices.a.services: must be a mapping, not list ['s']",
    ),
    (
        "offices: {a: {services: {s: 15m}}}",
        "bad.yaml: offices.a.services.s: must be a mapping, not str '15m'",
    ),
    ("- a\n- b", "bad.yaml: (top level): must be a mapping, not list ['a', 'b']"),
    (
        "defaults: {max_wait: 1m, max_wait: 2m}",
        "bad.yaml: line 1, column 26: invalid YAML: found duplicate key 'max_wait'",
    ),
    (
        "defaults: {max_wait: [1m}",
        "bad.yaml: line 1, column 25: invalid YAML: expected ',' or ']', but got '}'",
    ),
    (
        "defaults:\n  max_wait: 1m\n bad: 2",
        "bad.yaml: line 3, column 2: invalid YAML: expected <block end>, but found "
        "'<block mapping start>'",
    ),
    ("defaults: !!python/object:os.system {}", None),
]


@pytest.mark.parametrize(("text", "message"), INVALID_FILES)
def test_invalid_files(text: str, message: str | None) -> None:
    with pytest.raises(StandardsError) as info:
        parse_standards(text, "bad.yaml")
    text_of_error = str(info.value)
    assert "\n" not in text_of_error
    assert text_of_error.startswith("bad.yaml: ")
    if message is not None:
        assert text_of_error == message


def test_error_attributes() -> None:
    with pytest.raises(StandardsError) as info:
        parse_standards("offices: {a: {services: {s: {target: 2}}}}", "x.yaml")
    assert (info.value.source, info.value.path) == ("x.yaml", "offices.a.services.s.target")
    assert info.value.reason == "2 is not a share between 0 and 1"


def test_load_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "standards.yaml"
    path.write_text("offices:\n  mpp-medan:\n    services:\n      ktp-el: {max_wait: 15}\n")
    assert load_standards(path).lookup("mpp-medan", "ktp-el").max_wait == 15.0
    path.write_text("offices:\n  mpp-medan:\n    services:\n      ktp-el: {max_wait: 15q}\n")
    with pytest.raises(StandardsError) as info:
        load_standards(path)
    assert str(info.value).startswith(f"{path}: offices.mpp-medan.services.ktp-el.max_wait: ")


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(StandardsError, match="cannot read the file"):
        load_standards(tmp_path / "absent.yaml")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"defaults: {max_wait: \xff}\n")
    with pytest.raises(StandardsError, match=f"^{binary}: "):
        load_standards(binary)
