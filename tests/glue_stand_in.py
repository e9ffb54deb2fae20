"""A stand-in for AWS Glue's ``awsglue`` library (only inside Glue), as strict as Glue."""

# Where the pipeline depends on Glue's behaviour the stand-in copies it, not a friendlier
# version of it: Glue's CSV reader types every value as it reads it (a column of numbers comes
# back as int, long or double; a column that mixes types comes back as a *choice*, and
# ``toDF()`` turns an unresolved choice into a struct with one field per type), and only
# ``resolveChoice`` makes it one type. Read and write options Glue does not know are refused.
# Every call is recorded in ``GlueContext.state["calls"]``; a committed job's reads are
# bookmarked, and a bookmarked read returns an empty frame, as Glue's job bookmarks do.

from __future__ import annotations

import importlib.machinery
import shutil
import types

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

# https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-format-csv-home.html
CSV_OPTIONS = {"separator", "escaper", "quoteChar", "multiLine", "withHeader", "writeHeader",
               "skipFirst", "optimizePerformance", "strictCheckForQuoting"}  # fmt: skip
PARQUET_OPTIONS = {"useGlueParquetWriter", "compression", "blockSize", "pageSize"}

# Spark's own code generation (its defaults), as Glue runs it: the tests' JVMs interpret
# expressions instead (tests/spark/spark-defaults.conf says why), and the runs that must compile
# them as Glue does set these.
COMPILED = {"spark.sql.codegen.wholeStage": "true", "spark.sql.codegen.factoryMode": "FALLBACK"}

_INTEGER = r"^[+-]?[0-9]+$"
_DECIMAL = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_SPARK_TYPES = {"int": "int", "long": "bigint", "double": "double", "string": "string"}


def _kind(column: str):
    """The type Glue's reader gives one value: int, long, double or string (null stays null)."""
    c = F.col(f"`{column}`")
    wide = c.cast("decimal(38,0)")
    return (
        F.when(c.isNull(), F.lit(None))
        .when(c.rlike(_INTEGER) & wide.between(-(2**31), 2**31 - 1), F.lit("int"))
        .when(c.rlike(_INTEGER) & wide.between(-(2**63), 2**63 - 1), F.lit("long"))
        .when(c.rlike(_DECIMAL), F.lit("double"))
        .otherwise(F.lit("string"))
    )


def _column_type(kinds: list[str]) -> list[str]:
    """A column's types: one, or several for a choice (int and long widen to long)."""
    kinds = set(kinds)
    if {"int", "long"} <= kinds:
        kinds.discard("int")
    return sorted(kinds) or ["string"]


class DynamicFrame:
    """A DataFrame plus the choice columns Glue would report (``{column: [types]}``)."""

    def __init__(self, df: DataFrame, glue_ctx=None, name: str = "frame", choices=None):
        self._df, self.glue_ctx, self.name = df, glue_ctx, name
        self.choices: dict[str, list[str]] = dict(choices or {})

    @classmethod
    def fromDF(cls, dataframe, glue_ctx, name):  # noqa: N802 - Glue's spelling
        glue_ctx.calls.append(("fromDF", name))
        return cls(dataframe, glue_ctx, name)

    @classmethod
    def typed(cls, strings: DataFrame, glue_ctx=None, name: str = "frame") -> DynamicFrame:
        """Type a frame of strings value by value, as Glue's CSV reader does."""
        if not strings.columns:
            return cls(strings, glue_ctx, name)
        seen = strings.agg(*[F.collect_set(_kind(c)).alias(c) for c in strings.columns]).first()
        columns, choices = [], {}
        for c in strings.columns:
            kinds = _column_type(seen[c])
            value = F.col(f"`{c}`")
            if len(kinds) == 1:
                columns.append(value.cast(_SPARK_TYPES[kinds[0]]).alias(c))
                continue
            choices[c] = kinds
            # An unresolved choice is a struct, one field per type, the value in its own type's.
            fields = [
                F.when(_kind(c).isin(k, "int") if k == "long" else _kind(c) == k,
                       value.cast(_SPARK_TYPES[k])).alias(k)
                for k in kinds
            ]  # fmt: skip
            columns.append(F.struct(*fields).alias(c))
        return cls(strings.select(*columns), glue_ctx, name, choices)

    def toDF(self) -> DataFrame:  # noqa: N802
        return self._df

    def count(self) -> int:
        return self._df.count()

    def resolveChoice(self, specs=None, choice="", **kwargs) -> DynamicFrame:  # noqa: N802
        """``choice="cast:<type>"`` for every choice column, or ``specs=[(column, action)]``."""
        if bool(specs) == bool(choice):
            raise ValueError("resolveChoice takes specs or choice, not both and not neither")
        actions = dict(specs) if specs else dict.fromkeys(self.choices, choice)
        columns = []
        for c in self._df.columns:
            action = actions.get(c)
            if action is None:
                columns.append(F.col(f"`{c}`"))
                continue
            kind, _, target = action.partition(":")
            if kind != "cast":
                raise NotImplementedError(f"the stand-in resolves choices by cast only: {action}")
            spark_type = _SPARK_TYPES.get(target, target)
            if c in self.choices:
                parts = [F.col(f"`{c}`.`{k}`").cast(spark_type) for k in self.choices[c]]
                columns.append(F.coalesce(*parts).alias(c))
            else:
                columns.append(F.col(f"`{c}`").cast(spark_type).alias(c))
        left = {c: k for c, k in self.choices.items() if c not in actions}
        return DynamicFrame(self._df.select(*columns), self.glue_ctx, self.name, left)


