"""The `pantau` command line: worker, replay, schema, staffing, report (and the producer tools)."""

from __future__ import annotations

import json
import logging
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError

from . import __version__, logs
from .logs import LogFormat
from .settings import (
    ClockMode,
    GatewaySettings,
    KafkaSettings,
    SimulateSettings,
    WorkerSettings,
    default_of,
    env_var,
)

cli = typer.Typer(
    add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, help=__doc__
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"pantau {__version__}")
        raise typer.Exit()


@cli.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="print the version, exit"
        ),
    ] = False,
) -> None:
    logs.configure("warning")  # worker and gateway set their own --log-level and --log-format


class LogLevel(StrEnum):
    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    CRITICAL = "critical"


LogFormatOption = Annotated[
    LogFormat, typer.Option(help="text (time level logger message) or json (one per line)")
]


def env_option(settings: type[Any], field: str, help: str) -> Any:
    """An option that the field's PANTAU_* variable sets too (a flag wins over it); --help
    shows the variable and the default, both read from pantau.settings."""
    return typer.Option(
        help=help, envvar=env_var(settings, field), show_envvar=True, show_default=True
    )


Broker = Annotated[str, env_option(KafkaSettings, "broker", "Kafka HOST:PORT[,HOST:PORT]")]
Prefix = Annotated[str, env_option(KafkaSettings, "topic_prefix", "topic prefix")]
# the defaults --help shows, from pantau.settings
BROKER: str = default_of(KafkaSettings, "broker")
PREFIX: str = default_of(KafkaSettings, "topic_prefix")
CLOCK: ClockMode = default_of(WorkerSettings, "clock")
WEB_PORT: int = default_of(WorkerSettings, "web_port")
DATA_DIR: Path = default_of(WorkerSettings, "data_dir")
PARTITIONS: int = default_of(WorkerSettings, "partitions")
GATEWAY_PORT: int = default_of(GatewaySettings, "gateway_port")
GATEWAY_HOST: str = default_of(GatewaySettings, "gateway_host")
GATEWAY_MAX_BODY: int = default_of(GatewaySettings, "gateway_max_body")
SIMULATE_SPOOL: Path = default_of(SimulateSettings, "spool_path")


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
        where = ".".join(map(str, err["loc"]))
        reason = err["msg"].removeprefix("Value error, ")
        fail(f"{where}: {reason}" if where else reason, 2)


@cli.command()
def worker(
    standards: Annotated[
        Path | None, env_option(WorkerSettings, "standards", "service standards YAML")
    ] = None,
    clock: Annotated[
        ClockMode, env_option(WorkerSettings, "clock", "wall (live) or event (replays)")
    ] = CLOCK,
    topic_prefix: Prefix = PREFIX,
    web_port: Annotated[int, env_option(WorkerSettings, "web_port", "port of /metrics")] = WEB_PORT,
    data_dir: Annotated[
        Path, env_option(WorkerSettings, "data_dir", "worker data folder")
    ] = DATA_DIR,
    broker: Broker = BROKER,
    partitions: Annotated[
        int, env_option(WorkerSettings, "partitions", "partitions of topics it creates")
    ] = PARTITIONS,
    log_level: Annotated[LogLevel, typer.Option(help="worker log level")] = LogLevel.WARNING,
    log_format: LogFormatOption = LogFormat.TEXT,
) -> None:
    """Consume events, apply the contract, expose /metrics."""
    from streams.app import create_app
    from streams.faust_adapter import bounded_worker

    from .standards import Standards, StandardsError, load_standards
    from .topics import BrokerUnavailable, TopicsError, check_events_retention, ensure_topics

    settings: WorkerSettings = settings_from(
        WorkerSettings, standards=standards, clock=clock, topic_prefix=topic_prefix,
        web_port=web_port, data_dir=data_dir, broker=broker, partitions=partitions,
    )  # fmt: skip
    try:
        rules = load_standards(settings.standards) if settings.standards else Standards.empty()
    except StandardsError as exc:
        fail(str(exc), 2)
    logs.configure(log_level.value, log_format)
    _check_data_dir(settings.data_dir)
    _check_port_free(settings.web_host, settings.web_port)
    try:
        with logs.quiet("kafka"):  # kafka-python's retries: the one line below says it all
            ensure_topics(settings)
            retention_warnings = check_events_retention(settings)
    except (BrokerUnavailable, TopicsError) as exc:
        fail(str(exc))
    app, _ = create_app(settings, rules)
    logs.startup(
        "worker", broker=settings.broker, topic_prefix=settings.topic_prefix,
        partitions=settings.partitions, clock=settings.clock.value,
        standards=_standards_said(settings.standards, rules),
    )  # fmt: skip
    for warning in retention_warnings:
        logging.getLogger("pantau.worker").warning(warning)
    logging.getLogger("faust").setLevel(log_level.value.upper())
    worker_class = bounded_worker(settings.shutdown_seconds)
    worker = worker_class(app, loglevel=log_level.value, quiet=True, override_logging=False)
    worker.execute_from_commandline()


