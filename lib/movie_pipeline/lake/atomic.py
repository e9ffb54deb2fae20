"""Atomic table outputs: stage each table, check it is whole, then swap it in at once.

A run writes every table to ``<lake>/_atomic/<bucket>/<run>/<prefix>/<table>/`` (beside the
bucket folder, so the bucket holds only what S3 would). Once a staged table is checked (Spark's
``_SUCCESS`` marker, readable Parquet footers, the expected row count), the run writes a
journal listing its tables, then swaps each one into ``<bucket>/<prefix>/<table>/`` with two
renames: the old folder into the run's folder, the staged folder into its place. A reader sees
the old complete folder or the new one, never a mix; between the two renames the table is
absent for an instant, and a reader then fails, as one does that listed the old files just
before a swap. The old version is deleted with the run's folder.

A killed run leaves its folder behind: :func:`recover` (run under the lake lock, before the
next run writes) deletes it, or, when the journal says the swaps had begun, finishes them (a
run killed between a swap's two renames leaves that table absent until then). The
S3 equivalent (a new versioned prefix per run, then ``update_table`` pointing the Glue table's
Location at it) is described in docs/hardening.md; on the aws backend tables are written in
place, as before.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from movie_pipeline.config import PipelineError, Settings
from movie_pipeline.errors import UnsafeNameError
from movie_pipeline.lake.footers import count_rows

JOURNAL = "COMMIT.json"
MARKER = "_version.json"  # hidden from Athena, Spark and DuckDB's *.parquet globs
_SAFE_PART = re.compile(r"^[A-Za-z0-9_=.-]+$")


class IncompleteTableError(PipelineError, RuntimeError):
    """A staged table is not whole (no files, no ``_SUCCESS``, wrong row count): not published."""


def new_run_id() -> str:
    """A run id that sorts by time and never repeats: ``20250101T120000Z-4242-1a2b3c``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def staging_root(settings: Settings) -> Path:
    """``<lake>/_atomic/<bucket>``: where runs stage their tables (local backend)."""
    return settings.lake_dir / "_atomic" / settings.bucket


def relative_key(settings: Settings, final_uri: str) -> PurePosixPath:
    """The table's key in the bucket (``cleaned/cast_data``); refuses anything outside it.

    Raises:
        UnsafeNameError: the URI is not under the bucket, or a part is empty, ``..``, ``.`` or
            holds a character outside ``A-Z a-z 0-9 _ = . -``.
    """
    root = settings.bucket_root.rstrip("/") + "/"
    if not str(final_uri).startswith(root):
        raise UnsafeNameError(f"{final_uri} is not inside the lake's bucket {root}")
    parts = str(final_uri)[len(root) :].rstrip("/").split("/")
    bad = [p for p in parts if p in ("", ".", "..") or not _SAFE_PART.match(p)]
    rel = PurePosixPath(*parts)
    if bad:
        raise UnsafeNameError(f"unsafe table path {str(final_uri)!r}: {bad or 'empty'}")
    return rel


def _visible_parquet(folder: Path) -> list[Path]:
    # Spark's .crc files and _SUCCESS, and our marker, are not data (Athena skips them too).
    return sorted(
        p
        for p in folder.rglob("*.parquet")
        if not any(part.startswith(("_", ".")) for part in p.relative_to(folder).parts)
    )


def check_complete(folder: Path, expected_rows: int | None = None) -> int:
    """Return the rows of a written table folder, or raise if it is not whole.

    Args:
        folder: the table's folder (partition sub-folders included); Spark's ``_SUCCESS``
            marker, written when the job commits, must be there.
        expected_rows: the row count it must hold (None: any).

    Raises:
        IncompleteTableError: naming the folder and what is missing.
    """
    if not folder.is_dir():
        raise IncompleteTableError(f"{folder}: nothing was written")
    if (folder / "_temporary").exists():
        raise IncompleteTableError(f"{folder}: a write is still in progress (_temporary)")
    if not (folder / "_SUCCESS").exists():
        raise IncompleteTableError(f"{folder}: no _SUCCESS marker, the write did not finish")
    files = _visible_parquet(folder)
    if not files:
        raise IncompleteTableError(f"{folder}: no Parquet files")
    try:
        rows = count_rows(None, files)
    except OSError as exc:  # a truncated file has no footer
        raise IncompleteTableError(f"{folder}: unreadable Parquet ({exc})") from exc
    if expected_rows is not None and rows != expected_rows:
        raise IncompleteTableError(f"{folder}: {rows:,} rows written, {expected_rows:,} expected")
    return rows


