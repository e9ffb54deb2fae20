"""Every shipped query on full-size data, locally: latency, and the bytes Athena would scan.

Usage:
    python benchmarks/bench_queries.py [--source DIR] [--lake DIR] [--repeat 5]

``--source`` holds the raw CSV files (default: generate full size with
``python -m movie_pipeline.generator --movies 45476 --seed 42`` into the work folder). When the
lake already has cleaned tables (``movie-pipeline transform``), they are used as they are;
otherwise this script builds them from the raw files with a plain pandas + ``literal_eval``
flatten (not the Spark ETL: same columns and types, one Parquet file per partition or chunk).

Reports, per query: the best-of-N latency of the DuckDB execution and of the whole call
(transpile, connect, execute; with its median), in seconds and as a ratio to a baseline scan
of cast_data in the same run; rows; the estimated bytes scanned with and without partition pruning (default parameters,
and a 2000-2010 window for the queries that take decades). Results go to
``benchmarks/results/bench_queries.json``.
"""

from __future__ import annotations

import argparse
import ast
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from movie_pipeline.analysis import query
from movie_pipeline.analysis.scan import estimate_scan
from movie_pipeline.catalog.register import register_local
from movie_pipeline.config import Settings
from movie_pipeline.lake.schema_guard import guard
from movie_pipeline.lake.storage import list_files

# The tests' fixture writer builds the tables when the lake has none (see the docstring).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from lake_tables import write_cleaned_local  # noqa: E402

WINDOW = {"decade_from": 2000, "decade_to": 2010}
NEEDED = ("cast_data", "crew_data", "movies", "movie_genres")


def _literal(cell: str) -> list:
    return ast.literal_eval(cell) if cell and cell.startswith("[") else []


