"""Spatial weights as SciPy sparse matrices.

Every builder returns a :class:`scipy.sparse.csr_array` of shape ``(n, n)``
whose row and column ``i`` is the ``i``-th unit of the input, in the input's
order; the diagonal is empty (a unit is not its own neighbour). Neighbour
search uses shapely's :class:`~shapely.STRtree` (contiguity) and
:class:`scipy.spatial.cKDTree` (distances, nearest neighbours): no all-pairs
loop and no dense ``n × n`` array.

Distances are only meaningful in a projected coordinate reference system
(metres; EPSG:27700, the British National Grid, for Britain). Every builder
that measures (distance bands, nearest neighbours, boundary lengths) refuses
a geographic or missing CRS with a message saying how to set or reproject it
(:func:`segindex.counts.check_projected`, the one rule of the package); a plain
DataFrame with ``points=`` columns needs ``crs=``.

PySAL users can move between these matrices and ``libpysal.weights.W`` with
:func:`from_libpysal` and :func:`to_libpysal` (libpysal is imported only there).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .counts import (
    CRSLike,
    PointsLike,
    check_geometries,
    check_projected,
    geometries,
    point_coordinates,
    warn_at_caller,
)
from .errors import DataQualityWarning, SegindexTypeError, SegindexValueError

if TYPE_CHECKING:  # pragma: no cover - annotations only
    import geopandas as gpd
    import libpysal

__all__ = [
    "contiguity_weights",
    "distance_band_weights",
    "knn_weights",
    "unit_points",
    "from_libpysal",
    "to_libpysal",
]


# ----------------------------------------------------------------------------
# input helpers


def unit_points(data: pd.DataFrame | gpd.GeoSeries, *, points: PointsLike = None, crs: CRSLike = None) -> np.ndarray:
    """The ``(n, 2)`` coordinates standing for each unit, in a projected CRS.

    Parameters
    ----------
    data : GeoDataFrame, GeoSeries or DataFrame
        The units.
    points : None, pair of column names, or array of shape (n, 2)
        ``None``: the geometry's points (each polygon's representative point,
        which lies inside it, unlike a centroid); two column names such as
        ``("easting", "northing")``: those columns; an array: used as given,
        for example population-weighted centroids.
    crs : anything ``pyproj.CRS.from_user_input`` reads, optional
        The CRS of ``points`` when ``data`` is a plain DataFrame (required
        then: ``crs=27700`` for British National Grid). A GeoDataFrame's
        ``points`` columns and arrays are in its own CRS.

    Returns
    -------
    numpy.ndarray
        Float64, C-contiguous, shape ``(n, 2)``.

    Raises
    ------
    SegindexValueError
        A geographic or missing CRS (``data.to_crs(27700)`` / ``data.set_crs(...)``;
        ``crs=`` for a plain DataFrame), ``points`` columns named like
        longitude/latitude (``LONG_``, ``LAT``, ``lon`` ...), wrong shape,
        missing or non-finite coordinates.
    SegindexTypeError
        No geometry and no ``points``.

    Notes
    -----
    The CRS is judged by its definition and the column names, never by the
    range of the coordinates.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"e": [0.0, 100.0], "n": [0.0, 50.0]})
    >>> unit_points(df, points=("e", "n"), crs=27700).tolist()
    [[0.0, 0.0], [100.0, 50.0]]
    """
    return point_coordinates(data, points, crs, "unit_points")


def _csr(rows, cols, vals, n) -> sp.csr_array:
    w = sp.csr_array((np.asarray(vals, dtype=np.float64), (rows, cols)), shape=(n, n))
    w.sum_duplicates()
    w.sort_indices()
    return w


# ----------------------------------------------------------------------------
# builders


def contiguity_weights(
    data: gpd.GeoDataFrame | gpd.GeoSeries | Sequence, kind: str = "queen", *, value: str = "binary"
) -> sp.csr_array:
    """Contiguity weights between polygons: queen or rook, binary or boundary length.

    Parameters
    ----------
    data : GeoDataFrame, GeoSeries or array of shapely polygons
        The units, in the order of the matrix.
    kind : {"queen", "rook"}, default "queen"
        Queen: units whose polygons touch anywhere (a shared corner suffices).
        Rook: units sharing a stretch of boundary of positive length.
    value : {"binary", "length"}, default "binary"
        ``"binary"``: weight 1 for each neighbour pair; ``"length"``: the length
        of the shared boundary (in CRS units; pairs touching only at a point
        get no entry), as Wong's D(w) uses.

    Returns
    -------
    scipy.sparse.csr_array
        Symmetric ``(n, n)`` matrix, empty diagonal, rows in the input order.

    Raises
    ------
    SegindexValueError
        Unknown ``kind``/``value``; a missing or empty geometry; lengths
        requested in a geographic or missing CRS.
    SegindexTypeError
        ``data`` holds no geometries.

    Notes
    -----
    Candidate pairs come from a shapely :class:`~shapely.STRtree` query with the
    ``intersects`` predicate; for rook and length weights the length of the
    intersection of the two boundaries is computed (vectorised GEOS). Polygons
    that overlap count as queen neighbours, with a
    :class:`~segindex.errors.DataQualityWarning` naming the first overlapping
    pair and the area they share (shared boundaries are not overlaps). The
    check looks up each polygon's interior point in the STRtree, which is
    cheap: it finds duplicates, polygons inside others and overlaps reaching
    a polygon's interior point, not a thin overlap along a border. Binary
    weights only test whether polygons touch and need no CRS; boundary
    lengths (``value="length"``) need a projected one. Boundaries that do not meet
    exactly (gaps, slivers from generalisation) do not make neighbours: build
    weights from topologically clean boundaries.

    Examples
    --------
    >>> from shapely import box
    >>> cells = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(1, 1, 2, 2)]
    >>> contiguity_weights(cells).toarray().tolist()
    [[0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.0]]
    >>> contiguity_weights(cells, "rook").toarray().tolist()
    [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    import shapely

    caller = "contiguity_weights"
    if kind not in ("queen", "rook"):
        raise SegindexValueError(f"{caller}(): kind must be 'queen' or 'rook', got {kind!r}.")
    if value not in ("binary", "length"):
        raise SegindexValueError(f"{caller}(): value must be 'binary' or 'length', got {value!r}.")
    geoms, crs = geometries(data, caller)
    check_geometries(geoms, caller)
    if value == "length":
        check_projected(crs, "'data'", caller, measures="boundary lengths")
    n = geoms.shape[0]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    warn_overlaps(data, geoms, tree, caller)
    if kind == "rook" or value == "length":
        bounds = shapely.boundary(geoms)
        shared = shapely.length(shapely.intersection(bounds[left], bounds[right]))
        keep = shared > 0.0
        left, right, shared = left[keep], right[keep], shared[keep]
        vals = shared if value == "length" else np.ones(left.shape[0])
    else:
        vals = np.ones(left.shape[0])
    rows = np.concatenate([left, right])
    cols = np.concatenate([right, left])
    return _csr(rows, cols, np.concatenate([vals, vals]), n)


#: Overlaps smaller than this share of the smaller polygon's area are rounding in the boundaries, not overlaps.
OVERLAP_TOLERANCE = 1e-6


def warn_overlaps(data, geoms, tree, caller: str) -> None:
    """Warn (DataQualityWarning) if two polygons overlap, naming the first pair and the area they share.

    Shared boundaries are not overlaps. Each polygon's interior point
    (``point_on_surface``) is looked up in the STRtree of the polygons; a
    point that also falls in another polygon marks a candidate pair, whose
    intersection area is then measured (only those pairs: clean data cost one
    point query). This finds duplicates, polygons inside others and overlaps
    that reach a polygon's interior point; a thin overlap along a border
    that reaches none is not reported.
    """
    import shapely

    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))  # Polygon, MultiPolygon
    if polygonal.sum() < 2:
        return
    inner = np.flatnonzero(polygonal)
    points = shapely.point_on_surface(geoms[inner])
    p, other = tree.query(points, predicate="intersects")
    own = inner[p]
    keep = (own != other) & polygonal[other]
    if not keep.any():
        return
    n = len(geoms)
    key = np.unique(np.minimum(own[keep], other[keep]).astype(np.int64) * n + np.maximum(own[keep], other[keep]))
    a, b = key // n, key % n
    shared = shapely.area(shapely.intersection(geoms[a], geoms[b]))
    real = shared > OVERLAP_TOLERANCE * np.minimum(shapely.area(geoms[a]), shapely.area(geoms[b]))
    if not real.any():
        return
    k = int(np.flatnonzero(real)[0])
    i, j = int(a[k]), int(b[k])
    labels = data.index if isinstance(data, (pd.DataFrame, pd.Series)) else None
    name = (lambda r: f"{labels[r]!r} (row {r})") if labels is not None else (lambda r: f"row {r}")
    warn_at_caller(
        f"{caller}(): polygons overlap: {name(i)} and {name(j)} share an area of {shared[k]:.6g} square CRS "
        f"units ({int(real.sum())} overlapping pair{'s' if real.sum() > 1 else ''} found). Overlapping "
        "polygons become neighbours though they do not border, and their people may be counted twice; "
        "repair the boundaries (clip or dissolve the overlaps) before building weights.",
        DataQualityWarning,
    )


