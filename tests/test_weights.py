"""Spatial weights: contiguity, distance band, k nearest neighbours, libpysal round trips."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import shapely
from scipy.spatial.distance import cdist

from segindex.errors import SegindexTypeError, SegindexValueError
from segindex.weights import (
    contiguity_weights,
    distance_band_weights,
    from_libpysal,
    knn_weights,
    to_libpysal,
    unit_points,
)


def grid(m, side=100.0, crs=27700):
    r, c = np.divmod(np.arange(m * m), m)
    geoms = shapely.box(c * side, r * side, (c + 1) * side, (r + 1) * side)
    return gpd.GeoDataFrame({"row": r, "col": c}, geometry=geoms, crs=crs)


def test_queen_and_rook_degrees_on_a_grid():
    g = grid(3)
    queen = contiguity_weights(g)
    rook = contiguity_weights(g, "rook")
    assert isinstance(queen, sp.csr_array)
    # corner, edge, centre of a 3 x 3 grid: queen 3/5/8, rook 2/3/4
    assert queen.sum(axis=1).tolist() == [3, 5, 3, 5, 8, 5, 3, 5, 3]
    assert rook.sum(axis=1).tolist() == [2, 3, 2, 3, 4, 3, 2, 3, 2]
    assert (queen != queen.T).nnz == 0
    assert queen.diagonal().sum() == 0


def test_boundary_lengths():
    g = grid(2, side=50.0)
    w = contiguity_weights(g, value="length")
    # rook neighbours share 50 m; diagonal neighbours touch at a point only
    assert w.toarray().tolist() == [[0, 50, 50, 0], [50, 0, 0, 50], [50, 0, 0, 50], [0, 50, 50, 0]]


def test_input_order_is_kept():
    g = grid(3)
    perm = np.random.default_rng(1).permutation(9)
    w = contiguity_weights(g).toarray()
    wp = contiguity_weights(g.iloc[perm]).toarray()
    np.testing.assert_array_equal(wp, w[np.ix_(perm, perm)])


def test_matches_libpysal_queen_and_rook():
    from libpysal.weights import Queen, Rook

    g = grid(5)
    g = g.iloc[np.random.default_rng(0).permutation(len(g))].reset_index(drop=True)
    for kind, builder in (("queen", Queen), ("rook", Rook)):
        ref = builder.from_dataframe(g, use_index=True)
        np.testing.assert_array_equal(contiguity_weights(g, kind).toarray(), from_libpysal(ref, ids=g.index).toarray())


def test_libpysal_round_trip():
    g = grid(4)
    w = contiguity_weights(g, value="length")
    lw = to_libpysal(w, ids=[f"u{i}" for i in range(16)])
    assert lw.n == 16
    back = from_libpysal(lw)
    np.testing.assert_array_equal(back.toarray(), w.toarray())


def test_distance_band_and_knn_against_brute_force():
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 1000, size=(60, 2))
    df = pd.DataFrame(xy, columns=["x", "y"])
    d = cdist(xy, xy)
    w = distance_band_weights(df, 200, points=("x", "y"), crs=27700)
    expected = ((d <= 200) & (d > 0)).astype(float)
    np.testing.assert_array_equal(w.toarray(), expected)
    wd = distance_band_weights(df, 200, points=("x", "y"), crs=27700, value="inverse").toarray()
    np.testing.assert_allclose(wd[expected > 0], 1 / d[expected > 0])
    k = knn_weights(df, 4, points=("x", "y"), crs=27700).toarray()
    np.fill_diagonal(d, np.inf)
    nearest = np.argsort(d, axis=1)[:, :4]
    ref = np.zeros_like(k)
    np.put_along_axis(ref, nearest, 1.0, axis=1)
    np.testing.assert_array_equal(k, ref)


def test_coincident_points():
    df = pd.DataFrame({"x": [0.0, 0.0, 10.0], "y": [0.0, 0.0, 0.0]})
    w = distance_band_weights(df, 5, points=("x", "y"), crs=27700)
    assert w.toarray().tolist() == [[0, 1, 0], [1, 0, 0], [0, 0, 0]]
    k = knn_weights(df, 1, points=("x", "y"), crs=27700).toarray()
    assert k.sum(axis=1).tolist() == [1, 1, 1] and k.diagonal().sum() == 0
    with pytest.raises(SegindexValueError, match="share the same point"):
        distance_band_weights(df, 5, points=("x", "y"), crs=27700, value="inverse")


def test_polygons_use_representative_points():
    g = grid(2)
    xy = unit_points(g)
    assert all(shapely.contains_xy(geom, *p) for geom, p in zip(g.geometry, xy))


def test_hundred_thousand_polygons_quickly():
    import time

    g = grid(316)
    start = time.perf_counter()
    w = contiguity_weights(g.geometry)
    assert time.perf_counter() - start < 10
    # ordered queen pairs of an m x m grid: 2 (2 m (m-1) + 2 (m-1)^2)
    assert w.nnz == 2 * (2 * 316 * 315 + 2 * 315 * 315)


# ---------------------------------------------------------------------------- errors


def test_geographic_crs_refused_for_distances():
    g = grid(2).to_crs(4326)
    with pytest.raises(SegindexValueError, match=r"to_crs\(27700\)"):
        distance_band_weights(g, 100)
    with pytest.raises(SegindexValueError, match="geographic"):
        knn_weights(g, 1)
    with pytest.raises(SegindexValueError, match="geographic"):
        contiguity_weights(g, value="length")
    # binary contiguity is topology only: allowed
    assert contiguity_weights(g).nnz == 12


def test_errors():
    g = grid(2)
    with pytest.raises(SegindexValueError, match="kind must be"):
        contiguity_weights(g, "bishop")
    with pytest.raises(SegindexValueError, match="value must be"):
        contiguity_weights(g, value="area")
    with pytest.raises(SegindexTypeError, match="GeoDataFrame"):
        contiguity_weights(pd.DataFrame({"a": [1]}))
    bad = g.copy()
    bad.loc[1, "geometry"] = None
    with pytest.raises(SegindexValueError, match="row 1 has a missing or empty geometry"):
        contiguity_weights(bad)
    with pytest.raises(SegindexValueError, match="distance must be a positive number"):
        distance_band_weights(g, -1)
    with pytest.raises(SegindexValueError, match="value must be"):
        distance_band_weights(g, 1, value="gaussian")
    with pytest.raises(SegindexValueError, match="k must be an integer"):
        knn_weights(g, 4)
    with pytest.raises(SegindexValueError, match=r"shape \(4, 2\)"):
        unit_points(g, points=np.zeros((3, 2)))
    with pytest.raises(SegindexValueError, match="non-finite coordinate at row 0"):
        unit_points(pd.DataFrame({"x": [np.nan], "y": [0.0]}), points=("x", "y"), crs=27700)
    with pytest.raises(SegindexValueError, match=r"names columns that are not in the data \(missing: 'nope'\)"):
        unit_points(pd.DataFrame({"x": [0.0]}), points=("x", "nope"), crs=27700)
    with pytest.raises(SegindexTypeError, match="libpysal.weights.W"):
        from_libpysal(np.eye(2))
    lw = to_libpysal(contiguity_weights(g))
    with pytest.raises(SegindexValueError, match="ids must be exactly"):
        from_libpysal(lw, ids=[0, 1, 2])
    with pytest.raises(SegindexTypeError, match="square scipy.sparse"):
        to_libpysal(np.eye(2))
    with pytest.raises(SegindexValueError, match="3 ids given for 4 rows"):
        to_libpysal(contiguity_weights(g), ids=[1, 2, 3])
