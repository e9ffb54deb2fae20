"""What Glue and Athena charge: DPU-hours for jobs and sessions, bytes scanned for queries."""

from __future__ import annotations

import math
from dataclasses import dataclass

from movie_pipeline.config import ConfigError

# List prices in us-east-1 (most regions match; check https://aws.amazon.com/glue/pricing/ and
# https://aws.amazon.com/athena/pricing/ for yours). Estimates, not a bill.
GLUE_USD_PER_DPU_HOUR = 0.44
ATHENA_USD_PER_TB = 5.0
# Glue 2.0+ jobs and interactive sessions are billed per second with a one-minute minimum.
GLUE_MINIMUM_SECONDS = 60
# Athena rounds each query up to the next megabyte, with a 10 MB minimum.
ATHENA_MINIMUM_BYTES = 10 * 1024**2
_MB = 1024**2
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
