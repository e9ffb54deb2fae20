"""The walkthrough notebooks' helpers: paths, settings, Glue detection, lake summaries, costs."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from lake_tables import write_cleaned_local
from movie_pipeline import walkthrough
from movie_pipeline.aws import costs, iam
from movie_pipeline.catalog import register as catalog
from movie_pipeline.config import Settings
from movie_pipeline.etl import engine
from movie_pipeline.ingest.upload import upload_raw_local
from movie_pipeline.report import audit, environment, lake
from movie_pipeline.specs.datasets import RAW_FILES

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def fake_glue(tmp_path, monkeypatch):
    """An importable ``awsglue`` package, as inside a Glue session, with a GlueContext stub."""
    pkg = tmp_path / "glue_site" / "awsglue"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "context.py").write_text(
        "class GlueContext:\n"
        "    def __init__(self, sc):\n"
        "        self.spark_session = ('glue spark of', sc)\n"
    )
    monkeypatch.syspath_prepend(str(pkg.parent))
    yield
    for name in [m for m in sys.modules if m.startswith("awsglue")]:
        del sys.modules[name]


@pytest.fixture
def restore_streams(monkeypatch):
    """Let a test swap sys.stdout/sys.stderr: they come back as they were afterwards."""
    monkeypatch.setattr(sys, "stdout", sys.stdout)
    monkeypatch.setattr(sys, "stderr", sys.stderr)


# Paths and settings ---------------------------------------------------------------------------
def test_repo_root_found_from_notebooks_folder_and_not_elsewhere(tmp_path):
    assert walkthrough.repo_root(REPO / "notebooks") == REPO
    assert walkthrough.repo_root(tmp_path) == tmp_path.resolve()


def test_resolve_puts_relative_paths_under_the_repo(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO / "notebooks")
    assert walkthrough.resolve("data_samples") == REPO / "data_samples"
    assert walkthrough.resolve(tmp_path) == tmp_path


def test_relabel_replaces_the_longest_folder_first():
    labels = {"/home/ana/out": "OUTPUT_DIR", "/home/ana/out/lake": "LAKE_DIR", "/home/ana": "~"}
    text = "wrote /home/ana/out/lake/raw and /home/ana/out/x, read /home/ana/src"
    assert walkthrough.relabel(text, labels) == "wrote LAKE_DIR/raw and OUTPUT_DIR/x, read ~/src"


def test_start_resolves_settings_and_hides_machine_paths(tmp_path, monkeypatch, restore_streams):
    monkeypatch.chdir(REPO / "notebooks")
    monkeypatch.delenv("MOVIES_BUCKET", raising=False)
    captured = io.StringIO()
    monkeypatch.setattr(sys, "stdout", captured)
    run = walkthrough.start(
        "local", "data_samples", tmp_path / "lake", tmp_path / "out", bucket=None
    )
    assert run.settings.backend == "local"
    assert run.settings.bucket == "movie-analytics-lake"
    assert run.settings.lake_dir == tmp_path / "lake"
    assert run.source == REPO / "data_samples"
    print(f"catalog at {run.settings.catalog_path}, raw in {run.settings.raw_uri()}")
    assert captured.getvalue() == (
        "catalog at LAKE_DIR/_catalog/movies_db.duckdb, raw in LAKE_DIR/movie-analytics-lake/raw\n"
    )
    described = run.describe().set_index("setting")["value"]
    assert described["raw data"] == "LAKE_DIR/movie-analytics-lake/raw"
    assert described["source folder"] == "SOURCE_DIR"
    assert str(tmp_path) not in run.describe().to_string()


def test_start_again_replaces_the_labels(tmp_path, monkeypatch, restore_streams):
    monkeypatch.chdir(tmp_path)
    captured = io.StringIO()
    monkeypatch.setattr(sys, "stdout", captured)
    walkthrough.start("local", tmp_path / "a", tmp_path / "lake1", tmp_path / "out")
    walkthrough.start("local", tmp_path / "a", tmp_path / "lake2", tmp_path / "out")
    print(tmp_path / "lake2" / "x", tmp_path / "lake1" / "x")
    # lake1 is no longer the lake: it shows under the root (the working directory here).
    assert captured.getvalue() == "LAKE_DIR/x ./lake1/x\n"


def test_outside_glue_by_default():
    assert engine.in_glue() is False


def test_inside_glue_spark_is_glues_and_no_folder_is_shown(fake_glue, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert engine.in_glue() is True
    # The Glue-kernel notebook passes BACKEND = "aws" (its parameters cell).
    run = walkthrough.start("aws", bucket="my-bucket")
    assert run.settings.raw_uri("credits") == "s3://my-bucket/raw/credits"
    described = run.describe().set_index("setting")["value"]
    assert (described["source folder"], described["outputs"]) == ("-", "-")

    import pyspark.context

    monkeypatch.setattr(pyspark.context.SparkContext, "getOrCreate", staticmethod(lambda: "sc"))
    assert engine.get_spark(run.settings) == ("glue spark of", "sc")


# Notebook 00 ----------------------------------------------------------------------------------
def test_environment_reports_python_java_and_the_source_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "src"
    source.mkdir()
    (source / "credits.csv").write_text("cast,crew,id\n")
    (source / "notes.csv").write_text("not a dataset file\n")
    run = walkthrough.start("local", source, tmp_path / "lake", tmp_path / "out")
    env = environment.environment(run.settings, run.source).set_index("check")
    assert env.loc["Python", "value"] == ".".join(map(str, sys.version_info[:3]))
    assert env.loc["raw files in the source folder", "value"] == f"1 of {len(RAW_FILES)}"
    assert bool(env.loc["pyspark", "ok"]) is True


def test_cost_estimate_matches_list_prices():
    est = costs.cost_estimate(Settings(), raw_bytes=2 * 1024**3, queries=3).set_index("item")
    # 5 minutes on 2 x G.1X (1 DPU each) at $0.44 per DPU-hour.
    assert est.loc["Glue interactive session (02)", "usd"] == round(5 / 60 * 2 * 0.44, 4)
    # 3 queries scanning at most 2 GB each, at $5 per TB.
    assert est.loc["Athena queries (04)", "usd"] == round(3 * 2 / 1024 * 5, 4)
    # Raw and cleaned, 4 GB at most, for a month.
    assert est.loc["S3 storage for a month", "usd"] == round(4 * 0.023, 4)
    parts = est.drop(index=["total", "if the session is left idle until its timeout"])["usd"]
    assert est.loc["total", "usd"] == pytest.approx(parts.sum(), abs=1e-4)
    assert est.loc["if the session is left idle until its timeout", "usd"] == round(
        15 / 60 * 2 * 0.44, 4
    )


def test_aws_resources_name_what_the_other_modules_create():
    res = environment.aws_resources(Settings(bucket="my-lake", database="films"))
    names = " ".join(res["name"])
    assert "s3://my-lake" in names and "movie-pipeline-glue" in names and "films" in names
    assert list(res["notebook"]) == sorted(res["notebook"])


def test_policy_summary_lists_each_statement():
    docs = {
        "p": {"Statement": [
            {"Sid": "A", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:x"},
            {"Sid": "B", "Effect": "Deny", "Action": "s3:*", "Resource": ["r1", "r2"]},
        ]},
        "trust": {"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole",
                                "Principal": {"Service": "glue.amazonaws.com"}}},
    }  # fmt: skip
    summary = iam.policy_summary(docs)
    assert list(summary["sid"]) == ["A", "B", ""]
    assert list(summary["resources"]) == ["arn:x", "r1, r2", '{"Service": "glue.amazonaws.com"}']


def test_raw_files_gives_each_file_its_key(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "links.csv").write_text("movieId,imdbId,tmdbId\n1,114709,862\n")
    run = walkthrough.start("local", tmp_path, tmp_path / "lake", tmp_path / "out")
    files = lake.raw_files(run.settings, run.source)
    assert files.to_dict("records") == [
        {"file": "links.csv", "bytes": 35, "key": "raw/links/links.csv"}
    ]


# Lake summaries -------------------------------------------------------------------------------
@pytest.fixture
def small_lake(tmp_path, mini_frames):
    """A lake with two raw files uploaded and three cleaned tables written."""
    settings = Settings(lake_dir=tmp_path / "lake")
    src = tmp_path / "src"
    src.mkdir()
    (src / "credits.csv").write_bytes(b"cast,crew,id\n" + b"[],[],1\n" * 5000)
    (src / "ratings_small.csv").write_bytes(b"userId,movieId,rating,timestamp\n1,2,3.5,100\n")
    upload_raw_local(settings, {p.name: p for p in src.iterdir()})
    write_cleaned_local(settings, "cast_data", mini_frames["cast_data"], rows_per_file=5)
    write_cleaned_local(settings, "movies", mini_frames["movies"])
    return settings


def test_cleaned_tables_counts_files_partitions_and_rows(small_lake, mini_frames):
    tables = lake.cleaned_tables(small_lake).set_index("table")
    assert sorted(tables.index) == ["cast_data", "movies"]
    assert tables.loc["cast_data", "rows"] == len(mini_frames["cast_data"])
    assert tables.loc["cast_data", "files"] == -(-len(mini_frames["cast_data"]) // 5)
    assert tables.loc["cast_data", "partitions"] == 0
    decades = mini_frames["movies"]["release_decade"]
    assert tables.loc["movies", "partitions"] == decades.nunique(dropna=False)
    on_disk = sum(
        p.stat().st_size for p in Path(small_lake.cleaned_uri("movies")).rglob("*.parquet")
    )
    assert tables.loc["movies", "bytes"] == on_disk


def test_expected_tables_follow_the_raw_datasets_present(small_lake):
    # credits gives cast and crew; ratings_small stands in for ratings.
    assert lake.expected_tables(small_lake) == ["cast_data", "crew_data", "ratings"]


def test_expected_raw_tables_follow_the_raw_files(small_lake):
    assert lake.expected_raw_tables(small_lake) == ["raw_credits", "raw_ratings_small"]


def test_sizes_set_raw_csv_against_cleaned_parquet(small_lake):
    sizes = lake.sizes(small_lake).set_index("dataset")
    credits = Path(small_lake.raw_uri("credits/credits.csv")).stat().st_size
    cast = sum(
        p.stat().st_size for p in Path(small_lake.cleaned_uri("cast_data")).glob("*.parquet")
    )
    assert sizes.loc["credits", "raw_bytes"] == credits
    assert sizes.loc["credits", "cleaned_bytes"] == cast
    assert sizes.loc["credits", "ratio"] == round(cast / credits, 3)
    assert sizes.loc["ratings_small", "cleaned_bytes"] == 0
    assert pd.isna(sizes.loc["ratings_small", "ratio"])
    # movies has cleaned data but no raw file here: it shows, with no ratio.
    assert sizes.loc["movies_metadata", "raw_bytes"] == 0
    assert pd.isna(sizes.loc["movies_metadata", "ratio"])


def test_lake_listing_shows_keys_relative_to_the_bucket(small_lake):
    listing = lake.lake_listing(small_lake, "raw")
    assert list(listing["key"]) == [
        "raw/credits/credits.csv",
        "raw/ratings_small/ratings_small.csv",
    ]


def test_key_quality_finds_duplicates_and_null_keys(tmp_path, mini_frames):
    from movie_pipeline.catalog.register import register_local

    settings = Settings(lake_dir=tmp_path / "lake")
    cast = mini_frames["cast_data"]
    broken = pd.concat([cast, cast.iloc[[0, 0]], cast.iloc[[1]].assign(credit_id=None)])
    write_cleaned_local(settings, "cast_data", broken)
    write_cleaned_local(settings, "movie_genres", mini_frames["movie_genres"])
    register_local(settings)
    quality = audit.key_quality(settings, ["cast_data", "movie_genres"]).set_index("table")
    assert quality.loc["cast_data"].to_dict() == {
        "key": "id, credit_id",
        "row_count": len(cast) + 3,
        "distinct_keys": len(cast) + 1,
        "duplicate_rows": 2,
        "null_key_rows": 1,
    }
    genres = quality.loc["movie_genres"]
    assert (genres["duplicate_rows"], genres["null_key_rows"]) == (0, 0)
    assert catalog.catalog_rows(settings, ["cast_data"]) == {"cast_data": len(cast) + 3}


def test_key_quality_sql_refuses_unknown_tables():
    with pytest.raises(KeyError):
        audit.key_quality_sql("no_such_table")


def test_run_costs_estimates_offline_runs_and_keeps_measured_ones():
    checks = {
        "02": {"seconds": 30.0, "engine": "local Spark", "usd": None},
        "04": {"queries": {"a": 1, "b": 2}, "bytes_scanned": 3 * 1024**2, "usd": 0.0001},
    }
    bill = costs.run_costs(Settings(), checks, lake_bytes=1024**3).set_index("item")
    # 30 s is billed as the one-minute minimum, on 2 DPU.
    assert bill.loc["Glue (02)", "usd"] == round(60 * 2 / 3600 * 0.44, 4)
    assert bill.loc["Glue (02)", "measured_or_estimated"] == "estimated"
    assert bill.loc["Athena (04)", "usd"] == 0.0001
    assert bill.loc["S3 storage for a month", "usd"] == 0.023
    measured = {**checks, "02": {"seconds": 90, "engine": "Glue session s-1", "usd": 0.05}}
    bill = costs.run_costs(Settings(), measured, 0).set_index("item")
    assert (bill.loc["Glue (02)", "usd"], bill.loc["Glue (02)", "measured_or_estimated"]) == (
        0.05,
        "measured",
    )
    assert bill.loc["total", "usd"] == pytest.approx(0.0501, abs=1e-4)


def test_load_checks_reads_what_record_check_saved(tmp_path, capsys):
    from movie_pipeline.notebooks import record_check

    record_check("02", save_to=tmp_path / "checks", rows={"cast_data": 3}, engine="local Spark")
    printed = json.loads(capsys.readouterr().out)  # no IPython here: printed instead
    assert printed == {"notebook": "02", "rows": {"cast_data": 3}, "engine": "local Spark"}
    assert walkthrough.load_checks(tmp_path) == {"02": printed}
    assert walkthrough.load_checks(tmp_path / "nowhere") == {}


def test_frame_turns_dataclasses_into_rows():
    from movie_pipeline.ingest.upload import Uploaded

    rows = [Uploaded("a.csv", "raw/a/a.csv", 3, "ff", True)]
    assert walkthrough.frame(rows, drop=["sha256"]).to_dict("records") == [
        {"name": "a.csv", "key": "raw/a/a.csv", "size": 3, "transferred": True}
    ]


# Notebook 02 on AWS from a laptop: a Glue session driven through the API ------------------------
class FakeSession:
    """Stands in for glue.sessions.GlueSession: records the code, answers like a session."""

    made: list = []

    def __init__(self, settings):
        self.settings, self.id, self.codes = settings, "movie-pipeline-1234", []
        self.cost = None
        FakeSession.made.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        from movie_pipeline.aws.costs import glue_cost

        self.cost = glue_cost(120, 2)

    def run(self, code):
        self.codes.append(code)
        result = {
            "tables": {"cast_data": {"rows": 7, "path": "s3://b/cleaned/cast_data", "bytes": 9}},
            "reconciliation": {"ok": True, "datasets": {}, "skipped": {}},
            "report_path": "s3://b/reports/reconciliation.json",
        }
        return "Spark noise\n" + engine.RESULT_MARKER + json.dumps(result)


def test_flatten_on_aws_runs_the_etl_in_a_glue_session(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = walkthrough.start("aws", tmp_path, tmp_path / "lake", tmp_path / "out", bucket="b-1x")
    flattened = engine.flatten(run.settings, session_factory=FakeSession)
    session = FakeSession.made[-1]
    assert flattened.tables == {
        "cast_data": {"rows": 7, "path": "s3://b/cleaned/cast_data", "bytes": 9}
    }
    assert flattened.reconciliation["ok"] is True
    assert flattened.engine == "Glue session movie-pipeline-1234"
    assert flattened.usd == round(120 * 2 / 3600 * 0.44, 4)
    assert flattened.summary().to_dict("records") == [{"table": "cast_data", "rows": 7, "bytes": 9}]
    # The statement rebuilds the same settings in the session, on S3, and runs the ETL.
    (code,) = session.codes
    compile(code, "<statement>", "exec")
    assert "'bucket': 'b-1x'" in code and "'backend': 'aws'" in code and "lake_dir" not in code
    assert "result = driver.run_etl(engine.get_spark(settings), settings)" in code


def test_parse_session_result_needs_the_marker():
    assert engine.parse_session_result(f'x\n{engine.RESULT_MARKER}{{"t": 1}}\n') == {"t": 1}
    with pytest.raises(ValueError, match="no result line"):
        engine.parse_session_result("Traceback ...")


# Notebook 05: the reconciliation report and the quarantine ---------------------------------------
def _report() -> str:
    from movie_pipeline.etl.reconcile import DatasetReconciliation, Reconciliation, TableCount

    credits = DatasetReconciliation(
        dataset="credits", source="raw/credits/credits.csv", raw_records=10,
        count_method="csv", read_records=10, clean=7, quarantined=1, duplicates_removed=2,
    )  # fmt: skip
    credits.tables["cast_data"] = TableCount(rows=40, expected=40, rule="sum of cast lengths")
    credits.tables["crew_data"] = TableCount(rows=55, expected=56, rule="sum of crew lengths")
    return Reconciliation(datasets={"credits": credits}).to_json()


def test_reconciliation_is_read_back_from_the_lake(tmp_path):
    settings = Settings(lake_dir=tmp_path / "lake")
    with pytest.raises(FileNotFoundError, match="run notebook 02 first"):
        audit.load_reconciliation(settings)
    path = Path(settings.uri("reports", "reconciliation.json"))
    path.parent.mkdir(parents=True)
    path.write_text(_report())
    report = audit.load_reconciliation(settings)
    assert report["ok"] is False  # crew_data is one row short
    datasets, tables = audit.reconciliation_frames(report)
    assert datasets.to_dict("records") == [{
        "dataset": "credits", "raw_records": 10, "read_records": 10, "clean": 7,
        "quarantined": 1, "duplicates_removed": 2, "split_halves_merged": 0, "accounted": 10,
        "ok": False,
    }]  # fmt: skip
    assert tables[["table", "rows", "expected"]].values.tolist() == [
        ["cast_data", 40, 40],
        ["crew_data", 55, 56],
    ]


@pytest.mark.aws
def test_reconciliation_is_read_back_from_s3(aws):
    import boto3

    settings = Settings(backend="aws", bucket="recon-bucket")
    with pytest.raises(FileNotFoundError, match="s3://recon-bucket/reports"):
        audit.load_reconciliation(settings)
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="recon-bucket")
    s3.put_object(Bucket="recon-bucket", Key="reports/reconciliation.json", Body=_report())
    assert audit.load_reconciliation(settings)["datasets"]["credits"]["clean"] == 7


def test_quarantine_shows_each_row_and_groups_alike_reasons(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    settings = Settings(lake_dir=tmp_path / "lake")
    assert audit.quarantine_reasons(settings).empty
    folder = Path(settings.quarantine_uri("movies_metadata"))
    folder.mkdir(parents=True)
    reasons = ["budget 'abc' is not a bigint", "budget 'x1' is not a bigint", "id '' is not an int"]
    table = pa.table({
        "dataset": ["movies_metadata"] * 3, "record_id": [1, 2, 3], "reason": reasons,
        "raw": ['{"id":"12","budget":"abc"}', '{"id":"7","budget":"x1"}', '{"id":""}'],
    })  # fmt: skip
    pq.write_table(table, folder / "part-0.parquet")
    rows = audit.quarantined_rows(settings, raw_chars=12)
    assert rows[["id", "reason", "raw"]].values.tolist() == [
        ["", reasons[2], '{"id":""}'],
        ["12", reasons[0], '{"id":"12","...'],
        ["7", reasons[1], '{"id":"7","b...'],
    ]
    got = audit.quarantine_reasons(settings)
    assert got.values.tolist() == [
        ["movies_metadata", "budget '...' is not a bigint", 2],
        ["movies_metadata", "id '...' is not an int", 1],
    ]
