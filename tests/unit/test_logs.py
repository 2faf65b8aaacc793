"""One logging set-up: time, level, logger, message as text or one JSON object per line."""

from __future__ import annotations

import json
import logging
import re

import pytest

from pantau import __version__, logs


@pytest.fixture(autouse=True)
def _restore_logging() -> object:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_text_lines_have_time_level_logger_message(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("warning")
    logging.getLogger("pantau.test").warning("queue at %d", 3)
    logging.getLogger("pantau.test").info("not shown at warning")
    err = capsys.readouterr().err
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} WARNING pantau.test queue at 3\n", err
    )


def test_json_lines_are_objects_with_the_same_fields(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("info", logs.LogFormat.JSON)
    logging.getLogger("pantau.test").info("queue at %d", 3)
    [line] = capsys.readouterr().err.splitlines()
    record = json.loads(line)
    assert {k: record[k] for k in ("levelname", "name", "message")} == {
        "levelname": "INFO", "name": "pantau.test", "message": "queue at 3",
    }  # fmt: skip
    assert "asctime" in record


def test_the_startup_line_is_said_at_any_level(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("error")
    logs.startup("worker", broker="k:9092", topic_prefix="pantau", partitions=8)
    err = capsys.readouterr().err
    assert err.endswith(
        f"INFO pantau.start pantau {__version__} worker: broker k:9092, topic prefix pantau, "
        "partitions 8\n"
    )
