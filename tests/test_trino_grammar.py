"""Every statement the pipeline sends to Athena parses with Trino's own grammar.

Athena engine v3 runs DML and views on Trino; sqlglot accepts more than Trino does and moto's
Athena runs no SQL, so neither would catch ``select "cast" as cast`` (CAST is reserved in
Trino). Here the statements are recorded as Athena receives them (moto keeps each
StartQueryExecution) from the code paths that send SQL, and parsed with trino-query-parser, an
ANTLR build of Trino's SqlBase.g4. The check adds what Trino's parser refuses after the grammar
(backquoted and digit-first identifiers) and Athena's rule that execution parameters (``?``)
belong in a WHERE clause. A scan of the package's source makes sure that no other code path
sends SQL to Athena.

Athena parses DDL such as ``CREATE EXTERNAL TABLE``, ``MSCK REPAIR TABLE`` and ``ALTER TABLE
ADD PARTITION`` with Hive's grammar, not Trino's: none of it is checked with Trino. The pipeline
sends none (tables and partitions go through the Glue API); the Hive DDL that ``ddl`` builds for
learners to read is checked for backquoted identifiers only, which keeps Hive's reserved words
(``date``, ``timestamp``, ...) usable as names.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import boto3
import pytest
import requests
import sqlglot
from antlr4 import CommonTokenStream, InputStream
from antlr4.tree.Tree import TerminalNode
from sqlglot import exp
from trino_query_parser import TrinoSyntaxError
from trino_query_parser.error import TrinoErrorListener
from trino_query_parser.SqlBaseLexer import SqlBaseLexer
from trino_query_parser.SqlBaseParser import SqlBaseParser

import movie_pipeline
from movie_pipeline.analysis import athena, query
from movie_pipeline.catalog import register as catalog
from movie_pipeline.config import Settings
from movie_pipeline.report import audit
from movie_pipeline.specs import ddl
from movie_pipeline.specs.tables import CLEANED_TABLES, RAW_TABLES


# Trino's check ---------------------------------------------------------------------------------
def trino_tree(sql: str) -> SqlBaseParser.SingleStatementContext:
    """Parse one statement with Trino's grammar; a syntax error raises TrinoSyntaxError."""
    # The ANTLR build knows upper-case keywords only (Trino reads its input through a
    # case-insensitive stream), so the text is upper-cased, as trino_query_parser itself does.
    lexer = SqlBaseLexer(InputStream(sql.upper()))
    parser = SqlBaseParser(CommonTokenStream(lexer))
    for recognizer in (lexer, parser):
        recognizer.removeErrorListeners()
        recognizer.addErrorListener(TrinoErrorListener())
    return parser.singleStatement()


def _terminals(tree):
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, TerminalNode):
            yield node
        else:
            stack.extend(reversed(node.children or []))


def _in_where(node) -> bool:
    """True when ``node`` sits in the WHERE clause of the nearest query around it."""
    child, parent = node, node.parentCtx
    while parent is not None:
        if isinstance(parent, SqlBaseParser.QuerySpecificationContext):
            return child is parent.where
        if isinstance(parent, SqlBaseParser.QueryNoWithContext):
            return False  # ORDER BY, OFFSET, LIMIT or FETCH of a query
        child, parent = parent, parent.parentCtx
    return False


def trino_problems(sql: str, params: list[str] | None = None) -> list[str]:
    """What Athena would refuse in ``sql`` (run with ``params``), each as ``line:column message``.

    Columns count from 0, as ANTLR reports them. With ``params``, there must be one per ``?``,
    and ``EXECUTE ... USING`` them must parse too: that is how Athena binds them.
    """
    try:
        tree = trino_tree(sql)
    except TrinoSyntaxError as err:
        return [str(err)]
    problems, marks = [], 0
    for node in _terminals(tree):
        token, where = node.symbol, f"{node.symbol.line}:{node.symbol.column}"
        if token.type == SqlBaseParser.BACKQUOTED_IDENTIFIER:
            problems.append(f"{where} backquoted identifiers are not supported in Trino")
        elif token.type == SqlBaseParser.DIGIT_IDENTIFIER:
            problems.append(f"{where} identifiers must not start with a digit in Trino")
        elif token.type == SqlBaseParser.QUESTION_MARK:
            marks += 1
            if not _in_where(node):
                problems.append(f"{where} '?' outside a WHERE clause: Athena takes execution "
                                "parameters in WHERE only")  # fmt: skip
    if params is not None and marks != len(params):
        problems.append(f"{marks} '?' but {len(params)} execution parameters")
    if params:
        execute = "EXECUTE statement USING " + ", ".join(params)
        problems += [f"{p} in: {execute}" for p in trino_problems(execute)]
    return problems


