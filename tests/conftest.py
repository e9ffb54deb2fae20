"""Shared fixtures: one local SparkSession for the whole run, and the real reference data."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The real heads and samples live beside the clone (../shared/realdata); MOVIES_REALDATA_DIR
# points elsewhere. CI must have them: there a missing folder fails instead of skipping.
REALDATA = Path(os.environ.get("MOVIES_REALDATA_DIR", REPO.parent / "shared" / "realdata"))

# Spark's Python workers must run this interpreter (set before any SparkContext starts).
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
# Every JVM of the tests compiles with C1 only: the `spark` fixture's session and the JVMs of
# child processes (the file says why).
os.environ["SPARK_CONF_DIR"] = str(REPO / "tests" / "spark")


# The modules that take longest, longest first. pytest-xdist hands whole modules to its workers
# in collection order (--dist loadfile --no-loadscope-reorder, pyproject.toml): starting the
# long ones first lets the workers finish together. Every other module keeps its place.
LONGEST_FIRST = (
    "test_notebooks_aws.py", "test_notebooks.py", "test_glue_runtime.py", "test_etl.py",
    "test_glue_job.py", "test_atomic.py", "test_iam_evaluation.py", "test_faults.py",
    "test_literal.py", "test_etl_generated.py", "test_idempotency.py", "test_security.py",
)  # fmt: skip


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: order kept within


# Modules that read the same session fixture run on the same worker, so that it is built once
# in the whole run rather than once per worker: {module: the fixture they share}.
SHARED = {"test_etl_generated.py": "generated_run", "test_glue_job.py": "generated_run"}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """--dist loadfile, with the modules of :data:`SHARED` in one unit of work."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SharedFixtureScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = super()._split_scope(nodeid)
            return SHARED.get(Path(path).name, path)

    return SharedFixtureScheduling(config, log)


@pytest.fixture(scope="session")
def spark():
    from movie_pipeline.etl.spark import get_spark

    session = get_spark("local[2]", "movie-pipeline-tests", spark_sql_shuffle_partitions=2)
    # PySpark finds `functions` and `PythonUtils` through the gateway's package imports: each
    # lookup tries several packages, and a class the JVM does not find costs a search of all
    # 252 jars. Importing the two classes by name makes it one hit (1.1 -> 0.2 ms a lookup, and
    # an ETL makes 1,800 of them). Py4J's public import call, as PySpark's own gateway uses.
    from py4j.java_gateway import java_import

    for name in ("org.apache.spark.sql.functions", "org.apache.spark.api.python.PythonUtils"):
        java_import(session._jvm, name)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def realdata() -> Path:
    """The folder of real heads and samples of The Movies Dataset (../shared/realdata)."""
    if not REALDATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"real reference data not found at {REALDATA} (set MOVIES_REALDATA_DIR)")
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


@pytest.fixture
def no_credentials(monkeypatch, tmp_path):
    """No AWS_* variable and no ~/.aws: boto3 finds no credentials at all (a dry run needs none).

    matplotlib keeps its real cache folder (under HOME it would rebuild its font cache, seconds).
    """
    import matplotlib

    monkeypatch.setenv("MPLCONFIGDIR", matplotlib.get_configdir())
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(tmp_path))


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


