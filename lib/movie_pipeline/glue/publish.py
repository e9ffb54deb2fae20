"""A Glue run's tables published whole or not at all: staged under tmp/, switched in at the end.

The Glue job writes each table (cleaned and quarantine) to
``<temp_prefix>/publish/<run>/<prefix>/<table>/`` instead of its published folder, so a run
that fails part-way (an executor lost, a table that does not reconcile, a timeout) leaves every
published table as it was, and the catalog keeps pointing at complete data. Only when the whole
ETL has returned (every table written, the reconciliation added up) does :func:`run_published`
switch the tables in: it writes a journal listing them, then for each table copies the staged
objects into the published folder and deletes the objects of the previous version.

This mirrors ``atomic.Publication`` (the local path) with what S3 offers: S3 has no rename, so
the switch of one table is a server-side copy then a delete, not one step. During those seconds
a reader of that table can see the new files next to the old ones; it never sees a table that a
failed run emptied or half wrote. A run killed during the switch is finished by the next run's
:func:`recover` (the journal says which tables to switch; switching again is harmless), and a
run killed before it leaves only its staging folder, which :func:`recover` deletes. Table
locations never change, so the Glue Data Catalog needs no update; ``pipeline.register`` runs
after the job has succeeded.

The same code runs on the local lake (the job run outside Glue, and its tests): the bucket is
then the lake's bucket folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from movie_pipeline.config import PipelineError, Settings
from movie_pipeline.progress import say

STAGING = "publish"
JOURNAL = "COMMIT.json"
_SAFE_PART = re.compile(r"^[A-Za-z0-9_=.-]+$")


class S3Store:
    """The bucket through boto3: list, server-side copy, delete and small text objects."""

    def __init__(self, s3, bucket: str):
        self.s3, self.bucket = s3, bucket

    def list(self, prefix: str) -> list[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))

    def copy(self, source: str, key: str) -> None:
        # Parquet parts are far below CopyObject's 5 GB limit for one request.
        self.s3.copy_object(
            Bucket=self.bucket, Key=key, CopySource={"Bucket": self.bucket, "Key": source}
        )

    def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):  # DeleteObjects takes at most 1000 keys
            batch = [{"Key": k} for k in keys[start : start + 1000]]
            answer = self.s3.delete_objects(
                Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
            )
            if answer.get("Errors"):
                raise RuntimeError(f"S3 could not delete: {answer['Errors'][:3]}")

    def put_text(self, key: str, text: str) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=text.encode("utf-8"))

    def get_text(self, key: str) -> str | None:
        try:
            return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read().decode("utf-8")
        except self.s3.exceptions.NoSuchKey:
            return None


class FolderStore:
    """The local lake's bucket folder, with the same operations as :class:`S3Store`."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def list(self, prefix: str) -> list[str]:
        base = self.root / prefix.rstrip("/")
        files = base.rglob("*") if base.is_dir() else []
        return sorted(p.relative_to(self.root).as_posix() for p in files if p.is_file())

    def copy(self, source: str, key: str) -> None:
        dest = self.root / key
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.copying")
        shutil.copyfile(self.root / source, tmp)
        os.replace(tmp, dest)  # a reader sees the whole file or none, as with S3

    def delete(self, keys: list[str]) -> None:
        for key in keys:
            path = self.root / key
            path.unlink(missing_ok=True)
            # S3 has no folders: an emptied one goes too (a stale empty partition folder would
            # still be listed by Spark).
            for parent in path.parents:
                if parent == self.root or not parent.is_dir() or any(parent.iterdir()):
                    break
                parent.rmdir()

    def put_text(self, key: str, text: str) -> None:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def get_text(self, key: str) -> str | None:
        path = self.root / key
        return path.read_text(encoding="utf-8") if path.is_file() else None


def store_for(settings: Settings, s3=None) -> S3Store | FolderStore:
    """The bucket of ``settings``: S3 (``s3`` or a new client) on aws, the folder locally."""
    if settings.backend == "aws":
        if s3 is None:
            import boto3  # Glue provides it; the job's role supplies the credentials

            s3 = boto3.client("s3", region_name=settings.region)
        return S3Store(s3, settings.bucket)
    return FolderStore(settings.bucket_root)


def new_run_id() -> str:
    """A staging folder name that sorts by time and never repeats."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def staging_prefix(settings: Settings) -> str:
    """``<temp_prefix>/publish``: every run's staging folder is under it."""
    return f"{settings.temp_prefix}/{STAGING}"


