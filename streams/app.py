"""The one place that wires the worker: settings, clock, registry and Faust app."""

from __future__ import annotations

import gc
import logging
import os
import ssl
import time
from collections.abc import Callable
from typing import Any, cast

import faust
from aiokafka.partitioner import murmur2
from faust.types import TP
from faust.web import Request, Response, View
from prometheus_client import CollectorRegistry

from pantau.settings import ClockMode, SecurityProtocol, WorkerSettings
from pantau.standards import Standards
from streams.collector import PantauCollector
from streams.core.durable import DurableFormatError
from streams.exposition import CONTENT_TYPE as EXPOSITION_CONTENT_TYPE
from streams.faust_adapter import batch_consumer
from streams.health import BrokerWatch, quiet_kafka_client_logs
from streams.processor import Message, Processor
from streams.store import PartitionedTable, StateStore

log = logging.getLogger(__name__)

# Recovery reads the whole changelog, and Kafka compacts only closed segments (by default
# 1 GiB or 7 days), so small segments that are compacted early keep a restart's reading to
# about the live snapshots and journals, however long the worker has run.
CHANGELOG_CONFIG = {
    "max.message.bytes": str(16 * 1024 * 1024),
    "segment.bytes": str(64 * 1024 * 1024),
    "segment.ms": str(10 * 60 * 1000),
    "min.cleanable.dirty.ratio": "0.1",
    "delete.retention.ms": str(60 * 60 * 1000),  # deleted journal entries: tombstones for 1 h
    # Snapshots are JSON (field names, digits, base64 ids): the broker's gzip halves them.
    # The broker compresses, not the worker; gzip needs no library to read back.
    "compression.type": "gzip",
}


