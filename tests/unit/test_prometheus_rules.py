"""Prometheus and Alertmanager configuration: valid, unit-tested, documented, and runnable.

These tests need Debian's promtool and amtool; they fail (never skip) without them.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
PROMETHEUS = REPO / "deploy" / "prometheus"
ALERTMANAGER = REPO / "deploy" / "alertmanager" / "alertmanager.yml"
RUNBOOKS = REPO / "docs" / "runbooks.md"
LOCAL_SCRIPTS = [REPO / "deploy" / "local" / n for n in ("prometheus.sh", "alertmanager.sh")]
INSTALL_HINT = "apt-get install prometheus prometheus-alertmanager"


def tool(name: str) -> str:
    """Path of a Prometheus tool; fails the test with what to install if it is missing."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found: install it with `{INSTALL_HINT}`")
    return path


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command from the repository root, capturing its output."""
    return subprocess.run(
        args, cwd=REPO, capture_output=True, text=True, check=False, env=env, timeout=120
    )


def alerts() -> list[dict[str, Any]]:
    """Every alerting rule of deploy/prometheus/rules/alerts.yml."""
    groups = yaml.safe_load((PROMETHEUS / "rules" / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def anchors(markdown: str) -> set[str]:
    """GitHub-style anchors of the headings of a Markdown text."""
    headings = re.findall(r"^#+\s+(.+?)\s*$", markdown, flags=re.MULTILINE)
    return {re.sub(r"[^a-z0-9 _-]", "", h.lower()).replace(" ", "-") for h in headings}


def test_promtool_check_config() -> None:
    result = run(tool("promtool"), "check", "config", str(PROMETHEUS / "prometheus.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_check_rules() -> None:
    rules = sorted(str(p) for p in (PROMETHEUS / "rules").glob("*.yml"))
    assert len(rules) == 2
    result = run(tool("promtool"), "check", "rules", *rules)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_rule_unit_tests() -> None:
    tests = sorted(str(p) for p in (PROMETHEUS / "tests").glob("*.yml"))
    assert tests, "no promtool unit tests in deploy/prometheus/tests"
    result = run(tool("promtool"), "test", "rules", *tests)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_is_unit_tested_firing_and_not_firing() -> None:
    firing: set[str] = set()
    silent: set[str] = set()
    for path in (PROMETHEUS / "tests").glob("*.yml"):
        for case in yaml.safe_load(path.read_text())["tests"]:
            for check in case.get("alert_rule_test", []):
                (firing if check.get("exp_alerts") else silent).add(check["alertname"])
    names = {rule["alert"] for rule in alerts()}
    assert names - firing == set(), "alerts never tested firing"
    assert names - silent == set(), "alerts never tested silent"


def test_every_alert_is_labelled_and_documented() -> None:
    runbook_anchors = anchors(RUNBOOKS.read_text(encoding="utf-8"))
    for rule in alerts():
        name = rule["alert"]
        assert rule["labels"]["severity"] in {"page", "ticket"}, name
        assert rule["labels"]["component"] in {"service-level", "pipeline"}, name
        annotations = rule["annotations"]
        for key in ("summary", "description", "runbook_url"):
            assert annotations.get(key, "").strip(), f"{name} has no {key}"
        path, _, anchor = annotations["runbook_url"].partition("#")
        assert path == "docs/runbooks.md", name
        assert anchor == name.lower(), name
        assert anchor in runbook_anchors, f"docs/runbooks.md has no section for {name}"


def test_amtool_check_config() -> None:
    result = run(tool("amtool"), "check-config", str(ALERTMANAGER))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("labels", "receiver"),
    [
        (["severity=page", "office=mpp-medan", "alertname=PantauWorkerDown"], "pantau-page"),
        (["severity=ticket", "office=mpp-medan", "service=ktp-el"], "pantau-ticket"),
        (["alertname=Unknown"], "pantau-default"),
    ],
)
def test_alertmanager_routes_by_severity(labels: list[str], receiver: str) -> None:
    result = run(
        tool("amtool"), "config", "routes", "test", f"--config.file={ALERTMANAGER}", *labels
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == receiver


def test_alertmanager_groups_by_office_and_inhibits_per_office() -> None:
    config = yaml.safe_load(ALERTMANAGER.read_text())
    assert config["route"]["group_by"] == ["alertname", "office"]
    urls = {
        hook["url"]
        for receiver in config["receivers"]
        for hook in receiver.get("webhook_configs", [])
    }
    assert urls == {"http://127.0.0.1:9099/alerts"}
    office_rule = next(
        rule
        for rule in config["inhibit_rules"]
        if rule["source_matchers"] == ['alertname="PantauOfficeMetricsMissing"']
    )
    assert office_rule["target_matchers"] == ['component="service-level"']
    assert office_rule["equal"] == ["office"]


@pytest.mark.parametrize("script", LOCAL_SCRIPTS, ids=lambda p: p.name)
def test_local_script_is_valid_bash_and_installs_nothing(script: Path) -> None:
    assert run("bash", "-n", str(script)).returncode == 0
    text = script.read_text()
    assert "set -euo pipefail" in text
    commands = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    installs = [
        line
        for line in commands
        if re.search(r"^\s*(sudo\s+)?(apt-get|apt|pip3?|dpkg)\s", line)
        or re.search(r"\|\s*(ba)?sh\b", line)
    ]
    assert not installs, installs
    assert os.access(script, os.X_OK), f"{script.name} is not executable"


@pytest.mark.parametrize("script", LOCAL_SCRIPTS, ids=lambda p: p.name)
def test_local_script_without_binaries_says_what_to_install(script: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("dirname",):  # all the script may run before it looks for its binaries
        (bin_dir / name).symlink_to(tool(name))
    env = {"PATH": str(bin_dir), "PANTAU_STATE_DIR": str(tmp_path / "state")}
    result = run(tool("bash"), str(script), "start", env=env)
    assert result.returncode != 0
    assert INSTALL_HINT in result.stderr
    assert not (tmp_path / "state").exists()
