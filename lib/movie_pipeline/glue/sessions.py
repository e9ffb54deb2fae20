"""Glue Interactive Sessions from Python: reuse or create one, run statements, always stop it."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from botocore.exceptions import ClientError

from movie_pipeline.aws import costs, iam
from movie_pipeline.aws.session import boto3_session
from movie_pipeline.config import PipelineError, Settings
from movie_pipeline.glue import deploy, runtime
from movie_pipeline.progress import say

LIVE = ("PROVISIONING", "READY")
DEAD = ("FAILED", "TIMEOUT", "STOPPED")


class SessionError(PipelineError, RuntimeError):
    """The session could not be made ready."""


class StatementError(PipelineError, RuntimeError):
    """A statement failed in the session; the message carries Spark's error and traceback."""


class StatementTimeout(StatementError):
    """A statement ran longer than the session's statement timeout (it may still be running)."""


@dataclass(frozen=True)
class SessionConfig:
    """Everything a session is created with; the notebook magics come from the same values."""

    id_prefix: str
    role: str
    glue_version: str
    worker_type: str
    number_of_workers: int
    idle_timeout_minutes: int
    extra_py_files: str
    tags: dict[str, str]
    additional_python_modules: str = ""  # pinned, from glue.runtime; "" installs nothing

    @property
    def dpus(self) -> float:
        return costs.dpus(self.worker_type, self.number_of_workers)

    def create_params(self, session_id: str) -> dict:
        """The CreateSession request for ``session_id``."""
        modules = self.additional_python_modules
        return {
            "Id": session_id,
            "Role": self.role,
            "Command": {"Name": "glueetl", "PythonVersion": "3"},
            # No --enable-glue-datacatalog: the statements read and write S3 paths, no tables.
            "DefaultArguments": {
                "--extra-py-files": self.extra_py_files,
                **({"--additional-python-modules": modules} if modules else {}),
                "--session-language": "python",
            },
            "GlueVersion": self.glue_version,
            "WorkerType": self.worker_type,
            "NumberOfWorkers": self.number_of_workers,
            "IdleTimeout": self.idle_timeout_minutes,
            "Tags": self.tags,
        }

    def magics(self) -> list[str]:
        """The Glue-kernel notebook magics that open the same session (first cell of notebook 02)."""
        return [
            f"%session_id_prefix {self.id_prefix}",
            f"%iam_role {self.role}",
            f"%glue_version {self.glue_version}",
            f"%worker_type {self.worker_type}",
            f"%number_of_workers {self.number_of_workers}",
            f"%idle_timeout {self.idle_timeout_minutes}",
            f"%extra_py_files {self.extra_py_files}",
            *([f"%additional_python_modules {self.additional_python_modules}"]
              if self.additional_python_modules else []),
            f"%tags {json.dumps(self.tags)}",
        ]  # fmt: skip

    def matches(self, session: dict) -> bool:
        """True if a described session (GetSession/ListSessions) runs with these settings.

        Fields the description leaves out are not held against it.
        """
        wanted = {
            "GlueVersion": self.glue_version,
            "Role": self.role,
            "WorkerType": self.worker_type,
            "NumberOfWorkers": self.number_of_workers,
        }
        if any(k in session and session[k] != v for k, v in wanted.items()):
            return False
        arguments = session.get("DefaultArguments", {})
        return (
            arguments.get("--extra-py-files") == self.extra_py_files
            and arguments.get("--additional-python-modules", "") == self.additional_python_modules
        )


def session_config(settings: Settings, account_id: str) -> SessionConfig:
    """The session settings for ``settings`` in ``account_id`` (role from ``setup-aws``).

    Examples:
        >>> session_config(Settings(), "123456789012").magics()[2]
        '%glue_version 5.1'
    """
    config = SessionConfig(
        id_prefix=settings.resource_prefix,
        role=iam.role_arn(settings, account_id),
        glue_version=settings.glue_version,
        worker_type=settings.worker_type,
        number_of_workers=int(settings.number_of_workers),
        idle_timeout_minutes=int(settings.idle_timeout_minutes),
        extra_py_files=deploy.s3_uri(settings, deploy.package_key(settings)),
        tags=iam.tags(settings),
        additional_python_modules=runtime.additional_python_modules(),
    )
    costs.dpus(config.worker_type, config.number_of_workers)  # an unknown type fails here
    return config


def list_own_sessions(glue, prefix: str) -> list[dict]:
    """Describe every session whose id starts with ``<prefix>-``; other sessions are not ours."""
    found, token = [], None
    while True:
        page = glue.list_sessions(**({"NextToken": token} if token else {}))
        found += [s for s in page.get("Sessions", []) if s["Id"].startswith(f"{prefix}-")]
        token = page.get("NextToken")
        if not token:
            return found


def stop_and_delete(glue, session_id: str, status: str) -> None:
    """Stop a live session, then delete it (a session still stopping is left for next time)."""
    try:
        if status in LIVE:
            glue.stop_session(Id=session_id)
        glue.delete_session(Id=session_id)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "IllegalSessionStateException":
            raise


def cleanup_sessions(glue, config: SessionConfig, out: Callable[[str], None] = say) -> str | None:
    """Clear our stale and conflicting sessions; return the id of one to reuse, if any.

    Ours are the sessions whose id starts with ``<prefix>-``. A live one with our settings is
    kept for reuse; dead ones (FAILED, TIMEOUT, STOPPED) are deleted; live ones with other
    settings, or a second live match, are stopped and deleted. Anything else is left alone.
    """
    reuse = None
    for s in list_own_sessions(glue, config.id_prefix):
        sid, status = s["Id"], s.get("Status", "")
        if status in LIVE and reuse is None and config.matches(s):
            reuse = sid
            out(f"reusing Glue session {sid} ({status})")
        elif status in LIVE or status in DEAD:
            why = "stale" if status in DEAD else "conflicting"
            out(f"removing {why} Glue session {sid} ({status})")
            stop_and_delete(glue, sid, status)
    return reuse


