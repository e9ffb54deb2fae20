"""Run the analysis queries, written in Athena's (Trino) dialect, on Athena or on local DuckDB.

Each ``sql/<name>.sql`` starts with ``-- <name>: <question>`` and declares its parameters, one
line per ``?`` placeholder and in the same order: ``-- param limit integer = 10: rows to return``.
A parameter used at a second ``?`` is declared again by name only: ``-- param limit: again``.
Values are bound (Athena execution parameters, DuckDB prepared statements), never formatted
into the SQL text.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import duckdb
import pandas as pd
import sqlglot
from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.tokens import TokenType

from movie_pipeline.config import PipelineError, Settings

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_PARAM_RE = re.compile(
    r"^--\s*param\s+(?P<name>[a-z_][a-z0-9_]*)\s+(?P<type>integer|bigint|double|varchar)"
    r"\s*=\s*(?P<default>\S+)(?:\s+min\s+(?P<min>-?\d+))?\s*:\s*(?P<help>.+)$"
)
_AGAIN_RE = re.compile(r"^--\s*param\s+(?P<name>[a-z_][a-z0-9_]*)\s*:")
_INT_RANGE = {"integer": (-(2**31), 2**31 - 1), "bigint": (-(2**63), 2**63 - 1)}


class QueryError(PipelineError, ValueError):
    """A query cannot run as asked: unknown parameter, bad value, or a table not registered."""


@dataclass(frozen=True)
class QueryParam:
    """A declared query parameter: name, Trino type, default, lower bound, help."""

    name: str
    type: str
    default: Any
    help: str
    minimum: int | None = None

    def convert(self, value: Any) -> int | float | str:
        """Return ``value`` (text from the CLI, or a Python value) as this parameter's type.

        Raises:
            QueryError: when the value does not fit the type or the bound.
        """
        try:
            if self.type == "varchar":
                out: int | float | str = str(value)
            elif self.type == "double":
                out = float(value)
            else:
                if isinstance(value, float) and not value.is_integer():
                    raise ValueError(value)
                out = int(value)
                low, high = _INT_RANGE[self.type]
                if not low <= out <= high:
                    raise ValueError(value)
        except (TypeError, ValueError):
            raise QueryError(f"parameter {self.name} must be {self.type}, got {value!r}") from None
        if self.minimum is not None and out < self.minimum:
            raise QueryError(f"parameter {self.name} must be >= {self.minimum}, got {out}")
        return out

    def athena_literal(self, value: Any) -> str:
        """The value as an Athena execution parameter: a SQL literal of this type."""
        value = self.convert(value)
        if self.type == "varchar":
            return "'" + str(value).replace("'", "''") + "'"
        return repr(value) if self.type == "double" else str(value)


@dataclass(frozen=True)
class Query:
    """A shipped query: name, the question it answers, its Athena SQL and parameters.

    ``params`` has one entry per ``?`` in text order (a parameter used twice appears twice);
    ``parameters`` lists each parameter once.
    """

    name: str
    description: str
    sql: str
    params: tuple[QueryParam, ...] = field(default=())

    @property
    def parameters(self) -> tuple[QueryParam, ...]:
        return tuple({p.name: p for p in self.params}.values())

    def bind(self, values: dict[str, Any] | None = None) -> dict[str, Any]:
        """Every parameter's value, defaults filled in, converted and checked.

        Raises:
            QueryError: for a name the query does not declare, or a bad value.
        """
        values = dict(values or {})
        known = {p.name for p in self.parameters}
        unknown = sorted(set(values) - known)
        if unknown:
            listed = ", ".join(sorted(known)) or "none"
            raise QueryError(
                f"query {self.name} has no parameter {unknown[0]!r}; it takes: {listed}"
            )
        return {p.name: p.convert(values.get(p.name, p.default)) for p in self.parameters}


@dataclass
class QueryResult:
    """A query's answer, what ran, how long it took and what it scanned (or would scan)."""

    name: str
    frame: pd.DataFrame
    sql: str
    engine_sql: str
    params: dict[str, Any]
    seconds: float
    bytes_scanned: int | None = None
    bytes_estimated: bool = True
    usd: float | None = None
    estimate: Any = None  # cost.ScanEstimate on the local backend
    query_execution_id: str | None = None


# Loading ------------------------------------------------------------------------------------
def _sql_files() -> dict[str, Any]:
    root = resources.files("movie_pipeline.sql")
    return {e.name[:-4]: e for e in root.iterdir() if e.name.endswith(".sql")}


