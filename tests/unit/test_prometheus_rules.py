"""Prometheus and Alertmanager configuration: valid, unit-tested, documented, and runnable.

These tests need Debian's promtool and amtool; they fail (never skip) without them.
"""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
PROMETHEUS = REPO / "deploy" / "prometheus"
ALERTMANAGER = REPO / "deploy" / "alertmanager" / "alertmanager.yml"
RECEIVER_EXAMPLES = REPO / "deploy" / "alertmanager" / "receivers"
TEMPLATES = REPO / "deploy" / "alertmanager" / "templates"
RUNBOOKS = REPO / "docs" / "runbooks.md"
LOCAL_SCRIPTS = [REPO / "deploy" / "local" / n for n in ("prometheus.sh", "alertmanager.sh")]
INSTALL_HINT = "apt-get install prometheus prometheus-alertmanager"
#: Where the rules' runbook_url point: the published docs/runbooks.md (PANTAU_RUNBOOK_URL).
RUNBOOK_URL = "https://github.com/example/pantau/blob/main/docs/runbooks.md"
SEVERITIES = {"page", "ticket", "warning"}
#: The burn-rate tiers: alert, long window (the threshold rule's suffix), workbook factor.
TIERS = [
    ("PantauWaitBudgetBurn1h", "1h", 14.4),
    ("PantauWaitBudgetBurn6h", "6h", 6.0),
    ("PantauWaitBudgetBurn1d", "1d", 3.0),
    ("PantauWaitBudgetBurn3d", "3d", 1.0),
]


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


def recording_rules() -> dict[str, str]:
    """Every recording rule of deploy/prometheus/rules/recording.yml: name -> expression."""
    groups = yaml.safe_load((PROMETHEUS / "rules" / "recording.yml").read_text())["groups"]
    return {rule["record"]: rule["expr"] for group in groups for rule in group["rules"]}


def module(path: Path) -> ModuleType:
    """A Python file of deploy/ (not a package) imported as a module."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = loaded
    spec.loader.exec_module(loaded)
    return loaded


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


def test_generated_rule_tests_are_up_to_date() -> None:
    """slo_targets_test.yml is generated from the runbook's thresholds table."""
    generator = module(PROMETHEUS / "tests" / "generate_slo_targets.py")
    committed = (PROMETHEUS / "tests" / "slo_targets_test.yml").read_text(encoding="utf-8")
    assert committed == generator.render(), (
        "out of date: run python deploy/prometheus/tests/generate_slo_targets.py"
    )


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
        assert rule["labels"]["severity"] in SEVERITIES, name
        assert rule["labels"]["component"] in {"service-level", "pipeline"}, name
        annotations = rule["annotations"]
        for key in ("summary", "description", "runbook_url"):
            assert annotations.get(key, "").strip(), f"{name} has no {key}"
        base, _, anchor = annotations["runbook_url"].partition("#")
        assert base == RUNBOOK_URL, f"{name}: runbook_url must start with the one base URL"
        assert anchor == name.lower(), name
        assert anchor in runbook_anchors, f"docs/runbooks.md has no section for {name}"


