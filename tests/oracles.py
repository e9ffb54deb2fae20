"""Answers computed from the raw CSV alone (csv + ast.literal_eval), to check the pipeline's."""

from __future__ import annotations

import ast
import csv
from collections import Counter
from pathlib import Path

csv.field_size_limit(1 << 30)  # the fault corpus's huge cell


def top_actors(credits_csv: Path, limit: int = 10) -> list[tuple[str, int, int]]:
    """``(name, person id, movies)`` of the people in the most casts, as top_actors.sql ranks them.

    One row per movie, as the pipeline keeps it (the copy with the most cast and crew entries);
    a row literal_eval cannot read is skipped (the pipeline quarantines it).
    """
    kept: dict[int, tuple[int, list]] = {}
    with open(credits_csv, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            try:
                cast, crew = ast.literal_eval(row["cast"]), ast.literal_eval(row["crew"])
                movie = int(row["id"])
            except (ValueError, SyntaxError):
                continue
            entries = len(cast) + len(crew)
            if movie in kept and kept[movie][0] == entries:
                assert kept[movie][1] == cast, f"movie {movie}: two different copies tie"
            if movie not in kept or entries > kept[movie][0]:
                kept[movie] = (entries, cast)
    movies, names = Counter(), {}
    for _, cast in kept.values():
        for person in {c["id"] for c in cast}:
            movies[person] += 1
        for c in cast:
            names[c["id"]] = min(names.get(c["id"], c["name"]), c["name"])
    ranked = sorted(movies, key=lambda p: (-movies[p], names[p], p))[:limit]
    return [(names[p], p, movies[p]) for p in ranked]


def changed_records(clean: Path, faulty: Path) -> list[tuple[dict, dict]]:
    """``(clean record, faulty record)`` for every record a fault changed, by column name.

    Read with Python's csv (a byte-order mark dropped), record by record: a fault changes
    records in place, it never adds or removes one. Reordered columns alone change nothing.
    """

    def records(path: Path) -> list[dict]:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            return list(csv.DictReader(fh))

    before, after = records(clean), records(faulty)
    assert len(before) == len(after), f"{faulty.name}: a fault added or removed a record"
    return [(a, b) for a, b in zip(before, after, strict=True) if a != b]
