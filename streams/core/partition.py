"""One input partition: decodes raw messages, routes them to their office, skips redeliveries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pantau.standards import Standards

from .office import OfficeState
from .outcomes import Effect, Reason, Rejection, as_text
from .wire import Event, MalformedEvent, decode

__all__ = ["PartitionState", "as_text"]


class PartitionState:
    """The offices whose messages arrive on one partition, and its malformed messages.

    Each office remembers the offset of the last message it applied, and the partition the
    offset of the last malformed message it counted, so a message redelivered after a crash
    changes nothing.
    """

    def __init__(self, standards: Standards) -> None:
        self.standards = standards
        self.offices: dict[str, OfficeState] = {}
        self.malformed = 0
        self.malformed_offset = -1
        self.position = 0  # the first input offset not applied yet

    def recorded(self, lines: Iterable[bytes | str]) -> Iterator[tuple[int, bytes | str, Event]]:
        """(offset, raw, event) of each well-formed line of a recorded file, its line number
        the offset; a malformed line is counted here (as `handle` would), a blank one skipped."""
        for offset, line in enumerate(lines):
            raw = line.rstrip(b"\r\n") if isinstance(line, bytes) else line.rstrip("\r\n")
            if not raw.strip():
                continue
            try:
                event = decode(raw)
            except MalformedEvent:
                self.handle(raw, offset, [])  # counts it, changes nothing else
                continue
            yield offset, raw, event

    def office(self, office: str) -> OfficeState:
        state = self.offices.get(office)
        if state is None:
            state = self.offices[office] = OfficeState(office, self.standards)
        return state

    def handle(
        self,
        raw: bytes | str,
        offset: int,
        out: list[Effect],
        wall: float | None = None,
        received: float | None = None,
    ) -> OfficeState | None:
        """Process one message received at `received`; returns the office it changed, or None."""
        if offset >= self.position:
            self.position = offset + 1
        try:
            event = decode(raw)
        except MalformedEvent as exc:
            if offset > self.malformed_offset:
                self.malformed += 1
                self.malformed_offset = offset
                out.append(Rejection(None, Reason.MALFORMED, str(exc), as_text(raw)))
            return None
        state = self.office(event.office)
        if offset <= state.last_offset:
            return None
        state.process(event, raw, out, wall, received)
        state.last_offset = offset
        return state

    def restore_position(self) -> None:
        """Set `position` from restored offices (messages are applied in offset order, so
        every offset before the last one applied was)."""
        last = max((state.last_offset for state in self.offices.values()), default=-1)
        self.position = max(last, self.malformed_offset) + 1
