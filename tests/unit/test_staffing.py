"""`pantau staffing`: hourly counters needed against open, from a recorded day or Prometheus."""

from __future__ import annotations

import csv
import io
import math
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest
from typer.testing import CliRunner

from pantau import staffing
from pantau.cli import cli
from pantau.erlang import Demand, counters_needed, pooled_counters_needed
from pantau.standards import load_standards, parse_standards
from producers.simulator import simulate_events
from streams.core.forecast import HANDLE_ALPHA
from streams.core.partition import PartitionState
from tests.support import FIXTURES

ZONE = ZoneInfo("Asia/Jakarta")
DAY = "2026-11-23"
STANDARDS_TEXT = """\
timezone: Asia/Jakarta
offices:
  kantor-uji:
    name: Kantor Uji
    services:
      a: {max_wait: 10m, max_processing: 5m, target: 0.8}
      b: {max_wait: 20m, max_processing: 15m, target: 0.9}
"""
STANDARDS = parse_standards(STANDARDS_TEXT, "test")
A, B = STANDARDS.lookup("kantor-uji", "a"), STANDARDS.lookup("kantor-uji", "b")
MEDAN = FIXTURES / "mpp-medan-day.standards.yaml"


def event(kind: str, at: str, office: str = "kantor-uji", **fields: str) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()), "type": kind, "occurred_at": f"{DAY}T{at}+07:00",
        "office": office, **fields,
    }  # fmt: skip


def visit(ticket: str, service: str, issued: str, counter: str, called: str, done: str) -> list:
    return [
        event("ticket.issued", issued, ticket=ticket, service=service),
        event("ticket.called", called, ticket=ticket, counter=counter),
        event("service.completed", done, ticket=ticket, counter=counter),
    ]


def hand_made_day() -> list[dict[str, Any]]:
    """Two counters and two services over two hours (see the expectations below)."""
    late = [  # 30 more tickets for `a` in the second hour, left waiting
        event("ticket.issued", f"09:{20 + i // 3:02d}:{i % 3 * 20:02d}", ticket=f"A{100 + i}",
              service="a")
        for i in range(30)
    ]  # fmt: skip
    issued_b1 = event("ticket.issued", "08:40:00", ticket="B001", service="b")
    return [
        event("counter.opened", "08:00:00", counter="loket-1"),
        *visit("A001", "a", "08:05:00", "loket-1", "08:06:00", "08:10:00"),  # 240 s at it
        event("ticket.issued", "08:20:00", ticket="A002", service="a"),
        issued_b1,
        issued_b1,  # a duplicate changes nothing
        event("counter.opened", "08:45:00", counter="loket-2"),
        event("ticket.called", "08:46:00", ticket="B001", counter="loket-2"),
        event("service.completed", "08:56:00", ticket="B001", counter="loket-2"),  # 600 s
        event("ticket.called", "09:00:30", ticket="A002", counter="loket-1"),
        event("service.completed", "09:05:30", ticket="A002", counter="loket-1"),  # 300 s
        *visit("B002", "b", "09:10:00", "loket-2", "09:12:00", "09:22:00"),  # 600 s
        event("ticket.issued", "09:15:00", ticket="B003", service="b"),
        *late,
        event("counter.paused", "09:30:00", counter="loket-2"),
        event("ticket.issued", "09:40:00", ticket="X001", service="a", office="kantor-lain"),
        event("counter.closed", "10:00:00", counter="loket-1"),
    ]


def lines_of(events: list[dict[str, Any]]) -> list[bytes]:
    return [orjson.dumps(e) for e in events]


# (hour, issued a, issued b, counters open, serving a, serving b, cycle a, cycle b)
HOURS = [
    # loket-1 open all hour, loket-2 from 08:45: 1 + 15/60; loket-1 serves `a` from its
    # call at 08:06 (54 minutes), loket-2 serves `b` from 08:46 (14 minutes)
    (8, 2, 1, 1.25, 54 / 60, 14 / 60, 240.0, 600.0),
    # loket-1 all hour, loket-2 until its pause at 09:30: 1 + 30/60 (one and a half)
    (9, 30, 2, 1.5, 1.0, 0.5, 240.0 + HANDLE_ALPHA * (300.0 - 240.0), 600.0),
]


@pytest.fixture(scope="module")
def replayed() -> staffing.Replayed:
    lines = lines_of(hand_made_day())
    lines.insert(3, b"{not json")
    lines.insert(5, b"")
    return staffing.replay(lines, STANDARDS, "kantor-uji")


