"""Time ``generate(movies=45476)`` (full size) and print seconds and file sizes.

Run: ``python benchmarks/bench_generate.py [--movies N] [--out DIR] [--seed S]``. The files stay in
``--out`` (default: a temporary folder that is removed) so other benchmarks can reuse them.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from movie_pipeline.generator import generate

FULL_SIZE = 45476  # credits.csv rows in the original


def main() -> None:
    """Generate once, then print one line per file and the totals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movies", type=int, default=FULL_SIZE)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", help="keep the files here (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.out or tmp)
        start, cpu = time.perf_counter(), time.process_time()
        info = generate(out, movies=args.movies, seed=args.seed, progress=False)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{'file':<22}{'rows':>12}{'MB':>10}")
        for name, item in info.items():
            print(f"{name:<22}{item['rows']:>12,}{item['bytes'] / 1e6:>10.1f}")
        total = sum(item["bytes"] for item in info.values())
        print(f"{'total':<22}{'':>12}{total / 1e6:>10.1f}")
        print(
            f"movies={args.movies} seed={args.seed}: {wall:.1f} s wall, {cpu:.1f} s CPU, peak RSS {peak_mb:.0f} MB"
        )


if __name__ == "__main__":
    main()
