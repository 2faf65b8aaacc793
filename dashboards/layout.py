"""The frame every dashboard shares: identity, variables, links and rows of panels."""

from collections.abc import Sequence
from dataclasses import dataclass

from grafana_foundation_sdk.builders import dashboard as builders
from grafana_foundation_sdk.cog.builder import Builder
from grafana_foundation_sdk.models import dashboard as model

from dashboards.i18n import Lang
from dashboards.panels import DATASOURCE
from dashboards.texts import DASHBOARDS, ROWS, WORDS

#: Time zone of the dashboards' clocks and ranges (CONTRACT §3's example standards use
#: Asia/Jakarta, WIB). The "today" panels do not depend on it: they count from each
#: office's own local midnight (recording rules of group pantau-calendar).
TIMEZONE = "Asia/Jakarta"
TAG = "pantau"

#: Rows are numbered from here, after the panels (numbered from 1).
ROW_IDS = 100

#: Where the variables take their values from: every configured or seen office/service.
OFFICE_VALUES = "label_values(pantau_standard_target_ratio, office)"
SERVICE_VALUES = 'label_values(pantau_standard_target_ratio{office=~"$office"}, service)'


@dataclass(frozen=True)
class Layout:
    """How a dashboard opens: its time range, which variables may be "All", and whether
    they take several values at once."""

    time_from: str = "now/d"
    refresh: str = "1m"
    all_offices: bool = False
    all_services: bool = True
    multi: bool = False


def uid(key: str, lang: Lang) -> str:
    """The dashboard's uid: `pantau-<key>`, with `-en` for the English set."""
    return f"pantau-{key}" if lang == "id" else f"pantau-{key}-{lang}"


def dashboard(
    key: str,
    lang: Lang,
    rows: Sequence[tuple[str, Sequence[Builder[model.Panel]]]],
    layout: Layout,
) -> model.Dashboard:
    """A dashboard with its variables, a link to the other pantau dashboards and rows."""
    texts = DASHBOARDS[key]
    board = (
        builders.Dashboard(texts.title.get(lang))
        .uid(uid(key, lang))
        .description(texts.description.get(lang))
        .tags([TAG])
        .timezone(TIMEZONE)
        .time(layout.time_from, "now")
        .refresh(layout.refresh)
        .tooltip(model.DashboardCursorSync.CROSSHAIR)
        .link(
            builders.DashboardLink(WORDS["other_dashboards"].get(lang))
            .type(model.DashboardLinkType.DASHBOARDS)
            .tags([TAG])
            .as_dropdown(True)
            .include_vars(True)
            .keep_time(True)
        )
        .with_variable(
            builders.DatasourceVariable("datasource")
            .label(WORDS["var_datasource"].get(lang))
            .type("prometheus")
        )
        .with_variable(
            _query_variable("office", OFFICE_VALUES, lang, layout.all_offices, layout.multi)
        )
        .with_variable(
            _query_variable("service", SERVICE_VALUES, lang, layout.all_services, layout.multi)
        )
    )
    for number, (row_key, panels) in enumerate(rows, start=ROW_IDS):
        board.with_row(builders.Row(ROWS[f"{key}.{row_key}"].get(lang)).id(number))
        for panel in panels:
            board.with_panel(panel)
    return board.build()


def _query_variable(
    name: str, query: str, lang: Lang, include_all: bool, multi: bool = False
) -> builders.QueryVariable:
    """A drop-down of label values; "All" (regex `.*`) when `include_all`; several values
    (Grafana joins them into a regex, `(a|b)`) when `multi`."""
    variable = (
        builders.QueryVariable(name)
        .label(WORDS[f"var_{name}"].get(lang))
        .datasource(DATASOURCE)
        .query(query)
        .refresh(model.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(model.VariableSort.ALPHABETICAL_ASC)
        .include_all(include_all)
    )
    if include_all:
        variable.all_value(".*")
    if multi:
        variable.multi(True)
    return variable
