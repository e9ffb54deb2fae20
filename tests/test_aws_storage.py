"""Uploads and footers on S3, against moto in server mode (real HTTP, real boto3 transfers)."""

from __future__ import annotations

import hashlib
import os
from collections import Counter

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from boto3.s3.transfer import TransferConfig

from movie_pipeline.config import Settings
from movie_pipeline.ingest.upload import upload_raw, upload_raw_s3
from movie_pipeline.lake.footers import read_footer, rows_under
from movie_pipeline.lake.storage import MissingResourceError, StoredFile, list_files

pytestmark = pytest.mark.aws


def _counting_session(settings) -> tuple[boto3.Session, Counter]:
    """A session that counts the S3 operations it sends (the requests that matter)."""
    session = boto3.Session(region_name=settings.region)
    calls: Counter = Counter()
    session.events.register("before-call.s3.*", lambda model, **_: calls.update([model.name]))
    return session, calls


def test_upload_puts_each_file_at_its_key_with_its_checksum(aws_lake, real_source):
    names = ("credits.csv", "keywords.csv", "links_small.csv")
    results = upload_raw(aws_lake, {n: real_source / n for n in names})
    s3 = boto3.client("s3", region_name=aws_lake.region)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=aws_lake.bucket)["Contents"]]
    assert sorted(keys) == ["raw/credits/credits.csv", "raw/keywords/keywords.csv",
                            "raw/links_small/links_small.csv"]  # fmt: skip
    for r in results:
        body = (real_source / r.name).read_bytes()
        head = s3.head_object(Bucket=aws_lake.bucket, Key=r.key)
        assert head["Metadata"] == {"sha256": hashlib.sha256(body).hexdigest()}
        assert head["ContentType"] == "text/csv"
        assert s3.get_object(Bucket=aws_lake.bucket, Key=r.key)["Body"].read() == body
        assert r.transferred


def test_second_upload_sends_nothing_and_a_change_is_sent(aws_lake, tmp_path):
    (tmp_path / "links.csv").write_text("movieId,imdbId,tmdbId\n1,0114709,862\n")
    files = {"links.csv": tmp_path / "links.csv"}
    session, calls = _counting_session(aws_lake)
    assert [r.transferred for r in upload_raw_s3(aws_lake, files, session=session)] == [True]
    assert calls["PutObject"] == 1
    calls.clear()
    assert [r.transferred for r in upload_raw_s3(aws_lake, files, session=session)] == [False]
    assert calls["PutObject"] == calls["CreateMultipartUpload"] == 0
    assert calls["HeadObject"] == 1  # the checksum check is all that went out
    (tmp_path / "links.csv").write_text("movieId,imdbId,tmdbId\n2,0113497,8844\n")
    assert [r.transferred for r in upload_raw_s3(aws_lake, files, session=session)] == [True]


def test_big_files_go_up_in_parts(aws_lake, tmp_path):
    big = tmp_path / "ratings.csv"
    with open(big, "wb") as fh:
        fh.write(b"userId,movieId,rating,timestamp\n")
        fh.write(os.urandom(11 * 1024**2))
    # A lowered threshold: the same code path as credits.csv (190 MB) above the 64 MB default.
    config = TransferConfig(multipart_threshold=5 * 1024**2, multipart_chunksize=5 * 1024**2)
    session, calls = _counting_session(aws_lake)
    (result,) = upload_raw_s3(aws_lake, {"ratings.csv": big}, config, session=session)
    assert result.key == "raw/ratings/ratings.csv"
    assert calls["CreateMultipartUpload"] == 1 and calls["UploadPart"] == 3
    assert calls["CompleteMultipartUpload"] == 1 and calls["PutObject"] == 0
    head = boto3.client("s3").head_object(Bucket=aws_lake.bucket, Key=result.key)
    assert head["ETag"].endswith('-3"')  # S3's mark of a three-part object
    assert head["Metadata"]["sha256"] == hashlib.sha256(big.read_bytes()).hexdigest()


def test_a_missing_bucket_says_how_to_make_it(aws, tmp_path):
    from movie_pipeline.config import Settings

    (tmp_path / "links.csv").write_text("movieId,imdbId,tmdbId\n")
    settings = Settings(backend="aws", bucket="no-such-bucket-here")
    with pytest.raises(MissingResourceError, match="no-such-bucket-here does not exist.*setup-aws"):
        upload_raw(settings, {"links.csv": tmp_path / "links.csv"})


