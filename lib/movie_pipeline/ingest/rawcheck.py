"""Check a raw file's bytes before Spark reads it: a file that is not the CSV we expect stops the
run with its name, the line and the problem, instead of turning into nulls or lost rows.

One streaming pass in C-speed steps (decode, count): about a second per 500 MB. What it stops:
an empty file, a header and no rows, a file that is not CSV text (zip, gzip, Parquet, Excel,
HTML, UTF-16), bytes that are not UTF-8, a header that is not the dataset's (missing, extra or
renamed columns, another delimiter), and a file that ends inside a quoted cell (cut mid-row).
What it lets through, with a note for the reconciliation report: a UTF-8 byte-order mark,
mixed CRLF/LF line endings, no newline at the end, and the right columns in another order.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from movie_pipeline.errors import PipelineInputError
from movie_pipeline.specs.datasets import RawFile

CHUNK = 8 << 20
BOM = b"\xef\xbb\xbf"
_HEAD = 64 * 1024
_MAGIC = (
    (b"PK\x03\x04", "a zip archive (an .xlsx workbook is one too): unzip it, or export as CSV"),
    (b"\x1f\x8b", "a gzip file: gunzip it first"),
    (b"PAR1", "a Parquet file, not CSV"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an Excel 97 (.xls) workbook: save it as 'CSV UTF-8'"),
    (b"\xff\xfe", "UTF-16 text: save it as UTF-8"),
    (b"\xfe\xff", "UTF-16 text: save it as UTF-8"),
)
_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "pipes"}


@dataclass
class RawCheck:
    """What the check saw in a file that passed.

    Attributes:
        file: the file as named in messages.
        columns: the header as written (byte-order mark removed).
        size: bytes.
        lines: physical lines (a quoted newline starts a new one).
        crlf: lines ending in CRLF; ``lf`` those ending in a bare LF.
        notes: harmless oddities, for the reconciliation report.
    """

    file: str
    columns: tuple[str, ...] = ()
    size: int = 0
    lines: int = 0
    crlf: int = 0
    lf: int = 0
    notes: list[str] = field(default_factory=list)


def check_header(raw: RawFile, names: tuple[str, ...], file: str) -> list[str]:
    """Compare a header with the dataset's; return notes, or raise naming what differs.

    Raises:
        PipelineInputError: line 1, with the header found and the one expected.
    """
    variants = (raw.columns, *raw.alt_columns)
    if names in variants:
        return []
    if len(set(names)) == len(names) and any(sorted(names) == sorted(v) for v in variants):
        return [f"{file}: columns in another order ({','.join(names)}), read by name"]
    shown = ",".join(names)[:200]
    expected = " or ".join(",".join(v) for v in variants)
    if len(names) == 1:
        for sep, word in _DELIMITERS.items():
            parts = tuple(p.strip() for p in names[0].split(sep))
            if any(sorted(parts) == sorted(v) for v in variants):
                raise PipelineInputError(
                    file, 1, f"the columns are separated by {word}, not commas ({shown!r}): "
                    "export the file again as comma-separated CSV")  # fmt: skip
    missing = [c for c in raw.columns if c not in names]
    extra = [c for c in names if c not in raw.columns]
    detail = "; ".join(
        f"{what}: {', '.join(cols)}"
        for what, cols in (("missing", missing), ("unexpected", extra))
        if cols
    )
    raise PipelineInputError(
        file,
        1,
        f"the header is {shown!r}, expected {expected}" + (f" ({detail})" if detail else ""),
    )


def _check_head(head: bytes, file: str) -> None:
    if not head.strip():
        raise PipelineInputError(file, None, "the file is empty" + ("" if head else " (0 bytes)"))
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise PipelineInputError(file, 1, f"this is not CSV text but {what}")
    start = head.lstrip(BOM).lstrip()[:15].lower()
    if start.startswith((b"<!doctype html", b"<html", b"<?xml")):
        raise PipelineInputError(file, 1, "this is an HTML/XML page, not CSV (a login or "
                                 "error page saved instead of the download?)")  # fmt: skip
    if b"\x00" in head:
        line = head[: head.index(b"\x00")].count(b"\n") + 1
        raise PipelineInputError(file, line, "NUL bytes: a binary file, not CSV text")


def _open_field_line(chunks: Iterable[bytes]) -> int:
    """The line where the quoted field still open at the end of the file began."""
    odd, line, opened, tail = False, 1, 1, b""
    for chunk in [*chunks, b"\n"]:  # the final newline closes the last line
        *lines, tail = (tail + chunk).split(b"\n")
        for text in lines:
            was, odd = odd, odd ^ (text.count(b'"') % 2 == 1)
            opened = line if odd and not was else opened
            line += 1
    return opened


def check_raw(open_chunks: Callable[[], Iterable[bytes]], raw: RawFile, file: str) -> RawCheck:
    """Check one raw file, streamed; return what it saw or raise on the first real problem.

    Args:
        open_chunks: returns the file's bytes in chunks (called a second time only to place
            an unclosed quote).
        raw: the dataset's description (expected headers).
        file: the name to use in messages (the source path, or the lake URI).

    Raises:
        PipelineInputError: naming ``file``, the line and the problem.
    """
    out = RawCheck(file)
    buf, odd, header_end, data, ends_newline = b"", False, None, False, True
    chunks: Iterator[bytes] = iter(open_chunks())
    head_done = False
    while True:
        chunk = next(chunks, None)
        if chunk is not None:
            buf += chunk
            out.size += len(chunk)
        if not head_done:  # nothing is decoded before we know the file is text
            if len(buf) < _HEAD and chunk is not None:
                continue
            _check_head(buf[:_HEAD], file)
            head_done = True
        # Lines never straddle segments, so neither do UTF-8 sequences (0x0A is never inside one).
        cut = len(buf) if chunk is None else buf.rfind(b"\n") + 1
        seg, buf = buf[:cut], buf[cut:]
        if seg:
            try:
                seg.decode("utf-8")
            except UnicodeDecodeError as exc:
                bad = seg[exc.start : exc.start + 4]
                raise PipelineInputError(
                    file,
                    out.lines + seg[: exc.start].count(b"\n") + 1,
                    f"bytes {bad.hex(' ').upper()} are not UTF-8 (a Latin-1 or Windows-1252 "
                    "file?): save the file as UTF-8",
                ) from None
            if header_end is None:
                if seg.startswith(BOM):
                    out.notes.append(f"{file}: starts with a UTF-8 byte-order mark (ignored)")
                first = seg.split(b"\n", 1)[0].removeprefix(BOM).rstrip(b"\r").decode("utf-8")
                out.columns = tuple(c.strip() for c in next(csv.reader([first]), []))
                out.notes += check_header(raw, out.columns, file)
                header_end = len(seg.split(b"\n", 1)[0]) + 1
                data = bool(seg[header_end:].strip())
            else:
                data = data or bool(seg.strip())
            newlines, crlf = seg.count(b"\n"), seg.count(b"\r\n")
            out.lines += newlines
            out.crlf += crlf
            out.lf += newlines - crlf
            odd ^= seg.count(b'"') % 2 == 1
            ends_newline = seg.endswith(b"\n")
        if chunk is None:
            break
    if not data:
        raise PipelineInputError(file, 1, "the header is the only line: the file has no data rows")
    if odd:
        line = _open_field_line(open_chunks())
        raise PipelineInputError(
            file, line, "the file ends inside a quoted field opened on this line: it was cut "
            "mid-row (an interrupted download or copy?); fetch the file again")  # fmt: skip
    if not ends_newline:
        out.lines += 1
        out.notes.append(f"{file}: no newline after the last line")
    if out.crlf and out.lf:
        out.notes.append(f"{file}: mixed line endings ({out.crlf:,} CRLF, {out.lf:,} LF)")
    return out


def file_chunks(uri: str | Path, chunk: int = CHUNK, s3=None) -> Callable[[], Iterator[bytes]]:
    """An ``open_chunks`` for a local path or an ``s3://`` URI (``s3``: a boto3 client)."""
    uri = str(uri)

    def local() -> Iterator[bytes]:
        with open(uri, "rb") as fh:
            while block := fh.read(chunk):
                yield block

    def remote() -> Iterator[bytes]:
        import boto3

        bucket, _, key = uri.removeprefix("s3://").partition("/")
        body = (s3 or boto3.client("s3")).get_object(Bucket=bucket, Key=key)["Body"]
        yield from body.iter_chunks(chunk)

    return remote if uri.startswith("s3://") else local


