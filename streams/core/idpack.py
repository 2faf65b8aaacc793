"""Remembered event ids packed for a snapshot: a canonical UUID as 16 bytes beside its instant.

Producers make event ids UUIDs (CONTRACT §2), and in JSON each id with its instant costs
about 54 bytes, most of a busy office's snapshot. A lowercase hyphenated UUID is packed as
its 16 bytes and the instant as its 8 IEEE-754 bytes, base64 in one string (32 characters
an id); any other id keeps its text. Unpacking gives back exactly the ids and instants
packed.
"""

from __future__ import annotations

import base64
import binascii
import struct

_RECORD = struct.Struct("<16sd")  # the UUID's bytes, the instant (float64, little-endian)
_HYPHENS = (8, 13, 18, 23)


def _uuid_bytes(text: str) -> bytes | None:
    """The 16 bytes of a lowercase hyphenated UUID, or None for any other text."""
    if len(text) != 36 or any(text[i] != "-" for i in _HYPHENS):
        return None
    digits = text[:8] + text[9:13] + text[14:18] + text[19:23] + text[24:]
    try:
        raw = bytes.fromhex(digits)
    except ValueError:
        return None
    return raw if len(raw) == 16 and raw.hex() == digits else None  # hex() is lowercase


def _uuid_text(raw: bytes) -> str:
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def pack(ids: dict[str, float]) -> tuple[dict[str, float], str]:
    """(ids that are not canonical UUIDs, with their instants; the others packed)."""
    others: dict[str, float] = {}
    records: list[bytes] = []
    record = _RECORD.pack
    for text, at in ids.items():
        raw = _uuid_bytes(text)
        if raw is None:
            others[text] = at
        else:
            records.append(record(raw, at))
    return others, base64.b64encode(b"".join(records)).decode("ascii")


def unpack(others: dict[str, float], packed: str) -> dict[str, float]:
    """The ids `pack` was given, in no particular order."""
    try:
        data = base64.b64decode(packed, validate=True)
    except binascii.Error:
        raise ValueError("packed ids: not base64") from None
    if len(data) % _RECORD.size:
        raise ValueError(
            f"packed ids: {len(data)} bytes, not a whole number of {_RECORD.size}-byte records"
        )
    ids = {_uuid_text(raw): at for raw, at in _RECORD.iter_unpack(data)}
    ids.update(others)
    return ids
