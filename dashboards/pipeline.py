"""Pipeline health: is pantau itself receiving, processing and reporting events?"""

from grafana_foundation_sdk.models.dashboard import Dashboard

from dashboards import promql as pq
from dashboards.i18n import Lang
from dashboards.layout import Layout, dashboard
from dashboards.panels import Panels, Q, Steps
from dashboards.texts import UNITS, WORDS

KEY = "pipeline"

WORKER = 'job="pantau-worker"'
GATEWAY = 'job="pantau-gateway"'

#: Red when nothing is up, green from one up.
SOME_UP = Steps("red", ((1, "green"),))


def build(lang: Lang) -> Dashboard:
    """The pipeline health dashboard in `lang`."""
    p = Panels(KEY, lang)
    flow = [
        p.timeseries(
            "consumed",
            [Q(pq.per_second("pantau_events_consumed_total", "outcome"), "{{outcome}}")],
            unit=UNITS["per_second"],
        ),
        p.timeseries(
            "rejected",
            [Q(pq.per_second("pantau_events_rejected_total", "reason"), "{{reason}}")],
            unit=UNITS["per_second"],
        ),
        p.timeseries(
            "parked",
            [Q(pq.total(pq.office_sel("pantau_events_parked"), "office"), "{{office}}")],
            unit=UNITS["events"],
        ),
        p.timeseries(
            "lag",
            [
                Q(
                    pq.agg("max", "topic, partition", "pantau_consumer_lag_messages"),
                    "{{topic}} #{{partition}}",
                )
            ],
            unit=UNITS["messages"],
        ),
    ]
    workers = [
        p.stat(
            "workers_up",
            [
                Q(pq.total(pq.sel("up", WORKER)), WORDS["up"]),
                Q(pq.agg("count", "", pq.sel("up", WORKER)), WORDS["configured"]),
            ],
            unit="none",
            colors=SOME_UP,
            neutral_refs="B",
        ),
        p.stat(
            "partitions",
            [Q(pq.total("pantau_partitions_assigned"))],
            unit=UNITS["partitions"],
        ),
        p.stat(
            "last_batch",
            [Q(f"time() - {pq.agg('max', '', 'pantau_last_batch_timestamp_seconds')}")],
            unit=UNITS["seconds_ago"],
            decimals=0,
            colors=Steps("green", ((60, "orange"), (300, "red"))),
        ),
        p.stat(
            "gateway_up",
            [
                Q(pq.total(pq.sel("up", GATEWAY)), WORDS["up"]),
                Q(pq.agg("count", "", pq.sel("up", GATEWAY)), WORDS["configured"]),
            ],
            unit="none",
            colors=SOME_UP,
            neutral_refs="B",
        ),
        p.timeseries(
            "up_trend",
            [Q(pq.sel("up", 'job=~"pantau-worker|pantau-gateway"'), "{{job}} {{instance}}")],
            unit="none",
            span=24,
            height=6,
        ),
    ]
    gateway = [
        p.timeseries(
            "gateway_requests",
            [Q(pq.per_second("pantau_gateway_requests_total", "status"), "{{status}}")],
            unit=UNITS["per_second"],
        ),
        p.timeseries(
            "gateway_events",
            [Q(pq.per_second("pantau_gateway_events_total", "result"), "{{result}}")],
            unit=UNITS["per_second"],
        ),
    ]
    return dashboard(
        KEY,
        lang,
        [("flow", flow), ("workers", workers), ("gateway", gateway)],
        Layout(time_from="now-6h", refresh="30s", all_offices=True),
    )
