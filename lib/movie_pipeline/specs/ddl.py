"""Everything derived from the table specs: Arrow schema, Glue TableInput, Athena DDL, DuckDB views."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from sqlglot import exp

from movie_pipeline.config import Settings, validate_identifier
from movie_pipeline.specs.tables import CLEANED_TABLES, RAW_TABLES, Col, RawTableSpec, TableSpec

PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
CSV_SERDE = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
# The files double their quotes (RFC 4180), which OpenCSVSerde reads as one quote. Its escape
# character must be set to something: backslash is Athena's documented choice. OpenCSVSerde
# cannot read quoted newlines (a few overviews) nor keep a backslash before a quote; the raw
# tables are for a first look, the Glue job is what parses the files properly.
CSV_SERDE_PARAMETERS = {"separatorChar": ",", "quoteChar": '"', "escapeChar": "\\"}

# Athena DDL (Hive) type -> Athena DML (Trino) type, Arrow type, DuckDB type.
TRINO_TYPES = {"int": "integer", "string": "varchar"}
ARROW_TYPES = {
    "string": pa.string(),
    "int": pa.int32(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}
DUCKDB_TYPES = {
    "string": "VARCHAR",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}
# Glue refuses longer column comments.
_GLUE_COMMENT_MAX = 255


def trino_type(hive_type: str) -> str:
    """The Trino spelling of a spec type (``int`` -> ``integer``), as views and casts need it."""
    return TRINO_TYPES.get(hive_type, hive_type)


def arrow_schema(spec: TableSpec, with_partitions: bool = False) -> pa.Schema:
    """The Arrow schema of a cleaned table's files (partition keys live in folder names).

    Args:
        spec: the table spec.
        with_partitions: add the partition keys at the end (a frame before it is partitioned).

    Returns:
        A pyarrow Schema, spec order, every field nullable.
    """
    cols = spec.all_columns if with_partitions else spec.columns
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.type]) for c in cols])


# Glue Data Catalog ----------------------------------------------------------------------------
def _glue_column(col: Col) -> dict[str, str]:
    if len(col.comment) > _GLUE_COMMENT_MAX:
        raise ValueError(f"comment of column {col.name} is longer than {_GLUE_COMMENT_MAX}")
    return {
        "Name": validate_identifier(col.name, "column"),
        "Type": col.type,
        "Comment": col.comment,
    }


def _location(uri: str) -> str:
    # A trailing slash: Athena reads every object under the prefix, and no sibling prefix
    # (cleaned/movies_old/) can match by accident.
    return uri.rstrip("/") + "/"


def parquet_storage(spec: TableSpec, location: str) -> dict[str, Any]:
    """A Parquet StorageDescriptor for ``location`` (the table's, or one partition's)."""
    return {
        "Columns": [_glue_column(c) for c in spec.columns],
        "Location": _location(location),
        "InputFormat": PARQUET_INPUT,
        "OutputFormat": PARQUET_OUTPUT,
        "Compressed": True,
        "SerdeInfo": {
            "SerializationLibrary": PARQUET_SERDE,
            "Parameters": {"serialization.format": "1"},
        },
    }


def glue_table_input(spec: TableSpec, settings: Settings) -> dict[str, Any]:
    """The Glue ``TableInput`` of a cleaned table: Parquet SerDe, partition keys, comments.

    Args:
        spec: the table spec.
        settings: where the table lives (``cleaned/<name>/`` in the bucket).

    Returns:
        A dict for ``glue.create_table(DatabaseName=..., TableInput=...)`` or ``update_table``.
    """
    return {
        "Name": validate_identifier(spec.name, "table"),
        "Description": spec.description,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {
            "classification": "parquet",
            "parquet.compression": "SNAPPY",
            "EXTERNAL": "TRUE",
        },
        "PartitionKeys": [_glue_column(c) for c in spec.partition_keys],
        "StorageDescriptor": parquet_storage(spec, settings.cleaned_uri(spec.name)),
    }


def glue_partition_input(spec: TableSpec, settings: Settings, values: list[str]) -> dict:
    """The ``PartitionInput`` of one partition folder (``release_decade=1990``)."""
    folder = "/".join(f"{k.name}={v}" for k, v in zip(spec.partition_keys, values, strict=True))
    location = f"{settings.cleaned_uri(spec.name)}/{folder}"
    return {"Values": list(values), "StorageDescriptor": parquet_storage(spec, location)}


def raw_glue_table_input(raw: RawTableSpec, settings: Settings) -> dict[str, Any]:
    """The Glue ``TableInput`` of a raw CSV table: OpenCSVSerde, STRING columns, header skipped."""
    return {
        "Name": validate_identifier(raw.name, "table"),
        "Description": raw.description,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {
            "classification": "csv",
            "skip.header.line.count": "1",
            "EXTERNAL": "TRUE",
        },
        "PartitionKeys": [],
        "StorageDescriptor": {
            "Columns": [_glue_column(Col(c.raw_name, "string", c.comment)) for c in raw.columns],
            "Location": _location(settings.raw_uri(raw.dataset)),
            "InputFormat": TEXT_INPUT,
            "OutputFormat": TEXT_OUTPUT,
            "SerdeInfo": {
                "SerializationLibrary": CSV_SERDE,
                "Parameters": dict(CSV_SERDE_PARAMETERS),
            },
        },
    }


# Athena DDL -----------------------------------------------------------------------------------
def _hive_string(text: str) -> str:
    # Athena DDL is parsed by Hive's grammar: backslash escapes inside single quotes.
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _hive_columns(cols: tuple[Col, ...]) -> str:
    return ",\n".join(
        f"  `{validate_identifier(c.name, 'column')}` {c.type} COMMENT {_hive_string(c.comment)}"
        for c in cols
    )


def athena_ddl(spec: TableSpec, settings: Settings) -> str:
    """``CREATE EXTERNAL TABLE ... STORED AS PARQUET`` for a cleaned table (Athena's Hive DDL).

    Partitions are then registered with ``MSCK REPAIR TABLE`` (see ``repair_sql``) or, as
    ``catalog.register`` does, through the Glue API.
    """
    parts = [
        f"CREATE EXTERNAL TABLE IF NOT EXISTS `{settings.database}`.`{spec.name}` (",
        _hive_columns(spec.columns),
        ")",
        f"COMMENT {_hive_string(spec.description)}",
    ]
    if spec.partition_keys:
        parts += ["PARTITIONED BY (", _hive_columns(spec.partition_keys), ")"]
    parts += [
        "STORED AS PARQUET",
        f"LOCATION {_hive_string(_location(settings.cleaned_uri(spec.name)))}",
        "TBLPROPERTIES ('parquet.compression'='SNAPPY', 'classification'='parquet')",
    ]
    return "\n".join(parts)


def repair_sql(spec: TableSpec, settings: Settings) -> str:
    """``MSCK REPAIR TABLE``: Athena finds the ``key=value`` partition folders itself."""
    return f"MSCK REPAIR TABLE `{settings.database}`.`{spec.name}`"


def raw_athena_ddl(raw: RawTableSpec, settings: Settings) -> str:
    """``CREATE EXTERNAL TABLE`` over ``raw/<dataset>/`` with OpenCSVSerde and STRING columns."""
    serde = ", ".join(f"'{k}'={_hive_string(v)}" for k, v in CSV_SERDE_PARAMETERS.items())
    cols = tuple(Col(c.raw_name, "string", c.comment) for c in raw.columns)
    return "\n".join([
        f"CREATE EXTERNAL TABLE IF NOT EXISTS `{settings.database}`.`{raw.name}` (",
        _hive_columns(cols),
        ")",
        f"COMMENT {_hive_string(raw.description)}",
        f"ROW FORMAT SERDE '{CSV_SERDE}'",
        f"WITH SERDEPROPERTIES ({serde})",
        "STORED AS TEXTFILE",
        f"LOCATION {_hive_string(_location(settings.raw_uri(raw.dataset)))}",
        "TBLPROPERTIES ('skip.header.line.count'='1', 'classification'='csv')",
    ])  # fmt: skip


def _trino_name(name: str, what: str) -> str:
    # Every generated name is double-quoted, not only the ones Trino reserves (a raw column is
    # called `cast`): the reserved list grows with Trino's releases, which Athena follows, and
    # a quoted lower-case name (validate_identifier) means the same as an unquoted one.
    return f'"{validate_identifier(name, what)}"'


def typed_view_sql(raw: RawTableSpec) -> str:
    """``CREATE OR REPLACE VIEW <raw>_typed``: each column cast, in Athena's (Trino) dialect.

    ``try_cast`` gives null for text that does not parse; ``bad_values`` names those columns
    for each row, so a shifted or broken record is visible instead of quietly null. Every
    table, view and column name is double-quoted.
    """
    lines, checks = [], []
    for c in raw.columns:
        src, name = _trino_name(c.raw_name, "column"), _trino_name(c.name, "column")
        if c.type == "string":
            lines.append(f"    {src} as {name}")
            continue
        cast = f"try_cast({src} as {trino_type(c.type)})"
        lines.append(f"    {cast} as {name}")
        checks.append(f"if({src} <> '' and {cast} is null, '{c.name}')")
    bad = "concat_ws(',', " + ", ".join(checks) + ")" if checks else "cast(null as varchar)"
    lines.append(f"    nullif({bad}, '') as \"bad_values\"")
    return (
        f"create or replace view {_trino_name(raw.view_name, 'view')} as\nselect\n"
        + ",\n".join(lines)
        + f"\nfrom {_trino_name(raw.name, 'table')}"
    )


# Local catalog (DuckDB) -----------------------------------------------------------------------
def _duckdb_string(text: str) -> str:
    return exp.Literal.string(text).sql("duckdb")


def duckdb_view_sql(spec: TableSpec, settings: Settings) -> str:
    """A DuckDB view over a cleaned table's Parquet files, with the spec's columns in order."""
    glob = f"{settings.cleaned_uri(spec.name)}/**/*.parquet"
    options = "hive_partitioning = false"
    if spec.partition_keys:
        types = ", ".join(f"'{k.name}': '{DUCKDB_TYPES[k.type]}'" for k in spec.partition_keys)
        options = f"hive_partitioning = true, hive_types = {{{types}}}"
    cols = ",\n".join(f'    "{c.name}"' for c in spec.all_columns)
    return (
        f"create or replace view {spec.name} as\nselect\n{cols}\n"
        f"from read_parquet({_duckdb_string(glob)}, {options})"
    )


def duckdb_raw_view_sql(raw: RawTableSpec, settings: Settings) -> str:
    """A DuckDB view over ``raw/<dataset>/*.csv``: every column text, header skipped.

    DuckDB's CSV reader handles quoted newlines and keeps backslashes, so locally the raw
    tables read every row right (OpenCSVSerde on Athena does not: see CSV_SERDE_PARAMETERS).
    """
    glob = f"{settings.raw_uri(raw.dataset)}/*.csv"
    columns = ", ".join(f"'{c.raw_name}': 'VARCHAR'" for c in raw.columns)
    return (
        f"create or replace view {raw.name} as\nselect * from read_csv(\n"
        f"    {_duckdb_string(glob)},\n"
        f"    header = true, quote = '\"', escape = '\"', delim = ',',\n"
        f"    columns = {{{columns}}}\n)"
    )


def catalog_schema() -> dict[str, dict[str, str]]:
    """``{table: {column: type}}`` of every table and view, for sqlglot's type inference."""
    schema = {t.name: {c.name: c.type for c in t.all_columns} for t in CLEANED_TABLES.values()}
    for raw in RAW_TABLES.values():
        schema[raw.name] = {c.raw_name: "string" for c in raw.columns}
        schema[raw.view_name] = {c.name: c.type for c in raw.columns} | {"bad_values": "string"}
    return schema
