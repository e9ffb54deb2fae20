"""The nested transforms (credits, keywords, duplicates) on tiny inline DataFrames."""

from __future__ import annotations

from pyspark.sql import functions as F

from frames import frame
from movie_pipeline.transform.flatten import (
    CREDITS_CELLS,
    by_most_entries,
    explode_list,
    flatten_cast,
    flatten_crew,
    flatten_keywords,
    parse_credits,
    parse_keywords,
    settle_retries,
)
from movie_pipeline.transform.quarantine import rank_duplicates


def assertDataFrameEqual(actual, expected):
    """Same columns and types, same rows in any order (pyspark.testing needs pandas-on-Spark,
    which does not import with NumPy 2)."""
    assert actual.schema.simpleString() == expected.schema.simpleString()
    assert sorted(actual.collect(), key=repr) == sorted(expected.collect(), key=repr)


RAW_CREDITS = "cast string, crew string, id string, _corrupt_record string"

CAST_1 = (
    "[{'cast_id': 1, 'character': \"Josh's Fiance\", 'credit_id': 'c1', 'gender': 1, "
    "'id': 31, 'name': \"Kerri O'Kane\", 'order': 0, 'profile_path': None}, "
    "{'cast_id': 2, 'character': '', 'credit_id': 'c2', 'gender': 2, 'id': 32, "
    "'name': 'None Such', 'order': 1, 'profile_path': '/p.jpg'}]"
)
CREW_1 = (
    "[{'credit_id': 'k1', 'department': 'Directing', 'gender': 0, 'id': 41, "
    "'job': 'Director', 'name': 'Siân Phillips', 'profile_path': None}]"
)


def _credits(spark, rows):
    return frame(spark, rows, RAW_CREDITS)


def test_cast_and_crew_flatten_to_one_row_per_entry(spark):
    raw = _credits(spark, [
        (CAST_1, CREW_1, "10", None),
        ("[]", "[]", "11", None),  # empty lists: no rows, not an error
        ("[]", None, "12", None),  # a blank cell (TMDB's Jurassic World crew): absent
    ])  # fmt: skip
    hot = parse_credits(raw)
    # 'None Such' holds None inside a string: the hot path leaves that cell to the retry.
    assert [(r["id"], r["_retry"]) for r in hot.collect()] == [
        (10, ["cast_list"]),
        (11, []),
        (12, []),
    ]
    parsed = settle_retries(hot, CREDITS_CELLS)
    assert [r["_errors"] for r in parsed.collect()] == [[], [], []]
    assertDataFrameEqual(flatten_cast(parsed), frame(spark, [
        (10, 1, "Josh's Fiance", "c1", 1, "Kerri O'Kane", 0, 31, None),
        (10, 2, "", "c2", 2, "None Such", 1, 32, "/p.jpg"),
    ], "id int, cast_id int, character string, credit_id string, gender int, name string, "
       "order_num int, person_id int, profile_path string"))  # fmt: skip
    assertDataFrameEqual(flatten_crew(parsed), frame(spark,
        [(10, "k1", "Directing", 0, "Director", "Siân Phillips", 41, None)],
        "id int, credit_id string, department string, gender int, job string, name string, "
        "person_id int, profile_path string",
    ))  # fmt: skip
    sizes = {r["id"]: (r["_n_cast_list"], r["_n_crew_list"]) for r in parsed.collect()}
    assert sizes == {10: (2, 1), 11: (0, 0), 12: (0, None)}


def test_bad_rows_carry_reasons_and_raw_text(spark):
    raw = _credits(spark, [
        (CAST_1, CREW_1, "x12", None),  # an id that is not a number
        ("[{'cast_id': 1, 'name': 'cut", "[]", "13", None),  # a cell cut short
        ("[]", None, None, '[],"[]'),  # a record with too few fields
    ])  # fmt: skip
    rows = {r["_row"]: r for r in parse_credits(raw).collect()}
    by_order = [rows[k] for k in sorted(rows)]
    assert by_order[0]["_errors"] == ["id 'x12' is not an integer"]
    assert '"id":"x12"' in by_order[0]["_raw"]
    assert by_order[1]["_errors"] == [] and by_order[1]["_retry"] == ["cast_list"]
    assert "cut" in by_order[1]["_raw"]  # the retry reads the cell back from here
    assert by_order[2]["_errors"] == ["malformed CSV record: wrong number of fields"]
    assert '[],\\"[]' in by_order[2]["_raw"]


def test_flatten_accepts_raw_credits_too(spark):
    raw = _credits(spark, [(CAST_1, CREW_1, "10", None)])
    assert sorted(r["person_id"] for r in flatten_cast(raw).collect()) == [31, 32]


def test_a_none_entry_gives_a_row_of_nulls_so_counts_add_up(spark):
    df = frame(
        spark,
        [(1, [(5, "a"), None]), (2, []), (3, None)],
        "id int, l array<struct<id:int,name:string>>",
    )
    out = explode_list(df, "l", [("id", "x_id"), ("name", "x_name")])
    assertDataFrameEqual(out, frame(spark, [(1, 5, "a"), (1, None, None)],
                                    "id int, x_id int, x_name string"))  # fmt: skip


def test_keywords_flatten(spark):
    raw = frame(spark,
        [("862", "[{'id': 931, 'name': 'jealousy'}, {'id': 15101, 'name': \"children's book\"}]"),
         ("863", "[]")],
        "id string, keywords string",
    )  # fmt: skip
    assertDataFrameEqual(flatten_keywords(parse_keywords(raw)), frame(spark,
        [(862, 931, "jealousy"), (862, 15101, "children's book")],
        "id int, keyword_id int, keyword_name string",
    ))  # fmt: skip


def test_duplicates_keep_the_copy_with_most_entries_whatever_the_order(spark):
    small = "[{'id': 1, 'name': 'a'}]"
    big = "[{'id': 1, 'name': 'a'}, {'id': 2, 'name': 'b'}]"
    other = "[{'id': 3, 'name': 'c'}, {'id': 4, 'name': 'd'}]"
    rows = [("7", small), ("7", big), ("7", big), ("8", big), ("8", other), ("9", small)]

    def kept(order):
        raw = frame(spark, [rows[i] for i in order], "id string, keywords string")
        ranked = rank_duplicates(parse_keywords(raw), ["id"], by_most_entries(["keyword_list"]))
        winners = ranked.filter(F.col("_dup_rank") == 1)
        return sorted((r["id"], r["_n_keyword_list"], r["_hash"]) for r in winners.collect())

    first, reverse = kept(range(6)), kept(reversed(range(6)))
    assert first == reverse  # the rule depends on content, not on the order rows arrive in
    assert [(i, n) for i, n, _ in first] == [(7, 2), (8, 2), (9, 1)]
    # 8 has two different copies of equal length: the smaller content hash of the raw fields
    # wins, every time.
    eights = frame(spark, [rows[3], rows[4]], "id string, keywords string").select(
        "keywords", F.xxhash64("id", "keywords", F.lit(None).cast("string")).alias("h")
    )
    winner = min(eights.collect(), key=lambda r: r["h"])
    assert [h for i, _, h in first if i == 8] == [winner["h"]]
