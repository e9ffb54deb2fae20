"""Register the lake's tables: a local DuckDB catalog (one view per table) or the Glue Data Catalog.

Partitions of ``movies`` are registered explicitly from the folders the ETL wrote (Glue's
``batch_create_partition``), not with partition projection: the folder list is known after
each ETL run, Spark and Glue readers of the catalog see the partitions too (projection is
Athena-only), and the ``__HIVE_DEFAULT_PARTITION__`` folder of undated movies has no place in
an integer projection range. ``ddl.repair_sql`` gives the Athena-only alternative.
"""

from __future__ import annotations

import duckdb

from movie_pipeline.aws.session import boto3_session
from movie_pipeline.config import Settings, validate_identifier
from movie_pipeline.lake.storage import StoredFile, list_files
from movie_pipeline.specs import ddl
from movie_pipeline.specs.tables import CLEANED_TABLES, RAW_TABLES, RawTableSpec, TableSpec


class CatalogError(RuntimeError):
    """The catalog refused a change (a partition batch failed, a view did not compile)."""


def _cleaned_files(settings: Settings, table: str, s3=None) -> list[StoredFile]:
    return list_files(settings, f"{settings.cleaned_prefix}/{table}", ".parquet", s3)


def _raw_present(settings: Settings, raw: RawTableSpec, s3=None) -> bool:
    return bool(list_files(settings, f"{settings.raw_prefix}/{raw.dataset}", ".csv", s3))


def register(settings: Settings, tables: list[str] | None = None) -> list[str]:
    """Register every table that has data, on the configured backend.

    Args:
        settings: backend, lake, database.
        tables: cleaned table names to register (default: all); raw tables and their typed
            views are registered for every raw dataset present.

    Returns:
        The tables and views registered, cleaned tables first.
    """
    if settings.backend == "aws":
        return register_glue(settings, tables)
    return register_local(settings, tables)


# Local: a DuckDB file in the lake -------------------------------------------------------------
def register_local(settings: Settings, tables: list[str] | None = None) -> list[str]:
    """Create or replace one DuckDB view per table present in the lake.

    The database lives at ``<lake>/_catalog/<database>.duckdb``; anyone can open it with the
    DuckDB CLI (``duckdb outputs/lake/_catalog/movies_db.duckdb``) and query the tables.
    Views read the files in place (absolute paths), so they see each new ETL run.
    """
    from movie_pipeline.analysis.query import to_duckdb

    settings.catalog_path.parent.mkdir(parents=True, exist_ok=True)
    registered = []
    with duckdb.connect(str(settings.catalog_path)) as con:
        for name in tables or list(CLEANED_TABLES):
            spec = CLEANED_TABLES[validate_identifier(name, "table")]
            if _cleaned_files(settings, name):
                con.execute(ddl.duckdb_view_sql(spec, settings))
                registered.append(name)
        for raw in RAW_TABLES.values():
            if _raw_present(settings, raw):
                con.execute(ddl.duckdb_raw_view_sql(raw, settings))
                con.execute(to_duckdb(ddl.typed_view_sql(raw)))
                registered += [raw.name, raw.view_name]
    return registered


def list_tables(settings: Settings) -> set[str]:
    """The tables and views the catalog holds now (empty when there is no catalog yet)."""
    if settings.backend == "aws":
        glue = boto3_session(settings).client("glue")
        try:
            pages = glue.get_paginator("get_tables").paginate(DatabaseName=settings.database)
            return {t["Name"] for page in pages for t in page["TableList"]}
        except glue.exceptions.EntityNotFoundException:
            return set()
    if not settings.catalog_path.exists():
        return set()
    with duckdb.connect(str(settings.catalog_path), read_only=True) as con:
        rows = con.execute("select view_name from duckdb_views() where not internal").fetchall()
    return {r[0] for r in rows}


# AWS: the Glue Data Catalog -------------------------------------------------------------------
def ensure_database(settings: Settings, glue) -> bool:
    """Create the Glue database if missing; return True when it was created."""
    try:
        glue.get_database(Name=settings.database)
        return False
    except glue.exceptions.EntityNotFoundException:
        glue.create_database(DatabaseInput={
            "Name": settings.database,
            "Description": "The Movies Dataset, cleaned by movie-pipeline",
        })  # fmt: skip
        return True


def upsert_table(glue, database: str, table_input: dict) -> str:
    """Create a Glue table, or update it in place when it exists; return what happened."""
    try:
        glue.create_table(DatabaseName=database, TableInput=table_input)
        return "created"
    except glue.exceptions.AlreadyExistsException:
        glue.update_table(DatabaseName=database, TableInput=table_input)
        return "updated"


