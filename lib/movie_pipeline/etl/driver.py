"""Extract, transform, load: raw/ CSV -> one staged parse per dataset -> cleaned/ Parquet + quarantine/.

Each dataset is read once and parsed once into a staging Parquet folder (under the temp prefix);
every later step (the literal_eval retry of the rare failures, the quarantine, duplicate
resolution, each cleaned table, the counts) reads that staged copy instead of the CSV. The
reconciliation report then proves that every raw row is accounted for, or the run fails.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, Observation
from pyspark.sql import functions as F

from movie_pipeline.config import Settings
from movie_pipeline.etl.reconcile import (
    REPORT_KEY,
    DatasetReconciliation,
    Reconciliation,
    TableCount,
)
from movie_pipeline.ingest.rawcheck import mark, merge_marks
from movie_pipeline.lake.footers import rows_under
from movie_pipeline.lake.storage import s3_client
from movie_pipeline.progress import say, step
from movie_pipeline.specs.datasets import RAW_FILES, RawFile, count_records, drop_stray_cr, read_raw
from movie_pipeline.specs.tables import CLEANED_TABLES, TableSpec
from movie_pipeline.transform import clean, flatten
from movie_pipeline.transform.quarantine import (
    ERRORS,
    RETRY,
    ROW,
    quarantine_rows,
    rank_duplicates,
    with_row_id,
)


class SchemaDriftError(RuntimeError):
    """A transform's output differs from its table spec (names, order or types)."""


@dataclass(frozen=True)
class TableJob:
    """A cleaned table built from a dataset's kept rows; ``list_column`` when it is exploded."""

    name: str
    build: Callable[[DataFrame], DataFrame]
    list_column: str | None = None


@dataclass(frozen=True)
class DatasetJob:
    """How one raw dataset becomes its cleaned tables.

    Attributes:
        dataset: the name in the report (the raw folder of the first file).
        files: raw file names, preferred first; the first one present is read.
        parse: raw strings (+ ``_row``) -> typed/parsed columns with the helper columns.
        cells: the nested cells to retry with literal_eval: ``{parsed: (raw column, type)}``.
        key: the columns that identify a movie/row (duplicates share it).
        order: the duplicate preference, best first (the content hash breaks ties).
        tables: what is written from the kept rows.
        repair: a transform on the raw rows before parsing (movies_metadata's split records).
    """

    dataset: str
    files: tuple[str, ...]
    parse: Callable[[DataFrame], DataFrame]
    cells: dict
    key: tuple[str, ...]
    order: Callable[[], list[Column]]
    tables: tuple[TableJob, ...]
    repair: Callable[[DataFrame], DataFrame] | None = None


def _desc(*names: str) -> Callable[[], list[Column]]:
    return lambda: [F.col(n).desc_nulls_last() for n in names]


JOBS: tuple[DatasetJob, ...] = (
    DatasetJob(
        "credits", ("credits.csv",), flatten.parse_credits, flatten.CREDITS_CELLS, ("id",),
        lambda: flatten.by_most_entries(list(flatten.CREDITS_CELLS)),
        (TableJob("cast_data", flatten.flatten_cast, "cast_list"),
         TableJob("crew_data", flatten.flatten_crew, "crew_list")),
    ),
    DatasetJob(
        "movies_metadata", ("movies_metadata.csv",), clean.parse_movies, clean.MOVIES_CELLS,
        ("id",), _desc("vote_count", "popularity"),
        (TableJob("movies", clean.build_movies),
         TableJob("movie_genres", clean.build_movie_genres, "genre_list"),
         TableJob("movie_production_companies", clean.build_movie_production_companies, "company_list"),
         TableJob("movie_production_countries", clean.build_movie_production_countries, "country_list"),
         TableJob("movie_spoken_languages", clean.build_movie_spoken_languages, "language_list")),
        repair=clean.repair_split_records,
    ),
    DatasetJob(
        "keywords", ("keywords.csv",), flatten.parse_keywords, flatten.KEYWORDS_CELLS, ("id",),
        lambda: flatten.by_most_entries(list(flatten.KEYWORDS_CELLS)),
        (TableJob("movie_keywords", flatten.flatten_keywords, "keyword_list"),),
    ),
    DatasetJob(
        "links", ("links.csv", "links_small.csv"), clean.parse_links, {}, ("movie_id",),
        lambda: [F.col("tmdb_id").isNull().asc()],
        (TableJob("links", lambda df: df.select("movie_id", "imdb_id", "tmdb_id")),),
    ),
    DatasetJob(
        "ratings", ("ratings.csv", "ratings_small.csv"), clean.parse_ratings, {},
        ("user_id", "movie_id"), _desc("rated_at", "rating"),
        (TableJob("ratings", lambda df: df.select("user_id", "movie_id", "rating", "rated_at")),),
    ),
)  # fmt: skip


