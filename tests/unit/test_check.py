"""`pantau check standards|tokens|events FILE`: every problem with its line or path, offline."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from pantau.check import Problem, check_events
from pantau.cli import cli
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
