"""Concentration: how little physical space a group occupies (Massey & Denton 1988).

Each index needs the land area of every unit, taken from the polygons of a
GeoDataFrame in a projected coordinate reference system (a geographic or
missing CRS is refused: an area in square degrees means nothing).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from .._kernels import peers as _k
from ._common import absent_reason
from ._peer_input import check_frame, check_label, finish, read_pair, unit_areas
from .registry import IndexSpec, register

__all__ = ["delta", "absolute_concentration", "relative_concentration"]


def delta(data: pd.DataFrame, group: Hashable, *, by: Hashable | Sequence[Hashable] | None = None) -> float | pd.Series:
    r"""Hoover's delta index DEL: the share of the group that would have to move for a uniform density.

    Parameters
    ----------
    data : geopandas.GeoDataFrame
        One polygon per unit in a projected CRS (areas in square metres), one
        column of counts per group.
    group : column name
        The group X. Delta compares the group with land, not with another
        group, so it has no ``other`` or ``total``.
    by : column name or list of column names, optional
        Compute per area.

    Returns
    -------
    float or pandas.Series
        DEL in [0, 1].

    Raises
    ------
    SegindexTypeError
        ``data`` is not a GeoDataFrame.
    SegindexValueError
        Missing or geographic CRS, empty or zero-area geometry, bad counts.

    Notes
    -----
    .. math:: DEL = \frac12 \sum_i \left| \frac{x_i}{X} - \frac{a_i}{A} \right|

    with :math:`a_i` the land area of unit i and A the sum.

    References
    ----------
    Hoover, E. M. (1941). Interstate redistribution of population, 1850-1940.
    Journal of Economic History 1, 199-205.

    Duncan, O. D., Cuzzort, R. P. & Duncan, B. (1961). Statistical Geography.
    Glencoe: Free Press.

    Massey, D. S. & Denton, N. A. (1988). The dimensions of residential
    segregation. Social Forces 67(2), 281-315.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> units = gpd.GeoDataFrame({"a": [10, 0], "b": [0, 30]},
    ...                          geometry=[box(0, 0, 1, 1), box(1, 0, 4, 1)], crs=27700)
    >>> round(delta(units, "a"), 4)  # all of a on a quarter of the land: 1/2 (|1 - 1/4| + |0 - 3/4|)
    0.75
    """
    caller = "delta"
    check_frame(data, caller)
    check_label(group, "group", caller)
    area = unit_areas(data, caller)
    pair = read_pair(data, group, None, None, by, caller, need_y=False)
    values = _k.delta(pair.x, area, pair.codes, pair.n_areas)
    return finish(values, pair.areas, pair.by, caller, caller, lambda k: f"group {group!r} has no members")


def _concentration(data, group, other, total, by, caller, which):
    check_frame(data, caller)
    area = unit_areas(data, caller)
    pair = read_pair(data, group, other, total, by, caller)
    order = np.argsort(area, kind="stable")
    values = _k.concentration(pair.x, pair.y, area, order, pair.codes, pair.n_areas)[which]
    X, Y = _k.pair_sums(pair.x, pair.y, pair.codes, pair.n_areas)
    return finish(
        values, pair.areas, pair.by, caller, caller, lambda k: absent_reason(X[k], Y[k], group, pair.comparison)
    )


_CONCENTRATION_PARAMETERS = """Parameters
    ----------
    data : geopandas.GeoDataFrame
        One polygon per unit in a projected CRS, one column of counts per group.
    group : column name
        The focal group X.
    other : column name, optional
        The comparison group Y. ``None`` (default) compares X with the rest of
        the population, ``total - X``, and needs ``total``. The unit total
        :math:`t_i` is :math:`x_i + y_i`.
    total : column name, optional
        Unit totals (needed when ``other`` is None).
    by : column name or list of column names, optional
        Compute per area."""


def absolute_concentration(
    data: pd.DataFrame,
    group: Hashable,
    other: Hashable | None = None,
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
) -> float | pd.Series:
    r"""Massey & Denton's absolute concentration index ACO.

    Where the group's average land area per member lies between the smallest
    and the largest it could be, given the area's units: 1 when the group
    fills the smallest units, 0 when it fills the largest.

    {parameters}

    Returns
    -------
    float or pandas.Series
        ACO, at most 1 (it can be negative when the group lives in larger units than the
        largest units' average).

    Raises
    ------
    SegindexTypeError, SegindexValueError
        As for :func:`delta`.

    Notes
    -----
    With units sorted by land area :math:`a_i` ascending, :math:`n_1` the
    rank at which the cumulative population of the smallest units reaches X,
    :math:`n_2` the rank from which the largest units hold X, and
    :math:`T_1`, :math:`T_2` the populations of those two sets,

    .. math:: ACO = 1 - \frac{\sum_i x_i a_i / X - \sum_{i \le n_1} t_i a_i / T_1}
                            {\sum_{i \ge n_2} t_i a_i / T_2 - \sum_{i \le n_1} t_i a_i / T_1}

    The sets are whole units, as in Massey & Denton (1988) and PySAL's
    ``AbsoluteConcentration``, whose values these equal.

    References
    ----------
    Massey, D. S. & Denton, N. A. (1988). The dimensions of residential
    segregation. Social Forces 67(2), 281-315.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> units = gpd.GeoDataFrame({{"a": [10, 0, 0], "b": [0, 10, 10]}},
    ...                          geometry=[box(0, 0, 1, 1), box(1, 0, 3, 1), box(3, 0, 6, 1)], crs=27700)
    >>> round(absolute_concentration(units, "a", "b"), 4)  # a fills the smallest unit
    1.0
    """
    return _concentration(data, group, other, total, by, "absolute_concentration", 0)


def relative_concentration(
    data: pd.DataFrame,
    group: Hashable,
    other: Hashable | None = None,
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
) -> float | pd.Series:
    r"""Massey & Denton's relative concentration index RCO.

    How much less land per member the focal group occupies than the
    comparison group, against the most it could: 1 when X holds the smallest
    units, 0 when both groups average the same land per member, negative when
    X has more land per member than the comparison group.

    {parameters}

    Returns
    -------
    float or pandas.Series
        RCO, at most 1. Massey & Denton describe its range as -1 to 1, but
        the formula is not symmetric: with X in the largest unit it can fall
        below -1 (-1.5 in the mirror image of the example below).

    Raises
    ------
    SegindexTypeError, SegindexValueError
        As for :func:`delta`.

    Notes
    -----
    With :math:`n_1, n_2, T_1, T_2` as in :func:`absolute_concentration`,

    .. math:: RCO = \frac{\dfrac{\sum_i x_i a_i / X}{\sum_i y_i a_i / Y} - 1}
                        {\dfrac{\sum_{i \le n_1} t_i a_i / T_1}{\sum_{i \ge n_2} t_i a_i / T_2} - 1}

    References
    ----------
    Massey, D. S. & Denton, N. A. (1988). Social Forces 67(2), 281-315.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> units = gpd.GeoDataFrame({{"a": [10, 0, 0], "b": [0, 10, 10]}},
    ...                          geometry=[box(0, 0, 1, 1), box(1, 0, 3, 1), box(3, 0, 6, 1)], crs=27700)
    >>> # a: 1 m2 each; b: 2.5; smallest 10 people 1, largest 10 people 3: (1/2.5 - 1) / (1/3 - 1)
    >>> round(relative_concentration(units, "a", "b"), 4)
    0.9
    """
    return _concentration(data, group, other, total, by, "relative_concentration", 1)


for _f in (absolute_concentration, relative_concentration):
    _f.__doc__ = _f.__doc__.replace("{parameters}", _CONCENTRATION_PARAMETERS).replace("{{", "{").replace("}}", "}")
del _f

register(
    IndexSpec(
        name="delta", kind="spatial", function=delta, comparison="none", reference="Hoover 1941; Massey & Denton 1988"
    )
)
register(
    IndexSpec(
        name="absolute_concentration",
        kind="spatial",
        function=absolute_concentration,
        bounds=None,
        reference="Massey & Denton 1988",
    )
)
register(
    IndexSpec(
        name="relative_concentration",
        kind="spatial",
        function=relative_concentration,
        bounds=None,
        reference="Massey & Denton 1988",
    )
)
