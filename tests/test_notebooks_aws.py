"""The six notebooks on the aws backend, in order on one lake, against moto in server mode.

The walkthrough runs once, 00 to 05, each notebook in its own papermill kernel that talks real
HTTP to moto (``AWS_ENDPOINT_URL``), as a learner's kernel talks to AWS. Each test then reads
what that run left: the executed notebooks, the requests moto received and the bucket.

moto keeps the bookkeeping of two services the walkthrough needs but executes nothing; only
that is stubbed, inside the moto server (a thread of this process), so that the kernels send
their requests unchanged:

- Glue interactive sessions: moto creates, describes, lists and stops sessions, but has no
  RunStatement or GetStatement. Here a statement runs on this process's local Spark. Local
  Spark has no S3 connector, so the raw files are copied from the bucket into a folder laid out
  like it, the statement's own code runs with that folder as its bucket, everything it wrote
  is put back in the bucket under the same keys, and what it printed is returned as Glue
  returns it, with the folder named as the bucket again.
- Athena: moto records each query execution but runs no SQL and answers with no rows. Here
  DuckDB answers each SELECT over a copy of the tables the Glue Data Catalog points at (the
  local backend's views, ``catalog.register_local``); the answer goes back as GetQueryResults
  rows and as Athena's CSV in the output location, which is what awswrangler reads. DDL (the
  views 03 creates) is left to moto.

Every request the kernels send to Glue is recorded as moto received it, and every statement
sent to Athena is parsed with Trino's grammar (``test_trino_grammar``), which moto does not do.
"""

from __future__ import annotations

import ast
import hashlib
import io
import json
import re
import shutil
import threading
import traceback
import zipfile
from dataclasses import dataclass
from pathlib import Path

import boto3
import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
import requests
from botocore.exceptions import ClientError

from movie_pipeline import notebooks
from movie_pipeline.analysis import query
from movie_pipeline.catalog import register as catalog
from movie_pipeline.config import Settings, load_settings
from movie_pipeline.specs.datasets import RAW_FILES
from movie_pipeline.specs.tables import RAW_TABLES
from test_trino_grammar import assert_athena_accepts

REPO = Path(__file__).resolve().parents[1]
BUCKET = "movie-walkthrough-test"
ACCOUNT = "123456789012"  # moto's account
REGION = "us-east-1"
SQL_DIR = REPO / "lib" / "movie_pipeline" / "sql"
WALK_FILES = ("credits.csv", "movies_metadata.csv")
SESSION_ACTIONS = {"ListSessions", "CreateSession", "GetSession", "RunStatement",
                   "GetStatement", "StopSession", "DeleteSession"}  # fmt: skip

pytestmark = [pytest.mark.aws, pytest.mark.slow]


def _keys(s3, bucket: str, prefix: str) -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return [o["Key"] for page in pages for o in page.get("Contents", [])]


def _download(s3, bucket: str, prefix: str, folder: Path) -> None:
    """Copy the objects under ``prefix`` to ``folder/<key>``: a folder laid out like the bucket."""
    for key in _keys(s3, bucket, prefix):
        target = folder / key
        target.parent.mkdir(parents=True, exist_ok=True)
        s3.download_file(bucket, key, str(target))