class LakeFS:
    """Files in the lake through Spark's Hadoop FileSystem: local paths and s3:// alike.

    Row counts come from the Parquet footers through ``lake.footers``, the one footer reader.
    """

    def __init__(self, spark, settings: Settings):
        self._settings = settings
        self._s3 = s3_client(settings)  # one client for every footer of the run (None locally)
        self._conf = spark.sparkContext._jsc.hadoopConfiguration()
        # Resolved once: each step of a dotted name is a Py4J round trip and a class search.
        self._path = spark.sparkContext._jvm.org.apache.hadoop.fs.Path

    def _fs(self, uri: str):
        path = self._path(uri)
        return path, path.getFileSystem(self._conf)

    def exists(self, uri: str) -> bool:
        path, fs = self._fs(uri)
        return bool(fs.exists(path))

    def size(self, uri: str) -> int:
        """Bytes under ``uri`` (a file or a folder, recursively); 0 when absent."""
        path, fs = self._fs(uri)
        return int(fs.getContentSummary(path).getLength()) if fs.exists(path) else 0

    def parquet_rows(self, uri: str) -> int:
        """Rows in the Parquet files under ``uri``, summed from their footers (no Spark job)."""
        return rows_under(self._settings, uri, self._s3)

    def delete(self, uri: str) -> None:
        path, fs = self._fs(uri)
        if fs.exists(path):
            fs.delete(path, True)

    def write_text(self, uri: str, text: str) -> None:
        path, fs = self._fs(uri)
        stream = fs.create(path, True)
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()


class SparkIO:
    """The read and write edges with plain Spark (local runs; Glue swaps in DynamicFrames)."""

    bookmarks = False  # a plain Spark read always returns the whole file

    def __init__(self, spark):
        self.spark = spark

    def read_csv(self, raw: RawFile, path: str) -> DataFrame:
        """The whole raw file as strings (an IO with ``bookmarks`` may return None instead)."""
        return read_raw(self.spark, raw, path)

    def write_table(self, df: DataFrame, spec: TableSpec, path: str) -> None:
        """Replace the table's folder with Snappy Parquet, one file per partition value."""
        keys = [c.name for c in spec.partition_keys]
        writer = (df.repartition(*keys) if keys else df).write.mode("overwrite")
        # Static overwrite: a decade that disappeared must not survive from a previous run.
        writer = writer.option("partitionOverwriteMode", "static").option("compression", "snappy")
        (writer.partitionBy(*keys) if keys else writer).parquet(path)


def conform(df: DataFrame, spec: TableSpec) -> DataFrame:
    """Return ``df`` if its columns are exactly the spec's (names, order, types), else raise."""
    want = [(f.name, f.dataType.simpleString()) for f in spec.spark_schema().fields]
    got = [(f.name, f.dataType.simpleString()) for f in df.schema.fields]
    if got != want:
        raise SchemaDriftError(f"{spec.name}: the transform gives {got}, the spec says {want}")
    return df


def _stage(df: DataFrame, uri: str) -> DataFrame:
    """Write ``df`` once and read it back: every later step reads this instead of recomputing.

    Plain Parquet (no dictionary, no compression): staging is read back within the run and
    deleted, and encoding it costs more CPU than its bytes cost disk (measured on credits:
    22 s of CPU for parse + snappy write, 15 s plain).
    """
    (
        df.write.mode("overwrite")
        .option("compression", "none")
        .option("parquet.enable.dictionary", "false")
        .parquet(uri)
    )
    # The schema is known: reading it from the files would be one more Spark job.
    return df.sparkSession.read.schema(df.schema).parquet(uri)


def _stat_columns(columns: list[str], job: DatasetJob) -> list[Column]:
    """Aggregates of a parsed dataset: rows, rows left to retry, and over the settled rows (the
    others are counted once settled): quarantined, merged, blank cells, list entries."""
    lists = [c for c in job.cells if f"_n_{c}" in columns]
    settled, good = F.size(RETRY) == 0, F.size(ERRORS) == 0

    def count_if(condition: Column) -> Column:
        return F.sum(F.when(condition, 1).otherwise(0))

    return [
        F.count(F.lit(1)).alias("rows"),
        count_if(~settled).alias("retry"),
        count_if(settled & ~good).alias("quarantined"),
        *([count_if(settled & F.col("_repaired")).alias("merged")] if job.repair else []),
        *[count_if(settled & good & F.col(f"_n_{c}").isNull()).alias(f"blank_{c}") for c in lists],
        *[F.sum(F.when(settled & good, F.col(f"_n_{c}"))).alias(f"sum_{c}") for c in lists],
    ]


