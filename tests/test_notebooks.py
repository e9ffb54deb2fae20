"""The walkthrough notebooks: stored clean, the Glue version in sync, and run end to end by papermill."""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import json
import re
import shutil
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from jupyter_core.paths import jupyter_runtime_dir

import oracles
from movie_pipeline import notebooks
from movie_pipeline.analysis.query import list_queries
from movie_pipeline.cli import main
from movie_pipeline.config import Settings
from movie_pipeline.specs.tables import CLEANED_TABLES
from test_security import fake_credentials, scan

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
NUMBERS = ["00", "01", "02", "03", "04", "05"]
GLUE = NOTEBOOKS / "glue" / "02_flatten_with_glue_interactive_session.ipynb"


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _code(nb: dict) -> list[str]:
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def _notebook(path: Path, *cells: tuple[str, str, list[str]]) -> None:
    """Write a small notebook: (kind, source, tags) per cell."""
    nb = {
        "cells": [
            {"cell_type": kind, "id": f"c{i}", "metadata": {"tags": tags}, "source": text}
            | ({"execution_count": None, "outputs": []} if kind == "code" else {})
            for i, (kind, text, tags) in enumerate(cells)
        ],
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb), encoding="utf-8")


# The notebooks as stored ----------------------------------------------------------------------
def test_the_walkthrough_is_six_numbered_notebooks():
    names = [p.name for p in notebooks.numbered_notebooks(NOTEBOOKS)]
    assert [n[:2] for n in names] == NUMBERS
    assert names[1] == "01_upload_raw_to_s3.ipynb" and names[2] == "02_flatten_with_glue.ipynb"


@pytest.mark.parametrize("path", [*sorted(NOTEBOOKS.glob("*.ipynb")), GLUE], ids=lambda p: p.name)
def test_notebooks_are_stored_without_outputs(path):
    nb = _load(path)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, cell["id"]
        assert "papermill" not in cell["metadata"] and "execution" not in cell["metadata"]


@pytest.mark.parametrize("number", NUMBERS)
def test_each_notebook_follows_the_template(number):
    import papermill as pm

    (path,) = NOTEBOOKS.glob(f"{number}_*.ipynb")
    nb = _load(path)
    cells = nb["cells"]
    assert nb["metadata"]["kernelspec"]["name"] == "movie-pipeline"
    assert "".join(cells[0]["source"]).startswith(f"# {number} · ")
    assert cells[1]["cell_type"] == "code" and "import" in "".join(cells[1]["source"])
    assert cells[2]["metadata"].get("tags") == ["parameters"]
    params = pm.inspect_notebook(str(path))
    assert params["BACKEND"]["default"] == '"local"'
    assert all(p["help"] for p in params.values()), "every parameter has a comment"
    sections = [
        c for c in cells if c["cell_type"] == "markdown" and "".join(c["source"]).startswith("## ")
    ]
    assert len(sections) >= 3
    last = "".join(cells[-1]["source"])
    assert "assert " in last and f'record_check(\n    "{number}",' in last


def test_gitattributes_strip_outputs_and_diff_notebooks():
    lines = (REPO / ".gitattributes").read_text().splitlines()
    assert "*.ipynb filter=nbstripout" in lines and "*.ipynb diff=ipynb" in lines


# The Glue-kernel notebook -------------------------------------------------------------------------
def test_glue_notebook_opens_with_the_session_magics_from_the_settings():
    s = Settings()
    first = _code(_load(GLUE))[0].splitlines()
    assert first == [
        f"%glue_version {s.glue_version}",
        f"%worker_type {s.worker_type}",
        f"%number_of_workers {s.number_of_workers}",
        f"%idle_timeout {s.idle_timeout_minutes}",
        # No bucket of ours in a shared notebook: the learner puts theirs.
        f"%extra_py_files s3://<your-bucket>/{s.artifacts_prefix}/lib/movie_pipeline.zip",
    ]
    assert first[0] == "%glue_version 5.1" and first[3] == "%idle_timeout 15"
    assert _load(GLUE)["metadata"]["kernelspec"]["name"] == "glue_pyspark"


