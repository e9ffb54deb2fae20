"""The local catalog: a DuckDB file in the lake, one view per table, that DuckDB opens directly."""

from __future__ import annotations

import csv
import datetime as dt

import duckdb

from movie_pipeline.catalog import register
from movie_pipeline.catalog.register import list_tables, register_local
from movie_pipeline.config import Settings
from movie_pipeline.ingest.upload import upload_raw
from movie_pipeline.specs.datasets import find_raw_files


def test_catalog_opens_with_plain_duckdb_and_shows_spec_types(mini_lake):
    # No project code on this path: what a learner gets with `duckdb <file>`.
    with duckdb.connect(str(mini_lake.catalog_path), read_only=True) as con:
        views = {
            r[0]
            for r in con.execute(
                "select view_name from duckdb_views() where not internal"
            ).fetchall()
        }
        assert views == {"movies", "movie_genres", "cast_data", "crew_data"}
        types = dict(
            con.execute("select column_name, column_type from (describe movies)").fetchall()
        )
        rows = con.execute(
            "select id, title, release_date, release_decade from movies order by id"
        ).fetchall()
    assert types["id"] == "INTEGER" and types["budget"] == "BIGINT"
    assert types["release_date"] == "DATE" and types["release_decade"] == "INTEGER"
    assert list(types)[0] == "id" and list(types)[-1] == "release_decade"
    assert len(rows) == 8
    assert rows[1] == (2, "Bravo", dt.date(1991, 1, 1), 1990)
    assert rows[6] == (7, "Golf", None, None)  # __HIVE_DEFAULT_PARTITION__ reads as null
    assert list_tables(mini_lake) == views


def _csv_rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_raw_tables_and_typed_views_over_the_real_samples(real_source, tmp_path):
    settings = Settings(lake_dir=tmp_path)
    files = find_raw_files(real_source)
    upload_raw(settings, {n: files[n] for n in ("credits.csv", "movies_metadata.csv")})
    registered = register_local(settings)
    assert registered == ["raw_credits", "raw_credits_typed",
                          "raw_movies_metadata", "raw_movies_metadata_typed"]  # fmt: skip
    credits = _csv_rows(real_source / "credits.csv")
    movies = _csv_rows(real_source / "movies_metadata.csv")
    with duckdb.connect(str(settings.catalog_path), read_only=True) as con:
        cast_cells = con.execute('select "cast", id from raw_credits').fetchall()
        typed = con.execute(
            "select id, budget, release_date, popularity, adult, bad_values "
            "from raw_movies_metadata_typed"
        ).fetchall()
    # The CSV module is the oracle: every cell as the file holds it (quoted newlines included).
    assert cast_cells == [(r["cast"], r["id"]) for r in credits]
    assert len(typed) == len(movies) == 5000
    for got, row in zip(typed, movies, strict=True):
        assert got[0] == int(row["id"]) and got[1] == int(row["budget"])
        date = dt.date.fromisoformat(row["release_date"]) if row["release_date"] else None
        assert got[2] == date and got[3] == float(row["popularity"])
        assert got[4] == (row["adult"] == "True") and got[5] is None


def test_typed_view_names_values_that_do_not_cast(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "links.csv").write_text(
        "movieId,imdbId,tmdbId\n1,0114709,862\nx1,0113497,\n3,0113228,15602.5\n"
    )
    settings = Settings(lake_dir=tmp_path / "lake")
    upload_raw(settings, {"links.csv": src / "links.csv"})
    register_local(settings)
    with duckdb.connect(str(settings.catalog_path), read_only=True) as con:
        rows = con.execute("select * from raw_links_typed").fetchall()
    assert rows == [
        (1, "0114709", 862, None),
        (None, "0113497", None, "movie_id"),  # an empty tmdbId is unknown, not bad
        (3, "0113228", None, "tmdb_id"),
    ]


def test_register_is_idempotent_and_follows_the_lake(mini_frames, tmp_path):
    from lake_tables import write_cleaned_local

    settings = Settings(lake_dir=tmp_path)
    assert list_tables(settings) == set()
    write_cleaned_local(settings, "movie_genres", mini_frames["movie_genres"])
    assert register_local(settings) == ["movie_genres"]
    write_cleaned_local(settings, "movies", mini_frames["movies"])
    assert register_local(settings) == ["movies", "movie_genres"]
    assert register_local(settings) == ["movies", "movie_genres"]
    with duckdb.connect(str(settings.catalog_path), read_only=True) as con:
        assert con.execute("select count(*) from movie_genres").fetchone() == (12,)


def test_describe_is_the_catalogs_own_answer(mini_lake):
    import duckdb

    described = register.describe(mini_lake, "movies")
    with duckdb.connect(str(mini_lake.catalog_path), read_only=True) as con:
        columns = [r[0] for r in con.execute("select * from movies limit 0").description]
    assert list(described["column"]) == columns
    assert described.set_index("column").loc["release_decade", "partition"]
    assert described.set_index("column").loc["budget", "type"] == "BIGINT"
    assert not described.set_index("column").loc["id", "partition"]
