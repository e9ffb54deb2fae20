"""Run the analysis queries, written in Athena's (Trino) dialect, on Athena or on local DuckDB.

Each ``sql/<name>.sql`` starts with ``-- <name>: <question>`` and declares its parameters, one
line per ``?`` placeholder and in the same order: ``-- param limit integer = 10: rows to return``.
A parameter used at a second ``?`` is declared again by name only: ``-- param limit: again``.
A ``?`` in a WHERE clause is bound (an Athena execution parameter, a DuckDB prepared-statement
parameter). Athena takes execution parameters in WHERE clauses only, so a ``?`` elsewhere
(LIMIT, HAVING, a join's ON) must be an integer parameter with a lower bound, and its checked
value is written into the text (``Query.render``). Both engines run that same text.
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
# sqlglot's name of the clause a `?` sits in -> the name in an error message.
_CLAUSES = {"joins": "join", "expressions": "select", "group": "group by", "order": "order by"}


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

    @property
    def why_not_inline(self) -> str | None:
        """Why this parameter cannot be written into SQL text, or None when it can."""
        if self.type not in _INT_RANGE:
            return f"{self.name} is {self.type}"
        return None if self.minimum is not None else f"{self.name} has no lower bound"

    def integer_literal(self, value: Any) -> str:
        """The value written into SQL text, where Athena takes no execution parameter.

        Only a bounded integer parameter can be written: the value is converted and checked
        here again (type, range, lower bound), and the text is Python's spelling of an ``int``.

        Raises:
            QueryError: for any other parameter, or a value that is not such an integer.
        """
        if self.why_not_inline:
            raise QueryError(f"parameter {self.why_not_inline}: it cannot be written into SQL")
        return str(self.convert(value))


@dataclass(frozen=True)
class Query:
    """A shipped query: name, the question it answers, its Athena SQL and parameters.

    ``params`` has one entry per ``?`` in text order (a parameter used twice appears twice);
    ``clauses`` names the clause each ``?`` sits in (``where``, ``limit``, ``having``, ...);
    ``parameters`` lists each parameter once.
    """

    name: str
    description: str
    sql: str
    params: tuple[QueryParam, ...] = field(default=())
    clauses: tuple[str, ...] = field(default=())

    @classmethod
    def from_sql(cls, name: str, sql: str) -> Query:
        """Read a query's description and parameters from its SQL text, and check them.

        Raises:
            QueryError: when the declared parameters do not match the ``?`` placeholders, or a
                ``?`` outside a WHERE clause is not a bounded integer parameter.
        """
        first = sql.splitlines()[0]
        description = first.removeprefix("--").split(":", 1)[-1].strip()
        params: list[QueryParam] = []
        for line in sql.splitlines():
            if m := _PARAM_RE.match(line.strip()):
                minimum = int(m["min"]) if m["min"] else None
                param = QueryParam(m["name"], m["type"], m["default"], m["help"].strip(), minimum)
                params.append(
                    QueryParam(**{**param.__dict__, "default": param.convert(m["default"])})
                )
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
        clauses = placeholder_clauses(sql)
        for param, clause in zip(params, clauses, strict=True):
            if clause != "where" and param.why_not_inline:
                raise QueryError(
                    f"{name}.sql puts parameter {param.name} in a {clause} clause, where Athena "
                    "takes no execution parameter: only an integer with a lower bound (min) can "
                    f"be written into the text, and {param.why_not_inline}"
                )
        return cls(name, description, sql, tuple(params), tuple(clauses))

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

    def render(self, values: dict[str, Any]) -> tuple[str, tuple[QueryParam, ...]]:
        """The statement that Athena runs, and DuckDB after transpiling: ``?`` in WHERE only.

        Athena documents execution parameters in WHERE clauses only; each ``?`` elsewhere is
        replaced by its value as a checked integer literal (``QueryParam.integer_literal``).

        Args:
            values: every parameter's value by name (``bind``).

        Returns:
            ``(sql, params)``: the SQL text and the parameter of each ``?`` left in it, in order.

        Examples:
            >>> q = get_query("top_actors")
            >>> sql, params = q.render(q.bind({"limit": "3"}))
            >>> sql.splitlines()[-1], params
            ('limit 3', ())
        """
        sql, bound = self.sql, []
        marks = zip(placeholders(self.sql), self.params, self.clauses, strict=True)
        for token, param, clause in reversed(list(marks)):
            if clause == "where":
                bound.insert(0, param)
            else:
                literal = param.integer_literal(values.get(param.name))
                sql = sql[: token.start] + literal + sql[token.end + 1 :]
        return sql, tuple(bound)


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
    root = resources.files("movie_pipeline.analysis.sql")
    return {e.name[:-4]: e for e in root.iterdir() if e.name.endswith(".sql")}


@cache
def get_query(name: str) -> Query:
    """Load and check a shipped query.

    Raises:
        KeyError: for an unknown name (the message lists the known ones).
        QueryError: when the declared parameters do not fit the ``?`` placeholders
            (``Query.from_sql``).
    """
    files = _sql_files()
    if not _NAME_RE.match(name) or name not in files:
        raise KeyError(f"unknown query {name!r}; known: {', '.join(sorted(files))}")
    return Query.from_sql(name, files[name].read_text(encoding="utf-8"))


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


def placeholder_clauses(sql: str) -> list[str]:
    """The clause each ``?`` sits in, in text order: ``where``, ``limit``, ``having``, ``join``.

    The clause is that of the nearest query around the ``?`` (a subquery's own LIMIT is a
    ``limit``, even inside a WHERE clause).
    """
    tree = sqlglot.parse_one(named_placeholders(sql), read="athena")
    found = {}
    for node in tree.find_all(exp.Placeholder):
        child = node
        while child.parent is not None and not isinstance(child.parent, exp.Query):
            child = child.parent
        clause = child.arg_key if child.parent is not None else "statement"
        found[int(node.name[1:])] = _CLAUSES.get(clause, clause)
    return [found[i] for i in range(len(found))]


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
    from movie_pipeline.specs.ddl import catalog_schema

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


def run_sql(settings: Settings, text: str, estimate: bool = True) -> QueryResult:
    """Run your own Athena SQL the way the shipped queries run: Athena, or DuckDB offline.

    The text is Athena's (Trino) dialect, with no ``?`` parameters; offline it is transpiled
    to DuckDB and its scan is estimated, on AWS Athena bills what it scans.

    Args:
        settings: backend, catalog, database, workgroup.
        text: one SELECT statement.

    Returns:
        A QueryResult named ``your_sql``.

    Examples:
        >>> run_sql(settings, "select count(*) as n from cast_data").frame  # doctest: +SKIP
    """
    query = Query.from_sql("your_sql", "-- your_sql: your own query\n" + text.strip())
    if settings.backend == "aws":
        return run_athena(settings, query)
    return run_local(settings, query, None, estimate)


def run_local(
    settings: Settings,
    name: str | Query,
    params: dict[str, Any] | None = None,
    estimate: bool = True,
) -> QueryResult:
    """Run a shipped query (or a ``Query``) on the local DuckDB catalog (transpiled from Athena's dialect)."""
    from movie_pipeline.analysis import scan as cost

    query = name if isinstance(name, Query) else get_query(name)
    name = query.name
    values = query.bind(params)
    if not settings.catalog_path.exists():
        raise QueryError(
            f"no local catalog at {settings.catalog_path}: run `movie-pipeline catalog` first"
        )
    sql, bound_params = query.render(values)
    engine_sql = to_duckdb(sql)
    bound = {f"p{i}": values[p.name] for i, p in enumerate(bound_params)}
    with duckdb.connect(str(settings.catalog_path), read_only=True) as con:
        start = time.perf_counter()
        try:
            frame = con.execute(engine_sql, bound).fetchdf()
        except duckdb.CatalogException as exc:
            raise QueryError(
                f"query {name} needs tables {', '.join(referenced_tables(sql))}; "
                f"the catalog lacks one ({str(exc).splitlines()[0]}): run transform and catalog"
            ) from exc
        seconds = time.perf_counter() - start
    result = QueryResult(name, frame, sql, engine_sql, values, seconds)
    if estimate:
        bound_list = [values[p.name] for p in bound_params]
        result.estimate = cost.estimate_scan(settings, sql, bound_list)
        result.bytes_scanned = result.estimate.bytes_pruned
        result.usd = result.estimate.usd_pruned
    return result


def run_athena(
    settings: Settings, name: str | Query, params: dict[str, Any] | None = None, session=None
) -> QueryResult:
    """Run a shipped query (or a ``Query``) on Athena: its text, its ``?`` as execution parameters.

    ``session`` is a boto3 Session (default: ``aws.session.boto3_session(settings)``).
    """
    from movie_pipeline.analysis import athena
    from movie_pipeline.aws.costs import athena_cost

    query = name if isinstance(name, Query) else get_query(name)
    name = query.name
    values = query.bind(params)
    sql, bound_params = query.render(values)
    literals = [p.athena_literal(values[p.name]) for p in bound_params]
    start = time.perf_counter()
    frame, execution = athena.read_query(settings, sql, literals, session)
    scanned = int(execution.get("Statistics", {}).get("DataScannedInBytes", 0))
    return QueryResult(
        name, frame, sql, sql, values, time.perf_counter() - start,
        bytes_scanned=scanned, bytes_estimated=False, usd=athena_cost(scanned),
        query_execution_id=execution.get("QueryExecutionId"),
    )  # fmt: skip
