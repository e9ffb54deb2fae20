"""Ship the lib and the job script to S3, create or update the Glue job, run it and follow it."""

from __future__ import annotations

import hashlib
import io
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from botocore.exceptions import ClientError

import movie_pipeline
from movie_pipeline.aws import costs, iam
from movie_pipeline.aws.session import boto3_session
from movie_pipeline.config import PipelineError, Settings
from movie_pipeline.glue import runtime
from movie_pipeline.progress import say

PACKAGE_DIR = Path(movie_pipeline.__file__).resolve().parent
JOB_SCRIPT = PACKAGE_DIR / "glue" / "job.py"
TERMINAL_STATES = ("SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR", "EXPIRED")
_SHIPPED = (".py", ".sql", ".typed")
# Left out of the zip: the synthetic-data generator and its fault corpus serve the CLI and the
# tests; Glue never runs them.
_NOT_SHIPPED = ("generator", "faults")
# Zip entries get a fixed date, so the same sources give the same bytes and an unchanged lib
# is not uploaded again.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class GlueJobFailed(PipelineError, RuntimeError):
    """A Glue job run ended in a state other than SUCCEEDED."""


def job_name(settings: Settings) -> str:
    return f"{settings.resource_prefix}-etl"


def package_key(settings: Settings) -> str:
    return f"{settings.artifacts_prefix}/lib/movie_pipeline.zip"


def script_key(settings: Settings, script: Path | None = None) -> str:
    return f"{settings.artifacts_prefix}/scripts/{(script or JOB_SCRIPT).name}"


def s3_uri(settings: Settings, key: str) -> str:
    return f"s3://{settings.bucket}/{key}"


def shipped(relative: Path) -> bool:
    """True for a file of the package that goes to Glue: sources, minus the generator and faults."""
    names = {part.removesuffix(".py") for part in relative.parts}
    return (
        relative.suffix in _SHIPPED
        and "__pycache__" not in relative.parts
        and not names & set(_NOT_SHIPPED)
    )


def build_package(package_dir: Path = PACKAGE_DIR) -> bytes:
    """Zip the ``movie_pipeline`` package for ``--extra-py-files`` (Glue puts the zip on sys.path).

    Args:
        package_dir: the package folder (the installed ``movie_pipeline`` by default).

    Returns:
        The zip's bytes, identical for identical sources.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(package_dir.rglob("*")):
            if path.is_file() and shipped(path.relative_to(package_dir)):
                info = zipfile.ZipInfo(
                    f"{package_dir.name}/{path.relative_to(package_dir).as_posix()}", _ZIP_DATE
                )
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())
    return buffer.getvalue()


def upload_artifact(s3, bucket: str, key: str, data: bytes) -> bool:
    """Put ``data`` at ``key`` unless the object there already has the same sha256.

    Returns:
        True if bytes were uploaded, False if the object was unchanged.
    """
    digest = hashlib.sha256(data).hexdigest()
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
        if head.get("Metadata", {}).get("sha256") == digest:
            return False
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey"):
            raise
    s3.put_object(Bucket=bucket, Key=key, Body=data, Metadata={"sha256": digest})
    return True


def python_modules() -> dict[str, str]:
    """``--additional-python-modules`` with the pins of ``glue.runtime``; empty when there are none."""
    modules = runtime.additional_python_modules()
    return {"--additional-python-modules": modules} if modules else {}


def job_arguments(settings: Settings) -> dict[str, str]:
    """The pipeline's own job arguments (read in the job with ``getResolvedOptions``)."""
    s = settings
    return {
        "--backend": "aws",
        "--bucket": s.bucket,
        "--raw_prefix": s.raw_prefix,
        "--cleaned_prefix": s.cleaned_prefix,
        "--quarantine_prefix": s.quarantine_prefix,
        "--temp_prefix": s.temp_prefix,
        "--database": s.database,
        "--region": s.region,
    }


def job_definition(settings: Settings, role: str, script: Path | None = None) -> dict:
    """The Glue job's definition (CreateJob's fields but Name and Tags; UpdateJob's JobUpdate).

    Args:
        settings: Glue version, worker type and number, bucket and prefixes.
        role: the ARN of the role the job runs as (``iam.role_arn``).
        script: the job script, uploaded by ``deploy``.
    """
    costs.dpus(settings.worker_type, settings.number_of_workers)  # rejects an unknown type
    return {
        "Role": role,
        "Description": "Movie pipeline: flatten and clean raw/ into cleaned/ Parquet",
        "Command": {
            "Name": "glueetl",
            "ScriptLocation": s3_uri(settings, script_key(settings, script)),
            "PythonVersion": "3",
        },
        "DefaultArguments": {
            "--job-language": "python",
            "--job-bookmark-option": "job-bookmark-enable",
            "--extra-py-files": s3_uri(settings, package_key(settings)),
            "--TempDir": s3_uri(settings, f"{settings.temp_prefix}/glue/"),
            # No --enable-glue-datacatalog: the job reads and writes S3 paths, never a table.
            "--enable-metrics": "true",
            "--enable-continuous-cloudwatch-log": "true",
            **python_modules(),
            **job_arguments(settings),
        },
        # One run at a time: bookmarks assume runs do not overlap.
        "ExecutionProperty": {"MaxConcurrentRuns": 1},
        "MaxRetries": 0,
        "Timeout": 60,
        "GlueVersion": settings.glue_version,
        "WorkerType": settings.worker_type,
        "NumberOfWorkers": int(settings.number_of_workers),
    }


@dataclass
class Deployment:
    """Where the job's code went and whether the job was created or updated."""

    job_name: str
    script_uri: str
    package_uri: str
    created: bool
    uploaded: dict[str, bool] = field(default_factory=dict)


