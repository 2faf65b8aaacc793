"""Tests of producers.gateway's app with a fake Kafka: auth, limits, validation, answers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from kafka.errors import KafkaTimeoutError
from prometheus_client import CollectorRegistry

from pantau.events import parse_event
from pantau.settings import GatewaySettings
from producers.gateway import KafkaEventSender, SendFailed, create_gateway
from producers.tokens import parse_tokens

KIOSK = "kiosk-medan-7f3a9c2e41"
OPS = "ops-all-offices-5b8d0e"
TOKENS = parse_tokens(f"{KIOSK}: [mpp-medan]\n{OPS}: '*'\n", "tokens.yaml")
AUTH = {"Authorization": f"Bearer {KIOSK}"}


def event(i: int = 0, **fields: Any) -> dict[str, Any]:
    return {
        "event_id": f"e{i}", "type": "ticket.issued", "occurred_at": "2026-11-23T08:00:00+07:00",
        "office": "mpp-medan", "ticket": f"A{i}", "service": "ktp-el", **fields,
    }  # fmt: skip


class FakeSender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes]] = []
        self.fail = False
        self.up = True
        self.closed = False

    def send_batch(self, events: Sequence[tuple[str, bytes]], timeout: float) -> None:
        if self.fail:
            raise SendFailed("Kafka did not acknowledge the events: timed out")
        self.sent += events

    def reachable(self) -> bool:
        return self.up

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def sender() -> FakeSender:
    return FakeSender()


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def client(sender: FakeSender, registry: CollectorRegistry) -> Iterator[TestClient]:
    settings = GatewaySettings.model_validate({"topic_prefix": "t", "gateway_max_body": 4096})
    app = create_gateway(settings, TOKENS, sender_factory=lambda: sender, registry=registry)
    with TestClient(app) as test_client:
        yield test_client
    assert sender.closed


def post(client: TestClient, body: Any, headers: dict[str, str] | None = AUTH) -> Any:
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    return client.post("/v1/events", content=content, headers=headers or {})


@pytest.mark.parametrize(
    ("body", "ids"),
    [
        (event(1), ["e1"]),
        ([event(1)], ["e1"]),
        ([event(i) for i in range(5)], [f"e{i}" for i in range(5)]),
        ([event(1, extra={"later": "fields pass through"})], ["e1"]),
    ],
)
def test_valid_events_are_sent_in_order_and_answered_202(
    client: TestClient, sender: FakeSender, body: Any, ids: list[str]
) -> None:
    response = post(client, body)
    assert response.status_code == 202
    assert response.json() == {"accepted": len(ids), "event_ids": ids}
    assert [office for office, _ in sender.sent] == ["mpp-medan"] * len(ids)
    assert [parse_event(payload).event_id for _, payload in sender.sent] == ids


@pytest.mark.parametrize(
    ("headers", "challenge"),
    [
        ({}, 'Bearer realm="pantau"'),
        ({"Authorization": "Bearer wrong-token-0123456789"}, 'error="invalid_token"'),
        ({"Authorization": f"Basic {KIOSK}"}, 'Bearer realm="pantau"'),
        ({"Authorization": KIOSK}, 'Bearer realm="pantau"'),
    ],
)
def test_no_valid_token_is_401_with_a_challenge(
    client: TestClient, sender: FakeSender, headers: dict[str, str], challenge: str
) -> None:
    response = client.post("/v1/events", content=orjson.dumps(event()), headers=headers)
    assert response.status_code == 401
    assert challenge in response.headers["www-authenticate"]
    assert sender.sent == []


@pytest.mark.parametrize(
    ("token", "offices", "status"),
    [
        (KIOSK, ["mpp-medan"], 202),
        (KIOSK, ["samsat-medan"], 403),
        (KIOSK, ["mpp-medan", "samsat-medan"], 403),
        (OPS, ["mpp-medan", "samsat-medan", "any"], 202),
    ],
)
def test_an_office_outside_the_token_is_403_naming_it(
    client: TestClient, sender: FakeSender, token: str, offices: list[str], status: int
) -> None:
    body = [event(i, office=office) for i, office in enumerate(offices)]
    response = post(client, body, {"Authorization": f"Bearer {token}"})
    assert response.status_code == status
    if status == 403:
        assert "samsat-medan" in response.json()["detail"]
        assert sender.sent == []


def test_an_oversized_body_is_413_by_length_or_by_stream(
    client: TestClient, sender: FakeSender
) -> None:
    big = orjson.dumps([event(i) for i in range(40)])
    assert len(big) > 4096
    assert post(client, big).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
        for start in range(0, len(big), 1000):
            yield big[start : start + 1000]

    response = client.post("/v1/events", content=chunks(), headers=AUTH)
    assert response.status_code == 413
    assert "4096 bytes" in response.json()["detail"]
    assert sender.sent == []


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (b"nope", [(None, "", "not JSON")]),
        (b"\xff\xfe{}", [(None, "", "not UTF-8")]),
        (b'{"a": NaN}', [(None, "", "NaN is not a JSON number")]),
        (b"[]", [(None, "", "a batch holds 1 to 1000 events, not 0")]),
        (b"[" * 2000 + b"]" * 2000, [(None, "", "not an event: JSON nested too deeply")]),
        (orjson.dumps([1] * 1001), [(None, "", "not 1001")]),  # counted before validation
        (
            orjson.dumps(event(occurred_at="2026-11-23 08:00:00")),
            [(0, "occurred_at", "upper-case T")],
        ),
        (
            orjson.dumps([event(0), event(1, ticket="bad ticket!"), 7]),
            [(1, "ticket", "not a valid ticket id"), (2, "", "not an object")],
        ),
        (orjson.dumps([event(0, type="ticket.lost")]), [(0, "type", "unknown event type")]),
        (orjson.dumps([event(0, office=None)]), [(0, "office", "must be a string")]),
        (b'[{"event_id": "x", "type": "feedback.submitted"}]', [(0, "occurred_at", "required")]),
        (
            orjson.dumps([event(0), event(1, occurred_at="2099-01-01T08:00:00+07:00")]),
            [(1, "occurred_at", "at most 5 minutes ahead")],
        ),
    ],
)
def test_invalid_events_are_422_with_index_field_and_reason(
    client: TestClient, sender: FakeSender, body: bytes, errors: list[tuple[Any, str, str]]
) -> None:
    response = post(client, body)
    assert response.status_code == 422
    found = response.json()["errors"]
    for index, field, reason in errors:
        assert any(
            e["index"] == index and e["field"] == field and reason in e["reason"] for e in found
        ), (index, field, reason, found)
    assert sender.sent == []


def test_kafka_failure_is_503_asking_for_a_retry(client: TestClient, sender: FakeSender) -> None:
    sender.fail = True
    response = post(client, [event(1), event(2)])
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "send the same events again" in response.json()["detail"]


@pytest.mark.parametrize(("up", "status"), [(True, 200), (False, 503)])
def test_healthz_reports_kafka(
    client: TestClient, sender: FakeSender, up: bool, status: int
) -> None:
    sender.up = up
    assert client.get("/healthz").status_code == status


def test_metrics_count_requests_and_events(
    client: TestClient, sender: FakeSender, registry: CollectorRegistry
) -> None:
    post(client, [event(1), event(2)])
    post(client, [event(3), event(4, ticket="?")])
    post(client, event(5), headers=None)
    sender.fail = True
    post(client, event(6))
    text = client.get("/metrics").text
    for line in (
        'pantau_gateway_requests_total{status="202"} 1.0',
        'pantau_gateway_requests_total{status="422"} 1.0',
        'pantau_gateway_requests_total{status="401"} 1.0',
        'pantau_gateway_requests_total{status="503"} 1.0',
        'pantau_gateway_events_total{result="accepted"} 2.0',
        'pantau_gateway_events_total{result="rejected"} 2.0',
        'pantau_gateway_events_total{result="failed"} 1.0',
    ):
        assert line in text


def test_the_openapi_document_describes_the_endpoint_with_the_event_schema(
    client: TestClient,
) -> None:
    document = client.get("/openapi.json").json()
    operation = document["paths"]["/v1/events"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["oneOf"][0] == {"$ref": "#/components/schemas/Event"}
    assert schema["oneOf"][1]["maxItems"] == 1000
    schemas = document["components"]["schemas"]
    assert {"Event", "TicketIssued", "FeedbackSubmitted", "Accepted", "Invalid"} <= set(schemas)
    assert "#/$defs/" not in str(document)
    assert set(operation["responses"]) >= {"202", "401", "403", "413", "422", "503"}
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_nothing_connects_before_the_app_starts() -> None:
    made: list[FakeSender] = []

    def factory() -> FakeSender:
        made.append(FakeSender())
        return made[-1]

    settings = GatewaySettings.model_validate({})
    app = create_gateway(settings, TOKENS, sender_factory=factory)
    assert made == []
    with TestClient(app):
        assert len(made) == 1


class FakeProducer:
    def __init__(self, fail: bool) -> None:
        self.fail = fail
        self.records: list[tuple[str, bytes | None, bytes | None]] = []
        self.closed = False

    def send(self, topic: str, value: bytes | None = None, key: bytes | None = None) -> Any:
        self.records.append((topic, key, value))
        producer = self

        class Future:
            def get(self, timeout: float | None = None) -> None:
                if producer.fail:
                    raise KafkaTimeoutError("no acknowledgement")

        return Future()

    def flush(self, timeout: float | None = None) -> None:
        pass

    def close(self, timeout: float | None = None) -> None:
        self.closed = True


def test_the_kafka_sender_connects_lazily_and_replaces_a_failed_producer() -> None:
    made: list[FakeProducer] = []
    failing = [True, False]

    def factory() -> FakeProducer:
        made.append(FakeProducer(failing[len(made)]))
        return made[-1]

    settings = GatewaySettings.model_validate({"topic_prefix": "t"})
    sender = KafkaEventSender(settings, producer_factory=factory, probe=lambda: True)
    assert made == [] and sender.reachable()
    with pytest.raises(SendFailed, match="did not acknowledge"):
        sender.send_batch([("mpp-medan", b"{}")], timeout=1)
    assert made[0].closed
    sender.send_batch([("mpp-medan", b"{}")], timeout=1)
    assert made[1].records == [("t.events", b"mpp-medan", b"{}")]
    sender.close()
    assert made[1].closed


def test_the_kafka_sender_reports_an_unreachable_broker_as_send_failed() -> None:
    def factory() -> FakeProducer:
        raise KafkaTimeoutError("Unable to bootstrap")

    sender = KafkaEventSender(GatewaySettings.model_validate({}), producer_factory=factory)
    with pytest.raises(SendFailed, match="cannot reach Kafka"):
        sender.send_batch([("mpp-medan", b"{}")], timeout=1)
