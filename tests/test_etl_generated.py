"""The ETL on generated data with every quirk (split records, duplicates, empty lists), checked
against an independent reading of the same files with csv and ast.literal_eval."""

from __future__ import annotations

import ast
import csv
from collections import Counter, defaultdict

import pytest

from frames import frame
from movie_pipeline.generator.metadata import SPLITS
from movie_pipeline.generator.plan import SPLIT_MOVIES
from movie_pipeline.transform.clean import MOVIES_CELLS
from movie_pipeline.transform.flatten import CREDITS_CELLS, KEYWORDS_CELLS
from movie_pipeline.transform.literal import parse_cells, parse_literal

csv.field_size_limit(1 << 30)


def _rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _py(value):
    if isinstance(value, list):
        return [_py(v) for v in value]
    return {k: _py(v) for k, v in value.asDict().items()} if hasattr(value, "asDict") else value


def _fit(value, keys):
    """literal_eval's dicts restricted to the keys the schema reads."""
    if isinstance(value, list):
        return [_fit(v, keys) for v in value]
    return {k: value.get(k) for k in keys} if isinstance(value, dict) else value


@pytest.mark.parametrize("file, cells", [
    ("credits.csv", CREDITS_CELLS), ("keywords.csv", KEYWORDS_CELLS),
    ("movies_metadata.csv", MOVIES_CELLS),
])  # fmt: skip
def test_every_generated_nested_cell_parses_like_literal_eval(spark, generated_source, file, cells):
    for out, (raw, schema) in cells.items():
        texts = sorted({r[raw] for r in _rows(generated_source / file) if r.get(raw)})
        df = frame(spark, [(t,) for t in texts], f"`{raw}` string")
        keys = [f.name for f in getattr(schema, "elementType", schema).fields]
        # The exact parser alone (natively), and the ETL's two tiers through the parser's entry.
        etl = parse_cells(
            df.select("*", parse_literal(raw, schema).alias("exact")), {out: (raw, schema)}
        )
        for row in etl.collect():
            if row[raw].startswith(("[", "{")):
                want = _fit(ast.literal_eval(row[raw]), keys)
                assert _py(row["exact"]) == _py(row[out]) == want, row[raw][:120]
                assert row["_errors"] == []
            else:  # the shifted half of a split record holds other columns' text here
                assert row["exact"] is None and row[out] is None and row["_errors"], row[raw]


def test_split_records_are_merged_back(spark, generated_run):
    settings, result = generated_run
    assert result["reconciliation"]["datasets"]["movies_metadata"]["split_halves_merged"] == 3
    movies = {r["id"]: r for r in spark.read.parquet(settings.cleaned_uri("movies")).collect()}
    for k, (tmdb_id, imdb, year, _) in enumerate(SPLIT_MOVIES, start=1):
        title, _, _, tail, pop, poster, date, runtime, tagline, average, votes = SPLITS[k]
        m = movies[tmdb_id]
        assert (m["imdb_id"], m["title"], m["poster_path"], m["tagline"]) == (
            f"tt{imdb:07d}",
            title,
            poster,
            tagline or None,
        )
        assert (str(m["release_date"]), m["release_year"], m["popularity"], m["runtime"]) == (
            date,
            year,
            float(pop),
            float(runtime),
        )
        assert (m["vote_average"], m["vote_count"], m["revenue"]) == (
            float(average),
            int(votes),
            None,
        )
        assert m["overview"].endswith("\n" + tail)


def test_duplicates_follow_the_documented_rule(spark, generated_source, generated_run):
    settings, result = generated_run
    recon = result["reconciliation"]["datasets"]
    credits = defaultdict(list)
    for r in _rows(generated_source / "credits.csv"):
        credits[int(r["id"])].append((ast.literal_eval(r["cast"]), ast.literal_eval(r["crew"])))
    assert recon["credits"]["duplicates_removed"] == sum(len(v) - 1 for v in credits.values()) > 0
    conflicts = [i for i, copies in credits.items() if len({repr(c) for c in copies}) > 1]
    assert conflicts, "the generator makes conflicting credits copies"
    cast = Counter(r["id"] for r in spark.read.parquet(settings.cleaned_uri("cast_data")).collect())
    crew = Counter(r["id"] for r in spark.read.parquet(settings.cleaned_uri("crew_data")).collect())
    for movie_id, copies in credits.items():
        best = max(len(c) + len(w) for c, w in copies)  # rule: the copy with the most entries
        assert (cast[movie_id], crew[movie_id]) in {
            (len(c), len(w)) for c, w in copies if len(c) + len(w) == best
        }
    metadata = defaultdict(list)
    for r in _rows(generated_source / "movies_metadata.csv"):
        if r["id"].isdigit():
            metadata[int(r["id"])].append(r)
    movies = {r["id"]: r for r in spark.read.parquet(settings.cleaned_uri("movies")).collect()}
    assert sorted(movies) == sorted(metadata)
    split_ids = {tmdb_id for tmdb_id, *_ in SPLIT_MOVIES}
    for movie_id, copies in metadata.items():  # rule: most votes, then highest popularity
        if movie_id in split_ids:  # their halves are checked above
            continue
        best = max(copies, key=lambda r: (int(r["vote_count"]), float(r["popularity"])))
        assert movies[movie_id]["popularity"] == float(best["popularity"])
    keywords = {(int(r["id"]), r["keywords"]) for r in _rows(generated_source / "keywords.csv")}
    want = Counter((i, k["id"], k["name"]) for i, text in keywords for k in ast.literal_eval(text))
    got = Counter(
        tuple(r) for r in spark.read.parquet(settings.cleaned_uri("movie_keywords")).collect()
    )
    assert got == want  # keywords repeat only as identical copies
    assert result["reconciliation"]["ok"]
