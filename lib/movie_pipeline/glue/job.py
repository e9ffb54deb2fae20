"""The Glue job: DynamicFrames and job bookmarks at the edges, the pipeline's own transforms inside.

In AWS Glue this file is the job script (``deploy`` uploads it; the lib comes with
``--extra-py-files``). Reads go through ``create_dynamic_frame.from_options`` with a
``transformation_ctx`` so that job bookmarks skip raw files already processed; writes go through
``write_dynamic_frame.from_options`` (Snappy Parquet, ``partitionKeys``). Between the two, the
same :func:`movie_pipeline.etl.driver.run_etl` runs as on a laptop.

Outside Glue (no ``awsglue`` module), the same entry point runs on a local SparkSession::

    python -m movie_pipeline.glue.job --lake outputs/lake
"""

from __future__ import annotations

import argparse
import importlib.util
import sys

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from movie_pipeline.config import Settings, load_settings
from movie_pipeline.etl.driver import run_etl
from movie_pipeline.glue import publish
from movie_pipeline.specs.datasets import CORRUPT_RECORD, RawFile, canonical_header
from movie_pipeline.specs.tables import TableSpec

# The job's arguments (deploy.job_arguments sets them; Glue adds JOB_NAME).
GLUE_ARGS = ["JOB_NAME", "backend", "bucket", "raw_prefix", "cleaned_prefix", "quarantine_prefix",
             "temp_prefix", "database", "region"]  # fmt: skip
# Optional arguments, read only when present (getResolvedOptions fails on a missing one).
OPTIONAL_ARGS = ["lake_dir", "datasets"]


class GlueIO:
    """The ETL's read and write edges as Glue users expect them: DynamicFrames and bookmarks.

    Args:
        glue_context: the job's GlueContext.
        dynamic_frame: the ``awsglue.dynamicframe.DynamicFrame`` class (passed in, so that the
            module imports without awsglue).
    """

    bookmarks = True  # a read returns only files not processed by a committed run

    def __init__(self, glue_context, dynamic_frame):
        self.glue_context = glue_context
        self.dynamic_frame = dynamic_frame

    def read_csv(self, raw: RawFile, path: str) -> DataFrame | None:
        """Read a raw CSV as a DynamicFrame, then a DataFrame of strings named like the local read.

        None when the job bookmark filtered the file out (processed by a committed run): the
        ETL then skips the dataset before planning anything, and does not count the file.

        Glue's reader types each value as it reads it: numbers come back as int, long or
        double, and a column that mixes types (movies_metadata's ``id``, ``budget`` and
        ``popularity``, where the split records put text) as a *choice*, which ``toDF`` turns
        into a struct. Choices are resolved by a cast to string, then every column is cast to
        string: the frame the transforms get is the local read's.

        Spark's own CSV reader would give the local frame byte for byte, but the job bookmark
        belongs to this read: a second read would double the I/O, and a file replaced between
        the two would be read in one version and bookmarked in the other. The price: a number
        comes back as Glue prints it (``4.5e-05`` as ``4.5E-5``), which the typed checks read
        alike, and there is no corrupt-record column (it stays null): the reconciliation's
        independent record count is what catches a misaligned read here.
        """
        frame = self.glue_context.create_dynamic_frame.from_options(
            connection_type="s3",
            connection_options={"paths": [path]},
            format="csv",
            format_options={
                "withHeader": True,
                "separator": ",",
                "quoteChar": '"',
                "multiLine": raw.multiline,
            },
            transformation_ctx=f"read_{raw.dataset}",
        )
        df = frame.resolveChoice(choice="cast:string").toDF()
        if not df.columns:  # the bookmark filtered the file out: an empty frame, no schema
            return None
        names = canonical_header(raw, df.columns)
        # Every column as a string, as the local read: typing belongs to the transforms.
        return df.select(
            *[
                F.col(f"`{c}`").cast("string").alias(n)
                for c, n in zip(df.columns, names, strict=True)
            ],
            F.lit(None).cast("string").alias(CORRUPT_RECORD),
        )

    def write_table(self, df: DataFrame, spec: TableSpec, path: str) -> None:
        """Write the table as Snappy Parquet through a DynamicFrame into ``path``, emptied first.

        ``path`` is this run's staging folder for the table (``publish.StagedTables.target``,
        which ``run_published`` passes to the ETL as ``table_uri``), never the published one:
        the purge and a write that dies half-way touch only the staging folder, and the published
        table is switched in after every table of the run is written and reconciled.
        """
        # A retried write into the same staging folder replaces, not appends.
        self.glue_context.purge_s3_path(path, {"retentionPeriod": 0})
        self.glue_context.write_dynamic_frame.from_options(
            frame=self.dynamic_frame.fromDF(df, self.glue_context, spec.name),
            connection_type="s3",
            connection_options={
                "path": path,
                "partitionKeys": [c.name for c in spec.partition_keys],
            },
            format="parquet",
            format_options={"compression": "snappy"},
            transformation_ctx=f"write_{spec.name}",
        )