def distance_band_weights(
    data: pd.DataFrame | gpd.GeoSeries,
    distance: float,
    *,
    points: PointsLike = None,
    crs: CRSLike = None,
    value: str = "binary",
) -> sp.csr_array:
    """Units within a distance of each other: binary or inverse-distance weights.

    Parameters
    ----------
    data : GeoDataFrame, GeoSeries or DataFrame
        The units (points, or polygons represented by their representative
        points).
    distance : float
        The band, in CRS units (metres in EPSG:27700); pairs with
        ``d_ij <= distance`` are neighbours.
    points : see :func:`unit_points`
        Where the units are, when not their geometry.
    crs : see :func:`unit_points`
        The CRS of ``points`` columns of a plain DataFrame (required then).
    value : {"binary", "distance", "inverse"}, default "binary"
        The weight stored: 1, ``d_ij``, or ``1 / d_ij`` (coincident points
        with ``"inverse"`` are an error).

    Returns
    -------
    scipy.sparse.csr_array

    Raises
    ------
    SegindexValueError
        Geographic or missing CRS (reproject with ``data.to_crs(27700)``, or
        give ``crs=``), a non-positive distance, bad points, or coincident
        points with ``value="inverse"``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [0.0, 300.0, 1000.0], "y": [0.0, 400.0, 0.0]})
    >>> distance_band_weights(df, 600, points=("x", "y"), crs=27700, value="distance").toarray().tolist()
    [[0.0, 500.0, 0.0], [500.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    from scipy.spatial import cKDTree

    caller = "distance_band_weights"
    check_positive(distance, "distance", caller)
    if value not in ("binary", "distance", "inverse"):
        raise SegindexValueError(f"{caller}(): value must be 'binary', 'distance' or 'inverse', got {value!r}.")
    xy = point_coordinates(data, points, crs, caller)
    n = xy.shape[0]
    tree = cKDTree(xy)
    pairs = tree.sparse_distance_matrix(tree, float(distance), output_type="ndarray")
    i, j, d = pairs["i"], pairs["j"], pairs["v"]
    off = i != j  # the ndarray output keeps zero distances (coincident points), so only drop self-pairs
    i, j, d = i[off], j[off], d[off]
    if value == "binary":
        vals = np.ones(i.shape[0])
    elif value == "distance":
        vals = d
    else:
        if (d == 0).any():
            raise SegindexValueError(
                f"{caller}(): some units share the same point, so inverse-distance weights are infinite; "
                "use value='binary' or move the points apart."
            )
        vals = 1.0 / d
    w = sp.csr_array((vals, (i, j)), shape=(n, n))
    w.sort_indices()
    return w


def knn_weights(
    data: pd.DataFrame | gpd.GeoSeries, k: int, *, points: PointsLike = None, crs: CRSLike = None
) -> sp.csr_array:
    """Each unit's ``k`` nearest other units (binary; not symmetric in general).

    Parameters
    ----------
    data : GeoDataFrame, GeoSeries or DataFrame
        The units.
    k : int
        Number of neighbours, ``1 <= k < n``.
    points, crs : see :func:`unit_points`

    Returns
    -------
    scipy.sparse.csr_array
        Row ``i`` has ones at the ``k`` nearest units to unit ``i``. Ties at
        the ``k``-th distance are broken by the k-d tree's order.

    Raises
    ------
    SegindexValueError
        Geographic or missing CRS, ``k`` out of range, bad points.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [0.0, 1.0, 5.0], "y": [0.0, 0.0, 0.0]})
    >>> knn_weights(df, 1, points=("x", "y"), crs=27700).toarray().tolist()
    [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    from scipy.spatial import cKDTree

    caller = "knn_weights"
    xy = point_coordinates(data, points, crs, caller)
    n = xy.shape[0]
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k < n:
        raise SegindexValueError(f"{caller}(): k must be an integer from 1 to n - 1 = {n - 1}, got {k!r}.")
    _, idx = cKDTree(xy).query(xy, k=k + 1)
    rows = np.repeat(np.arange(n), k + 1)
    cols = idx.ravel()
    keep = cols != rows
    # where coincident points push a unit out of its own first slot, drop the farthest extra
    rows, cols = rows[keep], cols[keep]
    counts = np.bincount(rows, minlength=n)
    if (counts > k).any():
        order = np.argsort(rows, kind="stable")
        rows, cols = rows[order], cols[order]
        rank = np.arange(rows.shape[0]) - np.repeat(np.cumsum(counts) - counts, counts)
        rows, cols = rows[rank < k], cols[rank < k]
    w = sp.csr_array((np.ones(rows.shape[0]), (rows, cols)), shape=(n, n))
    w.sort_indices()
    return w


def check_positive(value, name: str, caller: str) -> None:
    """Raise unless ``value`` is a finite positive number."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.integer, np.floating))
        or not np.isfinite(value)
        or value <= 0
    ):
        raise SegindexValueError(f"{caller}(): {name} must be a positive number, got {value!r}.")


def check_weights(w, n: int, caller: str) -> sp.csr_array:
    """A square sparse matrix of the right size, as a float64 CSR array with sorted indices."""
    if not (sp.issparse(w)):
        raise SegindexTypeError(
            f"{caller}(): the 'w' parameter must be a scipy.sparse matrix (e.g. from "
            f"segindex.weights.contiguity_weights), got {type(w).__name__} instead. Convert a "
            "libpysal W with segindex.weights.from_libpysal(w)."
        )
    if w.shape != (n, n):
        raise SegindexValueError(
            f"{caller}(): the weights matrix has shape {w.shape}, but the data have {n} units; "
            f"it must be ({n}, {n}) with rows in the data's order."
        )
    w = sp.csr_array(w, dtype=np.float64)
    w.sort_indices()
    if w.nnz and (not np.isfinite(w.data).all() or (w.data < 0).any()):
        raise SegindexValueError(f"{caller}(): the weights must be finite and non-negative.")
    return w


# ----------------------------------------------------------------------------
# libpysal interoperability


def from_libpysal(w: libpysal.weights.W, *, ids: Sequence | None = None) -> sp.csr_array:
    """A ``libpysal.weights.W`` as a CSR array.

    Parameters
    ----------
    w : libpysal.weights.W
    ids : sequence, optional
        The unit order wanted (e.g. ``data.index``); default ``w.id_order``.

    Returns
    -------
    scipy.sparse.csr_array

    Raises
    ------
    SegindexTypeError
        ``w`` is not a libpysal W.
    SegindexValueError
        ``ids`` do not match the W's ids.

    Examples
    --------
    >>> from libpysal.weights import W
    >>> w = W({"a": ["b"], "b": ["a", "c"], "c": ["b"]})
    >>> from_libpysal(w).toarray().tolist()
    [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    caller = "from_libpysal"
    if not (hasattr(w, "neighbors") and hasattr(w, "weights") and hasattr(w, "id_order")):
        raise SegindexTypeError(f"{caller}(): expected a libpysal.weights.W, got {type(w).__name__} instead.")
    order = list(w.id_order) if ids is None else list(ids)
    if set(order) != set(w.neighbors) or len(order) != len(w.neighbors):
        raise SegindexValueError(
            f"{caller}(): ids must be exactly the W's {len(w.neighbors)} ids (in any order), got {len(order)} ids."
        )
    pos = {key: p for p, key in enumerate(order)}
    rows, cols, vals = [], [], []
    for key in order:
        nbrs = w.neighbors[key]
        rows.extend([pos[key]] * len(nbrs))
        cols.extend(pos[j] for j in nbrs)
        vals.extend(w.weights[key])
    n = len(order)
    return _csr(np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64), vals, n)


def to_libpysal(w: sp.sparray | sp.spmatrix, *, ids: Sequence | None = None) -> libpysal.weights.W:
    """A sparse weights matrix as a ``libpysal.weights.W`` (libpysal imported here).

    Parameters
    ----------
    w : scipy.sparse matrix
    ids : sequence, optional
        Unit ids in row order (e.g. ``data.index``); default ``0 .. n-1``.

    Returns
    -------
    libpysal.weights.W

    Raises
    ------
    ImportError
        libpysal is not installed (``pip install libpysal``).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> w = to_libpysal(sp.csr_array([[0.0, 1.0], [1.0, 0.0]]), ids=["a", "b"])
    >>> w.neighbors
    {'a': ['b'], 'b': ['a']}
    """
    caller = "to_libpysal"
    try:
        from libpysal.weights import W
    except ImportError as exc:  # pragma: no cover - libpysal comes with the dev extras
        raise ImportError(f"{caller}() needs libpysal: pip install libpysal") from exc
    if not sp.issparse(w) or w.shape[0] != w.shape[1]:
        raise SegindexTypeError(f"{caller}(): expected a square scipy.sparse matrix, got {type(w).__name__}.")
    w = sp.csr_array(w, dtype=np.float64)
    n = w.shape[0]
    labels = list(range(n)) if ids is None else list(ids)
    if len(labels) != n:
        raise SegindexValueError(f"{caller}(): {len(labels)} ids given for {n} rows.")
    neighbors, weights = {}, {}
    for i in range(n):
        start, stop = w.indptr[i], w.indptr[i + 1]
        neighbors[labels[i]] = [labels[j] for j in w.indices[start:stop]]
        weights[labels[i]] = w.data[start:stop].tolist()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal warns about islands; the matrix says it
        return W(neighbors, weights, id_order=labels, silence_warnings=True)
