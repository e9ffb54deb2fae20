"""The stages in order: upload, transform, catalog, query, report."""

from __future__ import annotations

import json
import time
from pathlib import Path

from movie_pipeline import catalog, charts, etl, query, storage
from movie_pipeline.config import Settings
from movie_pipeline.datasets import find_raw_files
from movie_pipeline.progress import say, step

# Every shipped query (sql/*.sql): `make run` writes each one's CSV and chart.
ALL_QUERIES = tuple(query.list_queries())
HEADLINE_QUERIES = ALL_QUERIES


def upload(settings: Settings, source: str | Path) -> list[storage.Uploaded]:
    files = find_raw_files(source)
    with step(f"upload {len(files)} raw files to {settings.raw_uri()}"):
        results = storage.upload_raw(settings, files)
    for r in results:
        say(f"  {r.key}: {r.size:,} bytes, {'uploaded' if r.transferred else 'unchanged, skipped'}")
    return results


def transform(settings: Settings, spark=None) -> dict[str, dict]:
    """Flatten and clean raw/ into cleaned/ (local Spark, or the Glue job on AWS).

    Returns:
        Locally, ``etl.run_etl``'s result: ``{"tables": ..., "reconciliation": ...,
        "report_path": ...}`` (it raises ReconciliationError when the rows do not add up);
        on AWS, the Glue job run by job name.
    """
    if settings.backend == "aws":
        return transform_glue(settings)
    from movie_pipeline.spark import get_spark

    with step("start Spark"):
        spark = spark or get_spark(settings.spark_master)
    return etl.run_etl(spark, settings)


def transform_glue(settings: Settings) -> dict[str, dict]:
    """The transform on AWS: ship the lib and job script, create or update the job, run it."""
    from movie_pipeline.glue import deploy

    with step(f"deploy the Glue job {deploy.job_name(settings)}"):
        deploy.deploy(settings)
    with step(f"run the Glue job {deploy.job_name(settings)}"):
        run = deploy.run_job(settings)
    return {run.job_name: {
        "rows": None, "path": settings.cleaned_uri(), "state": run.state,
        "seconds": run.cost.seconds, "dpu_hours": round(run.cost.dpu_hours, 4),
        "usd": round(run.cost.usd, 4),
    }}  # fmt: skip


def register(settings: Settings) -> list[str]:
    from movie_pipeline.schema_guard import guard

    # Check every file against its spec first: a type Athena would reject (HIVE_BAD_DATA)
    # stops here, naming the table, column, types and file.
    with step("check the cleaned files against the table specs"):
        guard(settings)
    where = "the Glue Data Catalog" if settings.backend == "aws" else settings.catalog_path
    with step(f"register tables in {where}"):
        return catalog.register(settings)


def analyse(
    settings: Settings, outputs: Path, names=ALL_QUERIES, params: dict | None = None
) -> dict[str, dict]:
    """Run queries, save each result as CSV and its chart as PNG, and say what each cost.

    A query whose tables are not in the catalog is skipped with the reason (an ETL that has
    not written every table yet), not failed.

    Args:
        settings: backend and catalog.
        outputs: ``results/<name>.csv`` and ``charts/<name>.png`` go under it.
        names: the queries to run.
        params: ``{query: {parameter: value}}`` for queries that take parameters.
    """
    results = {}
    available = catalog.list_tables(settings)
    for name in names:
        missing = sorted(set(query.referenced_tables(query.load_sql(name))) - available)
        if missing:
            say(f"query {name}: skipped, tables not in the catalog: {', '.join(missing)}")
            results[name] = {"skipped": f"tables not in the catalog: {', '.join(missing)}"}
            continue
        with step(f"query {name}"):
            res = query.run(settings, name, (params or {}).get(name))
            (outputs / "results").mkdir(parents=True, exist_ok=True)
            csv_path = outputs / "results" / f"{name}.csv"
            res.frame.to_csv(csv_path, index=False)
            png = charts.chart_for(name, res.frame, outputs / "charts")
        if res.estimate is not None:
            say(f"  {res.estimate.describe()}")
        elif res.bytes_scanned is not None:
            say(f"  Athena scanned {res.bytes_scanned:,} bytes (${res.usd:.6f})")
        results[name] = {
            "rows": len(res.frame), "csv": str(csv_path), "chart": str(png) if png else None,
            "seconds": round(res.seconds, 3), "params": res.params,
            "bytes_scanned": res.bytes_scanned, "bytes_estimated": res.bytes_estimated,
            "usd": res.usd,
            "bytes_without_pruning": res.estimate.bytes_unpruned if res.estimate else None,
        }  # fmt: skip
    return results


def run_all(settings: Settings, source: str | Path, outputs: str | Path = "outputs") -> dict:
    """Run every stage from the raw files in ``source`` to results and charts in ``outputs``."""
    outputs = Path(outputs)
    outputs.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if settings.backend == "aws":
        from movie_pipeline.aws.iam import setup_aws

        with step("set up the bucket, Glue role, policies and Athena workgroup (idempotent)"):
            setup_aws(settings)
    uploaded = upload(settings, source)
    transformed = transform(settings)
    # The local ETL returns its tables and reconciliation; the Glue path returns the job run.
    tables = transformed.get("tables", transformed)
    registered = register(settings)
    results = analyse(settings, outputs)
    report = {
        "settings": settings.as_dict(),
        "uploaded": [u.__dict__ for u in uploaded],
        "tables": tables,
        "reconciliation": transformed.get("reconciliation"),
        "catalog": registered,
        "queries": results,
        "seconds": round(time.perf_counter() - start, 1),
    }
    path = outputs / "run_report.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    say(f"report written to {path}")
    return report
