"""Movie analytics pipeline: S3 -> Glue (PySpark) -> Glue Data Catalog -> Athena, offline or on AWS."""

__version__ = "0.1.0"
