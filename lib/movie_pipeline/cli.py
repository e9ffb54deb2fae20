"""The `movie-pipeline` command: one subcommand per stage, and `run` for all of them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from movie_pipeline.config import ConfigError, load_settings
from movie_pipeline.progress import say


def _settings(args: argparse.Namespace):
    return load_settings({
        "backend": getattr(args, "backend", None),
        "lake_dir": getattr(args, "lake", None),
        "bucket": getattr(args, "bucket", None),
        "database": getattr(args, "database", None),
    })  # fmt: skip


def _add_lake(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lake", help="local folder laid out like the bucket (default outputs/lake)")
    p.add_argument("--backend", choices=["local", "aws"], help="default: local (or MOVIES_BACKEND)")
    p.add_argument("--bucket", help="bucket name (default movie-analytics-lake)")
    p.add_argument("--database", help="Glue database / local catalog name (default movies_db)")


def cmd_generate(args) -> int:
    from movie_pipeline.generator import generate

    files = generate(out_dir=args.out, movies=args.movies, seed=args.seed)
    for name, info in files.items():
        print(f"{name}\t{info['rows']}\t{info['bytes']}")
    return 0


def cmd_run(args) -> int:
    from movie_pipeline.pipeline import run_all

    report = run_all(_settings(args), args.source, args.outputs)
    say(f"pipeline finished in {report['seconds']} s; results in {args.outputs}/")
    return 0


def cmd_upload(args) -> int:
    from movie_pipeline.pipeline import upload

    upload(_settings(args), args.source)
    return 0


def cmd_transform(args) -> int:
    from movie_pipeline.pipeline import transform

    for table, info in transform(_settings(args)).items():
        print(f"{table}\t{info['rows']}\t{info['path']}")
    return 0


def cmd_catalog(args) -> int:
    from movie_pipeline.pipeline import register

    for name in register(_settings(args)):
        print(name)
    return 0


def cmd_query(args) -> int:
    from movie_pipeline import query

    if args.list or not args.name:
        for name, description in query.list_queries().items():
            print(f"{name}\t{description}")
        return 0
    result = query.run_local(_settings(args), args.name)
    if args.format == "csv":
        result.frame.to_csv(sys.stdout, index=False)
    else:
        print(result.frame.to_string(index=False))
    return 0


def cmd_report(args) -> int:
    from movie_pipeline.pipeline import analyse

    analyse(_settings(args), Path(args.outputs))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="movie-pipeline",
        description="Movie analytics pipeline: S3 -> Glue -> Glue Data Catalog -> Athena, "
        "offline (local Spark + DuckDB) or on AWS.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("generate", help="write a synthetic copy of The Movies Dataset")
    p.add_argument("--movies", type=int, default=300, help="number of movies (45476 = full size)")
    p.add_argument("--out", required=True, help="folder to write the CSV files to")
    p.add_argument("--seed", type=int, default=42, help="random seed (same seed, same bytes)")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("run", help="every stage: upload, transform, catalog, query, report")
    p.add_argument("--source", required=True, help="folder with the raw Kaggle CSV files")
    p.add_argument("--outputs", default="outputs", help="where results and charts go")
    _add_lake(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("upload", help="copy raw files to raw/<dataset>/<file>")
    p.add_argument("--source", required=True)
    _add_lake(p)
    p.set_defaults(func=cmd_upload)

    p = sub.add_parser("transform", help="flatten and clean raw/ into cleaned/ Parquet (Spark)")
    _add_lake(p)
    p.set_defaults(func=cmd_transform)

    p = sub.add_parser("catalog", help="register the cleaned tables")
    _add_lake(p)
    p.set_defaults(func=cmd_catalog)

    p = sub.add_parser("query", help="run an analysis query (see --list)")
    p.add_argument("name", nargs="?")
    p.add_argument("--list", action="store_true", help="list the queries")
    p.add_argument("--format", choices=["csv", "table"], default="table")
    _add_lake(p)
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("report", help="run the headline queries, save CSVs and charts")
    p.add_argument("--outputs", default="outputs")
    _add_lake(p)
    p.set_defaults(func=cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ConfigError, FileNotFoundError, KeyError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"movie-pipeline: error: {message}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        from movie_pipeline.spark import JavaMissingError

        if isinstance(exc, JavaMissingError):
            print(f"movie-pipeline: error: {exc}", file=sys.stderr)
            return 3
        raise


if __name__ == "__main__":
    raise SystemExit(main())