def partition_for(key: str, partitions: int) -> int:
    """The partition Kafka's default partitioner picks for a key (murmur2, as producers do)."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions


def broker_credentials(settings: WorkerSettings) -> faust.types.auth.CredentialsT | None:
    """Faust credentials for the configured security protocol (None for PLAINTEXT)."""
    protocol = settings.security_protocol
    if protocol is SecurityProtocol.PLAINTEXT:
        return None
    context = None
    if protocol in (SecurityProtocol.SSL, SecurityProtocol.SASL_SSL):
        cafile = str(settings.ssl_cafile) if settings.ssl_cafile else None
        context = ssl.create_default_context(cafile=cafile)
    if protocol is SecurityProtocol.SSL:
        return faust.SSLCredentials(context)
    assert settings.sasl_mechanism and settings.sasl_username and settings.sasl_password
    return faust.SASLCredentials(
        username=settings.sasl_username,
        password=settings.sasl_password.get_secret_value(),
        mechanism=settings.sasl_mechanism.value,
        ssl_context=context,
    )


async def check_replays_readable(
    app: faust.App, processor: Processor, topic: str, partitions: list[int]
) -> None:
    """Give up, with an error line, journaled events the events topic no longer has.

    Their effect on the numbers is lost; without this the worker would wait for them
    forever. docs/scaling.md says what retention the journal needs."""
    tps = [TP(topic, p) for p in partitions if p in processor.replays]
    if not tps:
        return
    try:
        earliest = await app.consumer.earliest_offsets(*tps)
    except Exception as exc:  # the next recovery checks again; meanwhile the replay waits
        log.warning("could not read the earliest offsets of %s: %r", topic, exc)
        return
    for tp, first in earliest.items():
        lost = processor.lose_before(tp.partition, first)
        if lost:
            log.error(
                "%s partition %d: %d journaled events were deleted from the topic before "
                "recovery read them again (retention too short, see docs/scaling.md); the "
                "numbers of its offices leave them out",
                topic, tp.partition, lost,
            )  # fmt: skip


def create_app(
    settings: WorkerSettings,
    standards: Standards,
    clock: Callable[[], float] = time.time,
    registry: CollectorRegistry | None = None,
) -> tuple[faust.App, Processor]:
    """Build the Faust app of `pantau worker`; nothing connects until it is started."""
    app = faust.App(
        f"pantau-worker-{settings.topic_prefix}",
        broker=[f"kafka://{server.strip()}" for server in settings.broker.split(",")],
        broker_credentials=broker_credentials(settings),
        store="memory://",
        datadir=str(settings.data_dir),
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        web_port=settings.web_port,
        web_bind=settings.web_host,
        web_host=settings.web_host,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        producer_max_request_size=16 * 1024 * 1024,
        stream_wait_empty=False,
        broker_session_timeout=settings.session_timeout,
        broker_heartbeat_interval=settings.session_timeout / 4,
        broker_max_poll_records=settings.batch_size,
        web_enabled=True,
    )
    # Each event allocates a few dozen short-lived objects, so the default threshold (700)
    # runs a collection every few events; most of these objects are freed by reference
    # counting anyway, and the state is long-lived.
    gc.set_threshold(50_000, 20, 100)
    # Faust's worker sets the root logger to DEBUG (for its terminal spinner), so every
    # aiokafka debug call would build a log record that no handler prints.
    logging.getLogger("aiokafka").setLevel(logging.INFO)
    events = app.topic(
        settings.events_topic, key_type=bytes, value_type=bytes,
        key_serializer="raw", value_serializer="raw",
    )  # fmt: skip
    outputs = {
        "dlq": app.topic(settings.dlq_topic, key_serializer="raw", value_serializer="raw"),
        "breaches": app.topic(
            settings.breaches_topic, key_serializer="raw", value_serializer="raw"
        ),
        "status": app.topic(settings.status_topic, key_serializer="raw", value_serializer="raw"),
    }
    table = cast(
        PartitionedTable,
        app.tables.add(
            PartitionedTable(
                app,
                name="state",
                default=None,
                beacon=app.tables.beacon,
                partitions=settings.partitions,
                extra_topic_configs=CHANGELOG_CONFIG,
            )
        ),
    )

    def emit(kind: str, key: bytes | None, value: bytes) -> None:
        outputs[kind].send_soon(key=key, value=value)

    wall_clock = clock if settings.clock is ClockMode.WALL else None

    def owns(partition: int) -> bool:
        try:
            return TP(settings.events_topic, partition) in app.consumer.assignment()
        except Exception:  # the consumer is not started yet, or stopping
            return False

    store = StateStore(
        table, standards, settings.snapshot_every, settings.snapshot_seconds, clock=clock
    )
    processor = Processor(
        store, standards, emit, wall_clock, now=clock, owns=owns,
        status_every=settings.status_seconds,
    )  # fmt: skip

    # Events reach the processor a fetch at a time, not through the agent's stream.
    app.transport.Consumer = batch_consumer(  # type: ignore[misc]
        settings.events_topic, processor.process, processor.resume_at, settings.hold_first_batch
    )

    def partitions_of_events() -> int:
        try:
            return app.consumer.topic_partitions(settings.events_topic) or settings.partitions
        except Exception:  # before the consumer's coordinator exists: /metrics must answer
            return settings.partitions

    def owns_office(office: str) -> bool:
        return processor.ready(partition_for(office, partitions_of_events()))

    def lag() -> dict[int, int]:
        behind = {}
        for partition in processor.partitions:
            tp = TP(settings.events_topic, partition)
            try:
                high = app.consumer.highwater(tp)
            except Exception:  # the consumer may not know the partition yet
                continue
            if high is None:  # not fetched yet, e.g. while partitions are being assigned
                continue
            position = processor.resume_at(partition)  # what the state covers, read or not
            behind[partition] = max(high - (high if position is None else position), 0)
        return behind

    collector = PantauCollector(processor, owns_office, lag, settings.events_topic)
    metrics_registry = registry if registry is not None else CollectorRegistry()
    metrics_registry.register(collector)

    @app.agent(events)  # subscribes the topic; batch_consumer hands its messages over instead
    async def process_events(stream: faust.StreamT[Any]) -> None:
        async for batch in cast(faust.Stream[Any], stream).take_events(
            settings.batch_size, within=settings.batch_seconds
        ):
            processor.process(
                Message(
                    e.message.partition,
                    e.message.offset,
                    e.message.key,
                    e.message.value or b"",
                    round(e.message.timestamp * 1000),  # Faust's is in seconds
                )
                for e in batch
            )

    @app.timer(interval=settings.tick_seconds)
    async def wall_clock_tick() -> None:
        processor.tick()

    broker = BrokerWatch.of(settings.broker)
    quiet_kafka_client_logs()

    @app.timer(interval=2.0)
    async def watch_broker() -> None:
        await broker.probe()

    @app.timer(interval=settings.status_seconds / 2)
    async def office_status() -> None:
        processor.send_status()  # the last change of each office, once the worker is idle

    original_recovery = table.on_recovery_completed

    async def on_recovery_completed(active_tps: set[TP], standby_tps: set[TP]) -> None:
        await original_recovery(active_tps, standby_tps)
        changelog = table.changelog_topic.get_topic_name()
        loaded = [tp.partition for tp in active_tps if tp.topic == changelog]
        try:
            processor.load(loaded)
        except DurableFormatError as exc:  # numbers from an unreadable state would be wrong
            log.critical("the state changelog %s cannot be read: %s", changelog, exc)
            logging.shutdown()
            os._exit(1)
        await check_replays_readable(app, processor, settings.events_topic, loaded)

    table.on_recovery_completed = on_recovery_completed  # type: ignore[method-assign]

    @app.on_partitions_revoked.connect  # type: ignore[arg-type]  # faust types the signal loosely
    async def on_revoked(sender: Any, revoked: set[TP], **kwargs: Any) -> None:
        processor.drop(tp.partition for tp in revoked if tp.topic == settings.events_topic)

    @app.page("/metrics")
    class Metrics(View):
        async def get(self, request: Request) -> Response:
            # `?name[]=...` limits the answer to those families, as prometheus_client does;
            # the message counters alone are cheap enough to poll many times a second.
            only = cast(Any, request).query.getall("name[]", None)
            return self.bytes(
                collector.exposition(only), headers={"Content-Type": EXPOSITION_CONTENT_TYPE}
            )

    @app.page("/healthz")
    class Health(View):
        async def get(self, request: Request) -> Response:
            away = broker.unreachable_for()
            down = away > settings.session_timeout
            last = processor.last_batch_at
            body = {
                "status": "unavailable" if down else "ok",
                "broker": "reachable" if broker.reachable else "unreachable",
                "broker_unreachable_seconds": round(away, 1),
                "seconds_since_last_batch": round(clock() - last, 1) if last else None,
                **processor.describe(),
            }
            return self.json(body, status=503 if down else 200)

    return app, processor