class GlueContext:
    """The job's GlueContext: reads CSV as Glue does, writes Parquet, purges, records calls."""

    state: dict = {"calls": [], "bookmarked": set()}

    def __init__(self, spark_context):
        self.spark_session = SparkSession.builder.getOrCreate()
        self.calls = self.state["calls"]
        self.create_dynamic_frame = types.SimpleNamespace(from_options=self._read)
        self.write_dynamic_frame = types.SimpleNamespace(from_options=self._write)

    def _read(
        self, connection_type, connection_options, format, format_options, transformation_ctx=""
    ):
        self.calls.append(("read", connection_type, connection_options, format, format_options,
                           transformation_ctx))  # fmt: skip
        unknown = set(format_options) - CSV_OPTIONS
        if connection_type != "s3" or format != "csv" or unknown:
            raise ValueError(f"Glue reads no {connection_type}/{format} with options {unknown}")
        if transformation_ctx and transformation_ctx in self.state["bookmarked"]:
            empty = self.spark_session.createDataFrame([], T.StructType([]))
            return DynamicFrame(empty, self, transformation_ctx)
        # Spark's parser splits the records; Glue's typing is then applied to the values.
        strings = self.spark_session.read.options(
            header=str(format_options.get("withHeader", False)).lower(),
            sep=format_options.get("separator", ","),
            quote=format_options.get("quoteChar", '"'),
            escape='"',
            multiLine=str(format_options.get("multiLine", False)).lower(),
        ).csv(connection_options["paths"])
        return DynamicFrame.typed(strings, self, transformation_ctx)

    def _write(self, frame, connection_type, connection_options, format, format_options,
               transformation_ctx=""):  # fmt: skip
        self.calls.append(("write", connection_type, connection_options, format, format_options,
                           transformation_ctx))  # fmt: skip
        unknown = set(format_options) - PARQUET_OPTIONS
        if connection_type != "s3" or format != "parquet" or unknown:
            raise ValueError(f"Glue writes no {connection_type}/{format} with options {unknown}")
        if frame.choices:
            raise ValueError(f"Parquet cannot hold the unresolved choices {sorted(frame.choices)}")
        keys = connection_options.get("partitionKeys", [])
        writer = frame.toDF().write.mode("append")
        (writer.partitionBy(*keys) if keys else writer).parquet(connection_options["path"])

    def purge_s3_path(self, path, options=None):
        self.calls.append(("purge", path, options))
        shutil.rmtree(path, ignore_errors=True)


class Job:
    def __init__(self, glue_context):
        self.glue_context = glue_context

    def init(self, name, args):
        self.glue_context.calls.append(("init", name, dict(args)))

    def commit(self):
        calls = self.glue_context.calls
        calls.append(("commit",))
        GlueContext.state["bookmarked"] |= {c[5] for c in calls if c[0] == "read" and c[5]}


def getResolvedOptions(argv, names):  # noqa: N802 - Glue's spelling
    """``--name value`` pairs; a missing name fails, as in Glue."""
    pairs = dict(zip(argv[1::2], argv[2::2], strict=False))
    missing = [n for n in names if f"--{n}" not in pairs]
    if missing:
        raise SystemExit(f"missing {missing}")
    return {n: pairs[f"--{n}"] for n in names}


def modules(state: dict | None = None) -> dict[str, types.ModuleType]:
    """The ``awsglue`` modules to put in ``sys.modules``, sharing ``state`` (calls, bookmarks)."""
    GlueContext.state = state if state is not None else {"calls": [], "bookmarked": set()}
    contents = {
        "awsglue": {},
        "awsglue.context": {"GlueContext": GlueContext},
        "awsglue.dynamicframe": {"DynamicFrame": DynamicFrame},
        "awsglue.job": {"Job": Job},
        "awsglue.utils": {"getResolvedOptions": getResolvedOptions},
    }
    made = {}
    for name, attrs in contents.items():
        module = types.ModuleType(name)
        module.__spec__ = importlib.machinery.ModuleSpec(name, None, is_package=name == "awsglue")
        module.__dict__.update(attrs)
        made[name] = module
    return made
