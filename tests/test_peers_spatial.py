"""Centralisation (ACE, RCE, local RCE) and clustering (ACL, RCL, SP): hand-worked cases, a dense
naive reference, invariances, errors, and PySAL ``segregation`` 2.6 on the 2011 Bradford LSOAs with
their polygons in the same run (PySAL's clustering matrix rebuilt to show where it departs from
Massey & Denton).
"""

from __future__ import annotations

import math

import geopandas as gpd
import naive_peers as naive
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from conftest import shared_data
from segindex.errors import AbsentGroupWarning, SegindexTypeError, SegindexValueError
from segindex.indices import registry
from segindex.indices.centralisation import (
    absolute_centralisation,
    local_relative_centralisation,
    relative_centralisation,
)
from segindex.indices.clustering import absolute_clustering, relative_clustering, spatial_proximity

CLUSTERING = {
    "absolute_clustering": (absolute_clustering, naive.absolute_clustering),
    "relative_clustering": (relative_clustering, naive.relative_clustering),
    "spatial_proximity": (spatial_proximity, naive.spatial_proximity),
}


def _grid(n, rng, size=1000.0):
    """n square units of random sizes scattered on a plane, EPSG:27700, with counts a, b."""
    corners = rng.uniform(0, 20_000, size=(n, 2))
    sides = rng.uniform(100, size, n)
    geoms = [box(x, y, x + s, y + s) for (x, y), s in zip(corners, sides)]
    return gpd.GeoDataFrame({"a": rng.integers(0, 50, n), "b": rng.integers(1, 50, n)}, geometry=geoms, crs=27700)


# ----------------------------------------------------------------------------
# centralisation


def test_centralisation_hand_worked():
    rings = gpd.GeoDataFrame(
        {"a": [10, 0, 0], "b": [0, 5, 5]}, geometry=[box(0, 0, 1, 1), box(1, 0, 3, 1), box(3, 0, 6, 1)], crs=27700
    )
    # from x = 0: X = (1, 1, 1), A = (1/6, 1/2, 1): (0 - 1/6) ... = sum X_{i-1} A_i - X_i A_{i-1}
    expected = (0 * 1 / 6 - 1 * 0) + (1 * 0.5 - 1 * 1 / 6) + (1 * 1 - 1 * 0.5)
    assert absolute_centralisation(rings, "a", "b", centre=(0, 0.5)) == pytest.approx(expected)
    assert relative_centralisation(rings, "a", "b", centre=(0, 0.5)) == pytest.approx(1.0)
    # from the far end the order reverses and so does the sign of RCE
    assert relative_centralisation(rings, "a", "b", centre=(6, 0.5)) == pytest.approx(-1.0)
    # the same distribution for both groups: RCE = 0
    even = rings.assign(a=[2, 4, 4], b=[1, 2, 2])
    assert relative_centralisation(even, "a", "b", centre=(0, 0.5)) == pytest.approx(0.0, abs=1e-12)


def test_default_centre_is_population_weighted():
    rng = np.random.default_rng(0)
    units = _grid(30, rng)
    xy = np.column_stack([units.representative_point().x, units.representative_point().y])
    t = (units["a"] + units["b"]).to_numpy(float)
    centre = tuple(np.average(xy, axis=0, weights=t))
    for f in (absolute_centralisation, relative_centralisation):
        assert f(units, "a", "b") == pytest.approx(f(units, "a", "b", centre=centre), rel=1e-12)


def test_centralisation_by_area():
    rng = np.random.default_rng(1)
    units = _grid(30, rng)
    units["area"] = np.repeat(["x", "y"], 15)
    for f in (absolute_centralisation, relative_centralisation):
        per = f(units, "a", "b", by="area")
        for key, part in units.groupby("area"):
            assert per[key] == pytest.approx(f(part, "a", "b"), rel=1e-12)
        per = f(units, "a", "b", by="area", centre=(5000, 5000))
        for key, part in units.groupby("area"):
            assert per[key] == pytest.approx(f(part, "a", "b", centre=(5000, 5000)), rel=1e-12)
    with pytest.warns(AbsentGroupWarning, match="no members"):
        relative_centralisation(units.assign(a=np.r_[np.zeros(15), np.ones(15)]), "a", "b", by="area")


