"""Parse the Python-literal cells of The Movies Dataset natively in Spark (no Python UDF on the hot path).

The nested cells are ``repr()`` of lists of dicts, not JSON: single-quoted strings, ``None``,
``\\'`` and ``\\xNN`` escapes. Regular expressions turn them into JSON that Spark's Jackson
parser accepts (with single quotes and any-character escapes allowed), so the parse runs in the
JVM. JSON cells (the TMDB 5000 variant) pass through unchanged.

:func:`parse_cells` is the entry: one call parses cells as ``ast.literal_eval`` would, through
the tiers below (the ETL runs the same tiers with each step staged, ``flatten.settle_retries``).

Two native paths give the same values:

* :func:`parse_literal` is exact: ``None`` is rewritten only outside strings, and values are
  read as text and then typed with checks, so a value of the wrong type (``'id': 'x'``) makes
  the cell fail instead of becoming a silent null inside it.
* :func:`parse_literals` (the ETL's hot path) is a cheap parse (a plain ``None`` -> ``null``
  replace, typed directly), kept only when the result proves it cannot be a misreading: no
  string value holds ``null`` and no number is null. It flags the other cells, which
  :func:`retry_cells` settles off the hot path with the exact parser. Several times cheaper on
  credits, where almost no cell needs the exact path.

The expressions are generated as Spark SQL text: built from Python column objects they cost
thousands of Py4J calls per plan. Cells the exact parser refuses (rare: ``\\U0001xxxx``
escapes, damaged text) go to ``ast.literal_eval`` on that subset only (:func:`retry_cells`), and
what still fails gets a reason, never a silent drop.
"""

from __future__ import annotations

import ast
import json

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.types import DataType

# ``None`` outside string literals becomes ``null``. \G anchors every match where the last one
# ended, so the scan walks token by token and can never start inside a quoted string, whatever
# the string holds ("None", quotes, backslashes). Possessive quantifiers keep Java's regex engine
# iterative on 30 KB cells.
_NONE_OUTSIDE_STRINGS = (
    r"""\G((?:[^'"N]++|N(?!one\b)|'(?:[^'\\]++|\\.)*+'|"(?:[^"\\]++|\\.)*+")*+)None\b"""
)
# Python writes \xNN where JSON needs \u00NN; an even run of backslashes before it is literal.
_HEX_ESCAPE = r"(?<!\\)((?:\\\\)*+)\\x([0-9a-fA-F]{2})"
# Escapes Python and JSON read differently (\UXXXXXXXX astral code points, \v, \0, \N{...},
# \/ which is two characters in Python, a \x without two hex digits): Jackson, told to accept
# any escape, would read them wrongly, so such cells go to the literal_eval retry instead.
_ODD_ESCAPE = r"(?<!\\)(?:\\\\)*+\\(?:[^\\'\"bfnrtux]|x(?![0-9a-fA-F]{2}))"
# Text a JSON scalar may be once read as a string, per Spark type. Ten digits at most keep the
# cast to bigint exact before the int range check.
_SCALAR_TEXT = {
    "int": r"^-?[0-9]{1,10}$",
    "bigint": r"^-?[0-9]{1,18}$",
    "double": r"^-?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$",
}

JSON_OPTIONS = {
    "allowSingleQuotes": "true",
    "allowBackslashEscapingAnyCharacter": "true",
    "mode": "PERMISSIVE",
}


