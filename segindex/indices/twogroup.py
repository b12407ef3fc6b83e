"""Two-group segregation indices: evenness (D, Gini, Atkinson) and exposure.

Every function takes a wide table (one row per unit, one column per group) and
compares a focal ``group`` either with a named ``other`` group or, with
``other=None``, with the rest of the population (``total`` minus ``group``).
These answer different questions and give different numbers: Pakistani against
White British is not Pakistani against everyone else.

Without ``by`` an index is a Python ``float``. With ``by`` (one column or a
list, e.g. ``by=["LAD", "year"]``) it is a :class:`pandas.Series` indexed by
area; an area where the group or its comparison is absent gets NaN, and one
:class:`~segindex.errors.AbsentGroupWarning` names those areas.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from .._kernels import twogroup as _k
from ..counts import RTOL, check_values, read_pair
from ..errors import SegindexTypeError, SegindexValueError
from ._common import absent_reason, clamp_unit, finish

__all__ = [
    "dissimilarity",
    "isolation",
    "exposure",
    "correlation_ratio",
    "gini",
    "atkinson",
]


def _evenness(kernel, data, group, other, total, by, caller, *extra, rest_kernel=None):
    if other is None and total is not None and rest_kernel is not None:
        # the group against the rest: the kernel checks x and t in its first pass and forms
        # the rest t - x where it uses it (never stored)
        pair = read_pair(data, group, other, total, by, caller, checked=False)
        ok, values, X, Y = _fused(rest_kernel, pair.x, pair.t, *extra, pair.codes, pair.n_areas, RTOL)
        if ok:
            return finish(
                clamp_unit(values),
                pair.areas,
                pair.by,
                caller,
                caller,
                lambda k: absent_reason(X[k], Y[k], group, pair.comparison),
            )
        check_values(data, pair, caller)  # raises; returns only on a false alarm (an overflowing sum)
    pair = read_pair(data, group, other, total, by, caller)
    values = kernel(pair.x, pair.y, *extra, pair.codes, pair.n_areas)
    return _finish_pair(values, pair, caller)


def _fused(kernel, *args):
    # unchecked values may be NaN or infinite; the kernel then reports them and its output is
    # discarded. Silence the warnings NumPy scalars give for them when numba is disabled.
    with np.errstate(all="ignore"):
        return kernel(*args)


def _finish_pair(values, pair, caller):
    def reasons(k):
        X = _k.area_sums(pair.x, pair.codes, pair.n_areas)
        Y = _k.area_sums(pair.y, pair.codes, pair.n_areas)
        return absent_reason(X[k], Y[k], pair.group, pair.comparison)

    return finish(clamp_unit(values), pair.areas, pair.by, caller, caller, reasons)


def dissimilarity(
    data: pd.DataFrame,
    group: Hashable,
    other: Hashable | None = None,
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
) -> float | pd.Series:
    r"""Index of dissimilarity D (Duncan & Duncan 1955).

    The share of the focal group (or, equally, of the comparison group) who
    would have to move to another unit for both to be spread evenly.

    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        One row per unit, one column of counts per group.
    group : column name
        The focal group X.
    other : column name, optional
        The comparison group Y. ``None`` (default) compares X with the rest of
        the population, ``total - X``, and needs ``total``.
    total : column name, optional
        Unit totals. Needed when ``other`` is None; when given with ``other``
        it is only checked (it must not be below ``X + Y``).
    by : column name or list of column names, optional
        Compute D separately in each area (local authority, state, year).

    Returns
    -------
    float or pandas.Series
        D in [0, 1]; a Series indexed by area with ``by``.

    Raises
    ------
    SegindexValueError
        A column is missing or holds invalid counts, ``total`` is missing for a
        comparison with the rest, (without ``by``) X or Y has no members, a
        unit label repeats (within a ``by`` area: its people would be counted
        twice), or a ``by`` key is a fractional number.
    SegindexTypeError
        ``data`` is not a DataFrame or a column is not numeric.

    Notes
    -----
    .. math:: D = \frac{1}{2} \sum_i \left| \frac{x_i}{X} - \frac{y_i}{Y} \right|

    D lies in [0, 1] by definition; a value outside it by rounding only
    (at most 1e-12, e.g. -1.6e-15 for an even distribution) is set to the
    bound, so an even distribution never gives a negative value.

    D is biased upward when units or the group are small: random allocation
    alone gives D > 0 (see ``segindex.infer``). D offsets concentrated areas
    against mixed ones and can stay flat while a growing group becomes more
    concentrated (Carling 2008); read it beside :func:`isolation`.

    References
    ----------
    Duncan, O. D. & Duncan, B. (1955). A methodological analysis of segregation
    indexes. American Sociological Review 20(2), 210-217.

    Massey, D. S. & Denton, N. A. (1988). The dimensions of residential
    segregation. Social Forces 67(2), 281-315.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 20, 30], "B": [30, 20, 10], "total": [40, 50, 60]})
    >>> round(dissimilarity(df, "A", "B"), 4)  # (|1/6 - 1/2| + 0 + |1/2 - 1/6|) / 2
    0.3333
    >>> round(dissimilarity(df, "A", total="total"), 4)  # A against the rest
    0.1667
    """
    return _evenness(
        _k.dissimilarity, data, group, other, total, by, "dissimilarity", rest_kernel=_k.dissimilarity_rest
    )


def gini(
    data: pd.DataFrame,
    group: Hashable,
    other: Hashable | None = None,
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
) -> float | pd.Series:
    r"""Two-group Gini index of segregation.

    The mean absolute difference in the group's share between all pairs of
    units, weighted by their populations, relative to its maximum.

    Parameters
    ----------
    data, group, other, total, by
        As for :func:`dissimilarity`.

    Returns
    -------
    float or pandas.Series
        Gini in [0, 1]; a Series indexed by area with ``by``.

    Notes
    -----
    With :math:`t_i = x_i + y_i`, :math:`p_i = x_i / t_i`, :math:`T = X + Y`
    and :math:`P = X / T`:

    .. math:: G = \frac{\sum_i \sum_j t_i t_j |p_i - p_j|}{2 T^2 P (1 - P)}

    computed by sorting units on :math:`p_i` (a radix sort, linear in n) rather
    than with the O(n²) double sum.

    Gini lies in [0, 1] by definition; a value outside it by rounding only
    (at most 1e-12, e.g. -1.6e-15 for an even distribution) is set to the
    bound, so an even distribution never gives a negative value.

    References
    ----------
    Massey, D. S. & Denton, N. A. (1988). The dimensions of residential
    segregation. Social Forces 67(2), 281-315.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 20, 30], "B": [30, 20, 10]})
    >>> # p = 1/4, 1/2, 3/4; pair sum = 2 * 40 * 40 * (1/4 + 1/4 + 1/2) = 3200
    >>> round(gini(df, "A", "B"), 4)  # 3200 / (2 * 120**2 * 1/4)
    0.4444
    """
    pair = read_pair(data, group, other, total, by, "gini")
    values = _k.gini(pair.x, pair.y, pair.codes, pair.n_areas)
    return _finish_pair(values, pair, "gini")


def atkinson(
    data: pd.DataFrame,
    group: Hashable,
    other: Hashable | None = None,
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    b: float = 0.5,
) -> float | pd.Series:
    r"""Atkinson index of segregation A(b).

    Parameters
    ----------
    data, group, other, total, by
        As for :func:`dissimilarity`.
    b : float, default 0.5
        Shape parameter in (0, 1). Below 0.5 it weights units where the focal
        group is under-represented more heavily, above 0.5 units where it is
        over-represented; 0.5 weights both equally (Massey & Denton 1988).

    Returns
    -------
    float or pandas.Series
        A(b) in [0, 1]; a Series indexed by area with ``by``.

    Notes
    -----
    With :math:`t_i = x_i + y_i`, :math:`p_i = x_i / t_i`, :math:`T = X + Y`,
    :math:`P = X / T`:

    .. math:: A = 1 - \frac{P}{1-P} \left| \sum_i \frac{(1-p_i)^{1-b} p_i^b t_i}{P T}
              \right|^{1/(1-b)}

    A(b) lies in [0, 1] by definition; a value outside it by rounding only
    (at most 1e-12, e.g. -1.6e-15 for an even distribution) is set to the
    bound, so an even distribution never gives a negative value.

    References
    ----------
    Atkinson, A. B. (1970). On the measurement of inequality. Journal of
    Economic Theory 2(3), 244-263.

    Massey, D. S. & Denton, N. A. (1988). The dimensions of residential
    segregation. Social Forces 67(2), 281-315.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 0], "B": [0, 10]})
    >>> round(atkinson(df, "A", "B"), 4)  # complete segregation
    1.0
    >>> df = pd.DataFrame({"A": [10, 20], "B": [20, 10]})
    >>> # p = 1/3, 2/3; P = 1/2: 1 - (2 * 30 * sqrt(2/9) / 30) ** 2 = 1 - 8/9
    >>> round(atkinson(df, "A", "B"), 4)
    0.1111
    """
    if isinstance(b, bool) or not isinstance(b, (int, float, np.integer, np.floating)):
        raise SegindexTypeError(f"atkinson(): the 'b' parameter must be a number in (0, 1), got {b!r}.")
    if not 0.0 < float(b) < 1.0:
        raise SegindexValueError(f"atkinson(): the 'b' parameter must lie strictly between 0 and 1, got {b!r}.")
    return _evenness(_k.atkinson, data, group, other, total, by, "atkinson", float(b), rest_kernel=_k.atkinson_rest)


def isolation(
    data: pd.DataFrame,
    group: Hashable,
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
) -> float | pd.Series:
    r"""Index of isolation :math:`{}_xP^*_x`.

    The share of the focal group in the unit of the average member of the
    group: how much its members meet each other.

    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        One row per unit, one column of counts per group.
    group : column name
        The focal group X.
    total : column name
        Unit totals :math:`t_i` (required).
    by : column name or list of column names, optional
        Compute per area.

    Returns
    -------
    float or pandas.Series
        Isolation in [P, 1] where P is the group's overall share.

    Notes
    -----
    .. math:: {}_xP^*_x = \sum_i \frac{x_i}{X} \frac{x_i}{t_i}

    Isolation lies in [0, 1] by definition; a value outside it by rounding only
    (at most 1e-12, e.g. -1.6e-15 for an even distribution) is set to the
    bound, so an even distribution never gives a negative value.

    Isolation rises with the group's share of the population, so compare it
    between places or years with :func:`correlation_ratio`.

    References
    ----------
    Lieberson, S. (1981). An asymmetrical approach to segregation. In Peach, C.,
    Robinson, V. & Smith, S. (eds), Ethnic Segregation in Cities, 61-82.

    Massey, D. S. & Denton, N. A. (1988). The dimensions of residential
    segregation. Social Forces 67(2), 281-315.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 20, 30], "total": [40, 50, 60]})
    >>> round(isolation(df, "A", total="total"), 4)  # 10/60*10/40 + 20/60*20/50 + 30/60*30/60
    0.425
    """
    pair = read_pair(data, group, None, total, by, "isolation", need_y=False, need_t=True, checked=False)
    ok, values, _, _ = _fused(_k.isolation_checked, pair.x, pair.t, pair.codes, pair.n_areas, RTOL)
    if not ok:
        check_values(data, pair, "isolation")  # raises, unless a sum overflowed (same values then)
    return finish(
        clamp_unit(values), pair.areas, pair.by, "isolation", "isolation", lambda k: f"group {group!r} has no members"
    )


def exposure(
    data: pd.DataFrame,
    group: Hashable,
    other: Hashable | None = None,
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
) -> float | pd.Series:
    r"""Index of exposure :math:`{}_xP^*_y`.

    The share of group Y in the unit of the average member of group X.
    Asymmetric: :math:`X \cdot {}_xP^*_y = Y \cdot {}_yP^*_x`.

    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        One row per unit, one column of counts per group.
    group : column name
        The group X whose exposure is measured.
    other : column name, optional
        The group Y it is exposed to. ``None`` (default) is the rest of the
        population, :math:`y_i = t_i - x_i`, as in
        :func:`segindex.segregation_table` (it is then ``1 - isolation``).
    total : column name
        Unit totals :math:`t_i` (required).
    by : column name or list of column names, optional
        Compute per area.

    Returns
    -------
    float or pandas.Series

    Notes
    -----
    .. math:: {}_xP^*_y = \sum_i \frac{x_i}{X} \frac{y_i}{t_i}

    Exposure lies in [0, 1] by definition; a value outside it by rounding only
    (at most 1e-12, e.g. -1.6e-15 for an even distribution) is set to the
    bound, so an even distribution never gives a negative value.

    References
    ----------
    Massey, D. S. & Denton, N. A. (1988). The dimensions of residential
    segregation. Social Forces 67(2), 281-315.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 20, 30], "B": [30, 20, 10], "total": [40, 50, 60]})
    >>> round(exposure(df, "A", "B", total="total"), 4)  # 10/60*30/40 + 20/60*20/50 + 30/60*10/60
    0.3417
    >>> round(exposure(df, "A", total="total"), 4)  # to the rest: 10/60*30/40 + 20/60*30/50 + 30/60*30/60
    0.575
    """
    if other is None:
        pair = read_pair(data, group, None, total, by, "exposure", need_t=True)
        values = _k.exposure(pair.x, pair.y, pair.t, pair.codes, pair.n_areas)[0]
        return finish(
            clamp_unit(values), pair.areas, pair.by, "exposure", "exposure", lambda k: f"group {group!r} has no members"
        )
    pair = read_pair(data, group, other, total, by, "exposure", need_t=True, checked=False)
    ok, values, _, _ = _fused(_k.exposure_checked, pair.x, pair.y, pair.t, pair.codes, pair.n_areas, RTOL)
    if not ok:
        check_values(data, pair, "exposure")  # raises, unless a sum overflowed (same values then)
    return finish(
        clamp_unit(values), pair.areas, pair.by, "exposure", "exposure", lambda k: f"group {group!r} has no members"
    )


def correlation_ratio(
    data: pd.DataFrame,
    group: Hashable,
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
) -> float | pd.Series:
    r"""Correlation ratio :math:`\eta^2` (V): isolation adjusted for group size.

    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        One row per unit, one column of counts per group.
    group : column name
        The focal group X.
    total : column name
        Unit totals :math:`t_i` (required).
    by : column name or list of column names, optional
        Compute per area.

    Returns
    -------
    float or pandas.Series
        :math:`\eta^2` in [0, 1]: 0 when every unit has the group's overall
        share, 1 under complete segregation.

    Notes
    -----
    .. math:: \eta^2 = \frac{{}_xP^*_x - P}{1 - P}, \qquad P = X / T

    :math:`\eta^2` lies in [0, 1] by definition; a value outside it by rounding only
    (at most 1e-12, e.g. -1.6e-15 for an even distribution) is set to the
    bound, so an even distribution never gives a negative value.

    References
    ----------
    Bell, W. (1954). A probability model for the measurement of ecological
    segregation. Social Forces 32(4), 357-364.

    Massey, D. S. & Denton, N. A. (1988). The dimensions of residential
    segregation. Social Forces 67(2), 281-315.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 20, 30], "total": [40, 50, 60]})
    >>> round(correlation_ratio(df, "A", total="total"), 4)  # (0.425 - 0.4) / (1 - 0.4)
    0.0417
    """
    pair = read_pair(data, group, None, total, by, "correlation_ratio", need_y=False, need_t=True, checked=False)
    ok, iso, X, T = _fused(_k.isolation_checked, pair.x, pair.t, pair.codes, pair.n_areas, RTOL)
    if not ok:
        check_values(data, pair, "correlation_ratio")  # raises, unless a sum overflowed
    values = clamp_unit(eta_squared(iso, X, T))

    def reasons(k):
        return absent_reason(X[k], T[k] - X[k], group, "rest")

    return finish(values, pair.areas, pair.by, "correlation_ratio", "correlation_ratio", reasons)


def eta_squared(iso, X, T):
    """η² from isolation and the area sums; NaN where the group is absent or everyone."""
    with np.errstate(divide="ignore", invalid="ignore"):
        P = np.where(T > 0, X / np.where(T > 0, T, 1.0), np.nan)
        return np.where((X > 0) & (P < 1.0), (iso - P) / (1.0 - P), np.nan)


# ----------------------------------------------------------------------------
# registry entries (segindex.indices.registry): one array-level compute per index

from .._kernels import computes as _computes  # noqa: E402
from .._kernels import random as _random  # noqa: E402
from .registry import IndexSpec, register  # noqa: E402

register(
    IndexSpec(
        "dissimilarity",
        "two-group",
        dissimilarity,
        _computes.dissimilarity,
        in_table=True,
        kernel_code=_random.INDEX_DISSIMILARITY,
        reference="Duncan & Duncan 1955",
    )
)
register(
    IndexSpec(
        "gini",
        "two-group",
        gini,
        _computes.gini,
        in_table=True,
        kernel_code=_random.INDEX_GINI,
        reference="Massey & Denton 1988",
    )
)
register(
    IndexSpec(
        "atkinson",
        "two-group",
        atkinson,
        _computes.atkinson,
        in_table=True,
        options=("b",),
        kernel_code=_random.INDEX_ATKINSON,
        reference="Atkinson 1970",
    )
)
register(
    IndexSpec(
        "isolation",
        "two-group",
        isolation,
        _computes.isolation,
        in_table=True,
        comparison="none",
        kernel_code=_random.INDEX_ISOLATION,
        reference="Lieberson 1981",
    )
)
register(
    IndexSpec(
        "exposure",
        "two-group",
        exposure,
        _computes.exposure,
        in_table=True,
        comparison="group",
        bounds=None,
        higher_is_more_segregated=False,
        kernel_code=_random.INDEX_EXPOSURE,
        reference="Massey & Denton 1988",
    )
)
register(
    IndexSpec(
        "correlation_ratio",
        "two-group",
        correlation_ratio,
        _computes.correlation_ratio,
        in_table=True,
        comparison="none",
        kernel_code=_random.INDEX_CORRELATION_RATIO,
        reference="Bell 1954",
    )
)