def test_the_hand_made_day_has_its_two_hours(replayed: staffing.Replayed) -> None:
    assert [row.start for row in replayed.rows] == [
        datetime(2026, 11, 23, hour, tzinfo=ZONE) for hour, *_ in HOURS
    ]
    assert replayed.seen and replayed.malformed == 1 and replayed.rejected == 0
    assert [[s.service for s in row.services] for row in replayed.rows] == [["a", "b"]] * 2


@pytest.mark.parametrize(
    ("hour", "issued_a", "issued_b", "opened", "serving_a", "serving_b", "cycle_a", "cycle_b"),
    HOURS,
)
def test_hourly_rows(
    replayed: staffing.Replayed,
    hour: int,
    issued_a: int,
    issued_b: int,
    opened: float,
    serving_a: float,
    serving_b: float,
    cycle_a: float,
    cycle_b: float,
) -> None:
    [row] = [r for r in replayed.rows if r.start.hour == hour]
    a, b = row.services
    assert (a.issued, b.issued, row.issued) == (issued_a, issued_b, issued_a + issued_b)
    assert row.open == pytest.approx(opened)
    assert (a.serving, b.serving) == (pytest.approx(serving_a), pytest.approx(serving_b))
    assert a.needed == counters_needed(issued_a / 3600, cycle_a, A.target, A.max_wait)
    assert b.needed == counters_needed(issued_b / 3600, cycle_b, B.target, B.max_wait)
    assert row.needed == pooled_counters_needed(
        [
            Demand(issued_a / 3600, cycle_a, A.target, A.max_wait),
            Demand(issued_b / 3600, cycle_b, B.target, B.max_wait),
        ]
    )
    assert row.short == max(0, math.ceil(row.needed - opened))


def test_the_busy_hour_needs_more_than_one_counter(replayed: staffing.Replayed) -> None:
    quiet, busy = replayed.rows
    assert quiet.needed == 1 and busy.services[0].needed > 1 and busy.short > 0


@pytest.mark.parametrize(("day", "hours"), [(date(2026, 11, 23), [8, 9]), (date(2026, 11, 24), [])])
def test_rows_of_day(replayed: staffing.Replayed, day: date, hours: list[int]) -> None:
    assert [r.start.hour for r in staffing.rows_of_day(replayed.rows, day)] == hours


def test_an_office_not_in_the_file_is_not_seen() -> None:
    done = staffing.replay(lines_of(hand_made_day()), STANDARDS, "kantor-entah")
    assert done == staffing.Replayed((), False, 0, 0)


@pytest.mark.parametrize(("target", "goal"), [(1.0, 0.999), (0.0, 0.001), (0.85, 0.85)])
def test_targets_of_0_and_1_still_give_a_number(target: float, goal: float) -> None:
    rules = parse_standards(f"defaults: {{target: {target}}}\n", "t")
    day = [
        event("counter.opened", "08:00:00", counter="k1"),
        *visit("A001", "a", "08:01:00", "k1", "08:02:00", "08:07:00"),
    ]
    [row] = staffing.replay(lines_of(day), rules, "kantor-uji").rows
    standard = rules.lookup("kantor-uji", "a")
    assert row.services[0].needed == counters_needed(1 / 3600, 300.0, goal, standard.max_wait)


def test_the_table_and_the_csv_of_the_hand_made_day(replayed: staffing.Replayed) -> None:
    table = staffing.render_table(replayed.rows, "Kantor Uji (kantor-uji)", "id")
    lines = table.splitlines()
    assert lines[0].startswith(
        "Kebutuhan loket per jam — Kantor Uji (kantor-uji), Senin 2026-11-23"
    )
    [eight] = [line for line in lines if line.startswith("08:00-09:00")]
    assert eight.split() == ["08:00-09:00", "1/0.9", "1/0.2", "3", "1/1.2"]
    [nine] = [line for line in lines if line.startswith("09:00-10:00")]
    short = replayed.rows[1].short
    assert nine.endswith(f"/1.5  kurang {short}")
    assert lines[-1] == f"Jam kurang loket: 09:00 (kurang {short})."
    english = staffing.render_table(replayed.rows, "Kantor Uji", "en")
    assert "short by" in english and english.startswith("Counters needed per hour")
    rows = list(csv.DictReader(io.StringIO(staffing.render_csv(replayed.rows, "kantor-uji"))))
    assert [(r["hour"], r["service"]) for r in rows] == [
        ("08:00", "a"), ("08:00", "b"), ("08:00", "_office"),
        ("09:00", "a"), ("09:00", "b"), ("09:00", "_office"),
    ]  # fmt: skip
    assert rows[2] == {
        "office": "kantor-uji", "date": "2026-11-23", "hour": "08:00", "service": "_office",
        "tickets_issued": "3", "counters_needed": "1", "counters_serving": "",
        "counters_open": "1.25", "short_by": "0",
    }  # fmt: skip
    assert rows[0]["counters_serving"] == "0.90" and rows[0]["counters_open"] == ""


