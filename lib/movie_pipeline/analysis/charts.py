"""One matplotlib chart per query result, saved as PNG."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

_ORANGE = "#ff9900"


@dataclass(frozen=True)
class Chart:
    """How to draw a query's result.

    Attributes:
        kind: ``barh`` (one bar per row, first row on top) or ``line`` (one line per series).
        x: the label column(s) of a bar chart (joined with " & "), or a line chart's x axis.
        y: the value column.
        title: the chart's title.
        series: a line chart's series column (None: a single line).
        top: a line chart draws the ``top`` series with the largest total only.
    """

    kind: str
    x: tuple[str, ...]
    y: str
    title: str
    series: str | None = None
    top: int = 8


def _labels(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    parts = [frame[c].astype("string").fillna("(unknown)") for c in columns]
    out = parts[0]
    for p in parts[1:]:
        out = out + " & " + p
    return out


def draw(chart: Chart, frame: pd.DataFrame, path: Path) -> Path:
    """Draw ``chart`` for ``frame`` and save it as a PNG at ``path``."""
    # A bare Figure, not pyplot: no backend to choose (no screen in CI or in Glue), no global
    # state to leak into a notebook; imported here because matplotlib is slow to load.
    from matplotlib.figure import Figure

    path.parent.mkdir(parents=True, exist_ok=True)
    if chart.kind == "barh":
        data = frame.iloc[::-1]
        fig = Figure(figsize=(8, max(3, 0.4 * len(data) + 1)), dpi=100)
        ax = fig.subplots()
        ax.barh(_labels(data, chart.x), data[chart.y], color=_ORANGE)
        ax.set_xlabel(chart.y.replace("_", " "))
    else:
        fig = Figure(figsize=(9, 5), dpi=100)
        ax = fig.subplots()
        if chart.series:
            totals = frame.groupby(chart.series)[chart.y].sum().sort_values(ascending=False)
            for name in totals.index[: chart.top]:
                part = frame[frame[chart.series] == name].sort_values(chart.x[0])
                ax.plot(part[chart.x[0]], part[chart.y], marker="o", label=str(name))
            ax.legend(fontsize="small", ncols=2)
        else:
            data = frame.sort_values(chart.x[0])
            ax.plot(data[chart.x[0]], data[chart.y], marker="o", color=_ORANGE)
        ax.set_xlabel(chart.x[0].replace("_", " "))
        ax.set_ylabel(chart.y.replace("_", " "))
        ax.grid(alpha=0.3)
    ax.set_title(chart.title)
    fig.tight_layout()
    fig.savefig(path)
    return path


CHARTS: dict[str, Chart] = {
    "top_actors": Chart("barh", ("name",), "movies", "Most featured actors (movies)"),
    "largest_casts": Chart("barh", ("title",), "cast_size", "Largest casts (credited roles)"),
    "director_actor_pairs": Chart(
        "barh", ("director", "actor"), "movies", "Director-actor collaborations (movies together)"
    ),
    "genres_by_decade": Chart(
        "line", ("decade",), "movies", "Movies per genre and decade", series="genre", top=8
    ),
    "prolific_directors": Chart("barh", ("name",), "movies", "Most prolific directors (movies)"),
    "crew_size_by_department": Chart(
        "line", ("decade",), "avg_crew", "Average crew size by department", series="department"
    ),
    "cast_gender_by_decade": Chart(
        "line", ("decade",), "female_share_pct", "Women among credited actors of known gender (%)"
    ),
    "return_on_budget_by_genre": Chart(
        "barh", ("genre",), "revenue_per_dollar", "Box-office revenue per dollar of budget"
    ),
    "actor_pairs": Chart(
        "barh", ("actor", "co_actor"), "movies", "Actors most often cast together"
    ),
}


def chart_for(name: str, frame: pd.DataFrame, out_dir: Path) -> Path | None:
    """Draw the chart that goes with a shipped query; None when the result is empty."""
    spec = CHARTS.get(name)
    if spec is None or frame.empty:
        return None
    return draw(spec, frame, Path(out_dir) / f"{name}.png")
