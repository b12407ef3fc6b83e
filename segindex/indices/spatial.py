"""Spatial and multiscale segregation measures.

Aspatial indices such as D ignore where units are: a city of two solid halves
and a perfect checkerboard of the same units both give D = 1. The measures
here take location into account:

* :func:`morrill_dissimilarity` and :func:`boundary_dissimilarity` /
  :func:`perimeter_area_dissimilarity` (Morrill 1991; Wong 1993) subtract from
  D a term for how different neighbouring units are;
* :func:`distance_decay_isolation` / :func:`distance_decay_exposure`
  (Morgan 1983) weight every unit's neighbours by ``exp(-d / scale)``;
* :func:`spatial_information` (Reardon & O'Sullivan 2004) measures how far
  the *local environments* of people (kernel-weighted populations around them)
  differ from the whole city, at a bandwidth in metres;
* :func:`multiscale_profile` repeats it over bandwidths and
  :func:`bespoke_profile` does the same with the k nearest people
  (Östh, Clark & Malmberg 2015).

Whatever a function measures (distances, boundary lengths, perimeters and
areas) must be in a projected CRS (metres; EPSG:27700 for Britain): a
GeoDataFrame in longitude/latitude or without a CRS is refused, and a plain
DataFrame with ``points=`` columns needs ``crs=`` (one rule for the whole
package, :func:`segindex.counts.check_projected`). Morrill's D(adj) measures
nothing (queen contiguity is topology) and takes any CRS; Wong's D(w) measures
boundary lengths unless they are given as ``w=``; D(s) always measures
perimeters and areas. Bounded indices (spatial isolation and exposure,
distance-decay isolation and exposure, the bespoke D and isolation) lying
outside [0, 1] by rounding only (at most 1e-12) are set to the bound.

With ``by=`` (a column or a list: local authority, year) every function
computes on each area's units alone, as if each area were its own study
area: neighbours across an area's edge do not count, and weights or point
arrays given for the whole table are cut to each area.
Neighbour sums are computed
sparsely with :class:`scipy.spatial.cKDTree`, in bounded chunks: no ``n × n``
matrix is ever built.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from .. import _engine, _neighbours
from .._compat import renamed_parameters
from .._engine import check_block_size, check_client
from .._kernels import spatial as _ks
from .._kernels import twogroup as _kt
from .._neighbours import AdjacencyDraws, InformationDraws, kernel_sums, pair_structure
from .._resampling import (
    Problem,
    Progress,
    check_options,
    default_rng,
    flags,
    run,
    whole_counts,
    work_of,
)
from ..counts import (
    CRSLike,
    PointsLike,
    WeightsLike,
    check_frame,
    check_label,
    check_projected,
    geometries,
    point_coordinates,
    read_groups,
    read_pair,
    unit_codes,
)
from ..errors import SegindexValueError, first_few
from ..weights import check_positive, check_weights, contiguity_weights
from ._common import absent_reason, clamp_unit, warn_absent

__all__ = [
    "morrill_dissimilarity",
    "boundary_dissimilarity",
    "perimeter_area_dissimilarity",
    "local_environment",
    "spatial_information",
    "local_spatial_information",
    "spatial_isolation",
    "distance_decay_isolation",
    "distance_decay_exposure",
    "multiscale_profile",
    "bespoke_profile",
]

_KERNELS = {"gaussian": _ks.GAUSSIAN, "biweight": _ks.BIWEIGHT, "exponential": _ks.EXPONENTIAL}

#: Default Gaussian truncation, in bandwidths: beyond 3 b a 2-D Gaussian kernel
#: holds exp(-4.5) ≈ 1.1 % of its mass.
GAUSSIAN_TRUNCATE = 3.0


# ----------------------------------------------------------------------------
# spatially adjusted dissimilarity


def _shares(pair):
    base = pair.x + pair.y
    z = np.zeros_like(base)
    np.divide(pair.x, base, out=z, where=base > 0)
    return z


class _Undefined(SegindexValueError):
    """The index is undefined on this table (a group absent, one group only): NaN for that area with ``by=``."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


def _d(data, group, other, total, caller):
    """The checked pair and its aspatial D (raising, in the caller's name, where D is undefined)."""
    pair = read_pair(data, group, other, total, None, caller)
    d = float(_kt.dissimilarity(pair.x, pair.y, np.empty(0, np.int64), 1)[0])
    if np.isnan(d):
        reason = absent_reason(pair.x.sum(), pair.y.sum(), group, pair.comparison)
        raise _Undefined(
            f"{caller}(): {reason} in the whole table, so the index is undefined. "
            "Check the column names, or drop the group from the analysis.",
            reason,
        )
    return pair, clamp_unit(d)


# ----------------------------------------------------------------------------
# by=: the index of each area on that area's units


def _options(args: dict) -> dict:
    """A public function's own arguments (``locals()`` at its top), without ``data`` and ``by``."""
    return {k: v for k, v in args.items() if k not in ("data", "by")}


def _row_arguments(data, kwargs, caller):
    """The arguments given per unit (a weights matrix, a points array), checked, to subset per area."""
    w, points = kwargs.get("w"), kwargs.get("points")
    if w is not None:
        w = check_weights(w, len(data), caller)
    if "points" in kwargs:
        # located once, for the whole table: a bad coordinate is named by its row in the data, and
        # representative points are computed once, not per area
        return w, point_coordinates(data, points, kwargs.get("crs"), caller)
    if points is None:
        return w, None
    points = np.asarray(points, dtype=np.float64)
    if points.shape != (len(data), 2):
        raise SegindexValueError(
            f"{caller}(): the 'points' array must have shape ({len(data)}, 2), got {points.shape}."
        )
    return w, points


class _AreaUndefined:
    """What an area where the index is undefined returns (its reason), as against one that failed."""

    def __init__(self, reason):
        self.reason = reason


def _area_call(shared, k):
    """``func`` on the rows of area ``k`` (a task: ``shared`` is scattered once with a client)."""
    func, data, codes, w, points, kwargs, seeds = shared
    rows = np.flatnonzero(codes == k)
    kw = dict(kwargs)
    if w is not None:
        kw["w"] = w[rows][:, rows]
    if points is not None:
        kw["points"] = points[rows]
    if seeds is not None:
        kw["random_state"] = seeds[k]
    try:
        return func(data.iloc[rows], **kw)
    except _Undefined as exc:
        return _AreaUndefined(exc.reason)


def area_seeds(random_state, n_areas, caller):
    """One :class:`numpy.random.SeedSequence` per area, from ``random_state`` and the area's position."""
    default_rng(random_state, caller)  # checks it
    if isinstance(random_state, np.random.Generator):
        root = np.random.SeedSequence(int(random_state.integers(0, 2**63)))
    elif isinstance(random_state, np.random.SeedSequence):
        root = np.random.SeedSequence(random_state.entropy, spawn_key=random_state.spawn_key)  # not spawned from
    else:
        root = np.random.SeedSequence(random_state)
    return root.spawn(n_areas)


