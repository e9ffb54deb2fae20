"""The corpus of bad inputs: each fault does what it says, and each is stopped, quarantined or read.

The expected lines and counts come from the corrupted bytes themselves (or Python's csv module),
never from the code under test.
"""

from __future__ import annotations

import ast
import csv
import gzip
from pathlib import Path

import duckdb
import pytest

import oracles
from frames import frame
from lake_tables import write_cleaned_local
from movie_pipeline import pipeline
from movie_pipeline.cli import main
from movie_pipeline.config import Settings
from movie_pipeline.errors import PipelineInputError
from movie_pipeline.generator import generate
from movie_pipeline.generator.__main__ import main as generator_main
from movie_pipeline.generator.faults import FAULTS, plain_rows, write_fault
from movie_pipeline.ingest.rawcheck import check_raw, file_chunks
from movie_pipeline.lake.atomic import staging_root
from movie_pipeline.lake.lock import lock_path
from movie_pipeline.specs.datasets import RAW_FILES

# Every fault the issue lists, by its name in the corpus.
ISSUE_FAULTS = {
    "truncated", "missing_column", "reordered_columns", "wrong_delimiter", "non_utf8", "bom",
    "mixed_newlines", "bad_nested_cell", "huge_cell", "budget_not_numeric", "budget_negative",
    "id_is_date", "empty_file", "header_only", "not_csv",
}  # fmt: skip
RECORD_FAULTS = [n for n, f in FAULTS.items() if f.outcome == "quarantine"]


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    generate(out, movies=40, seed=42, progress=False)
    return out


def _records(path: Path) -> list[list[str]]:
    csv.field_size_limit(1 << 30)  # the huge cell
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.reader(fh))


