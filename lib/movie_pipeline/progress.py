"""What the pipeline says while it works: step lines and progress bars on long steps."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


def say(message: str) -> None:
    """Print a step line to stderr (stdout stays clean for data such as ``query --format csv``)."""
    print(f"[movie-pipeline] {message}", file=sys.stderr, flush=True)


@contextmanager
def step(title: str) -> Iterator[None]:
    """Report a step in one line when it ends: ``<title>: done in 1.2 s`` (or ``failed after``).

    In a terminal the step is also announced when it starts, so that a long one does not look
    stuck; a notebook already marks the running cell, and its output keeps one line per step.
    """
    if sys.stderr.isatty():
        say(f"{title} ...")
    start = time.perf_counter()
    try:
        yield
    except BaseException:
        say(f"{title}: failed after {time.perf_counter() - start:.1f} s")
        raise
    say(f"{title}: done in {time.perf_counter() - start:.1f} s")


class PlainProgress:
    """A progress bar as step lines: one at each quarter of the total (where tqdm is missing)."""

    def __init__(self, total: int, desc: str, unit: str = "it") -> None:
        self.total, self.desc, self.unit = total, desc, unit
        self.done, self._quarters = 0, 0
        self._lock = threading.Lock()  # S3 uploads call back from several threads

    def update(self, n: int = 1) -> None:
        with self._lock:
            self.done += n
            quarters = min(4, 4 * self.done // self.total) if self.total > 0 else 0
            while self._quarters < quarters:
                self._quarters += 1
                say(f"{self.desc}: {25 * self._quarters}% of {self._size()}")

    def _size(self) -> str:
        if self.unit != "B":
            return f"{self.total:,} {self.unit}"
        size, units = float(self.total), ["B", "KiB", "MiB", "GiB", "TiB"]
        while size >= 1024 and len(units) > 1:
            size, units = size / 1024, units[1:]
        return f"{size:.1f} {units[0]}"

    def close(self) -> None:
        pass

    def __enter__(self) -> PlainProgress:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def progress_bar(total: int, desc: str, unit: str = "it"):
    """A tqdm bar on stderr, bytes with KB/MB scaling; plain step lines where tqdm is missing.

    tqdm is imported here, not with the module: the ETL imports this module, and AWS Glue 5.1
    does not provide tqdm (``glue/runtime.py``).
    """
    try:
        from tqdm import tqdm  # not tqdm.auto: its notebook widget warns with local paths
    except ImportError:
        return PlainProgress(total, desc, unit)
    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        unit_scale=unit == "B",
        unit_divisor=1024,
        file=sys.stderr,
        leave=False,
        disable=None,
        mininterval=0.5,
    )
