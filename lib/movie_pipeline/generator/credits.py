"""credits.csv rows: ``cast`` and ``crew`` as Python ``repr()`` of lists of dicts, then ``id``."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator

from .draws import correlated_z, credit_base, long_tail_count, pick_positions, quota
from .literals import cast_entry, crew_entry, literal_list
from .names import NICKNAMES, RELATIONS, ROLES, TITLES
from .people import People, person_name
from .plan import Movie, Plan
from .reference import JOBS

HEADER = ("cast", "crew", "id")
_JOB_CUM = list(itertools.accumulate(w for _, _, w in JOBS))
# Rare characters that must still show up in a small sample: the literal text None, a
# backslash, and a string holding both quote kinds (repr escapes the apostrophe).
_FORCED = {"None": 6, "AC\\DC Fan": 4, 'Francis "LC" O\'Reilly': 6, 'Jo\'s "Lucky" Charm': 4}


def _pick(rng: random.Random, seq):
    return seq[int(rng.random() * len(seq))]  # rng.choice is ~3x slower; ~1M calls at full size


def character(rng: random.Random, gender: int) -> str:
    """A cast character name; about 4.6% are the empty string, as in the original."""
    u = rng.random()
    if u < 0.046:
        return ""
    if u < 0.30:
        text = person_name(rng, gender).split(" ")[0]
    elif u < 0.38:
        text = f"{_pick(rng, TITLES)} {person_name(rng, gender).split(' ')[-1]}"
    elif u < 0.58:
        text = _pick(rng, ROLES)
        if rng.random() < 0.2:
            text += f" #{rng.randint(1, 4)}"
    elif u < 0.62:
        text = "Herself" if gender == 1 else "Himself"
    elif u < 0.67:
        text = f"{person_name(rng, 0).split(' ')[0]}'s {_pick(rng, RELATIONS)}"
    elif u < 0.68:
        first, _, last = person_name(rng, gender).partition(" ")
        last = _pick(rng, ("O'Reilly", "O'Hara", "D'Amato")) if rng.random() < 0.4 else last
        text = f'{first} "{_pick(rng, NICKNAMES)}" {last}'
    elif u < 0.71:
        text = f"{_pick(rng, ROLES)} / {person_name(rng, gender)}"
    else:
        text = person_name(rng, gender)
    v = rng.random()
    if v < 0.05:
        text += " (voice)"
    elif v < 0.09:
        text += " (uncredited)"
    return text


class CreditsWriter:
    """Makes the rows of credits.csv from a plan, deterministically for one seed."""

    def __init__(self, plan: Plan, seed: int, movies: int):
        self.plan = plan
        self.rng = random.Random(f"{seed}:credits")
        self.people = People(seed, movies)
        counts = {text: quota(n, movies) for text, n in _FORCED.items()} if movies >= 50 else {}
        self.forced = pick_positions(self.rng, range(len(plan.credits)), counts)
        # Exact shares of empty lists at any size: 2,418 casts and 771 crews of 45,476 are [].
        fresh = [pos for pos, (_, variant) in enumerate(plan.credits) if variant != "same"]
        empties = {"cast": quota(2418, movies, 0), "crew": quota(771, movies, 0)}
        self.empty = pick_positions(self.rng, fresh, empties)
        self.pending: list[str] = []

    def rows(self) -> Iterator[tuple[str, str, str]]:
        """Yield (cast, crew, id) in the plan's order; repeats are byte-identical copies."""
        repeated = {i for i, variant in self.plan.credits if variant == "same"}
        cache: dict[int, tuple[str, str, str]] = {}
        for pos, (i, variant) in enumerate(self.plan.credits):
            if pos in self.forced:
                self.pending.append(self.forced[pos])
            if variant == "same":
                yield cache[i]
                continue
            movie = self.plan.movies[i]
            cast, crew = self.cells(movie, self.empty.get(pos, ""))
            row = (literal_list(cast), literal_list(crew), str(movie.tmdb_id))
            if i in repeated and variant == "row":
                cache[i] = row
            yield row

    def cells(self, movie: Movie, empty: str = "") -> tuple[list[str], list[str]]:
        """The cast and crew entries of one movie, as literals (sizes long-tailed, tied to fame).

        Args:
            movie: the movie.
            empty: "cast" or "crew" to leave that list empty.
        """
        rng, people = self.rng, self.people
        # Fitted to the original: cast mean 12.4, median 10, p95 32, max 313, 5.3% empty;
        # crew mean 10.2, 1.7% empty, median cell ~1,030 characters.
        z_cast, z_crew = correlated_z(rng, movie.fame, 0.5), correlated_z(rng, movie.fame, 0.5)
        n_cast = 0 if empty == "cast" else long_tail_count(2.3, 0.66, 1.6, z_cast, 313)
        n_crew = 0 if empty == "crew" else long_tail_count(1.78, 1.05, 0.9, z_crew, 450)
        n_dir = (
            0
            if not n_crew or rng.random() < 0.025
            else 1 + (rng.random() < 0.08) + (rng.random() < 0.01)
        )
        directors = people.directors.draw(rng, min(n_dir, n_crew))
        return self._cast(n_cast, directors), self._crew(n_crew, directors)

    def _credit_ids(self, n: int) -> list[str]:
        # TMDB creates most of a movie's credits in one batch (consecutive ids), some later.
        base = credit_base(self.rng)
        return [
            f"{base + 4 * k:024x}" if self.rng.random() < 0.75 else f"{credit_base(self.rng):024x}"
            for k in range(n)
        ]

    def _cast(self, n: int, directors: list[int]) -> list[str]:
        rng, pool = self.rng, self.people.cast
        ranks = pool.draw(rng, n)
        if directors:  # directors bring back their regulars
            troupe = self.people.troupe(directors[0])
            ranks[:10] = [rng.choice(troupe) if rng.random() < 0.12 else r for r in ranks[:10]]
        seen: set[int] = set()
        for k, r in enumerate(ranks):
            while r in seen:
                r = pool.draw(rng, 1)[0]
            seen.add(r)
            ranks[k] = r
        cast_id = 1 if rng.random() < 0.5 else rng.randint(2, 45)
        out = []
        for order, (rank, credit_id) in enumerate(zip(ranks, self._credit_ids(n), strict=True)):
            pid, name, gender, picture = pool.people[rank]
            text = self.pending.pop() if self.pending else character(rng, gender)
            out.append(cast_entry(cast_id, text, credit_id, gender, pid, name, order, picture))
            cast_id += 1 if rng.random() < 0.9 else rng.randint(2, 8)
        return out

    def _crew(self, n: int, directors: list[int]) -> list[str]:
        rng, people = self.rng, self.people
        jobs = [("Directing", "Director", people.directors.people[d]) for d in directors]
        others = rng.choices(JOBS, cum_weights=_JOB_CUM, k=n - len(jobs))
        writer_director = bool(directors) and rng.random() < 0.3
        for (dept, job, _), rank in zip(others, people.crew.draw(rng, len(others)), strict=True):
            person = people.crew.people[rank]
            if writer_director and dept == "Writing":  # directors often write their films
                person, writer_director = jobs[0][2], False
            jobs.append((dept, job, person))
        return [
            crew_entry(credit_id, dept, gender, pid, job, name, picture)
            for (dept, job, (pid, name, gender, picture)), credit_id in zip(
                jobs, self._credit_ids(n), strict=True
            )
        ]