# Glue: the statements moto cannot run ---------------------------------------------------------
class GlueStatements:
    """RunStatement and GetStatement for moto's Glue sessions, run on this process's Spark."""

    def __init__(self, spark, root: Path) -> None:
        self.spark, self.root = spark, root
        self.requests: list[tuple[str, dict]] = []  # every Glue request, as moto received it
        self.statements: dict[tuple[str, int], dict] = {}
        self.uploaded: list[str] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()

    def install(self, mp: pytest.MonkeyPatch) -> None:
        from moto.core.responses import ActionResult
        from moto.glue.exceptions import EntityNotFoundException, IllegalSessionStateException
        from moto.glue.responses import GlueResponse

        call_action = GlueResponse.call_action

        def recorded(response):
            self.requests.append((response._get_action(), json.loads(response.body or "{}")))
            return call_action(response)

        def run_statement(response):
            session_id = response._get_param("SessionId")
            # An unknown session raises as Glue does; a stopped one refuses statements.
            session = response.glue_backend.get_session(session_id)
            if session.state != "READY":
                raise IllegalSessionStateException(f"Session {session_id} is {session.state}")
            with self._lock:
                number = sum(s == session_id for s, _ in self.statements)
                statement = {"Id": number, "Code": response._get_param("Code"),
                             "State": "RUNNING", "Progress": 0.0}  # fmt: skip
                self.statements[session_id, number] = statement
            # Glue answers at once and runs the statement while the caller polls GetStatement.
            threading.Thread(target=self._run, args=(statement,), daemon=True).start()
            return ActionResult({"Id": number})

        def get_statement(response):
            key = (response._get_param("SessionId"), response._get_param("Id"))
            with self._lock:
                if key not in self.statements:
                    raise EntityNotFoundException(f"Statement {key[1]} not found in {key[0]}")
                return ActionResult({"Statement": dict(self.statements[key])})

        mp.setattr(GlueResponse, "call_action", recorded)
        mp.setattr(GlueResponse, "run_statement", run_statement, raising=False)
        mp.setattr(GlueResponse, "get_statement", get_statement, raising=False)

    def sent(self, action: str) -> list[dict]:
        return [body for name, body in self.requests if name == action]

    def _run(self, statement: dict) -> None:
        try:
            output = {"Data": {"TextPlain": self._execute(statement["Code"])}, "Status": "ok"}
        except Exception as exc:  # the session reports it, as Glue does; the test shows it
            trace = traceback.format_exc()
            self.errors.append(trace)
            output = {"Status": "error", "ErrorName": type(exc).__name__, "ErrorValue": str(exc),
                      "Traceback": trace.splitlines(keepends=True)}  # fmt: skip
        with self._lock:
            statement.update(State="AVAILABLE", Progress=1.0,
                             Output={"ExecutionCount": statement["Id"], **output})  # fmt: skip

    def _execute(self, code: str) -> str:
        """Run the statement with a local copy of its bucket; return what it printed."""
        tree = ast.parse(code)
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
                 and isinstance(n.func, ast.Name) and n.func.id == "load_settings"]  # fmt: skip
        if len(calls) != 1 or len(calls[0].args) != 1:
            raise NotImplementedError("the stand-in runs statements that call load_settings once")
        params = ast.literal_eval(calls[0].args[0])
        in_glue = load_settings(params)
        if in_glue.backend != "aws":
            raise ValueError(f"a Glue session works on S3, not on the {in_glue.backend} backend")
        folder = self.root / f"glue_statement_{len(self.statements)}"
        local = in_glue.replace(backend="local", lake_dir=folder)
        s3 = boto3.session.Session(region_name=REGION).client("s3")
        bucket_folder = Path(local.bucket_root)
        _download(s3, in_glue.bucket, f"{in_glue.raw_prefix}/", bucket_folder)
        calls[0].args[0] = ast.parse(
            repr({**params, "backend": "local", "lake_dir": str(folder)}), mode="eval"
        ).body
        printed = io.StringIO()
        namespace = {"__name__": "__main__",
                     "print": lambda *args, **kw: print(*args, **{**kw, "file": printed})}  # fmt: skip
        shuffle = self.spark.conf.get("spark.sql.shuffle.partitions")
        try:
            exec(compile(ast.fix_missing_locations(tree), "<glue statement>", "exec"), namespace)
        finally:
            # The statement's get_spark sets its own settings on the run's shared session.
            self.spark.conf.set("spark.sql.shuffle.partitions", shuffle)
        for path in sorted(p for p in bucket_folder.rglob("*") if p.is_file()):
            key = path.relative_to(bucket_folder).as_posix()
            # Hadoop's local checksums (.crc) have no S3 counterpart; raw/ came from the bucket.
            if not key.startswith(f"{in_glue.raw_prefix}/") and not path.name.endswith(".crc"):
                s3.upload_file(str(path), in_glue.bucket, key)
                self.uploaded.append(key)
        return printed.getvalue().replace(local.bucket_root, in_glue.bucket_root)


# Athena: the SQL moto cannot run --------------------------------------------------------------
ATHENA_TYPES = {"VARCHAR": "varchar", "BIGINT": "bigint", "INTEGER": "integer",
                "SMALLINT": "smallint", "TINYINT": "tinyint", "DOUBLE": "double", "FLOAT": "real",
                "BOOLEAN": "boolean", "DATE": "date", "TIMESTAMP": "timestamp"}  # fmt: skip
SELECT = re.compile(r"(\s*--[^\n]*\n)*\s*(select|with)\b", re.IGNORECASE)