def _stage_observed(df: DataFrame, uri: str, job: DatasetJob) -> tuple[DataFrame, dict]:
    """Stage ``df`` and compute its :func:`_stat_columns` while it is written (no second pass)."""
    observation = Observation(f"{job.dataset}_stats")
    staged = _stage(df.observe(observation, *_stat_columns(df.columns, job)), uri)
    return staged, dict(observation.get)


def _settle(staged: DataFrame, stats: dict, job: DatasetJob, staging: str):
    """Settle the rows the hot path left, staging each step; return the rows and their stats.

    The retried rows are counted while they are written: the parse's counts over its settled
    rows plus the retried rows' counts are the whole dataset's, with no pass over it again.
    """
    counts = []  # per staged step; the last one holds the settled rows

    def stage(df: DataFrame, name: str):
        frame, step_counts = _stage_observed(df, f"{staging}/{job.dataset}_{name}", job)
        counts.append(step_counts)
        return frame, step_counts["retry"]

    resolved = flatten.settle_retries(staged, job.cells, stage=stage)
    last = counts[-1]
    totals = {k: (stats[k] or 0) + (last[k] or 0) for k in stats if k not in ("rows", "retry")}
    return resolved, stats | totals


# Up to this many dropped copies are filtered with a NOT IN list (Spark makes it a hash set);
# more are broadcast as a table. The real files have 44 (credits) and 987 (keywords).
_INLINE_IDS = 5_000


def _drop_duplicates(good: DataFrame, job: DatasetJob, lists: list[str]):
    """Rank copies by the job's rule and drop all but the first.

    Only the small columns are ranked, and the copies to drop (a handful in the real files) are
    collected with their list sizes, then filtered out by ``_row``: no wide column is shuffled.

    Returns:
        ``(kept rows, [dropped rows' _row and _n_<list>])``.
    """
    ranked = rank_duplicates(good, job.key, job.order())
    dropped = [
        r.asDict()
        for r in ranked.filter(F.col("_dup_rank") > 1).select(ROW, *[f"_n_{c}" for c in lists]).collect()
    ]  # fmt: skip
    if not dropped:
        return good, dropped
    if len(dropped) <= _INLINE_IDS:  # one SQL literal: no pandas import, no local relation
        listed = ", ".join(str(int(d[ROW])) for d in dropped)
        return good.filter(F.expr(f"{ROW} NOT IN ({listed})")), dropped
    ids = good.sparkSession.createDataFrame([(d[ROW],) for d in dropped], f"{ROW} bigint")
    return good.join(F.broadcast(ids), ROW, "left_anti"), dropped


def _run_dataset(spark, settings: Settings, io, fs: LakeFS, job: DatasetJob, source: str,
                 staging: str, table_uri: Callable[[str], str], counter: ThreadPoolExecutor,
                 ) -> DatasetReconciliation | None:  # fmt: skip
    raw_file = RAW_FILES[source]
    path = settings.raw_uri(raw_file.key)
    read = io.read_csv(raw_file, path)
    if read is None:  # the job bookmark: nothing new since the last committed run
        return None  # no count, no plan, no write: a run with nothing new costs a listing
    # The independent count of the raw records (a Python scan of a local file, Spark's text
    # reader on S3) runs beside Spark's work instead of after it (the read above is lazy).
    counting = counter.submit(count_records, spark, raw_file, path)
    df = with_row_id(drop_stray_cr(read, raw_file))
    read_records = None
    if job.repair:  # the repair pairs rows, so it reads the raw rows twice: stage them first
        # A multi-line file is read in one task: spread the staged copy over every core.
        spread = df.repartition(spark.sparkContext.defaultParallelism)
        raw_rows = _stage(spread, f"{staging}/{job.dataset}_raw")
        read_records = fs.parquet_rows(f"{staging}/{job.dataset}_raw")
        df = job.repair(raw_rows)
    # Oversized cells and negative money are flagged on the raw text, in the parse's own pass.
    columns = [c for c in df.columns if not c.startswith("_")]
    parsed = merge_marks(job.parse(mark(df, job.dataset, columns)))
    staged, stats = _stage_observed(parsed, f"{staging}/{job.dataset}", job)
    read_records = stats["rows"] if read_records is None else read_records
    if read_records == 0 and io.bookmarks:  # a new file with no record in it
        return None
    resolved = staged
    if stats["retry"]:  # rare: a few rows, settled apart
        resolved, stats = _settle(staged, stats, job, staging)
    lists = [c for c in job.cells if f"_n_{c}" in resolved.columns]

    # No reason anywhere (the usual case): the empty table is written without reading the rows.
    bad = resolved if stats["quarantined"] else resolved.limit(0)
    quarantine_rows(bad, job.dataset).write.mode("overwrite").parquet(
        table_uri(settings.quarantine_uri(job.dataset))
    )
    good = resolved.filter(F.size(ERRORS) == 0)
    kept, dropped = _drop_duplicates(good, job, lists)
    expected = {"rows": stats["rows"] - stats["quarantined"] - len(dropped)}
    for c in lists:  # the lists of the kept rows: all good rows' minus the dropped copies'
        expected[c] = (stats[f"sum_{c}"] or 0) - sum(d[f"_n_{c}"] or 0 for d in dropped)

    counted = counting.result()
    rec = DatasetReconciliation(
        dataset=job.dataset, source=path, raw_records=counted.records,
        count_method=counted.method, read_records=read_records, clean=expected["rows"],
        quarantined=stats["quarantined"], duplicates_removed=len(dropped),
        split_halves_merged=stats.get("merged") or 0, rows_retried=stats["retry"],
        blank_cells={c: stats[f"blank_{c}"] for c in lists if stats[f"blank_{c}"]},
        unbalanced_quote_lines=counted.unbalanced_lines, raw_bytes=fs.size(path),
    )  # fmt: skip

    for table in job.tables:
        spec = CLEANED_TABLES[table.name]
        uri = table_uri(settings.cleaned_uri(table.name))
        io.write_table(conform(table.build(kept), spec), spec, uri)
        rec.tables[table.name] = TableCount(
            rows=fs.parquet_rows(uri),  # from the files' footers: what was really written
            expected=expected[table.list_column] if table.list_column else expected["rows"],
            rule=f"sum of {table.list_column} lengths" if table.list_column else "one per kept row",
            path=settings.cleaned_uri(table.name),
            bytes=fs.size(uri),
        )
    return rec


