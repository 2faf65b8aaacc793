"""The generated Grafana dashboards: up to date, complete, bilingual, and querying real metrics."""

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from dashboards import LANGS, panel_queries, render, stale_files, substitute
from dashboards.i18n import Lang, Text
from dashboards.panels import IKM_CATEGORIES, IKM_STEPS
from dashboards.texts import DASHBOARDS, PANELS, ROWS, UNITS, WORDS

REPO = Path(__file__).resolve().parents[2]
RECORDING_RULES = REPO / "deploy" / "prometheus" / "rules" / "recording.yml"

#: CONTRACT §5: the metrics the worker exposes.
CONTRACT_METRICS = {
    "pantau_events_consumed_total",
    "pantau_events_rejected_total",
    "pantau_events_parked",
    "pantau_tickets_issued_total",
    "pantau_wait_seconds",
    "pantau_wait_standard_total",
    "pantau_processing_seconds",
    "pantau_processing_standard_total",
    "pantau_tickets_closed_total",
    "pantau_transfers_total",
    "pantau_live_breaches_total",
    "pantau_queue_length",
    "pantau_waiting_over_standard",
    "pantau_waiting_near_standard",
    "pantau_oldest_wait_seconds",
    "pantau_counters_open",
    "pantau_counter_open_seconds_total",
    "pantau_counter_busy_seconds_total",
    "pantau_feedback_responses_total",
    "pantau_feedback_element_responses_total",
    "pantau_feedback_score_points_total",
    "pantau_standard_seconds",
    "pantau_standard_target_ratio",
    "pantau_office_open",
}

#: CONTRACT §5.1: the predictions, and the staffing gauges that go with them.
PREDICTION_METRICS = {
    "pantau_predicted_wait_seconds",
    "pantau_counters_needed",
    "pantau_office_counters_needed",
    "pantau_counters_serving",
    "pantau_wait_prediction_error_seconds",
}
HISTOGRAMS = {
    "pantau_wait_seconds",
    "pantau_processing_seconds",
    "pantau_wait_prediction_error_seconds",
}

#: Pipeline-health metrics of the worker and the gateway, and Prometheus' own series.
PIPELINE_METRICS = {
    "pantau_consumer_lag_messages",
    "pantau_partitions_assigned",
    "pantau_last_batch_timestamp_seconds",
    "pantau_gateway_requests_total",
    "pantau_gateway_events_total",
    "up",
    "ALERTS",
}

PROMQL_KEYWORDS = {"and", "or", "unless", "offset", "bool", "inf", "nan"}


def recorded_names() -> set[str]:
    """Names of the recording rules in deploy/prometheus/rules/recording.yml."""
    groups = yaml.safe_load(RECORDING_RULES.read_text(encoding="utf-8"))["groups"]
    return {rule["record"] for group in groups for rule in group["rules"]}


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads (histogram suffixes removed)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # string literals
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # range selectors
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\boffset\s+\S+", " ", text)
    words = re.findall(r"(?<![\w:.])([A-Za-z_:][\w:]*)(?![\w:])(?!\s*\()", text)
    names = set()
    for word in words:
        if word.lower() in PROMQL_KEYWORDS:
            continue
        base = re.sub(r"_(bucket|count|sum)$", "", word)
        names.add(base if base in HISTOGRAMS else word)
    return names


def boards(lang: Lang) -> dict[str, dict[str, Any]]:
    """The generated dashboards of `lang` as parsed JSON, by file name."""
    return {name: json.loads(text) for name, text in render(lang).items()}


def panels(board: dict[str, Any]) -> list[dict[str, Any]]:
    """The panels of a dashboard, rows left out."""
    return [panel for panel in board["panels"] if panel["type"] != "row"]


def test_committed_json_is_what_the_code_generates() -> None:
    stale = stale_files()
    assert not stale, f"out of date: {[str(p) for p in stale]}; run: python -m dashboards"


@pytest.mark.parametrize("lang", LANGS)
def test_every_panel_has_title_description_and_query(lang: Lang) -> None:
    for name, board in boards(lang).items():
        assert panels(board), name
        for panel in panels(board):
            where = f"{name} panel {panel['id']}"
            assert panel.get("title", "").strip(), where
            assert panel.get("description", "").strip(), where
            assert panel["targets"], where
            for target in panel["targets"]:
                assert target["expr"].strip(), where
                assert target["datasource"] == {"type": "prometheus", "uid": "${datasource}"}