class AthenaEngine:
    """Athena's answers to SELECT statements: DuckDB over the tables the Glue catalog points at."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.answers: dict[str, str] = {}  # execution id -> the CSV Athena wrote
        self.errors: list[str] = []
        self._catalogs: dict[str, Path] = {}
        self._lock = threading.Lock()
        self._clients = None

    def install(self, mp: pytest.MonkeyPatch) -> None:
        from moto.athena.models import AthenaBackend

        start = AthenaBackend.start_query_execution

        def start_query_execution(backend, **request):
            execution_id = start(backend, **request)
            if SELECT.match(request["query"]):
                self._answer(backend, execution_id)
            return execution_id

        mp.setattr(AthenaBackend, "start_query_execution", start_query_execution)

    def _s3_glue(self):
        with self._lock:
            if self._clients is None:
                session = boto3.session.Session(region_name=REGION)
                self._clients = session.client("s3"), session.client("glue")
            return self._clients

    def _answer(self, backend, execution_id: str) -> None:
        from moto.athena.models import QueryResults

        execution = backend.executions[execution_id]
        try:
            columns, rows = self._run(
                execution.query, execution.context["Database"], execution.execution_parameters or []
            )
            column_info = [_column_info(name, kind) for name, kind in columns]
        except Exception:  # Athena fails the query; awswrangler raises QueryFailed
            self.errors.append(traceback.format_exc())
            execution.status = "FAILED"
            return
        header = [name for name, _ in columns]
        backend.query_results[execution_id] = QueryResults(
            rows=[{"Data": [{} if v is None else {"VarCharValue": v} for v in row]}
                  for row in [header, *rows]],
            column_info=column_info,
        )  # fmt: skip
        # Athena's CSV: every value quoted, quotes doubled, a null empty. moto's own writer
        # does not double quotes, so the answer is written here.
        text = "".join(
            ",".join("" if v is None else '"' + v.replace('"', '""') + '"' for v in row) + "\n"
            for row in [header, *rows]
        )
        bucket, _, key = execution.config["OutputLocation"].removeprefix("s3://").partition("/")
        self._s3_glue()[0].put_object(Bucket=bucket, Key=key, Body=text.encode("utf-8"))
        self.answers[execution_id] = text

    def _run(self, sql: str, database: str, parameters: list[str]):
        marks = query.placeholders(sql)
        if len(marks) != len(parameters):
            raise ValueError(f"{len(marks)} '?' but {len(parameters)} execution parameters")
        # EXECUTE ... USING binds each parameter as the literal it is.
        for token, literal in reversed(list(zip(marks, parameters, strict=True))):
            sql = sql[: token.start] + literal + sql[token.end + 1 :]
        with duckdb.connect(str(self._catalog(database)), read_only=True) as con:
            relation = con.sql(query.to_duckdb(sql))
            columns = list(zip(relation.columns, map(str, relation.types), strict=True))
            rows = [[_text(v) for v in row] for row in relation.fetchall()]
        return columns, rows

    def _catalog(self, database: str) -> Path:
        """A local copy of every table of ``database`` in Glue, as DuckDB views (made once:
        the lake does not change between 04 and 05)."""
        s3, glue = self._s3_glue()
        with self._lock:
            if database in self._catalogs:
                return self._catalogs[database]
            lake, buckets = self.root / "athena_lake", set()
            for page in glue.get_paginator("get_tables").paginate(DatabaseName=database):
                for table in page["TableList"]:
                    location = table.get("StorageDescriptor", {}).get("Location")
                    if location:  # views have none
                        bucket, _, prefix = location.removeprefix("s3://").partition("/")
                        _download(s3, bucket, prefix.rstrip("/") + "/", lake / bucket)
                        buckets.add(bucket)
            (bucket,) = buckets
            settings = Settings(lake_dir=lake, bucket=bucket, database=database)
            catalog.register_local(settings)
            self._catalogs[database] = settings.catalog_path
            return settings.catalog_path


def _column_info(name: str, duckdb_type: str) -> dict:
    decimal = re.fullmatch(r"DECIMAL\((\d+),(\d+)\)", duckdb_type)
    kind = "decimal" if decimal else ATHENA_TYPES[duckdb_type]  # another type fails the query
    return {"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": name,
            "Label": name, "Type": kind, "Precision": int(decimal[1]) if decimal else 0,
            "Scale": int(decimal[2]) if decimal else 0, "Nullable": "UNKNOWN",
            "CaseSensitive": kind == "varchar"}  # fmt: skip


def _text(value) -> str | None:
    """A value as Athena's text: null stays null, booleans in lower case, dates in ISO."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


