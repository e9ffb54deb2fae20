"""What the walkthrough notebooks call: paths, settings, Spark (Glue's or local) and what they show."""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import struct
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from movie_pipeline.config import Settings, load_settings

# S3 Standard storage in us-east-1 (https://aws.amazon.com/s3/pricing/); requests cost far less
# than a cent for the walkthrough. An estimate, not a bill.
S3_USD_PER_GB_MONTH = 0.023
_GB = 1024**3


# Paths and settings -----------------------------------------------------------------------------
def repo_root(start: str | Path | None = None) -> Path:
    """The repository root: the nearest folder, from ``start`` up, that holds ``pyproject.toml``.

    Papermill runs a notebook in ``notebooks/``; Glue runs it somewhere with no repository at
    all, in which case ``start`` itself (default: the working directory) is returned.
    """
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "lib" / "movie_pipeline").is_dir():
            return folder
    return here


def resolve(path: str | Path, root: str | Path | None = None) -> Path:
    """``path`` if absolute, else ``path`` under the repository root (``~`` is expanded)."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else repo_root(root) / path


def in_glue() -> bool:
    """True inside AWS Glue (a job or an interactive session), where ``awsglue`` is importable."""
    return importlib.util.find_spec("awsglue") is not None


def relabel(text: str, labels: dict[str, str]) -> str:
    """Replace each absolute folder in ``text`` by its label, longest folder first.

    Examples:
        >>> relabel("wrote /home/ana/lake/raw", {"/home/ana/lake": "LAKE_DIR"})
        'wrote LAKE_DIR/raw'
    """
    for folder in sorted(labels, key=len, reverse=True):
        text = text.replace(folder, labels[folder])
    return text


class _Relabelled:
    """A text stream that writes through to another one with machine paths relabelled."""

    def __init__(self, stream, labels: dict[str, str]) -> None:
        self._stream = stream
        self.labels = labels

    def write(self, text: str) -> int:
        self._stream.write(relabel(text, self.labels))
        return len(text)

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def hide_machine_paths(labels: dict[str, str]) -> None:
    """Relabel absolute folders in everything printed from now on (stdout and stderr).

    The lib's progress lines name the lake and output folders; in an executed notebook that is
    shared or exported to HTML they would show where the repository sits on this machine.
    Calling it again replaces the labels.
    """
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if isinstance(stream, _Relabelled):
            stream.labels = labels
        else:
            setattr(sys, name, _Relabelled(stream, labels))


@dataclass(frozen=True)
class Walkthrough:
    """One notebook's view of the run: the settings and the three folders it works with.

    Attributes:
        settings: backend, bucket, database, ... (``config.Settings``).
        source: the folder of raw Kaggle CSV files.
        outputs: where executed notebooks, charts (PNG), results (CSV) and checks (JSON) go.
        root: the repository root that relative paths were resolved against.
    """

    settings: Settings
    source: Path
    outputs: Path
    root: Path

    @property
    def labels(self) -> dict[str, str]:
        """Absolute folders and the names a learner knows them by (the parameters' names)."""
        labels = {}
        for folder, label in (
            (Path.home(), "~"),
            (self.root, "."),
            (self.outputs, "OUTPUT_DIR"),
            (self.source, "SOURCE_DIR"),
            (self.settings.lake_dir, "LAKE_DIR"),
        ):
            for form in {str(folder), str(folder.resolve())}:
                if form not in ("/", "") and len(form) > 1:
                    labels[form] = label
        return labels

    def short(self, path: str | Path) -> str:
        """A path as the learner should read it: ``LAKE_DIR/movie-analytics-lake/raw``."""
        return relabel(str(path), self.labels)

    @property
    def charts_dir(self) -> Path:
        return self.outputs / "charts"

    @property
    def results_dir(self) -> Path:
        return self.outputs / "results"

    @property
    def checks_dir(self) -> Path:
        return self.outputs / "checks"

    def describe(self):
        """The settings that matter for this run, one per row, paths relabelled."""
        import pandas as pd

        s = self.settings
        # In a Glue session nothing is read from or kept on the driver's disk: no folders.
        rows = {
            "backend": s.backend,
            "source folder": "-" if in_glue() else self.short(self.source),
            "bucket": f"s3://{s.bucket}" if s.backend == "aws" else self.short(s.bucket_root),
            "raw data": self.short(s.raw_uri()),
            "cleaned data": self.short(s.cleaned_uri()),
            "catalog": f"Glue database {s.database}"
            if s.backend == "aws"
            else f"DuckDB {self.short(s.catalog_path)}",
            "query engine": f"Athena, workgroup {s.workgroup}" if s.backend == "aws" else "DuckDB",
            "region": s.region if s.backend == "aws" else "(offline)",
            "outputs": "-" if in_glue() else self.short(self.outputs),
        }
        return pd.DataFrame({"setting": list(rows), "value": list(rows.values())})


def start(
    backend: str = "local",
    source: str | Path = "data_samples",
    lake: str | Path = "outputs/lake",
    outputs: str | Path = "outputs",
    **settings: Any,
) -> Walkthrough:
    """Resolve a notebook's parameters into a Walkthrough and hide machine paths in its output.

    Args:
        backend: ``"local"`` (offline) or ``"aws"``. The Glue-kernel notebook passes
            ``"aws"``: a session's local disk is no lake, the data is in S3.
        source: the raw CSV folder; relative paths are under the repository root.
        lake: the local lake folder (local backend).
        outputs: the output folder.
        **settings: other ``config.Settings`` fields (``bucket``, ``database``, ``region``,
            ...); ``None`` falls through to ``MOVIES_*`` environment variables, then defaults.

    Returns:
        A Walkthrough.

    Examples:
        >>> start("local", "data_samples", "/tmp/lake", "/tmp/out").settings.backend
        'local'
    """
    root = repo_root()
    params = {"backend": backend, "lake_dir": resolve(lake, root)}
    params.update(settings)
    run = Walkthrough(load_settings(params), resolve(source, root), resolve(outputs, root), root)
    hide_machine_paths(run.labels)
    return run


def get_spark(settings: Settings):
    """The SparkSession: Glue's inside a Glue job or interactive session, else a local one.

    The same notebook cell runs unchanged in the Glue kernel and on a laptop.
    """
    if in_glue():
        from awsglue.context import GlueContext
        from pyspark.context import SparkContext

        return GlueContext(SparkContext.getOrCreate()).spark_session
    from movie_pipeline.etl.spark import get_spark as local_spark

    return local_spark(settings.spark_master)


# Notebook 00: environment, resources, costs ---------------------------------------------------------
def environment(run: Walkthrough):
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
    found = sorted(p.name for p in run.source.glob("*.csv") if p.name in RAW_FILES)
    rows.append(
        ("raw files in the source folder", f"{len(found)} of {len(RAW_FILES)}", bool(found))
    )
    if run.settings.backend == "aws":
        rows += _aws_checks(run.settings)
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

    from movie_pipeline.specs.tables import CLEANED_TABLES

    s = settings
    bucket = f"s3://{s.bucket}"
    role = f"{s.resource_prefix}-glue"
    try:  # the names aws/iam.py gives them, when it is installed
        from movie_pipeline.aws import iam

        role, analyst = iam.role_name(s), iam.analyst_policy_name(s)
    except ImportError:  # pragma: no cover - iam ships with the package
        analyst = f"{s.resource_prefix}-analyst"
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


def cost_estimate(settings: Settings, raw_bytes: int, queries: int, session_minutes: float = 5):
    """Roughly what one walkthrough on AWS costs, from list prices (``aws.costs``).

    Args:
        settings: Glue sizing (worker type, number of workers, idle timeout).
        raw_bytes: the size of the raw files to upload.
        queries: how many Athena queries notebook 04 runs.
        session_minutes: how long the Glue session lives (creation to stop).

    Returns:
        A DataFrame: item, quantity, usd. The total is the last row.
    """
    import pandas as pd

    from movie_pipeline.aws import costs

    dpus = costs.dpus(settings.worker_type, int(settings.number_of_workers))
    session = costs.glue_cost(session_minutes * 60, dpus)
    forgotten = costs.glue_cost((session_minutes + int(settings.idle_timeout_minutes)) * 60, dpus)
    # Athena bills each query's scanned bytes; Parquet columns are a fraction of the raw CSV,
    # so the raw size is a generous upper bound per query.
    athena = queries * costs.athena_cost(raw_bytes)
    # Raw CSV plus cleaned Parquet (smaller than the CSV) for a month.
    storage = 2 * raw_bytes / _GB * S3_USD_PER_GB_MONTH
    rows = [
        ("Glue interactive session (02)", f"{session_minutes:g} min x {dpus:g} DPU", session.usd),
        ("Athena queries (04)", f"{queries} x at most {raw_bytes / 1024**2:,.1f} MB", athena),
        ("S3 storage for a month", f"at most {2 * raw_bytes / 1024**2:,.1f} MB", storage),
    ]
    rows.append(("total", "", sum(r[2] for r in rows)))
    rows.append((
        "if the session is left idle until its timeout",
        f"+{int(settings.idle_timeout_minutes)} min", forgotten.usd - session.usd,
    ))  # fmt: skip
    frame = pd.DataFrame(rows, columns=["item", "quantity", "usd"])
    frame["usd"] = frame["usd"].round(4)
    return frame


def raw_files(run: Walkthrough):
    """The Kaggle files in the source folder and the key each one gets in the bucket."""
    import pandas as pd

    from movie_pipeline.lake.storage import raw_key
    from movie_pipeline.specs.datasets import find_raw_files

    files = find_raw_files(run.source)
    return pd.DataFrame(
        [(name, path.stat().st_size, raw_key(run.settings, name)) for name, path in files.items()],
        columns=["file", "bytes", "key"],
    )


# Notebooks 01 to 05: what landed where ------------------------------------------------------------
def lake_listing(settings: Settings, prefix: str):
    """The objects under a key prefix (``raw``, ``cleaned/movies``), on either backend.

    Returns:
        A DataFrame: key (relative to the bucket), bytes. Hidden files (``_SUCCESS``) are left out.
    """
    import pandas as pd

    from movie_pipeline.lake.storage import list_files

    files = list_files(settings, prefix)
    return pd.DataFrame([(f.key, f.size) for f in files], columns=["key", "bytes"])


def sizes(settings: Settings):
    """Raw CSV bytes per dataset against the cleaned Parquet bytes of the tables made from it.

    Returns:
        A DataFrame: dataset, raw_bytes, tables, cleaned_bytes, ratio (cleaned / raw).
    """
    import pandas as pd

    from movie_pipeline.lake.storage import list_files, s3_client
    from movie_pipeline.specs.datasets import RAW_FILES
    from movie_pipeline.specs.tables import CLEANED_TABLES

    s3 = s3_client(settings)  # one client for every listing: making one costs a tenth of a second
    rows = []
    for dataset in sorted({f.dataset for f in RAW_FILES.values()}):
        raw = sum(f.size for f in list_files(settings, f"{settings.raw_prefix}/{dataset}", s3=s3))
        tables = [t for t, spec in CLEANED_TABLES.items() if spec.source == dataset]
        cleaned = sum(
            f.size
            for t in tables
            for f in list_files(settings, f"{settings.cleaned_prefix}/{t}", ".parquet", s3=s3)
        )
        if raw or cleaned:
            rows.append((dataset, raw, ", ".join(tables), cleaned))
    frame = pd.DataFrame(rows, columns=["dataset", "raw_bytes", "tables", "cleaned_bytes"])
    # No ratio where one side is missing (links_small when links.csv was the one loaded).
    both = (frame["raw_bytes"] > 0) & (frame["cleaned_bytes"] > 0)
    frame["ratio"] = (frame["cleaned_bytes"] / frame["raw_bytes"]).where(both).round(3)
    return frame


def load_checks(outputs: str | Path) -> dict[str, dict]:
    """The values each notebook's final check cell saved (``<outputs>/checks/NN.json``)."""
    folder = Path(outputs) / "checks"
    if not folder.is_dir():
        return {}
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))
    }


