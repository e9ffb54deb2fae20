"""Shared fixtures: one local SparkSession for the whole run, and the real reference data."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REALDATA = REPO.parent / "shared" / "realdata"

# Spark's Python workers must run this interpreter (set before any SparkContext starts).
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)


@pytest.fixture(scope="session")
def spark():
    from movie_pipeline.spark import get_spark

    session = get_spark("local[2]", "movie-pipeline-tests", spark_sql_shuffle_partitions=2)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def realdata() -> Path:
    """The folder of real heads and samples of The Movies Dataset (../shared/realdata)."""
    if not REALDATA.is_dir():
        pytest.skip(f"real reference data not found at {REALDATA}")
    return REALDATA


@pytest.fixture(scope="session")
def real_source(realdata, tmp_path_factory) -> Path:
    """The real samples under their Kaggle names, as a user's download folder would hold them."""
    src = tmp_path_factory.mktemp("real_source")
    names = {
        "credits_head.csv": "credits.csv",
        "keywords_head.csv": "keywords.csv",
        "movies_metadata_head.csv": "movies_metadata.csv",
        "links.csv": "links.csv",
        "links_small.csv": "links_small.csv",
        "ratings_small.csv": "ratings_small.csv",
    }
    for real, kaggle in names.items():
        (src / kaggle).write_bytes((realdata / real).read_bytes())
    return src


@pytest.fixture(scope="session")
def moto_server():
    """A moto server on a free loopback port for the whole run (server mode, as real HTTP)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws(moto_server, monkeypatch):
    """Point every boto3/awswrangler client at the moto server, with fake credentials.

    Resets moto's state so each test starts from an empty account. Yields the endpoint URL.
    """
    import requests

    requests.post(f"{moto_server}/moto-api/reset", timeout=10)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    yield moto_server
