"""The ETL end to end: raw readers, independent counts, the real samples through `movie-pipeline
run` against a literal_eval oracle, the quarantine, and the loud failure."""

from __future__ import annotations

import ast
import csv
import json
from collections import Counter

import duckdb
import pandas as pd
import pytest
from pyspark.sql import functions as F

import oracles
from frames import frame
from glue_stand_in import COMPILED
from movie_pipeline.config import Settings
from movie_pipeline.etl.driver import SchemaDriftError, conform, run_etl
from movie_pipeline.etl.reconcile import ReconciliationError
from movie_pipeline.specs.datasets import (
    CORRUPT_RECORD,
    RAW_FILES,
    RawFormatError,
    _count_with_spark,
    count_records,
    read_raw,
)
from movie_pipeline.specs.tables import CLEANED_TABLES

csv.field_size_limit(1 << 30)


def _rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _parquet(lake, name: str, columns: str = "*") -> list[tuple]:
    """The rows of a cleaned (unpartitioned) table as DuckDB reads its files: not through Spark,
    which wrote them."""
    files = f"{lake / 'cleaned' / name}/*.parquet"
    return duckdb.sql(f"select {columns} from read_parquet('{files}')").fetchall()


def _table(lake, name):
    return Counter(_parquet(lake, name))


