"""SLA and error budget: per service, how much of the allowed share of late waits is left."""

from grafana_foundation_sdk.models.dashboard import Dashboard

from dashboards import promql as pq
from dashboards.i18n import Lang
from dashboards.layout import Layout, dashboard
from dashboards.panels import ZERO_IS_GOOD, Panels, Q, Steps
from dashboards.texts import UNITS

KEY = "sla"

#: Budget left: spent (red, below 0), nearly spent (orange, below 25%), fine (green).
BUDGET = Steps("red", ((0, "orange"), (0.25, "green")))

#: The long windows of the burn-rate alerts in deploy/prometheus/rules/alerts.yml. Each
#: service's threshold follows its own target (docs/runbooks.md), so the graphs show the
#: burn rate of the window as a multiple of that threshold: above 1 the alert's long window
#: burns too fast. (The alert counts opening hours only and also needs its short window
#: and enough citizens; the graph is the wall-clock burn rate, which is there at once.)
BURN_WINDOWS = ("1h", "6h", "1d", "3d")


def build(lang: Lang) -> Dashboard:
    """The SLA and error budget dashboard in `lang`."""
    p = Panels(KEY, lang)
    summary = [
        p.bars(
            "compliance_by_service",
            [Q(pq.compliance("wait", "service"), "{{service}}")],
            unit="percentunit",
            decimals=1,
            max_value=1,
            span=6,
        ),
        p.bars(
            "target_by_service",
            [Q(pq.target("service"), "{{service}}")],
            unit="percentunit",
            decimals=1,
            max_value=1,
            span=6,
        ),
        p.bars(
            "budget_left",
            [Q(pq.budget_left("service"), "{{service}}")],
            unit="percentunit",
            colors=BUDGET,
            decimals=0,
            min_value=-1,
            max_value=1,
            span=6,
        ),
        p.bars(
            "waits_by_service",
            [Q(pq.grown(pq.os_sel(pq.standard_counter("wait")), "service"), "{{service}}")],
            unit=UNITS["people"],
            decimals=0,
            span=6,
        ),
    ]
    burn = [
        p.timeseries(
            f"burn_{window}",
            [
                Q(
                    f"{pq.os_sel(f'office_service:pantau_wait_burn_rate:rate{window}')}"
                    f" / on (office, service) "
                    f"{pq.os_sel(f'office_service:pantau_wait_burn_threshold:{window}')}",
                    "{{service}}",
                )
            ],
            unit=UNITS["times"],
            threshold=1.0,
        )
        for window in BURN_WINDOWS
    ]
    firing = pq.office_sel("ALERTS", 'alertstate="firing"')
    alerts = [
        p.stat(
            "alerts_firing",
            [Q(f"count({firing}) or vector(0)")],
            unit=UNITS["alerts"],
            colors=ZERO_IS_GOOD,
            span=6,
        ),
        p.bars(
            "alerts_by_name",
            [Q(pq.agg("count", "alertname", firing), "{{alertname}}")],
            unit=UNITS["alerts"],
            decimals=0,
            span=18,
            height=5,
        ),
    ]
    return dashboard(
        KEY,
        lang,
        [("summary", summary), ("burn", burn), ("alerts", alerts)],
        Layout(time_from="now/M"),
    )
