"""`pantau simulate --out`: the same seed gives the same bytes; bad flags give one line."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pantau.cli import cli
from pantau.events import parse_event
from tests.services import PANTAU
from tests.support import FIXTURES

STANDARDS = str(FIXTURES / "mpp-medan-day.standards.yaml")


def simulate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PANTAU, "simulate", "--no-progress", *args], capture_output=True, text=True, timeout=60
    )


def test_the_same_seed_writes_byte_identical_files(tmp_path: Path) -> None:
    common = ["--standards", STANDARDS, "--offices-count", "3", "--duration", "2d",
              "--date", "2026-11-23"]  # fmt: skip
    outputs, said = [], []
    for name, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        path = tmp_path / f"{name}.jsonl"
        done = simulate(*common, "--seed", seed, "--out", str(path))
        assert done.returncode == 0, done.stderr
        outputs.append(path.read_bytes())
        said.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0] != outputs[2]
    lines = outputs[0].splitlines()
    assert said[0].startswith(f"wrote {len(lines)} events for 3 office(s) to ")
    for line in lines:
        parse_event(line)
    assert {line[:10] for line in lines} == {b'{"event_id'}


def test_duration_cuts_the_day(tmp_path: Path) -> None:
    path = tmp_path / "morning.jsonl"
    done = simulate("--duration", "2h15m", "--date", "2026-11-23", "--out", str(path))
    assert done.returncode == 0, done.stderr
    stamps = [parse_event(line).occurred_at for line in path.read_bytes().splitlines()]
    assert stamps and max(stamps) < "2026-11-23T10:00:00"  # 07:45 + 2h15m, in +07:00


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--speed", "fast"], "--speed: 'fast' is not a positive number or max"),
        (["--speed", "-1"], "--speed: '-1' is not a positive number or max"),
        (["--duration", "0d"], "--duration: "),
        (["--duration", "soon"], "--duration: 'soon' is not a duration"),
        (["--date", "23/11/2026"], "--date: '23/11/2026' is not a date YYYY-MM-DD"),
        (["--standards", "/nonexistent.yaml"], "/nonexistent.yaml: (top level): cannot read"),
        (["--duration", "400d"], "--duration: 400d is more than 366 days"),
        (["--offices", "ok,BAD ID"], "--offices: 'BAD ID' is not an office id (must match "),
    ],
)
def test_bad_flags_stop_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    done = CliRunner().invoke(cli, ["simulate", *args, "--out", str(tmp_path / "x.jsonl")])
    assert done.exit_code == 2
    [line] = done.stderr.splitlines()
    assert line.startswith("pantau: error: ") and message in line


def test_out_into_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "x.jsonl"
    done = CliRunner().invoke(cli, ["simulate", "--no-progress", "--out", str(out)])
    assert done.exit_code == 2
    assert done.stderr == f"pantau: error: --out {out}: the folder {out.parent} does not exist\n"
