"""Pure DataFrame -> DataFrame transforms: the Glue ETL logic, the same locally and inside Glue.

Each raw dataset goes through a ``parse_*`` function (raw strings -> typed and parsed columns,
plus the helper columns of :mod:`movie_pipeline.transform.quarantine`), then one builder per cleaned table
explodes or selects the columns of ``tables.CLEANED_TABLES``.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from movie_pipeline.specs.datasets import CORRUPT_RECORD
from movie_pipeline.transform.literal import parse_literals, retry_cells
from movie_pipeline.transform.quarantine import (
    ERRORS,
    HASH,
    RAW,
    RETRY,
    ROW,
    apply_checks,
    carried,
    content_hash,
    errors_array,
    int_check,
    malformed_reason,
    raw_json,
    with_row_id,
)


def _struct(*fields: tuple[str, T.DataType]) -> T.StructType:
    return T.StructType([T.StructField(n, t) for n, t in fields])


S, INT = T.StringType(), T.IntegerType()

# The shapes of the nested cells, keys as the raw files spell them.
CAST_SCHEMA = T.ArrayType(_struct(
    ("cast_id", INT), ("character", S), ("credit_id", S), ("gender", INT), ("id", INT),
    ("name", S), ("order", INT), ("profile_path", S),
))  # fmt: skip
CREW_SCHEMA = T.ArrayType(_struct(
    ("credit_id", S), ("department", S), ("gender", INT), ("id", INT), ("job", S), ("name", S),
    ("profile_path", S),
))  # fmt: skip
ID_NAME_SCHEMA = T.ArrayType(_struct(("id", INT), ("name", S)))  # genres, keywords, companies
COUNTRIES_SCHEMA = T.ArrayType(_struct(("iso_3166_1", S), ("name", S)))
LANGUAGES_SCHEMA = T.ArrayType(_struct(("iso_639_1", S), ("name", S)))
COLLECTION_SCHEMA = _struct(("id", INT), ("name", S), ("poster_path", S), ("backdrop_path", S))

# Parsed column -> (raw column, type), per dataset. The ETL retries these cells with
# literal_eval where the native parse fails (the raw cell is read back from ``_raw``).
CREDITS_CELLS = {"cast_list": ("cast", CAST_SCHEMA), "crew_list": ("crew", CREW_SCHEMA)}
KEYWORDS_CELLS = {"keyword_list": ("keywords", ID_NAME_SCHEMA)}


def list_sizes(df: DataFrame, lists: list[str]) -> DataFrame:
    """Add ``_n_<list>``: the number of entries of each parsed list (null when the cell is blank)."""
    return df.select(
        "*", *[F.when(F.col(c).isNotNull(), F.size(c)).alias(f"_n_{c}") for c in lists]
    )


def parse_nested_dataset(raw: DataFrame, cells: dict, raw_columns: list[str]) -> DataFrame:
    """Parse a dataset made of an id and nested cells (credits, keywords).

    Args:
        raw: string columns ``id`` and the raw cells, ``_corrupt_record``, and optionally ``_row``.
        cells: ``{parsed column: (raw column, type)}``, e.g. :data:`CREDITS_CELLS`.
        raw_columns: every raw column, kept as JSON in ``_raw`` on rows with a problem.

    Returns:
        ``_row``, ``id`` (int), one parsed list per cell, ``_n_<list>``, ``_errors``,
        ``_retry``, ``_raw``, ``_hash``. A blank cell parses to null (no entries), not an error.
    """
    df = raw if ROW in raw.columns else with_row_id(raw)
    if CORRUPT_RECORD not in df.columns:
        df = df.withColumn(CORRUPT_RECORD, F.lit(None).cast("string"))
    df, values, reasons = apply_checks(df, [int_check("id")])
    parsed = parse_literals(df, cells)
    raw_cols = [*raw_columns, CORRUPT_RECORD]
    errors = errors_array(malformed_reason(), *reasons)
    problem = (F.size(errors) > 0) | (F.size(RETRY) > 0)
    out = parsed.select(
        ROW,
        values["id"].alias("id"),
        *cells,
        errors.alias(ERRORS),
        RETRY,
        F.when(problem, raw_json(raw_cols)).alias(RAW),
        content_hash(raw_cols).alias(HASH),
        *carried(parsed),
    )
    return list_sizes(out, list(cells))


def parse_credits(raw: DataFrame) -> DataFrame:
    """Parse raw credits (``id``, ``cast``, ``crew``): see :func:`parse_nested_dataset`."""
    return parse_nested_dataset(raw, CREDITS_CELLS, ["id", "cast", "crew"])


def parse_keywords(raw: DataFrame) -> DataFrame:
    """Parse raw keywords (``id``, ``keywords``): see :func:`parse_nested_dataset`."""
    return parse_nested_dataset(raw, KEYWORDS_CELLS, ["id", "keywords"])


def settle_retries(parsed: DataFrame, cells: dict, stage=None) -> DataFrame:
    """Settle the cells the hot path left (``_retry``): the exact parser, then literal_eval.

    Args:
        parsed: the output of a ``parse_*`` function (raw cells are read back from ``_raw``).
        cells: the dataset's ``{parsed column: (raw column, type)}``.
        stage: optional ``stage(frame, name) -> (frame, still)`` that persists a small frame and
            says how many of its rows still name a cell in ``_retry`` (the ETL writes each step
            once and counts while writing; then a Python worker starts only if a cell is still
            left after the exact parser, and the UDF never runs twice).

    Returns:
        The same rows and columns: the hot path's rows as they were, the others settled (or
        given a reason), with their list sizes recomputed.
    """
    raw_cells = {
        out: (F.get_json_object(F.col(RAW), f"$.{raw}"), schema)
        for out, (raw, schema) in cells.items()
    }
    lists = [c for c in cells if f"_n_{c}" in parsed.columns]

    def sized(frame: DataFrame) -> DataFrame:
        return list_sizes(frame.drop(*[f"_n_{c}" for c in lists]), lists).select(*parsed.columns)

    fixed = retry_cells(parsed.filter(F.size(RETRY) > 0), raw_cells, stage=stage, then=sized)
    settled = parsed.filter(F.size(RETRY) == 0).unionByName(fixed)
    # Unstaged (a notebook cell, a test), an explode on top of this plan let Spark's predicate
    # pushdown copy the parse expression into every branch: planning flatten_cast on three rows
    # took 143 s (an 8 MB plan). Cached, the builders plan on a leaf (under 10 s, most of it the
    # first run). The ETL stages every step to Parquet instead, so its plans stay small.
    return settled if stage else settled.cache()


def _ensure(df: DataFrame, column: str, parse, cells: dict) -> DataFrame:
    # Builders accept the raw rows too (handy in a notebook): parsed and settled here. The ETL
    # passes rows it has parsed, settled and filtered already.
    return df if column in df.columns else settle_retries(parse(df), cells)


def explode_list(df: DataFrame, column: str, fields: list[tuple[str, str]]) -> DataFrame:
    """One row per entry of a parsed list, with the movie id first.

    Args:
        df: rows with ``id`` and the list ``column``.
        column: the parsed list.
        fields: ``(entry key, output name)`` pairs, in output order.

    Returns:
        ``id`` and the fields. An empty or absent list gives no row; a ``None`` entry gives a
        row of nulls, so the row count is always the sum of the list lengths.
    """
    return df.select("id", F.explode(column).alias("e")).select(
        "id", *[F.col(f"e.{key}").alias(name) for key, name in fields]
    )


def flatten_cast(credits: DataFrame) -> DataFrame:
    """Explode ``credits.cast`` into one row per actor per movie (the ``cast_data`` table).

    Args:
        credits: parsed credits (:func:`parse_credits`), or raw credits (parsed here).

    Returns:
        Columns id, cast_id, character, credit_id, gender, name, order_num, person_id,
        profile_path. A movie with ``[]`` contributes no row.
    """
    parsed = _ensure(credits, "cast_list", parse_credits, CREDITS_CELLS)
    return explode_list(parsed, "cast_list", [
        ("cast_id", "cast_id"), ("character", "character"), ("credit_id", "credit_id"),
        ("gender", "gender"), ("name", "name"), ("order", "order_num"), ("id", "person_id"),
        ("profile_path", "profile_path"),
    ])  # fmt: skip


def flatten_crew(credits: DataFrame) -> DataFrame:
    """Explode ``credits.crew`` into one row per crew credit (the ``crew_data`` table).

    Returns:
        Columns id, credit_id, department, gender, job, name, person_id, profile_path.
    """
    parsed = _ensure(credits, "crew_list", parse_credits, CREDITS_CELLS)
    return explode_list(parsed, "crew_list", [
        ("credit_id", "credit_id"), ("department", "department"), ("gender", "gender"),
        ("job", "job"), ("name", "name"), ("id", "person_id"), ("profile_path", "profile_path"),
    ])  # fmt: skip


def flatten_keywords(keywords: DataFrame) -> DataFrame:
    """Explode ``keywords.keywords`` (the ``movie_keywords`` table: id, keyword_id, keyword_name)."""
    return explode_list(
        _ensure(keywords, "keyword_list", parse_keywords, KEYWORDS_CELLS),
        "keyword_list",
        [("id", "keyword_id"), ("name", "keyword_name")],
    )


def by_most_entries(lists: list[str]) -> list[Column]:
    """Duplicate preference for credits/keywords: the copy with the most entries wins."""
    return [sum((F.coalesce(F.col(f"_n_{c}"), F.lit(0)) for c in lists), F.lit(0)).desc()]