# Rows the raw text already condemns (Spark side) -------------------------------------------------
# The real files' largest cell is ~34,000 characters: a million is no real cell, and parsing one
# would only cost time. Money columns hold amounts, which are never negative.
MAX_CELL_CHARS = 1_000_000
NON_NEGATIVE = {"movies_metadata": ("budget", "revenue")}
_PRE, _PRE_RAW = "_pre_errors", "_pre_raw"
_SHOWN = 1_000  # characters of an oversized cell kept in the quarantine row


def _oversized(column: str) -> str:
    """SQL: true where a cell holds more than :data:`MAX_CELL_CHARS` characters.

    The byte length is known without a scan and bounds the character count: count characters
    only in a cell that has more bytes than the limit.
    """
    return f"(octet_length({column}) > {MAX_CELL_CHARS} AND length({column}) > {MAX_CELL_CHARS})"


def _pre_reasons(columns, dataset: str) -> str:
    """SQL: the reasons the raw text alone gives (empty array on a good row)."""
    from movie_pipeline.transform.literal import non_null_array_sql, sql_name, sql_string

    limit = f" characters, more than the {MAX_CELL_CHARS:,} a real cell can hold"
    too_big = [
        f"CASE WHEN {_oversized(sql_name(c))} THEN concat({sql_string(f'{c} cell has ')}, "
        f"format_number(length({sql_name(c)}), 0), {sql_string(limit)}) END"
        for c in columns
    ]
    negative = [
        f"CASE WHEN trim({sql_name(c)}) RLIKE {sql_string(r'^-[0-9.]*[1-9]')} "
        f"THEN concat({sql_string(f'{c} ')}, trim({sql_name(c)}), ' is negative') END"
        for c in NON_NEGATIVE.get(dataset, ())
        if c in columns
    ]
    return non_null_array_sql([*too_big, *negative])


