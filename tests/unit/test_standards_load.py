"""The faster standards loader (#15) reads every file as the one before it did.

`bench.standards_load` keeps the loader before #15 (PyYAML's constructor, a validator that
stopped at the first problem); here both read the same files: the fixtures, the examples,
every bad file of the loader's tests and generated files of many offices. The timing is
`python -m bench.standards_load`, not a test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.standards_load import generate, legacy_parse_standards, same
from pantau.standards import Standards, StandardsError, parse_standards
from tests.support import FIXTURES
from tests.unit import test_standards, test_standards_v2

REPO = FIXTURES.parent.parent
SHIPPED = sorted([*FIXTURES.glob("*.standards.yaml"), REPO / "examples" / "standards.yaml"])
BAD = [text for text, _ in test_standards.INVALID_FILES] + [
    text for text, _ in test_standards_v2.INVALID_V2_VALUES
]
MORE_BAD = [
    "",
    "# nothing\n",
    "[]\n",
    "offices: {a: {services: [\n",
    "offices:\n  a: {}\n  a: {}\n",  # a key twice
    "defaults: &d {max_wait: 15m}\noffices: {a: {defaults: *d, colour: red}}\n",
    "offices: {a: {hours: {mon: ['08:00-09:00', 5, '08:30-10:00']}}}\n",
    "offices: {a: {hours: {mon-fri: '08:00-16:00', wed: '09:00-10:00', sun: []}}}\n",
    "offices: {a: {services: {s: {target: true, warn_at: .nan, max_wait: 1:30}}}}\n",
    "<<: {timezone: Asia/Jakarta}\n",
    "? [1]\n: 2\n",  # a list as a key: one line, not a traceback
    "offices: []\n",
    "offices: {a: 0}\n",
    "offices: {a: {services: {s: 0}}}\n",
    "defaults: 0\n",
    "timezone: 0\n",
]
# the same whichever way they go: refused or not
EDGES = [
    f"offices: {{a: {{{key}: {empty}}}}}\n"
    for key in ("services", "defaults", "hours", "name", "timezone")
    for empty in ("0", "[]", "''", "false", "{}", "null")
]
GOOD = [
    "{}",
    "defaults: &d {max_wait: 15m, target: 0.9}\noffices: {a: {defaults: *d}, b: {defaults: *d}}\n",
    "offices: {a: {hours: {mon-thu: ['13:00-16:00', '08:00-12:00']}, timezone: Asia/Jayapura}}\n",
    "offices: {'007': {services: {'1': {max_wait: 90, max_processing: 1h30m, target: 1}}}}\n",
]


def outcome(parse: object, text: str) -> tuple[str, object]:
    assert callable(parse)
    try:
        standards = parse(text, "s.yaml")
    except StandardsError as exc:
        return "error", str(exc)
    assert isinstance(standards, Standards)
    return "ok", standards


def assert_same(text: str) -> None:
    old, new = outcome(legacy_parse_standards, text), outcome(parse_standards, text)
    assert old[0] == new[0], (old, new)
    if old[0] == "error":
        assert new[1] == old[1]  # the same first problem, worded the same
    else:
        assert isinstance(old[1], Standards) and isinstance(new[1], Standards)
        assert same(old[1], new[1])


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_files_load_the_same(path: Path) -> None:
    assert_same(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("text", BAD + MORE_BAD)
def test_bad_files_give_the_same_first_error(text: str) -> None:
    assert outcome(parse_standards, text)[0] == "error"
    assert_same(text)


@pytest.mark.parametrize("text", GOOD)
def test_good_files_load_the_same(text: str) -> None:
    assert outcome(parse_standards, text)[0] == "ok"
    assert_same(text)


@pytest.mark.parametrize("text", EDGES)
def test_empty_and_false_values_load_the_same(text: str) -> None:
    assert_same(text)


@pytest.mark.parametrize(("services", "rich"), [(1, False), (3, True), (6, True)])
def test_generated_files_of_many_offices_load_the_same(services: int, rich: bool) -> None:
    text = generate(300, services, rich)
    assert_same(text)
    loaded = parse_standards(text, "s.yaml")
    assert len(loaded.configured()) == 300 * services
    assert loaded.lookup("office-00007", "ktp-el").max_wait == 17 * 60.0


def test_a_problem_in_a_generated_file_is_found_among_many_offices() -> None:
    text = generate(300, 3, True).replace("office-00150:", "Office-150:")
    text = text.replace("office-00290:\n    name: Kantor 290", "office-00290:\n    name: [x]")
    assert_same(text)
    with pytest.raises(StandardsError) as caught:
        parse_standards(text, "s.yaml")
    assert caught.value.problems == (
        ("offices.Office-150", "bad office id: must match ^[a-z0-9][a-z0-9_-]{0,63}$"),
        ("offices.office-00290.name", "must be a string, not list ['x']"),
    )


WORDS = st.sampled_from(
    ["15m", "90s", "1h30m", "0s", "15x", "Asia/Jakarta", "Mars/Olympus", "08:00-12:00",
     "11:00-13:00", "9-5", "mon", "mon-fri", "fri-mon", "sun", "a", "BAD ID", "ktp-el", ""]
)  # fmt: skip
LEAVES = st.none() | st.booleans() | st.integers(-2, 2000) | st.floats(0, 2) | WORDS
KEYS = st.sampled_from(
    ["timezone", "defaults", "offices", "services", "hours", "name", "max_wait",
     "max_processing", "target", "warn_at", "mon", "fri", "mon-fri", "k", "s", "BAD ID"]
)  # fmt: skip
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=4))
def test_any_document_loads_the_same(document: dict[str, Any]) -> None:
    assert_same(yaml.safe_dump(document))


HOURS = st.dictionaries(
    st.sampled_from(["mon", "tue", "fri", "mon-fri", "fri-mon", "sun", "xyz"]) | st.integers(0, 2),
    WORDS | st.lists(WORDS, max_size=3) | LEAVES,
    max_size=3,
)
VALUE_MAP = st.dictionaries(KEYS, LEAVES, max_size=4)
OFFICE = st.fixed_dictionaries(
    {},
    optional={
        "name": LEAVES,
        "timezone": LEAVES,
        "hours": HOURS | LEAVES,
        "defaults": VALUE_MAP | LEAVES,
        "services": st.dictionaries(WORDS | st.integers(0, 3), VALUE_MAP | LEAVES, max_size=3),
        "colour": LEAVES,
    },
)
STANDARDS_FILES = st.fixed_dictionaries(
    {},
    optional={
        "timezone": LEAVES,
        "defaults": VALUE_MAP | LEAVES,
        "offices": st.dictionaries(WORDS | st.integers(0, 3), OFFICE | LEAVES, max_size=3),
    },
)


@settings(max_examples=600, deadline=None)
@given(STANDARDS_FILES)
def test_any_standards_file_loads_the_same(document: dict[str, Any]) -> None:
    assert_same(yaml.safe_dump(document))
