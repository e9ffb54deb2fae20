"""The native Spark parser of Python-literal cells against ast.literal_eval, the oracle."""

from __future__ import annotations

import ast
import csv

import pytest
from pyspark.sql import types as T

from movie_pipeline.flatten import CAST_SCHEMA, CREW_SCHEMA
from movie_pipeline.literal import parse_literal, parse_with_fallback

NAME_X = T.ArrayType(T.StructType([
    T.StructField("name", T.StringType()), T.StructField("x", T.IntegerType()),
]))  # fmt: skip


def _as_python(value):
    """Spark Rows -> plain dicts/lists, comparable with literal_eval's output."""
    if value is None:
        return None
    if isinstance(value, list):
        return [_as_python(v) for v in value]
    if hasattr(value, "asDict"):
        return {k: _as_python(v) for k, v in value.asDict().items()}
    return value


def _parse_all(spark, cells, schema):
    df = spark.createDataFrame([(c,) for c in cells], "c string")
    rows = df.select("c", parse_literal("c", schema).alias("p")).collect()
    return {r["c"]: _as_python(r["p"]) for r in rows}


def test_every_real_credits_cell_equals_literal_eval(spark, realdata):
    with open(realdata / "credits_head.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 35
    for column, schema in (("cast", CAST_SCHEMA), ("crew", CREW_SCHEMA)):
        cells = [r[column] for r in rows]
        parsed = _parse_all(spark, cells, schema)
        for cell in cells:
            assert parsed[cell] == ast.literal_eval(cell), cell[:120]


@pytest.mark.parametrize(
    "cell",
    [
        "[{'name': 'None', 'x': None}]",
        """[{'name': "O'Kane, None, x", 'x': None}]""",
        r"""[{'name': 'Francis "LC" O\'Reilly', 'x': 7}]""",
        r"[{'name': 'Edy\t\\xNone\xa0', 'x': None}]",
        "[{'name': 'Siân Phillips 日本語', 'x': 1}]",
        r"[{'name': 'ends with a backslash\\', 'x': None}]",
        "[{'name': 'True or False', 'x': None}, {'name': '', 'x': 2}]",
        "[]",
    ],
)
def test_tricky_strings_equal_literal_eval(spark, cell):
    assert _parse_all(spark, [cell], NAME_X)[cell] == ast.literal_eval(cell)


def test_astral_escape_is_not_misread_natively(spark):
    cell = r"[{'name': 'a\U0001f600', 'x': None}]"
    assert _parse_all(spark, [cell], NAME_X)[cell] is None


def test_fallback_recovers_what_native_cannot_and_reports_the_rest(spark):
    cells = [
        r"[{'name': 'a\U0001f600', 'x': None}]",  # native refuses, literal_eval reads it
        "[{'name': 'cut off', 'x': ",  # neither can: a reason, never a silent null
        "[{'name': 'fine', 'x': 3}]",
        None,
    ]
    df = spark.createDataFrame([(i, c) for i, c in enumerate(cells)], "i int, c string")
    rows = {r["i"]: r for r in parse_with_fallback(df, "c", NAME_X, "p").collect()}
    assert len(rows) == 4
    assert _as_python(rows[0]["p"]) == [{"name": "a\U0001f600", "x": None}]
    assert rows[0]["_parse_error"] is None
    assert rows[1]["p"] is None and "not a Python literal" in rows[1]["_parse_error"]
    assert _as_python(rows[2]["p"]) == [{"name": "fine", "x": 3}]
    assert rows[3]["p"] is None and rows[3]["_parse_error"] is None
