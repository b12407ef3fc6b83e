"""Centralisation: how near a group lives to the centre of the area (Massey & Denton 1988),
and its local form about every unit (Folch & Rey 2016).

The centre is a point the user gives in the data's projected coordinates (a
town hall, the centre of the business district). Without one the default is
the population-weighted mean of the unit points, computed per area with
``by=``. Distances are measured from each unit's point (see
:func:`segindex.weights.unit_points`); a geographic or missing CRS is refused.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from .._kernels import peers as _k
from ..counts import CRSLike, PointsLike
from ..errors import SegindexTypeError, SegindexValueError
from ._common import absent_reason
from ._peer_input import check_frame, finish, read_pair, unit_areas, unit_points
from .registry import IndexSpec, register

__all__ = ["absolute_centralisation", "relative_centralisation", "local_relative_centralisation"]


def _check_centre(centre, caller):
    if centre is None:
        return None
    try:
        point = np.asarray(centre, dtype=np.float64)
    except (TypeError, ValueError):
        point = None
    if point is None or point.shape != (2,):
        raise SegindexTypeError(
            f"{caller}(): 'centre' must be one (x, y) pair in the data's projected coordinates, for example "
            f"centre=(416_500, 433_000), got {centre!r}."
        )
    if not np.isfinite(point).all():
        raise SegindexValueError(f"{caller}(): 'centre' must be finite, got {centre!r}.")
    return point


def _order(xy, t, codes, n_areas, centre):
    """Units sorted by distance from the centre (each area's population-weighted centroid by default)."""
    if centre is None:
        single = codes.shape[0] == 0
        idx = np.zeros(len(t), dtype=np.int64) if single else codes
        weights = np.bincount(idx, weights=t, minlength=n_areas)
        cx = np.bincount(idx, weights=t * xy[:, 0], minlength=n_areas)
        cy = np.bincount(idx, weights=t * xy[:, 1], minlength=n_areas)
        with np.errstate(invalid="ignore", divide="ignore"):
            centres = np.column_stack([cx / weights, cy / weights])
        points = centres[idx]
    else:
        points = np.broadcast_to(centre, xy.shape)
    d = np.hypot(xy[:, 0] - points[:, 0], xy[:, 1] - points[:, 1])
    return np.argsort(d, kind="stable")


_PARAMETERS = """    data : geopandas.GeoDataFrame or pandas.DataFrame
        One row per unit, one column of counts per group, with a geometry in a
        projected CRS (or ``points``).
    group : column name
        The focal group X.
    other : column name, optional
        The comparison group Y; ``None`` (default) compares X with the rest of
        the population and needs ``total``.
    total : column name, optional
        Unit totals (needed when ``other`` is None).
    by : column name or list of column names, optional
        Compute per area (each about its own default centre, or all about ``centre``).
    centre : pair of float, optional
        The centre (x, y) in the data's coordinates. Default: the population-weighted
        mean of the unit points (population ``x + y``).
    points : see :func:`segindex.weights.unit_points`
        The point of each unit (default: a point inside each polygon).
    crs : CRS-like, optional
        The CRS of ``points=`` columns of a plain DataFrame (e.g. ``27700``); a GeoDataFrame's own CRS
        is used otherwise. A geographic or missing CRS is refused."""


def absolute_centralisation(
    data: pd.DataFrame,
    group: Hashable,
    other: Hashable | None = None,
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    centre: tuple[float, float] | None = None,
    points: PointsLike = None,
    crs: CRSLike = None,
) -> float | pd.Series:
    r"""Massey & Denton's absolute centralisation index ACE.

        The group's distribution over rings of land around the centre: how much
        of the group lives in the innermost land, against an even spread over land.

        Parameters
        ----------
    {parameters}

        Returns
        -------
        float or pandas.Series
            ACE in [-1, 1]: positive when the group lives nearer the centre than
            the land does, 1 when it lives only in the innermost unit.

        Raises
        ------
        SegindexTypeError
            ``data`` is not a GeoDataFrame (land areas are needed), a bad ``centre``.
        SegindexValueError
            Missing or geographic CRS, bad counts.

        Notes
        -----
        With units sorted by distance from the centre, :math:`X_i` the
        cumulative share of the group and :math:`A_i` of land area up to unit i,

        .. math:: ACE = \sum_i X_{i-1} A_i - \sum_i X_i A_{i-1}

        PySAL's ``AbsoluteCentralization`` takes the unweighted mean of the
        polygon centroids as its default centre; pass ``centre=`` and centroid
        ``points`` to reproduce its numbers.

        References
        ----------
        Massey, D. S. & Denton, N. A. (1988). The dimensions of residential
        segregation. Social Forces 67(2), 281-315.

        Duncan, O. D. & Duncan, B. (1955). A methodological analysis of
        segregation indexes. American Sociological Review 20(2), 210-217.

        Examples
        --------
        >>> import geopandas as gpd
        >>> from shapely.geometry import box
        >>> rings = gpd.GeoDataFrame({"a": [10, 0], "b": [0, 10]},
        ...                          geometry=[box(0, 0, 1, 1), box(1, 0, 4, 1)], crs=27700)
        >>> # sorted from x = 0: X = (1, 1), A = (1/4, 1): X_0 A_1 - X_1 A_0 + X_1 A_2 - X_2 A_1 = 0 + 1 - 1/4
        >>> round(absolute_centralisation(rings, "a", "b", centre=(0, 0.5)), 4)
        0.75
    """
    caller = "absolute_centralisation"
    check_frame(data, caller)
    point = _check_centre(centre, caller)
    area = unit_areas(data, caller)
    pair = read_pair(data, group, other, total, by, caller)
    xy = unit_points(data, points, caller=caller, crs=crs)
    order = _order(xy, pair.x + pair.y, pair.codes, pair.n_areas, point)
    values = _k.centralisation(pair.x, area, order, pair.codes, pair.n_areas)
    return finish(values, pair.areas, pair.by, caller, caller, lambda k: f"group {group!r} has no members")


def relative_centralisation(
    data: pd.DataFrame,
    group: Hashable,
    other: Hashable | None = None,
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    centre: tuple[float, float] | None = None,
    points: PointsLike = None,
    crs: CRSLike = None,
) -> float | pd.Series:
    r"""Massey & Denton's relative centralisation index RCE.

        The share of one group that would have to move to match the other's
        distribution around the centre.

        Parameters
        ----------
    {parameters}

        Returns
        -------
        float or pandas.Series
            RCE in [-1, 1]: positive when X lives nearer the centre than Y, 0 when
            both are spread alike around it.

        Raises
        ------
        SegindexTypeError
            No geometry and no ``points``; a bad ``centre``.
        SegindexValueError
            Geographic CRS, bad counts.

        Notes
        -----
        With :math:`X_i`, :math:`Y_i` the cumulative shares of the two groups in
        the units up to unit i, in order of distance from the centre,

        .. math:: RCE = \sum_i X_{i-1} Y_i - \sum_i X_i Y_{i-1}

        References
        ----------
        Massey, D. S. & Denton, N. A. (1988). Social Forces 67(2), 281-315.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"e": [0.0, 1000.0, 2000.0], "n": [0.0, 0.0, 0.0], "a": [10, 0, 0], "b": [0, 5, 5]})
        >>> # X = (1, 1, 1), Y = (0, 1/2, 1): 0 - 0 + 1/2 - 0 + 1 - 1/2
        >>> round(relative_centralisation(df, "a", "b", centre=(0, 0), points=("e", "n"), crs=27700), 4)
        1.0
    """
    caller = "relative_centralisation"
    check_frame(data, caller)
    point = _check_centre(centre, caller)
    pair = read_pair(data, group, other, total, by, caller)
    xy = unit_points(data, points, caller=caller, crs=crs)
    order = _order(xy, pair.x + pair.y, pair.codes, pair.n_areas, point)
    values = _k.centralisation(pair.x, pair.y, order, pair.codes, pair.n_areas)
    X, Y = _k.pair_sums(pair.x, pair.y, pair.codes, pair.n_areas)
    return finish(
        values, pair.areas, pair.by, caller, caller, lambda k: absent_reason(X[k], Y[k], group, pair.comparison)
    )


def local_relative_centralisation(
    data: pd.DataFrame,
    group: Hashable,
    other: Hashable | None = None,
    *,
    total: Hashable | None = None,
    k: int = 5,
    points: PointsLike = None,
    crs: CRSLike = None,
) -> pd.Series:
    r"""Folch & Rey's local relative centralisation: RCE in each unit's neighbourhood, about the unit.

    Parameters
    ----------
    data, group, other, total, points
        As for :func:`relative_centralisation`.
    k : int, default 5
        The neighbourhood of a unit is the unit and its ``k`` nearest units
        (by distance between unit points, a k-d tree query).

    Returns
    -------
    pandas.Series
        One value per unit, aligned to ``data.index``, in [-1, 1]: positive
        where the group is concentrated at the unit relative to its
        neighbours; NaN where the neighbourhood lacks either group.
        (No ``by=``: each neighbourhood is already local.)

    Notes
    -----
    For unit i with neighbourhood :math:`N_i` sorted by distance from i,
    :math:`RCE_i` is :func:`relative_centralisation` on :math:`N_i` with the
    centre at i. Ties in distance keep the input order. PySAL's
    ``LocalRelativeCentralization`` does the same with libpysal's KNN
    weights and polygon centroids.

    References
    ----------
    Folch, D. C. & Rey, S. J. (2016). The centralization index as a measure of
    local spatial segregation. Geographical Analysis 48(1), 30-47.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"e": [0.0, 1.0, 3.0], "n": [0.0, 0.0, 0.0], "a": [10, 0, 0], "b": [0, 5, 5]})
    >>> # about the middle unit: order (1, 0, 2), X = (0, 1, 1), Y = (1/2, 1/2, 1): 0 + (0 - 1/2) + (1 - 1/2)
    >>> [round(v, 4) for v in local_relative_centralisation(df, "a", "b", k=2, points=("e", "n"), crs=27700)]
    [1.0, 0.0, -1.0]
    """
    caller = "local_relative_centralisation"
    check_frame(data, caller)
    pair = read_pair(data, group, other, total, None, caller)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise SegindexValueError(f"{caller}(): 'k' must be a whole number of neighbours of at least 1, got {k!r}.")
    n = len(data)
    if k >= n:
        raise SegindexValueError(f"{caller}(): k={k} neighbours need at least {k + 1} units; the data have {n}.")
    xy = unit_points(data, points, caller=caller, crs=crs)
    from scipy.spatial import cKDTree

    _, neighbours = cKDTree(xy).query(xy, k=k + 1)
    neighbours = np.asarray(neighbours, dtype=np.int64).reshape(n, k + 1)
    # the unit itself first (a duplicate point may have come first)
    for i in np.flatnonzero(neighbours[:, 0] != np.arange(n)):
        row = [j for j in neighbours[i] if j != i][:k]
        neighbours[i] = [i, *row]
    values = _k.local_centralisation(pair.x, pair.y, np.ascontiguousarray(neighbours), xy)
    return pd.Series(values, index=data.index, name=caller)


for _f in (absolute_centralisation, relative_centralisation):
    _f.__doc__ = _f.__doc__.replace("{parameters}", _PARAMETERS)
del _f

register(
    IndexSpec(
        name="absolute_centralisation",
        kind="spatial",
        function=absolute_centralisation,
        bounds=(-1.0, 1.0),
        comparison="none",
        reference="Massey & Denton 1988",
    )
)
register(
    IndexSpec(
        name="relative_centralisation",
        kind="spatial",
        function=relative_centralisation,
        bounds=(-1.0, 1.0),
        reference="Massey & Denton 1988",
    )
)
