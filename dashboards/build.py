"""Generate the dashboards' JSON: `python -m dashboards` (or `python -m dashboards.build`).

Writes dashboards/generated/<lang>/<dashboard>.json for every language, and the Kubernetes
manifests made from them and from the Prometheus rules (dashboards/k8s.py); with --check,
only reports files that differ from what the code generates (exit status 1).
"""

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import Dashboard

from dashboards import counters, overview, pipeline, region, service, sla
from dashboards.i18n import LANGS, Lang

#: The dashboards, in the order of the dashboard list: file name -> builder.
BUILDERS: dict[str, Callable[[Lang], Dashboard]] = {
    "overview": overview.build,
    "region": region.build,
    "service": service.build,
    "counters": counters.build,
    "sla": sla.build,
    "pipeline": pipeline.build,
}

GENERATED = Path(__file__).resolve().parent / "generated"


def to_json(board: Dashboard) -> str:
    """A dashboard as stable, readable JSON text (sorted keys, UTF-8, final newline)."""
    return json.dumps(board, cls=JSONEncoder, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render(lang: Lang) -> dict[str, str]:
    """Every dashboard in `lang`: file name -> JSON text."""
    return {f"{name}.json": to_json(build(lang)) for name, build in BUILDERS.items()}


def render_all() -> dict[Path, str]:
    """Every generated file, by its path relative to the generated directory."""
    return {Path(lang) / name: text for lang in LANGS for name, text in render(lang).items()}


def stale_files(root: Path = GENERATED) -> list[Path]:
    """Generated files that are missing or differ under `root`, and files the code no
    longer generates."""
    expected = render_all()
    present = {path.relative_to(root) for path in root.glob("*/*.json")}
    stale = [
        path
        for path, text in expected.items()
        if not (root / path).is_file() or (root / path).read_text(encoding="utf-8") != text
    ]
    return sorted(stale + [path for path in present if path not in expected])


def write(root: Path = GENERATED) -> list[Path]:
    """Write every generated file under `root`, remove ones no longer generated."""
    expected = render_all()
    for path in root.glob("*/*.json"):
        if path.relative_to(root) not in expected:
            path.unlink()
    for path, text in expected.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    return sorted(expected)


def main(argv: list[str] | None = None) -> int:
    """Command line: write the generated JSON, or check it with --check."""
    parser = argparse.ArgumentParser(prog="python -m dashboards", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    parser.add_argument("--out", type=Path, default=GENERATED, help="output directory")
    parser.add_argument(
        "--no-k8s", action="store_true", help="leave the Kubernetes manifests of deploy/k8s alone"
    )
    args = parser.parse_args(argv)
    from dashboards import k8s  # imports this module

    if args.check:
        stale = [args.out / path for path in stale_files(args.out)]
        if not args.no_k8s:
            stale += k8s.stale_manifests()
        for path in stale:
            print(f"out of date: {path}", file=sys.stderr)
        if stale:
            print("run: python -m dashboards", file=sys.stderr)
        return 1 if stale else 0
    for path in write(args.out):
        print(args.out / path)
    if not args.no_k8s:
        for manifest in k8s.write_manifests():
            print(manifest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