def partition_values(spec: TableSpec, settings: Settings, files: list[StoredFile]) -> set[tuple]:
    """The partition values present in the files' folder names: ``{("1990",), ...}``."""
    skip = len(f"{settings.cleaned_prefix}/{spec.name}/")
    values = set()
    for f in files:
        folders = f.key[skip:].split("/")[: len(spec.partition_keys)]
        values.add(tuple(folder.partition("=")[2] for folder in folders))
    return values


def _check_batch(response: dict, what: str) -> None:
    if response.get("Errors"):
        raise CatalogError(f"{what} failed: {response['Errors'][:3]}")


def sync_partitions(settings: Settings, spec: TableSpec, glue, files: list[StoredFile]) -> dict:
    """Make the table's Glue partitions match the folders: add new ones, drop vanished ones.

    Returns:
        ``{"added": [...], "removed": [...]}``, each a sorted list of value tuples.
    """
    wanted = partition_values(spec, settings, files)
    pages = glue.get_paginator("get_partitions").paginate(
        DatabaseName=settings.database, TableName=spec.name
    )
    existing = {tuple(p["Values"]) for page in pages for p in page["Partitions"]}
    added, removed = sorted(wanted - existing), sorted(existing - wanted)
    for i in range(0, len(added), 100):  # Glue's batch limits: 100 to create, 25 to delete
        inputs = [ddl.glue_partition_input(spec, settings, list(v)) for v in added[i : i + 100]]
        _check_batch(glue.batch_create_partition(
            DatabaseName=settings.database, TableName=spec.name, PartitionInputList=inputs
        ), f"adding partitions to {spec.name}")  # fmt: skip
    for i in range(0, len(removed), 25):
        values = [{"Values": list(v)} for v in removed[i : i + 25]]
        _check_batch(glue.batch_delete_partition(
            DatabaseName=settings.database, TableName=spec.name, PartitionsToDelete=values
        ), f"removing partitions from {spec.name}")  # fmt: skip
    return {"added": added, "removed": removed}


def register_glue(settings: Settings, tables: list[str] | None = None, session=None) -> list[str]:
    """Register the lake in the Glue Data Catalog, and the raw typed views through Athena.

    Creates the database if missing (the workgroup comes from ``setup-aws``); creates or
    updates each table
    (Parquet for cleaned data, OpenCSVSerde for raw CSV); syncs partitions.

    Returns:
        The tables and views registered.
    """
    from movie_pipeline.analysis import athena

    session = session or boto3_session(settings)
    glue, s3 = session.client("glue"), session.client("s3")
    ensure_database(settings, glue)
    athena.require_workgroup(settings, session)
    registered = []
    for name in tables or list(CLEANED_TABLES):
        spec = CLEANED_TABLES[validate_identifier(name, "table")]
        files = _cleaned_files(settings, name, s3)
        if not files:
            continue
        upsert_table(glue, settings.database, ddl.glue_table_input(spec, settings))
        if spec.partition_keys:
            sync_partitions(settings, spec, glue, files)
        registered.append(name)
    views = []
    for raw in RAW_TABLES.values():
        if _raw_present(settings, raw, s3):
            upsert_table(glue, settings.database, ddl.raw_glue_table_input(raw, settings))
            registered.append(raw.name)
            views.append(raw)
    for raw in views:  # views are SQL: only Athena can create them
        athena.run_statement(settings, ddl.typed_view_sql(raw), session)
        registered.append(raw.view_name)
    return registered


def catalog_rows(settings: Settings, tables: list[str]) -> dict[str, int]:
    """Rows per table as the local catalog sees them (``select count(*)`` on each DuckDB view).

    Only for the local backend: on AWS the same count is an Athena query, billed.
    """
    with duckdb.connect(str(settings.catalog_path), read_only=True) as con:
        return {
            t: con.execute(f"select count(*) from {validate_identifier(t, 'table')}").fetchone()[0]
            for t in tables
        }


def describe(settings: Settings, table: str):
    """The catalog's own description of a table: DuckDB's ``DESCRIBE`` offline, Glue's
    ``GetTable`` on AWS (its columns, then its partition keys).

    Returns:
        A DataFrame: column, type, partition (True for a partition key).
    """
    import pandas as pd

    name = validate_identifier(table, "table")
    if settings.backend == "aws":
        glue = boto3_session(settings).client("glue")
        found = glue.get_table(DatabaseName=settings.database, Name=name)["Table"]
        rows = [(c["Name"], c["Type"], False) for c in found["StorageDescriptor"]["Columns"]]
        rows += [(c["Name"], c["Type"], True) for c in found.get("PartitionKeys", [])]
    else:
        spec = CLEANED_TABLES.get(name)
        keys = {c.name for c in spec.partition_keys} if spec else set()
        with duckdb.connect(str(settings.catalog_path), read_only=True) as con:
            described = con.execute(f"describe {name}").fetchall()
        rows = [(column, kind, column in keys) for column, kind, *_ in described]
    return pd.DataFrame(rows, columns=["column", "type", "partition"])
