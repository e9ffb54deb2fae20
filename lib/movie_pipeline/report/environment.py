"""What the walkthrough needs on this machine and on AWS, and what it creates there."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

from movie_pipeline.config import Settings


def environment(settings: Settings, source: str | Path):
    """Check what the walkthrough needs on this machine (and on AWS for the aws backend).

    Returns:
        A DataFrame: check, value, ok. Nothing in it identifies the account or the machine.
    """
    import pandas as pd

    from movie_pipeline.specs.datasets import RAW_FILES

    rows = [("Python", platform.python_version(), sys.version_info[:2] == (3, 11))]
    try:
        from movie_pipeline.etl.spark import java_version

        java = java_version()
        rows.append(("Java (Spark needs 11+, Glue 5.1 runs 17)", str(java), java >= 11))
    except RuntimeError as exc:
        rows.append(("Java (Spark needs 11+, Glue 5.1 runs 17)", str(exc).splitlines()[0], False))
    for module in ("pyspark", "duckdb", "awswrangler", "boto3"):
        version = _version(module)
        rows.append((module, version or "not installed", version is not None))
    found = sorted(p.name for p in Path(source).glob("*.csv") if p.name in RAW_FILES)
    rows.append(
        ("raw files in the source folder", f"{len(found)} of {len(RAW_FILES)}", bool(found))
    )
    if settings.backend == "aws":
        rows += _aws_checks(settings)
    return pd.DataFrame(rows, columns=["check", "value", "ok"])


def _version(module: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module)
    except PackageNotFoundError:
        return None


def _aws_checks(settings: Settings) -> list[tuple[str, str, bool]]:
    from movie_pipeline.aws.session import boto3_session

    session = boto3_session(settings)
    has_credentials = session.get_credentials() is not None
    rows = [
        ("AWS credentials (from the usual chain)", "found" if has_credentials else "missing",
         has_credentials),
        ("AWS region", settings.region, True),
    ]  # fmt: skip
    if os.environ.get("AWS_ENDPOINT_URL"):
        rows.append(("AWS endpoint", "overridden by AWS_ENDPOINT_URL (a local emulator)", True))
    if has_credentials:
        try:
            session.client("sts").get_caller_identity()  # the account id is not shown
            rows.append(("sts get-caller-identity", "ok", True))
        except Exception as exc:  # any failure here is the learner's to read, not ours to hide
            rows.append(("sts get-caller-identity", type(exc).__name__, False))
    return rows


def aws_resources(settings: Settings):
    """What the walkthrough creates on AWS, which notebook creates it, its local stand-in and price.

    Returns:
        A DataFrame: notebook, service, resource, name, offline stand-in, pricing.
    """
    import pandas as pd

    from movie_pipeline.aws import iam
    from movie_pipeline.specs.tables import CLEANED_TABLES

    s = settings
    bucket = f"s3://{s.bucket}"
    role, analyst = iam.role_name(s), iam.analyst_policy_name(s)
    rows = [
        ("00", "S3", "bucket (private, SSE-S3, TLS only)", bucket, "LAKE_DIR/<bucket>/", "storage"),
        ("00", "IAM", "role for Glue (reads raw/, writes cleaned/)", role, "-", "free"),
        ("00", "IAM", "managed policy for analysts (Athena)", analyst, "-", "free"),
        ("00", "Athena", "workgroup (results location, scan cut-off)", s.workgroup, "-", "free"),
        ("01", "S3", "raw CSV files", f"{bucket}/{s.raw_prefix}/<dataset>/<file>",
         "LAKE_DIR/<bucket>/raw/", "storage"),
        ("02", "S3", "the lib for Glue (zip)", f"{bucket}/{s.artifacts_prefix}/lib/movie_pipeline.zip",
         "-", "storage"),
        ("02", "Glue", "interactive session",
         f"{s.resource_prefix}-<uuid>: {s.number_of_workers} x {s.worker_type}, Glue "
         f"{s.glue_version}, idle timeout {s.idle_timeout_minutes} min", "local Spark", "DPU-hours"),
        ("02", "S3", "cleaned Parquet tables", f"{bucket}/{s.cleaned_prefix}/<table>/",
         "LAKE_DIR/<bucket>/cleaned/", "storage"),
        ("03", "Glue Data Catalog", "database and tables",
         f"{s.database}: {len(CLEANED_TABLES)} cleaned tables + raw tables and views",
         "DuckDB views", "free (first million objects)"),
        ("04", "Athena", "query results", f"{bucket}/{s.results_prefix}/", "DuckDB",
         "bytes scanned"),
    ]  # fmt: skip
    return pd.DataFrame(
        rows, columns=["notebook", "service", "resource", "name", "offline stand-in", "pricing"]
    )
