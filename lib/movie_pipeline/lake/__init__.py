"""The lake: storage (folder or S3), the run lock, atomic publish, the schema guard."""
