"""Office overview for managers: are we meeting our standard right now, where, and why not?"""

from grafana_foundation_sdk.cog.builder import Builder
from grafana_foundation_sdk.models.dashboard import Dashboard, Panel

from dashboards import promql as pq
from dashboards.i18n import Lang
from dashboards.layout import Layout, dashboard
from dashboards.panels import (
    IKM_STEPS,
    NEAR_IS_A_WARNING,
    POSITIVE_IS_GOOD,
    ZERO_IS_GOOD,
    Panels,
    Q,
    Steps,
)
from dashboards.shared import compliance_stat
from dashboards.texts import UNITS, WORDS

KEY = "overview"


def build(lang: Lang) -> Dashboard:
    """The office overview dashboard in `lang`."""
    p = Panels(KEY, lang)
    served = pq.os_sel("pantau_tickets_closed_total", 'outcome="served"')
    now = [
        p.stat(
            "queue_now",
            [Q(pq.total(pq.os_sel("pantau_queue_length")))],
            unit=UNITS["people"],
            span=3,
            height=6,
        ),
        p.stat(
            "near_standard_now",
            [Q(pq.total(pq.os_sel("pantau_waiting_near_standard")))],
            unit=UNITS["people"],
            colors=NEAR_IS_A_WARNING,
            span=3,
            height=6,
        ),
        p.stat(
            "over_standard_now",
            [Q(pq.total(pq.os_sel("pantau_waiting_over_standard")))],
            unit=UNITS["people"],
            colors=ZERO_IS_GOOD,
            span=3,
            height=6,
        ),
        p.stat(
            "counters_open",
            [Q(pq.total(pq.office_sel("pantau_counters_open")))],
            unit=UNITS["counters"],
            colors=Steps("orange", ((1, "green"),)),
            span=3,
            height=6,
        ),
        p.stat(
            "oldest_wait",
            [Q(pq.minutes(pq.agg("max", "", pq.os_sel("pantau_oldest_wait_seconds"))))],
            unit=UNITS["minutes"],
            decimals=0,
            span=3,
            height=6,
        ),
        p.bars(
            "queue_by_service",
            [Q(pq.total(pq.os_sel("pantau_queue_length"), "service"), "{{service}}")],
            unit=UNITS["people"],
            decimals=0,
            span=9,
            height=6,
        ),
    ]
    forecast = outlook_panels(p)
    standard = [
        compliance_stat(p, "compliance_hour", pq.HOUR, today=False),
        compliance_stat(p, "compliance_today", pq.TODAY, today=True),
        p.bars(
            "gap_by_service_today",
            [Q(pq.gap("service", pq.TODAY), "{{service}}")],
            unit="percentunit",
            colors=POSITIVE_IS_GOOD,
            decimals=1,
            today=True,
            span=12,
            min_value=-1,
            max_value=1,
        ),
        p.timeseries(
            "compliance_trend",
            [Q(pq.os_sel("office_service:pantau_wait_compliance:ratio_rate1h"), "{{service}}")],
            unit="percentunit",
            span=24,
            height=8,
        ),
    ]
    service = [
        p.stat(
            "issued_today",
            [Q(pq.today("tickets_issued"))],
            unit=UNITS["people"],
            today=True,
            span=4,
            height=8,
        ),
        p.stat(
            "served_today",
            [Q(pq.today("tickets_closed", 'outcome="served"'))],
            unit=UNITS["people"],
            today=True,
            span=4,
            height=8,
        ),
        p.stat(
            "not_served_today",
            [
                Q(pq.today("tickets_closed", 'outcome="no_show"'), WORDS["no_show"]),
                Q(pq.today("tickets_closed", 'outcome="cancelled"'), WORDS["cancelled"]),
            ],
            unit=UNITS["people"],
            today=True,
            span=4,
            height=8,
        ),
        p.timeseries(
            "served_per_hour",
            [Q(pq.per_hour(served, "service"), "{{service}}")],
            unit=UNITS["people"],
            bars=True,
            span=12,
            height=8,
        ),
    ]
    satisfaction = [
        p.stat("ikm", [Q(pq.ikm())], unit="none", colors=IKM_STEPS, decimals=2, span=4, height=8),
        p.stat(
            "ikm_category",
            [Q(pq.ikm())],
            unit="none",
            colors=IKM_STEPS,
            categories=True,
            span=4,
            height=8,
        ),
        p.stat(
            "responses",
            [Q(pq.grown(pq.os_sel("pantau_feedback_responses_total")))],
            unit=UNITS["responses"],
            span=4,
            height=8,
        ),
        p.bars(
            "ikm_by_service",
            [Q(pq.ikm("service"), "{{service}}")],
            unit="none",
            colors=IKM_STEPS,
            decimals=2,
            span=12,
            min_value=25,
            max_value=100,
        ),
    ]
    return dashboard(
        KEY,
        lang,
        [
            ("now", now),
            ("forecast", forecast),
            ("standard", standard),
            ("service", service),
            ("satisfaction", satisfaction),
        ],
        Layout(time_from="now/d"),
    )


