"""`pantau replay`: send a recorded JSONL file to the events topic, one message a line."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson
from kafka import KafkaProducer
from kafka.errors import KafkaError

from pantau.settings import KafkaSettings


def office_key(line: bytes) -> bytes | None:
    """The office as message key, or None when the line is not an object with a string office."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    office = obj.get("office") if isinstance(obj, dict) else None
    return office.encode() if isinstance(office, str) else None


def lines_of(path: Path) -> Iterator[bytes]:
    """Non-empty lines of a file, without their line ends, as bytes (sent unchanged)."""
    with path.open("rb") as fh:
        for line in fh:
            line = line.rstrip(b"\r\n")
            if line.strip():
                yield line


def send_lines(lines: Iterable[bytes], settings: KafkaSettings) -> int:
    """Send every line, keyed by office, and wait for every acknowledgement."""
    producer = KafkaProducer(
        **settings.kafka_python_options(),
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        client_id="pantau-replay",
    )
    try:
        futures = [
            producer.send(settings.events_topic, key=office_key(line), value=line) for line in lines
        ]
        producer.flush()
        for future in futures:
            future.get(timeout=30)  # raises if any send failed
        return len(futures)
    except KafkaError as exc:
        raise RuntimeError(f"replay failed: {exc}") from exc
    finally:
        producer.close()
