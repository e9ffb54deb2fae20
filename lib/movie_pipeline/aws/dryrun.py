"""Dry run: print every AWS call the pipeline would make, with its parameters, and send none.

botocore emits ``before-call`` before it signs or sends a request; a handler that returns a
response there short-circuits the call. The sessions made here answer every call that way with
a plausible canned response (a fresh account: nothing exists until the run creates it), so the
AWS path walks through without credentials and without touching AWS.
"""

from __future__ import annotations

import io
import itertools
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore import xform_name
from botocore.awsrequest import AWSResponse
from botocore.response import StreamingBody

from movie_pipeline.aws import session as session_module

# A placeholder account id: it appears in the ARNs the dry run prints.
DRY_RUN_ACCOUNT = "000000000000"


@dataclass(frozen=True)
class Call:
    """One AWS call: service, operation (boto3's snake_case name) and parameters."""

    service: str
    operation: str
    params: dict

    def describe(self, number: int) -> str:
        body = json.dumps(printable(self.params), indent=2, default=str)
        return f"[dry-run] #{number} {self.service}.{self.operation} {body}"


def printable(value: Any) -> Any:
    """Parameters made readable: bodies as sizes, JSON documents (policies) decoded."""
    if isinstance(value, dict):
        return {k: printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable(v) for v in value]
    if isinstance(value, bytes | bytearray):
        return f"<{len(value):,} bytes>"
    if hasattr(value, "read"):  # an upload's file (s3transfer's chunks know their size)
        size = f", {len(value):,} bytes" if hasattr(value, "__len__") else ""
        return f"<file{size}>"
    if isinstance(value, str) and value.startswith("{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class _Error(Exception):
    def __init__(self, code: str, status: int = 400) -> None:
        super().__init__(code)
        self.code, self.status = code, status


def _skeleton(shape, top: bool = True) -> Any:
    """A minimal response of the right shape: required members, neutral values.

    At the top level, lists and maps are included (empty) too: callers index them directly,
    as in ``page["Partitions"]``, and AWS does send them.
    """
    if shape is None:
        return {}
    kind = shape.type_name
    if kind == "structure":
        return {
            n: _skeleton(m, top=False)
            for n, m in shape.members.items()
            if n in shape.required_members or (top and m.type_name in ("list", "map"))
        }
    empty = {"list": [], "map": {}, "integer": 0, "long": 0, "double": 0.0, "float": 0.0,
             "boolean": False, "blob": b""}  # fmt: skip
    if kind == "timestamp":
        return datetime.now(UTC)
    return empty.get(kind, "dry-run")


@dataclass
class World:
    """What exists in the dry run's pretend account: only what the run itself created."""

    account: str = DRY_RUN_ACCOUNT
    things: dict[tuple, Any] = field(default_factory=dict)
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def get(self, *key: str, missing: str = "404", status: int = 404) -> Any:
        if key not in self.things:
            raise _Error(missing, status)
        return self.things[key]

    def put(self, *key: str, value: Any = True) -> dict:
        self.things[key] = value
        return {}

    def listing(self, kind: str, *parent: str) -> list[tuple]:
        n = len(parent)
        return [k for k in self.things if k[0] == kind and k[1 : 1 + n] == parent]


def _now() -> datetime:
    return datetime.now(UTC)


def _role(w: World, name: str) -> dict:
    trust = w.get("role", name, missing="NoSuchEntity")
    return {"Role": {"RoleName": name, "Path": "/", "RoleId": "DRYRUN", "CreateDate": _now(),
                     "Arn": f"arn:aws:iam::{w.account}:role/{name}",
                     "AssumeRolePolicyDocument": trust}}  # fmt: skip


def _policy(w: World, arn: str) -> dict:
    w.get("policy", arn.rsplit("/", 1)[-1], missing="NoSuchEntity")
    return {"Policy": {"PolicyName": arn.rsplit("/", 1)[-1], "Arn": arn, "DefaultVersionId": "v1"}}


def _session(w: World, sid: str) -> dict:
    params = w.get("session", sid, missing="EntityNotFoundException", status=400)
    return {**params, "Status": "STOPPED" if ("stopped", sid) in w.things else "READY"}


def _job_run(w: World, p: dict) -> dict:
    job = w.things.get(("job", p["JobName"]), {})
    return {"JobRun": {"Id": p["RunId"], "JobName": p["JobName"], "JobRunState": "SUCCEEDED",
                       "ExecutionTime": 0, "WorkerType": job.get("WorkerType"),
                       "NumberOfWorkers": job.get("NumberOfWorkers")}}  # fmt: skip


def _query(w: World, p: dict) -> dict:
    # No ".csv" at the end of the output location: awswrangler then returns an empty frame
    # instead of reading a result file that does not exist.
    qid = p["QueryExecutionId"]
    return {"QueryExecution": {
        "QueryExecutionId": qid, "Query": w.things.get(("query", qid), ""), "StatementType": "DML",
        "Status": {"State": "SUCCEEDED", "SubmissionDateTime": _now(), "CompletionDateTime": _now()},
        "Statistics": {"DataScannedInBytes": 0, "EngineExecutionTimeInMillis": 0,
                       "TotalExecutionTimeInMillis": 0},
        "ResultConfiguration": {"OutputLocation": f"s3://dry-run/results/{qid}"}}}  # fmt: skip


def _empty_parquet(spec) -> bytes:
    import pyarrow.parquet as pq

    from movie_pipeline.specs.ddl import arrow_schema

    buffer = io.BytesIO()
    pq.write_table(arrow_schema(spec).empty_table(), buffer)
    return buffer.getvalue()


def _start_job_run(w: World, p: dict) -> dict:
    # A finished run leaves its output behind: an empty Parquet file in each cleaned table's
    # schema (in one partition where the table has them), so that the steps after the job
    # (schema check, catalog, queries) have something to read and register.
    from movie_pipeline.specs.tables import CLEANED_TABLES

    args = w.things.get(("job", p["JobName"]), {}).get("DefaultArguments", {})
    if "--bucket" in args and "--cleaned_prefix" in args:
        for spec in CLEANED_TABLES.values():
            folders = "".join(f"{k.name}=1990/" for k in spec.partition_keys)
            key = f"{args['--cleaned_prefix']}/{spec.name}/{folders}part-00000.snappy.parquet"
            w.put("object", args["--bucket"], key, value={"Body": _empty_parquet(spec)})
    return {"JobRunId": f"jr_dry_run_{next(w.counter)}"}


def _get_object(w: World, p: dict) -> dict:
    body = w.get("object", p["Bucket"], p["Key"], missing="NoSuchKey").get("Body", b"")
    if p.get("Range", "").startswith("bytes="):
        start, _, end = p["Range"][6:].partition("-")
        body = body[int(start) : int(end) + 1 if end else None]
    return {"Body": StreamingBody(io.BytesIO(body), len(body)), "ContentLength": len(body)}


def _head_object(w: World, p: dict) -> dict:
    stored = w.get("object", p["Bucket"], p["Key"])
    return {"ContentLength": len(stored.get("Body", b"")), "ETag": '"dry-run"',
            "Metadata": stored.get("Metadata", {})}  # fmt: skip


def _list_objects(w: World, p: dict) -> dict:
    keys = [k for k in w.listing("object", p["Bucket"]) if k[2].startswith(p.get("Prefix", ""))]
    contents = [{"Key": k[2], "Size": len(w.things[k].get("Body", b""))} for k in sorted(keys)]
    return {"Contents": contents, "KeyCount": len(contents), "IsTruncated": False}


def _start_query(w: World, p: dict) -> dict:
    qid = f"dry-run-query-{next(w.counter)}"
    w.put("query", qid, value=p.get("QueryString", ""))
    return {"QueryExecutionId": qid}


# (service, operation) -> handler(world, params) -> response. Gets of things the run has not
# created answer "not found", as a fresh account would; Creates and Puts record them.
Handler = Callable[[World, dict], dict]
HANDLERS: dict[tuple[str, str], Handler] = {
    ("sts", "GetCallerIdentity"): lambda w, p: {
        "Account": w.account, "Arn": f"arn:aws:iam::{w.account}:user/dry-run", "UserId": "DRYRUN"},
    ("s3", "HeadBucket"): lambda w, p: w.get("bucket", p["Bucket"]) and {},
    ("s3", "CreateBucket"): lambda w, p: w.put("bucket", p["Bucket"]),
    ("s3", "GetBucketPolicy"): lambda w, p: {
        "Policy": w.get("bucket-policy", p["Bucket"], missing="NoSuchBucketPolicy")},
    ("s3", "PutBucketPolicy"): lambda w, p: w.put("bucket-policy", p["Bucket"], value=p["Policy"]),
    ("s3", "DeleteBucketPolicy"): lambda w, p: w.things.pop(("bucket-policy", p["Bucket"]), {}) and {},
    ("s3", "GetBucketEncryption"): lambda w, p: {"ServerSideEncryptionConfiguration": w.get(
        "encryption", p["Bucket"], missing="ServerSideEncryptionConfigurationNotFoundError")},
    ("s3", "PutBucketEncryption"): lambda w, p: w.put(
        "encryption", p["Bucket"], value=p["ServerSideEncryptionConfiguration"]),
    ("s3", "GetBucketTagging"): lambda w, p: w.get("tags", p["Bucket"], missing="NoSuchTagSet"),
    ("s3", "PutBucketTagging"): lambda w, p: w.put("tags", p["Bucket"], value=p["Tagging"]),
    # Uploaded bodies are not kept (they may be large files): only their metadata.
    ("s3", "HeadObject"): _head_object,
    ("s3", "PutObject"): lambda w, p: w.put("object", p["Bucket"], p["Key"], value={
        "Metadata": p.get("Metadata", {})}) or {"ETag": '"dry-run"'},
    ("s3", "CompleteMultipartUpload"): lambda w, p: w.put("object", p["Bucket"], p["Key"], value={}),
    ("s3", "CreateMultipartUpload"): lambda w, p: {
        "UploadId": "dry-run", "Bucket": p["Bucket"], "Key": p["Key"]},
    ("s3", "UploadPart"): lambda w, p: {"ETag": '"dry-run"'},
    ("s3", "GetObject"): _get_object,
    ("s3", "ListObjectsV2"): _list_objects,
    ("iam", "GetRole"): lambda w, p: _role(w, p["RoleName"]),
    ("iam", "CreateRole"): lambda w, p: w.put(
        "role", p["RoleName"], value=p["AssumeRolePolicyDocument"]) or _role(w, p["RoleName"]),
    ("iam", "GetPolicy"): lambda w, p: _policy(w, p["PolicyArn"]),
    ("iam", "CreatePolicy"): lambda w, p: w.put("policy", p["PolicyName"], value=p["PolicyDocument"])
    or _policy(w, f"arn:aws:iam::{w.account}:policy/{p['PolicyName']}"),
    ("iam", "GetPolicyVersion"): lambda w, p: {"PolicyVersion": {"VersionId": "v1",
        "IsDefaultVersion": True, "Document": w.get("policy", p["PolicyArn"].rsplit("/", 1)[-1])}},
    ("athena", "GetWorkGroup"): lambda w, p: {"WorkGroup": {
        "Name": p["WorkGroup"], "State": "ENABLED",
        "Configuration": w.get("workgroup", p["WorkGroup"], missing="InvalidRequestException")}},
    ("athena", "CreateWorkGroup"): lambda w, p: w.put(
        "workgroup", p["Name"], value=p.get("Configuration", {})),
    ("athena", "StartQueryExecution"): _start_query,
    ("athena", "GetQueryExecution"): _query,
    ("athena", "GetQueryResults"): lambda w, p: {
        "ResultSet": {"Rows": [], "ResultSetMetadata": {"ColumnInfo": []}}},
    ("glue", "GetJob"): lambda w, p: {"Job": {"Name": p["JobName"], **w.get(
        "job", p["JobName"], missing="EntityNotFoundException", status=400)}},
    ("glue", "CreateJob"): lambda w, p: w.put("job", p["Name"], value=p) or {"Name": p["Name"]},
    ("glue", "UpdateJob"): lambda w, p: {"JobName": p["JobName"]},
    ("glue", "GetJobs"): lambda w, p: {"Jobs": [w.things[k] for k in w.listing("job")]},
    ("glue", "StartJobRun"): _start_job_run,
    ("glue", "GetJobRun"): _job_run,
    ("glue", "ListSessions"): lambda w, p: {"Sessions": [
        _session(w, k[1]) for k in w.listing("session")]},
    ("glue", "CreateSession"): lambda w, p: w.put("session", p["Id"], value=p)
    or {"Session": {"Id": p["Id"], "Status": "PROVISIONING"}},
    ("glue", "GetSession"): lambda w, p: {"Session": _session(w, p["Id"])},
    ("glue", "StopSession"): lambda w, p: w.put("stopped", p["Id"]) or {"Id": p["Id"]},
    ("glue", "RunStatement"): lambda w, p: {"Id": next(w.counter)},
    ("glue", "GetStatement"): lambda w, p: {"Statement": {"Id": p["Id"], "State": "AVAILABLE",
        "Output": {"Status": "ok", "Data": {"TextPlain": ""}}}},
    ("glue", "GetDatabase"): lambda w, p: {"Database": {"Name": p["Name"], **w.get(
        "database", p["Name"], missing="EntityNotFoundException", status=400)}},
    ("glue", "CreateDatabase"): lambda w, p: w.put(
        "database", p["DatabaseInput"]["Name"], value=p["DatabaseInput"]),
    ("glue", "GetTable"): lambda w, p: {"Table": {"DatabaseName": p["DatabaseName"], **w.get(
        "table", p["DatabaseName"], p["Name"], missing="EntityNotFoundException", status=400)}},
    ("glue", "CreateTable"): lambda w, p: w.put(
        "table", p["DatabaseName"], p["TableInput"]["Name"], value=p["TableInput"]),
    ("glue", "GetTables"): lambda w, p: {"TableList": [
        w.things[k] for k in w.listing("table", p["DatabaseName"])]},
}  # fmt: skip


class DryRun:
    """Record and print every AWS call made through ``aws.session``, answering each one itself.

    Use it as a context manager; inside, ``aws.session.boto3_session`` (and boto3's default
    session, which awswrangler falls back to) return sessions with dummy credentials whose
    calls never leave the process.

    Examples:
        >>> from movie_pipeline.config import Settings
        >>> with DryRun(out=lambda line: None) as dry:
        ...     _ = session_module.client(Settings(backend="aws"), "sts").get_caller_identity()
        >>> [(c.service, c.operation) for c in dry.calls]
        [('sts', 'get_caller_identity')]
    """

    def __init__(self, out: Callable[[str], None] = print, region: str = "us-east-1") -> None:
        self.out, self.region = out, region
        self.calls: list[Call] = []
        self.world = World()
        self._sessions: dict[str, boto3.Session] = {}
        self._saved_default = None

    def session(self, region: str) -> boto3.Session:
        """A boto3 Session whose clients print and answer their calls instead of sending them."""
        if region not in self._sessions:
            s = boto3.Session(
                aws_access_key_id="dry-run", aws_secret_access_key="dry-run", region_name=region
            )
            s.events.register("before-parameter-build.*.*", self._keep_params)
            s.events.register("before-call.*.*", self._answer)
            s.events.register("before-send", self._refuse_to_send)
            self._sessions[region] = s
        return self._sessions[region]

    def __enter__(self) -> DryRun:
        session_module.set_dry_run(self)
        self._saved_default = boto3.DEFAULT_SESSION
        boto3.DEFAULT_SESSION = self.session(self.region)
        return self

    def __exit__(self, *exc_info) -> None:
        session_module.set_dry_run(None)
        boto3.DEFAULT_SESSION = self._saved_default

    def summary(self) -> str:
        """One line: how many calls per service, and that none was sent."""
        by_service = Counter(c.service for c in self.calls)
        counts = ", ".join(f"{n} {s}" for s, n in sorted(by_service.items()))
        return (
            f"[dry-run] {len(self.calls)} AWS calls ({counts or 'none'}); nothing was sent to AWS"
        )

    # botocore event handlers ----------------------------------------------------------------
    @staticmethod
    def _keep_params(params, context, **kwargs) -> None:
        # before-call sees the serialized request; keep the caller's parameters for it.
        context["dry_run_params"] = dict(params)

    def _answer(self, model, context, **kwargs):
        service = model.service_model.service_name
        params = context.pop("dry_run_params", {})
        call = Call(service, xform_name(model.name), params)
        self.calls.append(call)
        self.out(call.describe(len(self.calls)))
        handler = HANDLERS.get((service, model.name))
        try:
            body = handler(self.world, params) if handler else _skeleton(model.output_shape)
        except _Error as err:
            meta = {"HTTPStatusCode": err.status, "RequestId": "dry-run"}
            error = {"Error": {"Code": err.code, "Message": "(dry run)"}, "ResponseMetadata": meta}
            return AWSResponse("https://dry-run.invalid", err.status, {}, None), error
        body = {**(body or {}), "ResponseMetadata": {"HTTPStatusCode": 200, "RequestId": "dry-run"}}
        return AWSResponse("https://dry-run.invalid", 200, {}, None), body

    @staticmethod
    def _refuse_to_send(**kwargs):
        raise RuntimeError("dry run: a request was about to be sent to AWS")
