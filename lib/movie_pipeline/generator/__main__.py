"""``python -m movie_pipeline.generator --movies N --out DIR [--seed S]``: write the CSV files."""

from __future__ import annotations

import argparse
import time

from . import FILES, generate
from .faults import FAULTS, write_fault


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
    parser.add_argument("--fault", choices=list(FAULTS),
                        help="then corrupt one file with this fault (generator/faults.py)")  # fmt: skip
    args = parser.parse_args(argv)
    start = time.perf_counter()
    info = generate(
        args.out, args.movies, args.seed, args.files, not args.quiet,
        ratings_per_movie=args.ratings_per_movie,
    )  # fmt: skip
    for name, item in info.items():
        print(f"{name}\t{item['rows']}\t{item['bytes']}")
    if args.fault:  # corrupt the file just written, in place (generated if --files left it out)
        path = write_fault(args.fault, args.out, args.out, movies=args.movies, seed=args.seed)
        print(f"fault\t{args.fault}\t{path}")
    print(
        f"total\t{sum(i['rows'] for i in info.values())}\t{sum(i['bytes'] for i in info.values())}\t{time.perf_counter() - start:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
