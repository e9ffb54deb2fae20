"""Bad inputs on purpose: each fault corrupts one file of a clean generated sample, as real files go bad.

Every fault names the file it corrupts, what is wrong with it, and what the pipeline does with
it: stop with an ``error`` naming the file and line, ``quarantine`` the bad rows with a reason,
or load the file as ``accepted`` (a harmless variant). Record faults pick their rows by
``slot`` among the plain rows (an integer id seen once, not half of a split record), so faults
on the same file can be stacked without touching each other's rows; stack record faults
before the whole-file ones (``bom``, ``mixed_newlines``), which rewrite every line.

Examples:
    >>> from movie_pipeline.generator.faults import write_fault
    >>> write_fault("truncated", "outputs/faults/truncated")  # doctest: +SKIP
    PosixPath('outputs/faults/truncated/credits.csv')
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import generate

HUGE_CELL_CHARS = 30_000_000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Fault:
    """One way a raw file goes bad.

    Attributes:
        name: the registry key (``--fault NAME``).
        file: the Kaggle file it corrupts.
        problem: what is wrong with the file.
        outcome: what the pipeline does: ``error``, ``quarantine`` or ``accepted``.
        apply: corrupts the file in place.
    """

    name: str
    file: str
    problem: str
    outcome: str
    apply: Callable[[Path], None]


# Records as text, and back ---------------------------------------------------------------------
def _newline(path: Path) -> str:
    with open(path, "rb") as fh:
        return "\r\n" if fh.readline().endswith(b"\r\n") else "\n"


def _read(path: Path) -> list[list[str]]:
    csv.field_size_limit(max(csv.field_size_limit(), 2 * HUGE_CELL_CHARS))  # stack on huge_cell
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _write(path: Path, records: list[list[str]], newline: str, delimiter: str = ",") -> None:
    # The generator's own dialect (QUOTE_MINIMAL, doubled quotes): unchanged rows keep their bytes.
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=delimiter, lineterminator=newline).writerows(records)


def _edit(path: Path, change: Callable[[list[list[str]]], None]) -> None:
    newline = _newline(path)
    records = _read(path)
    change(records)
    _write(path, records, newline)


def plain_rows(records: list[list[str]], id_column: str = "id") -> list[int]:
    """Indexes (into ``records``, the header is 0) of rows safe to corrupt on their own.

    A plain row has every field, an integer id no other row has, and is not the first half of
    a split record (the next row's id is not a date).
    """
    header = records[0]
    at = header.index(id_column)
    ids = Counter(r[at] for r in records[1:] if len(r) == len(header))
    out = []
    for i, row in enumerate(records[1:], start=1):
        nxt = records[i + 1] if i + 1 < len(records) else None
        split = nxt is not None and len(nxt) > at and bool(_DATE.match(nxt[at]))
        if len(row) == len(header) and row[at].isdigit() and ids[row[at]] == 1 and not split:
            out.append(i)
    return out


def _slot(records: list[list[str]], slot: int, id_column: str = "id") -> int:
    rows = plain_rows(records, id_column)
    if slot >= len(rows):
        raise ValueError(f"the sample has {len(rows)} plain rows; generate more movies")
    return rows[slot]


def _set_cell(column: str, slot: int, value: Callable[[str], str]) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        def change(records):
            i, at = _slot(records, slot), records[0].index(column)
            records[i][at] = value(records[i][at])

        _edit(path, change)

    return apply


# The faults -------------------------------------------------------------------------------------
def _truncate(path: Path) -> None:
    """Cut the file inside a quoted cell of its last record, as an interrupted download does."""
    lines = path.read_bytes().split(b"\n")
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and b'"' not in lines[-1]:  # a cut is only visible inside quotes
        lines.pop()
    last = lines[-1]
    cut = next(c for c in range(len(last) // 2, len(last)) if last[:c].count(b'"') % 2)
    path.write_bytes(b"\n".join([*lines[:-1], last[:cut]]))


def _drop_column(column: str) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        def change(records):
            at = records[0].index(column)
            for r in records:
                del r[at]

        _edit(path, change)

    return apply


def _reverse_columns(path: Path) -> None:
    _edit(path, lambda records: [r.reverse() for r in records])


def _semicolons(path: Path) -> None:
    newline = _newline(path)
    _write(path, _read(path), newline, delimiter=";")


def _latin1_name(path: Path) -> None:
    """Give a plain row's first name a leading e-acute saved as Latin-1 (0xE9), as Excel does."""
    records = _read(path)
    line = _slot(records, 2) + 1  # credits records never span lines: record i is line i + 1
    lines = path.read_bytes().split(b"\n")
    lines[line - 1] = lines[line - 1].replace(b"'name': '", b"'name': '\xe9", 1)
    path.write_bytes(b"\n".join(lines))


def _bom(path: Path) -> None:
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())


