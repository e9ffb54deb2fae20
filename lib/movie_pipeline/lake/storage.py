"""List the lake: a local folder laid out exactly like the bucket, or S3."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from botocore.exceptions import ClientError

from movie_pipeline.aws.session import boto3_session
from movie_pipeline.config import PipelineError, Settings


@dataclass(frozen=True)
class StoredFile:
    """An object in the lake: its URI (``s3://...`` or a local path), key in the bucket, size."""

    uri: str
    key: str
    size: int


class MissingResourceError(PipelineError, RuntimeError):
    """An AWS resource the pipeline expects (bucket, workgroup) does not exist yet."""


def require_bucket(settings: Settings, s3) -> None:
    """Raise MissingResourceError unless the bucket exists and we may use it.

    The bucket is created (private, encrypted, with its policy) by ``movie-pipeline setup-aws``;
    creating a bare one here would skip those settings.
    """
    try:
        s3.head_bucket(Bucket=settings.bucket)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("404", "NoSuchBucket"):
            raise
        raise MissingResourceError(
            f"bucket {settings.bucket} does not exist in {settings.region}: "
            "run `movie-pipeline setup-aws` first, or set MOVIES_BUCKET to your bucket"
        ) from exc


# Listing and Parquet footers -------------------------------------------------------------------
def hidden(key: str) -> bool:
    # Athena, Hive and Spark skip files whose name starts with _ or . (_SUCCESS, .crc).
    return any(part.startswith(("_", ".")) for part in key.split("/"))


def s3_client(settings: Settings):
    """An S3 client on the AWS backend, None on the local one: make one, pass it to many calls."""
    return boto3_session(settings).client("s3") if settings.backend == "aws" else None


def list_files(settings: Settings, prefix: str, suffix: str = "", s3=None) -> list[StoredFile]:
    """List the visible objects under ``prefix`` (a key prefix such as ``cleaned/movies``).

    Args:
        settings: the lake.
        prefix: a key prefix in the bucket.
        suffix: keep only keys ending with it (``.parquet``).
        s3: an S3 client to reuse (``s3_client``); one is made when None.

    Returns:
        StoredFiles sorted by key; names starting with ``_`` or ``.`` are left out, as Athena
        leaves them out.
    """
    prefix = prefix.strip("/") + "/"
    if settings.backend == "aws":
        s3 = s3 or s3_client(settings)
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=settings.bucket, Prefix=prefix)
        found = [
            StoredFile(f"s3://{settings.bucket}/{o['Key']}", o["Key"], o["Size"])
            for page in pages
            for o in page.get("Contents", [])
        ]
    else:
        root = Path(settings.bucket_root)
        base = root / prefix
        found = [
            StoredFile(str(p), p.relative_to(root).as_posix(), p.stat().st_size)
            for p in (base.rglob("*") if base.is_dir() else [])
            if p.is_file()
        ]
    tail = len(prefix)
    return sorted(
        (f for f in found if f.key.endswith(suffix) and not hidden(f.key[tail:])),
        key=lambda f: f.key,
    )