def outlook_panels(p: Panels) -> list[Builder[Panel]]:
    """What the office can expect (CONTRACT §5.1): predicted waits, counters needed, accuracy.

    The office's counters needed pools every open counter (compare it with the counters
    open); a service's counters needed is as if it had counters of its own (compare it
    with the counters serving it). Every selector filters only on the labels its metric has.
    """
    predicted = pq.agg("max", "service", pq.os_sel("pantau_predicted_wait_seconds"))
    max_wait = pq.agg("max", "service", pq.os_sel("pantau_standard_seconds", 'kind="wait"'))
    needed = pq.total(pq.office_sel("pantau_office_counters_needed"))
    open_ = pq.total(pq.office_sel("pantau_counters_open"))
    error = pq.os_sel("pantau_wait_prediction_error_seconds_bucket")
    return [
        p.bars(
            "predicted_wait",
            [
                Q(pq.minutes(predicted), "{{service}}"),
                Q(pq.minutes(max_wait), WORDS["service_standard"]),
            ],
            unit=UNITS["minutes"],
            decimals=0,
        ),
        p.timeseries(
            "predicted_wait_trend",
            [
                Q(pq.minutes(predicted), "{{service}}"),
                Q(pq.minutes(max_wait), WORDS["service_standard"]),
            ],
            unit=UNITS["minutes"],
            standard_refs="B",
            span=16,
        ),
        p.stat(
            "counters_needed",
            [
                Q(needed, WORDS["needed"]),
                Q(open_, WORDS["open"]),
                # An office without any counter reported has 0 open (CONTRACT §5).
                Q(f"({open_} or vector(0)) - {needed}", WORDS["gap"]),
            ],
            unit=UNITS["counters"],
            colors=POSITIVE_IS_GOOD,
            decimals=0,
            neutral_refs="AB",
            height=8,
        ),
        p.bars(
            "counters_by_service",
            [
                Q(
                    pq.total(pq.os_sel("pantau_counters_needed"), "service"),
                    WORDS["service_needed"],
                ),
                Q(
                    pq.total(pq.os_sel("pantau_counters_serving"), "service"),
                    WORDS["service_serving"],
                ),
            ],
            unit=UNITS["counters"],
            decimals=1,
        ),
        p.timeseries(
            "counters_trend",
            [Q(needed, WORDS["needed"]), Q(open_, WORDS["open"])],
            unit=UNITS["counters"],
            standard_refs="A",
            span=10,
        ),
        p.stat(
            "prediction_error",
            [
                Q(pq.minutes(pq.quantile(0.5, error, "")), WORDS["p50"]),
                Q(pq.minutes(pq.quantile(0.9, error, "")), WORDS["p90"]),
            ],
            unit=UNITS["minutes"],
            decimals=1,
            height=8,
        ),
        p.bars(
            "prediction_error_by_service",
            [Q(pq.minutes(pq.quantile(0.9, error, "service")), "{{service}}")],
            unit=UNITS["minutes"],
            decimals=1,
            span=18,
        ),
    ]
