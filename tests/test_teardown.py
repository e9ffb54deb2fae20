"""Teardown: list exactly what the project made, delete it, leave everything else alone."""

from __future__ import annotations

import json
import time

import boto3
import pytest

from movie_pipeline import cli
from movie_pipeline.aws import iam, teardown
from movie_pipeline.config import Settings
from movie_pipeline.errors import LakeLockedError
from movie_pipeline.etl.reconcile import REPORT_NAME, REPORTS_PREFIX
from movie_pipeline.glue import deploy
from movie_pipeline.lake.lock import S3_LOCK_KEY, LockOwner, S3LockStore

LAKE = "movie-analytics-lake"
ROLE = "arn:aws:iam::123456789012:role/movie-pipeline-glue"
ANALYST = "arn:aws:iam::123456789012:policy/movie-pipeline-analyst"


def protect(settings: Settings) -> None:
    """Put our TLS-only bucket statements (back) in place.

    moto applies a bucket policy's Deny statements without evaluating their conditions, so
    with them in place its plain-HTTP endpoint refuses every object request. The fixture
    lifts them while it writes objects; tests call this once their own objects are written.
    """
    iam.put_bucket_statements(boto3.client("s3"), settings, iam.bucket_policy_statements(settings))


@pytest.fixture
def project(aws_session, tmp_path):
    """What a run leaves behind, next to things of other people that must survive."""
    settings = Settings(backend="aws")
    iam.setup_aws(settings, session=aws_session)
    boto3.client("s3").delete_bucket_policy(Bucket=LAKE)  # see protect()
    script = tmp_path / "job.py"
    script.write_text("pass\n")
    deploy.deploy(settings, role=ROLE, script=script, session=aws_session, out=lambda line: None)
    glue, s3, iam_client = (boto3.client(n) for n in ("glue", "s3", "iam"))
    for sid in ("movie-pipeline-1", "someone-else-1"):
        glue.create_session(Id=sid, Role=ROLE, Command={"Name": "glueetl"})
    glue.create_job(Name="other-job", Role=ROLE, Command={"Name": "glueetl"})
    glue.create_database(DatabaseInput={"Name": "movies_db"})
    for table in ("cast_data", "movies"):
        glue.create_table(DatabaseName="movies_db", TableInput={"Name": table})
    for key in ("raw/credits/credits.csv", "cleaned/movies/part-0.parquet", "results/q.csv"):
        s3.put_object(Bucket=LAKE, Key=key, Body=b"x")
    iam_client.create_user(UserName="alice")
    iam_client.attach_user_policy(UserName="alice", PolicyArn=ANALYST)
    iam_client.create_role(RoleName="other-role", AssumeRolePolicyDocument="{}")
    return settings


def test_inventory_lists_ours_only(project, aws_session):
    protect(project)
    found = teardown.inventory(project, aws_session)
    assert found.sessions == {"movie-pipeline-1": "READY"}
    assert found.jobs == ["movie-pipeline-etl"]
    assert (found.database, sorted(found.tables)) == ("movies_db", ["cast_data", "movies"])
    assert found.workgroup == "movie_pipeline"
    assert (found.role, found.role_policies) == (
        "movie-pipeline-glue",
        ["movie-pipeline-glue-access"],
    )
    assert found.analyst_policy == ANALYST
    assert found.analyst_policy_users == {"users": ["alice"]}
    assert sorted(found.bucket_statements) == [
        "MoviePipelineDenyInsecureTransport", "MoviePipelineDenyOtherEncryption"]  # fmt: skip
    assert found.objects["raw"] == ["raw/credits/credits.csv"]
    assert found.objects["artifacts"] == [
        "artifacts/lib/movie_pipeline.zip", "artifacts/scripts/job.py"]  # fmt: skip
    assert found.bucket_is_ours  # setup-aws created and tagged it
    assert "Glue job movie-pipeline-etl" in found.lines()