def test_footers_read_from_s3_equal_the_local_ones(aws_lake, tmp_path):
    s3 = boto3.client("s3")
    small = pa.table({"id": pa.array(range(1000), pa.int32()), "name": ["x"] * 1000})
    # 3000 columns: a footer of several hundred KB, beyond the first 64 KB read.
    wide = pa.table({f"c{i}": pa.array([i], pa.int64()) for i in range(3000)})
    for name, table in (("small", small), ("wide", wide)):
        path = tmp_path / f"{name}.parquet"
        pq.write_table(table, path)
        key = f"cleaned/t/{name}.parquet"
        s3.upload_file(str(path), aws_lake.bucket, key)
        stored = StoredFile(f"s3://{aws_lake.bucket}/{key}", key, path.stat().st_size)
        remote, local = read_footer(aws_lake, stored), pq.read_metadata(path)
        assert remote.schema.equals(local.schema) and remote.num_rows == local.num_rows
        assert remote.row_group(0).column(0).total_compressed_size == (
            local.row_group(0).column(0).total_compressed_size
        )
    assert pq.read_metadata(tmp_path / "wide.parquet").serialized_size > 64 * 1024
    s3.put_object(Bucket=aws_lake.bucket, Key="cleaned/t/_SUCCESS", Body=b"")
    s3.put_object(Bucket=aws_lake.bucket, Key="cleaned/t/notes.txt", Body=b"not parquet")
    listed = list_files(aws_lake, "cleaned/t")
    assert [f.key for f in listed] == ["cleaned/t/notes.txt", "cleaned/t/small.parquet",
                                       "cleaned/t/wide.parquet"]  # fmt: skip
    with pytest.raises(ValueError, match="notes.txt is not a Parquet file"):
        read_footer(aws_lake, listed[0])


def test_rows_under_sums_the_visible_footers_of_a_partitioned_table_on_s3(aws_lake, tmp_path):
    s3 = boto3.client("s3")
    path = tmp_path / "part.parquet"
    for key, rows in (("cleaned/m/decade=1990/a.parquet", 7), ("cleaned/m/decade=2000/b.parquet", 5),
                      ("cleaned/m/_staging/c.parquet", 100), ("cleaned/m/.d.parquet", 100),
                      ("cleaned/mm/e.parquet", 100)):  # fmt: skip
        pq.write_table(pa.table({"id": pa.array(range(rows), pa.int64())}), path)
        s3.upload_file(str(path), aws_lake.bucket, key)
    session, calls = _counting_session(aws_lake)
    uri = f"s3://{aws_lake.bucket}/cleaned/m"
    # Hidden names are left out as Athena leaves them out; cleaned/mm is another table.
    assert rows_under(aws_lake, uri, session.client("s3")) == 12
    assert calls["ListObjectsV2"] == 1 and calls["GetObject"] == 2  # one ranged GET per footer
    assert rows_under(aws_lake, f"s3://{aws_lake.bucket}/cleaned/none") == 0
    with pytest.raises(ValueError, match="not in the lake's bucket"):
        rows_under(aws_lake, "s3://another-bucket/cleaned/m")


def test_rows_under_a_local_folder_skips_hidden_files_and_reads_a_single_file(tmp_path):
    settings = Settings(lake_dir=tmp_path / "lake")
    table = tmp_path / "t"
    for rel, rows in (("decade=1990/a.parquet", 3), ("b.parquet", 4), ("_temporary/c.parquet", 50),
                      (".d.parquet", 50)):  # fmt: skip
        (table / rel).parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table({"id": pa.array(range(rows), pa.int64())}), table / rel)
    (table / "_SUCCESS").write_text("")
    assert rows_under(settings, str(table)) == 7
    assert rows_under(settings, str(table / "b.parquet")) == 4
    assert rows_under(settings, str(tmp_path / "absent")) == 0


def test_sessions_share_the_parsed_service_models_and_keep_their_own_credentials(aws, monkeypatch):
    import botocore.loaders

    from movie_pipeline.aws.session import boto3_session

    settings = Settings(backend="aws")
    first = boto3_session(settings)
    first.client("glue")
    read = []
    load_file = botocore.loaders.JSONFileLoader.load_file
    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file",
                        lambda self, path: read.append(path) or load_file(self, path))  # fmt: skip
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "second")
    second = boto3_session(settings)
    second.client("glue")
    assert read == []  # nothing parsed again: the endpoints and Glue's model were loaded once
    assert first.get_credentials().access_key == "testing"  # each resolves its own
    assert second.get_credentials().access_key == "second"
