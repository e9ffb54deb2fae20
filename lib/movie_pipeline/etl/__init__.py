"""ETL: the Spark session, the driver that reads raw/ and writes cleaned/, the reconciliation."""