@cache
def get_query(name: str) -> Query:
    """Load and check a shipped query.

    Raises:
        KeyError: for an unknown name (the message lists the known ones).
        QueryError: when the declared parameters do not match the ``?`` placeholders.
    """
    files = _sql_files()
    if not _NAME_RE.match(name) or name not in files:
        raise KeyError(f"unknown query {name!r}; known: {', '.join(sorted(files))}")
    sql = files[name].read_text(encoding="utf-8")
    first = sql.splitlines()[0]
    description = first.removeprefix("--").split(":", 1)[-1].strip()
    params: list[QueryParam] = []
    for line in sql.splitlines():
        if m := _PARAM_RE.match(line.strip()):
            minimum = int(m["min"]) if m["min"] else None
            param = QueryParam(m["name"], m["type"], m["default"], m["help"].strip(), minimum)
            params.append(QueryParam(**{**param.__dict__, "default": param.convert(m["default"])}))
        elif m := _AGAIN_RE.match(line.strip()):
            earlier = [p for p in params if p.name == m["name"]]
            if not earlier:
                raise QueryError(f"{name}.sql uses parameter {m['name']} before declaring it")
            params.append(earlier[0])
    if len({p.name for p in params}) != len({p for p in params}):
        raise QueryError(f"{name}.sql declares a parameter twice with different settings")
    found = len(placeholders(sql))
    if found != len(params):
        raise QueryError(f"{name}.sql declares {len(params)} parameters but has {found} '?'")
    return Query(name, description, sql, tuple(params))


def list_queries() -> dict[str, str]:
    """Return ``{name: the question it answers}`` for every query shipped in ``sql/``."""
    return {name: get_query(name).description for name in sorted(_sql_files())}


def load_sql(name: str) -> str:
    """Return the Athena SQL of a shipped query."""
    return get_query(name).sql


def parse_param_args(items: list[str] | None) -> dict[str, str]:
    """``["limit=20", "decade_from=1990"]`` (CLI ``--param``) -> ``{"limit": "20", ...}``."""
    out = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"--param takes name=value, got {item!r}")
        out[name.strip()] = value
    return out


# Dialects -----------------------------------------------------------------------------------
def placeholders(sql: str) -> list[Any]:
    """The ``?`` placeholder tokens of Athena SQL, in text order (not those in strings)."""
    tokens = sqlglot.Dialect.get_or_raise("athena").tokenize(sql)
    return [t for t in tokens if t.token_type == TokenType.PLACEHOLDER]


def named_placeholders(sql: str) -> str:
    """Rename the n-th ``?`` to ``:p<n>`` so a parsed tree knows which value goes where."""
    for i, token in reversed(list(enumerate(placeholders(sql)))):
        sql = sql[: token.start] + f":p{i}" + sql[token.end + 1 :]
    return sql


def parse(sql: str, schema: dict | None = None) -> exp.Expression:
    """Parse Athena SQL, qualify every column with its table and infer every expression's type.

    Type inference is what keeps integer division an integer division: Trino's ``7 / 2`` is 3
    while DuckDB's is 3.5, and sqlglot only rewrites the division when it knows both sides are
    integers.

    Args:
        sql: Athena (Trino) SQL; ``?`` placeholders become ``:p0, :p1, ...``.
        schema: ``{table: {column: type}}`` (default: every table spec, ``ddl.catalog_schema``).

    Returns:
        The qualified, typed sqlglot tree (an unknown column raises sqlglot's OptimizeError).
    """
    from movie_pipeline.ddl import catalog_schema

    tree = sqlglot.parse_one(named_placeholders(sql), read="athena")
    schema = catalog_schema() if schema is None else schema
    body = tree.expression if isinstance(tree, exp.Create) else tree
    qualified = qualify(body, schema=schema, dialect="athena", quote_identifiers=False)
    annotated = annotate_types(qualified, schema=schema, dialect="athena")
    if body is tree:
        return annotated
    tree.set("expression", annotated)
    return tree


