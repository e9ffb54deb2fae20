"""Glue interactive sessions: settings and magics, cleanup, lifecycle on moto, statements stubbed."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import ANY, Stubber

from movie_pipeline.config import Settings
from movie_pipeline.glue import runtime, sessions

ACCOUNT = "123456789012"
ROLE = "arn:aws:iam::123456789012:role/movie-pipeline-glue"
LIB = "s3://movie-analytics-lake/artifacts/lib/movie_pipeline.zip"


def test_session_settings_give_the_notebook_magics():
    config = sessions.session_config(Settings(number_of_workers="3"), ACCOUNT)
    assert config.magics() == [
        "%session_id_prefix movie-pipeline",
        f"%iam_role {ROLE}",
        "%glue_version 5.1",
        "%worker_type G.1X",
        "%number_of_workers 3",
        "%idle_timeout 15",
        f"%extra_py_files {LIB}",
        '%tags {"project": "movie-pipeline"}',
    ]
    assert "--additional-python-modules" not in config.create_params("s-1")["DefaultArguments"]


def test_modules_glue_lacks_are_installed_in_the_session_too(monkeypatch):
    monkeypatch.setattr(runtime, "ADDITIONAL", {"sqlglot": "30.31.0"})
    config = sessions.session_config(Settings(), ACCOUNT)
    assert "%additional_python_modules sqlglot==30.31.0" in config.magics()
    arguments = config.create_params("s-1")["DefaultArguments"]
    assert arguments["--additional-python-modules"] == "sqlglot==30.31.0"
    # A live session without them is not reused.
    assert not config.matches({"DefaultArguments": {"--extra-py-files": LIB}})
    assert config.matches({"DefaultArguments": arguments})


def _stubbed_glue():
    return boto3.client(
        "glue", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )


def test_cleanup_deletes_dead_sessions_of_ours_and_leaves_others_alone():
    # moto keeps every session READY or STOPPING: stub the other states.
    config = sessions.session_config(Settings(), ACCOUNT)
    glue = _stubbed_glue()
    listed = [
        {"Id": "movie-pipeline-failed", "Status": "FAILED"},
        {"Id": "movie-pipeline-timeout", "Status": "TIMEOUT"},
        {"Id": "movie-pipeline-stopped", "Status": "STOPPED"},
        {"Id": "movie-pipeline-stopping", "Status": "STOPPING"},
        {"Id": "team-etl-1", "Status": "FAILED"},
        {"Id": "movie-pipelineX-1", "Status": "FAILED"},  # not "<prefix>-": not ours
    ]
    with Stubber(glue) as stub:
        stub.add_response(
            "list_sessions", {"Ids": [s["Id"] for s in listed], "Sessions": listed}, {}
        )
        for sid in ("movie-pipeline-failed", "movie-pipeline-timeout", "movie-pipeline-stopped"):
            stub.add_response("delete_session", {"Id": sid}, {"Id": sid})
        assert sessions.cleanup_sessions(glue, config, out=lambda line: None) is None
        stub.assert_no_pending_responses()


# Lifecycle on moto --------------------------------------------------------------------------
@pytest.fixture
def glue(aws_session):
    boto3.client("s3").create_bucket(Bucket="movie-analytics-lake")
    return boto3.client("glue")


class Clock:
    """A clock the test moves by hand (the session's cost is measured with it)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _session(boto, clock=None, out=None) -> sessions.GlueSession:
    return sessions.GlueSession(
        Settings(backend="aws"), session=boto, account_id=ACCOUNT,
        sleep=lambda s: None, clock=clock or Clock(), out=out or (lambda line: None),
    )  # fmt: skip


def _create(glue, sid: str, version: str = "5.1") -> None:
    glue.create_session(Id=sid, Role=ROLE, Command={"Name": "glueetl"}, GlueVersion=version,
                        DefaultArguments={"--extra-py-files": LIB})  # fmt: skip


def test_session_is_created_with_our_settings_run_and_stopped(glue, aws_session):
    clock, lines = Clock(), []
    with _session(aws_session, clock, out=lines.append) as session:
        assert session.id.startswith("movie-pipeline-")
        described = glue.get_session(Id=session.id)["Session"]
        assert described["Status"] == "READY"
        assert (described["GlueVersion"], described["Role"]) == ("5.1", ROLE)
        assert described["DefaultArguments"]["--extra-py-files"] == LIB
        arn = f"arn:aws:glue:us-east-1:{ACCOUNT}:session/{session.id}"
        assert glue.get_tags(ResourceArn=arn)["Tags"] == {"project": "movie-pipeline"}
        # moto cannot run statements: stub RunStatement/GetStatement on the session's client.
        with Stubber(session.glue) as stub:
            stub.add_response("run_statement", {"Id": 7},
                              {"SessionId": session.id, "Code": "print(spark.version)"})  # fmt: skip
            stub.add_response("get_statement", {"Statement": {"Id": 7, "State": "RUNNING"}},
                              {"SessionId": session.id, "Id": 7})  # fmt: skip
            stub.add_response("get_statement", {"Statement": {
                "Id": 7, "State": "AVAILABLE",
                "Output": {"Status": "ok", "Data": {"TextPlain": "3.5.6\n"}}}},
                {"SessionId": session.id, "Id": 7})  # fmt: skip
            assert session.run("print(spark.version)") == "3.5.6\n"
            stub.assert_no_pending_responses()
        clock.now = 400.0
    assert glue.get_session(Id=session.id)["Session"]["Status"] == "STOPPING"
    assert "  3.5.6" in lines  # statement output is shown to the user
    # 300 s on 2 G.1X workers (2 DPU); moto reports no DPUSeconds, so the clock is used.
    assert session.cost.dpu_seconds == 600
    assert session.cost.usd == pytest.approx(600 / 3600 * 0.44)
    s3 = boto3.client("s3")
    assert s3.head_object(Bucket="movie-analytics-lake", Key="artifacts/lib/movie_pipeline.zip")


def test_failed_statement_raises_with_spark_error_and_session_still_stops(glue, aws_session):
    # The stub leaves first, so the session is stopped on moto as the error goes through.
    with (
        pytest.raises(sessions.StatementError) as caught,
        _session(aws_session) as session,
        Stubber(session.glue) as stub,
    ):
        stub.add_response(
            "run_statement", {"Id": 1}, {"SessionId": session.id, "Code": "spark.table('nope')"}
        )
        stub.add_response("get_statement", {"Statement": {
            "Id": 1, "State": "AVAILABLE",
            "Output": {"Status": "error", "ErrorName": "AnalysisException",
                       "ErrorValue": "Table or view not found: nope",
                       "Traceback": ["Traceback (most recent call last):\n", "  line 1\n"]}}},
            {"SessionId": session.id, "Id": 1})  # fmt: skip
        session.run("spark.table('nope')")
    message = str(caught.value)
    assert "AnalysisException: Table or view not found: nope" in message
    assert "line 1" in message
    assert glue.get_session(Id=session.id)["Session"]["Status"] == "STOPPING"


def test_a_statement_that_runs_too_long_raises_and_the_session_still_stops(glue, aws_session):
    clock, waits = Clock(), []

    def sleep(seconds):  # waiting moves the clock
        waits.append(seconds)
        clock.now += seconds

    session = sessions.GlueSession(
        Settings(backend="aws"), session=aws_session, account_id=ACCOUNT, sleep=sleep,
        clock=clock, poll_seconds=5, out=lambda line: None, statement_timeout_seconds=60,
    )  # fmt: skip
    with (
        pytest.raises(sessions.StatementTimeout) as caught,
        session,
        Stubber(session.glue) as stub,
    ):
        request = {"SessionId": session.id, "Id": 3}
        stub.add_response("run_statement", {"Id": 3}, {"SessionId": session.id, "Code": "x()"})
        # Polled after 0.5, 1, 2 and 4 s, then every 5 s: the 15th poll is at 57.5 s, within
        # the limit, and the 16th, at 62.5 s, is the last.
        for _ in range(15):
            stub.add_response(
                "get_statement", {"Statement": {"Id": 3, "State": "RUNNING"}}, request
            )
        stub.add_response("get_statement", {"Statement": {"Id": 3, "State": "RUNNING"}}, request)
        session.run("x()")
    message = str(caught.value)
    assert message.startswith("statement 3 still RUNNING after 60 s (statement_timeout_seconds)")
    assert f"Glue session {session.id} is still running it" in message
    assert f"aws glue stop-session --id {session.id}" in message
    assert isinstance(caught.value, sessions.StatementError)  # the CLI reports it as one
    assert waits == [0.5, 1, 2, 4] + [5] * 11
    assert clock.now == 162.5  # one poll past the limit, not one more
    assert glue.get_session(Id=session.id)["Session"]["Status"] == "STOPPING"


def test_matching_ready_session_is_reused_and_conflicting_ones_removed(glue, aws_session):
    _create(glue, "movie-pipeline-mine")
    _create(glue, "movie-pipeline-old-glue", version="4.0")
    _create(glue, "someone-else-1", version="4.0")
    with _session(aws_session) as session:
        assert session.id == "movie-pipeline-mine"
    remaining = {s["Id"]: s["Status"] for s in glue.list_sessions()["Sessions"]}
    assert remaining == {"movie-pipeline-mine": "STOPPING", "someone-else-1": "READY"}


def test_session_that_fails_to_start_is_reported_and_stopped(glue, aws_session):
    session = _session(aws_session)
    # Stub the whole start: moto's sessions are READY at once and never fail.
    with Stubber(session.glue) as stub:
        stub.add_response("list_sessions", {"Ids": [], "Sessions": []}, {})
        # The exact CreateSession request (moto does not return worker settings to check).
        stub.add_response(
            "create_session",
            {"Session": {}},
            {
                "Id": ANY,
                "Role": ROLE,
                "Command": {"Name": "glueetl", "PythonVersion": "3"},
                "DefaultArguments": {"--extra-py-files": LIB, "--session-language": "python"},
                "GlueVersion": "5.1",
                "WorkerType": "G.1X",
                "NumberOfWorkers": 2,
                "IdleTimeout": 15,
                "Tags": {"project": "movie-pipeline"},
            },
        )
        stub.add_response("get_session", {"Session": {
            "Status": "FAILED", "ErrorMessage": "Role cannot be assumed"}})  # fmt: skip
        stub.add_response("stop_session", {}, {"Id": ANY})
        stub.add_response("get_session", {"Session": {"Status": "FAILED"}})
        with pytest.raises(sessions.SessionError, match="FAILED: Role cannot be assumed"):
            session.__enter__()
        stub.assert_no_pending_responses()
    assert session.id.startswith("movie-pipeline-")
    assert session.cost.dpu_seconds == 120  # the one-minute minimum on 2 DPU
