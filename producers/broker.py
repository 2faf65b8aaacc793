"""The Kafka side of the producers: an acks=all idempotent producer, and a reachability probe."""

from __future__ import annotations

import logging
import threading
from typing import Any, Protocol

from kafka import KafkaAdminClient, KafkaProducer
from kafka.errors import KafkaError

from pantau.settings import KafkaSettings

__all__ = [
    "Producer",
    "ProducerFactory",
    "SendFuture",
    "broker_reachable",
    "close_producer",
    "kafka_producer",
]

log = logging.getLogger("pantau.producers")


class SendFuture(Protocol):
    """What `Producer.send` returns: `get` raises if the broker did not acknowledge it."""

    def get(self, timeout: float | None = None) -> Any: ...


class Producer(Protocol):
    """The part of kafka-python's KafkaProducer the producers use (tests pass fakes)."""

    def send(self, topic: str, value: bytes | None = None, key: bytes | None = None) -> Any: ...

    def flush(self, timeout: float | None = None) -> None: ...

    def close(self, timeout: float | None = None) -> None: ...


class ProducerFactory(Protocol):
    def __call__(self) -> Producer: ...


def kafka_producer(
    settings: KafkaSettings, client_id: str, send_timeout: float = 30.0
) -> KafkaProducer:
    """A producer that waits for every in-sync replica and never writes a retry twice.

    Raises KafkaError when no broker answers within a few seconds (kafka-python reads the
    broker's version in the constructor).
    """
    request_ms = max(1000, int(send_timeout * 1000) // 3)
    return KafkaProducer(
        **settings.kafka_python_options(),  # the broker, and TLS/SASL if configured
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        bootstrap_timeout_ms=3000,
        # send() blocks this long for metadata when the broker is gone, then raises.
        max_block_ms=3000,
        request_timeout_ms=request_ms,
        delivery_timeout_ms=int(send_timeout * 1000),
        retry_backoff_ms=200,
        reconnect_backoff_max_ms=2000,
    )


def broker_reachable(settings: KafkaSettings, timeout: float = 2.0) -> bool:
    """Whether a broker answers a cluster description request within `timeout` seconds."""
    ms = int(timeout * 1000)
    try:
        admin = KafkaAdminClient(
            **settings.kafka_python_options(),
            client_id="pantau-probe",
            request_timeout_ms=ms,
            bootstrap_timeout_ms=ms,
        )
    except (KafkaError, OSError):
        return False
    try:
        return bool(admin.describe_cluster().get("brokers"))
    except (KafkaError, OSError):
        return False
    finally:
        admin.close()


def close_producer(producer: Producer, timeout: float, later: float = 60.0) -> None:
    """Close a producer within `timeout` seconds if it can; else finish closing in the background.

    kafka-python's close() flushes first and raises KafkaTimeoutError, leaving the producer
    open, while a record is still in flight (the broker is gone): it can only close once its
    records expired, so a daemon thread tries again with a longer timeout.
    """
    try:
        producer.close(timeout=timeout)
    except (KafkaError, OSError):
        threading.Thread(
            target=_close_later, args=(producer, later), name="pantau-producer-close", daemon=True
        ).start()


def _close_later(producer: Producer, timeout: float) -> None:
    try:
        producer.close(timeout=timeout)
    except (KafkaError, OSError) as exc:
        log.warning("could not close a Kafka producer: %s", exc)