@pytest.mark.parametrize("seed", range(4))
def test_centralisation_against_naive(seed):
    rng = np.random.default_rng(seed)
    units = _grid(int(rng.integers(3, 30)), rng)
    centre = (rng.uniform(0, 20000), rng.uniform(0, 20000))
    pts = units.representative_point()
    dist = np.hypot(pts.x - centre[0], pts.y - centre[1]).to_numpy()
    x, y, a = units["a"].to_numpy(float), units["b"].to_numpy(float), units.area.to_numpy()
    assert absolute_centralisation(units, "a", "b", centre=centre) == pytest.approx(
        naive.centralisation(x, a, dist), rel=1e-10, abs=1e-12
    )
    assert relative_centralisation(units, "a", "b", centre=centre) == pytest.approx(
        naive.centralisation(x, y, dist), rel=1e-10, abs=1e-12
    )


def test_local_relative_centralisation_is_rce_of_each_neighbourhood():
    rng = np.random.default_rng(7)
    units = _grid(25, rng)
    pts = np.column_stack([units.representative_point().x, units.representative_point().y])
    local = local_relative_centralisation(units, "a", "b", k=4)
    assert list(local.index) == list(units.index)
    from scipy.spatial import cKDTree

    _, nn = cKDTree(pts).query(pts, k=5)
    for i in range(len(units)):
        part = units.iloc[nn[i]]
        expected = relative_centralisation(part, "a", "b", centre=tuple(pts[i]))
        assert local.iloc[i] == pytest.approx(expected, rel=1e-10, abs=1e-12)


def test_centralisation_errors():
    rng = np.random.default_rng(3)
    units = _grid(5, rng)
    with pytest.raises(SegindexTypeError, match="'centre' must be one"):
        relative_centralisation(units, "a", "b", centre=(1, 2, 3))
    with pytest.raises(SegindexTypeError, match="'centre' must be one"):
        relative_centralisation(units, "a", "b", centre="town hall")
    with pytest.raises(SegindexValueError, match="'centre' must be finite"):
        relative_centralisation(units, "a", "b", centre=(np.nan, 1))
    with pytest.raises(SegindexTypeError, match="must be a GeoDataFrame"):
        absolute_centralisation(pd.DataFrame(units.drop(columns="geometry")), "a", "b")
    with pytest.raises(SegindexValueError, match="is in a geographic CRS"):
        relative_centralisation(units.set_crs(4326, allow_override=True), "a", "b")
    with pytest.raises(SegindexValueError, match="'k' must be a whole number"):
        local_relative_centralisation(units, "a", "b", k=0)
    with pytest.raises(SegindexValueError, match="need at least 6 units"):
        local_relative_centralisation(units, "a", "b", k=5)


# ----------------------------------------------------------------------------
# clustering


def test_clustering_hand_worked():
    df = pd.DataFrame({"e": [0.0, 1000.0], "n": [0.0, 0.0], "a": [10, 0], "b": [0, 10]})
    opts = dict(points=("e", "n"), crs=27700, self_distance="zero")
    assert absolute_clustering(df, "a", "b", **opts) == pytest.approx(math.tanh(0.5))
    # P_xx = P_yy = 1, P_tt = (100 + 100 + 200/e) / 400
    assert relative_clustering(df, "a", "b", **opts) == pytest.approx(0.0, abs=1e-14)
    assert spatial_proximity(df, "a", "b", **opts) == pytest.approx(20 / (20 * (200 + 200 / math.e) / 400))
    # scale: distances in units of 500 m double the decay
    assert absolute_clustering(df, "a", "b", scale=500, **opts) == pytest.approx(math.tanh(1.0))