def _per_area(func, data, by, kwargs, *, per_unit=False):
    """``func`` computed on the rows of each ``by`` area; weights and point arrays are subset alike.

    A scalar index gives a Series indexed by area (NaN, with one
    AbsentGroupWarning naming them, where it is undefined); a per-unit table
    (``per_unit=True``) the areas' rows in the input's order; a profile the
    areas' rows with the area key first (``area``, and one column per key
    when there are several). An area where ``func`` fails for another reason
    gets NaN (no rows, for a profile) and is named, with its error, in one
    :class:`~segindex.errors.AreaFailureWarning`; the other areas are intact
    (see :func:`segindex._engine.map_areas`).

    With draws (``kwargs["n_draws"]`` not None) each area is its own problem,
    seeded from ``random_state`` and its position (:func:`area_seeds`); with a
    ``client`` each area is one task (the data scattered once), and one
    progress display counts the areas.
    """
    caller = func.__name__
    check_frame(data, caller)
    codes, areas, names = unit_codes(data, by, caller)
    w, points = _row_arguments(data, kwargs, caller)
    seeds, client, progress, kwargs = None, None, False, dict(kwargs)
    n_draws = kwargs.get("n_draws")
    if n_draws is not None:
        progress = kwargs["progress"]
        check_options(caller, "randomisation", n_draws, kwargs["ci"], "binomial", kwargs["random_state"], progress)
        client = check_client(kwargs["client"], caller)
        seeds = area_seeds(kwargs["random_state"], len(areas), caller)
        kwargs.update(client=None, progress=False)  # an area's draws run where the area runs, shown as one area
    shared = (func, data, codes, w, points, kwargs, seeds)
    with Progress(caller, len(areas), len(areas) * (n_draws or 0), progress) as shown:
        results = _engine.map_areas(
            _area_call,
            shared,
            len(areas),
            keys=list(areas),
            caller=caller,
            client=client,
            on_done=lambda k: shown.update(1),
        )
    reasons = {k: r.reason for k, r in enumerate(results) if isinstance(r, _AreaUndefined)}
    results = [None if isinstance(r, _AreaUndefined) else r for r in results]
    failed = {k for k, r in enumerate(results) if r is None and k not in reasons}
    if len(reasons) + len(failed) == len(areas):
        more = f"; it failed in {len(failed)} (see the warning)" if failed else ""
        raise SegindexValueError(
            f"{caller}(): the index is undefined in every area of {names!r} ({first_few(set(reasons.values()))}){more}."
        )
    # the areas where the index is undefined (failed areas have their own warning)
    flags = np.array([np.nan if k in reasons else 0.0 for k in range(len(areas))])
    if per_unit:
        template = next(r for r in results if r is not None)
        out = pd.DataFrame(np.nan, index=data.index, columns=template.columns)
        for k, r in enumerate(results):
            if r is not None:
                out.iloc[np.flatnonzero(codes == k)] = r.to_numpy()
        warn_absent(flags, areas, names, caller, reasons.get)
        return out
    if all(r is None or np.isscalar(r) for r in results):
        values = np.array([np.nan if r is None else float(r) for r in results])
        warn_absent(np.where([k in failed for k in range(len(areas))], 0.0, values), areas, names, caller, reasons.get)
        return pd.Series(values, index=areas, name=caller)
    frames = []
    for k, r in enumerate(results):
        if r is None:
            continue
        lead = {"area": [areas[k]] * len(r)}
        if len(names) > 1:
            lead.update({n: [v] * len(r) for n, v in zip(names, areas[k])})
        frames.append(pd.concat([pd.DataFrame(lead), r.reset_index(drop=True)], axis=1))
    warn_absent(flags, areas, names, caller, reasons.get)
    return pd.concat(frames, ignore_index=True)


def morrill_dissimilarity(
    data: pd.DataFrame,
    group: Hashable,
    other: Hashable | None = None,
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    w: WeightsLike = None,
) -> float | pd.Series:
    r"""Morrill's spatially adjusted index of dissimilarity D(adj).

    Parameters
    ----------
    data : GeoDataFrame
        One row per unit with polygons (or any frame when ``w`` is given).
    group, other, total
        As for :func:`segindex.dissimilarity`: ``other=None`` compares the
        group with the rest of the population (needs ``total``).
    w : scipy.sparse matrix, optional
        Weights in the data's row order; default binary queen contiguity
        (:func:`segindex.weights.contiguity_weights`), as PySAL does.
    by : column name or list of column names, optional
        Compute the index separately in each area (local authority, year),
        each on its own units only: neighbours across an area's edge do not
        count. A Series indexed by area then; NaN, with one
        :class:`~segindex.errors.AbsentGroupWarning`, where the index is
        undefined.

    Returns
    -------
    float or pandas.Series
        A Series indexed by area with ``by``.
        ``D - sum_ij w_ij |z_i - z_j| / sum_ij w_ij``; can be negative when
        neighbouring units differ a lot (a checkerboard).

    Raises
    ------
    SegindexValueError, SegindexTypeError
        As for :func:`segindex.dissimilarity`; a weights matrix of the wrong
        shape.

    Notes
    -----
    .. math:: D(adj) = D - \frac{\sum_i\sum_j w_{ij}|z_i - z_j|}{\sum_i\sum_j w_{ij}}

    with ``z_i = x_i / (x_i + y_i)`` the group's share of unit i (0 in an empty
    unit). Matches PySAL ``segregation.singlegroup.SpatialDissim`` (default
    queen weights, unstandardised). The default queen weights only test
    whether polygons touch, so no CRS is needed: nothing is measured.

    References
    ----------
    Morrill, R. L. (1991). On the measure of geographic segregation.
    Geography Research Forum 11, 25-36.
    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> gdf = gpd.GeoDataFrame({"a": [10, 10, 0, 0], "b": [0, 0, 10, 10]},
    ...     geometry=[box(i, 0, i + 1, 1) for i in range(4)], crs=27700)
    >>> round(morrill_dissimilarity(gdf, "a", "b"), 4)  # D = 1; one of three borders differs
    0.6667
    """
    if by is not None:
        return _per_area(morrill_dissimilarity, data, by, _options(locals()))
    caller = "morrill_dissimilarity"
    pair, d = _d(data, group, other, total, caller)
    w = contiguity_weights(data) if w is None else check_weights(w, len(data), caller)
    z = _shares(pair)
    num, den = _ks.abs_diff_sums(w.indptr, w.indices.astype(np.int64), w.data, z)
    return float(d - (num / den if den > 0 else 0.0))


@renamed_parameters(standardize="standardise")
def boundary_dissimilarity(
    data: pd.DataFrame,
    group: Hashable,
    other: Hashable | None = None,
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    standardise: bool = True,
    w: WeightsLike = None,
) -> float | pd.Series:
    r"""Wong's boundary-adjusted dissimilarity D(w).

    Like :func:`morrill_dissimilarity` but each neighbour pair weighs by the
    length of the boundary the two units share.

    Parameters
    ----------
    data : GeoDataFrame
        Polygons in a projected CRS.
    group, other, total
        As for :func:`segindex.dissimilarity`.
    standardise : bool, default True
        Row-standardise the boundary lengths (each unit's shared boundaries
        as shares of its total shared boundary), as the R package ``seg`` and
        PySAL's ``BoundarySpatialDissim`` (default) do.
    w : scipy.sparse matrix, optional
        The shared boundary lengths in the data's row order, from
        ``contiguity_weights(data, "rook", value="length")``; built from the
        polygons when omitted. Pass them to save rebuilding them on every
        call (e.g. in :func:`segindex.infer`).
    by : column name or list of column names, optional
        Compute the index separately in each area (local authority, year),
        each on its own units only: neighbours across an area's edge do not
        count. A Series indexed by area then; NaN, with one
        :class:`~segindex.errors.AbsentGroupWarning`, where the index is
        undefined.

    Returns
    -------
    float or pandas.Series
        A Series indexed by area with ``by``.

    Raises
    ------
    SegindexValueError
        Geographic CRS; as for :func:`segindex.dissimilarity`.

    Notes
    -----
    .. math:: D(w) = D - \frac{\sum_i\sum_j c_{ij}|z_i - z_j|}{\sum_i\sum_j c_{ij}}

    with ``c_ij`` the shared boundary length of i and j (row-standardised by
    default). Units with no neighbour (islands) contribute nothing; PySAL
    instead links them to their nearest unit, so results differ when there
    are islands.

    References
    ----------
    Wong, D. W. S. (1993). Spatial indices of segregation. Urban Studies 30(3), 559-572.

    Hong, S.-Y., O'Sullivan, D. & Sadahiro, Y. (2014). Implementing spatial
    segregation measures in R. PLoS ONE 9(11), e113767.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> gdf = gpd.GeoDataFrame({"a": [10, 10, 0, 0], "b": [0, 0, 10, 10]},
    ...     geometry=[box(i, 0, i + 1, 1) for i in range(4)], crs=27700)
    >>> round(boundary_dissimilarity(gdf, "a", "b"), 4)  # 1 - (0 + 1/2 + 1/2 + 0) / 4
    0.75
    """
    if by is not None:
        return _per_area(boundary_dissimilarity, data, by, _options(locals()))
    caller = "boundary_dissimilarity"
    pair, d = _d(data, group, other, total, caller)
    w = _boundary_lengths(data, w, caller)
    if standardise:
        w = _row_standardise(w)
    z = _shares(pair)
    num, den = _ks.abs_diff_sums(w.indptr, w.indices.astype(np.int64), w.data, z)
    return float(d - (num / den if den > 0 else 0.0))