# The run ------------------------------------------------------------------------------------
@dataclass
class Walk:
    source: Path
    out: Path
    runs: dict[str, notebooks.NotebookRun]
    policy: str
    http_upload_error: str | None
    glue: GlueStatements
    athena: AthenaEngine

    def checks(self, number: str) -> dict:
        return self.runs[number].checks


def _source(root: Path) -> Path:
    """The raw files the analysis reads: credits (cast, crew) and movies_metadata (the rest).

    The other datasets take the same way through S3 and Glue, and each adds Spark seconds.
    """
    folder, shipped = root / "source", REPO / "data_samples"
    folder.mkdir()
    if all((shipped / name).is_file() for name in WALK_FILES):
        for name in WALK_FILES:
            shutil.copyfile(shipped / name, folder / name)
        return folder
    from movie_pipeline.generator import generate

    generate(folder, movies=60, seed=7, files=list(WALK_FILES), progress=False)
    return folder


@pytest.fixture(scope="module")
def walk(moto_server, spark, tmp_path_factory):
    """Notebooks 00 to 05 on the aws backend, once for the module, on one bucket."""
    root = tmp_path_factory.mktemp("notebooks_aws")
    state = f"{moto_server}/moto-api/state-manager"
    execution = {"model_name": "athena::execution"}
    with pytest.MonkeyPatch.context() as mp:
        # The `aws` fixture's environment, for the module: the kernels inherit it.
        for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
            mp.delenv(key, raising=False)
        for key, value in (("AWS_ENDPOINT_URL", moto_server), ("AWS_ACCESS_KEY_ID", "testing"),
                           ("AWS_SECRET_ACCESS_KEY", "testing"), ("AWS_DEFAULT_REGION", REGION),
                           ("AWS_REGION", REGION)):  # fmt: skip
            mp.setenv(key, value)
        requests.post(f"{moto_server}/moto-api/reset", timeout=10)
        glue, athena = GlueStatements(spark, root), AthenaEngine(root)
        glue.install(mp)
        athena.install(mp)
        # The answer is there when the query starts: no need for awswrangler to poll.
        immediate = {**execution, "transition": {"progression": "immediate"}}
        requests.post(f"{state}/set-transition", json=immediate, timeout=10)
        try:
            yield _walk(root, glue, athena)
        finally:
            requests.post(f"{state}/unset-transition", json=execution, timeout=10)


def _walk(root: Path, glue: GlueStatements, athena: AthenaEngine) -> Walk:
    source, out = _source(root), root / "out"
    params = notebooks.walkthrough_parameters(source, out, backend="aws", bucket=BUCKET)
    runs: dict[str, notebooks.NotebookRun] = {}

    def run(number: str) -> None:
        try:
            (runs[number],) = notebooks.run_notebooks(params, out, REPO / "notebooks", [number])
        except notebooks.NotebookFailed as exc:
            stand_ins = "\n".join(glue.errors + athena.errors) or "no stand-in error"
            raise AssertionError(f"{exc}\nstand-ins: {stand_ins}") from exc

    run("00")
    s3 = boto3.client("s3", region_name=REGION)
    # The bucket policy 00 put in place refuses plain HTTP, and moto serves plain HTTP: it must
    # refuse an upload as AWS would, and then be lifted for the rest of the walkthrough.
    policy = s3.get_bucket_policy(Bucket=BUCKET)["Policy"]
    try:
        s3.put_object(Bucket=BUCKET, Key="raw/probe.csv", Body=b"x")
        refused = None
    except ClientError as exc:
        refused = exc.response["Error"]["Code"]
    s3.delete_bucket_policy(Bucket=BUCKET)
    for number in ("01", "02", "03", "04", "05"):
        run(number)
    return Walk(source, out, runs, policy, refused, glue, athena)


# What the run left ----------------------------------------------------------------------------
def _s3():
    return boto3.client("s3", region_name=REGION)


def _footer_rows(s3) -> dict[str, int]:
    """Rows per cleaned table, from the footers of the Parquet files in the bucket."""
    rows: dict[str, int] = {}
    for key in _keys(s3, BUCKET, "cleaned/"):
        if key.endswith(".parquet"):
            body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
            table = key.split("/")[1]
            rows[table] = rows.get(table, 0) + pq.read_metadata(io.BytesIO(body)).num_rows
    return rows


