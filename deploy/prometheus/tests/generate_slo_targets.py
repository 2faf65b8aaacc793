"""Write slo_targets_test.yml: the burn-rate tiers at every target of the runbook's table.

    python deploy/prometheus/tests/generate_slo_targets.py           # write the test file
    python deploy/prometheus/tests/generate_slo_targets.py --check   # exit 1 if out of date

The thresholds come from the table in docs/runbooks.md ("Error-budget burn alerts:
shared background"), not from the rules: promtool then proves that the rules compute the
table (`round(threshold, 0.01)` per target, and the threshold printed in every alert's
description), and that at each target every tier fires just above its threshold and stays
silent just below it, on healthy traffic, on a quiet service and outside opening hours.
tests/unit/test_prometheus_rules.py runs the check.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
RUNBOOKS = REPO / "docs" / "runbooks.md"
OUTPUT = HERE / "slo_targets_test.yml"
RUNBOOK_URL = "https://github.com/example/pantau/blob/main/docs/runbooks.md"

#: The tiers, fastest first: long window, short window, severity.
TIERS = (
    ("1h", "5m", "page"),
    ("6h", "30m", "page"),
    ("1d", "2h", "ticket"),
    ("3d", "6h", "ticket"),
)
LONG_TEXT = {"1h": "the last hour", "6h": "the last 6 hours", "1d": "the last day"}
SHORT_TEXT = {"5m": "the last 5 minutes", "30m": "the last 30 minutes", "2h": "the last 2 hours"}

WAITS_PER_MINUTE = 100  # busy services: every window has far more than its minimum of waits
QUIET_PER_MINUTE = 0.1  # 7 waits in 75 minutes: below the 20 every long window needs
MINUTES = 75
OPEN_MINUTES = 60  # the office "sore" closes by its hours after an hour
INSTANCE = 'instance="127.0.0.1:6066",job="pantau-worker"'


@dataclass(frozen=True)
class Row:
    """One row of the runbook's table: a target and its four thresholds (as printed)."""

    target: str
    thresholds: tuple[str, str, str, str]

    @property
    def budget(self) -> float:
        return 1 - float(self.target)

    @property
    def slug(self) -> str:
        return "t" + self.target.replace("0.", "").ljust(3, "0")


def table(markdown: str) -> list[Row]:
    """The rows of the thresholds table: | target | highest | 1h | 6h | 1d | 3d |."""
    rows = []
    for line in markdown.splitlines():
        match = re.match(r"^\|\s*(0\.\d+)\s*\|(.*)\|\s*$", line)
        if not match:
            continue
        cells = [c.strip() for c in match.group(2).split("|")]
        values = [re.match(r"^(\d+\.\d\d) \(", c) for c in cells[1:]]
        if len(values) != 4 or not all(values):
            raise ValueError(f"docs/runbooks.md: cannot read thresholds from {line!r}")
        rows.append(Row(match.group(1), tuple(v.group(1) for v in values if v)))  # type: ignore[arg-type]
    if not rows:
        raise ValueError("docs/runbooks.md has no thresholds table")
    return rows


def burns(row: Row) -> list[float]:
    """A burn rate between each pair of neighbouring thresholds, rounded to 0.1.

    burns[k] lies above tier k's threshold and below every faster tier's, so it must fire
    tiers k..3 and no other; the last one, half the budget, is healthy.
    """
    ceiling = 1 / row.budget  # every wait late
    edges = [ceiling, *(float(t) for t in row.thresholds)]
    chosen = []
    for upper, lower in itertools.pairwise(edges):
        burn = round((upper + lower) / 2, 1)
        if not lower + 0.01 < burn < upper - 0.01:
            raise ValueError(f"target {row.target}: no burn rate between {lower} and {upper}")
        chosen.append(burn)
    return [*chosen, 0.5]


def series(name: str, labels: str, values: str) -> dict[str, str]:
    return {"series": f"{name}{{{labels},{INSTANCE}}}", "values": values}


def grow(per_minute: float) -> str:
    step = f"{per_minute:.6f}".rstrip("0").rstrip(".")
    return f"0+{step}x{MINUTES}"


def service_series(
    office: str, service: str, target: str, breached_share: float, per_minute: float
) -> list[dict[str, str]]:
    labels = f'office="{office}",service="{service}"'
    breached = per_minute * breached_share
    out = [series("pantau_standard_target_ratio", labels, f"{target}x{MINUTES}")]
    out.append(series("pantau_wait_standard_total", f'{labels},result="breached"', grow(breached)))
    if breached_share < 1:
        out.append(
            series(
                "pantau_wait_standard_total", f'{labels},result="met"', grow(per_minute - breached)
            )
        )
    return out


def threshold_query(long: str) -> str:
    return f"office_service:pantau_wait_burn_threshold:{long}"


