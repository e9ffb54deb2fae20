"""The Glue Data Catalog on moto (server mode): tables, SerDe, partitions, and the typed views.

moto runs the Glue and S3 APIs; it does not execute Athena SQL, so the typed views' DDL is
checked as the request Athena received (moto records every StartQueryExecution).
"""

from __future__ import annotations

import boto3
import pytest

from movie_pipeline import pipeline
from movie_pipeline.catalog import register as catalog
from movie_pipeline.ingest.upload import upload_raw
from movie_pipeline.lake.schema_guard import SchemaMismatchError
from movie_pipeline.lake.storage import MissingResourceError, list_files
from movie_pipeline.specs import ddl
from movie_pipeline.specs.tables import CLEANED_TABLES, RAW_TABLES

pytestmark = pytest.mark.aws


def _copy_lake(local_settings, aws_settings, tables=None) -> None:
    """Put the local lake's cleaned files under the same keys in the bucket."""
    s3 = boto3.client("s3")
    for f in list_files(local_settings, local_settings.cleaned_prefix):
        if tables is None or f.key.split("/")[1] in tables:
            s3.upload_file(f.uri, aws_settings.bucket, f.key)


def _athena_statements(settings) -> list[dict]:
    athena = boto3.client("athena")
    ids = athena.list_query_executions(WorkGroup=settings.workgroup)["QueryExecutionIds"]
    return [athena.get_query_execution(QueryExecutionId=i)["QueryExecution"] for i in ids]


