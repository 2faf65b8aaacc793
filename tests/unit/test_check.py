"""`pantau check standards|tokens|events FILE`: every problem with its line or path, offline."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from pantau.check import Problem, check_events
from pantau.cli import cli
from pantau.standards import StandardsError, parse_standards
from tests.support import FIXTURES

REPO = FIXTURES.parent.parent
GOOD = {
    "event_id": "0b6f0a52-1c1d-4c8e-9d2a-1f7f1e6f2a01", "type": "ticket.issued",
    "occurred_at": "2026-11-23T08:00:00+07:00", "office": "k", "ticket": "A1", "service": "s",
}  # fmt: skip
NOW = 1_800_000_000.0  # 2027-01-15: the events above are in the past


def line(**changes: object) -> bytes:
    return orjson.dumps({**GOOD, **changes})


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([line()], []),
        ([line(), b"", line(event_id="0b6f0a52-1c1d-4c8e-9d2a-1f7f1e6f2a02")], []),
        ([b"{not json"], [("line 1", "not JSON")]),
        ([line(office="BAD ID")], [("line 1", "office: ")]),
        ([line(), line()], [("line 2", "event_id: the same as line 1 (a duplicate)")]),
        (
            [line(occurred_at="2030-01-01T00:00:00Z")],
            [("line 1", "occurred_at: 2030-01-01T00:00:00Z is ")],
        ),
    ],
)
def test_each_bad_line_is_named(lines: list[bytes], expected: list[tuple[str, str]]) -> None:
    got = list(check_events(lines, now=NOW))
    assert [p.where for p in got] == [where for where, _ in expected]
    for problem, (_, start) in zip(got, expected, strict=True):
        assert start in problem.reason


def test_a_problem_reads_as_one_line() -> None:
    assert str(Problem("line 3", "office: required")) == "line 3: office: required"


def test_the_fixture_lists_every_malformed_line_and_exits_1() -> None:
    path = FIXTURES / "mpp-medan-day.events.jsonl"
    done = CliRunner().invoke(cli, ["check", "events", str(path)])
    assert done.exit_code == 1
    listed = done.stdout.splitlines()
    assert listed and all(row.startswith(f"{path}: line ") for row in listed)
    assert done.stderr == f"pantau: error: {path}: {len(listed)} problem(s)\n"


@pytest.mark.parametrize(
    ("kind", "path"),
    [("standards", REPO / "examples" / "standards.yaml"),
     ("tokens", REPO / "examples" / "demo-tokens.yaml")],
)  # fmt: skip
def test_good_files_pass(kind: str, path: Path) -> None:
    done = CliRunner().invoke(cli, ["check", kind, str(path)])
    assert done.exit_code == 0 and done.stdout.endswith("no problem\n")


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("standards", "defaults: {max_wait: 15x}\n", "defaults.max_wait: bad duration: "),
        ("tokens", "short: ['*']\n", "token #1: too short"),
    ],
)
def test_bad_files_name_the_path(tmp_path: Path, kind: str, text: str, expected: str) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(text)
    done = CliRunner().invoke(cli, ["check", kind, str(path)])
    assert done.exit_code == 1
    assert done.stdout.startswith(f"{path}: {expected}")


def test_a_missing_file_exits_2() -> None:
    done = CliRunner().invoke(cli, ["check", "events", "/nonexistent.jsonl"])
    assert done.exit_code == 2
    assert done.stderr == "pantau: error: /nonexistent.jsonl: no such file\n"


SEVERAL_STANDARDS = """\
timezone: Asia/Medan
colour: blue
defaults: {max_wait: 15x, target: 2}
offices:
  BAD ID: {}
  ok:
    hours: {fri: ["08:00-12:00", "11:00-13:00"], mon-mon: "08:00-09:00", sat: "9-5"}
    services:
      s1: {max_wait: 0s, warn_at: 1, extra: 1}
      s2: [1]
  fine: {services: {s: {max_wait: 10m}}}
"""
SEVERAL_STANDARDS_PROBLEMS = [
    "colour: unknown key (expected timezone, defaults, offices)",
    "timezone: unknown time zone 'Asia/Medan'",
    "offices.'BAD ID': bad office id: must match ^[a-z0-9][a-z0-9_-]{0,63}$",
    "offices.ok.services.s1.extra: unknown key "
    "(expected name, max_wait, max_processing, target, warn_at)",
    "offices.ok.services.s1.max_wait: bad duration: '0s' is zero: a duration must be positive",
    "offices.ok.services.s1.warn_at: 1 is not a share more than 0 and less than 1",
    "offices.ok.services.s2: must be a mapping, not list [1]",
    "offices.ok.hours.fri[1]: '11:00-13:00' overlaps '08:00-12:00' (ranges exclude their "
    'end, so "08:00-12:00" and "12:00-13:00" may both be given)',
    "offices.ok.hours.mon-mon: bad day range 'mon-mon': mon must come before mon (mon…sun)",
    "offices.ok.hours.sat: bad range '9-5': write \"HH:MM-HH:MM\", two digits each, 00:00 to 24:00",
    "defaults.max_wait: bad duration: '15x' is not a duration such as 90s, 15m or 1h30m, "
    "or a positive number of seconds",
    "defaults.target: 2 is not a share between 0 and 1",
]
SEVERAL_TOKENS = """\
short: ["*"]
12345678901234567890: []
abcdefghijklmnopqrstuv: [ok, "BAD", 5]
"bad token!": "*"
kiosk-medan-7f3a9c2e41: [mpp-medan]
"""
SEVERAL_TOKENS_PROBLEMS = [
    "token #1: too short: at least 16 characters",
    "token #2: a token must be a string of letters, digits and -._~+/=",
    'token #2: offices must be "*" or a non-empty list of office ids',
    "token #3: 'BAD' is not an office id (must match ^[a-z0-9][a-z0-9_-]{0,63}$) or '*'",
    "token #3: 5 is not an office id (must match ^[a-z0-9][a-z0-9_-]{0,63}$) or '*'",
    "token #4: a token must be a string of letters, digits and -._~+/=",
]


@pytest.mark.parametrize(
    ("kind", "text", "problems"),
    [
        ("standards", SEVERAL_STANDARDS, SEVERAL_STANDARDS_PROBLEMS),
        ("tokens", SEVERAL_TOKENS, SEVERAL_TOKENS_PROBLEMS),
        ("standards", "offices: {a: {services: [\n", None),  # YAML: one problem, its line
    ],
)
def test_every_problem_of_a_file_is_listed(
    tmp_path: Path, kind: str, text: str, problems: list[str] | None
) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    done = CliRunner().invoke(cli, ["check", kind, str(path)])
    assert done.exit_code == 1
    listed = done.stdout.splitlines()
    if problems is None:
        [only] = listed
        assert only.startswith(f"{path}: line 2, column 1: invalid YAML: ")
    else:
        assert listed == [f"{path}: {problem}" for problem in problems]
    assert done.stderr == f"pantau: error: {path}: {len(listed)} problem(s)\n"


def test_the_first_problem_is_what_the_loader_says() -> None:
    with pytest.raises(StandardsError) as caught:
        parse_standards(SEVERAL_STANDARDS, "s.yaml")
    assert str(caught.value) == f"s.yaml: {SEVERAL_STANDARDS_PROBLEMS[0]}"
    assert [f"{where}: {why}" for where, why in caught.value.problems] == (
        SEVERAL_STANDARDS_PROBLEMS
    )
