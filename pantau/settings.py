"""Typed configuration: every PANTAU_* environment variable is named here and only here."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ClockMode(StrEnum):
    """How "now" is read for live breaches and queue gauges (CONTRACT §4, clock modes)."""

    WALL = "wall"
    EVENT = "event"


class SecurityProtocol(StrEnum):
    """How clients talk to the brokers (Kafka's security.protocol)."""

    PLAINTEXT = "PLAINTEXT"
    SSL = "SSL"
    SASL_PLAINTEXT = "SASL_PLAINTEXT"
    SASL_SSL = "SASL_SSL"


class SaslMechanism(StrEnum):
    """SASL mechanisms pantau's clients support."""

    PLAIN = "PLAIN"
    SCRAM_SHA_256 = "SCRAM-SHA-256"
    SCRAM_SHA_512 = "SCRAM-SHA-512"


# A host name, IPv4 address or [IPv6] address, then a port 1..65535.
_HOST_PORT = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])"
    r":(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
)


class KafkaSettings(BaseSettings):
    """Where the broker is and which topics to use."""

    model_config = SettingsConfigDict(env_prefix="PANTAU_", extra="ignore")

    broker: str = Field("localhost:9092", description="Kafka bootstrap server, HOST:PORT")
    topic_prefix: str = Field("pantau", pattern=r"^[A-Za-z0-9._-]+$")
    partitions: int = Field(8, ge=1, description="partitions of topics the worker creates")
    replication_factor: int = Field(1, ge=1, description="replicas of topics the worker creates")
    security_protocol: SecurityProtocol = SecurityProtocol.PLAINTEXT
    sasl_mechanism: SaslMechanism | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = Field(None, description="CA bundle that signed the brokers' certs")

    @field_validator("broker")
    @classmethod
    def _host_ports(cls, value: str) -> str:
        for server in value.split(","):
            if not _HOST_PORT.fullmatch(server.strip()):
                raise ValueError(
                    f"{server.strip()!r} is not HOST:PORT (a list: HOST:PORT,HOST:PORT)"
                )
        return value

    @model_validator(mode="after")
    def _sasl_complete(self) -> KafkaSettings:
        if self.security_protocol.startswith("SASL") and not (
            self.sasl_mechanism and self.sasl_username and self.sasl_password
        ):
            raise ValueError(
                "SASL needs PANTAU_SASL_MECHANISM, PANTAU_SASL_USERNAME and PANTAU_SASL_PASSWORD"
            )
        return self

    def kafka_python_options(self) -> dict[str, Any]:
        """Connection and security options for kafka-python clients."""
        options: dict[str, Any] = {
            "bootstrap_servers": self.broker,
            "security_protocol": self.security_protocol.value,
        }
        if self.sasl_mechanism:
            options["sasl_mechanism"] = self.sasl_mechanism.value
            options["sasl_plain_username"] = self.sasl_username
            options["sasl_plain_password"] = (
                self.sasl_password.get_secret_value() if self.sasl_password else None
            )
        if self.ssl_cafile:
            options["ssl_cafile"] = str(self.ssl_cafile)
        return options

    @property
    def events_topic(self) -> str:
        return f"{self.topic_prefix}.events"

    @property
    def dlq_topic(self) -> str:
        return f"{self.topic_prefix}.events.dlq"

    @property
    def breaches_topic(self) -> str:
        return f"{self.topic_prefix}.sla.breaches"

    @property
    def status_topic(self) -> str:
        return f"{self.topic_prefix}.office.status"


