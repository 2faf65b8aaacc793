"""How close pantau's predicted waits come, beside a naive estimator, on simulated weeks.

    python -m bench.predictions [--offices 4] [--days 5] [--seed 7] [--png docs/predictions.png]

Simulated offices (seeded: a morning peak, lunch pauses, citizens who give up) run through
the pure core; every wait that ends is compared with what pantau predicted when its ticket
was issued, and with the naive estimate then: people ahead times the service's mean
processing time so far over the counters open (docs/predictions.md).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from pantau.standards import Standards, parse_standards
from producers.simulator import simulate_events
from streams.core.office import WAITING, OfficeState
from streams.core.outcomes import Effect
from streams.core.partition import PartitionState

# Opening hours and standards like an MPP's; the simulator opens its counters at 08:00.
STANDARDS = """
timezone: Asia/Jakarta
defaults: {max_wait: 30m, max_processing: 15m, target: 0.85}
offices:
"""
OFFICE = """  {office}:
    hours: {{mon-fri: "08:00-16:00"}}
    services:
      ktp-el: {{max_wait: 20m, max_processing: 10m}}
      kartu-keluarga: {{max_wait: 30m, max_processing: 15m}}
      akta-kelahiran: {{max_wait: 30m, max_processing: 12m}}
      pindah-datang: {{max_wait: 45m, max_processing: 20m}}
      kia: {{max_wait: 15m, max_processing: 8m}}
"""


def standards_for(offices: list[str]) -> Standards:
    text = STANDARDS + "".join(OFFICE.format(office=o) for o in offices)
    return parse_standards(text, "bench/predictions.py")


@dataclass(slots=True)
class Waits:
    """Per service, for every wait that ended: actual, pantau's prediction, the naive one."""

    actual: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    pantau: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    naive: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def add(self, service: str, actual: float, pantau: float, naive: float) -> None:
        self.actual[service].append(actual)
        self.pantau[service].append(pantau)
        self.naive[service].append(naive)


def naive_estimate(state: OfficeState, service: str) -> float:
    """People ahead times mean processing of the service so far over counters open."""
    hists = [h for (s, _), h in state.tally.processing.items() if s == service]
    count = sum(h.count for h in hists)
    mean = (
        sum(h.total for h in hists) / count
        if count
        else 0.6 * state.standards.lookup(state.office, service).max_processing
    )
    return state.waiting[service] * mean / max(state.counters_open(), 1)


def evaluate(offices: int, days: int, seed: int) -> Waits:
    """Replay simulated office days through the core and collect every ended wait."""
    names = [f"kantor-{i:02d}" for i in range(1, offices + 1)]
    standards = standards_for(names)
    pstate = PartitionState(standards)
    waits = Waits()
    # (office, ticket) -> (service, naive estimate) of the wait it is in now
    pending: dict[tuple[str, str], tuple[float, float]] = {}
    out: list[Effect] = []
    events = simulate_events(standards, names, days=days, seed=seed)
    for offset, event in enumerate(events):
        office, ticket = event["office"], event.get("ticket")
        state = pstate.office(office)
        before = state.visits.get(ticket) if ticket else None
        was_waiting = before is not None and before.state == WAITING
        naive = None
        if event["type"] == "ticket.issued":
            naive = naive_estimate(state, event["service"])
        elif event["type"] == "ticket.transferred" and before and not was_waiting:
            naive = naive_estimate(state, event["to_service"])
        pstate.handle(orjson.dumps(event), offset, out)
        out.clear()
        after = state.visits.get(ticket) if ticket else None
        if ticket is None:
            continue
        if naive is not None and after is not None and after.state == WAITING:
            pending[office, ticket] = (after.queued_at, naive)
        elif was_waiting and before is not None:
            entry = pending.pop((office, ticket), None)
            called = event["type"] in ("ticket.called", "service.started")
            if entry is not None and called and before.predicted is not None:
                queued_at, naive_then = entry
                actual = max(state.watermark - queued_at, 0.0)
                waits.add(before.service, actual, before.predicted, naive_then)
    return waits


