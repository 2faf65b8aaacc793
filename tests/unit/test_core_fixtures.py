"""The lifecycle core against the contract's conformance fixtures."""

from __future__ import annotations

import time

import pytest

from pantau.standards import load_standards
from streams.core.partition import PartitionState
from streams.core.series import contract_series, flatten
from tests.support import (
    FIXTURE_NAMES,
    FIXTURES,
    core_series,
    core_state,
    core_status,
    expected_series,
    expected_status,
    fixture_lines,
    series_differences,
    status_differences,
)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_series_match_expected(name: str) -> None:
    standards = load_standards(FIXTURES / f"{name}.standards.yaml")
    series = core_series(fixture_lines(name), standards)
    assert series_differences(series, expected_series(name)) == []


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_status_matches_expected(name: str) -> None:
    standards = load_standards(FIXTURES / f"{name}.standards.yaml")
    state = core_state(fixture_lines(name), standards)
    assert status_differences(core_status(state, standards), expected_status(name)) == []


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_redelivered_messages_change_nothing(name: str) -> None:
    standards = load_standards(FIXTURES / f"{name}.standards.yaml")
    lines = fixture_lines(name)
    # the first half, then everything again from offset 0, as after a crash
    twice = [*lines[: len(lines) // 2], *lines]
    offsets = [*range(len(lines) // 2), *range(len(lines))]
    state = PartitionState(standards)
    for offset, line in zip(offsets, twice, strict=True):
        state.handle(line, offset, [], received=time.time())
    families = contract_series(
        state.offices.values(), state.malformed, standards, standards.configured()
    )
    assert series_differences(flatten(families), expected_series(name)) == []
