"""Check every Parquet file of a cleaned table against its spec before Athena (or DuckDB) reads it.

Athena takes column types from the catalog and fails at query time when a file disagrees
(``HIVE_BAD_DATA: Field budget's type INT64 in parquet file ... is incompatible with type
integer defined in table schema``). Reading the footers first turns that into a message that
names the table, the column, the expected and the found type, and the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pyarrow.parquet as pq

from movie_pipeline.config import PipelineError, Settings
from movie_pipeline.lake.footers import read_footer
from movie_pipeline.lake.storage import StoredFile, list_files, s3_client
from movie_pipeline.specs.tables import CLEANED_TABLES, TableSpec

# Spec type -> the Parquet physical type and logical annotations Athena reads as that type.
_ACCEPTED: dict[str, tuple[str, tuple[str, ...]]] = {
    "string": ("BYTE_ARRAY", ("String", "None", "Enum", "Json")),
    "int": ("INT32", ("None", "Int 32")),
    "bigint": ("INT64", ("None", "Int 64")),
    "double": ("DOUBLE", ("None",)),
    "boolean": ("BOOLEAN", ("None",)),
    "date": ("INT32", ("Date",)),
    # Athena reads millisecond and microsecond timestamps, and Spark's default INT96.
    "timestamp": ("INT64", ("Timestamp milliseconds", "Timestamp microseconds")),
}
_HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"


class SchemaMismatchError(PipelineError, ValueError):
    """Files in the lake do not match their table spec; ``problems`` lists each one."""

    def __init__(self, problems: list[Mismatch]):
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(
            f"{len(problems)} schema problem(s) in the lake; Athena would fail with "
            f"HIVE_BAD_DATA on these files. Fix the ETL output (or the spec in tables.py):\n"
            f"{shown}{more}"
        )


@dataclass(frozen=True)
class Mismatch:
    """One disagreement between a file and its table spec."""

    table: str
    column: str
    expected: str
    found: str
    file: str

    def __str__(self) -> str:
        return (
            f"table {self.table}, column {self.column}: expected {self.expected}, "
            f"found {self.found} in {self.file}"
        )


def _logical(column: pq.ColumnSchema) -> str:
    """The logical annotation in words: ``None``, ``String``, ``Int 8``, ``Timestamp nanoseconds``."""
    info = json.loads(column.logical_type.to_json())
    kind = info["Type"]
    if kind == "Int":
        return f"Int {info['bitWidth']}" + ("" if info.get("isSigned", True) else " unsigned")
    if kind == "Timestamp":
        return f"Timestamp {info.get('timeUnit', '')}".strip()
    return kind


def describe_parquet_type(column: pq.ColumnSchema) -> str:
    """``INT64``, ``INT32 (Date)``, ``BYTE_ARRAY (String)``: how a Parquet column is stored."""
    logical = _logical(column)
    return column.physical_type if logical == "None" else f"{column.physical_type} ({logical})"


def _expected(spec_type: str) -> str:
    physical, logical = _ACCEPTED[spec_type]
    note = "" if logical[0] == "None" else f" ({logical[0].split()[0]})"
    return f"{spec_type} (Parquet {physical}{note})"


def _type_ok(spec_type: str, column: pq.ColumnSchema) -> bool:
    if spec_type == "timestamp" and column.physical_type == "INT96":
        return True
    physical, logical = _ACCEPTED[spec_type]
    return column.physical_type == physical and _logical(column) in logical


def check_file(spec: TableSpec, meta: pq.FileMetaData, file: str) -> list[Mismatch]:
    """Compare one file's footer with the spec: every spec column present, with its type.

    Args:
        spec: the table spec.
        meta: the file's Parquet metadata (``storage.read_footer``).
        file: the file's URI, for the message.

    Returns:
        The mismatches (empty when the file is fine). Extra columns are not a problem: Athena
        ignores them.
    """
    schema = meta.schema
    found = {schema.column(i).path: schema.column(i) for i in range(len(schema))}
    problems = []
    for col in spec.columns:
        column = found.get(col.name)
        if column is None:
            # Athena would return null for the whole column: a silent loss, so an error here.
            problems.append(Mismatch(spec.name, col.name, _expected(col.type), "missing", file))
        elif not _type_ok(col.type, column):
            found_type = describe_parquet_type(column)
            problems.append(Mismatch(spec.name, col.name, _expected(col.type), found_type, file))
    for key in spec.partition_keys:
        if key.name in found:
            problems.append(Mismatch(
                spec.name, key.name, "partition key in folder names only",
                "a column of the same name inside the file", file,
            ))  # fmt: skip
    return problems


def _check_partition_folders(spec: TableSpec, stored: StoredFile, tail: str) -> list[Mismatch]:
    folders = tail.split("/")[:-1]
    problems = []
    padded = folders + [""] * len(spec.partition_keys)  # a file directly under the table
    for key, folder in zip(spec.partition_keys, padded[: len(spec.partition_keys)], strict=True):
        name, _, value = folder.partition("=")
        if name != key.name:
            # Athena would not see this file at all: its rows would go missing silently.
            seen = f"folder '{folder}'" if folder else "no partition folder"
            problems.append(
                Mismatch(spec.name, key.name, f"a folder {key.name}=<value>", seen, stored.uri)
            )
        elif (
            key.type in ("int", "bigint")
            and value != _HIVE_NULL
            and not value.lstrip("-").isdigit()
        ):
            problems.append(Mismatch(
                spec.name, key.name, f"{key.type} partition value", f"'{value}'", stored.uri
            ))  # fmt: skip
    return problems


def check_table(
    settings: Settings, table: str, files: list[StoredFile] | None = None, s3=None
) -> list[Mismatch]:
    """Check every Parquet file of ``cleaned/<table>/`` against the table's spec.

    Args:
        settings: the lake.
        table: a key of ``tables.CLEANED_TABLES``.
        files: the table's files, when the caller has listed them already.
        s3: an S3 client to reuse on the AWS backend.

    Returns:
        Every mismatch found, across all files and partition folders.
    """
    spec = CLEANED_TABLES[table]
    prefix = f"{settings.cleaned_prefix}/{table}"
    problems = []
    s3 = s3 or s3_client(settings)
    for stored in files if files is not None else list_files(settings, prefix, ".parquet", s3):
        if spec.partition_keys:
            problems += _check_partition_folders(spec, stored, stored.key[len(prefix) + 1 :])
        problems += check_file(spec, read_footer(settings, stored, s3), stored.uri)
    return problems


def guard(settings: Settings, tables: list[str] | None = None) -> list[str]:
    """Check the cleaned tables; raise SchemaMismatchError naming every problem.

    Args:
        settings: the lake to check.
        tables: table names (default: every table in ``tables.CLEANED_TABLES``).

    Returns:
        The tables that have files, all checked (tables with no files are skipped).
    """
    problems, checked = [], []
    s3 = s3_client(settings)
    for table in tables or list(CLEANED_TABLES):
        files = list_files(settings, f"{settings.cleaned_prefix}/{table}", ".parquet", s3)
        if files:
            checked.append(table)
            problems += check_table(settings, table, files, s3)
    if problems:
        raise SchemaMismatchError(problems)
    return checked
