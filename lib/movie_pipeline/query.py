"""Run the analysis queries, written in Athena's (Trino) dialect, on Athena or on local DuckDB."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from importlib import resources

import duckdb
import pandas as pd
import sqlglot

from movie_pipeline.config import Settings

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass
class QueryResult:
    """A query's answer with what it cost to get."""

    name: str
    frame: pd.DataFrame
    sql: str
    engine_sql: str
    seconds: float


def list_queries() -> dict[str, str]:
    """Return ``{name: one-line description}`` for every query shipped in ``sql/``."""
    out = {}
    for entry in sorted(resources.files("movie_pipeline.sql").iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".sql"):
            first = entry.read_text(encoding="utf-8").splitlines()[0]
            out[entry.name[:-4]] = first.removeprefix("--").split(":", 1)[-1].strip()
    return out


def load_sql(name: str) -> str:
    """Return the Athena SQL of a shipped query; unknown names are an error listing the known ones."""
    if not _NAME_RE.match(name) or name not in list_queries():
        raise KeyError(f"unknown query {name!r}; known: {', '.join(list_queries())}")
    return resources.files("movie_pipeline.sql").joinpath(f"{name}.sql").read_text("utf-8")


def to_duckdb(sql: str) -> str:
    """Transpile Athena (Trino) SQL to DuckDB's dialect with sqlglot."""
    return ";\n".join(sqlglot.transpile(sql, read="athena", write="duckdb", pretty=True))


def run_local(settings: Settings, name: str) -> QueryResult:
    """Run a shipped query on the local DuckDB catalog."""
    sql = load_sql(name)
    engine_sql = to_duckdb(sql)
    start = time.perf_counter()
    with duckdb.connect(str(settings.catalog_path), read_only=True) as con:
        frame = con.execute(engine_sql).fetchdf()
    return QueryResult(name, frame, sql, engine_sql, time.perf_counter() - start)
