"""The native Spark parser of Python-literal cells against ast.literal_eval, the oracle."""

from __future__ import annotations

import ast
import csv
import json

import pytest
from pyspark.sql import functions as F
from pyspark.sql import types as T

from frames import frame
from movie_pipeline.transform.clean import MOVIES_CELLS
from movie_pipeline.transform.flatten import CAST_SCHEMA, CREW_SCHEMA, ID_NAME_SCHEMA
from movie_pipeline.transform.literal import (
    literal_eval_json,
    parse_literal,
    parse_literals,
    retry_cells,
)

csv.field_size_limit(1 << 30)

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


def _fit(value, schema):
    """The oracle's value seen through ``schema``: keys outside it dropped, missing keys None."""
    if value is None:
        return None
    if isinstance(schema, T.ArrayType):
        return [_fit(v, schema.elementType) for v in value]
    if isinstance(schema, T.StructType):
        return {f.name: _fit(value.get(f.name), f.dataType) for f in schema.fields}
    return value


def _both_paths(spark, cells, schema):
    """Parse ``cells`` exactly, and as the ETL does (the hot path, then retry_cells on the cells
    it left). Returns {cell: (exact, etl, settled on the hot path?, reasons)}."""
    df = frame(spark, [(c,) for c in cells], "c string")
    exact = df.select("c", parse_literal("c", schema).alias("p"))
    hot = parse_literals(exact, {"q": ("c", schema)}).withColumn(
        "_errors", F.array().cast("array<string>")
    )
    left = hot.filter(F.size("_retry") > 0)
    etl = (
        hot.filter(F.size("_retry") == 0)
        .withColumn("hot", F.lit(True))
        .unionByName(retry_cells(left, {"q": (F.col("c"), schema)}).withColumn("hot", F.lit(False)))
    )
    return {
        r["c"]: (_as_python(r["p"]), _as_python(r["q"]), r["hot"], r["_errors"])
        for r in etl.collect()
    }


