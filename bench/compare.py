"""`python -m bench.compare BASE`: this tree's throughput beside another commit's, alternating.

Absolute rates vary twofold between machines and drift within a run, so a change is judged
only side by side: the core alone and the worker on the same preloaded events, the two
trees taking turns (ABAB...) in one run. BASE is any git revision; its tree is checked out
once under .state/bench/trees/.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.kafka import changelog_of, preload, topic_size
from bench.machine import ROOT
from bench.run import Run, log, parse_args
from bench.worker import Worker
from bench.workloads import simulated_mix

_CORE = """
import json, sys
from bench.core import core_events_per_s
from bench.workloads import simulated_mix
print(json.dumps(core_events_per_s(simulated_mix(int(sys.argv[1]), 50, 1).messages)))
"""


def checkout(revision: str) -> Path:
    """A detached worktree of `revision` (reused if it is there)."""
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", f"{revision}^{{commit}}"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    tree = ROOT / ".state" / "bench" / "trees" / sha[:12]
    if not (tree / "pantau").is_dir():
        tree.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "worktree", "add", "--force", "--detach", str(tree), sha],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
    return tree


def core_rate(tree: Path, events: int) -> float:
    """Events/s of the core of `tree` alone, in a fresh process running from that tree."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", _CORE, str(events)],
        cwd=tree, env=env, check=True, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    return float(done.stdout.strip().splitlines()[-1])


def worker_rate(run: Run, tree: Path, name: str, messages: list[Any]) -> tuple[float, float]:
    """Events/s of a worker of `tree` from its start until the preloaded events settled,
    and the changelog bytes it wrote per event."""
    prefix = run.prefix(name)
    preload(run.args.broker, f"{prefix}.events", run.args.partitions, messages)
    worker = Worker(prefix, run.args.broker, run.dir / f"data-{prefix}", run.dir / f"{name}.log")
    worker.cwd, worker.env["PYTHONPATH"] = tree, str(tree)
    run.workers.append(worker)
    worker.start()
    n = len(messages)
    _, last = worker.wait(lambda p: p.settled >= n, 3600, run.args.poll_every, f"{n} settled")
    worker.stop()
    written = topic_size(run.args.broker, changelog_of(prefix))["bytes"]
    return n / (last.last_batch_at - worker.started_at), written / n


def compare(args: argparse.Namespace) -> dict[str, Any]:
    trees = {"base": checkout(args.base), "this": checkout(args.this) if args.this else ROOT}
    rates: dict[str, dict[str, list[float]]] = {
        k: {"core": [], "worker": [], "changelog": []} for k in trees
    }
    for round_ in range(args.rounds):
        for label, tree in trees.items():
            rate = core_rate(tree, args.core_events)
            rates[label]["core"].append(rate)
            log(f"round {round_ + 1} {label}: core {rate:,.0f} events/s")
    if args.events:
        run = Run(parse_args(["--events", str(args.events), "--broker", args.broker]))
        messages = simulated_mix(args.events, run.args.offices, run.args.seed).messages
        try:
            for round_ in range(args.rounds):
                for label, tree in trees.items():
                    rate, written = worker_rate(run, tree, f"{label}{round_}", messages)
                    rates[label]["worker"].append(rate)
                    rates[label]["changelog"].append(written)
                    log(
                        f"round {round_ + 1} {label}: worker {rate:,.0f} events/s, "
                        f"changelog {written:,.1f} bytes/event"
                    )
        finally:
            run.close()
    medians = {
        label: {kind: statistics.median(v) for kind, v in by.items() if v}
        for label, by in rates.items()
    }
    return {
        "base": args.base,
        "trees": {k: str(v) for k, v in trees.items()},
        "rates": rates,
        "median": medians,
        "ratio": {kind: medians["this"][kind] / medians["base"][kind] for kind in medians["this"]},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__)
    add = parser.add_argument
    add("base", help="the git revision to compare with, e.g. HEAD~3 or a commit")
    add("--this", help="a revision to measure instead of the working tree")
    add("--rounds", type=int, default=3)
    add("--core-events", type=int, default=100_000)
    add("--events", type=int, default=300_000, help="for the worker; 0 skips the worker")
    add("--broker", default=f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}")
    add("--out", type=Path, default=ROOT / "bench" / "results" / "compare.json")
    args = parser.parse_args(argv)
    out = compare(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    for kind, ratio in out["ratio"].items():
        base, this = out["median"]["base"][kind], out["median"]["this"][kind]
        unit = "bytes/event" if kind == "changelog" else "events/s"
        print(f"{kind:<9} base {base:>9,.1f}  this {this:>9,.1f} {unit}  (x{ratio:.3f})")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