def _boundary_lengths(data, w, caller):
    """The shared boundary lengths: ``w`` when given (checked), else built from the polygons."""
    if w is None:
        check_projected(geometries(data, caller)[1], "'data'", caller, measures="boundary lengths")
        return contiguity_weights(data, "rook", value="length")
    return check_weights(w, len(data), caller)


def _row_standardise(w):
    rs = np.asarray(w.sum(axis=1)).ravel()
    scale = np.zeros_like(rs)
    np.divide(1.0, rs, out=scale, where=rs > 0)
    w = w.copy()
    w.data = w.data * np.repeat(scale, np.diff(w.indptr))
    return w


@renamed_parameters(standardize="standardise")
def perimeter_area_dissimilarity(
    data: pd.DataFrame,
    group: Hashable,
    other: Hashable | None = None,
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    standardise: bool = True,
    w: WeightsLike = None,
) -> float | pd.Series:
    r"""Wong's dissimilarity adjusted for boundary length and shape, D(s).

    Parameters
    ----------
    data : GeoDataFrame
        Polygons in a projected CRS.
    group, other, total
        As for :func:`segindex.dissimilarity`.
    standardise : bool, default True
        Divide the shared boundary lengths by their total over all pairs, as
        PySAL's ``PARDissim`` does by default.
    w : scipy.sparse matrix, optional
        As for :func:`boundary_dissimilarity`.
    by : column name or list of column names, optional
        Compute the index separately in each area (local authority, year),
        each on its own units only: neighbours across an area's edge do not
        count. A Series indexed by area then; NaN, with one
        :class:`~segindex.errors.AbsentGroupWarning`, where the index is
        undefined.

    Returns
    -------
    float or pandas.Series
        A Series indexed by area with ``by``.

    Raises
    ------
    SegindexValueError
        Geographic CRS; as for :func:`segindex.dissimilarity`.

    Notes
    -----
    .. math:: D(s) = D - \frac{\sum_i\sum_j c_{ij}|z_i - z_j|\,
              \left[(P/A)_i + (P/A)_j\right]}{2 \max_i (P/A)_i}

    ``c_ij`` the shared boundary length (divided by its total over all ordered
    pairs when ``standardise``), ``(P/A)_i`` unit i's perimeter over its area.
    This is the form in Tivadar (2019, appendix), which drops an extra
    division by 2 of Wong (1993), and is what PySAL computes.

    References
    ----------
    Wong, D. W. S. (1993). Spatial indices of segregation. Urban Studies 30(3), 559-572.

    Tivadar, M. (2019). OasisR: an R package to bring some order to the world
    of segregation measurement. Journal of Statistical Software 89(7).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> gdf = gpd.GeoDataFrame({"a": [10, 10, 0, 0], "b": [0, 0, 10, 10]},
    ...     geometry=[box(i, 0, i + 1, 1) for i in range(4)], crs=27700)
    >>> round(perimeter_area_dissimilarity(gdf, "a", "b"), 4)  # 1 - (2/6)(4+4)/(2*4)
    0.6667
    """
    if by is not None:
        return _per_area(perimeter_area_dissimilarity, data, by, _options(locals()))
    import shapely

    caller = "perimeter_area_dissimilarity"
    check_frame(data, caller)
    geoms, crs = geometries(data, caller)
    check_projected(crs, "'data'", caller, measures="perimeters and areas")  # measured even with w=
    pair, d = _d(data, group, other, total, caller)
    w = _boundary_lengths(data, w, caller)
    if standardise and w.nnz:
        w = w / w.sum()
        w = w.tocsr() if hasattr(w, "tocsr") else w

    area = shapely.area(geoms)
    if (area <= 0).any():
        bad = int(np.flatnonzero(area <= 0)[0])
        raise SegindexValueError(
            f"{caller}(): unit at row {bad} has zero area; the perimeter/area ratio needs polygons."
        )
    pa = shapely.length(geoms) / area
    z = _shares(pair)
    num, _ = _ks.perimeter_area_sums(w.indptr, w.indices.astype(np.int64), w.data, z, pa)
    return float(d - num / (2.0 * pa.max()))


# ----------------------------------------------------------------------------
# the local environment: sparse kernel sums


def _kernel_code(kernel, caller):
    if kernel not in _KERNELS:
        raise SegindexValueError(f"{caller}(): kernel must be one of {sorted(_KERNELS)}, got {kernel!r}.")
    return _KERNELS[kernel]


def _support(kernel, bandwidth, truncate, caller):
    if kernel == "biweight":
        return float(bandwidth)
    check_positive(truncate, "truncate", caller)
    return float(truncate) * float(bandwidth)


def _read_groups(data, groups, total, caller):
    counts = read_groups(
        data, groups, total=total, caller=caller, min_groups=1, require_members=False, drop_empty_rest=True
    )
    return counts.values, list(counts.groups)


def _check_bin(bin_size, bandwidth, caller):
    if bin_size is None:
        return None
    if bin_size == "auto":
        return float(bandwidth) / 4.0
    check_positive(bin_size, "bin_size", caller)
    return float(bin_size)