def test_register_creates_tables_partitions_and_views(aws_lake, mini_lake, tmp_path):
    _copy_lake(mini_lake, aws_lake)
    (tmp_path / "links.csv").write_text("movieId,imdbId,tmdbId\n1,0114709,862\n")
    upload_raw(aws_lake, {"links.csv": tmp_path / "links.csv"})
    assert pipeline.register(aws_lake) == [
        "cast_data", "crew_data", "movies", "movie_genres", "raw_links", "raw_links_typed"
    ]  # fmt: skip
    glue = boto3.client("glue")
    assert glue.get_database(Name="movies_test")["Database"]["Name"] == "movies_test"

    movies = glue.get_table(DatabaseName="movies_test", Name="movies")["Table"]
    sd = movies["StorageDescriptor"]
    assert [(c["Name"], c["Type"]) for c in sd["Columns"]][:3] == [
        ("id", "int"),
        ("imdb_id", "string"),
        ("title", "string"),
    ]
    assert {c["Name"]: c["Type"] for c in sd["Columns"]}["budget"] == "bigint"
    assert sd["Columns"][0]["Comment"] == "TMDB movie id (movies.id)"
    assert [(k["Name"], k["Type"]) for k in movies["PartitionKeys"]] == [("release_decade", "int")]
    assert sd["Location"] == "s3://movie-lake-test/cleaned/movies/"
    assert sd["SerdeInfo"]["SerializationLibrary"] == ddl.PARQUET_SERDE
    assert (sd["InputFormat"], sd["OutputFormat"]) == (ddl.PARQUET_INPUT, ddl.PARQUET_OUTPUT)
    assert movies["TableType"] == "EXTERNAL_TABLE"
    # What notebook 03 shows on AWS: Glue's own answer (GetTable), the partition key last.
    described = catalog.describe(aws_lake, "movies")
    assert list(described.iloc[0]) == ["id", "int", False]
    assert list(described.iloc[-1]) == ["release_decade", "int", True]
    assert len(described) == len(sd["Columns"]) + 1
    assert movies["Parameters"]["classification"] == "parquet"

    parts = glue.get_partitions(DatabaseName="movies_test", TableName="movies")["Partitions"]
    locations = {p["Values"][0]: p["StorageDescriptor"]["Location"] for p in parts}
    assert sorted(locations) == ["1960", "1990", "2000", "2010", "__HIVE_DEFAULT_PARTITION__"]
    assert locations["1990"] == "s3://movie-lake-test/cleaned/movies/release_decade=1990/"

    raw = glue.get_table(DatabaseName="movies_test", Name="raw_links")["Table"]
    assert raw["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == ddl.CSV_SERDE
    assert raw["StorageDescriptor"]["SerdeInfo"]["Parameters"] == {
        "separatorChar": ",", "quoteChar": '"', "escapeChar": "\\"
    }  # fmt: skip
    assert {c["Type"] for c in raw["StorageDescriptor"]["Columns"]} == {"string"}
    assert raw["Parameters"]["skip.header.line.count"] == "1"
    assert raw["StorageDescriptor"]["Location"] == "s3://movie-lake-test/raw/links/"

    (view,) = _athena_statements(aws_lake)
    assert view["Query"] == ddl.typed_view_sql(RAW_TABLES["raw_links"])
    assert view["Query"].startswith('create or replace view "raw_links_typed" as\nselect\n')
    assert view["QueryExecutionContext"]["Database"] == "movies_test"
    assert view["WorkGroup"] == "movie_pipeline"
    assert view["ResultConfiguration"]["OutputLocation"].startswith("s3://movie-lake-test/results/")
    assert catalog.list_tables(aws_lake) == {
        "cast_data", "crew_data", "movies", "movie_genres", "raw_links"
    }  # fmt: skip


def test_register_again_updates_in_place_and_follows_partitions(aws_lake, mini_lake):
    _copy_lake(mini_lake, aws_lake, {"movies"})
    assert catalog.register_glue(aws_lake) == ["movies"]
    glue, s3 = boto3.client("glue"), boto3.client("s3")
    # The ETL ran again: the 1960s are gone, the 2020s are new.
    old = "cleaned/movies/release_decade=1960/part-00000.snappy.parquet"
    s3.copy_object(Bucket=aws_lake.bucket, Key="cleaned/movies/release_decade=2020/part-0.parquet",
                   CopySource={"Bucket": aws_lake.bucket, "Key": old})  # fmt: skip
    s3.delete_object(Bucket=aws_lake.bucket, Key=old)
    spec = CLEANED_TABLES["movies"]
    files = list_files(aws_lake, "cleaned/movies", ".parquet")
    changes = catalog.sync_partitions(aws_lake, spec, glue, files)
    assert changes == {"added": [("2020",)], "removed": [("1960",)]}
    assert (
        catalog.upsert_table(glue, "movies_test", ddl.glue_table_input(spec, aws_lake)) == "updated"
    )
    parts = glue.get_partitions(DatabaseName="movies_test", TableName="movies")["Partitions"]
    assert sorted(p["Values"][0] for p in parts) == [
        "1990", "2000", "2010", "2020", "__HIVE_DEFAULT_PARTITION__"
    ]  # fmt: skip
    assert catalog.sync_partitions(aws_lake, spec, glue, files) == {"added": [], "removed": []}


def test_the_guard_reads_footers_on_s3_and_names_the_object(aws_lake, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"id": pa.array([1], pa.int64()), "genre_id": pa.array([1], pa.int32()),
                             "genre_name": ["Drama"]}), path)  # fmt: skip
    boto3.client("s3").upload_file(str(path), aws_lake.bucket, "cleaned/movie_genres/p.parquet")
    with pytest.raises(SchemaMismatchError) as err:
        pipeline.register(aws_lake)
    assert [str(p) for p in err.value.problems] == [
        "table movie_genres, column id: expected int (Parquet INT32), found INT64 in "
        "s3://movie-lake-test/cleaned/movie_genres/p.parquet"
    ]
    with pytest.raises(boto3.client("glue").exceptions.EntityNotFoundException):
        boto3.client("glue").get_database(Name="movies_test")  # nothing registered


def test_a_missing_workgroup_says_how_to_make_it(aws):
    from movie_pipeline.config import Settings

    settings = Settings(backend="aws", bucket="movie-lake-test", workgroup="not_there")
    boto3.client("s3").create_bucket(Bucket=settings.bucket)
    with pytest.raises(MissingResourceError, match="workgroup not_there does not exist.*setup-aws"):
        catalog.register(settings)
