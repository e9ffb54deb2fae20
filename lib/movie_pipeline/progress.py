"""What the pipeline says while it works: step lines and progress bars on long steps."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from tqdm import tqdm  # not tqdm.auto: its notebook widget warns with local paths


def say(message: str) -> None:
    """Print a step line to stderr (stdout stays clean for data such as ``query --format csv``)."""
    print(f"[movie-pipeline] {message}", file=sys.stderr, flush=True)


@contextmanager
def step(title: str) -> Iterator[None]:
    """Announce a step, then report how long it took."""
    say(f"{title} ...")
    start = time.perf_counter()
    yield
    say(f"{title}: done in {time.perf_counter() - start:.1f} s")


def progress_bar(total: int, desc: str, unit: str = "it"):
    """A tqdm bar on stderr; bytes get KB/MB scaling."""
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
