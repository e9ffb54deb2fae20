"""Settings: parameters beat MOVIES_* variables beat defaults; bad names fail with a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from movie_pipeline.config import ConfigError, Settings, load_settings, validate_identifier


def test_parameters_beat_environment_beat_defaults():
    env = {"MOVIES_BUCKET": "env-bucket", "MOVIES_DATABASE": "env_db", "MOVIES_REGION": "eu-west-1"}
    s = load_settings({"bucket": "param-bucket", "database": None}, env=env)
    assert s.bucket == "param-bucket"  # parameter wins
    assert s.database == "env_db"  # None falls through to the environment
    assert s.region == "eu-west-1"
    assert s.workgroup == "movie_pipeline"  # default
    assert s.backend == "local"


def test_parameter_names_are_case_insensitive_and_unknown_ones_fail():
    assert load_settings({"BACKEND": "aws"}, env={}).backend == "aws"
    with pytest.raises(ConfigError, match="unknown setting 'buckett'.*bucket"):
        load_settings({"buckett": "x"}, env={})


def test_numbers_from_the_environment_are_converted_or_refused():
    assert load_settings(env={"MOVIES_NUMBER_OF_WORKERS": "5"}).number_of_workers == 5
    with pytest.raises(ConfigError, match="number_of_workers must be a whole number"):
        load_settings(env={"MOVIES_NUMBER_OF_WORKERS": "two"})


@pytest.mark.parametrize(
    "bucket",
    ["My-Bucket", "ab", "a" * 64, "-starts-with-dash", "ends.", "two..dots", "192.168.1.1",
     "xn--punycode", "name-s3alias", "under_score"],
)  # fmt: skip
def test_bad_bucket_names_are_refused(bucket):
    with pytest.raises(ConfigError, match=f"bucket '{bucket}' is not a valid S3 bucket name"):
        Settings(bucket=bucket)


@pytest.mark.parametrize("bucket", ["abc", "movie-analytics-lake", "my.bucket.v2", "a" * 63])
def test_good_bucket_names_pass(bucket):
    assert Settings(bucket=bucket).bucket == bucket


@pytest.mark.parametrize("name", ["movies-db", "Movies", "1movies", "", "movies db", "a;drop"])
def test_bad_identifiers_are_refused(name):
    with pytest.raises(ConfigError, match="not a valid Glue/Athena identifier"):
        Settings(database=name)
    with pytest.raises(ConfigError, match="table"):
        validate_identifier(name, "table")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("backend", "gcp", "backend 'gcp' is not one of local, aws"),
        ("workgroup", "my workgroup", "Athena workgroup 'my workgroup' is not valid"),
        ("region", "moon-1", "does not look like an AWS region"),
        ("raw_prefix", "../etc", "not a valid S3 prefix"),
        ("cleaned_prefix", "a b", "not a valid S3 prefix"),
    ],
)
def test_other_bad_values_name_the_setting(field, value, message):
    with pytest.raises(ConfigError, match=message):
        Settings(**{field: value})


def test_locations_on_each_backend(tmp_path):
    local = Settings(lake_dir=tmp_path, raw_prefix="/raw/")
    assert local.raw_prefix == "raw"  # slashes trimmed
    assert local.raw_uri("credits") == str(tmp_path.resolve() / "movie-analytics-lake/raw/credits")
    assert local.catalog_path == tmp_path / "_catalog" / "movies_db.duckdb"
    aws = local.replace(backend="aws", bucket="b-1")
    assert aws.cleaned_uri("movies") == "s3://b-1/cleaned/movies"
    assert aws.results_uri() == "s3://b-1/results"
    assert isinstance(load_settings({"lake_dir": "x/y"}, env={}).lake_dir, Path)
