"""Counts as the report publishes them: exact, rounded, or suppressed below a threshold."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import SegindexTypeError

__all__ = ["Disclosure"]


def _positive_int(value, name: str):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise SegindexTypeError(
            f"write_report(): '{name}' must be None or a whole number >= 1 (e.g. 5), got {value!r}."
        )
    return int(value)


@dataclass(frozen=True)
class Disclosure:
    """How counts are published: ``suppress_below`` (counts 1 to N - 1 shown as "<N") and/or ``round_to``.

    Indices are always computed on the exact counts; only the counts (and the
    shares made from them) that the report writes are changed.

    Examples
    --------
    >>> d = Disclosure(suppress_below=5, round_to=10)
    >>> [d.count(v) for v in (0, 3, 14, 15, 1234)]
    [0, '<5', 10, 20, 1230]
    """

    suppress_below: int | None = None
    round_to: int | None = None

    @classmethod
    def checked(cls, suppress_below, round_to) -> Disclosure:
        return cls(_positive_int(suppress_below, "suppress_below"), _positive_int(round_to, "round_to"))

    @property
    def active(self) -> bool:
        return self.suppress_below is not None or self.round_to is not None

    @property
    def symbol(self) -> str:
        return f"<{self.suppress_below}"

    def hidden(self, values) -> np.ndarray:
        """True where a count is suppressed (more than 0, fewer than ``suppress_below``)."""
        v = np.asarray(values, dtype=float)
        if self.suppress_below is None:
            return np.zeros(v.shape, dtype=bool)
        return (v > 0) & (v < self.suppress_below)

    def rounded(self, values) -> np.ndarray:
        """Counts rounded half up to the nearest ``round_to`` (unchanged without it)."""
        v = np.asarray(values, dtype=float)
        if self.round_to is None:
            return v
        return np.floor(v / self.round_to + 0.5) * self.round_to

    def count(self, value):
        """One published count: an int, the suppression symbol, or NaN for a missing value."""
        if pd.isna(value):
            return np.nan
        if self.hidden(value):
            return self.symbol
        return int(self.rounded(value))

    def counts(self, values) -> pd.Series:
        """Published counts of a Series (object dtype when some are suppressed, else integers)."""
        s = pd.Series(values)
        out = s.map(self.count)
        if self.suppress_below is None and not s.isna().any():
            return out.astype("int64")
        return out.astype(object)

    def shares(self, counts, totals) -> np.ndarray:
        """Shares as published: NaN where the count is suppressed, rounded counts over rounded totals."""
        c = self.rounded(counts)
        t = self.rounded(totals)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(t > 0, c / np.where(t > 0, t, 1.0), np.nan)
        out[self.hidden(counts)] = np.nan
        return out

    def note(self) -> str | None:
        """The sentence the page prints about it (None when counts are published exactly)."""
        parts = []
        if self.suppress_below is not None:
            parts.append(
                f"counts from 1 to {self.suppress_below - 1} are suppressed (shown as "
                f"\u201c{self.symbol}\u201d, and their shares left out of the maps)"
            )
        if self.round_to is not None:
            parts.append(
                f"the other counts are rounded to the nearest {self.round_to}, and shares are computed "
                "from the rounded counts"
                if parts
                else f"counts are rounded to the nearest {self.round_to}, and shares are computed from the "
                "rounded counts"
            )
        if not parts:
            return None
        return "For publication, " + "; ".join(parts) + ". Every index is computed on the exact counts."