def local_environment(
    data: pd.DataFrame,
    groups: Sequence[Hashable],
    *,
    bandwidth: float,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    kernel: str = "gaussian",
    points: PointsLike = None,
    crs: CRSLike = None,
    truncate: float = GAUSSIAN_TRUNCATE,
    bin_size: float | str | None = None,
) -> pd.DataFrame:
    r"""Each unit's local environment: kernel-weighted counts of every group around it.

    Parameters
    ----------
    data : GeoDataFrame or DataFrame
        One row per unit; counts by group.
    groups : list of column names
    bandwidth : float
        Kernel bandwidth in CRS units (metres).
    total : column name, optional
        Unit totals; where they exceed the groups, the rest is a column ``"(rest)"``.
    kernel : {"gaussian", "biweight", "exponential"}, default "gaussian"
        ``exp(-(d/b)^2/2)`` truncated at ``truncate * b``; ``(1-(d/b)^2)^2`` for
        ``d < b``; ``exp(-d/b)`` truncated at ``truncate * b``.
    points, crs : see :func:`segindex.weights.unit_points`
        Where each unit is (default: the geometry's representative points).
    truncate : float, default 3.0
        Support of the Gaussian and exponential kernels in bandwidths.
    bin_size : None, float or "auto"
        ``None``: exact sums over units. A number: aggregate units to square
        cells of that size first (population-weighted cell centres), which is
        much faster at large bandwidths; every unit then takes its cell's
        environment. ``"auto"`` is ``bandwidth / 4`` (relative error of H̃
        about 1e-4 or less in the tests and on synthetic national data).
    by : column name or list of column names, optional
        Compute within each area (local authority, year), on that area's
        units only: neighbours across an area's edge do not count. Rows keep
        the input's order.

    Returns
    -------
    pandas.DataFrame
        Aligned to ``data.index``; one column per group (and ``"(rest)"``).

    Raises
    ------
    SegindexValueError
        Geographic CRS, a non-positive bandwidth, an unknown kernel; invalid
        counts (as :func:`segindex.as_counts`).

    Notes
    -----
    .. math:: \tilde c_{ig} = \sum_j K(d_{ij}/b)\, c_{jg}, \quad d_{ij} \le r

    including the unit itself (``d_ii = 0``, weight 1). Pairs within the
    support ``r`` come from :class:`scipy.spatial.cKDTree` in chunks of a few
    million pairs, so memory stays bounded.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [0.0, 100.0, 5000.0], "y": [0.0, 0.0, 0.0],
    ...                    "a": [10, 0, 5], "b": [0, 10, 5]})
    >>> env = local_environment(df, ["a", "b"], bandwidth=100, points=("x", "y"), crs=27700)
    >>> [round(float(v), 4) for v in env["a"]]  # exp(-1/2) * 10 reaches unit 1
    [10.0, 6.0653, 5.0]
    """
    if by is not None:
        return _per_area(local_environment, data, by, _options(locals()), per_unit=True)
    caller = "local_environment"
    check_frame(data, caller)
    check_positive(bandwidth, "bandwidth", caller)
    kind = _kernel_code(kernel, caller)
    radius = _support(kernel, bandwidth, truncate, caller)
    values, labels = _read_groups(data, groups, total, caller)
    xy = point_coordinates(data, points, crs, caller)
    out = kernel_sums(xy, values, bandwidth, kind, radius, _check_bin(bin_size, bandwidth, caller))
    return pd.DataFrame(out, index=data.index, columns=labels)


def _information(data, groups, bandwidth, total, kernel, points, crs, truncate, bin_size, caller):
    check_frame(data, caller)
    check_positive(bandwidth, "bandwidth", caller)
    kind = _kernel_code(kernel, caller)
    radius = _support(kernel, bandwidth, truncate, caller)
    values, labels = _read_groups(data, groups, total, caller)
    xy = point_coordinates(data, points, crs, caller)
    local = kernel_sums(xy, values, bandwidth, kind, radius, _check_bin(bin_size, bandwidth, caller))
    h, e, ent, contrib = _ks.spatial_information(values, local)
    if np.isnan(h):
        raise _Undefined(
            f"{caller}(): the whole table holds only one group (entropy 0), so the index is undefined.",
            "only one group is present",
        )
    return h, e, ent, contrib, local, labels


def spatial_information(
    data: pd.DataFrame,
    groups: Sequence[Hashable],
    *,
    bandwidth: float,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    kernel: str = "gaussian",
    points: PointsLike = None,
    crs: CRSLike = None,
    truncate: float = GAUSSIAN_TRUNCATE,
    bin_size: float | str | None = None,
) -> float | pd.Series:
    r"""Reardon & O'Sullivan's spatial information theory index H̃ at one bandwidth.

    Parameters
    ----------
    data, groups, bandwidth, total, kernel, points, truncate, bin_size
        As for :func:`local_environment`.
    by : column name or list of column names, optional
        Compute the index separately in each area (local authority, year),
        each on its own units only: neighbours across an area's edge do not
        count. A Series indexed by area then; NaN, with one
        :class:`~segindex.errors.AbsentGroupWarning`, where the index is
        undefined.

    Returns
    -------
    float or pandas.Series
        A Series indexed by area with ``by``.
        H̃: 0 when every local environment has the city's composition, 1
        when every local environment holds one group only (see Notes on
        small negative values).

    Raises
    ------
    SegindexValueError
        As for :func:`local_environment`; only one group present.

    Notes
    -----
    With ``π̃_ig`` the share of group g in unit i's local environment
    (:func:`local_environment`), ``Ẽ_i = -Σ_g π̃_ig ln π̃_ig`` and ``E`` the
    entropy of the city's composition,

    .. math:: \tilde H = 1 - \sum_i \frac{t_i \tilde E_i}{T E}
              = \sum_i \frac{t_i (E - \tilde E_i)}{T E}

    Each unit's people carry their unit's local environment (a discrete
    version of the paper's integral over space). A bandwidth much smaller than
    the spacing of units gives Theil's aspatial H.

    H̃ is at most 1 but not bounded below by 0: the population-weighted mean
    of the smoothed environments need not equal the city's composition
    (dense, mixed centres are seen by many units; the edge of the study area
    sees only inwards), so at bandwidths comparable to the study area H̃ can
    be slightly negative. Read such values as no segregation at that scale;
    they are reported, not clipped. Above 1 by rounding only (at most 1e-12)
    it is set to 1.

    References
    ----------
    Reardon, S. F. & O'Sullivan, D. (2004). Measures of spatial segregation.
    Sociological Methodology 34(1), 121-162.

    Reardon, S. F. et al. (2008). The geographic scale of metropolitan racial
    segregation. Demography 45(3), 489-514.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [0.0, 100.0, 5000.0, 5100.0], "y": [0.0] * 4,
    ...                    "a": [10, 10, 0, 0], "b": [0, 0, 10, 10]})
    >>> round(spatial_information(df, ["a", "b"], bandwidth=100, points=("x", "y"), crs=27700), 4)
    1.0
    """
    if by is not None:
        return _per_area(spatial_information, data, by, _options(locals()))
    return clamp_unit(
        _information(data, groups, bandwidth, total, kernel, points, crs, truncate, bin_size, "spatial_information")[0],
        low=False,
    )


def local_spatial_information(
    data: pd.DataFrame,
    groups: Sequence[Hashable],
    *,
    bandwidth: float,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    kernel: str = "gaussian",
    points: PointsLike = None,
    crs: CRSLike = None,
    truncate: float = GAUSSIAN_TRUNCATE,
    bin_size: float | str | None = None,
) -> pd.DataFrame:
    """Each unit's local environment and its contribution to H̃.

    Parameters
    ----------
    As for :func:`spatial_information`.
    by : column name or list of column names, optional
        Compute within each area (local authority, year), on that area's
        units only: neighbours across an area's edge do not count. Rows keep
        the input's order.

    Returns
    -------
    pandas.DataFrame
        Aligned to ``data.index``: ``share_<group>`` (the group's share of the
        unit's local environment), ``local_population`` (kernel-weighted),
        ``local_entropy`` (Ẽ_i) and ``contribution`` (``t_i (E - Ẽ_i)/(T E)``;
        the column sums to H̃).

    Raises
    ------
    SegindexValueError
        As for :func:`spatial_information`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [0.0, 100.0, 5000.0], "y": [0.0] * 3,
    ...                    "a": [10, 0, 5], "b": [0, 10, 5]})
    >>> loc = local_spatial_information(df, ["a", "b"], bandwidth=1e-3, points=("x", "y"), crs=27700)
    >>> [round(float(v), 4) for v in loc["contribution"]]  # aspatial H = 2/3
    [0.3333, 0.3333, 0.0]
    """
    if by is not None:
        return _per_area(local_spatial_information, data, by, _options(locals()), per_unit=True)
    h, e, ent, contrib, local, labels = _information(
        data, groups, bandwidth, total, kernel, points, crs, truncate, bin_size, "local_spatial_information"
    )
    lt = local.sum(axis=1)
    shares = np.zeros_like(local)
    np.divide(local, lt[:, None], out=shares, where=lt[:, None] > 0)
    out = pd.DataFrame(shares, index=data.index, columns=[f"share_{g}" for g in labels])
    out["local_population"] = lt
    out["local_entropy"] = ent
    out["contribution"] = contrib
    return out


