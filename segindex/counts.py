"""The counts model: the one normaliser between users' tables and the kernels.

Every index in segindex reads its input through this module. A *wide* table has
one row per unit (ward, LSOA, output area, school) and one column per group; a
*long* table has one row per (unit, group) with a count column and is turned
into a wide one by :func:`to_wide`. :func:`as_counts` turns a wide table into a
:class:`Counts`: a float64, C-contiguous units × groups matrix with its labels,
the unit totals and, with ``by=``, the area key of every unit.

Checks made here, once, for every index:

* the data are a DataFrame (or GeoDataFrame) with at least one row;
* every named column exists, is numeric (not boolean, not text) and holds no
  negative, NaN or infinite count;
* a ``total`` column is not below the sum of the group columns in any unit;
  where it is above, the difference is the explicit rest of the population;
* ``by`` columns exist, have no missing keys and are not fractional numbers
  (whole-number floats are converted exactly to integers);
* no unit is counted twice: a non-default index is unique within the ``by``
  areas (a default ``RangeIndex``, or several concatenated, holds no unit labels).

It also holds the one coordinate rule (:func:`check_projected`,
:func:`point_coordinates`): a distance, length or area is only measured in a
projected CRS; a missing or geographic CRS, or point columns named like
longitude/latitude, are refused with the fix.

Each failure raises a :class:`~segindex.errors.SegindexValueError` or
:class:`~segindex.errors.SegindexTypeError` naming the column and the first
offending unit. Units whose total is zero are legal and contribute nothing.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
import pandas as pd

from ._kernels import validate as _kv
from .errors import SegindexTypeError, SegindexValueError, first_few

if TYPE_CHECKING:  # pragma: no cover - annotations only
    import pyproj
    import scipy.sparse

__all__ = ["Counts", "as_counts", "to_wide", "REST"]

#: What ``points=`` takes: two column names (of the data), or an ``(n, 2)`` array of coordinates.
PointsLike: TypeAlias = "tuple | list | np.ndarray | None"
#: What ``crs=`` takes: anything ``pyproj.CRS.from_user_input`` reads (an EPSG code such as 27700, a string, a CRS).
CRSLike: TypeAlias = "int | str | pyproj.CRS | None"
#: A spatial weights matrix: a SciPy sparse array or matrix, rows and columns in the data's order.
WeightsLike: TypeAlias = "scipy.sparse.sparray | scipy.sparse.spmatrix | None"

#: Label of the explicit rest-of-population column added by ``as_counts(..., rest=True)``.
REST = "(rest)"

#: Relative tolerance of "the groups add up to no more than the total" (rounding in published tables).
RTOL = 1e-9


@dataclass(frozen=True, eq=False)
class Counts:
    """A checked units × groups count matrix with its labels.

    Attributes
    ----------
    values : numpy.ndarray
        Float64, C-contiguous array of shape ``(n_units, n_groups)``.
    groups : tuple
        Column labels of ``values``, in order. Includes :data:`REST` when the
        rest of the population was requested and a total was given.
    total : numpy.ndarray
        Float64 array of unit totals: the ``total`` column when one was given,
        otherwise the row sums of ``values``.
    index : pandas.Index
        The unit labels (the input's index).
    codes : numpy.ndarray
        Int64 area code of every unit (``0 .. n_areas - 1``), or an empty array
        when no ``by`` was given (one area: the whole table).
    areas : pandas.Index or None
        The area keys in code order, or ``None`` without ``by``.
    by : tuple or None
        The ``by`` column names.
    """

    values: np.ndarray
    groups: tuple
    total: np.ndarray
    index: pd.Index
    codes: np.ndarray
    areas: pd.Index | None
    by: tuple | None

    @property
    def n_units(self) -> int:
        """Number of units (rows)."""
        return self.values.shape[0]

    @property
    def n_groups(self) -> int:
        """Number of group columns."""
        return self.values.shape[1]

    @property
    def n_areas(self) -> int:
        """Number of areas (1 without ``by``)."""
        return 1 if self.areas is None else len(self.areas)

    def column(self, group) -> np.ndarray:
        """The counts of one group as a contiguous 1-D array."""
        return np.ascontiguousarray(self.values[:, self.groups.index(group)])

    def to_frame(self) -> pd.DataFrame:
        """The counts as a wide DataFrame indexed by unit."""
        return pd.DataFrame(self.values, index=self.index, columns=list(self.groups))


# ----------------------------------------------------------------------------
# argument checks shared by every public function


def check_frame(data, caller: str) -> None:
    """Raise unless ``data`` is a non-empty DataFrame."""
    if not isinstance(data, pd.DataFrame):
        raise SegindexTypeError(
            f"{caller}(): the 'data' parameter must be a pandas DataFrame or a "
            f"GeoDataFrame with one row per unit, got {type(data).__name__} instead. "
            "Read files with pandas.read_csv or segindex.io, or convert long "
            "tables with segindex.to_wide."
        )
    if len(data) == 0:
        raise SegindexValueError(f"{caller}(): the data table is empty (0 rows); there are no units to measure.")


def check_label(value, name: str, caller: str, *, optional: bool = False) -> None:
    """Raise unless ``value`` can be a single column label."""
    if value is None and optional:
        return
    if (
        value is None
        or isinstance(value, (list, tuple, set, dict, np.ndarray, pd.Index))
        or not isinstance(value, Hashable)
    ):
        raise SegindexTypeError(
            f"{caller}(): the '{name}' parameter must be one column name, got {type(value).__name__} {value!r} instead."
        )


def check_labels(values, name: str, caller: str, *, min_count: int = 1) -> list:
    """Return ``values`` as a list of column labels, or raise."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        hint = f" Wrap a single name in a list: {name}=[{values!r}]." if isinstance(values, str) else ""
        raise SegindexTypeError(
            f"{caller}(): the '{name}' parameter must be a list of column names, got "
            f"{type(values).__name__} {values!r} instead.{hint}"
        )
    labels = list(values)
    for label in labels:
        check_label(label, name, caller)
    if len(labels) < min_count:
        raise SegindexValueError(
            f"{caller}(): the '{name}' parameter needs at least {min_count} column "
            f"name{'s' if min_count > 1 else ''}, got {len(labels)}."
        )
    seen = set()
    for label in labels:
        if label in seen:
            raise SegindexValueError(f"{caller}(): column {label!r} appears twice in '{name}'; name each group once.")
        seen.add(label)
    return labels


def missing_column_error(data: pd.DataFrame, column, role: str, caller: str) -> SegindexValueError:
    """The error for a column that is not in ``data``, listing the first columns that are."""
    return SegindexValueError(
        f"{caller}(): the {role} column {column!r} is not in the data. "
        f"Available columns: {first_few(list(data.columns), limit=30)}."
    )


def unit_name(data: pd.DataFrame, position: int) -> str:
    return f"unit {data.index[position]!r} (row {position})"


def numeric_column(data: pd.DataFrame, column, role: str, caller: str, *, check: bool = True) -> np.ndarray:
    """One checked count column as a contiguous float64 array.

    Raises if the column is missing, not numeric, or holds a negative, NaN or
    infinite value; the message names the column and the first offending unit.
    With ``check=False`` the values are not scanned (only the column and its
    dtype are checked): for callers that check several columns in one fused
    pass and call this again with ``check=True`` to raise the message.
    """
    if column not in data.columns:
        raise missing_column_error(data, column, role, caller)
    series = data[column]
    if isinstance(series, pd.DataFrame):
        raise SegindexValueError(
            f"{caller}(): the data have more than one column named {column!r}; "
            "rename them so each group has one column."
        )
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        converted = pd.to_numeric(series, errors="coerce")
        bad = np.flatnonzero(converted.isna().to_numpy() & series.notna().to_numpy())
        where = ""
        if bad.size:
            where = f"; the first non-numeric value is {series.iloc[bad[0]]!r} at {unit_name(data, bad[0])}"
        raise SegindexTypeError(
            f"{caller}(): the {role} column {column!r} must hold numbers (counts), "
            f"but its dtype is {dtype}{where}. Convert it with pandas.to_numeric, "
            "deciding explicitly what suppressed or missing cells should be."
        )
    if pd.api.types.is_complex_dtype(dtype):
        raise SegindexTypeError(f"{caller}(): the {role} column {column!r} holds complex numbers; counts must be real.")
    values = np.ascontiguousarray(series.to_numpy(dtype=np.float64, na_value=np.nan))
    if not check:
        return values
    bad = _kv.first_invalid(values)
    if bad >= 0:
        value = values[bad]
        kind = (
            "a missing (NaN) value"
            if np.isnan(value)
            else ("an infinite value" if np.isinf(value) else f"a negative count ({value:g})")
        )
        raise SegindexValueError(
            f"{caller}(): the {role} column {column!r} has {kind} at {unit_name(data, bad)}. "
            "Counts must be finite and non-negative: correct the value, or drop the unit "
            "explicitly before computing indices."
        )
    return values


def check_total(data: pd.DataFrame, parts: np.ndarray, total: np.ndarray, groups, total_name, caller: str) -> None:
    """Raise if any unit's group counts add up to more than its total."""
    bad = _kv.first_exceeding(parts, total, RTOL)
    if bad >= 0:
        names = " + ".join(repr(g) for g in groups)
        raise SegindexValueError(
            f"{caller}(): at {unit_name(data, bad)} the groups {names} add up to "
            f"{parts[bad]:g}, more than the total column {total_name!r} ({total[bad]:g}). "
            "A total must include every group; check that the columns belong to the "
            "same table and year."
        )


def whole_keys(data: pd.DataFrame, name, caller: str) -> pd.Series:
    """The ``by`` column ``name``, refusing fractional float keys (whole-number floats become integers).

    Float keys compare inexactly (``0.1 + 0.2 != 0.3``): two areas could print
    alike and stay apart. Floats that are all whole numbers (a code read as
    ``1.0, 2.0``) are converted exactly to int64.
    """
    column = data[name]
    if not pd.api.types.is_float_dtype(column.dtype):
        return column
    values = column.to_numpy(dtype=np.float64)
    whole = np.isfinite(values) & (values == np.round(values)) & (np.abs(values) < 2.0**53)
    if not whole.all():
        first = int(np.flatnonzero(~whole)[0])
        raise SegindexValueError(
            f"{caller}(): the 'by' column {name!r} holds fractional numbers (first {values[first]!r} at "
            f"{unit_name(data, first)}); float keys compare inexactly (0.1 + 0.2 is not 0.3), so areas "
            f"would split or merge silently. Use whole numbers or text codes, e.g. "
            f"data[{name!r}].round(3).astype(str)."
        )
    return column.astype(np.int64)


def area_codes(data: pd.DataFrame, by, caller: str):
    """Integer area codes, area keys and the ``by`` names for a ``by=`` argument.

    Returns ``(codes, areas, by_names)``; without ``by``, ``codes`` is empty and
    ``areas`` and ``by_names`` are ``None``.
    """
    if by is None:
        return np.empty(0, dtype=np.int64), None, None
    if isinstance(by, (list, tuple)):
        names = check_labels(by, "by", caller)
    else:
        check_label(by, "by", caller)
        names = [by]
    for name in names:
        if name not in data.columns:
            raise missing_column_error(data, name, "'by'", caller)
        missing = data[name].isna().to_numpy()
        if missing.any():
            first = int(np.flatnonzero(missing)[0])
            raise SegindexValueError(
                f"{caller}(): the 'by' column {name!r} has a missing area key at "
                f"{unit_name(data, first)}. Every unit needs an area; fill the key or "
                "drop the unit explicitly."
            )
    columns = {name: whole_keys(data, name, caller) for name in names}
    if len(names) == 1:
        codes, uniques = pd.factorize(columns[names[0]], sort=True)
        areas = pd.Index(uniques, name=names[0])
    else:
        keys = pd.MultiIndex.from_frame(pd.DataFrame({n: c.to_numpy() for n, c in columns.items()}))
        codes, areas = keys.factorize(sort=True)
        areas = pd.MultiIndex.from_tuples(list(areas), names=names)
    return np.ascontiguousarray(codes, dtype=np.int64), areas, tuple(names)


def _is_stacked_range(index: pd.Index) -> bool:
    """True if ``index`` is a default integer index or several concatenated (0..k, 0..m, ...)."""
    if isinstance(index, pd.RangeIndex):
        return index.start == 0 and index.step == 1
    if not pd.api.types.is_integer_dtype(index.dtype) or isinstance(index, pd.MultiIndex):
        return False
    v = index.to_numpy()
    if v.size == 0:
        return True
    if v[0] != 0:
        return False
    steps = np.diff(v)
    return bool(np.all((steps == 1) | (v[1:] == 0)))


def check_unique_units(labels, codes: np.ndarray, caller: str, *, what: str = "the data's index") -> None:
    """Refuse repeated unit labels (within each ``by`` area when ``codes`` are given).

    ``labels`` is an index or an id column. A default integer index (a
    ``RangeIndex``, or several concatenated) holds no unit labels and is not
    checked. The common case costs one cached ``is_unique``; the message is
    only built on failure.
    """
    index = labels if isinstance(labels, pd.Index) else pd.Index(labels)
    if index.is_unique or _is_stacked_range(index):
        return
    if codes.size:
        repeated = pd.MultiIndex.from_arrays([codes, index]).duplicated(keep="first")
    else:
        repeated = index.duplicated(keep="first")
    if not repeated.any():
        return  # repeats only across areas (e.g. two years stacked with by=)
    first = int(np.flatnonzero(repeated)[0])
    label = index[first]
    same = np.asarray(index == label)
    if codes.size:
        same &= codes == codes[first]
    rows = np.flatnonzero(same)
    within = " within one 'by' area" if codes.size else ""
    raise SegindexValueError(
        f"{caller}(): unit {label!r} appears {rows.size} times in {what}{within} (rows {first_few(rows)}), "
        f"so its people would be counted twice ({int(repeated.sum())} repeated rows in all). Drop the "
        "repeated rows (data[~data.index.duplicated()]) or add them up (data.groupby(level=0).sum()); "
        "tables of several years stacked need by= (e.g. by='year')."
    )


def as_counts(
    data: pd.DataFrame,
    groups: Iterable[Hashable],
    *,
    total: Hashable | None = None,
    by: Hashable | list[Hashable] | None = None,
    rest: bool = False,
) -> Counts:
    """Check a wide table and turn it into a :class:`Counts` matrix.

    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        One row per unit, one column per group.
    groups : list of column names
        The group columns, in the order wanted.
    total : column name, optional
        A column of unit totals. Where the groups add up to less, the remainder
        is the rest of the population (kept as a column :data:`REST` when
        ``rest=True``); a total below the group sum is an error. Without
        ``total`` the unit total is the sum of ``groups``.
    by : column name or list of column names, optional
        Area keys (local authority, state, year): indices are then computed per
        area.
    rest : bool, default False
        Append the rest of the population (``total`` minus the groups) as a
        group column named :data:`REST`. Needs ``total``.

    Returns
    -------
    Counts

    Raises
    ------
    SegindexTypeError
        ``data`` is not a DataFrame, a column is not numeric, or an argument is
        of the wrong type.
    SegindexValueError
        A column is missing; a count is negative, NaN or infinite; the total is
        below the group sum; an area key is missing or fractional; a unit
        label repeats (within a ``by`` area); the table is empty.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [10, 0, 5], "b": [0, 10, 5], "all": [12, 10, 10]})
    >>> c = as_counts(df, ["a", "b"], total="all", rest=True)
    >>> c.groups
    ('a', 'b', '(rest)')
    >>> c.values.tolist()
    [[10.0, 0.0, 2.0], [0.0, 10.0, 0.0], [5.0, 5.0, 0.0]]
    """
    return read_counts(data, groups, total=total, by=by, rest=rest, caller="as_counts")


def read_counts(data, groups, *, total=None, by=None, rest: bool = False, caller: str) -> Counts:
    """:func:`as_counts` for segindex's own functions: ``caller`` names the public function in messages."""
    check_frame(data, caller)
    labels = check_labels(groups, "groups", caller)
    check_label(total, "total", caller, optional=True)
    if rest and total is None:
        raise SegindexValueError(f"{caller}(): the rest of the population needs total= (the column of unit totals).")
    if total is not None and total in labels:
        raise SegindexValueError(
            f"{caller}(): {total!r} is named both as a group and as the total column; "
            "the total column holds unit totals, not a group."
        )
    if REST in labels:
        raise SegindexValueError(
            f"{caller}(): {REST!r} is reserved for the rest of the population; rename that column."
        )
    # one units × groups matrix, filled column by column (with room for the rest)
    n_groups = len(labels)
    values = np.empty((len(data), n_groups + (1 if rest else 0)), dtype=np.float64)
    parts = np.zeros(len(data))
    for k, g in enumerate(labels):
        column = numeric_column(data, g, "group", caller)
        values[:, k] = column
        parts += column
    if total is not None:
        totals = numeric_column(data, total, "total", caller)
        check_total(data, parts, totals, labels, total, caller)
        if rest:
            values[:, n_groups] = _kv.remainder(totals, parts)
            labels = labels + [REST]
    else:
        totals = parts
    codes, areas, by_names = area_codes(data, by, caller)
    check_unique_units(data.index, codes, caller)
    return Counts(
        values=values,
        groups=tuple(labels),
        total=totals,
        index=data.index,
        codes=codes,
        areas=areas,
        by=by_names,
    )


def read_groups(
    data,
    groups,
    *,
    total=None,
    by=None,
    caller: str,
    min_groups: int = 2,
    require_members: bool = True,
    drop_empty_rest: bool = False,
) -> Counts:
    """Checked counts for a multigroup index: ``groups``, plus the rest of ``total`` as :data:`REST`.

    ``min_groups``: the fewest columns (the rest included) the index needs.
    ``require_members``: refuse a listed group with no members in the whole
    table. ``drop_empty_rest``: leave the rest column out when it is zero in
    every unit (the groups are then the whole population).
    """
    labels = check_labels(groups, "groups", caller, min_count=1)
    counts = read_counts(data, labels, total=total, by=by, rest=total is not None, caller=caller)
    if drop_empty_rest and REST in counts.groups and not (counts.values[:, -1] > 0).any():
        counts = Counts(
            values=np.ascontiguousarray(counts.values[:, :-1]),
            groups=counts.groups[:-1],
            total=counts.total,
            index=counts.index,
            codes=counts.codes,
            areas=counts.areas,
            by=counts.by,
        )
    if counts.n_groups < min_groups:
        raise SegindexValueError(
            f"{caller}(): a multigroup index needs at least two groups; got {labels!r}. "
            "Name more groups, or give total= so the rest of the population counts as a group."
        )
    if require_members:
        sums = counts.values.sum(axis=0)
        for g, s in zip(counts.groups, sums):
            if s <= 0 and g != REST:
                raise SegindexValueError(
                    f"{caller}(): group {g!r} has no members in the whole table; "
                    "drop it from groups (it cannot be segregated)."
                )
    return counts


def count_matrix(data, groups, caller: str, *, table: str = "data") -> np.ndarray:
    """The checked ``(units, groups)`` float64 matrix of ``groups`` in ``data`` (the table named ``table``).

    The unit labels must not repeat (see :func:`check_unique_units`).
    """
    for g in groups:
        if g not in data.columns:
            raise SegindexValueError(
                f"{caller}(): the group column {g!r} is not in the {table} table. "
                f"Available columns: {first_few(list(data.columns), limit=30)}."
            )
    check_unique_units(data.index, np.empty(0, np.int64), caller, what=f"the index of {table}")
    out = np.empty((len(data), len(groups)), dtype=np.float64)
    for k, g in enumerate(groups):
        out[:, k] = numeric_column(data, g, f"group ({table})" if table != "data" else "group", caller)
    return out


def unit_totals(data, parts: np.ndarray, labels, total, caller: str) -> np.ndarray:
    """Unit totals: the ``total`` column (checked not below ``parts``, the row sums of ``labels``) or ``parts``."""
    if parts.ndim == 2:
        parts = parts.sum(axis=1)
    if total is None:
        return parts
    check_label(total, "total", caller)
    if total in labels:
        raise SegindexValueError(f"{caller}(): {total!r} is named both as a group and as the total column.")
    t = numeric_column(data, total, "total", caller)
    check_total(data, parts, t, labels, total, caller)
    return t


# ----------------------------------------------------------------------------
# two-group indices: one focal group against a named group or the rest


def unit_codes(data: pd.DataFrame, by, caller: str):
    """:func:`area_codes`, then :func:`check_unique_units` on the data's index within those areas."""
    codes, areas, by_names = area_codes(data, by, caller)
    check_unique_units(data.index, codes, caller)
    return codes, areas, by_names


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
        raise SegindexValueError(f"{caller}(): group and other are both {group!r}; compare two different groups.")
    if total is not None and total in (group, other):
        raise SegindexValueError(f"{caller}(): {total!r} is named both as a group and as the total column.")
    if total is None and (need_t or (need_y and other is None)):
        why = (
            f"compares {group!r} with the rest of the population, which"
            if need_y and other is None and not need_t
            else "weights each unit by its whole population, which"
        )
        hint = " or name a comparison group with other=" if need_y and other is None and not need_t else ""
        raise SegindexValueError(
            f"{caller}(): the index {why} needs total= (the column of unit totals, for example total='Persons'){hint}."
        )
    if not checked and total is not None:
        x = numeric_column(data, group, "group", caller, check=False)
        y = numeric_column(data, other, "other", caller, check=False) if other is not None else None
        t = numeric_column(data, total, "total", caller, check=False)
        codes, areas, by_names = unit_codes(data, by, caller)
        return Pair(x=x, y=y, t=t, codes=codes, areas=areas, by=by_names, group=group, other=other, total=total)
    if other is None and total is not None:
        # group against its total (the rest, isolation, eta^2): one fused check of both
        # columns; on failure the column-by-column checks raise the message
        x = numeric_column(data, group, "group", caller, check=False)
        t = numeric_column(data, total, "total", caller, check=False)
        if not _kv.valid_part_of_total(x, t, RTOL):
            x = numeric_column(data, group, "group", caller)
            t = numeric_column(data, total, "total", caller)
            check_total(data, x, t, [group], total, caller)
        if need_y:
            y = _kv.remainder(t, x)
        else:
            y = None
        codes, areas, by_names = unit_codes(data, by, caller)
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
    codes, areas, by_names = unit_codes(data, by, caller)
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


def to_wide(
    data: pd.DataFrame,
    *,
    unit: Hashable,
    group: Hashable,
    count: Hashable,
    keep: Iterable[Hashable] | None = None,
    total: str | None = "total",
    fill_value: float = 0,
) -> pd.DataFrame:
    """Turn a long table (one row per unit and group) into a wide one.

    Parameters
    ----------
    data : pandas.DataFrame
        Long table with a unit column, a group column and a count column, like
        the R package ``segregation``'s ``schools00`` (``school, race, n``).
    unit, group, count : column name
        The unit identifier, the group label and the count.
    keep : list of column names, optional
        Unit-level attributes (district, state, local authority) to carry into
        the wide table. Each must take one value per unit.
    total : str or None, default "total"
        Name of a column of unit totals (sum over groups) to add; ``None`` adds none.
    fill_value : number, default 0
        Count for a (unit, group) pair absent from the long table. In long
        tables such as ``schools00`` an absent row means no members.

    Returns
    -------
    pandas.DataFrame
        Indexed by unit (sorted), with the ``keep`` columns, one float column per
        group (sorted) and the total column.

    Raises
    ------
    SegindexValueError
        A column is missing, a (unit, group) pair occurs twice, a ``keep``
        attribute varies within a unit, or a count is invalid.

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"school": ["s1", "s1", "s2"], "race": ["a", "b", "a"],
    ...                      "n": [3, 1, 4], "state": ["X", "X", "Y"]})
    >>> to_wide(long, unit="school", group="race", count="n", keep=["state"])
           state    a    b  total
    school
    s1         X  3.0  1.0    4.0
    s2         Y  4.0  0.0    4.0
    """
    caller = "to_wide"
    check_frame(data, caller)
    for name, value in (("unit", unit), ("group", group), ("count", count)):
        check_label(value, name, caller)
        if value not in data.columns:
            raise missing_column_error(data, value, f"'{name}'", caller)
    keep = [] if keep is None else check_labels(keep, "keep", caller)
    for column in keep:
        if column not in data.columns:
            raise missing_column_error(data, column, "'keep'", caller)
    for column in (unit, group):
        missing = data[column].isna().to_numpy()
        if missing.any():
            first = int(np.flatnonzero(missing)[0])
            raise SegindexValueError(
                f"{caller}(): the {column!r} column has a missing value at {unit_name(data, first)}."
            )
    counts = numeric_column(data, count, "count", caller)
    dup = data.duplicated(subset=[unit, group], keep="first").to_numpy()
    if dup.any():
        first = int(np.flatnonzero(dup)[0])
        raise SegindexValueError(
            f"{caller}(): unit {data[unit].iloc[first]!r} has more than one row for group "
            f"{data[group].iloc[first]!r} (row {first}). Each (unit, group) pair must appear "
            "once; aggregate duplicates first if they are meant to be added."
        )
    unit_codes, unit_labels = pd.factorize(data[unit], sort=True)
    group_codes, group_labels = pd.factorize(data[group], sort=True)
    if total is not None and total in set(group_labels):
        raise SegindexValueError(
            f"{caller}(): a group is called {total!r}, the name of the total column to add; pass another total= name."
        )
    matrix = np.full((len(unit_labels), len(group_labels)), float(fill_value))
    matrix[unit_codes, group_codes] = counts
    wide = pd.DataFrame(matrix, index=pd.Index(unit_labels, name=unit), columns=list(group_labels))
    if keep:
        attributes = data[[unit] + keep].drop_duplicates()
        clash = attributes[unit].duplicated(keep=False).to_numpy()
        if clash.any():
            first = attributes[unit].to_numpy()[clash][0]
            raise SegindexValueError(
                f"{caller}(): the keep columns {keep!r} take more than one value for unit "
                f"{first!r}; keep only attributes that are constant within a unit."
            )
        attributes = attributes.set_index(unit).reindex(wide.index)
        wide = pd.concat([attributes, wide], axis=1)
    if total is not None:
        wide[total] = matrix.sum(axis=1)
    return wide


# ----------------------------------------------------------------------------
# warnings that point at the user's line

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn_at_caller(message: str, category: type[Warning]) -> None:
    """Issue a warning attributed to the first frame outside segindex: the user's line.

    A fixed ``stacklevel`` breaks whenever a public function reaches the
    warning through a different number of internal calls; this walks the
    stack instead.
    """
    frame = sys._getframe(0)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)


