"""Glue job deployment: the lib package, uploads, create-or-update, run and follow, cost."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import sys
import zipfile

import boto3
import pytest
import requests
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber

from movie_pipeline import cli
from movie_pipeline.aws import costs
from movie_pipeline.config import ConfigError, Settings
from movie_pipeline.glue import deploy, runtime

ROLE = "arn:aws:iam::123456789012:role/movie-pipeline-glue"
LAKE = "movie-analytics-lake"


# The package --------------------------------------------------------------------------------
def test_package_is_reproducible_and_holds_only_sources():
    first, second = deploy.build_package(), deploy.build_package()
    assert first == second  # same sources, same bytes: an unchanged lib is not re-uploaded
    names = zipfile.ZipFile(io.BytesIO(first)).namelist()
    assert "movie_pipeline/__init__.py" in names
    assert "movie_pipeline/glue/deploy.py" in names
    assert "movie_pipeline/analysis/sql/top_actors.sql" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_package_imports_from_the_zip_as_glue_would(tmp_path):
    zipped = tmp_path / "movie_pipeline.zip"
    zipped.write_bytes(deploy.build_package())
    # -S: no site-packages, so the only movie_pipeline to be found is the one in the zip.
    code = (f"import sys; sys.path.insert(0, {str(zipped)!r}); "
            "import movie_pipeline.aws.costs as c; print(c.__file__); print(c.dpus('G.2X', 3))")  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [f"{zipped}/movie_pipeline/aws/costs.py", "6.0"]


# Deployment on moto -------------------------------------------------------------------------
@pytest.fixture
def lake(aws_session, tmp_path):
    """An empty bucket and a stand-in job script (the real one is glue/job.py)."""
    boto3.client("s3").create_bucket(Bucket=LAKE)
    script = tmp_path / "job.py"
    script.write_text("print('flatten')\n")
    return script


def test_deploy_uploads_script_and_lib_and_creates_the_job(lake, aws_session):
    settings = Settings(backend="aws", worker_type="G.2X", number_of_workers="3")
    result = deploy.deploy(
        settings, role=ROLE, script=lake, session=aws_session, out=lambda line: None
    )
    assert result.created is True

    s3 = boto3.client("s3")
    script = s3.get_object(Bucket=LAKE, Key="artifacts/scripts/job.py")
    body = script["Body"].read()
    assert body == b"print('flatten')\n"
    assert script["Metadata"] == {"sha256": hashlib.sha256(body).hexdigest()}
    package = s3.get_object(Bucket=LAKE, Key="artifacts/lib/movie_pipeline.zip")["Body"].read()
    assert "movie_pipeline/config.py" in zipfile.ZipFile(io.BytesIO(package)).namelist()

    glue = boto3.client("glue")
    job = glue.get_job(JobName="movie-pipeline-etl")["Job"]
    assert job["Role"] == ROLE
    assert job["Command"] == {"Name": "glueetl", "PythonVersion": "3",
                              "ScriptLocation": f"s3://{LAKE}/artifacts/scripts/job.py"}  # fmt: skip
    assert (job["GlueVersion"], job["WorkerType"], job["NumberOfWorkers"]) == ("5.1", "G.2X", 3)
    args = job["DefaultArguments"]
    assert args["--job-bookmark-option"] == "job-bookmark-enable"
    # The job reads and writes S3 paths, no catalog table; and it needs no module Glue lacks.
    assert "--enable-glue-datacatalog" not in args and "--additional-python-modules" not in args
    assert args["--extra-py-files"] == f"s3://{LAKE}/artifacts/lib/movie_pipeline.zip"
    assert args["--TempDir"] == f"s3://{LAKE}/tmp/glue/"
    assert (args["--bucket"], args["--raw_prefix"], args["--cleaned_prefix"]) == (
        LAKE, "raw", "cleaned")  # fmt: skip
    assert job["ExecutionProperty"] == {"MaxConcurrentRuns": 1}
    tags = glue.get_tags(ResourceArn="arn:aws:glue:us-east-1:123456789012:job/movie-pipeline-etl")
    assert tags["Tags"] == {"project": "movie-pipeline"}


def test_unchanged_artifacts_are_not_uploaded_again(lake):
    s3 = boto3.client("s3")
    assert deploy.upload_artifact(s3, LAKE, "artifacts/x.bin", b"abc") is True
    first = s3.head_object(Bucket=LAKE, Key="artifacts/x.bin")["ETag"]
    assert deploy.upload_artifact(s3, LAKE, "artifacts/x.bin", b"abc") is False
    assert deploy.upload_artifact(s3, LAKE, "artifacts/x.bin", b"abcd") is True
    assert s3.head_object(Bucket=LAKE, Key="artifacts/x.bin")["ETag"] != first


def test_missing_job_script_is_a_clear_error(lake, tmp_path):
    with pytest.raises(FileNotFoundError, match="Glue job script not found"):
        deploy.deploy(Settings(backend="aws"), role=ROLE, script=tmp_path / "nope.py")


def test_modules_glue_lacks_are_installed_pinned(monkeypatch):
    monkeypatch.setattr(runtime, "ADDITIONAL", {"sqlglot": "30.31.0", "attrs": "25.4.0"})
    args = deploy.job_definition(Settings(), ROLE)["DefaultArguments"]
    assert args["--additional-python-modules"] == "attrs==25.4.0,sqlglot==30.31.0"


def test_unknown_worker_type_is_refused():
    with pytest.raises(ConfigError, match="G.3X"):
        deploy.job_definition(Settings(worker_type="G.3X"), ROLE)


def test_existing_job_is_updated_in_place():
    # moto has no UpdateJob: stub the client and check the exact request.
    glue = boto3.client(
        "glue", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    definition = {"Role": ROLE, "Command": {"Name": "glueetl", "ScriptLocation": "s3://b/job.py"},
                  "GlueVersion": "5.1", "WorkerType": "G.1X", "NumberOfWorkers": 2}  # fmt: skip
    with Stubber(glue) as stub:
        stub.add_response(
            "get_job", {"Job": {"Name": "movie-pipeline-etl"}}, {"JobName": "movie-pipeline-etl"}
        )
        stub.add_response("update_job", {"JobName": "movie-pipeline-etl"}, {
            "JobName": "movie-pipeline-etl",
            "JobUpdate": {"Role": ROLE,
                          "Command": {"Name": "glueetl", "ScriptLocation": "s3://b/job.py"},
                          "GlueVersion": "5.1", "WorkerType": "G.1X", "NumberOfWorkers": 2},
        })  # fmt: skip
        assert deploy.create_or_update_job(glue, Settings(), definition) is False
        stub.assert_no_pending_responses()


# Run and follow -----------------------------------------------------------------------------
@pytest.fixture
def slow_job_runs(aws):
    """Make moto's job runs pass through STARTING and RUNNING (a state lasts two GetJobRuns)."""
    api = f"{aws}/moto-api/state-manager"
    requests.post(f"{api}/set-transition", timeout=10, json={
        "model_name": "glue::job_run", "transition": {"progression": "manual", "times": 2}})  # fmt: skip
    yield
    requests.post(f"{api}/unset-transition", json={"model_name": "glue::job_run"}, timeout=10)


