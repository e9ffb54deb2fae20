"""The raw files and the cleaned tables: one spec each, and everything derived from them."""