def build_cleaned(source: Path, settings: Settings) -> dict[str, int]:
    """Flatten credits and movies_metadata with pandas into the cleaned tables (specs' types)."""
    credits = pd.read_csv(source / "credits.csv", dtype=str, keep_default_na=False)
    cast, crew = [], []
    for movie, cast_cell, crew_cell in zip(
        credits["id"], credits["cast"], credits["crew"], strict=True
    ):
        for c in _literal(cast_cell):
            cast.append((int(movie), c["cast_id"], c["character"], c["credit_id"], c["gender"],
                         c["name"], c["order"], c["id"], c["profile_path"]))  # fmt: skip
        for c in _literal(crew_cell):
            crew.append((int(movie), c["credit_id"], c["department"], c["gender"], c["job"],
                         c["name"], c["id"], c["profile_path"]))  # fmt: skip
    cast_df = pd.DataFrame(cast, columns=["id", "cast_id", "character", "credit_id", "gender",
                                          "name", "order_num", "person_id", "profile_path"])  # fmt: skip
    crew_df = pd.DataFrame(crew, columns=["id", "credit_id", "department", "gender", "job",
                                          "name", "person_id", "profile_path"])  # fmt: skip
    cast_df = cast_df.drop_duplicates(["id", "credit_id"])
    crew_df = crew_df.drop_duplicates(["id", "credit_id"])

    meta = pd.read_csv(source / "movies_metadata.csv", dtype=str, keep_default_na=False)
    meta["id"] = pd.to_numeric(meta["id"], errors="coerce")
    meta = meta.dropna(subset=["id"]).drop_duplicates("id")  # the split records have no id
    movies = pd.DataFrame({"id": meta["id"].astype(int)})
    for col in ("imdb_id", "title", "original_title", "original_language", "overview",
                "tagline", "homepage", "status", "poster_path"):  # fmt: skip
        movies[col] = meta[col].replace("", None)
    for col in ("adult", "video"):
        movies[col] = meta[col].map({"True": True, "False": False})
    for col in ("budget", "revenue"):
        movies[col] = pd.to_numeric(meta[col], errors="coerce").replace(0, None)
    for col in ("runtime", "popularity", "vote_average"):
        movies[col] = pd.to_numeric(meta[col], errors="coerce")
    movies["vote_count"] = pd.to_numeric(meta["vote_count"], errors="coerce")
    dates = pd.to_datetime(meta["release_date"], errors="coerce")
    movies["release_date"] = dates.dt.date
    movies["release_year"] = dates.dt.year.astype("Int64")
    movies["release_decade"] = (dates.dt.year // 10 * 10).astype("Int64")
    movies["collection_id"] = None
    movies["collection_name"] = None
    genres = pd.DataFrame(
        [(m, g["id"], g["name"]) for m, cell in zip(movies["id"], meta["genres"], strict=True)
         for g in _literal(cell)],
        columns=["id", "genre_id", "genre_name"],
    ).drop_duplicates(["id", "genre_id"])  # fmt: skip

    # Spark writes several part files per table; so do we, by row count.
    write_cleaned_local(settings, "cast_data", cast_df, rows_per_file=150_000)
    write_cleaned_local(settings, "crew_data", crew_df, rows_per_file=150_000)
    write_cleaned_local(settings, "movies", movies)
    write_cleaned_local(settings, "movie_genres", genres)
    return {"cast_data": len(cast_df), "crew_data": len(crew_df), "movies": len(movies),
            "movie_genres": len(genres)}  # fmt: skip


def _median_run(settings: Settings, name: str, params: dict, repeat: int) -> dict:
    query.run_local(settings, name, params, estimate=False)  # warm the OS file cache
    engine, total = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        res = query.run_local(settings, name, params, estimate=False)
        total.append(time.perf_counter() - start)
        engine.append(res.seconds)
    # The best of N is what the query costs; the median shows how much a busy machine adds.
    return {"rows": len(res.frame), "engine_s": min(engine), "total_s": min(total),
            "total_median_s": statistics.median(total)}  # fmt: skip


def _baseline(settings: Settings, repeat: int) -> float:
    import duckdb

    times = []
    with duckdb.connect(str(settings.catalog_path), read_only=True) as con:
        for _ in range(repeat + 1):
            start = time.perf_counter()
            con.execute("select count(*), count(distinct person_id) from cast_data").fetchall()
            times.append(time.perf_counter() - start)
    return min(times[1:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", help="raw CSV folder (default: generate full size)")
    parser.add_argument("--lake", help="work folder (default: a temporary one)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    work = Path(args.lake or tempfile.mkdtemp(prefix="bench-queries-"))
    settings = Settings(lake_dir=work)
    source = Path(args.source) if args.source else work / "source"
    if not (source / "credits.csv").exists():
        subprocess.run([sys.executable, "-m", "movie_pipeline.generator", "--movies", "45476",
                        "--seed", "42", "--out", str(source), "--quiet",
                        "--files", "credits.csv", "movies_metadata.csv"], check=True)  # fmt: skip
    have = {t for t in NEEDED if list_files(settings, f"{settings.cleaned_prefix}/{t}", ".parquet")}
    origin = "cleaned tables already in the lake"
    rows = {}
    if have != set(NEEDED):
        start = time.perf_counter()
        rows = build_cleaned(source, settings)
        origin = f"pandas flatten of {source} ({time.perf_counter() - start:.0f} s)"
    guard(settings, list(NEEDED))
    register_local(settings, list(NEEDED))
    base = _baseline(settings, args.repeat)
    report = {"origin": origin, "rows": rows, "baseline_s": base, "queries": {}}
    print(f"# {origin}; baseline scan of cast_data {base * 1000:.0f} ms\n")
    print(
        "| query | rows | DuckDB s | whole call s (median) | x baseline | est. MB pruned "
        "| est. MB unpruned | params for pruning |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name in query.list_queries():
        q = query.get_query(name)
        names = {p.name for p in q.params}
        params = WINDOW if set(WINDOW) <= names else {}
        timing = _median_run(settings, name, {}, args.repeat)
        bound = q.bind(params)
        est = estimate_scan(settings, q.sql, [bound[p.name] for p in q.params])
        report["queries"][name] = {**timing, "params": params,
                                   "bytes_pruned": est.bytes_pruned,
                                   "bytes_unpruned": est.bytes_unpruned,
                                   "bytes_table": est.bytes_table}  # fmt: skip
        print(f"| {name} | {timing['rows']} | {timing['engine_s']:.3f} "
              f"| {timing['total_s']:.3f} ({timing['total_median_s']:.3f}) "
              f"| {timing['total_s'] / base:.1f} | {est.bytes_pruned / 2**20:.2f} "
              f"| {est.bytes_unpruned / 2**20:.2f} | {params or '-'} |")  # fmt: skip
    out = Path(__file__).parent / "results" / "bench_queries.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
