"""A deterministic generator of Kaggle's "The Movies Dataset" (Rounak Banik), in its exact format.

Examples:
    >>> from movie_pipeline.generator import generate
    >>> info = generate("outputs/sample", movies=300, seed=42, progress=False)
    >>> info["credits.csv"]["rows"]
    300
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from . import movielens
from .credits import HEADER as CREDITS_HEADER
from .credits import CreditsWriter
from .keywords import HEADER as KEYWORDS_HEADER
from .keywords import KeywordsWriter
from .metadata import HEADER as METADATA_HEADER
from .metadata import MetadataWriter
from .plan import Plan, build_plan
from .writer import CRLF, LF, write_csv

__all__ = ["FILES", "generate"]

_Rows = Callable[[Plan, int, int, float], Iterator]

# file name -> (header, record separator, rows from (plan, movies, seed, ratings per movie)).
# Line endings follow the real copies: movies_metadata LF; the other files CRLF.
FILES: dict[str, tuple[tuple[str, ...], str, _Rows]] = {
    "credits.csv": (CREDITS_HEADER, CRLF, lambda p, m, s, r: CreditsWriter(p, s, m).rows()),
    "movies_metadata.csv": (METADATA_HEADER, LF, lambda p, m, s, r: MetadataWriter(p, s, m).rows()),
    "keywords.csv": (KEYWORDS_HEADER, CRLF, lambda p, m, s, r: KeywordsWriter(p, s, m).rows()),
    "links.csv": (movielens.LINKS_HEADER, CRLF, lambda p, m, s, r: movielens.link_rows(p.links)),
    "links_small.csv": (
        movielens.LINKS_HEADER, CRLF, lambda p, m, s, r: movielens.link_rows(p.links_small),
    ),
    "ratings_small.csv": (
        movielens.RATINGS_HEADER, CRLF,
        lambda p, m, s, r: movielens.rating_rows(
            p, p.links_small, max(20, round(100004 * m / 45476)), s, "ratings_small", movielens.LAST_SMALL
        ),
    ),
    "ratings.csv": (
        movielens.RATINGS_HEADER, CRLF,
        lambda p, m, s, r: movielens.rating_rows(p, p.links, round(r * m), s, "ratings", movielens.LAST_FULL),
    ),
}  # fmt: skip


def generate(
    out_dir: str | Path,
    movies: int = 300,
    seed: int = 42,
    files: Iterable[str] | None = None,
    progress: bool = True,
    *,
    ratings_per_movie: float = 20.0,
    faults: Iterable[str] = (),
) -> dict[str, dict]:
    """Write a synthetic copy of The Movies Dataset: same file names, headers, quoting and quirks.

    ``movies`` is the number of credits.csv rows (45,476 in the original); every other count is
    scaled from it, as in the original (45,466 metadata rows, 46,419 keywords rows, ...). The same
    seed always gives byte-identical files, also when only some files are asked for.

    Args:
        out_dir: folder to write to (created if missing; files there are overwritten).
        movies: credits.csv rows; 45476 gives full size (credits.csv ~190 MB).
        seed: random seed.
        files: a subset of ``FILES`` to write; all seven by default.
        progress: print one line per file to stderr.
        ratings_per_movie: size of ratings.csv (the original has ~570 per movie; 20 keeps it small).
        faults: names from :data:`movie_pipeline.generator.faults.FAULTS` to apply afterwards,
            in order, to the files just written (the shipped sample carries a few broken rows).

    Returns:
        ``{file name: {"rows": data rows, "bytes": size, "path": str}}``.

    Raises:
        ValueError: for an unknown file name or fault, a fault on a file not written, or fewer
            than 1 movie.
    """
    from .faults import FAULTS

    names = list(FILES) if files is None else list(files)
    unknown = sorted(set(names) - set(FILES))
    if unknown:
        raise ValueError(f"unknown file(s) {unknown}; choose from {list(FILES)}")
    if movies < 1:
        raise ValueError("movies must be at least 1")
    faults = list(faults)
    for fault in faults:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; choose from {', '.join(FAULTS)}")
        if FAULTS[fault].file not in names:
            raise ValueError(f"fault {fault!r} corrupts {FAULTS[fault].file}, which is not written")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plan = build_plan(movies, seed)
    result: dict[str, dict] = {}
    for name in names:
        start = time.perf_counter()
        header, newline, make_rows = FILES[name]
        path = out / name
        rows = write_csv(path, header, make_rows(plan, movies, seed, ratings_per_movie), newline)
        result[name] = {"rows": rows, "bytes": path.stat().st_size, "path": str(path)}
        if progress:
            size = result[name]["bytes"] / 1e6
            took = time.perf_counter() - start
            print(
                f"[generate] {name}: {rows:,} rows, {size:,.1f} MB, {took:.1f} s",
                file=sys.stderr,
                flush=True,
            )
    for fault in faults:
        path = out / FAULTS[fault].file
        FAULTS[fault].apply(path)
        result[path.name]["bytes"] = path.stat().st_size
        if progress:
            problem = FAULTS[fault].problem
            print(f"[generate] {path.name}: fault {fault} ({problem})", file=sys.stderr, flush=True)
    return result
