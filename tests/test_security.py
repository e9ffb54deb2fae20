"""Security: no credential in anything the pipeline writes, no SQL injection through query
parameters, no path traversal through file, table or query names."""

from __future__ import annotations

import secrets
import string
from pathlib import Path

import boto3
import duckdb
import pytest
import requests

from movie_pipeline.analysis import query
from movie_pipeline.catalog import register as catalog
from movie_pipeline.cli import main
from movie_pipeline.config import ConfigError, Settings
from movie_pipeline.errors import UnsafeNameError
from movie_pipeline.generator import generate
from movie_pipeline.generator.faults import write_fault
from movie_pipeline.ingest import upload


# Credentials: the pipeline's outputs and logs never hold them -----------------------------------
def fake_credentials() -> dict[str, str]:
    """Fresh random values in AWS's shapes, so that no file can hold them by chance."""
    upper = string.ascii_uppercase + string.digits
    return {
        "AWS_ACCESS_KEY_ID": "AKIA" + "".join(secrets.choice(upper) for _ in range(16)),
        "AWS_SECRET_ACCESS_KEY": secrets.token_urlsafe(30)[:40],
        "AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2VjE" + secrets.token_urlsafe(200),
    }


def scan(roots: list[Path], texts: list[str], secrets_: list[str]) -> list[str]:
    """Every place (file path, or ``text #i``) where one of ``secrets_`` appears."""
    found = []
    for root in roots:
        for path in (p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
            data = path.read_bytes()
            found += [f"{path}: {s[:8]}..." for s in secrets_ if s.encode() in data]
    for i, text in enumerate(texts):
        found += [f"text #{i}: {s[:8]}..." for s in secrets_ if s in text]
    return found


def test_the_scanner_finds_a_planted_credential(tmp_path):
    creds = fake_credentials()
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "report.json").write_text(
        f'{{"env": "{creds["AWS_SESSION_TOKEN"]}"}}'
    )
    found = scan([tmp_path], ["log line " + creds["AWS_ACCESS_KEY_ID"]], list(creds.values()))
    assert len(found) == 2 and "report.json" in found[0] and found[1].startswith("text #0")


# The walkthrough runs with credentials in its environment too: its kernels and their Spark JVM,
# scanned with everything they wrote (test_notebooks: the walkthrough writes no credential).
@pytest.mark.slow
def test_a_run_with_credentials_in_the_environment_writes_none_of_them(
    tmp_path, spark, monkeypatch, capfd
):
    creds = fake_credentials()
    src, lake, out = (tmp_path / n for n in ("src", "lake", "out"))
    # One small dataset keeps the run short (the queries are skipped: their tables are absent);
    # every writer still runs: upload, Spark, reconciliation, catalog, report, logs.
    generate(src, movies=20, seed=7, files=["links.csv"], progress=False)
    for key, value in creds.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    # `run` on this worker's Spark session: the Python side's writers see the credentials; a
    # Spark JVM started with them is the walkthrough's (test_notebooks).
    monkeypatch.setattr("movie_pipeline.etl.spark.get_spark", lambda *args, **kw: spark)
    code = main(["run", "--source", str(src), "--lake", str(lake), "--outputs", str(out)])
    printed = capfd.readouterr()
    assert code == 0, printed.err[-3000:]
    assert (out / "run_report.json").exists() and list(lake.rglob("*.parquet"))
    assert list(lake.rglob("reconciliation.json")) and list(lake.rglob("*.duckdb"))
    assert scan([lake, out], [printed.out, printed.err], list(creds.values())) == []


# SQL injection: values are bound or refused, never pasted into SQL -------------------------------
INJECTIONS = ["'; drop table movies; --", "1 or 1=1", "10; drop view movies", "1) or (1=1"]


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_through_a_number_parameter_is_refused(mini_lake, value):
    with pytest.raises(query.QueryError, match="parameter limit must be integer"):
        query.run(mini_lake, "top_actors", {"limit": value}, estimate=False)


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_through_a_number_written_into_the_sql_is_refused(value):
    q = query.get_query("top_actors")  # its limit is written into the text, not bound
    with pytest.raises(query.QueryError, match="parameter limit must be integer"):
        q.render({"limit": value})


def _movies(settings) -> int:
    with duckdb.connect(str(settings.catalog_path), read_only=True) as con:
        return con.execute("select count(*) from movies").fetchone()[0]


