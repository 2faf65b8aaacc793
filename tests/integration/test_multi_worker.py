"""Several workers on one prefix: summed metrics stay exact while workers join, leave and die."""

from __future__ import annotations

import re
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

from pantau.standards import Standards, load_standards, parse_standards
from streams.app import partition_for
from streams.core.partition import PartitionState
from streams.core.series import contract_series, flatten
from tests.services import (
    PANTAU,
    WorkerProcess,
    broker_address,
    replay,
    settled_count,
)
from tests.support import (
    FIXTURES,
    expected_series,
    fixture_lines,
    is_contract_series,
    series_differences,
)

pytestmark = pytest.mark.integration

FIXTURE = "mpp-medan-day"
SOURCE_OFFICE = "mpp-medan"
PARTITIONS = 8  # the worker's default (PANTAU_PARTITIONS)
SESSION_TIMEOUT = "6"  # seconds; the smallest the broker allows, so a SIGKILL costs little
SETTLE_TIMEOUT = 30.0  # a SIGKILL costs the session timeout plus a rebalance or two
_OFFICE_FIELD = f'"office": "{SOURCE_OFFICE}"'.encode()
_EVENT_ID = re.compile(rb'"event_id": "([^"\\]{1,126})"')  # room for a 2-character suffix
_OFFICE_LABEL = re.compile(r"[{,]office=([^,}]*)")


def spread_offices(partitions: int) -> list[str]:
    """Office ids mpp-medan-N, one per partition, so every worker that owns a partition
    owns an office."""
    chosen: dict[int, str] = {}
    n = 0
    while len(chosen) < partitions:
        n += 1
        office = f"{SOURCE_OFFICE}-{n}"
        chosen.setdefault(partition_for(office, partitions), office)
    return [chosen[p] for p in sorted(chosen)]


def relabel(line: bytes, office: str, copy: int) -> bytes:
    """One fixture line for another office, its event ids made unique to the copy (the
    line stays exactly as valid or malformed as it was)."""
    line = line.replace(_OFFICE_FIELD, f'"office": "{office}"'.encode())
    return _EVENT_ID.sub(lambda m: b'"event_id": "' + m[1] + f'-{copy}"'.encode(), line)


def multi_office_lines(lines: list[bytes], offices: list[str]) -> list[bytes]:
    """The fixture once per office, interleaved line by line (each office keeps its order)."""
    return [relabel(line, office, n) for line in lines for n, office in enumerate(offices, 1)]


def multi_office_standards(offices: list[str]) -> str:
    """The fixture's standards with the source office's entry copied to every office."""
    doc = yaml.safe_load((FIXTURES / f"{FIXTURE}.standards.yaml").read_text())
    entry = doc["offices"].pop(SOURCE_OFFICE)
    doc["offices"] = {office: entry for office in offices}
    return yaml.safe_dump(doc, sort_keys=False)


def multi_office_input(
    folder: Path, count: int | None = None
) -> tuple[list[str], list[bytes], Path]:
    """Offices, the messages of the fixture's first `count` lines for each of them, and
    their standards file (written into `folder`)."""
    offices = spread_offices(PARTITIONS)
    standards = folder / "standards.yaml"
    standards.write_text(multi_office_standards(offices))
    return offices, multi_office_lines(fixture_lines(FIXTURE)[:count], offices), standards


def relabelled_expected(offices: list[str]) -> dict[str, float]:
    """The fixture's expected series with each office series once per office, and the
    message counters (no office label) times the number of offices."""
    out: dict[str, float] = {}
    for key, value in expected_series(FIXTURE).items():
        if f"office={SOURCE_OFFICE}," in key or f"office={SOURCE_OFFICE}}}" in key:
            for office in offices:
                out[key.replace(f"office={SOURCE_OFFICE}", f"office={office}")] = value
        else:
            out[key] = value * len(offices)
    return out


def core_checkpoints(
    lines: list[bytes], standards: Standards, cuts: list[int]
) -> Iterator[dict[str, float]]:
    """What the pure core computes after the first `cut` messages, for each cut."""
    pstate = PartitionState(standards)
    done = 0
    for cut in cuts:
        for offset in range(done, cut):
            pstate.handle(lines[offset], offset, [])
        done = cut
        families = contract_series(
            pstate.offices.values(), pstate.malformed, standards, standards.configured()
        )
        yield flatten(families)


def offices_in(series: dict[str, float]) -> set[str]:
    return {
        m[1] for key in series if is_contract_series(key) for m in [_OFFICE_LABEL.search(key)] if m
    }


def owned_partitions(worker: WorkerProcess) -> frozenset[int]:
    body = httpx.get(f"http://127.0.0.1:{worker.port}/healthz", timeout=5).json()
    return frozenset(body["partitions"])


