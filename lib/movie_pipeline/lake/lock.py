"""One run at a time per lake: an exclusive lock that names its holder and recovers from dead ones.

Locally the lock is the file ``<lake>/_locks/<bucket>.lock``, created with ``O_EXCL``; on AWS
it is the object ``s3://<bucket>/_locks/pipeline.lock``, created with a conditional put
(``If-None-Match: *``). Both hold the owner (pid, host, start time, command) as JSON. A second
run waits up to a timeout, then stops with a message naming the holder. A lock whose holder is
gone (same host and its pid is not running, or older than its time to live) is taken over with
a compare-and-swap, so two waiters cannot both take it.

Examples:
    >>> with lake_lock(settings, "transform"):   # doctest: +SKIP
    ...     run_etl(spark, settings)
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil

from movie_pipeline.config import Settings
from movie_pipeline.errors import LakeLockedError
from movie_pipeline.progress import say

# How long a second run waits for the lock by default (MOVIES_LOCK_TIMEOUT overrides), and how
# long a lock taken on another host counts as alive (MOVIES_LOCK_TTL): longer than any run.
DEFAULT_TIMEOUT = 30.0
DEFAULT_TTL = 6 * 3600.0
S3_LOCK_KEY = "_locks/pipeline.lock"

_held = threading.local()  # {lock name: (owner, depth)} of this thread: the lock is reentrant


@dataclass(frozen=True)
class LockOwner:
    """Who holds a lock: enough to find the process, and a token that is only ever theirs."""

    pid: int
    host: str
    started: float
    command: str
    token: str
    ttl: float = DEFAULT_TTL

    @classmethod
    def me(cls, command: str, ttl: float = DEFAULT_TTL) -> LockOwner:
        return cls(os.getpid(), socket.gethostname(), time.time(), command, uuid.uuid4().hex, ttl)

    def describe(self) -> str:
        """``pid 4242 on host-a, running 'transform' since 2025-01-01 12:00:00 UTC``."""
        since = datetime.fromtimestamp(self.started, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"pid {self.pid} on {self.host}, running {self.command!r} since {since}"

    def to_bytes(self) -> bytes:
        return json.dumps(asdict(self)).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> LockOwner | None:
        """The owner in a lock's body, or None when the body is not one (a writer died)."""
        try:
            return cls(**json.loads(data))
        except (ValueError, TypeError):
            return None


def is_stale(owner: LockOwner | None, now: float | None = None) -> bool:
    """True when the lock's holder cannot still be running.

    On this host: its pid is gone, or belongs to a process started after the lock was taken
    (the pid was reused). Anywhere: the lock is older than its time to live. An unreadable
    lock is stale: the lock is written whole in one call, so only a dead writer leaves one.
    """
    if owner is None:
        return True
    if (now or time.time()) - owner.started > owner.ttl:
        return True
    if owner.host != socket.gethostname():
        return False
    try:
        return psutil.Process(owner.pid).create_time() > owner.started + 1
    except psutil.NoSuchProcess:
        return True


