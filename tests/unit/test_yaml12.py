"""The shared YAML loader: libyaml's parser and PyYAML's agree, YAML 1.2 scalars, tokens' `no`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

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