def run_etl(spark, settings: Settings, io=None, datasets: list[str] | None = None,
            table_uri: Callable[[str], str] = str) -> dict:  # fmt: skip
    """Transform every raw dataset present in the lake into cleaned tables, and reconcile.

    Args:
        spark: the session (local, or Glue's).
        settings: where the lake is.
        io: the read/write edges; :class:`SparkIO` by default (Glue passes its DynamicFrame IO).
        datasets: only these datasets (default: all of ``JOBS`` whose raw file is present).
        table_uri: maps a table's final URI (cleaned or quarantine) to the one to write;
            ``pipeline`` passes ``atomic.Publication.target`` to stage tables apart.

    Returns:
        ``{"tables": {table: {"rows", "path", "bytes"}}, "reconciliation": {...},
        "report_path": uri}``.

    Raises:
        ReconciliationError: after writing the report, when anything does not add up.
    """
    io = io or SparkIO(spark)
    fs = LakeFS(spark, settings)
    staging = settings.uri(settings.temp_prefix, "etl_staging")
    fs.delete(staging)
    report = Reconciliation()
    plan = []
    for job in JOBS:
        if datasets and job.dataset not in datasets:
            continue
        present = [f for f in job.files if fs.exists(settings.raw_uri(RAW_FILES[f].key))]
        if present:
            plan.append((job, present))
        else:
            report.skipped[job.dataset] = f"no raw file ({' or '.join(job.files)})"
    # Smallest file first: a bad small file fails the run in seconds, not after the big ones,
    # and Spark's one-off costs (compiling and warming up its code) are paid on little data.
    plan.sort(key=lambda item: fs.size(settings.raw_uri(RAW_FILES[item[1][0]].key)))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="count-records") as counter:
        for job, present in plan:
            start = time.perf_counter()
            with step(f"clean {present[0]} -> {', '.join(t.name for t in job.tables)}"):
                rec = _run_dataset(
                    spark, settings, io, fs, job, present[0], staging, table_uri, counter
                )
            if rec is None:
                report.skipped[job.dataset] = "no new data since the last run (job bookmark)"
                continue
            rec.seconds = round(time.perf_counter() - start, 2)
            rec.notes += [
                f"{f} present but not loaded: {present[0]} is preferred" for f in present[1:]
            ]
            report.datasets[job.dataset] = rec
    order = [job.dataset for job in JOBS]  # the report lists the datasets in a fixed order
    report.datasets = dict(sorted(report.datasets.items(), key=lambda kv: order.index(kv[0])))
    report_path = settings.uri(REPORT_KEY)
    fs.write_text(report_path, report.to_json())
    say("reconciliation (" + report_path + ")\n" + report.render())
    if report.ok:
        fs.delete(staging)
    report.check()
    tables = {
        name: {"rows": t.rows, "path": t.path, "bytes": t.bytes}
        for rec in report.datasets.values()
        for name, t in rec.tables.items()
    }
    return {"tables": tables, "reconciliation": report.as_dict(), "report_path": report_path}
