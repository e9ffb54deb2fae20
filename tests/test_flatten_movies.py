"""movies_metadata (split records, typing), links and ratings on tiny inline DataFrames."""

from __future__ import annotations

import datetime as dt

from pyspark.sql import functions as F

from frames import frame
from movie_pipeline.specs.datasets import CORRUPT_RECORD, MOVIES_METADATA_COLUMNS, raw_schema
from movie_pipeline.specs.tables import CLEANED_TABLES
from movie_pipeline.transform.clean import (
    build_movie_genres,
    build_movies,
    parse_links,
    parse_movies,
    parse_ratings,
    repair_split_records,
)

BASE = {
    "adult": "False", "belongs_to_collection": None, "budget": "30000000",
    "genres": "[{'id': 16, 'name': 'Animation'}, {'id': 35, 'name': 'Comedy'}]",
    "homepage": None, "id": "862", "imdb_id": "tt0114709", "original_language": "en",
    "original_title": "Toy Story", "overview": "Led by Woody, Andy's toys live happily.",
    "popularity": "21.946943", "poster_path": "/rhIRbceoE9lR4veEXuwCC2wARtG.jpg",
    "production_companies": "[{'name': 'Pixar Animation Studios', 'id': 3}]",
    "production_countries": "[{'iso_3166_1': 'US', 'name': 'United States of America'}]",
    "release_date": "1995-10-30", "revenue": "373554033", "runtime": "81.0",
    "spoken_languages": "[{'iso_639_1': 'en', 'name': 'English'}]", "status": "Released",
    "tagline": None, "title": "Toy Story", "video": "False", "vote_average": "7.7",
    "vote_count": "5415",
}  # fmt: skip


def _raw(spark, rows):
    """Raw movies_metadata rows (dicts over BASE, or full 24-field lists) with _row in order."""
    data = []
    for i, r in enumerate(rows):
        fields = r if isinstance(r, list) else [{**BASE, **r}[c] for c in MOVIES_METADATA_COLUMNS]
        data.append((*fields, None, i))
    schema = raw_schema(MOVIES_METADATA_COLUMNS).add("_row", "long")
    return frame(spark, data, schema)


def _split_pair(movie_id="82663", tail=(), second=None):
    """A stub row and the row shifted 9 columns left, as FORMAT.md 1.5 describes them."""
    stub = [BASE[c] for c in MOVIES_METADATA_COLUMNS[:5]] + [
        movie_id,
        "tt0113002",
        "en",
        "Midnight Man",
        "A man waits.",
        *tail,
    ]
    stub += [None] * (24 - len(stub))
    shifted = second or [
        "- Written by Ørnås", "0.065736", "/ff9q.jpg",
        "[{'name': 'Nordisk Film', 'id': 235}]", "[{'iso_3166_1': 'DK', 'name': 'Denmark'}]",
        "1997-08-20", "0", "104.0", "[{'iso_639_1': 'en', 'name': 'English'}]", "Released",
        "Beware", "Midnight Man", "False", "6.0", "1",
    ] + [None] * 9  # fmt: skip
    return [stub, shifted]


def test_a_split_record_is_merged_back_into_one_movie(spark):
    rows = [{}, *_split_pair(), {"id": "863"}]
    repaired = repair_split_records(_raw(spark, rows))
    got = {r["id"]: r for r in repaired.collect()}
    assert sorted(got) == ["82663", "862", "863"]  # the shifted half is gone
    m = got["82663"]
    assert m["_repaired"] and m[CORRUPT_RECORD] is None
    assert m["overview"] == "A man waits.\n- Written by Ørnås"
    assert (m["popularity"], m["poster_path"], m["release_date"], m["revenue"], m["runtime"],
            m["status"], m["tagline"], m["title"], m["video"], m["vote_average"], m["vote_count"]) \
        == ("0.065736", "/ff9q.jpg", "1997-08-20", "0", "104.0", "Released", "Beware",
            "Midnight Man", "False", "6.0", "1")  # fmt: skip
    assert m["production_countries"] == "[{'iso_3166_1': 'DK', 'name': 'Denmark'}]"
    assert '"overview":"Released"' in m["_second_half"]  # both halves stay on record
    typed = {r["id"]: r for r in parse_movies(repaired).collect()}[82663]
    assert typed["_errors"] == []
    assert (typed["release_date"], typed["runtime"], typed["revenue"], typed["vote_count"]) == (
        dt.date(1997, 8, 20),
        104.0,
        None,
        1,
    )