def alert(row: Row, office: str, service: str, tier: int, burn: float) -> dict[str, object]:
    long, short, severity = TIERS[tier]
    threshold = row.thresholds[tier]
    value = f"{burn:.1f}"
    if long == "3d":
        summary = f"{service} at {office}: wait standard missed over 3 days ({value}x budget)"
        description = (
            "Over the opening hours of the last 3 days, and still over those of the last 6 "
            f"hours, fewer citizens met the wait standard for {service} at {office} than the "
            f"target allows: the error budget burns {value} times as fast as it may "
            f"(threshold {threshold})."
        )
    else:
        summary = f"{service} at {office}: wait error budget burning {value}x too fast ({long})"
        description = (
            f"Over the opening hours of {LONG_TEXT[long]}, and still over those of "
            f"{SHORT_TEXT[short]}, the share of citizens waiting longer than the standard for "
            f"{service} at {office} is {value} times the error budget (1 - target); the "
            f"{severity} threshold for this service's target is {threshold}."
        )
    return {
        "exp_labels": {
            "office": office,
            "service": service,
            "severity": severity,
            "component": "service-level",
        },
        "exp_annotations": {
            "summary": summary,
            "description": description,
            "runbook_url": f"{RUNBOOK_URL}#pantauwaitbudgetburn{long}",
        },
    }


def build_one(row: Row) -> dict[str, object]:
    """One promtool test: the offices of one target (one test each keeps every query
    below promtool's 10,000 samples)."""
    tiers = [long for long, _, _ in TIERS]
    inputs: list[dict[str, str]] = []
    late: dict[str, list[dict[str, object]]] = {long: [] for long in tiers}
    early: dict[str, list[dict[str, object]]] = {long: [] for long in tiers}
    office = f"kantor-{row.slug}"
    for k, burn in enumerate(burns(row)):
        service = f"tier-{tiers[k]}" if k < len(tiers) else "sehat"
        inputs += service_series(office, service, row.target, burn * row.budget, WAITS_PER_MINUTE)
        for tier in range(k, len(tiers)):
            late[tiers[tier]].append(alert(row, office, service, tier, burn))
            early[tiers[tier]].append(alert(row, office, service, tier, burn))
    # A quiet office, every wait late: too few waits in every window to act on.
    inputs += service_series(f"{office}-sepi", "tier-1h", row.target, 1.0, QUIET_PER_MINUTE)
    # Closed by its hours all the time, every wait late (served after hours): silent.
    closed = f"{office}-tutup"
    inputs.append(series("pantau_office_open", f'office="{closed}"', f"0x{MINUTES}"))
    inputs += service_series(closed, "tier-1h", row.target, 1.0, WAITS_PER_MINUTE)
    # Open for an hour, every wait late, then closed: fires while open, silent after.
    evening = f"{office}-sore"
    hours = f"1x{OPEN_MINUTES - 1} 0x{MINUTES - OPEN_MINUTES}"
    inputs.append(series("pantau_office_open", f'office="{evening}"', hours))
    inputs += service_series(evening, "tier-1h", row.target, 1.0, WAITS_PER_MINUTE)
    ceiling = round(1 / row.budget, 1)
    for tier in range(len(tiers)):
        early[tiers[tier]].append(alert(row, evening, "tier-1h", tier, ceiling))
    checks: list[dict[str, object]] = [
        {"eval_time": "1m", "alertname": f"PantauWaitBudgetBurn{long}", "exp_alerts": []}
        for long in tiers
    ]
    for when, firing in (("55m", early), ("70m", late)):
        for long in tiers:
            checks.append(
                {
                    "eval_time": when,
                    "alertname": f"PantauWaitBudgetBurn{long}",
                    "exp_alerts": firing[long],
                }
            )
    exprs = [
        {
            "expr": f'round(100 * {threshold_query(long)}{{office="{office}",service="tier-1h"}})',
            "eval_time": "10m",
            "exp_samples": [
                {
                    "labels": f'{{office="{office}",service="tier-1h"}}',
                    "value": round(float(row.thresholds[k]) * 100),
                }
            ],
        }
        for k, long in enumerate(tiers)
    ]
    return {
        "name": f"burn-rate tiers at target {row.target}",
        "interval": "1m",
        "input_series": inputs,
        "promql_expr_test": exprs,
        "alert_rule_test": checks,
    }


def build(rows: list[Row]) -> dict[str, object]:
    return {
        "rule_files": ["../rules/recording.yml", "../rules/alerts.yml"],
        "evaluation_interval": "1m",
        "tests": [build_one(row) for row in rows],
    }


HEADER = """\
# GENERATED by generate_slo_targets.py from the thresholds table of docs/runbooks.md;
# do not edit: change the table (and the rules), then run
#   python deploy/prometheus/tests/generate_slo_targets.py
#
# For every target T of the table, office kantor-tNNN has (at 100 waits a minute, for 75
# minutes, no opening hours so always open) one service per tier, tier-<window>, burning
# between that tier's threshold and the next faster one's: it fires its own tier and the
# slower ones, never a faster one; "sehat" burns at half the budget (healthy): silent.
# kantor-tNNN-sepi has every wait late at 0.1 waits a minute (quiet: 7 waits in 75
# minutes): silent. kantor-tNNN-tutup is closed by its hours all the time, every wait late: silent.
# kantor-tNNN-sore is open for the first hour, every wait late: every tier fires at 55m
# and none at 70m, after closing. The thresholds themselves (in hundredths) at 10m.
"""


def render(markdown: str | None = None) -> str:
    rows = table(RUNBOOKS.read_text(encoding="utf-8") if markdown is None else markdown)
    body = yaml.safe_dump(build(rows), sort_keys=False, width=100, allow_unicode=True)
    return HEADER + "\n" + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not OUTPUT.is_file() or OUTPUT.read_text(encoding="utf-8") != text:
            print(
                f"out of date: {OUTPUT}; run: python {Path(__file__).relative_to(REPO)}",
                file=sys.stderr,
            )
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(OUTPUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
