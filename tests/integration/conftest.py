"""Fixtures for tests against the real local Kafka broker."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.services import WorkerProcess, ensure_broker, free_port


@pytest.fixture(scope="session")
def broker() -> str:
    return ensure_broker()


@pytest.fixture
def prefix() -> str:
    """A fresh topic prefix, so every test starts from empty topics and state."""
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def start_worker(
    broker: str, prefix: str, tmp_path: Path
) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(standards: Path | None, **kwargs: object) -> WorkerProcess:
        port = free_port()
        worker = WorkerProcess(prefix, standards, tmp_path / f"data-{port}", port, **kwargs)  # type: ignore[arg-type]
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.stop()
