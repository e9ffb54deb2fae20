"""Ingest: check the raw files and put them under raw/."""