def test_self_distance_area_is_massey_denton():
    # a 1 km x 1 km unit: d_ii = sqrt(0.6 * 1e6) m = 774.6 m, c_ii = exp(-0.7746)
    units = gpd.GeoDataFrame(
        {"a": [10, 0], "b": [0, 10]}, geometry=[box(0, 0, 1000, 1000), box(5000, 0, 6000, 1000)], crs=27700
    )
    cii = math.exp(-math.sqrt(0.6e6) / 1000)
    cij = math.exp(-5.0)
    c = [[cii, cij], [cij, cii]]
    for name, (f, ref) in CLUSTERING.items():
        assert f(units, "a", "b") == pytest.approx(ref([10, 0], [0, 10], c), rel=1e-12), name


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("self_distance", ["area", "zero"])
def test_clustering_against_naive(seed, self_distance):
    rng = np.random.default_rng(seed)
    units = _grid(int(rng.integers(3, 25)), rng)
    pts = units.representative_point()
    xy = list(zip(pts.x, pts.y))
    dii = np.sqrt(0.6 * units.area.to_numpy()) if self_distance == "area" else np.zeros(len(units))
    c = naive.proximity_matrix(xy, 1000.0, dii)
    x, y = units["a"].tolist(), units["b"].tolist()
    for name, (f, ref) in CLUSTERING.items():
        ours = f(units, "a", "b", self_distance=self_distance, max_distance=1e6)
        assert ours == pytest.approx(ref(x, y, c), rel=1e-10), name
        # the default truncation at 10 km (weights below e^-10) barely moves it
        assert f(units, "a", "b", self_distance=self_distance) == pytest.approx(ours, rel=1e-3, abs=1e-4), name


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), factor=st.sampled_from([0.5, 4.0, 100.0]))
def test_clustering_order_and_scale_invariant(seed, factor):
    rng = np.random.default_rng(seed)
    units = _grid(int(rng.integers(3, 15)), rng)
    perm = rng.permutation(len(units))
    scaled = units.assign(a=units["a"] * factor, b=units["b"] * factor)
    for f in (absolute_clustering, relative_clustering, spatial_proximity, relative_centralisation):
        v = f(units, "a", "b")
        assert f(units.iloc[perm], "a", "b") == pytest.approx(v, rel=1e-9, abs=1e-12)
        assert f(scaled, "a", "b") == pytest.approx(v, rel=1e-9, abs=1e-12)


def test_clustering_errors():
    rng = np.random.default_rng(3)
    units = _grid(5, rng)
    with pytest.raises(SegindexValueError, match="'self_distance' must be"):
        spatial_proximity(units, "a", "b", self_distance="mean")
    with pytest.raises(SegindexValueError, match="'scale' must be a finite number above 0"):
        absolute_clustering(units, "a", "b", scale=-1)
    with pytest.raises(SegindexTypeError, match="'max_distance' must be a number"):
        absolute_clustering(units, "a", "b", max_distance="far")
    with pytest.raises(SegindexValueError, match="has no members"):
        relative_clustering(units.assign(a=0), "a", "b")
    with pytest.raises(SegindexValueError, match="comparison group"):
        relative_clustering(units.assign(b=0), "a", "b")
    with pytest.raises(SegindexTypeError, match="must be a GeoDataFrame"):
        relative_clustering(
            pd.DataFrame({"a": [1, 2], "b": [2, 1], "e": [0, 1], "n": [0, 0]}), "a", "b", points=("e", "n"), crs=27700
        )
    with pytest.raises(SegindexValueError, match="is in a geographic CRS"):
        spatial_proximity(units.set_crs(4326, allow_override=True), "a", "b")


def test_registered():
    for name in ["absolute_centralisation", "relative_centralisation", *CLUSTERING]:
        assert registry.get(name).kind == "spatial"


# ----------------------------------------------------------------------------
# PySAL segregation 2.6 on the 2011 Bradford LSOAs, same run


