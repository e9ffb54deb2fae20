"""links.csv, links_small.csv, ratings_small.csv and ratings.csv: the MovieLens side."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator

from .plan import Plan

LINKS_HEADER = ("movieId", "imdbId", "tmdbId")
RATINGS_HEADER = ("userId", "movieId", "rating", "timestamp")
# Unix seconds of the first and last rating: 1995-01-09 .. 2016-10-16 in ratings_small.csv
# (verified); 2017-08-04 for ratings.csv is the end of the MovieLens release it was cut from.
FIRST_RATING, LAST_SMALL, LAST_FULL = 789652009, 1476640644, 1501829870
HALF_STARS_FROM = 1045526400  # MovieLens allowed half stars from 2003-02-18 on


def link_rows(rows: list[tuple[int, int, int | None, int]]) -> Iterator[tuple[str, str, str]]:
    """(movieId, imdbId zero-padded to 7 digits, tmdbId or empty)."""
    for movie_id, imdb, tmdb, _ in rows:
        yield str(movie_id), f"{imdb:07d}", "" if tmdb is None else str(tmdb)


def rating_rows(
    plan: Plan, links: list, target: int, seed: int, name: str, last: int
) -> Iterator[tuple[str, str, str, str]]:
    """Ratings sorted by user then movie, as MovieLens writes them.

    Each user rates at least 20 movies (median ~71, long tail), picked by popularity; a user's
    ratings fall in one stretch of time; ratings before 2003-02-18 are whole stars.

    Args:
        plan: the dataset plan (for each movie's fame).
        links: the links rows the ratings may point at (links or links_small).
        target: how many ratings to write.
        seed: the dataset seed.
        name: the file name (seeds its own random stream).
        last: the latest timestamp.
    """
    rng = random.Random(f"{seed}:{name}")
    fame = [plan.movies[row[3]].fame if row[3] >= 0 else -1.0 for row in links]
    cum = list(itertools.accumulate(math.exp(1.2 * f) for f in fame))
    quality = [0.25 * f + rng.gauss(0.0, 0.35) for f in fame]
    user, written, n = 0, 0, len(links)
    while written < target and n:
        user += 1
        count = min(n, target - written, 20 + int(math.exp(rng.gauss(3.93, 1.36))), 2391)
        if target - written - count < 20:  # no user with fewer than 20 ratings at the end
            count = min(n, target - written)
        if count > n // 3:
            picks = rng.sample(range(n), count)
        else:
            chosen: set[int] = set()
            while len(chosen) < count:
                chosen.update(rng.choices(range(n), cum_weights=cum, k=count - len(chosen)))
            picks = list(chosen)
        bias, halves = rng.gauss(0.0, 0.45), rng.random() < 0.65
        start = rng.uniform(FIRST_RATING, last - 86400)
        span = min(last - start, math.exp(rng.gauss(13.0, 3.0)))
        for k in sorted(picks):
            stamp = int(start + rng.random() * span)
            raw = 3.22 + bias + quality[k] + rng.gauss(0.0, 0.95)
            step = 2 if halves and stamp >= HALF_STARS_FROM else 1
            rating = min(5.0, max(1 / step, round(raw * step) / step))
            yield str(user), str(links[k][0]), f"{rating:.1f}", str(stamp)
        written += count
