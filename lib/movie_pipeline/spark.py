"""A local SparkSession shaped like a small Glue worker, with a clear message when Java is missing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from typing import Any

JAVA_HELP = (
    "Spark needs Java 17 (the version AWS Glue 5.1 runs) and none was found.\n"
    "  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless\n"
    "  macOS:         brew install openjdk@17\n"
    "  conda:         conda env create -f environment.yml  (installs openjdk 17)\n"
    "Then make sure `java -version` works or set JAVA_HOME."
)


# JVM options for a short local run (about a minute) on a small machine. A fresh JVM spends
# much of such a run compiling code: on 2 cores, HotSpot's optimising compiler (C2) took about
# 58 of the 134 CPU seconds of the full-size ETL, competing with Spark's tasks. Raising the
# C2 thresholds tenfold keeps it for the code that is really hot (C2 CPU 58 -> 37 s).
# Measured by benchmarks/bench_etl.py's ETL, 3 runs each: 76.5 s -> 71.5 s (docs/etl.md).
# The serial collector saved 4 s more in the ETL but thrashed in full collections in the
# long-lived test session's 1 GiB heap: G1 stays. Glue's workers keep their own JVM settings.
LOCAL_JVM_OPTIONS = (
    "-XX:Tier4InvocationThreshold=50000 -XX:Tier4MinInvocationThreshold=6000 "
    "-XX:Tier4CompileThreshold=150000 -XX:Tier4BackEdgeThreshold=400000"
)


# The JVM classes PySpark calls for every column expression it builds: ``functions`` (F.col,
# F.when, ...) and ``PythonUtils`` (every list of columns).
_HOT_JVM_CLASSES = ("org.apache.spark.sql.functions", "org.apache.spark.api.python.PythonUtils")


def cache_jvm_lookups(spark) -> None:
    """Make each ``pyspark.sql.functions`` call one Py4J round trip instead of three.

    On every call PySpark finds ``functions`` by name in its JVM view, then the method on it,
    both by reflection (Py4J caches neither), and only then calls it. Building the full-size
    ETL's plans looked ``functions`` up 2,000 times, each time a round trip in which the JVM
    tries the name in every imported package, while the tasks wait for the driver. Py4J reads
    an attribute from the Python object before asking the JVM, so the resolved classes and
    methods are kept there. Idempotent; a session without a Py4J JVM view (Spark Connect) is
    left as it is.
    """
    from py4j.java_gateway import JavaClass, JavaMember, JVMView

    jvm = getattr(getattr(spark, "sparkContext", None), "_jvm", None)
    if not isinstance(jvm, JVMView):
        return

    class Resolved(JavaClass):
        """A JVM class whose static methods are looked up once."""

        def __getattr__(self, name):
            member = JavaClass.__getattr__(self, name)
            if isinstance(member, JavaMember):  # stateless: one object serves every call
                self.__dict__[name] = member
            return member

    for fqn in _HOT_JVM_CLASSES:
        short = fqn.rsplit(".", 1)[1]
        if short not in vars(jvm):
            vars(jvm)[short] = Resolved(fqn, jvm._gateway_client)


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
        "spark.driver.extraJavaOptions": f"-Dlog4j2.level=ERROR -Xss16m {LOCAL_JVM_OPTIONS}",
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
    cache_jvm_lookups(spark)
    return spark
