"""The walking skeleton end to end: raw files -> lake -> Spark -> Parquet -> DuckDB -> CSV + PNG."""

from __future__ import annotations

import ast
import csv
from collections import Counter

import pandas as pd


def _top_actors_oracle(credits_csv):
    """An independent answer: literal_eval every cast cell and count movies per person."""
    movies, names = Counter(), {}
    seen = set()
    with open(credits_csv, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for c in ast.literal_eval(row["cast"]):
                if (c["id"], row["id"]) not in seen:
                    seen.add((c["id"], row["id"]))
                    movies[c["id"]] += 1
                names[c["id"]] = min(names.get(c["id"], c["name"]), c["name"])
    ranked = sorted(movies, key=lambda p: (-movies[p], names[p], p))[:10]
    return [(names[p], p, movies[p]) for p in ranked]


def test_run_on_real_samples_gives_oracle_top_actors(real_source, real_run):
    # The same `movie-pipeline run` on the real samples that test_etl checks (conftest.real_run):
    # the pipeline runs once per distinct input.
    bucket, report = real_run
    lake, out = bucket.parent, bucket.parents[1] / "out"
    assert report["queries"]["top_actors"]["csv"] == "results/top_actors.csv"
    cleaned = lake / "movie-analytics-lake" / "cleaned" / "cast_data"
    assert list(cleaned.glob("*.parquet"))
    got = pd.read_csv(out / "results" / "top_actors.csv")
    expected = _top_actors_oracle(real_source / "credits.csv")
    assert list(got.itertuples(index=False, name=None)) == expected
    png = (out / "charts" / "top_actors.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 5_000