def _standards_said(path: Path | None, rules: Any) -> str:
    if path is None:
        return "none (the built-in standard everywhere)"
    configured = rules.configured()
    offices = len({office for office, _ in configured})
    return f"{path} ({offices} offices, {len(configured)} services)"


def _check_data_dir(path: Path) -> None:
    """Exit 2 with one line unless the worker can keep its data in `path`."""
    if path.exists() and not path.is_dir():
        fail(f"--data-dir {path}: is a file, not a folder", 2)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"--data-dir {path}: cannot create it: {exc.strerror or exc}", 2)


def _check_port_free(host: str, port: int) -> None:
    """Exit 1 with one line if the web port is taken, before anything else starts."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            fail(f"--web-port {port}: cannot listen on {host}:{port}: {exc.strerror or exc}")


@cli.command()
def replay(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSONL file")],
    topic_prefix: Prefix = PREFIX,
    broker: Broker = BROKER,
    progress: Annotated[bool, typer.Option(help="show count, rate and time left on stderr")] = True,
) -> None:
    """Send every non-empty line of FILE as one event message, keyed by office."""
    from producers.replay import ReplayProgress, lines_of, send_lines

    from .topics import BrokerUnavailable, ensure_topics

    settings: KafkaSettings = settings_from(KafkaSettings, topic_prefix=topic_prefix, broker=broker)
    read = [0]
    shown = ReplayProgress(sys.stderr, file.stat().st_size, read) if progress else None
    try:
        with logs.quiet("kafka"):
            ensure_topics(settings)
        sent = send_lines(lines_of(file, read), settings, shown)
    except (BrokerUnavailable, RuntimeError) as exc:
        fail(str(exc))
    typer.echo(f"sent {sent} messages to {settings.events_topic}")


class CheckKind(StrEnum):
    STANDARDS = "standards"
    TOKENS = "tokens"
    EVENTS = "events"


@cli.command()
def check(
    kind: Annotated[CheckKind, typer.Argument(help="standards, tokens or events (JSONL)")],
    file: Annotated[Path, typer.Argument(help="the file to check")],
) -> None:
    """Check a file offline and print each problem with its line or path; exit 1 if any."""
    from . import check as checks

    if not file.is_file():
        fail(f"{file}: no such file", 2)
    if kind is CheckKind.EVENTS:
        try:
            data = file.read_bytes()
        except OSError as exc:
            fail(f"{file}: cannot read it: {exc.strerror or exc}", 2)
        problems = list(checks.check_events(data.splitlines()))
        what = f"{sum(1 for line in data.splitlines() if line.strip())} events"
    elif kind is CheckKind.STANDARDS:
        problems, what = list(checks.check_standards(file)), "standards file"
    else:
        problems, what = list(checks.check_tokens(file)), "tokens file"
    for problem in problems:
        typer.echo(f"{file}: {problem}")
    if problems:
        fail(f"{file}: {len(problems)} problem(s)")
    typer.echo(f"{file}: {what}, no problem")


class SchemaKind(StrEnum):
    EVENT = "event"
    STANDARDS = "standards"
    STATUS = "status"


@cli.command()
def schema(
    kind: Annotated[
        SchemaKind,
        typer.Argument(
            help="event (what counter systems send), standards (the standards "
            "file) or status (a record of <prefix>.office.status)"
        ),
    ] = SchemaKind.EVENT,
) -> None:
    """Print a JSON Schema: of events (the default), the standards file or status records."""
    from .schema import event_json_schema, standards_json_schema, status_json_schema

    make = {
        SchemaKind.EVENT: event_json_schema,
        SchemaKind.STANDARDS: standards_json_schema,
        SchemaKind.STATUS: status_json_schema,
    }[kind]
    json.dump(make(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


@cli.command()
def gateway(
    port: Annotated[
        int, env_option(GatewaySettings, "gateway_port", "port to listen on")
    ] = GATEWAY_PORT,
    host: Annotated[
        str, env_option(GatewaySettings, "gateway_host", "address to listen on")
    ] = GATEWAY_HOST,
    tokens: Annotated[
        Path | None, env_option(GatewaySettings, "tokens", "YAML file: bearer token -> offices")
    ] = None,
    max_body: Annotated[
        int, env_option(GatewaySettings, "gateway_max_body", "largest body in bytes")
    ] = GATEWAY_MAX_BODY,
    topic_prefix: Prefix = PREFIX,
    broker: Broker = BROKER,
    log_level: Annotated[LogLevel, typer.Option(help="uvicorn log level")] = LogLevel.INFO,
    log_format: LogFormatOption = LogFormat.TEXT,
) -> None:
    """Accept events over HTTP (POST /v1/events, bearer tokens) and send them to Kafka."""
    import uvicorn

    from producers.gateway import create_gateway, server_options
    from producers.tokens import TokensError, load_tokens

    settings: GatewaySettings = settings_from(
        GatewaySettings, gateway_port=port, gateway_host=host, tokens=tokens,
        gateway_max_body=max_body, topic_prefix=topic_prefix, broker=broker,
    )  # fmt: skip
    if settings.tokens is None:
        fail("no tokens file: give --tokens PATH or set PANTAU_TOKENS", 2)
    try:
        table = load_tokens(settings.tokens)
    except TokensError as exc:
        fail(str(exc), 2)
    app = create_gateway(settings, table)
    logs.configure(log_level.value, log_format)
    logs.startup(
        "gateway", broker=settings.broker, topic_prefix=settings.topic_prefix,
        listening=f"{settings.gateway_host}:{settings.gateway_port}",
    )  # fmt: skip
    uvicorn.run(
        app, **server_options(settings), log_level=log_level.value,
        log_config=logs.logging_config(log_level.value, log_format),
    )  # fmt: skip


@cli.command()
def simulate(
    standards: Annotated[
        Path | None, env_option(SimulateSettings, "standards", "service standards YAML")
    ] = None,
    offices: Annotated[
        list[str] | None,
        typer.Option(help="offices to simulate (repeat, or comma-separated); default: the file's"),
    ] = None,
    offices_count: Annotated[
        int | None,
        typer.Option(min=1, help="simulate N synthetic offices office-001… instead"),
    ] = None,
    speed: Annotated[
        str, typer.Option(help="simulated seconds per second (60: a minute a second), or max")
    ] = "max",
    seed: Annotated[int, typer.Option(help="the same seed gives the same events")] = 0,
    duration: Annotated[
        str, typer.Option(help="simulated time from the first day's opening: 1d, 3d, 8h, 90m")
    ] = "1d",
    date: Annotated[
        str | None,
        typer.Option(
            help="first day, YYYY-MM-DD [default: the latest day whose run stays behind "
            "the wall clock]"
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="write JSONL to this file instead of sending to Kafka")
    ] = None,
    spool: Annotated[
        Path, env_option(SimulateSettings, "spool_path", "the client's spool file")
    ] = SIMULATE_SPOOL,
    progress: Annotated[
        bool, typer.Option(help="show the simulated clock and the count on stderr")
    ] = True,
    topic_prefix: Prefix = PREFIX,
    broker: Broker = BROKER,
) -> None:
    """Simulate office days (arrivals, counters, breaks, feedback) as contract events."""
    import sqlite3
    import time
    import zoneinfo
    from datetime import date as Date

    from producers.client import CounterClient
    from producers.simulator import (
        DEFAULT_TIMEZONE,
        RunClock,
        day_start,
        latest_first_day,
        plan_offices,
        simulate_timed,
    )
    from producers.sinks import ClientSink, FileSink, LineProgress, pump
    from producers.spool import SpoolBusy

    from .events import ID_PATTERN
    from .standards import Standards, StandardsError, load_standards

    settings: SimulateSettings = settings_from(
        SimulateSettings, standards=standards, spool_path=spool, topic_prefix=topic_prefix,
        broker=broker,
    )  # fmt: skip
    try:
        rules = load_standards(settings.standards) if settings.standards else Standards.empty()
    except StandardsError as exc:
        fail(str(exc), 2)
    tz_name = rules.timezone or DEFAULT_TIMEZONE
    tz = zoneinfo.ZoneInfo(tz_name)
    seconds = _sim_duration(duration)
    rate = _sim_speed(speed)
    try:
        # By default the run starts far enough in the past that no event is ahead of the
        # wall clock when it is sent (a file is replayed at once, later).
        first_day = (
            Date.fromisoformat(date)
            if date
            else latest_first_day(time.time(), seconds, rate if out is None else None, tz_name)
        )
    except ValueError:
        fail(f"--date: {date!r} is not a date YYYY-MM-DD", 2)
    names = [name.strip() for item in offices or [] for name in item.split(",") if name.strip()]
    for name in names:
        if not re.fullmatch(ID_PATTERN, name):
            fail(f"--offices: {name!r} is not an office id (must match {ID_PATTERN})", 2)
    if out is not None and not out.parent.is_dir():
        fail(f"--out {out}: the folder {out.parent} does not exist", 2)
    plans = plan_offices(rules, names or None, offices_count)
    begin = day_start(first_day, tz_name)
    days = max(1, -(-int(seconds) // 86400))
    timed = simulate_timed(
        plans, start=first_day, days=days, seed=seed, timezone=tz_name, until=begin + seconds
    )
    run = RunClock.of(first_day, days, tz_name, until=begin + seconds, speed=rate)
    shown = LineProgress(sys.stderr, tz, run) if progress else None
    if out is not None:
        with FileSink(out) as file_sink:
            count = pump(timed, file_sink, rate, shown)
        typer.echo(f"wrote {count} events for {len(plans)} office(s) to {out}")
        return
    # The command reports what is left in the spool itself and waits when it is full; while
    # Kafka is away the progress line shows the events waiting, not kafka-python's retries.
    logging.getLogger("pantau.client").setLevel(logging.ERROR)
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    try:
        client = CounterClient(settings)
    except (SpoolBusy, OSError, sqlite3.Error) as exc:
        fail(f"cannot open the spool {settings.spool_path}: {exc}")
    with client:
        # an event of a --date that is still ahead waits for the wall clock to reach it
        count = pump(timed, ClientSink(client), rate, shown, not_after=time.time)
        delivered = client.close(timeout=max(60.0, settings.send_timeout * 2))
    if not delivered:
        fail(
            f"Kafka at {settings.broker} did not take every event: {client.pending} wait in "
            f"the spool {settings.spool_path} and are sent by the next run"
        )
    typer.echo(f"sent {count} events for {len(plans)} office(s) to {settings.events_topic}")


class Lang(StrEnum):
    ID = "id"
    EN = "en"


@cli.command()
def staffing(
    standards: Annotated[Path | None, typer.Option(help="service standards YAML")] = None,
    office: Annotated[str | None, typer.Option(help="the office id")] = None,
    events: Annotated[
        Path | None, typer.Option(help="a recorded day: events JSONL, replayed through the core")
    ] = None,
    prometheus: Annotated[
        str | None, typer.Option(help="a Prometheus that scrapes the workers, http://HOST:PORT")
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            help="the day, YYYY-MM-DD, in the office's zone [default: every day of --events; "
            "today with --prometheus]"
        ),
    ] = None,
    csv: Annotated[bool, typer.Option("--csv", help="CSV on stdout instead of a table")] = False,
    lang: Annotated[Lang, typer.Option(help="language of the table: id or en")] = Lang.ID,
) -> None:
    """Counters needed per hour and service against the counters open, for the roster."""
    import time
    from datetime import date as Date
    from datetime import datetime

    from . import staffing as plan
    from .standards import StandardsError, load_standards

    if standards is None:
        fail("give the standards file: --standards FILE", 2)
    if office is None:
        fail("give the office: --office ID", 2)
    if (events is None) == (prometheus is None):
        fail("give one of --events FILE.jsonl or --prometheus URL", 2)
    try:
        rules = load_standards(standards)
    except StandardsError as exc:
        fail(str(exc), 2)
    try:
        day = Date.fromisoformat(date) if date else None
    except ValueError:
        fail(f"--date: {date!r} is not a date YYYY-MM-DD", 2)
    zone = rules.zone_of(office)
    known = plan.is_configured(rules, office)
    if events is not None:
        try:
            data = events.read_bytes()
        except OSError as exc:
            fail(f"cannot read {events}: {exc.strerror or exc}", 2)
        done = plan.replay(data.splitlines(), rules, office)
        if not known and not done.seen:
            fail(f"unknown office {office!r}: not in {standards} and no event of it in {events}", 2)
        if done.malformed:
            typer.echo(f"pantau: {done.malformed} malformed line(s) in {events} skipped", err=True)
        rows = list(done.rows if day is None else plan.rows_of_day(done.rows, day))
    else:
        assert prometheus is not None
        day = day or datetime.now(zone).date()
        hours = plan.hour_ends(day, zone, time.time())
        rows, seen = [], False
        if hours is not None:
            answers = _query_range(prometheus, plan.prometheus_queries(office), *hours)
            try:
                rows = plan.prometheus_rows(answers, zone, plan.service_order(rules, office, ()))
                seen = any(plan.parse_matrix(answer) for answer in answers.values())
            except plan.PrometheusAnswerError as exc:
                fail(f"Prometheus at {prometheus}: {exc}")
        if not known and not seen:
            fail(f"unknown office {office!r}: not in {standards} and no series of it in "
                 f"Prometheus at {prometheus} on {day}", 2)  # fmt: skip
    name = rules.office_name(office)
    title = f"{name} ({office})" if name else office
    if not rows:
        typer.echo(plan.render_empty(title, day, lang), err=csv, nl=False)
        if csv:
            sys.stdout.write(plan.render_csv([], office))
        return
    sys.stdout.write(plan.render_csv(rows, office) if csv else plan.render_table(rows, title, lang))


@cli.command()
def report(
    standards: Annotated[Path | None, typer.Option(help="service standards YAML")] = None,
    office: Annotated[
        list[str] | None, typer.Option(help="the office id (repeat, or comma-separated)")
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(help="2026-11 (month), 2026-Q4 (quarter), 2026-S2 (semester) or 2026 (year)"),
    ] = None,
    from_: Annotated[
        str | None, typer.Option("--from", help="first day, YYYY-MM-DD, in the office's zone")
    ] = None,
    to: Annotated[str | None, typer.Option(help="last day, YYYY-MM-DD (included)")] = None,
    events: Annotated[
        Path | None, typer.Option(help="a recorded export: events JSONL, replayed through the core")
    ] = None,
    prometheus: Annotated[
        str | None, typer.Option(help="a Prometheus that scrapes the workers, http://HOST:PORT")
    ] = None,
    format_: Annotated[
        str, typer.Option("--format", help="any of html,pdf,csv,xlsx (comma-separated)")
    ] = "html,pdf,csv,xlsx",
    lang: Annotated[Lang, typer.Option(help="language of the report: id or en")] = Lang.ID,
    out: Annotated[Path, typer.Option(help="folder to write the reports to")] = Path("."),
) -> None:
    """The SKM survey and service-standard evaluation of offices for a period (docs/reports.md)."""
    from .report import periods
    from .report.render import FORMATS, write
    from .staffing import is_configured
    from .standards import StandardsError, load_standards

    if standards is None:
        fail("give the standards file: --standards FILE", 2)
    names = [n.strip() for item in office or [] for n in item.split(",") if n.strip()]
    if not names:
        fail("give the office: --office ID", 2)
    if (events is None) == (prometheus is None):
        fail("give one of --events FILE.jsonl or --prometheus URL", 2)
    formats = [f.strip().lower() for f in format_.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        fail(f"--format: {','.join(unknown) or format_!r} is not one of {','.join(FORMATS)}", 2)
    try:
        if period is not None and (from_ is not None or to is not None):
            fail("give --period or --from/--to, not both", 2)
        if period is not None:
            chosen = periods.parse_period(period)
        elif from_ is not None and to is not None:
            chosen = periods.parse_days(from_, to)
        else:
            fail(f"give the period: --period ({periods.PERIOD_HELP}) or --from and --to", 2)
    except periods.PeriodError as exc:
        fail(f"period: {exc}", 2)
    try:
        rules = load_standards(standards)
    except StandardsError as exc:
        fail(str(exc), 2)
    if events is not None:
        from .report.build import reports_from_events

        try:
            data = events.read_bytes()
        except OSError as exc:
            fail(f"cannot read {events}: {exc.strerror or exc}", 2)
        reports, seen, malformed = reports_from_events(
            data.splitlines(), rules, names, chosen, events.name
        )
        for name in names:
            if not is_configured(rules, name) and not seen[name].events:
                fail(
                    f"unknown office {name!r}: not in {standards} and no event of it in {events}", 2
                )
        if malformed:
            typer.echo(f"pantau: {malformed} malformed line(s) in {events} skipped", err=True)
    else:
        from .report import prometheus as prom

        assert prometheus is not None
        try:
            reports = prom.reports_from_prometheus(prometheus, rules, names, chosen)
        except prom.PrometheusError as exc:
            fail(str(exc))
        for rep in reports:
            if not is_configured(rules, rep.office) and rep.current.empty and not rep.has_previous:
                fail(f"unknown office {rep.office!r}: not in {standards} and no series of it in "
                     f"Prometheus at {prometheus}", 2)  # fmt: skip
    for rep in reports:
        for note in rep.notes:
            if note[0] in ("no_data", "no_data_all"):
                typer.echo(f"pantau: {rep.office}: {rep.word(note, 'en')}", err=True)
        try:
            written = write(rep, formats, lang.value, out)
        except OSError as exc:
            fail(f"cannot write to {out}: {exc.strerror or exc}")
        for path in written:
            typer.echo(str(path))


def _query_range(url: str, queries: dict[str, str], start: float, end: float) -> dict[str, Any]:
    """Each query's answer from Prometheus's /api/v1/query_range, at a step of an hour."""
    import httpx

    answers: dict[str, Any] = {}
    base = url.rstrip("/")
    try:
        with httpx.Client(timeout=30.0) as client:
            for name, query in queries.items():
                params: dict[str, str | float] = {"query": query, "start": start, "end": end}
                params["step"] = 3600.0
                reply = client.get(f"{base}/api/v1/query_range", params=params)
                try:
                    answers[name] = reply.json()
                except ValueError:
                    fail(f"Prometheus at {url} answered HTTP {reply.status_code}, not JSON: "
                         "is it a Prometheus?")  # fmt: skip
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        fail(
            f"cannot reach Prometheus at {url}: {' '.join(str(exc).split()) or type(exc).__name__}"
        )
    return answers


MAX_SIMULATED_DAYS = 366  # a year of office days is already millions of events


def _sim_duration(text: str) -> float:
    from .standards import parse_duration

    try:
        if text.endswith("d") and text[:-1].isdigit() and int(text[:-1]) > 0:
            seconds = int(text[:-1]) * 86400.0
        else:
            seconds = parse_duration(text)
    except ValueError as exc:
        fail(f"--duration: {exc}; or a number of days such as 2d", 2)
    if seconds > MAX_SIMULATED_DAYS * 86400:
        fail(f"--duration: {text} is more than {MAX_SIMULATED_DAYS} days", 2)
    return seconds


def _sim_speed(text: str) -> float | None:
    if text == "max":
        return None
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        fail(f"--speed: {text!r} is not a positive number or max", 2)
    return value


#: The extra of pyproject.toml that brings what each subcommand imports beyond the base.
EXTRAS = {
    "worker": "worker",
    "gateway": "gateway",
    "replay": "client",
    "simulate": "client",
    "staffing": "report",
    "report": "report",
}


def main() -> None:
    try:
        cli()
    except ModuleNotFoundError as exc:  # an extra not installed: one line that names it
        command = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), "")
        module = (exc.name or "").partition(".")[0]
        if command not in EXTRAS or module in ("", "pantau", "streams", "producers"):
            raise
        typer.echo(
            f"pantau: error: {command} needs {module}, which is not installed: "
            f"pip install 'pantau[{EXTRAS[command]}]'",
            err=True,
        )
        sys.exit(1)
