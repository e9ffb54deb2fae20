"""What Glue and Athena charge: DPU-hours for jobs and sessions, bytes scanned for queries."""

from __future__ import annotations

import math
from dataclasses import dataclass

from movie_pipeline.config import ConfigError, Settings

# List prices in us-east-1 (most regions match; check https://aws.amazon.com/glue/pricing/ and
# https://aws.amazon.com/athena/pricing/ for yours). Estimates, not a bill.
GLUE_USD_PER_DPU_HOUR = 0.44
ATHENA_USD_PER_TB = 5.0
# Glue 2.0+ jobs and interactive sessions are billed per second with a one-minute minimum.
GLUE_MINIMUM_SECONDS = 60
# Athena rounds each query up to the next megabyte, with a 10 MB minimum.
ATHENA_MINIMUM_BYTES = 10 * 1024**2
# S3 Standard storage (https://aws.amazon.com/s3/pricing/); the walkthrough's requests cost far
# less than a cent.
S3_USD_PER_GB_MONTH = 0.023
_MB = 1024**2
_GB = 1024**3
_TB = 1024**4

# DPUs per worker, by worker type (G.025X is the streaming-only quarter worker).
DPU_PER_WORKER = {"G.025X": 0.25, "G.1X": 1.0, "G.2X": 2.0, "G.4X": 4.0, "G.8X": 8.0}


@dataclass(frozen=True)
class GlueCost:
    """What a Glue job run or interactive session used, and its estimated price."""

    seconds: float
    dpus: float
    dpu_seconds: float
    usd: float

    @property
    def dpu_hours(self) -> float:
        return self.dpu_seconds / 3600

    def describe(self) -> str:
        """One line for the user: duration, DPU-hours and cost."""
        return (
            f"{self.seconds:,.0f} s on {self.dpus:g} DPU = {self.dpu_hours:.4f} DPU-hours, "
            f"about ${self.usd:.4f} at ${GLUE_USD_PER_DPU_HOUR}/DPU-hour"
        )


def dpus(worker_type: str, number_of_workers: int) -> float:
    """Return the DPUs of a Glue worker fleet.

    Args:
        worker_type: ``G.1X``, ``G.2X`` and so on.
        number_of_workers: workers, driver included (as Glue counts them).

    Returns:
        DPUs billed per second while the fleet runs.

    Examples:
        >>> dpus("G.2X", 3)
        6.0
    """
    if worker_type not in DPU_PER_WORKER:
        raise ConfigError(f"worker type {worker_type!r} is not one of {', '.join(DPU_PER_WORKER)}")
    return DPU_PER_WORKER[worker_type] * int(number_of_workers)


def glue_cost(
    seconds: float,
    dpu_count: float,
    reported_dpu_seconds: float | None = None,
) -> GlueCost:
    """Estimate a Glue job run or interactive session's cost.

    Args:
        seconds: how long it ran (the job run's ExecutionTime, or the session's lifetime).
        dpu_count: DPUs it held (see ``dpus``).
        reported_dpu_seconds: DPU-seconds as Glue reports them (sessions, auto-scaling and Flex
            runs report them), used instead of ``seconds * dpu_count`` when given.

    Returns:
        A GlueCost, with the one-minute minimum applied.

    Examples:
        >>> glue_cost(30, 2.0).dpu_seconds  # billed as one minute
        120.0
    """
    used = reported_dpu_seconds if reported_dpu_seconds else seconds * dpu_count
    billed = max(used, GLUE_MINIMUM_SECONDS * dpu_count)
    return GlueCost(seconds, dpu_count, billed, billed / 3600 * GLUE_USD_PER_DPU_HOUR)


def athena_cost(bytes_scanned: int) -> float:
    """Estimate an Athena query's price in USD from the bytes it scanned.

    Examples:
        >>> athena_cost(0) == athena_cost(10 * 1024**2)  # the 10 MB minimum
        True
    """
    billed = max(math.ceil(bytes_scanned / _MB) * _MB, ATHENA_MINIMUM_BYTES)
    return billed / _TB * ATHENA_USD_PER_TB


