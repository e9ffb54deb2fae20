"""The stages in order: upload, transform, catalog, query, report.

Every stage that writes to the lake holds the lake's lock (``lock.lake_lock``; ``run`` holds
it once for all its stages). Raw files are checked before they are copied, and again in the
lake before the ETL reads them (``rawcheck``). Locally the ETL's tables are staged and swapped
in only when the whole run succeeded and reconciles (``atomic``); on AWS they are written in
place by the Glue job.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from movie_pipeline.analysis import charts, query
from movie_pipeline.catalog import register as catalog
from movie_pipeline.config import Settings
from movie_pipeline.etl import driver as etl
from movie_pipeline.ingest.rawcheck import check_raw, file_chunks
from movie_pipeline.ingest.upload import Uploaded, upload_raw
from movie_pipeline.lake import atomic
from movie_pipeline.lake.lock import lake_lock
from movie_pipeline.progress import say, step
from movie_pipeline.specs.datasets import RAW_FILES, find_raw_files

# Every shipped query (sql/*.sql): `make run` writes each one's CSV and chart.
ALL_QUERIES = tuple(query.list_queries())


def check_sources(files: dict[str, Path]) -> list[str]:
    """Check every raw file's bytes before any is copied (see ``rawcheck``).

    Args:
        files: ``{kaggle file name: local path}``.

    Returns:
        The harmless oddities seen (a byte-order mark, mixed line endings, reordered columns).

    Raises:
        PipelineInputError: naming the file's path, the line when known, and the problem.
    """
    notes = []
    for name, path in files.items():
        notes += check_raw(file_chunks(path), RAW_FILES[name], str(path)).notes
    return notes


def upload(settings: Settings, source: str | Path) -> list[Uploaded]:
    """Check the raw files in ``source``, then copy them to ``raw/`` under the lake lock.

    Nothing is copied when any file fails its check; an unchanged file is not sent again.

    Raises:
        PipelineInputError: a file is not the CSV expected (its path, line and problem).
        LakeLockedError: another run held the lake for longer than the lock's timeout.
    """
    files = find_raw_files(source)
    with step(f"check {len(files)} raw files"):
        for note in check_sources(files):
            say(f"  {note}")
    with (
        lake_lock(settings, "upload"),
        step(f"upload {len(files)} raw files to {settings.raw_uri()}"),
    ):
        results = upload_raw(settings, files)
    for r in results:
        say(f"  {r.key}: {r.size:,} bytes, {'uploaded' if r.transferred else 'unchanged, skipped'}")
    return results


def transform(settings: Settings, spark=None, reprocess: bool = False) -> dict[str, dict]:
    """Flatten and clean raw/ into cleaned/ (local Spark, or the Glue job on AWS), under the lock.

    ``reprocess`` resets the Glue job's bookmark first (AWS only: locally every file is read).

    Returns:
        Locally, ``etl.run_etl``'s result: ``{"tables": ..., "reconciliation": ...,
        "report_path": ...}`` (it raises ReconciliationError when the rows do not add up);
        on AWS, the Glue job run by job name.
    """
    with lake_lock(settings, "transform"):
        if settings.backend == "aws":
            return transform_glue(settings, reprocess)
        from movie_pipeline.etl.spark import get_spark

        with step("start Spark"):
            spark = spark or get_spark(settings.spark_master)
        return transform_local(spark, settings)


def recover(settings: Settings) -> None:
    """Finish or discard what killed runs left in the staging area (local lake, under the lock)."""
    if settings.backend != "aws":
        for action in atomic.recover(settings):
            say(action)


def check_lake(settings: Settings) -> dict[str, list[str]]:
    """Check the raw file each dataset's ETL will read (files reach the lake by other ways too).

    Returns:
        The check's notes by dataset, for the reconciliation report.

    Raises:
        PipelineInputError: naming the file in the lake, the line and the problem.
    """
    notes = {}
    for job in etl.JOBS:
        uris = [(RAW_FILES[f], settings.raw_uri(RAW_FILES[f].key)) for f in job.files]
        present = [(raw, uri) for raw, uri in uris if Path(uri).is_file()]
        if present:
            raw, uri = present[0]  # the file the ETL prefers
            notes[job.dataset] = check_raw(file_chunks(uri), raw, uri).notes
    return notes


def transform_local(spark, settings: Settings, datasets: list[str] | None = None) -> dict:
    """``etl.run_etl`` with its tables published whole or not at all (local backend).

    Hold the lake lock around it. It recovers what killed runs left, checks the raw files in the
    lake, runs the ETL into a staging folder (``atomic.Publication``), checks each staged table
    (cleaned and quarantine) against the row count the reconciliation expects, and swaps them
    all in. On any failure the staged tables are dropped and the published ones stay as they
    were.

    Args:
        spark: the session.
        settings: the local lake.
        datasets: only these datasets (default: every one whose raw file is present).

    Returns:
        ``etl.run_etl``'s result, the raw checks' notes added to each dataset's ``notes``.
    """
    recover(settings)
    with step("check the raw files in the lake"):
        notes = check_lake(settings)
    publication = atomic.Publication(settings)
    try:
        result = etl.run_etl(spark, settings, datasets=datasets, table_uri=publication.target)
        for dataset, rec in result["reconciliation"]["datasets"].items():
            for table, count in rec["tables"].items():
                publication.validate(settings.cleaned_uri(table), count["expected"])
            publication.validate(settings.quarantine_uri(dataset), rec["quarantined"])
    except BaseException:
        publication.abort()
        raise
    # Once commit has written its journal, a failure is finished by the next run's recover().
    with step(f"publish {len(publication.staged)} tables (run {publication.run_id})"):
        publication.commit()
    recon = result["reconciliation"]
    for dataset, extra in notes.items():
        if extra and dataset in recon["datasets"]:
            recon["datasets"][dataset]["notes"] += extra
    Path(result["report_path"]).write_text(json.dumps(recon, indent=2, ensure_ascii=False))
    return result


def transform_glue(settings: Settings, reprocess: bool = False) -> dict[str, dict]:
    """The transform on AWS: ship the lib and job script, create or update the job, run it."""
    from movie_pipeline.glue import deploy

    with step(f"deploy the Glue job {deploy.job_name(settings)}"):
        deploy.deploy(settings)
    with step(f"run the Glue job {deploy.job_name(settings)}"):
        run = deploy.run_job(settings, reprocess=reprocess)
    return {run.job_name: {
        "rows": None, "path": settings.cleaned_uri(), "state": run.state,
        "seconds": run.cost.seconds, "dpu_hours": round(run.cost.dpu_hours, 4),
        "usd": round(run.cost.usd, 4),
    }}  # fmt: skip


def register(settings: Settings) -> list[str]:
    """Check the cleaned files against their specs, then register them, under the lake lock."""
    from movie_pipeline.lake.schema_guard import guard

    with lake_lock(settings, "catalog"):
        recover(settings)  # a killed run's half-finished swaps are finished before registering
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
        names: the queries to run (empty or None: every shipped query).
        params: ``{query: {parameter: value}}`` for queries that take parameters.

    Returns:
        ``{query: {"rows", "csv", "chart", "seconds", "bytes_scanned", "usd", ...}}``, the csv
        and chart paths relative to ``outputs``; ``{"skipped": reason}`` for a skipped query.
    """
    outputs = Path(outputs)
    names = names or ALL_QUERIES
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
            "query": name, "rows": len(res.frame),
            "csv": csv_path.relative_to(outputs).as_posix(),
            "chart": Path(png).relative_to(outputs).as_posix() if png else None,
            "seconds": round(res.seconds, 3), "params": res.params,
            "bytes_scanned": res.bytes_scanned, "bytes_estimated": res.bytes_estimated,
            "usd": res.usd,
            "bytes_without_pruning": res.estimate.bytes_unpruned if res.estimate else None,
        }  # fmt: skip
    return results


def run_all(
    settings: Settings, source: str | Path, outputs: str | Path = "outputs", reprocess: bool = False
) -> dict:
    """Run every stage from the raw files in ``source`` to results and charts in ``outputs``.

    ``reprocess``: on AWS, reset the Glue job bookmark before the job runs (see ``transform``).
    """
    outputs = Path(outputs)
    outputs.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if settings.backend == "aws":
        from movie_pipeline.aws.iam import setup_aws

        with step("set up the bucket, Glue role, policies and Athena workgroup (idempotent)"):
            setup_aws(settings)
    with lake_lock(settings, "run"):  # once for every stage: no other run interleaves
        uploaded = upload(settings, source)
        transformed = transform(settings, reprocess=reprocess)
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