def _read(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _assert_all_equal(spark, cells, schema, oracle):
    cells = sorted(set(cells))
    got = _both_paths(spark, cells, schema)
    for cell in cells:
        want = _fit(oracle(cell), schema)
        exact, etl, hot, errors = got[cell]
        assert exact == want, cell[:200]
        # No real cell leaves the hot path.
        assert (etl, hot, errors) == (want, True, []), cell[:200]


@pytest.mark.parametrize(
    "file, rows, columns",
    [
        ("credits_head.csv", 35, {"cast": CAST_SCHEMA, "crew": CREW_SCHEMA}),
        ("keywords_head.csv", 57, {"keywords": ID_NAME_SCHEMA}),
        ("movies_metadata_head.csv", 5000, {raw: schema for raw, schema in MOVIES_CELLS.values()}),
    ],
)
def test_every_real_nested_cell_equals_literal_eval(spark, realdata, file, rows, columns):
    data = _read(realdata / file)
    assert len(data) == rows
    for column, schema in columns.items():
        cells = [r[column] for r in data if r[column]]
        assert cells, column
        _assert_all_equal(spark, cells, schema, ast.literal_eval)


def test_every_tmdb_5000_json_cell_equals_json_loads(spark, realdata):
    data = _read(realdata / "tmdb_5000_credits_head.csv")
    assert list(data[0]) == ["movie_id", "title", "cast", "crew"]
    for column, schema in (("cast", CAST_SCHEMA), ("crew", CREW_SCHEMA)):
        cells = [r[column] for r in data if r[column]]
        assert any("\\u00" in c for c in cells)  # the variant escapes non-ASCII in JSON
        _assert_all_equal(spark, cells, schema, json.loads)


def test_a_blank_cell_is_absent_not_a_failure(spark, realdata):
    # Jurassic World's crew is empty in the TMDB sample (FORMAT.md 2).
    blank = [r for r in _read(realdata / "tmdb_5000_credits_head.csv") if not r["crew"]]
    assert [r["movie_id"] for r in blank] == ["135397"]
    df = frame(spark, [(None,), ("",), ("  ",)], "c string")
    rows = parse_literals(df, {"p": ("c", CREW_SCHEMA)}).collect()
    assert [(r["p"], r["_retry"]) for r in rows] == [(None, [])] * 3


TRICKY = [
    "[{'name': 'None', 'x': None}]",
    """[{'name': "O'Kane, None, x", 'x': None}]""",
    r"""[{'name': 'Francis "LC" O\'Reilly', 'x': 7}]""",
    r"[{'name': 'Edy\t\\xNone\xa0', 'x': None}]",
    "[{'name': 'Siân Phillips 日本語', 'x': 1}]",
    r"[{'name': 'ends with a backslash\\', 'x': None}]",
    "[{'name': 'True or False', 'x': None}, {'name': '', 'x': 2}]",
    "[{'name': 'null', 'x': -3}, {'name': 'Nonesuch', 'x': 2147483647}]",
    "[{'name': \"it's None: 'None'\", 'x': 0}, None]",
    "[{'name': '\\\\x41 is not an escape', 'x': 1}]",
    "[]",
]


@pytest.fixture(scope="module")
def tricky(spark):
    """Every TRICKY cell through both paths, in one Spark job (each row is parsed on its own)."""
    return _both_paths(spark, TRICKY, NAME_X)


@pytest.mark.parametrize("cell", TRICKY)
def test_tricky_strings_equal_literal_eval(tricky, cell):
    exact, etl, hot, errors = tricky[cell]
    assert exact == etl == ast.literal_eval(cell)  # the exact parser reads them all natively
    assert errors == []
    # The hot path settles a cell only when no string holds None/null and no number is null.
    value = ast.literal_eval(cell)
    sure = all(e is not None and e["x"] is not None and "None" not in e["name"]
               and "null" not in e["name"] for e in value)  # fmt: skip
    assert hot == sure


# Cells Spark's JSON reader would half-read (a null in place of a bad value, a dict taken for a
# one-element list, text after the value ignored): refused outright, with a reason.
REFUSED = [
    "[{'name': 'a', 'x': 'seven'}]",
    "[{'name': 'a', 'x': 1.5}]",
    "[{'name': 'a', 'x': 2147483648}]",
    "[{'name': 'a', 'x': True}]",
    "{'name': 'a', 'x': 1}",
    "[{'name': 'a', 'x': 1}] and more",
    "[{'name': 'cut off', 'x': ",
]
# Escapes Python and JSON read differently: no native parser reads them, literal_eval does.
ODD_ESCAPES = [
    r"[{'name': 'a\U0001f600', 'x': None}]",
    r"[{'name': 'a\vb', 'x': None}]",
    r"[{'name': 'a\/b', 'x': None}]",
]


def test_values_of_the_wrong_type_are_refused_not_nulled(spark):
    got = _both_paths(spark, REFUSED, NAME_X)
    for cell in REFUSED:
        exact, etl, hot, errors = got[cell]
        assert (exact, etl, hot) == (None, None, False), cell
        assert len(errors) == 1 and errors[0].startswith("q: "), cell


def test_escapes_json_reads_differently_go_to_literal_eval(spark):
    got = _both_paths(spark, ODD_ESCAPES, NAME_X)
    for cell in ODD_ESCAPES:
        exact, etl, hot, errors = got[cell]
        assert (exact, hot, errors) == (None, False, []), cell
        assert etl == ast.literal_eval(cell), cell


def test_retry_recovers_what_native_cannot_and_gives_reasons_for_the_rest(spark):
    cells = [
        r"[{'name': 'a\U0001f600', 'x': None}]",  # native refuses; literal_eval reads it
        "[{'name': 'cut off', 'x': ",  # neither can: a reason, never a silent null
        "[{'name': 'a', 'x': 'seven'}]",  # literal_eval reads it, but x is not an int
        "[{'name': 'fine', 'x': 3}]",
    ]
    df = frame(spark, [(i, c) for i, c in enumerate(cells)], "i int, c string")
    parsed = parse_literals(df, {"p": ("c", NAME_X)}).withColumn(
        "_errors", F.array().cast("array<string>")
    )
    # The hot path leaves the first three to the retry, and only them.
    assert [r["_retry"] for r in parsed.orderBy("i").collect()] == [["p"], ["p"], ["p"], []]
    retried = retry_cells(parsed, {"p": (F.col("c"), NAME_X)})
    rows = {r["i"]: r for r in retried.collect()}
    assert _as_python(rows[0]["p"]) == [{"name": "a\U0001f600", "x": None}]
    assert rows[0]["_errors"] == []
    assert rows[1]["p"] is None and rows[1]["_errors"][0].startswith("p: not a Python literal")
    assert rows[2]["p"] is None and rows[2]["_errors"] == [
        f"p: parsed, but not of type {NAME_X.simpleString()}"
    ]
    assert _as_python(rows[3]["p"]) == [{"name": "fine", "x": 3}]
    assert all(r["_retry"] == [] for r in rows.values())


def test_literal_eval_json_says_why():
    assert literal_eval_json("[{'a': None}]") == ('[{"a": null}]', None)
    assert literal_eval_json('[{"a": null}]') == ('[{"a": null}]', None)
    text, reason = literal_eval_json("[{'a': ")
    assert text is None and reason.startswith("not a Python literal or JSON (SyntaxError")
    assert literal_eval_json("{1, 2}")[1].startswith("a Python literal with no JSON form")
