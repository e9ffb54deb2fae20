"""Typed-or-quarantined: checked conversions with reasons, quarantine rows, and duplicate ranking."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from movie_pipeline.specs.datasets import CORRUPT_RECORD

# Helper columns every staged dataset carries (none of them reaches a cleaned table).
ROW = "_row"  # Spark's monotonically_increasing_id: file order within a file
ERRORS = "_errors"  # array of reasons; empty on a good row
RETRY = "_retry"  # nested cells the hot-path parser left (see literal.retry_cells)
RAW = "_raw"  # the row's raw fields as JSON, kept only on rows with a problem
HASH = "_hash"  # xxhash64 of the raw fields: the content tie-break between duplicates

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


def _identity(value: Column) -> Column:
    return value


@dataclass(frozen=True)
class Check:
    """A checked conversion of a raw text cell, in two steps so that each runs once per row.

    Attributes:
        name: the output column.
        source: the raw string column.
        what: what the value must be, for the reason ("an integer").
        parse: trimmed text -> a candidate value, null where the text has the wrong form.
        accept: candidate -> the value, null where it does not fit (an int out of range).
        zero_is_null: map 0 to null (0 means "unknown" in TMDB's money columns).
    """

    name: str
    source: str
    what: str
    parse: Callable[[Column], Column]
    accept: Callable[[Column], Column] = _identity
    zero_is_null: bool = False

    def value(self, candidate: Column) -> Column:
        value = self.accept(candidate)
        return F.when(value != 0, value) if self.zero_is_null else value

    def reason(self, candidate: Column) -> Column:
        text = F.col(self.source)
        return F.when(
            ~blank(text) & self.accept(candidate).isNull(),
            _reason(self.source, F.trim(text), self.what),
        )


def _integer(name: str, source: str, kind: str, zero_is_null: bool) -> Check:
    pattern, limit = (_INT, 2**31) if kind == "int" else (_BIGINT, 2**63)
    # Casting through decimal keeps "12.0" exact and never overflows for the digits allowed.
    return Check(
        name, source, "an integer" if kind == "int" else "a bigint",
        parse=lambda t: F.when(t.rlike(pattern), t.cast("decimal(20,0)")),
        accept=lambda w: F.when(w.between(-limit, limit - 1), w.cast(kind)),
        zero_is_null=zero_is_null,
    )  # fmt: skip


def int_check(name: str, source: str | None = None, *, zero_is_null: bool = False) -> Check:
    """An int (``12`` or ``12.0``, as pandas writes integers beside NaN), in int range."""
    return _integer(name, source or name, "int", zero_is_null)


def bigint_check(name: str, source: str | None = None, *, zero_is_null: bool = False) -> Check:
    """A bigint (budget, revenue); see :func:`int_check`."""
    return _integer(name, source or name, "bigint", zero_is_null)


def double_check(name: str, source: str | None = None, *, zero_is_null: bool = False) -> Check:
    """A double, plain or scientific (``8.2e-05``)."""
    return Check(
        name, source or name, "a number",
        parse=lambda t: F.when(t.rlike(_DOUBLE), t.cast("double")), zero_is_null=zero_is_null,
    )  # fmt: skip


def date_check(name: str, source: str | None = None) -> Check:
    """A ``YYYY-MM-DD`` date (``10/30/1995`` from Excel copies is refused)."""
    return Check(
        name, source or name, "a YYYY-MM-DD date",
        parse=lambda t: F.when(t.rlike(_DATE), F.to_date(F.try_to_timestamp(t, F.lit("yyyy-MM-dd")))),
    )  # fmt: skip


def bool_check(name: str, source: str | None = None) -> Check:
    """``True``/``False`` in any case (Excel copies write TRUE/FALSE)."""
    return Check(
        name, source or name, "True or False",
        parse=lambda t: F.when(F.lower(t) == "true", True).when(F.lower(t) == "false", False),
    )  # fmt: skip


def epoch_check(name: str, source: str | None = None) -> Check:
    """Unix seconds as a timestamp (an instant; Parquet stores it in UTC)."""
    return Check(
        name, source or name, "Unix seconds",
        parse=lambda t: F.when(t.rlike(r"^[0-9]{1,12}$"), F.timestamp_seconds(t.cast("long"))),
    )  # fmt: skip


def apply_checks(
    df: DataFrame, checks: Sequence[Check]
) -> tuple[DataFrame, dict[str, Column], list[Column]]:
    """Convert raw columns with their checks; every regular expression and cast runs once a row.

    The candidates are computed in one projection and read by the next: Spark does not merge
    two projections when that would repeat an expensive expression, so the value and the
    reason of a column share one evaluation of its conversion.

    Args:
        df: the raw rows.
        checks: one per output column.

    Returns:
        ``(frame, values, reasons)``: ``df`` plus a value column and a reason column per
        check; ``values`` maps each check's name to its value column, and ``reasons`` lists
        the reason columns (null where the value converted, or the cell is blank: a blank
        cell is a null, not an error).
    """
    candidates = df.select(
        "*", *[c.parse(F.trim(F.col(c.source))).alias(f"_c_{c.name}") for c in checks]
    )
    cand = {c.name: F.col(f"_c_{c.name}") for c in checks}
    out = candidates.select(
        *df.columns,
        *[c.value(cand[c.name]).alias(f"_v_{c.name}") for c in checks],
        *[c.reason(cand[c.name]).alias(f"_why_{c.name}") for c in checks],
    )
    values = {c.name: F.col(f"_v_{c.name}") for c in checks}
    return out, values, [F.col(f"_why_{c.name}") for c in checks]


def carried(df: DataFrame) -> list[str]:
    """Columns a parse function passes through untouched: the raw checks' marks (``_pre_*``,
    see :func:`movie_pipeline.ingest.rawcheck.mark`)."""
    return [c for c in df.columns if c.startswith("_pre_")]


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
    return staged.filter(F.size(ERRORS) > 0).select(
        F.lit(dataset).alias("dataset"),
        F.col(ROW).alias("record_id"),
        F.array_join(ERRORS, "; ").alias("reason"),
        F.col(RAW).alias("raw"),
    )


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