# ----------------------------------------------------------------------------
# the one coordinate rule: distances, lengths and areas only in a projected CRS

#: Column-name words that mean longitude or latitude (case-insensitive, split on '_', ' ', '-', '.').
LONLAT_WORDS = frozenset({"lon", "long", "lng", "longitude", "lat", "latitude"})


def lonlat_name(name) -> bool:
    """True if a column name reads as longitude or latitude (``LONG_``, ``LAT``, ``x_lon``, ``Latitude``)."""
    if not isinstance(name, str):
        return False
    words = re.split(r"[_\s\-.]+", name.strip().lower())
    return any(w in LONLAT_WORDS for w in words)


def _crs_text(crs) -> str:
    try:
        return crs.to_string()
    except Exception:  # pragma: no cover - any pyproj CRS has to_string
        return str(crs)


def read_crs(value, caller: str):
    """``value`` as a ``pyproj.CRS`` (an EPSG code, a string, a CRS), or an error naming ``crs=``."""
    import pyproj

    if isinstance(value, pyproj.CRS):
        return value
    try:
        return pyproj.CRS.from_user_input(value)
    except pyproj.exceptions.CRSError:
        raise SegindexValueError(
            f"{caller}(): crs={value!r} is not a coordinate reference system pyproj can read; give an EPSG "
            "code such as crs=27700 (British National Grid)."
        ) from None


