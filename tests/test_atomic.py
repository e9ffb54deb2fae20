"""Atomic outputs: a table is swapped in whole or not at all, and killed runs are cleaned up."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lake_tables import write_cleaned_local
from movie_pipeline import pipeline
from movie_pipeline.catalog.register import register_local
from movie_pipeline.config import Settings
from movie_pipeline.errors import UnsafeNameError
from movie_pipeline.generator import generate
from movie_pipeline.lake import atomic
from movie_pipeline.lake.atomic import IncompleteTableError, Publication, recover, staging_root
from movie_pipeline.lake.lock import lock_path


@pytest.fixture
def settings(tmp_path):
    return Settings(lake_dir=tmp_path / "lake")


def _write(folder: str | Path, first: int, rows: int, files: int = 3, success: bool = True):
    """A Spark-like table folder: ``files`` Parquet parts holding ids first..first+rows-1."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ids = list(range(first, first + rows))
    for i in range(files):
        part = ids[i::files]
        pq.write_table(pa.table({"id": pa.array(part, pa.int64())}), folder / f"part-{i}.parquet")
    if success:
        (folder / "_SUCCESS").write_bytes(b"")


def _ids(settings: Settings, table: str) -> list[int]:
    glob = f"{settings.cleaned_uri(table)}/**/*.parquet"
    return [
        r[0] for r in duckdb.execute(f"select id from read_parquet('{glob}') order by 1").fetchall()
    ]


def _publish(settings, tables: dict[str, tuple[int, int]]) -> list[str]:
    pub = Publication(settings)
    for table, (first, rows) in tables.items():
        _write(pub.target(settings.cleaned_uri(table)), first, rows)
        pub.validate(settings.cleaned_uri(table), expected_rows=rows)
    return pub.commit()


def test_a_staged_table_is_invisible_until_commit(settings):
    _publish(settings, {"links": (0, 10)})
    pub = Publication(settings)
    staged = pub.target(settings.cleaned_uri("links"))
    assert Path(staged).is_relative_to(staging_root(settings))  # beside the bucket, not in it
    _write(staged, 100, 7)
    assert _ids(settings, "links") == list(range(10))
    assert pub.validate(settings.cleaned_uri("links"), expected_rows=7) == 7
    assert _ids(settings, "links") == list(range(10))
    assert pub.commit() == [settings.cleaned_uri("links")]
    assert _ids(settings, "links") == list(range(100, 107))
    assert list(staging_root(settings).iterdir()) == []  # the old version went with the run


@pytest.mark.parametrize(
    ("success", "expected", "problem"),
    [(False, 5, "no _SUCCESS marker"), (True, 6, "5 rows written, 6 expected")],
)
def test_an_incomplete_table_is_refused_and_nothing_changes(settings, success, expected, problem):
    _publish(settings, {"links": (0, 10), "ratings": (0, 4)})
    pub = Publication(settings)
    _write(pub.target(settings.cleaned_uri("ratings")), 50, 2)
    pub.validate(settings.cleaned_uri("ratings"), expected_rows=2)
    _write(pub.target(settings.cleaned_uri("links")), 100, 5, success=success)
    with pytest.raises(IncompleteTableError, match=problem):
        pub.validate(settings.cleaned_uri("links"), expected_rows=expected)
    with pytest.raises(IncompleteTableError, match="not validated"):
        pub.commit()  # all or nothing: ratings, which was fine, is not published either
    pub.abort()
    assert _ids(settings, "links") == list(range(10)) and _ids(settings, "ratings") == list(
        range(4)
    )
    assert list(staging_root(settings).iterdir()) == []


def test_recover_discards_a_run_killed_while_writing(settings):
    _publish(settings, {"links": (0, 10)})
    killed = Publication(settings, run_id="20250101T000000Z-1-dead")
    _write(killed.target(settings.cleaned_uri("links")), 100, 5, success=False)  # cut short
    (actions,) = recover(settings)
    assert "discarded interrupted run 20250101T000000Z-1-dead" in actions
    assert "cleaned/links were staged" in actions
    assert _ids(settings, "links") == list(range(10))
    assert list(staging_root(settings).iterdir()) == []


def test_recover_finishes_a_run_killed_while_swapping(settings, monkeypatch):
    _publish(settings, {"links": (0, 10), "ratings": (0, 4)})
    swaps = []

    def die_after_first_swap(staged, final):
        if swaps:
            raise KeyboardInterrupt("killed")  # what SIGKILL would do between two swaps
        swaps.append(final)
        real_swap(staged, final)

    real_swap = atomic.swap_in
    monkeypatch.setattr(atomic, "swap_in", die_after_first_swap)
    with pytest.raises(KeyboardInterrupt):
        _publish(settings, {"links": (100, 5), "ratings": (200, 3)})
    monkeypatch.setattr(atomic, "swap_in", real_swap)
    assert _ids(settings, "links") == list(range(100, 105))  # swapped before the kill
    assert _ids(settings, "ratings") == list(range(4))  # not yet
    (action,) = recover(settings)
    assert action.startswith("finished publishing cleaned/ratings for interrupted run")
    assert _ids(settings, "ratings") == list(range(200, 203))
    assert _ids(settings, "links") == list(range(100, 105))  # not swapped back
    assert list(staging_root(settings).iterdir()) == []


