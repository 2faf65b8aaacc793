"""`pantau simulate --out`: the same seed gives the same bytes; bad flags give one line; the
progress line shows the share done and the time left, and its last line once."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from pantau.cli import cli
from pantau.events import parse_event
from producers.simulator import RunClock
from producers.sinks import LineProgress
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


# --- progress: the share done, the time left, the last line once ---------------------------

JAKARTA = "Asia/Jakarta"
DAY = date(2026, 11, 23)
OPENS = datetime(2026, 11, 23, 7, 45, tzinfo=ZoneInfo(JAKARTA)).timestamp()  # first arrivals
ENDS = datetime(2026, 11, 23, 16, 30, tzinfo=ZoneInfo(JAKARTA)).timestamp()  # closing + 30m
ACTIVE = ENDS - OPENS  # 8h45m of a day with events


@pytest.mark.parametrize(
    ("days", "until", "sim_time", "share"),
    [
        (1, None, OPENS - 3600, 0.0),
        (1, None, OPENS, 0.0),
        (1, None, OPENS + ACTIVE / 4, 0.25),
        (1, None, ENDS, 1.0),
        (1, None, ENDS + 86400, 1.0),
        (2, None, OPENS + ACTIVE, 0.5),  # the first day done
        (2, None, OPENS + 20 * 3600, 0.5),  # its night: nothing to simulate
        (2, None, OPENS + 86400 + ACTIVE / 2, 0.75),
        (1, OPENS + ACTIVE / 2, OPENS + ACTIVE / 4, 0.5),  # --duration cuts the day
        (2, OPENS + 86400 + ACTIVE / 2, OPENS + ACTIVE, 2 / 3),
    ],
)
def test_the_share_done_counts_the_simulated_time_with_events(
    days: int, until: float | None, sim_time: float, share: float
) -> None:
    run = RunClock.of(DAY, days, JAKARTA, until=until)
    assert run.share(sim_time) == pytest.approx(share)


@pytest.mark.parametrize(
    ("speed", "sim_time", "elapsed", "left"),
    [
        (60.0, OPENS, 0.0, ACTIVE / 60),  # paced: the simulated time left over the speed
        (60.0, OPENS + 3600, 60.0, (ACTIVE - 3600) / 60),
        (60.0, ENDS, 500.0, 0.0),
        (None, OPENS + ACTIVE / 4, 10.0, 30.0),  # as fast as it goes: a quarter took 10 s
        (None, OPENS + ACTIVE / 2, 3.0, 3.0),
        (None, OPENS + 1.0, 0.5, None),  # too early to tell
        (None, ENDS, 4.0, 0.0),
    ],
)
def test_the_time_left(
    speed: float | None, sim_time: float, elapsed: float, left: float | None
) -> None:
    got = RunClock.of(DAY, 1, JAKARTA, speed=speed).seconds_left(sim_time, elapsed)
    assert got == (None if left is None else pytest.approx(left))


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_share_and_time_left_and_the_last_line_once() -> None:
    screen = Terminal()
    shown = LineProgress(screen, ZoneInfo(JAKARTA), RunClock.of(DAY, 1, JAKARTA))
    shown.every = 0.0  # every update is drawn
    shown.update(OPENS + ACTIVE / 4, 100, 0)
    shown.update(OPENS + ACTIVE / 2, 200, 7)
    shown.update(ENDS - 60, 300, 0)
    shown.update(ENDS - 60, 300, 0, final=True)
    text = screen.getvalue()
    assert text.endswith("\n") and text.count("\n") == 1  # one line, redrawn in place
    drawn = text.split("\r\x1b[K")[1:]
    assert [d.split("  ")[1].strip() for d in drawn] == ["25%", "50%", "99%", "100%"]
    assert re.search(r"events 100  \d+(\.\d)?s left$", drawn[0])
    assert "waiting for Kafka 7" in drawn[1]
    assert drawn[3].startswith("simulated 2026-11-23 16:29:00 WIB  100%  events 300  done in ")
    assert drawn[3].endswith("\n") and "left" not in drawn[3]


def test_a_log_gets_the_last_line_once(tmp_path: Path) -> None:
    out = tmp_path / "day.jsonl"
    done = CliRunner().invoke(cli, ["simulate", "--date", "2026-11-23", "--out", str(out)])
    assert done.exit_code == 0, done.output
    [line] = done.stderr.splitlines()  # a short run: no line before the last
    assert re.fullmatch(
        r"simulated 2026-11-23 16:\d\d:\d\d WIB  100%  events \d+  done in .+", line
    )
    count = len(out.read_bytes().splitlines())
    assert f"events {count}  " in line
    assert done.stdout == f"wrote {count} events for 1 office(s) to {out}\n"