def _pair_local(data, group, other, total, points, crs, bandwidth, kind, radius, bin_size, caller, col="x"):
    """Kernel sums of the group (``col="x"``) or its comparison (``"y"``), and of the total."""
    check_frame(data, caller)
    pair = read_pair(data, group, other, total, None, caller)
    t = pair.x + pair.y if pair.other is not None or pair.t is None else pair.t
    if pair.x.sum() <= 0:
        raise _Undefined(
            f"{caller}(): group {group!r} has no members in the whole table.", f"group {group!r} has no members"
        )
    xy = point_coordinates(data, points, crs, caller)
    values = np.column_stack([pair.x if col == "x" else pair.y, t])
    local = kernel_sums(xy, values, bandwidth, kind, radius, bin_size)
    return pair, t, local


def spatial_isolation(
    data: pd.DataFrame,
    group: Hashable,
    other: Hashable | None = None,
    *,
    bandwidth: float,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    kernel: str = "gaussian",
    points: PointsLike = None,
    crs: CRSLike = None,
    truncate: float = GAUSSIAN_TRUNCATE,
    bin_size: float | str | None = None,
) -> float | pd.Series:
    r"""Spatial isolation: the group's share of the local environment of its average member.

    Parameters
    ----------
    data, group, other, total
        As for :func:`segindex.isolation` (``other`` restricts the population
        to the two groups).
    bandwidth, kernel, points, truncate, bin_size
        As for :func:`local_environment`.
    by : column name or list of column names, optional
        Compute the index separately in each area (local authority, year),
        each on its own units only: neighbours across an area's edge do not
        count. A Series indexed by area then; NaN, with one
        :class:`~segindex.errors.AbsentGroupWarning`, where the index is
        undefined.

    Returns
    -------
    float or pandas.Series
        A Series indexed by area with ``by``.

    Raises
    ------
    SegindexValueError
        As for :func:`local_environment`; the group is absent.

    Notes
    -----
    .. math:: \tilde P^*_{xx} = \sum_i \frac{x_i}{X}\,\frac{\tilde x_i}{\tilde t_i}

    Reardon & O'Sullivan (2004, "spatial exposure/isolation"); with a tiny
    bandwidth it is the aspatial isolation index.

    Spatial isolation lies in [0, 1]; a value outside it by rounding only (at
    most 1e-12) is set to the bound.

    References
    ----------
    Reardon, S. F. & O'Sullivan, D. (2004). Measures of spatial segregation.
    Sociological Methodology 34(1), 121-162.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [0.0, 100.0], "y": [0.0, 0.0], "a": [10, 0], "b": [0, 10]})
    >>> round(spatial_isolation(df, "a", "b", bandwidth=1e-3, points=("x", "y"), crs=27700), 4)
    1.0
    >>> round(spatial_isolation(df, "a", "b", bandwidth=1e6, points=("x", "y"), crs=27700), 4)
    0.5
    """
    if by is not None:
        return _per_area(spatial_isolation, data, by, _options(locals()))
    caller = "spatial_isolation"
    check_positive(bandwidth, "bandwidth", caller)
    kind = _kernel_code(kernel, caller)
    radius = _support(kernel, bandwidth, truncate, caller)
    pair, t, local = _pair_local(
        data, group, other, total, points, crs, bandwidth, kind, radius, _check_bin(bin_size, bandwidth, caller), caller
    )
    return clamp_unit(
        _ks.local_share_mean(pair.x, np.ascontiguousarray(local[:, 0]), np.ascontiguousarray(local[:, 1]))
    )


def _decay(data, group, other, total, scale, max_distance, points, crs, caller, which):
    check_positive(scale, "scale", caller)
    radius = 10.0 * float(scale) if max_distance is None else max_distance
    check_positive(radius, "max_distance", caller)
    pair, t, local = _pair_local(
        data,
        group,
        other,
        total,
        points,
        crs,
        scale,
        _ks.EXPONENTIAL,
        float(radius),
        None,
        caller,
        "x" if which == "isolation" else "y",
    )
    return clamp_unit(
        _ks.local_share_mean(pair.x, np.ascontiguousarray(local[:, 0]), np.ascontiguousarray(local[:, 1]))
    )


def distance_decay_isolation(
    data: pd.DataFrame,
    group: Hashable,
    other: Hashable | None = None,
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    scale: float = 1000.0,
    max_distance: float | None = None,
    points: PointsLike = None,
    crs: CRSLike = None,
) -> float | pd.Series:
    r"""Morgan's distance-decay isolation index DP*xx.

    Parameters
    ----------
    data, group, other, total
        As for :func:`segindex.isolation`.
    scale : float, default 1000
        Distance scale in CRS units: weights are ``exp(-d / scale)``; with
        metres the default is Morgan's ``exp(-d)`` with d in kilometres.
    max_distance : float, optional
        Truncation distance: pairs farther apart are ignored. Default
        ``10 * scale`` (weight below exp(-10) ≈ 4.5e-5).
    points, crs : see :func:`segindex.weights.unit_points`
    by : column name or list of column names, optional
        Compute the index separately in each area (local authority, year),
        each on its own units only: neighbours across an area's edge do not
        count. A Series indexed by area then; NaN, with one
        :class:`~segindex.errors.AbsentGroupWarning`, where the index is
        undefined.

    Returns
    -------
    float or pandas.Series
        A Series indexed by area with ``by``.

    Raises
    ------
    SegindexValueError
        Geographic CRS, non-positive scale or distance, absent group; as for
        :func:`segindex.isolation`.

    Notes
    -----
    .. math:: DP^*_{xx} = \sum_i \frac{x_i}{X} \sum_j K_{ij} \frac{x_j}{t_j},
              \quad K_{ij} = \frac{c_{ij} t_j}{\sum_k c_{ik} t_k},
              \quad c_{ij} = e^{-d_{ij}/s}

    so the inner sum is ``Σ_j c_ij x_j / Σ_j c_ij t_j``. A unit's distance to
    itself is 0 (weight 1): use population-weighted ``points``. PySAL's
    ``DistanceDecayIsolation`` builds a dense ``n × n`` matrix, normalises
    distances by their row sums and sets ``d_ii = (0.6 a_i)^0.5``; its
    numbers differ from this (the published) form.

    The index lies in [0, 1]; a value outside it by rounding only (at most
    1e-12) is set to the bound (so too for :func:`distance_decay_exposure`).

    References
    ----------
    Morgan, B. S. (1983). A distance-decay based interaction index to measure
    residential segregation. Area 15(3), 211-217.

    Massey, D. S. & Denton, N. A. (1988). The dimensions of residential
    segregation. Social Forces 67(2), 281-315.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [0.0, 1000.0], "y": [0.0, 0.0], "a": [10, 0], "b": [0, 10]})
    >>> round(distance_decay_isolation(df, "a", "b", points=("x", "y"), crs=27700), 4)  # 1 / (1 + e^-1)
    0.7311
    """
    if by is not None:
        return _per_area(distance_decay_isolation, data, by, _options(locals()))
    return _decay(data, group, other, total, scale, max_distance, points, crs, "distance_decay_isolation", "isolation")


