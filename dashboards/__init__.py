"""Grafana dashboards of pantau, generated with grafana-foundation-sdk.

`python -m dashboards` writes dashboards/generated/{id,en}/*.json. The SDK is the extra
`pantau[dashboards]`: only the builders need it, so it is imported when they are used.
"""

from typing import TYPE_CHECKING, Any

from dashboards.i18n import LANGS, Lang

if TYPE_CHECKING:
    from dashboards.build import BUILDERS, render, stale_files
    from dashboards.queries import panel_queries, substitute

__all__ = ["BUILDERS", "LANGS", "Lang", "panel_queries", "render", "stale_files", "substitute"]

SDK_MISSING = (
    "dashboards: grafana-foundation-sdk is not installed: pip install 'pantau[dashboards]'"
)


def __getattr__(name: str) -> Any:
    if name in ("BUILDERS", "render", "stale_files"):
        from dashboards import build

        return getattr(build, name)
    if name in ("panel_queries", "substitute"):
        from dashboards import queries

        return getattr(queries, name)
    raise AttributeError(f"module 'dashboards' has no attribute {name!r}")