def test_counters_serving_is_the_cores() -> None:
    rules = load_standards(MEDAN)
    partition = PartitionState(rules)
    events = list(simulate_events(rules, ["mpp-medan"], days=1, seed=2))
    compared = 0
    for offset, item in enumerate(events):
        state = partition.handle(orjson.dumps(item), offset, [])
        if state is None or offset % 25:
            continue
        outlook, _ = state.outlook(state.watermark)
        core = {s: o.counters_serving for s, o in outlook.items() if o.counters_serving}
        assert staffing.counters_serving(state) == pytest.approx(core)
        compared += bool(core)
    assert compared > 10


# --- the command, on a simulated day -------------------------------------------------------


@pytest.fixture(scope="module")
def simulated_day(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rules = load_standards(MEDAN)
    path = tmp_path_factory.mktemp("day") / "day.jsonl"
    events = simulate_events(rules, ["mpp-medan"], days=1, seed=5)
    path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
    return path


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, ["staffing", "--standards", str(MEDAN), *args])


def test_the_command_prints_the_morning_hours(simulated_day: Path) -> None:
    done = run("--office", "mpp-medan", "--events", str(simulated_day))
    assert done.exit_code == 0, done.stderr
    assert done.stderr == ""
    out = done.stdout
    assert out.startswith("Kebutuhan loket per jam — Mpp Medan (mpp-medan), Senin 2026-11-23")
    for hour in ("08:00-09:00", "09:00-10:00", "10:00-11:00", "11:00-12:00"):
        assert f"\n{hour} " in out
    assert "kantor" in out.splitlines()[3] and "ktp-el" in out.splitlines()[3]
    english = run("--office", "mpp-medan", "--events", str(simulated_day), "--lang", "en")
    assert english.exit_code == 0 and english.stdout.startswith("Counters needed per hour")
    assert "\n08:00-09:00 " in english.stdout


def test_the_csv_has_the_documented_columns(simulated_day: Path) -> None:
    done = run("--office", "mpp-medan", "--events", str(simulated_day), "--csv")
    assert done.exit_code == 0, done.stderr
    reader = csv.DictReader(io.StringIO(done.stdout))
    rows = list(reader)
    assert tuple(reader.fieldnames or ()) == staffing.CSV_COLUMNS
    offices = [r for r in rows if r["service"] == staffing.OFFICE_ROW]
    assert {r["hour"] for r in offices} >= {"08:00", "09:00", "10:00", "11:00"}
    assert len({r["hour"] for r in rows}) == len(offices)  # one office row per hour
    configured = {s for _, s in load_standards(MEDAN).configured()}
    assert {r["service"] for r in rows} - {staffing.OFFICE_ROW} <= configured
    issued_events = sum(
        1 for line in simulated_day.read_bytes().splitlines() if b'"ticket.issued"' in line
    )
    assert sum(int(r["tickets_issued"]) for r in offices) == issued_events
    for office_row in offices:
        hour = [r for r in rows if r["hour"] == office_row["hour"]]
        services = [r for r in hour if r["service"] != staffing.OFFICE_ROW]
        assert sum(int(r["tickets_issued"]) for r in services) == int(office_row["tickets_issued"])
        assert int(office_row["counters_needed"]) <= sum(
            int(r["counters_needed"]) for r in services
        )
        assert office_row["counters_serving"] == "" and float(office_row["counters_open"]) >= 0
        short = max(
            0,
            math.ceil(
                int(office_row["counters_needed"]) - float(office_row["counters_open"]) - 1e-9
            ),
        )
        assert int(office_row["short_by"]) == short


def test_the_date_picks_the_day(simulated_day: Path) -> None:
    same = run("--office", "mpp-medan", "--events", str(simulated_day), "--date", DAY, "--csv")
    whole = run("--office", "mpp-medan", "--events", str(simulated_day), "--csv")
    assert same.stdout == whole.stdout


