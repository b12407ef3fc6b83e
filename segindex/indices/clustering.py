"""Clustering: how far a group's units adjoin one another (Massey & Denton 1988; White 1983).

Proximity between units i and j is :math:`c_{ij} = e^{-d_{ij}/s}`, with
:math:`d_{ij}` the distance between their points and s the distance scale
(``scale``, default 1000: distances in kilometres for a CRS in metres, as in
Massey & Denton's negative exponential). A unit's distance to itself is, with
``self_distance="area"`` (the default), :math:`d_{ii} = \\sqrt{0.6\\, a_i}`,
Massey & Denton's approximation of the mean distance between two points of a
unit of area :math:`a_i`: this is the form that reproduces the paper. With
``self_distance="zero"`` it is 0 (weight 1), the convention of segindex's
distance-decay indices (:func:`segindex.distance_decay_isolation`), suited
to population-weighted points.

The sums run over pairs of units within ``max_distance`` (default ``10 * scale``,
where weights fall below e^-10 = 4.5e-5) with a k-d tree over square cells:
never a dense n × n matrix.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from .._kernels import peers as _k
from .._kernels import spatial as _ks
from .._neighbours import kernel_sums
from ..counts import CRSLike, PointsLike, WeightsLike
from ..errors import SegindexValueError
from ._peer_input import check_frame, check_positive, read_pair, unit_areas, unit_points
from .registry import IndexSpec, register

__all__ = [
    "absolute_clustering",
    "relative_clustering",
    "spatial_proximity",
    "spatial_proximity_profile",
    "spatial_proximity_profile_index",
]

_SELF_DISTANCES = ("area", "zero")


def _proximity_sums(
    data, group, other, total, scale, max_distance, self_distance, points, crs, caller, need_total=False
):
    """``Sx_i = sum_j c_ij x_j``, ``Sy_i``, ``C = sum_ij c_ij`` (only if ``need_total``) and the pair."""
    check_frame(data, caller)
    scale = check_positive(scale, "scale", caller)
    radius = 10.0 * scale if max_distance is None else check_positive(max_distance, "max_distance", caller)
    if self_distance not in _SELF_DISTANCES:
        raise SegindexValueError(
            f"{caller}(): 'self_distance' must be 'area' (Massey & Denton's sqrt(0.6 a_i)) or 'zero', "
            f"got {self_distance!r}."
        )
    pair = read_pair(data, group, other, total, None, caller)
    X, Y = float(pair.x.sum()), float(pair.y.sum())
    if X <= 0:
        raise SegindexValueError(f"{caller}(): group {group!r} has no members in the whole table.")
    if Y <= 0:
        raise SegindexValueError(f"{caller}(): the comparison group ({pair.comparison}) has no members.")
    xy = unit_points(data, points, caller=caller, crs=crs)
    if self_distance == "area":
        self_weight = np.exp(-np.sqrt(0.6 * unit_areas(data, caller)) / scale)
    else:
        self_weight = np.ones(len(xy))
    values = np.column_stack([pair.x, pair.y])
    sums = _k.replace_self_weight(kernel_sums(xy, values, scale, _ks.EXPONENTIAL, radius), values, self_weight)
    C = None
    if need_total:
        ones = np.column_stack([np.ones(len(xy)), np.zeros(len(xy))])
        C = float(
            _k.replace_self_weight(kernel_sums(xy, ones, scale, _ks.EXPONENTIAL, radius), ones, self_weight)[:, 0].sum()
        )
    return pair, np.ascontiguousarray(sums[:, 0]), np.ascontiguousarray(sums[:, 1]), C


_PARAMETERS = """    data : geopandas.GeoDataFrame or pandas.DataFrame
        One row per unit, one column of counts per group, with polygons in a
        projected CRS (needed for ``self_distance="area"``) or ``points``.
    group : column name
        The focal group X.
    other : column name, optional
        The comparison group Y; ``None`` (default) compares X with the rest of
        the population and needs ``total``. Unit totals are ``x + y``.
    total : column name, optional
        Unit totals (needed when ``other`` is None).
    scale : float, default 1000
        Distance scale s in CRS units: :math:`c_{ij} = e^{-d_{ij}/s}`.
    max_distance : float, optional
        Pairs farther apart are ignored; default ``10 * scale``.
    self_distance : {"area", "zero"}, default "area"
        :math:`d_{ii} = \\sqrt{0.6 a_i}` (Massey & Denton 1988, the paper's form)
        or 0.
    points : see :func:`segindex.weights.unit_points`
        The point of each unit (default: a point inside each polygon; Massey &
        Denton used tract centroids, ``points=data.centroid``-style arrays).
    crs : CRS-like, optional
        The CRS of ``points=`` columns of a plain DataFrame (e.g. ``27700``); a GeoDataFrame's own CRS
        is used otherwise. A geographic or missing CRS is refused.

    No ``by=``: distances join units across areas; select an area's rows to
    compute it alone."""


def absolute_clustering(
    data: pd.DataFrame,
    group: Hashable,
    other: Hashable | None = None,
    *,
    total: Hashable | None = None,
    scale: float = 1000.0,
    max_distance: float | None = None,
    self_distance: str = "area",
    points: PointsLike = None,
    crs: CRSLike = None,
) -> float:
    r"""Massey & Denton's absolute clustering index ACL.

        The mean proximity of group members to other group members, against the
        proximity expected if the group were spread without regard to space.

        Parameters
        ----------
    {parameters}

        Returns
        -------
        float
            ACL, near 0 for no clustering, approaching 1 for maximal clustering.

        Notes
        -----
        With n units and :math:`t_j = x_j + y_j`,

        .. math:: ACL = \frac{\sum_i \frac{x_i}{X} \sum_j c_{ij} x_j - \frac{X}{n^2} \sum_i \sum_j c_{ij}}
                             {\sum_i \frac{x_i}{X} \sum_j c_{ij} t_j - \frac{X}{n^2} \sum_i \sum_j c_{ij}}

        PySAL's ``AbsoluteClustering`` (like its ``RelativeClustering`` and
        ``SpatialProximity``) uses :math:`c_{ij} = 1 - e^{-d_{ij}/D_j}` with
        :math:`D_j` the sum of unit j's distances to all units, and
        :math:`c_{ii} = 1 - e^{-\sqrt{0.6 a_i}}`: a weight that grows with
        distance, so its numbers measure something other than Massey & Denton's
        index (the tests rebuild them from that matrix).

        References
        ----------
        Massey, D. S. & Denton, N. A. (1988). The dimensions of residential
        segregation. Social Forces 67(2), 281-315.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"e": [0.0, 1000.0], "n": [0.0, 0.0], "a": [10, 0], "b": [0, 10]})
        >>> # c = [[1, 1/e], [1/e, 1]], X/n^2 sum c = 5 (1 + 1/e): (10 - 5 - 5/e) / (10 + 10/e - 5 - 5/e)
        >>> round(absolute_clustering(df, "a", "b", points=("e", "n"), crs=27700, self_distance="zero"), 4)
        0.4621
    """
    caller = "absolute_clustering"
    pair, sx, sy, C = _proximity_sums(
        data, group, other, total, scale, max_distance, self_distance, points, crs, caller, need_total=True
    )
    X = float(pair.x.sum())
    n = len(pair.x)
    w = pair.x / X
    correction = X / (n * n) * C
    return float((np.dot(w, sx) - correction) / (np.dot(w, sx + sy) - correction))


def _proximities(pair, sx, sy):
    X, Y = float(pair.x.sum()), float(pair.y.sum())
    T = X + Y
    pxx = float(np.dot(pair.x, sx)) / (X * X)
    pyy = float(np.dot(pair.y, sy)) / (Y * Y)
    ptt = float(np.dot(pair.x + pair.y, sx + sy)) / (T * T)
    return X, Y, T, pxx, pyy, ptt


def relative_clustering(
    data: pd.DataFrame,
    group: Hashable,
    other: Hashable | None = None,
    *,
    total: Hashable | None = None,
    scale: float = 1000.0,
    max_distance: float | None = None,
    self_distance: str = "area",
    points: PointsLike = None,
    crs: CRSLike = None,
) -> float:
    r"""Massey & Denton's relative clustering index RCL.

        The mean proximity among members of X over the mean proximity among
        members of Y, minus one.

        Parameters
        ----------
    {parameters}

        Returns
        -------
        float
            RCL: 0 when X clusters as much as Y, positive when more.

        Notes
        -----
        .. math:: P_{xx} = \sum_i \sum_j \frac{x_i x_j c_{ij}}{X^2}, \qquad
                  RCL = \frac{P_{xx}}{P_{yy}} - 1

        PySAL's ``RelativeClustering`` uses another proximity matrix (see
        :func:`absolute_clustering`), and in place of :math:`\sum_{ij} x_i x_j c_{ij}`
        sums :math:`\sum_{ij} x_j^2 c_{ij}` (an elementwise product where an outer
        product was meant).

        References
        ----------
        Massey, D. S. & Denton, N. A. (1988). Social Forces 67(2), 281-315.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"e": [0.0, 1000.0], "n": [0.0, 0.0], "a": [10, 10], "b": [20, 0]})
        >>> # Pxx = (100 + 100 + 2 * 100 e^-1) / 400; Pyy = 1
        >>> round(relative_clustering(df, "a", "b", points=("e", "n"), crs=27700, self_distance="zero"), 4)
        -0.3161
    """
    caller = "relative_clustering"
    pair, sx, sy, _ = _proximity_sums(
        data, group, other, total, scale, max_distance, self_distance, points, crs, caller
    )
    X, Y, T, pxx, pyy, ptt = _proximities(pair, sx, sy)
    return pxx / pyy - 1.0


def spatial_proximity(
    data: pd.DataFrame,
    group: Hashable,
    other: Hashable | None = None,
    *,
    total: Hashable | None = None,
    scale: float = 1000.0,
    max_distance: float | None = None,
    self_distance: str = "area",
    points: PointsLike = None,
    crs: CRSLike = None,
) -> float:
    r"""White's spatial proximity index SP.

        The mean proximity of people to people of their own group, against the
        mean proximity of people to everyone.

        Parameters
        ----------
    {parameters}

        Returns
        -------
        float
            SP: 1 when neither group clusters more than the whole population,
            above 1 when members of each group live nearer one another.

        Notes
        -----
        With :math:`P_{xx}`, :math:`P_{yy}` as in :func:`relative_clustering` and
        :math:`P_{tt}` the same over all people,

        .. math:: SP = \frac{X P_{xx} + Y P_{yy}}{T P_{tt}}

        PySAL's ``SpatialProximity`` uses another proximity matrix (see
        :func:`absolute_clustering`).

        References
        ----------
        White, M. J. (1983). The measurement of spatial segregation. American
        Journal of Sociology 88(5), 1008-1018.

        Massey, D. S. & Denton, N. A. (1988). Social Forces 67(2), 281-315.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"e": [0.0, 1e6], "n": [0.0, 0.0], "a": [10, 0], "b": [0, 10]})
        >>> # far apart: Pxx = Pyy = 1, Ptt = 1/2: SP = (10 + 10) / (20 / 2)
        >>> round(spatial_proximity(df, "a", "b", points=("e", "n"), crs=27700, self_distance="zero"), 4)
        2.0
    """
    caller = "spatial_proximity"
    pair, sx, sy, _ = _proximity_sums(
        data, group, other, total, scale, max_distance, self_distance, points, crs, caller
    )
    X, Y, T, pxx, pyy, ptt = _proximities(pair, sx, sy)
    return (X * pxx + Y * pyy) / (T * ptt)


for _f in (absolute_clustering, relative_clustering, spatial_proximity):
    _f.__doc__ = _f.__doc__.replace("{parameters}", _PARAMETERS)
del _f

register(
    IndexSpec(
        name="absolute_clustering",
        kind="spatial",
        function=absolute_clustering,
        bounds=None,
        options=("scale", "max_distance", "self_distance", "points"),
        reference="Massey & Denton 1988",
    )
)
register(
    IndexSpec(
        name="relative_clustering",
        kind="spatial",
        function=relative_clustering,
        bounds=None,
        options=("scale", "max_distance", "self_distance", "points"),
        reference="Massey & Denton 1988",
    )
)
register(
    IndexSpec(
        name="spatial_proximity",
        kind="spatial",
        function=spatial_proximity,
        bounds=None,
        options=("scale", "max_distance", "self_distance", "points"),
        reference="White 1983; Massey & Denton 1988",
    )
)


# ----------------------------------------------------------------------------
# Hong, O'Sullivan & Sadahiro (2014): the spatial proximity profile over thresholds of the group's share

_CHUNK_ROWS = 256  # rows of graph distances held at once: memory O(256 n)


def _graph_sums(w, order_rank):
    """``S[k]``: the sum of graph distances over ordered pairs among the first k units (by rank)."""
    from scipy.sparse.csgraph import shortest_path

    n = w.shape[0]
    increments = np.zeros(n)
    for start in range(0, n, _CHUNK_ROWS):
        rows = np.arange(start, min(start + _CHUNK_ROWS, n))
        dist = shortest_path(w, directed=False, unweighted=True, indices=rows)
        earlier = order_rank[None, :] < order_rank[rows][:, None]
        with np.errstate(invalid="ignore"):
            increments[order_rank[rows]] = 2.0 * np.where(earlier, dist, 0.0).sum(axis=1)
    return np.cumsum(increments)


def _profile(data, group, other, total, w, caller):
    from ..weights import check_weights, contiguity_weights

    check_frame(data, caller)
    pair = read_pair(data, group, other, total, None, caller)
    X, Y = float(pair.x.sum()), float(pair.y.sum())
    if not (X > 0 and Y > 0):
        raise SegindexValueError(f"{caller}(): group {group!r} or its comparison has no members.")
    w = contiguity_weights(data) if w is None else check_weights(w, len(data), caller)
    t = pair.x + pair.y
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(t > 0, pair.x / t, 0.0)
    order = np.argsort(-share, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    S = _graph_sums(w, rank)
    k = np.arange(1, len(order) + 1, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = np.where((k > 1) & np.isfinite(S) & (S > 0), (k * k - k) / S, 0.0)
    return share[order], eta, X / (X + Y)


def _eta_at(sorted_share, eta, tau):
    """eta(tau): eta of the k units whose share is at least tau (0 when fewer than two)."""
    k = np.searchsorted(-sorted_share, -np.asarray(tau, dtype=float), side="right")
    return np.where(k >= 1, eta[np.maximum(k - 1, 0)], 0.0)


def spatial_proximity_profile(
    data: pd.DataFrame,
    group: Hashable,
    other: Hashable | None = None,
    *,
    total: Hashable | None = None,
    w: WeightsLike = None,
    thresholds: int | Sequence[float] = 101,
) -> pd.DataFrame:
    r"""Hong, O'Sullivan & Sadahiro's spatial proximity profile η(τ) of a group.

    For each threshold τ, the units where the group's share is at least τ are
    taken, and η(τ) is the inverse of their mean graph distance (in steps
    between contiguous units): high when those units adjoin one another.

    Parameters
    ----------
    data : geopandas.GeoDataFrame
        Polygons (for the contiguity graph) and counts.
    group, other, total
        As for :func:`segindex.dissimilarity`.
    w : scipy.sparse matrix, optional
        The contiguity graph; default queen contiguity
        (:func:`segindex.weights.contiguity_weights`).
    thresholds : int or sequence of float, default 101
        Equally spaced points on [0, 1], or the thresholds themselves.

    Returns
    -------
    pandas.DataFrame
        ``threshold`` and ``eta``, with ``area_share`` (the group's share P).

    Notes
    -----
    With :math:`G_\tau` the :math:`k_\tau` units of share at least τ and
    :math:`\delta_{ij}` the number of steps between units i and j on the graph,

    .. math:: \eta(\tau) = \frac{k_\tau^2 - k_\tau}{\sum_{i, j \in G_\tau} \delta_{ij}}

    (0 when fewer than two units qualify or they are not connected). The
    distances come from breadth-first searches in chunks of 256 origins
    (memory O(256 n)); PySAL's ``SpatialProxProf`` runs Floyd-Warshall on a
    dense n × n matrix (O(n³) time).

    References
    ----------
    Hong, S.-Y., O'Sullivan, D. & Sadahiro, Y. (2014). Implementing spatial
    segregation measures in R. PLoS ONE 9(11), e113767.

    Hong, S.-Y. & Sadahiro, Y. (2014). Measuring geographic segregation: a
    graph-based approach. Journal of Geographical Systems 16(2), 211-231.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> strip = gpd.GeoDataFrame({"a": [9, 8, 1, 0], "b": [1, 2, 9, 10]},
    ...                          geometry=[box(i, 0, i + 1, 1) for i in range(4)], crs=27700)
    >>> p = spatial_proximity_profile(strip, "a", "b", thresholds=[0.5, 0.0])
    >>> # tau = .5: units 0 and 1, one step apart: (4 - 2) / 2; tau = 0: all four, mean distance 5/3
    >>> [round(v, 4) for v in p["eta"]]
    [1.0, 0.6]
    """
    caller = "spatial_proximity_profile"
    grid = _grid(thresholds, caller)
    sorted_share, eta, P = _profile(data, group, other, total, w, caller)
    return pd.DataFrame({"threshold": grid, "eta": _eta_at(sorted_share, eta, grid), "area_share": P})


def _grid(thresholds, caller):
    from ..errors import SegindexTypeError

    if isinstance(thresholds, (bool, np.bool_)):
        raise SegindexTypeError(f"{caller}(): 'thresholds' must be a number of points or a list of values.")
    if isinstance(thresholds, (int, np.integer)):
        if thresholds < 2:
            raise SegindexValueError(f"{caller}(): 'thresholds' needs at least 2 points, got {thresholds}.")
        return np.linspace(0.0, 1.0, int(thresholds))
    try:
        grid = np.asarray(thresholds, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise SegindexTypeError(f"{caller}(): 'thresholds' must be numbers in [0, 1], got {thresholds!r}.") from None
    if grid.size == 0 or not np.all((grid >= 0) & (grid <= 1)):
        raise SegindexValueError(f"{caller}(): every threshold must lie in [0, 1], got {thresholds!r}.")
    return grid


def spatial_proximity_profile_index(
    data: pd.DataFrame,
    group: Hashable,
    other: Hashable | None = None,
    *,
    total: Hashable | None = None,
    w: WeightsLike = None,
) -> float:
    r"""Summary of the spatial proximity profile, as Hong & Sadahiro summarise the concentration profile.

    Parameters
    ----------
    data, group, other, total, w
        As for :func:`spatial_proximity_profile`.

    Returns
    -------
    float

    Notes
    -----
    .. math:: SPP = \frac{P - \left(\int_0^P \eta(\tau)\,d\tau - \int_P^1 \eta(\tau)\,d\tau\right)}{1 - P}

    with the integrals of the step function η computed exactly. PySAL's
    ``SpatialProxProf`` takes a left Riemann sum over ``m`` grid points (1,000 by default).

    References
    ----------
    Hong, S.-Y., O'Sullivan, D. & Sadahiro, Y. (2014). PLoS ONE 9(11), e113767.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> strip = gpd.GeoDataFrame({"a": [10, 10, 0, 0], "b": [0, 0, 10, 10]},
    ...                          geometry=[box(i, 0, i + 1, 1) for i in range(4)], crs=27700)
    >>> round(spatial_proximity_profile_index(strip, "a", "b"), 4)  # eta = 1 on (0, 1]: (1/2 - (1/2 - 1/2)) / (1/2)
    1.0
    """
    caller = "spatial_proximity_profile_index"
    sorted_share, eta, P = _profile(data, group, other, total, w, caller)
    # eta is constant between consecutive distinct shares: integrate the steps exactly
    cuts = np.unique(np.concatenate([[0.0, 1.0, P], sorted_share]))
    mids = 0.5 * (cuts[:-1] + cuts[1:])
    heights = _eta_at(sorted_share, eta, mids)
    widths = np.diff(cuts)
    below = float(np.sum((heights * widths)[mids < P]))
    above = float(np.sum((heights * widths)[mids >= P]))
    return (P - (below - above)) / (1 - P)


register(
    IndexSpec(
        name="spatial_proximity_profile_index",
        kind="spatial",
        function=spatial_proximity_profile_index,
        bounds=None,
        options=("w",),
        reference="Hong, O'Sullivan & Sadahiro 2014",
    )
)
