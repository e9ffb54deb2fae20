"""Catalog: register the cleaned tables (DuckDB views offline, the Glue Data Catalog on AWS)."""