# The mini lake (issue 4): a tiny cleaned dataset with known answers and ties ----------------
def _mini_frames():
    import pandas as pd

    from movie_pipeline.specs.tables import CLEANED_TABLES

    def frame(table, rows, columns):
        df = pd.DataFrame(rows, columns=columns)
        for col in CLEANED_TABLES[table].all_columns:
            if col.name not in df:
                df[col.name] = None
        return df[[c.name for c in CLEANED_TABLES[table].all_columns]]

    # Bravo (id 2) is older than Alpha (id 1): release order differs from id and title order.
    # Golf (7) has no date (null partition); cast of 99 has no movie row (orphan).
    movies = frame("movies", [
        (1, "Alpha", "1995-05-01", 10_000_000, 50_000_000, 7.0, 100),
        (2, "Bravo", "1991-01-01", 20_000_000, 10_000_000, 6.0, 50),
        (3, "Charlie", "2003-03-03", 5_000_000, 40_000_000, 8.0, 5),
        (4, "Delta", "2005-07-07", None, 30_000_000, 5.5, 200),
        (5, "Echo", "2011-11-11", 2_000_000, 1_000_000, 4.0, 20),
        (6, "Foxtrot's", "2012-12-12", 500_000, 5_000_000, 9.0, 300),
        (7, "Golf", None, 1_000_000, None, 3.0, 1),
        (8, "Hotel", "1962-06-01", 3_000_000, 9_000_000, 6.5, 10),
    ], ["id", "title", "release_date", "budget", "revenue", "vote_average", "vote_count"])  # fmt: skip
    movies["release_date"] = pd.to_datetime(movies["release_date"]).dt.date
    years = pd.to_datetime(movies["release_date"]).dt.year
    movies["release_year"] = years.astype("Int64")
    movies["release_decade"] = (years // 10 * 10).astype("Int64")
    genres = frame("movie_genres", [
        (1, 18, "Drama"), (1, 35, "Comedy"), (2, 18, "Drama"), (2, 28, "Action"),
        (3, 18, "Drama"), (3, 28, "Action"), (4, 35, "Comedy"), (5, 18, "Drama"),
        (5, 28, "Action"), (6, 35, "Comedy"), (7, 28, "Action"), (8, 18, "Drama"),
    ], ["id", "genre_id", "genre_name"])  # fmt: skip
    # (movie, credit, gender, name, order, person). Two people are called Ann (10, 15);
    # Bob plays two roles in Alpha; Ann and Bob share billing place 1 in Bravo.
    cast = frame("cast_data", [
        (1, "c1", 1, "Ann", 1, 10), (1, "c2", 2, "Bob", 2, 11), (1, "c3", 2, "Bob", 5, 11),
        (1, "c4", 2, "Cid", 0, 12),
        (2, "c5", 1, "Ann", 1, 10), (2, "c6", 2, "Bob", 1, 11), (2, "c7", 1, "Dee", 0, 13),
        (3, "c8", 1, "Ann", 0, 10), (3, "c9", 2, "Bob", 1, 11), (3, "c10", 1, "Dee", 2, 13),
        (4, "c11", 2, "Cid", 0, 12), (4, "c12", 0, "Eve", 1, 14),
        (5, "c13", 2, "Cid", 1, 12), (5, "c14", 1, "Ann", 0, 15),
        (6, "c15", 1, "Ann", 0, 15), (6, "c16", 2, "Zed", 12, 16),
        (99, "c17", 2, "Zed", 0, 16),
    ], ["id", "credit_id", "gender", "name", "order_num", "person_id"])  # fmt: skip
    cast["character"] = ["O'Hara", "", "Twin", "Lead"] + ["x"] * (len(cast) - 4)
    # Dir One is credited twice on Alpha; Charlie has two directors; Zed directs and acts in 99.
    crew = frame("crew_data", [
        (1, "k1", "Directing", "Director", "Dir One", 20), (1, "k2", "Directing", "Director", "Dir One", 20),
        (2, "k3", "Directing", "Director", "Dir One", 20), (3, "k4", "Directing", "Director", "Dir One", 20),
        (3, "k5", "Directing", "Director", "Ann Co", 23), (4, "k6", "Directing", "Director", "Dir Two", 21),
        (5, "k7", "Directing", "Director", "Dir Two", 21), (6, "k8", "Directing", "Director", "Dir Three", 22),
        (8, "k9", "Directing", "Director", "Dir Three", 22), (99, "k10", "Directing", "Director", "Zed", 16),
        (1, "k11", "Writing", "Screenplay", "Wri", 30), (2, "k12", "Writing", "Screenplay", "Wri", 30),
        (1, "k13", "Sound", "Mixer", "Sam", 31), (1, "k14", "Sound", "Boom", "Sue", 32),
        (1, "k15", "Sound", "Foley", "Sam", 31), (3, "k16", "Sound", "Mixer", "Sam", 31),
        (5, "k17", "Camera", "Operator", "Cam", 33), (8, "k18", "Camera", "Operator", "Cam", 33),
        (8, "k19", "Camera", "Focus", "Cal", 34),
    ], ["id", "credit_id", "department", "job", "name", "person_id"])  # fmt: skip
    crew["gender"] = 0
    return {"movies": movies, "movie_genres": genres, "cast_data": cast, "crew_data": crew}


@pytest.fixture(scope="session")
def mini_frames():
    """A tiny cleaned dataset (pandas, spec columns) with known answers and ties."""
    return _mini_frames()


@pytest.fixture(scope="session")
def mini_lake(mini_frames, tmp_path_factory):
    """The mini frames as cleaned Parquet (movies Hive-partitioned by decade, two rows per
    file) in a local lake, registered in its DuckDB catalog. Returns the Settings."""
    from lake_tables import write_cleaned_local
    from movie_pipeline.catalog.register import register_local
    from movie_pipeline.config import Settings

    settings = Settings(lake_dir=tmp_path_factory.mktemp("mini_lake"))
    for table, frame in mini_frames.items():
        write_cleaned_local(settings, table, frame, rows_per_file=2)
    register_local(settings)
    return settings


@pytest.fixture(scope="session")
def _shared_boto3_session():
    import boto3

    return boto3.Session(region_name="us-east-1")


@pytest.fixture
def aws_session(aws, _shared_boto3_session):
    """One boto3 Session on the moto server for the whole run, to pass as ``session=``.

    A new Session parses each service's model again when it makes a client (about 0.1 s per
    service); sharing one keeps AWS tests fast. Its credentials are the ``aws`` fixture's.
    """
    return _shared_boto3_session


@pytest.fixture
def aws_lake(aws):
    """Settings for the aws backend on moto, with the bucket and the Athena workgroup made as
    ``setup-aws`` makes them (results location enforced). Returns the Settings."""
    import boto3

    from movie_pipeline.config import Settings

    settings = Settings(backend="aws", bucket="movie-lake-test", database="movies_test")
    boto3.client("s3", region_name=settings.region).create_bucket(Bucket=settings.bucket)
    boto3.client("athena", region_name=settings.region).create_work_group(
        Name=settings.workgroup,
        Configuration={
            "ResultConfiguration": {"OutputLocation": f"s3://{settings.bucket}/results/"},
            "EnforceWorkGroupConfiguration": True,
        },
    )
    return settings


@pytest.fixture(scope="session")
def generated_source(tmp_path_factory):
    """A small generated dataset with every quirk (split records, duplicates, empty lists)."""
    from movie_pipeline.generator import generate

    out = tmp_path_factory.mktemp("generated_source")
    generate(out, movies=120, seed=7, files=["credits.csv", "movies_metadata.csv", "keywords.csv"],
             progress=False)  # fmt: skip
    return out


@pytest.fixture(scope="session")
def generated_run(spark, generated_source, tmp_path_factory):
    """The local ETL of the generated source (credits, movies_metadata, keywords), once: the
    oracle tests read it, and the Glue job's run of the same source is compared with it.
    Returns ``(settings, the ETL's result)``."""
    from movie_pipeline.config import Settings
    from movie_pipeline.etl.driver import run_etl
    from movie_pipeline.pipeline import upload

    settings = Settings(lake_dir=tmp_path_factory.mktemp("generated_lake"))
    upload(settings, generated_source)
    result = run_etl(spark, settings, datasets=["credits", "movies_metadata", "keywords"])
    return settings, result


# The shipped sample ------------------------------------------------------------------------------
SHIPPED = REPO / "data_samples"


@pytest.fixture(scope="session")
def shipped_breaks(tmp_path_factory) -> dict[str, set[str]]:
    """The rows data_samples/ breaks on purpose: ``{dataset: ids as the shipped file has them}``.

    Found without the pipeline or the fault code: the shipped files against a clean generation of
    the same size and seed (data_samples/README.md), compared record by record with Python's csv.
    """
    import oracles
    from movie_pipeline.generator import generate

    clean = tmp_path_factory.mktemp("clean_sample")
    generate(clean, movies=300, seed=42, progress=False)
    breaks: dict[str, set[str]] = {}
    for shipped in sorted(SHIPPED.glob("*.csv")):
        changed = oracles.changed_records(clean / shipped.name, shipped)
        if changed:  # only files with an id column are broken on purpose
            breaks[shipped.stem] = {faulty["id"] for _, faulty in changed}
    return breaks
