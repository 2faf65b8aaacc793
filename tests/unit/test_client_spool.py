"""Tests of producers.spool: order, bound, and nothing lost when the process dies."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from producers.spool import Spool, SpoolBusy, SpoolFull


def rows(n: int, start: int = 0) -> list[tuple[str, str, bytes]]:
    return [(f"e{i}", "mpp-medan", f'{{"n":{i}}}'.encode()) for i in range(start, start + n)]


def test_events_come_out_in_the_order_they_went_in(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "s.sqlite", 100)
    spool.append_many(rows(5))
    spool.append("e5", "other", b"{}")
    assert [e.event_id for e in spool.peek(10)] == [f"e{i}" for i in range(6)]
    assert [e.event_id for e in spool.peek(2)] == ["e0", "e1"]
    assert spool.peek(1)[0].office == "mpp-medan"
    assert spool.peek(1)[0].payload == b'{"n":0}'


def test_delete_removes_only_acknowledged_events_and_keeps_the_order(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "s.sqlite", 100)
    seqs = spool.append_many(rows(6))
    assert spool.delete([seqs[1], seqs[3], 999]) == 2
    assert [e.event_id for e in spool.peek(10)] == ["e0", "e2", "e4", "e5"]
    assert len(spool) == 4


def test_seqs_never_repeat_even_after_the_spool_was_emptied_and_reopened(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    spool = Spool(path, 100)
    first = spool.append_many(rows(3))
    spool.delete(first)
    spool.close()
    spool = Spool(path, 100)
    [later] = spool.append_many(rows(1, 3))
    assert later > max(first)  # AUTOINCREMENT: a late event can never sort before an old one


@pytest.mark.parametrize(
    ("max_events", "batches", "accepted", "refused_batch"),
    [
        (3, [1, 1, 1, 1], 3, 3),
        (3, [3, 1], 3, 1),
        (3, [2, 2], 2, 1),  # all or none: the second batch does not half-fit
        (5, [5], 5, None),
        (1, [1, 1], 1, 1),
    ],
)
def test_the_bound_refuses_new_events_and_keeps_the_old(
    tmp_path: Path, max_events: int, batches: list[int], accepted: int, refused_batch: int | None
) -> None:
    spool = Spool(tmp_path / "s.sqlite", max_events)
    refused = None
    written = 0
    for index, size in enumerate(batches):
        try:
            spool.append_many(rows(size, written))
            written += size
        except SpoolFull as exc:
            refused = index
            assert exc.pending == written and exc.wanted == size
            assert "nothing already spooled was dropped" in str(exc)
            break
    assert refused == refused_batch
    assert len(spool) == accepted
    assert [e.event_id for e in spool.peek(10)] == [f"e{i}" for i in range(accepted)]


def test_the_file_is_in_wal_mode_and_a_second_owner_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    spool = Spool(path, 10)
    with pytest.raises(SpoolBusy):
        Spool(path, 10)
    spool.close()
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    Spool(path, 10).close()  # free again once closed


def test_reopening_gives_back_what_was_left(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    spool = Spool(path, 10)
    seqs = spool.append_many(rows(4))
    spool.delete(seqs[:1])
    spool.close()
    again = Spool(path, 10)
    assert len(again) == 3
    assert [e.event_id for e in again.peek(10)] == ["e1", "e2", "e3"]


CRASHING_WRITER = textwrap.dedent(
    """
    import os, signal, sys
    from producers.spool import Spool
    spool = Spool(sys.argv[1], 1000)
    for i in range(200):
        seq = spool.append(f"e{i}", "mpp-medan", b"x" * 100)
        print(seq, flush=True)  # appended: from now on it must survive
        if i == 149:
            os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_a_killed_process_loses_no_appended_event(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    done = subprocess.run(
        [sys.executable, "-c", CRASHING_WRITER, str(path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == -9
    confirmed = [int(line) for line in done.stdout.split()]
    assert len(confirmed) == 150
    spool = Spool(path, 1000)  # the lock died with the process
    kept = spool.peek(1000)
    assert [e.seq for e in kept] == confirmed
    assert [e.event_id for e in kept] == [f"e{i}" for i in range(150)]


def test_the_client_imports_without_fcntl_as_on_windows() -> None:
    import subprocess
    import sys

    code = "import sys; sys.modules['fcntl'] = None; import producers.client, producers.spool"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
