"""The report as HTML (Jinja2), PDF (WeasyPrint, from that HTML), CSV and XLSX (openpyxl)."""

from __future__ import annotations

import base64
import csv
import dataclasses
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .document import Report
from .figures import Figures, ServiceRow, Timing
from .heatmap import heatmap_png
from .periods import day_label
from .skm import category
from .texts import CATEGORY_NAMES, ELEMENT_NAMES, WEEKDAYS, Fmt, T

FORMATS = ("html", "pdf", "csv", "xlsx")


# The counts of visits per service, in the order the tables and the CSV show them.
VISIT_COUNTS = (
    "issued", "served", "no_show", "cancelled", "live_breaches", "transfers_out", "transfers_in",
)  # fmt: skip


def _timing_view(x: Timing, before: Timing | None, fmt: Fmt) -> dict[str, Any]:
    return {
        "standard": fmt.minutes(x.standard),
        "met": fmt.count(x.met),
        "breached": fmt.count(x.breached),
        "share": fmt.percent(x.share),
        "missed": x.missed,
        "target": fmt.percent(x.target, 0),
        "share_prev": fmt.percent(before.share if before else None),
        "median": fmt.minutes(x.median, x.median_beyond),
        "p90": fmt.minutes(x.p90, x.p90_beyond),
    }


def _category(value: Any, lang: str) -> str:
    return "" if value is None else f"{category(value)} ({CATEGORY_NAMES[lang][category(value)]})"


def view(report: Report, lang: str) -> dict[str, Any]:
    """Everything the template shows, already written out in `lang`."""
    t, fmt = T[lang], Fmt(lang)
    now, before = report.current, report.previous
    had = report.has_previous
    prev_rows = {row.service: row for row in before.services} if had else {}

    def prev(value: float | None) -> str:
        return fmt.count(value) if had and value is not None else t["none"]

    services = []
    for row in now.services:
        p: ServiceRow | None = prev_rows.get(row.service)
        services.append(
            {
                "name": row.name,
                "issued": fmt.count(row.issued),
                "issued_prev": prev(p.issued if p else 0.0),
                "served": fmt.count(row.served),
                "no_show": fmt.count(row.no_show),
                "cancelled": fmt.count(row.cancelled),
                "live_breaches": fmt.count(row.live_breaches),
                "transfers_out": fmt.count(row.transfers_out),
                "transfers_in": fmt.count(row.transfers_in),
                "wait": _timing_view(row.wait, p.wait if p else None, fmt),
                "processing": _timing_view(row.processing, p.processing if p else None, fmt),
            }
        )
    total = {k: fmt.count(now.total(k)) for k in VISIT_COUNTS}
    total["issued_prev"] = prev(before.total("issued"))
    prev_counters = {c.counter: c for c in before.counters} if had else {}
    counters = [
        {
            "counter": c.counter,
            "open": fmt.hours(c.open_hours),
            "busy": fmt.hours(c.busy_hours),
            "utilisation": fmt.percent(c.utilisation),
            "utilisation_prev": fmt.percent(
                pc.utilisation if (pc := prev_counters.get(c.counter)) else None
            ),
        }
        for c in now.counters
    ]
    counters_total = {
        "open": fmt.hours(now.open_hours),
        "busy": fmt.hours(now.busy_hours),
        "utilisation": fmt.percent(now.utilisation),
        "utilisation_prev": fmt.percent(before.utilisation if had else None),
    }
    survey, prev_survey = now.survey, before.survey
    elements = [
        {
            "code": e.element.upper(),
            "name": ELEMENT_NAMES[lang][i],
            "answers": fmt.count(e.answers),
            "points": fmt.count(e.points),
            "nrr": fmt.number(e.nrr),
            "nrr_prev": fmt.number(prev_survey.elements[i].nrr if had else None),
        }
        for i, e in enumerate(survey.elements)
    ]
    sample_key = "sample_ok" if survey.enough else "sample_low"
    skm = {
        "index": fmt.index(survey.index),
        "category": _category(survey.index, lang),
        "index_prev": fmt.index(prev_survey.index if had else None),
        "respondents": fmt.count(survey.respondents),
        "respondents_prev": prev(prev_survey.respondents),
        "population": fmt.count(survey.population),
        "minimum": str(survey.minimum),
        "enough": survey.enough,
        "sample_text": t[sample_key].format(
            n=fmt.count(survey.respondents), m=survey.minimum, p=fmt.count(survey.population)
        ),
    }
    service_ikm = [
        {
            "name": row.name,
            "respondents": fmt.count(row.respondents),
            "index": fmt.index(row.index),
            "category": _category(row.index, lang),
        }
        for row in now.services
        if row.respondents
    ]
    has_heat = any(any(row) for row in now.heatmap)
    names = {row.service: row.name for row in now.services}
    cards = [
        {
            "label": t["ikm"],
            "value": f"{fmt.index(survey.index)} {survey.category or ''}".strip(),
            "was": fmt.index(prev_survey.index if had else None),
        },
        {
            "label": t["issued"],
            "value": fmt.count(now.total("issued")),
            "was": prev(before.total("issued")),
        },
        {
            "label": t["wait_share"],
            "value": fmt.percent(_share(now, "wait")),
            "was": fmt.percent(_share(before, "wait") if had else None),
        },
        {
            "label": t["utilisation"],
            "value": fmt.percent(now.utilisation),
            "was": fmt.percent(before.utilisation if had else None),
        },
    ]
    return {
        "lang": lang,
        "t": t,
        "r": report,
        "period": report.period.label(lang),
        "first": day_label(report.period.first, lang),
        "last": day_label(report.period.last, lang),
        "previous": report.previous_period.label(lang),
        "source": report.word(report.source, lang),
        "made": f"{day_label(report.made.date(), lang)} {report.made:%H:%M}",
        "summary": report.summary(lang),
        "cards": cards,
        "services": services,
        "total": total,
        "transfers": [
            (names.get(a, a), names.get(b, b), fmt.count(n)) for a, b, n in now.transfers
        ],
        "heatmap": base64.b64encode(heatmap_png(now.heatmap, lang)).decode() if has_heat else "",
        "counters": counters,
        "counters_total": counters_total,
        "elements": elements,
        "skm": skm,
        "service_ikm": service_ikm,
        "notes": notes(report, lang),
    }


