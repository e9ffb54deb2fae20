"""movies_metadata.csv rows: 24 columns, nested cells as Python literals, and the known quirks."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator

from . import text
from .draws import (
    Zipf,
    correlated_z,
    id_scale,
    pick_positions,
    quota,
    tmdb_path,
    weighted_sample,
)
from .plan import Movie, Plan
from .reference import COUNTRIES, GENRES, LANGUAGE_NAMES, LANGUAGES, STATUSES

HEADER = (
    "adult", "belongs_to_collection", "budget", "genres", "homepage", "id", "imdb_id",
    "original_language", "original_title", "overview", "popularity", "poster_path",
    "production_companies", "production_countries", "release_date", "revenue", "runtime",
    "spoken_languages", "status", "tagline", "title", "video", "vote_average", "vote_count",
)  # fmt: skip

# The split records (FORMAT.md 1.5): title, original language and title, overview tail, and the
# values the shifted row carries (popularity, poster, release date, runtime, tagline, votes).
SPLITS = {
    1: ("Midnight Man", "en", "Midnight Man", "- Written by Ørnås", "0.065736", "/ff9qCepilowshEtG2GYWwzt2bs4.jpg", "1997-08-20", "104.0", "", "6.0", "1"),
    2: ("Mardock Scramble: The Third Exhaust", "ja", "マルドゥック・スクランブル 排気", "Rune Balot goes to a casino connected to the October corporation to try to wrap up her case once and for all.", "1.931659", "/zV8bHuSL6WXoD6FWogP9j4x80bL.jpg", "2012-09-29", "68.0", "", "7.0", "12"),
    3: ("Avalanche Sharks", "en", "Avalanche Sharks", "Avalanche Sharks tells the story of a bikini contest that turns into a horrifying affair when it is hit by a shark avalanche.", "2.185485", "/zaSf5OG7V8X8gqFvly88zDdRm46.jpg", "2014-01-01", "82.0", "Beware Of Frost Bites", "4.3", "22"),
}  # fmt: skip

_GENRE_COUNTS = list(itertools.accumulate((5.4, 30, 33, 21, 7.5, 2.3, 0.6, 0.2)))
_LANG_CODES = [code for code, *_ in LANGUAGES]
_LANG_CUM = list(itertools.accumulate(w for _, _, w, _ in LANGUAGES))
_SPOKEN_CUM = list(itertools.accumulate(w for *_, w in LANGUAGES))
_BLANK_LANGS = [code for code, name, *_ in LANGUAGES if name == ""]
_COUNTRY_CUM = list(itertools.accumulate(w for *_, w in COUNTRIES))
_HOME_COUNTRY = {"en": "US", "fr": "FR", "de": "DE", "it": "IT", "es": "ES", "ja": "JP", "zh": "CN", "cn": "HK", "ru": "RU", "ko": "KR", "hi": "IN", "sv": "SE", "pt": "BR", "fi": "FI", "da": "DK", "nl": "NL", "pl": "PL", "tr": "TR"}  # fmt: skip
_COUNTRY = {code: (code, name) for code, name, _ in COUNTRIES}
_UNRELEASED = ("Rumored", "Post Production", "In Production", "Planned", "Canceled")


def lit(items: list[dict] | dict) -> str:
    """A nested cell exactly as the original writes it: Python's repr (the empty list is ``[]``)."""
    return repr(items)


