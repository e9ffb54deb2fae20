"""Analysis: the Athena SQL, run on DuckDB or Athena, its scan estimate, and charts."""
