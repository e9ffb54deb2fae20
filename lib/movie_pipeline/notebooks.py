"""Run the numbered notebooks with papermill, export HTML, and build the Glue-kernel notebook."""

from __future__ import annotations

import argparse
import copy
import functools
import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NOTEBOOK_RE = re.compile(r"^(\d\d)_[a-z0-9_]+\.ipynb$")
CHECK_MIME = "application/vnd.movie-pipeline.check+json"
GLUE_SOURCE = "02_flatten_with_glue.ipynb"
GLUE_TARGET = Path("glue") / "02_flatten_with_glue_interactive_session.ipynb"
KERNEL = "movie-pipeline"


def notebooks_folder() -> Path:
    """The walkthrough's ``notebooks/`` folder: beside ``lib/`` in the repository."""
    from movie_pipeline.walkthrough import repo_root

    here = Path(__file__).resolve().parents[2] / "notebooks"
    return here if here.is_dir() else repo_root() / "notebooks"


def numbered_notebooks(folder: str | Path = "notebooks") -> list[Path]:
    """The walkthrough's notebooks, in order: ``00_*.ipynb``, ``01_*.ipynb``, ..."""
    return sorted(p for p in Path(folder).iterdir() if NOTEBOOK_RE.match(p.name))


def record_check(name: str, save_to: str | Path | None = None, **values: Any) -> None:
    """Show what a notebook's final check cell verified, in a form tests can read back.

    The values are displayed as a JSON output with a project MIME type, so they travel inside
    the executed notebook (papermill's output), while the reader sees one line. Outside IPython
    (a Glue session) the values are printed as JSON.

    Args:
        name: the notebook's number, ``"02"``.
        save_to: a folder to also write ``<name>.json`` to (notebook 05 reads them back).
        **values: what was checked; JSON-serialisable, or turned into strings.

    Nothing is returned, so that the values show once when the call ends a cell.
    """
    payload = {"notebook": name, **values}
    text = json.dumps(payload, indent=2, default=str)
    if save_to is not None:
        folder = Path(save_to)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.json").write_text(text + "\n", encoding="utf-8")
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - Glue sessions may have no IPython
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        # One line for the reader; the values travel in the project MIME type (read_checks).
        where = f", saved to {Path(save_to).name}/{name}.json" if save_to is not None else ""
        line = f"notebook {name}: every check passed ({len(values)} recorded{where})"
        display({CHECK_MIME: json.loads(text), "text/plain": line}, raw=True)
    else:
        print(text)


def read_checks(executed: str | Path) -> dict[str, Any]:
    """Return the values a notebook's ``record_check`` call displayed (empty if none)."""
    nb = json.loads(Path(executed).read_text(encoding="utf-8"))
    for cell in reversed(nb["cells"]):
        for out in cell.get("outputs", []):
            if CHECK_MIME in out.get("data", {}):
                return out["data"][CHECK_MIME]
    return {}


def _kernel_name() -> str:
    """The project's kernel when it is registered (`make setup` does it), else this Python's."""
    from jupyter_client.kernelspec import KernelSpecManager

    return KERNEL if KERNEL in KernelSpecManager().find_kernel_specs() else "python3"


@dataclass
class NotebookRun:
    name: str
    executed: Path
    html: Path
    checks: dict[str, Any]


class NotebookFailed(RuntimeError):
    """A notebook raised; the executed copy (and its HTML) show the failing cell."""

    def __init__(self, name: str, executed: Path, error: str) -> None:
        super().__init__(f"notebook {name} failed: {error}\n  see {executed} (and .html)")
        self.name, self.executed = name, executed


@contextmanager
def _kernel_environment() -> Iterator[None]:
    """The environment the kernels start with: this one, minus one warning.

    tqdm.auto warns that ipywidgets is missing when it is imported in a kernel; the progress
    bars are off in notebooks anyway, and the warning would print this machine's paths.
    """
    before = os.environ.get("PYTHONWARNINGS")
    os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [before, "ignore:IProgress not found"]))
    try:
        yield
    finally:
        if before is None:
            del os.environ["PYTHONWARNINGS"]
        else:
            os.environ["PYTHONWARNINGS"] = before


