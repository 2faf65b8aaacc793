"""The durable format: journal entries, snapshots and partition records, and their table keys.

This module alone writes and reads what the state table holds. Every key starts with the
input partition, so whoever owns an input partition recovers its state from that partition
of the changelog alone:

- `p{P}/j/{seq}`, a journal entry: a `Batch` (the input offsets one batch applied and the
  wall clock it ran with; the messages themselves stay in the events topic) or a `Tick`
  (a wall-clock breach check and the offices it changed);
- `p{P}/s/{office}`, a `Snapshot` of one office, with the first seq it does not include
  and the id pieces it names;
- `p{P}/i/{office}/{piece}.{version}`, an `IdPiece`: the office's event ids with an instant
  in one piece of time (`ID_PIECE_SECONDS`), written in the round `version` (its seq), never
  overwritten, deleted once no snapshot names it;
- `p{P}/m`, the `PartitionRecord`: the malformed messages counted, and the first seq the
  last complete snapshot round does not include.

Values are plain JSON (lists, numbers, strings), as the changelog stores them; a value of
another shape raises `DurableFormatError` naming its key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

Run = tuple[int, int]  # first and last input offset of consecutive offsets applied


class Batch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The input offsets one batch of a partition applied, in order, and its wall clock."""

    wall: float | None
    runs: tuple[Run, ...]

    def size(self) -> int:
        return sum(last - first + 1 for first, last in self.runs)


class Tick(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A wall-clock breach check at `wall` that changed `tick` (the offices)."""

    wall: float
    tick: tuple[str, ...]

    def size(self) -> int:
        return 1  # counted as one event towards a snapshot round


class Snapshot(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One office's state (`OfficeState.to_json()`), including journal seqs before `next`;
    its event ids are those of the `pieces` it names ((piece, version) each) and its own."""

    next: int
    state: dict[str, Any]
    pieces: tuple[tuple[int, int], ...] = ()


class IdPiece(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Event ids of one office and piece of time, as `idpack.pack` gives them."""

    seen: dict[str, float]
    packed: str


class PartitionRecord(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Written last in a snapshot round: every journal seq before `next` is in a snapshot."""

    next: int
    malformed: int
    malformed_offset: int


Entry = Batch | Tick
Record = Entry | Snapshot | IdPiece | PartitionRecord


class DurableFormatError(ValueError):
    """A table record that is not in the durable format."""


def entry_key(partition: int, seq: int) -> str:
    return f"p{partition}/j/{seq}"


def snapshot_key(partition: int, office: str) -> str:
    return f"p{partition}/s/{office}"


def piece_key(partition: int, office: str, piece: int, version: int) -> str:
    return f"p{partition}/i/{office}/{piece}.{version}"


def partition_key(partition: int) -> str:
    return f"p{partition}/m"


def partition_of_key(key: str) -> int:
    """The input partition a key belongs to (its changelog partition too)."""
    return int(key[1 : key.index("/")])


def to_value(record: Record) -> Any:
    """The JSON value stored for a record."""
    return msgspec.to_builtins(record)


@dataclass(frozen=True, slots=True)
class Recovered:
    """What the table holds for one partition, typed."""

    entries: list[tuple[int, Entry]]  # by seq
    snapshots: dict[str, Snapshot]
    pieces: dict[str, dict[tuple[int, int], IdPiece]]  # office -> (piece, version) -> ids
    partition: PartitionRecord | None
    stale: list[str]  # keys of entries a complete snapshot round covers (a crash kept them)


def read_partition(items: Any, partition: int) -> Recovered:
    """The records of `partition` among the table's (key, value) pairs.

    Journal entries a complete snapshot round covers (a crash can leave them undeleted)
    are left out of `entries`, their keys listed in `stale`.
    """
    prefix = f"p{partition}/"
    entries: list[tuple[int, Entry]] = []
    snapshots: dict[str, Snapshot] = {}
    pieces: dict[str, dict[tuple[int, int], IdPiece]] = {}
    record: PartitionRecord | None = None
    for key, value in items:
        if not key.startswith(prefix):
            continue
        kind, _, rest = key[len(prefix) :].partition("/")
        if kind == "j" and isinstance(value, dict) and "msgs" in value:
            raise DurableFormatError(
                f"{key}: a journal entry with messages, written before pantau journaled "
                "offsets; recover by replaying the events into a new topic prefix"
            )
        if kind == "j" and rest.isdigit():
            kind_of = Tick if isinstance(value, dict) and "tick" in value else Batch
            entries.append((int(rest), _convert(key, value, kind_of)))
        elif kind == "s" and rest:
            snapshots[rest] = _convert(key, value, Snapshot)
        elif kind == "i" and (named := _piece_of(rest)) is not None:
            office, piece, version = named
            pieces.setdefault(office, {})[piece, version] = _convert(key, value, IdPiece)
        elif kind == "m" and not rest:
            record = _convert(key, value, PartitionRecord)
        else:
            raise DurableFormatError(f"{key}: not a key of the durable format")
    first = record.next if record is not None else 0
    stale = [entry_key(partition, seq) for seq, _ in entries if seq < first]
    entries = sorted((item for item in entries if item[0] >= first), key=lambda item: item[0])
    return Recovered(entries, snapshots, pieces, record, stale)


def _piece_of(rest: str) -> tuple[str, int, int] | None:
    """(office, piece, version) of an id piece key's `{office}/{piece}.{version}`."""
    office, _, name = rest.rpartition("/")
    piece, _, version = name.partition(".")
    try:
        return (office, int(piece), int(version)) if office else None
    except ValueError:
        return None


def _convert(key: str, value: Any, kind: Any) -> Any:
    try:
        return msgspec.convert(value, kind)
    except msgspec.ValidationError as exc:
        raise DurableFormatError(f"{key}: {exc}") from None