def png_size(path: str | Path) -> tuple[int, int]:
    """Width and height of a PNG image, from its header.

    Raises:
        ValueError: the file is not a PNG.
    """
    with open(path, "rb") as fh:
        head = fh.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError(f"{path} is not a PNG image")
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def policy_summary(documents: dict[str, dict]):
    """One row per statement of each policy document: what it allows, on what.

    Args:
        documents: ``{policy name: document}``, as ``aws.iam.policy_documents`` returns them.

    Returns:
        A DataFrame: policy, sid, effect, actions, resources.
    """
    import pandas as pd

    def listed(value) -> str:
        values = [value] if isinstance(value, str | dict) else list(value or [])
        return ", ".join(json.dumps(v) if isinstance(v, dict) else str(v) for v in values)

    rows = []
    for name, doc in documents.items():
        statements = doc.get("Statement", [])
        for st in [statements] if isinstance(statements, dict) else statements:
            rows.append((
                name, st.get("Sid", ""), st.get("Effect", ""),
                listed(st.get("Action", st.get("NotAction"))),
                listed(st.get("Resource", st.get("Principal"))),
            ))  # fmt: skip
    return pd.DataFrame(rows, columns=["policy", "sid", "effect", "actions", "resources"])


# Notebook 02: the flatten, wherever Spark runs ----------------------------------------------------
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
        "from movie_pipeline import walkthrough\n"
        "from movie_pipeline.etl import driver as etl\n"
        "from movie_pipeline.config import load_settings\n"
        f"settings = load_settings({params!r})\n"
        "result = etl.run_etl(walkthrough.get_spark(settings), settings)\n"
        f"print({RESULT_MARKER!r} + json.dumps(result, default=str))\n"
    )


