"""Reads `<prefix>.office.status` from the beginning in a background thread (kafka-python)."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from pantau.settings import GatewaySettings

__all__ = ["FeedMessage", "KafkaStatusFeed"]

log = logging.getLogger("pantau.gateway.status")


@dataclass(frozen=True)
class FeedMessage:
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    received: float


class KafkaStatusFeed:
    """Its own consumer, no group and no committed offsets: every start reads the whole
    (compacted) topic, so the service knows every office's last record.

    `deliver` is called from the feed's thread with each polled batch, `loaded` once when
    the records that were on the topic at the start have all been delivered (at once if
    the topic does not exist yet).
    """

    def __init__(
        self,
        settings: GatewaySettings,
        deliver: Callable[[list[FeedMessage]], None],
        loaded: Callable[[], None],
        consumer_factory: Callable[[], Any] | None = None,
    ) -> None:
        self._topic = settings.status_topic
        self._deliver, self._loaded = deliver, loaded
        self._factory = consumer_factory or (
            lambda: KafkaConsumer(
                **settings.kafka_python_options(),
                client_id="pantau-gateway-status",
                group_id=None,
                enable_auto_commit=False,
                allow_auto_create_topics=False,  # the worker creates it, compacted
                metadata_max_age_ms=10_000,
                request_timeout_ms=15_000,
            )
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._positions: dict[int, int] = {}
        self._is_loaded = False

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="status-feed", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        backoff, warned = 1.0, False
        while not self._stop.is_set():
            try:
                consumer = self._factory()
            except (KafkaError, OSError) as exc:
                if not warned:
                    log.warning("status feed: cannot reach Kafka (%s); retrying", exc)
                    warned = True
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            if warned:
                log.warning("status feed: connected to Kafka")
            backoff, warned = 1.0, False
            try:
                self._consume(consumer)
            except (KafkaError, OSError) as exc:
                log.warning("status feed: %s; reconnecting", exc)
                self._stop.wait(1.0)
            finally:
                with contextlib.suppress(KafkaError, OSError):
                    consumer.close()

    def _mark_loaded(self) -> None:
        if not self._is_loaded:
            self._is_loaded = True
            self._loaded()

    def _consume(self, consumer: Any) -> None:
        assigned: set[TopicPartition] = set()
        targets: dict[TopicPartition, int] = {}
        next_check = 0.0
        while not self._stop.is_set():
            if time.monotonic() >= next_check:
                found = consumer.partitions_for_topic(self._topic)
                next_check = time.monotonic() + (10.0 if found else 2.0)
                wanted = {TopicPartition(self._topic, p) for p in found}
                if wanted and wanted != assigned:
                    consumer.assign(sorted(wanted))
                    for tp in wanted - assigned:
                        if tp.partition in self._positions:
                            consumer.seek(tp, self._positions[tp.partition])
                        else:
                            consumer.seek_to_beginning(tp)
                    assigned = wanted
                    if not self._is_loaded:
                        targets = dict(consumer.end_offsets(sorted(wanted)))
                if not wanted:
                    self._mark_loaded()
            if not assigned:
                self._stop.wait(0.5)
                continue
            polled = consumer.poll(timeout_ms=500)
            now = time.time()
            batch = [
                FeedMessage(tp.partition, r.offset, r.key, r.value, now)
                for tp, records in polled.items()
                for r in records
            ]
            for message in batch:
                self._positions[message.partition] = message.offset + 1
            if batch:
                self._deliver(batch)
            if not self._is_loaded and all(
                self._positions.get(tp.partition, 0) >= end or consumer.position(tp) >= end
                for tp, end in targets.items()
            ):
                self._mark_loaded()
