"""The Glue job script: its DynamicFrame edges and bookmarks, against a fake awsglue that records
every call (the real library exists only inside Glue), and its local entry point."""

from __future__ import annotations

import importlib.machinery
import shutil
import sys
import types
from pathlib import Path

import pytest
from pyspark.sql import SparkSession
from pyspark.sql import types as T

from movie_pipeline.config import Settings
from movie_pipeline.glue import job
from movie_pipeline.pipeline import upload


class FakeDynamicFrame:
    def __init__(self, df, name="frame"):
        self._df, self.name = df, name

    def toDF(self):  # noqa: N802 - Glue's spelling
        return self._df

    @classmethod
    def fromDF(cls, df, glue_context, name):  # noqa: N802
        glue_context.calls.append(("fromDF", name))
        return cls(df, name)


class FakeGlueContext:
    """Records calls; reads CSV as Glue does (header names, every value a string)."""

    state: dict = {}

    def __init__(self, spark_context):
        self.spark_session = SparkSession.builder.getOrCreate()
        self.calls = self.state["calls"]
        self.create_dynamic_frame = types.SimpleNamespace(from_options=self._read)
        self.write_dynamic_frame = types.SimpleNamespace(from_options=self._write)

    def _read(
        self, connection_type, connection_options, format, format_options, transformation_ctx
    ):
        self.calls.append(("read", connection_type, connection_options, format, format_options,
                           transformation_ctx))  # fmt: skip
        if transformation_ctx in self.state["bookmarked"]:  # already processed: nothing new
            return FakeDynamicFrame(self.spark_session.createDataFrame([], T.StructType([])))
        df = self.spark_session.read.options(
            header="true", escape='"', multiLine=str(format_options["multiLine"]).lower()
        ).csv(connection_options["paths"][0])
        return FakeDynamicFrame(df)

    def _write(self, frame, connection_type, connection_options, format, format_options,
               transformation_ctx):  # fmt: skip
        self.calls.append(("write", connection_type, connection_options, format, format_options,
                           transformation_ctx))  # fmt: skip
        keys = connection_options["partitionKeys"]
        writer = frame.toDF().write.mode("append")
        (writer.partitionBy(*keys) if keys else writer).parquet(connection_options["path"])

    def purge_s3_path(self, path, options):
        self.calls.append(("purge", path, options))
        shutil.rmtree(path, ignore_errors=True)


class FakeJob:
    def __init__(self, glue_context):
        self.glue_context = glue_context

    def init(self, name, args):
        self.glue_context.calls.append(("init", name, dict(args)))

    def commit(self):
        calls = self.glue_context.calls
        calls.append(("commit",))
        FakeGlueContext.state["bookmarked"] |= {c[5] for c in calls if c[0] == "read"}


def get_resolved_options(argv, names):
    pairs = dict(zip(argv[1::2], argv[2::2], strict=False))
    missing = [n for n in names if f"--{n}" not in pairs]
    if missing:
        raise SystemExit(f"missing {missing}")
    return {n: pairs[f"--{n}"] for n in names}


@pytest.fixture
def fake_glue(monkeypatch):
    """Install a fake ``awsglue`` package; yield the shared state (calls, bookmarks)."""
    state = {"calls": [], "bookmarked": set()}
    FakeGlueContext.state = state
    modules = {
        "awsglue": {},
        "awsglue.context": {"GlueContext": FakeGlueContext},
        "awsglue.dynamicframe": {"DynamicFrame": FakeDynamicFrame},
        "awsglue.job": {"Job": FakeJob},
        "awsglue.utils": {"getResolvedOptions": get_resolved_options},
    }
    for name, attrs in modules.items():
        module = types.ModuleType(name)
        module.__spec__ = importlib.machinery.ModuleSpec(name, None)
        module.__dict__.update(attrs)
        monkeypatch.setitem(sys.modules, name, module)
    yield state


def _argv(settings: Settings, lake: Path) -> list[str]:
    args = {"JOB_NAME": "movie-pipeline-etl", "backend": "local", "bucket": settings.bucket,
            "raw_prefix": "raw", "cleaned_prefix": "cleaned", "quarantine_prefix": "quarantine",
            "temp_prefix": "tmp", "database": "movies_db", "region": "us-east-1",
            "lake_dir": str(lake), "datasets": "credits,movies_metadata"}  # fmt: skip
    return ["job.py", *[x for k, v in args.items() for x in (f"--{k}", v)]]


def test_glue_edges_bookmarks_and_commit(spark, fake_glue, generated_source, tmp_path):
    assert job.glue_available()
    lake = tmp_path / "lake"
    settings = Settings(lake_dir=lake)
    upload(settings, generated_source)
    assert job.main(_argv(settings, lake)) == 0

    calls = fake_glue["calls"]
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
        assert options == {"path": settings.cleaned_uri(t),
                           "partitionKeys": ["release_decade"] if t == "movies" else []}  # fmt: skip
        purge = calls.index(("purge", settings.cleaned_uri(t), {"retentionPeriod": 0}))
        assert purge < calls.index(writes[f"write_{t}"])  # the folder is replaced, not appended to
    assert calls[-1] == ("commit",) and calls.count(("commit",)) == 1
    movies = spark.read.parquet(settings.cleaned_uri("movies"))
    assert movies.count() > 100 and "release_decade" in movies.columns
    assert any(Path(settings.cleaned_uri("movies")).glob("release_decade=*/*.parquet"))

    # A second run: the bookmark hides the files already processed, so nothing is rewritten.
    fake_glue["calls"].clear()
    assert job.main(_argv(settings, lake)) == 0
    assert [c[0] for c in fake_glue["calls"]] == ["init", "read", "read", "commit"]
    assert spark.read.parquet(settings.cleaned_uri("movies")).count() == movies.count()


def test_the_job_runs_locally_without_awsglue(spark, tmp_path, monkeypatch):
    assert not job.glue_available()
    settings = Settings(lake_dir=tmp_path / "lake")
    raw = Path(settings.raw_uri("keywords/keywords.csv"))
    raw.parent.mkdir(parents=True)
    raw.write_text("id,keywords\r\n862,\"[{'id': 931, 'name': 'jealousy'}]\"\r\n863,[]\r\n")
    monkeypatch.setattr("movie_pipeline.spark.get_spark", lambda *a, **k: spark)
    argv = ["job.py", "--lake", str(tmp_path / "lake"), "--datasets", "keywords"]
    assert job.main(argv) == 0
    rows = spark.read.parquet(settings.cleaned_uri("movie_keywords")).collect()
    assert [tuple(r) for r in rows] == [(862, 931, "jealousy")]
