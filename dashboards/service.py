"""Service detail: how long citizens wait and are served at one service, vs its standard."""

from grafana_foundation_sdk.models.dashboard import Dashboard

from dashboards import promql as pq
from dashboards.i18n import Lang
from dashboards.layout import Layout, dashboard
from dashboards.panels import NEAR_IS_A_WARNING, ZERO_IS_GOOD, Panels, Q
from dashboards.shared import compliance_stat, duration_panels
from dashboards.texts import UNITS, WORDS

KEY = "service"


def build(lang: Lang) -> Dashboard:
    """The service detail dashboard in `lang`."""
    p = Panels(KEY, lang)
    max_wait = pq.agg("max", "", pq.os_sel("pantau_standard_seconds", 'kind="wait"'))
    live = [
        p.stat(
            "queue_now",
            [Q(pq.total(pq.os_sel("pantau_queue_length")))],
            unit=UNITS["people"],
            span=4,
            height=8,
        ),
        p.stat(
            "near_standard_now",
            [Q(pq.total(pq.os_sel("pantau_waiting_near_standard")))],
            unit=UNITS["people"],
            colors=NEAR_IS_A_WARNING,
            span=4,
            height=8,
        ),
        p.stat(
            "over_standard_now",
            [Q(pq.total(pq.os_sel("pantau_waiting_over_standard")))],
            unit=UNITS["people"],
            colors=ZERO_IS_GOOD,
            span=4,
            height=8,
        ),
        p.stat(
            "oldest_wait",
            [
                Q(
                    pq.minutes(pq.agg("max", "", pq.os_sel("pantau_oldest_wait_seconds"))),
                    WORDS["oldest"],
                ),
                Q(pq.minutes(max_wait), WORDS["standard"]),
            ],
            unit=UNITS["minutes"],
            decimals=0,
            height=8,
        ),
        compliance_stat(p, "compliance_today", pq.TODAY, today=True),
    ]
    return dashboard(
        KEY,
        lang,
        [
            ("live", live),
            ("wait", duration_panels(p, "wait")),
            ("processing", duration_panels(p, "processing")),
        ],
        Layout(time_from="now/d", all_services=False),
    )