def distance_decay_exposure(
    data: pd.DataFrame,
    group: Hashable,
    other: Hashable | None = None,
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    scale: float = 1000.0,
    max_distance: float | None = None,
    points: PointsLike = None,
    crs: CRSLike = None,
) -> float | pd.Series:
    r"""Morgan's distance-decay exposure index DP*xy of the group to ``other`` (or the rest).

    Parameters
    ----------
    As for :func:`distance_decay_isolation`.
    by : column name or list of column names, optional
        Compute the index separately in each area (local authority, year),
        each on its own units only: neighbours across an area's edge do not
        count. A Series indexed by area then; NaN, with one
        :class:`~segindex.errors.AbsentGroupWarning`, where the index is
        undefined.

    Returns
    -------
    float or pandas.Series
        A Series indexed by area with ``by``.

    Raises
    ------
    SegindexValueError
        As for :func:`distance_decay_isolation`.

    Notes
    -----
    .. math:: DP^*_{xy} = \sum_i \frac{x_i}{X}\,
              \frac{\sum_j c_{ij} y_j}{\sum_j c_{ij} t_j}

    References
    ----------
    Morgan, B. S. (1983). A distance-decay based interaction index to measure
    residential segregation. Area 15(3), 211-217.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [0.0, 1000.0], "y": [0.0, 0.0], "a": [10, 0], "b": [0, 10]})
    >>> round(distance_decay_exposure(df, "a", "b", points=("x", "y"), crs=27700), 4)  # e^-1 / (1 + e^-1)
    0.2689
    """
    if by is not None:
        return _per_area(distance_decay_exposure, data, by, _options(locals()))
    return _decay(data, group, other, total, scale, max_distance, points, crs, "distance_decay_exposure", "exposure")


def information_draws(
    data, groups, *, bandwidths, total, kernel, points, crs, truncate, bin_size, isolation=(), caller
):
    """The draws of H̃ (and local isolation) at ``bandwidths`` over a neighbour structure built once.

    For :func:`segindex.infer` and :func:`multiscale_profile` with draws (not
    exported). Returns ``(values, labels, draws)``: the counts the index reads
    (units × groups, with ``"(rest)"``), their labels, and a
    :class:`segindex._neighbours.InformationDraws` over the structure, or
    None when its pairs would not fit the memory budget
    (:data:`segindex._neighbours.STORED_PAIRS`).
    """
    kind = _kernel_code(kernel, caller)
    values, labels = _read_groups(data, groups, total, caller)
    xy = point_coordinates(data, points, crs, caller)
    radii = [_support(kernel, b, truncate, caller) for b in bandwidths]
    bins = [_check_bin(bin_size, b, caller) for b in bandwidths]
    structure = pair_structure(xy, values.sum(axis=1), [float(b) for b in bandwidths], kind, radii, bins)
    if structure is None:
        return values, labels, None
    return values, labels, InformationDraws(structure, [(labels.index(g), labels.index(g)) for g in isolation])


def share_draws(name, arguments, caller):
    """The draws of spatial isolation or distance-decay isolation / exposure over a structure built once.

    For :func:`segindex.infer` (not exported). ``arguments`` are the index's
    bound arguments; the drawn table's columns are the group, then the
    comparison or the rest (and the rest of ``total`` after a comparison), so
    the local population is the first two columns. None where the structure
    cannot be stored: binned spatial isolation (its cells' centres are
    weighted by the drawn counts) or pairs beyond the memory budget.
    """
    a = arguments
    if name == "spatial_isolation":
        if a["bin_size"] is not None:
            return None
        kind = _kernel_code(a["kernel"], caller)
        bandwidth = float(a["bandwidth"])
        radius = _support(a["kernel"], bandwidth, a["truncate"], caller)
    else:
        kind, bandwidth = _ks.EXPONENTIAL, float(a["scale"])
        radius = 10.0 * bandwidth if a["max_distance"] is None else float(a["max_distance"])
    xy = point_coordinates(a["data"], a["points"], a["crs"], caller)
    structure = pair_structure(xy, np.ones(xy.shape[0]), [bandwidth], kind, [radius], [None])
    if structure is None:
        return None
    share = (0, 1) if name == "distance_decay_exposure" else (0, 0)
    return InformationDraws(structure, [share], with_h=False, width=2)


def adjacency_draws(name, arguments, caller):
    """The draws of Morrill's, Wong's or the perimeter-area D over its weights, built once (for :func:`segindex.infer`).

    ``arguments`` are the index's bound arguments (checked by a call of the
    index first); the weights are built exactly as the index builds them.
    """
    a = arguments
    data = a["data"]
    if name == "morrill_dissimilarity":
        w = contiguity_weights(data) if a["w"] is None else check_weights(a["w"], len(data), caller)
        return AdjacencyDraws(w)
    w = _boundary_lengths(data, a["w"], caller)
    if name == "boundary_dissimilarity":
        return AdjacencyDraws(_row_standardise(w) if a["standardise"] else w)
    import shapely

    geoms = geometries(data, caller)[0]
    if a["standardise"] and w.nnz:
        w = w / w.sum()
        w = w.tocsr() if hasattr(w, "tocsr") else w
    return AdjacencyDraws(w, shapely.length(geoms) / shapely.area(geoms))


# ----------------------------------------------------------------------------
# profiles over scale

DEFAULT_BANDWIDTHS = (250, 500, 1000, 2000, 4000, 8000)
DEFAULT_KS = (200, 400, 800, 1600, 3200, 6400, 12800, 25600)