def _mixed_newlines(path: Path) -> None:
    """End every other record with CRLF, the others with LF (quoted newlines stay as they are)."""
    out = io.StringIO()
    for i, record in enumerate(_read(path)):
        csv.writer(out, lineterminator="\r\n" if i % 2 else "\n").writerow(record)
    path.write_bytes(out.getvalue().encode("utf-8"))


def _unclosed_list(text: str) -> str:
    return text.rstrip("]").rstrip("}") if text.strip() not in ("", "[]") else "[{'id': 1, 'name':"


def _cut_list(text: str) -> str:
    """A list cut in the middle of an entry, as a spreadsheet cuts a cell at 32,767 characters."""
    return text[: len(text) // 2] if len(text) > 2 else "[{'cast_id': 1, 'character':"


def _huge_list(_: str) -> str:
    """A keywords list of 30 million characters: well-formed, only far too large to be real."""
    parts, size, i = [], 2, 0
    while size < HUGE_CELL_CHARS:
        parts.append(f"{{'id': {100_000 + i}, 'name': 'keyword number {i}'}}")
        size += len(parts[-1]) + 2
        i += 1
    return "[" + ", ".join(parts) + "]"


def _zip(path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(path.name, path.read_bytes())
    path.write_bytes(buf.getvalue())


def _header_only(path: Path) -> None:
    path.write_bytes(path.read_bytes().split(b"\n")[0] + b"\n")


_ALL = (
    Fault("truncated", "credits.csv", "cut mid-row, inside a quoted cell of the last record",
          "error", _truncate),
    Fault("missing_column", "credits.csv", "the crew column is gone (header and rows)", "error",
          _drop_column("crew")),
    Fault("reordered_columns", "keywords.csv", "columns in another order: keywords,id",
          "accepted", _reverse_columns),
    Fault("wrong_delimiter", "links.csv", "semicolons instead of commas", "error", _semicolons),
    Fault("non_utf8", "credits.csv", "a Latin-1 byte (0xE9) in a name", "error", _latin1_name),
    Fault("bom", "movies_metadata.csv", "a UTF-8 byte-order mark before the header",
          "accepted", _bom),
    Fault("mixed_newlines", "movies_metadata.csv", "records end with CRLF and LF in turn",
          "accepted", _mixed_newlines),
    Fault("bad_nested_cell", "keywords.csv", "a keywords list that never closes",
          "quarantine", _set_cell("keywords", 5, _unclosed_list)),
    Fault("cast_cut_short", "credits.csv", "a cast list cut short in the middle of an entry",
          "quarantine", _set_cell("cast", 4, _cut_list)),
    Fault("huge_cell", "keywords.csv", f"one keywords cell of {HUGE_CELL_CHARS:,} characters",
          "quarantine", _set_cell("keywords", 2, _huge_list)),
    Fault("budget_not_numeric", "movies_metadata.csv", "budget '$4,000,000'", "quarantine",
          _set_cell("budget", 1, lambda _: "$4,000,000")),
    Fault("budget_negative", "movies_metadata.csv", "budget -4000000", "quarantine",
          _set_cell("budget", 2, lambda _: "-4000000")),
    Fault("id_is_date", "movies_metadata.csv", "an id that is a date (1995-10-30) on a "
          "complete row", "quarantine", _set_cell("id", 3, lambda _: "1995-10-30")),
    Fault("empty_file", "keywords.csv", "0 bytes", "error",
          lambda p: p.write_bytes(b"")),
    Fault("header_only", "links.csv", "the header and no rows", "error", _header_only),
    Fault("not_csv", "credits.csv", "a zip archive saved under the CSV name", "error", _zip),
)  # fmt: skip
FAULTS: dict[str, Fault] = {f.name: f for f in _ALL}


def write_fault(
    name: str, out_dir: str | Path, base_dir: str | Path | None = None, *,
    movies: int = 40, seed: int = 42,
) -> Path:  # fmt: skip
    """Write the file a fault corrupts into ``out_dir``, corrupted; return its path.

    Args:
        name: a key of :data:`FAULTS`.
        out_dir: the folder to write to (a source folder for ``movie-pipeline run``).
        base_dir: a clean sample to take the file from; it may be ``out_dir`` itself (corrupt
            in place, or stack a second fault). Without it, or when it lacks the file, the
            file is generated with ``movies`` and ``seed``.
        movies: sample size when generating.
        seed: random seed when generating.

    Raises:
        ValueError: for an unknown fault, or a sample too small to have the rows it needs.
    """
    if name not in FAULTS:
        raise ValueError(f"unknown fault {name!r}; choose from {', '.join(FAULTS)}")
    fault = FAULTS[name]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / fault.file
    source = Path(base_dir) / fault.file if base_dir is not None else None
    if source is None or not source.is_file():
        generate(out, movies=movies, seed=seed, files=[fault.file], progress=False)
    elif source.resolve() != target.resolve():
        shutil.copyfile(source, target)
    fault.apply(target)
    return target
