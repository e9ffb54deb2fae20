"""The raw files of The Movies Dataset: names, headers, and how Spark must read each one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
    """
    return {
        "header": "true",
        "escape": '"',
        "quote": '"',
        "multiLine": "true" if raw.multiline else "false",
        "inferSchema": "false",
        "mode": "PERMISSIVE",
        "encoding": "UTF-8",
        # Spark 3.5 defaults to no limit on cell length; say so, since credits cells reach 30 KB.
        "maxCharsPerColumn": "-1",
    }


def read_raw(spark, raw: RawFile, path: str):
    """Read one raw CSV into a DataFrame of strings with the header's column names."""
    return spark.read.options(**csv_options(raw)).csv(str(path))