def _abs_errors(actual: list[float], predicted: list[float]) -> list[float]:
    return [abs(a - p) for a, p in zip(actual, predicted, strict=True)]


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1] if len(values) > 1 else 0.0


def table(waits: Waits) -> list[dict[str, float | int | str]]:
    """Per service and overall: waits, median and p90 absolute error (minutes) of both."""
    rows: list[dict[str, float | int | str]] = []
    services = sorted(waits.actual)
    groups = [(s, waits.actual[s], waits.pantau[s], waits.naive[s]) for s in services]
    every = (
        "semua",
        [x for g in groups for x in g[1]],
        [x for g in groups for x in g[2]],
        [x for g in groups for x in g[3]],
    )
    for service, actual, pantau, naive in [*groups, every]:
        p_err, n_err = _abs_errors(actual, pantau), _abs_errors(actual, naive)
        rows.append(
            {
                "service": service,
                "waits": len(actual),
                "mean_wait_min": statistics.fmean(actual) / 60,
                "pantau_median_min": statistics.median(p_err) / 60,
                "pantau_p90_min": _p90(p_err) / 60,
                "naive_median_min": statistics.median(n_err) / 60,
                "naive_p90_min": _p90(n_err) / 60,
            }
        )
    return rows


def markdown(rows: list[dict[str, float | int | str]]) -> str:
    lines = [
        "| service | waits | mean wait | pantau median | pantau p90 | naive median | naive p90 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['service']} | {r['waits']:,} | {r['mean_wait_min']:.1f} "
            f"| {r['pantau_median_min']:.1f} | {r['pantau_p90_min']:.1f} "
            f"| {r['naive_median_min']:.1f} | {r['naive_p90_min']:.1f} |"
        )
    return "\n".join(lines)


def picture(waits: Waits, path: Path) -> None:
    """Predicted against actual wait, both estimators, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    actual = [a / 60 for s in sorted(waits.actual) for a in waits.actual[s]]
    pantau = [p / 60 for s in sorted(waits.actual) for p in waits.pantau[s]]
    naive = [p / 60 for s in sorted(waits.actual) for p in waits.naive[s]]
    top = max([*actual, 1.0]) * 1.15  # predictions beyond it are drawn on the top edge
    fig, axes = plt.subplots(1, 2, figsize=(11, 5.2), sharex=True, sharey=True)
    for ax, predicted, title in (
        (axes[0], pantau, "pantau"),
        (axes[1], naive, "naive: ahead times processing over counters open"),
    ):
        errors = sorted(abs(a - p) for a, p in zip(actual, predicted, strict=True))
        median = errors[len(errors) // 2]
        shown = [min(p, top) for p in predicted]
        ax.scatter(actual, shown, s=3, alpha=0.25, color="#1f5f8b", linewidths=0)
        ax.text(0.03, 0.95, f"median |error| {median:.1f} min", transform=ax.transAxes,
                va="top", fontsize=10)  # fmt: skip
        ax.plot([0, top], [0, top], color="#c0392b", linewidth=1)
        ax.set_title(title, fontsize=11)
        ax.set_xlabel("actual wait (minutes)")
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("predicted at ticket issue (minutes)")
    fig.suptitle(f"Predicted vs actual wait, {len(actual):,} simulated waits", fontsize=12)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.predictions", description=__doc__)
    parser.add_argument("--offices", type=int, default=4)
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--png", type=Path, default=None, help="write the picture here")
    parser.add_argument("--json", type=Path, default=None, help="write the table here")
    args = parser.parse_args(argv)
    waits = evaluate(args.offices, args.days, args.seed)
    rows = table(waits)
    print(markdown(rows))
    if args.png:
        picture(waits, args.png)
        print(f"picture: {args.png}", file=sys.stderr)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
