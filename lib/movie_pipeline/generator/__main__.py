"""``python -m movie_pipeline.generator --movies N --out DIR [--seed S]``: write the CSV files."""

from __future__ import annotations

import argparse
import time

from . import FILES, generate
from .faults import FAULTS


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, generate, and print one tab-separated line per file."""
    parser = argparse.ArgumentParser(prog="python -m movie_pipeline.generator", description=__doc__)
    parser.add_argument(
        "--movies", type=int, default=300, help="credits.csv rows (45476 = full size)"
    )
    parser.add_argument("--out", required=True, help="folder to write the CSV files to")
    parser.add_argument("--seed", type=int, default=42, help="random seed (same seed, same bytes)")
    parser.add_argument("--files", nargs="*", choices=list(FILES), help="only these files")
    parser.add_argument("--ratings-per-movie", type=float, default=20.0, help="size of ratings.csv")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument(
        "--fault",
        action="append",
        choices=list(FAULTS),
        default=[],
        help="then corrupt a file with this fault (generator/faults.py); repeat to stack faults",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    files = args.files
    if files is not None:  # a fault's file is written even when --files leaves it out
        files = [*files, *(FAULTS[f].file for f in args.fault if FAULTS[f].file not in files)]
    info = generate(
        args.out, args.movies, args.seed, files, not args.quiet,
        ratings_per_movie=args.ratings_per_movie, faults=args.fault,
    )  # fmt: skip
    for name, item in info.items():
        print(f"{name}\t{item['rows']}\t{item['bytes']}")
    for fault in args.fault:
        print(f"fault\t{fault}\t{info[FAULTS[fault].file]['path']}")
    print(
        f"total\t{sum(i['rows'] for i in info.values())}\t{sum(i['bytes'] for i in info.values())}\t{time.perf_counter() - start:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