def _line_of(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def _first_difference(a: bytes, b: bytes) -> int:
    return next(i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y)


def test_the_corpus_has_every_fault_the_issue_lists():
    assert set(FAULTS) >= ISSUE_FAULTS
    assert {f.outcome for f in FAULTS.values()} == {"error", "quarantine", "accepted"}


@pytest.mark.parametrize("name", RECORD_FAULTS)
def test_a_record_fault_changes_one_plain_row_and_nothing_else(clean, tmp_path, name):
    fault = FAULTS[name]
    before = _records(clean / fault.file)
    after = _records(write_fault(name, tmp_path, base_dir=clean))
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(changed) == 1 and changed[0] in plain_rows(before)
    (i,) = changed
    assert sum(x != y for x, y in zip(before[i], after[i], strict=True)) == 1  # one cell
    head = (clean / fault.file).read_bytes()
    assert (tmp_path / fault.file).read_bytes().startswith(head[: head.index(b"\n") + 1])


def test_stacked_faults_land_on_different_rows(clean, tmp_path):
    for name in ("budget_not_numeric", "budget_negative", "id_is_date", "mixed_newlines", "bom"):
        write_fault(name, tmp_path, base_dir=tmp_path if name != "budget_not_numeric" else clean)
    path = tmp_path / "movies_metadata.csv"
    before, after = _records(clean / path.name), _records(path)
    header = before[0]
    changed = {
        i: next(c for c, (x, y) in zip(header, zip(a, b, strict=True), strict=True) if x != y)
        for i, (a, b) in enumerate(zip(before, after, strict=True))
        if a != b
    }
    assert sorted(changed.values()) == ["budget", "budget", "id"]
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfadult,")
    assert data.count(b"\r\n") > 0 and data.count(b"\n") > data.count(b"\r\n")


ERRORS = {  # fault -> (the expected line from the clean and bad bytes, words of the problem)
    "truncated": (lambda c, d: d.count(b"\n") + 1, "ends inside a quoted field"),
    "missing_column": (lambda c, d: 1, "missing: crew"),
    "wrong_delimiter": (lambda c, d: 1, "separated by semicolons"),
    "non_utf8": (lambda c, d: _line_of(d, _first_difference(c, d)), "are not UTF-8"),
    "empty_file": (lambda c, d: None, "empty (0 bytes)"),
    "header_only": (lambda c, d: 1, "no data rows"),
    "not_csv": (lambda c, d: 1, "zip archive"),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_an_error_fault_is_stopped_naming_file_line_and_problem(clean, tmp_path, name):
    assert FAULTS[name].outcome == "error"
    path = write_fault(name, tmp_path, base_dir=clean)
    line, words = ERRORS[name]
    with pytest.raises(PipelineInputError) as err:
        check_raw(file_chunks(path), RAW_FILES[path.name], str(path))
    expected_line = line((clean / path.name).read_bytes(), path.read_bytes())
    assert (err.value.file, err.value.line) == (str(path), expected_line)
    assert words in err.value.problem
    assert str(err.value).startswith(f"{path}")


@pytest.mark.parametrize("name", [n for n, f in FAULTS.items() if f.outcome != "error"])
def test_the_other_faults_pass_the_byte_check_with_notes(clean, tmp_path, name):
    path = write_fault(name, tmp_path, base_dir=clean)
    seen = check_raw(file_chunks(path), RAW_FILES[path.name], str(path))
    assert seen.size == path.stat().st_size
    notes = " ".join(seen.notes)
    expected = {"bom": "byte-order mark", "mixed_newlines": "mixed line endings",
                "reordered_columns": "columns in another order (keywords,id)"}  # fmt: skip
    assert (expected[name] in notes) if name in expected else notes == ""


@pytest.mark.parametrize("chunk", [1, 7, 4096, 8 << 20])
def test_the_streamed_check_does_not_depend_on_chunk_size(tmp_path, chunk):
    good = tmp_path / "keywords.csv"
    good.write_bytes("id,keywords\r\n1,\"[{'id': 1, 'name': 'Pусский 日本語'}]\"\r\n".encode())
    seen = check_raw(file_chunks(good, chunk), RAW_FILES["keywords.csv"], "k")
    assert (seen.lines, seen.crlf, seen.lf, seen.notes) == (2, 2, 0, [])
    bad = tmp_path / "bad.csv"
    data = good.read_bytes() * 3 + b"4,\"[{'id': 2, 'name': 'Caf" + b"\xe9'}]\"\n"
    bad.write_bytes(data)
    with pytest.raises(PipelineInputError) as err:
        check_raw(file_chunks(bad, chunk), RAW_FILES["keywords.csv"], "k")
    assert err.value.line == _line_of(data, data.index(b"Caf\xe9")) == 7


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (gzip.compress(b"id,keywords\n1,[]\n", mtime=0), "gzip"),  # one test id in every process
        (b"<!DOCTYPE html><html><body>Sign in to Kaggle</body></html>", "HTML"),
        ("id,keywords\n1,[]\n".encode("utf-16"), "UTF-16"),
        (b"id,keywords\n1,[]\x00\x00\n", "NUL bytes"),
        (b"\n\n  \n", "empty"),
        (b"id,keywords,extra\n1,[],x\n", "unexpected: extra"),
        (b"keywords\n[]\n", "missing: id"),
    ],
)
def test_other_files_that_are_not_the_csv_are_stopped(tmp_path, data, words):
    path = tmp_path / "keywords.csv"
    path.write_bytes(data)
    with pytest.raises(PipelineInputError, match=words):
        check_raw(file_chunks(path), RAW_FILES["keywords.csv"], str(path))


def test_the_generator_cli_writes_a_fault(tmp_path, capsys):
    out = tmp_path / "src"
    args = ["--movies", "20", "--out", str(out), "--files", "links.csv", "--quiet"]
    assert generator_main([*args, "--fault", "header_only"]) == 0
    assert f"fault\theader_only\t{out / 'links.csv'}" in capsys.readouterr().out
    assert (out / "links.csv").read_bytes() == b"movieId,imdbId,tmdbId\r\n"
    with pytest.raises(SystemExit):
        generator_main([*args, "--fault", "../../etc/passwd"])
    with pytest.raises(SystemExit):  # `movie-pipeline generate` names the faults it knows too
        main(["generate", "--movies", "20", "--out", str(out), "--fault", "../../etc/passwd"])


