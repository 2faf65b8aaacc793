"""Grafana dashboards of pantau, generated with grafana-foundation-sdk.

`python -m dashboards` writes dashboards/generated/{id,en}/*.json.
"""

from dashboards.build import BUILDERS, render, stale_files
from dashboards.i18n import LANGS, Lang
from dashboards.queries import panel_queries, substitute

__all__ = ["BUILDERS", "LANGS", "Lang", "panel_queries", "render", "stale_files", "substitute"]