def test_glue_notebook_is_set_up_for_a_session_and_stops_it():
    code = _code(_load(GLUE))
    cells = [c for c in _load(GLUE)["cells"] if c["cell_type"] == "code"]
    assert cells[2]["metadata"]["tags"] == ["parameters"]
    params: dict = {}
    exec(code[2], params)
    del params["__builtins__"]
    assert params == {"BACKEND": "aws", "BUCKET": "<your-bucket>", "DATABASE": None, "REGION": None}
    assert all("  # " in line for line in code[2].splitlines()), "every parameter has a comment"
    # An unset bucket fails at once, with what to do.
    with pytest.raises(ValueError, match="set BUCKET in the parameters cell"):
        exec(code[2] + "\n" + code[3], {})
    assert "glue_context = GlueContext(SparkContext.getOrCreate())" in code[4]
    assert not [c for c in code if "SOURCE_DIR" in c or "LAKE_DIR" in c or "OUTPUT_DIR" in c]
    assert code[-1] == "%stop_session"


def test_glue_notebook_runs_the_same_sections_as_notebook_02():
    source = _code(_load(NOTEBOOKS / "02_flatten_with_glue.ipynb"))
    glue = _code(_load(GLUE))
    assert glue[1] == source[0]  # the imports
    assert glue[6:-1] == source[3:]  # every cell from the flatten on
    assert notebooks.main(["--check"]) == 0


def test_glue_notebook_check_catches_a_stale_copy(tmp_path):
    folder = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, folder)
    assert notebooks.main(["--folder", str(folder), "--check"]) == 0
    source = folder / "02_flatten_with_glue.ipynb"
    nb = _load(source)
    nb["cells"][-1]["source"] = ["print('changed')"]
    source.write_text(json.dumps(nb))
    assert notebooks.main(["--folder", str(folder), "--check"]) == 1
    assert notebooks.main(["--folder", str(folder), "--bucket", "my-lake"]) == 0
    regenerated = _code(_load(folder / "glue" / GLUE.name))
    assert regenerated[-2:] == ["print('changed')", "%stop_session"]
    assert "%extra_py_files s3://my-lake/artifacts/lib/movie_pipeline.zip" in regenerated[0]
    assert 'BUCKET = "my-lake"' in regenerated[2]


