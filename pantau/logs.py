"""One logging set-up for every command: time, level, logger and message, or JSON lines."""

from __future__ import annotations

import logging
import logging.config
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"  # the keys of each JSON line
STARTUP_LOGGER = "pantau.start"  # what a command starts with is said at any --log-level


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"  # one object per line, for log collectors (Loki, Elasticsearch, ...)


def logging_config(level: str, fmt: LogFormat = LogFormat.TEXT) -> dict[str, Any]:
    """A `logging.config.dictConfig` document: everything to stderr in one format."""
    formatter: dict[str, Any] = {"format": TEXT_FORMAT}
    if fmt is LogFormat.JSON:
        formatter = {"()": "pythonjsonlogger.json.JsonFormatter", "format": JSON_FIELDS}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"pantau": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "pantau",
            }
        },
        "root": {"level": level.upper(), "handlers": ["stderr"]},
        "loggers": {STARTUP_LOGGER: {"level": "INFO"}},
    }


def configure(level: str, fmt: LogFormat = LogFormat.TEXT) -> None:
    logging.config.dictConfig(logging_config(level, fmt))


def startup(command: str, **facts: object) -> None:
    """The first line of a long-running command: its version and what it runs against."""
    from pantau import __version__

    said = ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in facts.items())
    logging.getLogger(STARTUP_LOGGER).info("pantau %s %s: %s", __version__, command, said)


@contextmanager
def quiet(name: str) -> Iterator[None]:
    """Silence logger `name` (a client library) while a step whose failure we word runs."""
    logger = logging.getLogger(name)
    before = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(before)