def test_the_runbook_url_setting_replaces_every_link(tmp_path: Path) -> None:
    url = "https://docs.example.go.id/pantau/runbooks.html"
    env = {**os.environ, "PANTAU_STATE_DIR": str(tmp_path), "PANTAU_RUNBOOK_URL": url}
    result = run(str(LOCAL_SCRIPTS[0]), "render", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    rendered = yaml.safe_load((tmp_path / "prometheus" / "rules" / "alerts.yml").read_text())
    links = [
        rule["annotations"]["runbook_url"]
        for group in rendered["groups"]
        for rule in group["rules"]
        if "alert" in rule
    ]
    assert links == [f"{url}#{rule['alert'].lower()}" for rule in alerts()]
    bad = run(str(LOCAL_SCRIPTS[0]), "render", env={**env, "PANTAU_RUNBOOK_URL": "docs/x.md"})
    assert bad.returncode != 0 and "absolute" in bad.stderr


def runbook_table() -> list[tuple[float, float, list[tuple[float, float]]]]:
    """The thresholds table of docs/runbooks.md: (target, highest burn, [(burn, % late)])."""
    rows = []
    for line in RUNBOOKS.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\|\s*(0\.\d+)\s*\|\s*([\d.]+)\s*\|(.*)\|\s*$", line)
        if match:
            cells = re.findall(r"([\d.]+) \(([\d.]+) %\)", match.group(3))
            rows.append(
                (
                    float(match.group(1)),
                    float(match.group(2)),
                    [(float(b), float(s)) for b, s in cells],
                )
            )
    return rows


def test_runbook_threshold_table_is_what_the_rules_compute() -> None:
    """Recompute the table from the threshold rules' expressions (promtool checks the same
    table against the rules as Prometheus evaluates them: slo_targets_test.yml)."""
    rules = recording_rules()
    formula = re.compile(
        r"^clamp_max\(1 \+ ([\d.]+) \* \(?(?:1 / )?office_service:pantau_wait_error_budget:ratio"
        r"(?: - 1\))?, ([\d.]+)\)$"
    )
    params = []
    for alert_name, window, factor in TIERS:
        expr = rules[f"office_service:pantau_wait_burn_threshold:{window}"].strip()
        match = formula.match(expr)
        assert match, f"{window}: unexpected threshold rule {expr}"
        q, cap = float(match.group(1)), float(match.group(2))
        assert cap == factor, alert_name
        params.append((q, cap, "1 /" in expr))
    table = runbook_table()
    assert [row[0] for row in table] == [0.5, 0.8, 0.85, 0.9, 0.95, 0.99, 0.999]
    for target, highest, cells in table:
        budget = 1 - target
        assert highest == pytest.approx(1 / budget, abs=0.006), target
        assert len(cells) == len(TIERS), target
        for (q, cap, scaled), (burn, share) in zip(params, cells, strict=True):
            expected = min(cap, 1 + q * (1 / budget - 1)) if scaled else min(cap, 1.0)
            assert burn == pytest.approx(expected, abs=0.006), (target, cap)
            assert share == pytest.approx(100 * expected * budget, abs=0.006), (target, cap)
            assert 1 <= expected < 1 / budget, "every tier can fire and none on target"
        burns = [burn for burn, _ in cells]
        assert burns == sorted(burns, reverse=True), "the fast page needs the worst burn"


def test_alerts_compare_burn_rates_with_the_threshold_of_their_tier() -> None:
    by_name = {rule["alert"]: rule for rule in alerts()}
    short = {"1h": "5m", "6h": "30m", "1d": "2h", "3d": "6h"}
    for name, window, _ in TIERS:
        expr = " ".join(by_name[name]["expr"].split())
        threshold = f"office_service:pantau_wait_burn_threshold:{window}"
        for burn_window in (window, short[window]):
            burn = f"office_service:pantau_wait_burn_rate:open{burn_window}"
            assert f"{burn} > on (office, service) {threshold}" in expr, name
        assert f"office_service:pantau_wait_standard:open_count{window} >= 20" in expr
        assert f"office_service:pantau_wait_standard:open_count{short[window]} >= 2" in expr
        assert "office:pantau_office_open:bool == 1" in expr
        assert threshold in by_name[name]["annotations"]["description"], name


def test_amtool_check_config() -> None:
    result = run(tool("amtool"), "check-config", str(ALERTMANAGER))
    assert result.returncode == 0, result.stdout + result.stderr


def routes_test(config: Path, labels: list[str]) -> str:
    result = run(tool("amtool"), "config", "routes", "test", f"--config.file={config}", *labels)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("labels", "receiver"),
    [
        # service-level: the office's managers, whatever the severity
        (["component=service-level", "severity=page", "office=mpp-medan"], "pantau-managers"),
        (["component=service-level", "severity=warning", "office=mpp-medan"], "pantau-managers"),
        (["component=service-level", "severity=ticket", "service=ktp-el"], "pantau-managers"),
        # pipeline: ops
        (["component=pipeline", "severity=page", "alertname=PantauWorkerDown"], "pantau-ops-page"),
        (["component=pipeline", "severity=ticket", "reason=malformed"], "pantau-ops-ticket"),
        (["alertname=Unknown"], "pantau-default"),
    ],
)
def test_alertmanager_routes_service_level_to_managers_and_pipeline_to_ops(
    labels: list[str], receiver: str
) -> None:
    assert routes_test(ALERTMANAGER, labels) == receiver


def test_every_alert_has_a_route_of_its_component_and_severity() -> None:
    for rule in alerts():
        labels = [f"{k}={v}" for k, v in rule["labels"].items()] + [f"alertname={rule['alert']}"]
        receiver = routes_test(ALERTMANAGER, labels)
        if rule["labels"]["component"] == "service-level":
            assert receiver == "pantau-managers", rule["alert"]
        else:
            assert receiver == f"pantau-ops-{rule['labels']['severity']}", rule["alert"]


