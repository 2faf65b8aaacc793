"""`pantau check`: validate a standards, tokens or events file offline, every problem listed."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pantau.events import MalformedEvent, future_reason, parse_event


@dataclass(frozen=True)
class Problem:
    """One problem of a file: where it is (a line or a path inside it) and why."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}" if self.where else self.reason


def check_events(lines: Iterable[bytes], now: float | None = None) -> Iterator[Problem]:
    """Every line of an events JSONL file that the contract would reject as malformed, or
    dated more than 5 minutes after `now` (the wall clock): the gateway would refuse it."""
    now = time.time() if now is None else now
    seen: dict[str, int] = {}
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            event = parse_event(raw)
        except MalformedEvent as exc:
            for field, reason in exc.errors:
                yield Problem(f"line {number}", f"{field}: {reason}" if field else reason)
            continue
        why = future_reason(event, now, "now")
        if why is not None:
            yield Problem(f"line {number}", f"occurred_at: {why}")
        first = seen.setdefault(event.event_id, number)
        if first != number:
            yield Problem(f"line {number}", f"event_id: the same as line {first} (a duplicate)")


def check_standards(path: Path) -> Iterator[Problem]:
    """Every problem of a standards file, each with its path inside the file (or its line,
    for YAML that does not parse)."""
    from pantau.standards import StandardsError, load_standards

    try:
        load_standards(path)
    except StandardsError as exc:
        for where, reason in exc.problems:
            yield Problem(where or "(top level)", reason)


def check_tokens(path: Path) -> Iterator[Problem]:
    """Every problem of a gateway tokens file, each with its place (token #N, never the token)."""
    from producers.tokens import TokensError, load_tokens

    try:
        load_tokens(path)
    except TokensError as exc:
        for where, reason in exc.problems:
            yield Problem(where or "(top level)", reason)