def check_projected(obj, what: str, caller: str, *, measures: str = "distances"):
    """Return the CRS of ``obj`` (a GeoDataFrame, GeoSeries or CRS), refusing a missing or geographic one.

    ``what`` names the argument (``"'data'"``, ``"'residents'"``) and
    ``measures`` what the caller measures (``"distances"``, ``"boundary
    lengths"``, ``"areas"``), for the message. The rule is judged by the CRS
    alone, never by the range of the coordinates.
    """
    if obj is None:
        crs = None
    elif hasattr(obj, "crs") and not hasattr(obj, "is_geographic"):
        crs = obj.crs
    else:
        crs = read_crs(obj, caller)
    if crs is None:
        raise SegindexValueError(
            f"{caller}(): {what} has no CRS (coordinate reference system), so {measures} in it cannot be "
            "trusted. Say which CRS its coordinates are in: .set_crs(27700) for British National Grid "
            "eastings/northings in metres, or .set_crs(4326) for longitude/latitude followed by "
            ".to_crs(27700)."
        )
    if crs.is_geographic:
        raise SegindexValueError(
            f"{caller}(): {what} is in a geographic CRS ({_crs_text(crs)}, degrees of longitude/latitude), "
            f"where {measures} are not in metres. Reproject first, for Britain with .to_crs(27700) "
            "(British National Grid), or to a suitable local projected CRS elsewhere."
        )
    return crs


