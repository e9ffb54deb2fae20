"""Upload, list and read the lake: a local folder laid out exactly like the bucket, or S3."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from movie_pipeline.aws.session import boto3_session
from movie_pipeline.config import PipelineError, Settings
from movie_pipeline.progress import progress_bar
from movie_pipeline.specs.datasets import RAW_FILES

# Multipart above 64 MB (credits.csv is 190 MB), in 16 MB parts: a failed part is retried
# alone, and four parts travel at once.
TRANSFER_CONFIG = TransferConfig(
    multipart_threshold=64 * 1024**2, multipart_chunksize=16 * 1024**2, max_concurrency=4
)
# S3 keeps the checksum in the object's metadata; the local lake keeps it out of the bucket
# folder, so that the folder holds exactly the objects the bucket would.
_CHECKSUM_KEY = "sha256"
_LOCAL_METADATA = "_object_metadata"


@dataclass(frozen=True)
class Uploaded:
    """What happened to one file: where it went, its checksum, and whether bytes moved."""

    name: str
    key: str
    size: int
    sha256: str
    transferred: bool


@dataclass(frozen=True)
class StoredFile:
    """An object in the lake: its URI (``s3://...`` or a local path), key in the bucket, size."""

    uri: str
    key: str
    size: int


def sha256_file(path: Path, chunk: int = 8 << 20) -> str:
    """The SHA-256 of a file's content, hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def raw_key(settings: Settings, name: str) -> str:
    """The object key of a raw file: ``raw/<dataset>/<file>``."""
    return f"{settings.raw_prefix}/{RAW_FILES[name].key}"


def upload_raw(settings: Settings, files: dict[str, Path], **kwargs) -> list[Uploaded]:
    """Upload raw files to ``raw/<dataset>/<file>`` on the configured backend.

    Args:
        settings: backend, bucket and prefixes.
        files: ``{kaggle file name: local path}`` (see ``datasets.find_raw_files``).
        **kwargs: passed to ``upload_raw_s3`` (``transfer_config``, ``session``).

    Returns:
        One Uploaded per file, ``transferred=False`` where the content was already there.
    """
    if settings.backend == "aws":
        return upload_raw_s3(settings, files, **kwargs)
    return upload_raw_local(settings, files)


def _local_checksum_path(settings: Settings, key: str) -> Path:
    return settings.lake_dir / _LOCAL_METADATA / settings.bucket / f"{key}.json"


def upload_raw_local(settings: Settings, files: dict[str, Path]) -> list[Uploaded]:
    """Copy raw files to ``<lake>/<bucket>/raw/<dataset>/<file>``, skipping unchanged ones."""
    results = []
    for name, src in files.items():
        key = raw_key(settings, name)
        dest = Path(settings.uri(key))
        digest = sha256_file(src)
        meta = _local_checksum_path(settings, key)
        stored = json.loads(meta.read_text()).get(_CHECKSUM_KEY) if meta.exists() else None
        unchanged = dest.exists() and stored == digest
        if not unchanged:
            dest.parent.mkdir(parents=True, exist_ok=True)
            size = src.stat().st_size
            with (
                open(src, "rb") as fin,
                open(dest, "wb") as fout,
                progress_bar(total=size, desc=f"upload {name}", unit="B") as bar,
            ):
                while block := fin.read(8 << 20):
                    fout.write(block)
                    bar.update(len(block))
            shutil.copystat(src, dest)
            meta.parent.mkdir(parents=True, exist_ok=True)
            meta.write_text(json.dumps({_CHECKSUM_KEY: digest}))
        results.append(Uploaded(name, key, src.stat().st_size, digest, not unchanged))
    return results


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


def _remote_checksum(s3, bucket: str, key: str) -> str | None:
    try:
        return s3.head_object(Bucket=bucket, Key=key)["Metadata"].get(_CHECKSUM_KEY)
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def upload_raw_s3(
    settings: Settings,
    files: dict[str, Path],
    transfer_config: TransferConfig = TRANSFER_CONFIG,
    session=None,
) -> list[Uploaded]:
    """Upload raw files to ``s3://<bucket>/raw/<dataset>/<file>``, skipping unchanged ones.

    The content's SHA-256 goes into the object's metadata (``x-amz-meta-sha256``); a file whose
    checksum matches the object's is not sent again. Files above the transfer config's
    threshold go up in parts (multipart upload).

    Args:
        settings: bucket, prefixes, region.
        files: ``{kaggle file name: local path}``.
        transfer_config: multipart threshold, part size, concurrency.
        session: a boto3 Session (default: ``aws.session.boto3_session(settings)``).

    Returns:
        One Uploaded per file.
    """
    s3 = (session or boto3_session(settings)).client("s3")
    require_bucket(settings, s3)
    results = []
    for name, src in files.items():
        key = raw_key(settings, name)
        digest = sha256_file(src)
        size = src.stat().st_size
        unchanged = _remote_checksum(s3, settings.bucket, key) == digest
        if not unchanged:
            with progress_bar(total=size, desc=f"upload {name}", unit="B") as bar:
                s3.upload_file(
                    str(src), settings.bucket, key,
                    ExtraArgs={"Metadata": {_CHECKSUM_KEY: digest}, "ContentType": "text/csv"},
                    Callback=bar.update, Config=transfer_config,
                )  # fmt: skip
        results.append(Uploaded(name, key, size, digest, not unchanged))
    return results


# Listing and Parquet footers -------------------------------------------------------------------
def _hidden(key: str) -> bool:
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
        (f for f in found if f.key.endswith(suffix) and not _hidden(f.key[tail:])),
        key=lambda f: f.key,
    )


def read_parquet_metadata(settings: Settings, stored: StoredFile, s3=None) -> pq.FileMetaData:
    """Read a Parquet file's footer (schema, row groups, column chunk sizes), not its data.

    On S3 only the file's tail is fetched (one or two ranged GETs), with ``s3`` if given.
    """
    if settings.backend != "aws":
        return pq.read_metadata(stored.uri)
    s3 = s3 or s3_client(settings)

    def tail(n: int) -> bytes:
        start = max(stored.size - n, 0)
        return s3.get_object(
            Bucket=settings.bucket, Key=stored.key, Range=f"bytes={start}-{stored.size - 1}"
        )["Body"].read()

    data = tail(64 * 1024)
    if len(data) < 12 or data[-4:] != b"PAR1":
        raise ValueError(f"{stored.uri} is not a Parquet file (no PAR1 footer)")
    footer_len = int.from_bytes(data[-8:-4], "little")
    if footer_len + 8 > len(data):
        data = tail(footer_len + 8)
    # The footer alone, behind a magic number, reads as a file of its own: its offsets point
    # past the end, which does not matter since only the metadata is read.
    return pq.read_metadata(pa.BufferReader(b"PAR1" + data[-(footer_len + 8) :]))