def parse_session_result(text: str) -> dict:
    """Read back what ``etl.run_etl`` returned in the session (printed after ``RESULT_MARKER``)."""
    for line in reversed(text.splitlines()):
        if line.startswith(RESULT_MARKER):
            return json.loads(line[len(RESULT_MARKER) :])
    raise ValueError(f"the Glue session printed no result line:\n{text[-2000:]}")


def flatten(run: Walkthrough, spark=None, session_factory=None) -> Flattened:
    """Notebook 02: flatten and clean ``raw/`` into ``cleaned/`` Parquet.

    Where it runs: local Spark on the local backend; Glue's own Spark inside a Glue session
    (the Glue-kernel notebook); and on the aws backend from a laptop, a Glue interactive
    session driven through the API (``glue.sessions.GlueSession``), always stopped at the end.

    Args:
        run: the notebook's Walkthrough.
        spark: a SparkSession to use instead of starting one (local backend and Glue).
        session_factory: builds the Glue session from settings (tests pass a fake).
    """
    import time

    settings = run.settings
    started = time.perf_counter()
    if settings.backend == "local" or in_glue():
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


def peek(run: Walkthrough, table: str, rows: int = 5, spark=None):
    """The first rows of a cleaned table, as a pandas DataFrame.

    Read with Spark where the flatten ran with Spark (local, Glue), else with awswrangler.
    """
    settings = run.settings
    uri = settings.cleaned_uri(table)
    if settings.backend == "local" or in_glue():
        spark = spark or get_spark(settings)
        return spark.read.parquet(uri).limit(rows).toPandas()
    import awswrangler as wr

    from movie_pipeline.aws.session import boto3_session

    frames = wr.s3.read_parquet(
        uri + "/", dataset=True, chunked=rows, boto3_session=boto3_session(settings)
    )
    return next(iter(frames)).head(rows)


