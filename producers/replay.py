"""`pantau replay`: send a recorded JSONL file to the events topic, one message a line."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

import orjson
from kafka import KafkaProducer
from kafka.errors import KafkaError
from kafka.producer.future import FutureRecordMetadata

from pantau.settings import KafkaSettings


def office_key(line: bytes) -> bytes | None:
    """The office as message key, or None when the line is not an object with a string office."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    office = obj.get("office") if isinstance(obj, dict) else None
    return office.encode() if isinstance(office, str) else None


def lines_of(path: Path, read: list[int] | None = None) -> Iterator[bytes]:
    """Non-empty lines of a file, without their line ends, as bytes (sent unchanged).

    `read`, if given, holds in its first item the bytes read so far (for progress)."""
    with path.open("rb") as fh:
        for line in fh:
            if read is not None:
                read[0] += len(line)
            line = line.rstrip(b"\r\n")
            if line.strip():
                yield line


MAX_IN_FLIGHT = 10_000  # sends not yet acknowledged: a 10 GB file must not hold one per line


def send_lines(
    lines: Iterable[bytes],
    settings: KafkaSettings,
    progress: Callable[[int, bool], None] | None = None,
) -> int:
    """Send every line, keyed by office, and wait for every acknowledgement; `progress`
    is told the count acknowledged so far (and True once, at the end)."""
    producer = KafkaProducer(
        **settings.kafka_python_options(),
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        client_id="pantau-replay",
    )
    in_flight: deque[FutureRecordMetadata] = deque()
    done = 0
    try:
        for line in lines:
            in_flight.append(producer.send(settings.events_topic, key=office_key(line), value=line))
            if len(in_flight) > MAX_IN_FLIGHT:
                in_flight.popleft().get(timeout=30)  # raises if that send failed
                done += 1
                if progress is not None:
                    progress(done, False)
        producer.flush()
        while in_flight:
            in_flight.popleft().get(timeout=30)
            done += 1
        if progress is not None:
            progress(done, True)
        return done
    except KafkaError as exc:
        raise RuntimeError(f"replay failed after {done} messages: {exc}") from exc
    finally:
        producer.close()


class ReplayProgress:
    """Messages sent, their rate and the time left, on one line of stderr (a line every 10 s
    when it is not a terminal), from the share of the file read."""

    def __init__(self, stream: IO[str], size: int, read: list[int]) -> None:
        self.stream, self.size, self.read = stream, max(size, 1), read
        self.tty = stream.isatty()
        self.every = 0.2 if self.tty else 10.0
        self.started = time.monotonic()
        self._next = self.started + self.every

    def __call__(self, count: int, final: bool) -> None:
        now = time.monotonic()
        if not final and now < self._next:
            return
        self._next = now + self.every
        elapsed = max(now - self.started, 1e-9)
        share = min(self.read[0] / self.size, 1.0)
        line = f"sent {count:,} ({count / elapsed:,.0f}/s)  {share:.0%} of the file"
        if not final and share > 0:
            line += f"  about {_duration(elapsed * (1 - share) / share)} left"
        if self.tty:
            self.stream.write(f"\r\x1b[K{line}" + ("\n" if final else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"
