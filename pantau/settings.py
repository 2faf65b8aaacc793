"""Typed configuration: every PANTAU_* environment variable is named here and only here."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ClockMode(StrEnum):
    """How "now" is read for live breaches and queue gauges (CONTRACT §4, clock modes)."""

    WALL = "wall"
    EVENT = "event"


class KafkaSettings(BaseSettings):
    """Where the broker is and which topics to use."""

    model_config = SettingsConfigDict(env_prefix="PANTAU_", extra="ignore")

    broker: str = Field("localhost:9092", description="Kafka bootstrap server, HOST:PORT")
    topic_prefix: str = Field("pantau", pattern=r"^[A-Za-z0-9._-]+$")
    partitions: int = Field(8, ge=1, description="partitions of topics the worker creates")

    @property
    def events_topic(self) -> str:
        return f"{self.topic_prefix}.events"

    @property
    def dlq_topic(self) -> str:
        return f"{self.topic_prefix}.events.dlq"

    @property
    def breaches_topic(self) -> str:
        return f"{self.topic_prefix}.sla.breaches"


class WorkerSettings(KafkaSettings):
    """Settings of `pantau worker`."""

    standards: Path | None = Field(None, description="service standards YAML file")
    clock: ClockMode = ClockMode.WALL
    web_port: int = Field(6066, ge=1, le=65535)
    web_host: str = "127.0.0.1"
    data_dir: Path = Path(".state/worker")
    batch_size: int = Field(2000, ge=1, description="most events processed as one batch")
    batch_seconds: float = Field(0.05, gt=0, description="longest wait to fill a batch")
    snapshot_every: int = Field(
        5000, ge=1, description="journaled events per office before a snapshot replaces them"
    )
    tick_seconds: float = Field(5.0, gt=0, le=5.0, description="wall-clock breach check period")
