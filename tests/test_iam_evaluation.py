"""The generated policies against what each principal really does, under AWS's evaluation rules.

moto evaluates no IAM policy: a policy that forgets a prefix passes every moto test and fails on
AWS. Here the evaluator of ``iam_policy`` (AWS's documented semantics, checked first on AWS's own
examples) decides every request: (a) every key the ETL writes and every raw key it reads, run
locally on the shipped sample data exactly as the Glue job runs it, against the Glue role's
policy; (b) what Athena does for an analyst; (c) every AWS call the dry runs of the operator's
commands record, against the operator's policy.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import boto3
import pytest

from iam_policy import (
    ALLOW,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Account,
    Request,
    arn_match,
    denied,
    evaluate,
    requests_for_call,
    wildcard_match,
)
from movie_pipeline.aws import iam
from movie_pipeline.config import Settings
from movie_pipeline.etl import driver as etl
from movie_pipeline.etl.reconcile import REPORT_NAME, REPORTS_PREFIX
from movie_pipeline.glue import publish
from movie_pipeline.ingest.upload import upload_raw_local
from movie_pipeline.specs.datasets import find_raw_files

REPO = Path(__file__).resolve().parents[1]
ACCOUNT = "123456789012"
TLS = {"aws:SecureTransport": "true"}  # boto3 and Spark on AWS always use HTTPS


def _doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


# The evaluator on AWS's own examples ----------------------------------------------------------
# The IAM User Guide, "Conditions with multiple context keys or values": operators and keys
# AND'd, the values of one key OR'd.
MULTI = _doc({
    "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*",
    "Condition": {
        "StringEquals": {"aws:PrincipalTag/department": ["finance", "hr", "legal"],
                         "aws:PrincipalTag/role": ["audit", "security"]},
        "ArnLike": {"aws:PrincipalArn": [f"arn:aws:iam::{ACCOUNT}:user/Ana",
                                         f"arn:aws:iam::{ACCOUNT}:user/Mary"]},
    },
})  # fmt: skip


@pytest.mark.parametrize(
    ("context", "decision"),
    [
        ({"aws:PrincipalTag/department": "hr", "aws:PrincipalTag/role": "audit",
          "aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:user/Mary"}, ALLOW),
        ({"aws:PrincipalTag/department": "legal", "aws:PrincipalTag/role": "security",
          "aws:principalarn": f"arn:aws:iam::{ACCOUNT}:user/Ana"}, ALLOW),  # key names: any case
        ({"aws:PrincipalTag/department": "hr", "aws:PrincipalTag/role": "audit",
          "aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:user/Bob"}, IMPLICIT_DENY),
        ({"aws:PrincipalTag/department": "HR", "aws:PrincipalTag/role": "audit",
          "aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:user/Mary"}, IMPLICIT_DENY),  # values: case
        ({"aws:PrincipalTag/department": "hr",
          "aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:user/Mary"}, IMPLICIT_DENY),  # role absent
    ],
)  # fmt: skip
def test_multiple_keys_are_anded_and_multiple_values_ored(context, decision):
    request = Request("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/report.csv", context,
                      principal=f"arn:aws:iam::{ACCOUNT}:user/Mary")  # fmt: skip
    assert evaluate([MULTI], request)[0] == decision


def test_a_negated_operator_nors_its_values_and_holds_when_the_key_is_absent():
    # The guide's negated example: deny unless the department is finance or hr (NOR).
    policy = _doc(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:PrincipalTag/department": ["finance", "hr"]}}},
    )  # fmt: skip

    def decide(context):
        return evaluate([policy], Request("s3:GetObject", "arn:aws:s3:::b/k", context))[0]

    assert decide({"aws:PrincipalTag/department": "hr"}) == ALLOW
    assert decide({"aws:PrincipalTag/department": "sales"}) == EXPLICIT_DENY
    assert decide({}) == EXPLICIT_DENY  # absent key: a negated operator is true


def test_explicit_deny_wins_and_ifexists_holds_without_the_key():
    # The guide's "deny everything but MFA set-up without MFA" example, with an Allow of S3.
    policy = _doc(
        {"Sid": "AllowS3Reads", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"},
        {"Sid": "BlockMostAccessUnlessSignedInWithMFA", "Effect": "Deny",
         "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices",
                       "iam:ResyncMFADevice", "sts:GetSessionToken"],
         "Resource": "*",
         "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
    )  # fmt: skip
    get = Request("s3:GetObject", "arn:aws:s3:::b/k", {"aws:MultiFactorAuthPresent": True})
    assert evaluate([policy], get) == (ALLOW, ["AllowS3Reads"])
    without = Request("s3:GetObject", "arn:aws:s3:::b/k", {"aws:MultiFactorAuthPresent": "false"})
    assert evaluate([policy], without) == (EXPLICIT_DENY, ["BlockMostAccessUnlessSignedInWithMFA"])
    long_term_keys = Request("s3:GetObject", "arn:aws:s3:::b/k")  # no MFA key at all
    assert evaluate([policy], long_term_keys)[0] == EXPLICIT_DENY
    # NotAction: the listed actions escape the Deny, but nothing allows them either.
    assert evaluate([policy], Request("iam:EnableMFADevice", "*"))[0] == IMPLICIT_DENY


def test_passrole_to_another_service_must_be_denied():
    # The guide's iam:PassedToService example: a role passed to EC2 only.
    policy = _doc({
        "Effect": "Allow", "Action": "iam:PassRole",
        "Resource": "arn:aws:iam::*:role/EC2-roles-for-XYZ-*",
        "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
    })  # fmt: skip
    role = f"arn:aws:iam::{ACCOUNT}:role/EC2-roles-for-XYZ-web"
    assert evaluate([policy], Request("iam:PassRole", role,
                                      {"iam:PassedToService": "ec2.amazonaws.com"}))[0] == ALLOW  # fmt: skip
    assert evaluate([policy], Request("iam:PassRole", role,
                                      {"iam:PassedToService": "glue.amazonaws.com"}))[0] == IMPLICIT_DENY  # fmt: skip
    assert evaluate([policy], Request("iam:PassRole", role))[0] == IMPLICIT_DENY
    other = f"arn:aws:iam::{ACCOUNT}:role/admin"
    assert evaluate([policy], Request("iam:PassRole", other,
                                      {"iam:PassedToService": "ec2.amazonaws.com"}))[0] == IMPLICIT_DENY  # fmt: skip


def test_list_bucket_is_scoped_by_s3_prefix():
    # The S3 User Guide's home-folder example: list the root and home/, and only David's folder.
    policy = _doc(
        {"Sid": "RootAndHome", "Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": "arn:aws:s3:::amzn-s3-demo-bucket",
         "Condition": {"StringEquals": {"s3:prefix": ["", "home/", "home/David"]}}},
        {"Sid": "DavidsFolder", "Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": "arn:aws:s3:::amzn-s3-demo-bucket",
         "Condition": {"StringLike": {"s3:prefix": "home/David/*"}}},
    )  # fmt: skip
    bucket = "arn:aws:s3:::amzn-s3-demo-bucket"

    def decide(context):
        return evaluate([policy], Request("s3:ListBucket", bucket, context))[0]

    assert decide({"s3:prefix": "home/David/photos/"}) == ALLOW
    assert decide({"s3:prefix": "home/"}) == ALLOW
    assert decide({"s3:prefix": "home/Bob/"}) == IMPLICIT_DENY
    assert decide({}) == IMPLICIT_DENY  # a listing without a prefix matches no value
    assert evaluate([policy], Request("s3:ListBucket", bucket + "-2", {"s3:prefix": ""}))[0] == (
        IMPLICIT_DENY
    )


def test_actions_ignore_case_and_resources_do_not():
    policy = _doc(
        {"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::bucket/file?.txt"}
    )
    assert evaluate([policy], Request("S3:GETOBJECT", "arn:aws:s3:::bucket/file1.txt"))[0] == ALLOW
    assert evaluate([policy], Request("s3:GetObject", "arn:aws:s3:::bucket/file10.txt"))[0] == (
        IMPLICIT_DENY
    )
    assert evaluate([policy], Request("s3:GetObject", "arn:aws:s3:::Bucket/file1.txt"))[0] == (
        IMPLICIT_DENY
    )
    assert wildcard_match("arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b/c")  # * crosses slashes
    assert not wildcard_match("arn:aws:s3:::b/raw/*", "arn:aws:s3:::b/raw")


def test_not_resource_applies_everywhere_but_the_listed_resources():
    # The guide's NotResource example: deny S3 outside one folder of one bucket.
    payroll = ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"]
    policy = _doc(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:*", "NotResource": payroll},
    )
    assert (
        evaluate([policy], Request("s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/a"))[0] == ALLOW
    )
    assert evaluate([policy], Request("s3:GetObject", "arn:aws:s3:::HRBucket/Other/a"))[0] == (
        EXPLICIT_DENY
    )


def test_arn_like_matches_part_by_part():
    assert arn_match("arn:aws:iam::*:role/glue-*", f"arn:aws:iam::{ACCOUNT}:role/glue-etl")
    # A wildcard does not reach across the colons that separate an ARN's parts.
    assert not arn_match("arn:aws:iam::*", f"arn:aws:iam::{ACCOUNT}:role/x")
    assert not arn_match("arn:aws:s3:::*", "not-an-arn")


def test_bucket_policy_denies_plain_http_and_other_encryption_only():
    settings = Settings(backend="aws")
    bucket_policy = _doc(*iam.bucket_policy_statements(settings))
    allow_all = _doc({"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"})
    key = "arn:aws:s3:::movie-analytics-lake/raw/x.csv"

    def decide(context):
        return evaluate([allow_all, bucket_policy], Request("s3:PutObject", key, context))[0]

    assert decide(TLS) == ALLOW  # no header: the bucket's default encryption applies
    assert decide({**TLS, "s3:x-amz-server-side-encryption": "AES256"}) == ALLOW
    assert decide({**TLS, "s3:x-amz-server-side-encryption": "none"}) == EXPLICIT_DENY
    assert decide({"aws:SecureTransport": "false"}) == EXPLICIT_DENY


def test_what_it_cannot_evaluate_it_refuses():
    with pytest.raises(NotImplementedError, match="policy variables"):
        evaluate([_doc({"Effect": "Allow", "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::b/${aws:username}/*"})],
                 Request("s3:GetObject", "arn:aws:s3:::b/x"))  # fmt: skip
    with pytest.raises(NotImplementedError, match="DateLessThan"):
        evaluate([_doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                        "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01"}}})],
                 Request("s3:GetObject", "arn:aws:s3:::b/x", {"aws:CurrentTime": "2025"}))  # fmt: skip
    with pytest.raises(ValueError, match="exactly one of Action"):
        evaluate([_doc({"Effect": "Allow", "Resource": "*"})], Request("s3:GetObject", "*"))


def test_api_calls_map_to_the_actions_aws_checks():
    where = Account(ACCOUNT)
    assert requests_for_call("s3", "head_object", {"Bucket": "b", "Key": "k"}, where) == [
        Request("s3:GetObject", "arn:aws:s3:::b/k")
    ]
    assert requests_for_call("s3", "list_objects_v2", {"Bucket": "b", "Prefix": "raw/"}, where) == [
        Request("s3:ListBucket", "arn:aws:s3:::b", {"s3:prefix": "raw/"})
    ]
    job = requests_for_call("glue", "create_job", {"Name": "j", "Role": "arn:aws:iam::1:role/r",
                                                   "Tags": {"a": "b"}}, where)  # fmt: skip
    assert [(r.action, r.resource) for r in job] == [
        ("glue:CreateJob", f"arn:aws:glue:us-east-1:{ACCOUNT}:job/j"),
        ("iam:PassRole", "arn:aws:iam::1:role/r"),
        ("glue:TagResource", f"arn:aws:glue:us-east-1:{ACCOUNT}:job/j"),
    ]
    assert requests_for_call("sts", "get_caller_identity", {}, where) == []
    with pytest.raises(KeyError, match="no operation"):
        requests_for_call("s3", "fly_to_the_moon", {}, where)


# (a) The Glue role against the ETL, run locally as the Glue job runs it --------------------------
class _Recorder:
    """What the ETL touches in the lake, as keys of the bucket: reads, writes, deletions."""

    def __init__(self, root: Path):
        self.root = root
        self.read: set[str] = set()
        self.probed: set[str] = set()  # exists / size: a HEAD or a listing
        self.written_then_deleted: set[str] = set()
        self.written: set[str] = set()  # everything the run put, kept or not

    def key(self, uri: str) -> str | None:
        path = Path(uri)
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else None

    def files(self, uri: str) -> list[str]:
        path = Path(uri)
        found = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        return self.objects(p.relative_to(self.root).as_posix() for p in found)

    @staticmethod
    def objects(keys) -> list[str]:
        # Local Hadoop's checksum files (.name.crc) have no S3 counterpart.
        return [
            k for k in keys if not (k.rsplit("/", 1)[-1].startswith(".") and k.endswith(".crc"))
        ]

    def listing(self) -> set[str]:
        return set(self.objects(p.relative_to(self.root).as_posix()
                                for p in self.root.rglob("*") if p.is_file()))  # fmt: skip


@pytest.fixture(scope="module")
def etl_run(spark, tmp_path_factory):
    """The ETL on data_samples/ in a local lake, run as the Glue job runs it (tables staged, then
    published) and recorded: ``(settings, recorder, the ETL's result)``."""
    settings = Settings(lake_dir=tmp_path_factory.mktemp("iam_lake"))
    upload_raw_local(settings, find_raw_files(REPO / "data_samples"))  # the operator's upload
    rec = _Recorder(Path(settings.bucket_root))
    before = rec.listing()

    class RecordingFS(etl.LakeFS):
        def exists(self, uri):
            rec.probed.add(rec.key(uri))
            return super().exists(uri)

        def size(self, uri):
            rec.probed.add(rec.key(uri))
            return super().size(uri)

        def parquet_rows(self, uri):  # a listing of the folder, then each footer (written keys)
            rec.probed.add(rec.key(uri))
            return super().parquet_rows(uri)

        def delete(self, uri):  # what is deleted was written earlier in the run (or a past one)
            rec.written_then_deleted.update(rec.files(uri))
            super().delete(uri)

    class RecordingIO(etl.SparkIO):
        def read_csv(self, raw, path):
            rec.read.add(rec.key(path))
            return super().read_csv(raw, path)

    class RecordingStore(publish.FolderStore):
        def delete(self, keys):  # the staged copies, once published
            rec.written_then_deleted.update(rec.objects(keys))
            super().delete(keys)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(etl, "LakeFS", RecordingFS)
        result = publish.run_published(
            settings,
            lambda table_uri: etl.run_etl(
                spark, settings, io=RecordingIO(spark), table_uri=table_uri
            ),
            store=RecordingStore(settings.bucket_root),
        )  # the Glue job's sequence (publish.run_published around run_etl), Spark's edges
    rec.written = (rec.listing() - before) | rec.written_then_deleted
    return settings, rec, result


def _s3_arn(settings: Settings, key: str = "") -> str:
    return f"arn:aws:s3:::{settings.bucket}" + (f"/{key}" if key else "")


def _folder(key: str) -> str:
    return key.rsplit("/", 1)[0] + "/"


def _glue_role_requests(settings: Settings, rec: _Recorder) -> list[Request]:
    """The S3 requests behind what the ETL did: a written key is put, read back (footers,
    staging) and deleted (a later run replaces it); a read key is read; each folder listed."""
    requests = []
    for key in sorted(rec.written):
        for action in ("s3:PutObject", "s3:GetObject", "s3:DeleteObject"):
            requests.append(Request(action, _s3_arn(settings, key), TLS))
        requests.append(
            Request("s3:ListBucket", _s3_arn(settings), {"s3:prefix": _folder(key), **TLS})
        )
    for key in sorted(rec.read | rec.probed):
        requests.append(Request("s3:GetObject", _s3_arn(settings, key), TLS))
        requests.append(
            Request("s3:ListBucket", _s3_arn(settings), {"s3:prefix": key + "/", **TLS})
        )
    return requests


def _policies(settings: Settings, identity: dict) -> list[dict]:
    return [identity, _doc(*iam.bucket_policy_statements(settings))]


@pytest.mark.slow
def test_the_etl_writes_only_these_prefixes_and_reads_raw(etl_run):
    settings, rec, result = etl_run
    assert result["reconciliation"]["ok"]
    written = {k.split("/")[0] for k in rec.written}
    assert written == {"cleaned", "quarantine", "reports", "tmp"}
    assert written <= set(iam.project_prefixes(settings))  # teardown's list holds them all
    assert result["report_path"] == settings.uri(REPORTS_PREFIX, REPORT_NAME)
    assert f"{REPORTS_PREFIX}/{REPORT_NAME}" in rec.written
    assert any(k.startswith("tmp/etl_staging/") for k in rec.written)  # staged, then deleted
    assert any(k.startswith("tmp/publish/") for k in rec.written)  # the tables, before publishing
    assert not [k for k in rec.listing() if k.startswith("tmp/")]  # none of it left
    # Each table's rows are counted from its footers where it was staged (a listing, then GETs).
    counted = {k.rsplit("/", 1)[-1] for k in rec.probed if k.startswith("tmp/publish/")}
    assert {"cast_data", "movies", "ratings"} <= counted
    assert {k.split("/")[0] for k in rec.read} == {"raw"} and len(rec.read) == 5


@pytest.mark.slow
def test_the_glue_role_allows_every_key_the_etl_touches(etl_run):
    settings, rec, _ = etl_run
    policy = iam.glue_role_policy(settings.replace(backend="aws"), ACCOUNT)
    requests = _glue_role_requests(settings, rec)
    assert len(requests) > 100
    assert denied(_policies(settings, policy), requests) == []


@pytest.mark.slow
def test_the_glue_role_writes_exactly_the_prefixes_the_etl_writes(etl_run):
    settings, rec, _ = etl_run
    policy = iam.glue_role_policy(settings.replace(backend="aws"), ACCOUNT)
    base = _s3_arn(settings) + "/"
    writable = {r.removeprefix(base).removesuffix("/*")
                for st in policy["Statement"] if "s3:PutObject" in st["Action"]
                for r in st["Resource"]}  # fmt: skip
    assert writable == {k.split("/")[0] for k in rec.written}


@pytest.mark.parametrize(
    "request_",
    [
        Request("s3:PutObject", "arn:aws:s3:::movie-analytics-lake/raw/credits/credits.csv", TLS),
        Request("s3:DeleteObject", "arn:aws:s3:::movie-analytics-lake/raw/links/links.csv", TLS),
        Request("s3:PutObject", "arn:aws:s3:::movie-analytics-lake/artifacts/scripts/job.py", TLS),
        Request("s3:GetObject", "arn:aws:s3:::movie-analytics-lake/results/q.csv", TLS),
        Request("s3:ListBucket", "arn:aws:s3:::movie-analytics-lake", {"s3:prefix": "results/", **TLS}),
        Request("s3:ListBucket", "arn:aws:s3:::movie-analytics-lake", TLS),  # the whole bucket
        Request("s3:PutObject", "arn:aws:s3:::movie-analytics-lake/cleaned/x.parquet",
                {"aws:SecureTransport": "false"}),
        Request("glue:CreateTable", f"arn:aws:glue:us-east-1:{ACCOUNT}:table/movies_db/movies"),
        Request("glue:UpdateTable", f"arn:aws:glue:us-east-1:{ACCOUNT}:table/movies_db/movies"),
        Request("glue:BatchCreatePartition", f"arn:aws:glue:us-east-1:{ACCOUNT}:table/movies_db/movies"),
        Request("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/movie-pipeline-glue"),
    ],
    ids=lambda r: f"{r.action} {r.resource.rsplit(':', 1)[-1]}",
)  # fmt: skip
def test_the_glue_role_is_denied_what_the_job_never_does(request_):
    settings = Settings(backend="aws")
    decision, _ = evaluate(_policies(settings, iam.glue_role_policy(settings, ACCOUNT)), request_)
    assert decision != ALLOW


# (b) The analyst: what Athena does with the caller's permissions for the shipped queries ---------
def _athena_requests(settings: Settings, cleaned_keys: set[str]) -> list[Request]:
    """Every query's catalog look-ups and query calls, its reads of cleaned/ (every key the ETL
    wrote there) and its result files; Athena makes them all with the caller's credentials."""
    from movie_pipeline.analysis import query
    from movie_pipeline.specs.tables import CLEANED_TABLES

    where = Account(ACCOUNT, workgroup=settings.workgroup)
    calls = [("athena", "get_work_group", {"WorkGroup": settings.workgroup})]
    for i, name in enumerate(query.list_queries()):
        qid = f"{i:08d}-query"
        calls += [("athena", op, {"WorkGroup": settings.workgroup} if op == "start_query_execution"
                   else {"QueryExecutionId": qid})
                  for op in ("start_query_execution", "get_query_execution", "get_query_results",
                             "stop_query_execution")]  # fmt: skip
        for table in query.referenced_tables(query.load_sql(name)):
            calls.append(("glue", "get_database", {"Name": settings.database}))
            calls.append(("glue", "get_table", {"DatabaseName": settings.database, "Name": table}))
            if CLEANED_TABLES[table].partition_keys:
                calls.append(("glue", "get_partitions", {"DatabaseName": settings.database,
                                                         "TableName": table}))  # fmt: skip
        for key in (
            f"{settings.results_prefix}/{qid}.csv",
            f"{settings.results_prefix}/{qid}.csv.metadata",
        ):
            calls += [("s3", op, {"Bucket": settings.bucket, "Key": key}) for op in
                      ("put_object", "get_object", "abort_multipart_upload", "list_parts")]  # fmt: skip
    calls += [("s3", "get_bucket_location", {"Bucket": settings.bucket}),
              ("s3", "list_multipart_uploads", {"Bucket": settings.bucket}),
              ("s3", "list_objects_v2", {"Bucket": settings.bucket,
                                         "Prefix": f"{settings.results_prefix}/"})]  # fmt: skip
    for key in sorted(k for k in cleaned_keys if k.startswith(f"{settings.cleaned_prefix}/")):
        table_folder = "/".join(key.split("/")[:2]) + "/"
        calls += [("s3", "get_object", {"Bucket": settings.bucket, "Key": key}),
                  ("s3", "list_objects_v2", {"Bucket": settings.bucket, "Prefix": _folder(key)}),
                  ("s3", "list_objects_v2", {"Bucket": settings.bucket, "Prefix": table_folder})]  # fmt: skip
    requests = [
        r for service, op, params in calls for r in requests_for_call(service, op, params, where)
    ]
    return [Request(r.action, r.resource, {**r.context, **TLS}) if r.action.startswith("s3:") else r
            for r in requests]  # fmt: skip


@pytest.mark.slow
def test_the_analyst_can_run_every_shipped_query(etl_run):
    settings, rec, _ = etl_run
    aws = settings.replace(backend="aws")
    requests = _athena_requests(aws, rec.written)
    assert len({r.resource for r in requests if "cleaned/" in r.resource}) > 20
    assert denied(_policies(aws, iam.analyst_policy(aws, ACCOUNT)), requests) == []


@pytest.mark.parametrize(
    "request_",
    [
        Request("s3:GetObject", "arn:aws:s3:::movie-analytics-lake/raw/credits/credits.csv", TLS),
        Request("s3:GetObject", "arn:aws:s3:::movie-analytics-lake/quarantine/credits/a.parquet", TLS),
        Request("s3:PutObject", "arn:aws:s3:::movie-analytics-lake/cleaned/movies/x.parquet", TLS),
        Request("glue:CreateTable", f"arn:aws:glue:us-east-1:{ACCOUNT}:table/movies_db/movies"),
        Request("athena:StartQueryExecution", f"arn:aws:athena:us-east-1:{ACCOUNT}:workgroup/primary"),
    ],
    ids=lambda r: f"{r.action} {r.resource.rsplit(':', 1)[-1]}",
)  # fmt: skip
def test_the_analyst_is_denied_the_rest(request_):
    settings = Settings(backend="aws")
    assert (
        evaluate(_policies(settings, iam.analyst_policy(settings, ACCOUNT)), request_)[0] != ALLOW
    )


# (c) The operator: every call of the dry runs of setup-aws, run, deploy, glue-job, glue-session
# and teardown, and of a real teardown of a populated project on moto ---------------------------
def _dry_run_calls(monkeypatch, *commands: list[str]) -> list:
    """The calls each command's ``--dry-run`` records (nothing is sent)."""
    from movie_pipeline import cli
    from movie_pipeline.aws import dryrun

    calls = []
    leave = dryrun.DryRun.__exit__

    def keep(self, *exc_info):
        calls.extend(self.calls)
        return leave(self, *exc_info)

    monkeypatch.setattr(dryrun.DryRun, "__exit__", keep)
    for argv in commands:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            assert cli.main([*argv, "--dry-run"]) == 0, argv
    return calls


def _with_tls(requests: list[Request]) -> list[Request]:
    return [Request(r.action, r.resource, {**r.context, **TLS}) if r.action.startswith("s3:")
            else r for r in requests]  # fmt: skip


def test_the_operator_policy_allows_every_call_of_the_dry_runs(no_credentials, monkeypatch):
    from movie_pipeline.aws.dryrun import DRY_RUN_ACCOUNT

    calls = _dry_run_calls(
        monkeypatch, ["setup-aws"], ["run", "--backend", "aws", "--source", str(REPO / "data_samples")],
        ["deploy"], ["glue-job"], ["glue-session", "--code", "1"], ["teardown"],
    )  # fmt: skip
    settings = Settings(backend="aws")
    where = Account(DRY_RUN_ACCOUNT, workgroup=settings.workgroup)
    requests = _with_tls(
        [r for c in calls for r in requests_for_call(c.service, c.operation, c.params, where)]
    )
    actions = {r.action for r in requests}
    assert {"iam:PassRole", "iam:CreateRole", "glue:CreateJob", "glue:StartJobRun",
            "glue:CreateSession", "glue:CreateTable", "glue:BatchCreatePartition",
            "athena:StartQueryExecution", "s3:PutObject", "s3:CreateBucket"} <= actions  # fmt: skip
    assert any("_locks/" in r.resource for r in requests)  # the lake lock of `run`
    policy = iam.operator_policy(settings, DRY_RUN_ACCOUNT)
    assert denied(_policies(settings, policy), requests) == []


@pytest.mark.aws
def test_the_operator_policy_allows_a_real_teardown(aws, tmp_path):
    from movie_pipeline.aws import teardown
    from movie_pipeline.glue import deploy

    session = boto3.Session(region_name="us-east-1")
    settings = Settings(backend="aws")
    iam.setup_aws(settings, session=session)
    s3, glue, iam_client = (session.client(n) for n in ("s3", "glue", "iam"))
    s3.delete_bucket_policy(Bucket=settings.bucket)  # moto ignores its conditions (test_teardown)
    script = tmp_path / "job.py"
    script.write_text("pass\n")
    role = iam.role_arn(settings, ACCOUNT)
    deploy.deploy(settings, role=role, script=script, session=session, out=lambda line: None)
    glue.create_session(Id="movie-pipeline-1", Role=role, Command={"Name": "glueetl"})
    glue.create_database(DatabaseInput={"Name": settings.database})
    glue.create_table(DatabaseName=settings.database, TableInput={"Name": "movies"})
    for prefix in iam.project_prefixes(settings):
        s3.put_object(Bucket=settings.bucket, Key=f"{prefix}/x", Body=b"x")
    iam_client.create_user(UserName="alice")
    iam_client.attach_user_policy(
        UserName="alice", PolicyArn=iam.analyst_policy_arn(settings, ACCOUNT)
    )
    iam.put_bucket_statements(s3, settings, iam.bucket_policy_statements(settings))

    calls = []

    def record(params, model, **kwargs):
        calls.append((model.service_model.service_name, model.name, dict(params)))

    session.events.register("before-parameter-build.*.*", record)
    found = teardown.inventory(settings, session)
    teardown.teardown(settings, found, session=session, out=lambda line: None)
    where = Account(ACCOUNT, workgroup=settings.workgroup)
    requests = _with_tls([r for c in calls for r in requests_for_call(*c, where)])
    done = {r.action for r in requests}
    assert {"glue:DeleteSession", "glue:DeleteJob", "glue:DeleteDatabase", "athena:DeleteWorkGroup",
            "iam:DeleteRolePolicy", "iam:DeleteRole", "iam:DetachUserPolicy", "iam:DeletePolicy",
            "s3:DeleteObject", "s3:DeleteBucket"} <= done  # fmt: skip
    policy = iam.operator_policy(settings, ACCOUNT)
    assert denied(_policies(settings, policy), requests) == []


@pytest.mark.parametrize(
    "request_",
    [
        Request("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/movie-pipeline-glue",
                {"iam:PassedToService": "ec2.amazonaws.com"}),
        Request("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/admin",
                {"iam:PassedToService": "glue.amazonaws.com"}),
        Request("iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/admin"),
        Request("iam:PutRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/other-role"),
        Request("iam:AttachUserPolicy", f"arn:aws:iam::{ACCOUNT}:user/alice",
                {"iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"}),
        Request("iam:DetachUserPolicy", f"arn:aws:iam::{ACCOUNT}:user/alice",
                {"iam:PolicyARN": f"arn:aws:iam::{ACCOUNT}:policy/theirs"}),
        Request("glue:DeleteJob", f"arn:aws:glue:us-east-1:{ACCOUNT}:job/other-job"),
        Request("glue:DeleteDatabase", f"arn:aws:glue:us-east-1:{ACCOUNT}:database/default"),
        Request("athena:DeleteWorkGroup", f"arn:aws:athena:us-east-1:{ACCOUNT}:workgroup/primary"),
        Request("s3:PutObject", "arn:aws:s3:::someone-elses-bucket/x", TLS),
        Request("s3:DeleteObject", "arn:aws:s3:::movie-analytics-lake/notes/keep-me.txt", TLS),
    ],
    ids=lambda r: f"{r.action} {r.resource.rsplit(':', 1)[-1]}",
)  # fmt: skip
def test_the_operator_is_denied_what_is_not_the_projects(request_):
    settings = Settings(backend="aws")
    assert (
        evaluate(_policies(settings, iam.operator_policy(settings, ACCOUNT)), request_)[0] != ALLOW
    )