@pytest.fixture(scope="module")
def bradford():
    polygons = gpd.read_file(shared_data("uk", "boundaries", "bradford_lsoa2011.gpkg"))
    counts = pd.read_csv(shared_data("uk", "census2011", "lsoa2011_ethnicity_bradford.csv"))
    return polygons[["LSOA11CD", "geometry"]].merge(counts, left_on="LSOA11CD", right_on="LSOA")


@pytest.mark.realdata
def test_centralisation_matches_pysal_on_bradford(bradford):
    single = pytest.importorskip("segregation.singlegroup")
    local = pytest.importorskip("segregation.local")
    df = bradford
    centroids = np.column_stack([df.centroid.x, df.centroid.y])
    town_hall = (416_500.0, 433_000.0)  # near Bradford City Hall, British National Grid
    for g in ("Pakistani", "WhiteBrit"):
        for ours, cls in (
            (absolute_centralisation, single.AbsoluteCentralization),
            (relative_centralisation, single.RelativeCentralization),
        ):
            expected = cls(df, g, "Persons", center=town_hall).statistic
            assert ours(df, g, total="Persons", centre=town_hall, points=centroids) == pytest.approx(
                expected, rel=1e-10
            ), (g, cls.__name__)
            # our default centre is PySAL's "population_weighted_mean"
            expected = cls(df, g, "Persons", center="population_weighted_mean").statistic
            assert ours(df, g, total="Persons", points=centroids) == pytest.approx(expected, rel=1e-10)
    # Pakistani residents of Bradford live nearer the centre than the rest of the population
    assert relative_centralisation(df, "Pakistani", total="Persons", centre=town_hall) > 0.3
    expected = local.LocalRelativeCentralization(df, "Pakistani", "Persons").statistics
    ours = local_relative_centralisation(df, "Pakistani", total="Persons", k=5, points=centroids)
    np.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-12)


def _pysal_proximity(df):
    """The proximity matrix of PySAL's clustering indices, rebuilt (segregation.util.generate_distance_matrix)."""
    xy = np.column_stack([df.centroid.x, df.centroid.y])
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    dist = np.exp(-(d / d.sum(axis=1)))
    np.fill_diagonal(dist, np.exp(-((0.6 * df.area.to_numpy()) ** 0.5)))
    return 1 - dist


@pytest.mark.realdata
def test_clustering_against_pysal_on_bradford(bradford):
    single = pytest.importorskip("segregation.singlegroup")
    df = bradford
    g = "Pakistani"
    x = df[g].to_numpy(float)
    y = df["Persons"].to_numpy(float) - x
    centroids = np.column_stack([df.centroid.x, df.centroid.y])
    c_pysal = _pysal_proximity(df).tolist()
    xy = centroids.tolist()
    c_paper = naive.proximity_matrix(xy, 1000.0, np.sqrt(0.6 * df.area.to_numpy()))
    for name, cls in (
        ("absolute_clustering", single.AbsoluteClustering),
        ("relative_clustering", single.RelativeClustering),
        ("spatial_proximity", single.SpatialProximity),
    ):
        f, ref = CLUSTERING[name]
        pysal = cls(df, g, "Persons").statistic
        # PySAL computes Massey & Denton's formulas on its own matrix, c_ij = 1 - exp(-d_ij / D_j) ...
        if name == "relative_clustering":
            # ... and its RCL sums c_ij x_j^2 where the paper has c_ij x_i x_j
            c = np.asarray(c_pysal)
            expected = ((c * x * x).sum() / x.sum() ** 2) / ((c * y * y).sum() / y.sum() ** 2) - 1
        else:
            expected = ref(x.tolist(), y.tolist(), c_pysal)
        assert pysal == pytest.approx(expected, rel=1e-8), name
        # ... where the paper has c_ij = exp(-d_ij), d_ii = sqrt(0.6 a_i): what segindex computes
        ours = f(df, g, total="Persons", points=centroids, max_distance=1e6)
        assert ours == pytest.approx(ref(x.tolist(), y.tolist(), c_paper), rel=1e-10), name
        assert abs(ours - pysal) > 1e-3, name