# The runner on small notebooks ------------------------------------------------------------------
def test_walkthrough_parameters_keep_paths_relative_inside_the_repo(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("MOVIES_BACKEND", raising=False)
    params = notebooks.walkthrough_parameters(
        "data_samples", tmp_path / "out", bucket="b-1", region=None
    )
    assert params == {
        "BACKEND": "local",
        "SOURCE_DIR": "data_samples",
        "OUTPUT_DIR": str(tmp_path / "out"),
        "LAKE_DIR": str(tmp_path / "out" / "lake"),
        "BUCKET": "b-1",
    }
    assert notebooks.walkthrough_parameters("data_samples", "outputs", backend="aws")[
        "LAKE_DIR"
    ] == ("outputs/lake")


def test_run_notebooks_records_checks_and_stops_at_the_first_failure(tmp_path, capfd):
    folder = tmp_path / "nbs"
    folder.mkdir()
    _notebook(
        folder / "00_double.ipynb",
        ("markdown", "# 00 · Double", []),
        ("code", "from movie_pipeline.notebooks import record_check", []),
        ("code", "X = 1  # a number", ["parameters"]),
        ("code", "from ipykernel.kernelapp import IPKernelApp", []),
        ("code", 'assert X == 21, X\nrecord_check("00", doubled=X * 2, '
                 'transport=IPKernelApp.instance().transport, ip=IPKernelApp.instance().ip)', []),
    )  # fmt: skip
    _notebook(folder / "01_fails.ipynb", ("code", "raise AssertionError('wrong on purpose')", []))
    _notebook(
        folder / "notes.ipynb", ("code", "raise SystemExit('not part of the walkthrough')", [])
    )
    (run,) = notebooks.run_notebooks({"X": 21, "Y": 5}, tmp_path / "out", folder, only=["00"])
    # The kernel talks over Unix sockets: no TCP port, and no "without encryption" warning.
    # They are its own, in Jupyter's private folder: not "kernel-ipc-1" in the working folder,
    # which every kernel started there would share (two at once crossed their messages).
    ip = run.checks.pop("ip")
    assert run.checks == {"notebook": "00", "doubled": 42, "transport": "ipc"}
    assert Path(ip).parent == Path(jupyter_runtime_dir()) and Path(ip).name.startswith("papermill-")
    err = capfd.readouterr().err.splitlines()
    assert [re.sub(r"done in [\d.]+ s$", "done", line) for line in err] == [
        "[movie-pipeline] notebook 00_double.ipynb: done",
    ], err
    executed = _load(run.executed)
    assert executed["metadata"]["papermill"]["input_path"] == "notebooks/00_double.ipynb"
    assert executed["metadata"]["papermill"]["parameters"] == {"X": 21}  # Y is not declared
    assert "notebook 00: every check passed (3 recorded)" in run.html.read_text()
    with pytest.raises(notebooks.NotebookFailed, match="01_fails.ipynb failed: AssertionError"):
        notebooks.run_notebooks({"X": 21}, tmp_path / "out2", folder)
    assert (tmp_path / "out2" / "notebooks" / "01_fails.html").is_file()


# The whole walkthrough, local backend, on the shipped sample -------------------------------------------
@pytest.fixture(scope="module")
def walkthrough(tmp_path_factory):
    """`movie-pipeline walkthrough` on the sample into a temporary folder, once for the module."""
    source = REPO / "data_samples"
    out, work = tmp_path_factory.mktemp("walkthrough"), tmp_path_factory.mktemp("walk_tmp")
    (work / "spark").mkdir()
    # The kernels and their Spark JVM run with AWS credentials in their environment (fresh
    # random values), and their temporary files where the credential test scans them.
    creds = fake_credentials()
    env = {**creds, "TMPDIR": str(work), "SPARK_LOCAL_DIRS": str(work / "spark")}
    argv = ["walkthrough", "--source", str(source), "--outputs", str(out), "--backend", "local"]
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        mp.delenv("AWS_ENDPOINT_URL", raising=False)
        # ipykernel stops forwarding what the JVM writes to the kernel's stderr when it sees
        # PYTEST_CURRENT_TEST: without it the kernels show what `make run` shows (Spark's
        # start-up lines included), which the noise test below must see.
        mp.delenv("PYTEST_CURRENT_TEST", raising=False)
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            code = main(argv)
    sys.stderr.write(printed.getvalue())  # pytest shows it if a test fails
    assert code == 0, "the walkthrough failed: see the executed notebooks under outputs/notebooks"
    checks = {
        p.name[:2]: notebooks.read_checks(p) for p in sorted((out / "notebooks").glob("*.ipynb"))
    }
    return {
        "source": source,
        "out": out,
        "lake": out / "lake" / "movie-analytics-lake",
        "checks": checks,
        "credentials": creds,
        "scratch": work,
        "printed": printed.getvalue(),
    }


def _parquet_rows(folder: Path) -> int:
    return sum(pq.read_table(p).num_rows for p in folder.rglob("*.parquet"))


@pytest.mark.slow
def test_every_notebook_ran_and_recorded_its_check(walkthrough):
    assert sorted(walkthrough["checks"]) == NUMBERS
    for number, check in walkthrough["checks"].items():
        assert check["notebook"] == number
        assert (walkthrough["out"] / "checks" / f"{number}.json").is_file()
        html = next((walkthrough["out"] / "notebooks").glob(f"{number}_*.html")).read_text()
        assert f"notebook {number}: every check passed" in html, "the check's line is in the HTML"


@pytest.mark.slow
def test_00_found_every_raw_file(walkthrough):
    source = walkthrough["source"]
    files = sorted(p.name for p in source.glob("*.csv"))
    check = walkthrough["checks"]["00"]
    assert check["backend"] == "local" and check["aws_actions"] == []
    assert check["raw_files"] == files
    assert check["raw_bytes"] == sum((source / f).stat().st_size for f in files)


@pytest.mark.slow
def test_01_uploaded_each_file_once_under_its_dataset_prefix(walkthrough):
    source, lake = walkthrough["source"], walkthrough["lake"]
    files = sorted(p.name for p in source.glob("*.csv"))
    check = walkthrough["checks"]["01"]
    assert check["keys"] == sorted(f"raw/{f.removesuffix('.csv')}/{f}" for f in files)
    for f in files:
        assert (lake / "raw" / f.removesuffix(".csv") / f).read_bytes() == (source / f).read_bytes()
    assert (check["transferred_first_run"], check["transferred_second_run"]) == (len(files), 0)


@pytest.mark.slow
def test_02_wrote_every_cleaned_table_with_the_rows_it_reported(walkthrough):
    rows = walkthrough["checks"]["02"]["rows"]
    assert sorted(rows) == sorted(CLEANED_TABLES)
    for table, count in rows.items():
        assert count == _parquet_rows(walkthrough["lake"] / "cleaned" / table) > 0, table
    assert walkthrough["checks"]["02"]["engine"].startswith("local Spark")


@pytest.mark.slow
def test_03_registered_tables_that_count_like_their_files(walkthrough):
    check = walkthrough["checks"]["03"]
    assert set(CLEANED_TABLES) <= set(check["registered"])
    catalog = walkthrough["out"] / "lake" / "_catalog" / "movies_db.duckdb"
    with duckdb.connect(str(catalog), read_only=True) as con:
        for table in CLEANED_TABLES:
            (count,) = con.execute(f"select count(*) from {table}").fetchone()
            assert (
                count
                == check["rows"][table]
                == _parquet_rows(walkthrough["lake"] / "cleaned" / table)
            )


@pytest.mark.slow
def test_04_answers_like_an_independent_count_and_draws_real_charts(walkthrough):
    out, check = walkthrough["out"], walkthrough["checks"]["04"]
    assert sorted(check["queries"]) == sorted(list_queries())
    assert all(rows > 0 for rows in check["queries"].values())
    assert check["results"] == sorted(f"results/{q}.csv" for q in list_queries())
    with open(out / "results" / "top_actors.csv", newline="", encoding="utf-8") as fh:
        got = [(r["name"], int(r["movies"])) for r in csv.DictReader(fh)]
    assert got == [
        (name, n) for name, _, n in oracles.top_actors(walkthrough["source"] / "credits.csv")
    ]
    assert check["top_actors_rows"] == 10 and check["top_actor"] == got[0][0]
    assert check["charts"], "no chart drawn"
    for chart, size in check["charts"].items():
        head = (out / chart).read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
        assert [width, height] == size and 400 <= width <= 4000 and 200 <= height <= 4000


@pytest.mark.slow
def test_04_html_embeds_every_chart(walkthrough):
    out = walkthrough["out"]
    html = (out / "notebooks" / "04_analyse_with_athena.html").read_text(encoding="utf-8")
    embedded = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html)
    charts = {(out / c).read_bytes() for c in walkthrough["checks"]["04"]["charts"]}
    assert charts <= {base64.b64decode(e) for e in embedded}


