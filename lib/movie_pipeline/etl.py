"""Extract, transform, load: read the lake's raw files, run the transforms, write cleaned Parquet."""

from __future__ import annotations

from pathlib import Path

from movie_pipeline.config import Settings
from movie_pipeline.datasets import RAW_FILES, read_raw
from movie_pipeline.flatten import flatten_cast
from movie_pipeline.progress import step


def raw_path(settings: Settings, file_name: str) -> str:
    return settings.raw_uri(RAW_FILES[file_name].key)


def run_etl(spark, settings: Settings) -> dict[str, dict]:
    """Transform every raw file present in the lake into cleaned tables.

    Returns:
        ``{table: {"rows": n, "path": uri}}`` for each table written.
    """
    written: dict[str, dict] = {}
    credits_path = raw_path(settings, "credits.csv")
    if settings.backend == "aws" or Path(credits_path).exists():
        with step("flatten credits.cast -> cast_data"):
            credits = read_raw(spark, RAW_FILES["credits.csv"], credits_path)
            out = settings.cleaned_uri("cast_data")
            flatten_cast(credits).write.mode("overwrite").parquet(out)
            written["cast_data"] = {"rows": spark.read.parquet(out).count(), "path": out}
    return written
