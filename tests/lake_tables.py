"""Cleaned tables written from pandas frames, for fixtures and benchmarks (the ETL writes the real
ones with Spark)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from movie_pipeline.config import Settings
from movie_pipeline.specs.ddl import arrow_schema
from movie_pipeline.specs.tables import CLEANED_TABLES


def write_cleaned_local(
    settings: Settings, table: str, frame: pd.DataFrame, rows_per_file: int = 0
) -> list[Path]:
    """Write a pandas frame as a cleaned table with its spec's exact Parquet schema (Snappy).

    Partitioned tables go to ``key=value`` folders as Spark writes them, with
    ``__HIVE_DEFAULT_PARTITION__`` for nulls, so that readers meet the layout the ETL leaves.

    Args:
        settings: the local lake.
        table: a key of ``tables.CLEANED_TABLES``.
        frame: a pandas DataFrame with the spec's columns (partition keys included).
        rows_per_file: split each folder into files of this many rows (0: one file).

    Returns:
        The files written.
    """
    spec = CLEANED_TABLES[table]
    schema = arrow_schema(spec)
    root = Path(settings.cleaned_uri(table))
    if root.exists():
        shutil.rmtree(root)
    keys = [k.name for k in spec.partition_keys]
    groups = frame.groupby(keys, dropna=False) if keys else [((), frame)]
    written = []
    for values, part in groups:
        values = values if isinstance(values, tuple) else (values,)
        folder = root.joinpath(*(
            f"{k}={'__HIVE_DEFAULT_PARTITION__' if pd.isna(v) else int(v)}"
            for k, v in zip(keys, values, strict=True)
        ))  # fmt: skip
        folder.mkdir(parents=True, exist_ok=True)
        size = rows_per_file or max(len(part), 1)
        for i, start in enumerate(range(0, max(len(part), 1), size)):
            chunk = part.iloc[start : start + size][schema.names]
            path = folder / f"part-{i:05d}.snappy.parquet"
            pq.write_table(
                pa.Table.from_pandas(chunk, schema=schema, preserve_index=False),
                path,
                compression="snappy",
            )
            written.append(path)
    return written
