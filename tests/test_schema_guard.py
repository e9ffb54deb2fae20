"""The schema guard: files that Athena would reject (HIVE_BAD_DATA) are named before any query."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lake_tables import write_cleaned_local
from movie_pipeline import pipeline
from movie_pipeline.config import Settings
from movie_pipeline.lake.schema_guard import SchemaMismatchError, check_table, guard
from movie_pipeline.specs.ddl import arrow_schema
from movie_pipeline.specs.tables import CLEANED_TABLES


def _write(settings: Settings, rel: str, table: pa.Table, **kwargs) -> str:
    path = settings.lake_dir / settings.bucket / "cleaned" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, **kwargs)
    return str(path)


def _genres(**overrides) -> pa.Table:
    cols = {"id": pa.array([1], pa.int32()), "genre_id": pa.array([18], pa.int32()),
            "genre_name": pa.array(["Drama"])}  # fmt: skip
    cols.update(overrides)
    return pa.table({k: v for k, v in cols.items() if v is not None})


def test_a_lake_written_with_the_specs_passes(mini_lake):
    assert guard(mini_lake) == ["cast_data", "crew_data", "movies", "movie_genres"]


@pytest.mark.parametrize(
    ("column", "array", "expected", "found"),
    [
        ("genre_id", pa.array([18], pa.int64()), "int (Parquet INT32)", "INT64"),
        ("id", pa.array(["1"]), "int (Parquet INT32)", "BYTE_ARRAY (String)"),
        ("genre_id", pa.array([18], pa.int8()), "int (Parquet INT32)", "INT32 (Int 8)"),
        ("genre_name", pa.array([1.5]), "string (Parquet BYTE_ARRAY (String))", "DOUBLE"),
        ("genre_name", None, "string (Parquet BYTE_ARRAY (String))", "missing"),
    ],
)
def test_each_problem_names_table_column_types_and_file(tmp_path, column, array, expected, found):
    settings = Settings(lake_dir=tmp_path)
    bad = _write(settings, "movie_genres/part-1.parquet", _genres(**{column: array}))
    _write(settings, "movie_genres/part-0.parquet", _genres())  # a good file beside it
    with pytest.raises(SchemaMismatchError) as err:
        guard(settings)
    assert [str(p) for p in err.value.problems] == [
        f"table movie_genres, column {column}: expected {expected}, found {found} in {bad}"
    ]
    assert "HIVE_BAD_DATA" in str(err.value) and bad in str(err.value)


def test_budget_written_as_int32_is_caught_in_its_partition(mini_frames, tmp_path):
    settings = Settings(lake_dir=tmp_path)
    write_cleaned_local(settings, "movies", mini_frames["movies"])
    frame = mini_frames["movies"].query("release_decade == 1990").drop(columns="release_decade")
    schema = arrow_schema(CLEANED_TABLES["movies"])
    schema = schema.set(schema.get_field_index("budget"), pa.field("budget", pa.int32()))
    bad = _write(settings, "movies/release_decade=1990/part-00000.snappy.parquet",
                 pa.Table.from_pandas(frame, schema=schema, preserve_index=False))  # fmt: skip
    problems = check_table(settings, "movies")
    assert [(p.table, p.column, p.expected, p.found, p.file) for p in problems] == [
        ("movies", "budget", "bigint (Parquet INT64)", "INT32", bad)
    ]


def test_timestamps_athena_reads_pass_and_nanoseconds_do_not(tmp_path):
    settings = Settings(lake_dir=tmp_path)
    when = dt.datetime(2016, 10, 16, 12, 0)

    def ratings(unit):
        return pa.table({"user_id": pa.array([1], pa.int32()), "movie_id": pa.array([2], pa.int32()),
                         "rating": [4.5], "rated_at": pa.array([when], pa.timestamp(unit))})  # fmt: skip

    _write(settings, "ratings/a.parquet", ratings("us"))
    _write(settings, "ratings/b.parquet", ratings("ms"))
    _write(settings, "ratings/c.parquet", ratings("us"), use_deprecated_int96_timestamps=True)
    assert check_table(settings, "ratings") == []  # Spark's INT96 default included
    nanos = _write(settings, "ratings/d.parquet", ratings("ns"), version="2.6")
    (problem,) = check_table(settings, "ratings")
    assert (problem.column, problem.found, problem.file) == (
        "rated_at",
        "INT64 (Timestamp nanoseconds)",
        nanos,
    )


def test_partition_folders_must_be_key_equals_a_number(mini_frames, tmp_path):
    settings = Settings(lake_dir=tmp_path)
    write_cleaned_local(settings, "movies", mini_frames["movies"].head(1))
    good = pq.read_table(tmp_path / "movie-analytics-lake/cleaned/movies/release_decade=1990")
    stray = _write(settings, "movies/part-x.parquet", good)
    odd = _write(settings, "movies/release_decade=199x/part-0.parquet", good)
    found = {(p.column, p.found, p.file) for p in check_table(settings, "movies")}
    assert found == {("release_decade", "no partition folder", stray),
                     ("release_decade", "'199x'", odd)}  # fmt: skip


def test_register_stops_before_touching_the_catalog(tmp_path):
    settings = Settings(lake_dir=tmp_path)
    _write(settings, "movie_genres/part-0.parquet", _genres(id=pa.array([1], pa.int64())))
    with pytest.raises(SchemaMismatchError, match="table movie_genres, column id"):
        pipeline.register(settings)
    assert not settings.catalog_path.exists()
