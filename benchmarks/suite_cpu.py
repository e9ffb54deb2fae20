"""Where the test suite's CPU goes: CPU seconds by kind of process, sampled with psutil (Linux).

The suite is bound by CPU on a 2-core machine, and much of it is spent outside the pytest
workers' own Python: in each worker's Spark JVM, in the notebook kernels and their JVMs, in
the child processes some tests start (the strict Glue run, the runs they kill) and in Spark's
Python workers. ``pytest --durations`` shows wall time per test; this shows the CPU behind it.

    python benchmarks/suite_cpu.py                     # the whole suite, as `make test` runs it
    python benchmarks/suite_cpu.py -- -n 0 tests/test_etl.py   # any pytest arguments after --

Every process on the machine is sampled every 0.5 s (its CPU so far, its parent, its command
line); a process is named by what it is and by the first known ancestor that started it. A
process that lives less than one sample may be missed, and the last 0.5 s of each is not
counted: the total is a little under the machine's busy CPU (psutil.cpu_times), printed beside
it. Processes running before the suite started are left out.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]

# (what a command line holds, the name it gets): the first match wins.
KINDS = [
    ("glue_strict_run.py", "strict Glue run"),
    ("-m movie_pipeline run", "child `movie-pipeline run`"),
    ("ipykernel", "notebook kernel"),
    ("import sys;exec(eval(sys.stdin", "pytest worker"),
    ("-m pytest", "pytest"),
]


class Sampler(threading.Thread):
    """Samples every process until ``stop`` is set: ``{(pid, start): {...}}``."""

    def __init__(self, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.interval, self.stop, self.seen = interval, threading.Event(), {}
        self.before = set(psutil.pids())

    def run(self) -> None:
        fields = ["ppid", "cmdline", "cpu_times", "create_time"]
        while not self.stop.is_set():
            for p in psutil.process_iter(fields):
                info = p.info
                if p.pid in self.before or p.pid == os.getpid() or info["cpu_times"] is None:
                    continue
                key = (p.pid, info["create_time"])
                proc = self.seen.setdefault(key, {"ppid": info["ppid"], "command": ""})
                # Read again each time: spark-submit (bash) execs the JVM in the same process.
                proc["command"] = " ".join(info["cmdline"] or []) or proc["command"]
                proc["cpu"] = info["cpu_times"].user + info["cpu_times"].system
            self.stop.wait(self.interval)


def _kind(command: str) -> str | None:
    return next((name for needle, name in KINDS if needle in command), None)


def by_kind(seen: dict) -> Counter:
    """CPU seconds per ``<what it is> < <who started it>``."""
    parents = {pid: proc for (pid, _), proc in seen.items()}
    totals: Counter = Counter()
    for proc in seen.values():
        command = proc["command"]
        exe = os.path.basename(command.split(" ", 1)[0])
        if exe == "java":
            what = "Spark JVM"
        elif "pyspark.daemon" in command or "pyspark/daemon" in command:
            what = "Spark Python worker"
        else:
            what = _kind(command) or exe or "?"
        ancestor, parent, hops = None, parents.get(proc["ppid"]), 0
        while parent is not None and ancestor is None and hops < 20:
            ancestor = _kind(parent["command"])
            parent, hops = parents.get(parent["ppid"]), hops + 1
        name = what if ancestor in (None, what) else f"{what} < {ancestor}"
        totals[name] += proc.get("cpu", 0.0)
    return totals


def _busy_idle() -> tuple[float, float]:
    """The machine's CPU seconds so far: busy, and idle (waiting on I/O included)."""
    t = psutil.cpu_times()
    return t.user + t.nice + t.system + t.irq + t.softirq + t.steal, t.idle + t.iowait


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("pytest_args", nargs="*", help="arguments for pytest (after --)")
    args = parser.parse_args(argv)
    sampler = Sampler()
    busy0, idle0 = _busy_idle()
    started = time.perf_counter()
    sampler.start()
    done = subprocess.run([sys.executable, "-m", "pytest", *args.pytest_args], cwd=REPO)
    sampler.stop.set()
    sampler.join()
    wall = time.perf_counter() - started
    busy1, idle1 = _busy_idle()
    totals = by_kind(sampler.seen)
    print(f"\npytest exit {done.returncode}; {wall:.1f} s wall; machine {busy1 - busy0:.0f} CPU s "
          f"busy and {idle1 - idle0:.0f} idle on {os.cpu_count()} cores")  # fmt: skip
    print(f"{'CPU s':>8}  process (< what started it)")
    for name, seconds in totals.most_common():
        if seconds >= 0.5:
            print(f"{seconds:8.1f}  {name}")
    print(f"{sum(totals.values()):8.1f}  all sampled processes")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