@dataclass(frozen=True)
class View:
    """One consistent look at the live workers: owned partitions and scrapes by port."""

    partitions: dict[int, frozenset[int]]
    scrapes: dict[int, dict[str, float]]

    def summed(self) -> dict[str, float]:
        total: Counter[str] = Counter()
        for series in self.scrapes.values():
            total.update(series)
        return dict(total)

    def problems(self, expected: dict[str, float], offices: list[str]) -> list[str]:
        found = []
        owned = [p for parts in self.partitions.values() for p in parts]
        if sorted(owned) != list(range(PARTITIONS)):
            found.append(f"partitions not owned once each: {self.partitions}")
        found += [f"worker {port} owns nothing" for port, p in self.partitions.items() if not p]
        for office in offices:
            shown_by = [port for port, s in self.scrapes.items() if office in offices_in(s)]
            owner = [
                port
                for port, parts in self.partitions.items()
                if partition_for(office, PARTITIONS) in parts
            ]
            if shown_by != owner:
                found.append(f"{office}: exposed by {shown_by}, partition owned by {owner}")
        differences = series_differences(self.summed(), expected)
        if differences:
            counted, sent = settled_count(self.summed()), settled_count(expected)
            found.append(f"{counted:.0f} of {sent:.0f} messages consumed or parked")
        return found + differences


def look(workers: list[WorkerProcess]) -> View | None:
    """Scrape every worker; None if ownership changed meanwhile or a worker did not answer."""
    try:
        before = {w.port: owned_partitions(w) for w in workers}
        scrapes = {w.port: w.scrape() for w in workers}
        after = {w.port: owned_partitions(w) for w in workers}
    except httpx.HTTPError:
        return None
    return View(after, scrapes) if before == after else None


def settle(workers: list[WorkerProcess], expected: dict[str, float], offices: list[str]) -> View:
    """Wait until the live workers own every partition once and their sums are `expected`."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    problems = ["no consistent scrape"]
    while time.monotonic() < deadline:
        view = look(workers)
        if view is not None:
            problems = view.problems(expected, offices)
            if not problems:
                return view
        time.sleep(0.3)
    shown = "\n  ".join(problems[:15])
    raise AssertionError(f"workers did not settle in {SETTLE_TIMEOUT:.0f}s:\n  {shown}")


def start_replay(path: Path, prefix: str) -> subprocess.Popen[str]:
    """`pantau replay` in the background, so workers change while messages arrive."""
    args = [*PANTAU, "replay", str(path), "--topic-prefix", prefix, "--broker", broker_address()]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(process: subprocess.Popen[str], count: int, prefix: str) -> None:
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0, out
    assert out.strip().endswith(f"sent {count} messages to {prefix}.events"), out


def test_generated_input_is_the_fixture_once_per_office() -> None:
    offices = spread_offices(PARTITIONS)
    assert len(set(offices)) == PARTITIONS
    assert {partition_for(o, PARTITIONS) for o in offices} == set(range(PARTITIONS))
    lines = multi_office_lines(fixture_lines(FIXTURE), offices)
    standards = parse_standards(multi_office_standards(offices), "multi-office standards")
    (final,) = core_checkpoints(lines, standards, [len(lines)])
    assert series_differences(final, relabelled_expected(offices)) == []


def test_workers_join_leave_and_die_while_events_arrive(
    prefix: str, start_worker: Callable[..., WorkerProcess], tmp_path: Path
) -> None:
    offices, lines, standards_file = multi_office_input(tmp_path)
    standards = load_standards(standards_file)
    cuts = [len(lines) * k // 4 for k in (1, 2, 3, 4)]
    chunks = []
    for n, (lo, hi) in enumerate(zip([0, *cuts], cuts, strict=False)):
        chunk = tmp_path / f"chunk-{n}.jsonl"
        chunk.write_bytes(b"\n".join(lines[lo:hi]) + b"\n")
        chunks.append(chunk)
    expected = list(core_checkpoints(lines, standards, cuts))
    assert series_differences(expected[-1], relabelled_expected(offices)) == []

    def worker() -> WorkerProcess:
        return start_worker(standards_file, extra_env={"PANTAU_SESSION_TIMEOUT": SESSION_TIMEOUT})

    # 1. Two workers start together on a first quarter that is waiting for them.
    assert replay(chunks[0], prefix) == f"sent {cuts[0]} messages to {prefix}.events"
    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(lambda _: worker(), range(2))
    first = settle([a, b], expected[0], offices)

    # 2. A third worker joins while the second quarter arrives: the others lose partitions
    #    and stop exposing those offices' series (gauges included).
    replaying = start_replay(chunks[1], prefix)
    c = worker()
    finish(replaying, cuts[1] - cuts[0], prefix)
    second = settle([a, b, c], expected[1], offices)
    moved = 0
    for old in (a, b):
        lost = first.partitions[old.port] - second.partitions[old.port]
        gone = {o for o in offices if partition_for(o, PARTITIONS) in lost}
        assert not gone & offices_in(second.scrapes[old.port])
        moved += len(gone)
    assert moved > 0

    # 3. One worker leaves gracefully while the third quarter arrives.
    replaying = start_replay(chunks[2], prefix)
    a.stop()
    finish(replaying, cuts[2] - cuts[1], prefix)
    settle([b, c], expected[2], offices)

    # 4. One worker dies (SIGKILL, mid-stream) and a new one joins: its partitions move after
    #    the session timeout, messages it processed but did not commit are counted once.
    replaying = start_replay(chunks[3], prefix)
    b.kill()
    d = worker()
    finish(replaying, cuts[3] - cuts[2], prefix)
    final = settle([c, d], expected[3], offices)
    assert series_differences(final.summed(), relabelled_expected(offices)) == []
