"""The `movie-pipeline` command: one subcommand per stage, and `run` for all of them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from movie_pipeline.config import ConfigError, PipelineError, load_settings
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


def _fault_names() -> list[str]:
    from movie_pipeline.generator.faults import FAULTS

    return list(FAULTS)


def cmd_generate(args) -> int:
    from movie_pipeline.generator import generate

    files = generate(out_dir=args.out, movies=args.movies, seed=args.seed, faults=args.fault)
    for name, info in files.items():
        print(f"{name}\t{info['rows']}\t{info['bytes']}")
    return 0


def cmd_run(args) -> int:
    import tempfile

    from movie_pipeline.pipeline import run_all

    if args.dry_run:
        # A dry run's canned answers make empty results: keep them away from real ones.
        with tempfile.TemporaryDirectory(prefix="movie-pipeline-dry-run-") as outputs:
            run_all(_settings(args), args.source, outputs, reprocess=args.reprocess)
        return 0
    report = run_all(_settings(args), args.source, args.outputs, reprocess=args.reprocess)
    say(f"pipeline finished in {report['seconds']} s; results in {args.outputs}/")
    return 0


def cmd_upload(args) -> int:
    from movie_pipeline.pipeline import upload

    upload(_settings(args), args.source)
    return 0


def cmd_transform(args) -> int:
    from movie_pipeline.pipeline import transform

    transformed = transform(_settings(args))
    for table, info in transformed.get("tables", transformed).items():
        print(f"{table}\t{info['rows']}\t{info['path']}")
    return 0


def cmd_catalog(args) -> int:
    from movie_pipeline.pipeline import register

    for name in register(_settings(args)):
        print(name)
    return 0


def cmd_query(args) -> int:
    from movie_pipeline.analysis import query

    if args.list or not args.name:
        for name, description in query.list_queries().items():
            params = ", ".join(f"{p.name}={p.default}" for p in query.get_query(name).parameters)
            print(f"{name}\t{description}\t{params}")
        return 0
    # Values are bound as query parameters (Athena execution parameters, DuckDB prepared
    # statements), never pasted into the SQL.
    result = query.run(_settings(args), args.name, query.parse_param_args(args.param))
    if result.estimate is not None:
        say(result.estimate.describe())
    elif result.bytes_scanned is not None:
        say(f"Athena scanned {result.bytes_scanned:,} bytes (${result.usd:.6f})")
    if args.format == "csv":
        result.frame.to_csv(sys.stdout, index=False)
    else:
        print(result.frame.to_string(index=False))
    return 0


def cmd_report(args) -> int:
    from movie_pipeline.pipeline import analyse

    analyse(_settings(args), Path(args.outputs))
    return 0


def cmd_walkthrough(args) -> int:
    from movie_pipeline import notebooks

    params = notebooks.walkthrough_parameters(
        args.source, args.outputs, args.lake, args.backend,
        bucket=args.bucket, database=args.database,
    )  # fmt: skip
    try:
        folder = notebooks.notebooks_folder()
        runs = notebooks.run_notebooks(params, args.outputs, folder, args.only)
    except notebooks.NotebookFailed as exc:
        print(f"movie-pipeline: error: {exc}", file=sys.stderr)
        return 1
    for r in runs:
        print(f"{r.name}\t{r.executed}\t{r.html}")
    return 0


# AWS commands (docs/aws.md) -----------------------------------------------------------------
def _add_aws(p: argparse.ArgumentParser) -> None:
    p.add_argument("--bucket", help="bucket name (default movie-analytics-lake, or MOVIES_BUCKET)")
    p.add_argument("--database", help="Glue database (default movies_db)")
    _add_dry_run(p)


def _add_dry_run(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", action="store_true",
                   help="print every AWS call with its parameters; send none (no credentials needed)")  # fmt: skip


def _add_reprocess(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reprocess", action="store_true",
                   help="aws: reset the Glue job bookmark first, so that every raw file is read "
                   "again (after a code change; the local ETL always reads everything)")  # fmt: skip


def _aws_settings(args):
    return _settings(args).replace(backend="aws")


def cmd_setup_aws(args) -> int:
    from movie_pipeline.aws.iam import setup_aws

    report = setup_aws(_aws_settings(args))
    for action in report.actions:
        say(action)
    print(f"glue role\t{report.role_arn}\nanalyst policy\t{report.analyst_policy_arn}\n"
          f"athena workgroup\t{report.workgroup}")  # fmt: skip
    return 0


def cmd_deploy(args) -> int:
    from movie_pipeline.glue.deploy import deploy

    d = deploy(_aws_settings(args))
    print(f"{d.job_name}\t{d.script_uri}\t{d.package_uri}")
    return 0


def cmd_glue_job(args) -> int:
    from movie_pipeline.glue.deploy import GlueJobFailed, run_job

    try:
        r = run_job(_aws_settings(args), reprocess=args.reprocess)
    except GlueJobFailed as exc:
        print(f"movie-pipeline: error: {exc}", file=sys.stderr)
        return 1
    print(f"{r.state}\t{r.cost.seconds:.0f} s\t{r.cost.dpu_hours:.4f} DPU-hours\t${r.cost.usd:.4f}")
    return 0


def cmd_glue_session(args) -> int:
    from movie_pipeline.glue.sessions import GlueSession, StatementError

    code = Path(args.file).read_text() if args.file else args.code
    try:
        with GlueSession(_aws_settings(args)) as session:
            print(session.run(code))
    except StatementError as exc:
        print(f"movie-pipeline: error: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_teardown(args) -> int:
    from movie_pipeline.aws import teardown
    from movie_pipeline.aws.session import boto3_session

    settings = _aws_settings(args)
    session = boto3_session(settings)
    found = teardown.inventory(settings, session)
    if found.empty:
        say("nothing of the project's found on AWS")
        return 0
    print("\n".join(f"  {line}" for line in found.lines()))
    if not (args.yes or args.dry_run):
        if not sys.stdin.isatty():
            print("movie-pipeline: error: pass --yes to delete without a question", file=sys.stderr)
            return 2
        if input("Delete all of the above? [y/N] ").strip().lower() not in ("y", "yes"):
            say("nothing deleted")
            return 1
    teardown.teardown(settings, found, session)
    return 0


def _call(args) -> int:
    """Run the command, inside a dry run when asked (then nothing reaches AWS)."""
    from botocore.exceptions import NoCredentialsError

    if not getattr(args, "dry_run", False):
        try:
            return args.func(args)
        except NoCredentialsError:
            print("movie-pipeline: error: no AWS credentials found (aws configure, AWS_PROFILE); "
                  "add --dry-run to see the calls without them", file=sys.stderr)  # fmt: skip
            return 2
    from movie_pipeline.aws.dryrun import DryRun

    settings = _settings(args)
    if args.command == "run" and settings.backend != "aws":
        raise ConfigError("--dry-run shows AWS calls: use it with --backend aws")
    with DryRun(region=settings.region) as dry:
        code = args.func(args)
    print(dry.summary())
    return code


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
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        choices=_fault_names(),
        metavar="NAME",
        help="then corrupt a file with this fault (generator/faults.py); repeat to stack faults",
    )
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("run", help="every stage: upload, transform, catalog, query, report")
    p.add_argument("--source", required=True, help="folder with the raw Kaggle CSV files")
    p.add_argument("--outputs", default="outputs", help="where results and charts go")
    _add_lake(p)
    _add_reprocess(p)
    _add_dry_run(p)
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
    p.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="a query parameter, e.g. --param limit=20 (see --list)")  # fmt: skip
    _add_lake(p)
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("report", help="run the headline queries, save CSVs and charts")
    p.add_argument("--outputs", default="outputs")
    _add_lake(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("walkthrough", help="run the numbered notebooks in order with papermill")
    p.add_argument("--source", required=True, help="folder with the raw Kaggle CSV files")
    p.add_argument("--outputs", default="outputs",
                   help="executed notebooks and HTML in <outputs>/notebooks, charts, results")  # fmt: skip
    p.add_argument("--only", nargs="+", metavar="NN", help="run only these notebooks (00 01 ...)")
    _add_lake(p)
    p.set_defaults(func=cmd_walkthrough)

    p = sub.add_parser("setup-aws", help="bucket policy, Glue role, analyst policy, workgroup")
    _add_aws(p)
    p.set_defaults(func=cmd_setup_aws)

    p = sub.add_parser("deploy", help="ship the lib and job script to S3; create/update the job")
    _add_aws(p)
    p.set_defaults(func=cmd_deploy)

    p = sub.add_parser("glue-job", help="start the Glue job and follow it to the end, with cost")
    _add_reprocess(p)
    _add_aws(p)
    p.set_defaults(func=cmd_glue_job)

    p = sub.add_parser("glue-session", help="run PySpark code in a Glue interactive session")
    code = p.add_mutually_exclusive_group()
    code.add_argument("--code", default="print(spark.version)", help="code to run")
    code.add_argument("--file", help="a Python file to run")
    _add_aws(p)
    p.set_defaults(func=cmd_glue_session)

    p = sub.add_parser("teardown", help="list, then delete, everything the project made on AWS")
    p.add_argument("--yes", action="store_true", help="delete without asking")
    _add_aws(p)
    p.set_defaults(func=cmd_teardown)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _call(args)
    except (PipelineError, FileNotFoundError, KeyError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"movie-pipeline: error: {message}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        from movie_pipeline.etl.spark import JavaMissingError

        if isinstance(exc, JavaMissingError):
            print(f"movie-pipeline: error: {exc}", file=sys.stderr)
            return 3
        raise


if __name__ == "__main__":
    raise SystemExit(main())