@pytest.mark.parametrize(
    ("args", "out", "err"),
    [
        (["--lang", "id"], "Tidak ada tiket dan tidak ada loket buka untuk Mpp Medan "
         "(mpp-medan) pada 2026-11-24.\n", ""),
        (["--lang", "en"], "No tickets and no counter open for Mpp Medan (mpp-medan) on "
         "2026-11-24.\n", ""),
        (["--csv"], ",".join(staffing.CSV_COLUMNS) + "\n", "Tidak ada tiket"),
    ],
)  # fmt: skip
def test_an_empty_day_says_so(simulated_day: Path, args: list[str], out: str, err: str) -> None:
    done = run("--office", "mpp-medan", "--events", str(simulated_day), "--date", "2026-11-24",
               *args)  # fmt: skip
    assert done.exit_code == 0
    assert done.stdout == out and done.stderr.startswith(err)


def test_an_office_in_the_events_but_not_the_standards_is_known(tmp_path: Path) -> None:
    path = tmp_path / "day.jsonl"
    path.write_bytes(b"\n".join(lines_of(hand_made_day())))
    done = run("--office", "kantor-lain", "--events", str(path))
    assert done.exit_code == 0, done.stderr
    assert done.stdout.startswith("Kebutuhan loket per jam — kantor-lain, Senin 2026-11-23")


