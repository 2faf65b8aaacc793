"""The gateway's tokens file: which bearer token may send events for which offices."""

from __future__ import annotations

import hmac
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from pantau import yaml12
from pantau.events import ID_PATTERN

__all__ = ["ALL_OFFICES", "Grant", "TokenTable", "TokensError", "load_tokens", "parse_tokens"]

ALL_OFFICES = "*"
MIN_TOKEN_LENGTH = 16
_ID = re.compile(ID_PATTERN)
_TOKEN = re.compile(r"[A-Za-z0-9._~+/=-]+")  # RFC 6750 token68


class TokensError(Exception):
    """An unusable tokens file; the message names the file, the place in it and why."""

    def __init__(
        self, source: str, where: str, reason: str, problems: Sequence[tuple[str, str]] = ()
    ) -> None:
        super().__init__(source, where, reason)
        self.source, self.where, self.reason = source, where, reason
        # every problem of the file, in order ((where, reason) pairs); the first is above
        self.problems: tuple[tuple[str, str], ...] = tuple(problems) or ((where, reason),)

    def __str__(self) -> str:
        return f"{self.source}: {self.where + ': ' if self.where else ''}{self.reason}"


@dataclass(frozen=True, slots=True)
class Grant:
    """What one token may do: send for these offices, or for all."""

    offices: frozenset[str]
    all_offices: bool = False

    def allows(self, office: str) -> bool:
        return self.all_offices or office in self.offices


class TokenTable:
    """The tokens of the file; `grant` compares in constant time per token."""

    def __init__(self, grants: Mapping[str, Grant]) -> None:
        self._grants = [(token.encode(), grant) for token, grant in grants.items()]

    def __len__(self) -> int:
        return len(self._grants)

    def grant(self, token: str) -> Grant | None:
        """The grant of a presented token, or None if it is not in the file."""
        presented = token.encode()
        found = None
        for known, grant in self._grants:  # no early exit: timing does not tell which matched
            if hmac.compare_digest(known, presented):
                found = grant
        return found


def load_tokens(path: str | os.PathLike[str]) -> TokenTable:
    """Read and validate a tokens file; TokensError if it cannot be used."""
    source = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise TokensError(source, "", f"cannot read the file: {exc}") from None
    return parse_tokens(text, source)


def parse_tokens(text: str, source: str) -> TokenTable:
    """Validate the text of a tokens file: a mapping of token to office ids or "*"."""
    try:
        document = yaml12.load(text, secret_keys=True)  # YAML 1.2: `no` is a string
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}" if mark else ""
        raise TokensError(source, where, f"invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise TokensError(source, "", f"invalid YAML: {exc}") from None
    if not isinstance(document, dict) or not document:
        raise TokensError(
            source, "", 'must be a mapping of bearer token to a list of offices (or "*")'
        )
    grants: dict[str, Grant] = {}
    problems: list[tuple[str, str]] = []
    for index, (token, value) in enumerate(document.items(), 1):
        where = f"token #{index}"  # the token itself never goes into a message
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            problems.append((where, "a token must be a string of letters, digits and -._~+/="))
        elif len(token) < MIN_TOKEN_LENGTH:
            problems.append((where, f"too short: at least {MIN_TOKEN_LENGTH} characters"))
        grant = _grant(value, where, problems)
        if grant is not None and isinstance(token, str):
            grants[token] = grant
    if problems:
        raise TokensError(source, *problems[0], problems)
    return TokenTable(grants)


def _grant(value: Any, where: str, problems: list[tuple[str, str]]) -> Grant | None:
    """The grant of one token's offices; None (and each problem) if they are not valid."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        problems.append((where, 'offices must be "*" or a non-empty list of office ids'))
        return None
    bad = [
        item
        for item in items
        if item != ALL_OFFICES and (not isinstance(item, str) or not _ID.fullmatch(item))
    ]
    for item in bad:
        problems.append((where, f"{item!r} is not an office id (must match {ID_PATTERN}) or '*'"))
    if bad:
        return None
    if ALL_OFFICES in items:
        return Grant(frozenset(), all_offices=True)
    return Grant(frozenset(items))