@pytest.mark.slow
def test_05_report_adds_up(walkthrough, shipped_breaks):
    check, lake, source = walkthrough["checks"]["05"], walkthrough["lake"], walkthrough["source"]
    # The records of each file read (the preferred one of links/ratings), counted by Python's csv.
    read = {"credits": "credits.csv", "movies_metadata": "movies_metadata.csv",
            "keywords": "keywords.csv", "links": "links.csv", "ratings": "ratings.csv"}  # fmt: skip
    for dataset, name in read.items():
        with open(source / name, newline="", encoding="utf-8") as fh:
            records = sum(1 for _ in csv.reader(fh)) - 1
        counts = check["reconciliation"][dataset]
        assert counts["raw_records"] == counts["read_records"] == records, dataset
        assert counts["accounted"] == records, dataset
    assert check["notebooks_checked"] == NUMBERS[:5]
    assert check["raw_bytes"] == sum(p.stat().st_size for p in source.glob("*.csv"))
    parquet = [
        p for p in (lake / "cleaned").rglob("*.parquet") if not p.name.startswith((".", "_"))
    ]
    assert check["cleaned_bytes"] == sum(p.stat().st_size for p in parquet)
    assert check["rows"] == walkthrough["checks"]["02"]["rows"]
    assert 0 < check["usd"] < 5
    # 05 shows each row the sample breaks on purpose, and only those, each with a reason.
    shown = {(q["dataset"], q["id"]) for q in check["quarantined"]}
    assert shown == {(d, i) for d, ids in shipped_breaks.items() for i in ids}
    assert all(q["reason"] for q in check["quarantined"])
    for dataset, ids in shipped_breaks.items():
        assert check["reconciliation"][dataset]["quarantined"] == len(ids), dataset


