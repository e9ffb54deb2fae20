"""The table specs and what derives from them: Spark/Arrow schemas, Glue TableInput, Athena DDL."""

from __future__ import annotations

import pyarrow as pa
import pytest
import sqlglot
from pyspark.sql import types as T
from sqlglot import exp

from movie_pipeline.config import Settings
from movie_pipeline.specs import ddl
from movie_pipeline.specs.datasets import RAW_FILES
from movie_pipeline.specs.tables import CLEANED_TABLES, RAW_TABLES, Col, TableSpec

AWS = Settings(backend="aws", bucket="lake-bucket", database="films")

# Written out by hand: the same Athena type must mean the same thing everywhere.
SAME_TYPE = {
    "int": (T.IntegerType(), pa.int32(), exp.DataType.Type.INT),
    "bigint": (T.LongType(), pa.int64(), exp.DataType.Type.BIGINT),
    "double": (T.DoubleType(), pa.float64(), exp.DataType.Type.DOUBLE),
    "string": (T.StringType(), pa.string(), exp.DataType.Type.TEXT),
    "boolean": (T.BooleanType(), pa.bool_(), exp.DataType.Type.BOOLEAN),
    "date": (T.DateType(), pa.date32(), exp.DataType.Type.DATE),
    "timestamp": (T.TimestampType(), pa.timestamp("us"), exp.DataType.Type.TIMESTAMP),
}


def _columns(create: exp.Create) -> list[tuple[str, exp.DataType.Type, str]]:
    out = []
    for col in create.this.expressions:
        comment = col.find(exp.CommentColumnConstraint)
        out.append((col.name, col.args["kind"].this, comment.this.this if comment else None))
    return out


def _property(create: exp.Create, kind: type) -> exp.Expression | None:
    return next((p for p in create.args["properties"].expressions if isinstance(p, kind)), None)


def _table_props(create: exp.Create) -> dict[str, str]:
    return {p.name: p.text("value") for p in create.args["properties"].expressions
            if type(p) is exp.Property}  # fmt: skip


@pytest.mark.parametrize("table", sorted(CLEANED_TABLES))
def test_spark_and_arrow_schemas_agree_with_the_spec(table):
    spec = CLEANED_TABLES[table]
    spark = spec.spark_schema(with_partitions=False)
    arrow = ddl.arrow_schema(spec)
    assert spark.names == arrow.names == [c.name for c in spec.columns]
    for col, sfield, afield in zip(spec.columns, spark.fields, arrow, strict=True):
        assert (sfield.dataType, afield.type) == SAME_TYPE[col.type][:2], col.name


