"""Prometheus HTTP API answers: the result of a query, or one line saying what is wrong."""

from __future__ import annotations

from typing import Any

_RESULTS = {"vector": "a vector", "matrix": "a range query's matrix"}


class PrometheusAnswerError(ValueError):
    """Prometheus could not be reached or answered something else than a query result."""


def query_result(body: Any, kind: str) -> list[Any]:
    """The `result` list of an answer whose resultType is `kind` ("vector" or "matrix")."""
    if not isinstance(body, dict):
        raise PrometheusAnswerError("the answer is not a JSON object")
    if body.get("status") != "success":
        error, reason = body.get("errorType", "error"), body.get("error", "no reason given")
        raise PrometheusAnswerError(f"{error}: {reason}")
    data = body.get("data")
    if (
        not isinstance(data, dict)
        or data.get("resultType") != kind
        or not isinstance(data.get("result"), list)
    ):
        raise PrometheusAnswerError(f"the answer is not {_RESULTS[kind]}")
    return data["result"]