@pytest.mark.slow
def test_the_walkthrough_writes_no_credential(walkthrough):
    # Everything the kernels, their JVM and the notebook runner wrote: executed notebooks, HTML,
    # charts, results, checks, the lake and its catalog, temporary files; and what it printed.
    assert list(walkthrough["scratch"].rglob("*")), "the kernels left no temporary file to scan"
    roots = [walkthrough["out"], walkthrough["scratch"]]
    secrets = list(walkthrough["credentials"].values())
    assert scan(roots, [walkthrough["printed"]], secrets) == []


@pytest.mark.slow
def test_executed_notebooks_hold_no_machine_paths(walkthrough):
    forbidden = ("/work/", "/root/", "/tmp/", "/home/", str(Path.home()), str(walkthrough["out"]))
    for path in (walkthrough["out"] / "notebooks").glob("*.ipynb"):
        nb = _load(path)
        outputs = json.dumps([c.get("outputs", []) for c in nb["cells"]])
        leaks = [f for f in forbidden if f in outputs]
        assert not leaks, f"{path.name} shows {leaks}"
        assert nb["metadata"]["papermill"]["input_path"] == f"notebooks/{path.name}"


# What a learner reads: no log noise, no machine identity ------------------------------------------
_TEXT_TYPES = ("text/plain", "text/html", "text/markdown")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_NOISE = re.compile(r"\bWARN\b|\b\w*Warning: |without encryption|Glyph \d+ .*missing")


def output_texts(nb: dict):
    """``(cell index, text)`` for every text a cell shows (streams, text/html results, errors)."""
    for index, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            parts = [out.get("text", "")] + [out.get("data", {}).get(t, "") for t in _TEXT_TYPES]
            parts += out.get("traceback", [])
            text = "".join("".join(p) if isinstance(p, list) else p for p in parts)
            if text:
                yield index, text


def noise_in(nb: dict, host: str) -> list[str]:
    """Each WARN line, warning, IP address or host name in a notebook's outputs, with its cell."""
    found = []
    for index, text in output_texts(nb):
        for line in text.splitlines():
            if _NOISE.search(line) or _IPV4.search(line) or (host and host in line):
                found.append(f"cell {index}: {line.strip()[:160]}")
    return found


def test_noise_in_finds_warnings_addresses_and_the_host_name():
    def nb(*texts):
        return {"cells": [{"outputs": [{"output_type": "stream", "text": t} for t in texts]}]}

    assert noise_in(nb("rows: 1,234.5", "Spark 3.5.6", "ok"), "box-1") == []
    assert len(noise_in(nb("25/12/05 WARN Utils: Your hostname, box-1 resolves to 10.1.2.3"),
                        "box-1")) == 1  # fmt: skip
    assert noise_in(nb("UserWarning: Glyph 20013 missing from font(s) DejaVu Sans."), "") != []
    assert noise_in(nb("kernel running over TCP without encryption"), "") != []
    assert noise_in(nb("bound to 192.168.0.7"), "") != []
    assert noise_in(nb("made on box-1"), "box-1") != []


@pytest.mark.slow
def test_executed_notebooks_hold_no_warnings_addresses_or_host_name(walkthrough):
    import socket

    host = socket.gethostname()
    host = "" if host in ("localhost", "") else host
    for path in sorted((walkthrough["out"] / "notebooks").glob("*.ipynb")):
        noise = noise_in(_load(path), host)
        assert not noise, f"{path.name} shows:\n" + "\n".join(noise)


