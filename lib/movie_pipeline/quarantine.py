"""Typed-or-quarantined: checked conversions with reasons, quarantine rows, and duplicate ranking."""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from movie_pipeline.datasets import CORRUPT_RECORD

# Helper columns every staged dataset carries (none of them reaches a cleaned table).
ROW = "_row"  # Spark's monotonically_increasing_id: file order within a file
ERRORS = "_errors"  # array of reasons; empty on a good row
RETRY = "_retry"  # nested cells the native parser refused (see literal.retry_with_literal_eval)
RAW = "_raw"  # the row's raw fields as JSON, kept only on rows with a problem
HASH = "_hash"  # xxhash64 of the raw fields: the content tie-break between duplicates

QUARANTINE_SCHEMA = T.StructType([
    T.StructField("dataset", T.StringType()),
    T.StructField("record_id", T.LongType()),
    T.StructField("reason", T.StringType()),
    T.StructField("raw", T.StringType()),
])  # fmt: skip

_INT = r"^[+-]?[0-9]{1,10}(\.0*)?$"  # pandas writes integer columns with NaN as 12.0
_BIGINT = r"^[+-]?[0-9]{1,18}(\.0*)?$"
_DOUBLE = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def with_row_id(df: DataFrame) -> DataFrame:
    """Add ``_row``, an id in file order (Spark numbers each file split's rows consecutively)."""
    return df.withColumn(ROW, F.monotonically_increasing_id())


def blank(text: Column) -> Column:
    """True where a raw cell is null or empty (Spark reads an empty field as null)."""
    return text.isNull() | (F.trim(text) == "")


def empty_to_null(text: Column) -> Column:
    """Text columns: an empty string means absent (Spark already reads an empty field as null);
    any other text, whitespace included, is kept as it is."""
    return F.when(text != "", text)


def _reason(name: str, text: Column, what: str) -> Column:
    # The value in the reason is cut at 80 characters: the raw column has all of it.
    return F.concat(F.lit(f"{name} '"), F.substring(text, 1, 80), F.lit(f"' is not {what}"))


def _checked(text: Column, ok: Column, value: Column, name: str, what: str):
    trimmed = F.trim(text)
    return (
        F.when(ok, value),
        F.when(~blank(text) & ~F.coalesce(ok, F.lit(False)), _reason(name, trimmed, what)),
    )


def to_int(text: Column, name: str, *, zero_is_null: bool = False) -> tuple[Column, Column]:
    """Checked conversion of a raw cell to int.

    Args:
        text: the raw string column.
        name: the column's name, for the reason.
        zero_is_null: map 0 to null (0 means "unknown" in TMDB's money columns).

    Returns:
        ``(value, reason)``: the int (null when blank), and a reason where the cell is not blank
        and not an integer in int range (else null).
    """
    return _checked_integer(text, name, _INT, "int", zero_is_null)


def to_bigint(text: Column, name: str, *, zero_is_null: bool = False) -> tuple[Column, Column]:
    """Checked conversion to bigint (budget, revenue); see :func:`to_int`."""
    return _checked_integer(text, name, _BIGINT, "bigint", zero_is_null)


def _checked_integer(text, name, pattern, spark_type, zero_is_null):
    trimmed = F.trim(text)
    # Casting through decimal keeps "12.0" exact and never overflows for the digits allowed.
    wide = F.when(trimmed.rlike(pattern), trimmed.cast("decimal(20,0)"))
    limit = 2**31 if spark_type == "int" else 2**63
    ok = wide.isNotNull() & wide.between(-limit, limit - 1)
    value = wide.cast(spark_type)
    if zero_is_null:
        value = F.when(value != 0, value)
    return _checked(text, ok, value, name, "an integer" if spark_type == "int" else "a bigint")


