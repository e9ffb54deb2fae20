"""Upload the raw files under raw/: skipped when the same bytes are there (SHA-256), multipart on S3."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from movie_pipeline.aws.session import boto3_session
from movie_pipeline.config import Settings
from movie_pipeline.lake.storage import require_bucket
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
