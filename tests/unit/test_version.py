"""One version number: pyproject.toml's, as `pantau --version` and the package say it."""

from __future__ import annotations

import tomllib

from typer.testing import CliRunner

import pantau
from pantau.cli import cli
from tests.support import FIXTURES

REPO = FIXTURES.parent.parent


def test_the_version_is_pyprojects_everywhere() -> None:
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"pantau {declared}\n"
    assert pantau.__version__ == declared


def test_the_package_says_it_is_typed_and_licensed() -> None:
    assert (REPO / "pantau" / "py.typed").is_file()
    assert "Apache License" in (REPO / "LICENSE").read_text()[:200]
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert "License :: OSI Approved :: Apache Software License" in project["classifiers"]
