"""Transform: pure DataFrame functions, the same locally and inside Glue."""
