"""How the generator scales: seconds, peak memory and cost per movie at 1x, 4x and 10x full size.

Usage:
    python benchmarks/bench_generator.py [--sizes 45476 181904 454760] [--seed 42] [--timeout S]

Each size runs ``python -m movie_pipeline.generator --movies N`` in its own child process, into
a temporary folder that is deleted before the next size (10x writes about 2.6 GB of CSV). The
child's wall time, CPU time (user + system) and peak RSS come from ``os.wait4``, so each size is
measured alone. Linearity shows as the per-movie cost of each size over that of the first: 1.0
is linear, and it is a ratio within one run, so a busier machine shifts every size alike. A size
that runs past ``--timeout`` is stopped and reported as such. Results go to
``benchmarks/results/generator.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

FULL_SIZE = 45476  # credits.csv rows in the original
BYTES_PER_MOVIE = 5_700  # 255 MB of CSV at full size with 20 ratings per movie
RESULTS = Path(__file__).resolve().parent / "results" / "generator.json"


def run_size(movies: int, seed: int, work: Path, timeout: float) -> dict:
    """Generate ``movies`` in a child process and measure it; the files are deleted afterwards.

    Args:
        movies: credits.csv rows.
        seed: random seed.
        work: the folder to create the output folder in.
        timeout: seconds before the child is stopped (reported as ``stalled``).

    Returns:
        ``{"movies", "wall_s", "cpu_s", "peak_rss_mb", "bytes", "stalled"}``.
    """
    out = work / f"movies_{movies}"
    command = [sys.executable, "-m", "movie_pipeline.generator", "--movies", str(movies),
               "--seed", str(seed), "--out", str(out), "--quiet"]  # fmt: skip
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    stalled = False
    while True:
        # wait4 gives this child's own rusage; RUSAGE_CHILDREN would keep the largest peak so far
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - start > timeout:
            child.send_signal(signal.SIGKILL)
            _, status, usage = os.wait4(child.pid, 0)
            stalled = True
            break
        time.sleep(0.2)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode and not stalled:
        raise RuntimeError(f"the generator failed for {movies} movies: exit {child.returncode}")
    written = sum(p.stat().st_size for p in out.glob("*.csv")) if out.exists() else 0
    shutil.rmtree(out, ignore_errors=True)
    return {
        "movies": movies,
        "wall_s": round(wall, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),  # kilobytes on Linux
        "bytes": written,
        "stalled": stalled,
    }


def main() -> int:
    """Run each size, print one line per size, then the per-movie cost ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[FULL_SIZE, 4 * FULL_SIZE, 10 * FULL_SIZE],
        help="movies per run; ratios are taken against the first",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per size")
    parser.add_argument("--work", default=tempfile.gettempdir(), help="where the files go")
    args = parser.parse_args()
    load_at_start = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="bench_generator_", dir=args.work))
    free = shutil.disk_usage(work).free
    need = 1.2 * BYTES_PER_MOVIE * max(args.sizes)
    if free < need:
        shutil.rmtree(work)
        print(
            f"not enough disk in {work.parent}: {free / 1e9:.1f} GB free, {need / 1e9:.1f} needed"
        )
        return 1
    print(f"{'movies':>9} {'x full':>6} {'wall s':>8} {'CPU s':>8} {'peak RSS MB':>11} "
          f"{'GB':>6} {'wall s/1k':>9} {'CPU s/1k':>9} {'ratio wall':>10} {'ratio CPU':>9}")  # fmt: skip
    rows: list[dict] = []
    try:
        for movies in args.sizes:
            row = run_size(movies, args.seed, work, args.timeout)
            row["wall_s_per_1k"] = round(1000 * row["wall_s"] / movies, 3)
            row["cpu_s_per_1k"] = round(1000 * row["cpu_s"] / movies, 3)
            first = rows[0] if rows else row
            row["ratio_wall"] = round(row["wall_s_per_1k"] / first["wall_s_per_1k"], 2)
            row["ratio_cpu"] = round(row["cpu_s_per_1k"] / first["cpu_s_per_1k"], 2)
            rows.append(row)
            note = f"  stalled: stopped after {args.timeout:.0f} s" if row["stalled"] else ""
            print(
                f"{movies:>9,} {movies / FULL_SIZE:>6.1f} {row['wall_s']:>8.1f} "
                f"{row['cpu_s']:>8.1f} {row['peak_rss_mb']:>11,} {row['bytes'] / 1e9:>6.2f} "
                f"{row['wall_s_per_1k']:>9.3f} {row['cpu_s_per_1k']:>9.3f} "
                f"{row['ratio_wall']:>10.2f} {row['ratio_cpu']:>9.2f}{note}",
                flush=True,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    load = (load_at_start, os.getloadavg()[0])
    RESULTS.write_text(
        json.dumps(
            {
                "date": datetime.now().isoformat(timespec="seconds"),
                "seed": args.seed,
                "cpus": os.cpu_count(),
                "load_average": load,
                "sizes": rows,
            },
            indent=2,
        )
    )
    print(f"{os.cpu_count()} CPUs, load average {load[0]:.1f} at the start and {load[1]:.1f} at "
          f"the end; results in {RESULTS}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