def test_injection_through_a_text_parameter_is_only_a_value(mini_lake):
    before = _movies(mini_lake)
    directors = query.run(mini_lake, "director_actor_pairs", {"job": "Director"}, estimate=False)
    assert len(directors.frame) > 0
    for value in ["Director'; drop view movies; --", "x' or '1'='1", "Director' --"]:
        res = query.run(mini_lake, "director_actor_pairs", {"job": value}, estimate=False)
        assert res.params["job"] == value and len(res.frame) == 0  # no crew job has that name
        assert value not in res.engine_sql
    assert _movies(mini_lake) == before


def test_injection_through_names_is_refused(mini_lake, capsys):
    with pytest.raises(query.QueryError, match="has no parameter"):
        query.run(mini_lake, "top_actors", {"limit) or (1": 1}, estimate=False)
    for name in ["top_actors; drop table movies", "../../etc/passwd", "TOP_ACTORS"]:
        with pytest.raises(KeyError, match="unknown query"):
            query.run(mini_lake, name, estimate=False)
    lake = ["--lake", str(mini_lake.lake_dir)]
    assert main(["query", "top_actors", "--param", "limit=1 or 1=1", *lake]) == 2
    assert "parameter limit must be integer" in capsys.readouterr().err
    assert main(["query", "../../etc/passwd", *lake]) == 2
    assert "unknown query '../../etc/passwd'" in capsys.readouterr().err


@pytest.mark.aws
def test_injection_reaches_athena_as_one_quoted_literal(aws_lake, aws):
    body = {"results": [{"rows": [{"Data": [{"VarCharValue": "director"}]}],
                         "column_info": [{"Name": "director", "Label": "director",
                                          "Type": "varchar", "Nullable": "UNKNOWN"}]}]}  # fmt: skip
    requests.post(f"{aws}/moto-api/static/athena/query-results", json=body, timeout=10)
    value = "'; drop table movies; --"
    query.run(aws_lake, "director_actor_pairs", {"job": value, "limit": 5})
    athena = boto3.client("athena")
    (qid,) = athena.list_query_executions(WorkGroup=aws_lake.workgroup)["QueryExecutionIds"]
    ex = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
    # The text is the WHERE clause's execution parameter; the limit, checked as an integer, is
    # in the SQL (Athena takes no parameter in LIMIT).
    assert ex["ExecutionParameters"] == ["'''; drop table movies; --'"]
    assert "drop" not in ex["Query"] and "    where job = ?\n" in ex["Query"]
    assert ex["Query"].count("limit 5") == 2 and ex["Query"].count("?") == 1


# Path traversal: names that would leave their folder are refused ---------------------------------
TRAVERSALS = ["../../etc/passwd", "cast_data/../x", "..", "/etc/passwd", "a\\..\\b"]


@pytest.mark.parametrize("name", TRAVERSALS)
def test_traversal_in_table_names_is_refused(tmp_path, name):
    settings = Settings(lake_dir=tmp_path)
    with pytest.raises(ConfigError, match="not a valid Glue/Athena identifier"):
        catalog.register_local(settings, [name])
    with pytest.raises(UnsafeNameError):
        from movie_pipeline.lake.atomic import Publication

        Publication(settings).target(f"{settings.bucket_root}/cleaned/{name}")
    assert not list(tmp_path.rglob("passwd"))


@pytest.mark.parametrize(
    "setting", ["raw_prefix", "cleaned_prefix", "quarantine_prefix", "bucket", "database"]
)
def test_traversal_in_settings_is_refused(tmp_path, setting):
    with pytest.raises(ConfigError):
        Settings(lake_dir=tmp_path, **{setting: "../../etc"})


@pytest.mark.parametrize("name", TRAVERSALS)
def test_traversal_in_file_names_is_refused(tmp_path, name):
    settings = Settings(lake_dir=tmp_path / "lake")
    with pytest.raises(KeyError):  # only the dataset's own file names map to a key
        upload.upload_raw(settings, {name: tmp_path / "x.csv"})
    with pytest.raises(ValueError, match="unknown"):
        write_fault(name, tmp_path / "faults")
    with pytest.raises(ValueError, match="unknown file"):
        generate(tmp_path / "gen", movies=5, files=[name], progress=False)
    assert not (tmp_path / "lake").exists()
