"""Run the Glue side of the library as Glue would, with only the packages Glue provides."""

# ``python -S tests/glue_strict_run.py CONFIG.json`` (tests/test_glue_runtime.py runs it).
# Without ``site`` the interpreter sees the standard library only; this script then puts the
# lib zip (exactly as ``deploy`` ships it) and the virtual environment's site-packages on
# ``sys.path``, never the project's editable install, and blocks the import of every
# third-party package that is not in ``movie_pipeline.glue.runtime``'s lists, as a Glue worker
# would not have it. With the stand-in ``awsglue`` (glue_stand_in.py) on local Spark it runs,
# each part on its own:
# - ``job``: the job script as Glue starts it (``__main__``, with the job's arguments);
# - ``notebook``: the code cells of the Glue-kernel notebook, magics removed, the parameters
#   cell followed by the test's values (as papermill injects them);
# - ``statement``: the imports of the interactive-session statement.
# It writes what happened to the config's ``out`` file (JSON): each part's error, the
# stand-in's calls, and the third-party modules that were imported.

from __future__ import annotations

import ast
import importlib.abc
import json
import os
import runpy
import sys
import time
import traceback


class GlueImports(importlib.abc.MetaPathFinder):
    """Refuse to import any top-level module Glue does not have."""

    def __init__(self, allowed: set[str]) -> None:
        self.allowed = allowed | set(sys.stdlib_module_names)
        self.refused: list[str] = []

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        # _sysconfigdata_*: the standard library's build settings, named by platform.
        if top not in self.allowed and not top.startswith("_sysconfigdata_"):
            self.refused.append(top)
            raise ImportError(f"No module named {top!r} (not provided by AWS Glue)", name=top)
        return None  # allowed: the ordinary finders look for it


def run_job(config: dict) -> dict:
    import glue_stand_in

    sys.argv = [config["job_script"], *config["job_args"]]
    try:
        runpy.run_path(config["job_script"], run_name="__main__")
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
    return {"calls": glue_stand_in.GlueContext.state["calls"]}


def run_notebook(config: dict) -> dict:
    with open(config["notebook"], encoding="utf-8") as fh:
        cells = [c for c in json.load(fh)["cells"] if c["cell_type"] == "code"]
    os.chdir(config["notebook_dir"])  # relative paths resolve here, as in a session's driver
    namespace: dict = {"__name__": "__main__"}
    for cell in cells:
        lines = "".join(cell["source"]).splitlines()
        code = "\n".join(line for line in lines if not line.lstrip().startswith("%"))
        exec(compile(code, "<glue notebook cell>", "exec"), namespace)
        if "parameters" in cell["metadata"].get("tags", []):
            exec(config["notebook_parameters"], namespace)
    return {"engine": getattr(namespace.get("flattened"), "engine", None)}


def run_statement(config: dict) -> dict:
    tree = ast.parse(config["statement"])
    imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    exec(compile(ast.Module(imports, []), "<session statement>", "exec"), {})
    return {"imports": len(imports)}


def main(path: str) -> int:
    with open(path, encoding="utf-8") as fh:
        config = json.load(fh)
    # The zip first (Glue's --extra-py-files), then the installed packages; no editable install.
    sys.path[:] = [config["harness_dir"], config["zip"], *sys.path[1:], *config["site_packages"]]
    guard = GlueImports(set(config["allowed"]) | {"movie_pipeline", "glue_stand_in"})
    sys.meta_path.insert(0, guard)

    import glue_stand_in
    import movie_pipeline
    from movie_pipeline.etl.spark import get_spark

    report: dict = {"movie_pipeline": movie_pipeline.__file__, "errors": {}, "parts": {},
                    "seconds": {}}  # fmt: skip
    # The tests' own small local Spark (UTC, as Glue's); the job finds it with getOrCreate.
    # Spark's code generation on, as in Glue (the other test JVMs interpret expressions).
    codegen = glue_stand_in.COMPILED
    spark = get_spark("local[2]", "glue-stand-in", spark_sql_shuffle_partitions=2, **codegen)
    sys.modules.update(glue_stand_in.modules())
    for name, part in (("statement", run_statement), ("notebook", run_notebook), ("job", run_job)):
        if name not in config["parts"]:
            continue
        glue_stand_in.GlueContext.state.update(calls=[], bookmarked=set())
        started = time.perf_counter()
        try:
            report["parts"][name] = part(config)
        except BaseException:  # every part runs; the test reads each one's traceback
            report["errors"][name] = traceback.format_exc()
        report["seconds"][name] = round(time.perf_counter() - started, 1)
    # Janino's compile count: the plans really were compiled to Java.
    metrics = spark._jvm.org.apache.spark.metrics.source.CodegenMetrics
    report["codegen"] = {**{k: spark.conf.get(k) for k in codegen},
                         "classes_compiled": metrics.METRIC_COMPILATION_TIME().getCount()}  # fmt: skip
    spark.stop()
    # Not packages: the interpreter's own entries and the ones compiled extensions register.
    internal = ("__main__", "__mp_main__", "cython_runtime", "_cython_", "_sysconfigdata_")
    tops = {m.partition(".")[0] for m in sys.modules} - set(sys.stdlib_module_names)
    report["imported"] = sorted(t for t in tops if not t.startswith(internal))
    report["refused"] = sorted(set(guard.refused))
    with open(config["out"], "w", encoding="utf-8") as fh:
        json.dump(report, fh, indent=1, default=str)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