def settings_from_args(args: dict[str, str]) -> Settings:
    """Settings from the job's resolved arguments (unknown keys such as JOB_NAME are ignored)."""
    names = [a for a in GLUE_ARGS + ["lake_dir"] if a != "JOB_NAME"]
    return load_settings({k: args[k] for k in names if args.get(k)})


def _datasets(value: str | None) -> list[str] | None:
    return [d for d in value.split(",") if d] if value else None


def run_in_glue(argv: list[str]) -> dict:
    """The Glue entry point: resolve the arguments, run the ETL between DynamicFrame edges, commit.

    The bookmark is committed only after the run adds up; a failed run leaves it where it was, so
    the next run sees the same files again.
    """
    from awsglue.context import GlueContext
    from awsglue.dynamicframe import DynamicFrame
    from awsglue.job import Job
    from awsglue.utils import getResolvedOptions
    from pyspark.context import SparkContext

    optional = [a for a in OPTIONAL_ARGS if f"--{a}" in argv]
    args = getResolvedOptions(argv, GLUE_ARGS + optional)
    glue_context = GlueContext(SparkContext.getOrCreate())
    job = Job(glue_context)
    job.init(args["JOB_NAME"], args)
    settings, glue_io = settings_from_args(args), GlueIO(glue_context, DynamicFrame)
    # Tables are staged under tmp/ and switched in once the whole ETL has returned: a run that
    # fails part-way leaves the published tables, and the catalog's view of them, as they were.
    result = publish.run_published(settings, lambda table_uri: run_etl(
        glue_context.spark_session, settings, io=glue_io,
        datasets=_datasets(args.get("datasets")), table_uri=table_uri,
    ))  # fmt: skip
    job.commit()
    return result


def run_local(argv: list[str]) -> dict:
    """The same ETL on a local SparkSession (``--lake DIR``), with plain Spark reads and writes."""
    from movie_pipeline.etl.spark import get_spark

    parser = argparse.ArgumentParser(prog="python -m movie_pipeline.glue.job")
    parser.add_argument(
        "--lake", help="local folder laid out like the bucket (default outputs/lake)"
    )
    parser.add_argument("--bucket", help="bucket name (default movie-analytics-lake)")
    parser.add_argument("--datasets", help="comma-separated subset, e.g. credits,keywords")
    args = parser.parse_args(argv)
    settings = load_settings({"lake_dir": args.lake, "bucket": args.bucket})
    return run_etl(get_spark(settings.spark_master), settings, datasets=_datasets(args.datasets))


def glue_available() -> bool:
    """True inside AWS Glue (or wherever the awsglue library is installed)."""
    return importlib.util.find_spec("awsglue") is not None


def main(argv: list[str] | None = None) -> int:
    """Run in Glue when awsglue is importable, else locally; 0 when the run adds up."""
    argv = sys.argv if argv is None else argv
    if glue_available():
        run_in_glue(argv)
    else:
        run_local(argv[1:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