def test_malformed_lines_are_counted_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "day.jsonl"
    path.write_bytes(b"\n".join([b"{oops", *lines_of(hand_made_day()), b"[]"]) + b"\n")
    done = CliRunner().invoke(
        cli, ["staffing", "--standards", str(tmp_path / "s.yaml"), "--office", "kantor-uji",
              "--events", str(path)],
    )  # fmt: skip
    assert done.exit_code == 2  # the standards file is missing: said first
    (tmp_path / "s.yaml").write_text(STANDARDS_TEXT)
    done = CliRunner().invoke(
        cli, ["staffing", "--standards", str(tmp_path / "s.yaml"), "--office", "kantor-uji",
              "--events", str(path)],
    )  # fmt: skip
    assert done.exit_code == 0
    assert done.stderr == f"pantau: 2 malformed line(s) in {path} skipped\n"
    assert "\n08:00-09:00 " in done.stdout and "\n09:00-10:00 " in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--office", "kantor-entah", "--events", "{day}"],
         "unknown office 'kantor-entah': not in {standards} and no event of it in {day}"),
        (["--office", "mpp-medan", "--events", "{tmp}/missing.jsonl"],
         "cannot read {tmp}/missing.jsonl: No such file or directory"),
        (["--office", "mpp-medan", "--events", "{tmp}"], "cannot read {tmp}: Is a directory"),
        (["--office", "mpp-medan"], "give one of --events FILE.jsonl or --prometheus URL"),
        (["--office", "mpp-medan", "--events", "{day}", "--prometheus", "http://127.0.0.1:9"],
         "give one of --events FILE.jsonl or --prometheus URL"),
        (["--events", "{day}"], "give the office: --office ID"),
        (["--office", "mpp-medan", "--events", "{day}", "--date", "23/11/2026"],
         "--date: '23/11/2026' is not a date YYYY-MM-DD"),
    ],
)  # fmt: skip
def test_errors_are_one_line_and_exit_2(
    simulated_day: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    names = {"day": str(simulated_day), "tmp": str(tmp_path), "standards": str(MEDAN)}
    done = run(*(a.format(**names) for a in args))
    assert done.exit_code == 2
    assert done.stderr == f"pantau: error: {message.format(**names)}\n"


def test_a_prometheus_that_cannot_be_reached_is_one_line() -> None:
    done = run("--office", "mpp-medan", "--prometheus", "127.0.0.1:9090", "--date", DAY)
    assert done.exit_code == 1
    [line] = done.stderr.splitlines()
    assert line.startswith("pantau: error: cannot reach Prometheus at 127.0.0.1:9090: ")


# --- the Prometheus mode's answers ---------------------------------------------------------


def hour_end(hour: int) -> float:
    return datetime(2026, 11, 23, hour, tzinfo=ZONE).timestamp()


def matrix(*series: tuple[dict[str, str], list[tuple[int, str]]]) -> dict[str, Any]:
    """A /api/v1/query_range answer, as Prometheus documents it (values are strings)."""
    return {
        "status": "success",
        "data": {
            "resultType": "matrix",
            "result": [
                {"metric": metric, "values": [[hour_end(h), v] for h, v in values]}
                for metric, values in series
            ],
        },
    }


def recorded_answers() -> dict[str, Any]:
    o = {"office": "mpp-medan"}
    return {
        "needed": matrix(
            ({**o, "service": "paspor"}, [(9, "2"), (10, "3"), (11, "0")]),
            ({**o, "service": "ktp-el"}, [(9, "1"), (10, "1"), (11, "NaN")]),
        ),
        "serving": matrix(
            ({**o, "service": "paspor"}, [(9, "0.5"), (10, "1.75"), (11, "0")]),
            ({**o, "service": "ktp-el"}, [(9, "1"), (10, "1.25")]),
        ),
        "issued": matrix(
            ({**o, "service": "paspor"}, [(9, "7.5"), (10, "12"), (11, "0")]),
            ({**o, "service": "ktp-el"}, [(9, "3"), (10, "4.000000001"), (11, "0")]),
        ),
        "office_needed": matrix(({}, [(9, "3"), (10, "4"), (11, "0")])),
        "open": matrix(({}, [(9, "1.5"), (10, "3"), (11, "0")])),
    }


def test_rows_from_a_recorded_prometheus_answer() -> None:
    rows = staffing.prometheus_rows(recorded_answers(), ZONE, ["ktp-el", "kk", "paspor"])
    assert [row.start for row in rows] == [  # the value at 09:00 is the hour 08:00-09:00
        datetime(2026, 11, 23, 8, tzinfo=ZONE),
        datetime(2026, 11, 23, 9, tzinfo=ZONE),
    ]
    first, second = rows
    assert first.services == (
        staffing.ServiceHour("ktp-el", 3.0, 1, 1.0),
        staffing.ServiceHour("paspor", 7.5, 2, 0.5),
    )
    assert (first.needed, first.open, first.short, first.issued) == (3, 1.5, 2, 10.5)
    assert (second.needed, second.open, second.short) == (4, 3.0, 1)
    lines = staffing.render_table(rows, "Mpp Medan", "en").splitlines()
    assert lines[3].split() == ["hour", "ktp-el", "paspor", "tickets", "office"]
    assert lines[5].split() == [
        "08:00-09:00",
        "1/1.0",
        "2/0.5",
        "10.5",
        "3/1.5",
        "short",
        "by",
        "2",
    ]
    assert lines[6].split() == ["09:00-10:00", "1/1.2", "3/1.8", "16", "4/3.0", "short", "by", "1"]


def test_the_queries_select_the_office() -> None:
    queries = staffing.prometheus_queries("mpp-medan")
    assert set(queries) == {"needed", "serving", "issued", "office_needed", "open"}
    assert all('{office="mpp-medan"}[1h]' in q for q in queries.values())
    assert "max_over_time(pantau_counters_needed" in queries["needed"]
    assert "avg_over_time(pantau_counters_serving" in queries["serving"]
    assert "increase(pantau_tickets_issued_total" in queries["issued"]
    assert "max_over_time(pantau_office_counters_needed" in queries["office_needed"]
    assert "avg_over_time(pantau_counters_open" in queries["open"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"status": "error", "errorType": "bad_data", "error": "parse error at char 3"},
         "bad_data: parse error at char 3"),
        ({"status": "success", "data": {"resultType": "vector", "result": []}},
         "the answer is not a range query's matrix"),
        ({"status": "success", "data": {"resultType": "matrix", "result": [{"values": 3}]}},
         "unexpected shape of the matrix"),
        ([], "the answer is not a JSON object"),
    ],
)  # fmt: skip
def test_bad_answers_raise(body: Any, message: str) -> None:
    with pytest.raises(staffing.PrometheusAnswerError, match="^" + message.replace("(", r"\(")):
        staffing.parse_matrix(body)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-11-22T23:59:00", None),  # the day has not begun
        ("2026-11-23T00:00:00", (1, 1)),
        ("2026-11-23T09:30:00", (1, 10)),  # up to the end of the hour begun
        ("2026-11-24T03:00:00", (1, 24)),
    ],
)
def test_hour_ends(now: str, expected: tuple[int, int] | None) -> None:
    at = datetime.fromisoformat(now).replace(tzinfo=ZONE).timestamp()
    got = staffing.hour_ends(date(2026, 11, 23), ZONE, at)
    midnight = datetime(2026, 11, 23, tzinfo=ZONE).timestamp()
    assert got == (None if expected is None else tuple(midnight + 3600 * h for h in expected))
