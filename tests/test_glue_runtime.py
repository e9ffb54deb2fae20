"""The Glue side of the library imports only what Glue 5.1 provides, proven by running it so."""

# moto and a fake ``awsglue`` in the test's own interpreter would let any installed package
# through; a Glue worker has only AWS's list. ``tests/glue_strict_run.py`` runs the job script,
# the Glue-kernel notebook and the session statement from the zip ``deploy`` ships, in a fresh
# interpreter where every other third-party import fails.

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from movie_pipeline.config import Settings
from movie_pipeline.etl import engine
from movie_pipeline.glue import deploy, runtime
from movie_pipeline.ingest.upload import upload_raw_local
from movie_pipeline.specs.datasets import find_raw_files

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
GLUE_NOTEBOOK = REPO / "notebooks" / "glue" / "02_flatten_with_glue_interactive_session.ipynb"
BUCKET = "movie-lake-test"


# The lists --------------------------------------------------------------------------------------
def test_glue_provides_none_of_the_laptop_only_packages():
    allowed = runtime.allowed_imports()
    assert {"pyspark", "py4j", "awsglue", "boto3", "botocore", "pandas", "pyarrow", "numpy",
            "dateutil", "PIL"} <= allowed  # fmt: skip
    assert not {"tqdm", "duckdb", "sqlglot", "psutil", "IPython", "awswrangler"} & allowed
    assert runtime.PROVIDED["pyarrow"] == "22.0.0" and runtime.RUNTIME["pyspark"] == "3.5.6"


def test_additional_modules_are_pinned(monkeypatch):
    assert runtime.additional_python_modules() == ""  # nothing to install today
    monkeypatch.setattr(runtime, "ADDITIONAL", {"sqlglot": "30.31.0", "attrs": "25.4.0"})
    assert runtime.additional_python_modules() == "attrs==25.4.0,sqlglot==30.31.0"
    assert "sqlglot" in runtime.allowed_imports()


# The zip ----------------------------------------------------------------------------------------
def test_the_zip_leaves_the_generator_and_the_fault_corpus_out():
    names = zipfile.ZipFile(io.BytesIO(deploy.build_package())).namelist()
    assert "movie_pipeline/glue/job.py" in names and "movie_pipeline/etl/driver.py" in names
    assert not [n for n in names if n.startswith("movie_pipeline/generator/")]
    assert not [n for n in names if "fault" in n]
    # They stay in the installed package for the CLI (`movie-pipeline generate`).
    assert (deploy.PACKAGE_DIR / "generator" / "__init__.py").is_file()


# The whole Glue side, as Glue runs it -------------------------------------------------------------
def _lake(root: Path, files: list[str]) -> Settings:
    settings = Settings(lake_dir=root, bucket=BUCKET)
    found = find_raw_files(REPO / "data_samples")
    upload_raw_local(settings, {name: found[name] for name in files})
    return settings


def _job_args(settings: Settings) -> list[str]:
    args = {"JOB_NAME": "movie-pipeline-etl", "backend": "local", "bucket": settings.bucket,
            "raw_prefix": "raw", "cleaned_prefix": "cleaned", "quarantine_prefix": "quarantine",
            "temp_prefix": "tmp", "database": "movies_db", "region": "us-east-1",
            "lake_dir": str(settings.lake_dir)}  # fmt: skip
    return [x for k, v in args.items() for x in (f"--{k}", v)]


@pytest.fixture(scope="module")
def strict_run(tmp_path_factory):
    """Run the job, the Glue notebook and the session statement in the strict interpreter."""
    root = tmp_path_factory.mktemp("glue_strict")
    package = root / "movie_pipeline.zip"
    package.write_bytes(deploy.build_package())  # exactly the bytes deploy uploads
    script = root / "job.py"
    script.write_bytes(deploy.JOB_SCRIPT.read_bytes())  # the script deploy uploads
    # Every dataset once: credits and links in the notebook's lake (it peeks at cast and checks
    # links; links_small.csv beside links.csv, which is preferred), the others in the job's.
    notebook_files = ["credits.csv", "links.csv", "links_small.csv"]
    samples = sorted(find_raw_files(REPO / "data_samples"))
    job_lake = _lake(root / "job_lake", [f for f in samples if f not in notebook_files])
    notebook_dir = root / "notebook"
    notebook_lake = _lake(notebook_dir / "outputs" / "lake", notebook_files)
    config = {
        "harness_dir": str(HERE),
        "zip": str(package),
        "site_packages": sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}),
        "allowed": sorted(runtime.allowed_imports()),
        "parts": ["statement", "notebook", "job"],
        "job_script": str(script),
        "job_args": _job_args(job_lake),
        "notebook": str(GLUE_NOTEBOOK),
        "notebook_dir": str(notebook_dir),
        # A local lake under the session's working folder stands in for the bucket.
        "notebook_parameters": f'BACKEND = "local"\nBUCKET = "{BUCKET}"\n',
        "statement": engine.session_code(Settings(backend="aws", bucket=BUCKET)),
        "out": str(root / "report.json"),
    }
    (root / "config.json").write_text(json.dumps(config))
    # Spark's Python workers get the zip too, as Glue ships --extra-py-files to the executors.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env |= {"PYTHONPATH": str(package), "PYSPARK_PYTHON": sys.executable}
    done = subprocess.run(
        [sys.executable, "-S", str(HERE / "glue_strict_run.py"), str(root / "config.json")],
        capture_output=True, text=True, cwd=root, env=env, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-5000:]
    report = json.loads((root / "report.json").read_text())
    return report, job_lake, notebook_lake


