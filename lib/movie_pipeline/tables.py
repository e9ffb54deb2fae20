"""One spec per table: columns, types, partitions; Spark schema, Glue and Athena shapes derive from it."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyspark.sql import types as T

# Athena (Hive DDL) type -> Spark type. Only the types the specs use.
_SPARK_TYPES = {
    "string": T.StringType(),
    "int": T.IntegerType(),
    "bigint": T.LongType(),
    "double": T.DoubleType(),
    "boolean": T.BooleanType(),
    "date": T.DateType(),
    "timestamp": T.TimestampType(),
}


@dataclass(frozen=True)
class Col:
    """A column: name, Athena type and a comment that lands in the Glue Data Catalog."""

    name: str
    type: str
    comment: str = ""

    def spark_field(self) -> T.StructField:
        return T.StructField(self.name, _SPARK_TYPES[self.type], nullable=True)


@dataclass(frozen=True)
class TableSpec:
    """A cleaned table in ``cleaned/<name>/`` (Snappy Parquet).

    Attributes:
        name: table name (also the folder under ``cleaned/``).
        columns: data columns, in file order.
        partition_keys: Hive-style partition columns (folders ``key=value``), not in the files.
        source: the raw dataset the table comes from.
        description: a sentence for the catalog and the docs.
        key: the columns that identify a row (checked for duplicates).
    """

    name: str
    columns: tuple[Col, ...]
    source: str
    description: str
    partition_keys: tuple[Col, ...] = ()
    key: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def all_columns(self) -> tuple[Col, ...]:
        return self.columns + self.partition_keys

    def spark_schema(self, with_partitions: bool = True) -> T.StructType:
        cols = self.all_columns if with_partitions else self.columns
        return T.StructType([c.spark_field() for c in cols])


def _cols(*specs: tuple[str, str, str]) -> tuple[Col, ...]:
    return tuple(Col(*s) for s in specs)


_MOVIE_ID = ("id", "int", "TMDB movie id (movies.id)")

CLEANED_TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        TableSpec(
            "cast_data",
            _cols(
                _MOVIE_ID,
                ("cast_id", "int", "position of the credit in TMDB's cast list"),
                ("character", "string", "role played; empty string when unknown"),
                ("credit_id", "string", "TMDB credit id (unique per credit)"),
                ("gender", "int", "0 unknown, 1 female, 2 male"),
                ("name", "string", "actor name"),
                ("order_num", "int", "billing order (0 = top billed); `order` in the raw data"),
                ("person_id", "int", "TMDB person id; `id` inside the raw cast entry"),
                ("profile_path", "string", "TMDB image path, null when none"),
            ),
            source="credits",
            description="One row per actor per movie, flattened from credits.cast",
            key=("id", "credit_id"),
        ),
        TableSpec(
            "crew_data",
            _cols(
                _MOVIE_ID,
                ("credit_id", "string", "TMDB credit id"),
                ("department", "string", "e.g. Directing, Writing, Sound"),
                ("gender", "int", "0 unknown, 1 female, 2 male"),
                ("job", "string", "e.g. Director, Screenplay"),
                ("name", "string", "crew member name"),
                ("person_id", "int", "TMDB person id; `id` inside the raw crew entry"),
                ("profile_path", "string", "TMDB image path, null when none"),
            ),
            source="credits",
            description="One row per crew member per job per movie, flattened from credits.crew",
            key=("id", "credit_id"),
        ),
        TableSpec(
            "movies",
            _cols(
                _MOVIE_ID,
                ("imdb_id", "string", "IMDb id, tt + 7 digits"),
                ("title", "string", "title"),
                ("original_title", "string", "title in the original language"),
                ("original_language", "string", "ISO 639-1 code (plus TMDB's 'cn')"),
                ("overview", "string", "plot summary"),
                ("tagline", "string", "tagline"),
                ("homepage", "string", "homepage URL"),
                ("status", "string", "Released, Rumored, Post Production, ..."),
                ("adult", "boolean", "adult film"),
                ("video", "boolean", "TMDB video flag"),
                ("budget", "bigint", "budget in USD; null where the raw value is 0 (unknown)"),
                ("revenue", "bigint", "revenue in USD; null where the raw value is 0 (unknown)"),
                ("runtime", "double", "minutes; null where empty or 0"),
                ("popularity", "double", "TMDB popularity score"),
                ("vote_average", "double", "average rating 0-10"),
                ("vote_count", "int", "number of votes"),
                ("release_date", "date", "release date"),
                ("release_year", "int", "year of release_date"),
                ("poster_path", "string", "TMDB poster path"),
                ("collection_id", "int", "belongs_to_collection.id"),
                ("collection_name", "string", "belongs_to_collection.name"),
            ),
            partition_keys=_cols(("release_decade", "int", "decade of release_date, e.g. 1990")),
            source="movies_metadata",
            description="One row per movie, typed, from movies_metadata",
            key=("id",),
        ),
        TableSpec(
            "movie_genres",
            _cols(_MOVIE_ID, ("genre_id", "int", "TMDB genre id"), ("genre_name", "string", "genre")),
            source="movies_metadata",
            description="Movie to genre bridge, from movies_metadata.genres",
            key=("id", "genre_id"),
        ),
        TableSpec(
            "movie_production_companies",
            _cols(_MOVIE_ID, ("company_id", "int", "TMDB company id"),
                  ("company_name", "string", "production company")),
            source="movies_metadata",
            description="Movie to production company bridge",
            key=("id", "company_id"),
        ),
        TableSpec(
            "movie_production_countries",
            _cols(_MOVIE_ID, ("iso_3166_1", "string", "country code"),
                  ("country_name", "string", "country")),
            source="movies_metadata",
            description="Movie to production country bridge",
            key=("id", "iso_3166_1"),
        ),
        TableSpec(
            "movie_spoken_languages",
            _cols(_MOVIE_ID, ("iso_639_1", "string", "language code"),
                  ("language_name", "string", "native name; empty for some codes")),
            source="movies_metadata",
            description="Movie to spoken language bridge",
            key=("id", "iso_639_1"),
        ),
        TableSpec(
            "movie_keywords",
            _cols(_MOVIE_ID, ("keyword_id", "int", "TMDB keyword id"),
                  ("keyword_name", "string", "keyword")),
            source="keywords",
            description="Movie to keyword bridge, from keywords.csv",
            key=("id", "keyword_id"),
        ),
        TableSpec(
            "links",
            _cols(("movie_id", "int", "MovieLens movie id"),
                  ("imdb_id", "string", "IMDb id, tt + 7 digits"),
                  ("tmdb_id", "int", "TMDB movie id (movies.id); null when unknown")),
            source="links",
            description="MovieLens to IMDb/TMDB id map (links.csv, or links_small.csv)",
            key=("movie_id",),
        ),
        TableSpec(
            "ratings",
            _cols(("user_id", "int", "MovieLens user id"),
                  ("movie_id", "int", "MovieLens movie id (links.movie_id)"),
                  ("rating", "double", "0.5 to 5.0 stars"),
                  ("rated_at", "timestamp", "when the rating was made (UTC)")),
            source="ratings",
            description="MovieLens ratings (ratings.csv, or ratings_small.csv)",
            key=("user_id", "movie_id"),
        ),
    )
}  # fmt: skip
