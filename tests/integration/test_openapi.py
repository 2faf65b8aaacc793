"""The gateway's OpenAPI document against the real gateway (uvicorn on 127.0.0.1, the local
Kafka broker): schemathesis sends what the document allows, and every answer must be one it
documents; Swagger UI is served from the package, with nothing from elsewhere."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests.integration.test_gateway_timeouts import OPS, running_gateway
from tests.services import wait_for

pytestmark = pytest.mark.integration

EXAMPLES = 25  # per operation: 7 operations, well under a minute in all


@pytest.fixture(scope="module")
def gateway_url(broker: str) -> Iterator[str]:
    with running_gateway(broker, f"t{uuid.uuid4().hex[:12]}") as url:
        # the status topic of a fresh prefix is empty: read at once, every office unknown
        wait_for(lambda: httpx.get(f"{url}/v1/offices").status_code == 200, 30, "status read")
        yield url


@pytest.fixture(scope="module")
def api_schema(gateway_url: str) -> OpenApiSchema:
    return schemathesis.openapi.from_url(f"{gateway_url}/openapi.json")


def test_the_gateway_answers_as_its_openapi_document_says(api_schema: OpenApiSchema) -> None:
    """No 5xx, only documented status codes, bodies, headers and content types.

    Each operation gets up to EXAMPLES generated requests. With a token for every office,
    events that are not ahead of the clock reach Kafka (202); the status topic stays empty,
    so a stream answers 404 at once. (Not
    schemathesis.pytest.from_fixture: its lazy loader sets Function._nodeid, which pytest 9
    no longer has.)
    """
    operations = []
    for result in api_schema.get_all_operations():
        assert isinstance(result, Ok), result  # an operation schemathesis cannot read
        operations.append(result.ok())
    assert len(operations) == 7
    answers: dict[str, Counter[int]] = {}
    for operation in operations:
        answers[f"positive {operation.label}"] = exercise(operation, GenerationMode.POSITIVE)
        # invalid requests, where the document constrains something: an office id, a body
        if len(operation.path_parameters) or len(operation.body):
            answers[f"negative {operation.label}"] = exercise(operation, GenerationMode.NEGATIVE)
    print({label: dict(statuses) for label, statuses in answers.items()})
    assert len(answers) == 11 and all(answers.values()), answers  # every operation was called
    assert answers["positive POST /v1/events"][202] >= 1, answers  # some reached Kafka


def exercise(operation: APIOperation, mode: GenerationMode) -> Counter[int]:
    """Call the operation with generated requests; the status codes it answered."""
    statuses: Counter[int] = Counter()
    headers: dict[str, str] | None = None
    excluded: list[Any] = []
    if operation.path == "/v1/events":
        headers = {"Authorization": f"Bearer {OPS}"}
        # Schema-valid events may still be 422: occurred_at more than 5 minutes ahead of
        # the gateway's clock (documented; JSON Schema cannot say "not in the future").
        excluded = [positive_data_acceptance]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def check(case: Case) -> None:
        response = case.call_and_validate(headers=headers, excluded_checks=excluded, timeout=30)
        statuses[response.status_code] += 1

    check()
    return statuses


def test_every_operation_has_a_stable_id(gateway_url: str) -> None:
    document = httpx.get(f"{gateway_url}/openapi.json").json()
    ids = {
        (method, path): operation.get("operationId")
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }
    assert ids == {
        ("post", "/v1/events"): "sendEvents",
        ("get", "/healthz"): "getHealth",
        ("get", "/metrics"): "getMetrics",
        ("get", "/v1/offices"): "listOffices",
        ("get", "/v1/offices/{office}/status"): "getOfficeStatus",
        ("get", "/v1/offices/{office}/status/stream"): "streamOfficeStatus",
        ("get", "/board/{office}"): "getBoard",
    }
    paths = document["paths"]
    metrics = paths["/metrics"]["get"]["responses"]["200"]["content"]
    assert list(metrics) == ["text/plain"]
    health = paths["/healthz"]["get"]["responses"]
    assert health["503"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Health"
    }
    assert list(
        paths["/v1/offices/{office}/status/stream"]["get"]["responses"]["200"]["content"]
    ) == ["text/event-stream"]
    score = document["components"]["schemas"]["FeedbackSubmitted"]["properties"]["scores"]
    assert score["additionalProperties"]["type"] == "integer"
    assert "not 4.0" in score["additionalProperties"]["description"]


def test_swagger_ui_is_served_from_the_package(gateway_url: str) -> None:
    page = httpx.get(f"{gateway_url}/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "SwaggerUIBundle" in html and "'/openapi.json'" in html
    assert not re.search(r"https?://", html), re.findall(r"https?://[^\s'\"]+", html)
    assert '"validatorUrl": null' in html  # no badge fetched from validator.swagger.io
    assets = re.findall(r'(?:href|src)="([^"]+)"', html)
    assert len(assets) == 3, assets  # the stylesheet, the favicon and the script
    for asset in assets:
        loaded = httpx.get(f"{gateway_url}{asset}")
        assert loaded.status_code == 200, asset
        assert len(loaded.content) > 500, asset
    script = next(a for a in assets if a.endswith(".js"))
    assert "SwaggerUIBundle" in httpx.get(f"{gateway_url}{script}").text
    assert httpx.get(f"{gateway_url}/redoc").status_code == 404  # ReDoc would need a CDN
