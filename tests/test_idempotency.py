"""Re-runs: the same input twice gives the same tables, no duplicates, and uploads nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from movie_pipeline import pipeline
from movie_pipeline.config import Settings
from movie_pipeline.generator import generate
from movie_pipeline.lake.atomic import staging_root
from movie_pipeline.lake.lock import lock_path
from movie_pipeline.specs.tables import CLEANED_TABLES

FILES = ["movies_metadata.csv", "links.csv"]


def _snapshot(settings: Settings) -> dict[str, list[tuple]]:
    """Every cleaned table in the catalog, all rows sorted (what a reader sees)."""
    with duckdb.connect(str(settings.catalog_path), read_only=True) as con:
        views = {r[0] for r in con.execute("select view_name from duckdb_views()").fetchall()}
        return {
            t: con.execute(f"select * from {t} order by all").fetchall()
            for t in sorted(set(CLEANED_TABLES) & views)
        }


def _files(settings: Settings) -> dict[str, int]:
    root = Path(settings.bucket_root)
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def _run(settings, source, spark) -> list:
    uploaded = pipeline.upload(settings, source)
    pipeline.transform(settings, spark)
    pipeline.register(settings)
    return uploaded


@pytest.mark.slow
def test_running_twice_on_the_same_input_changes_nothing(tmp_path, spark):
    source, settings = tmp_path / "src", Settings(lake_dir=tmp_path / "lake")
    generate(source, movies=30, seed=11, files=FILES, progress=False)

    first = _run(settings, source, spark)
    tables, raw = (
        _snapshot(settings),
        {k: v for k, v in _files(settings).items() if k.startswith("raw/")},
    )
    second = _run(settings, source, spark)

    assert [u.transferred for u in first] == [True, True]
    assert [u.transferred for u in second] == [False, False]  # nothing sent again
    assert {k: v for k, v in _files(settings).items() if k.startswith("raw/")} == raw  # untouched
    assert _snapshot(settings) == tables  # the same rows, so nothing was appended twice
    assert {"movies", "movie_genres", "links"} <= set(tables)
    # No duplicates: one row per movie, as many as the raw file has distinct integer ids.
    with open(source / "movies_metadata.csv", newline="", encoding="utf-8") as fh:
        ids = {r["id"] for r in csv.DictReader(fh) if r["id"].isdigit()}
    movie_ids = [row[0] for row in tables["movies"]]
    assert len(movie_ids) == len(set(movie_ids)) == len(ids)
    assert len({r[0] for r in tables["links"]}) == len(tables["links"])
    # Nothing left behind by either run: no staging, no lock, no old versions.
    assert list(staging_root(settings).iterdir()) == [] and not lock_path(settings).exists()