def upload_package(settings: Settings, s3) -> bool:
    """Ship the lib zip (the job and interactive sessions both load it). True if bytes moved."""
    return upload_artifact(s3, settings.bucket, package_key(settings), build_package())


def create_or_update_job(glue, settings: Settings, definition: dict) -> bool:
    """Create the job, or update it in place if it exists. Returns True if it was created."""
    name = job_name(settings)
    try:
        glue.get_job(JobName=name)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "EntityNotFoundException":
            raise
        glue.create_job(Name=name, Tags=iam.tags(settings), **definition)
        return True
    glue.update_job(JobName=name, JobUpdate=definition)
    return False


def deploy(
    settings: Settings,
    role: str | None = None,
    session=None,
    script: Path | None = None,
    out: Callable[[str], None] = say,
) -> Deployment:
    """Upload the job script and the lib under ``<artifacts_prefix>/``, then create or update the job.

    Args:
        settings: bucket, prefixes and Glue sizing.
        role: the job's role ARN (default: the role ``setup-aws`` creates).
        session: a boto3 Session (default: ``aws.session.boto3_session``).
        script: the Glue job script (default: ``movie_pipeline/glue/job.py``).
        out: where progress lines go.

    Returns:
        A Deployment.
    """
    script = script or JOB_SCRIPT
    if not script.is_file():
        raise FileNotFoundError(f"Glue job script not found: {script}")
    session = session or boto3_session(settings)
    role = role or iam.role_arn(settings, iam.account_id(session))
    s3 = session.client("s3")
    uploaded = {
        script_key(settings, script): upload_artifact(
            s3, settings.bucket, script_key(settings, script), script.read_bytes()
        ),
        package_key(settings): upload_package(settings, s3),
    }
    for key, moved in uploaded.items():
        out(f"  {s3_uri(settings, key)}: {'uploaded' if moved else 'unchanged, skipped'}")
    created = create_or_update_job(
        session.client("glue"), settings, job_definition(settings, role, script)
    )
    out(f"Glue job {job_name(settings)} {'created' if created else 'updated'}")
    return Deployment(
        job_name(settings),
        s3_uri(settings, script_key(settings, script)),
        s3_uri(settings, package_key(settings)),
        created,
        uploaded,
    )


@dataclass
class JobRunReport:
    """How a job run ended, how long it took and what it cost."""

    job_name: str
    run_id: str
    state: str
    cost: costs.GlueCost
    error: str = ""


def follow_job_run(
    settings: Settings,
    run_id: str,
    glue,
    sleep: Callable[[float], None] = time.sleep,
    poll_seconds: float = 15,
    out: Callable[[str], None] = say,
) -> JobRunReport:
    """Poll a job run until it ends, printing each state change, then report its cost.

    Returns:
        A JobRunReport (duration from Glue's ExecutionTime, DPU-hours, estimated USD).

    Raises:
        GlueJobFailed: the run ended FAILED, STOPPED, TIMEOUT, ERROR or EXPIRED (its error
            message and cost are in the exception text).
    """
    name, last = job_name(settings), None
    while True:
        run = glue.get_job_run(JobName=name, RunId=run_id)["JobRun"]
        state = run["JobRunState"]
        if state != last:
            out(f"Glue job {name} run {run_id}: {state} ({run.get('ExecutionTime', 0)} s)")
            last = state
        if state in TERMINAL_STATES:
            break
        sleep(poll_seconds)
    worker = run.get("WorkerType") or settings.worker_type
    workers = run.get("NumberOfWorkers") or settings.number_of_workers
    cost = costs.glue_cost(
        run.get("ExecutionTime", 0), costs.dpus(worker, workers), run.get("DPUSeconds")
    )
    report = JobRunReport(name, run_id, state, cost, run.get("ErrorMessage", ""))
    out(f"Glue job {name} {state}: {cost.describe()}")
    if state != "SUCCEEDED":
        raise GlueJobFailed(
            f"Glue job {name} run {run_id} {state}: {report.error} ({cost.describe()})"
        )
    return report


def reset_bookmark(glue, settings: Settings, out: Callable[[str], None] = say) -> bool:
    """Forget which raw files the job has processed, so that its next run reads them all again.

    Returns:
        False when there was no bookmark to reset (the job has not committed a run yet).
    """
    name = job_name(settings)
    try:
        glue.reset_job_bookmark(JobName=name)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "EntityNotFoundException":
            raise
        out(f"Glue job {name}: no bookmark yet, nothing to reset")
        return False
    out(f"Glue job {name}: bookmark reset, every raw file is read again")
    return True


def run_job(
    settings: Settings,
    session=None,
    sleep: Callable[[float], None] = time.sleep,
    poll_seconds: float = 15,
    out: Callable[[str], None] = say,
    reprocess: bool = False,
) -> JobRunReport:
    """Start the deployed job and follow it to the end (see ``follow_job_run``).

    Args:
        reprocess: reset the job bookmark first. The bookmark skips raw files that a committed
            run has read, so after a change to the code (not the data) a run rewrites nothing:
            ``cleaned/`` keeps the old output until the bookmark is reset.
    """
    session = session or boto3_session(settings)
    glue = session.client("glue")
    if reprocess:
        reset_bookmark(glue, settings, out)
    iam.wait_for_role(session, settings, sleep, out)
    run_id = glue.start_job_run(JobName=job_name(settings))["JobRunId"]
    out(f"started Glue job {job_name(settings)} run {run_id}")
    return follow_job_run(settings, run_id, glue, sleep, poll_seconds, out)
