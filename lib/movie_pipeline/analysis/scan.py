"""What an Athena query would scan, estimated from the lake's Parquet footers before it runs.

Athena bills the bytes it reads: for Parquet, the column chunks of the columns a query
references, in the partitions its ``where`` keeps. This module finds both with sqlglot (the
columns each table reference uses, the predicates on partition keys) and adds up the chunks'
compressed sizes from the files' footers. Each table reference is a scan of its own, as in
Trino, which does not share a scan between two uses of a ``with`` query.

The figure is an upper bound: Athena may skip row groups by their min/max statistics, and it
prunes with predicates in ``on`` clauses too; this estimate uses ``where`` clauses only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import duckdb
from sqlglot import exp
from sqlglot.optimizer.scope import Scope, traverse_scope

from movie_pipeline.aws.costs import athena_cost
from movie_pipeline.config import Settings
from movie_pipeline.lake.footers import read_footer
from movie_pipeline.lake.storage import StoredFile, list_files, s3_client
from movie_pipeline.specs.tables import CLEANED_TABLES, TableSpec

_HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"


@dataclass(frozen=True)
class TableScan:
    """One table reference of a query and what reading it costs.

    Attributes:
        table: the cleaned table.
        columns: the columns the query reads from it.
        partitions_kept: partitions left after pruning (None: the table is not partitioned).
        partitions_total: partitions in the lake.
        bytes_pruned: compressed bytes of those columns in the kept partitions.
        bytes_unpruned: the same columns in every partition.
        bytes_table: every column in every partition (what a row format would read).
    """

    table: str
    columns: tuple[str, ...]
    partitions_kept: int | None
    partitions_total: int | None
    bytes_pruned: int
    bytes_unpruned: int
    bytes_table: int


@dataclass(frozen=True)
class ScanEstimate:
    """A query's estimated scan: one TableScan per table reference."""

    scans: tuple[TableScan, ...]

    @property
    def bytes_pruned(self) -> int:
        return sum(s.bytes_pruned for s in self.scans)

    @property
    def bytes_unpruned(self) -> int:
        return sum(s.bytes_unpruned for s in self.scans)

    @property
    def bytes_table(self) -> int:
        return sum(s.bytes_table for s in self.scans)

    @property
    def usd_pruned(self) -> float:
        return athena_cost(self.bytes_pruned)

    @property
    def usd_unpruned(self) -> float:
        return athena_cost(self.bytes_unpruned)

    def describe(self) -> str:
        """One line: bytes and dollars with pruning, without, and for whole tables."""
        return (
            f"Athena would scan {_mb(self.bytes_pruned)} (${self.usd_pruned:.6f}, 10 MB minimum); "
            f"without partition pruning {_mb(self.bytes_unpruned)} "
            f"(${self.usd_unpruned:.6f}); every column of every table read: {_mb(self.bytes_table)}"
        )


def _mb(n: int) -> str:
    return f"{n / 1024**2:,.2f} MB"


def scan_references(tree: exp.Expression) -> list[tuple[str, str, Scope, int]]:
    """Every read of a catalog table: ``(table, alias, scope, times)``.

    ``times`` counts how often the scope runs: a ``with`` query used twice reads its tables
    twice; one never used reads nothing.

    Args:
        tree: a qualified query (``query.parse``).
    """
    scopes = traverse_scope(tree)
    uses: dict[int, int] = defaultdict(int)
    uses[id(scopes[-1])] = 1
    found = []
    # traverse_scope lists children first, so in reverse a scope comes before what it uses.
    for scope in reversed(scopes):
        times = uses[id(scope)]
        for child in scope.subquery_scopes + scope.set_operation_scopes + scope.udtf_scopes:
            uses[id(child)] += times
        for alias, (_, source) in scope.selected_sources.items():
            if isinstance(source, Scope):
                uses[id(source)] += times
            elif isinstance(source, exp.Table) and source.name in CLEANED_TABLES and times:
                found.append((source.name, alias, scope, times))
    return found


def _partition_conditions(scope: Scope, alias: str, spec: TableSpec) -> list[exp.Expression]:
    """The ``where`` conjuncts of ``scope`` that test only ``alias``'s partition keys."""
    where = scope.expression.args.get("where")
    if where is None or not spec.partition_keys:
        return []
    keys = {k.name for k in spec.partition_keys}
    kept = []
    for conjunct in where.this.flatten() if isinstance(where.this, exp.And) else [where.this]:
        cols = list(conjunct.find_all(exp.Column))
        if (
            cols
            and all(c.table == alias and c.name in keys for c in cols)
            and not conjunct.find(exp.Subquery, exp.Select)
        ):
            kept.append(conjunct)
    return kept