def swap_in(staged: Path, final: Path) -> None:
    """Put ``staged`` at ``final``; the old ``final`` (if any) moves beside ``staged``.

    A folder cannot be renamed over one that holds files, so the old one moves first. Linux's
    ``renameat2(RENAME_EXCHANGE)`` swaps both in one call, closing the instant between the
    renames, but Python reaches it only through ctypes and only on Linux; and a reader racing a
    swap can fail with it too (the files it listed are gone), so it shortens the window in
    which a reader fails without adding a guarantee: a reader gets one whole version or an
    error either way.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        os.rename(final, staged.with_name(staged.name + ".old"))  # deleted with the run's folder
    os.rename(staged, final)


def _unique_names(folder: Path, run_id: str) -> None:
    """Put the run id in every data file's name (Spark's names are unique already, others'
    are not): a reader that listed the old files can then fail to open one after the swap,
    but never open a new file under an old name and mix two versions."""
    for f in _visible_parquet(folder):
        if run_id not in f.name:
            new = f.with_name(f"{f.name.removesuffix('.parquet')}.{run_id}.parquet")
            crc = f.with_name(f".{f.name}.crc")  # Hadoop's checksum file follows its data file
            f.rename(new)
            if crc.exists():
                crc.rename(new.with_name(f".{new.name}.crc"))


def _marker(folder: Path) -> str | None:
    try:
        return json.loads((folder / MARKER).read_text())["run"]
    except (OSError, ValueError, KeyError):
        return None


class Publication:
    """The tables one run writes: staged apart, checked, then published together.

    Examples:
        >>> pub = Publication(settings)                       # doctest: +SKIP
        >>> df.write.parquet(pub.target(settings.cleaned_uri("links")))
        >>> pub.validate(settings.cleaned_uri("links"), expected_rows=40)
        >>> pub.commit()   # every table swapped in; nothing changed if any step failed
    """

    def __init__(self, settings: Settings, run_id: str | None = None):
        self.settings = settings
        self.run_id = run_id or new_run_id()
        self.local = settings.backend != "aws"
        self.root = staging_root(settings) / self.run_id
        self.staged: dict[PurePosixPath, Path] = {}
        self.rows: dict[PurePosixPath, int] = {}

    def target(self, final_uri: str) -> str:
        """Where to write the table that will be published at ``final_uri``.

        On the aws backend this is ``final_uri`` itself (written in place; see the module
        docstring).
        """
        if not self.local:
            return final_uri
        rel = relative_key(self.settings, final_uri)
        staged = self.root / rel
        if staged.exists():
            shutil.rmtree(staged)
        staged.parent.mkdir(parents=True, exist_ok=True)
        self.staged[rel] = staged
        return str(staged)

    def validate(self, final_uri: str, expected_rows: int | None = None) -> int | None:
        """Check the staged table is whole and mark it with the run id; return its rows.

        Raises:
            IncompleteTableError: the staged table is missing, unfinished or miscounted.
        """
        if not self.local:
            return None
        rel = relative_key(self.settings, final_uri)
        if rel not in self.staged:
            raise IncompleteTableError(f"{final_uri} was not staged by run {self.run_id}")
        rows = check_complete(self.staged[rel], expected_rows)
        _unique_names(self.staged[rel], self.run_id)
        (self.staged[rel] / MARKER).write_text(json.dumps({"run": self.run_id, "rows": rows}))
        self.rows[rel] = rows
        return rows

    def commit(self) -> list[str]:
        """Swap every staged table in, then delete the run's folder; return the tables' URIs.

        Raises:
            IncompleteTableError: a staged table was not validated (nothing is swapped).
        """
        if not self.local:
            return []
        pending = sorted(str(rel) for rel in self.staged if rel not in self.rows)
        if pending:
            raise IncompleteTableError(
                f"run {self.run_id}: not validated, not published: {pending}"
            )
        tables = sorted(str(rel) for rel in self.staged)
        if tables:
            # The journal makes the swaps one decision: once it exists, recovery finishes them.
            tmp = self.root / f"{JOURNAL}.tmp"
            tmp.write_text(json.dumps({"run": self.run_id, "tables": tables}))
            os.replace(tmp, self.root / JOURNAL)
            _finish(self.settings, self.root, tables)
        self.abort()
        return [self.settings.uri(t) for t in tables]

    def abort(self) -> None:
        """Drop everything staged (the published tables stay as they were)."""
        shutil.rmtree(self.root, ignore_errors=True)


def _finish(settings: Settings, run_dir: Path, tables: list[str]) -> list[str]:
    done = []
    for rel in tables:
        final, staged = Path(settings.uri(rel)), run_dir / rel
        if _marker(final) != run_dir.name and _marker(staged) == run_dir.name:
            swap_in(staged, final)
            done.append(rel)
    return done


def recover(settings: Settings) -> list[str]:
    """Clean up after runs that were killed; call it holding the lake lock, before writing.

    A run folder with a journal was killed while swapping: its remaining swaps are finished
    (its tables were all checked before the journal was written). Any other run folder was
    killed while writing: it is deleted, and the published tables were never touched.

    Returns:
        One sentence per action, for the log.
    """
    root = staging_root(settings)
    actions = []
    for run_dir in sorted(root.iterdir()) if root.is_dir() else []:
        journal = run_dir / JOURNAL
        if journal.exists():
            tables = json.loads(journal.read_text())["tables"]
            done = _finish(settings, run_dir, tables)
            actions.append(f"finished publishing {', '.join(done) or 'nothing left'} "
                           f"for interrupted run {run_dir.name}")  # fmt: skip
        else:
            staged = sorted(str(p.relative_to(run_dir)) for p in run_dir.glob("*/*") if p.is_dir())
            actions.append(f"discarded interrupted run {run_dir.name} (never published"
                           f"{': ' + ', '.join(staged) + ' were staged' if staged else ''})")  # fmt: skip
        shutil.rmtree(run_dir)
    return actions
