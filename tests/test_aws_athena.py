"""Queries on Athena through awswrangler, against moto in server mode.

moto records Athena calls but does not execute SQL: each test seeds the result rows through
moto's API (``/moto-api/static/athena/query-results``), which moto hands to the next query and
also writes as the CSV in the output location that awswrangler reads. Everything else (the
request's SQL, execution parameters, database, workgroup, output location) is real.
"""

from __future__ import annotations

import math

import boto3
import pytest
import requests

from movie_pipeline.analysis import query
from movie_pipeline.cli import main

pytestmark = pytest.mark.aws


def _seed(endpoint: str, columns: list[tuple[str, str]], rows: list[tuple]) -> None:
    """Queue one result for the next query: a header row, then the rows, as Athena returns."""
    data = [[c for c, _ in columns]] + [[None if v is None else str(v) for v in r] for r in rows]
    body = {"results": [{
        "rows": [{"Data": [{} if v is None else {"VarCharValue": v} for v in r]} for r in data],
        "column_info": [{"Name": c, "Label": c, "Type": t, "CatalogName": "hive",
                         "SchemaName": "", "TableName": "", "Precision": 0, "Scale": 0,
                         "Nullable": "UNKNOWN", "CaseSensitive": t == "varchar"}
                        for c, t in columns],
    }]}  # fmt: skip
    response = requests.post(
        f"{endpoint}/moto-api/static/athena/query-results", json=body, timeout=10
    )
    assert response.status_code == 201


def _executions(settings) -> list[dict]:
    athena = boto3.client("athena")
    ids = athena.list_query_executions(WorkGroup=settings.workgroup)["QueryExecutionIds"]
    return [athena.get_query_execution(QueryExecutionId=i)["QueryExecution"] for i in ids]


TOP = [("name", "varchar"), ("person_id", "integer"), ("movies", "bigint")]


def test_query_runs_with_bound_parameters_in_the_right_place(aws_lake, aws):
    _seed(aws, TOP, [("Ann", 10, 3), ("Bob", 11, 3), ("Cid", 12, 3)])
    res = query.run(aws_lake, "top_actors", {"limit": 3})
    assert list(res.frame.itertuples(index=False, name=None)) == [
        ("Ann", 10, 3),
        ("Bob", 11, 3),
        ("Cid", 12, 3),
    ]
    assert str(res.frame.person_id.dtype) == "Int32" and str(res.frame.movies.dtype) == "Int64"
    (ex,) = _executions(aws_lake)
    # Athena takes execution parameters in WHERE clauses only: the limit, a checked integer,
    # is written into the shipped SQL.
    shipped = query.load_sql("top_actors")
    assert shipped.endswith("\nlimit ?\n")
    assert ex["Query"] == shipped.removesuffix("limit ?\n") + "limit 3\n"
    assert "ExecutionParameters" not in ex
    assert ex["QueryExecutionContext"]["Database"] == "movies_test"
    assert ex["WorkGroup"] == "movie_pipeline"
    assert ex["ResultConfiguration"]["OutputLocation"] == (
        f"s3://movie-lake-test/results/{res.query_execution_id}.csv"
    )
    assert res.bytes_estimated is False and res.bytes_scanned == 0  # moto scans nothing
    assert res.usd == pytest.approx(10 * 2**20 / 2**40 * 5)  # Athena's 10 MB minimum


def test_text_parameters_travel_as_quoted_literals(aws_lake, aws):
    _seed(aws, [("director", "varchar"), ("movies", "bigint")], [])
    query.run(aws_lake, "director_actor_pairs", {"job": "O'Neil's unit", "limit": 5})
    (ex,) = _executions(aws_lake)
    # One value per `?` (the job, in a WHERE clause); the limit is written in, twice (the
    # cutoff and the final cut).
    assert ex["ExecutionParameters"] == ["'O''Neil''s unit'"]
    assert "O'Neil" not in ex["Query"] and ex["Query"].count("limit 5") == 2


def test_bytes_scanned_and_dollars_come_from_athena(aws_lake, aws):
    _seed(aws, TOP, [("Ann", 10, 3)])
    scanned = 123_456_789
    session = boto3.Session(region_name=aws_lake.region)

    def athena_statistics(parsed, **_):
        # moto reports 0 bytes; a real Athena reports what it read. Only this figure is stubbed.
        stats = parsed.get("QueryExecution", {}).get("Statistics")
        if stats is not None:
            stats["DataScannedInBytes"] = scanned

    session.events.register("after-call.athena.GetQueryExecution", athena_statistics)
    res = query.run_athena(aws_lake, "top_actors", session=session)
    assert res.bytes_scanned == scanned
    billed = math.ceil(scanned / 2**20) * 2**20  # rounded up to the next megabyte
    assert res.usd == pytest.approx(billed / 2**40 * 5)


def test_the_cli_contract_holds_on_aws(aws_lake, aws, capsys, monkeypatch):
    monkeypatch.setenv("MOVIES_DATABASE", aws_lake.database)
    _seed(aws, TOP, [("Ann", 10, 3), ("Bob", 11, 3)])
    code = main(["query", "top_actors", "--backend", "aws", "--bucket", aws_lake.bucket,
                 "--format", "csv", "--param", "limit=2"])  # fmt: skip
    out = capsys.readouterr()
    assert code == 0
    assert out.out == "name,person_id,movies\nAnn,10,3\nBob,11,3\n"
    assert "Athena scanned 0 bytes" in out.err
    (ex,) = _executions(aws_lake)
    assert ex["Query"].endswith("\nlimit 2\n") and "ExecutionParameters" not in ex
