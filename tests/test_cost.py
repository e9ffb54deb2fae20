"""Scan estimates: the referenced columns' chunks in the partitions a query keeps, and the price."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from movie_pipeline.analysis import query
from movie_pipeline.analysis.scan import ScanEstimate, TableScan, estimate_scan, scan_references


def _chunk_bytes(folder: Path, columns: set[str], partitions: set[str] | None = None) -> int:
    """The oracle: pyarrow's own footers, summed over the chosen columns and folders."""
    total = 0
    for path in folder.rglob("*.parquet"):
        if partitions is not None and path.parent.name not in partitions:
            continue
        meta = pq.ParquetFile(path).metadata
        for i in range(meta.num_row_groups):
            for j in range(meta.num_columns):
                chunk = meta.row_group(i).column(j)
                if chunk.path_in_schema in columns:
                    total += chunk.total_compressed_size
    return total


def _refs(sql: str) -> list[tuple[str, int]]:
    """(table, how many times Athena reads it), summed over the query's references."""
    reads: dict[str, int] = {}
    for table, _, _, times in scan_references(query.parse(sql)):
        reads[table] = reads.get(table, 0) + times
    return sorted(reads.items())


def test_each_use_of_a_table_is_a_scan():
    assert _refs(query.load_sql("top_actors")) == [("cast_data", 1)]
    # `billed` is used twice (a self join): Trino reads cast_data twice.
    assert _refs(query.load_sql("actor_pairs")) == [("cast_data", 2)]
    # pair_counts feeds both the cutoff and top_pairs, which reads directors again, and
    # pair_movies reads cast_data itself: three reads of each credits table.
    assert _refs(query.load_sql("director_actor_pairs")) == [
        ("cast_data", 3), ("crew_data", 3), ("movies", 1)
    ]  # fmt: skip
    unused = "with a as (select id from movies), b as (select id from cast_data) select * from b"
    assert _refs(unused) == [("cast_data", 1)]
    nested = "select id from movies where id in (select id from movie_genres where genre_id = 18)"
    assert _refs(nested) == [("movie_genres", 1), ("movies", 1)]


def test_estimate_adds_up_the_referenced_columns(mini_lake):
    cleaned = Path(mini_lake.cleaned_uri())
    est = estimate_scan(mini_lake, query.load_sql("largest_casts"), [10])
    by_table = {s.table: s for s in est.scans}
    assert by_table["cast_data"].columns == ("id", "name", "order_num")
    assert by_table["movies"].columns == ("id", "title", "release_year")
    cast_bytes = _chunk_bytes(cleaned / "cast_data", {"id", "name", "order_num"})
    movie_bytes = _chunk_bytes(cleaned / "movies", {"id", "title", "release_year"})
    assert by_table["cast_data"].bytes_pruned == cast_bytes > 0
    assert est.bytes_pruned == est.bytes_unpruned == cast_bytes + movie_bytes
    every = _chunk_bytes(cleaned / "cast_data", set(pq.read_schema(
        next((cleaned / "cast_data").glob("*.parquet"))).names))  # fmt: skip
    assert by_table["cast_data"].bytes_table == every > cast_bytes


def test_partition_pruning_keeps_only_the_decades_asked_for(mini_lake):
    movies = Path(mini_lake.cleaned_uri("movies"))
    sql = query.load_sql("genres_by_decade")
    est = estimate_scan(mini_lake, sql, [1990, 2000])
    (scan,) = [s for s in est.scans if s.table == "movies"]
    assert (scan.partitions_kept, scan.partitions_total) == (2, 5)
    assert scan.columns == ("id",)  # release_decade lives in folder names, not in the files
    kept = {"release_decade=1990", "release_decade=2000"}
    assert scan.bytes_pruned == _chunk_bytes(movies, {"id"}, kept)
    assert scan.bytes_unpruned == _chunk_bytes(movies, {"id"}) > scan.bytes_pruned
    everything = estimate_scan(mini_lake, sql, [1870, 2020])
    (all_decades,) = [s for s in everything.scans if s.table == "movies"]
    assert all_decades.partitions_kept == 4  # the undated partition is null: never between


@pytest.mark.parametrize(
    ("where", "params", "kept"),
    [
        ("release_decade = ?", [1960], 1),
        ("release_decade >= ? and title <> 'x'", [2000], 2),  # the title test cannot prune
        ("release_decade in (?, ?) or release_decade is null", [1960, 2010], 3),
        ("release_decade + 0 = ?", [1990], 1),
        ("title = ?", ["Alpha"], 5),
    ],
)
def test_predicates_on_the_partition_key_prune(mini_lake, where, params, kept):
    sql = f"select count(*) as n from movies where {where}"
    (scan,) = estimate_scan(mini_lake, sql, params).scans
    assert scan.partitions_kept == kept


def test_price_is_five_dollars_a_terabyte_with_a_ten_megabyte_minimum():
    def est(n: int) -> ScanEstimate:
        return ScanEstimate((TableScan("movies", ("id",), None, None, n, 2 * n, 3 * n),))

    assert est(0).usd_pruned == pytest.approx(10 * 2**20 / 2**40 * 5)
    assert est(2**40).usd_pruned == pytest.approx(5.0)
    assert est(2**40).usd_unpruned == pytest.approx(10.0)
    line = est(50 * 2**20).describe()
    assert "50.00 MB" in line and "100.00 MB" in line and "150.00 MB" in line


def test_run_local_reports_the_estimate_with_pruning(mini_lake):
    res = query.run_local(mini_lake, "genres_by_decade", {"decade_from": 2000, "decade_to": 2000})
    assert res.bytes_estimated and res.bytes_scanned == res.estimate.bytes_pruned
    assert res.estimate.bytes_pruned < res.estimate.bytes_unpruned
    assert set(res.frame.decade) == {2000}
