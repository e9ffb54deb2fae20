"""The raw files of The Movies Dataset: names, headers, and how Spark must read and count each one."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from movie_pipeline.config import PipelineError

# Spark puts the raw text of a record whose field count is wrong in this column (PERMISSIVE mode).
CORRUPT_RECORD = "_corrupt_record"

# Known variants spell the movie id differently; the transforms see one name.
_ID_ALIASES = {"tmdb_id": "id", "movie_id": "id"}


class RawFormatError(PipelineError, ValueError):
    """A raw file is not in any format the pipeline knows (wrong header, unreadable)."""


@dataclass(frozen=True)
class RawFile:
    """One Kaggle file as it arrives.

    Attributes:
        name: the file name, e.g. ``credits.csv``.
        dataset: the folder it lives in under ``raw/`` (one folder per Athena table).
        columns: the header, in order.
        multiline: True when quoted cells hold newlines (overviews), so Spark must read the
            file whole instead of line by line; line-based reading is splittable and faster.
        alt_columns: headers of known variants (TMDB 5000, the CS126 sample) that are accepted.
    """

    name: str
    dataset: str
    columns: tuple[str, ...]
    multiline: bool = False
    alt_columns: tuple[tuple[str, ...], ...] = ()

    @property
    def key(self) -> str:
        """The object key under the raw prefix: ``credits/credits.csv``."""
        return f"{self.dataset}/{self.name}"


MOVIES_METADATA_COLUMNS = (
    "adult", "belongs_to_collection", "budget", "genres", "homepage", "id", "imdb_id",
    "original_language", "original_title", "overview", "popularity", "poster_path",
    "production_companies", "production_countries", "release_date", "revenue", "runtime",
    "spoken_languages", "status", "tagline", "title", "video", "vote_average", "vote_count",
)  # fmt: skip

RAW_FILES: dict[str, RawFile] = {
    f.name: f
    for f in (
        RawFile(
            "credits.csv", "credits", ("cast", "crew", "id"),
            alt_columns=(("cast", "crew", "tmdb_id"), ("movie_id", "title", "cast", "crew")),
        ),
        RawFile("movies_metadata.csv", "movies_metadata", MOVIES_METADATA_COLUMNS, multiline=True),
        RawFile("keywords.csv", "keywords", ("id", "keywords"), alt_columns=(("tmdb_id", "keywords"),)),
        RawFile("links.csv", "links", ("movieId", "imdbId", "tmdbId")),
        RawFile("links_small.csv", "links_small", ("movieId", "imdbId", "tmdbId")),
        RawFile("ratings.csv", "ratings", ("userId", "movieId", "rating", "timestamp")),
        RawFile("ratings_small.csv", "ratings_small", ("userId", "movieId", "rating", "timestamp")),
    )
}  # fmt: skip


def find_raw_files(source: str | Path) -> dict[str, Path]:
    """Return the Kaggle files present in ``source`` (any subset), by name.

    Raises:
        FileNotFoundError: when the folder does not exist or holds none of the known files.
    """
    source = Path(source)
    if not source.is_dir():
        raise FileNotFoundError(f"source folder {source} does not exist")
    found = {name: source / name for name in RAW_FILES if (source / name).is_file()}
    if not found:
        raise FileNotFoundError(
            f"{source} holds none of the dataset's files ({', '.join(RAW_FILES)}); "
            "generate a sample with `movie-pipeline generate` or download The Movies Dataset"
        )
    return found


def csv_options(raw: RawFile) -> dict[str, str]:
    """Spark CSV reader options for a raw file.

    ``escape='"'`` because the files double their quotes (RFC 4180); Spark's default backslash
    escape misaligns most credits rows. Every column is read as a string: typing happens in the
    transforms, where a bad value can be quarantined with its reason instead of becoming null.
    A record with the wrong number of fields keeps its raw text in ``_corrupt_record``.
    """
    return {
        "header": "true",
        "escape": '"',
        "quote": '"',
        "multiLine": "true" if raw.multiline else "false",
        "inferSchema": "false",
        "mode": "PERMISSIVE",
        "columnNameOfCorruptRecord": CORRUPT_RECORD,
        "encoding": "UTF-8",
        # Spark 3.5 defaults to no limit on cell length; say so, since credits cells reach 30 KB.
        "maxCharsPerColumn": "-1",
    }


def canonical_header(raw: RawFile, header: Sequence[str]) -> list[str]:
    """Map a file's header to the names the transforms use (``tmdb_id``/``movie_id`` -> ``id``).

    Args:
        raw: the file's description.
        header: the column names as read (a UTF-8 byte-order mark is ignored).

    Returns:
        The column names, in file order (the expected names in another order are accepted).

    Raises:
        RawFormatError: the header is neither the Kaggle one nor a known variant.
    """
    names = tuple(h.lstrip("\ufeff").strip() for h in header)
    if names == raw.columns:
        return list(names)
    # The schema follows the file's order, so the right names in another order read by name.
    if len(set(names)) == len(names) and any(
        sorted(names) == sorted(v) for v in (raw.columns, *raw.alt_columns)
    ):
        return [_ID_ALIASES.get(n, n) for n in names]
    known = " or ".join(",".join(c) for c in (raw.columns, *raw.alt_columns))
    raise RawFormatError(f"{raw.name}: unexpected header {','.join(names)!r}; expected {known}")


def raw_schema(columns: Sequence[str]) -> T.StructType:
    """All columns as strings, plus the corrupt-record column."""
    names = [*columns, CORRUPT_RECORD]
    return T.StructType([T.StructField(n, T.StringType()) for n in names])


def first_line(spark, path: str) -> str:
    """The first line of a file, through Spark's Hadoop FileSystem (local paths and s3:// alike).

    Reading the header this way costs no Spark job.
    """
    jvm = spark.sparkContext._jvm
    hpath = jvm.org.apache.hadoop.fs.Path(str(path))
    stream = hpath.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).open(hpath)
    try:
        reader = jvm.java.io.BufferedReader(jvm.java.io.InputStreamReader(stream, "UTF-8"))
        return reader.readLine() or ""
    finally:
        stream.close()


def read_raw(spark, raw: RawFile, path: str) -> DataFrame:
    """Read one raw CSV into strings named by :func:`canonical_header`, plus ``_corrupt_record``.

    The header is checked first so that a variant or a wrong file fails with a clear message;
    the data is then read against an explicit schema, which is what lets Spark flag a record
    with too few or too many fields instead of silently padding or cutting it.
    """
    header = next(csv.reader([first_line(spark, path)]), [])
    schema = raw_schema(canonical_header(raw, header))
    return spark.read.options(**csv_options(raw)).schema(schema).csv(str(path))


def drop_stray_cr(df: DataFrame, raw: RawFile) -> DataFrame:
    """Remove the carriage return a multi-line read can leave at the end of a record.

    Read with ``multiLine``, Spark's CSV parser takes the first line ending it meets as the
    record separator. In a file that mixes CRLF and LF, the records with the other ending keep
    a ``\r`` in their last field (``"4125\r"``, or ``"\r"`` for an empty one), which is then
    neither blank nor a number. Line-by-line reads split on both endings and need nothing.
    """
    if not raw.multiline:
        return df
    last = [c for c in df.columns if c != CORRUPT_RECORD][-1]
    cell = F.col(last)
    trimmed = F.expr(f"substring(`{last}`, 1, length(`{last}`) - 1)")
    return df.withColumn(last, F.when(cell.endswith("\r"), trimmed).otherwise(cell))


@dataclass(frozen=True)
class RecordCount:
    """A raw file's data records, counted without Spark's CSV parser.

    Attributes:
        records: data records (the header and blank lines excluded).
        unbalanced_lines: lines with an odd number of double quotes: the lines of a quoted
            field that spans lines (normal in movies_metadata; in a file read line by line they
            are records Spark will split, and the counts will not agree).
        method: how the count was made.
    """

    records: int
    unbalanced_lines: int
    method: str


def count_records(spark, raw: RawFile, path: str) -> RecordCount:
    """Count a raw file's records independently of Spark's CSV parser (the check on misalignment).

    A local file is scanned in Python, line by line, tracking whether a double quote is open:
    a line break outside quotes ends a record (RFC 4180), so a quoted field that spans lines is
    one record. This is fast (byte counts, no parsing) and shares no code with Spark's reader.
    A remote file (s3:// inside Glue) is counted by Spark's text reader instead: non-blank lines
    for line-based files; for multi-line files, the file read whole with every quoted field
    removed by a regular expression, so that only record breaks remain.

    Args:
        spark: the session (used for remote files only).
        raw: the file's description.
        path: the file's path or URI.

    Returns:
        The count, for the reconciliation report.
    """
    scheme = urlparse(str(path)).scheme
    if scheme in ("", "file"):
        return _count_local(urlparse(str(path)).path if scheme else str(path))
    return _count_with_spark(spark, raw, path)


def _count_local(path: str) -> RecordCount:
    records = unbalanced = 0
    inside = blank = False
    with open(path, "rb") as fh:
        for line in fh:
            if not inside:  # a record starts on this line
                blank = not line.strip()
            odd = line.count(b'"') & 1
            unbalanced += odd
            inside ^= bool(odd)
            if not inside and not blank:
                records += 1
    return RecordCount(max(records - 1, 0), unbalanced, "lines outside quotes (local scan)")


# A quoted CSV field, doubled quotes included ("a ""b"" c" is three adjacent matches).
_QUOTED_FIELD = r'"[^"]*"'


def _count_with_spark(spark, raw: RawFile, path: str) -> RecordCount:
    non_blank = r"\S"
    if raw.multiline:
        text = spark.read.text(str(path), wholetext=True)
        lines = F.split(F.regexp_replace("value", _QUOTED_FIELD, ""), "\n")
        row = text.select(
            F.sum(F.size(F.filter(lines, lambda line: line.rlike(non_blank)))).alias("n")
        ).first()
        return RecordCount(max((row["n"] or 0) - 1, 0), 0, "whole-file scan outside quotes")
    quotes = F.length("value") - F.length(F.regexp_replace("value", '"', ""))
    row = (
        spark.read.text(str(path))
        .select(
            F.count(F.when(F.col("value").rlike(non_blank), 1)).alias("n"),
            F.count(F.when(quotes % 2 == 1, 1)).alias("odd"),
        )
        .first()
    )
    return RecordCount(max(row["n"] - 1, 0), row["odd"], "non-blank text lines")
