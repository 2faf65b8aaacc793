"""Panels that more than one dashboard shows: compliance against target, durations."""

from grafana_foundation_sdk.builders import stat
from grafana_foundation_sdk.cog.builder import Builder
from grafana_foundation_sdk.models.dashboard import Panel

from dashboards import promql as pq
from dashboards.panels import POSITIVE_IS_GOOD, Panels, Q
from dashboards.texts import UNITS, WORDS


def compliance_stat(p: Panels, name: str, window: str, *, today: bool) -> stat.Panel:
    """Share of waits within the standard, the target, and the gap between them."""
    achieved = pq.compliance("wait", window=window)
    target = pq.target(window=window)
    return p.stat(
        name,
        [
            Q(achieved, WORDS["achieved"]),
            Q(target, WORDS["target"]),
            Q(f"{achieved} - {target}", WORDS["gap"]),
        ],
        unit="percentunit",
        colors=POSITIVE_IS_GOOD,
        decimals=1,
        neutral_refs="AB",
        today=today,
        height=8,
    )


def duration_panels(p: Panels, kind: str) -> list[Builder[Panel]]:
    """How long citizens wait (`kind="wait"`) or are served (`"processing"`), vs the standard."""
    rule = f"office_service:pantau_{kind}_seconds"
    buckets = pq.os_sel(f"pantau_{kind}_seconds_bucket")
    standard = pq.agg("max", "", pq.os_sel("pantau_standard_seconds", f'kind="{kind}"'))
    breached = pq.os_sel(pq.standard_counter(kind), 'result="breached"')
    return [
        p.timeseries(
            f"{kind}_quantiles",
            [
                Q(pq.minutes(pq.os_sel(f"{rule}:p50_rate1h")), WORDS["p50"]),
                Q(pq.minutes(pq.os_sel(f"{rule}:p90_rate1h")), WORDS["p90"]),
                Q(pq.minutes(standard), WORDS["standard"]),
            ],
            unit=UNITS["minutes"],
            standard_refs="C",
        ),
        p.heatmap(
            f"{kind}_heatmap",
            Q(pq.total(f"increase({buckets}[$__interval])", "le"), "{{le}}"),
        ),
        p.bars(
            f"{kind}_distribution",
            [Q(pq.grown(buckets, "le"), WORDS["bucket"])],
            unit=UNITS["people"],
            decimals=0,
            buckets=True,
        ),
        p.timeseries(
            f"{kind}_breaches",
            [Q(pq.per_hour(breached, ""), WORDS["breached"])],
            unit=UNITS["people"],
            bars=True,
            span=8,
        ),
        p.timeseries(
            f"{kind}_compliance",
            [
                Q(
                    pq.os_sel(f"office_service:pantau_{kind}_compliance:ratio_rate1h"),
                    WORDS["achieved"],
                ),
                Q(pq.agg("max", "", pq.os_sel("pantau_standard_target_ratio")), WORDS["target"]),
            ],
            unit="percentunit",
            standard_refs="B",
            span=8,
        ),
    ]