def _is_geo(data) -> bool:
    try:
        import geopandas as gpd
    except ImportError:  # pragma: no cover - geopandas is a dependency
        return False
    return isinstance(data, (gpd.GeoDataFrame, gpd.GeoSeries))


def geometries(data, caller: str):
    """The geometries of ``data`` (GeoDataFrame, GeoSeries or array of shapely geometries) and its CRS."""
    import shapely

    if _is_geo(data):
        if isinstance(data, pd.DataFrame):
            if data._geometry_column_name not in data.columns:
                raise SegindexValueError(
                    f"{caller}(): the GeoDataFrame has no active geometry column; set one with .set_geometry()."
                )
            return np.asarray(data.geometry.values, dtype=object), data.crs
        return np.asarray(data.values, dtype=object), data.crs
    if isinstance(data, (np.ndarray, list, tuple)):
        geoms = np.asarray(data, dtype=object)
        if geoms.ndim == 1 and geoms.size and all(isinstance(g, shapely.Geometry) for g in geoms):
            return geoms, None
    raise SegindexTypeError(
        f"{caller}(): the 'data' parameter must be a GeoDataFrame, a GeoSeries or an array "
        f"of shapely geometries, got {type(data).__name__} instead. Read boundary files with "
        "geopandas.read_file."
    )


