"""keywords.csv rows: ``id`` and a Python-literal list of ``{'id', 'name'}`` keywords."""

from __future__ import annotations

import random
from collections.abc import Iterator

from . import text
from .draws import (
    Zipf,
    correlated_z,
    long_tail_count,
    pick_positions,
    quota,
)
from .plan import Plan

HEADER = ("id", "keywords")


class KeywordsWriter:
    """Makes the rows of keywords.csv: 31.9% ``[]``, else ~5 long-tailed keywords per movie."""

    def __init__(self, plan: Plan, seed: int, movies: int):
        self.plan = plan
        rng = self.rng = random.Random(f"{seed}:keywords")
        plain, combos = text.keyword_names()
        rng.shuffle(plain)  # which plain keyword is the most used changes with the seed
        names = plain + combos
        ids = rng.sample(range(1, 250_000), len(names))
        self.pool = [{"id": ids[r], "name": names[r]} for r in range(len(names))]
        self.zipf = Zipf(len(names), 0.9, 10)
        fresh = [pos for pos, (_, variant) in enumerate(plan.keywords) if variant != "same"]
        # 14,795 of the 46,419 rows are []: 14,480 movies, plus the copies of some of them.
        self.empty = pick_positions(rng, fresh, {"[]": quota(14480, movies, 0)})

    def rows(self) -> Iterator[tuple[str, str]]:
        """Yield (id, keywords) in the plan's order; repeats are identical copies."""
        cache: dict[int, tuple[str, str]] = {}
        for pos, (i, variant) in enumerate(self.plan.keywords):
            if variant == "same":
                yield cache[i]
                continue
            movie = self.plan.movies[i]
            rng = self.rng
            if pos in self.empty:
                cell = "[]"
            else:
                k = long_tail_count(1.3, 0.8, 1.0, correlated_z(rng, movie.fame, 0.4), 150)
                ranks = dict.fromkeys(self.zipf.draw(rng, k))
                cell = repr([self.pool[r] for r in ranks])
            cache[i] = (str(movie.tmdb_id), cell)
            yield cache[i]