def _partition_value(key_type: str, text: str) -> Any:
    if text == _HIVE_NULL:
        return None
    return int(text) if key_type in ("int", "bigint") else text


def kept_partitions(
    spec: TableSpec, partitions: list[tuple], conditions: list[exp.Expression], bound: list[Any]
) -> list[tuple]:
    """The partitions that satisfy every condition, evaluated by DuckDB over their values.

    The conditions keep their placeholders; the values are bound, as in the query itself.
    """
    if not conditions or not partitions:
        return list(partitions)
    keys = [k.name for k in spec.partition_keys]
    rows = exp.values([tuple(p) for p in partitions], alias="parts", columns=keys)
    where = exp.and_(*(
        c.copy().transform(lambda n: exp.column(n.name) if isinstance(n, exp.Column) else n)
        for c in conditions
    ))  # fmt: skip
    used = sorted({p.name for p in where.find_all(exp.Placeholder)})
    sql = exp.select(*keys).from_(rows).where(where).sql("duckdb")
    params = {name: bound[int(name[1:])] for name in used}
    return [tuple(r) for r in duckdb.execute(sql, params).fetchall()]


def _files_by_partition(settings: Settings, spec: TableSpec, s3) -> dict[tuple, list[StoredFile]]:
    prefix = f"{settings.cleaned_prefix}/{spec.name}"
    out: dict[tuple, list[StoredFile]] = defaultdict(list)
    for f in list_files(settings, prefix, ".parquet", s3):
        folders = f.key[len(prefix) + 1 :].split("/")[: len(spec.partition_keys)]
        value = tuple(
            _partition_value(k.type, folder.partition("=")[2])
            for k, folder in zip(spec.partition_keys, folders, strict=True)
        )
        out[value].append(f)
    return out


def _column_bytes(meta, columns: set[str] | None) -> int:
    total = 0
    for i in range(meta.num_row_groups):
        group = meta.row_group(i)
        for j in range(group.num_columns):
            chunk = group.column(j)
            if columns is None or chunk.path_in_schema in columns:
                total += chunk.total_compressed_size
    return total


def _footer(settings: Settings, f: StoredFile, footers: dict, s3):
    # Each file's footer is read once per estimate, however many scans touch it.
    if f.uri not in footers:
        footers[f.uri] = read_footer(settings, f, s3)
    return footers[f.uri]


def estimate_scan(settings: Settings, sql: str, bound: list[Any] | None = None) -> ScanEstimate:
    """Estimate the bytes Athena would scan to run ``sql`` on this lake, and the price.

    Args:
        settings: the lake (local folder, or S3: only footers are read).
        sql: Athena SQL with ``?`` placeholders.
        bound: the placeholders' values, in order.

    Returns:
        A ScanEstimate, with and without partition pruning.
    """
    from movie_pipeline.analysis.query import parse

    bound = list(bound or [])
    tree = parse(sql)
    footers: dict[str, Any] = {}
    s3 = s3_client(settings)
    layouts: dict[str, dict[tuple, list[StoredFile]]] = {}
    scans = []
    for table, alias, scope, times in scan_references(tree):
        spec = CLEANED_TABLES[table]
        if table not in layouts:
            layouts[table] = _files_by_partition(settings, spec, s3)
        layout = layouts[table]
        columns = {c.name for c in scope.columns if c.table == alias}
        kept = kept_partitions(
            spec, sorted(layout, key=repr), _partition_conditions(scope, alias, spec), bound
        )

        def size(parts, cols, layout=layout):
            return sum(
                _column_bytes(_footer(settings, f, footers, s3), cols)
                for part in parts
                for f in layout[part]
            )

        partitioned = bool(spec.partition_keys)
        scan = TableScan(
            table,
            tuple(c.name for c in spec.columns if c.name in columns),
            len(kept) if partitioned else None,
            len(layout) if partitioned else None,
            size(kept, columns),
            size(layout, columns),
            size(layout, None),
        )
        scans += [scan] * times
    return ScanEstimate(tuple(scans))