class MetadataWriter:
    """Makes the rows of movies_metadata.csv from a plan, deterministically for one seed."""

    def __init__(self, plan: Plan, seed: int, movies: int):
        self.plan = plan
        rng = self.rng = random.Random(f"{seed}:movies_metadata")
        n = len(plan.movies)
        # Rare values get exact quotas: their count in the full original, scaled to this size,
        # and at least 1 from 50 movies up so that a small sample still shows every quirk.
        full_counts = {
            status or "no status": c for status, c in STATUSES.items() if status != "Released"
        }
        full_counts |= {"adult": 9, "video": 93, "no date": 90, "no runtime": 263, "no poster": 386}
        full_counts |= {"cn": 1, "blank language": 1}  # guarantees; the weights give the rest
        q = {name: quota(c, movies) for name, c in full_counts.items()}
        q |= {"sci popularity": quota(27, movies, 2), "newline overview": quota(36, movies, 2)}
        q |= {"no overview": quota(954, movies, 0), "zero runtime": quota(1558, movies, 0)}
        plain = [m.index for m in plan.movies if not m.split]
        self.special = pick_positions(rng, plain, q if movies >= 50 else {})
        # Id ranges widen beyond full size: sampling 0.6 company ids per movie out of 95,000
        # fails from 3.5x on.
        self.scale = id_scale(movies)
        self.collections = [self._collection() for _ in range(max(1, round(0.037 * n)))]
        size = max(30, round(0.6 * n))
        self.company_zipf = Zipf(size, 0.8, 20)
        ids = rng.sample(range(1, int(95000 * self.scale)), size)
        self.companies = [{"name": text.company_name(rng, r), "id": ids[r]} for r in range(size)]

    def _collection(self) -> dict:
        rng = self.rng
        return {
            "id": rng.randint(8, int(480000 * self.scale)),
            "name": f"{text.title(rng)} Collection",
            "poster_path": None if rng.random() < 0.06 else tmdb_path(rng),
            "backdrop_path": None if rng.random() < 0.18 else tmdb_path(rng),
        }

    def rows(self) -> Iterator[list[str]]:
        """Yield the rows in the plan's order: a split movie gives its stub and its shifted row."""
        cache: dict[int, list[str]] = {}
        for i, variant in self.plan.metadata:
            movie = self.plan.movies[i]
            if variant == "row" and movie.split:
                yield from self._split_rows(movie)
            elif variant == "row":
                cache[i] = self.row(movie)
                yield cache[i]
            elif variant == "same":
                yield cache[i]
            else:  # fetched twice from TMDB: only the popularity moved
                yield cache[i][:10] + [self._popularity(movie, "")] + cache[i][11:]

    def _popularity(self, movie: Movie, special: str) -> str:
        rng = self.rng
        if special == "sci popularity":  # str() of a float below 1e-4 is in scientific notation
            return str(round(rng.uniform(1e-6, 9.9e-5), 6))
        z = correlated_z(rng, movie.fame, 0.9)
        z = z if z < 2 else 2 + (z - 2) * 2.0
        return str(round(min(550.0, max(0.0001, math.exp(0.1 + 1.05 * z))), 6))  # real max ~547

    def row(self, movie: Movie) -> list[str]:
        """All 24 fields of one movie."""
        rng, sp = self.rng, self.special.get(movie.index, "")
        lang = "cn" if sp == "cn" else rng.choices(_LANG_CODES, cum_weights=_LANG_CUM)[0]
        english = text.title(rng)
        has_budget = rng.random() < 1 / (1 + math.exp(1.75 - 1.2 * movie.fame))
        budget = self._money(15.6 + 0.5 * movie.fame) if has_budget else 0
        revenue = 0
        if rng.random() < (0.55 if budget else 0.05) and sp not in _UNRELEASED:
            revenue = int((budget or self._money(14.5)) * math.exp(rng.gauss(0.8, 1.2)))
        votes = (
            0
            if rng.random() < 0.064
            else min(
                14075, max(1, round(math.exp(2.4 + 2.19 * correlated_z(rng, movie.fame, 0.85))))
            )
        )
        status = sp if sp in _UNRELEASED else ("" if sp == "no status" else "Released")
        runtime = {"no runtime": "", "zero runtime": "0.0"}.get(sp, repr(float(self._runtime())))
        return [
            "True" if sp == "adult" else "False",
            lit(rng.choice(self.collections)) if rng.random() < 0.099 else "",
            str(budget),
            lit(self._genres()),
            text.homepage(rng, english) if rng.random() < 0.17 else "",
            str(movie.tmdb_id),
            f"tt{movie.imdb:07d}",
            lang,
            english if lang == "en" else text.native_title(rng, lang, english),
            "" if sp == "no overview" else text.overview(rng, newline=sp == "newline overview"),
            self._popularity(movie, sp),
            "" if sp == "no poster" else tmdb_path(rng),
            lit(self._companies()),
            lit(self._countries(lang)),
            "" if sp == "no date" else self._date(movie.year),
            str(revenue),
            runtime,
            lit(self._languages(lang, sp == "blank language")),
            status,
            text.tagline(rng) if rng.random() < 0.45 else "",
            english,
            "True" if sp == "video" else "False",
            str(round(min(10.0, max(0.0, rng.gauss(6.0 + 0.2 * movie.fame, 0.9 + 2.5 / math.sqrt(votes)))), 1)) if votes else "0.0",
            str(votes),
        ]  # fmt: skip

    def _split_rows(self, movie: Movie) -> list[list[str]]:
        """The stub (real id, overview cut short, the rest empty) and the row shifted 9 left."""
        title, lang, original, tail, pop, poster, date, runtime, tag, average, votes = SPLITS[
            movie.split
        ]
        full = self.row(movie)
        full[7], full[8], full[20] = lang, original, title
        stub = full[:9] + [text.overview(self.rng).rsplit(" ", 3)[0]] + [""] * 14
        shifted = [tail, pop, poster, full[12], full[13], date, "0", runtime, lit([{"iso_639_1": lang, "name": LANGUAGE_NAMES[lang]}]), "Released", tag, title, "False", average, votes]  # fmt: skip
        return [stub, shifted + [""] * 9]

    def _money(self, mu: float) -> int:
        value = math.exp(self.rng.gauss(mu, 1.3))
        return int(round(value, -5)) if value > 2e6 else max(1, int(value))

    def _runtime(self) -> int:
        rng = self.rng
        return (
            rng.randint(3, 45)
            if rng.random() < 0.06
            else max(46, min(400, round(rng.gauss(98, 18))))
        )

    def _date(self, year: int) -> str:
        month, day = self.rng.randint(1, 12), self.rng.randint(1, 28)
        return f"{year}-{month:02d}-{day:02d}"

    def _genres(self) -> list[dict]:
        k = self.rng.choices(range(len(_GENRE_COUNTS)), cum_weights=_GENRE_COUNTS)[0]
        picks = weighted_sample(self.rng, [w for *_, w in GENRES], k)
        return [{"id": GENRES[g][0], "name": GENRES[g][1]} for g in picks]

    def _companies(self) -> list[dict]:
        rng = self.rng
        if rng.random() < 0.261:
            return []
        ranks = self.company_zipf.draw(rng, 1 + int(rng.expovariate(1 / 1.6)))
        return [self.companies[r] for r in dict.fromkeys(ranks)]

    def _countries(self, lang: str) -> list[dict]:
        rng = self.rng
        if rng.random() < 0.138:
            return []
        first = _HOME_COUNTRY.get(lang) if rng.random() < 0.8 else None
        codes = [first] if first else []
        while not codes or rng.random() < 0.2:
            codes.append(rng.choices(COUNTRIES, cum_weights=_COUNTRY_CUM)[0][0])
        return [{"iso_3166_1": c, "name": _COUNTRY[c][1]} for c in dict.fromkeys(codes)]

    def _languages(self, lang: str, blank: bool) -> list[dict]:
        rng = self.rng
        if rng.random() < 0.084 and not blank:
            return []
        codes = [lang]
        while rng.random() < 0.25:
            codes.append(rng.choices(_LANG_CODES, cum_weights=_SPOKEN_CUM)[0])
        if blank:
            codes.append(rng.choice(_BLANK_LANGS))
        return [{"iso_639_1": c, "name": LANGUAGE_NAMES[c]} for c in dict.fromkeys(codes)]