def _numbered(sql: str) -> str:
    return "\n".join(f"{i:4} | {line}" for i, line in enumerate(sql.splitlines(), 1))


def assert_athena_accepts(statements: list[tuple[str, list[str]]]) -> None:
    """Fail with every problem of every statement: where, what, and the statement itself.

    Each statement is ``(text, execution parameters)`` as Athena received it: Trino's check for
    DML and views, the backquote check for Hive DDL.
    """
    failures = []
    for sql, params in statements:
        problems = hive_problems(sql) if HIVE_DDL.match(sql) else trino_problems(sql, params)
        first = sql.strip().splitlines()[0]
        failures += [f"{first}\n  {p}\n{_numbered(sql)}" for p in problems]
    if failures:
        pytest.fail("Athena would refuse:\n\n" + "\n\n".join(failures), pytrace=False)


# Hive DDL: Athena's other grammar ------------------------------------------------------------
HIVE_DDL = re.compile(
    r"\s*(msck\s|alter\s+(table|database|schema)\s|drop\s+(table|database|schema)\s"
    r"|create\s+(database|schema)\s"
    r"|create\s+(external\s+)?table\s(?!.*\bas\s*\(?\s*(select|with)\s))",  # CTAS is Trino
    re.IGNORECASE | re.DOTALL,
)


def hive_problems(sql: str) -> list[str]:
    """Names in Hive DDL that are not backquoted (a reserved word there breaks the statement)."""
    if re.match(r"\s*MSCK\s", sql, re.IGNORECASE):  # sqlglot does not parse it: one name to check
        ok = re.fullmatch(r"\s*MSCK\s+REPAIR\s+TABLE\s+(`\w+`\.)?`\w+`\s*", sql, re.IGNORECASE)
        return [] if ok else [f"a name is not backquoted: {sql.strip()}"]
    tree = sqlglot.parse_one(sql, read="hive")
    if isinstance(tree, exp.Command):
        return [f"sqlglot cannot parse it, so it is not checked: {sql.strip()}"]
    return [f"`{i.name}` is not backquoted" for i in tree.find_all(exp.Identifier) if not i.quoted]


# The checks can fail ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ('select "cast" as cast from t', "1:17 mismatched input 'CAST'"),  # the old typed view
        ("select `id` from t", "1:7 backquoted identifiers are not supported"),
        ("select 1 as 2x from t", "1:12 identifiers must not start with a digit"),
        ("select * from t limit ?", "1:22 '?' outside a WHERE clause"),
        ("select a from t group by a having count(*) >= ?", "1:46 '?' outside a WHERE"),
        ("select * from t join u on u.id = t.id and u.n > ?", "1:48 '?' outside a WHERE"),
        ("select * from (select a from t limit ?) where a = ?", "1:37 '?' outside a WHERE"),
        ("select a from t where a = 'x", "1:26 no viable alternative"),
        ("select a from t; select b from t", "1:15 mismatched input ';'"),
    ],
)
def test_the_check_refuses_what_athena_refuses(sql, problem):
    problems = trino_problems(sql)
    assert problems and problems[0].startswith(problem), problems
    with pytest.raises(pytest.fail.Exception, match=re.escape(problem)):
        assert_athena_accepts([(sql, [])])


@pytest.mark.parametrize(
    "sql",
    [
        'select "cast" as "cast", "order" from "t" where "a" = ? and b in (select c from u '
        "where d = ?) order by 1 limit 5",
        'create or replace view "v" as select try_cast("x" as integer) as "x" from "t"',
        "select (select count(*) from u where u.id = t.id and u.n > ?) as n from t",
    ],
)
def test_the_check_accepts_what_athena_accepts(sql):
    assert trino_problems(sql) == []
    assert_athena_accepts([(sql, ["'O''Neil'"] * sql.count("?"))])


def test_parameters_are_checked_as_athena_binds_them():
    with pytest.raises(pytest.fail.Exception, match="1 '\\?' but 2 execution parameters"):
        assert_athena_accepts([("select a from t where a = ?", ["1", "2"])])
    with pytest.raises(pytest.fail.Exception, match="EXECUTE statement USING 'O'Neil'"):
        assert_athena_accepts([("select a from t where a = ?", ["'O'Neil'"])])