@functools.cache
def _kernel_manager_class():
    """Kernels that talk to papermill over Unix sockets in Jupyter's private runtime folder.

    Over TCP the kernel listens on loopback ports any local user can reach, and ipykernel warns
    on every start that the traffic is not encrypted. Unix sockets are files only this user can
    open, so there is neither the exposure nor the warning. Windows has no Unix sockets: TCP.
    """
    import uuid

    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir
    from traitlets import default

    if os.name == "nt":  # pragma: no cover - the project runs on Linux and macOS
        return AsyncKernelManager

    class LocalSocketKernelManager(AsyncKernelManager):
        @default("transport")
        def _transport_default(self) -> str:
            return "ipc"

        @default("ip")
        def _ip_default(self) -> str:
            # The sockets' path prefix (each socket is <prefix>-<n>). jupyter_client's default is
            # "kernel-ipc" in the working folder, the same for every kernel started there: two at
            # once (two walkthroughs, two test workers) took the same sockets and crossed their
            # messages ("Invalid Signature"). Each kernel gets its own, in the private folder.
            runtime = Path(jupyter_runtime_dir())
            runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
            return str(runtime / f"papermill-{uuid.uuid4().hex[:16]}")

        async def _async_interrupt_kernel(self) -> None:
            # jupyter_client interrupts a kernel before it asks it to shut down. papermill shuts
            # down after the last cell, when there is nothing to interrupt, and a SIGINT that
            # lands in a message handler makes the kernel log "KeyboardInterrupt caught in
            # kernel" to the terminal. Interrupts at any other time (a cell's timeout) go through.
            if not self.shutting_down:
                await super()._async_interrupt_kernel()

    return LocalSocketKernelManager


def export_html(executed: Path) -> Path:
    """Write ``<executed>.html`` next to the executed notebook; charts stay embedded as images."""
    import nbformat
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nbformat.read(executed, as_version=4))
    html = executed.with_suffix(".html")
    html.write_text(body, encoding="utf-8")
    return html


def _relative_metadata(executed: Path, source: Path) -> None:
    """Papermill records absolute input and output paths; keep only the names."""
    nb = json.loads(executed.read_text(encoding="utf-8"))
    meta = nb.get("metadata", {}).get("papermill", {})
    if meta:
        meta["input_path"] = f"notebooks/{source.name}"
        meta["output_path"] = f"notebooks/{executed.name}"
        executed.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def run_notebooks(
    parameters: dict[str, Any],
    outputs: str | Path = "outputs",
    folder: str | Path = "notebooks",
    only: list[str] | None = None,
    kernel: str | None = None,
) -> list[NotebookRun]:
    """Execute the numbered notebooks in order with papermill into ``<outputs>/notebooks/``.

    Args:
        parameters: values injected into each notebook's ``parameters`` cell (a notebook gets
            only the names its parameters cell declares).
        outputs: the run's output folder.
        folder: where the source notebooks are.
        only: notebook numbers to run (``["00", "01"]``); all when None.
        kernel: Jupyter kernel name; the project's kernel when registered.

    Returns:
        One NotebookRun per notebook, with the values its final check cell recorded.

    Raises:
        NotebookFailed: a cell raised (a final check failed, or a step did); later notebooks
            are not run.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from movie_pipeline.progress import step

    out_dir = Path(outputs) / "notebooks"
    out_dir.mkdir(parents=True, exist_ok=True)
    runs = []
    for source in numbered_notebooks(folder):
        number = source.name[:2]
        if only and number not in only:
            continue
        declared = pm.inspect_notebook(str(source))
        params = {k: v for k, v in parameters.items() if k in declared}
        executed = out_dir / source.name
        with step(f"notebook {source.name}"), _kernel_environment():
            try:
                pm.execute_notebook(
                    str(source), str(executed), parameters=params,
                    kernel_name=kernel or _kernel_name(), cwd=str(source.parent),
                    progress_bar=False, log_output=False,
                    kernel_manager_class=_kernel_manager_class(), coalesce_streams=True,
                )  # fmt: skip
            except PapermillExecutionError as exc:
                _relative_metadata(executed, source)
                export_html(executed)
                raise NotebookFailed(source.name, executed, f"{exc.ename}: {exc.evalue}") from exc
            _relative_metadata(executed, source)
            html = export_html(executed)
        runs.append(NotebookRun(source.name, executed, html, read_checks(executed)))
    return runs


def _parameter_path(path: str | Path) -> str:
    """A folder as a notebook parameter: relative to the repository root when inside it.

    The notebooks resolve relative paths against the root, and a relative path keeps the
    machine's folders out of the executed notebooks.
    """
    from movie_pipeline.walkthrough import repo_root

    absolute = Path(path).expanduser().resolve()
    try:
        return absolute.relative_to(repo_root()).as_posix()
    except ValueError:
        return str(absolute)


def walkthrough_parameters(
    source: str | Path,
    outputs: str | Path = "outputs",
    lake: str | Path | None = None,
    backend: str | None = None,
    **settings: Any,
) -> dict[str, Any]:
    """The parameters ``movie-pipeline walkthrough`` gives every notebook.

    Args:
        source: the raw CSV folder.
        outputs: the output folder.
        lake: the local lake (default ``<outputs>/lake``).
        backend: ``local`` or ``aws`` (default: ``MOVIES_BACKEND``, else ``local``).
        **settings: ``bucket``, ``database``, ``region``; None leaves the notebook's default.

    Returns:
        ``{"BACKEND": ..., "SOURCE_DIR": ..., ...}``, paths relative to the repository root
        where they are inside it.
    """
    from movie_pipeline.config import load_settings

    params = {
        "BACKEND": load_settings({"backend": backend}).backend,
        "SOURCE_DIR": _parameter_path(source),
        "OUTPUT_DIR": _parameter_path(outputs),
        "LAKE_DIR": _parameter_path(lake if lake else Path(outputs) / "lake"),
    }
    params.update({k.upper(): v for k, v in settings.items() if v is not None})
    return params


# The Glue-kernel version of notebook 02 ---------------------------------------------------------
GLUE_BUCKET = "<your-bucket>"  # the committed notebook names no bucket: the learner sets theirs


def magics_for(settings, bucket: str = GLUE_BUCKET) -> dict[str, Any]:
    """The Glue session magics for ``settings`` and ``bucket``, as ``{magic: value}``.

    The role (``%iam_role``) is left out: it holds the account id, which does not belong in a
    shared notebook. The Glue kernel takes it from ``glue_role_arn`` in ``~/.aws/config``.
    ``%additional_python_modules`` is there only when ``glue.runtime`` pins any.
    """
    from movie_pipeline.glue import deploy, runtime

    magics = {
        "glue_version": settings.glue_version,
        "worker_type": settings.worker_type,
        "number_of_workers": int(settings.number_of_workers),
        "idle_timeout": int(settings.idle_timeout_minutes),
        "extra_py_files": f"s3://{bucket}/{deploy.package_key(settings)}",
    }
    if runtime.additional_python_modules():
        magics["additional_python_modules"] = runtime.additional_python_modules()
    return magics


GLUE_NOTE = """
**Glue kernel version**, generated from `notebooks/02_flatten_with_glue.ipynb` by
`python -m movie_pipeline.notebooks` (edit the source notebook or the builder in
`movie_pipeline/notebooks.py`, then regenerate this one).