def test_teardown_deletes_ours_and_keeps_everything_else(project, aws_session):
    s3, glue, iam_client = (boto3.client(n) for n in ("s3", "glue", "iam"))
    s3.put_object(Bucket=LAKE, Key="notes/keep-me.txt", Body=b"mine")
    protect(project)
    policy = json.loads(s3.get_bucket_policy(Bucket=LAKE)["Policy"])
    theirs = {"Sid": "Audit", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
              "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{LAKE}/notes/*"}  # fmt: skip
    s3.put_bucket_policy(
        Bucket=LAKE, Policy=json.dumps({**policy, "Statement": [*policy["Statement"], theirs]})
    )
    teardown.teardown(
        project,
        teardown.inventory(project, aws_session),
        session=aws_session,
        out=lambda line: None,
    )

    assert [s["Id"] for s in glue.list_sessions()["Sessions"]] == ["someone-else-1"]
    assert [j["Name"] for j in glue.get_jobs()["Jobs"]] == ["other-job"]
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_database(Name="movies_db")
    assert (
        boto3.client("athena").get_work_group(WorkGroup="movie_pipeline").get("WorkGroup") is None
    )
    assert [r["RoleName"] for r in iam_client.list_roles()["Roles"]] == ["other-role"]
    with pytest.raises(iam_client.exceptions.NoSuchEntityException):
        iam_client.get_policy(PolicyArn=ANALYST)
    assert iam_client.list_attached_user_policies(UserName="alice")["AttachedPolicies"] == []
    # The bucket stays (it holds an object outside our prefixes), with only their statement.
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=LAKE)["Contents"]] == ["notes/keep-me.txt"]
    statements = json.loads(s3.get_bucket_policy(Bucket=LAKE)["Policy"])["Statement"]
    assert statements == [theirs]
    assert teardown.inventory(project, aws_session).lines() == [
        "the bucket itself (created by setup-aws), if nothing else is left in it"
    ]


def test_own_bucket_goes_when_nothing_else_is_in_it(project, aws_session):
    protect(project)
    teardown.teardown(
        project,
        teardown.inventory(project, aws_session),
        session=aws_session,
        out=lambda line: None,
    )
    assert LAKE not in [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]]


def test_teardown_leaves_nothing_under_any_prefix_the_project_writes(project, aws_session):
    s3 = boto3.client("s3")
    # One object under every prefix of the list the policies and teardown share, and what runs
    # really leave: the ETL's report, a Glue run's staging, the lock of a run that was killed.
    keys = [f"{prefix}/left-by-a-run" for prefix in iam.project_prefixes(project)]
    keys += [f"{REPORTS_PREFIX}/{REPORT_NAME}",
             "tmp/publish/20250101T000000Z-1-abcdef/cleaned/movies/part-0.parquet"]  # fmt: skip
    for key in keys:
        s3.put_object(Bucket=LAKE, Key=key, Body=b"x")
    killed = LockOwner(4242, "a-host-gone", time.time() - 7 * 3600, "transform", "t")  # TTL 6 h
    assert S3LockStore(s3, LAKE).create(killed.to_bytes())
    # (No protect(): moto would refuse reading the lock under the TLS-only statements.)
    found = teardown.inventory(project, aws_session)
    assert found.objects["reports"] == ["reports/left-by-a-run", "reports/reconciliation.json"]
    assert found.objects["_locks"] == ["_locks/left-by-a-run", S3_LOCK_KEY]
    assert found.lock_holder is None  # its holder is gone: the lock is stale
    teardown.teardown(project, found, session=aws_session, out=lambda line: None)
    assert LAKE not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_teardown_refuses_while_a_run_holds_the_lake(project, aws_session):
    s3 = boto3.client("s3")
    assert S3LockStore(s3, LAKE).create(LockOwner.me("transform").to_bytes())  # alive: us
    found = teardown.inventory(project, aws_session)
    assert "holds its lock; teardown refuses until that run ends" in " ".join(found.lines())
    with pytest.raises(LakeLockedError, match="Nothing was deleted"):
        teardown.teardown(project, found, session=aws_session, out=lambda line: None)
    assert boto3.client("glue").get_job(JobName="movie-pipeline-etl")
    assert s3.get_object(Bucket=LAKE, Key=S3_LOCK_KEY)["Body"].read()


def test_bucket_not_created_by_setup_is_never_deleted(aws_session):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=LAKE)  # the user's own bucket: no project tag
    s3.put_object(Bucket=LAKE, Key="raw/links/links.csv", Body=b"x")
    settings = Settings(backend="aws")
    found = teardown.inventory(settings, aws_session)
    assert found.lines() == ["1 objects under raw/"]
    teardown.teardown(settings, found, session=aws_session, out=lambda line: None)
    assert s3.list_objects_v2(Bucket=LAKE)["KeyCount"] == 0
    assert s3.head_bucket(Bucket=LAKE)


def test_cli_asks_and_refuses_without_a_terminal(project, aws_session, monkeypatch, capsys):
    protect(project)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert cli.main(["teardown"]) == 2
    assert "pass --yes" in capsys.readouterr().err
    assert boto3.client("glue").get_job(JobName="movie-pipeline-etl")  # nothing deleted
    assert cli.main(["teardown", "--yes"]) == 0
    assert "IAM role movie-pipeline-glue" in capsys.readouterr().out
    assert teardown.inventory(project, aws_session).empty
