"""The shared plan of a generated dataset: which movies exist, their ids, and each file's row order.

Every file is written from this plan, so ids agree across files and one file can be regenerated
alone with the same bytes. Row order follows links.csv (MovieLens order), as in the original.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass, field

from .draws import fresh_id, id_scale, quota, weighted_sample

# The 3 movies whose metadata row is split in two (FORMAT.md 1.5): tmdb id, imdb number, year,
# and where the stub row sits in the original (pandas index / 45,466 rows).
SPLIT_MOVIES = (
    (82663, 113002, 1997, 0.4339),
    (122662, 2423504, 2012, 0.6489),
    (249260, 2622826, 2014, 0.7827),
)
# Deciles of MovieLens movieId along links.csv (dense at first, sparse later).
_MOVIE_ID_DECILES = (1, 4678, 27004, 68600, 91323, 108799, 125029, 139110, 152302, 164951, 176279)
# IMDb numbers grow with release year; (year, number) knots for a rough monotone map.
_IMDB_KNOTS = (
    (1874, 1), (1920, 10000), (1950, 42000), (1970, 65000), (1990, 100000), (2000, 200000),
    (2005, 420000), (2010, 1400000), (2013, 2400000), (2015, 3800000), (2017, 6000000), (2021, 7500000),
)  # fmt: skip


@dataclass
class Movie:
    """One distinct movie: its ids, release year and a standard-normal 'fame' shared by all files."""

    index: int
    tmdb_id: int
    imdb: int
    year: int
    fame: float
    split: int = 0  # 1..3 for the split records, else 0


@dataclass
class Plan:
    """Row orders of every file, as (movie index, variant) pairs.

    Variants: 'row' (the movie's own row), 'same' (a byte-identical repeat), 'popularity'
    (metadata repeat differing only in popularity), 'conflict' (credits repeat with other people).
    """

    movies: list[Movie]
    links: list[tuple[int, int, int | None, int]]  # movieId, imdb number, tmdbId, movie index or -1
    links_small: list[tuple[int, int, int | None, int]]
    metadata: list[tuple[int, str]] = field(default_factory=list)
    credits: list[tuple[int, str]] = field(default_factory=list)
    keywords: list[tuple[int, str]] = field(default_factory=list)


def _release_year(rng: random.Random) -> int:
    """Mostly recent films (median ~2001), plus a broad layer of classics back to the 1910s."""
    if rng.random() < 0.2:
        return rng.randint(1915, 1975)
    return max(1874, 2017 - int(rng.expovariate(1 / 17)))


def _interp(knots, x: float) -> float:
    """Piecewise-linear interpolation through (x, y) knots, extended past both ends."""
    xs = [k[0] for k in knots]
    i = min(max(bisect.bisect_right(xs, x), 1), len(knots) - 1)
    (x0, y0), (x1, y1) = knots[i - 1], knots[i]
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def _insert_after(
    rng: random.Random, order: list, items: list[tuple[int, str]], quirks: bool
) -> list:
    """Insert each (movie index, variant) at a random place after that movie's first row."""
    if not quirks:
        return order
    keyed = [(float(pos), entry) for pos, entry in enumerate(order)]
    first = {entry[0]: pos for pos, entry in reversed(list(enumerate(order)))}
    for entry in items:
        start = first[entry[0]]
        keyed.append((rng.uniform(start + 0.01, len(order)), entry))
    keyed.sort(key=lambda kv: kv[0])
    return [entry for _, entry in keyed]


def build_plan(movies_rows: int, seed: int) -> Plan:
    """Lay out ``movies_rows`` credits rows and everything that follows from them.

    Scaled from the original: 45,476 credits rows -> 45,432 distinct ids, 45,466 metadata rows,
    46,419 keywords rows, 45,843 links rows, 9,125 links_small rows. Quirks (duplicates, the
    missing credits row) need at least 50 movies; the split records need at least 10.
    """
    rng = random.Random(f"{seed}:plan")
    m = movies_rows
    quirks = m >= 50
    meta_dups = quota(30, m, 2) if quirks else 0
    credit_same = quota(7, m, 0) if quirks else 0
    credit_conflict = quota(7, m, 1) if quirks else 0
    keyword_same = quota(950, m, 1) if quirks else 0
    distinct = m - meta_dups - credit_same - credit_conflict  # movies with a credits row
    n = distinct + 1 if quirks else distinct  # one metadata movie has no credits/keywords row

    ids = _Ids(rng, id_scale(m))
    split_at = (
        {round(frac * n): k + 1 for k, (*_, frac) in enumerate(SPLIT_MOVIES)} if n >= 10 else {}
    )
    movies = []
    for i in range(n):
        if i in split_at:
            tmdb, imdb, year, _ = SPLIT_MOVIES[split_at[i] - 1]
            movies.append(Movie(i, tmdb, imdb, year, rng.gauss(-1.0, 0.3), split_at[i]))
            continue
        year = _release_year(rng)
        movies.append(Movie(i, ids.tmdb(i / n), ids.imdb(year), year, rng.gauss(0.0, 1.0)))

    # links.csv: every movie, plus MovieLens rows repeating a tmdbId (these become the metadata
    # duplicates), rows with an empty tmdbId, and rows whose TMDB lookup failed (no metadata).
    plain = [mv.index for mv in movies if not mv.split]
    repeated = rng.sample(plain, meta_dups) if quirks else []
    if meta_dups >= 10:  # the original has one id three times
        repeated[-1] = repeated[0]
    same_count = round(meta_dups * 16 / 30) or 1 if quirks else 0
    keyed: list[tuple[float, str, int]] = [(float(i), "movie", i) for i in range(n)]
    for k, i in enumerate(repeated):
        keyed.append((rng.uniform(i + 0.01, n), "same" if k < same_count else "popularity", i))
    for kind, count in (
        ("empty", quota(219, m) if quirks else 0),
        ("failed", quota(161, m) if quirks else 0),
    ):
        keyed.extend((rng.uniform(0, n), kind, -1) for _ in range(count))
    keyed.sort(key=lambda kv: kv[0])

    links, plan_meta, plan_credits = [], [], []
    taken = set(repeated)
    no_credits = rng.choice([i for i in plain if i not in taken]) if quirks else -1
    deciles = list(enumerate(_MOVIE_ID_DECILES))
    prev_id = 0
    for pos, (_, kind, i) in enumerate(keyed):
        target = _interp(deciles, 10 * pos / max(1, len(keyed) - 1))
        prev_id = max(prev_id + 1, round(target + rng.uniform(-0.4, 0.4) * (target - prev_id)))
        if kind == "movie":
            links.append((prev_id, movies[i].imdb, movies[i].tmdb_id, i))
            plan_meta.append((i, "row"))
            if i != no_credits:
                plan_credits.append((i, "row"))
        elif kind in ("same", "popularity"):
            links.append((prev_id, ids.imdb(movies[i].year), movies[i].tmdb_id, i))
            plan_meta.append((i, kind))
            plan_credits.append((i, "same"))
        else:
            year = _release_year(rng)
            links.append((prev_id, ids.imdb(year), None if kind == "empty" else ids.tmdb(1.0), -1))

    with_credits = [i for i, v in plan_credits if v == "row"]
    extra = [(i, "same") for i in rng.sample(with_credits, credit_same)]
    extra += [(i, "conflict") for i in rng.sample(with_credits, credit_conflict)]
    plan_credits = _insert_after(rng, plan_credits, extra, quirks)
    kw_extra = [(i, "same") for i in rng.sample(with_credits, min(keyword_same, len(with_credits)))]
    plan_keywords = _insert_after(
        rng, [e for e in plan_credits if e[1] != "conflict"], kw_extra, quirks
    )

    plan = Plan(movies, links, _links_small(rng, ids, movies, links, m, quirks))
    plan.metadata, plan.credits, plan.keywords = plan_meta, plan_credits, plan_keywords
    return plan


def _links_small(
    rng: random.Random, ids: _Ids, movies: list[Movie], links: list, m: int, quirks: bool
) -> list:
    """links_small.csv: ~20% of links (the popular ones), a few empty tmdbIds, and, as in the
    original, a few rows whose movieId is not in links.csv at all."""
    size = max(1, round(len(links) * 9125 / 45843))
    strays = min(size // 2, quota(10, m) if quirks else 0)  # rows whose movieId is not in links
    empties = [k for k, row in enumerate(links) if row[2] is None]
    chosen = set(rng.sample(empties, min(len(empties), quota(13, m) if quirks else 0)))
    weights = [
        0.0
        if k in chosen or row[2] is None
        else math.exp(1.5 * movies[row[3]].fame if row[3] >= 0 else 0.0)
        for k, row in enumerate(links)
    ]
    chosen.update(weighted_sample(rng, weights, size - strays - len(chosen)))
    rows = [links[k] for k in sorted(chosen)]
    taken = {row[0] for row in links}
    gaps = [row[0] + 1 for row in links if row[0] + 1 not in taken]
    for movie_id in rng.sample(gaps, min(len(gaps), strays)):
        year = _release_year(rng)
        rows.append((movie_id, ids.imdb(year), ids.tmdb(1.0), -1))
    return sorted(rows)


class _Ids:
    """Hands out unique TMDB ids and IMDb numbers, never the split records' real ones.

    Args:
        rng: the random source.
        scale: how much wider than the original's the TMDB id range is (``id_scale``).
    """

    def __init__(self, rng: random.Random, scale: float = 1.0):
        self.rng = rng
        self.scale = scale
        self.used_tmdb = {t for t, *_ in SPLIT_MOVIES}
        # taken IMDb number -> a larger number, every number between them being taken too
        self.imdb_after = {i: i + 1 for _, i, *_ in SPLIT_MOVIES}

    def tmdb(self, position: float) -> int:
        """A new TMDB id; later rows of links.csv get larger ids on average, as in the original."""
        top = int((20000 + 450000 * position**1.3) * self.scale)
        return fresh_id(lambda high: self.rng.randint(2, high), top, self.used_tmdb)

    def imdb(self, year: int) -> int:
        """A new IMDb number, roughly increasing with the release year: the next free one."""
        start = int(_interp(_IMDB_KNOTS, year + self.rng.random()))
        # Films before 1970 share the numbers below 65,000, so at scale they queue up in long
        # runs of taken numbers: a run is jumped, and each jump shortened for the next number.
        after, free = self.imdb_after, start
        while free in after:
            free = after[free]
        while start != free:
            jump = after[start]
            after[start] = free + 1
            start = jump
        after[free] = free + 1
        return free