Before the first run:

1. `pip install aws-glue-sessions` and install its kernels, then open this notebook with the
   *Glue PySpark* kernel (JupyterLab, VS Code, or Glue Studio's notebooks).
2. `movie-pipeline setup-aws` (bucket, Glue role, workgroup) and `movie-pipeline deploy`
   (uploads the lib zip that `%extra_py_files` points at). Notebooks 00 and 01 on the aws
   backend do the first one and upload the raw data.
3. Replace `<your-bucket>` by your bucket twice: in `%extra_py_files` below and in `BUCKET`
   in the parameters cell.
4. Tell the kernel which role to use: `glue_role_arn` in `~/.aws/config`, or add
   `%iam_role arn:aws:iam::<account>:role/movie-pipeline-glue` to the magics cell below.

The session starts when the first code cell after the magics runs; the last cell,
`%stop_session`, stops it and its billing (a forgotten one stops itself after `%idle_timeout`
minutes without a statement). The code imports only what AWS Glue 5.1 provides
(`movie_pipeline/glue/runtime.py`); `%additional_python_modules` is added to the magics if the
project ever needs more.
"""

GLUE_PARAMETERS = """\
BACKEND = "aws"  # a Glue session reads and writes S3: keep "aws"
BUCKET = "{bucket}"  # your bucket (setup-aws made it); the same as in %extra_py_files
DATABASE = None  # None: "movies_db" (the Glue database)
REGION = None  # None: "us-east-1" (your bucket's region)"""

GLUE_CHECK_BUCKET = f"""\
if not BUCKET or BUCKET == "{GLUE_BUCKET}":
    raise ValueError("set BUCKET in the parameters cell (and %extra_py_files) to your bucket")"""

GLUE_CONTEXT = """\
from awsglue.context import GlueContext
from pyspark.context import SparkContext

glue_context = GlueContext(SparkContext.getOrCreate())
spark = glue_context.spark_session
spark.version"""

GLUE_START = """\
run = walkthrough.start(BACKEND, bucket=BUCKET, database=DATABASE, region=REGION)
settings = run.settings"""

GLUE_STOP = """\
## Stop the session

The session bills DPU-seconds until it stops: stop it now rather than after the idle timeout."""


def _cell(kind: str, text: str, tags: list[str] | None = None) -> dict:
    cell = {"cell_type": kind, "id": "", "metadata": {"tags": tags} if tags else {},
            "source": text.splitlines(keepends=True)}  # fmt: skip
    return cell | ({"execution_count": None, "outputs": []} if kind == "code" else {})


def glue_notebook(source: dict, magics: dict[str, Any], bucket: str = GLUE_BUCKET) -> dict:
    """Return the Glue Interactive Sessions version of a notebook (as nbformat JSON).

    After the title: how to run it, the session magics (its first code cell), the source's
    imports, parameters for a session (``BACKEND = "aws"``, ``BUCKET`` to fill in, no local
    folders), a check that the bucket was set, the session's GlueContext, and the start of the
    walkthrough on S3. From its first section on, every cell is the source's, unchanged, so the
    same code runs in the Glue kernel without copying anything by hand; ``%stop_session`` ends it.

    Args:
        source: the notebook JSON (``json.load`` of 02_flatten_with_glue.ipynb): title, imports,
            parameters, start, then the sections.
        magics: ``{"glue_version": "5.1", "worker_type": "G.1X", ...}``, one ``%name value`` each.
        bucket: the bucket the parameters cell names (the placeholder by default).
    """
    nb = copy.deepcopy(source)
    title, imports, parameters, _start, *sections = nb["cells"]
    if parameters["metadata"].get("tags") != ["parameters"]:
        raise ValueError(f"{GLUE_SOURCE}: the third cell is not the parameters cell")
    magic_lines = "\n".join(f"%{name} {value}" for name, value in magics.items())
    nb["cells"] = [
        title,
        _cell("markdown", GLUE_NOTE.strip("\n")),
        _cell("code", magic_lines, ["glue-magics"]),
        imports,
        _cell("code", GLUE_PARAMETERS.format(bucket=bucket), ["parameters"]),
        _cell("code", GLUE_CHECK_BUCKET),
        _cell("code", GLUE_CONTEXT),
        _cell("code", GLUE_START),
        *sections,
        _cell("markdown", GLUE_STOP),
        _cell("code", "%stop_session"),
    ]
    # Cell ids as nbstripout (the git filter) numbers them, so that a commit changes nothing.
    for i, cell in enumerate(nb["cells"]):
        cell["id"] = str(i)
    nb["metadata"]["kernelspec"] = {
        "display_name": "Glue PySpark",
        "language": "python",
        "name": "glue_pyspark",
    }
    nb["metadata"]["language_info"] = {"name": "Python_Glue_Session", "pygments_lexer": "python3"}
    return nb


def write_glue_notebook(
    settings, folder: str | Path | None = None, bucket: str = GLUE_BUCKET
) -> Path:
    """Write ``notebooks/glue/02_flatten_with_glue_interactive_session.ipynb`` from notebook 02."""
    folder = Path(folder) if folder else notebooks_folder()
    source = json.loads((folder / GLUE_SOURCE).read_text(encoding="utf-8"))
    target = folder / GLUE_TARGET
    target.parent.mkdir(parents=True, exist_ok=True)
    nb = glue_notebook(source, magics_for(settings, bucket), bucket)
    target.write_text(_dumps(nb), encoding="utf-8")
    return target


def _dumps(nb: dict) -> str:
    """A notebook's JSON as nbformat (and so nbstripout) writes it: sorted keys, one space indent."""
    import nbformat

    return nbformat.writes(nbformat.from_dict(nb)) + "\n"


def _without_ids(nb: dict) -> dict:
    return {**nb, "cells": [{k: v for k, v in c.items() if k != "id"} for c in nb["cells"]]}


def main(argv: list[str] | None = None) -> int:
    """``python -m movie_pipeline.notebooks [--bucket B] [--check]``: (re)build the Glue notebook."""
    from movie_pipeline.config import load_settings

    parser = argparse.ArgumentParser(
        prog="python -m movie_pipeline.notebooks",
        description="Write notebooks/glue/02_flatten_with_glue_interactive_session.ipynb "
        "(notebook 02 for the Glue PySpark kernel: session magics, parameters for S3).",
    )
    parser.add_argument("--bucket", default=GLUE_BUCKET,
                        help="bucket holding artifacts/lib/movie_pipeline.zip (default: a "
                        "placeholder the learner replaces; the committed notebook keeps it)")  # fmt: skip
    parser.add_argument("--folder", help="the notebooks/ folder (default: the repository's)")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the Glue notebook is out of date instead of writing it")  # fmt: skip
    args = parser.parse_args(argv)
    settings = load_settings()
    folder = Path(args.folder) if args.folder else notebooks_folder()
    if args.check:
        source = json.loads((folder / GLUE_SOURCE).read_text(encoding="utf-8"))
        current = json.loads((folder / GLUE_TARGET).read_text(encoding="utf-8"))
        built = glue_notebook(source, magics_for(settings, args.bucket), args.bucket)
        if _without_ids(current) != _without_ids(built):
            print(f"{folder / GLUE_TARGET} is out of date: run python -m movie_pipeline.notebooks",
                  file=sys.stderr)  # fmt: skip
            return 1
        return 0
    print(write_glue_notebook(settings, folder, args.bucket))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
