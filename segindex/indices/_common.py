"""Helpers shared by the public index functions: argument checks and result wrapping."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._kernels import validate as _kv
from ..counts import _RTOL, area_codes, check_frame, check_label, check_total, numeric_column
from ..errors import AbsentGroupWarning, SegindexValueError

_MAX_LISTED = 10


@dataclass(frozen=True, eq=False)
class Pair:
    """Checked arrays for a two-group index."""

    x: np.ndarray
    y: np.ndarray | None
    t: np.ndarray | None
    codes: np.ndarray
    areas: pd.Index | None
    by: tuple | None
    group: object
    other: object  # a column label, or None for "the rest"
    total: object = None  # the label of the total column, if any

    @property
    def n_areas(self) -> int:
        return 1 if self.areas is None else len(self.areas)

    @property
    def comparison(self) -> str:
        return "rest" if self.other is None else str(self.other)


def read_pair(data, group, other, total, by, caller, *, need_y=True, need_t=False, checked=True) -> Pair:
    """Validate the arguments of a two-group index and read its columns once.

    ``need_y``: the comparison group is needed (named ``other``, or the rest of
    the population, which needs ``total``). ``need_t``: unit totals are needed.

    ``checked=False`` (it matters only with ``total``): the columns and their
    dtypes are checked but not their values, and the rest ``total - group`` is
    not formed (``y`` is the ``other`` column or None). For kernels that check
    the values in their own first pass; when one reports a bad value the
    caller calls :func:`check_values`, which raises the message.
    """
    check_frame(data, caller)
    check_label(group, "group", caller)
    check_label(other, "other", caller, optional=True)
    check_label(total, "total", caller, optional=True)
    if other is not None and other == group:
        raise SegindexValueError(
            f"{caller}(): group and other are both {group!r}; compare two different groups."
        )
    if total is not None and total in (group, other):
        raise SegindexValueError(
            f"{caller}(): {total!r} is named both as a group and as the total column."
        )
    if total is None and (need_t or (need_y and other is None)):
        why = (
            f"compares {group!r} with the rest of the population, which"
            if need_y and other is None and not need_t
            else "weights each unit by its whole population, which"
        )
        hint = " or name a comparison group with other=" if need_y and other is None and not need_t else ""
        raise SegindexValueError(
            f"{caller}(): the index {why} needs total= (the column of unit totals, "
            f"for example total='Persons'){hint}."
        )
    if not checked and total is not None:
        x = numeric_column(data, group, "group", caller, check=False)
        y = numeric_column(data, other, "other", caller, check=False) if other is not None else None
        t = numeric_column(data, total, "total", caller, check=False)
        codes, areas, by_names = area_codes(data, by, caller)
        return Pair(x=x, y=y, t=t, codes=codes, areas=areas, by=by_names, group=group, other=other, total=total)
    if other is None and total is not None:
        # group against its total (the rest, isolation, eta^2): one fused check of both
        # columns; on failure the column-by-column checks raise the message
        x = numeric_column(data, group, "group", caller, check=False)
        t = numeric_column(data, total, "total", caller, check=False)
        if not _kv.valid_part_of_total(x, t, _RTOL):
            x = numeric_column(data, group, "group", caller)
            t = numeric_column(data, total, "total", caller)
            check_total(data, x, t, [group], total, caller)
        if need_y:
            y = _kv.remainder(t, x)
        else:
            y = None
        codes, areas, by_names = area_codes(data, by, caller)
        return Pair(x=x, y=y, t=t, codes=codes, areas=areas, by=by_names, group=group, other=other, total=total)
    x = numeric_column(data, group, "group", caller)
    y = numeric_column(data, other, "other", caller) if other is not None else None
    t = numeric_column(data, total, "total", caller) if total is not None else None
    if t is not None:
        parts = x if y is None else x + y
        groups = [group] if y is None else [group, other]
        check_total(data, parts, t, groups, total, caller)
        if need_y and y is None:
            y = _kv.remainder(t, x)
    codes, areas, by_names = area_codes(data, by, caller)
    return Pair(x=x, y=y, t=t, codes=codes, areas=areas, by=by_names, group=group, other=other, total=total)


def check_values(data, pair: Pair, caller: str) -> None:
    """The column-by-column value checks of :func:`read_pair`, in its order, raising its messages.

    For a pair read with ``checked=False`` whose fused kernel reported a bad
    value. Returns only if every value passes (a false alarm: a sum that
    overflowed); the caller then computes the index the unfused way.
    """
    x = numeric_column(data, pair.group, "group", caller)
    y = numeric_column(data, pair.other, "other", caller) if pair.other is not None else None
    t = numeric_column(data, pair.total, "total", caller)
    parts = x if y is None else x + y
    groups = [pair.group] if y is None else [pair.group, pair.other]
    check_total(data, parts, t, groups, pair.total, caller)


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


def warn_absent(values: np.ndarray, areas, by, caller: str, reasons, stacklevel: int = 4) -> None:
    """One warning naming the areas where an index is NaN."""
    bad = np.flatnonzero(np.isnan(values))
    if bad.size == 0:
        return
    listed = "; ".join(f"{areas[k]!r}: {reasons(k)}" for k in bad[:_MAX_LISTED])
    more = f"; and {bad.size - _MAX_LISTED} more" if bad.size > _MAX_LISTED else ""
    key = by[0] if by and len(by) == 1 else list(by or [])
    warnings.warn(
        f"{caller}(): the index is NaN in {bad.size} of {len(areas)} areas of {key!r} "
        f"({listed}{more}).",
        AbsentGroupWarning,
        stacklevel=stacklevel,
    )