def _executions() -> list[dict]:
    """Every query execution Athena received, with its SQL and parameters."""
    athena = boto3.client("athena", region_name=REGION)
    pages = athena.get_paginator("list_query_executions").paginate(WorkGroup="movie_pipeline")
    ids = [i for page in pages for i in page["QueryExecutionIds"]]
    return [athena.get_query_execution(QueryExecutionId=i)["QueryExecution"] for i in ids]


def _outputs(run: notebooks.NotebookRun, calling: str = "") -> list[dict]:
    """The outputs of an executed notebook (only of the cells whose code holds ``calling``)."""
    nb = json.loads(run.executed.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if calling in "".join(c["source"])]
    return [out for cell in cells for out in cell.get("outputs", [])]


def test_00_sets_up_the_bucket_role_and_workgroup(walk):
    checks = walk.checks("00")
    assert checks["backend"] == "aws"
    assert any(a.startswith(f"created bucket {BUCKET}") for a in checks["aws_actions"])
    assert '"aws:SecureTransport": "false"' in walk.policy
    assert walk.http_upload_error in ("AccessDenied", "Forbidden", "403")
    s3 = _s3()
    rules = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    role = boto3.client("iam").get_role(RoleName="movie-pipeline-glue")["Role"]
    assert "glue.amazonaws.com" in str(role["AssumeRolePolicyDocument"])
    athena = boto3.client("athena", region_name=REGION)
    assert (
        athena.get_work_group(WorkGroup="movie_pipeline")["WorkGroup"]["Name"] == "movie_pipeline"
    )


def test_01_uploads_every_raw_file_once_with_its_checksum(walk):
    s3 = _s3()
    files = sorted(p for p in walk.source.glob("*.csv") if p.name in RAW_FILES)
    assert sorted(_keys(s3, BUCKET, "raw/")) == sorted(f"raw/{p.stem}/{p.name}" for p in files)
    for p in files:
        head = s3.head_object(Bucket=BUCKET, Key=f"raw/{p.stem}/{p.name}")
        assert head["ContentLength"] == p.stat().st_size
        assert head["Metadata"]["sha256"] == hashlib.sha256(p.read_bytes()).hexdigest()
    assert walk.checks("01")["transferred_second_run"] == 0


def test_02_creates_a_glue_session_with_the_walkthroughs_settings(walk):
    (create,) = walk.glue.sent("CreateSession")
    session_id = create["Id"]
    assert re.fullmatch(r"movie-pipeline-[0-9a-f-]{36}", session_id)
    assert create == {
        "Id": session_id,
        "Role": f"arn:aws:iam::{ACCOUNT}:role/movie-pipeline-glue",
        "Command": {"Name": "glueetl", "PythonVersion": "3"},
        "DefaultArguments": {
            "--extra-py-files": f"s3://{BUCKET}/artifacts/lib/movie_pipeline.zip",
            "--session-language": "python",
        },
        "GlueVersion": "5.1",
        "WorkerType": "G.1X",
        "NumberOfWorkers": 2,
        "IdleTimeout": 15,
        "Tags": {"project": "movie-pipeline"},
    }
    # The role exists (00 made it), and the zip --extra-py-files names is there (02 shipped it)
    # with what the statement imports.
    role = boto3.client("iam").get_role(RoleName="movie-pipeline-glue")["Role"]
    assert role["Arn"] == create["Role"]
    body = _s3().get_object(Bucket=BUCKET, Key="artifacts/lib/movie_pipeline.zip")["Body"].read()
    shipped = set(zipfile.ZipFile(io.BytesIO(body)).namelist())
    assert {f"movie_pipeline/{m}.py" for m in ("etl/driver", "etl/engine", "config")} <= shipped


