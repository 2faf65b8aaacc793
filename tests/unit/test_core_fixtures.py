"""The lifecycle core against the contract's conformance fixtures."""

from __future__ import annotations

import pytest

from pantau.standards import load_standards
from streams.core.partition import PartitionState
from streams.core.series import contract_series, flatten
from tests.support import (
    FIXTURE_NAMES,
    FIXTURES,
    expected_series,
    fixture_lines,
    series_differences,
)


def run_fixture(name: str) -> tuple[PartitionState, list[object]]:
    standards = load_standards(FIXTURES / f"{name}.standards.yaml")
    pstate = PartitionState(standards)
    out: list[object] = []
    for offset, line in enumerate(fixture_lines(name)):
        pstate.handle(line, offset, out)  # type: ignore[arg-type]
    return pstate, out


def series_of(pstate: PartitionState) -> dict[str, float]:
    standards = pstate.standards
    families = contract_series(
        pstate.offices.values(), pstate.malformed, standards, standards.configured()
    )
    return flatten(families)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_series_match_expected(name: str) -> None:
    pstate, _ = run_fixture(name)
    assert series_differences(series_of(pstate), expected_series(name)) == []


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_redelivered_messages_change_nothing(name: str) -> None:
    standards = load_standards(FIXTURES / f"{name}.standards.yaml")
    pstate = PartitionState(standards)
    lines = fixture_lines(name)
    out: list[object] = []
    half = len(lines) // 2
    for offset, line in enumerate(lines[:half]):
        pstate.handle(line, offset, out)  # type: ignore[arg-type]
    for offset, line in enumerate(lines):  # everything again from the start, as after a crash
        pstate.handle(line, offset, out)  # type: ignore[arg-type]
    assert series_differences(series_of(pstate), expected_series(name)) == []