# Notebooks 03 and 04: the catalog and the queries --------------------------------------------------
def catalog_rows(settings: Settings, tables: list[str]) -> dict[str, int]:
    """Rows per table as the local catalog sees them (``select count(*)`` on each DuckDB view).

    Only for the local backend: on AWS the same count is an Athena query, billed.
    """
    import duckdb

    from movie_pipeline.config import validate_identifier

    with duckdb.connect(str(settings.catalog_path), read_only=True) as con:
        return {
            t: con.execute(f"select count(*) from {validate_identifier(t, 'table')}").fetchone()[0]
            for t in tables
        }


def analyse(run: Walkthrough, names: list[str] | None = None):
    """Notebook 04: run each query, save its result as CSV and its chart as PNG.

    Args:
        run: the notebook's Walkthrough (results go to ``<outputs>/results``, charts to
            ``<outputs>/charts``).
        names: the queries to run (default: every query in ``sql/``).

    Returns:
        A DataFrame, one row per query: query, rows, seconds, bytes_scanned, usd, and the
        csv and chart paths relative to the output folder (chart empty when it has none).
    """
    import pandas as pd

    from movie_pipeline.analysis import charts, query

    run.results_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in names or list(query.list_queries()):
        result = query.run(run.settings, name)
        csv = run.results_dir / f"{name}.csv"
        result.frame.to_csv(csv, index=False)
        png = charts.chart_for(name, result.frame, run.charts_dir)
        rows.append({
            "query": name,
            "rows": len(result.frame),
            "seconds": round(result.seconds, 3),
            "bytes_scanned": result.bytes_scanned,
            "usd": result.usd,
            "csv": csv.relative_to(run.outputs).as_posix(),
            "chart": Path(png).relative_to(run.outputs).as_posix() if png else "",
        })  # fmt: skip
    return pd.DataFrame(rows)


