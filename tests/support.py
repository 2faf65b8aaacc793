"""Helpers shared by the tests: fixture paths and series comparison."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from pantau.standards import Standards
from streams.core.partition import PartitionState
from streams.core.series import INFO_NAMES, NAMES, PREDICTION_NAMES, contract_series, flatten
from streams.core.status import status_record

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_NAMES = ("edge-cases", "mpp-medan-day", "v2-features")


def fixture_lines(name: str) -> list[bytes]:
    """The non-empty lines of a fixture's events file, as sent to Kafka."""
    raw = (FIXTURES / f"{name}.events.jsonl").read_bytes().split(b"\n")
    return [line.rstrip(b"\r") for line in raw if line.strip()]


def expected_series(name: str) -> dict[str, float]:
    return {
        k: float(v) for k, v in json.loads((FIXTURES / f"{name}.expected.json").read_text()).items()
    }


def is_contract_series(key: str) -> bool:
    """Whether a flattened series is one of CONTRACT §5's exact numbers.

    Not `_created`, not pipeline health, not the predictions of §5.1 (CONTRACT §7), not
    context such as the office's UTC offset.
    """
    name = key.split("{", 1)[0]
    for suffix in ("_bucket", "_count", "_sum"):
        name = name.removesuffix(suffix)
    return name in NAMES and name not in PREDICTION_NAMES and name not in INFO_NAMES


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


def core_state(
    messages: Iterable[bytes | str | dict[str, Any]],
    standards: Standards,
    received: float | None = None,
) -> PartitionState:
    """The pure core's state after these messages, in this order (no Kafka involved).

    Each message is received at `received`, by default now (as when it is replayed).
    """
    at = time.time() if received is None else received
    state = PartitionState(standards)
    for offset, message in enumerate(messages):
        raw = orjson.dumps(message) if isinstance(message, dict) else message
        state.handle(raw, offset, [], received=at)
    return state


def core_series(
    messages: Iterable[bytes | str | dict[str, Any]], standards: Standards
) -> dict[str, float]:
    """What the pure core computes for these messages, in this order (no Kafka involved)."""
    state = core_state(messages, standards)
    families = contract_series(
        state.offices.values(), state.malformed, standards, standards.configured()
    )
    return flatten(families)


def expected_status(name: str) -> dict[str, dict[str, Any]]:
    return dict(json.loads((FIXTURES / f"{name}.status.json").read_text()))


def core_status(state: PartitionState, standards: Standards) -> dict[str, dict[str, Any]]:
    """The last status record (CONTRACT §6) of every office with a watermark."""
    return {
        office: status_record(office_state, standards)
        for office, office_state in state.offices.items()
        if office_state.watermark != float("-inf")
    }


def _comparable(value: Any, key: str = "") -> Any:
    """A status record with instants parsed and predictions left out, for comparison."""
    if isinstance(value, dict):
        return {k: _comparable(v, k) for k, v in value.items() if k != "predicted_wait_seconds"}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if key == "at" and isinstance(value, str):
        return datetime.fromisoformat(value).timestamp()
    return value


def status_differences(
    actual: dict[str, dict[str, Any]], expected: dict[str, dict[str, Any]]
) -> list[str]:
    """Offices whose last status record differs from the expected one (instants as instants)."""
    diffs = []
    for office in sorted(actual.keys() | expected.keys()):
        a, e = _comparable(actual.get(office)), _comparable(expected.get(office))
        if a != e:
            got, want = json.dumps(a, sort_keys=True), json.dumps(e, sort_keys=True)
            diffs.append(f"{office}: got {got}, expected {want}")
    return diffs