def test_a_date_id_that_does_not_match_the_pattern_is_quarantined(spark):
    # The row before the date row is not a stub (its fields after overview are filled).
    pair = _split_pair(tail=("1.5",))
    repaired = repair_split_records(_raw(spark, pair))
    assert repaired.count() == 2
    assert repaired.filter("_repaired").count() == 0
    errors = {r["_row"]: r["_errors"] for r in parse_movies(repaired).collect()}
    assert errors[1] == [
        "id '1997-08-20' is a date: half of a split record that does not match the repair pattern"
    ]


def test_movies_are_typed_and_bad_values_get_reasons(spark):
    rows = [
        {"budget": "0", "revenue": "0", "runtime": "0.0", "popularity": "8.2e-05",
         "release_date": None, "adult": "True", "video": "FALSE",
         "belongs_to_collection": "{'id': 10194, 'name': 'Toy Story Collection', "
                                  "'poster_path': None, 'backdrop_path': None}"},
        {"id": "1", "budget": "lots", "release_date": "10/30/1995", "adult": "maybe",
         "runtime": "long", "vote_count": "12.5"},
        {"id": "2", "genres": "[{'id': 16, 'name': 'Animation'"},
    ]  # fmt: skip
    parsed = {r["id"]: r for r in parse_movies(_raw(spark, rows)).collect()}
    good = parsed[862]
    assert good["_errors"] == [] and good["_retry"] == []
    assert (good["budget"], good["revenue"], good["runtime"], good["popularity"]) == (
        None,
        None,
        None,
        8.2e-05,
    )
    assert (good["release_date"], good["release_year"], good["adult"], good["video"]) == (
        None,
        None,
        True,
        False,
    )
    assert (good["collection"]["id"], good["collection"]["name"]) == (10194, "Toy Story Collection")
    assert good["_raw"] is None  # raw text is kept only on rows with a problem
    assert parsed[1]["_errors"] == [
        "adult 'maybe' is not True or False",
        "budget 'lots' is not a bigint",
        "runtime 'long' is not a number",
        "vote_count '12.5' is not an integer",
        "release_date '10/30/1995' is not a YYYY-MM-DD date",
    ]
    assert '"budget":"lots"' in parsed[1]["_raw"]
    assert parsed[2]["_retry"] == ["genre_list"]  # a cut cell goes to the literal_eval retry


def test_movies_table_and_a_bridge_match_their_specs(spark):
    parsed = parse_movies(
        _raw(spark, [{}, {"id": "5", "release_date": "2009-01-02", "genres": "[]"}])
    )
    movies = build_movies(parsed)
    assert movies.schema.simpleString() == CLEANED_TABLES["movies"].spark_schema().simpleString()
    decades = {r["id"]: (r["release_year"], r["release_decade"]) for r in movies.collect()}
    assert decades == {862: (1995, 1990), 5: (2009, 2000)}
    genres = build_movie_genres(parsed)
    assert sorted(genres.collect()) == [(862, 16, "Animation"), (862, 35, "Comedy")]


def test_links_and_ratings_are_typed(spark):
    links = frame(
        spark,
        [("1", "0114709", "862"), ("2", "113497", None), ("3", "x1", "abc")],
        "movieId string, imdbId string, tmdbId string",
    )
    got = {r["movie_id"]: r for r in parse_links(links).collect()}
    assert (got[1]["imdb_id"], got[1]["tmdb_id"], got[1]["_errors"]) == ("tt0114709", 862, [])
    assert (got[2]["imdb_id"], got[2]["tmdb_id"], got[2]["_errors"]) == ("tt0113497", None, [])
    assert got[3]["_errors"] == [
        "imdbId 'x1' is not an IMDb number",
        "tmdbId 'abc' is not an integer",
    ]
    ratings = frame(
        spark,
        [("1", "31", "2.5", "1260759144"), ("1", "32", "7", "1260759144"), ("2", "5", "4", "")],
        "userId string, movieId string, rating string, timestamp string",
    )
    got = {r["movie_id"]: r for r in parse_ratings(ratings).collect()}
    # PySpark hands timestamps back as naive local times: .timestamp() undoes that.
    assert got[31]["rated_at"].timestamp() == 1260759144
    assert got[31]["_errors"] == []
    assert got[32]["_errors"] == ["rating 7 is outside 0.5-5.0"]
    assert got[5]["rated_at"] is None and got[5]["_errors"] == []
    assert parse_ratings(ratings).select(F.max("rating")).first()[0] == 7.0
