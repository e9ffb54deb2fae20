"""What landed where: the raw files, the objects under a prefix, the cleaned tables and their sizes."""

from __future__ import annotations

from pathlib import Path

from movie_pipeline.config import Settings
from movie_pipeline.etl.engine import get_spark, spark_can_read_the_lake


def raw_files(settings: Settings, source: str | Path):
    """The Kaggle files in ``source`` and the key each one gets in the bucket."""
    import pandas as pd

    from movie_pipeline.ingest.upload import raw_key
    from movie_pipeline.specs.datasets import find_raw_files

    files = find_raw_files(source)
    return pd.DataFrame(
        [(name, path.stat().st_size, raw_key(settings, name)) for name, path in files.items()],
        columns=["file", "bytes", "key"],
    )


def lake_listing(settings: Settings, prefix: str):
    """The objects under a key prefix (``raw``, ``cleaned/movies``), on either backend.

    Returns:
        A DataFrame: key (relative to the bucket), bytes. Hidden files (``_SUCCESS``) are left out.
    """
    import pandas as pd

    from movie_pipeline.lake.storage import list_files

    files = list_files(settings, prefix)
    return pd.DataFrame([(f.key, f.size) for f in files], columns=["key", "bytes"])


def sizes(settings: Settings):
    """Raw CSV bytes per dataset against the cleaned Parquet bytes of the tables made from it.

    Returns:
        A DataFrame: dataset, raw_bytes, tables, cleaned_bytes, ratio (cleaned / raw).
    """
    import pandas as pd

    from movie_pipeline.lake.storage import list_files, s3_client
    from movie_pipeline.specs.datasets import RAW_FILES
    from movie_pipeline.specs.tables import CLEANED_TABLES

    s3 = s3_client(settings)  # one client for every listing: making one costs a tenth of a second
    rows = []
    for dataset in sorted({f.dataset for f in RAW_FILES.values()}):
        raw = sum(f.size for f in list_files(settings, f"{settings.raw_prefix}/{dataset}", s3=s3))
        tables = [t for t, spec in CLEANED_TABLES.items() if spec.source == dataset]
        cleaned = sum(
            f.size
            for t in tables
            for f in list_files(settings, f"{settings.cleaned_prefix}/{t}", ".parquet", s3=s3)
        )
        if raw or cleaned:
            rows.append((dataset, raw, ", ".join(tables), cleaned))
    frame = pd.DataFrame(rows, columns=["dataset", "raw_bytes", "tables", "cleaned_bytes"])
    # No ratio where one side is missing (links_small when links.csv was the one loaded).
    both = (frame["raw_bytes"] > 0) & (frame["cleaned_bytes"] > 0)
    frame["ratio"] = (frame["cleaned_bytes"] / frame["raw_bytes"]).where(both).round(3)
    return frame


def cleaned_tables(settings: Settings):
    """The cleaned tables in the lake: Parquet files, bytes, partitions, rows (from the footers).

    Returns:
        A DataFrame: table, files, partitions, bytes, rows.
    """
    import pandas as pd

    from movie_pipeline.lake.footers import count_rows
    from movie_pipeline.lake.storage import list_files, s3_client
    from movie_pipeline.specs.tables import CLEANED_TABLES

    # One client for every footer: making one per file took most of the time on S3.
    s3 = s3_client(settings)
    rows = []
    for table in CLEANED_TABLES:
        prefix = f"{settings.cleaned_prefix}/{table}"
        files = list_files(settings, prefix, ".parquet", s3=s3)
        if not files:
            continue
        folders = {f.key[len(prefix) + 1 :].rpartition("/")[0] for f in files}
        rows.append((
            table, len(files), len(folders - {""}), sum(f.size for f in files),
            count_rows(settings, files, s3),
        ))  # fmt: skip
    return pd.DataFrame(rows, columns=["table", "files", "partitions", "bytes", "rows"])


def peek(settings: Settings, table: str, rows: int = 5, spark=None):
    """The first rows of a cleaned table, as a pandas DataFrame.

    Read with Spark where the flatten ran with Spark (local, Glue), else with awswrangler.
    """
    uri = settings.cleaned_uri(table)
    if spark_can_read_the_lake(settings):
        spark = spark or get_spark(settings)
        return spark.read.parquet(uri).limit(rows).toPandas()
    import awswrangler as wr

    from movie_pipeline.aws.session import boto3_session

    frames = wr.s3.read_parquet(
        uri + "/", dataset=True, chunked=rows, boto3_session=boto3_session(settings)
    )
    return next(iter(frames)).head(rows)


def raw_datasets(settings: Settings) -> set[str]:
    """The raw datasets present in ``raw/`` (``credits``, ``ratings_small``, ...)."""
    from movie_pipeline.lake.storage import list_files

    return {f.key.split("/")[1] for f in list_files(settings, settings.raw_prefix)}


def expected_tables(settings: Settings) -> list[str]:
    """The cleaned tables the flatten must write: those whose raw dataset is in ``raw/``.

    ``links`` and ``ratings`` also come from their ``_small`` variants.
    """
    from movie_pipeline.specs.tables import CLEANED_TABLES

    present = raw_datasets(settings)
    return sorted(
        name
        for name, spec in CLEANED_TABLES.items()
        if spec.source in present or f"{spec.source}_small" in present
    )


def expected_raw_tables(settings: Settings) -> list[str]:
    """The raw tables notebook 03 registers: one per raw dataset present in ``raw/``."""
    from movie_pipeline.specs.tables import RAW_TABLES

    present = raw_datasets(settings)
    return sorted(t.name for t in RAW_TABLES.values() if t.dataset in present)