def _relative(settings: Settings, final_uri: str) -> str:
    """The table's key prefix in the bucket (``cleaned/cast_data``); nothing outside it."""
    root = settings.bucket_root.rstrip("/") + "/"
    parts = str(final_uri)[len(root) :].rstrip("/").split("/")
    if not str(final_uri).startswith(root) or any(
        p in ("", ".", "..") or not _SAFE_PART.match(p) for p in parts
    ):
        raise PipelineError(f"{final_uri} is not a table folder inside the bucket {root}")
    return "/".join(parts)


def _switch(store, run_root: str, table: str) -> None:
    """Put the staged version of ``table`` in place, then delete the previous version's objects.

    Copying first means the table is never absent; an object of the previous version with the
    same name as a new one is overwritten, not deleted. Running it twice is harmless.
    """
    staged = f"{run_root}/{table}/"
    new = [k[len(staged) :] for k in store.list(staged)]
    for name in new:
        store.copy(staged + name, f"{table}/{name}")
    keep = set(new)
    store.delete([k for k in store.list(f"{table}/") if k[len(table) + 1 :] not in keep])


class StagedTables:
    """The tables one run writes, staged apart and switched in together.

    Examples:
        >>> tables = StagedTables(settings)                  # doctest: +SKIP
        >>> df.write.parquet(tables.target(settings.cleaned_uri("links")))
        >>> tables.commit()   # every table switched in; nothing changed if the run failed
    """

    def __init__(self, settings: Settings, store=None, run_id: str | None = None):
        self.settings = settings
        self.store = store or store_for(settings)
        self.run_id = run_id or new_run_id()
        self.root = f"{staging_prefix(settings)}/{self.run_id}"
        self.tables: list[str] = []

    def target(self, final_uri: str) -> str:
        """Where to write the table that is published at ``final_uri`` (in this run's folder)."""
        table = _relative(self.settings, final_uri)
        if table not in self.tables:
            self.tables.append(table)
        return self.settings.uri(self.root, table)

    def commit(self) -> list[str]:
        """Switch every staged table in, then delete the run's folder; return the tables' URIs."""
        if self.tables:
            # The journal makes the switches one decision: once it exists, recover() finishes.
            self.store.put_text(
                f"{self.root}/{JOURNAL}", json.dumps({"run": self.run_id, "tables": self.tables})
            )
            for table in self.tables:
                _switch(self.store, self.root, table)
        self.abort()
        return [self.settings.uri(t) for t in self.tables]

    def abort(self) -> None:
        """Delete everything this run staged (the published tables stay as they were)."""
        self.store.delete(self.store.list(f"{self.root}/"))


def recover(settings: Settings, store=None) -> list[str]:
    """Finish or discard what killed runs left under the staging prefix; call it before a run.

    Returns:
        One sentence per run folder found, for the log.
    """
    store = store or store_for(settings)
    base = f"{staging_prefix(settings)}/"
    runs = sorted({k[len(base) :].split("/", 1)[0] for k in store.list(base)})
    actions = []
    for run in runs:
        root = f"{base}{run}"
        journal = store.get_text(f"{root}/{JOURNAL}")
        if journal:
            tables = json.loads(journal)["tables"]
            for table in tables:
                _switch(store, root, table)
            actions.append(f"finished publishing {', '.join(tables)} for interrupted run {run}")
        else:
            actions.append(f"discarded the staged tables of interrupted run {run}")
        store.delete(store.list(f"{root}/"))
    return actions


def run_published(
    settings: Settings, run: Callable[[Callable[[str], str]], dict], store=None
) -> dict:
    """Run the ETL with its tables staged, and publish them only if it returns.

    Args:
        settings: the lake.
        run: the ETL, given the function that maps a table's published URI to the one to write
            (``lambda table_uri: run_etl(spark, settings, io=..., table_uri=table_uri)``).
        store: the bucket (default :func:`store_for`).

    Returns:
        What ``run`` returned.

    Raises:
        Whatever ``run`` raised, after its staged tables were deleted; the published tables are
        then exactly as before the run.
    """
    store = store or store_for(settings)
    for action in recover(settings, store):  # one job run at a time: no other run is staging
        say(action)
    tables = StagedTables(settings, store)
    try:
        result = run(tables.target)
    except BaseException:
        tables.abort()
        raise
    say(f"publish {len(tables.tables)} tables (run {tables.run_id})")
    tables.commit()
    return result
