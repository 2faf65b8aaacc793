"""Every panel's PromQL, with the dashboard variables replaceable by concrete values.

For a live test that runs each query against a real Prometheus:

    for uid, title, expr in panel_queries("id"):
        query(substitute(expr, office="mpp-medan", service="ktp-el"))
"""

import json
import re

from dashboards.build import BUILDERS, to_json
from dashboards.i18n import Lang

#: The value of the "All" option of the office and service variables.
ALL = ".*"


def regex_literal(value: str) -> str:
    """`value` matched literally by a regex inside a PromQL string (`\\.` for a dot)."""
    return re.sub(r"([\\^$*+?.()|{}\[\]])", r"\\\\\1", value)


def panel_queries(lang: Lang = "id") -> list[tuple[str, str, str]]:
    """(dashboard uid, panel title, PromQL expression) of every query of every panel."""
    found = []
    for build in BUILDERS.values():
        board = json.loads(to_json(build(lang)))
        for panel in board.get("panels", []):
            for target in panel.get("targets", []):
                found.append((board["uid"], panel["title"], target["expr"]))
    return found


def substitute(
    expr: str,
    *,
    office: str = ALL,
    service: str = ALL,
    rate_interval: str = "1m",
    interval: str = "1m",
    range_: str = "1h",
) -> str:
    """`expr` with Grafana's variables replaced, ready for Prometheus' query API.

    `office` and `service` go into regex matchers (`=~"$office"`) and are escaped as
    Grafana does; the defaults select every office and service, like the "All" option.
    """
    values = {
        "__rate_interval": rate_interval,
        "__interval": interval,
        "__range": range_,
        "office": office if office == ALL else regex_literal(office),
        "service": service if service == ALL else regex_literal(service),
    }

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in values:
            raise KeyError(f"unknown dashboard variable ${name} in: {expr}")
        return values[name]

    return re.sub(r"\$\{(\w+)\}|\$(\w+)", replace, expr)
