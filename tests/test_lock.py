"""The lake lock: one run at a time, a clear message naming the holder, recovery from dead holders."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import boto3
import psutil
import pytest

from movie_pipeline.cli import main
from movie_pipeline.config import Settings
from movie_pipeline.errors import LakeLockedError
from movie_pipeline.generator import generate
from movie_pipeline.lake.lock import LockOwner, S3LockStore, is_stale, lake_lock, lock_path

# A holder in another process: takes the lock, says so, and keeps it until stdin closes.
HOLDER = textwrap.dedent("""
    import sys
    from movie_pipeline.config import Settings
    from movie_pipeline.lake.lock import lake_lock
    with lake_lock(Settings(lake_dir=sys.argv[1]), "transform", timeout=0):
        print("held", flush=True)
        sys.stdin.read()
""")


@pytest.fixture
def settings(tmp_path):
    return Settings(lake_dir=tmp_path / "lake")


@pytest.fixture
def holder(settings):
    """Another process holding the lake's lock; yields its Popen."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(settings.lake_dir)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout.readline().strip() == "held"
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def test_a_second_run_stops_with_a_message_naming_the_holder(settings, holder):
    with pytest.raises(LakeLockedError) as err, lake_lock(settings, "run", timeout=0.3):
        pytest.fail("the lock was taken while another process held it")
    message = str(err.value)
    assert f"pid {holder.pid} on {socket.gethostname()}" in message
    assert "'transform'" in message and str(lock_path(settings)) in message
    assert json.loads(lock_path(settings).read_text())["pid"] == holder.pid


def test_the_lock_is_free_again_when_the_holder_finishes(settings, holder):
    holder.stdin.close()  # the holder leaves its `with` block and exits
    holder.wait(timeout=30)
    assert not lock_path(settings).exists()
    with lake_lock(settings, "run", timeout=0) as me:
        assert json.loads(lock_path(settings).read_text())["token"] == me.token


def test_a_lock_left_by_a_killed_process_is_taken_over(settings, holder, capsys):
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    assert json.loads(lock_path(settings).read_text())["pid"] == holder.pid  # left behind
    with lake_lock(settings, "run", timeout=0) as me:
        assert json.loads(lock_path(settings).read_text())["pid"] == me.pid == os.getpid()
    assert f"took over from pid {holder.pid}" in capsys.readouterr().err
    assert not lock_path(settings).exists()


def test_a_waiter_gets_the_lock_only_after_the_holder_releases(settings):
    events, attempts = [], []

    class CountingStore:  # the real file store, counting the waiter's attempts
        def __init__(self):
            from movie_pipeline.lake.lock import LocalLockStore

            self.inner = LocalLockStore(lock_path(settings))
            self.name = self.inner.name

        def create(self, body):
            attempts.append(1)
            return self.inner.create(body)

        def __getattr__(self, name):
            return getattr(self.inner, name)

    def waiter():
        with lake_lock(settings, "catalog", timeout=60, poll=0.02, store=CountingStore()):
            events.append("waiter in")

    with lake_lock(settings, "transform"):
        events.append("holder in")
        thread = threading.Thread(target=waiter)
        thread.start()
        while len(attempts) < 3:  # the waiter has tried and been refused: it is waiting
            time.sleep(0.01)
        events.append("holder out")
    thread.join(timeout=60)
    assert events == ["holder in", "holder out", "waiter in"]
    assert not lock_path(settings).exists()


def test_the_lock_is_reentrant_within_a_run(settings):
    with lake_lock(settings, "run") as outer:
        with lake_lock(settings, "transform", timeout=0) as inner:
            assert inner == outer
        assert json.loads(lock_path(settings).read_text())["token"] == outer.token
    assert not lock_path(settings).exists()


def test_an_unreadable_lock_file_is_stale(settings):
    path = lock_path(settings)
    path.parent.mkdir(parents=True)
    path.write_text("")  # a writer killed between create and write
    with lake_lock(settings, "run", timeout=0) as me:
        assert json.loads(path.read_text())["token"] == me.token


def test_staleness_checks_pid_reuse_and_time_to_live():
    me = psutil.Process()
    here = LockOwner(me.pid, socket.gethostname(), time.time(), "run", "t")
    assert not is_stale(here)
    # Our pid, but this process started after the lock was taken: the pid was reused.
    assert is_stale(LockOwner(me.pid, here.host, me.create_time() - 60, "run", "t"))
    away = LockOwner(1, "another-host", time.time(), "run", "t", ttl=3600)
    assert not is_stale(away)  # another host's pid cannot be checked: trusted until its TTL
    assert is_stale(away, now=away.started + 3601)


def _contend(settings, store) -> list[str]:
    """Try the lock from another thread (the lock is reentrant per thread); return its errors."""
    errors = []

    def attempt():
        try:
            with lake_lock(settings, "run", timeout=0, store=store):
                pass
        except LakeLockedError as exc:
            errors.append(str(exc))

    thread = threading.Thread(target=attempt)
    thread.start()
    thread.join(timeout=60)
    return errors


@pytest.mark.aws
def test_the_s3_lock_uses_conditional_writes(aws):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="lock-test")
    key = {"Bucket": "lock-test", "Key": "_locks/pipeline.lock"}
    first, second = S3LockStore(s3, "lock-test"), S3LockStore(s3, "lock-test")
    settings = Settings(backend="aws", bucket="lock-test")
    with lake_lock(settings, "run", store=first) as me:
        assert json.loads(s3.get_object(**key)["Body"].read())["token"] == me.token
        assert not second.create(b"{}")  # If-None-Match: * refuses an existing lock
        (error,) = _contend(settings, second)
        assert f"pid {me.pid}" in error and "s3://lock-test/_locks/pipeline.lock" in error
    assert "Contents" not in s3.list_objects_v2(Bucket="lock-test", Prefix="_locks/")
    # A lock past its time to live is taken over with If-Match on its ETag, by one run only.
    old = LockOwner(1, "gone-host", time.time() - 7200, "run", "old", ttl=60)
    s3.put_object(**key, Body=old.to_bytes())
    with lake_lock(settings, "run", timeout=0, store=second) as me:
        assert json.loads(s3.get_object(**key)["Body"].read())["token"] == me.token
        assert not second.replace(b"{}", s3.head_object(**key)["ETag"] + "x")  # stale ETag
        assert len(_contend(settings, first)) == 1


@pytest.mark.parametrize("command", ["upload", "transform", "catalog", "run"])
def test_a_stage_started_while_a_run_holds_the_lake_stops_and_writes_nothing(
    settings, holder, tmp_path, capsys, monkeypatch, command
):
    source = tmp_path / "src"
    generate(source, movies=5, seed=1, files=["links.csv"], progress=False)
    monkeypatch.setenv("MOVIES_LOCK_TIMEOUT", "0.5")
    args = {
        "upload": ["--source", str(source)],
        "run": ["--source", str(source), "--outputs", str(tmp_path / "out")],
    }.get(command, [])
    code = main([command, *args, "--lake", str(settings.lake_dir)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"movie-pipeline: error: the lake is busy: pid {holder.pid}" in err
    assert "Traceback" not in err
    # Nothing interleaved with the holder's writes: no raw file, no table, no catalog.
    assert not Path(settings.bucket_root).exists() and not settings.catalog_path.exists()
    assert json.loads(lock_path(settings).read_text())["pid"] == holder.pid