PRE_COLUMNS = (_PRE, _PRE_RAW)  # what the parse functions carry through (see :func:`mark`)


def mark(df, dataset: str, columns):
    """Flag the rows whose raw text is already wrong, before any parsing, in the same pass.

    Args:
        df: the raw rows.
        dataset: the dataset's name (which columns are money).
        columns: the raw file's columns (the cells to check).

    Returns:
        ``df`` with every oversized cell emptied (so that the parser never sees it), plus
        ``_pre_errors`` (the reasons, empty on a good row) and ``_pre_raw`` (on a flagged row,
        the raw fields as JSON with oversized cells cut to their first 1,000 characters). The
        parse functions carry both columns; :func:`merge_marks` folds them into the reasons.
    """
    from movie_pipeline.transform.literal import sql_name, sql_string

    # SQL text, one expression per column: built from Column objects, these few hundred
    # expressions cost a Py4J round trip each, while the tasks wait for the driver.
    shown = ", ".join(
        f"{sql_string(c)}, CASE WHEN {_oversized(sql_name(c))} "
        f"THEN concat(substring({sql_name(c)}, 1, {_SHOWN}), ' [cut]') ELSE {sql_name(c)} END"
        for c in columns
    )
    emptied = [
        f"CASE WHEN {_oversized(sql_name(c))} THEN NULL ELSE {sql_name(c)} END AS {sql_name(c)}"
        if c in columns
        else sql_name(c)
        for c in df.columns
    ]
    flagged = df.selectExpr("*", f"{_pre_reasons(columns, dataset)} AS {_PRE}")
    raw = f"to_json(named_struct({shown}), map('ignoreNullFields', 'false'))"
    return flagged.selectExpr(
        *emptied, _PRE, f"CASE WHEN size({_PRE}) > 0 THEN {raw} END AS {_PRE_RAW}"
    )


def merge_marks(parsed):
    """Fold the reasons of :func:`mark` into a parsed dataset's ``_errors`` (and its raw fields
    into ``_raw``), so those rows are quarantined and counted like any other."""
    from pyspark.sql import functions as F

    from movie_pipeline.transform.quarantine import ERRORS, RAW

    if _PRE not in parsed.columns:
        return parsed
    return parsed.select(*[
        F.concat(F.col(ERRORS), F.col(_PRE)).alias(ERRORS) if c == ERRORS
        else F.coalesce(F.col(_PRE_RAW), F.col(RAW)).alias(RAW) if c == RAW
        else F.col(c)
        for c in parsed.columns if c not in PRE_COLUMNS
    ])  # fmt: skip
