"""The Glue job script: its DynamicFrame edges and bookmarks, against a fake awsglue that records
every call (the real library exists only inside Glue), and its local entry point."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import glue_stand_in
from movie_pipeline.config import Settings
from movie_pipeline.glue import job, publish
from movie_pipeline.pipeline import upload

# The stand-in for awsglue (tests/glue_stand_in.py): Glue's typed CSV reader, choices and all.
FakeDynamicFrame = glue_stand_in.DynamicFrame
FakeGlueContext = glue_stand_in.GlueContext


def _install_stand_in(mp: pytest.MonkeyPatch) -> dict:
    """Put the stand-in ``awsglue`` package in ``sys.modules`` (``mp`` undoes it); return the
    state its modules share (calls, bookmarks)."""
    state = {"calls": [], "bookmarked": set()}
    for name, module in glue_stand_in.modules(state).items():
        mp.setitem(sys.modules, name, module)
    return state


@pytest.fixture
def fake_glue(monkeypatch):
    return _install_stand_in(monkeypatch)


def _files(folder: Path) -> dict[Path, int]:
    """Every file under ``folder`` with its modification time (ns)."""
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def _argv(settings: Settings, lake: Path, datasets: str = "credits,movies_metadata") -> list[str]:
    args = {"JOB_NAME": "movie-pipeline-etl", "backend": "local", "bucket": settings.bucket,
            "raw_prefix": "raw", "cleaned_prefix": "cleaned", "quarantine_prefix": "quarantine",
            "temp_prefix": "tmp", "database": "movies_db", "region": "us-east-1",
            "lake_dir": str(lake), "datasets": datasets}  # fmt: skip
    return ["job.py", *[x for k, v in args.items() for x in (f"--{k}", v)]]


@pytest.fixture(scope="module")
def glue_runs(spark, generated_source, tmp_path_factory):
    """The job on the generated source through the stand-in, twice on the same lake.

    Returns ``(settings, the first run's calls, the second run's calls, the cleaned files after
    the first run with their modification times, the Spark jobs the second run started)``.
    """
    lake = tmp_path_factory.mktemp("glue_lake")
    settings = Settings(lake_dir=lake)
    upload(settings, generated_source)
    tracker = spark.sparkContext.statusTracker()
    with pytest.MonkeyPatch.context() as mp:
        state = _install_stand_in(mp)
        assert job.glue_available()
        assert job.main(_argv(settings, lake)) == 0
        first, state["calls"] = state["calls"], []
        written = _files(Path(settings.cleaned_uri("movies")).parent)
        jobs = set(tracker.getJobIdsForGroup())
        assert job.main(_argv(settings, lake)) == 0
        second = state["calls"]
    return settings, first, second, written, set(tracker.getJobIdsForGroup()) - jobs


def test_glue_edges_and_commit(spark, glue_runs):
    settings, calls, *_ = glue_runs
    init = calls[0]
    assert init[:2] == ("init", "movie-pipeline-etl") and init[2]["bucket"] == settings.bucket
    reads = sorted((c for c in calls if c[0] == "read"), key=lambda c: c[5])  # smallest file first
    assert reads == [
        ("read", "s3", {"paths": [settings.raw_uri("credits/credits.csv")]}, "csv",
         {"withHeader": True, "separator": ",", "quoteChar": '"', "multiLine": False}, "read_credits"),
        ("read", "s3", {"paths": [settings.raw_uri("movies_metadata/movies_metadata.csv")]}, "csv",
         {"withHeader": True, "separator": ",", "quoteChar": '"', "multiLine": True},
         "read_movies_metadata"),
    ]  # fmt: skip
    writes = {c[5]: c for c in calls if c[0] == "write"}
    tables = ["cast_data", "crew_data", "movies", "movie_genres", "movie_production_companies",
              "movie_production_countries", "movie_spoken_languages"]  # fmt: skip
    assert sorted(writes) == sorted(f"write_{t}" for t in tables)
    for t in tables:
        _, kind, options, fmt, fmt_options, _ = writes[f"write_{t}"]
        assert (kind, fmt, fmt_options) == ("s3", "parquet", {"compression": "snappy"})
        # Written into this run's staging folder, published only once the whole ETL returned.
        staged = options["path"]
        assert staged.startswith(settings.uri(publish.staging_prefix(settings)) + "/")
        assert staged.endswith(f"/{settings.cleaned_prefix}/{t}")
        assert options == {"path": staged,
                           "partitionKeys": ["release_decade"] if t == "movies" else []}  # fmt: skip
        purge = calls.index(("purge", staged, {"retentionPeriod": 0}))
        assert purge < calls.index(writes[f"write_{t}"])  # the folder is replaced, not appended to
    assert calls[-1] == ("commit",) and calls.count(("commit",)) == 1
    movies = spark.read.parquet(settings.cleaned_uri("movies"))
    assert movies.count() > 100 and "release_decade" in movies.columns
    assert any(Path(settings.cleaned_uri("movies")).glob("release_decade=*/*.parquet"))


def test_a_second_run_reads_nothing_new_and_rewrites_nothing(glue_runs):
    # The bookmark hides the files already processed: the job reads, writes nothing, commits.
    settings, _, calls, written, spark_jobs = glue_runs
    assert [c[0] for c in calls] == ["init", "read", "read", "commit"]
    assert _files(Path(settings.cleaned_uri("movies")).parent) == written
    # Nothing new is known at the read: no plan is run, no staging written, no file counted.
    assert spark_jobs == set()
    report = json.loads(Path(settings.uri("reports", "reconciliation.json")).read_text())
    assert set(report["skipped"]) == {"credits", "movies_metadata"} and not report["datasets"]


def test_glue_reads_values_typed_and_mixed_columns_as_choices(
    spark, fake_glue, generated_source, tmp_path
):
    # What the stand-in hands the job, as Glue's reader would: no all-string frame.
    settings = Settings(lake_dir=tmp_path / "lake")
    upload(settings, generated_source)
    frame = FakeGlueContext(None).create_dynamic_frame.from_options(
        connection_type="s3", format="csv", transformation_ctx="",
        connection_options={"paths": [settings.raw_uri("movies_metadata/movies_metadata.csv")]},
        format_options={"withHeader": True, "quoteChar": '"', "multiLine": True},
    )  # fmt: skip
    types = dict(frame.toDF().dtypes)
    assert (types["vote_count"], types["vote_average"], types["title"]) == ("int", "double",
                                                                           "string")  # fmt: skip
    # The split records put a date in id and text in budget and popularity.
    assert frame.choices["id"] == ["int", "string"] and types["id"].startswith("struct<")
    assert {"budget", "popularity"} <= set(frame.choices)


def test_glue_read_cleans_as_the_local_read_does(spark, glue_runs, generated_run):
    # The same source through Glue's typed reader (the stand-in) and through plain Spark.
    on_glue, local = glue_runs[0], generated_run[0]
    for table in ("cast_data", "crew_data", "movies", "movie_genres", "movie_spoken_languages"):
        glue_rows = spark.read.parquet(on_glue.cleaned_uri(table))
        local_rows = spark.read.parquet(local.cleaned_uri(table))
        assert glue_rows.schema.simpleString() == local_rows.schema.simpleString()
        rows = sorted(glue_rows.collect(), key=repr)
        assert len(rows) > 100 and rows == sorted(local_rows.collect(), key=repr), table
    for dataset in ("credits", "movies_metadata"):
        quarantined = spark.read.parquet(on_glue.quarantine_uri(dataset)).collect()
        assert sorted(quarantined, key=repr) == sorted(
            spark.read.parquet(local.quarantine_uri(dataset)).collect(), key=repr
        ), dataset


def test_the_job_runs_locally_without_awsglue(spark, tmp_path, monkeypatch):
    assert not job.glue_available()
    settings = Settings(lake_dir=tmp_path / "lake")
    raw = Path(settings.raw_uri("keywords/keywords.csv"))
    raw.parent.mkdir(parents=True)
    raw.write_text("id,keywords\r\n862,\"[{'id': 931, 'name': 'jealousy'}]\"\r\n863,[]\r\n")
    monkeypatch.setattr("movie_pipeline.etl.spark.get_spark", lambda *a, **k: spark)
    argv = ["job.py", "--lake", str(tmp_path / "lake"), "--datasets", "keywords"]
    assert job.main(argv) == 0
    rows = spark.read.parquet(settings.cleaned_uri("movie_keywords")).collect()
    assert [tuple(r) for r in rows] == [(862, 931, "jealousy")]
