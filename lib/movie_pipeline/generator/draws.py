"""Small random helpers shared by the file writers: long-tailed ranks, counts, quotas, TMDB paths."""

from __future__ import annotations

import math
import random
import string
from collections.abc import Callable, Sequence

FULL_MOVIES = 45476  # credits.csv rows in the original: the unit every count is scaled by
_BASE62 = string.ascii_letters + string.digits
# byte -> base-62 character, for turning random bytes into path characters in one C call
_TO_BASE62 = bytes((_BASE62 * 5)[:256], "ascii")


class Zipf:
    """Ranks 0..size-1 with weight (rank + offset) ** -exponent: a flattened Zipf law.

    The offset keeps the head from dominating, so the busiest actor of a full-size credits file
    is in ~200 movies while most people appear once. Draws invert the continuous CDF: one power
    per draw and no search, which matters for the ~1 million credits of a full-size file.

    Args:
        size: number of ranks.
        exponent: the tail's slope, not 1.
        offset: added to every rank before the power.
    """

    def __init__(self, size: int, exponent: float, offset: float):
        if exponent == 1:
            raise ValueError("exponent 1 needs a logarithmic CDF; use 0.99 or 1.01")
        self.top, self.offset, self.power = size - 1, offset, 1 / (1 - exponent)
        self.low = offset ** (1 - exponent)
        self.span = (size + offset) ** (1 - exponent) - self.low

    def draw(self, rng: random.Random, k: int) -> list[int]:
        """k ranks, drawn with replacement."""
        r, low, span, power, offset, top = (
            rng.random,
            self.low,
            self.span,
            self.power,
            self.offset,
            self.top,
        )
        return [min(top, int((low + span * r()) ** power - offset)) for _ in range(k)]


def long_tail_count(mu: float, sigma: float, tail: float, z: float, cap: int) -> int:
    """A positive count, log-normal in the body with a heavier (tail > 1) upper tail.

    Args:
        mu, sigma: log-scale median and spread.
        tail: how much a z-score above 1.5 is stretched (real cast sizes reach 313).
        z: a standard normal draw (lets the caller correlate counts with a movie's fame).
        cap: the largest count returned.
    """
    if z > 1.5:
        z = 1.5 + (z - 1.5) * tail
    return min(cap, max(1, round(math.exp(mu + sigma * z))))


def correlated_z(rng: random.Random, fame: float, rho: float) -> float:
    """A standard normal draw with correlation ``rho`` to ``fame`` (itself standard normal)."""
    return rho * fame + math.sqrt(1 - rho * rho) * rng.gauss(0.0, 1.0)


def quota(full_count: float, movies: int, minimum: int = 1) -> int:
    """``full_count`` scaled from 45,476 credits rows down to ``movies``, never below ``minimum``.

    Rare quirks get a floor of 1 so that a sample of a few hundred movies still shows each one.
    """
    return max(minimum, round(full_count * movies / FULL_MOVIES))


def id_scale(movies: int) -> float:
    """How much wider than the original's the id ranges are: 1 up to full size, then proportional.

    TMDB hands out ids as people and movies are added, so a dataset k times the original has
    its ids spread over a range k times as wide. Fixed ranges would fill up as the dataset grows.
    """
    return max(1.0, movies / FULL_MOVIES)


def fresh_id(draw: Callable[[float], int], top: float, used: set[int]) -> int:
    """``draw(top)`` until it gives a value not in ``used``, which it is then added to.

    Redrawing alone never ends once the range is full; doubling ``top`` after every 32 misses
    bounds the draws per id. The callers widen their ranges with the dataset (``id_scale``),
    so a range is no more crowded at any size than at full size, where a draw takes 1.2 to 1.9
    tries on average and about 20 at the most: 32 misses in a row do not happen there, and the
    values are those that redrawing alone gave.

    Args:
        draw: a value from ``1`` (or the caller's lower bound) to ``top``.
        top: the upper end of the range.
        used: values already given out (updated in place).
    """
    value, misses = draw(top), 0
    while value in used:
        misses += 1
        if misses % 32 == 0:
            top *= 2
        value = draw(top)
    used.add(value)
    return value


def pick_positions(
    rng: random.Random, candidates: Sequence[int], counts: dict[str, int]
) -> dict[int, str]:
    """Give ``counts[name]`` distinct positions, taken from ``candidates``, to each name."""
    wanted = min(len(candidates), sum(counts.values()))
    positions = rng.sample(candidates, wanted)
    out: dict[int, str] = {}
    names = [name for name, n in counts.items() for _ in range(n)]
    for pos, name in zip(positions, names, strict=False):
        out[pos] = name
    return out


def tmdb_path(rng: random.Random) -> str:
    """An image path like TMDB's: '/' + 27 base-62 characters + '.jpg'."""
    return "/" + rng.randbytes(27).translate(_TO_BASE62).decode("ascii") + ".jpg"


def credit_base(rng: random.Random) -> int:
    """A 96-bit credit id base: a 2013-2017 timestamp in the top 32 bits, like Mongo ObjectIds."""
    return (rng.randint(0x52FE4000, 0x5A000000) << 64) | rng.getrandbits(64)


def weighted_sample(rng: random.Random, weights: list[float], k: int) -> list[int]:
    """k distinct indices, drawn with probability proportional to weight (Efraimidis-Spirakis)."""
    keys = [(rng.random() ** (1.0 / w), i) for i, w in enumerate(weights) if w > 0]
    keys.sort(reverse=True)
    return [i for _, i in keys[:k]]
