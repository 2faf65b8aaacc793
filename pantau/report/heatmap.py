"""The weekday x hour picture of tickets issued (matplotlib, PNG bytes)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from .texts import WEEKDAYS, T


def hours_shown(grid: Sequence[Sequence[float]]) -> range:
    """The local hours from the first to the last with a ticket on any day (08 to 15, say)."""
    used = [h for h in range(24) if any(row[h] for row in grid)]
    return range(min(used), max(used) + 1) if used else range(7, 17)


def heatmap_png(grid: Sequence[Sequence[float]], lang: str) -> bytes:
    """A PNG of tickets issued per weekday (rows) and local hour (columns)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    hours = hours_shown(grid)
    days = [d for d in range(7) if any(grid[d])] or list(range(5))
    values = [[grid[d][h] for h in hours] for d in days]
    fig, ax = plt.subplots(figsize=(7.2, 0.45 * len(days) + 1.1), dpi=150)
    try:
        image = ax.imshow(values, cmap="YlOrRd", aspect="auto", vmin=0)
        ax.set_xticks(range(len(hours)), [f"{h:02d}" for h in hours], fontsize=8)
        ax.set_yticks(range(len(days)), [WEEKDAYS[lang][d] for d in days], fontsize=8)
        ax.set_xlabel(T[lang]["hour"], fontsize=8)
        top = max((v for row in values for v in row), default=0.0)
        for y, row in enumerate(values):
            for x, v in enumerate(row):
                if v:
                    colour = "white" if v > 0.6 * top else "black"
                    ax.text(x, y, f"{v:.0f}", ha="center", va="center", fontsize=7, color=colour)
        bar = fig.colorbar(image, ax=ax, fraction=0.03, pad=0.02)
        bar.ax.tick_params(labelsize=7)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png")
        return out.getvalue()
    finally:
        plt.close(fig)