def _fail_on(report: dict, part: str) -> None:
    if part in report["errors"]:
        pytest.fail(f"{part} failed in the Glue stand-in:\n{report['errors'][part]}")


@pytest.mark.slow
def test_only_glue_packages_are_imported_and_the_lib_comes_from_the_zip(strict_run):
    report, _, _ = strict_run
    assert report["movie_pipeline"].endswith("movie_pipeline.zip/movie_pipeline/__init__.py")
    imported = set(report["imported"]) - {"movie_pipeline", "glue_stand_in", "awsglue"}
    assert imported <= runtime.allowed_imports(), imported - runtime.allowed_imports()
    assert not {"tqdm", "duckdb", "sqlglot", "psutil"} & set(report["imported"])


@pytest.mark.slow
def test_the_session_statement_imports_in_glue(strict_run):
    report, _, _ = strict_run
    _fail_on(report, "statement")
    assert report["parts"]["statement"]["imports"] >= 2


def _distinct_ids(path: Path, column: str, numeric_only: bool = True) -> int:
    with open(path, encoding="utf-8", newline="") as fh:
        ids = {r[column] for r in csv.DictReader(fh)}
    return len({i for i in ids if i.isdigit()} if numeric_only else ids)


@pytest.mark.slow
def test_the_job_script_runs_in_glue_and_reconciles(strict_run, shipped_breaks):
    report, lake, _ = strict_run
    _fail_on(report, "job")
    calls = report["parts"]["job"]["calls"]
    assert calls[0][:2] == ["init", "movie-pipeline-etl"] and calls[-1] == ["commit"]
    reads = sorted(c[5] for c in calls if c[0] == "read")
    assert reads == ["read_keywords", "read_movies_metadata", "read_ratings"]
    # As Glue runs it: Spark's code generation on (the tests' other JVMs interpret), and used.
    assert report["codegen"]["spark.sql.codegen.wholeStage"] == "true"
    assert report["codegen"]["classes_compiled"] > 50

    recon = json.loads(Path(lake.uri("reports", "reconciliation.json")).read_text())
    assert recon["ok"] is True
    for name, d in recon["datasets"].items():
        accounted = d["clean"] + d["quarantined"] + d["duplicates_removed"]
        assert accounted + d["split_halves_merged"] == d["read_records"] == d["raw_records"], name
        # Exactly the rows the sample breaks on purpose: a misaligned read would quarantine more.
        assert d["quarantined"] == len(shipped_breaks.get(name, ())), name
        for table, t in d["tables"].items():
            rows = sum(pq.ParquetFile(p).metadata.num_rows
                       for p in Path(lake.cleaned_uri(table)).rglob("*.parquet"))  # fmt: skip
            assert rows == t["rows"] == t["expected"] > 0, table
    # Independent of Spark: one movie per distinct numeric id of the CSV (the second halves of
    # split records carry a date there).
    movies = recon["datasets"]["movies_metadata"]
    assert movies["split_halves_merged"] == 3
    broken = {i for i in shipped_breaks["movies_metadata"] if i.isdigit()}
    assert movies["tables"]["movies"]["rows"] == _distinct_ids(
        REPO / "data_samples" / "movies_metadata.csv", "id"
    ) - len(broken)


@pytest.mark.slow
def test_the_glue_notebook_runs_in_glue(strict_run):
    report, _, lake = strict_run
    _fail_on(report, "notebook")
    assert report["parts"]["notebook"]["engine"] == "this Glue session"
    checks = json.loads((lake.lake_dir.parents[1] / "outputs" / "checks" / "02.json").read_text())
    assert set(checks["rows"]) == {"cast_data", "crew_data", "links"}
    # Independent of Spark: one link per MovieLens id of the CSV.
    assert checks["rows"]["links"] == _distinct_ids(REPO / "data_samples" / "links.csv", "movieId")
    assert min(checks["rows"].values()) > 0
