"""Register cleaned tables: a local DuckDB catalog (one view per table) or the Glue Data Catalog."""

from __future__ import annotations

from pathlib import Path

import duckdb

from movie_pipeline.config import Settings, validate_identifier
from movie_pipeline.tables import CLEANED_TABLES


def _parquet_glob(settings: Settings, table: str) -> str:
    return f"{settings.cleaned_uri(table)}/**/*.parquet"


def register_local(settings: Settings, tables: list[str] | None = None) -> list[str]:
    """Create or replace one DuckDB view per cleaned table present in the lake.

    The database lives at ``<lake>/_catalog/<database>.duckdb``; anyone can open it with the
    DuckDB CLI (``duckdb outputs/lake/_catalog/movies_db.duckdb``) and query the tables.

    Returns:
        The names of the tables registered.
    """
    settings.catalog_path.parent.mkdir(parents=True, exist_ok=True)
    registered = []
    with duckdb.connect(str(settings.catalog_path)) as con:
        for name in tables or list(CLEANED_TABLES):
            validate_identifier(name, "table")
            spec = CLEANED_TABLES[name]
            if not any(Path(settings.cleaned_uri(name)).rglob("*.parquet")):
                continue
            hive = "true" if spec.partition_keys else "false"
            glob = _parquet_glob(settings, name).replace("'", "''")
            con.execute(
                f"create or replace view {name} as "
                f"select * from read_parquet('{glob}', hive_partitioning = {hive})"
            )
            registered.append(name)
    return registered