def multiscale_profile(
    data: pd.DataFrame,
    groups: Sequence[Hashable],
    *,
    bandwidths: Sequence[float] = DEFAULT_BANDWIDTHS,
    isolation: Sequence[Hashable] | None = None,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    kernel: str = "gaussian",
    points: PointsLike = None,
    crs: CRSLike = None,
    truncate: float = GAUSSIAN_TRUNCATE,
    bin_size: float | str | None = None,
    n_draws: int | None = None,
    random_state: int | np.random.Generator | np.random.SeedSequence | None = None,
    ci: float = 0.95,
    progress: bool | None = None,
    client: object | None = None,
    block_size: int | None = None,
    method: str | None = None,
) -> pd.DataFrame:
    r"""H̃ (and spatial isolation of chosen groups) over a series of bandwidths, with optional inference.

    Parameters
    ----------
    data, groups, total, kernel, points, truncate, bin_size
        As for :func:`spatial_information` (``bin_size="auto"`` bins at a
        quarter of each bandwidth).
    bandwidths : sequence of float, default (250, 500, 1000, 2000, 4000, 8000)
        In CRS units (metres).
    isolation : list of column names, optional
        Groups (among ``groups``) whose spatial isolation (against everyone in
        ``groups`` and the rest) to add at each bandwidth.
    by : column name or list of column names, optional
        Compute the profile in each area (local authority, year), on that
        area's units only; the table then starts with an ``area`` column (and
        one column per key when there are several). With ``n_draws`` each
        area is its own problem, seeded from ``random_state`` and the area's
        position (``numpy.random.SeedSequence(random_state).spawn``), and with
        ``client`` each area is one task.
    n_draws : int, optional
        Add a randomisation test and a bootstrap of every row, each with
        ``n_draws`` draws (as :func:`segindex.segregation_table` does). Each
        drawn table is evaluated at every bandwidth, so the drawn profile is
        coherent across scales.
    random_state : None, int, numpy.random.Generator or numpy.random.SeedSequence
        Seeds the draws (randomisation first, then the bootstrap). The same
        value gives the same table for any number of threads, workers and
        blocks.
    ci : float, default 0.95
        Coverage of the bootstrap interval.
    progress : None or bool
        One progress display for all the draws (see :func:`segindex.infer`).
    client : dask.distributed.Client, optional
        Run blocks of draws as tasks on a Dask cluster (the data and the
        neighbour structure are sent to every worker once per method); the
        result is the local one, bit for bit.
    block_size : int, optional
        Draws per block (per task with ``client``); never changes the result.
    method : None, "randomisation" or "bootstrap", default None
        With ``n_draws``: None runs both (the randomisation test, then the
        bootstrap, as :func:`segindex.segregation_table`); a method name runs
        that one only (half the draws), and only its columns are added.

    Returns
    -------
    pandas.DataFrame
        Tidy: ``bandwidth, index, group, value`` with ``index`` "H" (group
        "(all)") or "isolation". With ``n_draws`` then ``expected``,
        ``corrected``, ``p_value`` (randomisation), ``bias_corrected``,
        ``bootstrap_mean``, ``se``, ``ci_low``, ``ci_high`` (bootstrap), then
        ``count`` (everyone for the H rows, the group's people for the
        isolation rows), ``small_group`` (``count`` below 100) and, with the
        randomisation test, ``high_expected`` (the expected value is more
        than half the measured one), as in :func:`segindex.segregation_table`.

    Raises
    ------
    SegindexValueError
        As for :func:`spatial_information`; empty bandwidths; an isolation
        group not in ``groups``; ``n_draws`` below 1, ``ci`` outside (0, 1),
        ``block_size`` below 1; counts that are not whole numbers (with
        ``n_draws``); neighbour pairs beyond the memory budget of the draws
        (with ``n_draws`` and no ``bin_size``: pass ``bin_size="auto"``).
    SegindexTypeError
        ``n_draws``, ``random_state``, ``progress``, ``client`` or
        ``block_size`` of the wrong type.

    Notes
    -----
    With ``π̃_ig`` the share of group g in the local environment of unit i
    (:func:`local_environment`) at bandwidth b, ``Ẽ_i`` its entropy and ``E``
    the city's,

    .. math:: \tilde H(b) = \sum_i \frac{t_i (E - \tilde E_i)}{T E}, \qquad
              \tilde P^*_g(b) = \sum_i \frac{x_{ig}}{X_g} \tilde\pi_{ig}.

    The draws (``n_draws``) redraw the counts of every unit, keeping its size,
    as :func:`segindex.infer` does: under random allocation (Carrington &
    Troske 1997: ``expected``, ``corrected``, the one-sided ``p_value``) and
    by the bootstrap (Allen et al. 2015: ``bias_corrected``, ``se`` and the
    interval centred on ``bias_corrected``). The local environment is linear
    in the counts, so the cells, the pairs of cells within the support and
    their kernel weights are built once per bandwidth, and each drawn table
    costs one pass over the stored pairs at every bandwidth (memory: 12 bytes
    a pair; about 0.4 GB for 30 million pairs). Draw ``d`` of a row is the
    index ``segindex.infer`` gives for its ``d``-th table with the same
    ``random_state`` (randomisation; the bootstrap follows on the same
    generator).

    References
    ----------
    Reardon, S. F. et al. (2008). The geographic scale of metropolitan racial
    segregation. Demography 45(3), 489-514.

    Carrington, W. J. & Troske, K. R. (1997). On measuring segregation in
    samples with small units. Journal of Business & Economic Statistics
    15(4), 402-409.

    Allen, R., Burgess, S., Davidson, R. & Windmeijer, F. (2015). More
    reliable inference for the dissimilarity index of segregation. The
    Econometrics Journal 18(1), 40-66.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [0.0, 100.0, 5000.0, 5100.0], "y": [0.0] * 4,
    ...                    "a": [10, 0, 0, 10], "b": [0, 10, 10, 0]})
    >>> prof = multiscale_profile(df, ["a", "b"], bandwidths=[1, 1000], points=("x", "y"), crs=27700)
    >>> [round(float(v), 4) for v in prof["value"]]  # H falls as the scale grows
    [1.0, 0.0]
    >>> mixed = df.assign(a=[40, 35, 5, 10], b=[10, 15, 45, 40])
    >>> drawn = multiscale_profile(mixed, ["a", "b"], bandwidths=[100, 10000], points=("x", "y"), crs=27700,
    ...                            n_draws=99, random_state=0)
    >>> round(float(drawn["value"][0]), 4), round(float(drawn["expected"][0]), 4)  # H at 100 m, and by chance
    (0.285, 0.0045)
    >>> float(drawn["p_value"][0])  # (0 + 1) / (99 + 1): no random allocation is as segregated
    0.01
    >>> bool(drawn["ci_low"][0] < drawn["bias_corrected"][0] < drawn["ci_high"][0])
    True
    """
    if by is not None:
        return _per_area(multiscale_profile, data, by, _options(locals()))
    caller = "multiscale_profile"
    check_frame(data, caller)
    if n_draws is not None:
        if method is not None and (not isinstance(method, str) or method not in ("randomisation", "bootstrap")):
            raise SegindexValueError(
                f"{caller}(): the 'method' parameter must be None (both), 'randomisation' or 'bootstrap', "
                f"got {method!r}."
            )
        check_options(caller, "randomisation", n_draws, ci, "binomial", random_state, progress)
        client = check_client(client, caller)
        block_size = check_block_size(block_size, caller)
    bws = [b for b in bandwidths] if not np.isscalar(bandwidths) else [bandwidths]
    if not bws:
        raise SegindexValueError(f"{caller}(): bandwidths is empty; give at least one bandwidth in metres.")
    for b in bws:
        check_positive(b, "each bandwidth", caller)
    kind = _kernel_code(kernel, caller)
    values, labels = _read_groups(data, groups, total, caller)
    iso = [] if isolation is None else list(isolation)
    for g in iso:
        check_label(g, "isolation", caller)
        if g not in labels:
            raise SegindexValueError(f"{caller}(): isolation group {g!r} is not among groups {list(groups)!r}.")
    if n_draws is not None:
        src = whole_counts(values, labels, caller)
        opts = dict(total=total, kernel=kernel, points=points, crs=crs, truncate=truncate, bin_size=bin_size)
        draws = dict(n_draws=n_draws, random_state=random_state, ci=ci, progress=progress, client=client)
        return _profile_draws(data, groups, bws, iso, src, labels, opts, draws, block_size, method, caller)
    xy = point_coordinates(data, points, crs, caller)
    rows = []
    for b in bws:
        radius = _support(kernel, b, truncate, caller)
        local = kernel_sums(xy, values, b, kind, radius, _check_bin(bin_size, b, caller))
        h = clamp_unit(_ks.spatial_information(values, local)[0], low=False)
        rows.append((float(b), "H", "(all)", float(h)))
        lt = np.ascontiguousarray(local.sum(axis=1))
        for g in iso:
            c = labels.index(g)
            v = _ks.local_share_mean(np.ascontiguousarray(values[:, c]), np.ascontiguousarray(local[:, c]), lt)
            rows.append((float(b), "isolation", g, clamp_unit(v)))
    return pd.DataFrame(rows, columns=["bandwidth", "index", "group", "value"])