def test_02_runs_one_statement_then_stops_the_session(walk):
    (create,) = walk.glue.sent("CreateSession")
    session_id = create["Id"]
    (statement,) = walk.glue.sent("RunStatement")
    assert statement["SessionId"] == session_id
    tree = ast.parse(statement["Code"])
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                for a in n.names if n.module == "movie_pipeline.etl"}  # fmt: skip
    assert {"driver", "engine"} <= imported
    (settings_call,) = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
                        and getattr(n.func, "id", None) == "load_settings"]  # fmt: skip
    sent = ast.literal_eval(settings_call.args[0])
    assert {k: sent[k] for k in ("backend", "bucket", "database", "region")} == {
        "backend": "aws", "bucket": BUCKET, "database": "movies_db", "region": REGION,
    }  # fmt: skip
    assert "lake_dir" not in sent  # a session has no local lake
    assert "driver.run_etl(" in statement["Code"]
    # Polled until done, then stopped: nothing left billing.
    actions = [a for a, _ in walk.glue.requests if a in SESSION_ACTIONS]
    assert walk.glue.sent("GetStatement")
    assert {(s["SessionId"], s["Id"]) for s in walk.glue.sent("GetStatement")} == {(session_id, 0)}
    assert walk.glue.sent("StopSession") == [{"Id": session_id}]
    assert actions.index("CreateSession") < actions.index("RunStatement")
    assert actions.index("RunStatement") < actions.index("StopSession")
    status = boto3.client("glue").get_session(Id=session_id)["Session"]["Status"]
    assert status in ("STOPPING", "STOPPED")
    assert not walk.glue.errors


def test_02_reports_what_the_session_wrote_to_the_bucket(walk):
    (create,) = walk.glue.sent("CreateSession")
    checks = walk.checks("02")
    s3 = _s3()
    footers = _footer_rows(s3)
    assert checks["engine"] == f"Glue session {create['Id']}"
    assert checks["rows"] == footers and len(footers) >= 5
    assert checks["usd"] > 0  # the session's DPU-seconds at list price
    written = {k.split("/")[0] for k in walk.glue.uploaded}
    assert {"cleaned", "reports"} <= written
    assert set(walk.glue.uploaded) <= set(_keys(s3, BUCKET, ""))
    # The statement's output, in the notebook, names the bucket where it wrote.
    shown = json.dumps(_outputs(walk.runs["02"]))
    assert f"s3://{BUCKET}/reports/reconciliation.json" in shown
    # The peek read five credits of cast_data back from the bucket.
    (peek,) = [o for o in _outputs(walk.runs["02"], "lake.peek(")
               if "credit_id" in "".join(o.get("data", {}).get("text/html", []))]  # fmt: skip
    html = "".join(peek["data"]["text/html"])
    assert html.split("<tbody>")[1].count("<tr>") == 5


