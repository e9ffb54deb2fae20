"""Pure transforms of the scalar datasets: movies_metadata (split records, typing), links, ratings.

Same contract as :mod:`movie_pipeline.transform.flatten`: raw strings in, typed columns plus the helper
columns of :mod:`movie_pipeline.transform.quarantine` out, then one builder per cleaned table.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from movie_pipeline.specs.datasets import CORRUPT_RECORD, MOVIES_METADATA_COLUMNS
from movie_pipeline.transform.flatten import (
    COLLECTION_SCHEMA,
    COUNTRIES_SCHEMA,
    ID_NAME_SCHEMA,
    LANGUAGES_SCHEMA,
    explode_list,
    list_sizes,
)
from movie_pipeline.transform.literal import parse_literals
from movie_pipeline.transform.quarantine import (
    ERRORS,
    HASH,
    RAW,
    RETRY,
    ROW,
    apply_checks,
    bigint_check,
    blank,
    bool_check,
    carried,
    content_hash,
    date_check,
    double_check,
    empty_to_null,
    epoch_check,
    errors_array,
    int_check,
    malformed_reason,
    raw_json,
    with_row_id,
)

MOVIES_CELLS = {
    "collection": ("belongs_to_collection", COLLECTION_SCHEMA),
    "genre_list": ("genres", ID_NAME_SCHEMA),
    "company_list": ("production_companies", ID_NAME_SCHEMA),
    "country_list": ("production_countries", COUNTRIES_SCHEMA),
    "language_list": ("spoken_languages", LANGUAGES_SCHEMA),
}
MOVIE_LISTS = ["genre_list", "company_list", "country_list", "language_list"]

# The split records (FORMAT.md 1.5): the second half holds the true columns from ``overview``
# on, shifted 9 to the left, so true column k sits at k - 9 and its last 9 fields are empty.
SHIFT = 9
_TEXT = ["imdb_id", "title", "original_title", "original_language", "overview", "tagline",
         "homepage", "status", "poster_path"]  # fmt: skip
_DATE_ID = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
SPLIT_SEPARATOR = "\n"  # what the broken record lost between the two parts of the overview


def _all_blank(columns) -> F.Column:
    return F.coalesce(*[F.when(~blank(c), False) for c in columns], F.lit(True))


def repair_split_records(raw: DataFrame) -> DataFrame:
    """Merge each split movies_metadata record back into one row, when the pattern matches exactly.

    The rule: a row whose ``id`` is a date (``1997-08-20``) is a second half when the row just
    before it in the file (``_row`` - 1) has an integer id and empty fields after ``overview``, and the date
    row's last 9 fields are empty. The pair becomes one row: the first 9 fields from the first
    half, ``overview`` = both overview parts joined by a newline, the rest from the second half
    moved 9 columns right. A date-id row that does not match stays as it is (and is quarantined
    by :func:`parse_movies` with its reason).

    Args:
        raw: the raw movies_metadata strings with ``_row`` in file order.

    Returns:
        The same columns, one row per repaired pair (the first half's ``_row``), plus
        ``_repaired`` (true on a merged row) and ``_second_half`` (its raw JSON, else null).
    """
    cols = list(MOVIES_METADATA_COLUMNS)
    tail_a, tail_b = cols[SHIFT + 1 :], cols[-SHIFT:]
    # The date-id rows are a handful: broadcast joins pair them with the row before, with no
    # shuffle and no window (a window over the whole file buffers and spills all of it). The
    # file is read whole in one partition, so the row before is _row - 1.
    second = F.broadcast(
        raw.filter(F.col("id").rlike(_DATE_ID)).select(
            (F.col(ROW) - 1).alias(ROW), F.struct(*cols, CORRUPT_RECORD).alias("_b")
        )
    )
    b = {c: F.col(f"_b.{c}") for c in cols}
    is_pair = (
        F.col("_b").isNotNull()
        & F.col("id").rlike(r"^[0-9]+$")
        & _all_blank([F.col(c) for c in tail_a])
        & _all_blank([b[c] for c in tail_b])
    )
    absorbed = F.broadcast(
        raw.join(second, ROW).filter(is_pair).select((F.col(ROW) + 1).alias(ROW))
    )
    merged = {c: F.col(c) for c in cols[:SHIFT]}
    merged["overview"] = F.concat_ws(SPLIT_SEPARATOR, F.col("overview"), b["adult"])
    merged |= {c: b[cols[i - SHIFT]] for i, c in enumerate(cols) if i > SHIFT}
    pair = F.col("_repaired")  # computed once, then used by every column
    return (
        raw.join(second, ROW, "left")
        .join(absorbed, ROW, "left_anti")
        .withColumn("_repaired", F.coalesce(is_pair, F.lit(False)))
        .select(
            ROW,
            *[F.when(pair, merged[c]).otherwise(F.col(c)).alias(c) for c in cols],
            # A stub with missing fields may have been flagged malformed: the merge explains it.
            F.when(pair, F.lit(None)).otherwise(F.col(CORRUPT_RECORD)).alias(CORRUPT_RECORD),
            pair,
            F.when(pair, F.to_json("_b", {"ignoreNullFields": "false"})).alias("_second_half"),
        )
    )


def parse_movies(raw: DataFrame) -> DataFrame:
    """Type and parse movies_metadata (run :func:`repair_split_records` first).

    Rules: empty text is null; ``budget``/``revenue``/``runtime`` 0 is null (unknown in TMDB);
    ``popularity`` may be scientific; ``release_date`` must be ``YYYY-MM-DD``; ``adult`` and
    ``video`` are True/False. A value that does not convert is a reason, never a null.

    Returns:
        ``_row``, the typed columns, ``collection`` and the 4 parsed lists, ``release_year``,
        ``_n_<list>``, ``_repaired``, ``_errors``, ``_retry``, ``_raw``, ``_hash``.
    """
    df = raw if ROW in raw.columns else with_row_id(raw)
    if "_repaired" not in df.columns:
        df = df.select(
            "*", F.lit(False).alias("_repaired"), F.lit(None).cast("string").alias("_second_half")
        )
    if CORRUPT_RECORD not in df.columns:
        df = df.withColumn(CORRUPT_RECORD, F.lit(None).cast("string"))
    df, values, checks = apply_checks(df, [
        int_check("id"), bool_check("adult"), bool_check("video"),
        bigint_check("budget", zero_is_null=True), bigint_check("revenue", zero_is_null=True),
        double_check("runtime", zero_is_null=True), double_check("popularity"),
        double_check("vote_average"), int_check("vote_count"), date_check("release_date"),
    ])  # fmt: skip
    date_id = F.when(
        F.col("id").rlike(_DATE_ID),
        F.concat(
            F.lit("id '"),
            F.col("id"),
            F.lit("' is a date: half of a split record that does not match the repair pattern"),
        ),
    )
    reasons = [malformed_reason(), *checks]
    parsed = parse_literals(df, MOVIES_CELLS)
    # A lone second half has every field shifted: its other reasons would only be noise.
    errors = F.when(date_id.isNotNull(), F.array(date_id)).otherwise(errors_array(*reasons))
    raw_cols = [*MOVIES_METADATA_COLUMNS, CORRUPT_RECORD]
    raw_text = F.to_json(F.struct(*raw_cols, F.col("_second_half")), {"ignoreNullFields": "false"})
    out = parsed.select(
        ROW,
        *[value.alias(name) for name, value in values.items()],
        *[empty_to_null(F.col(c)).alias(c) for c in _TEXT],
        F.year(values["release_date"]).alias("release_year"),
        *MOVIES_CELLS,
        "_repaired",
        errors.alias(ERRORS),
        RETRY,
        F.when((F.size(errors) > 0) | (F.size(RETRY) > 0), raw_text).alias(RAW),
        content_hash(raw_cols).alias(HASH),
        *carried(parsed),
    )
    return list_sizes(out, MOVIE_LISTS)


def build_movies(movies: DataFrame) -> DataFrame:
    """The ``movies`` table: one typed row per movie, with its collection and release decade."""
    return movies.select(
        "id",
        "imdb_id",
        "title",
        "original_title",
        "original_language",
        "overview",
        "tagline",
        "homepage",
        "status",
        "adult",
        "video",
        "budget",
        "revenue",
        "runtime",
        "popularity",
        "vote_average",
        "vote_count",
        "release_date",
        "release_year",
        "poster_path",
        F.col("collection.id").alias("collection_id"),
        F.col("collection.name").alias("collection_name"),
        (F.floor(F.col("release_year") / 10) * 10).cast("int").alias("release_decade"),
    )


def build_movie_genres(movies: DataFrame) -> DataFrame:
    """``movie_genres``: id, genre_id, genre_name."""
    return explode_list(movies, "genre_list", [("id", "genre_id"), ("name", "genre_name")])


def build_movie_production_companies(movies: DataFrame) -> DataFrame:
    """``movie_production_companies``: id, company_id, company_name."""
    return explode_list(movies, "company_list", [("id", "company_id"), ("name", "company_name")])


def build_movie_production_countries(movies: DataFrame) -> DataFrame:
    """``movie_production_countries``: id, iso_3166_1, country_name."""
    return explode_list(
        movies, "country_list", [("iso_3166_1", "iso_3166_1"), ("name", "country_name")]
    )


def build_movie_spoken_languages(movies: DataFrame) -> DataFrame:
    """``movie_spoken_languages``: id, iso_639_1, language_name."""
    return explode_list(
        movies, "language_list", [("iso_639_1", "iso_639_1"), ("name", "language_name")]
    )


def parse_links(raw: DataFrame) -> DataFrame:
    """Type links (``movieId, imdbId, tmdbId``): imdb_id gets its ``tt`` prefix back.

    Returns:
        ``_row``, movie_id, imdb_id, tmdb_id (null when empty), and the helper columns.
    """
    df = raw if ROW in raw.columns else with_row_id(raw)
    df, values, (movie_err, tmdb_err) = apply_checks(
        df, [int_check("movie_id", "movieId"), int_check("tmdb_id", "tmdbId")]
    )
    imdb = F.trim(F.col("imdbId"))
    imdb_ok = imdb.rlike(r"^[0-9]{1,8}$")
    imdb_err = F.when(
        ~blank(imdb) & ~F.coalesce(imdb_ok, F.lit(False)),
        F.concat(F.lit("imdbId '"), imdb, F.lit("' is not an IMDb number")),
    )
    missing = F.when(F.col("movieId").isNull(), F.lit("movieId is empty"))
    return _typed(df, ["movieId", "imdbId", "tmdbId"], [
        values["movie_id"].alias("movie_id"),
        F.when(imdb_ok, F.concat(F.lit("tt"), F.lpad(imdb, 7, "0"))).alias("imdb_id"),
        values["tmdb_id"].alias("tmdb_id"),
    ], [missing, movie_err, imdb_err, tmdb_err])  # fmt: skip


def parse_ratings(raw: DataFrame) -> DataFrame:
    """Type ratings: user_id, movie_id, rating (0.5 to 5.0), rated_at (UTC timestamp)."""
    df = raw if ROW in raw.columns else with_row_id(raw)
    df, values, (user_err, movie_err, rating_err, ts_err) = apply_checks(df, [
        int_check("user_id", "userId"), int_check("movie_id", "movieId"),
        double_check("rating"), epoch_check("rated_at", "timestamp"),
    ])  # fmt: skip
    rating = values["rating"]
    out_of_range = F.when(
        ~rating.between(0.5, 5.0),
        F.concat(F.lit("rating "), F.col("rating"), F.lit(" is outside 0.5-5.0")),
    )
    missing = [
        F.when(F.col(c).isNull(), F.lit(f"{c} is empty")) for c in ("userId", "movieId", "rating")
    ]
    return _typed(df, ["userId", "movieId", "rating", "timestamp"], [
        values["user_id"].alias("user_id"), values["movie_id"].alias("movie_id"),
        rating.alias("rating"), values["rated_at"].alias("rated_at"),
    ], [*missing, user_err, movie_err, rating_err, out_of_range, ts_err])  # fmt: skip


def _typed(df: DataFrame, raw_cols: list[str], values: list, reasons: list) -> DataFrame:
    if CORRUPT_RECORD not in df.columns:
        df = df.withColumn(CORRUPT_RECORD, F.lit(None).cast("string"))
    cols = [*raw_cols, CORRUPT_RECORD]
    errors = errors_array(malformed_reason(), *reasons)
    return df.select(
        ROW,
        *values,
        errors.alias(ERRORS),
        F.array().cast("array<string>").alias(RETRY),
        F.when(F.size(errors) > 0, raw_json(cols)).alias(RAW),
        content_hash(cols).alias(HASH),
        *carried(df),
    )