def sql_string(text: str) -> str:
    """A Spark SQL string literal holding exactly ``text``."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def sql_name(column: str) -> str:
    """A Spark SQL identifier naming exactly ``column`` (backquoted)."""
    return "`" + column.replace("`", "``") + "`"


def non_null_array_sql(items: list[str]) -> str:
    """SQL: the non-null values of ``items`` as an array (empty, never null)."""
    return f"filter(array({', '.join(items)}), x -> x IS NOT NULL)"


def ddl(dtype: DataType) -> str:
    """A type as Spark SQL DDL, field names quoted (``order`` is a keyword)."""
    if isinstance(dtype, T.ArrayType):
        return f"array<{ddl(dtype.elementType)}>"
    if isinstance(dtype, T.StructType):
        return (
            "struct<"
            + ",".join(f"{sql_name(f.name)}:{ddl(f.dataType)}" for f in dtype.fields)
            + ">"
        )
    return dtype.simpleString()


_HEX_REPLACEMENT = sql_string(r"$1\\u00$2")  # Java replacement syntax: \\ is one backslash
_BACKSLASH, _BACKSLASH_X = sql_string("\\"), sql_string("\\x")
_OPTIONS_SQL = (
    "map(" + ", ".join(f"{sql_string(k)}, {sql_string(v)}" for k, v in JSON_OPTIONS.items()) + ")"
)


def _from_json(text_sql: str, dtype: DataType) -> str:
    return f"from_json({text_sql}, {sql_string(ddl(dtype))}, {_OPTIONS_SQL})"


def literal_to_json_sql(cell: str) -> str:
    """SQL rewriting a Python-literal cell as JSON text, exactly (JSON is left as it is).

    One CASE with exclusive branches: each regular expression runs at most once per cell, and
    only on cells that hold ``None`` or ``\\x``.
    """
    no_none = f"regexp_replace({cell}, {sql_string(_NONE_OUTSIDE_STRINGS)}, '$1null')"

    def hexes(sql: str) -> str:
        return f"regexp_replace({sql}, {sql_string(_HEX_ESCAPE)}, {_HEX_REPLACEMENT})"

    has_none, has_hex = f"contains({cell}, 'None')", f"contains({cell}, {_BACKSLASH_X})"
    return (
        f"CASE WHEN {has_none} AND {has_hex} THEN {hexes(no_none)} WHEN {has_none} THEN {no_none} "
        f"WHEN {has_hex} THEN {hexes(cell)} ELSE {cell} END"
    )


def as_text(schema: DataType) -> DataType:
    """The same shape as ``schema`` with every scalar read as a string (what Jackson never refuses)."""
    if isinstance(schema, T.ArrayType):
        return T.ArrayType(as_text(schema.elementType))
    if isinstance(schema, T.StructType):
        return T.StructType([T.StructField(f.name, as_text(f.dataType)) for f in schema.fields])
    return T.StringType()


def _scalar_sql(text: str, dtype: DataType) -> str:
    """SQL converting a text scalar to ``dtype``; null where it does not fit (never raises)."""
    kind = dtype.simpleString()
    if kind == "string":
        return text
    if kind == "int":
        wide = f"CAST({text} AS BIGINT)"
        return (f"CASE WHEN {text} RLIKE {sql_string(_SCALAR_TEXT['int'])} THEN CASE WHEN {wide} "
                f"BETWEEN -2147483648 AND 2147483647 THEN CAST({wide} AS INT) END END")  # fmt: skip
    if kind in ("bigint", "double"):
        return f"CASE WHEN {text} RLIKE {sql_string(_SCALAR_TEXT[kind])} THEN CAST({text} AS {kind}) END"
    if kind == "boolean":
        return f"CASE {text} WHEN 'true' THEN true WHEN 'false' THEN false END"
    raise TypeError(f"no checked conversion from text to {kind}")


def _convert_sql(text: str, dtype: DataType) -> str:
    """SQL converting a scalar, or a struct of scalars, read as text to ``dtype``."""
    if isinstance(dtype, T.StructType):
        fields = ", ".join(
            f"{sql_string(f.name)}, {_convert_sql(f'{text}.{sql_name(f.name)}', f.dataType)}"
            for f in dtype.fields
        )
        return f"CASE WHEN {text} IS NOT NULL THEN named_struct({fields}) END"
    if isinstance(dtype, T.ArrayType):
        raise TypeError("nested lists inside an entry are not supported")
    return _scalar_sql(text, dtype)


def _lost_sql(text: str, typed: str, dtype: DataType) -> str:
    """SQL: true where a non-null text scalar became null (it did not fit its type)."""
    if isinstance(dtype, T.StructType):
        checks = [_lost_sql(f"{text}.{sql_name(f.name)}", f"{typed}.{sql_name(f.name)}", f.dataType)
                  for f in dtype.fields if not isinstance(f.dataType, T.StringType)]  # fmt: skip
        return "(" + " OR ".join(checks or ["false"]) + ")"
    return f"({text} IS NOT NULL AND {typed} IS NULL)"


def typed_or_null_sql(text: str, schema: DataType) -> str:
    """SQL converting a value parsed with :func:`as_text` to ``schema``; null if a scalar misfits.

    A fold over the entries carries the converted list and a "lost" flag together, so ``text``
    (a ``from_json``) appears once and is evaluated once; an inner one-element fold binds each
    converted entry ``y`` to compare it with its text ``x``. A scalar that does not fit its type
    (``'x'`` or ``1.5`` for an int) makes the whole cell null, so that the caller refuses it.
    """
    if isinstance(schema, T.ArrayType):
        elem = schema.elementType
        lost = _lost_sql("x", "y", elem)
        start = f"named_struct('v', CAST(array() AS {ddl(schema)}), 'lost', false)"
        step = (f"(acc, x) -> aggregate(array({_convert_sql('x', elem)}), acc, (a, y) -> "
                f"named_struct('v', concat(a.v, array(y)), 'lost', a.lost OR {lost}))")  # fmt: skip
        return f"aggregate({text}, {start}, {step}, acc -> CASE WHEN NOT acc.lost THEN acc.v END)"
    lost = _lost_sql("x", "y", schema)
    convert = f"aggregate(array({_convert_sql('x', schema)}), acc, (a, y) -> CASE WHEN NOT {lost} THEN y END)"
    return f"aggregate(array({text}), CAST(NULL AS {ddl(schema)}), (acc, x) -> {convert})"


def _shape_ok_sql(cell: str, schema: DataType) -> str:
    # Jackson reads {...} as a one-element array and ignores text after the value: refuse both.
    # trim() copies the cell: only look past whitespace when the first character is not it.
    opener, closer = ("[", "]") if isinstance(schema, T.ArrayType) else ("{", "}")
    starts = f"(startswith({cell}, '{opener}') OR startswith(trim({cell}), '{opener}'))"
    ends = f"(endswith({cell}, '{closer}') OR endswith(trim({cell}), '{closer}'))"
    return f"({starts} AND {ends})"


def _exact_sql(json_sql: str, cell: str, schema: DataType) -> str:
    odd = _odd_escape_sql(cell)
    typed = typed_or_null_sql(_from_json(json_sql, as_text(schema)), schema)
    return f"CASE WHEN {_shape_ok_sql(cell, schema)} AND NOT {odd} THEN {typed} END"


def _odd_escape_sql(cell: str) -> str:
    return f"(contains({cell}, {_BACKSLASH}) AND {cell} RLIKE {sql_string(_ODD_ESCAPE)})"


def parse_literal(cell: str, schema: DataType) -> Column:
    """Parse a Python-literal (or JSON) cell into a typed Spark value, exactly as literal_eval would.

    Args:
        cell: name of the string column holding ``repr()`` text such as
            ``"[{'id': 16, 'name': 'Animation'}]"``.
        schema: the Spark type of the parsed value, e.g. ``ArrayType(StructType(...))``.

    Returns:
        A column of ``schema`` type: null where the cell is blank or could not be parsed
        natively (:func:`retry_cells` retries those with literal_eval).

    Examples:
        >>> df.select(parse_literal("genres", GENRES_SCHEMA).alias("genres"))  # doctest: +SKIP
    """
    name = sql_name(cell)
    return F.expr(_exact_sql(literal_to_json_sql(name), name, schema))


def _misread_sql(value: str, dtype: DataType) -> str:
    """True where a cheap parse might differ from the exact one (see :func:`parse_literals`).

    A ``None`` inside a string became ``null`` inside that string, and a scalar of the wrong
    type became a null: any string holding "null", or any null number, sends the cell to the
    exact path. A null string is fine (``'profile_path': None`` is everywhere).
    """
    if isinstance(dtype, T.ArrayType):
        return f"exists({value}, x -> {_misread_sql('x', dtype.elementType)})"
    if isinstance(dtype, T.StructType):
        checks = [_misread_sql(f"{value}.{sql_name(f.name)}", f.dataType) for f in dtype.fields]
        return f"({value} IS NULL OR " + " OR ".join(checks) + ")"
    if isinstance(dtype, T.StringType):
        return f"contains({value}, 'null')"
    return f"{value} IS NULL"


def _cheap_json_sql(cell: str) -> str:
    replaced = f"replace({cell}, 'None', 'null')"
    hexed = f"regexp_replace({replaced}, {sql_string(_HEX_ESCAPE)}, {_HEX_REPLACEMENT})"
    return f"CASE WHEN contains({cell}, {_BACKSLASH_X}) THEN {hexed} ELSE {replaced} END"


def parse_literals(
    df: DataFrame, cells: dict[str, tuple[str, DataType]], retry_col: str = "_retry"
) -> DataFrame:
    """The hot path: parse several literal cells of ``df`` cheaply, and flag what it cannot prove.

    Each cell is parsed with a plain ``None`` -> ``null`` replace (no regular expression on most
    cells), typed directly. The result is kept only when it cannot be a misreading: no string
    value holds "null" (where a ``None`` inside a string would have landed), no number is null
    (where a value of the wrong type would have landed), the cell is one list, and it has no
    escape Python and JSON read differently. Any other non-blank cell is left null and named in
    ``retry_col``, for :func:`retry_cells` (the exact native parser, then literal_eval) to
    settle off the hot path. Keeping the exact parser out of this projection keeps the code
    Spark generates, compiles and warms up for every row small.

    Args:
        df: the input rows.
        cells: ``{output column: (raw string column, Spark type)}``; outputs must be new names.
        retry_col: name of an added array column listing the outputs to retry; empty on rows
            the hot path settled.

    Returns:
        ``df`` plus the parsed columns and ``retry_col``.
    """
    quick = df.select("*", *[
        F.expr(_from_json(_cheap_json_sql(sql_name(raw)), schema)).alias(f"_quick_{out}")
        for out, (raw, schema) in cells.items()
    ])  # fmt: skip

    def keep(out: str, raw: str, schema: DataType) -> Column:
        q, r = sql_name(f"_quick_{out}"), sql_name(raw)
        sure = (f"NOT coalesce({_misread_sql(q, schema)}, false) "
                f"AND {_shape_ok_sql(r, schema)} AND NOT {_odd_escape_sql(r)}")  # fmt: skip
        return F.expr(f"CASE WHEN {sure} THEN {q} END").alias(out)

    parsed = quick.select(
        *[sql_name(c) for c in df.columns],
        *[keep(out, raw, schema) for out, (raw, schema) in cells.items()],
    )
    failed = [
        f"CASE WHEN {sql_name(out)} IS NULL AND trim(coalesce({sql_name(raw)}, '')) != '' "
        f"THEN {sql_string(out)} END"
        for out, (raw, _) in cells.items()
    ]
    return parsed.withColumn(retry_col, F.expr(non_null_array_sql(failed)))


def literal_eval_json(text: str | None) -> tuple[str | None, str | None]:
    """Parse one cell in Python (``ast.literal_eval``, then ``json.loads``) and return it as JSON.

    The slow path, run on the few cells the native parser refuses.

    Args:
        text: the raw cell.

    Returns:
        ``(json_text, None)`` on success, ``(None, reason)`` when neither parser accepts it.
    """
    if text is None:
        return None, None
    try:
        value = ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as exc:
        try:  # the TMDB variant is JSON; json.loads covers what literal_eval refuses there
            value = json.loads(text)
        except ValueError:
            return None, f"not a Python literal or JSON ({type(exc).__name__}: {exc})"
    try:
        return json.dumps(value, ensure_ascii=False), None
    except (TypeError, ValueError) as exc:  # a set, bytes or complex number: no JSON form
        return None, f"a Python literal with no JSON form ({exc})"


_RETRY_TYPE = T.StructType(
    [T.StructField("json", T.StringType()), T.StructField("error", T.StringType())]
)


def _retry_exact(
    df: DataFrame, cells: dict[str, tuple[Column, DataType]], retry_col: str = "_retry"
) -> DataFrame:
    """Parse the cells named in ``retry_col`` with the exact native parser (no Python).

    Args:
        df: rows whose ``retry_col`` names the cells the hot path left.
        cells: ``{parsed column: (raw cell column, Spark type)}``.
        retry_col: the array of column names to retry.

    Returns:
        ``df`` with those cells parsed where the exact parser reads them, and ``retry_col``
        naming only the cells it refused too (for :func:`_retry_literal_eval`).
    """
    out = df
    for name, (raw_cell, schema) in cells.items():
        cell = f"_cell_{name}"
        failed = F.array_contains(F.col(retry_col), name)
        exact = F.expr(_exact_sql(literal_to_json_sql(sql_name(cell)), sql_name(cell), schema))
        out = (
            out.withColumn(cell, F.when(failed, raw_cell))
            .withColumn(name, F.when(failed, exact).otherwise(F.col(name)))
            .drop(cell)
        )
    still = [F.when(F.col(name).isNull(), F.lit(name)) for name in cells]
    return out.withColumn(
        retry_col,
        F.filter(F.array_intersect(F.col(retry_col), F.array(*still)), lambda x: x.isNotNull()),
    )


def _retry_literal_eval(
    df: DataFrame,
    cells: dict[str, tuple[Column, DataType]],
    retry_col: str = "_retry",
    errors_col: str = "_errors",
) -> DataFrame:
    """Parse the cells still named in ``retry_col`` with ``ast.literal_eval`` in a Python UDF.

    The UDF's JSON is typed with the same checks as the native parser; a cell that still fails
    gets a reason in ``errors_col``. Only the named cells cross to Python.

    Returns:
        ``df`` with those cells parsed or explained, and ``retry_col`` emptied.
    """
    retry_udf = F.udf(literal_eval_json, _RETRY_TYPE)
    out = df
    for name, (raw_cell, schema) in cells.items():
        failed = F.array_contains(F.col(retry_col), name)
        attempt = f"_attempt_{name}"
        out = out.withColumn(attempt, F.when(failed, retry_udf(F.when(failed, raw_cell))))
        json_text = f"{sql_name(attempt)}.json"
        parsed = F.expr(_exact_sql(json_text, json_text, schema))
        reason = F.coalesce(
            F.concat(F.lit(f"{name}: "), F.col(f"{attempt}.error")),
            F.lit(f"{name}: parsed, but not of type {schema.simpleString()}"),
        )
        out = (
            out.withColumn(name, F.when(failed, parsed).otherwise(F.col(name)))
            .withColumn(
                errors_col,
                F.when(
                    failed & F.col(name).isNull(), F.concat(F.col(errors_col), F.array(reason))
                ).otherwise(F.col(errors_col)),
            )
            .drop(attempt)
        )
    return out.withColumn(retry_col, F.array().cast("array<string>"))


def retry_cells(
    df: DataFrame,
    cells: dict[str, tuple[Column, DataType]],
    retry_col: str = "_retry",
    errors_col: str = "_errors",
    stage=None,
    then=None,
) -> DataFrame:
    """Settle the cells :func:`parse_literals` left: the exact native parser, then literal_eval.

    Meant for the small subset of rows whose ``retry_col`` is not empty. The exact parser
    (:func:`parse_literal`, no Python) reads ``None`` and quotes inside strings; what it
    refuses (``\\U0001f600``, damaged text) goes to ``ast.literal_eval``. The one place the
    retry order is written: the ETL passes ``stage``, a notebook or a test does not.

    Args:
        df: rows to retry; ``retry_col`` (array of column names) says which cells.
        cells: ``{parsed column: (raw cell column, Spark type)}``.
        retry_col: the array of column names to retry.
        errors_col: the array of reasons; a cell that fails both ways adds one.
        stage: optional ``stage(frame, name) -> (frame, still)`` that persists a step and says
            how many of its rows still name a cell in ``retry_col``; then a Python worker
            starts only if a cell is still left after the exact parser, and the UDF never
            runs twice.
        then: optional ``frame -> frame`` applied to each step before it is staged (the ETL
            recomputes list sizes there).

    Returns:
        ``df`` with the cells parsed where a retry succeeded, ``retry_col`` emptied and a reason
        appended to ``errors_col`` for each cell that still fails.
    """
    then = then or (lambda frame: frame)
    fixed, still = _retry_exact(df, cells, retry_col), None
    if stage:  # counted while staged: what is staged must be final already
        fixed, still = stage(then(fixed), "retried_exact")
    if still is None or still:
        fixed = then(_retry_literal_eval(fixed, cells, retry_col, errors_col))
        if stage:
            fixed, _ = stage(fixed, "retried_literal_eval")
    return fixed


def parse_cells(
    df: DataFrame,
    cells: dict[str, tuple[str, DataType]],
    retry_col: str = "_retry",
    errors_col: str = "_errors",
) -> DataFrame:
    """Parse Python-literal cells exactly as ``ast.literal_eval`` reads them: the parser's entry.

    The hot path (:func:`parse_literals`) for every row, then :func:`retry_cells` on the rows it
    left. The ETL runs the same two tiers with each step staged to Parquet
    (``flatten.settle_retries``); this is the one-call form for a notebook cell or a test.

    Args:
        df: the input rows.
        cells: ``{output column: (raw string column, Spark type)}``.
        retry_col: an added array column, empty on every row returned.
        errors_col: reasons for cells that no tier reads (added, empty, when missing).

    Returns:
        ``df`` plus the parsed columns, ``retry_col`` and ``errors_col``, cached: an explode
        on top of an uncached parse lets Spark copy the parse expression into every branch.

    Examples:
        >>> parsed = parse_cells(credits, {"cast_list": ("cast", CAST_SCHEMA)})  # doctest: +SKIP
    """
    hot = parse_literals(df, cells, retry_col)
    if errors_col not in hot.columns:
        hot = hot.withColumn(errors_col, F.array().cast("array<string>"))
    raw_cells = {out: (F.col(raw), schema) for out, (raw, schema) in cells.items()}
    left = retry_cells(hot.filter(F.size(retry_col) > 0), raw_cells, retry_col, errors_col)
    return hot.filter(F.size(retry_col) == 0).unionByName(left).cache()
