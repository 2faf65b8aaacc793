"""Remembered event ids packed for snapshots: exactly what went in comes out."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from streams.core import idpack

UUID = "0ca59c3a-93b1-4b5e-b3dd-e29cfed2d49a"


@pytest.mark.parametrize(
    ("text", "packed"),
    [
        (UUID, True),
        (UUID.upper(), False),  # packed it would come back lowercase
        (UUID.replace("-", ""), False),
        ("{" + UUID[:-2] + "}", False),
        (UUID[:8] + "_" + UUID[9:], False),
        (UUID[:-1] + "g", False),
        (UUID[:-2] + " a", False),  # fromhex would skip the space
        ("e-1", False),
        ("", False),
        ("00000000-0000-0000-0000-000000000000", True),
        ("ffffffff-ffff-ffff-ffff-ffffffffffff", True),
    ],
)
def test_only_lowercase_hyphenated_uuids_are_packed(text: str, packed: bool) -> None:
    others, data = idpack.pack({text: 1795395376.633})
    assert (text not in others) == packed
    assert len(data) == (32 if packed else 0)
    assert idpack.unpack(others, data) == {text: 1795395376.633}


def test_instants_come_back_bit_for_bit() -> None:
    instants = [1795395376.633, 0.1 + 0.2, -0.0, -1.5, 5e-324, 1e300, float(2**53 + 1)]
    ids = {str(uuid.UUID(int=n)): at for n, at in enumerate(instants)}
    back = idpack.unpack(*idpack.pack(ids))
    assert {k: v.hex() for k, v in back.items()} == {k: v.hex() for k, v in ids.items()}


def test_a_packed_uuid_costs_32_characters_of_json_instead_of_about_54() -> None:
    ids = {str(uuid.UUID(int=n * 7919)): 1795395376.633 + n for n in range(1000)}
    plain = len(json.dumps(ids))
    others, data = idpack.pack(ids)
    assert others == {} and len(data) == 32_000
    assert plain / len(data) > 1.7


@pytest.mark.parametrize(
    ("packed", "why"),
    [("AAAA", "3 bytes, not a whole number of 24-byte records"), ("A", "not base64"),
     ("!!!!", "not base64")],
)  # fmt: skip
def test_a_damaged_packing_is_an_error(packed: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        idpack.unpack({}, packed)


ids_strategy = st.dictionaries(
    st.one_of(st.uuids().map(str), st.uuids().map(lambda u: str(u).upper()),
              st.text(min_size=1, max_size=128)),
    st.floats(allow_nan=False),
    max_size=50,
)  # fmt: skip


@given(ids_strategy)
def test_unpack_gives_back_what_was_packed(ids: dict[str, float]) -> None:
    others, data = idpack.pack(ids)
    assert set(others) <= set(ids)
    back = idpack.unpack(others, data)
    assert back == ids
    assert {k: v.hex() for k, v in back.items()} == {k: v.hex() for k, v in ids.items()}
