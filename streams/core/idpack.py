"""Remembered event ids packed for a snapshot: a canonical UUID as 16 bytes beside its instant.

Producers make event ids UUIDs (CONTRACT §2), and in JSON each id with its instant costs
about 54 bytes, most of a busy office's snapshot. Lowercase hyphenated UUIDs are packed as
their 16 bytes each, followed by their instants as IEEE-754 float64 (little-endian), base64
in one string (32 characters an id); any other id keeps its text. Unpacking gives back
exactly the ids and instants packed.
"""

from __future__ import annotations

import base64
import binascii
import re
import sys
from array import array

_CANONICAL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").fullmatch
_RECORD = 24  # bytes an id: 16 of the UUID, 8 of its instant
_SWAP = sys.byteorder != "little"


def pack(ids: dict[str, float]) -> tuple[dict[str, float], str]:
    """(ids that are not canonical UUIDs, with their instants; the others packed)."""
    others: dict[str, float] = {}
    uuids: list[str] = []
    instants = array("d")
    canonical, keep_id, keep_at = _CANONICAL, uuids.append, instants.append
    for text, at in ids.items():
        if canonical(text) is None:
            others[text] = at
        else:
            keep_id(text)
            keep_at(at)
    if _SWAP:
        instants.byteswap()
    raw = bytes.fromhex("".join(uuids).replace("-", "")) + instants.tobytes()
    return others, base64.b64encode(raw).decode("ascii")


def unpack(others: dict[str, float], packed: str) -> dict[str, float]:
    """The ids `pack` was given, in no particular order."""
    try:
        data = base64.b64decode(packed, validate=True)
    except binascii.Error:
        raise ValueError("packed ids: not base64") from None
    count, rest = divmod(len(data), _RECORD)
    if rest:
        raise ValueError(
            f"packed ids: {len(data)} bytes, not a whole number of {_RECORD}-byte records"
        )
    digits = data[: 16 * count].hex()
    instants = array("d", data[16 * count :])
    if _SWAP:
        instants.byteswap()
    ids = {
        f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}": at
        for h, at in zip(
            (digits[i : i + 32] for i in range(0, 32 * count, 32)), instants, strict=True
        )
    }
    ids.update(others)
    return ids
