"""Helpers shared by the public index functions: argument checks and result wrapping."""

from __future__ import annotations

import numpy as np
import pandas as pd

# the two-group reader lives with the other readers in segindex.counts; these names stay
# importable from here for the modules that read pairs through this one
from ..counts import Pair, check_values, read_pair, warn_at_caller
from ..errors import AbsentGroupWarning, SegindexValueError, first_few

__all__ = ["Pair", "read_pair", "check_values", "absent_reason", "finish", "warn_absent", "clamp_unit"]


class _Reason:
    """An area key with the reason its index is NaN, listed as ``'key': reason`` by first_few."""

    def __init__(self, key, reason):
        self.key, self.reason = key, reason

    def __repr__(self) -> str:
        return f"{self.key!r}: {self.reason}"


#: Raw bounded indices outside [0, 1] by at most this much are rounding, and set to the bound.
ROUNDING = 1e-12


def clamp_unit(values, *, low: bool = True, high: bool = True):
    """Set values within :data:`ROUNDING` outside [0, 1] to the bound (a float or an array).

    Only for raw indices bounded by definition (D, Gini, Atkinson, isolation,
    η², H ...), whose kernels can land a few ulps outside through rounding;
    never for corrected indices or differences. Values further outside are
    left as they are (they signal a bug, not rounding). ``low=False`` or
    ``high=False`` keeps that side as computed.
    """
    if np.isscalar(values) or np.ndim(values) == 0:
        v = float(values)
        if low and -ROUNDING <= v < 0.0:
            return 0.0
        if high and 1.0 < v <= 1.0 + ROUNDING:
            return 1.0
        return v
    out = np.array(values, dtype=np.float64, copy=True)
    if low:
        out[(out < 0.0) & (out >= -ROUNDING)] = 0.0
    if high:
        out[(out > 1.0) & (out <= 1.0 + ROUNDING)] = 1.0
    return out


def absent_reason(group_sum: float, other_sum: float, group, comparison: str) -> str:
    """Why a two-group index is undefined in an area."""
    if group_sum <= 0:
        return f"group {group!r} has no members"
    if other_sum <= 0:
        if comparison == "rest":
            return f"the rest of the population (total minus {group!r}) is empty"
        return f"comparison group {comparison!r} has no members"
    return "the index is undefined"


def finish(values: np.ndarray, areas, by, name: str, caller: str, reasons) -> float | pd.Series:
    """Wrap per-area kernel output: a float without ``by``, a Series with it.

    ``reasons(k)`` explains why area ``k`` is NaN. Without ``by`` a NaN raises;
    with ``by`` it warns once, naming the areas, and stays NaN.
    """
    if areas is None:
        value = float(values[0])
        if np.isnan(value):
            raise SegindexValueError(
                f"{caller}(): {reasons(0)} in the whole table, so the index is undefined. "
                "Check the column names, or drop the group from the analysis."
            )
        return value
    result = pd.Series(values, index=areas, name=name)
    warn_absent(values, areas, by, caller, reasons)
    return result


def warn_absent(values: np.ndarray, areas, by, caller: str, reasons) -> None:
    """One warning naming the areas where an index is NaN."""
    bad = np.flatnonzero(np.isnan(values))
    if bad.size == 0:
        return
    listed = first_few([_Reason(areas[k], reasons(k)) for k in bad], limit=10)
    key = by[0] if by and len(by) == 1 else list(by or [])
    warn_at_caller(
        f"{caller}(): the index is NaN in {bad.size} of {len(areas)} areas of {key!r} ({listed}).",
        AbsentGroupWarning,
    )
