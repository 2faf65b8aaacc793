"""Topic set-up on the broker: create pantau's topics when they are missing."""

from __future__ import annotations

import socket
import time
from contextlib import suppress

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.errors import (
    InvalidReplicationFactorError,
    KafkaError,
    KafkaTimeoutError,
    TopicAlreadyExistsError,
)

from .settings import KafkaSettings, WorkerSettings


class BrokerUnavailable(RuntimeError):
    """The Kafka broker could not be reached."""


class TopicsError(RuntimeError):
    """The broker refused to create pantau's topics."""


def check_reachable(broker: str, timeout_s: float = 5.0) -> None:
    """Fail fast, with the reason, when no bootstrap server accepts a TCP connection."""
    errors = []
    for server in broker.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            address = (host.strip("[]") or "localhost", int(port))
            socket.create_connection(address, timeout=timeout_s).close()
            return
        except (OSError, ValueError) as exc:
            errors.append(f"{server.strip()}: {exc}")
    raise BrokerUnavailable(f"cannot reach the Kafka broker at {'; '.join(errors)}")


# A server that accepts TCP but does not answer as Kafka (a wrong port) fails after this.
BOOTSTRAP_SECONDS = 5.0


def admin_client(settings: KafkaSettings, timeout_s: float = 10.0) -> KafkaAdminClient:
    check_reachable(settings.broker)
    try:
        return KafkaAdminClient(
            client_id="pantau-admin",
            request_timeout_ms=int(timeout_s * 1000),
            bootstrap_timeout_ms=int(BOOTSTRAP_SECONDS * 1000),
            **settings.kafka_python_options(),
        )
    except KafkaTimeoutError:
        raise BrokerUnavailable(
            f"{settings.broker} accepts connections but did not answer as a Kafka broker within "
            f"{BOOTSTRAP_SECONDS:.0f} s (is it the broker's port? PANTAU_BROKER)"
        ) from None
    except (KafkaError, OSError) as exc:
        raise BrokerUnavailable(
            f"cannot reach the Kafka broker at {settings.broker}: {exc}"
        ) from exc


# The office status topic keeps the last record per office (CONTRACT §6).
STATUS_TOPIC_CONFIG = {"cleanup.policy": "compact", "min.cleanable.dirty.ratio": "0.1"}


def ensure_topics(settings: KafkaSettings) -> list[str]:
    """Create pantau's topics (events, dead letters, breaches, office status) if missing.

    Returns the topics created."""
    wanted = {
        settings.events_topic: {},
        settings.dlq_topic: {},
        settings.breaches_topic: {},
        settings.status_topic: STATUS_TOPIC_CONFIG,
    }
    admin = admin_client(settings)
    try:
        existing = set(admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if missing:
            new = [
                NewTopic(
                    t, settings.partitions, settings.replication_factor, topic_configs=wanted[t]
                )
                for t in missing
            ]
            try:
                with suppress(TopicAlreadyExistsError):  # another worker created it first
                    admin.create_topics(new)
            except InvalidReplicationFactorError:
                brokers = len(admin.describe_cluster().get("brokers") or [])
                raise TopicsError(
                    f"cannot create {', '.join(missing)}: a replication factor of "
                    f"{settings.replication_factor} needs that many brokers, the cluster at "
                    f"{settings.broker} has {brokers} (set PANTAU_REPLICATION_FACTOR)"
                ) from None
            except KafkaError as exc:
                raise TopicsError(f"cannot create {', '.join(missing)}: {exc}") from None
            _wait_until_described(admin, missing)
        return missing
    finally:
        admin.close()


def _wait_until_described(admin: KafkaAdminClient, topics: list[str], seconds: float = 10) -> None:
    """Wait (bounded) until the broker describes every new topic with its partitions.

    Creating a topic returns before its metadata has spread; a consumer group that forms
    in between is given no partition of it and may stay so for minutes (seen in the demo
    on a freshly started broker)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        described = admin.describe_topics(topics)
        if all(not t.get("error_code") and t.get("partitions") for t in described):
            return
        time.sleep(0.1)


def partition_count(settings: KafkaSettings) -> int:
    """How many partitions the events topic has."""
    admin = admin_client(settings)
    try:
        described = admin.describe_topics([settings.events_topic])
        return len(described[0]["partitions"])
    finally:
        admin.close()


# A generous size of one event on the events topic, to judge a size-based retention.
EVENT_BYTES = 1024


def check_events_retention(settings: WorkerSettings) -> list[str]:
    """Check that the events topic keeps what the journal needs (docs/scaling.md).

    Recovery reads the events a partition's journal covers from the events topic again:
    those of up to `snapshot_seconds` (or `snapshot_every` events) before the crash.
    Raises TopicsError if time-based retention deletes them sooner; returns a warning
    if size-based retention might."""
    admin = admin_client(settings)
    try:
        wanted = {"retention.ms": None, "retention.bytes": None}
        resource = ConfigResource(ConfigResourceType.TOPIC, settings.events_topic, configs=wanted)
        found = admin.describe_configs([resource], config_filter="all")
    except KafkaError as exc:
        return [f"could not read the retention of {settings.events_topic}: {exc}"]
    finally:
        admin.close()
    configs = found.get("topic", {}).get(settings.events_topic, {})
    retention_ms = int(configs.get("retention.ms", {}).get("value") or -1)
    retention_bytes = int(configs.get("retention.bytes", {}).get("value") or -1)
    needed_ms = 2 * settings.snapshot_seconds * 1000
    if 0 <= retention_ms < needed_ms:
        raise TopicsError(
            f"{settings.events_topic}: retention.ms is {retention_ms}, but recovery may read "
            f"events {settings.snapshot_seconds:g} s old again; keep them at least "
            f"{needed_ms:.0f} ms (or -1), or lower PANTAU_SNAPSHOT_SECONDS (docs/scaling.md)"
        )
    needed_bytes = 2 * settings.snapshot_every * EVENT_BYTES
    if 0 <= retention_bytes < needed_bytes:
        return [
            f"{settings.events_topic}: retention.bytes is {retention_bytes} per partition, "
            f"which may delete events recovery reads again (up to PANTAU_SNAPSHOT_EVERY="
            f"{settings.snapshot_every} per partition); keep at least {needed_bytes} or -1"
        ]
    return []