class WorkerSettings(KafkaSettings):
    """Settings of `pantau worker`."""

    standards: Path | None = Field(None, description="service standards YAML file")
    clock: ClockMode = ClockMode.WALL
    web_port: int = Field(6066, ge=1, le=65535)
    web_host: str = "127.0.0.1"
    data_dir: Path = Path(".state/worker")
    # 8000 rather than 2000: a batch's own costs (journal entries, acknowledgements, the
    # hand-off from the consumer thread) spread over more events, +15 % while catching up
    # (docs/performance.md); a quiet office's fetches stay small either way.
    batch_size: int = Field(8000, ge=1, description="most events processed as one batch")
    batch_seconds: float = Field(0.05, gt=0, description="longest wait to fill a batch")
    snapshot_every: int = Field(
        20000,
        ge=1,
        description="journaled events per partition before snapshots of the offices replace them",
    )
    snapshot_seconds: float = Field(
        3600.0,
        gt=0,
        description="oldest a partition's journal gets before snapshots replace it; the events "
        "topic must keep events at least twice as long (docs/scaling.md)",
    )
    tick_seconds: float = Field(5.0, gt=0, le=5.0, description="wall-clock breach check period")
    hold_first_batch: float = Field(
        0.0,
        ge=0,
        le=120,
        description="for tests: hold the first fetched batch of events this many seconds, "
        "so that a rebalance comes between a fetch and its processing",
    )
    status_seconds: float = Field(
        1.0, ge=1.0, le=60.0, description="least seconds between two status records of an office"
    )
    session_timeout: float = Field(
        10.0, ge=6, description="seconds before a silent worker's partitions move to others"
    )
    shutdown_seconds: float = Field(
        20.0, gt=0, description="longest stop on SIGTERM before the worker exits regardless"
    )


def _check_timezone(name: str) -> str:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None
    return name


class ClientSettings(KafkaSettings):
    """Settings of CounterClient (and of `pantau simulate`, which sends through it)."""

    spool_path: Path = Field(
        Path(".state/spool/client.sqlite"), description="SQLite file of events waiting for Kafka"
    )
    spool_max_events: int = Field(
        100_000, ge=1, description="most events the spool holds; past it new events are refused"
    )
    spool_warn_ratio: float = Field(0.8, gt=0, le=1, description="warn when the spool is this full")
    send_timeout: float = Field(
        30.0, gt=0, description="seconds Kafka has to acknowledge a send before it is retried"
    )
    timezone: str = Field("UTC", description="time zone of the occurred_at the client writes")
    client_id: str = Field("pantau-client", description="Kafka client id")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        return _check_timezone(value)


class GatewaySettings(KafkaSettings):
    """Settings of `pantau gateway`."""

    gateway_host: str = Field("127.0.0.1", description="address the gateway listens on")
    gateway_port: int = Field(8088, ge=1, le=65535)
    tokens: Path | None = Field(None, description="YAML file: bearer token -> offices")
    gateway_max_body: int = Field(1 << 20, ge=1, description="largest request body, in bytes")
    gateway_max_batch: int = Field(1000, ge=1, le=1000, description="most events per request")
    gateway_body_timeout: float = Field(
        10.0,
        gt=0,
        le=300,
        description="seconds a request has to deliver its whole body once its headers are in; "
        "then 408 and the connection is closed",
    )
    gateway_idle_timeout: int = Field(
        5,
        ge=1,
        le=300,
        description="seconds a connection may take to send a whole request head, from its "
        "opening or the end of the previous response; then it is closed",
    )
    gateway_max_connections: int = Field(
        1000,
        ge=1,
        description="most connections and requests at once (status streams included); past "
        "it new requests get 503",
    )
    send_timeout: float = Field(
        30.0, gt=0, description="seconds Kafka has to acknowledge a request's events"
    )
    status_enabled: bool = Field(
        True,
        description="serve the office status API and the waiting-room board, read from "
        "<prefix>.office.status",
    )
    status_read_token: SecretStr | None = Field(
        None,
        description="if set, the status API and the board need this bearer token (or "
        "?access_token=); unset, they are public",
    )
    status_heartbeat: float = Field(
        15.0, gt=0, le=60, description="seconds between heartbeats of a status stream"
    )
    status_client_queue: int = Field(
        8,
        ge=1,
        le=1000,
        description="records queued per stream client; a slow one loses the oldest",
    )
    standards: Path | None = Field(
        None, description="service standards YAML file: office and service names for the board"
    )


class SimulateSettings(ClientSettings):
    """Settings of `pantau simulate`."""

    standards: Path | None = Field(None, description="service standards YAML file")
    spool_path: Path = Path(".state/spool/simulate.sqlite")
    client_id: str = "pantau-simulate"


def env_var(settings: type[BaseSettings], field: str) -> str:
    """The environment variable that sets `field` of `settings` (PANTAU_ and its name)."""
    if field not in settings.model_fields:
        raise KeyError(f"{settings.__name__} has no setting {field!r}")
    return f"{settings.model_config.get('env_prefix', '')}{field}".upper()


def default_of(settings: type[BaseSettings], field: str) -> Any:
    """The default of `field` of `settings` when neither a flag nor the environment sets it."""
    return settings.model_fields[field].get_default(call_default_factory=True)
