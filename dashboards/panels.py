"""Shared panel builders: every panel of every dashboard is made here."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from grafana_foundation_sdk.builders import bargauge, heatmap, stat, table, timeseries
from grafana_foundation_sdk.builders import common as common_builders
from grafana_foundation_sdk.builders import dashboard as dashboard_builders
from grafana_foundation_sdk.builders import prometheus as prom
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models import dashboard as model
from grafana_foundation_sdk.models import heatmap as heatmap_model
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

from dashboards.i18n import Lang, Text
from dashboards.texts import PANELS, UNITS, WORDS

#: Every query goes to the Prometheus chosen in the dashboard's datasource variable.
DATASOURCE = model.DataSourceRef(type_val="prometheus", uid="${datasource}")

#: Panel time override for "today so far" (in the dashboard's time zone).
TODAY = "now/d"

REF_IDS = "ABCDEFGHIJKL"

Panel = TypeVar("Panel", stat.Panel, timeseries.Panel, bargauge.Panel, heatmap.Panel, table.Panel)


@dataclass(frozen=True)
class Q:
    """One query of a panel: a PromQL expression and the name of its series."""

    expr: str
    legend: Text | str = ""


@dataclass(frozen=True)
class Column:
    """One column of a table: an instant query per row label, and how its cells look."""

    query: Q
    header: Text | str
    unit: Text | str = "none"
    colors: "Steps | None" = None
    decimals: int | None = None


@dataclass(frozen=True)
class Steps:
    """Threshold colours: `base` below the first value, then (value, colour) pairs."""

    base: str
    steps: tuple[tuple[float, str], ...] = ()

    def build(self) -> dashboard_builders.ThresholdsConfig:
        """The Grafana thresholds of these steps."""
        steps = [model.Threshold(value=None, color=self.base)]
        steps += [model.Threshold(value=value, color=color) for value, color in self.steps]
        return (
            dashboard_builders.ThresholdsConfig().mode(model.ThresholdsMode.ABSOLUTE).steps(steps)
        )


#: Neutral colour for numbers that are neither good nor bad.
NEUTRAL = Steps("blue")
#: Green at zero, red from one up (e.g. citizens waiting past the standard).
ZERO_IS_GOOD = Steps("green", ((1, "red"),))
#: Green at zero, orange from one up: citizens near the standard, not late yet.
NEAR_IS_A_WARNING = Steps("green", ((1, "orange"),))
#: Red below zero, green from zero up (e.g. compliance minus target).
POSITIVE_IS_GOOD = Steps("red", ((0, "green"),))

#: IKM categories (CONTRACT §4): D below 65.00, C to 76.60, B to 88.30, A from 88.31.
#: Boundaries sit halfway between the published two-decimal limits, so a value
#: gets the category of its two-decimal rounding (76.604 -> 76.60 -> C).
IKM_STEPS = Steps("red", ((64.995, "orange"), (76.605, "yellow"), (88.305, "green")))
IKM_CATEGORIES = (
    (88.305, 100.0, "ikm_a", "green"),
    (76.605, 88.305, "ikm_b", "yellow"),
    (64.995, 76.605, "ikm_c", "orange"),
    (25.0, 64.995, "ikm_d", "red"),
)


def fixed_color(color: str) -> model.DynamicConfigValue:
    """A field override that paints a series in one colour."""
    return model.DynamicConfigValue(id_val="color", value={"mode": "fixed", "fixedColor": color})


#: A dashed red line: how a service standard is drawn on graphs.
STANDARD_LINE = (
    fixed_color("red"),
    model.DynamicConfigValue(id_val="custom.lineStyle", value={"fill": "dash", "dash": [10, 10]}),
    model.DynamicConfigValue(id_val="custom.fillOpacity", value=0),
)


class Panels:
    """Makes the panels of one dashboard in one language, numbering them in order."""

    def __init__(self, dashboard_key: str, lang: Lang) -> None:
        self.dashboard_key = dashboard_key
        self.lang = lang
        self._last_id = 0

    def tr(self, text: Text | str) -> str:
        """`text` in this dashboard's language (plain strings are the same in both)."""
        return text if isinstance(text, str) else text.get(self.lang)

    def word(self, key: str) -> str:
        """A word of the translation table in this dashboard's language."""
        return WORDS[key].get(self.lang)

    def stat(
        self,
        name: str,
        queries: Sequence[Q],
        *,
        unit: Text | str,
        colors: Steps = NEUTRAL,
        span: int = 6,
        height: int = 5,
        today: bool = False,
        decimals: int | None = None,
        neutral_refs: str = "",
        categories: bool = False,
    ) -> stat.Panel:
        """A big number (or a few), coloured by `colors`.

        Series whose query letter is in `neutral_refs` keep the text colour; with
        `categories` the number is replaced by its IKM category.
        """
        panel = self._common(stat.Panel(), name, queries, unit, span, height, instant=True)
        panel.thresholds(colors.build()).color_mode(common.BigValueColorMode.VALUE)
        panel.graph_mode(common.BigValueGraphMode.NONE).no_value(self.word("no_data"))
        panel.reduce_options(common_builders.ReduceDataOptions().calcs(["lastNotNull"]))
        if len(queries) > 1:
            panel.text_mode(common.BigValueTextMode.VALUE_AND_NAME)
        for ref in neutral_refs:
            panel.override_by_query(ref, [fixed_color("text")])
        if decimals is not None:
            panel.decimals(decimals)
        if categories:
            panel.mappings(self._ikm_mappings())
        if today:
            panel.time_from(TODAY)
        return panel

    def timeseries(
        self,
        name: str,
        queries: Sequence[Q],
        *,
        unit: Text | str,
        span: int = 12,
        height: int = 8,
        bars: bool = False,
        standard_refs: str = "",
        threshold: float | None = None,
        min_value: float | None = 0,
    ) -> timeseries.Panel:
        """A graph over the dashboard's time range.

        Series whose query letter is in `standard_refs` are drawn as a dashed red
        line (a service standard or target); `threshold` draws a red dashed line at
        a fixed value (e.g. an alert's burn-rate factor).
        """
        panel = self._common(timeseries.Panel(), name, queries, unit, span, height, instant=False)
        panel.line_width(2).fill_opacity(10).show_points(common.VisibilityMode.NEVER)
        panel.legend(
            common_builders.VizLegendOptions()
            .show_legend(True)
            .display_mode(common.LegendDisplayMode.LIST)
            .placement(common.LegendPlacement.BOTTOM)
        )
        if min_value is not None:
            panel.min(min_value)
        if bars:
            panel.draw_style(common.GraphDrawStyle.BARS).fill_opacity(80)
            panel.stacking(common_builders.StackingConfig().mode(common.StackingMode.NORMAL))
        for ref in standard_refs:
            panel.override_by_query(ref, list(STANDARD_LINE))
        if threshold is not None:
            panel.thresholds(Steps("transparent", ((threshold, "red"),)).build())
            panel.thresholds_style(
                common_builders.GraphThresholdsStyleConfig().mode(
                    common.GraphThresholdsStyleMode.DASHED
                )
            )
        return panel

    def bars(
        self,
        name: str,
        queries: Sequence[Q],
        *,
        unit: Text | str,
        colors: Steps = NEUTRAL,
        span: int = 8,
        height: int = 8,
        today: bool = False,
        decimals: int | None = None,
        min_value: float | None = 0,
        max_value: float | None = None,
        buckets: bool = False,
    ) -> bargauge.Panel:
        """Horizontal bars, one per series (per service, per counter, ...).

        With `buckets` the query returns cumulative histogram buckets, which Grafana
        turns into one bar per bucket.
        """
        panel = self._common(
            bargauge.Panel(), name, queries, unit, span, height, instant=True, buckets=buckets
        )
        panel.thresholds(colors.build()).orientation(common.VizOrientation.HORIZONTAL)
        panel.display_mode(common.BarGaugeDisplayMode.BASIC).show_unfilled(True)
        panel.reduce_options(common_builders.ReduceDataOptions().calcs(["lastNotNull"]))
        panel.no_value(self.word("no_data"))
        if min_value is not None:
            panel.min(min_value)
        if max_value is not None:
            panel.max(max_value)
        if decimals is not None:
            panel.decimals(decimals)
        if today:
            panel.time_from(TODAY)
        return panel

    def table(
        self,
        name: str,
        row_label: str,
        columns: Sequence[Column],
        *,
        sort_by: int = 0,
        descending: bool = False,
        span: int = 24,
        height: int = 10,
    ) -> table.Panel:
        """A table with one row per value of `row_label` (e.g. per office), one column per
        query, sorted by the column `sort_by`.

        Every query is instant and returns one number per `row_label`; the columns are
        merged on that label and named by their headers.
        """
        queries = [c.query for c in columns]
        panel = self._common(
            table.Panel(), name, queries, "", span, height, instant=True, rows=True
        )
        headers = [self.tr(c.header) for c in columns]
        label = self.word(f"column_{row_label}")
        renames = {f"Value #{REF_IDS[i]}": h for i, h in enumerate(headers)} | {row_label: label}
        order = {row_label: 0} | {f"Value #{REF_IDS[i]}": i + 1 for i in range(len(columns))}
        panel.with_transformation(model.DataTransformerConfig(id_val="merge", options={}))
        panel.with_transformation(
            model.DataTransformerConfig(
                id_val="organize",
                options={
                    "excludeByName": {"Time": True},
                    "indexByName": order,
                    "renameByName": renames,
                },
            )
        )
        panel.sort_by(
            [
                common_builders.TableSortByFieldState()
                .display_name(headers[sort_by])
                .desc(descending)
            ]
        )
        panel.no_value(self.word("no_data"))
        for header, column in zip(headers, columns, strict=True):
            settings = [model.DynamicConfigValue(id_val="unit", value=self.tr(column.unit))]
            if column.decimals is not None:
                settings.append(model.DynamicConfigValue(id_val="decimals", value=column.decimals))
            if column.colors is not None:
                steps: list[dict[str, float | str | None]] = [
                    {"value": None, "color": column.colors.base}
                ]
                steps += [{"value": v, "color": c} for v, c in column.colors.steps]
                settings += [
                    model.DynamicConfigValue(
                        id_val="thresholds", value={"mode": "absolute", "steps": steps}
                    ),
                    model.DynamicConfigValue(id_val="color", value={"mode": "thresholds"}),
                    model.DynamicConfigValue(
                        id_val="custom.cellOptions", value={"type": "color-text"}
                    ),
                ]
            panel.override_by_name(header, settings)
        return panel

    def heatmap(self, name: str, query: Q, *, span: int = 12, height: int = 8) -> heatmap.Panel:
        """How observations (waits, processing times) spread over histogram buckets, in time.

        The query returns histogram buckets (`le`) per interval; each cell counts the
        citizens whose time fell in that bucket.
        """
        panel = self._common(
            heatmap.Panel(), name, [query], "", span, height, instant=False, buckets=True
        )
        panel.calculate(False).interval("10m")
        panel.color(
            heatmap.HeatmapColorOptions()
            .mode(heatmap_model.HeatmapColorMode.SCHEME)
            .scheme("Oranges")
            .fill("dark-orange")
            .scale(heatmap_model.HeatmapColorScale.EXPONENTIAL)
            .exponent(0.5)
            .steps(64)
        )
        panel.y_axis(heatmap.YAxisConfig().unit("s"))
        panel.cell_values(heatmap.CellValues().unit(self.tr(UNITS["people"])))
        panel.rows_frame(heatmap.RowsHeatmapOptions().layout(common.HeatmapCellLayout.LE))
        return panel

    def _common(
        self,
        panel: Panel,
        name: str,
        queries: Sequence[Q],
        unit: Text | str,
        span: int,
        height: int,
        *,
        instant: bool,
        buckets: bool = False,
        rows: bool = False,
    ) -> Panel:
        """Settings every panel shares: id, texts, data source, size, unit and queries.

        With `buckets` the queries return histogram buckets (Grafana's heatmap format),
        with `rows` table rows (Grafana's table format).
        """
        texts = PANELS[f"{self.dashboard_key}.{name}"]
        self._last_id += 1
        panel.id(self._last_id).title(self.tr(texts.title)).description(self.tr(texts.description))
        panel.datasource(DATASOURCE).span(span).height(height)
        if unit:
            panel.unit(self.tr(unit))
        for i, query in enumerate(queries):
            target = prom.Dataquery().ref_id(REF_IDS[i]).expr(query.expr).datasource(DATASOURCE)
            if query.legend:
                target.legend_format(self.tr(query.legend))
            if buckets:
                target.format(PromQueryFormat.HEATMAP)
            if rows:
                target.format(PromQueryFormat.TABLE)
            panel.with_target(target.instant() if instant else target.range())
        return panel

    def _ikm_mappings(self) -> list[model.ValueMapping]:
        """Range mappings that show an IKM value as its category (A to D)."""
        return [
            model.RangeMap(
                options=model.DashboardRangeMapOptions(
                    from_val=low,
                    to=high,
                    result=model.ValueMappingResult(text=self.word(word), color=color, index=i),
                )
            )
            for i, (low, high, word, color) in enumerate(IKM_CATEGORIES)
        ]
