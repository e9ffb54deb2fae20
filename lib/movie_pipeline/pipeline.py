"""The stages in order: upload, transform, catalog, query, report."""

from __future__ import annotations

import json
import time
from pathlib import Path

from movie_pipeline import catalog, charts, etl, query, storage
from movie_pipeline.config import Settings
from movie_pipeline.datasets import find_raw_files
from movie_pipeline.progress import say, step

HEADLINE_QUERIES = ("top_actors",)


def upload(settings: Settings, source: str | Path) -> list[storage.Uploaded]:
    files = find_raw_files(source)
    with step(f"upload {len(files)} raw files to {settings.raw_uri()}"):
        results = storage.upload_raw_local(settings, files)
    for r in results:
        say(f"  {r.key}: {r.size:,} bytes, {'uploaded' if r.transferred else 'unchanged, skipped'}")
    return results


def transform(settings: Settings, spark=None) -> dict[str, dict]:
    from movie_pipeline.spark import get_spark

    with step("start Spark"):
        spark = spark or get_spark(settings.spark_master)
    return etl.run_etl(spark, settings)


def register(settings: Settings) -> list[str]:
    with step(f"register tables in the local catalog {settings.catalog_path}"):
        return catalog.register_local(settings)


def analyse(settings: Settings, outputs: Path, names=HEADLINE_QUERIES) -> dict[str, dict]:
    results = {}
    for name in names:
        with step(f"query {name}"):
            res = query.run_local(settings, name)
            (outputs / "results").mkdir(parents=True, exist_ok=True)
            csv_path = outputs / "results" / f"{name}.csv"
            res.frame.to_csv(csv_path, index=False)
            png = charts.chart_for(name, res.frame, outputs / "charts")
        results[name] = {
            "rows": len(res.frame), "csv": str(csv_path), "chart": str(png) if png else None,
            "seconds": round(res.seconds, 3),
        }
    return results


def run_all(settings: Settings, source: str | Path, outputs: str | Path = "outputs") -> dict:
    """Run every stage from the raw files in ``source`` to results and charts in ``outputs``."""
    outputs = Path(outputs)
    outputs.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    uploaded = upload(settings, source)
    tables = transform(settings)
    registered = register(settings)
    results = analyse(settings, outputs)
    report = {
        "settings": settings.as_dict(),
        "uploaded": [u.__dict__ for u in uploaded],
        "tables": tables,
        "catalog": registered,
        "queries": results,
        "seconds": round(time.perf_counter() - start, 1),
    }
    path = outputs / "run_report.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    say(f"report written to {path}")
    return report
