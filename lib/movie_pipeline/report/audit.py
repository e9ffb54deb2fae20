"""What a run reconciled and quarantined, and each cleaned table's key checked through the catalog."""

from __future__ import annotations

import json
from pathlib import Path

from movie_pipeline.config import Settings
from movie_pipeline.etl.reconcile import REPORT_KEY


def load_reconciliation(settings: Settings) -> dict:
    """The reconciliation report the last flatten wrote to ``reports/reconciliation.json``.

    Raises:
        FileNotFoundError: notebook 02 has not run on this lake yet.
    """
    key = REPORT_KEY
    if settings.backend == "aws":
        from botocore.exceptions import ClientError

        from movie_pipeline.aws.session import boto3_session

        s3 = boto3_session(settings).client("s3")
        try:
            body = s3.get_object(Bucket=settings.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            raise FileNotFoundError(f"s3://{settings.bucket}/{key}: run notebook 02 first") from exc
        return json.loads(body)
    path = Path(settings.uri(key))
    if not path.is_file():
        raise FileNotFoundError(f"{path}: run notebook 02 first")
    return json.loads(path.read_text(encoding="utf-8"))


def reconciliation_frames(report: dict):
    """The reconciliation report as two DataFrames: one row per dataset, one per cleaned table.

    Returns:
        ``(datasets, tables)``. ``datasets``: dataset, raw_records, read_records, clean,
        quarantined, duplicates_removed, split_halves_merged, accounted (the sum of the four
        before it), ok. ``tables``: dataset, table, rows, expected, rule.
    """
    import pandas as pd

    columns = ["raw_records", "read_records", "clean", "quarantined", "duplicates_removed",
               "split_halves_merged", "ok"]  # fmt: skip
    datasets = pd.DataFrame(
        [{"dataset": name, **{c: d[c] for c in columns}} for name, d in report["datasets"].items()],
        columns=["dataset", *columns],
    )
    # What the report's identity adds up: it must equal read_records.
    parts = ["clean", "quarantined", "duplicates_removed", "split_halves_merged"]
    datasets.insert(len(columns), "accounted", datasets[parts].sum(axis=1).astype(int))
    tables = pd.DataFrame(
        [
            {"dataset": name, "table": table, **{c: t[c] for c in ("rows", "expected", "rule")}}
            for name, d in report["datasets"].items()
            for table, t in d["tables"].items()
        ],
        columns=["dataset", "table", "rows", "expected", "rule"],
    )
    return datasets, tables


def quarantined_rows(settings: Settings, raw_chars: int = 80):
    """Every row in ``quarantine/``: its dataset, its movie id, why, and the start of its raw fields.

    Args:
        settings: where the lake is.
        raw_chars: how much of the raw fields (JSON) to show; the lake keeps all of it.

    Returns:
        A DataFrame: dataset, id (the raw ``id`` field, text as it was in the file), reason,
        raw; sorted by dataset and id; empty when nothing was quarantined.
    """
    import json

    import pandas as pd
    import pyarrow.parquet as pq

    from movie_pipeline.lake.storage import list_files

    columns = ["dataset", "reason", "raw"]
    files = list_files(settings, settings.quarantine_prefix, ".parquet")
    if settings.backend == "aws" and files:
        import awswrangler as wr

        from movie_pipeline.aws.session import boto3_session

        session = boto3_session(settings)
        frames = [
            wr.s3.read_parquet([f.uri for f in files], columns=columns, boto3_session=session)
        ]
    else:
        frames = [pq.read_table(f.uri, columns=columns).to_pandas() for f in files]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    rows.insert(1, "id", [json.loads(raw).get("id") if raw else None for raw in rows["raw"]])
    cut = rows["raw"].str.len() > raw_chars
    rows.loc[cut, "raw"] = rows.loc[cut, "raw"].str.slice(0, raw_chars) + "..."
    return rows.sort_values(["dataset", "id"], ignore_index=True)


def quarantine_reasons(settings: Settings):
    """Why rows went to ``quarantine/``: rows per dataset and reason (the reason's first words).

    Returns:
        A DataFrame: dataset, reason, rows; empty when nothing was quarantined.
    """
    import pandas as pd

    rows = quarantined_rows(settings)
    if rows.empty:
        return pd.DataFrame(columns=["dataset", "reason", "rows"])
    # Reasons quote the bad value ("budget 'abc' is not a bigint"): hide it so alike ones group.
    rows["reason"] = rows["reason"].str.replace(r"'[^']*'", "'...'", regex=True)
    return rows.groupby(["dataset", "reason"]).size().rename("rows").reset_index()


KEY_QUALITY_SQL = """
with keys as (
    select
        {keys},
        count(*) as n
    from {table}
    group by {keys}
),

final as (
    select
        coalesce(sum(n), 0) as row_count,
        count(*) as distinct_keys,
        coalesce(sum(case when n > 1 then n - 1 else 0 end), 0) as duplicate_rows,
        coalesce(sum(case when {null_test} then n else 0 end), 0) as null_key_rows
    from keys
)

select * from final
"""


def key_quality_sql(table: str) -> str:
    """Athena SQL that counts a cleaned table's rows, distinct keys, duplicates and null keys."""
    from movie_pipeline.config import validate_identifier
    from movie_pipeline.specs.tables import CLEANED_TABLES

    spec = CLEANED_TABLES[validate_identifier(table, "table")]
    keys = [validate_identifier(k, "column") for k in spec.key]
    return KEY_QUALITY_SQL.format(
        table=table,
        keys=", ".join(keys),
        null_test=" or ".join(f"{k} is null" for k in keys),
    ).strip()


def key_quality(settings: Settings, tables: list[str]):
    """Each table's key (``TableSpec.key``) checked through the catalog: duplicates and nulls.

    Runs on DuckDB offline and on Athena on AWS (billed: a few queries of the key columns).

    Returns:
        A DataFrame: table, key, row_count, distinct_keys, duplicate_rows, null_key_rows.
    """
    import pandas as pd

    from movie_pipeline.specs.tables import CLEANED_TABLES

    rows = []
    for table in tables:
        sql = key_quality_sql(table)
        if settings.backend == "aws":
            from movie_pipeline.analysis import athena

            result, _ = athena.read_query(settings, sql)
        else:
            import duckdb

            from movie_pipeline.analysis.query import to_duckdb

            with duckdb.connect(str(settings.catalog_path), read_only=True) as con:
                result = con.execute(to_duckdb(sql)).fetchdf()
        counts = {k: int(v) for k, v in result.iloc[0].items()}
        rows.append({"table": table, "key": ", ".join(CLEANED_TABLES[table].key), **counts})
    return pd.DataFrame(rows)
