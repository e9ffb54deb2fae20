"""Write rows with Python's csv module exactly as the original files are laid out."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

CRLF = "\r\n"
LF = "\n"


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[str]], newline: str
) -> int:
    """Write a header and rows as UTF-8 (no BOM), minimal quoting, doubled inner quotes.

    Quoting is the csv module's QUOTE_MINIMAL: a field is quoted only when it holds a comma, a
    quote or a line break, so ``[]`` and empty fields stay bare, as in the original.

    Args:
        path: the file to (over)write.
        header: column names.
        rows: the data rows, every value already a string.
        newline: the record separator, ``CRLF`` or ``LF``.

    Returns:
        The number of data rows written (CSV records, not physical lines).
    """
    count = 0
    with open(path, "w", encoding="utf-8", newline="", buffering=1 << 20) as f:
        out = csv.writer(f, lineterminator=newline, quoting=csv.QUOTE_MINIMAL, doublequote=True)
        out.writerow(header)
        for row in rows:
            out.writerow(row)
            count += 1
    return count
