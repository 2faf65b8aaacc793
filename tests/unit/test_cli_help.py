"""`pantau COMMAND --help` names each option's environment variable and its default."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer
from typer.core import TyperGroup, TyperOption
from typer.testing import CliRunner

from pantau.cli import cli

WIDE = {"COLUMNS": "400", "TERMINAL_WIDTH": "400"}  # one option, one line of the help

# (command, option, environment variable, default shown); None: no default to show
ENV_OPTIONS = [
    ("worker", "--standards", "PANTAU_STANDARDS", None),
    ("worker", "--clock", "PANTAU_CLOCK", "wall"),
    ("worker", "--topic-prefix", "PANTAU_TOPIC_PREFIX", "pantau"),
    ("worker", "--web-port", "PANTAU_WEB_PORT", "6066"),
    ("worker", "--data-dir", "PANTAU_DATA_DIR", ".state/worker"),
    ("worker", "--broker", "PANTAU_BROKER", "localhost:9092"),
    ("worker", "--partitions", "PANTAU_PARTITIONS", "8"),
    ("replay", "--topic-prefix", "PANTAU_TOPIC_PREFIX", "pantau"),
    ("replay", "--broker", "PANTAU_BROKER", "localhost:9092"),
    ("gateway", "--port", "PANTAU_GATEWAY_PORT", "8088"),
    ("gateway", "--host", "PANTAU_GATEWAY_HOST", "127.0.0.1"),
    ("gateway", "--tokens", "PANTAU_TOKENS", None),
    ("gateway", "--max-body", "PANTAU_GATEWAY_MAX_BODY", "1048576"),
    ("gateway", "--topic-prefix", "PANTAU_TOPIC_PREFIX", "pantau"),
    ("gateway", "--broker", "PANTAU_BROKER", "localhost:9092"),
    ("simulate", "--standards", "PANTAU_STANDARDS", None),
    ("simulate", "--spool", "PANTAU_SPOOL_PATH", ".state/spool/simulate.sqlite"),
    ("simulate", "--topic-prefix", "PANTAU_TOPIC_PREFIX", "pantau"),
    ("simulate", "--broker", "PANTAU_BROKER", "localhost:9092"),
]


def help_of(command: str) -> str:
    done = CliRunner().invoke(cli, [command, "--help"], env=WIDE)
    assert done.exit_code == 0, done.output
    return done.stdout


def option_line(text: str, option: str) -> str:
    """The help line of `option` (rich draws the options as a table, one row a line)."""
    [row] = [row for row in text.splitlines() if re.search(rf"│ {re.escape(option)}\s", row)]
    return row


@pytest.mark.parametrize(("command", "option", "variable", "default"), ENV_OPTIONS)
def test_help_names_the_variable_and_the_default(
    command: str, option: str, variable: str, default: str | None
) -> None:
    row = option_line(help_of(command), option)
    assert f"[env var: {variable}]" in row
    if default is None:
        assert "[default:" not in row
    else:
        assert f"[default: {default}]" in row


def commands() -> dict[str, Any]:
    group = typer.main.get_command(cli)
    assert isinstance(group, TyperGroup)
    return dict(group.commands)


@pytest.mark.parametrize("command", sorted(commands()))
def test_every_option_of_every_command_shows_its_variable_and_default(command: str) -> None:
    text = help_of(command)
    for param in commands()[command].params:
        if not isinstance(param, TyperOption) or param.name == "help":
            continue
        row = option_line(text, param.opts[0])
        if param.envvar:
            assert f"[env var: {param.envvar}]" in row
        if param.default is not None and not param.is_flag:
            assert "[default: " in row, row


def test_the_table_covers_every_option_an_environment_variable_sets() -> None:
    wired = {
        (name, param.opts[0], param.envvar)
        for name, command in commands().items()
        for param in command.params
        if isinstance(param, TyperOption) and param.envvar
    }
    assert wired == {(command, option, variable) for command, option, variable, _ in ENV_OPTIONS}


def test_the_variable_sets_the_option() -> None:
    done = CliRunner().invoke(
        cli, ["simulate", "--no-progress", "--out", "/x"], env={"PANTAU_BROKER": "no-port"}
    )
    assert done.exit_code == 2
    assert done.stderr == (
        "pantau: error: broker: 'no-port' is not HOST:PORT (a list: HOST:PORT,HOST:PORT)\n"
    )