def expected_tables(settings: Settings) -> list[str]:
    """The cleaned tables the flatten must write: those whose raw dataset is in ``raw/``.

    ``links`` and ``ratings`` also come from their ``_small`` variants.
    """
    from movie_pipeline.lake.storage import list_files
    from movie_pipeline.specs.tables import CLEANED_TABLES

    present = {f.key.split("/")[1] for f in list_files(settings, settings.raw_prefix)}
    return sorted(
        name
        for name, spec in CLEANED_TABLES.items()
        if spec.source in present or f"{spec.source}_small" in present
    )


def cleaned_tables(settings: Settings):
    """The cleaned tables in the lake: Parquet files, bytes, partitions, rows (from the footers).

    Returns:
        A DataFrame: table, files, partitions, bytes, rows.
    """
    import pandas as pd

    from movie_pipeline.lake.storage import list_files, read_parquet_metadata, s3_client
    from movie_pipeline.specs.tables import CLEANED_TABLES

    # One client for every footer: making one per file took most of the time on S3.
    s3 = s3_client(settings)
    rows = []
    for table in CLEANED_TABLES:
        prefix = f"{settings.cleaned_prefix}/{table}"
        files = list_files(settings, prefix, ".parquet", s3=s3)
        if not files:
            continue
        folders = {f.key[len(prefix) + 1 :].rpartition("/")[0] for f in files}
        rows.append((
            table, len(files), len(folders - {""}), sum(f.size for f in files),
            sum(read_parquet_metadata(settings, f, s3=s3).num_rows for f in files),
        ))  # fmt: skip
    return pd.DataFrame(rows, columns=["table", "files", "partitions", "bytes", "rows"])


def frame(items, drop: tuple[str, ...] | list[str] = ()):
    """A list of dataclass instances (``storage.Uploaded``, ...) as a DataFrame, minus ``drop``."""
    import dataclasses

    import pandas as pd

    rows = [dataclasses.asdict(item) for item in items]
    return pd.DataFrame(rows).drop(columns=list(drop), errors="ignore")