def test_movies_glue_table_input():
    ti = ddl.glue_table_input(CLEANED_TABLES["movies"], AWS)
    sd = ti["StorageDescriptor"]
    assert ti["Name"] == "movies" and ti["TableType"] == "EXTERNAL_TABLE"
    assert ti["Parameters"]["classification"] == "parquet"
    assert ti["Parameters"]["parquet.compression"] == "SNAPPY"
    assert ti["PartitionKeys"] == [
        {"Name": "release_decade", "Type": "int", "Comment": "decade of release_date, e.g. 1990"}
    ]
    assert sd["Columns"][0] == {"Name": "id", "Type": "int", "Comment": "TMDB movie id (movies.id)"}
    types = {c["Name"]: c["Type"] for c in sd["Columns"]}
    assert (types["budget"], types["release_date"], types["adult"]) == ("bigint", "date", "boolean")
    assert "release_decade" not in types  # a partition key is not a file column
    assert sd["Location"] == "s3://lake-bucket/cleaned/movies/"
    assert sd["SerdeInfo"]["SerializationLibrary"] == (
        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    )
    assert sd["InputFormat"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    assert sd["OutputFormat"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"


def test_partition_input_points_at_its_folder():
    part = ddl.glue_partition_input(CLEANED_TABLES["movies"], AWS, ["1990"])
    assert part["Values"] == ["1990"]
    assert part["StorageDescriptor"]["Location"] == (
        "s3://lake-bucket/cleaned/movies/release_decade=1990/"
    )


def test_glue_refuses_a_comment_longer_than_255():
    spec = TableSpec("t", (Col("a", "int", "x" * 256),), source="s", description="d")
    with pytest.raises(ValueError, match="longer than 255"):
        ddl.glue_table_input(spec, AWS)


@pytest.mark.parametrize("table", sorted(CLEANED_TABLES))
def test_cleaned_ddl_parses_as_athena_with_every_column(table):
    spec = CLEANED_TABLES[table]
    create = sqlglot.parse_one(ddl.athena_ddl(spec, AWS), read="athena")
    assert isinstance(create, exp.Create) and create.args["exists"]
    assert create.this.this.name == table and create.this.this.db == "films"
    got = _columns(create)
    assert [(n, t) for n, t, _ in got] == [(c.name, SAME_TYPE[c.type][2]) for c in spec.columns]
    assert [c for _, _, c in got] == [c.comment for c in spec.columns]  # apostrophes survive
    assert _property(create, exp.FileFormatProperty).name.upper() == "PARQUET"
    assert _property(create, exp.LocationProperty).this.this == f"s3://lake-bucket/cleaned/{table}/"
    assert _table_props(create)["parquet.compression"] == "SNAPPY"
    partitioned = _property(create, exp.PartitionedByProperty)
    if spec.partition_keys:
        assert [c.name for c in partitioned.this.expressions] == ["release_decade"]
    else:
        assert partitioned is None


def test_comment_with_an_apostrophe_round_trips():
    comment = next(c.comment for c in CLEANED_TABLES["cast_data"].columns if c.name == "cast_id")
    assert comment == "position of the credit in TMDB's cast list"
    create = sqlglot.parse_one(ddl.athena_ddl(CLEANED_TABLES["cast_data"], AWS), read="athena")
    assert dict((n, c) for n, _, c in _columns(create))["cast_id"] == comment


def test_repair_statement_parses():
    stmt = ddl.repair_sql(CLEANED_TABLES["movies"], AWS)
    assert stmt == "MSCK REPAIR TABLE `films`.`movies`"
    sqlglot.parse_one(stmt, read="athena")


def test_raw_specs_follow_the_files_headers():
    assert {t.file for t in RAW_TABLES.values()} == set(RAW_FILES)
    for raw in RAW_TABLES.values():
        assert tuple(c.source for c in raw.columns) == RAW_FILES[raw.file].columns


@pytest.mark.parametrize("name", sorted(RAW_TABLES))
def test_raw_ddl_is_opencsvserde_over_strings_with_header_skipped(name):
    raw = RAW_TABLES[name]
    create = sqlglot.parse_one(ddl.raw_athena_ddl(raw, AWS), read="athena")
    assert {t for _, t, _ in _columns(create)} == {exp.DataType.Type.TEXT}
    assert [n for n, _, _ in _columns(create)] == [c.source.lower() for c in raw.columns]
    serde = _property(create, exp.RowFormatSerdeProperty)
    assert serde.this.this == "org.apache.hadoop.hive.serde2.OpenCSVSerde"
    props = {p.this.this: p.args["value"].this for p in serde.args["serde_properties"].expressions}
    assert props == {"separatorChar": ",", "quoteChar": '"', "escapeChar": "\\"}
    assert _table_props(create)["skip.header.line.count"] == "1"
    location = _property(create, exp.LocationProperty).this.this
    assert location == f"s3://lake-bucket/raw/{RAW_FILES[raw.file].dataset}/"


def test_raw_glue_table_input_matches_the_ddl():
    ti = ddl.raw_glue_table_input(RAW_TABLES["raw_credits"], AWS)
    sd = ti["StorageDescriptor"]
    assert [(c["Name"], c["Type"]) for c in sd["Columns"]] == [
        ("cast", "string"),
        ("crew", "string"),
        ("id", "string"),
    ]
    assert sd["SerdeInfo"]["SerializationLibrary"] == "org.apache.hadoop.hive.serde2.OpenCSVSerde"
    assert sd["SerdeInfo"]["Parameters"]["escapeChar"] == "\\"
    assert ti["Parameters"]["skip.header.line.count"] == "1"
    assert sd["Location"] == "s3://lake-bucket/raw/credits/"


@pytest.mark.parametrize("name", sorted(RAW_TABLES))
def test_typed_views_parse_as_trino(name):
    raw = RAW_TABLES[name]
    view = sqlglot.parse_one(ddl.typed_view_sql(raw), read="trino")
    assert isinstance(view, exp.Create) and view.args["replace"]
    select = view.expression
    assert select.named_selects == [c.name for c in raw.columns] + ["bad_values"]
    casts = {
        c.alias: c.this.to.sql("trino")
        for c in select.expressions
        if isinstance(c.this, exp.TryCast)
    }
    typed = {c.name: c.type for c in raw.columns if c.type != "string"}
    assert casts == {n: {"int": "INTEGER"}.get(t, t.upper()) for n, t in typed.items()}
    # Every name double-quoted: Trino reserves words that are column names here (cast).
    unquoted = [i.name for i in view.find_all(exp.Identifier) if not i.quoted]
    assert unquoted == []


def test_a_column_named_like_a_trino_keyword_is_quoted():
    lines = ddl.typed_view_sql(RAW_TABLES["raw_credits"]).splitlines()
    assert lines[0] == 'create or replace view "raw_credits_typed" as'
    assert lines[2] == '    "cast" as "cast",'
    assert lines[-1] == 'from "raw_credits"'
