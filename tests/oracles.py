"""Answers computed from the raw CSV alone (csv + ast.literal_eval), to check the pipeline's."""

from __future__ import annotations

import ast
import csv
from collections import Counter
from pathlib import Path


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
