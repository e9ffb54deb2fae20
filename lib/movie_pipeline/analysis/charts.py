"""One matplotlib chart per query result, saved as PNG: counts on integer ticks, values on the bars."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

_ORANGE = "#ff9900"
# Drawn in place of a character no installed font has (a CJK name on a machine with Latin fonts
# only); the chart's caption says so and the result table holds the name in full.
MISSING_GLYPH = "?"


@dataclass(frozen=True)
class Chart:
    """How to draw a query's result.

    Attributes:
        kind: ``barh`` (one bar per row, first row on top) or ``line`` (one line per series).
        x: the label column(s) of a bar chart (joined with ``join``), or a line chart's x axis.
        y: the value column.
        title: the chart's title.
        series: a line chart's series column (None: a single line).
        top: a line chart draws the ``top`` series with the largest total only.
        caption: one sentence under the chart on what it shows.
        join: between the label columns of a bar (``director → actor`` says who directed).
    """

    kind: str
    x: tuple[str, ...]
    y: str
    title: str
    series: str | None = None
    top: int = 8
    caption: str = ""
    join: str = " & "


@cache
def _drawable() -> frozenset[int]:
    """The code points the default font (matplotlib's DejaVu Sans unless configured) can draw."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(font_manager.findfont(font_manager.FontProperties())).get_charmap())


def drawable(text: str) -> str:
    """``text`` with each character the chart font cannot draw replaced by ``MISSING_GLYPH``.

    Examples:
        >>> drawable("Zoë 李")
        'Zoë ?'
    """
    glyphs = _drawable()
    return "".join(c if c.isspace() or ord(c) in glyphs else MISSING_GLYPH for c in text)


def _labels(frame: pd.DataFrame, columns: tuple[str, ...], join: str) -> list[str]:
    parts = [frame[c].astype("string").fillna("(unknown)") for c in columns]
    out = parts[0]
    for p in parts[1:]:
        out = out + join + p
    return list(out)


def _is_count(values: pd.Series) -> bool:
    return pd.api.types.is_integer_dtype(values) or bool(
        pd.api.types.is_numeric_dtype(values) and (values.dropna() % 1 == 0).all()
    )


def draw(chart: Chart, frame: pd.DataFrame, path: Path) -> Path:
    """Draw ``chart`` for ``frame`` and save it as a PNG at ``path``.

    Counts get integer ticks and each bar its value; a label with characters the chart font
    lacks is drawn with ``MISSING_GLYPH`` in their place, and the caption says how many.
    """
    # A bare Figure, not pyplot: no backend to choose (no screen in CI or in Glue), no global
    # state to leak into a notebook; imported here because matplotlib is slow to load.
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    path.parent.mkdir(parents=True, exist_ok=True)
    caption, replaced = chart.caption, 0
    if chart.kind == "barh":
        data = frame.iloc[::-1]
        labels = _labels(data, chart.x, chart.join)
        shown = [drawable(label) for label in labels]
        replaced = sum(a != b for a, b in zip(labels, shown, strict=True))
        fig = Figure(figsize=(8, max(3, 0.4 * len(data) + 1.4)), dpi=100)
        ax = fig.subplots()
        bars = ax.barh(range(len(data)), data[chart.y], color=_ORANGE)
        ax.set_yticks(range(len(data)), shown)
        count = _is_count(data[chart.y])
        ax.bar_label(bars, fmt="{:,.0f}" if count else "{:,.2f}", padding=3, fontsize="small")
        if count:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.margins(x=0.12)  # room for the value labels
        ax.set_xlabel(chart.y.replace("_", " "))
    else:
        fig = Figure(figsize=(9, 5.4), dpi=100)
        ax = fig.subplots()
        if chart.series:
            totals = frame.groupby(chart.series)[chart.y].sum().sort_values(ascending=False)
            for name in totals.index[: chart.top]:
                part = frame[frame[chart.series] == name].sort_values(chart.x[0])
                ax.plot(part[chart.x[0]], part[chart.y], marker="o", label=drawable(str(name)))
            ax.legend(fontsize="small", ncols=2)
        else:
            data = frame.sort_values(chart.x[0])
            ax.plot(data[chart.x[0]], data[chart.y], marker="o", color=_ORANGE)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # decades, years
        if _is_count(frame[chart.y]):
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(chart.x[0].replace("_", " "))
        ax.set_ylabel(chart.y.replace("_", " "))
        ax.grid(alpha=0.3)
    if replaced:
        caption += (f" {replaced} label(s) hold characters no installed font draws, shown as "
                    f"'{MISSING_GLYPH}': the result table has them in full.")  # fmt: skip
    ax.set_title(chart.title)
    if caption:
        fig.text(0.01, 0.01, caption.strip(), fontsize="small", color="#555555", wrap=True)
    fig.tight_layout(rect=(0, 0.06 if caption else 0, 1, 1))
    fig.savefig(path)
    return path


CHARTS: dict[str, Chart] = {
    "top_actors": Chart(
        "barh", ("name",), "movies", "Most featured actors (movies)",
        caption="Movies each actor is credited in, however many roles they play in one.",
    ),
    "largest_casts": Chart(
        "barh", ("title",), "cast_size", "Largest casts (credited roles)",
        caption="Credited cast entries per movie: an actor in two roles counts twice.",
    ),
    "director_actor_pairs": Chart(
        "barh", ("director", "actor"), "movies", "Director → actor collaborations (movies together)",
        caption="Movies a director made with the same actor in the cast.", join=" → ",
    ),
    "genres_by_decade": Chart(
        "line", ("decade",), "movies", "Movies per genre and decade", series="genre", top=8,
        caption="A movie counts once in each of its genres; the 8 largest genres are drawn.",
    ),
    "prolific_directors": Chart(
        "barh", ("name",), "movies", "Most prolific directors (movies)",
        caption="Movies credited to each director (job Director).",
    ),
    "crew_size_by_department": Chart(
        "line", ("decade",), "avg_crew", "Average crew size by department", series="department",
        caption="People per movie in each department, averaged over the movies that list it.",
    ),
    "cast_gender_by_decade": Chart(
        "line", ("decade",), "female_share_pct", "Women among credited actors of known gender (%)",
        caption="Cast credits with gender 1 (female) among those recorded as 1 or 2.",
    ),
    "return_on_budget_by_genre": Chart(
        "barh", ("genre",), "revenue_per_dollar", "Box-office revenue per dollar of budget",
        caption="Total revenue over total budget, movies with a budget of $1M+ and revenue.",
    ),
    "actor_pairs": Chart(
        "barh", ("actor", "co_actor"), "movies", "Actors most often cast together",
        caption="Movies in which both actors are billed in the first 10 places.",
    ),
}  # fmt: skip


def chart_for(name: str, frame: pd.DataFrame, out_dir: Path) -> Path | None:
    """Draw the chart that goes with a shipped query; None when the result is empty."""
    spec = CHARTS.get(name)
    if spec is None or frame.empty:
        return None
    return draw(spec, frame, Path(out_dir) / f"{name}.png")