def _profile_draws(data, groups, bws, iso, src, labels, opts, draws, block_size, method, caller):
    """:func:`multiscale_profile` with draws (arguments already checked).

    The observed profile comes from the stored structure too: one pass, the
    sums of the plain profile taken in another order (equal to about 1e-15).
    """
    n_draws, random_state, ci = draws["n_draws"], draws["random_state"], draws["ci"]
    progress, client = draws["progress"], draws["client"]
    batch = information_draws(data, groups, bandwidths=bws, isolation=iso, caller=caller, **opts)[2]
    if batch is None:
        raise SegindexValueError(
            f"{caller}(): the draws store the pairs of units within the support at every bandwidth, and these "
            f"bandwidths hold more than {_neighbours.STORED_PAIRS:,} pairs; pass bin_size='auto' (cells of a quarter "
            "bandwidth) or a bin_size in metres."
        )
    rows = [row for b in bws for row in [(float(b), "H", "(all)")] + [(float(b), "isolation", g) for g in iso]]
    profile = pd.DataFrame(rows, columns=["bandwidth", "index", "group"])
    profile["value"] = batch.evaluate(src.astype(float))
    everyone = float(src.sum())
    count = np.array([everyone if g == "(all)" else float(src[:, labels.index(g)].sum()) for g in profile["group"]])
    # one table, its statistics (H and isolation at every bandwidth) in the place of areas
    problem = Problem(
        name=caller,
        src=src,
        codes=np.empty(0, dtype=np.int64),
        n_areas=len(profile),
        areas=None,
        by=None,
        param=0.0,
        statistic=profile["value"].to_numpy(dtype=float),
        count=count,
        batch=batch,
    )
    n = int(n_draws)
    rng = default_rng(random_state, caller)
    options = dict(client=client, block_size=block_size)
    methods = ("randomisation", "bootstrap") if method is None else (method,)
    results = {}
    with Progress(caller, len(methods) * work_of(problem, n), len(methods) * n, progress) as shown:
        for m in methods:
            results[m] = run(problem, m, n, rng, float(ci), "binomial", shown, caller, **options)
    from .table import INFERENCE_COLUMNS  # the table's contract (imported here: table imports the registry)

    for name in INFERENCE_COLUMNS:
        m = "randomisation" if name in ("expected", "corrected", "p_value") else "bootstrap"
        if m in results:
            profile[name] = np.atleast_1d(getattr(results[m], name))
    profile["count"] = count.astype(np.int64)
    expected = profile["expected"].to_numpy() if "randomisation" in results else None
    marks = flags(count, profile["value"].to_numpy(), expected)
    for name in marks.columns:
        profile[name] = marks[name].to_numpy()
    return profile


def _bespoke_local(xy, values, pop, k, caller):
    from scipy.spatial import cKDTree

    n = xy.shape[0]
    total = pop.sum()
    if k > total:
        raise SegindexValueError(f"{caller}(): k = {k:g} people is more than the whole population ({total:g}).")
    tree = cKDTree(xy)
    positive = pop[pop > 0]
    m = int(min(n, max(2, np.ceil(k / np.median(positive)) * 2 + 1)))
    out = np.zeros((n, values.shape[1]))
    todo = np.arange(n)
    while todo.size:
        _, idx = tree.query(xy[todo], k=m)
        idx = np.ascontiguousarray(idx.reshape(todo.size, m), dtype=np.int64)
        got, reached = _ks.bespoke_counts(idx, values, pop, float(k))
        out[todo] = got
        if m >= n:
            break
        todo = todo[~reached]
        m = min(n, m * 2)
    return out


def bespoke_profile(
    data: pd.DataFrame,
    group: Hashable,
    other: Hashable | None = None,
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    ks: Sequence[float] = DEFAULT_KS,
    points: PointsLike = None,
    crs: CRSLike = None,
) -> pd.DataFrame:
    r"""D and isolation over bespoke neighbourhoods of the k nearest people (Östh, Clark & Malmberg 2015).

    Parameters
    ----------
    data, group, other, total
        As for :func:`segindex.dissimilarity`.
    ks : sequence of numbers, default 200, 400, ..., 25 600
        Neighbourhood sizes in people.
    points, crs : see :func:`segindex.weights.unit_points`
        Use population-weighted centroids where available.
    by : column name or list of column names, optional
        Compute the profile in each area (local authority, year), on that
        area's units only; the table then starts with an ``area`` column (and
        one column per key when there are several).

    Returns
    -------
    pandas.DataFrame
        Tidy: ``k, index, value`` with ``index`` in ``("D", "isolation")``.

    Raises
    ------
    SegindexValueError
        A k larger than the population or not positive; as for
        :func:`segindex.dissimilarity`.

    Notes
    -----
    Around each unit's point, units are taken nearest first (the unit itself
    first) and their people accumulated until exactly k (a fraction of the
    last unit). With ``p̃_i`` the group's share of unit i's neighbourhood,
    each unit's people take that composition:
    ``x'_i = t_i p̃_i``, ``y'_i = t_i (1 - p̃_i)``, and

    .. math:: D_k = \tfrac12 \sum_i \left|\frac{x'_i}{X'} - \frac{y'_i}{Y'}\right|,
              \qquad P^*_k = \sum_i \frac{x_i}{X}\, \tilde p_i

    Here ``t_i = x_i + y_i``. Units are the smallest building blocks: a unit
    whose population exceeds k is cut to its k nearest people only through
    the fraction rule, so k below the unit size measures unit composition.

    References
    ----------
    Östh, J., Clark, W. A. V. & Malmberg, B. (2015). Measuring the scale of
    segregation using k-nearest neighbor aggregates. Geographical Analysis
    47(1), 34-49.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [0.0, 1.0, 10.0, 11.0], "y": [0.0] * 4,
    ...                    "a": [10, 10, 0, 0], "b": [0, 0, 10, 10]})
    >>> prof = bespoke_profile(df, "a", "b", ks=[20, 40], points=("x", "y"), crs=27700)
    >>> prof["index"].tolist()
    ['D', 'D', 'isolation', 'isolation']
    >>> [round(float(v), 4) for v in prof["value"]]  # k=40 reaches the other side: all mixed
    [1.0, 0.0, 1.0, 0.5]
    """
    if by is not None:
        return _per_area(bespoke_profile, data, by, _options(locals()))
    caller = "bespoke_profile"
    check_frame(data, caller)
    pair = read_pair(data, group, other, total, None, caller)
    xy = point_coordinates(data, points, crs, caller)
    kk = list(ks) if not np.isscalar(ks) else [ks]
    if not kk:
        raise SegindexValueError(f"{caller}(): ks is empty; give at least one neighbourhood size.")
    for k in kk:
        check_positive(k, "each k", caller)
    x, y = pair.x, pair.y
    t = x + y
    X = x.sum()
    if X <= 0 or y.sum() <= 0:
        raise _Undefined(
            f"{caller}(): {group!r} or its comparison has no members.", f"{group!r} or its comparison has no members"
        )
    values = np.ascontiguousarray(np.column_stack([x, y]))
    rows = []
    for k in kk:
        local = _bespoke_local(xy, values, t, float(k), caller)
        lt = local.sum(axis=1)
        p = np.zeros(len(t))
        np.divide(local[:, 0], lt, out=p, where=lt > 0)
        xs, ys = t * p, t * (1 - p)
        d = 0.5 * np.abs(xs / xs.sum() - ys / ys.sum()).sum()
        iso = float((x / X * p).sum())
        rows.append((float(k), "D", clamp_unit(d)))
        rows.append((float(k), "isolation", clamp_unit(iso)))
    return pd.DataFrame(rows, columns=["k", "index", "value"]).sort_values(["index", "k"], ignore_index=True)


# ----------------------------------------------------------------------------
# registry entries (segindex.indices.registry): computed by their function on each table

from .registry import IndexSpec, register  # noqa: E402

register(IndexSpec("morrill_dissimilarity", "spatial", morrill_dissimilarity, reference="Morrill 1991"))
register(IndexSpec("boundary_dissimilarity", "spatial", boundary_dissimilarity, reference="Wong 1993"))
register(IndexSpec("perimeter_area_dissimilarity", "spatial", perimeter_area_dissimilarity, reference="Wong 1993"))
register(IndexSpec("spatial_isolation", "spatial", spatial_isolation, reference="Reardon & O'Sullivan 2004"))
register(
    IndexSpec(
        "spatial_information",
        "spatial",
        spatial_information,
        bounds=(-np.inf, 1.0),
        comparison="multigroup",
        reference="Reardon & O'Sullivan 2004",
    )
)
register(IndexSpec("distance_decay_isolation", "spatial", distance_decay_isolation, reference="Morgan 1983"))
register(
    IndexSpec(
        "distance_decay_exposure",
        "spatial",
        distance_decay_exposure,
        bounds=None,
        higher_is_more_segregated=False,
        reference="Morgan 1983",
    )
)