def test_oversized_cells_and_negative_money_are_flagged_before_parsing(spark, monkeypatch):
    from pyspark.sql import functions as F

    from movie_pipeline.ingest import rawcheck

    monkeypatch.setattr(rawcheck, "MAX_CELL_CHARS", 10)
    raw = frame(spark,
        [(0, "12", "x" * 11, None), (1, "-4000000", "O'Neil", None), (2, None, "", None),
         (3, "-0", "[]", "a,b")],
        "_row long, budget string, title string, _corrupt_record string",
    )  # fmt: skip
    marked = rawcheck.mark(raw, "movies_metadata", ["budget", "title"])
    rows = marked.orderBy("_row").collect()
    assert [r.title for r in rows] == [None, "O'Neil", "", "[]"]
    reasons = {r._row: r._pre_errors for r in rows if r._pre_errors}
    assert reasons == {
        0: ["title cell has 11 characters, more than the 10 a real cell can hold"],
        1: ["budget -4000000 is negative"],
    }
    parsed = marked.select(
        "_row",
        F.when(F.col("_row") == 3, F.array(F.lit("malformed")))
        .otherwise(F.array())
        .alias("_errors"),
        F.when(F.col("_row") == 3, F.lit("{raw}")).alias("_raw"),
        *rawcheck.PRE_COLUMNS,
    )
    merged = rawcheck.merge_marks(parsed)
    assert merged.columns == ["_row", "_errors", "_raw"]
    out = {r._row: (r._errors, r._raw) for r in merged.collect()}
    assert out[0][0] == reasons[0] and '"title":"xxxxxxxxxxx [cut]"' in out[0][1]
    assert out[1][0] == reasons[1] and '"budget":"-4000000"' in out[1][1]
    assert out[2] == ([], None) and out[3] == (["malformed"], "{raw}")


# Through the pipeline ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(ERRORS))
def test_an_error_fault_stops_the_upload_before_anything_is_copied(clean, tmp_path, name, capsys):
    path = write_fault(name, tmp_path / "src", base_dir=clean)
    lake = tmp_path / "lake"
    code = main(
        ["run", "--source", str(path.parent), "--lake", str(lake), "--outputs", str(tmp_path)]
    )
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    line = ERRORS[name][0]((clean / path.name).read_bytes(), path.read_bytes())
    where = f"{path}, line {line}" if line else f"{path}"
    assert f"movie-pipeline: error: {where}: " in err and ERRORS[name][1] in err
    settings = Settings(lake_dir=lake)
    assert not Path(settings.raw_uri()).exists() and not lock_path(settings).exists()


def test_a_bad_file_that_reaches_the_lake_stops_the_etl_and_publishes_nothing(
    clean, tmp_path, spark, mini_frames
):
    settings = Settings(lake_dir=tmp_path / "lake")
    write_cleaned_local(settings, "cast_data", mini_frames["cast_data"])  # a published table
    before = sorted(p.name for p in Path(settings.cleaned_uri("cast_data")).iterdir())
    bad = write_fault("truncated", tmp_path / "src", base_dir=clean)
    raw = Path(settings.raw_uri("credits/credits.csv"))
    raw.parent.mkdir(parents=True)
    raw.write_bytes(bad.read_bytes())  # copied by hand, not through the checked upload
    with pytest.raises(PipelineInputError) as err:
        pipeline.transform(settings, spark)
    assert (err.value.file, err.value.line) == (str(raw), bad.read_bytes().count(b"\n") + 1)
    assert sorted(p.name for p in Path(settings.cleaned_uri("cast_data")).iterdir()) == before
    assert not any(staging_root(settings).glob("*")) and not lock_path(settings).exists()


@pytest.fixture(scope="module")
def faulty_run(clean, tmp_path_factory, spark):
    """One ETL run over two datasets carrying their row faults and every accepted variant (the
    shipped sample carries the credits fault, `cast_cut_short`: see test_notebooks)."""
    src = tmp_path_factory.mktemp("faulty_src")
    stacks = {
        "movies_metadata.csv": ["budget_not_numeric", "budget_negative", "id_is_date",
                                "mixed_newlines", "bom"],
        "keywords.csv": ["bad_nested_cell", "huge_cell", "reordered_columns"],
    }  # fmt: skip
    for names in stacks.values():
        for i, name in enumerate(names):
            write_fault(name, src, base_dir=clean if i == 0 else src)
    settings = Settings(lake_dir=tmp_path_factory.mktemp("faulty_lake"))
    pipeline.upload(settings, src)
    return settings, src, pipeline.transform(settings, spark)


