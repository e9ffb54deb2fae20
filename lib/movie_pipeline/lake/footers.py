"""Parquet footers, the one reader: a file's schema, row groups and rows without its data (local or S3)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from movie_pipeline.config import Settings
from movie_pipeline.lake.storage import StoredFile, hidden, list_files, s3_client


def read_footer(settings: Settings, stored: StoredFile, s3=None) -> pq.FileMetaData:
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


def count_rows(settings: Settings | None, files, s3=None) -> int:
    """The rows of Parquet files, summed from their footers.

    Args:
        settings: the lake; None when ``files`` are local paths (a staging folder).
        files: StoredFiles (``storage.list_files``) or local paths.
        s3: an S3 client to reuse (``storage.s3_client``).
    """
    total = 0
    for f in files:
        if isinstance(f, StoredFile) and settings is not None:
            total += read_footer(settings, f, s3).num_rows
        else:
            total += pq.read_metadata(Path(f)).num_rows
    return total


def rows_under(settings: Settings, uri: str, s3=None) -> int:
    """The rows of the Parquet files under ``uri`` (a folder or a file), summed from their footers.

    What the ETL checks each table against: the files really written, read without Spark. A
    folder's files are listed as Athena lists them (names starting with ``_`` or ``.`` are left
    out); a missing folder holds 0 rows.

    Args:
        settings: the lake; an ``s3://`` URI must be in its bucket.
        uri: a local path, or ``s3://bucket/key`` on the AWS backend.
        s3: an S3 client to reuse (``storage.s3_client``).
    """
    if uri.startswith("s3://"):
        bucket, _, key = uri[len("s3://") :].partition("/")
        if bucket != settings.bucket:
            raise ValueError(f"{uri} is not in the lake's bucket {settings.bucket}")
        s3 = s3 or s3_client(settings)
        return count_rows(settings, list_files(settings, key, ".parquet", s3=s3), s3)
    path = Path(uri)
    if path.is_file():
        return count_rows(None, [path])
    files = [
        p for p in path.rglob("*.parquet")
        if p.is_file() and not hidden(p.relative_to(path).as_posix())
    ]  # fmt: skip
    return count_rows(None, files)