class LocalLockStore:
    """The lock as a file. Every step runs under ``flock`` on a guard file beside it, so a
    reader never sees a half-written lock and a stale lock is replaced by one waiter only."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.name = str(self.path)

    @contextmanager
    def _guard(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_name(self.path.name + ".guard"), os.O_CREAT | os.O_RDWR)
        try:
            try:
                import fcntl  # POSIX; without it the O_EXCL create alone still excludes
            except ImportError:  # pragma: no cover - Windows
                fcntl = None
            if fcntl:
                fcntl.flock(fd, fcntl.LOCK_EX)  # released by the kernel if we die
            yield
        finally:
            os.close(fd)

    def _read(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None

    def create(self, body: bytes) -> bool:
        with self._guard():
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                return False
            with os.fdopen(fd, "wb") as fh:
                fh.write(body)
                fh.flush()
                os.fsync(fh.fileno())
            return True

    def read(self) -> tuple[bytes, bytes] | None:
        with self._guard():
            data = self._read()
        return None if data is None else (data, data)

    def replace(self, body: bytes, tag: bytes) -> bool:
        with self._guard():
            if self._read() != tag:
                return False
            tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(body)
            os.replace(tmp, self.path)
            return True

    def delete(self, tag: bytes) -> None:
        with self._guard():
            if self._read() == tag:
                self.path.unlink()


class S3LockStore:
    """The lock as an S3 object, with conditional requests: create with ``If-None-Match: *``,
    take over and delete with ``If-Match: <etag>`` (S3 conditional writes, 2024)."""

    def __init__(self, s3, bucket: str, key: str = S3_LOCK_KEY):
        self.s3, self.bucket, self.key = s3, bucket, key
        self.name = f"s3://{bucket}/{key}"

    @staticmethod
    def _refused(exc) -> bool:
        code = exc.response.get("Error", {}).get("Code", "")
        return code in ("PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey", "404",
                        "412", "409")  # fmt: skip

    def _put(self, body: bytes, **condition) -> bool:
        from botocore.exceptions import ClientError

        from movie_pipeline.lake.storage import MissingResourceError

        try:
            self.s3.put_object(Bucket=self.bucket, Key=self.key, Body=body, **condition)
            return True
        except ClientError as exc:
            if self._refused(exc):
                return False
            if exc.response.get("Error", {}).get("Code") == "NoSuchBucket":
                raise MissingResourceError(
                    f"bucket {self.bucket} does not exist: run `movie-pipeline setup-aws` first"
                ) from exc
            raise

    def create(self, body: bytes) -> bool:
        return self._put(body, IfNoneMatch="*")

    def read(self) -> tuple[bytes, str] | None:
        try:
            got = self.s3.get_object(Bucket=self.bucket, Key=self.key)
        except self.s3.exceptions.NoSuchKey:
            return None
        return got["Body"].read(), got.get("ETag")

    def replace(self, body: bytes, tag: str) -> bool:
        return self._put(body, IfMatch=tag)

    def delete(self, tag: str) -> None:
        from botocore.exceptions import ClientError

        try:  # a dry run's canned answers carry no ETag
            condition = {"IfMatch": tag} if tag else {}
            self.s3.delete_object(Bucket=self.bucket, Key=self.key, **condition)
        except ClientError as exc:
            if not self._refused(exc):
                raise


def lock_path(settings: Settings) -> Path:
    """The local lock file: ``<lake>/_locks/<bucket>.lock`` (beside the bucket, not in it)."""
    return settings.lake_dir / "_locks" / f"{settings.bucket}.lock"


def lock_store(settings: Settings, session=None):
    """The lake's lock: a file for the local backend, an S3 object for the aws backend."""
    if settings.backend != "aws":
        return LocalLockStore(lock_path(settings))
    from movie_pipeline.aws.session import boto3_session

    return S3LockStore((session or boto3_session(settings)).client("s3"), settings.bucket)


def try_acquire(store, owner: LockOwner) -> tuple[bool, LockOwner | None]:
    """One attempt: ``(True, None)`` when taken, else ``(False, the live holder)``."""
    body = owner.to_bytes()
    for _ in range(5):  # a holder can release between our two calls: look again
        if store.create(body):
            return True, None
        current = store.read()
        if current is None:
            continue
        data, tag = current
        holder = LockOwner.from_bytes(data)
        if not is_stale(holder):
            return False, holder
        if store.replace(body, tag):
            gone = holder.describe() if holder else "an unreadable lock"
            say(f"lock {store.name}: took over from {gone}, which is no longer running")
            return True, None
    return False, None


def _env_seconds(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


@contextmanager
def lake_lock(
    settings: Settings, command: str = "run", timeout: float | None = None,
    poll: float = 0.25, store=None,
) -> Iterator[LockOwner]:  # fmt: skip
    """Hold the lake's lock for the block; reentrant within a thread.

    Args:
        settings: the lake (local folder or bucket).
        command: what this run does, shown to anyone who waits for it.
        timeout: seconds to wait for a busy lock (default ``MOVIES_LOCK_TIMEOUT`` or 30).
        poll: seconds between attempts.
        store: the lock store (default :func:`lock_store`).

    Yields:
        This run's LockOwner.

    Raises:
        LakeLockedError: the lock stayed busy for ``timeout`` seconds; names the holder.
    """
    store = store or lock_store(settings)
    held = getattr(_held, "locks", None)
    if held is None:
        held = _held.locks = {}
    if store.name in held:  # a stage inside `run`, or run_etl inside `transform`
        owner, depth = held[store.name]
        held[store.name] = (owner, depth + 1)
        try:
            yield owner
        finally:
            held[store.name] = (owner, depth)
        return
    timeout = _env_seconds("MOVIES_LOCK_TIMEOUT", DEFAULT_TIMEOUT) if timeout is None else timeout
    owner = LockOwner.me(command, _env_seconds("MOVIES_LOCK_TTL", DEFAULT_TTL))
    deadline = time.monotonic() + timeout
    told = False
    while True:
        taken, holder = try_acquire(store, owner)
        if taken:
            break
        if time.monotonic() >= deadline:
            who = holder.describe() if holder else "another run"
            raise LakeLockedError(
                f"the lake is busy: {who} holds {store.name}. Waited {timeout:g} s; run again "
                "when it has finished (MOVIES_LOCK_TIMEOUT sets the wait). Nothing was written."
            )
        if not told and holder:
            say(f"waiting up to {timeout:g} s for the lake lock: {holder.describe()}")
            told = True
        time.sleep(poll)
    held[store.name] = (owner, 1)
    try:
        yield owner
    finally:
        del held[store.name]
        current = store.read()
        if current and LockOwner.from_bytes(current[0]) == owner:
            store.delete(current[1])
