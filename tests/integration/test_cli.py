"""The command line as users meet it: one-line errors, the schema, the wall clock."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.services import PANTAU, ROOT, WorkerProcess, free_port, replay
from tests.support import FIXTURES, fixture_lines

pytestmark = pytest.mark.integration


def run_pantau(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PANTAU, *args], capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.mark.parametrize(
    ("content", "path_in_file"),
    [
        ("defaults: {max_wait: 15x}\n", "defaults.max_wait"),
        ("offices:\n  k:\n    services:\n      a: {target: 1.5}\n", "offices.k.services.a.target"),
        ("timezone: Mars/Olympus\n", "timezone"),
    ],
)
def test_bad_standards_file_is_one_line_and_exit_2(
    tmp_path: Path, content: str, path_in_file: str
) -> None:
    bad = tmp_path / "standards.yaml"
    bad.write_text(content)
    done = run_pantau("worker", "--standards", str(bad), "--broker", "127.0.0.1:9")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and path_in_file in lines[0]


@pytest.mark.parametrize("command", ["worker", "replay"])
def test_unreachable_broker_is_one_line_and_nonzero(command: str) -> None:
    port = free_port()  # nothing listens there
    args = [command, "--broker", f"127.0.0.1:{port}"]
    if command == "replay":
        args.insert(1, str(FIXTURES / "edge-cases.events.jsonl"))
    done = run_pantau(*args)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach the Kafka broker" in lines[0]


def test_schema_command_prints_the_committed_schema() -> None:
    done = run_pantau("schema")
    assert done.returncode == 0
    assert json.loads(done.stdout) == json.loads((ROOT / "docs/event.schema.json").read_text())


def test_wall_clock_ages_waiting_citizens_by_the_wall_clock(
    prefix: str, start_worker: Callable[..., WorkerProcess]
) -> None:
    # The fixture's day is in the past: by the wall clock everyone still waiting is late.
    worker = start_worker(FIXTURES / "edge-cases.standards.yaml", clock="wall")
    replay(FIXTURES / "edge-cases.events.jsonl", prefix)
    series = worker.wait_settled(len(fixture_lines("edge-cases")))
    queued = {
        k.split("{", 1)[1]: v for k, v in series.items() if k.startswith("pantau_queue_length{")
    }
    assert sum(queued.values()) == 2
    for labels, length in queued.items():
        assert series[f"pantau_waiting_over_standard{{{labels}"] == length
        # ktp-el's A005 was queued at 2026-11-23T09:35+07:00
        if length:
            oldest = series[f"pantau_oldest_wait_seconds{{{labels}"]
            assert oldest > time.time() - 1_795_401_300 - 60
