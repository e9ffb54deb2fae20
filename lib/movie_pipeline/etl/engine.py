"""Where the ETL runs: local Spark, the Glue session it is in, or a Glue interactive session driven from here."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

from movie_pipeline.config import Settings


def in_glue() -> bool:
    """True inside AWS Glue (a job or an interactive session), where ``awsglue`` is importable."""
    return importlib.util.find_spec("awsglue") is not None


def get_spark(settings: Settings):
    """The SparkSession: Glue's inside a Glue job or interactive session, else a local one.

    The same notebook cell runs unchanged in the Glue kernel and on a laptop.
    """
    if in_glue():
        from awsglue.context import GlueContext
        from pyspark.context import SparkContext

        return GlueContext(SparkContext.getOrCreate()).spark_session
    from movie_pipeline.etl import spark

    return spark.get_spark(settings.spark_master)


RESULT_MARKER = "MOVIE_PIPELINE_RESULT "


@dataclass
class Flattened:
    """What notebook 02's flatten wrote, where it ran and what that cost.

    Attributes:
        tables: ``{table: {"rows": n, "path": uri, "bytes": n}}`` from ``etl.run_etl``.
        reconciliation: the ETL's reconciliation report (``reconcile.Reconciliation.as_dict``).
        engine: ``local Spark``, ``this Glue session`` or ``Glue session <id>``.
        seconds: wall-clock time of the flatten (session start-up included on AWS).
        usd: the Glue session's estimated cost; None offline.
    """

    tables: dict[str, dict]
    reconciliation: dict
    engine: str
    seconds: float
    usd: float | None = None

    def summary(self):
        """One row per cleaned table: rows written (and rows quarantined, when reported)."""
        import pandas as pd

        rows = [
            {"table": name, **{k: v for k, v in info.items() if k != "path"}}
            for name, info in sorted(self.tables.items())
        ]
        return pd.DataFrame(rows)


def session_code(settings: Settings) -> str:
    """The statement a Glue interactive session runs for notebook 02 (the lib is on its path)."""
    params = {k: v for k, v in settings.as_dict().items() if k != "lake_dir"}
    params["backend"] = "aws"
    return (
        "import json\n"
        "from movie_pipeline.etl import driver, engine\n"
        "from movie_pipeline.config import load_settings\n"
        f"settings = load_settings({params!r})\n"
        "result = driver.run_etl(engine.get_spark(settings), settings)\n"
        f"print({RESULT_MARKER!r} + json.dumps(result, default=str))\n"
    )


def parse_session_result(text: str) -> dict:
    """Read back what ``etl.run_etl`` returned in the session (printed after ``RESULT_MARKER``)."""
    for line in reversed(text.splitlines()):
        if line.startswith(RESULT_MARKER):
            return json.loads(line[len(RESULT_MARKER) :])
    raise ValueError(f"the Glue session printed no result line:\n{text[-2000:]}")


def flatten(settings: Settings, spark=None, session_factory=None) -> Flattened:
    """Notebook 02: flatten and clean ``raw/`` into ``cleaned/`` Parquet.

    Where it runs: local Spark on the local backend; Glue's own Spark inside a Glue session
    (the Glue-kernel notebook); and on the aws backend from a laptop, a Glue interactive
    session driven through the API (``glue.sessions.GlueSession``), always stopped at the end.

    Args:
        settings: the backend, the lake and the Glue sizing.
        spark: a SparkSession to use instead of starting one (local backend and Glue).
        session_factory: builds the Glue session from settings (tests pass a fake).
    """
    import time

    started = time.perf_counter()
    if spark_can_read_the_lake(settings):
        spark = spark or get_spark(settings)
        if in_glue():
            # The ETL alone: `pipeline` loads the lock, the catalog and the queries (psutil,
            # duckdb, sqlglot), none of which a Glue session has (glue/runtime.py).
            from movie_pipeline.etl import driver as etl

            result, engine = etl.run_etl(spark, settings), "this Glue session"
        else:
            from movie_pipeline import pipeline

            # As `movie-pipeline transform` runs it: under the lake lock, staged, swapped in.
            result = pipeline.transform(settings, spark)
            engine = f"local Spark ({settings.spark_master})"
        seconds = round(time.perf_counter() - started, 1)
        return Flattened(result["tables"], result["reconciliation"], engine, seconds)
    if session_factory is None:
        from movie_pipeline.glue.sessions import GlueSession as session_factory
    with session_factory(settings) as session:
        result = parse_session_result(session.run(session_code(settings)))
    cost = getattr(session, "cost", None)
    return Flattened(
        result["tables"],
        result["reconciliation"],
        f"Glue session {session.id}",
        round(time.perf_counter() - started, 1),
        round(cost.usd, 4) if cost is not None else None,
    )


def spark_can_read_the_lake(settings: Settings) -> bool:
    """True where this process's Spark reads the lake itself: a local lake, or S3 inside Glue.

    A laptop on the aws backend has no S3 connector in its local Spark: the lake is Glue's.
    """
    return settings.backend == "local" or in_glue()


def raw_file_for_spark(settings: Settings, source: str | Path, name: str) -> str:
    """Where this Spark reads the raw file ``name``: its copy in ``raw/``, else ``source``.

    Examples:
        >>> raw_file_for_spark(Settings(lake_dir="/lake"), "data_samples", "credits.csv")
        '/lake/movie-analytics-lake/raw/credits/credits.csv'
    """
    from movie_pipeline.specs.datasets import RAW_FILES

    if spark_can_read_the_lake(settings):
        return settings.raw_uri(RAW_FILES[name].key)
    return str(Path(source) / name)


def scratch_for_spark(settings: Settings, outputs: str | Path, name: str) -> str:
    """Where a notebook's own step writes ``name``: ``tmp/walkthrough/`` in the lake, else
    ``<outputs>/walkthrough/`` (never ``cleaned/``: the production run publishes that whole)."""
    if spark_can_read_the_lake(settings):
        return settings.uri(settings.temp_prefix, "walkthrough", name)
    return str(Path(outputs) / "walkthrough" / name)
