"""Notebooks 00, 01 and 03 on the aws backend, against moto in server mode (real HTTP, no account)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from movie_pipeline import catalog, notebooks, storage
from movie_pipeline.aws import iam
from movie_pipeline.config import Settings
from movie_pipeline.datasets import RAW_FILES
from movie_pipeline.tables import RAW_TABLES

REPO = Path(__file__).resolve().parents[1]
BUCKET = "movie-walkthrough-test"

NEEDED = {
    "aws.iam.setup_aws": hasattr(iam, "setup_aws"),
    "storage.upload_raw_s3": hasattr(storage, "upload_raw_s3"),
    "catalog.register_glue": hasattr(catalog, "register_glue"),
}
pytestmark = [
    pytest.mark.aws,
    pytest.mark.slow,
    pytest.mark.skipif(
        not all(NEEDED.values()),
        reason=f"missing: {', '.join(k for k, ok in NEEDED.items() if not ok)}",
    ),
]


def _source(tmp_path: Path) -> Path:
    shipped = REPO / "data_samples"
    if any((shipped / name).is_file() for name in RAW_FILES):
        return shipped
    from movie_pipeline.generator import generate

    generate(tmp_path / "sample", movies=60, seed=7)
    return tmp_path / "sample"


def _put_cleaned(tmp_path: Path, frames: dict, s3) -> dict[str, list[str]]:
    """Put cleaned Parquet in the bucket as notebook 02 (a Glue session) would leave it."""
    local = Settings(lake_dir=tmp_path / "cleaned_lake", bucket=BUCKET)
    keys: dict[str, list[str]] = {}
    for table in ("cast_data", "movies"):
        for path in storage.write_cleaned_local(local, table, frames[table]):
            key = path.relative_to(Path(local.bucket_root)).as_posix()
            s3.upload_file(str(path), BUCKET, key)
            keys.setdefault(table, []).append(key)
    return keys


def test_notebooks_00_01_03_build_the_lake_and_catalog_in_aws(aws, tmp_path, mini_frames):
    source = _source(tmp_path)
    out = tmp_path / "out"
    params = notebooks.walkthrough_parameters(source, out, backend="aws", bucket=BUCKET)
    folder = REPO / "notebooks"
    runs = notebooks.run_notebooks(params, out, folder, only=["00"])
    s3 = boto3.client("s3", region_name="us-east-1")
    # The bucket policy 00 put in place refuses plain HTTP, and moto serves plain HTTP: it must
    # refuse this upload as AWS would, and then be lifted for the rest of the test.
    policy = s3.get_bucket_policy(Bucket=BUCKET)["Policy"]
    assert '"aws:SecureTransport": "false"' in policy
    with pytest.raises(ClientError, match="AccessDenied|Forbidden|403"):
        s3.put_object(Bucket=BUCKET, Key="raw/probe.csv", Body=b"x")
    s3.delete_bucket_policy(Bucket=BUCKET)
    runs += notebooks.run_notebooks(params, out, folder, only=["01"])
    cleaned = _put_cleaned(tmp_path, mini_frames, s3)
    runs += notebooks.run_notebooks(params, out, folder, only=["03"])
    checks = {run.name[:2]: run.checks for run in runs}

    # 00 set up the account: bucket (encrypted), Glue role, workgroup.
    assert checks["00"]["backend"] == "aws"
    assert any(a.startswith(f"created bucket {BUCKET}") for a in checks["00"]["aws_actions"])
    rules = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    role = boto3.client("iam").get_role(RoleName=iam.role_name(Settings()))["Role"]
    assert "glue.amazonaws.com" in str(role["AssumeRolePolicyDocument"])
    athena = boto3.client("athena", region_name="us-east-1")
    assert (
        athena.get_work_group(WorkGroup="movie_pipeline")["WorkGroup"]["Name"] == "movie_pipeline"
    )

    # 01 uploaded every raw file once, under raw/<dataset>/, with its checksum.
    files = sorted(p for p in source.glob("*.csv") if p.name in RAW_FILES)
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="raw/")["Contents"]
    assert sorted(o["Key"] for o in listed) == sorted(
        f"raw/{p.stem}/{p.name}" for p in files
    )  # fmt: skip
    for p in files:
        head = s3.head_object(Bucket=BUCKET, Key=f"raw/{p.stem}/{p.name}")
        assert head["ContentLength"] == p.stat().st_size
        assert head["Metadata"]["sha256"] == hashlib.sha256(p.read_bytes()).hexdigest()
    assert checks["01"]["transferred_second_run"] == 0

    # 03 registered the cleaned tables with data, and the raw ones, in the Glue Data Catalog.
    glue = boto3.client("glue", region_name="us-east-1")
    tables = {t["Name"]: t for t in glue.get_tables(DatabaseName="movies_db")["TableList"]}
    raw_tables = {t.name for t in RAW_TABLES.values() if (source / t.file).is_file()}
    assert {"cast_data", "movies"} | raw_tables <= set(tables)
    assert "crew_data" not in tables  # no data, no table
    cast = tables["cast_data"]["StorageDescriptor"]
    assert cast["Location"].rstrip("/") == f"s3://{BUCKET}/cleaned/cast_data"
    assert cast["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
    assert [k["Name"] for k in tables["movies"]["PartitionKeys"]] == ["release_decade"]
    partitions = glue.get_partitions(DatabaseName="movies_db", TableName="movies")["Partitions"]
    folders = {k.split("/")[2].partition("=")[2] for k in cleaned["movies"]}
    assert {p["Values"][0] for p in partitions} == folders
    assert set(checks["03"]["cleaned_tables"]) == {"cast_data", "movies"}
    assert checks["03"]["rows"] == {}  # counting on AWS would be a billed Athena query

    # Nothing in the executed notebooks names the account or this machine's folders.
    account = boto3.client("sts").get_caller_identity()["Account"]
    for run in runs:
        nb = json.loads(run.executed.read_text(encoding="utf-8"))
        outputs = json.dumps([c.get("outputs", []) for c in nb["cells"]])
        leaks = [x for x in (account, str(tmp_path), "/tmp/", "/work/", "/root/") if x in outputs]
        assert not leaks, f"{run.name} shows {leaks}"