def test_run_job_follows_the_run_and_reports_its_cost(lake, slow_job_runs, aws_session):
    settings = Settings(backend="aws")
    deploy.deploy(settings, role=ROLE, script=lake, session=aws_session, out=lambda line: None)
    lines, sleeps = [], []
    report = deploy.run_job(
        settings, session=aws_session, sleep=sleeps.append, poll_seconds=7, out=lines.append
    )
    assert report.state == "SUCCEEDED"
    # One status line per state change, not per poll.
    assert re.findall(r"run jr_\w+: (\w+)", "\n".join(lines)) == [
        "STARTING", "RUNNING", "SUCCEEDED"]  # fmt: skip
    assert sleeps == [7, 7, 7]
    # moto reports ExecutionTime 123 s; the job has 2 G.1X workers = 2 DPU.
    assert report.cost.dpu_seconds == 246
    assert report.cost.usd == pytest.approx(246 / 3600 * 0.44)
    assert "0.0683 DPU-hours" in lines[-1]


def test_reprocess_resets_the_bookmark_before_the_run(lake, aws):
    settings, boto = Settings(backend="aws"), boto3.Session(region_name="us-east-1")
    deploy.deploy(settings, role=ROLE, script=lake, session=boto, out=lambda line: None)
    sent = []

    def record(model, params, **kwargs):
        sent.append((model.name, json.loads(params["body"] or b"{}")))
        if model.name == "ResetJobBookmark":  # moto 5.2.6 has no ResetJobBookmark: answer it
            entry = {"JobName": "movie-pipeline-etl", "Version": 3, "Run": 2, "Attempt": 0}
            meta = {"HTTPStatusCode": 200, "RequestId": "stub"}
            return AWSResponse("https://stub", 200, {}, None), {
                "JobBookmarkEntry": entry, "ResponseMetadata": meta}  # fmt: skip
        return None  # everything else goes to moto

    boto.events.register("before-call.glue.*", record)
    lines = []
    report = deploy.run_job(
        settings, session=boto, sleep=lambda s: None, out=lines.append, reprocess=True
    )
    assert report.state == "SUCCEEDED"
    assert [name for name, _ in sent][:2] == ["ResetJobBookmark", "StartJobRun"]
    assert sent[0][1] == {"JobName": "movie-pipeline-etl"}  # the request as serialized
    assert "Glue job movie-pipeline-etl: bookmark reset, every raw file is read again" in lines