def check_geometries(geoms, caller: str) -> None:
    """Refuse missing or empty geometries, naming the first row."""
    import shapely

    missing = np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if missing.size:
        raise SegindexValueError(
            f"{caller}(): unit at row {int(missing[0])} has a missing or empty geometry "
            f"({missing.size} in all). Every unit needs a geometry; drop or repair them explicitly."
        )


def point_coordinates(data, points, crs, caller: str) -> np.ndarray:
    """The ``(n, 2)`` projected coordinates standing for each unit (see :func:`segindex.unit_points`).

    ``points=None`` takes the geometry's points (a polygon's representative
    point); two column names take those columns; an array is used as given.
    The CRS comes from the GeoDataFrame (its ``points=`` columns and arrays
    carry it) or, for a plain DataFrame, from ``crs=``, which is then
    required. Columns named like longitude/latitude are refused whatever the
    CRS says. Raises unless the CRS is projected.
    """
    import shapely

    n = len(data)
    geo = _is_geo(data)
    if crs is not None and geo and data.crs is not None:
        if not read_crs(crs, caller).equals(data.crs):
            raise SegindexValueError(
                f"{caller}(): crs={crs!r} differs from the GeoDataFrame's own CRS ({_crs_text(data.crs)}); "
                "leave crs= out (a GeoDataFrame's coordinates are in its CRS) or reproject the data."
            )
    if points is None:
        geoms, own = geometries(data, caller)
        check_projected(own if own is not None else crs, "'data'", caller)
        check_geometries(geoms, caller)
        is_point = shapely.get_type_id(geoms) == 0
        if not is_point.all():
            geoms = geoms.copy()
            geoms[~is_point] = shapely.point_on_surface(geoms[~is_point])
        return np.ascontiguousarray(shapely.get_coordinates(geoms), dtype=np.float64)
    named = (
        isinstance(points, (tuple, list))
        and len(points) == 2
        and all(isinstance(p, Hashable) and not isinstance(p, (float, int)) for p in points)
    )
    if named:
        if not isinstance(data, pd.DataFrame) or not all(p in data.columns for p in points):
            absent = [p for p in points if not isinstance(data, pd.DataFrame) or p not in data.columns]
            raise SegindexValueError(
                f"{caller}(): points={tuple(points)!r} names columns that are not in the data "
                f"(missing: {first_few(absent)})."
            )
        degrees = [p for p in points if lonlat_name(p)]
        if degrees:
            raise SegindexValueError(
                f"{caller}(): points={tuple(points)!r}: the column{'s' if len(degrees) > 1 else ''} "
                f"{first_few(degrees)} read{'' if len(degrees) > 1 else 's'} as longitude/latitude (degrees), "
                "not metres. Use projected coordinates (eastings/northings), e.g. from "
                "geopandas.points_from_xy(lon, lat, crs=4326).to_crs(27700), or the geometry (points=None)."
            )
        where = f"the 'points' columns {points[0]!r}, {points[1]!r}"
    else:
        where = "the 'points' array"
    if geo:
        check_projected(data.crs if data.crs is not None else crs, "'data'", caller)
    elif crs is None:
        raise SegindexValueError(
            f"{caller}(): {where} of a plain DataFrame carry no coordinate reference system: say which one "
            "with crs= (crs=27700 for British National Grid eastings/northings in metres), or pass a "
            "GeoDataFrame."
        )
    else:
        check_projected(crs, "crs=", caller)
    if named:
        xy = np.column_stack([pd.to_numeric(data[p], errors="coerce").to_numpy(dtype=float) for p in points])
    else:
        xy = np.asarray(points, dtype=np.float64)
    if xy.ndim != 2 or xy.shape != (n, 2):
        raise SegindexValueError(
            f"{caller}(): {where} must have shape ({n}, 2) (one x, y pair per unit), got {xy.shape}."
        )
    bad = np.flatnonzero(~np.isfinite(xy).all(axis=1))
    if bad.size:
        raise SegindexValueError(
            f"{caller}(): {where} hold a missing or non-finite coordinate at row {int(bad[0])}; "
            "every unit needs a location."
        )
    return np.ascontiguousarray(xy)