def test_recover_finishes_a_swap_killed_between_its_two_renames(settings, monkeypatch):
    _publish(settings, {"links": (0, 10)})
    pub = Publication(settings)
    _write(pub.target(settings.cleaned_uri("links")), 100, 5)
    pub.validate(settings.cleaned_uri("links"), expected_rows=5)
    renames, real_rename = [], os.rename

    def die_before_the_second_rename(src, dst):
        renames.append(dst)
        if len(renames) == 2:
            raise KeyboardInterrupt("killed")  # what SIGKILL would do between the renames
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", die_before_the_second_rename)
    with pytest.raises(KeyboardInterrupt):
        pub.commit()
    monkeypatch.undo()
    assert not Path(settings.cleaned_uri("links")).exists()  # the old version moved aside
    (action,) = recover(settings)
    assert action.startswith("finished publishing cleaned/links for interrupted run")
    assert _ids(settings, "links") == list(range(100, 105))
    assert list(staging_root(settings).iterdir()) == []


def test_a_reader_sees_the_old_or_the_new_table_never_a_mix(settings):
    """Versions of 3 files each: a reader catching a half-swapped folder would count 3..9 ids
    from two versions, or ids of both ranges."""
    _publish(settings, {"links": (0, 9)})
    seen, failed, stop = set(), [], threading.Event()
    glob = f"{settings.cleaned_uri('links')}/*.parquet"

    def reader():
        con = duckdb.connect()
        while not stop.is_set():
            try:
                ids = con.execute(
                    f"select list(id order by id) from read_parquet('{glob}')"
                ).fetchone()[0]
                seen.add(tuple(ids))
            except duckdb.Error:
                failed.append(1)  # a file renamed away between DuckDB's glob and its open

    thread = threading.Thread(target=reader)
    thread.start()
    while not seen and thread.is_alive():  # the reader is reading
        time.sleep(0.001)
    runs = 1
    while len(seen) < 3 and runs < 300:  # publish until the reader has seen versions change
        _publish(settings, {"links": (runs * 100, 9)})
        runs += 1
    stop.set()
    thread.join(timeout=60)
    versions = {tuple(range(i * 100, i * 100 + 9)) for i in range(runs)}
    assert seen <= versions, seen - versions
    assert len(seen) > 1  # the reader did overlap with the swaps


def test_data_files_get_names_no_other_version_has(settings):
    _publish(settings, {"links": (0, 9)})
    first = {p.name for p in Path(settings.cleaned_uri("links")).glob("*.parquet")}
    _publish(settings, {"links": (100, 9)})
    second = {p.name for p in Path(settings.cleaned_uri("links")).glob("*.parquet")}
    assert len(first) == len(second) == 3 and not first & second


@pytest.mark.parametrize(
    "uri_tail", ["cleaned/../raw", "cleaned/cast_data/../../x", "cleaned/a b", "cleaned/x;rm"]
)
def test_unsafe_table_paths_are_refused(settings, uri_tail):
    with pytest.raises(UnsafeNameError):
        Publication(settings).target(f"{settings.bucket_root}/{uri_tail}")


def test_a_path_outside_the_bucket_is_refused(settings, tmp_path):
    with pytest.raises(UnsafeNameError, match="not inside the lake's bucket"):
        Publication(settings).target(str(tmp_path / "elsewhere" / "links"))


# A real run, killed with SIGKILL while Spark writes a table ------------------------------------
def _catalog_rows(settings: Settings, table: str) -> list[tuple]:
    with duckdb.connect(str(settings.catalog_path), read_only=True) as con:
        return con.execute(f"select * from {table} order by all").fetchall()


def _wait_for(condition, proc, what: str, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"the run ended ({proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} after {timeout:.0f} s")
        time.sleep(0.02)


@pytest.mark.slow
def test_a_run_killed_mid_write_leaves_every_table_readable_and_the_next_run_recovers(
    tmp_path, mini_frames, spark
):
    settings = Settings(lake_dir=tmp_path / "lake")
    for table in ("cast_data", "crew_data"):  # the previous version of the credits tables
        write_cleaned_local(settings, table, mini_frames[table])
    register_local(settings)
    before = {t: _catalog_rows(settings, t) for t in ("cast_data", "crew_data")}
    source = tmp_path / "src"
    generate(source, movies=30, seed=5, files=["credits.csv"], progress=False)

    log = open(tmp_path / "killed.log", "w")  # noqa: SIM115 - closed below, after the kill
    proc = subprocess.Popen(
        [sys.executable, "-m", "movie_pipeline", "run", "--source", str(source),
         "--lake", str(settings.lake_dir), "--outputs", str(tmp_path / "out")],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    writing = staging_root(settings)
    _wait_for(lambda: any(writing.glob("*/cleaned/cast_data")), proc, "cast_data being written")
    os.killpg(proc.pid, signal.SIGKILL)  # Python and its Spark JVM, at once
    proc.wait(timeout=60)
    log.close()

    # What the kill left: its lock (dead pid), its unpublished run folder.
    assert json.loads(lock_path(settings).read_text())["pid"] == proc.pid
    (killed_run,) = list(writing.iterdir())
    assert not (killed_run / "COMMIT.json").exists()
    # The previous version of every table is still what the catalog reads.
    assert {t: _catalog_rows(settings, t) for t in before} == before
    assert len(before["cast_data"]) == len(mini_frames["cast_data"])

    # The next run takes over the lock, discards the killed run and publishes, unaided.
    result = pipeline.transform(settings, spark)
    pipeline.register(settings)
    rows = {t: result["tables"][t]["rows"] for t in before}
    assert {t: len(_catalog_rows(settings, t)) for t in before} == rows
    assert _catalog_rows(settings, "cast_data") != before["cast_data"]
    assert result["reconciliation"]["ok"] and not lock_path(settings).exists()
    assert list(writing.iterdir()) == []
