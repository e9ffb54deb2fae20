"""The full-size ETL on local Spark against the pandas + ast.literal_eval baseline, in one run.

    python benchmarks/bench_etl.py                      # data in /tmp/fullsize (generated if missing)
    python benchmarks/bench_etl.py --data DIR --movies 45476
    python benchmarks/bench_etl.py --interleave 5 --java-options="-XX:..."  # JVM flags off/on
    python benchmarks/bench_etl.py --interleave 3 --against /tmp/before  # another checkout's code
    python benchmarks/bench_etl.py --scales 1,4         # the Spark side at 1x and 4x the real size

Each side runs in its own child process, so that one side's memory cannot count against the
other; a thread samples the RSS of the child and all its descendants (the JVM included) every
50 ms. Figures: wall time per dataset, the whole ETL including Spark's start, peak memory of the
process tree, CPU seconds of the tree (less sensitive to a busy machine than wall time), and the
ratios. Results go to benchmarks/results/etl.json (git-ignored).

Targets (2 cores): Spark's credits flatten >= 2.5x faster than the baseline; the whole full-size
local ETL <= 60 s including Spark's start; peak memory <= 2 GiB.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

DATASETS = ("credits", "movies_metadata", "keywords")
TARGETS = {"credits_speedup": 2.5, "etl_seconds": 60.0, "peak_gib": 2.0}
RESULTS = Path(__file__).resolve().parent / "results" / "etl.json"


# The baseline: what a user would write with pandas -------------------------------------------
def _literal(text):
    return ast.literal_eval(text) if isinstance(text, str) and text.strip() else None


def _explode(df, column, fields, out):
    """One row per list entry, the movie id first, keys renamed: (key, name) pairs."""
    import pandas as pd

    rows = df[["id", column]].explode(column).dropna(subset=[column])
    flat = pd.json_normalize(rows[column].tolist())
    flat = flat.reindex(columns=[k for k, _ in fields]).rename(columns=dict(fields))
    flat.insert(0, "id", rows["id"].to_numpy())
    for name, dtype in flat.dtypes.items():
        if str(dtype) == "object":  # mixed None/str columns: pyarrow needs one type
            flat[name] = flat[name].astype("string")
    flat.to_parquet(out / f"{column}.parquet", compression="snappy", index=False)
    return len(flat)


def baseline(data: Path, out: Path) -> dict:
    """pandas.read_csv + ast.literal_eval + explode/json_normalize + to_parquet, per dataset."""
    import pandas as pd

    seconds, rows = {}, {}
    start = time.perf_counter()
    credits = pd.read_csv(data / "credits.csv", dtype=str, keep_default_na=False).drop_duplicates()
    credits["id"] = credits["id"].astype(int)
    for column in ("cast", "crew"):
        credits[column] = credits[column].map(_literal)
    rows["cast_data"] = _explode(credits, "cast", [
        ("cast_id", "cast_id"), ("character", "character"), ("credit_id", "credit_id"),
        ("gender", "gender"), ("name", "name"), ("order", "order_num"), ("id", "person_id"),
        ("profile_path", "profile_path")], out)  # fmt: skip
    rows["crew_data"] = _explode(credits, "crew", [
        ("credit_id", "credit_id"), ("department", "department"), ("gender", "gender"),
        ("job", "job"), ("name", "name"), ("id", "person_id"), ("profile_path", "profile_path")],
        out)  # fmt: skip
    del credits
    seconds["credits"] = time.perf_counter() - start

    start = time.perf_counter()
    movies = pd.read_csv(data / "movies_metadata.csv", dtype=str, keep_default_na=False)
    movies = movies[movies["id"].str.isdigit()].drop_duplicates("id")
    movies["id"] = movies["id"].astype(int)
    for column in ("belongs_to_collection", "genres", "production_companies",
                   "production_countries", "spoken_languages"):  # fmt: skip
        movies[column] = movies[column].map(_literal)
    for column in ("budget", "revenue", "runtime", "popularity", "vote_average", "vote_count"):
        movies[column] = pd.to_numeric(movies[column], errors="coerce")
    movies["release_date"] = pd.to_datetime(movies["release_date"], errors="coerce")
    movies["collection_id"] = movies["belongs_to_collection"].map(lambda c: c and c.get("id"))
    table = movies.drop(columns=["belongs_to_collection", "genres", "production_companies",
                                 "production_countries", "spoken_languages"])  # fmt: skip
    table.astype(
        {c: "string" for c in table.columns if str(table[c].dtype) == "object"}
    ).to_parquet(out / "movies.parquet", compression="snappy", index=False)
    rows["movies"] = len(table)
    rows["movie_genres"] = _explode(
        movies, "genres", [("id", "genre_id"), ("name", "genre_name")], out
    )
    rows["movie_production_companies"] = _explode(
        movies, "production_companies", [("id", "company_id"), ("name", "company_name")], out
    )
    rows["movie_production_countries"] = _explode(
        movies,
        "production_countries",
        [("iso_3166_1", "iso_3166_1"), ("name", "country_name")],
        out,
    )
    rows["movie_spoken_languages"] = _explode(
        movies, "spoken_languages", [("iso_639_1", "iso_639_1"), ("name", "language_name")], out
    )
    del movies, table
    seconds["movies_metadata"] = time.perf_counter() - start

    start = time.perf_counter()
    keywords = pd.read_csv(
        data / "keywords.csv", dtype=str, keep_default_na=False
    ).drop_duplicates()
    keywords["id"] = keywords["id"].astype(int)
    keywords["keywords"] = keywords["keywords"].map(_literal)
    rows["movie_keywords"] = _explode(
        keywords, "keywords", [("id", "keyword_id"), ("name", "keyword_name")], out
    )
    seconds["keywords"] = time.perf_counter() - start
    return {"seconds": seconds, "rows": rows}


# The pipeline's ETL on local Spark ------------------------------------------------------------
def spark_etl(lake: Path, datasets: tuple[str, ...] = DATASETS, repeat: int = 1) -> dict:
    """Spark's start plus run_etl on the datasets, as `movie-pipeline transform` runs it.

    run_etl takes the smallest file first (keywords, movies_metadata, credits), so credits runs
    in a JVM that has compiled Spark's code on the smaller files; the ``cold`` phase runs credits
    alone in a fresh JVM, to show what that warm-up costs. ``repeat`` runs the ETL that many
    times in the same JVM (the shape of a test session); the per-dataset seconds are the last
    run's.
    """
    start = time.perf_counter()
    from movie_pipeline.config import load_settings
    from movie_pipeline.etl.driver import run_etl
    from movie_pipeline.etl.spark import get_spark

    settings = load_settings({"lake_dir": str(lake)})
    spark = get_spark(settings.spark_master)
    started = time.perf_counter() - start
    runs = []
    for _ in range(repeat):
        begun = time.perf_counter()
        result = run_etl(spark, settings, datasets=list(datasets))
        runs.append(time.perf_counter() - begun)
    total = time.perf_counter() - start
    recon = result["reconciliation"]["datasets"]
    return {
        "seconds": {d: recon[d]["seconds"] for d in datasets} | {"spark_start": started},
        "total_seconds": total,
        "etl_runs_seconds": runs,
        "rows": {t: v["rows"] for t, v in result["tables"].items()},
        "reconciliation_ok": result["reconciliation"]["ok"],
    }


def passes(data: Path, work: Path) -> dict:
    """One pass or several over credits.csv: the skeleton's design against the staged parse.

    Before: the native parse and the literal_eval retry were two filtered branches of the same
    DataFrame, unioned, and each table written from that union, so Spark read and parsed the
    CSV once per branch per table (2 x 2 here). Now: parse once into staging, write from it.
    Both use the same parser and write the same two tables.
    """
    import time as _time

    from pyspark.sql import functions as F

    from movie_pipeline.etl import driver as etl
    from movie_pipeline.etl.spark import get_spark
    from movie_pipeline.specs.datasets import RAW_FILES, read_raw
    from movie_pipeline.transform import flatten
    from movie_pipeline.transform.literal import retry_cells
    from movie_pipeline.transform.quarantine import RAW, RETRY

    spark = get_spark()
    cells = {
        o: (F.get_json_object(F.col(RAW), f"$.{r}"), t)
        for o, (r, t) in flatten.CREDITS_CELLS.items()
    }

    def raw():
        return read_raw(spark, RAW_FILES["credits.csv"], str(data / "credits.csv"))

    def write(parsed, tag):
        for name, build in (
            ("cast_data", flatten.flatten_cast),
            ("crew_data", flatten.flatten_crew),
        ):
            build(parsed).write.mode("overwrite").parquet(str(work / tag / name))

    def two_branches():
        parsed = flatten.parse_credits(raw())
        failed = parsed.filter(F.size(RETRY) > 0)
        write(
            parsed.filter(F.size(RETRY) == 0).unionByName(retry_cells(failed, cells)),
            "a",
        )

    def staged():
        write(etl._stage(flatten.parse_credits(raw()), str(work / "b" / "staging")), "b")

    out = {}
    for name, fn in (("warm-up", staged), ("two_branches", two_branches), ("staged", staged)):
        cpu0, start = _cpu(), _time.perf_counter()
        fn()
        out[name] = {"seconds": _time.perf_counter() - start, "cpu_seconds": _cpu() - cpu0}
    return out


def _cpu() -> float:
    return sum(p.cpu_times().user + p.cpu_times().system for p in _tree(psutil.Process()))


# Measuring ------------------------------------------------------------------------------------
def _tree(process: psutil.Process) -> list[psutil.Process]:
    try:
        return [process, *process.children(recursive=True)]
    except psutil.Error:
        return []


def measure(argv: list[str], java_options: str = "", env: dict | None = None) -> dict:
    """Run a child process; return its JSON answer, wall time, peak tree RSS and PSS, and tree
    CPU time.

    ``java_options`` go to every JVM the child starts (the java launcher reads them from
    JDK_JAVA_OPTIONS): JVM flags are tried without becoming a setting of the library.
    ``env`` adds to the child's environment (``PYTHONPATH`` of another checkout).
    """
    env = {**os.environ, **(env or {})}
    if java_options:
        env["JDK_JAVA_OPTIONS"] = java_options
    child = psutil.Popen(argv, stdout=subprocess.PIPE, text=True, env=env)
    peak, cpu, done = {"rss": 0, "pss": 0}, {}, threading.Event()

    def sample():
        while not done.is_set():
            rss = pss = 0
            for p in _tree(child):
                try:
                    memory = p.memory_full_info()  # pss: Linux
                    rss += memory.rss
                    pss += getattr(memory, "pss", memory.rss)
                    t = p.cpu_times()
                    cpu[p.pid] = t.user + t.system
                except psutil.Error:
                    pass
            peak["rss"], peak["pss"] = max(peak["rss"], rss), max(peak["pss"], pss)
            done.wait(0.05)

    start = time.perf_counter()
    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, _ = child.communicate()
    wall = time.perf_counter() - start
    done.set()
    thread.join()
    if child.returncode:
        raise SystemExit(f"{argv[-1]} phase failed with exit code {child.returncode}")
    answer = json.loads(out.strip().splitlines()[-1])
    return answer | {
        "wall_seconds": wall,
        "peak_rss_bytes": peak["rss"],
        # Forked processes (Spark's Python workers, from their daemon) share pages that RSS
        # counts in each of them; PSS divides a shared page between its sharers.
        "peak_pss_bytes": peak["pss"],
        "cpu_seconds": sum(cpu.values()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="/tmp/fullsize", help="folder with the Kaggle files")
    parser.add_argument("--movies", type=int, default=45476, help="rows to generate if missing")
    parser.add_argument(
        "--passes",
        action="store_true",
        help="instead: credits parsed in one staged pass vs the skeleton's two branches",
    )
    parser.add_argument(
        "--java-options",
        default="",
        metavar="OPTIONS",
        help="extra options for Spark's JVM (e.g. -XX:Tier4InvocationThreshold=50000)",
    )
    parser.add_argument(
        "--interleave",
        type=int,
        metavar="N",
        help="instead: N rounds of the Spark side without and with --java-options",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="with --interleave: the ETL N times in each JVM (a test session's shape)",
    )
    parser.add_argument(
        "--against",
        metavar="CHECKOUT",
        help="with --interleave: the Spark side of another checkout's code (git worktree add "
        "DIR REV) against this one's, instead of JVM options",
    )
    parser.add_argument(
        "--scales",
        metavar="K,K",
        help="instead: the Spark side alone at these multiples of the real size (1,4): seconds, "
        "seconds per 1,000 movies, peak memory; data in DATA-<K>x, generated if missing",
    )
    parser.add_argument(
        "--phase", choices=["baseline", "spark", "cold", "passes"], help=argparse.SUPPRESS
    )
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args()
    data = Path(args.data)
    if args.phase == "baseline":
        print(json.dumps(baseline(data, Path(args.work))))
        return 0
    if args.phase == "spark":
        print(json.dumps(spark_etl(Path(args.work), repeat=args.repeat)))
        return 0
    if args.phase == "cold":
        print(json.dumps(spark_etl(Path(args.work), ("credits",))))
        return 0
    if args.phase == "passes":
        print(json.dumps(passes(data, Path(args.work))))
        return 0
    if args.passes:
        with tempfile.TemporaryDirectory(prefix="bench-passes-") as work:
            me = [sys.executable, __file__, "--data", str(data), "--work", work]
            result = measure([*me, "--phase", "passes"])
        for name in ("two_branches", "staged"):
            r = result[name]
            print(f"{name:<14}{r['seconds']:>8.1f} s{r['cpu_seconds']:>8.1f} CPU s")
        ratio = result["two_branches"]["seconds"] / result["staged"]["seconds"]
        print(f"staged is {ratio:.2f}x faster (wall)")
        _save("etl_passes.json", result)
        return 0

    if args.repeat != 1 and not args.interleave:
        parser.error("--repeat N goes with --interleave")
    if args.scales:
        return scales(data, args.movies, [int(k) for k in args.scales.split(",")])
    _generate(data, args.movies)
    if args.interleave:
        if args.against:
            return interleave_code(data, args.interleave, Path(args.against), args.repeat)
        if not args.java_options:
            parser.error("--interleave compares runs without and with --java-options")
        return interleave(data, args.interleave, args.java_options, args.repeat)
    with tempfile.TemporaryDirectory(prefix="bench-etl-") as work:
        lake = _lake(data, Path(work))
        load = os.getloadavg()
        me = [sys.executable, __file__, "--data", str(data), "--work"]
        base = measure([*me, work, "--phase", "baseline"])
        spark = measure([*me, str(lake), "--phase", "spark"], args.java_options)
        cold = measure([*me, str(lake), "--phase", "cold"], args.java_options)
        load = (load, os.getloadavg())
    report = _report(base, spark, cold, data, load) | {"java_options": args.java_options}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2))
    print(_table(report))
    print(f"written to {RESULTS}")
    return 0


def _generate(data: Path, movies: int) -> None:
    if not all((data / f"{d}.csv").exists() for d in DATASETS):
        from movie_pipeline.generator import generate

        generate(data, movies=movies, seed=42, files=[f"{d}.csv" for d in DATASETS])


def scales(data: Path, movies: int, multiples: list[int]) -> int:
    """The Spark side alone at each multiple of the real size: how its cost grows with the work.

    Each size runs in a fresh child process and JVM, as ``movie-pipeline transform`` would,
    with the same 1 GiB driver: what grows is the work, not the machine.
    """
    report = {"movies": movies, "load_average": [os.getloadavg()], "runs": {}}
    for k in multiples:
        folder = data if k == 1 else data.with_name(f"{data.name}-{k}x")
        _generate(folder, movies * k)
        size = sum((folder / f"{d}.csv").stat().st_size for d in DATASETS)
        with tempfile.TemporaryDirectory(prefix="bench-etl-") as work:
            lake = _lake(folder, Path(work))
            me = [sys.executable, __file__, "--data", str(folder), "--work", str(lake)]
            run = measure([*me, "--phase", "spark"])
        run |= {"movies": movies * k, "csv_bytes": size, "load_average": os.getloadavg()}
        report["runs"][f"{k}x"] = run
        per_dataset = ", ".join(f"{d} {v:.1f} s" for d, v in run["seconds"].items())
        per_movie = 1000 * run["total_seconds"] / (movies * k)
        gib = run["peak_rss_bytes"] / (1 << 30)
        print(
            f"{k}x: {movies * k:,} movies, {size / 1e6:,.0f} MB of CSV: "
            f"{run['total_seconds']:.1f} s ({per_movie:.2f} s per 1,000 movies), "
            f"{run['cpu_seconds']:.1f} CPU s, peak {gib:.2f} GiB; per dataset {per_dataset}",
            flush=True,
        )
    _save("etl_scales.json", report)
    return 0


def interleave_code(data: Path, rounds: int, other: Path, repeat: int = 1) -> int:
    """The Spark side of another checkout (``before``) and of this one (``after``), alternated.

    Each runs its own ``benchmarks/bench_etl.py --phase spark`` (``repeat`` ETLs in one JVM)
    with its own ``lib/`` first on PYTHONPATH, in a fresh child process and JVM, on its own copy
    of the same raw files.
    """
    roots = {"before": other.resolve(), "after": Path(__file__).resolve().parents[1]}
    with tempfile.TemporaryDirectory(prefix="bench-etl-") as work:
        variants = {}
        for name, root in roots.items():
            script, lake = root / "benchmarks" / "bench_etl.py", _lake(data, Path(work) / name)
            argv = [sys.executable, str(script), "--data", str(data), "--work", str(lake)]
            argv += ["--phase", "spark", "--repeat", str(repeat)]
            variants[name] = (argv, "", {"PYTHONPATH": str(root / "lib")})
        runs, load = _alternate(variants, rounds)
    mean = _print_means(runs)
    ratio = mean["after"] / mean["before"]
    print(f"after/before: {ratio:.3f}; load average {load[0]} at the start, {load[1]} at the end")
    _save("etl_before_after.json", {"against": str(other), "runs": runs, "load_average": load})
    return 0


def _alternate(variants: dict[str, tuple[list[str], str, dict]], rounds: int):
    """``rounds`` rounds of one run per variant ``(argv, java options, env)``, the order
    reversed every other round; returns the runs by variant and the load at start and end."""
    runs: dict[str, list[dict]] = {name: [] for name in variants}
    load = [os.getloadavg()]
    for r in range(rounds):
        for name in list(variants)[:: 1 if r % 2 == 0 else -1]:
            argv, java_options, env = variants[name]
            run = measure(argv, java_options, env)
            runs[name].append(run | {"load_average": os.getloadavg()})
            gib = run["peak_rss_bytes"] / (1 << 30)
            seconds, cpu = run["total_seconds"], run["cpu_seconds"]
            etls = ", ".join(f"{x:.1f}" for x in run.get("etl_runs_seconds", []))
            print(
                f"round {r + 1} {name:<8}{seconds:7.1f} s{cpu:8.1f} CPU s{gib:6.2f} GiB"
                f"  (ETL runs: {etls} s)",
                flush=True,
            )
    load.append(os.getloadavg())
    return runs, load


def _print_means(runs: dict[str, list[dict]]) -> dict[str, float]:
    mean = {k: sum(r["total_seconds"] for r in v) / len(v) for k, v in runs.items()}
    for name, v in runs.items():
        seconds = ", ".join(f"{r['total_seconds']:.1f}" for r in v)
        print(f"{name:<8}{seconds}  mean {mean[name]:.1f} s")
    return mean


def _save(name: str, report: dict) -> None:
    out = RESULTS.parent / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"written to {out}")


def _lake(data: Path, work: Path) -> Path:
    """A local lake under ``work`` holding the raw files (stage 1, not timed)."""
    from movie_pipeline.config import load_settings
    from movie_pipeline.ingest.upload import upload_raw_local

    lake = work / "lake"
    files = {f"{d}.csv": data / f"{d}.csv" for d in DATASETS}
    upload_raw_local(load_settings({"lake_dir": str(lake)}), files)
    return lake


def interleave(data: Path, rounds: int, java_options: str, repeat: int = 1) -> int:
    """The Spark side in ``rounds`` rounds of one run without ``java_options`` and one with
    (each run: Spark's start and ``repeat`` ETLs in one JVM).

    Interleaving spreads a shared host's changing load over both alike, so the ratio of the
    means is fair where one run of each would not be; the rounds alternate which goes first.
    The options' saving is (mean without - mean with) / mean without, of the ETL including
    Spark's start (code that does not save 10% this way is not kept: docs/etl.md).
    """
    with tempfile.TemporaryDirectory(prefix="bench-etl-") as work:
        lake = _lake(data, Path(work))
        argv = [
            sys.executable,
            __file__,
            "--data",
            str(data),
            "--work",
            str(lake),
            "--phase",
            "spark",
            "--repeat",
            str(repeat),
        ]
        variants = {"without": (argv, "", {}), "with": (argv, java_options, {})}
        runs, load = _alternate(variants, rounds)
    mean = _print_means(runs)
    saving = (mean["without"] - mean["with"]) / mean["without"]
    print(
        f"the options save {saving:.1%}; load average {load[0]} at the start, {load[1]} at the end"
    )
    _save(
        "etl_interleaved.json",
        {"java_options": java_options, "repeat": repeat, "runs": runs, "load_average": load},
    )
    return 0


def _report(base: dict, spark: dict, cold: dict, data: Path, load) -> dict:
    gib = 1 << 30
    credits_ratio = base["seconds"]["credits"] / spark["seconds"]["credits"]
    return {
        "data": str(data), "movies": sum(1 for _ in open(data / "credits.csv", "rb")) - 1,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_before_after": load},
        "baseline": base, "spark": spark, "spark_credits_alone_cold": cold,
        "ratios": {
            "credits_speedup": credits_ratio,
            "credits_alone_cold_speedup": base["seconds"]["credits"] / cold["seconds"]["credits"],
            "movies_metadata_speedup": base["seconds"]["movies_metadata"] / spark["seconds"]["movies_metadata"],
            "keywords_speedup": base["seconds"]["keywords"] / spark["seconds"]["keywords"],
            "whole_speedup_wall": base["wall_seconds"] / spark["wall_seconds"],
            "whole_cpu_ratio": base["cpu_seconds"] / spark["cpu_seconds"],
        },
        "targets": TARGETS,
        "met": {
            "credits_speedup": credits_ratio >= TARGETS["credits_speedup"],
            "etl_seconds": spark["total_seconds"] <= TARGETS["etl_seconds"],
            "peak_gib": spark["peak_rss_bytes"] / gib <= TARGETS["peak_gib"],
        },
    }  # fmt: skip


def _table(r: dict) -> str:
    b, s, gib = r["baseline"], r["spark"], 1 << 30
    lines = [f"ETL of credits + movies_metadata + keywords, {r['movies']:,} movies, "
             f"{r['machine']['cpus']} CPUs, load {r['machine']['load_average_before_after']}",
             f"{'step':<26}{'pandas s':>10}{'Spark s':>10}{'ratio':>8}"]  # fmt: skip
    for d in DATASETS:
        lines.append(f"{d:<26}{b['seconds'][d]:>10.1f}{s['seconds'][d]:>10.1f}"
                     f"{b['seconds'][d] / s['seconds'][d]:>7.1f}x")  # fmt: skip
    c = r["spark_credits_alone_cold"]["seconds"]["credits"]
    lines.append(f"{'credits alone, cold JVM':<26}{b['seconds']['credits']:>10.1f}{c:>10.1f}"
                 f"{b['seconds']['credits'] / c:>7.1f}x")  # fmt: skip
    lines += [
        f"{'Spark start':<26}{'':>10}{s['seconds']['spark_start']:>10.1f}",
        f"{'whole run (wall)':<26}{b['wall_seconds']:>10.1f}{s['wall_seconds']:>10.1f}"
        f"{b['wall_seconds'] / s['wall_seconds']:>7.1f}x",
        f"{'whole run (CPU s, tree)':<26}{b['cpu_seconds']:>10.1f}{s['cpu_seconds']:>10.1f}",
        f"{'peak RSS, tree (GiB)':<26}{b['peak_rss_bytes'] / gib:>10.2f}{s['peak_rss_bytes'] / gib:>10.2f}",
        f"{'peak PSS, tree (GiB)':<26}{b['peak_pss_bytes'] / gib:>10.2f}{s['peak_pss_bytes'] / gib:>10.2f}",
        f"targets: credits >= {TARGETS['credits_speedup']}x: {r['met']['credits_speedup']}; "
        f"ETL incl. start {s['total_seconds']:.1f} s <= {TARGETS['etl_seconds']:.0f} s: "
        f"{r['met']['etl_seconds']}; Spark peak <= {TARGETS['peak_gib']} GiB: {r['met']['peak_gib']}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
