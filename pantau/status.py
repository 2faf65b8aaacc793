"""The office status record of CONTRACT §6 as pydantic models: its JSON Schema, and a check.

The worker writes these records to `<prefix>.office.status` (compacted, keyed by office);
boards, kiosks and city apps read them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from pantau.events import ID_PATTERN, TICKET_PATTERN, TIMESTAMP_PATTERN

Id = Annotated[str, Field(pattern=ID_PATTERN)]
Ticket = Annotated[str, Field(pattern=TICKET_PATTERN)]
Instant = Annotated[
    str,
    Field(
        pattern=TIMESTAMP_PATTERN,
        description="RFC 3339 in UTC with Z; compare instants, not strings.",
    ),
]
Count = Annotated[int, Field(ge=0)]
Seconds = Annotated[float, Field(ge=0)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ServiceStatus(_Record):
    """A service with at least one citizen waiting, as the gauges of CONTRACT §5 say."""

    service: Id
    queue_length: Count = Field(description="Visits waiting now.")
    waiting_near_standard: Count = Field(description="Of those, past warn_at of max_wait.")
    waiting_over_standard: Count = Field(description="Of those, past max_wait.")
    oldest_wait_seconds: Seconds = Field(description="Age of the oldest waiting visit.")
    max_wait_seconds: Seconds = Field(description="The waiting standard in force.")
    predicted_wait_seconds: Seconds | None = Field(
        description="The wait a citizen taking a ticket now should expect; null if unknown."
    )


class CounterStatus(_Record):
    """A counter (loket) named by an event of the office."""

    counter: Id
    status: Literal["open", "paused", "closed"]
    serving: Ticket | None = Field(
        description="The ticket called to or served at it now, else null."
    )


class RecentCall(_Record):
    """One applied ticket.called (recalls too)."""

    ticket: Ticket
    counter: Id
    service: Id = Field(description="The visit's service when it was called.")
    at: Instant = Field(description="The call's occurred_at.")


class OfficeStatus(_Record):
    """The live status of one office: the last record of an office is the office now."""

    office: Id
    at: Instant = Field(description='The office\'s "now" (CONTRACT §4 clock modes).')
    open: bool | None = Field(description="Open by its hours now; null without hours.")
    services: list[ServiceStatus] = Field(description="Sorted by service id.")
    counters: list[CounterStatus] = Field(description="Sorted by counter id.")
    recent_calls: list[RecentCall] = Field(
        max_length=10, description="The last 10 calls, the most recently applied first."
    )
