"""The `pantau` command line: worker, replay, schema (and the producer tools)."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError

from .settings import ClockMode, KafkaSettings, WorkerSettings

cli = typer.Typer(
    add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, help=__doc__
)

Broker = Annotated[str | None, typer.Option(help="Kafka HOST:PORT [env PANTAU_BROKER]")]
Prefix = Annotated[str | None, typer.Option(help="topic prefix [env PANTAU_TOPIC_PREFIX]")]


def fail(message: str, code: int = 1) -> NoReturn:
    """A one-line error on stderr and a non-zero exit, never a traceback."""
    typer.echo(f"pantau: error: {message}", err=True)
    raise typer.Exit(code)


def settings_from(cls: type[Any], **flags: Any) -> Any:
    """Settings from the flags given, then the PANTAU_* environment, then defaults."""
    try:
        return cls(**{k: v for k, v in flags.items() if v is not None})
    except ValidationError as exc:
        err = exc.errors()[0]
        fail(f"{'.'.join(map(str, err['loc']))}: {err['msg']}", 2)


@cli.command()
def worker(
    standards: Annotated[
        Path | None, typer.Option(help="service standards YAML [env PANTAU_STANDARDS]")
    ] = None,
    clock: Annotated[
        ClockMode | None, typer.Option(help="wall (live) or event (replays) [env PANTAU_CLOCK]")
    ] = None,
    topic_prefix: Prefix = None,
    web_port: Annotated[
        int | None, typer.Option(help="port of /metrics [env PANTAU_WEB_PORT]")
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="worker data folder [env PANTAU_DATA_DIR]")
    ] = None,
    broker: Broker = None,
    partitions: Annotated[
        int | None, typer.Option(help="partitions of created topics [env PANTAU_PARTITIONS]")
    ] = None,
    log_level: Annotated[str, typer.Option(help="worker log level")] = "warning",
) -> None:
    """Consume events, apply the contract, expose /metrics."""
    from faust.worker import Worker

    from streams.app import create_app

    from .standards import Standards, StandardsError, load_standards
    from .topics import BrokerUnavailable, ensure_topics

    settings: WorkerSettings = settings_from(
        WorkerSettings, standards=standards, clock=clock, topic_prefix=topic_prefix,
        web_port=web_port, data_dir=data_dir, broker=broker, partitions=partitions,
    )  # fmt: skip
    try:
        rules = load_standards(settings.standards) if settings.standards else Standards.empty()
    except StandardsError as exc:
        fail(str(exc), 2)
    try:
        ensure_topics(settings)
    except BrokerUnavailable as exc:
        fail(str(exc))
    app, _ = create_app(settings, rules)
    logging.getLogger("faust").setLevel(log_level.upper())
    Worker(app, loglevel=log_level, quiet=True).execute_from_commandline()


@cli.command()
def replay(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSONL file")],
    topic_prefix: Prefix = None,
    broker: Broker = None,
) -> None:
    """Send every non-empty line of FILE as one event message, keyed by office."""
    from producers.replay import lines_of, send_lines

    from .topics import BrokerUnavailable, ensure_topics

    settings: KafkaSettings = settings_from(KafkaSettings, topic_prefix=topic_prefix, broker=broker)
    try:
        ensure_topics(settings)
        sent = send_lines(lines_of(file), settings)
    except (BrokerUnavailable, RuntimeError) as exc:
        fail(str(exc))
    typer.echo(f"sent {sent} messages to {settings.events_topic}")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the events counter systems send."""
    from .schema import event_json_schema

    json.dump(event_json_schema(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def main() -> None:
    cli()
