"""Worker, Prometheus and Alertmanager for real: quiet when healthy, paging on a breach,
and every dashboard query answering for the demo office."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dashboards.queries import panel_queries, substitute
from tests.e2e.conftest import TOKEN, Stack, Webhook, write_events
from tests.services import replay, wait_for
from tests.support import fixture_lines

pytestmark = pytest.mark.e2e

OFFICE = "mpp-medan"


def stamp(minutes_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()


def event(kind: str, minutes_ago: float, **fields: Any) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "type": kind,
        "occurred_at": stamp(minutes_ago),
        "office": OFFICE,
        **fields,
    }


def healthy_morning() -> list[dict[str, Any]]:
    """Counters open, every citizen called within minutes and served within the standard."""
    events = [event("counter.opened", 30, counter="loket-01")]
    for n in range(5):
        ticket = f"A{n:03d}"
        events += [
            event("ticket.issued", 20 - n, ticket=ticket, service="ktp-el"),
            event("ticket.called", 18 - n, ticket=ticket, counter="loket-01"),
            event("service.completed", 14 - n, ticket=ticket, counter="loket-01"),
        ]
    return events


def test_healthy_office_fires_no_alert(stack: Stack, webhook: Webhook) -> None:
    # A kiosk sends its morning through the gateway, one event per request.
    for item in healthy_morning():
        assert stack.gateway.post(json.dumps(item).encode(), TOKEN).status_code == 202
    stack.live.wait_settled(16)
    wait_for(
        lambda: stack.query('pantau_tickets_closed_total{outcome="served"}') != [],
        30,
        "Prometheus to scrape the served tickets",
    )
    time.sleep(10)  # several evaluations, each longer than the tests' 3 s `for:`
    assert stack.firing() == []
    assert webhook.alerts() == []


def test_citizen_waiting_past_the_standard_pages_through_alertmanager(
    stack: Stack, webhook: Webhook, tmp_path: Path
) -> None:
    # ktp-el's max_wait is 15 minutes: this citizen has waited 25 and is still waiting.
    late = [event("ticket.issued", 25, ticket="B001", service="ktp-el")]
    replay(write_events(tmp_path / "late.jsonl", late), stack.live.prefix)

    def delivered() -> bool:
        return any(
            a["labels"].get("alertname") == "PantauWaitingOverStandard"
            and a["labels"].get("office") == OFFICE
            and a["status"] == "firing"
            for a in webhook.alerts()
        )

    wait_for(delivered, 60, "the live-breach alert at the webhook", every=0.5)
    alert = next(
        a for a in webhook.alerts() if a["labels"]["alertname"] == "PantauWaitingOverStandard"
    )
    assert alert["labels"]["service"] == "ktp-el"
    assert alert["annotations"]["summary"] and alert["annotations"]["runbook_url"]


def test_every_dashboard_query_returns_data_for_the_demo_office(
    stack: Stack, tmp_path: Path
) -> None:
    # The recorded day arrives in parts, so that rates over the scrapes see it grow.
    lines = fixture_lines("mpp-medan-day")
    parts = 3
    for n in range(parts):
        part = lines[n * len(lines) // parts : (n + 1) * len(lines) // parts]
        (tmp_path / f"part{n}.jsonl").write_bytes(b"\n".join(part) + b"\n")
        replay(tmp_path / f"part{n}.jsonl", stack.replayed.prefix)
        # and a kiosk keeps talking to the gateway meanwhile
        survey = event("feedback.submitted", 0, service="ktp-el", scores={"u1": 4})
        assert stack.gateway.post(json.dumps(survey).encode(), TOKEN).status_code == 202
        stack.replayed.wait_settled((n + 1) * len(lines) // parts)
        time.sleep(2.5)  # more than two scrape intervals
    wait_for(
        lambda: stack.query("office_service:pantau_wait_seconds:p50_rate1h") != [],
        30,
        "rule evaluations of the replayed day",
    )
    empty, failed = [], []
    for uid, title, expr in panel_queries("id"):
        query = substitute(expr, office=OFFICE, service="ktp-el", rate_interval="1m", range_="1h")
        try:
            if not stack.query(query):
                empty.append(f"{uid} / {title}: {query}")
        except AssertionError as exc:
            failed.append(f"{uid} / {title}: {exc}")
    assert failed == []
    assert empty == [], "\n".join(empty)
