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
* ``by`` columns exist and have no missing keys.

Each failure raises a :class:`~segindex.errors.SegindexValueError` or
:class:`~segindex.errors.SegindexTypeError` naming the column and the first
offending unit. Units whose total is zero are legal and contribute nothing.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._kernels import validate as _kv
from .errors import SegindexTypeError, SegindexValueError

__all__ = ["Counts", "as_counts", "to_wide", "REST"]

#: Label of the explicit rest-of-population column added by ``as_counts(..., rest=True)``.
REST = "(rest)"

_RTOL = 1e-9


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
        raise SegindexValueError(
            f"{caller}(): the data table is empty (0 rows); there are no units to measure."
        )


def check_label(value, name: str, caller: str, *, optional: bool = False) -> None:
    """Raise unless ``value`` can be a single column label."""
    if value is None and optional:
        return
    if value is None or isinstance(value, (list, tuple, set, dict, np.ndarray, pd.Index)) or not isinstance(
        value, Hashable
    ):
        raise SegindexTypeError(
            f"{caller}(): the '{name}' parameter must be one column name, got "
            f"{type(value).__name__} {value!r} instead."
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
            raise SegindexValueError(
                f"{caller}(): column {label!r} appears twice in '{name}'; name each group once."
            )
        seen.add(label)
    return labels


def _missing_column(data: pd.DataFrame, column, role: str, caller: str) -> SegindexValueError:
    available = ", ".join(repr(c) for c in list(data.columns)[:30])
    more = " ..." if data.shape[1] > 30 else ""
    return SegindexValueError(
        f"{caller}(): the {role} column {column!r} is not in the data. "
        f"Available columns: {available}{more}."
    )


def _unit_name(data: pd.DataFrame, position: int) -> str:
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
        raise _missing_column(data, column, role, caller)
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
            where = f"; the first non-numeric value is {series.iloc[bad[0]]!r} at {_unit_name(data, bad[0])}"
        raise SegindexTypeError(
            f"{caller}(): the {role} column {column!r} must hold numbers (counts), "
            f"but its dtype is {dtype}{where}. Convert it with pandas.to_numeric, "
            "deciding explicitly what suppressed or missing cells should be."
        )
    if pd.api.types.is_complex_dtype(dtype):
        raise SegindexTypeError(
            f"{caller}(): the {role} column {column!r} holds complex numbers; counts must be real."
        )
    values = np.ascontiguousarray(series.to_numpy(dtype=np.float64, na_value=np.nan))
    if not check:
        return values
    bad = _kv.first_invalid(values)
    if bad >= 0:
        value = values[bad]
        kind = "a missing (NaN) value" if np.isnan(value) else (
            "an infinite value" if np.isinf(value) else f"a negative count ({value:g})"
        )
        raise SegindexValueError(
            f"{caller}(): the {role} column {column!r} has {kind} at {_unit_name(data, bad)}. "
            "Counts must be finite and non-negative: correct the value, or drop the unit "
            "explicitly before computing indices."
        )
    return values


def check_total(data: pd.DataFrame, parts: np.ndarray, total: np.ndarray, groups, total_name, caller: str) -> None:
    """Raise if any unit's group counts add up to more than its total."""
    bad = _kv.first_exceeding(parts, total, _RTOL)
    if bad >= 0:
        names = " + ".join(repr(g) for g in groups)
        raise SegindexValueError(
            f"{caller}(): at {_unit_name(data, bad)} the groups {names} add up to "
            f"{parts[bad]:g}, more than the total column {total_name!r} ({total[bad]:g}). "
            "A total must include every group; check that the columns belong to the "
            "same table and year."
        )


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
            raise _missing_column(data, name, "'by'", caller)
        missing = data[name].isna().to_numpy()
        if missing.any():
            first = int(np.flatnonzero(missing)[0])
            raise SegindexValueError(
                f"{caller}(): the 'by' column {name!r} has a missing area key at "
                f"{_unit_name(data, first)}. Every unit needs an area; fill the key or "
                "drop the unit explicitly."
            )
    if len(names) == 1:
        codes, uniques = pd.factorize(data[names[0]], sort=True)
        areas = pd.Index(uniques, name=names[0])
    else:
        keys = pd.MultiIndex.from_frame(data[names])
        codes, areas = keys.factorize(sort=True)
        areas = pd.MultiIndex.from_tuples(list(areas), names=names)
    return np.ascontiguousarray(codes, dtype=np.int64), areas, tuple(names)


def as_counts(data, groups, *, total=None, by=None, rest: bool = False, caller: str = "as_counts") -> Counts:
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
    caller : str
        Name of the public function, used in error messages.

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
        below the group sum; an area key is missing; the table is empty.

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
    check_frame(data, caller)
    labels = check_labels(groups, "groups", caller)
    check_label(total, "total", caller, optional=True)
    if rest and total is None:
        raise SegindexValueError(
            f"{caller}(): the rest of the population needs total= (the column of unit totals)."
        )
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
    return Counts(
        values=values,
        groups=tuple(labels),
        total=totals,
        index=data.index,
        codes=codes,
        areas=areas,
        by=by_names,
    )


def to_wide(data, *, unit, group, count, keep=None, total: str | None = "total", fill_value=0):
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
            raise _missing_column(data, value, f"'{name}'", caller)
    keep = [] if keep is None else check_labels(keep, "keep", caller)
    for column in keep:
        if column not in data.columns:
            raise _missing_column(data, column, "'keep'", caller)
    for column in (unit, group):
        missing = data[column].isna().to_numpy()
        if missing.any():
            first = int(np.flatnonzero(missing)[0])
            raise SegindexValueError(
                f"{caller}(): the {column!r} column has a missing value at {_unit_name(data, first)}."
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
            f"{caller}(): a group is called {total!r}, the name of the total column to add; "
            "pass another total= name."
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
