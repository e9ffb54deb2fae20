"""Pure DataFrame -> DataFrame transforms: the Glue ETL logic, the same locally and inside Glue."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from movie_pipeline.literal import parse_literal


def _struct(*fields: tuple[str, T.DataType]) -> T.StructType:
    return T.StructType([T.StructField(n, t) for n, t in fields])


S, I = T.StringType(), T.IntegerType()

# The shapes of the nested cells, keys as the raw files spell them.
CAST_SCHEMA = T.ArrayType(_struct(
    ("cast_id", I), ("character", S), ("credit_id", S), ("gender", I), ("id", I),
    ("name", S), ("order", I), ("profile_path", S),
))  # fmt: skip
CREW_SCHEMA = T.ArrayType(_struct(
    ("credit_id", S), ("department", S), ("gender", I), ("id", I), ("job", S), ("name", S),
    ("profile_path", S),
))  # fmt: skip


def flatten_cast(credits: DataFrame) -> DataFrame:
    """Explode ``credits.cast`` into one row per actor per movie (the ``cast_data`` table).

    Args:
        credits: the raw credits table, string columns ``cast``, ``crew``, ``id``.

    Returns:
        Columns id, cast_id, character, credit_id, gender, name, order_num, person_id,
        profile_path. A movie with ``[]`` contributes no row.
    """
    return (
        credits
        .select(
            F.col("id").cast("int").alias("id"),
            F.explode(parse_literal("cast", CAST_SCHEMA)).alias("c"),
        )
        .select(
            "id",
            "c.cast_id",
            "c.character",
            "c.credit_id",
            "c.gender",
            "c.name",
            F.col("c.order").alias("order_num"),
            F.col("c.id").alias("person_id"),
            "c.profile_path",
        )
    )  # fmt: skip
