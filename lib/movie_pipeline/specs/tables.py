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


@dataclass(frozen=True)
class RawCol:
    """A raw CSV column: header name, the typed view's name and Athena type, and a comment.

    Attributes:
        source: the column as the CSV header spells it (the raw table uses it lower-cased,
            as Athena does: ``movieId`` is ``movieid``).
        name: the typed view's column name.
        type: the typed view's Athena type; ``string`` passes the text through unchanged.
        comment: lands in the Glue Data Catalog.
    """

    source: str
    name: str
    type: str = "string"
    comment: str = ""

    @property
    def raw_name(self) -> str:
        return self.source.lower()


@dataclass(frozen=True)
class RawTableSpec:
    """A raw CSV dataset that Athena reads in place: every column STRING, plus a typed view.

    The table lives over ``raw/<dataset>/`` (OpenCSVSerde, header skipped); the view
    ``<name>_typed`` casts each column with ``try_cast`` and lists, per row, the columns whose
    non-empty text did not cast (``bad_values``), so that nothing turns into a silent null.

    Attributes:
        name: the Athena table, ``raw_<dataset>``.
        file: the Kaggle file name, a key of ``datasets.RAW_FILES``.
        columns: the header, in file order (OpenCSVSerde maps columns by position).
        description: a sentence for the catalog.
    """

    name: str
    file: str
    columns: tuple[RawCol, ...]
    description: str

    @property
    def dataset(self) -> str:
        from movie_pipeline.specs.datasets import RAW_FILES

        return RAW_FILES[self.file].dataset

    @property
    def view_name(self) -> str:
        return f"{self.name}_typed"


def _raw(file: str, description: str, *cols: tuple[str, ...]) -> RawTableSpec:
    dataset = file.removesuffix(".csv")
    return RawTableSpec(f"raw_{dataset}", file, tuple(RawCol(*c) for c in cols), description)


_NESTED = "Python-literal list of dicts, parsed by the Glue job"
_LINK_COLS = (
    ("movieId", "movie_id", "int", "MovieLens movie id"),
    ("imdbId", "imdb_id", "string", "IMDb number, 7 digits zero-padded (no tt)"),
    ("tmdbId", "tmdb_id", "int", "TMDB movie id; empty when unknown"),
)
_RATING_COLS = (
    ("userId", "user_id", "int", "MovieLens user id"),
    ("movieId", "movie_id", "int", "MovieLens movie id"),
    ("rating", "rating", "double", "0.5 to 5.0 stars"),
    ("timestamp", "rated_at_unix", "bigint", "Unix seconds (UTC)"),
)

RAW_TABLES: dict[str, RawTableSpec] = {
    t.name: t
    for t in (
        _raw("credits.csv", "credits.csv as uploaded: cast and crew lists per movie",
             ("cast", "cast", "string", _NESTED), ("crew", "crew", "string", _NESTED),
             ("id", "id", "int", "TMDB movie id")),
        _raw("movies_metadata.csv", "movies_metadata.csv as uploaded: one row per movie",
             ("adult", "adult", "boolean", "True/False"),
             ("belongs_to_collection", "belongs_to_collection", "string", "Python-literal dict"),
             ("budget", "budget", "bigint", "USD, 0 = unknown"),
             ("genres", "genres", "string", _NESTED),
             ("homepage", "homepage"), ("id", "id", "int", "TMDB movie id"),
             ("imdb_id", "imdb_id"), ("original_language", "original_language"),
             ("original_title", "original_title"), ("overview", "overview"),
             ("popularity", "popularity", "double", "sometimes in scientific notation"),
             ("poster_path", "poster_path"),
             ("production_companies", "production_companies", "string", _NESTED),
             ("production_countries", "production_countries", "string", _NESTED),
             ("release_date", "release_date", "date", "YYYY-MM-DD or empty"),
             ("revenue", "revenue", "bigint", "USD, 0 = unknown"),
             ("runtime", "runtime", "double", "minutes"),
             ("spoken_languages", "spoken_languages", "string", _NESTED),
             ("status", "status"), ("tagline", "tagline"), ("title", "title"),
             ("video", "video", "boolean", "True/False"),
             ("vote_average", "vote_average", "double", "0-10"),
             ("vote_count", "vote_count", "int", "number of votes")),
        _raw("keywords.csv", "keywords.csv as uploaded: keyword list per movie",
             ("id", "id", "int", "TMDB movie id"), ("keywords", "keywords", "string", _NESTED)),
        _raw("links.csv", "links.csv as uploaded: MovieLens to IMDb/TMDB ids", *_LINK_COLS),
        _raw("links_small.csv", "links_small.csv as uploaded", *_LINK_COLS),
        _raw("ratings.csv", "ratings.csv as uploaded: MovieLens ratings", *_RATING_COLS),
        _raw("ratings_small.csv", "ratings_small.csv as uploaded", *_RATING_COLS),
    )
}  # fmt: skip
