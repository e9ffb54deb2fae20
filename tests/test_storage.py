"""The local lake: uploads laid out exactly like the bucket, checksums, listing, fixture writing."""

from __future__ import annotations

import hashlib

import pyarrow.parquet as pq

from lake_tables import write_cleaned_local
from movie_pipeline.config import Settings
from movie_pipeline.ingest.upload import upload_raw
from movie_pipeline.lake.storage import list_files
from movie_pipeline.specs.ddl import arrow_schema
from movie_pipeline.specs.tables import CLEANED_TABLES


def _tree(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_local_upload_lays_files_out_as_the_bucket(real_source, tmp_path):
    settings = Settings(lake_dir=tmp_path)
    files = {n: real_source / n for n in ("credits.csv", "links_small.csv")}
    results = upload_raw(settings, files)
    bucket = tmp_path / "movie-analytics-lake"
    # Only the objects S3 would hold: the checksums live outside the bucket folder.
    assert _tree(bucket) == ["raw/credits/credits.csv", "raw/links_small/links_small.csv"]
    for r in results:
        src = files[r.name]
        assert (bucket / r.key).read_bytes() == src.read_bytes()
        assert r.sha256 == hashlib.sha256(src.read_bytes()).hexdigest()
        assert r.size == src.stat().st_size and r.transferred


def test_local_upload_skips_unchanged_and_resends_changed(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "links.csv").write_text("movieId,imdbId,tmdbId\n1,0114709,862\n")
    (src / "keywords.csv").write_text("id,keywords\n862,[]\n")
    settings = Settings(lake_dir=tmp_path / "lake")
    files = {"links.csv": src / "links.csv", "keywords.csv": src / "keywords.csv"}
    assert [r.transferred for r in upload_raw(settings, files)] == [True, True]
    assert [r.transferred for r in upload_raw(settings, files)] == [False, False]
    (src / "links.csv").write_text("movieId,imdbId,tmdbId\n2,0113497,8844\n")
    again = {r.name: r.transferred for r in upload_raw(settings, files)}
    assert again == {"links.csv": True, "keywords.csv": False}
    lake_copy = tmp_path / "lake/movie-analytics-lake/raw/links/links.csv"
    assert lake_copy.read_text().startswith("movieId,imdbId,tmdbId\n2,")


def test_list_files_leaves_out_what_athena_leaves_out(tmp_path):
    settings = Settings(lake_dir=tmp_path)
    table = tmp_path / "movie-analytics-lake/cleaned/t"
    for name in ("a/part-0.parquet", "_SUCCESS", "a/.part-0.parquet.crc", "_temporary/0/x.parquet",
                 "b/part-1.parquet"):  # fmt: skip
        (table / name).parent.mkdir(parents=True, exist_ok=True)
        (table / name).write_bytes(b"x" * 3)
    got = list_files(settings, "cleaned/t", ".parquet")
    assert [f.key for f in got] == ["cleaned/t/a/part-0.parquet", "cleaned/t/b/part-1.parquet"]
    assert all(f.size == 3 for f in got)
    assert list_files(settings, "cleaned/none") == []


def test_write_cleaned_local_partitions_with_the_spec_schema(mini_frames, tmp_path):
    settings = Settings(lake_dir=tmp_path)
    written = write_cleaned_local(settings, "movies", mini_frames["movies"], rows_per_file=1)
    root = tmp_path / "movie-analytics-lake/cleaned/movies"
    folders = sorted({p.parent.name for p in written})
    assert folders == ["release_decade=1960", "release_decade=1990", "release_decade=2000",
                       "release_decade=2010", "release_decade=__HIVE_DEFAULT_PARTITION__"]  # fmt: skip
    assert len(written) == 8  # one row per file
    expected = arrow_schema(CLEANED_TABLES["movies"])
    for path in written:
        assert pq.read_schema(path).remove_metadata() == expected
    undated = pq.read_table(root / "release_decade=__HIVE_DEFAULT_PARTITION__")
    assert undated.column("title").to_pylist() == ["Golf"]
