"""Counters (loket): how busy each counter is and how long it takes to serve a citizen."""

from grafana_foundation_sdk.models.dashboard import Dashboard

from dashboards import promql as pq
from dashboards.i18n import Lang
from dashboards.layout import Layout, dashboard
from dashboards.panels import Panels, Q, Steps
from dashboards.texts import UNITS

KEY = "counters"

#: Utilisation colours: mostly idle (blue), busy (green), overloaded (orange from 90%).
UTILISATION = Steps("blue", ((0.5, "green"), (0.9, "orange")))


def build(lang: Lang) -> Dashboard:
    """The counters dashboard in `lang`."""
    p = Panels(KEY, lang)
    busy = pq.grown(pq.office_sel("pantau_counter_busy_seconds_total"), "counter")
    open_ = pq.grown(pq.office_sel("pantau_counter_open_seconds_total"), "counter")
    processing = pq.os_sel("pantau_processing_seconds_bucket")
    now = [
        p.stat(
            "counters_open",
            [Q(pq.total(pq.office_sel("pantau_counters_open")))],
            unit=UNITS["counters"],
            colors=Steps("orange", ((1, "green"),)),
            span=6,
            height=7,
        ),
        p.timeseries(
            "counters_open_trend",
            [Q(pq.total(pq.office_sel("pantau_counters_open")))],
            unit=UNITS["counters"],
            span=18,
            height=7,
        ),
    ]
    per_counter = [
        p.bars(
            "utilisation",
            [Q(pq.ratio(busy, open_), "{{counter}}")],
            unit="percentunit",
            colors=UTILISATION,
            decimals=0,
        ),
        p.bars("busy_hours", [Q(pq.hours(busy), "{{counter}}")], unit=UNITS["hours"], decimals=1),
        p.bars(
            "served_by_counter",
            [Q(pq.grown(pq.os_sel("pantau_processing_seconds_count"), "counter"), "{{counter}}")],
            unit=UNITS["people"],
            decimals=0,
        ),
        p.bars(
            "processing_p50",
            [Q(pq.minutes(pq.quantile(0.5, processing, "counter")), "{{counter}}")],
            unit=UNITS["minutes"],
            decimals=1,
            span=12,
        ),
        p.bars(
            "processing_p90",
            [Q(pq.minutes(pq.quantile(0.9, processing, "counter")), "{{counter}}")],
            unit=UNITS["minutes"],
            decimals=1,
            span=12,
        ),
        p.timeseries(
            "processing_trend",
            [Q(pq.minutes(pq.rolling_quantile(0.5, processing, "counter")), "{{counter}}")],
            unit=UNITS["minutes"],
            span=24,
        ),
    ]
    return dashboard(
        KEY, lang, [("now", now), ("per_counter", per_counter)], Layout(time_from="now/d")
    )