# ----------------------------------------------------------------------------
# spatial proximity profile (Hong, O'Sullivan & Sadahiro 2014)


def _naive_eta(share, w, tau):
    """(k^2 - k) / sum of graph distances among the units with share >= tau (dense Floyd-Warshall)."""
    from scipy.sparse.csgraph import floyd_warshall

    delta = floyd_warshall(w, directed=False, unweighted=True)
    keep = share >= tau
    k = keep.sum()
    den = delta[np.ix_(keep, keep)].sum()
    return (k * k - k) / den if k > 1 and np.isfinite(den) and den > 0 else 0.0


def test_spatial_proximity_profile_against_naive():
    from segindex.indices.clustering import spatial_proximity_profile, spatial_proximity_profile_index
    from segindex.weights import contiguity_weights

    rng = np.random.default_rng(5)
    side = 6
    cells = [box(i, j, i + 1, j + 1) for j in range(side) for i in range(side)]
    units = gpd.GeoDataFrame(
        {"a": rng.integers(0, 30, side * side), "b": rng.integers(1, 30, side * side)}, geometry=cells, crs=27700
    )
    share = (units["a"] / (units["a"] + units["b"])).to_numpy()
    w = contiguity_weights(units)
    grid = np.linspace(0, 1, 41)
    profile = spatial_proximity_profile(units, "a", "b", thresholds=grid)
    np.testing.assert_allclose(profile["eta"], [_naive_eta(share, w, t) for t in grid], rtol=1e-12)
    # the summary from the exact step integral against a very fine Riemann sum of the naive curve
    P = units["a"].sum() / (units["a"].sum() + units["b"].sum())
    fine = np.linspace(0, 1, 20_001)[:-1] + 0.5 / 20_000
    eta = np.array([_naive_eta(share, w, t) for t in fine])
    riemann = (P - (eta[fine < P].sum() - eta[fine >= P].sum()) / 20_000) / (1 - P)
    assert spatial_proximity_profile_index(units, "a", "b") == pytest.approx(riemann, abs=2e-3)
    # rook weights given explicitly change the graph
    rook = contiguity_weights(units, "rook")
    assert spatial_proximity_profile(units, "a", "b", w=rook, thresholds=[0.0])["eta"][0] == pytest.approx(
        _naive_eta(share, rook, 0.0)
    )
    with pytest.raises(SegindexValueError, match="at least 2 points"):
        spatial_proximity_profile(units, "a", "b", thresholds=1)
    with pytest.raises(SegindexValueError, match="has no members"):
        spatial_proximity_profile_index(units.assign(a=0), "a", "b")


@pytest.mark.realdata
def test_spatial_proximity_profile_matches_pysal_on_bradford(bradford):
    single = pytest.importorskip("segregation.singlegroup")
    from segindex.indices.clustering import spatial_proximity_profile, spatial_proximity_profile_index

    df = bradford
    theirs = single.SpatialProxProf(df, "Pakistani", "Persons", m=1000)
    ours = spatial_proximity_profile(df, "Pakistani", total="Persons", thresholds=1000)
    np.testing.assert_allclose(ours["eta"], theirs.curve, rtol=1e-9, atol=1e-12)
    # PySAL's summary: a left Riemann sum over its 1,000 grid points divided by m
    P, grid, eta = ours["area_share"].iloc[0], ours["threshold"].to_numpy(), ours["eta"].to_numpy()
    assert theirs.statistic == pytest.approx(
        (P - (eta[grid < P].sum() - eta[grid >= P].sum()) / 1000) / (1 - P), rel=1e-9
    )
    assert spatial_proximity_profile_index(df, "Pakistani", total="Persons") == pytest.approx(
        theirs.statistic, abs=5e-3
    )