# What the pipeline sends, recorded as Athena receives it --------------------------------------
@pytest.fixture
def athena_log(aws_lake, aws, aws_session, monkeypatch):
    """A function that returns every ``(statement, execution parameters)`` Athena received."""
    # One boto3 Session for every call: a new one parses the service models again (1 s a call).
    monkeypatch.setattr(athena, "boto3_session", lambda settings: aws_session)
    state = f"{aws}/moto-api/state-manager"
    athena_execution = {"model_name": "athena::execution"}
    # moto runs no SQL: each execution succeeds at once (no 1 s polls) and returns one row, so
    # that every caller has a result to read.
    immediate = {**athena_execution, "transition": {"progression": "immediate"}}
    requests.post(f"{state}/set-transition", json=immediate, timeout=10)
    one_row = {
        "rows": [{"Data": [{"VarCharValue": "n"}]}, {"Data": [{"VarCharValue": "0"}]}],
        "column_info": [{"Name": "n", "Label": "n", "Type": "bigint", "Nullable": "UNKNOWN"}],
    }
    results = {"results": [one_row] * 200}  # more than any test sends
    requests.post(f"{aws}/moto-api/static/athena/query-results", json=results, timeout=10)

    def received() -> list[tuple[str, list[str]]]:
        client = boto3.client("athena")
        pages = client.get_paginator("list_query_executions").paginate(WorkGroup=aws_lake.workgroup)
        ids = [i for page in pages for i in page["QueryExecutionIds"]]
        executions = [client.get_query_execution(QueryExecutionId=i)["QueryExecution"] for i in ids]
        return [(e["Query"], e.get("ExecutionParameters", [])) for e in executions]

    yield received
    requests.post(f"{state}/unset-transition", json=athena_execution, timeout=10)


@pytest.mark.aws
def test_the_typed_views_athena_receives_parse_as_trino(aws_lake, aws_session, athena_log):
    s3 = boto3.client("s3")
    for raw in RAW_TABLES.values():
        key = f"{aws_lake.raw_prefix}/{raw.dataset}/{raw.file}"
        s3.put_object(Bucket=aws_lake.bucket, Key=key, Body=b"header\n")
    catalog.register_glue(aws_lake, session=aws_session)
    statements = athena_log()
    assert len(statements) == len(RAW_TABLES)  # one view per raw table, nothing else
    assert_athena_accepts(statements)


@pytest.mark.aws
def test_every_query_athena_receives_parses_as_trino(aws_lake, athena_log):
    runs = [(name, {}) for name in query.list_queries()]
    # A quote in a text value: the literal Athena binds must still be one Trino literal.
    runs += [(name, {p.name: "O'Neil's unit"}) for name, _ in list(runs)
             for p in query.get_query(name).parameters if p.type == "varchar"]  # fmt: skip
    for name, params in runs:
        query.run_athena(aws_lake, name, params)
    statements = athena_log()
    assert len(statements) == len(runs) > len(query.list_queries())
    assert_athena_accepts(statements)


@pytest.mark.aws
def test_your_own_sql_reaches_athena_as_written(aws_lake, athena_log):
    text = (
        'select name, count(*) as movies from cast_data where "order_num" < 3 '
        "group by name order by movies desc limit 5"
    )
    result = query.run_sql(aws_lake, text)
    ((statement, parameters),) = athena_log()
    assert statement.endswith(text) and parameters == []
    assert result.name == "your_sql" and result.bytes_scanned is not None
    assert_athena_accepts([(statement, parameters)])


@pytest.mark.aws
def test_the_key_checks_athena_receives_parse_as_trino(aws_lake, athena_log):
    audit.key_quality(aws_lake, list(CLEANED_TABLES))
    statements = athena_log()
    assert len(statements) == len(CLEANED_TABLES)
    assert_athena_accepts(statements)


def _hive_ddl_for_learners() -> dict[str, str]:
    """The Hive DDL that ``ddl`` builds for learners to read (notebook 03, the docs)."""
    settings = Settings(backend="aws", bucket="lake-bucket", database="films")
    out = {}
    for name, spec in CLEANED_TABLES.items():
        out[f"athena_ddl:{name}"] = ddl.athena_ddl(spec, settings)
        out[f"repair_sql:{name}"] = ddl.repair_sql(spec, settings)
    for name, raw in RAW_TABLES.items():
        out[f"raw_athena_ddl:{name}"] = ddl.raw_athena_ddl(raw, settings)
    return out


