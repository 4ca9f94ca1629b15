"""Uncertainty by seeded simulation.

Every factor with bounds (emission factors, mode shares, detour, occupancy, rebound,
substitution shares …) is drawn from a triangular distribution between its low, central and
high value, and the model is evaluated once per draw on the cube. The intervals shown are the
5 % and 95 % percentiles of the draws (data/simulation.csv).

One random quantile per draw belongs to a (key, country of the factor row): every year's row
of that key takes the same quantile in a draw. Editions of one factor for different years come
from the same source and method, so their errors move together; a difference between two years
that share a factor is then certain in that factor, while independent factors add up by the
square-root rule. A quantile stream depends only on the seed, the key and the country, never on
the order of lookups, so the same seed gives the same interval.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from calc import datafiles
from calc.factors import Bound, FactorSet

SIMULATION_PATH = Path(__file__).resolve().parent.parent / "data" / "simulation.csv"


@dataclass(frozen=True)
class Settings:
    """How many draws, from which seed, and which percentiles bound the interval."""

    draws: int
    scenario_draws: int
    seed: int
    low_percentile: float
    high_percentile: float

    @classmethod
    def load(cls, path: Path = SIMULATION_PATH) -> Settings:
        values = datafiles.key_values(path)
        return cls(
            draws=int(values["draws"]),
            scenario_draws=int(values["scenario_draws"]),
            seed=int(values["seed"]),
            low_percentile=float(values["low_percentile"]),
            high_percentile=float(values["high_percentile"]),
        )


def triangular_quantile(u: np.ndarray, low: float, mode: float, high: float) -> np.ndarray:
    """The value at cumulative probability u of a triangular distribution (low, mode, high)."""
    if high <= low:
        return np.full(np.shape(u), float(mode))
    width = high - low
    turn = (mode - low) / width
    rising = low + np.sqrt(u * width * (mode - low))
    falling = high - np.sqrt((1 - u) * width * (high - mode))
    return np.where(u < turn, rising, falling)


class Draws:
    """Factor values per draw from one factor set, seed and number of draws."""

    def __init__(self, factors: FactorSet, draws: int, seed: int) -> None:
        if draws < 1:
            raise ValueError("a simulation needs at least one draw")
        self.factors = factors
        self.draws = draws
        self.seed = seed
        self._quantiles: dict[tuple[str, str], np.ndarray] = {}

    def quantile(self, key: str, country: str) -> np.ndarray:
        """The shared random quantile of a (key, factor-row country) in every draw."""
        ident = (key, country)
        if ident not in self._quantiles:
            stream = zlib.crc32(f"{key}|{country}".encode())
            rng = np.random.default_rng([self.seed, stream])
            self._quantiles[ident] = rng.random(self.draws)
        return self._quantiles[ident]

    def value(
        self, key: str, country: str = "", year: int | None = None, bound: Bound = "central"
    ) -> np.ndarray:
        """The factor for (key, country, year) in every draw (bound is ignored: draws span it)."""
        del bound  # a draw covers the whole range; the argument keeps model.ValueOf's shape
        factor = self.factors.factor(key, country, year)
        return triangular_quantile(
            self.quantile(key, factor.country), factor.low, factor.value, factor.high
        )

    def mode_shares(self, split: pd.DataFrame) -> np.ndarray:
        """Drawn mode shares of a model.mode_split_table (rows: country, band, mode, key),
        normalised per (country, band) so each band still sums to one: (rows, draws)."""
        shares = np.empty((len(split), self.draws))
        for row, (country, key) in enumerate(split[["country", "key"]].itertuples(index=False)):
            shares[row] = self.value(key, country)
        band_total = (
            pd.DataFrame(shares)
            .groupby([split["country"].to_numpy(), split["band"].to_numpy()])
            .transform("sum")
            .to_numpy()
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(band_total > 0, shares / band_total, 0.0)


def interval(
    values: np.ndarray, settings: Settings, axis: int = -1
) -> tuple[np.ndarray, np.ndarray]:
    """The settings' low and high percentiles of draws along an axis."""
    low, high = np.percentile(
        values, [settings.low_percentile, settings.high_percentile], axis=axis
    )
    return low, high