@pytest.mark.parametrize("lang", LANGS)
def test_every_dashboard_has_datasource_office_and_service_variables(lang: Lang) -> None:
    for name, board in boards(lang).items():
        variables = {v["name"]: v for v in board["templating"]["list"]}
        assert variables["datasource"]["type"] == "datasource", name
        assert variables["datasource"]["query"] == "prometheus", name
        for var in ("office", "service"):
            assert variables[var]["type"] == "query", name
            assert variables[var]["query"].startswith("label_values("), name
            assert f"{var})" in variables[var]["query"], name


def test_indonesian_and_english_sets_have_the_same_panels() -> None:
    def shape(board: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [
            (
                p["id"],
                p["type"],
                json.dumps(p["gridPos"]),
                [t["expr"] for t in p.get("targets", [])],
            )
            for p in board["panels"]
        ]

    indonesian, english = boards("id"), boards("en")
    assert indonesian.keys() == english.keys()
    for name in indonesian:
        assert shape(indonesian[name]) == shape(english[name]), name
        assert indonesian[name]["title"] != english[name]["title"], name
        assert indonesian[name]["uid"] != english[name]["uid"], name


def test_translation_table_is_complete_and_translated() -> None:
    texts: list[tuple[str, Text]] = []
    for key, entry in {**DASHBOARDS, **PANELS}.items():
        texts += [(f"{key}.title", entry.title), (f"{key}.description", entry.description)]
        assert entry.description.id != entry.description.en, f"{key} is not translated"
    texts += [*ROWS.items(), *WORDS.items(), *UNITS.items()]
    for key, text in texts:
        assert text.id.strip() and text.en.strip(), key


def test_every_panel_text_is_used() -> None:
    used = set()
    for board in boards("en").values():
        used |= {p["title"] for p in panels(board)}
    unused = [key for key, entry in PANELS.items() if entry.title.en not in used]
    assert not unused


def test_every_query_reads_known_metrics() -> None:
    known = CONTRACT_METRICS | PREDICTION_METRICS | PIPELINE_METRICS | recorded_names()
    for uid, title, expr in panel_queries("id"):
        names = metric_names(expr)
        assert names, f"{uid} / {title}: no metric in {expr}"
        unknown = names - known
        assert not unknown, f"{uid} / {title}: unknown metrics {unknown} in {expr}"


def test_metric_name_extraction() -> None:
    expr = (
        "histogram_quantile(0.5, sum by (le, counter) (rate(pantau_processing_seconds_bucket"
        '{office=~"$office", le!="1"}[1h]))) / 60 - (sum (up offset 1h) or vector(0))'
        " + office_service:pantau_wait_burn_rate:rate1h"
    )
    assert metric_names(expr) == {
        "pantau_processing_seconds",
        "up",
        "office_service:pantau_wait_burn_rate:rate1h",
    }


def test_every_query_parses(tmp_path: Path) -> None:
    """promtool parses each query (variables substituted) as the expression of a rule."""
    promtool = shutil.which("promtool")
    assert promtool, "promtool not found: apt-get install prometheus prometheus-alertmanager"
    rules = [
        {"record": f"dashboard_query_{i}", "expr": substitute(expr, office="mpp-medan.1")}
        for i, (_, _, expr) in enumerate(panel_queries("id"))
    ]
    path = tmp_path / "queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "queries", "rules": rules}]}))
    result = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_panel_queries_lists_every_query_of_both_languages() -> None:
    for lang in LANGS:
        queries = panel_queries(lang)
        count = sum(len(p["targets"]) for b in boards(lang).values() for p in panels(b))
        assert len(queries) == count
        assert {uid for uid, _, _ in queries} == {b["uid"] for b in boards(lang).values()}
    assert [q[2] for q in panel_queries("id")] == [q[2] for q in panel_queries("en")]


def test_substitute_replaces_every_variable() -> None:
    for _, _, expr in panel_queries("id"):
        assert "$" not in substitute(expr, office="mpp-medan", service="ktp-el")
    assert (
        substitute(
            'x{office=~"$office", service=~"${service}"}[$__rate_interval] offset $__range',
            office="a.b",
            range_="2h",
        )
        == 'x{office=~"a\\\\.b", service=~".*"}[1m] offset 2h'
    )
    with pytest.raises(KeyError):
        substitute("x[$__unknown]")


def test_ikm_categories_follow_the_contract() -> None:
    """A 88.31-100, B 76.61-88.30, C 65.00-76.60, D 25.00-64.99, at two decimals."""

    def category(value: float) -> str:
        rounded = round(value, 2)
        return next(w for low, high, w, _ in IKM_CATEGORIES if low <= rounded <= high)

    assert [category(v) for v in (100, 88.31, 88.30, 76.61, 76.60, 65.00, 64.99, 25)] == [
        "ikm_a",
        "ikm_a",
        "ikm_b",
        "ikm_b",
        "ikm_c",
        "ikm_c",
        "ikm_d",
        "ikm_d",
    ]
    lows = sorted(low for low, _, _, _ in IKM_CATEGORIES)
    assert [value for value, _ in IKM_STEPS.steps] == lows[1:]
    board = boards("id")["overview.json"]
    category_panel = next(p for p in panels(board) if p["title"] == "Mutu pelayanan")
    texts = [
        m["options"]["result"]["text"]
        for m in category_panel["fieldConfig"]["defaults"]["mappings"]
    ]
    assert texts == ["A · Sangat Baik", "B · Baik", "C · Kurang Baik", "D · Tidak Baik"]


def test_region_view_shows_every_office_side_by_side_ranked_by_compliance_today() -> None:
    for lang in LANGS:
        board = boards(lang)["region.json"]
        office = next(v for v in board["templating"]["list"] if v["name"] == "office")
        assert office["multi"] is True and office["includeAll"] is True
        assert office["allValue"] == ".*"
        (table,) = [p for p in panels(board) if p["type"] == "table"]
        exprs = [t["expr"] for t in table["targets"]]
        assert all(t["format"] == "table" and t["instant"] for t in table["targets"])
        assert all("sum by (office)" in e or "by (office" in e for e in exprs), exprs
        wanted = {
            "office_service:pantau_wait_standard:today",  # compliance today
            "pantau_queue_length",
            "pantau_waiting_over_standard",
            "pantau_waiting_near_standard",
            "pantau_feedback_score_points_total",  # IKM
        }
        assert wanted <= set().union(*(metric_names(e) for e in exprs))
        first = table["targets"][0]["expr"]
        assert 'result="met"' in first and "today" in first, "sorted by compliance today"
        (sort,) = table["options"]["sortBy"]
        renames = table["transformations"][1]["options"]["renameByName"]
        assert sort["displayName"] == renames["Value #A"] and sort["desc"] is False
        ranked = [p for p in panels(board) if p["type"] == "bargauge"]
        assert ranked and all(
            t["expr"].startswith(("sort(", "sort_desc(")) for p in ranked for t in p["targets"]
        )


def test_today_counts_from_each_offices_local_midnight() -> None:
    """Panels about "today" read the recorded today series (pantau-calendar rules), which
    start at each office's own midnight, not the dashboard's WIB "now/d" range."""
    today_panels = {
        "overview.json": {"Tepat waktu, hari ini", "Nomor antrean diambil", "Selesai dilayani",
                          "Tidak jadi dilayani", "Selisih dari target per layanan, hari ini"},
        "service.json": {"Tepat waktu, hari ini"},
    }  # fmt: skip
    for name, titles in today_panels.items():
        board = boards("id")[name]
        found = {p["title"]: p for p in panels(board) if p["title"] in titles}
        assert set(found) == titles, name
        for title, panel in found.items():
            for target in panel["targets"]:
                assert ":today" in target["expr"], f"{name} / {title}"
                assert "$__range" not in target["expr"], f"{name} / {title}"
    recorded = {f"office_service:pantau_{n}:today" for n in ("wait_standard", "tickets_issued")}
    assert recorded | {"office_service:pantau_tickets_closed:today"} <= recorded_names()


@pytest.mark.parametrize("name", ["overview.json", "service.json"])
def test_near_standard_count_is_on_the_office_and_service_dashboards(name: str) -> None:
    for lang in LANGS:
        exprs = [t["expr"] for p in panels(boards(lang)[name]) for t in p["targets"]]
        assert any("pantau_waiting_near_standard" in e for e in exprs), (lang, name)


def test_burn_graphs_compare_with_each_services_own_threshold() -> None:
    board = boards("en")["sla.json"]
    burn = [p for p in panels(board) if "burn_rate" in p["targets"][0]["expr"]]
    assert len(burn) == 4
    for panel, window in zip(burn, ("1h", "6h", "1d", "3d"), strict=True):
        expr = panel["targets"][0]["expr"]
        assert f"office_service:pantau_wait_burn_threshold:{window}" in expr
        assert panel["fieldConfig"]["defaults"]["thresholds"]["steps"][1]["value"] == 1.0
