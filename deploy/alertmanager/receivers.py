"""Add the receivers of a folder of receiver files to a rendered Alertmanager config.

    python deploy/alertmanager/receivers.py CONFIG RECEIVERS_DIR [--templates DIR]

CONFIG (a rendered copy of deploy/alertmanager/alertmanager.yml) is rewritten in place.
deploy/local/alertmanager.sh runs this when ALERTMANAGER_RECEIVERS_DIR is set; without
it, nothing changes (the shipped webhooks). Format and examples: docs/alerting.md and
deploy/alertmanager/receivers/*.yml.example.

Each file (*.yml or *.yaml; other names, such as the *.example files, are ignored) says
who it is for and how to reach them, in Alertmanager's own integration syntax:

    for: managers                 # managers | ops-page | ops-ticket
    offices: [mpp-medan]          # managers only: these offices' managers (else every office's)
    email_configs: [...]          # any of Alertmanager's *_configs lists
    telegram_configs: [...]

- `for: ops-page` / `ops-ticket`, and `for: managers` without `offices`: the files' configs
  replace the shipped webhook of pantau-ops-page, pantau-ops-ticket or pantau-managers
  (list a webhook_configs entry to keep one).
- `for: managers` with `offices`: each of those offices gets its own receiver,
  pantau-managers-<office>, and a route to it (the same severity timing as the shipped
  managers route); it holds that office's files' configs and those of the files for
  every office. Offices no file names stay with pantau-managers.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path
from typing import Any

import yaml

#: The receivers a file may be for, by the name the file uses.
TARGETS = {
    "managers": "pantau-managers",
    "ops-page": "pantau-ops-page",
    "ops-ticket": "pantau-ops-ticket",
}
MANAGERS_MATCHER = 'component="service-level"'
OFFICE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
CONFIG_KEY = re.compile(r"^[a-z0-9]+_configs$")


class ReceiverError(ValueError):
    """A receiver file that cannot be used, with the file and the reason."""


def load(path: Path) -> dict[str, Any]:
    """One receiver file, checked."""
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ReceiverError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(spec, dict):
        raise ReceiverError(f"{path}: must be a mapping with `for` and *_configs lists")
    target = spec.get("for")
    if target not in TARGETS:
        raise ReceiverError(f"{path}: `for` must be one of {', '.join(TARGETS)}, not {target!r}")
    offices = spec.get("offices")
    if offices is not None:
        if target != "managers":
            raise ReceiverError(f"{path}: `offices` is only for `for: managers`")
        if not isinstance(offices, list) or not offices:
            raise ReceiverError(f"{path}: `offices` must be a non-empty list of office ids")
        for office in offices:
            if not isinstance(office, str) or not OFFICE_ID.match(office):
                raise ReceiverError(f"{path}: {office!r} is not an office id")
    configs = {k: v for k, v in spec.items() if k not in {"for", "offices"}}
    unknown = [k for k in configs if not CONFIG_KEY.match(str(k))]
    if unknown:
        raise ReceiverError(f"{path}: unknown keys {unknown} (want for, offices, *_configs)")
    if not configs:
        raise ReceiverError(f"{path}: no *_configs list: nobody would be notified")
    for key, value in configs.items():
        if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
            raise ReceiverError(f"{path}: {key} must be a non-empty list of mappings")
    return spec


def files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise ReceiverError(f"{folder}: no such folder")
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in {".yml", ".yaml"})


def merged(specs: list[dict[str, Any]]) -> dict[str, dict[str, list[Any]]]:
    """The integrations of each receiver that the files configure, by receiver name."""
    out: dict[str, dict[str, list[Any]]] = {}

    def add(name: str, spec: dict[str, Any]) -> None:
        target = out.setdefault(name, {})
        for key, value in spec.items():
            if key not in {"for", "offices"}:
                target.setdefault(key, []).extend(copy.deepcopy(value))

    every_office = [s for s in specs if s["for"] == "managers" and not s.get("offices")]
    for spec in specs:
        if spec.get("offices"):
            for office in spec["offices"]:
                add(f"pantau-managers-{office}", spec)
        else:
            add(TARGETS[spec["for"]], spec)
    for name in [n for n in out if n.startswith("pantau-managers-")]:
        for spec in every_office:
            add(name, spec)
    return out


def managers_route(config: dict[str, Any]) -> dict[str, Any]:
    """The shipped route of the office's managers (the mapping itself, to change it)."""
    routes: list[dict[str, Any]] = config["route"].get("routes", [])
    for route in routes:
        if route.get("matchers") == [MANAGERS_MATCHER]:
            return route
    raise ReceiverError(f"the config has no route for {MANAGERS_MATCHER}")


def apply(
    config: dict[str, Any], specs: list[dict[str, Any]], templates: Path | None
) -> dict[str, Any]:
    """`config` with the receivers of `specs` (a new mapping; `config` is not changed)."""
    config = copy.deepcopy(config)
    receivers = {r["name"]: r for r in config["receivers"]}
    for name in TARGETS.values():
        if name not in receivers:
            raise ReceiverError(f"the config has no receiver {name}")
    route = managers_route(config)
    severity_routes = [r for r in route.get("routes", []) if "receiver" not in r]
    office_routes = []
    for name, integrations in merged(specs).items():
        if name in receivers:
            receivers[name].clear()
            receivers[name].update({"name": name, **integrations})
            continue
        office = name.removeprefix("pantau-managers-")
        config["receivers"].append({"name": name, **integrations})
        office_routes.append(
            {
                "matchers": [f'office="{office}"'],
                "receiver": name,
                "routes": copy.deepcopy(severity_routes),
            }
        )
    route["routes"] = office_routes + list(route.get("routes", []))
    if templates is not None:
        config.setdefault("templates", [])
        config["templates"].append(str(templates.resolve() / "*.tmpl"))
    return config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", type=Path, help="rendered alertmanager.yml, rewritten in place")
    parser.add_argument("receivers", type=Path, help="folder of receiver files")
    parser.add_argument("--templates", type=Path, help="folder of *.tmpl notification templates")
    args = parser.parse_args(argv)
    try:
        specs = [load(path) for path in files(args.receivers)]
        config = yaml.safe_load(args.config.read_text(encoding="utf-8"))
        result = apply(config, specs, args.templates)
    except ReceiverError as exc:
        print(f"receivers: {exc}", file=sys.stderr)
        return 1
    args.config.write_text(yaml.safe_dump(result, sort_keys=False, width=100), encoding="utf-8")
    names = sorted({r["name"] for r in result["receivers"]} - {"pantau-default"})
    print(f"receivers: {len(specs)} file(s) from {args.receivers}: {', '.join(names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