HIVE_DDL_FOR_LEARNERS = _hive_ddl_for_learners()


@pytest.mark.parametrize("name", sorted(HIVE_DDL_FOR_LEARNERS))
def test_the_hive_ddl_for_learners_backquotes_every_name(name):
    sql = HIVE_DDL_FOR_LEARNERS[name]
    assert HIVE_DDL.match(sql), f"{name} is not Hive DDL: check it with Trino's grammar"
    assert_athena_accepts([(sql, [])])


def test_the_hive_check_can_fail():
    with pytest.raises(pytest.fail.Exception, match="`date` is not backquoted"):
        assert_athena_accepts([("CREATE EXTERNAL TABLE `t` (date string) LOCATION 's3://b/'", [])])
    with pytest.raises(pytest.fail.Exception, match="not backquoted: MSCK"):
        assert_athena_accepts([("MSCK REPAIR TABLE films.movies", [])])


# No other path sends SQL to Athena ---------------------------------------------------------------
# Calls that hand SQL text to Athena, in boto3 and in awswrangler.
SENDS_SQL = {"start_query_execution", "create_prepared_statement", "read_sql_query",
             "read_sql_table", "unload", "create_ctas_table", "to_iceberg"}  # fmt: skip
ATHENA_MODULE = "movie_pipeline.analysis.athena"
THE_EDGE = {"analysis.athena.run_statement", "analysis.athena.read_query"}  # what calls SENDS_SQL
# Each caller of the edge, and the test above that records everything it sends.
DRIVEN = {
    "catalog.register.register_glue": test_the_typed_views_athena_receives_parse_as_trino,
    "analysis.query.run_athena": test_every_query_athena_receives_parses_as_trino,
    "report.audit.key_quality": test_the_key_checks_athena_receives_parse_as_trino,
}


def athena_calls(module: str, source: str) -> dict[str, set[str]]:
    """``{"sends": functions calling SENDS_SQL, "edge": functions calling athena.py's}``."""
    tree = ast.parse(source)
    # local names of movie_pipeline.analysis.athena and its functions
    modules, functions = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "movie_pipeline.analysis":
            modules |= {a.asname or a.name for a in node.names if a.name == "athena"}
        elif isinstance(node, ast.ImportFrom) and node.module == ATHENA_MODULE:
            functions |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            modules |= {a.asname for a in node.names if a.name == ATHENA_MODULE and a.asname}
    found: dict[str, set[str]] = {"sends": set(), "edge": set()}

    def visit(node, scope):
        for child in ast.iter_child_nodes(node):
            inner = scope
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                inner = f"{scope}.{child.name}"
            if isinstance(child, ast.Call):
                func = child.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in SENDS_SQL:
                    found["sends"].add(scope)
                elif (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                      and func.value.id in modules) or name in functions:  # fmt: skip
                    found["edge"].add(scope)
            visit(child, inner)

    visit(tree, module)
    return found


def test_no_other_code_path_sends_sql_to_athena():
    root = Path(movie_pipeline.__file__).parent
    sends, edge = set(), set()
    for path in sorted(root.rglob("*.py")):
        module = ".".join(path.relative_to(root).with_suffix("").parts)
        found = athena_calls(module, path.read_text(encoding="utf-8"))
        sends |= found["sends"]
        edge |= found["edge"]
    assert sends == THE_EDGE, "SQL reaches Athena other than through athena.py: route it there"
    assert edge == set(DRIVEN), (
        "a new code path sends SQL to Athena: record what it sends in a test of this module"
    )


def test_the_scan_finds_a_new_path():
    source = (
        "from movie_pipeline.analysis import athena\n"
        "from movie_pipeline.analysis.athena import read_query as rq\n\n"
        "def report(settings, client):\n"
        "    athena.run_statement(settings, 'select 1')\n"
        "    rq(settings, 'select 2')\n\n"
        "class Checks:\n"
        "    def run(self, client):\n"
        "        client.start_query_execution(QueryString='select 3')\n"
    )
    assert athena_calls("extra", source) == {
        "sends": {"extra.Checks.run"},
        "edge": {"extra.report"},
    }