# Notebook 05: the report --------------------------------------------------------------------------
KEY_QUALITY_SQL = """
with keys as (
    select
        {keys},
        count(*) as n
    from {table}
    group by {keys}
),

final as (
    select
        coalesce(sum(n), 0) as row_count,
        count(*) as distinct_keys,
        coalesce(sum(case when n > 1 then n - 1 else 0 end), 0) as duplicate_rows,
        coalesce(sum(case when {null_test} then n else 0 end), 0) as null_key_rows
    from keys
)

select * from final
"""


def key_quality_sql(table: str) -> str:
    """Athena SQL that counts a cleaned table's rows, distinct keys, duplicates and null keys."""
    from movie_pipeline.config import validate_identifier
    from movie_pipeline.specs.tables import CLEANED_TABLES

    spec = CLEANED_TABLES[validate_identifier(table, "table")]
    keys = [validate_identifier(k, "column") for k in spec.key]
    return KEY_QUALITY_SQL.format(
        table=table,
        keys=", ".join(keys),
        null_test=" or ".join(f"{k} is null" for k in keys),
    ).strip()


def key_quality(settings: Settings, tables: list[str]):
    """Each table's key (``TableSpec.key``) checked through the catalog: duplicates and nulls.

    Runs on DuckDB offline and on Athena on AWS (billed: a few queries of the key columns).

    Returns:
        A DataFrame: table, key, row_count, distinct_keys, duplicate_rows, null_key_rows.
    """
    import pandas as pd

    from movie_pipeline.specs.tables import CLEANED_TABLES

    rows = []
    for table in tables:
        sql = key_quality_sql(table)
        if settings.backend == "aws":
            from movie_pipeline.analysis import athena

            result, _ = athena.read_query(settings, sql)
        else:
            import duckdb

            from movie_pipeline.analysis.query import to_duckdb

            with duckdb.connect(str(settings.catalog_path), read_only=True) as con:
                result = con.execute(to_duckdb(sql)).fetchdf()
        counts = {k: int(v) for k, v in result.iloc[0].items()}
        rows.append({"table": table, "key": ", ".join(CLEANED_TABLES[table].key), **counts})
    return pd.DataFrame(rows)


def run_costs(settings: Settings, checks: dict[str, dict], lake_bytes: int):
    """What this run cost on AWS, or would have cost: from notebooks 02 and 04's checks.

    Args:
        settings: Glue sizing, for the estimate of an offline run.
        checks: ``load_checks(outputs)``.
        lake_bytes: raw plus cleaned bytes in the bucket (a month of S3 storage).

    Returns:
        A DataFrame: item, measured_or_estimated, quantity, usd; the total is the last row.
    """
    import pandas as pd

    from movie_pipeline.aws import costs

    rows = []
    flatten = checks.get("02", {})
    if flatten.get("usd") is not None:
        rows.append(("Glue (02)", "measured", f"{flatten['seconds']} s, {flatten['engine']}",
                     float(flatten["usd"])))  # fmt: skip
    elif flatten:
        dpus = costs.dpus(settings.worker_type, int(settings.number_of_workers))
        glue = costs.glue_cost(float(flatten["seconds"]), dpus)
        rows.append(("Glue (02)", "estimated", f"{flatten['seconds']} s here, on {dpus:g} DPU",
                     glue.usd))  # fmt: skip
    analysis = checks.get("04", {})
    if analysis:
        how = "measured" if settings.backend == "aws" else "estimated"
        scanned = int(analysis.get("bytes_scanned", 0))
        rows.append(("Athena (04)", how, f"{len(analysis.get('queries', {}))} queries, "
                     f"{scanned / 1024**2:,.2f} MB scanned", float(analysis.get("usd", 0))))  # fmt: skip
    rows.append(("S3 storage for a month", "estimated", f"{lake_bytes / 1024**2:,.2f} MB",
                 lake_bytes / _GB * S3_USD_PER_GB_MONTH))  # fmt: skip
    rows.append(("total", "", "", sum(r[3] for r in rows)))
    result = pd.DataFrame(rows, columns=["item", "measured_or_estimated", "quantity", "usd"])
    result["usd"] = result["usd"].round(4)
    return result


