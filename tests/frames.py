"""Small Spark DataFrames from Python rows, for the tests, built without a Python worker."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

# Arrow's path only, and no silent fallback to the slow one.
_ARROW = {
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.pyspark.fallback.enabled": "false",
}


def frame(spark: SparkSession, rows: Iterable[Sequence], schema: T.StructType | str) -> DataFrame:
    """What ``spark.createDataFrame(rows, schema)`` gives, through Arrow.

    PySpark 3.5 turns a list into a DataFrame with a Python worker task (it pickles the rows
    again on the way): 0.3 s and 0.5 CPU s a call in a test session. A pandas frame goes to the
    JVM as Arrow batches, 0.03 s. The frame holds the Python objects themselves (dtype object),
    so no int becomes a float on the way, and a value that does not fit its column type raises.
    Arrow is switched on for this call only: the code under test keeps the session's settings.
    """
    if isinstance(schema, str):
        schema = spark.createDataFrame([], schema).schema  # parses the DDL; runs no job
    data = pd.DataFrame([tuple(r) for r in rows], columns=schema.names, dtype=object)
    before = {key: spark.conf.get(key) for key in _ARROW}
    for key, value in _ARROW.items():
        spark.conf.set(key, value)
    try:
        return spark.createDataFrame(data, schema)
    finally:
        for key, value in before.items():
            spark.conf.set(key, value)