def progress_problems(nb: dict) -> list[str]:
    """A cell whose output splits one stream into several blocks, or a step shown twice."""
    found = []
    for index, cell in enumerate(nb["cells"]):
        streams = [o for o in cell.get("outputs", []) if o.get("output_type") == "stream"]
        names = [o["name"] for o in streams]
        if len(names) != len(set(names)):
            found.append(f"cell {index}: {len(names)} stream blocks ({', '.join(names)})")
        lines = "".join("".join(o["text"]) for o in streams).splitlines()
        steps = [line for line in lines if line.startswith("[movie-pipeline] ")]
        titles = [re.sub(r"(: done in [\d.]+ s| \.\.\.)$", "", line) for line in steps]
        found += [f"cell {index}: {t} shown {titles.count(t)} times"
                  for t in dict.fromkeys(titles) if titles.count(t) > 1]  # fmt: skip
    return found


def test_progress_problems_finds_split_streams_and_twice_told_steps():
    def nb(*outputs):
        return {"cells": [{"outputs": [
            {"output_type": "stream", "name": name, "text": text} for name, text in outputs
        ]}]}  # fmt: skip

    one = "[movie-pipeline] load: done in 0.1 s\n[movie-pipeline] save: done in 0.2 s\n"
    assert progress_problems(nb(("stderr", one), ("stdout", "42\n"))) == []
    split = nb(("stderr", "[movie-pipeline] load: done in 0.1 s\n"), ("stderr", "x\n"))
    assert progress_problems(split) == ["cell 0: 2 stream blocks (stderr, stderr)"]
    twice = nb(("stderr", "[movie-pipeline] load ...\n[movie-pipeline] load: done in 0.1 s\n"))
    assert progress_problems(twice) == ["cell 0: [movie-pipeline] load shown 2 times"]


@pytest.mark.slow
def test_executed_notebooks_show_one_line_per_step_in_one_block(walkthrough):
    for path in sorted((walkthrough["out"] / "notebooks").glob("*.ipynb")):
        problems = progress_problems(_load(path))
        assert not problems, f"{path.name}:\n" + "\n".join(problems)


_FENCE = re.compile(r"```(\w*)\n(.*?)```", re.S)


def python_snippets_not_run(nb: dict) -> list[str]:
    """Python blocks in a notebook's markdown that no code cell of it executes, line for line."""
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    ran = {line.strip() for line in code.splitlines() if line.strip()}
    stale = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for lang, body in _FENCE.findall("".join(cell["source"])):
            if lang in ("python", "py", "pycon", ""):
                lines = [line.strip() for line in body.splitlines() if line.strip()]
                if lang == "" and not any(line.startswith(("import ", "from ")) for line in lines):
                    continue  # a listing (a tree, output), not code
                if any(line not in ran for line in lines):
                    stale.append(body.strip()[:200])
    return stale


def test_python_snippets_are_checked_against_the_code_cells():
    nb = {"cells": [
        {"cell_type": "code", "source": ["cast = flatten.flatten_cast(parsed)\n", "cast.show()"]},
        {"cell_type": "markdown", "source": ["```python\ncast = flatten.flatten_cast(parsed)\n```"]},
        {"cell_type": "markdown", "source": ["```bash\naws s3 ls\n```"]},
    ]}  # fmt: skip
    assert python_snippets_not_run(nb) == []
    nb["cells"].append(
        {
            "cell_type": "markdown",
            "source": ["```python\nF.explode_outer(parse_literal('cast'))\n```"],
        }
    )
    assert python_snippets_not_run(nb) == ["F.explode_outer(parse_literal('cast'))"]


@pytest.mark.parametrize("path", [*sorted(NOTEBOOKS.glob("0*.ipynb")), *sorted(NOTEBOOKS.glob("glue/*.ipynb"))],
                         ids=lambda p: p.name)  # fmt: skip
def test_markdown_python_is_code_the_notebook_runs(path):
    stale = python_snippets_not_run(_load(path))
    assert not stale, f"{path.name}: markdown shows Python no cell runs:\n" + "\n---\n".join(stale)
