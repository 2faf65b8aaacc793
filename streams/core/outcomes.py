"""What processing one event can produce besides counts: rejections and live breaches."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


def as_text(raw: bytes | str) -> str:
    """The message as text for the dead-letter record (invalid UTF-8 replaced)."""
    return raw if isinstance(raw, str) else raw.decode("utf-8", errors="replace")


class Reason(StrEnum):
    """Why a message was rejected (the `reason` label and the dead-letter record)."""

    MALFORMED = "malformed"
    FUTURE = "future"
    OUT_OF_SEQUENCE = "out_of_sequence"
    ORPHAN = "orphan"


@dataclass(frozen=True, slots=True)
class Rejection:
    """A message that goes to the dead-letter topic."""

    office: str | None
    reason: Reason
    detail: str
    raw: str


@dataclass(frozen=True, slots=True)
class Breach:
    """A waiting queue segment that passed its service's max_wait (one live breach)."""

    office: str
    service: str
    ticket: str
    queued_at: float
    max_wait_seconds: float
    detected_at: float


Effect = Rejection | Breach