def expected_raw_tables(settings: Settings) -> list[str]:
    """The raw tables notebook 03 registers: one per raw dataset present in ``raw/``."""
    from movie_pipeline.lake.storage import list_files
    from movie_pipeline.specs.tables import RAW_TABLES

    present = {f.key.split("/")[1] for f in list_files(settings, settings.raw_prefix)}
    return sorted(t.name for t in RAW_TABLES.values() if t.dataset in present)


def load_reconciliation(settings: Settings) -> dict:
    """The reconciliation report the last flatten wrote to ``reports/reconciliation.json``.

    Raises:
        FileNotFoundError: notebook 02 has not run on this lake yet.
    """
    key = "reports/reconciliation.json"
    if settings.backend == "aws":
        from botocore.exceptions import ClientError

        from movie_pipeline.aws.session import boto3_session

        s3 = boto3_session(settings).client("s3")
        try:
            body = s3.get_object(Bucket=settings.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            raise FileNotFoundError(f"s3://{settings.bucket}/{key}: run notebook 02 first") from exc
        return json.loads(body)
    path = Path(settings.uri(key))
    if not path.is_file():
        raise FileNotFoundError(f"{path}: run notebook 02 first")
    return json.loads(path.read_text(encoding="utf-8"))


def reconciliation_frames(report: dict):
    """The reconciliation report as two DataFrames: one row per dataset, one per cleaned table.

    Returns:
        ``(datasets, tables)``. ``datasets``: dataset, raw_records, read_records, clean,
        quarantined, duplicates_removed, split_halves_merged, accounted (the sum of the four
        before it), ok. ``tables``: dataset, table, rows, expected, rule.
    """
    import pandas as pd

    columns = ["raw_records", "read_records", "clean", "quarantined", "duplicates_removed",
               "split_halves_merged", "ok"]  # fmt: skip
    datasets = pd.DataFrame(
        [{"dataset": name, **{c: d[c] for c in columns}} for name, d in report["datasets"].items()],
        columns=["dataset", *columns],
    )
    # What the report's identity adds up: it must equal read_records.
    parts = ["clean", "quarantined", "duplicates_removed", "split_halves_merged"]
    datasets.insert(len(columns), "accounted", datasets[parts].sum(axis=1).astype(int))
    tables = pd.DataFrame(
        [
            {"dataset": name, "table": table, **{c: t[c] for c in ("rows", "expected", "rule")}}
            for name, d in report["datasets"].items()
            for table, t in d["tables"].items()
        ],
        columns=["dataset", "table", "rows", "expected", "rule"],
    )
    return datasets, tables


def quarantine_reasons(settings: Settings):
    """Why rows went to ``quarantine/``: rows per dataset and reason (the reason's first words).

    Returns:
        A DataFrame: dataset, reason, rows; empty when nothing was quarantined.
    """
    import pandas as pd
    import pyarrow.parquet as pq

    from movie_pipeline.lake.storage import list_files

    files = list_files(settings, settings.quarantine_prefix, ".parquet")
    if settings.backend == "aws":
        import awswrangler as wr

        from movie_pipeline.aws.session import boto3_session

        frames = [
            wr.s3.read_parquet([f.uri for f in files], columns=["dataset", "reason"],
                               boto3_session=boto3_session(settings))
        ] if files else []  # fmt: skip
    else:
        frames = [pq.read_table(f.uri, columns=["dataset", "reason"]).to_pandas() for f in files]
    rows = pd.concat(frames) if frames else pd.DataFrame(columns=["dataset", "reason"])
    if rows.empty:
        return pd.DataFrame(columns=["dataset", "reason", "rows"])
    # Reasons quote the bad value ("budget 'abc' is not a bigint"): hide it so alike ones group.
    rows["reason"] = rows["reason"].str.replace(r"'[^']*'", "'...'", regex=True)
    return rows.groupby(["dataset", "reason"]).size().rename("rows").reset_index()