def poll_waits(longest: float, first: float = 0.5):
    """The waits between two polls: doubling from ``first`` up to ``longest``, then steady.

    A short statement is seen done within about a second, and a long one is asked about every
    ``longest`` seconds.

    Examples:
        >>> from itertools import islice
        >>> list(islice(poll_waits(5), 7))
        [0.5, 1.0, 2.0, 4.0, 5, 5, 5]
    """
    wait = min(first, longest)
    while True:
        yield wait
        wait = min(wait * 2, longest)


class GlueSession:
    """A Glue interactive session as a context manager: ``with GlueSession(settings) as s:``.

    On enter: ship the lib, clean up our old sessions, reuse a matching live one or create a
    new one, and wait until it is READY. ``run(code)`` runs a statement and returns its text
    output; one still running after ``statement_timeout_seconds`` raises StatementTimeout. On
    exit, on success or error: stop the session and report DPU-seconds and cost. Both waits
    poll after 0.5 s, then twice as long each time up to ``poll_seconds`` (:func:`poll_waits`).
    """

    def __init__(
        self,
        settings: Settings,
        session=None,
        account_id: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        poll_seconds: float = 5,
        ready_timeout_seconds: float = 600,
        out: Callable[[str], None] = say,
        statement_timeout_seconds: float = 3600,
    ) -> None:
        self.settings = settings
        self.boto = session or boto3_session(settings)
        self.glue = self.boto.client("glue")
        self.config = session_config(settings, account_id or iam.account_id(self.boto))
        self.sleep, self.clock, self.poll, self.out = sleep, clock, poll_seconds, out
        self.ready_timeout = ready_timeout_seconds
        # A statement has no timeout of its own in Glue, and the session's idle timeout does
        # not count while one runs: one hour, as the job's Timeout, unless told otherwise.
        self.statement_timeout = statement_timeout_seconds
        self.id: str | None = None
        self.cost: costs.GlueCost | None = None
        self._started = 0.0

    def __enter__(self) -> GlueSession:
        deploy.upload_package(self.settings, self.boto.client("s3"))
        self.id = cleanup_sessions(self.glue, self.config, self.out)
        self._started = self.clock()
        try:
            if self.id is None:
                iam.wait_for_role(self.boto, self.settings, self.sleep, self.out)
                self.id = f"{self.config.id_prefix}-{uuid.uuid4()}"
                self.out(f"creating Glue session {self.id} ({self.config.worker_type} x "
                         f"{self.config.number_of_workers}, Glue {self.config.glue_version})")  # fmt: skip
                self.glue.create_session(**self.config.create_params(self.id))
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _wait_ready(self) -> None:
        deadline = self.clock() + self.ready_timeout
        waits = poll_waits(self.poll)
        while True:
            described = self.glue.get_session(Id=self.id)["Session"]
            status = described["Status"]
            if status == "READY":
                return
            if status != "PROVISIONING":
                raise SessionError(
                    f"Glue session {self.id} is {status}: {described.get('ErrorMessage', '')}"
                )
            if self.clock() > deadline:
                raise SessionError(f"Glue session {self.id} not ready after {self.ready_timeout} s")
            self.sleep(next(waits))

    def run(self, code: str) -> str:
        """Run ``code`` (PySpark) in the session and return its text output.

        Raises:
            StatementError: the statement failed; the message has Spark's error and traceback.
            StatementTimeout: it was still running after ``statement_timeout_seconds``; it goes
                on running (and billing) until the session stops, which leaving the ``with``
                block does.
        """
        statement_id = self.glue.run_statement(SessionId=self.id, Code=code)["Id"]
        deadline = self.clock() + self.statement_timeout
        waits = poll_waits(self.poll)
        while True:
            statement = self.glue.get_statement(SessionId=self.id, Id=statement_id)["Statement"]
            if statement["State"] in ("AVAILABLE", "ERROR", "CANCELLED"):
                break
            if self.clock() > deadline:
                raise StatementTimeout(
                    f"statement {statement_id} still {statement['State']} after "
                    f"{self.statement_timeout:g} s (statement_timeout_seconds): Glue session "
                    f"{self.id} is still running it, and billing. Leaving the `with` block "
                    f"stops the session; if it was not stopped, run "
                    f"`aws glue stop-session --id {self.id}` (or `movie-pipeline teardown`)."
                )
            self.sleep(next(waits))
        output = statement.get("Output", {})
        if statement["State"] != "AVAILABLE" or output.get("Status") == "error":
            trace = "".join(output.get("Traceback", []))
            raise StatementError(
                f"statement {statement_id} {statement['State']}: "
                f"{output.get('ErrorName', '')}: {output.get('ErrorValue', '')}\n{trace}".rstrip()
            )
        text = output.get("Data", {}).get("TextPlain", "")
        for line in text.splitlines():
            self.out(f"  {line}")
        return text

    def stop(self) -> None:
        """Stop the session (once) and report what it used."""
        if self.id is None or self.cost is not None:
            return
        # A session that never got created, or is already stopping, has nothing to stop.
        ignored = ("IllegalSessionStateException", "EntityNotFoundException")
        described = {}
        for call in (self.glue.stop_session, self.glue.get_session):
            try:
                described = call(Id=self.id).get("Session", described)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in ignored:
                    raise
        self.cost = costs.glue_cost(
            self.clock() - self._started, self.config.dpus, described.get("DPUSeconds")
        )
        self.out(f"stopped Glue session {self.id}: {self.cost.describe()}")