def _share(f: Figures, kind: str) -> float | None:
    met = sum(getattr(r, kind).met for r in f.services)
    judged = met + sum(getattr(r, kind).breached for r in f.services)
    return met / judged if judged > 0 else None


def notes(report: Report, lang: str) -> list[str]:
    t = T[lang]
    fixed = [
        t[k]
        for k in (
            "method_quantiles",
            "method_wait",
            "method_ikm",
            "method_sample",
            "method_utilisation",
        )
    ]
    return [report.word(note, lang) for note in report.notes] + fixed


def html(report: Report, lang: str) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("pantau.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("report.html.j2").render(**view(report, lang))


def pdf(page: str) -> bytes:
    """The HTML as a PDF (WeasyPrint)."""
    import logging

    import weasyprint

    logging.getLogger("fontTools").setLevel(logging.ERROR)
    out = weasyprint.HTML(string=page).write_pdf()
    assert out is not None
    return bytes(out)


CSV_COLUMNS = ("office", "period", "section", "item", "measure", "value", "previous")


def rows(report: Report) -> Iterable[tuple[str, str, Any, Any]]:
    """(section, item, measure, value) of every number in the report, language-free."""
    now = report.current
    for row in now.services:
        for measure in (*VISIT_COUNTS, "respondents"):
            yield "service", row.service, measure, getattr(row, measure)
        yield "service", row.service, "skm_index", row.index
        for kind in ("wait", "processing"):
            x: Timing = getattr(row, kind)
            for measure, value in (
                ("standard_seconds", x.standard),
                ("target", x.target),
                ("met", x.met),
                ("breached", x.breached),
                ("share_met", x.share),
                ("median_seconds", x.median),
                ("p90_seconds", x.p90),
            ):
                yield "service", row.service, f"{kind}_{measure}", value
    for src, dst, n in now.transfers:
        yield "transfer", f"{src}>{dst}", "transfers", n
    for c in now.counters:
        yield "counter", c.counter, "open_hours", c.open_hours
        yield "counter", c.counter, "busy_hours", c.busy_hours
        yield "counter", c.counter, "utilisation", c.utilisation
    yield "office", "", "utilisation", now.utilisation
    s = now.survey
    for e in s.elements:
        yield "skm_element", e.element, "answers", e.answers
        yield "skm_element", e.element, "points", e.points
        yield "skm_element", e.element, "nrr", e.nrr
    yield "skm", "", "index", s.index
    yield "skm", "", "category", s.category
    yield "skm", "", "respondents", s.respondents
    yield "skm", "", "population_served", s.population
    yield "skm", "", "minimum_sample", s.minimum
    for day in range(7):
        for hour in range(24):
            if now.heatmap[day][hour]:
                yield "issued_by_hour", f"{day + 1}-{hour:02d}", "issued", now.heatmap[day][hour]


def _plain(value: Any) -> Any:
    """A value for CSV and XLSX: whole counts as int, exact fractions and decimals as float."""
    if value is None or isinstance(value, str):
        return value
    number = float(value)
    return int(number) if number.is_integer() and abs(number) < 2**53 else round(number, 6)


def _previous(report: Report) -> dict[tuple[str, str, str], Any]:
    if not report.has_previous:
        return {}
    old = dataclasses.replace(report, current=report.previous)
    return {(a, b, c): v for a, b, c, v in rows(old)}


def csv_text(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    before, slug = _previous(report), report.period.slug()
    for section, item, measure, value in rows(report):
        old = before.get((section, item, measure))
        writer.writerow(
            [report.office, slug, section, item, measure, _fmt(_plain(value)), _fmt(_plain(old))]
        )
    return out.getvalue()


def _fmt(value: Any) -> str:
    return "" if value is None else str(value)


def xlsx(report: Report, lang: str) -> bytes:
    """A workbook: the summary, then one sheet per table of the report."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    t, now = T[lang], report.current
    before = {row.service: row for row in report.previous.services} if report.has_previous else {}
    book = Workbook()
    bold, head_fill = Font(bold=True), PatternFill("solid", fgColor="E8EEF4")

    def sheet(
        title: str, header: list[str], body: Iterable[list[Any]], first: bool = False
    ) -> None:
        ws = book.active if first else book.create_sheet()
        assert ws is not None
        ws.title = title[:31]
        ws.append(header)
        for cell in ws[1]:
            cell.font, cell.fill = bold, head_fill
        for line in body:
            ws.append([_plain(v) for v in line])
        for i, column in enumerate(ws.columns, start=1):
            width = max(len(str(c.value or "")) for c in column)
            ws.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)
            if i > 1:
                for c in column[1:]:
                    if isinstance(c.value, float):
                        c.number_format = "0.00"

    summary_rows = [
        [t["period"], report.period.label(lang)],
        [t["previous"], report.previous_period.label(lang)],
        [t["zone"], report.zone],
        [t["source"], report.word(report.source, lang)],
        [],
    ]
    summary_rows += [[line] for line in report.summary(lang)]
    summary_rows += [[]] + [[line] for line in notes(report, lang)]
    sheet(f"{t['summary']}", [t["title"], report.office_name], summary_rows, first=True)
    sheet(
        t["tickets"],
        [
            t["service"],
            t["issued"],
            t["previous"],
            t["served"],
            t["no_show"],
            t["cancelled"],
            t["live_breaches"],
            t["transfers_out"],
            t["transfers_in"],
        ],
        (
            [
                r.name,
                r.issued,
                before[r.service].issued if r.service in before else None,
                r.served,
                r.no_show,
                r.cancelled,
                r.live_breaches,
                r.transfers_out,
                r.transfers_in,
            ]
            for r in now.services
        ),
    )
    for kind in ("wait", "processing"):
        sheet(
            t[kind],
            [
                t["service"],
                f"{t['standard']} ({t['min_unit']})",
                t["met"],
                t["breached"],
                t["share"],
                t["target"],
                f"{t['share']}, {t['previous']}",
                f"{t['median']} ({t['min_unit']})",
                f"{t['p90']} ({t['min_unit']})",
            ],
            (
                [
                    r.name,
                    getattr(r, kind).standard / 60,
                    getattr(r, kind).met,
                    getattr(r, kind).breached,
                    getattr(r, kind).share,
                    getattr(r, kind).target,
                    getattr(before[r.service], kind).share if r.service in before else None,
                    _minutes(getattr(r, kind).median),
                    _minutes(getattr(r, kind).p90),
                ]
                for r in now.services
            ),
        )
    sheet(
        t["counters"],
        [t["counter"], t["open_hours"], t["busy_hours"], t["utilisation"]],
        [[c.counter, c.open_hours, c.busy_hours, c.utilisation] for c in now.counters],
    )
    s = now.survey
    sheet(
        "SKM",
        [t["element"], "", t["answers"], t["points"], t["nrr"]],
        [
            [e.element.upper(), ELEMENT_NAMES[lang][i], e.answers, e.points, e.nrr]
            for i, e in enumerate(s.elements)
        ]
        + [
            [],
            [t["ikm"], s.category, None, None, s.index],
            [t["respondents"], None, s.respondents],
            [t["population"], None, s.population],
            [t["minimum"], None, s.minimum],
        ],
    )
    hours = range(24)
    sheet(
        t["heatmap"][:31],
        ["", *[f"{h:02d}" for h in hours]],
        [[day, *now.heatmap[i]] for i, day in enumerate(WEEKDAYS[lang])],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 60


def write(report: Report, formats: Iterable[str], lang: str, out: Path) -> list[Path]:
    """Write the report in each format to `out`, as <office>-<period>.<format>."""
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{report.office}-{report.period.slug()}"
    written, page = [], None
    for kind in formats:
        path = out / f"{stem}.{kind}"
        if kind in ("html", "pdf") and page is None:
            page = html(report, lang)
        if kind == "html":
            assert page is not None
            path.write_text(page, encoding="utf-8")
        elif kind == "pdf":
            assert page is not None
            path.write_bytes(pdf(page))
        elif kind == "csv":
            path.write_text(csv_text(report), encoding="utf-8")
        else:
            path.write_bytes(xlsx(report, lang))
        written.append(path)
    return written