def cost_estimate(settings: Settings, raw_bytes: int, queries: int, session_minutes: float = 5):
    """Roughly what one walkthrough on AWS costs, from list prices (``aws.costs``).

    Args:
        settings: Glue sizing (worker type, number of workers, idle timeout).
        raw_bytes: the size of the raw files to upload.
        queries: how many Athena queries notebook 04 runs.
        session_minutes: how long the Glue session lives (creation to stop).

    Returns:
        A DataFrame: item, quantity, usd. The total is the last row.
    """
    import pandas as pd

    dpu = dpus(settings.worker_type, int(settings.number_of_workers))
    session = glue_cost(session_minutes * 60, dpu)
    forgotten = glue_cost((session_minutes + int(settings.idle_timeout_minutes)) * 60, dpu)
    # Athena bills each query's scanned bytes; Parquet columns are a fraction of the raw CSV,
    # so the raw size is a generous upper bound per query.
    athena = queries * athena_cost(raw_bytes)
    # Raw CSV plus cleaned Parquet (smaller than the CSV) for a month.
    storage = 2 * raw_bytes / _GB * S3_USD_PER_GB_MONTH
    rows = [
        ("Glue interactive session (02)", f"{session_minutes:g} min x {dpu:g} DPU", session.usd),
        ("Athena queries (04)", f"{queries} x at most {raw_bytes / 1024**2:,.1f} MB", athena),
        ("S3 storage for a month", f"at most {2 * raw_bytes / 1024**2:,.1f} MB", storage),
    ]
    rows.append(("total", "", sum(r[2] for r in rows)))
    rows.append((
        "if the session is left idle until its timeout",
        f"+{int(settings.idle_timeout_minutes)} min", forgotten.usd - session.usd,
    ))  # fmt: skip
    frame = pd.DataFrame(rows, columns=["item", "quantity", "usd"])
    frame["usd"] = frame["usd"].round(4)
    return frame


def run_costs(settings: Settings, checks: dict[str, dict], lake_bytes: int):
    """What this run cost on AWS, or would have cost: from notebooks 02 and 04's checks.

    Args:
        settings: Glue sizing, for the estimate of an offline run.
        checks: ``load_checks(outputs)``.
        lake_bytes: raw plus cleaned bytes in the bucket (a month of S3 storage).

    Returns:
        A DataFrame: item, measured_or_estimated, quantity, usd; the total is the last row.
    """
    import pandas as pd

    rows = []
    flatten = checks.get("02", {})
    if flatten.get("usd") is not None:
        rows.append(("Glue (02)", "measured", f"{flatten['seconds']} s, {flatten['engine']}",
                     float(flatten["usd"])))  # fmt: skip
    elif flatten:
        dpu = dpus(settings.worker_type, int(settings.number_of_workers))
        glue = glue_cost(float(flatten["seconds"]), dpu)
        rows.append(
            ("Glue (02)", "estimated", f"{flatten['seconds']} s here, on {dpu:g} DPU", glue.usd)
        )
    analysis = checks.get("04", {})
    if analysis:
        how = "measured" if settings.backend == "aws" else "estimated"
        scanned = int(analysis.get("bytes_scanned", 0))
        rows.append(("Athena (04)", how, f"{len(analysis.get('queries', {}))} queries, "
                     f"{scanned / 1024**2:,.2f} MB scanned", float(analysis.get("usd", 0))))  # fmt: skip
    rows.append(("S3 storage for a month", "estimated", f"{lake_bytes / 1024**2:,.2f} MB",
                 lake_bytes / _GB * S3_USD_PER_GB_MONTH))  # fmt: skip
    rows.append(("total", "", "", sum(r[3] for r in rows)))
    result = pd.DataFrame(rows, columns=["item", "measured_or_estimated", "quantity", "usd"])
    result["usd"] = result["usd"].round(4)
    return result
