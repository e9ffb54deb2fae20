"""Pools of people (actors, directors, other crew) ranked by how often TMDB credits them."""

from __future__ import annotations

import bisect
import itertools
import random

from .draws import Zipf, fresh_id, id_scale, tmdb_path
from .names import CULTURES, NATIVE_NAMES

_CULTURE_NAMES = list(CULTURES)
_CULTURE_CUM = list(itertools.accumulate(c[0] for c in CULTURES.values()))
_SPLIT = {k: tuple(words.split() for words in v[1:]) for k, v in CULTURES.items()}
_NATIVE = {k: tuple(words.split() for words in v) for k, v in NATIVE_NAMES.items()}

# A few hand-placed people near the top of the pools, so that even a small sample holds the
# escapes seen in the original: a trailing tab (repr '\t') and the word True inside a string.
_CAST_SPECIALS = {2: "Edy Marlowe\t", 6: "True Boardwell", 11: "Siân Pryce"}
_CREW_SPECIALS = {1: "Rosalind Enriquez\t", 9: "Kerri O'Kane"}


def person_name(rng: random.Random, gender: int) -> str:
    """A full name from one of the cultures; gender 1 = female, 2 = male, 0 = either."""
    r = rng.random  # indexing by r() is several times faster than rng.choice on 800k people
    culture = _CULTURE_NAMES[bisect.bisect(_CULTURE_CUM, r() * _CULTURE_CUM[-1])]
    female = gender == 1 or (gender == 0 and r() < 0.4)
    if culture in _NATIVE and r() < 0.25:  # 山田太郎
        family, male_given, female_given = _NATIVE[culture]
        given = female_given if female else male_given
        return family[int(r() * len(family))] + given[int(r() * len(given))]
    male_names, female_names, surnames, prefixes, suffixes = _SPLIT[culture]
    names = female_names if female else male_names
    first = names[int(r() * len(names))]
    if r() < 0.75:
        last = prefixes[int(r() * len(prefixes))] + suffixes[int(r() * len(suffixes))]
    else:
        last = surnames[int(r() * len(surnames))]
    if r() < 0.06:
        first += f" {'ABCDEFGHJKLMNPRSTW'[int(r() * 18)]}."
    return f"{first} {last}"


class Pool:
    """People of one kind, ranked: rank r is credited with weight (r + offset) ** -exponent.

    Each person is a tuple (id, name, gender, profile_path). Lower ranks are the famous ones:
    they mostly have a known gender and a profile picture.

    Args:
        rng: the random source.
        size: number of people.
        exponent, offset: the long tail (see ``Zipf``).
        female, unknown_gender: shares of gender 1 and gender 0.
        no_picture: share of people without a profile_path (None), for the least credited.
        used_ids: person ids already taken by other pools (updated in place).
        specials: rank -> name, for hand-placed tricky names.
        stretch: how much wider than the original's the id range is (``id_scale``).
    """

    def __init__(
        self,
        rng: random.Random,
        size: int,
        exponent: float,
        offset: float,
        female: float,
        unknown_gender: float,
        no_picture: float,
        used_ids: set[int],
        specials: dict[int, str] | None = None,
        stretch: float = 1.0,
    ):
        self.zipf = Zipf(size, exponent, offset)
        self.people: list[tuple[int, str, int, str | None]] = []
        r = rng.random

        def draw_id(top: float) -> int:
            return 1 + int(r() * top)

        for rank in range(size):
            obscurity = rank / size
            u = rng.random()
            if u < unknown_gender * (0.5 + obscurity):
                gender = 0
            else:
                gender = 1 if rng.random() < female else 2
            top = (40_000 + 1_910_000 * obscurity**0.7) * stretch  # the famous have old, small ids
            person_id = fresh_id(draw_id, top, used_ids)
            name = (specials or {}).get(rank) or person_name(rng, gender)
            missing = rng.random() < no_picture * (0.5 + obscurity)
            self.people.append((person_id, name, gender, None if missing else tmdb_path(rng)))

    def draw(self, rng: random.Random, k: int) -> list[int]:
        """k ranks, long-tailed (repeats possible)."""
        return self.zipf.draw(rng, k)


class People:
    """The three pools of one dataset, sized to the number of movies."""

    def __init__(self, seed: int, movies: int):
        rng = random.Random(f"{seed}:people")
        used: set[int] = set()
        # 17.45 people per movie: beyond full size (793,556 people, ids up to 1.95 M) the id
        # ranges widen in proportion, else they fill up and drawing a free id never ends.
        stretch = id_scale(movies)
        # Sized and shaped so that at full size ~57% of actors appear once and the busiest
        # actor is in ~200 movies (Bess Flowers has 241 in the original), top director ~65.
        self.cast = Pool(
            rng, max(60, 10 * movies), 0.78, 120, 0.36, 0.4, 0.5, used, _CAST_SPECIALS, stretch
        )
        self.directors = Pool(
            rng, max(20, int(0.45 * movies)), 0.7, 40, 0.1, 0.1, 0.4, used, None, stretch
        )
        self.crew = Pool(
            rng, max(60, 7 * movies), 0.75, 150, 0.25, 0.75, 1.35, used, _CREW_SPECIALS, stretch
        )
        self._troupes: dict[int, list[int]] = {}
        self._seed = seed

    def troupe(self, director: int) -> list[int]:
        """The actors a director keeps casting (so director-actor pairs repeat across movies)."""
        if director not in self._troupes:
            self._troupes[director] = self.cast.draw(
                random.Random(f"{self._seed}:{director}:troupe"), 6
            )
        return self._troupes[director]
