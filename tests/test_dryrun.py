"""Dry run: every AWS call printed with its parameters, none sent, no credentials needed."""

from __future__ import annotations

import json
import re

import boto3
import pytest

from movie_pipeline import cli
from movie_pipeline.aws import session as aws_session_module
from movie_pipeline.aws.dryrun import Call, DryRun
from movie_pipeline.config import Settings
from movie_pipeline.glue import deploy

CALL = re.compile(r"^\[dry-run\] #\d+ (\S+) ", re.MULTILINE)


@pytest.fixture
def job_script(monkeypatch, tmp_path):
    """The Glue job script: glue/job.py, or a stand-in while it is being written."""
    if not deploy.JOB_SCRIPT.is_file():
        stand_in = tmp_path / "job.py"
        stand_in.write_text("print('flatten')\n")
        monkeypatch.setattr(deploy, "JOB_SCRIPT", stand_in)
    return deploy.JOB_SCRIPT


def _printed_blocks(out: str) -> dict[str, list[dict]]:
    """The printed calls' parameters, by ``service.operation``."""
    blocks: dict[str, list[dict]] = {}
    for match in re.finditer(
        r"^\[dry-run\] #\d+ (\S+) (\{\}|\{.*?^\})", out, re.MULTILINE | re.DOTALL
    ):
        blocks.setdefault(match.group(1), []).append(json.loads(match.group(2)))
    return blocks


def test_setup_aws_dry_run_prints_each_call_without_credentials(no_credentials, capsys):
    assert cli.main(["setup-aws", "--dry-run"]) == 0
    captured = capsys.readouterr()
    assert CALL.findall(captured.out) == [
        "sts.get_caller_identity",
        "s3.head_bucket", "s3.create_bucket", "s3.put_bucket_tagging",
        "s3.put_public_access_block", "s3.get_bucket_encryption", "s3.put_bucket_encryption",
        "s3.get_bucket_policy", "s3.put_bucket_policy",
        "iam.get_role", "iam.create_role", "iam.put_role_policy",
        "iam.get_policy", "iam.create_policy",
        "athena.get_work_group", "athena.create_work_group",
    ]  # fmt: skip
    blocks = _printed_blocks(captured.out)
    # Policy documents are shown decoded, so they can be read before anything is created.
    policy = blocks["iam.put_role_policy"][0]["PolicyDocument"]
    raw = next(st for st in policy["Statement"] if st["Sid"] == "ReadRawAndArtifacts")
    assert raw["Resource"][0] == "arn:aws:s3:::movie-analytics-lake/raw/*"
    assert blocks["athena.create_work_group"][0]["Configuration"]["BytesScannedCutoffPerQuery"] == (
        1_000_000_000
    )
    assert captured.out.rstrip().endswith(
        "[dry-run] 16 AWS calls (2 athena, 5 iam, 8 s3, 1 sts); nothing was sent to AWS"
    )
    assert "waiting" not in captured.err  # no IAM propagation wait in a dry run


def test_dry_run_sends_nothing_even_with_an_endpoint_and_credentials(aws, capsys):
    assert cli.main(["setup-aws", "--dry-run"]) == 0
    assert "iam.create_role" in capsys.readouterr().out
    # The moto server saw none of it.
    assert boto3.client("iam").list_roles()["Roles"] == []
    assert boto3.client("s3").list_buckets()["Buckets"] == []


def test_run_dry_run_walks_the_whole_aws_path(no_credentials, job_script, real_source, capsys):
    assert cli.main(["run", "--backend", "aws", "--dry-run", "--source", str(real_source)]) == 0
    out = capsys.readouterr().out
    calls = CALL.findall(out)
    order = ["iam.create_role", "s3.put_object", "glue.create_job", "glue.start_job_run",
             "glue.get_job_run", "glue.create_database", "glue.create_table",
             "athena.start_query_execution"]  # fmt: skip
    assert [calls.index(c) for c in order] == sorted(calls.index(c) for c in order)
    blocks = _printed_blocks(out)
    uploaded = {b["Key"] for b in blocks["s3.put_object"]}
    assert {"raw/credits/credits.csv", "artifacts/lib/movie_pipeline.zip"} <= uploaded
    job = blocks["glue.create_job"][0]
    assert job["DefaultArguments"]["--job-bookmark-option"] == "job-bookmark-enable"
    assert job["GlueVersion"] == "5.1"
    tables = {b["TableInput"]["Name"] for b in blocks["glue.create_table"]}
    assert {"cast_data", "movies"} <= tables
    assert "nothing was sent to AWS" in out


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["deploy"], ["sts.get_caller_identity", "s3.head_object", "s3.put_object",
                      "s3.head_object", "s3.put_object", "glue.get_job", "glue.create_job"]),
        (["glue-job"], ["iam.get_role", "glue.start_job_run", "glue.get_job_run"]),
        (["glue-session", "--code", "spark.range(3).count()"],
         ["sts.get_caller_identity", "s3.head_object", "s3.put_object", "glue.list_sessions",
          "iam.get_role", "glue.create_session", "glue.get_session", "glue.run_statement",
          "glue.get_statement", "glue.stop_session", "glue.get_session"]),
        (["teardown"], ["glue.list_sessions", "glue.get_jobs", "glue.get_database",
                        "athena.get_work_group", "iam.get_role", "sts.get_caller_identity",
                        "iam.get_policy", "s3.head_bucket"]),
    ],
)  # fmt: skip
def test_every_aws_command_has_a_dry_run(command, expected, no_credentials, job_script, capsys):
    assert cli.main([*command, "--dry-run"]) == 0
    assert CALL.findall(capsys.readouterr().out) == expected


def test_dry_run_of_a_local_run_is_refused(tmp_path, capsys):
    assert cli.main(["run", "--source", str(tmp_path), "--dry-run"]) == 2
    assert "use it with --backend aws" in capsys.readouterr().err


def test_printed_parameters_decode_documents_and_hide_bodies():
    call = Call("iam", "put_role_policy", {"PolicyDocument": '{"Version": "2012-10-17"}',
                                           "Body": b"abc", "Name": "{not json"})  # fmt: skip
    text = call.describe(3)
    assert text.startswith("[dry-run] #3 iam.put_role_policy {")
    assert json.loads(text.split(" ", 3)[3]) == {
        "PolicyDocument": {"Version": "2012-10-17"}, "Body": "<3 bytes>", "Name": "{not json"}  # fmt: skip


def test_leaving_the_dry_run_restores_aws_access(no_credentials):
    before = boto3.DEFAULT_SESSION
    with DryRun(out=lambda line: None) as dry:
        client = aws_session_module.client(Settings(backend="aws"), "s3")
        assert aws_session_module.is_dry_run()
        assert client.list_buckets()["Buckets"] == []
    assert [(c.service, c.operation, c.params) for c in dry.calls] == [("s3", "list_buckets", {})]
    assert not aws_session_module.is_dry_run()
    assert boto3.DEFAULT_SESSION is before
