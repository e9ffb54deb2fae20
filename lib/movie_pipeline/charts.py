"""One matplotlib chart per query result, saved as PNG."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen in CI or in Glue
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402


def bar_chart(frame: pd.DataFrame, label: str, value: str, title: str, path: Path) -> Path:
    """Save a horizontal bar chart of ``value`` by ``label``, largest on top."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = frame.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, max(3, 0.4 * len(data) + 1)), dpi=100)
    ax.barh(data[label].astype(str), data[value], color="#ff9900")
    ax.set_title(title)
    ax.set_xlabel(value.replace("_", " "))
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


CHARTS = {
    "top_actors": dict(label="name", value="movies", title="Most featured actors (movies)"),
}


def chart_for(name: str, frame: pd.DataFrame, out_dir: Path) -> Path | None:
    """Draw the chart that goes with a shipped query, if it has one."""
    spec = CHARTS.get(name)
    if spec is None or frame.empty:
        return None
    return bar_chart(frame, path=Path(out_dir) / f"{name}.png", **spec)
