"""Region overview for a head of region (city or province): every office side by side.

Ranked by how many citizens were called on time today (in each office's own time zone),
with the queue now, the citizens past and near the standard now, open counters and IKM.
The office variable takes several offices, or "All".
"""

from grafana_foundation_sdk.models.dashboard import Dashboard

from dashboards import promql as pq
from dashboards.i18n import Lang
from dashboards.layout import Layout, dashboard
from dashboards.panels import (
    IKM_STEPS,
    NEAR_IS_A_WARNING,
    POSITIVE_IS_GOOD,
    ZERO_IS_GOOD,
    Column,
    Panels,
    Q,
)
from dashboards.texts import UNITS, WORDS

KEY = "region"


def build(lang: Lang) -> Dashboard:
    """The region overview dashboard in `lang`."""
    p = Panels(KEY, lang)
    by = "office"
    compliance = pq.compliance("wait", by, pq.TODAY)
    target = pq.target(by, pq.TODAY)
    gap = pq.gap(by, pq.TODAY)
    queue = pq.total(pq.os_sel("pantau_queue_length"), by)
    over = pq.total(pq.os_sel("pantau_waiting_over_standard"), by)
    near = pq.total(pq.os_sel("pantau_waiting_near_standard"), by)
    counters = pq.total(pq.office_sel("pantau_counters_open"), by)
    ikm = pq.ikm(by)
    now = [
        p.stat(
            "offices_below_target",
            [Q(f"count(({gap}) < 0) or vector(0)")],
            unit=UNITS["offices"],
            colors=ZERO_IS_GOOD,
            span=6,
        ),
        p.stat("queue_total", [Q(f"sum({queue})")], unit=UNITS["people"], span=6),
        p.stat(
            "near_standard_total",
            [Q(f"sum({near})")],
            unit=UNITS["people"],
            colors=NEAR_IS_A_WARNING,
            span=6,
        ),
        p.stat(
            "over_standard_total",
            [Q(f"sum({over})")],
            unit=UNITS["people"],
            colors=ZERO_IS_GOOD,
            span=6,
        ),
    ]
    ranking = [
        p.table(
            "offices",
            by,
            [
                Column(Q(compliance), WORDS["achieved_today"], "percentunit", decimals=1),
                Column(Q(target), WORDS["target"], "percentunit", decimals=1),
                Column(Q(gap), WORDS["gap"], "percentunit", POSITIVE_IS_GOOD, decimals=1),
                Column(Q(pq.waits(by, pq.TODAY)), WORDS["called_today"], decimals=0),
                Column(Q(queue), WORDS["queue_now"], decimals=0),
                Column(Q(over), WORDS["over_standard_now"], colors=ZERO_IS_GOOD, decimals=0),
                Column(Q(near), WORDS["near_standard_now"], colors=NEAR_IS_A_WARNING, decimals=0),
                Column(Q(counters), WORDS["counters_open"], decimals=0),
                Column(Q(ikm), WORDS["ikm"], colors=IKM_STEPS, decimals=2),
            ],
            height=12,
        ),
        p.bars(
            "gap_by_office",
            [Q(f"sort({gap})", "{{office}}")],
            unit="percentunit",
            colors=POSITIVE_IS_GOOD,
            decimals=1,
            min_value=-1,
            max_value=1,
            span=12,
            height=10,
        ),
        p.bars(
            "queue_by_office",
            [Q(f"sort_desc({queue})", "{{office}}")],
            unit=UNITS["people"],
            decimals=0,
            span=12,
            height=10,
        ),
        p.bars(
            "over_standard_by_office",
            [Q(f"sort_desc({over})", "{{office}}")],
            unit=UNITS["people"],
            colors=ZERO_IS_GOOD,
            decimals=0,
            span=12,
            height=10,
        ),
        p.bars(
            "ikm_by_office",
            [Q(f"sort({ikm})", "{{office}}")],
            unit="none",
            colors=IKM_STEPS,
            decimals=2,
            min_value=25,
            max_value=100,
            span=12,
            height=10,
        ),
    ]
    trend = [
        p.timeseries(
            "compliance_trend",
            [Q(pq.office_sel("office:pantau_wait_compliance:ratio_rate1h"), "{{office}}")],
            unit="percentunit",
            span=12,
        ),
        p.timeseries(
            "queue_trend",
            [Q(queue, "{{office}}")],
            unit=UNITS["people"],
            span=12,
        ),
    ]
    return dashboard(
        KEY,
        lang,
        [("now", now), ("ranking", ranking), ("trend", trend)],
        Layout(time_from="now/d", all_offices=True, multi=True),
    )
