"""A Glue job that fails part-way leaves the published tables as they were, on moto's S3.

The job's table writes go through ``GlueIO.write_table`` into a fake GlueContext that writes
Parquet with local Spark and puts the files on moto one by one, as Glue's committer does; the
run is the job's own sequence (``publish.run_published``). A fault is injected in the last
table's write, after its first file, and in the switch itself.
"""

from __future__ import annotations

import io
import types
import uuid
from pathlib import Path

import boto3
import pyarrow.parquet as pq
import pytest

from frames import frame
from iam_policy import Account, Request, denied, requests_for_call
from movie_pipeline.aws import iam
from movie_pipeline.config import Settings
from movie_pipeline.glue import publish
from movie_pipeline.glue.job import GlueIO
from movie_pipeline.specs.tables import CLEANED_TABLES

pytestmark = pytest.mark.aws

BUCKET = "glue-failure-lake"
TABLES = ("links", "ratings", "movies")  # movies last: partitioned, several files


class InjectedFault(RuntimeError):
    """An executor lost in the middle of a write."""


class FakeDynamicFrame:
    def __init__(self, df):
        self._df = df

    def toDF(self):  # noqa: N802 - Glue's spelling
        return self._df

    @classmethod
    def fromDF(cls, df, glue_context, name):  # noqa: N802
        return cls(df)


class S3GlueContext:
    """Glue's write and purge against moto: Spark writes the Parquet files in a scratch folder,
    boto3 puts them one by one under the s3:// path (as Glue's committer does, file by file);
    ``fail_in`` names a write that dies after its first file."""

    def __init__(self, spark, s3, scratch: Path, fail_in: str | None = None):
        self.spark_session, self.s3, self.scratch, self.fail_in = spark, s3, scratch, fail_in
        self.write_dynamic_frame = types.SimpleNamespace(from_options=self._write)
        self.at_fault: dict[str, str] | None = None  # the bucket when the fault struck

    @staticmethod
    def _split(path: str) -> tuple[str, str]:
        bucket, _, prefix = path.removeprefix("s3://").partition("/")
        return bucket, prefix.rstrip("/")

    def _write(self, frame, connection_type, connection_options, format, format_options,
               transformation_ctx=""):  # fmt: skip
        local = self.scratch / uuid.uuid4().hex
        keys = connection_options["partitionKeys"]
        writer = frame.toDF().coalesce(1).write.option("compression", "snappy")
        (writer.partitionBy(*keys) if keys else writer).parquet(str(local))
        bucket, prefix = self._split(connection_options["path"])
        for i, f in enumerate(sorted(local.rglob("*.parquet"))):
            if transformation_ctx == self.fail_in and i == 1:
                self.at_fault = _listing(self.s3)
                raise InjectedFault(f"{transformation_ctx}: executor lost after 1 file")
            self.s3.upload_file(str(f), bucket, f"{prefix}/{f.relative_to(local).as_posix()}")

    def purge_s3_path(self, path, options):
        bucket, prefix = self._split(path)
        listed = self.s3.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/").get("Contents", [])
        if listed:
            self.s3.delete_objects(
                Bucket=bucket, Delete={"Objects": [{"Key": o["Key"]} for o in listed]}
            )


def _frames(spark, version: int) -> dict:
    """A few rows per table; ``version`` changes every value, so versions cannot be mixed up."""
    rows = {
        "links": [{"movie_id": version * 100 + i, "imdb_id": f"tt{i:07d}", "tmdb_id": i}
                  for i in range(3)],
        "ratings": [{"user_id": version, "movie_id": i, "rating": 0.5 * i} for i in range(1, 4)],
        "movies": [{"id": version * 100 + i, "title": f"v{version} #{i}", "release_decade": d}
                   for i, d in enumerate((1990, 2000, None, 2010))],
    }  # fmt: skip
    out = {}
    for name, records in rows.items():
        schema = CLEANED_TABLES[name].spark_schema()
        out[name] = frame(
            spark, [tuple(r.get(f.name) for f in schema.fields) for r in records], schema
        )
    return out