def to_double(text: Column, name: str, *, zero_is_null: bool = False) -> tuple[Column, Column]:
    """Checked conversion to double (plain or scientific notation: ``8.2e-05``)."""
    trimmed = F.trim(text)
    ok = trimmed.rlike(_DOUBLE)
    value = F.when(ok, trimmed.cast("double"))
    if zero_is_null:
        value = F.when(value != 0, value)
    return _checked(text, ok, value, name, "a number")


def to_date(text: Column, name: str) -> tuple[Column, Column]:
    """Checked conversion of ``YYYY-MM-DD`` to date (``10/30/1995`` from Excel copies is refused)."""
    trimmed = F.trim(text)
    value = F.to_date(F.try_to_timestamp(trimmed, F.lit("yyyy-MM-dd")))
    ok = trimmed.rlike(_DATE) & value.isNotNull()
    return _checked(text, ok, value, name, "a YYYY-MM-DD date")


def to_bool(text: Column, name: str) -> tuple[Column, Column]:
    """Checked conversion of ``True``/``False`` (any case: Excel copies write TRUE/FALSE)."""
    word = F.lower(F.trim(text))
    ok = word.isin("true", "false")
    return _checked(text, ok, word == "true", name, "True or False")


def to_epoch_timestamp(text: Column, name: str) -> tuple[Column, Column]:
    """Checked conversion of Unix seconds to a timestamp (an instant; Parquet stores it in UTC)."""
    trimmed = F.trim(text)
    ok = trimmed.rlike(r"^[0-9]{1,12}$")
    return _checked(text, ok, F.timestamp_seconds(trimmed.cast("long")), name, "Unix seconds")


def errors_array(*reasons: Column) -> Column:
    """The non-null reasons as an array (empty on a good row, never null)."""
    return F.filter(F.array(*reasons), lambda r: r.isNotNull())


def malformed_reason() -> Column:
    """The reason for a record Spark could not split into the header's fields."""
    return F.when(
        F.col(CORRUPT_RECORD).isNotNull(),
        F.lit("malformed CSV record: wrong number of fields"),
    )


def raw_json(columns: Sequence[str]) -> Column:
    """The raw fields (and Spark's corrupt-record text, when any) as one JSON object."""
    return F.to_json(F.struct(*[F.col(c) for c in columns]), {"ignoreNullFields": "false"})


def content_hash(columns: Sequence[str]) -> Column:
    """A content fingerprint of the raw fields: deterministic, whatever order Spark reads in."""
    return F.xxhash64(*[F.col(c) for c in columns])


def quarantine_rows(staged: DataFrame, dataset: str) -> DataFrame:
    """The rows of a staged dataset that carry a reason, in the quarantine table's shape.

    Args:
        staged: a staged dataset (``_row``, ``_errors``, ``_raw``).
        dataset: the raw dataset's name.

    Returns:
        Columns dataset, record_id, reason (the reasons joined by ``; ``), raw (JSON of the raw
        fields; a malformed record's text is in its ``_corrupt_record`` field).
    """
    return (
        staged
        .filter(F.size(ERRORS) > 0)
        .select(
            F.lit(dataset).alias("dataset"),
            F.col(ROW).alias("record_id"),
            F.array_join(ERRORS, "; ").alias("reason"),
            F.col(RAW).alias("raw"),
        )
    )  # fmt: skip


def rank_duplicates(df: DataFrame, key: Sequence[str], order: Sequence[Column]) -> DataFrame:
    """Rank the rows that share a key: rank 1 is kept, the others are duplicates removed.

    The order is a documented preference on content (most entries, latest rating, ...) ending
    with the content hash, so the winner never depends on which row Spark happens to see first;
    ``_row`` only separates byte-identical copies, which are interchangeable.

    Args:
        df: rows with the key, the order's columns, ``_hash`` and ``_row``.
        key: the columns that identify a row.
        order: sort expressions, best first.

    Returns:
        ``df`` plus ``_dup_rank`` (1 for the row kept).
    """
    window = Window.partitionBy(*key).orderBy(*order, F.col(HASH), F.col(ROW))
    return df.withColumn("_dup_rank", F.row_number().over(window))
