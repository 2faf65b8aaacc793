"""The shared YAML loader: libyaml's parser and PyYAML's agree, YAML 1.2 scalars, tokens' `no`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pantau import yaml12
from producers.tokens import parse_tokens
from tests.support import FIXTURES

REPO = FIXTURES.parent.parent
FILES = sorted(
    [*FIXTURES.glob("*.yaml"), *(REPO / "examples").rglob("*.yaml")], key=lambda p: p.name
)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_fast_and_the_careful_parser_read_every_shipped_file_alike(path: Path) -> None:
    text = path.read_text()
    fast, careful = yaml12._LOADERS[False]
    assert yaml.load(text, Loader=fast) == yaml.load(text, Loader=careful)


def test_libyaml_is_used_when_pyyaml_has_it() -> None:
    fast, careful = yaml12._LOADERS[False]
    assert issubclass(fast, yaml.CSafeLoader) == yaml.__with_libyaml__
    assert issubclass(careful, yaml.SafeLoader) and not issubclass(careful, yaml.CSafeLoader)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: no\nb: yes\nc: on\n", {"a": "no", "b": "yes", "c": "on"}),  # YAML 1.1 booleans
        ("a: true\nb: False\n", {"a": True, "b": False}),
        ("a: 010\nb: 1:30\nc: 0x1f\n", {"a": 10, "b": "1:30", "c": "0x1f"}),  # no octal, base 60
        ("a: 1.5\nb: .inf\nc: 2026-11-23\n", {"a": 1.5, "b": float("inf"), "c": "2026-11-23"}),
    ],
)
def test_yaml_1_2_core_scalars(text: str, expected: dict[str, object]) -> None:
    assert yaml12.load(text) == expected


def test_a_parse_error_is_worded_by_pyyaml_whichever_parser_found_it() -> None:
    with pytest.raises(yaml.MarkedYAMLError) as caught:
        yaml12.load("a: [1\n")
    assert caught.value.problem is not None and "expected ',' or ']'" in caught.value.problem


def test_a_tokens_office_called_no_is_an_office_not_false() -> None:
    table = parse_tokens("kiosk-medan-7f3a9c2e41: [no]\n", "tokens.yaml")
    grant = table.grant("kiosk-medan-7f3a9c2e41")
    assert grant is not None and grant.offices == frozenset({"no"})


# --- the event reader: what PyYAML's constructor would give, several times faster ----------

FAST_PATH = [
    ("a: 1\n", {"a": 1}),
    ("", None),
    ("# only a comment\n", None),
    ("---\n", None),
    ("- a\n- {b: c}\n- - d\n- []\n- {}\n", ["a", {"b": "c"}, ["d"], [], {}]),
    (
        "a: 'q'\nb: \"1\"\nc: |\n  lit\nd: ~\ne:\n",
        {"a": "q", "b": "1", "c": "lit\n", "d": None, "e": None},
    ),
    (
        "x: -.inf\ny: +5\nz: 1e3\nw: 0o7\nv: 1_000\n",
        {"x": float("-inf"), "y": 5, "z": 1000.0, "w": "0o7", "v": "1_000"},
    ),
    ("a: &x [1, 2]\nb: *x\n", {"a": [1, 2], "b": [1, 2]}),
    ("just text", "just text"),
]


@pytest.mark.parametrize(("text", "expected"), FAST_PATH)
def test_the_event_reader_reads_plain_documents(text: str, expected: object) -> None:
    fast, careful = yaml12._LOADERS[False]
    if not yaml.__with_libyaml__:
        pytest.fail("PyYAML without libyaml: the event reader is not used")
    assert yaml12._from_events(fast(text)) == expected == yaml.load(text, Loader=careful)


def test_an_alias_is_the_same_object_as_its_anchor() -> None:
    loaded = yaml12.load("a: &x {k: v}\nb: *x\n")
    assert loaded["a"] is loaded["b"]


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: &x 2\n",  # an anchor twice
        "<<: {a: 1}\n",  # a merge key
        "a: !!str 1\n",  # a tag
        "a: 1\na: 2\n",  # a key twice
        "1: a\ntrue: b\n",  # the same key to Python
        "a: =\n",
        "? [1]\n: 2\n",  # a list as a key
        "--- 1\n--- 2\n",
        "%TAG !e! tag:e.com,2000:\n--- !e!foo 1\n",
        "a: *nope\n",
    ],
)
def test_what_the_event_reader_leaves_to_pyyaml(text: str) -> None:
    fast, careful = yaml12._LOADERS[False]
    with pytest.raises(yaml12._Unusual):
        yaml12._from_events(fast(text))

    def result(load: Any) -> tuple[str, str]:
        try:
            return "ok", repr(load())
        except yaml.YAMLError as exc:
            return type(exc).__name__, str(exc)

    old = result(lambda: yaml.load(text, Loader=fast))
    if old[0] != "ok":
        old = result(lambda: yaml.load(text, Loader=careful))
    assert result(lambda: yaml12.load(text)) == old


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(DOCUMENTS, st.booleans())
def test_the_event_reader_agrees_with_pyyaml_on_any_document(document: Any, flow: bool) -> None:
    fast, careful = yaml12._LOADERS[False]
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True)
    expected = yaml.load(text, Loader=careful)
    assert yaml12._from_events(fast(text)) == expected == yaml12.load(text)
    if not any(c in text for c in "&!*"):  # nothing to mark: the checks may be left out
        assert yaml12._from_events(fast(text), marked=False) == expected