def test_alertmanager_groups_by_office_and_inhibits_per_office() -> None:
    config = yaml.safe_load(ALERTMANAGER.read_text())
    assert config["route"]["group_by"] == ["alertname", "office"]
    (managers,) = [r for r in config["route"]["routes"] if r["receiver"] == "pantau-managers"]
    assert managers["matchers"] == ['component="service-level"']
    assert managers["group_by"] == ["office"], "one notification per office for its managers"
    assert {r["matchers"][0] for r in managers["routes"]} == {f'severity="{s}"' for s in SEVERITIES}
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
    names = {rule["alert"] for rule in alerts()}
    for rule in config["inhibit_rules"]:
        for matcher in rule["source_matchers"] + rule["target_matchers"]:
            if matcher.startswith("alertname="):
                pattern = matcher.split("=", 1)[1].lstrip("~").strip('"')
                assert {n for n in names if re.fullmatch(pattern, n)}, matcher


def receiver_files(folder: Path, tmp_path: Path) -> Path:
    """The example receiver files, copied as real ones (secrets pointing at tmp files)."""
    folder.mkdir()
    secret = tmp_path / "smtp-password"
    secret.write_text("not-a-password\n")
    for example in sorted(RECEIVER_EXAMPLES.glob("*.yml.example")):
        text = example.read_text().replace("/etc/pantau/secrets/smtp-password", str(secret))
        (folder / example.name.removesuffix(".example")).write_text(text)
    return folder


def test_example_receivers_are_off_by_default_and_valid_when_used(tmp_path: Path) -> None:
    examples = sorted(p.name for p in RECEIVER_EXAMPLES.iterdir())
    assert examples and all(name.endswith(".yml.example") for name in examples), examples
    kinds = " ".join(p.read_text() for p in RECEIVER_EXAMPLES.iterdir())
    assert "email_configs:" in kinds and "telegram_configs:" in kinds
    folder = receiver_files(tmp_path / "receivers", tmp_path)
    env = {
        **os.environ,
        "PANTAU_STATE_DIR": str(tmp_path / "state"),
        "ALERTMANAGER_RECEIVERS_DIR": str(folder),
    }
    result = run(str(LOCAL_SCRIPTS[1]), "render", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    rendered = tmp_path / "state" / "alertmanager" / "alertmanager.yml"
    assert run(tool("amtool"), "check-config", str(rendered)).returncode == 0
    page = ["component=service-level", "severity=page"]
    assert routes_test(rendered, [*page, "office=mpp-medan"]) == "pantau-managers-mpp-medan"
    assert routes_test(rendered, [*page, "office=disdukcapil-medan"]) == (
        "pantau-managers-disdukcapil-medan"
    )
    assert routes_test(rendered, [*page, "office=samsat-medan-utara"]) == "pantau-managers"
    assert routes_test(rendered, ["component=pipeline", "severity=page"]) == "pantau-ops-page"
    config = yaml.safe_load(rendered.read_text())
    receivers = {r["name"]: r for r in config["receivers"]}
    medan = receivers["pantau-managers-mpp-medan"]
    assert set(medan) == {"name", "email_configs", "telegram_configs"}
    assert set(receivers["pantau-ops-page"]) == {"name", "telegram_configs", "webhook_configs"}
    assert config["templates"] == [f"{TEMPLATES}/*.tmpl"]
    # the shipped file itself is unchanged: receivers come from files, not edits
    assert "telegram" not in ALERTMANAGER.read_text()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("for: everybody\nemail_configs: [{to: a@b.c}]\n", "`for` must be one of"),
        ("for: ops-page\noffices: [mpp-medan]\nemail_configs: [{to: a@b.c}]\n", "only for"),
        ("for: managers\noffices: [Kantor A]\nemail_configs: [{to: a@b.c}]\n", "office id"),
        ("for: managers\n", "no *_configs"),
        ("for: managers\nemails: [{to: a@b.c}]\n", "unknown keys"),
    ],
)
def test_a_bad_receiver_file_is_refused_with_its_reason(
    tmp_path: Path, text: str, reason: str
) -> None:
    folder = tmp_path / "receivers"
    folder.mkdir()
    (folder / "bad.yml").write_text(text)
    env = {
        **os.environ,
        "PANTAU_STATE_DIR": str(tmp_path / "state"),
        "ALERTMANAGER_RECEIVERS_DIR": str(folder),
    }
    result = run(str(LOCAL_SCRIPTS[1]), "render", env=env)
    assert result.returncode != 0
    assert "bad.yml" in result.stderr and reason in result.stderr, result.stderr
    assert not (tmp_path / "state" / "alertmanager" / "alertmanager.yml").exists()


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
