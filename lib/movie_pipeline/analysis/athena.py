"""Athena through awswrangler: run a statement, read a query's result with what it scanned."""

from __future__ import annotations

import awswrangler as wr
import pandas as pd
from botocore.exceptions import ClientError

from movie_pipeline.aws.session import boto3_session
from movie_pipeline.config import Settings
from movie_pipeline.lake.storage import MissingResourceError


def output_location(settings: Settings) -> str:
    """Where Athena writes results: ``s3://<bucket>/<results prefix>/``."""
    return settings.results_uri() + "/"


def require_workgroup(settings: Settings, session=None) -> None:
    """Raise MissingResourceError unless the workgroup exists (``setup-aws`` creates it)."""
    athena = (session or boto3_session(settings)).client("athena")
    try:
        found = athena.get_work_group(WorkGroup=settings.workgroup).get("WorkGroup")
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "InvalidRequestException":
            raise
        found = None
    if not found:
        raise MissingResourceError(
            f"Athena workgroup {settings.workgroup} does not exist in {settings.region}: "
            "run `movie-pipeline setup-aws` first, or set MOVIES_WORKGROUP"
        )


def run_statement(settings: Settings, sql: str, session=None) -> dict:
    """Run one statement (DDL such as ``create or replace view``) and wait for it.

    Returns:
        The QueryExecution (``Status``, ``Statistics``, ...). A failed statement raises
        awswrangler's ``QueryFailed`` with Athena's reason.
    """
    return wr.athena.start_query_execution(
        sql=sql,
        database=settings.database,
        workgroup=settings.workgroup,
        s3_output=output_location(settings),
        wait=True,
        boto3_session=session or boto3_session(settings),
    )


def read_query(
    settings: Settings, sql: str, params: list[str] | None = None, session=None
) -> tuple[pd.DataFrame, dict]:
    """Run a query with bound parameters and return its result and its QueryExecution.

    The parameters travel as Athena execution parameters (``?`` placeholders, in order), never
    inside the SQL text. Athena documents them in WHERE clauses only, so ``sql`` has ``?`` there
    only (``query.Query.render``). Results are read from the CSV Athena writes to the output
    location (no CTAS: the results are small, and a CTAS would need a temporary table).

    Args:
        settings: database, workgroup, output location.
        sql: Athena (Trino) SQL, with ``?`` placeholders in WHERE clauses only.
        params: one Athena literal per placeholder (``query.QueryParam.athena_literal``).
        session: a boto3 Session.

    Returns:
        ``(frame, query_execution)``; ``query_execution["Statistics"]["DataScannedInBytes"]``
        is what Athena bills.
    """
    frame = wr.athena.read_sql_query(
        sql,
        database=settings.database,
        workgroup=settings.workgroup,
        s3_output=output_location(settings),
        ctas_approach=False,
        unload_approach=False,
        params=list(params) if params else None,
        paramstyle="qmark",
        keep_files=True,
        boto3_session=session or boto3_session(settings),
    )
    return frame, dict(frame.query_metadata)
