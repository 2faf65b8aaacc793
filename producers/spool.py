"""A durable, bounded, ordered queue of events waiting for Kafka: one SQLite file in WAL mode."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import filelock

__all__ = ["Spool", "SpoolBusy", "SpoolFull", "SpooledEvent"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    office TEXT NOT NULL,
    payload BLOB NOT NULL
)
"""


class SpoolFull(Exception):
    """The spool holds its maximum number of events: the new events were not accepted."""

    def __init__(self, path: Path, max_events: int, pending: int, wanted: int) -> None:
        super().__init__(path, max_events, pending, wanted)
        self.path, self.max_events, self.pending, self.wanted = path, max_events, pending, wanted

    def __str__(self) -> str:
        return (
            f"spool {self.path} is full ({self.pending} of {self.max_events} events waiting "
            f"for Kafka); {self.wanted} new event(s) refused, nothing already spooled was dropped"
        )


class SpoolBusy(Exception):
    """Another process has this spool file open."""


@dataclass(frozen=True, slots=True)
class SpooledEvent:
    """One event waiting to be sent; `seq` orders the spool and never repeats."""

    seq: int
    event_id: str
    office: str
    payload: bytes


class Spool:
    """Events are appended in a committed transaction before `append` returns, so a crash
    after it cannot lose them; they leave only through `delete`, after Kafka acknowledged them.

    One process at a time owns a spool file (an exclusive lock on `<file>.lock`); within it,
    the methods may be called from several threads.
    """

    def __init__(self, path: str | os.PathLike[str], max_events: int, sync: str = "FULL") -> None:
        if max_events < 1:
            raise ValueError("max_events must be at least 1")
        if sync not in ("FULL", "NORMAL"):
            raise ValueError("sync must be FULL or NORMAL")
        self.path = Path(path)
        self.max_events = max_events
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = _lock(self.path)
        self._mutex = threading.Lock()
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL also survives a power cut (fsync on every commit); NORMAL survives a crash
            # of the process but may lose the last commits if the machine itself goes down.
            self._db.execute(f"PRAGMA synchronous={sync}")
            self._db.execute(_SCHEMA)
            self._count = int(self._db.execute("SELECT count(*) FROM events").fetchone()[0])
        except sqlite3.Error:
            self._lock.release()
            raise

    def __len__(self) -> int:
        return self._count

    def append(self, event_id: str, office: str, payload: bytes) -> int:
        """Store one event; returns its seq. SpoolFull if the spool is at its bound."""
        return self.append_many([(event_id, office, payload)])[0]

    def append_many(self, rows: Sequence[tuple[str, str, bytes]]) -> list[int]:
        """Store several events in one transaction, all or none; returns their seqs."""
        with self._mutex:
            if self._count + len(rows) > self.max_events:
                raise SpoolFull(self.path, self.max_events, self._count, len(rows))
            seqs: list[int] = []
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for row in rows:
                    cursor = self._db.execute(
                        "INSERT INTO events (event_id, office, payload) VALUES (?, ?, ?)", row
                    )
                    seqs.append(int(cursor.lastrowid or 0))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._count += len(rows)
            return seqs

    def peek(self, limit: int) -> list[SpooledEvent]:
        """The oldest `limit` events, oldest first."""
        with self._mutex:
            rows = self._db.execute(
                "SELECT seq, event_id, office, payload FROM events ORDER BY seq LIMIT ?", (limit,)
            ).fetchall()
        return [SpooledEvent(int(s), str(e), str(o), bytes(p)) for s, e, o, p in rows]

    def delete(self, seqs: Iterable[int]) -> int:
        """Remove events (acknowledged by Kafka); returns how many were removed."""
        keys = [(seq,) for seq in seqs]
        if not keys:
            return 0
        with self._mutex:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                before = self._db.total_changes
                self._db.executemany("DELETE FROM events WHERE seq = ?", keys)
                removed = self._db.total_changes - before
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._count -= removed
            return removed

    def close(self) -> None:
        with self._mutex:
            self._db.close()
            self._lock.release()


def _lock(path: Path) -> filelock.BaseFileLock:
    # filelock: an OS lock on Linux, macOS and Windows (many kiosks run Windows); held by
    # the object, not the thread, since `close` may run on another thread.
    lock = filelock.FileLock(f"{path}.lock", blocking=False, thread_local=False)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise SpoolBusy(f"spool {path} is in use by another process") from None
    return lock