def _table(settings: Settings, uri: str) -> list[dict]:
    glob = f"{uri}/**/*.parquet"
    return (
        duckdb.execute(f"select * from read_parquet('{glob}', hive_partitioning = false)")
        .df()
        .to_dict("records")
    )


def _changed_cells(clean: Path, faulty: Path) -> list[tuple[dict, str, str]]:
    """``(clean row, column, new value)`` for every cell a fault changed, matched by name."""
    return [
        (a, col, b[col])
        for a, b in oracles.changed_records(clean, faulty)
        for col in a
        if a[col] != b[col]
    ]


@pytest.mark.slow
def test_row_faults_are_quarantined_with_their_reason_and_every_row_is_accounted(faulty_run, clean):
    settings, src, result = faulty_run
    recon = result["reconciliation"]
    assert recon["ok"], recon
    for name, dataset in [("movies_metadata.csv", "movies_metadata"), ("keywords.csv", "keywords")]:
        rec = recon["datasets"][dataset]
        records = len(_records(src / name)) - 1  # Python's csv module as the independent count
        assert rec["raw_records"] == rec["read_records"] == records, dataset
        assert rec["clean"] + rec["quarantined"] + rec["duplicates_removed"] + rec[
            "split_halves_merged"] == records  # fmt: skip
    # movies_metadata: the three bad rows, each with its reason and its raw fields.
    changes = _changed_cells(clean / "movies_metadata.csv", src / "movies_metadata.csv")
    quarantined = _table(settings, settings.quarantine_uri("movies_metadata"))
    assert len(quarantined) == len(changes) == 3
    for row, column, value in changes:
        (q,) = [q for q in quarantined if row["title"] in q["raw"]]
        assert f"{column} " in q["reason"] and value.lstrip("$") in q["reason"], q["reason"]
    bad_ids = {row["id"] for row, _, _ in changes}
    good_ids = {int(r[5]) for r in _records(src / "movies_metadata.csv")[1:] if r[5].isdigit()}
    movies = _table(settings, settings.cleaned_uri("movies"))
    assert {m["id"] for m in movies} == {i for i in good_ids if str(i) not in bad_ids}
    assert all(m["adult"] is not None for m in movies)  # the BOM did not rename `adult`
    # keywords: the unclosed list and the 30 MB cell are quarantined (the cell by its size, cut
    # short in the quarantine); the reordered columns were read by name.
    (bad_row, _, bad), (huge_row, _, huge) = sorted(
        _changed_cells(clean / "keywords.csv", src / "keywords.csv"), key=lambda c: len(c[2])
    )
    quarantined = _table(settings, settings.quarantine_uri("keywords"))
    assert len(quarantined) == 2
    q = next(q for q in quarantined if bad in q["raw"])
    assert "keyword" in q["reason"] and bad_row["id"] in q["raw"]  # names the cell
    q = next(q for q in quarantined if "cell has" in q["reason"])
    assert q["reason"].startswith(f"keywords cell has {len(huge):,} characters")
    assert huge_row["id"] in q["raw"] and len(q["raw"]) < 10_000
    pairs = {
        (int(r[1]), k["id"])
        for r in _records(src / "keywords.csv")[1:]
        if r[1] not in (bad_row["id"], huge_row["id"])
        for k in ast.literal_eval(r[0])
    }  # fmt: skip (reordered: keywords first, then id)
    loaded = {
        (k["id"], k["keyword_id"]) for k in _table(settings, settings.cleaned_uri("movie_keywords"))
    }
    assert loaded == pairs
    assert "columns in another order" in " ".join(recon["datasets"]["keywords"]["notes"])


def test_a_multi_line_read_drops_the_carriage_return_mixed_line_endings_leave(spark):
    from movie_pipeline.specs.datasets import RAW_FILES, drop_stray_cr

    raw = frame(
        spark,
        [("1", "12\r", None), ("2", "\r", None), ("3", "7", None), ("4", "a\rb", None)],
        "id string, vote_count string, _corrupt_record string",
    )
    movies, credits = RAW_FILES["movies_metadata.csv"], RAW_FILES["credits.csv"]
    got = [r.vote_count for r in drop_stray_cr(raw, movies).orderBy("id").collect()]
    assert got == ["12", "", "7", "a\rb"]
    assert drop_stray_cr(raw, credits) is raw  # read line by line: nothing to do
