"""Where simulated events go (a JSONL file or a CounterClient), at a chosen speed, with progress."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Protocol, Self

import orjson

from .client import CounterClient
from .spool import SpoolFull

__all__ = ["ClientSink", "FileSink", "LineProgress", "Sink", "pump"]

Event = dict[str, Any]
_BATCH = 1000  # events handed to a sink at once when they are due together


class Sink(Protocol):
    def write(self, events: list[Event]) -> None: ...

    def pending(self) -> int:
        """Events written but not delivered yet (0 for a file)."""
        ...


class FileSink:
    """One compact JSON object a line, in order: the same events give the same bytes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] = path.open("wb")

    def write(self, events: list[Event]) -> None:
        self._file.write(b"".join(orjson.dumps(e) + b"\n" for e in events))

    def pending(self) -> int:
        return 0

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class ClientSink:
    """Hands events to a CounterClient; waits for room while its spool is full."""

    def __init__(self, client: CounterClient, full_timeout: float = 300.0) -> None:
        self.client = client
        self.full_timeout = full_timeout

    def write(self, events: list[Event]) -> None:
        step = max(1, self.client.settings.spool_max_events // 4)  # a chunk always fits, later
        for start in range(0, len(events), step):
            self._write(events[start : start + step])

    def _write(self, events: list[Event]) -> None:
        deadline = time.monotonic() + self.full_timeout
        while True:
            try:
                self.client.send_many(events)
                return
            except SpoolFull:
                if time.monotonic() >= deadline:
                    raise
                self.client.flush(0.5)  # back-pressure: let the sender make room

    def pending(self) -> int:
        return self.client.pending


class RunShare(Protocol):
    """How far a run has come (producers.simulator.RunClock)."""

    def share(self, sim_time: float) -> float: ...

    def seconds_left(self, sim_time: float, elapsed: float) -> float | None: ...


class LineProgress:
    """The simulated clock, the share done and the time left (with a `run`) and the events
    so far, on one line of a terminal, redrawn in place, or a line every `every` seconds
    when the stream is not a terminal (the first one after `every`, so a short run writes
    only its last line); the last line, with the time taken, is written once."""

    def __init__(
        self, stream: IO[str], tz: Any, run: RunShare | None = None, every: float | None = None
    ) -> None:
        self.stream = stream
        self.tz = tz
        self.run = run
        self.tty = stream.isatty()
        self.every = every if every is not None else (0.2 if self.tty else 10.0)
        self.started = time.monotonic()
        self._next = 0.0 if self.tty else self.started + self.every

    def update(self, sim_time: float, count: int, pending: int, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now < self._next:
            return
        self._next = now + self.every
        clock = datetime.fromtimestamp(sim_time, self.tz).strftime("%Y-%m-%d %H:%M:%S %Z")
        line = f"simulated {clock}"
        if self.run is not None:
            share = 1.0 if final else min(self.run.share(sim_time), 0.99)
            line += f"  {share:4.0%}"
        line += f"  events {count}"
        if pending:
            line += f"  waiting for Kafka {pending}"
        if final:
            line += f"  done in {human_span(now - self.started)}"
        elif self.run is not None:
            left = self.run.seconds_left(sim_time, now - self.started)
            line += f"  {human_span(left)} left" if left is not None else ""
        if self.tty:
            self.stream.write(f"\r\x1b[K{line}" + ("\n" if final else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def human_span(seconds: float) -> str:
    """A duration for people: 4.2s, 42s, 3m05s, 2h10m."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{seconds:.1f}s" if seconds < 10 else f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


def pump(
    timed: Iterable[tuple[float, Event]],
    sink: Sink,
    speed: float | None,
    progress: LineProgress | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    not_after: Callable[[], float] | None = None,
) -> int:
    """Feed (time, event) pairs to the sink: `speed` simulated seconds per wall second, or
    as fast as possible when None. Returns how many events were written.

    With `not_after` (the wall clock), an event is held until that clock reaches its time,
    so nothing is sent ahead of it (CONTRACT §4 step 0)."""
    count = 0
    batch: list[Event] = []
    started = clock()
    first: float | None = None
    sim_time = 0.0

    def hand_over() -> None:
        nonlocal count
        if batch:
            sink.write(batch)
            count += len(batch)
            batch.clear()
        if progress is not None:
            progress.update(sim_time, count, sink.pending())

    for sim_time, event in timed:
        if first is None:
            first = sim_time
        if speed is not None:
            wait = started + (sim_time - first) / speed - clock()
            if wait > 0:
                hand_over()
                sleep(wait)
        if not_after is not None and (ahead := sim_time - not_after()) > 0:
            hand_over()
            sleep(ahead)
        batch.append(event)
        if len(batch) >= _BATCH:
            hand_over()
    hand_over()
    if progress is not None:
        progress.update(sim_time, count, sink.pending(), final=True)
    return count