# Reading and counting ------------------------------------------------------------------------
def test_read_raw_names_the_columns_of_every_known_header(spark, realdata, tmp_path):
    tmdb = read_raw(spark, RAW_FILES["credits.csv"], str(realdata / "tmdb_5000_credits_head.csv"))
    assert tmdb.columns == ["id", "title", "cast", "crew", CORRUPT_RECORD]
    assert tmdb.count() == 198 and tmdb.filter(F.col(CORRUPT_RECORD).isNotNull()).count() == 0
    (tmp_path / "k.csv").write_text("tmdb_id,keywords\r\n1,[]\r\n", encoding="utf-8")
    assert read_raw(spark, RAW_FILES["keywords.csv"], str(tmp_path / "k.csv")).columns[0] == "id"
    (tmp_path / "x.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(RawFormatError, match="unexpected header 'a,b'; expected cast,crew,id"):
        read_raw(spark, RAW_FILES["credits.csv"], str(tmp_path / "x.csv"))


def test_a_record_with_the_wrong_field_count_keeps_its_raw_text(spark, tmp_path):
    path = tmp_path / "credits.csv"
    path.write_text('cast,crew,id\n[],[],1\n[]\n"[]",[],2,extra\n', encoding="utf-8")
    rows = read_raw(spark, RAW_FILES["credits.csv"], str(path)).collect()
    assert [r[CORRUPT_RECORD] for r in rows] == [None, "[]", '"[]",[],2,extra']


def test_record_counts_agree_without_the_csv_parser(spark, realdata, tmp_path):
    tricky = tmp_path / "movies.csv"
    tricky.write_bytes(
        b'a,b\r\n1,"two\r\nlines, and ""quotes"""\r\n\r\n2,"x\n\n y"\n3,plain\n'
    )  # 3 records: a field spanning lines, a blank line, a field holding a blank line
    movies = RAW_FILES["movies_metadata.csv"]
    local = count_records(spark, movies, str(tricky))
    assert (local.records, local.unbalanced_lines) == (3, 4)
    assert _count_with_spark(spark, movies, str(tricky)).records == 3
    for name, raw, records in (("movies_metadata_head.csv", movies, 5000),
                               ("credits_head.csv", RAW_FILES["credits.csv"], 35)):  # fmt: skip
        path = str(realdata / name)
        assert count_records(spark, raw, path).records == records
        assert _count_with_spark(spark, raw, path).records == records


def test_conform_refuses_a_transform_that_drifts_from_its_spec(spark):
    spec = CLEANED_TABLES["links"]
    df = frame(spark, [(1, "tt1", 2)], "movie_id int, imdb_id string, tmdb_id bigint")
    with pytest.raises(SchemaDriftError, match="links: the transform gives .*tmdb_id', 'bigint'"):
        conform(df, spec)


# The real samples through `movie-pipeline run` ------------------------------------------------
@pytest.fixture(scope="module")
def real_run(spark, real_source, tmp_path_factory):
    """`movie-pipeline run` once on the real samples, in the tests' Spark session; returns
    (lake bucket folder, run report)."""
    from movie_pipeline.cli import main

    root = tmp_path_factory.mktemp("real_run")
    lake, out = root / "lake", root / "out"
    argv = ["run", "--source", str(real_source), "--lake", str(lake), "--outputs", str(out)]
    # The session as it is: `run`'s own get_spark would set its settings on this worker's shared
    # session (8 shuffle partitions) for every test after this one. Compiled expressions for this
    # run only: over the real samples' 45,000 links and 100,000 ratings Spark's generated code
    # pays for itself (the smaller runs interpret them: tests/spark/spark-defaults.conf).
    saved = {key: spark.conf.get(key) for key in COMPILED}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("movie_pipeline.etl.spark.get_spark", lambda *args, **kw: spark)
        for key, value in COMPILED.items():
            spark.conf.set(key, value)
        try:
            assert main(argv) == 0
        finally:
            for key, value in saved.items():
                spark.conf.set(key, value)
    report = json.loads((out / "run_report.json").read_text())
    return lake / "movie-analytics-lake", report


def test_real_cast_and_crew_equal_a_literal_eval_flattening(real_run, real_source):
    lake, _ = real_run
    cast, crew = Counter(), Counter()
    for row in _rows(real_source / "credits.csv"):
        for c in ast.literal_eval(row["cast"]):
            cast[(int(row["id"]), c["cast_id"], c["character"], c["credit_id"], c["gender"],
                  c["name"], c["order"], c["id"], c["profile_path"])] += 1  # fmt: skip
        for c in ast.literal_eval(row["crew"]):
            crew[(int(row["id"]), c["credit_id"], c["department"], c["gender"], c["job"],
                  c["name"], c["id"], c["profile_path"])] += 1  # fmt: skip
    assert _table(lake, "cast_data") == cast
    assert _table(lake, "crew_data") == crew


def test_real_keywords_and_bridges_equal_a_literal_eval_flattening(real_run, real_source):
    lake, _ = real_run
    keywords = Counter(
        (int(r["id"]), k["id"], k["name"])
        for r in _rows(real_source / "keywords.csv")
        for k in ast.literal_eval(r["keywords"])
    )
    assert _table(lake, "movie_keywords") == keywords
    first = {}  # one row per id: the only repeated id (105045) repeats byte for byte
    for r in _rows(real_source / "movies_metadata.csv"):
        first.setdefault(int(r["id"]), r)
    for table, column, keys in (
        ("movie_genres", "genres", ("id", "name")),
        ("movie_production_companies", "production_companies", ("id", "name")),
        ("movie_production_countries", "production_countries", ("iso_3166_1", "name")),
        ("movie_spoken_languages", "spoken_languages", ("iso_639_1", "name")),
    ):
        want = Counter((i, *(e[k] for k in keys)) for i, r in first.items()
                       for e in ast.literal_eval(r[column] or "[]"))  # fmt: skip
        assert _table(lake, table) == want, table


def test_real_movies_are_typed_like_the_oracle_says(spark, real_run, real_source):
    lake, _ = real_run
    got = {r["id"]: r for r in spark.read.parquet(str(lake / "cleaned" / "movies")).collect()}
    raw = {int(r["id"]): r for r in _rows(real_source / "movies_metadata.csv")}
    assert sorted(got) == sorted(raw)
    for movie_id, r in raw.items():
        m = got[movie_id]
        collection = (
            ast.literal_eval(r["belongs_to_collection"]) if r["belongs_to_collection"] else {}
        )
        assert (m["budget"], m["revenue"]) == (int(r["budget"]) or None, int(r["revenue"]) or None)
        assert m["popularity"] == float(r["popularity"])
        assert m["runtime"] == ((float(r["runtime"]) or None) if r["runtime"] else None)
        assert str(m["release_date"] or "") == r["release_date"]
        assert m["release_decade"] == (
            int(r["release_date"][:3]) * 10 if r["release_date"] else None
        )
        assert (m["adult"], m["video"]) == (r["adult"] == "True", r["video"] == "True")
        assert (m["title"], m["overview"]) == (r["title"] or None, r["overview"] or None)
        assert (m["collection_id"], m["collection_name"]) == (
            collection.get("id"),
            collection.get("name"),
        )
    folders = {p.name for p in (lake / "cleaned" / "movies").iterdir() if p.is_dir()}
    decades = {r["release_date"][:3] + "0" if r["release_date"] else "__HIVE_DEFAULT_PARTITION__"
               for r in raw.values()}  # fmt: skip
    assert folders == {f"release_decade={d}" for d in decades}


def test_real_links_and_ratings_equal_the_csv(real_run, real_source):
    lake, _ = real_run
    links = Counter((int(r["movieId"]), "tt" + r["imdbId"], int(r["tmdbId"]) if r["tmdbId"] else None)
                    for r in _rows(real_source / "links.csv"))  # fmt: skip
    assert _table(lake, "links") == links
    got = Counter(_parquet(lake, "ratings", "user_id, movie_id, rating, epoch(rated_at)::bigint"))
    want = Counter((int(r["userId"]), int(r["movieId"]), float(r["rating"]), int(r["timestamp"]))
                   for r in _rows(real_source / "ratings_small.csv"))  # fmt: skip
    assert got == want


def test_real_reconciliation_adds_up_and_is_saved(real_run):
    lake, report = real_run
    rec = report["reconciliation"]
    assert rec == json.loads((lake / "reports" / "reconciliation.json").read_text())
    assert rec["ok"] and rec["skipped"] == {}
    counts = {name: (d["raw_records"], d["read_records"], d["clean"], d["quarantined"],
                     d["duplicates_removed"], d["split_halves_merged"])
              for name, d in rec["datasets"].items()}  # fmt: skip
    assert counts == {
        "credits": (35, 35, 35, 0, 0, 0),
        "movies_metadata": (5000, 5000, 4999, 0, 1, 0),  # id 105045 twice (FORMAT.md 1.5)
        "keywords": (57, 57, 57, 0, 0, 0),
        "links": (45843, 45843, 45843, 0, 0, 0),
        "ratings": (100004, 100004, 100004, 0, 0, 0),
    }
    assert rec["datasets"]["links"]["notes"] == [
        "links_small.csv present but not loaded: links.csv is preferred"
    ]
    assert (
        report["tables"]["cast_data"]["rows"]
        == rec["datasets"]["credits"]["tables"]["cast_data"]["expected"]
    )
    for d in rec["datasets"].values():
        assert 0 < d["cleaned_bytes"] < d["raw_bytes"]


def test_run_on_real_samples_gives_oracle_top_actors(real_source, real_run):
    # The walking skeleton end to end: raw files -> lake -> Spark -> Parquet -> DuckDB -> CSV + PNG.
    bucket, report = real_run
    lake, out = bucket.parent, bucket.parents[1] / "out"
    assert report["queries"]["top_actors"]["csv"] == "results/top_actors.csv"
    cleaned = lake / "movie-analytics-lake" / "cleaned" / "cast_data"
    assert list(cleaned.glob("*.parquet"))
    got = pd.read_csv(out / "results" / "top_actors.csv")
    expected = oracles.top_actors(real_source / "credits.csv")
    assert list(got.itertuples(index=False, name=None)) == expected
    png = (out / "charts" / "top_actors.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 5_000


# Quarantine and the loud failure -------------------------------------------------------------
def _lake_with_credits(tmp_path, text: str) -> Settings:
    settings = Settings(lake_dir=tmp_path / "lake")
    dest = tmp_path / "lake" / settings.bucket / "raw" / "credits" / "credits.csv"
    dest.parent.mkdir(parents=True)
    dest.write_text(text, encoding="utf-8")
    return settings


GOOD = "\"[{'cast_id': 1, 'character': 'A', 'credit_id': 'c1', 'gender': 1, 'id': 7, 'name': 'Ann', 'order': 0, 'profile_path': None}]\""  # noqa: E501


def test_bad_rows_are_quarantined_with_reasons_and_everything_adds_up(spark, tmp_path):
    astral = "\"[{'cast_id': 2, 'character': 'B', 'credit_id': 'c2', 'gender': 2, 'id': 8, 'name': 'Bo\\U0001f600', 'order': 0, 'profile_path': None}]\""  # noqa: E501
    lines = [
        "cast,crew,id",
        f"{GOOD},[],1",
        f"{GOOD},[],1",  # an identical copy
        f"{GOOD},[],x9",  # an id that is not a number
        f"{astral},[],2",  # the native parser refuses it; literal_eval reads it
        "\"[{'cast_id': 3, 'name': 'cut\",[],3",  # a cell cut short
        "[],[]",  # too few fields
    ]
    settings = _lake_with_credits(tmp_path, "\n".join(lines) + "\n")
    result = run_etl(spark, settings, datasets=["credits"])
    d = result["reconciliation"]["datasets"]["credits"]
    assert (d["raw_records"], d["read_records"], d["clean"], d["quarantined"],
            d["duplicates_removed"], d["rows_retried"]) == (6, 6, 2, 3, 1, 2)  # fmt: skip
    cast = spark.read.parquet(settings.cleaned_uri("cast_data"))
    assert sorted((r["id"], r["name"]) for r in cast.collect()) == [(1, "Ann"), (2, "Bo\U0001f600")]
    quarantine = spark.read.parquet(settings.quarantine_uri("credits")).collect()
    reasons = sorted(r["reason"] for r in quarantine)
    assert reasons[0].startswith(
        "cast_list: not a Python literal or JSON (SyntaxError: unterminated"
    )
    assert reasons[1:] == [
        "id 'x9' is not an integer",
        "malformed CSV record: wrong number of fields",
    ]
    raws = {json.loads(r["raw"]).get("id") for r in quarantine}
    assert raws == {"x9", "3", None}
    assert all(r["dataset"] == "credits" for r in quarantine)


def test_a_misaligned_read_fails_loudly_after_saving_the_report(spark, tmp_path):
    # A cell holding a line break, in a file Spark reads line by line: two broken records.
    broken = "\"[{'cast_id': 1, 'character': 'two\nlines', 'credit_id': 'c1', 'gender': 1, 'id': 7, 'name': 'Ann', 'order': 0, 'profile_path': None}]\""  # noqa: E501
    settings = _lake_with_credits(tmp_path, f"cast,crew,id\n{GOOD},[],1\n{broken},[],2\n")
    with pytest.raises(
        ReconciliationError, match="2 records in the file .* returned 3: the file is misaligned"
    ):
        run_etl(spark, settings, datasets=["credits"])
    saved = json.loads(
        (tmp_path / "lake" / settings.bucket / "reports" / "reconciliation.json").read_text()
    )
    assert saved["ok"] is False
    assert saved["datasets"]["credits"]["unbalanced_quote_lines"] == 2
