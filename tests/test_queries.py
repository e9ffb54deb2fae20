"""Each shipped query on the mini lake equals an independent pandas answer, ties included; the
Athena-to-DuckDB transpilation keeps Trino's meaning; parameters are bound, never formatted."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pandas as pd
import pytest
import sqlglot

from movie_pipeline.analysis import query
from movie_pipeline.analysis.charts import CHARTS, chart_for
from movie_pipeline.cli import main
from movie_pipeline.config import Settings


def _round(x, places):
    """SQL's round (half away from zero), not Python's (half to even)."""
    if pd.isna(x):
        return None
    q = Decimal(1).scaleb(-places)
    return float(Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP))


def _rows(frame: pd.DataFrame) -> list[tuple]:
    clean = frame.astype(object).where(frame.notna(), None)
    return [tuple(r) for r in clean.itertuples(index=False, name=None)]


def _sort(df, by, desc=()):
    return df.sort_values(list(by), ascending=[c not in desc for c in by], na_position="last")


# Independent answers, in pandas, from the mini frames --------------------------------------
def top_actors(f, limit=10):
    per_movie = f["cast_data"].groupby(["person_id", "id"], as_index=False)["name"].min()
    agg = per_movie.groupby("person_id", as_index=False).agg(
        name=("name", "min"), movies=("id", "size")
    )
    return _sort(agg, ["movies", "name", "person_id"], {"movies"})[
        ["name", "person_id", "movies"]
    ].head(limit)


def largest_casts(f, limit=10):
    cast, movies = f["cast_data"], f["movies"].set_index("id")
    sizes = cast.groupby("id").size()  # a row is a credited role
    billed = _sort(cast[cast.order_num < 3], ["order_num", "name"])
    top = billed.groupby("id")["name"].agg(", ".join)
    out = pd.DataFrame({"id": sizes.index, "cast_size": sizes.values})
    out["title"] = out.id.map(movies.title)
    out["release_year"] = out.id.map(movies.release_year)
    out["top_billed"] = out.id.map(top)
    out = _sort(out, ["cast_size", "title", "id"], {"cast_size"})
    return out[["id", "title", "release_year", "cast_size", "top_billed"]].head(limit)


def director_actor_pairs(f, job="Director", limit=10):
    crew = f["crew_data"]
    d = crew[crew.job == job].groupby(["id", "person_id"], as_index=False)["name"].min()
    a = f["cast_data"].groupby(["id", "person_id"], as_index=False)["name"].min()
    p = d.merge(a, on="id", suffixes=("_d", "_a"))
    p = p[p.person_id_d != p.person_id_a].merge(
        f["movies"][["id", "title", "release_date"]], on="id", how="left"
    )
    p["label"] = p.title.fillna(p.id.astype(str))
    p = _sort(p, ["release_date", "id"])
    g = p.groupby(["person_id_d", "person_id_a"], as_index=False).agg(
        director=("name_d", "min"), actor=("name_a", "min"), movies=("id", "size"),
        titles=("label", "; ".join),
    )  # fmt: skip
    g = g.rename(columns={"person_id_d": "director_id", "person_id_a": "actor_id"})
    g = _sort(g, ["movies", "director", "actor", "director_id", "actor_id"], {"movies"})
    return g[["director", "actor", "movies", "titles", "director_id", "actor_id"]].head(limit)


def genres_by_decade(f, decade_from=1870, decade_to=2020):
    m = f["movies"].dropna(subset=["release_decade"])
    m = m[m.release_decade.between(decade_from, decade_to)]
    j = m.merge(f["movie_genres"], on="id")
    g = j.groupby(["release_decade", "genre_name"], as_index=False)["id"].nunique()
    g.columns = ["decade", "genre", "movies"]
    g["rank_in_decade"] = g.groupby("decade")["movies"].rank(method="min", ascending=False)
    return _sort(g, ["decade", "movies", "genre"], {"movies"})


def prolific_directors(f, min_votes=10, limit=15):
    crew, movies = f["crew_data"], f["movies"]
    d = crew[crew.job == "Director"].groupby(["id", "person_id"], as_index=False)["name"].min()
    rated = movies[movies.vote_count >= min_votes][["id", "vote_average"]]
    j = d.merge(rated, on="id", how="left", indicator=True)
    g = j.groupby("person_id", as_index=False).agg(
        name=("name", "min"),
        movies=("id", "size"),
        rated_movies=("_merge", lambda s: int((s == "both").sum())),
        avg_rating=("vote_average", "mean"),
    )
    g["avg_rating"] = g.avg_rating.map(lambda x: _round(x, 2))
    g = _sort(g, ["movies", "name", "person_id"], {"movies"})
    return g[["name", "person_id", "movies", "rated_movies", "avg_rating"]].head(limit)


def crew_size_by_department(f, decade_from=1870, decade_to=2020):
    per = f["crew_data"].groupby(["id", "department"], as_index=False)["person_id"].nunique()
    j = per.merge(f["movies"][["id", "release_decade"]], on="id").dropna()
    j = j[j.release_decade.between(decade_from, decade_to)]
    g = j.groupby(["release_decade", "department"], as_index=False).agg(
        movies=("id", "size"), avg_crew=("person_id", "mean")
    )
    g["avg_crew"] = g.avg_crew.map(lambda x: _round(x, 2))
    return _sort(g.rename(columns={"release_decade": "decade"}), ["decade", "department"])


def cast_gender_by_decade(f, decade_from=1870, decade_to=2020):
    j = f["cast_data"].merge(f["movies"][["id", "release_decade"]], on="id")
    j = j.dropna(subset=["release_decade"])
    j = j[j.release_decade.between(decade_from, decade_to)]
    rows = []
    for decade, g in j.groupby("release_decade"):
        female, male = int((g.gender == 1).sum()), int((g.gender == 2).sum())
        share = _round(100 * female / (female + male), 1) if female + male else None
        rows.append((decade, len(g), female, male, len(g) - female - male, share))
    return pd.DataFrame(
        rows, columns=["decade", "credits", "female", "male", "unknown", "female_share_pct"]
    )


def return_on_budget_by_genre(f, min_budget=1_000_000, min_movies=5):
    m = f["movies"]
    m = m[(m.budget >= min_budget) & (m.revenue > 0)]
    j = m.merge(f["movie_genres"], on="id")
    rows = []
    for genre, g in j.groupby("genre_name"):
        if len(g) >= min_movies:
            b, r = int(g.budget.sum()), int(g.revenue.sum())
            share = _round(100 * (g.revenue > g.budget).sum() / len(g), 1)
            rows.append((genre, len(g), b, r, _round(r / b, 2), share))
    out = pd.DataFrame(rows, columns=["genre", "movies", "total_budget", "total_revenue",
                                      "revenue_per_dollar", "profitable_pct"])  # fmt: skip
    return _sort(out, ["revenue_per_dollar", "genre"], {"revenue_per_dollar"})


def actor_pairs(f, top_billed=10, min_movies=2, limit=10):
    cast = f["cast_data"]
    billed = cast[cast.order_num < top_billed]
    b = billed.groupby(["id", "person_id"], as_index=False)["name"].min()
    p = b.merge(b, on="id", suffixes=("_a", "_b"))
    p = p[p.person_id_b > p.person_id_a]
    g = p.groupby(["person_id_a", "person_id_b"], as_index=False).agg(
        actor=("name_a", "min"), co_actor=("name_b", "min"), movies=("id", "size")
    )
    g = g.rename(columns={"person_id_a": "actor_id", "person_id_b": "co_actor_id"})
    g = g[g.movies >= min_movies]
    g = _sort(g, ["movies", "actor", "co_actor", "actor_id", "co_actor_id"], {"movies"})
    return g[["actor", "co_actor", "movies", "actor_id", "co_actor_id"]].head(limit)


ORACLES = {f.__name__: f for f in (
    top_actors, largest_casts, director_actor_pairs, genres_by_decade, prolific_directors,
    crew_size_by_department, cast_gender_by_decade, return_on_budget_by_genre, actor_pairs,
)}  # fmt: skip

CASES = [
    ("top_actors", {}), ("top_actors", {"limit": 4}), ("top_actors", {"limit": 1}),
    ("largest_casts", {}), ("largest_casts", {"limit": 3}),
    ("director_actor_pairs", {}), ("director_actor_pairs", {"limit": 3}),
    ("director_actor_pairs", {"job": "Screenplay"}),
    ("genres_by_decade", {}), ("genres_by_decade", {"decade_from": 1990, "decade_to": 2000}),
    ("prolific_directors", {}), ("prolific_directors", {"min_votes": 0, "limit": 2}),
    ("crew_size_by_department", {}), ("crew_size_by_department", {"decade_from": 2000}),
    ("cast_gender_by_decade", {}), ("cast_gender_by_decade", {"decade_to": 1990}),
    ("return_on_budget_by_genre", {"min_movies": 1}),
    ("return_on_budget_by_genre", {"min_budget": 3_000_000, "min_movies": 2}),
    ("actor_pairs", {}), ("actor_pairs", {"min_movies": 1}), ("actor_pairs", {"limit": 2}),
    ("actor_pairs", {"top_billed": 2, "min_movies": 1}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "params"), CASES)
def test_query_equals_the_pandas_answer(mini_lake, mini_frames, name, params):
    got = query.run_local(mini_lake, name, params, estimate=False).frame
    expected = ORACLES[name](mini_frames, **params)
    assert list(got.columns) == list(expected.columns)
    assert len(expected) > 0, "a case with no rows proves little"
    assert _rows(got) == _rows(expected)


def test_known_answers_and_tie_breaks(mini_lake):
    def rows(name, **params):
        return _rows(query.run_local(mini_lake, name, params, estimate=False).frame)

    # Three actors with 3 movies: by name; two people called Ann: by person id.
    assert rows("top_actors", limit=4) == [
        ("Ann", 10, 3),
        ("Bob", 11, 3),
        ("Cid", 12, 3),
        ("Ann", 15, 2),
    ]
    # Billing order, not name order; Ann and Bob share place 1 in Bravo: by name.
    assert [r[4] for r in rows("largest_casts", limit=2)] == ["Cid, Ann, Bob", "Dee, Ann, Bob"]
    # Release order (Bravo 1991 before Alpha 1995), not id or title order; Zed, who directs
    # and acts in the same movie, is no pair.
    first = rows("director_actor_pairs")[0]
    assert first[:4] == ("Dir One", "Ann", 3, "Bravo; Alpha; Charlie")
    assert all(r[4] != r[5] for r in rows("director_actor_pairs", limit=100))


def test_every_query_has_parameters_in_step_with_placeholders_and_a_chart():
    names = list(query.list_queries())
    assert len(names) >= 8 and set(names) == set(CHARTS) == set(ORACLES)
    for name in names:
        q = query.get_query(name)
        assert len(query.placeholders(q.sql)) == len(q.params)
        sqlglot.parse_one(q.sql, read="trino")  # plain Trino SQL, as Athena runs it
        assert not re.search(r"\b(slice|approx_\w+|date_trunc)\s*\(", q.sql, re.I), (
            f"{name}: sqlglot transpiles this construct to DuckDB with another meaning"
        )


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_each_query_draws_its_chart(mini_lake, tmp_path, name):
    params = {"min_movies": 1} if name == "return_on_budget_by_genre" else {}
    frame = query.run_local(mini_lake, name, params, estimate=False).frame
    png = chart_for(name, frame, tmp_path).read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 5_000


# Transpilation: Trino's meaning survives the trip to DuckDB ----------------------------------
def _duck(sql: str, schema: dict | None = None, params: dict | None = None) -> list[tuple]:
    return duckdb.execute(query.to_duckdb(sql, schema or {}), params or {}).fetchall()


def test_integer_division_stays_integer_division():
    sql = "select 7 / 2 as a, -7 / 2 as b, 7 / 2.0 as c, x / 10 * 10 as d from (values (1995)) as t(x)"
    assert _duck(sql) == [(3, -3, 3.5, 1990)]


def test_ordered_array_agg_keeps_its_order():
    sql = ("select array_join(array_agg(n order by o desc, n), ',') as s "
           "from (values ('a', 1), ('b', 3), ('c', 2), ('d', 3)) as t(n, o)")  # fmt: skip
    assert _duck(sql) == [("b,d,c,a",)]
    for name in ("largest_casts", "director_actor_pairs"):
        engine = query.to_duckdb(query.load_sql(name))
        (inside,) = _arguments(engine, "ARRAY_AGG")
        assert " ORDER BY " in inside.replace("\n", " "), name


def _arguments(sql: str, function: str) -> list[str]:
    """The text between the parentheses of each call to ``function``."""
    out = []
    for match in re.finditer(rf"\b{function}\(", sql):
        depth, start = 1, match.end()
        for i in range(start, len(sql)):
            depth += {"(": 1, ")": -1}.get(sql[i], 0)
            if depth == 0:
                out.append(sql[start:i])
                break
    return out


def test_try_cast_of_text_to_integer_is_null_for_decimals_as_in_trino():
    sql = ("select try_cast(x as integer) as i from "
           "(values ('12'), ('12.5'), ('x'), (''), ('-3')) as t(x)")  # fmt: skip
    assert _duck(sql) == [(12,), (None,), (None,), (None,), (-3,)]


def test_integer_sums_and_count_if_come_back_as_integers(mini_lake):
    got = query.run_local(mini_lake, "return_on_budget_by_genre", {"min_movies": 1}).frame
    assert str(got.total_budget.dtype) == "int64" and str(got.movies.dtype) == "int64"
    got = query.run_local(mini_lake, "cast_gender_by_decade", estimate=False).frame
    assert str(got.female.dtype) == "int64"


def test_placeholders_become_named_parameters_in_text_order():
    sql = "select 1 from t where a = ? and b in (?, '?') -- ?\nlimit ?"
    assert query.named_placeholders(sql) == (
        "select 1 from t where a = :p0 and b in (:p1, '?') -- ?\nlimit :p2"
    )


# Parameters: bound, typed, checked -----------------------------------------------------------
# The `?`s of the statement sent to Athena, in order: those in a WHERE clause, where Athena
# documents execution parameters. Written out by hand.
ATHENA_PARAMETERS = {
    "actor_pairs": ["top_billed", "min_movies"],
    "cast_gender_by_decade": ["decade_from", "decade_to"],
    "crew_size_by_department": ["decade_from", "decade_to"],
    "director_actor_pairs": ["job"],
    "genres_by_decade": ["decade_from", "decade_to"],
    "largest_casts": [],
    "prolific_directors": [],
    "return_on_budget_by_genre": ["min_budget"],
    "top_actors": [],
}


@pytest.mark.parametrize("name", sorted(ATHENA_PARAMETERS))
def test_athena_gets_execution_parameters_in_where_clauses_only(name):
    q = query.get_query(name)
    sql, params = q.render(q.bind())
    assert [p.name for p in params] == ATHENA_PARAMETERS[name]
    assert len(query.placeholders(sql)) == len(params)
    sqlglot.parse_one(sql, read="trino")


def test_other_parameters_are_written_in_as_checked_integers():
    q = query.get_query("actor_pairs")
    sql, _ = q.render(q.bind({"top_billed": 5, "min_movies": 3, "limit": 7}))
    assert "    where order_num < ?\n" in sql and "    where billed_movies >= ?\n" in sql
    assert "    having count(*) >= 3\n" in sql
    assert sql.endswith("\nlimit 7\n")
    q = query.get_query("prolific_directors")
    sql, _ = q.render(q.bind({"min_votes": 0, "limit": 2_147_483_647}))
    assert "left join movies as m on m.id = d.id and m.vote_count >= 0\n" in sql
    assert sql.endswith("\nlimit 2147483647\n")


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        ("-- param n varchar = x: a text", "n is varchar"),
        ("-- param n double = 1: a number", "n is double"),
        ("-- param n integer = 1: no lower bound", "n has no lower bound"),
    ],
)
def test_only_a_bounded_integer_may_stand_outside_a_where_clause(declaration, message):
    sql = f"-- q: a question\n{declaration}\nselect * from movies\nlimit ?\n"
    with pytest.raises(
        query.QueryError, match=f"q.sql puts parameter n in a limit clause.*{message}"
    ):
        query.Query.from_sql("q", sql)
    fine = sql.replace("limit ?", "where id = ?")
    assert query.Query.from_sql("q", fine).render({"n": 1})[0] == fine


def test_a_value_written_into_the_text_is_checked_again():
    q = query.get_query("top_actors")
    for value in ["10 or 1=1", "10; drop view movies", 0, 2**31, 2.5, None]:
        with pytest.raises(query.QueryError, match="parameter limit must be"):
            q.render({"limit": value})


def test_a_quote_in_a_value_is_data_not_sql(mini_lake):
    evil = "Director' or '1'='1"
    got = query.run_local(mini_lake, "director_actor_pairs", {"job": evil}, estimate=False)
    assert got.frame.empty  # no crew member has that job
    param = query.get_query("director_actor_pairs").params[0]
    assert param.athena_literal(evil) == "'Director'' or ''1''=''1'"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limt": 3}, "query top_actors has no parameter 'limt'; it takes: limit"),
        ({"limit": "ten"}, "parameter limit must be integer, got 'ten'"),
        ({"limit": 2.5}, "parameter limit must be integer, got 2.5"),
        ({"limit": 0}, "parameter limit must be >= 1, got 0"),
        ({"limit": 2**31}, "parameter limit must be integer"),
    ],
)
def test_bad_parameters_get_a_clear_error(mini_lake, params, message):
    with pytest.raises(query.QueryError, match=re.escape(message)):
        query.run_local(mini_lake, "top_actors", params)


def test_unknown_query_and_missing_catalog_or_table(mini_frames, tmp_path):
    with pytest.raises(KeyError, match="unknown query 'nope'; known: actor_pairs"):
        query.get_query("nope")
    empty = Settings(lake_dir=tmp_path)
    with pytest.raises(query.QueryError, match="no local catalog.*run `movie-pipeline catalog`"):
        query.run_local(empty, "top_actors")
    from lake_tables import write_cleaned_local
    from movie_pipeline.catalog.register import register_local

    write_cleaned_local(empty, "cast_data", mini_frames["cast_data"])
    register_local(empty)
    with pytest.raises(query.QueryError, match="needs tables cast_data, crew_data, movies"):
        query.run_local(empty, "director_actor_pairs")


def test_cli_lists_queries_and_runs_one_with_a_parameter(mini_lake, mini_frames, capsys):
    assert main(["query", "--list"]) == 0
    listed = [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == sorted(ORACLES)
    lake = str(mini_lake.lake_dir)
    code = main(["query", "top_actors", "--lake", lake, "--format", "csv", "--param", "limit=3"])
    out = capsys.readouterr()
    assert code == 0
    expected = top_actors(mini_frames, limit=3).to_csv(index=False)
    assert out.out == expected
    assert "Athena would scan" in out.err
    assert main(["query", "top_actors", "--lake", lake, "--param", "limit=-1"]) == 2
    assert "parameter limit must be >= 1" in capsys.readouterr().err


def test_charts_count_on_integer_ticks_and_say_who_directed(tmp_path):
    from matplotlib import image

    from movie_pipeline.analysis import charts

    frame = pd.DataFrame(
        {"director": ["Dir One", "李安"], "actor": ["Ann", "Bob"], "movies": [3, 1]}
    )
    spec = CHARTS["director_actor_pairs"]
    assert spec.join == " → " and spec.caption
    png = charts.draw(spec, frame, tmp_path / "pairs.png")
    assert image.imread(png).shape[:2][::-1][0] == 800
    # The labels a reader sees: who directed first; a name the font cannot draw is marked.
    assert charts._labels(frame, spec.x, spec.join) == ["Dir One → Ann", "李安 → Bob"]
    assert charts.drawable("李安 → Bob") == "?? → Bob"
    assert charts._is_count(frame["movies"]) and not charts._is_count(pd.Series([0.5, 1.0]))


def test_a_chart_draws_without_warnings_whatever_the_script(tmp_path, recwarn):
    from movie_pipeline.analysis import charts

    frame = pd.DataFrame({"name": ["杨子", "Zoë"], "person_id": [1, 2], "movies": [2, 1]})
    charts.draw(CHARTS["top_actors"], frame, tmp_path / "top.png")
    assert [str(w.message) for w in recwarn if "Glyph" in str(w.message)] == []


def test_your_own_sql_runs_offline_like_a_shipped_query(mini_lake, mini_frames):
    result = query.run_sql(mini_lake, "select count(*) as n, count(distinct person_id) as people "
                                      "from cast_data where gender = 1")  # fmt: skip
    cast = mini_frames["cast_data"]
    women = cast[cast["gender"] == 1]
    assert result.frame.to_dict("records") == [
        {"n": len(women), "people": women["person_id"].nunique()}
    ]
    assert result.bytes_scanned > 0  # the estimate of what Athena would scan
    # Athena takes no parameters in a learner's text: a "?" is refused before anything runs.
    with pytest.raises(query.QueryError, match="declares 0 parameters but has 1"):
        query.run_sql(mini_lake, "select * from cast_data where id = ?")
