"""Helpers shared by the tests: fixture paths and series comparison."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from pantau.standards import Standards
from streams.core.partition import PartitionState
from streams.core.series import NAMES, contract_series, flatten

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_NAMES = ("edge-cases", "mpp-medan-day")


def fixture_lines(name: str) -> list[bytes]:
    """The non-empty lines of a fixture's events file, as sent to Kafka."""
    raw = (FIXTURES / f"{name}.events.jsonl").read_bytes().split(b"\n")
    return [line.rstrip(b"\r") for line in raw if line.strip()]


def expected_series(name: str) -> dict[str, float]:
    return {
        k: float(v) for k, v in json.loads((FIXTURES / f"{name}.expected.json").read_text()).items()
    }


def is_contract_series(key: str) -> bool:
    """Whether a flattened series belongs to CONTRACT §5 (not `_created`, not pipeline health)."""
    name = key.split("{", 1)[0]
    for suffix in ("_bucket", "_count", "_sum"):
        name = name.removesuffix(suffix)
    return name in NAMES


def series_differences(actual: dict[str, float], expected: dict[str, float]) -> list[str]:
    """Contract series whose values differ (an absent series reads as 0)."""
    diffs = []
    for key in sorted(actual.keys() | expected.keys()):
        if not is_contract_series(key):
            continue
        a, e = actual.get(key, 0.0), expected.get(key, 0.0)
        if not math.isclose(a, e, rel_tol=1e-6, abs_tol=1e-9):
            diffs.append(f"{key}: got {a}, expected {e}")
    return diffs


def core_series(
    messages: Iterable[bytes | str | dict[str, Any]], standards: Standards
) -> dict[str, float]:
    """What the pure core computes for these messages, in this order (no Kafka involved)."""
    state = PartitionState(standards)
    for offset, message in enumerate(messages):
        raw = orjson.dumps(message) if isinstance(message, dict) else message
        state.handle(raw, offset, [])
    families = contract_series(
        state.offices.values(), state.malformed, standards, standards.configured()
    )
    return flatten(families)
