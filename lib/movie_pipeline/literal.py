"""Parse the Python-literal cells of The Movies Dataset natively in Spark (no Python UDF on the hot path).

The nested cells are ``repr()`` of lists of dicts, not JSON: single-quoted strings, ``None``,
``\\'`` and ``\\xNN`` escapes. Two regular expressions turn them into JSON that Spark's Jackson
parser accepts (with single quotes and any-character escapes allowed), so the parse runs in the
JVM at full speed. JSON cells (the TMDB 5000 variant) pass through unchanged.

Cells the native path cannot parse (rare: ``\\U0001xxxx`` escapes, damaged text) are retried with
``ast.literal_eval`` on that subset only, and what still fails is reported, never dropped.
"""

from __future__ import annotations

import ast
import json

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DataType, StringType

# ``None`` outside string literals becomes ``null``. \G anchors every match where the last one
# ended, so the scan walks token by token and can never start inside a quoted string, whatever
# the string holds ("None", quotes, backslashes). Possessive quantifiers keep Java's regex engine
# iterative on 30 KB cells.
_NONE_OUTSIDE_STRINGS = (
    r"""\G((?:[^'"N]++|N(?!one\b)|'(?:[^'\\]++|\\.)*+'|"(?:[^"\\]++|\\.)*+")*+)None\b"""
)
# Python writes \xNN where JSON needs \u00NN; an even run of backslashes before it is literal.
_HEX_ESCAPE = r"(?<!\\)((?:\\\\)*+)\\x([0-9a-fA-F]{2})"
# \UXXXXXXXX (astral code points) has no JSON spelling that a regex can produce: such cells
# go to the literal_eval retry instead of being read wrongly.
_ASTRAL_ESCAPE = r"(?<!\\)(?:\\\\)*+\\U[0-9a-fA-F]{8}"

JSON_OPTIONS = {
    "allowSingleQuotes": "true",
    "allowBackslashEscapingAnyCharacter": "true",
    "mode": "PERMISSIVE",
}


def literal_to_json(cell: Column) -> Column:
    """Rewrite a Python-literal string column as JSON text (JSON input is left as it is)."""
    no_none = F.when(
        cell.contains("None"),
        F.regexp_replace(cell, _NONE_OUTSIDE_STRINGS, "$1null"),
    ).otherwise(cell)
    return F.when(
        no_none.contains("\\x"),
        F.regexp_replace(no_none, _HEX_ESCAPE, r"$1\\u00$2"),
    ).otherwise(no_none)


def parse_literal(cell: Column | str, schema: DataType) -> Column:
    """Parse a Python-literal (or JSON) cell into a typed Spark value.

    Args:
        cell: the string column holding ``repr()`` text such as ``"[{'id': 16, 'name': 'Animation'}]"``.
        schema: the Spark type of the parsed value, e.g. ``ArrayType(StructType(...))``.

    Returns:
        A column of ``schema`` type: null where the cell is empty or could not be parsed
        natively (see :func:`parse_with_fallback` for the complete treatment).

    Examples:
        >>> df.select(parse_literal("genres", GENRES_SCHEMA).alias("genres"))  # doctest: +SKIP
    """
    cell = F.col(cell) if isinstance(cell, str) else cell
    parsed = F.from_json(literal_to_json(cell), schema, JSON_OPTIONS)
    return F.when(cell.contains("\\U") & cell.rlike(_ASTRAL_ESCAPE), F.lit(None)).otherwise(parsed)


def _literal_eval_to_json(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        try:  # the TMDB variant is JSON; json.loads covers what literal_eval refuses there
            value = json.loads(text)
        except ValueError:
            return None
    return json.dumps(value, ensure_ascii=False)


def _is_blank(cell: Column) -> Column:
    return cell.isNull() | (F.trim(cell) == "")


def parse_with_fallback(
    df: DataFrame, column: str, schema: DataType, out: str, error_col: str = "_parse_error"
) -> DataFrame:
    """Add ``out`` = the parsed ``column``; rows that fail natively get a literal_eval retry.

    The retry runs a Python UDF on the failed rows only (filtered first, so Spark does not call
    the UDF on every row). Rows that fail both ways keep ``out`` null and get a reason in
    ``error_col`` (null for good rows and for empty cells) so the caller can quarantine them.

    Args:
        df: input DataFrame.
        column: the string column to parse.
        schema: Spark type of the parsed value.
        out: name of the parsed column to add.
        error_col: name of the column that explains a failure.
    """
    cell = F.col(column)
    parsed = df.withColumn(out, parse_literal(cell, schema))
    native_failed = parsed[out].isNull() & ~_is_blank(cell)
    good = parsed.filter(~native_failed).withColumn(error_col, F.lit(None).cast(StringType()))
    to_retry = parsed.filter(native_failed).drop(out)
    retry_udf = F.udf(_literal_eval_to_json, StringType())
    retried = to_retry.withColumn(
        out, F.from_json(retry_udf(cell), schema, JSON_OPTIONS)
    ).withColumn(
        error_col,
        F.when(
            F.col(out).isNull(),
            F.concat(F.lit(f"{column}: not a Python literal or JSON value of type "),
                     F.lit(schema.simpleString())),
        ),
    )
    return good.unionByName(retried)