def test_reprocess_of_a_job_never_run_has_no_bookmark_to_reset():
    glue = boto3.client(
        "glue", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    lines = []
    with Stubber(glue) as stub:
        stub.add_client_error("reset_job_bookmark", "EntityNotFoundException",
                              "Continuation for job movie-pipeline-etl not found",
                              expected_params={"JobName": "movie-pipeline-etl"})  # fmt: skip
        assert deploy.reset_bookmark(glue, Settings(), out=lines.append) is False
    assert lines == ["Glue job movie-pipeline-etl: no bookmark yet, nothing to reset"]


CALL = re.compile(r"^\[dry-run\] #\d+ (\S+) ", re.MULTILINE)


def test_glue_job_reprocess_resets_the_bookmark_first(no_credentials, capsys):
    assert cli.main(["glue-job", "--reprocess", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert CALL.findall(out) == ["glue.reset_job_bookmark", "iam.get_role", "glue.start_job_run",
                                 "glue.get_job_run"]  # fmt: skip
    assert '#1 glue.reset_job_bookmark {\n  "JobName": "movie-pipeline-etl"\n}' in out


@pytest.mark.slow
def test_run_reprocess_resets_the_bookmark_before_the_job_runs(no_credentials, capsys):
    source = str(deploy.PACKAGE_DIR.parents[1] / "data_samples")
    argv = ["run", "--backend", "aws", "--reprocess", "--dry-run", "--source", source]
    assert cli.main(argv) == 0
    calls = CALL.findall(capsys.readouterr().out)
    glue_job = [c for c in calls if c in ("glue.reset_job_bookmark", "glue.start_job_run")]
    assert glue_job == ["glue.reset_job_bookmark", "glue.start_job_run"]
    assert calls.index("glue.create_job") < calls.index("glue.reset_job_bookmark")


def test_failed_run_raises_with_glue_error_and_cost():
    glue = boto3.client(
        "glue", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    request = {"JobName": "movie-pipeline-etl", "RunId": "jr_1"}
    with Stubber(glue) as stub:
        stub.add_response("get_job_run", {"JobRun": {"JobRunState": "RUNNING"}}, request)
        stub.add_response("get_job_run", {"JobRun": {
            "JobRunState": "FAILED", "ErrorMessage": "Container killed: OutOfMemory",
            "ExecutionTime": 30, "WorkerType": "G.2X", "NumberOfWorkers": 5}}, request)  # fmt: skip
        with pytest.raises(deploy.GlueJobFailed, match="FAILED: Container killed: OutOfMemory"):
            deploy.follow_job_run(
                Settings(), "jr_1", glue, sleep=lambda s: None, out=lambda line: None
            )


# Costs --------------------------------------------------------------------------------------
def test_glue_cost_bills_one_minute_at_least_and_prefers_reported_dpu_seconds():
    assert costs.glue_cost(30, 10).dpu_seconds == 600  # 30 s billed as 60 s, 10 DPU
    assert costs.glue_cost(600, 2).usd == pytest.approx(1200 / 3600 * 0.44)
    assert costs.glue_cost(600, 2, reported_dpu_seconds=900).dpu_seconds == 900
    assert costs.dpus("G.1X", 2) == 2 and costs.dpus("G.2X", 2) == 4


def test_athena_cost_rounds_up_to_megabytes_with_ten_megabyte_minimum():
    mb, tb = 1024**2, 1024**4
    assert costs.athena_cost(1) == pytest.approx(10 * mb / tb * 5)
    assert costs.athena_cost(10 * mb + 1) == pytest.approx(11 * mb / tb * 5)
    assert costs.athena_cost(tb) == pytest.approx(5.0)