def test_03_registers_the_cleaned_and_raw_tables_in_glue(walk):
    glue = boto3.client("glue", region_name=REGION)
    tables = {t["Name"]: t for t in glue.get_tables(DatabaseName="movies_db")["TableList"]}
    footers = _footer_rows(_s3())
    raw_tables = {t.name for t in RAW_TABLES.values() if (walk.source / t.file).is_file()}
    assert set(footers) | raw_tables <= set(tables)
    cast = tables["cast_data"]["StorageDescriptor"]
    assert cast["Location"].rstrip("/") == f"s3://{BUCKET}/cleaned/cast_data"
    assert cast["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
    assert [k["Name"] for k in tables["movies"]["PartitionKeys"]] == ["release_decade"]
    partitions = glue.get_partitions(DatabaseName="movies_db", TableName="movies")["Partitions"]
    folders = {k.split("/")[2].partition("=")[2]
               for k in _keys(_s3(), BUCKET, "cleaned/movies/") if k.endswith(".parquet")}  # fmt: skip
    assert {p["Values"][0] for p in partitions} == folders
    checks = walk.checks("03")
    assert set(checks["cleaned_tables"]) == set(footers)
    assert checks["rows"] == {}  # counting on AWS would be a billed Athena query


def test_04_sends_each_shipped_query_to_athena(walk):
    executions = _executions()
    names = sorted(p.stem for p in SQL_DIR.glob("*.sql"))
    for name in names:
        (ex,) = [e for e in executions if e["Query"].startswith(f"-- {name}:")]
        assert ex["WorkGroup"] == "movie_pipeline"
        assert ex["QueryExecutionContext"]["Database"] == "movies_db"
        location = ex["ResultConfiguration"]["OutputLocation"]
        assert location == f"s3://{BUCKET}/results/{ex['QueryExecutionId']}.csv"
        # The shipped text, with only the `?` outside a WHERE clause written as an integer.
        shipped = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8").splitlines()
        sent = ex["Query"].splitlines()
        assert len(sent) == len(shipped), name
        for mine, theirs in zip(shipped, sent, strict=True):
            pattern = re.escape(mine).replace(r"\?", r"-?\d+")
            assert mine == theirs or ("?" in mine and re.fullmatch(pattern, theirs)), (name, theirs)


def test_04_keeps_what_athena_answered(walk):
    checks = walk.checks("04")
    answers = {}
    for ex in _executions():
        name = ex["Query"].partition(":")[0].removeprefix("-- ")
        if ex["Query"].startswith("-- ") and ex["QueryExecutionId"] in walk.athena.answers:
            answers[name] = pd.read_csv(io.StringIO(walk.athena.answers[ex["QueryExecutionId"]]))
    # The your-turn cell's own SQL went the same way (query.run_sql), named your_sql.
    assert answers.pop("your_sql")["department"].notna().all()
    assert sorted(answers) == sorted(checks["queries"]) == sorted(query.list_queries())
    for name, answer in answers.items():
        kept = pd.read_csv(walk.out / "results" / f"{name}.csv")
        pd.testing.assert_frame_equal(kept, answer, check_dtype=False, obj=name)
        assert checks["queries"][name] == len(answer) > 0
    assert checks["top_actor"] == answers["top_actors"].iloc[0]["name"]
    assert checks["charts"] and all((walk.out / c).is_file() for c in checks["charts"])
    assert checks["bytes_scanned"] == 0  # moto reports no bytes scanned
    # Athena bills at least 10 MB a query, at $5 per TB.
    assert checks["usd"] == pytest.approx(len(answers) * 10 * 2**20 / 2**40 * 5)
    assert not walk.athena.errors


def test_every_statement_athena_received_parses_as_trino(walk):
    executions = _executions()
    views = [e for e in executions if e["Query"].lower().startswith("create or replace view")]
    queries = [e for e in executions if e["Query"].startswith("-- ")]
    keys = [e for e in executions if e["Query"].startswith("with keys as")]
    assert len(views) + len(queries) + len(keys) == len(executions)  # nothing else was sent
    # every shipped query, and the learner's own (04's your-turn cell)
    assert views and len(queries) == len(query.list_queries()) + 1 and keys
    assert_athena_accepts([(e["Query"], e.get("ExecutionParameters", [])) for e in executions])


def test_05_reports_on_what_01_to_04_left_in_aws(walk):
    checks = walk.checks("05")
    s3 = _s3()
    assert checks["notebooks_checked"] == ["00", "01", "02", "03", "04"]
    body = s3.get_object(Bucket=BUCKET, Key="reports/reconciliation.json")["Body"].read()
    report = json.loads(body)
    assert set(checks["reconciliation"]) == set(report["datasets"])
    for dataset, shown in checks["reconciliation"].items():
        for column in ("raw_records", "read_records", "clean", "quarantined",
                       "duplicates_removed", "split_halves_merged"):  # fmt: skip
            assert shown[column] == report["datasets"][dataset][column], (dataset, column)
    footers = _footer_rows(s3)
    assert sorted(checks["schema_checked"]) == sorted(footers)
    # One key check per table, through Athena; its row count is the files' in the bucket.
    keys = [e for e in _executions() if e["Query"].startswith("with keys as")]
    assert sorted(re.search(r"\bfrom (\w+)", e["Query"])[1] for e in keys) == sorted(footers)
    assert checks["rows"] == footers
    sizes = {o: s3.head_object(Bucket=BUCKET, Key=o)["ContentLength"]
             for o in _keys(s3, BUCKET, "raw/") + _keys(s3, BUCKET, "cleaned/")}  # fmt: skip
    assert checks["raw_bytes"] == sum(v for k, v in sizes.items() if k.startswith("raw/"))
    cleaned = sum(
        v for k, v in sizes.items() if k.startswith("cleaned/") and k.endswith(".parquet")
    )
    assert checks["cleaned_bytes"] == cleaned
    storage = (checks["raw_bytes"] + cleaned) / 2**30 * 0.023  # S3 Standard, a month
    paid = walk.checks("02")["usd"] + walk.checks("04")["usd"] + storage
    assert checks["usd"] == pytest.approx(paid, abs=2e-4)


def test_no_notebook_names_the_account_or_this_machines_folders(walk):
    account = boto3.client("sts").get_caller_identity()["Account"]
    assert account == ACCOUNT
    for number, run in walk.runs.items():
        shown = json.dumps(_outputs(run))
        leaks = [
            x for x in (account, str(walk.out.parent), "/tmp/", "/work/", "/root/") if x in shown
        ]
        assert not leaks, f"{number} shows {leaks}"
