"""Tests of producers.tokens: the gateway's tokens file is validated at start."""

from __future__ import annotations

from pathlib import Path

import pytest

from producers.tokens import TokensError, load_tokens, parse_tokens

KIOSK = "kiosk-medan-7f3a9c2e41"
OPS = "ops-all-offices-5b8d0e"


@pytest.mark.parametrize(
    ("text", "token", "office", "allowed"),
    [
        (f"{KIOSK}: [mpp-medan]\n", KIOSK, "mpp-medan", True),
        (f"{KIOSK}: [mpp-medan]\n", KIOSK, "samsat-medan", False),
        (f"{KIOSK}: [mpp-medan, samsat-medan]\n", KIOSK, "samsat-medan", True),
        (f"{KIOSK}: mpp-medan\n", KIOSK, "mpp-medan", True),  # one office, no list
        (f"{OPS}: '*'\n", OPS, "any-office", True),
        (f"{OPS}: ['*']\n", OPS, "any-office", True),
        (f"{OPS}: '*'\n{KIOSK}: [mpp-medan]\n", KIOSK, "other", False),
        (f"# comment\n{KIOSK}:\n  - mpp-medan\n", KIOSK, "mpp-medan", True),
    ],
)
def test_a_valid_file_grants_offices_per_token(
    text: str, token: str, office: str, allowed: bool
) -> None:
    table = parse_tokens(text, "tokens.yaml")
    grant = table.grant(token)
    assert grant is not None
    assert grant.allows(office) is allowed


@pytest.mark.parametrize("presented", ["", "kiosk-medan", KIOSK + "x", KIOSK.upper(), OPS])
def test_an_unknown_token_has_no_grant(presented: str) -> None:
    assert parse_tokens(f"{KIOSK}: [mpp-medan]\n", "t.yaml").grant(presented) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "must be a mapping of bearer token"),
        ("[a, b]\n", "must be a mapping of bearer token"),
        ("{}\n", "must be a mapping of bearer token"),
        ("short: [mpp-medan]\n", "token #1: too short"),
        (f"{KIOSK}: []\n", 'token #1: offices must be "*" or a non-empty list'),
        (f"{KIOSK}:\n", 'token #1: offices must be "*" or a non-empty list'),
        (f"{KIOSK}: {{a: b}}\n", 'token #1: offices must be "*"'),
        (f"{KIOSK}: [MPP-Medan]\n", "token #1: 'MPP-Medan' is not an office id"),
        (f"{KIOSK}: [mpp-medan, 7]\n", "token #1: 7 is not an office id"),
        (f"{OPS}: '*'\n'has space in it 123': '*'\n", "token #2: a token must be a string"),
        ("12345678901234567890: '*'\n", "token #1: a token must be a string"),
        (f"{KIOSK}: [a]\n{KIOSK}: [b]\n", "line 2: invalid YAML: a token is listed twice"),
        (f"{KIOSK}: [a\n", "invalid YAML"),
    ],
)
def test_an_invalid_file_is_refused_naming_file_place_and_reason(text: str, reason: str) -> None:
    with pytest.raises(TokensError) as caught:
        parse_tokens(text, "conf/tokens.yaml")
    message = str(caught.value)
    assert message.startswith("conf/tokens.yaml: ")
    assert reason in message
    assert KIOSK not in message and OPS not in message  # secrets stay out of logs
    assert "\n" not in message


def test_load_tokens_reads_the_file_or_says_why_not(tmp_path: Path) -> None:
    path = tmp_path / "tokens.yaml"
    path.write_text(f"{KIOSK}: [mpp-medan]\n")
    assert len(load_tokens(path)) == 1
    with pytest.raises(TokensError, match=r"missing\.yaml: cannot read the file"):
        load_tokens(tmp_path / "missing.yaml")
