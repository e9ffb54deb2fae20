"""What the pipeline says while it works: one line per step, and bars that work without tqdm."""

from __future__ import annotations

import io
import sys

import pytest

from movie_pipeline import progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_step_is_one_line_where_no_one_watches_it_start(monkeypatch):
    err = io.StringIO()  # a notebook's stderr, a CI log: not a terminal
    monkeypatch.setattr(sys, "stderr", err)
    with progress.step("load"):
        pass
    with pytest.raises(KeyError), progress.step("break"):
        raise KeyError("x")
    lines = err.getvalue().splitlines()
    assert [line.rsplit(" in ", 1)[0].rsplit(" after ", 1)[0] for line in lines] == [
        "[movie-pipeline] load: done",
        "[movie-pipeline] break: failed",
    ]


def test_a_terminal_also_sees_the_step_start(monkeypatch):
    err = _Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    with progress.step("load"):
        print("inside", file=sys.stderr)
    lines = err.getvalue().splitlines()
    assert lines[:2] == ["[movie-pipeline] load ...", "inside"]
    assert lines[2].startswith("[movie-pipeline] load: done in ")


# Progress without tqdm --------------------------------------------------------------------------
def test_progress_bars_fall_back_to_plain_lines_without_tqdm(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # `import tqdm` now fails, as in Glue
    with progress.progress_bar(total=4 << 20, desc="upload credits.csv", unit="B") as bar:
        for _ in range(4):
            bar.update(1 << 20)
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "[movie-pipeline] upload credits.csv: 25% of 4.0 MiB",
        "[movie-pipeline] upload credits.csv: 50% of 4.0 MiB",
        "[movie-pipeline] upload credits.csv: 75% of 4.0 MiB",
        "[movie-pipeline] upload credits.csv: 100% of 4.0 MiB",
    ]
