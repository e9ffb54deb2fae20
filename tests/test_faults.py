"""The corpus of bad inputs: each fault does what it says, and each is stopped, quarantined or read.

The expected lines and counts come from the corrupted bytes themselves (or Python's csv module),
never from the code under test.
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest

from movie_pipeline.datasets import RAW_FILES
from movie_pipeline.errors import PipelineInputError
from movie_pipeline.generator import generate
from movie_pipeline.generator.__main__ import main as generator_main
from movie_pipeline.generator.faults import FAULTS, plain_rows, write_fault
from movie_pipeline.rawcheck import check_raw, file_chunks

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
    assert set(FAULTS) == ISSUE_FAULTS
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
        for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b
    }  # fmt: skip
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
        (gzip.compress(b"id,keywords\n1,[]\n"), "gzip"),
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


def test_oversized_cells_and_negative_money_are_flagged_before_parsing(spark, monkeypatch):
    from pyspark.sql import functions as F

    from movie_pipeline import rawcheck

    monkeypatch.setattr(rawcheck, "MAX_CELL_CHARS", 10)
    raw = spark.createDataFrame(
        [(0, "12", "x" * 11, None), (1, "-4000000", "O'Neil", None), (2, None, "", None),
         (3, "-0", "[]", "a,b")],
        "_row long, budget string, title string, _corrupt_record string",
    )  # fmt: skip
    rows, flagged = rawcheck.set_aside(raw, "movies_metadata", lambda df, name: df.cache())
    assert [r.title for r in rows.orderBy("_row").collect()] == [None, "O'Neil", "", "[]"]
    reasons = {r._row: r._pre_errors for r in flagged.collect()}
    assert reasons == {
        0: ["title cell has 11 characters, more than the 10 a real cell can hold"],
        1: ["budget -4000000 is negative"],
    }
    parsed = rows.select(
        "_row",
        F.when(F.col("_row") == 3, F.array(F.lit("malformed")))
        .otherwise(F.array())
        .alias("_errors"),
        F.when(F.col("_row") == 3, F.lit("{raw}")).alias("_raw"),
    )
    out = {r._row: (r._errors, r._raw) for r in rawcheck.add_reasons(parsed, flagged).collect()}
    assert out[0][0] == reasons[0] and '"title":"xxxxxxxxxxx [cut]"' in out[0][1]
    assert out[1][0] == reasons[1] and '"budget":"-4000000"' in out[1][1]
    assert out[2] == ([], None) and out[3] == (["malformed"], "{raw}")