def to_duckdb(sql: str, schema: dict | None = None) -> str:
    """Transpile Athena (Trino) SQL to DuckDB's dialect; ``?`` become ``$p0, $p1, ...``.

    Args:
        sql: Athena SQL.
        schema: as for ``parse``.

    Returns:
        DuckDB SQL, to run with ``{"p0": value, ...}`` as named parameters.

    Two rewrites keep Trino's meaning where DuckDB's differs silently:

    - integer sums and ``count_if`` are cast to BIGINT, their type in Trino (DuckDB returns a
      128-bit integer, which pandas turns into a float);
    - ``try_cast(text as integer)`` is null for ``'12.5'`` in Trino but 13 in DuckDB, so the
      DuckDB cast only sees text that is a whole number.
    """
    tree = parse(sql, schema)
    for node in list(tree.find_all(exp.TryCast)):
        inner = node.this.type
        if (
            node.to.is_type(*exp.DataType.INTEGER_TYPES)
            and inner
            and inner.is_type(*exp.DataType.TEXT_TYPES)
        ):
            whole = exp.Anonymous(
                this="regexp_full_match",
                expressions=[node.this.copy(), exp.Literal.string(r"\s*[+-]?[0-9]+\s*")],
            )
            node.replace(exp.Case().when(whole, node.copy()))
    for node in list(tree.find_all(exp.Sum, exp.CountIf)):
        if node.type is not None and node.type.is_type(*exp.DataType.INTEGER_TYPES):
            target = node
            while isinstance(target.parent, (exp.Window, exp.Filter)):
                target = target.parent  # the cast goes around `sum(x) over (...)` as a whole
            target.replace(exp.cast(target.copy(), exp.DataType.build("bigint")))
    return tree.sql("duckdb", pretty=True)


def referenced_tables(sql: str) -> list[str]:
    """The catalog tables a query reads (CTE names left out), sorted."""
    tree = sqlglot.parse_one(named_placeholders(sql), read="athena")
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    return sorted({t.name for t in tree.find_all(exp.Table) if t.name not in ctes})


# Running ------------------------------------------------------------------------------------
def run(
    settings: Settings, name: str, params: dict[str, Any] | None = None, estimate: bool = True
) -> QueryResult:
    """Run a shipped query on the configured backend.

    Args:
        settings: backend, catalog, database, workgroup.
        name: a query name (``list_queries()``).
        params: parameter values by name (defaults fill the rest).
        estimate: on the local backend, also estimate the bytes Athena would scan.

    Returns:
        A QueryResult; on AWS ``bytes_scanned`` is Athena's own figure.
    """
    if settings.backend == "aws":
        return run_athena(settings, name, params)
    return run_local(settings, name, params, estimate)


def run_local(
    settings: Settings, name: str, params: dict[str, Any] | None = None, estimate: bool = True
) -> QueryResult:
    """Run a shipped query on the local DuckDB catalog (transpiled from Athena's dialect)."""
    from movie_pipeline import cost

    query = get_query(name)
    values = query.bind(params)
    if not settings.catalog_path.exists():
        raise QueryError(
            f"no local catalog at {settings.catalog_path}: run `movie-pipeline catalog` first"
        )
    engine_sql = to_duckdb(query.sql)
    bound = {f"p{i}": values[p.name] for i, p in enumerate(query.params)}
    with duckdb.connect(str(settings.catalog_path), read_only=True) as con:
        start = time.perf_counter()
        try:
            frame = con.execute(engine_sql, bound).fetchdf()
        except duckdb.CatalogException as exc:
            raise QueryError(
                f"query {name} needs tables {', '.join(referenced_tables(query.sql))}; "
                f"the catalog lacks one ({str(exc).splitlines()[0]}): run transform and catalog"
            ) from exc
        seconds = time.perf_counter() - start
    result = QueryResult(name, frame, query.sql, engine_sql, values, seconds)
    if estimate:
        bound_list = [values[p.name] for p in query.params]
        result.estimate = cost.estimate_scan(settings, query.sql, bound_list)
        result.bytes_scanned = result.estimate.bytes_pruned
        result.usd = result.estimate.usd_pruned
    return result


def run_athena(
    settings: Settings, name: str, params: dict[str, Any] | None = None, session=None
) -> QueryResult:
    """Run a shipped query on Athena, parameters bound as execution parameters.

    ``session`` is a boto3 Session (default: ``aws.session.boto3_session(settings)``).
    """
    from movie_pipeline import athena
    from movie_pipeline.aws.costs import athena_cost

    query = get_query(name)
    values = query.bind(params)
    literals = [p.athena_literal(values[p.name]) for p in query.params]
    start = time.perf_counter()
    frame, execution = athena.read_query(settings, query.sql, literals, session)
    scanned = int(execution.get("Statistics", {}).get("DataScannedInBytes", 0))
    return QueryResult(
        name, frame, query.sql, query.sql, values, time.perf_counter() - start,
        bytes_scanned=scanned, bytes_estimated=False, usd=athena_cost(scanned),
        query_execution_id=execution.get("QueryExecutionId"),
    )  # fmt: skip
