"""A local SparkSession shaped like a small Glue worker, with a clear message when Java is missing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

LOG_CONFIG = Path(__file__).with_name("log4j2.properties")

JAVA_HELP = (
    "Spark needs Java 17 (the version AWS Glue 5.1 runs) and none was found.\n"
    "  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless\n"
    "  macOS:         brew install openjdk@17\n"
    "  conda:         conda env create -f environment.yml  (installs openjdk 17)\n"
    "Then make sure `java -version` works or set JAVA_HOME."
)


class JavaMissingError(RuntimeError):
    """No usable Java runtime for Spark."""


def java_version() -> int:
    """Return the major version of the Java that Spark would use; raise JavaMissingError if none."""
    home = os.environ.get("JAVA_HOME")
    java = os.path.join(home, "bin", "java") if home else shutil.which("java")
    if not java or not os.path.exists(java):
        raise JavaMissingError(JAVA_HELP)
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except OSError as exc:  # pragma: no cover - depends on the machine
        raise JavaMissingError(f"{JAVA_HELP}\n({java}: {exc})") from exc
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        raise JavaMissingError(f"{JAVA_HELP}\n(could not read the version from {java} -version)")
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 else major


def get_spark(master: str = "local[2]", app_name: str = "movie-pipeline", **conf: Any):
    """Return a SparkSession for local runs (Glue provides its own on AWS).

    The settings keep the whole process tree small (the benchmarks measure it) and make
    Python workers use this interpreter, as Glue's do.

    Args:
        master: Spark master URL; ``local[2]`` matches a 2-core machine.
        app_name: shown in the Spark UI and logs.
        **conf: extra Spark settings (``spark_sql_shuffle_partitions=8`` style, with
            underscores for dots, or a ``spark.`` key passed through a dict).
    """
    version = java_version()
    if version < 11:
        raise JavaMissingError(f"Java {version} is too old for Spark 3.5.\n{JAVA_HELP}")
    # Spark's Python workers must run this interpreter, not whatever `python3` is on PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    if master.startswith("local"):
        # Bind to loopback: otherwise Spark looks up this machine's name and address and warns
        # with both when the name resolves to loopback, before any log level applies.
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    settings = {
        "spark.driver.memory": "1g",
        "spark.sql.shuffle.partitions": "8",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.parquet.compression.codec": "snappy",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.adaptive.enabled": "true",
        # In local mode the driver JVM runs the tasks too: its options are the executor's.
        # HotSpot's compiler and collector defaults stay: the tunings tried saved under 10% of
        # the full-size ETL (benchmarks/README.md).
        # Errors only from the first line the JVM logs (log4j2.properties beside this file).
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile={LOG_CONFIG.as_uri()} "
        "-Dlog4j2.level=ERROR -Xss16m",
        "spark.executor.extraJavaOptions": "-Xss16m",
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        "spark.python.worker.reuse": "true",
    }
    settings.update(
        {k.replace("_", ".") if not k.startswith("spark.") else k: str(v) for k, v in conf.items()}
    )
    builder = SparkSession.builder.master(master).appName(app_name)
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