def _listing(s3, prefix: str = "") -> dict[str, str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return {o["Key"]: o["ETag"] for page in pages for o in page.get("Contents", [])}


def _rows(s3, table: str) -> list:
    rows = []
    for key in sorted(_listing(s3, f"cleaned/{table}/")):
        if key.endswith(".parquet"):
            body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
            rows += pq.read_table(io.BytesIO(body)).to_pylist()
    return sorted(rows, key=repr)


@pytest.fixture
def lake(aws):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    return Settings(backend="aws", bucket=BUCKET), s3


def _glue_run(spark, settings, s3, scratch, version, context=None, store=None) -> None:
    """The job's run: every table through GlueIO.write_table into the staging folder
    ``table_uri`` gives (as run_etl does), published if all were written."""
    glue_io = GlueIO(context or S3GlueContext(spark, s3, scratch), FakeDynamicFrame)

    def etl(table_uri):
        for name, df in _frames(spark, version).items():
            glue_io.write_table(df, CLEANED_TABLES[name], table_uri(settings.cleaned_uri(name)))
        return {}

    publish.run_published(settings, etl, store=store or publish.S3Store(s3, BUCKET))


def _tables(s3) -> dict[str, list]:
    return {t: _rows(s3, t) for t in TABLES}


def test_a_run_that_fails_at_the_last_table_leaves_the_published_tables_as_they_were(
    spark, lake, tmp_path
):
    settings, s3 = lake
    _glue_run(spark, settings, s3, tmp_path, version=1)
    before, rows = _listing(s3), _tables(s3)
    assert sorted({k.split("/")[1] for k in before}) == sorted(TABLES) and not _listing(s3, "tmp/")
    assert len(rows["movies"]) == 4 and rows["links"][0]["movie_id"] == 100

    context = S3GlueContext(spark, s3, tmp_path, fail_in="write_movies")
    with pytest.raises(InjectedFault, match="write_movies"):
        _glue_run(spark, settings, s3, tmp_path, version=2, context=context)

    # When the fault struck: links and ratings written, movies with one file of four, all under
    # the run's staging folder; the published tables not touched.
    staged = sorted(k for k in context.at_fault if k.startswith("tmp/"))
    run = staged[0].split("/")[2]
    assert [k.split("/", 3)[3].rsplit("/", 1)[0] for k in staged] == [
        "cleaned/links", "cleaned/movies/release_decade=1990", "cleaned/ratings"]  # fmt: skip
    assert all(k.startswith(f"tmp/publish/{run}/") for k in staged)
    assert {k: e for k, e in context.at_fault.items() if not k.startswith("tmp/")} == before
    # What the failed run leaves on S3: the previous version's objects, exactly (its staging
    # was deleted), one file per folder.
    assert sorted(k.rsplit("/", 1)[0] for k in _listing(s3)) == [
        "cleaned/links", "cleaned/movies/release_decade=1990", "cleaned/movies/release_decade=2000",
        "cleaned/movies/release_decade=2010",
        "cleaned/movies/release_decade=__HIVE_DEFAULT_PARTITION__", "cleaned/ratings",
    ]  # fmt: skip
    assert _listing(s3) == before  # same keys, same ETags
    assert _tables(s3) == rows

    # The next run publishes every table whole, and leaves no trace of the previous version.
    _glue_run(spark, settings, s3, tmp_path, version=3)
    after = _tables(s3)
    assert after["links"][0]["movie_id"] == 300 and len(after["movies"]) == 4
    assert not set(_listing(s3)) & set(before) and not _listing(s3, "tmp/")


def test_a_killed_run_is_discarded_by_the_next_one(spark, lake, tmp_path):
    settings, s3 = lake
    _glue_run(spark, settings, s3, tmp_path, version=1)
    before, rows = _listing(s3), _tables(s3)
    # Killed after staging two tables: no abort, no commit (the job's process is gone).
    killed = publish.StagedTables(settings, publish.S3Store(s3, BUCKET))
    glue_io = GlueIO(S3GlueContext(spark, s3, tmp_path), FakeDynamicFrame)
    for name, df in list(_frames(spark, 2).items())[:2]:
        glue_io.write_table(df, CLEANED_TABLES[name], killed.target(settings.cleaned_uri(name)))
    left = sorted(set(_listing(s3)) - set(before))
    assert left and all(k.startswith(f"tmp/publish/{killed.run_id}/cleaned/") for k in left)
    assert _tables(s3) == rows  # still the published version

    assert publish.recover(settings, publish.S3Store(s3, BUCKET)) == [
        f"discarded the staged tables of interrupted run {killed.run_id}"
    ]
    assert _listing(s3) == before


def test_a_run_killed_while_switching_is_finished_by_the_next(spark, lake, tmp_path):
    settings, s3 = lake
    _glue_run(spark, settings, s3, tmp_path, version=1)

    class DiesInTheSwitch(publish.S3Store):
        def copy(self, source, key):
            if key.startswith("cleaned/movies/"):  # links switched, then the process dies
                raise InjectedFault("killed while switching")
            super().copy(source, key)

    with pytest.raises(InjectedFault):
        _glue_run(spark, settings, s3, tmp_path, version=2, store=DiesInTheSwitch(s3, BUCKET))
    half = _tables(s3)
    assert half["links"][0]["movie_id"] == 200 and half["movies"][0]["id"] == 100
    journal = [k for k in _listing(s3, "tmp/") if k.endswith(publish.JOURNAL)]
    assert len(journal) == 1  # the decision to publish survives the process

    actions = publish.recover(settings, publish.S3Store(s3, BUCKET))
    assert actions[0].startswith(
        "finished publishing cleaned/links, cleaned/ratings, cleaned/movies"
    )
    done = _tables(s3)
    assert {
        t: {r.get("movie_id", r.get("id")) // 100 for r in done[t]} for t in ("links", "movies")
    } == {"links": {2}, "movies": {2}}
    assert done["ratings"][0]["user_id"] == 2 and not _listing(s3, "tmp/")


def test_the_glue_role_allows_every_s3_call_of_a_run_and_its_publication(spark, lake, tmp_path):
    settings, s3 = lake
    _glue_run(spark, settings, s3, tmp_path, version=1)
    calls = []

    def record(params, model, **kwargs):
        calls.append((model.name, dict(params)))

    s3.meta.events.register("before-parameter-build.s3.*", record)
    _glue_run(spark, settings, s3, tmp_path, version=2)  # replaces every table
    ops = {op for op, _ in calls}
    assert {"PutObject", "CopyObject", "DeleteObjects", "ListObjectsV2"} <= ops
    where = Account("123456789012")
    requests = [Request(r.action, r.resource, {**r.context, "aws:SecureTransport": "true"})
                for op, params in calls for r in requests_for_call("s3", op, params, where)]  # fmt: skip
    policy = iam.glue_role_policy(settings, "123456789012")
    bucket_policy = {"Version": "2012-10-17", "Statement": iam.bucket_policy_statements(settings)}
    assert denied([policy, bucket_policy], requests) == []
