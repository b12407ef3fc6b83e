"""Spatial and multiscale indices: checkerboard results, naive references, PySAL cross-checks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist

from segindex.errors import SegindexTypeError, SegindexValueError
from segindex.indices.spatial import (
    bespoke_profile,
    boundary_dissimilarity,
    distance_decay_exposure,
    distance_decay_isolation,
    local_environment,
    local_spatial_information,
    morrill_dissimilarity,
    multiscale_profile,
    perimeter_area_dissimilarity,
    spatial_information,
    spatial_isolation,
)
from segindex.weights import contiguity_weights

M = 8  # grid side: 64 cells of 100 m, 10 people each
SIDE = 100.0


def grid(pattern, m=M):
    r, c = np.divmod(np.arange(m * m), m)
    if pattern == "halves":
        a = c < m // 2
    else:  # checkerboard
        a = (r + c) % 2 == 0
    geoms = shapely.box(c * SIDE, r * SIDE, (c + 1) * SIDE, (r + 1) * SIDE)
    return gpd.GeoDataFrame(
        {"A": np.where(a, 10.0, 0.0), "B": np.where(a, 0.0, 10.0), "T": 10.0}, geometry=geoms, crs=27700
    )


# ---------------------------------------------------------------------------- naive references


def naive_entropy_index(counts, xy, bandwidth, kernel="gaussian", radius=np.inf):
    d = cdist(xy, xy)
    u = d / bandwidth
    if kernel == "gaussian":
        k = np.exp(-0.5 * u**2)
    elif kernel == "biweight":
        k = np.where(u < 1, (1 - u**2) ** 2, 0.0)
    else:
        k = np.exp(-u)
    k[d > radius] = 0.0
    local = k @ counts
    p = local / local.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        ent = -np.nansum(np.where(p > 0, p * np.log(p), 0.0), axis=1)
    pi = counts.sum(axis=0) / counts.sum()
    e = -np.sum(pi[pi > 0] * np.log(pi[pi > 0]))
    t = counts.sum(axis=1)
    return 1 - (t * ent).sum() / (t.sum() * e), local


def naive_decay_isolation(x, t, xy, scale):
    c = np.exp(-cdist(xy, xy) / scale)
    return np.sum(x / x.sum() * (c @ x) / (c @ t))


def naive_bespoke(x, y, xy, k):
    t = x + y
    n = len(t)
    p = np.zeros(n)
    for i in range(n):
        order = np.argsort(np.hypot(*(xy - xy[i]).T), kind="stable")
        need, ax, at = k, 0.0, 0.0
        for j in order:
            if t[j] <= 0:
                continue
            f = min(1.0, need / t[j])
            ax += f * x[j]
            at += f * t[j]
            need -= f * t[j]
            if need <= 1e-9:
                break
        p[i] = ax / at
    xs, ys = t * p, t * (1 - p)
    return 0.5 * np.abs(xs / xs.sum() - ys / ys.sum()).sum(), np.sum(x / x.sum() * p)


# ---------------------------------------------------------------------------- checkerboard vs halves


def test_aspatial_d_is_one_for_both():
    from segindex import dissimilarity

    for pattern in ("halves", "checker"):
        assert dissimilarity(grid(pattern), "A", "B") == pytest.approx(1.0)


def test_morrill_queen_exact():
    m = M
    queen_pairs = 2 * m * (m - 1) + 2 * (m - 1) ** 2  # unordered queen neighbour pairs
    # halves: m horizontal and 2 (m - 1) diagonal pairs cross the divide
    assert morrill_dissimilarity(grid("halves"), "A", "B") == pytest.approx(1 - (3 * m - 2) / queen_pairs)
    # checkerboard: every rook pair differs, every diagonal pair agrees
    assert morrill_dissimilarity(grid("checker"), "A", "B") == pytest.approx((m - 1) / (2 * m - 1))


def test_morrill_rook_exact_checkerboard_hits_zero():
    m = M
    for pattern, expected in (("halves", 1 - 1 / (2 * (m - 1))), ("checker", 0.0)):
        g = grid(pattern)
        w = contiguity_weights(g, "rook")
        assert morrill_dissimilarity(g, "A", total="T", w=w) == pytest.approx(expected, abs=1e-12)


def test_wong_dw_exact():
    m = M
    # halves: units in the two middle columns have one differing rook neighbour out of
    # 3 (top/bottom row) or 4; row-standardised, they add 2 (2/3 + (m-2)/4) over m^2 rows
    expected = 1 - 2 * (2 / 3 + (m - 2) / 4) / m**2
    assert boundary_dissimilarity(grid("halves"), "A", "B") == pytest.approx(expected)
    assert boundary_dissimilarity(grid("checker"), "A", "B") == pytest.approx(0.0, abs=1e-12)
    # unstandardised lengths: all shared edges have equal length -> share of differing edges
    assert boundary_dissimilarity(grid("halves"), "A", "B", standardise=False) == pytest.approx(
        1 - m / (2 * m * (m - 1))
    )


def test_wong_ds_exact():
    m = M
    # equal squares: (P/A_i + P/A_j) / (2 max P/A) = 1, so D(s) = D - share of differing edges
    assert perimeter_area_dissimilarity(grid("halves"), "A", "B") == pytest.approx(1 - 1 / (2 * (m - 1)))
    assert perimeter_area_dissimilarity(grid("checker"), "A", "B") == pytest.approx(0.0, abs=1e-12)


def test_h_tilde_checkerboard_vs_halves():
    for pattern in ("halves", "checker"):
        g = grid(pattern)
        # a kernel narrower than the cell spacing (biweight support 50 m): the aspatial H = 1
        assert spatial_information(g, ["A", "B"], bandwidth=50, kernel="biweight") == pytest.approx(1.0)
        # a kernel much wider than the city: every environment is the city's mix -> 0
        assert spatial_information(g, ["A", "B"], bandwidth=1e7, truncate=1.0) == pytest.approx(0.0, abs=1e-9)
    h_checker = spatial_information(grid("checker"), ["A", "B"], bandwidth=200)
    h_halves = spatial_information(grid("halves"), ["A", "B"], bandwidth=200)
    ref_checker, _ = naive_entropy_index(grid("checker")[["A", "B"]].to_numpy(), _xy(grid("checker")), 200, radius=600)
    ref_halves, _ = naive_entropy_index(grid("halves")[["A", "B"]].to_numpy(), _xy(grid("halves")), 200, radius=600)
    assert h_checker == pytest.approx(ref_checker, rel=1e-12)
    assert h_halves == pytest.approx(ref_halves, rel=1e-12)
    # a 200 m kernel over 100 m cells: the checkerboard's environments are almost 50/50
    assert h_checker < 1e-3 and h_halves > 0.3


def _xy(g):
    return shapely.get_coordinates(g.geometry.representative_point())


# ---------------------------------------------------------------------------- PySAL cross-checks


@pytest.fixture(scope="module")
def random_grid():
    g = grid("halves", m=6)
    rng = np.random.default_rng(7)
    g["A"] = rng.integers(0, 50, len(g)).astype(float)
    g["T"] = g["A"] + rng.integers(1, 50, len(g))
    return g


def test_matches_pysal_spatial_dissimilarities(random_grid):
    seg = pytest.importorskip("segregation.singlegroup")
    g = random_grid
    assert morrill_dissimilarity(g, "A", total="T") == pytest.approx(
        seg.SpatialDissim(g, "A", "T").statistic, rel=1e-10
    )
    assert boundary_dissimilarity(g, "A", total="T") == pytest.approx(
        seg.BoundarySpatialDissim(g, "A", "T").statistic, rel=1e-10
    )
    assert boundary_dissimilarity(g, "A", total="T", standardise=False) == pytest.approx(
        seg.BoundarySpatialDissim(g, "A", "T", standardize=False).statistic, rel=1e-10
    )
    assert perimeter_area_dissimilarity(g, "A", total="T") == pytest.approx(
        seg.PARDissim(g, "A", "T").statistic, rel=1e-10
    )


def test_perimeter_area_with_unequal_shapes_matches_pysal():
    seg = pytest.importorskip("segregation.singlegroup")
    xs, ys = [0, 100, 300, 350], [0, 100, 150]
    geoms = [shapely.box(xs[i], ys[j], xs[i + 1], ys[j + 1]) for j in range(2) for i in range(3)]
    g = gpd.GeoDataFrame({"A": [5.0, 20, 1, 7, 0, 3], "T": [10.0, 30, 20, 9, 4, 3]}, geometry=geoms, crs=27700)
    assert perimeter_area_dissimilarity(g, "A", total="T") == pytest.approx(
        seg.PARDissim(g, "A", "T").statistic, rel=1e-10
    )
    assert perimeter_area_dissimilarity(g, "A", total="T", standardise=False) == pytest.approx(
        seg.PARDissim(g, "A", "T", standardize=False).statistic, rel=1e-10
    )


# ---------------------------------------------------------------------------- kernel sums and references


@pytest.mark.parametrize("kernel,truncate", [("gaussian", 3.0), ("biweight", 3.0), ("exponential", 5.0)])
def test_local_environment_matches_dense_reference(kernel, truncate):
    rng = np.random.default_rng(11)
    n = 300
    xy = rng.uniform(0, 3000, size=(n, 2))
    counts = rng.integers(0, 30, size=(n, 3)).astype(float)
    df = pd.DataFrame(counts, columns=["a", "b", "c"]).assign(x=xy[:, 0], y=xy[:, 1])
    bw = 400.0
    radius = bw if kernel == "biweight" else truncate * bw
    ref_h, ref_local = naive_entropy_index(counts, xy, bw, kernel, radius)
    opts = dict(bandwidth=bw, kernel=kernel, points=("x", "y"), crs=27700, truncate=truncate)
    env = local_environment(df, ["a", "b", "c"], **opts)
    np.testing.assert_allclose(env.to_numpy(), ref_local, rtol=1e-12)
    h = spatial_information(df, ["a", "b", "c"], **opts)
    assert h == pytest.approx(ref_h, rel=1e-10)
    loc = local_spatial_information(df, ["a", "b", "c"], **opts)
    assert loc.index.equals(df.index)
    assert loc["contribution"].sum() == pytest.approx(h, rel=1e-10)


@pytest.mark.parametrize("per_radius", [1, 3, 7])
def test_square_size_does_not_change_the_sums(monkeypatch, per_radius):
    import segindex._neighbours as spatial

    rng = np.random.default_rng(2)
    df = pd.DataFrame(
        {
            "x": rng.uniform(0, 2000, 400),
            "y": rng.uniform(0, 2000, 400),
            "a": rng.integers(0, 9, 400),
            "b": rng.integers(0, 9, 400),
        }
    )
    whole = local_environment(df, ["a", "b"], bandwidth=300, points=("x", "y"), crs=27700)
    monkeypatch.setattr(spatial, "_CELLS_PER_RADIUS", per_radius)
    other = local_environment(df, ["a", "b"], bandwidth=300, points=("x", "y"), crs=27700)
    np.testing.assert_allclose(other.to_numpy(), whole.to_numpy(), rtol=1e-12)


@pytest.mark.parametrize("ncols", [2, 3])
def test_kernel_sums_duplicates_and_pairs_exactly_at_the_cut(ncols):
    from segindex._neighbours import kernel_sums

    rng = np.random.default_rng(8)
    # integer metres: many coincident points, and pairs exactly 500 m apart (300-400-500 triangles)
    xy = rng.integers(0, 30, size=(250, 2)).astype(float) * 100.0
    xy = np.vstack([xy, xy[:40], xy[:30] + [300.0, 400.0], [[0.0, 0.0], [500.0, 0.0], [0.0, 500.0]]])
    values = rng.integers(0, 20, size=(len(xy), ncols)).astype(float)
    d = cdist(xy, xy)
    assert (d == 500.0).sum() > 100 and (d[~np.eye(len(xy), dtype=bool)] == 0).sum() > 50
    for kind, bw in [(2, 100.0), (0, 200.0)]:
        k = np.exp(-d / bw) if kind == 2 else np.exp(-0.5 * (d / bw) ** 2)
        k[d > 500.0] = 0.0
        got = kernel_sums(xy, values, bw, kind, 500.0)
        np.testing.assert_allclose(got, k @ values, rtol=1e-12)
        # pairs just beyond the cut are left out, exactly at it kept
        shrunk = kernel_sums(xy, values, bw, kind, np.nextafter(500.0, 0.0))
        k[d == 500.0] = 0.0
        np.testing.assert_allclose(shrunk, k @ values, rtol=1e-12)


def test_distance_decay_truncated_against_dense_reference():
    rng = np.random.default_rng(9)
    n = 300
    xy = np.round(rng.uniform(0, 20_000, size=(n, 2)), -2)  # 100 m grid: duplicates and exact distances
    x = rng.integers(0, 40, n).astype(float)
    y = rng.integers(1, 40, n).astype(float)
    df = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "g": x, "h": y})
    c = np.exp(-cdist(xy, xy) / 1000.0)
    c[cdist(xy, xy) > 5000.0] = 0.0
    ref_iso = np.sum(x / x.sum() * (c @ x) / (c @ (x + y)))
    ref_exp = np.sum(x / x.sum() * (c @ y) / (c @ (x + y)))
    got = distance_decay_isolation(df, "g", "h", points=("x", "y"), crs=27700, max_distance=5000.0)
    assert got == pytest.approx(ref_iso, rel=1e-12)
    expo = distance_decay_exposure(df, "g", "h", points=("x", "y"), crs=27700, max_distance=5000.0)
    assert expo == pytest.approx(ref_exp, rel=1e-12)


def test_binning_approximates_exact():
    rng = np.random.default_rng(4)
    n = 2000
    xy = rng.normal(0, 2000, size=(n, 2))
    df = pd.DataFrame(
        {"x": xy[:, 0], "y": xy[:, 1], "a": rng.integers(0, 20, n), "b": (xy[:, 0] > 0) * rng.integers(0, 40, n)}
    )
    exact = spatial_information(df, ["a", "b"], bandwidth=1000, points=("x", "y"), crs=27700)
    binned = spatial_information(df, ["a", "b"], bandwidth=1000, points=("x", "y"), crs=27700, bin_size="auto")
    assert binned == pytest.approx(exact, rel=0.02)
    assert binned != exact


def test_distance_decay_against_dense_reference():
    rng = np.random.default_rng(5)
    n = 200
    xy = rng.uniform(0, 5000, size=(n, 2))
    x = rng.integers(0, 40, n).astype(float)
    t = x + rng.integers(1, 40, n)
    df = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "g": x, "t": t})
    got = distance_decay_isolation(df, "g", total="t", points=("x", "y"), crs=27700, max_distance=1e6)
    assert got == pytest.approx(naive_decay_isolation(x, t, xy, 1000.0), rel=1e-12)
    expo = distance_decay_exposure(df, "g", total="t", points=("x", "y"), crs=27700, max_distance=1e6)
    assert got + expo == pytest.approx(1.0)
    # default truncation at 10 scales changes little
    assert distance_decay_isolation(df, "g", total="t", points=("x", "y"), crs=27700) == pytest.approx(got, rel=1e-3)


def test_spatial_isolation_limits():
    g = grid("halves")
    from segindex import isolation

    assert spatial_isolation(g, "A", total="T", bandwidth=1.0) == pytest.approx(isolation(g, "A", total="T"))
    assert spatial_isolation(g, "A", total="T", bandwidth=1e7, truncate=1.0) == pytest.approx(0.5)


def test_multiscale_profile_is_tidy_and_matches_single_calls():
    g = grid("halves")
    prof = multiscale_profile(g, ["A", "B"], bandwidths=[100, 400], isolation=["A"])
    assert list(prof.columns) == ["bandwidth", "index", "group", "value"]
    assert len(prof) == 4
    h400 = prof.query("bandwidth == 400 and index == 'H'")["value"].item()
    assert h400 == pytest.approx(spatial_information(g, ["A", "B"], bandwidth=400))
    iso = prof.query("bandwidth == 100 and index == 'isolation'")["value"].item()
    assert iso == pytest.approx(spatial_isolation(g, "A", "B", bandwidth=100))
    hs = prof[prof["index"] == "H"]["value"].to_numpy()
    assert hs[0] > hs[1]


def test_bespoke_against_naive():
    rng = np.random.default_rng(9)
    n = 80
    xy = rng.uniform(0, 1000, size=(n, 2))
    x = rng.integers(0, 30, n).astype(float)
    y = rng.integers(0, 30, n).astype(float)
    y[0] = 30 - x[0]  # no empty unit at the start
    df = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "a": x, "b": y})
    prof = bespoke_profile(df, "a", "b", ks=[50, 400], points=("x", "y"), crs=27700)
    for k in (50, 400):
        d, iso = naive_bespoke(x, y, xy, k)
        assert prof.query(f"k == {k} and index == 'D'")["value"].item() == pytest.approx(d, rel=1e-9)
        assert prof.query(f"k == {k} and index == 'isolation'")["value"].item() == pytest.approx(iso, rel=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.floats(50, 2000))
def test_h_tilde_at_most_one_and_order_invariant(seed, bandwidth):
    rng = np.random.default_rng(seed)
    n = 40
    df = pd.DataFrame(
        {
            "x": rng.uniform(0, 3000, n),
            "y": rng.uniform(0, 3000, n),
            "a": rng.integers(0, 20, n),
            "b": rng.integers(0, 20, n) + 1,
        }
    )
    h = spatial_information(df, ["a", "b"], bandwidth=bandwidth, points=("x", "y"), crs=27700)
    # H~ <= 1; it is not bounded below by 0 (see the docstring): smoothed environments
    # weighted by population need not average to the city's composition
    assert h <= 1 + 1e-12
    perm = rng.permutation(n)
    shuffled = spatial_information(df.iloc[perm], ["a", "b"], bandwidth=bandwidth, points=("x", "y"), crs=27700)
    assert shuffled == pytest.approx(h)


def test_real_bradford_spatial_measures():
    from conftest import shared_data

    gpkg = shared_data("uk", "boundaries", "bradford_lsoa2011.gpkg")
    csv = shared_data("uk", "census2011", "lsoa2011_ethnicity_bradford.csv")
    g = gpd.read_file(gpkg).merge(pd.read_csv(csv), left_on="LSOA11CD", right_on="LSOA")
    d_adj = morrill_dissimilarity(g, "Pakistani", total="Persons")
    from segindex import dissimilarity

    d = dissimilarity(g, "Pakistani", total="Persons")
    assert 0 < d_adj < d < 1
    prof = multiscale_profile(
        g, ["WhiteBrit", "Pakistani", "Indian", "Bangladeshi"], bandwidths=[500, 4000], total="Persons"
    )
    h = prof["value"].to_numpy()
    # segregation in Bradford is a matter of the small scale: H~ falls steeply from 500 m to 4 km
    assert h[1] < h[0] / 2 and 0 < h[0] < 1


# ---------------------------------------------------------------------------- errors


def test_errors():
    g = grid("halves")
    with pytest.raises(SegindexValueError, match="bandwidth must be a positive number"):
        spatial_information(g, ["A", "B"], bandwidth=0)
    with pytest.raises(SegindexValueError, match="kernel must be one of"):
        spatial_information(g, ["A", "B"], bandwidth=100, kernel="box")
    with pytest.raises(SegindexValueError, match="truncate must be a positive number"):
        spatial_information(g, ["A", "B"], bandwidth=100, truncate=-1)
    with pytest.raises(SegindexValueError, match="bin_size must be a positive number"):
        spatial_information(g, ["A", "B"], bandwidth=100, bin_size=0)
    with pytest.raises(SegindexValueError, match="only one group"):
        spatial_information(g.assign(B=0.0), ["A", "B"], bandwidth=100)
    with pytest.raises(SegindexValueError, match=r"to_crs\(27700\)"):
        spatial_information(g.to_crs(4326), ["A", "B"], bandwidth=100)
    with pytest.raises(SegindexValueError, match="'Z' is not in the data"):
        spatial_information(g, ["A", "Z"], bandwidth=100)
    with pytest.raises(SegindexTypeError, match="must be a pandas DataFrame"):
        spatial_information(np.zeros(3), ["A"], bandwidth=100)
    with pytest.raises(SegindexValueError, match="has no members"):
        spatial_isolation(g.assign(A=0.0), "A", "B", bandwidth=100)
    with pytest.raises(SegindexValueError, match="scale must be a positive number"):
        distance_decay_isolation(g, "A", "B", scale=0)
    with pytest.raises(SegindexValueError, match="max_distance must be a positive number"):
        distance_decay_isolation(g, "A", "B", max_distance=-5)
    with pytest.raises(SegindexValueError, match="needs total="):
        morrill_dissimilarity(g, "A")
    with pytest.raises(SegindexValueError, match=r"morrill_dissimilarity\(\).*no members"):
        morrill_dissimilarity(g.assign(A=0.0), "A", "B")
    with pytest.raises(SegindexValueError, match=r"shape \(9, 9\)"):
        morrill_dissimilarity(g, "A", "B", w=contiguity_weights(g.iloc[:9]))
    with pytest.raises(SegindexTypeError, match="scipy.sparse"):
        morrill_dissimilarity(g, "A", "B", w=np.eye(64))
    with pytest.raises(SegindexValueError, match="bandwidths is empty"):
        multiscale_profile(g, ["A", "B"], bandwidths=[])
    with pytest.raises(SegindexValueError, match="isolation group 'C' is not among groups"):
        multiscale_profile(g, ["A", "B"], bandwidths=[100], isolation=["C"])
    with pytest.raises(SegindexValueError, match="more than the whole population"):
        bespoke_profile(g, "A", "B", ks=[10_000])
    with pytest.raises(SegindexValueError, match="ks is empty"):
        bespoke_profile(g, "A", "B", ks=[])
    with pytest.raises(SegindexValueError, match="each k must be a positive number"):
        bespoke_profile(g, "A", "B", ks=[0])
    zero = g.copy()
    zero.loc[0, "geometry"] = shapely.Polygon([(0, 0), (50, 0), (100, 0)])
    with pytest.raises(SegindexValueError, match="row 0 has zero area"):
        perimeter_area_dissimilarity(zero, "A", "B")


def test_exp_neg_within_one_ulp_of_the_c_library():
    # the kernels' exp(-u) is written out so that it vectorises; it must agree with exp
    from segindex._kernels.spatial import exp_neg

    rng = np.random.default_rng(11)
    u = np.concatenate(
        [
            [0.0, 5e-324, 1e-300, 0.5 * np.log(2.0), np.log(2.0), 1.0, 10.0, 700.0, 708.0],
            rng.uniform(0, 1e-6, 2000),
            rng.uniform(0, 50, 20000),
            rng.uniform(0, 700, 2000),
        ]
    )
    got = np.array([exp_neg(v) for v in u])
    want = np.exp(-u)
    assert got[0] == 1.0
    assert np.all(np.abs(got - want) <= np.spacing(want))
    # below the smallest normal double it returns 0 rather than a subnormal
    assert exp_neg(709.0) == 0.0 and exp_neg(1e6) == 0.0 and exp_neg(1e300) == 0.0


@pytest.mark.parametrize("kind", [0, 1, 2])
def test_two_column_sums_do_not_depend_on_threads(monkeypatch, kind):
    # the parallel kernel splits the work into chunks fixed by the work, not the threads
    import numba

    import segindex._neighbours as spatial
    from segindex._neighbours import kernel_sums

    rng = np.random.default_rng(12)
    xy = rng.normal(size=(3000, 2)) * 800.0
    values = rng.integers(0, 50, size=(3000, 2)).astype(float)
    monkeypatch.setattr(spatial, "_CHUNK_WORK", 20_000)
    bounds = spatial._chunk_bounds(*spatial._cells(xy, 1500.0)[1:4])
    assert len(bounds) - 1 == spatial._MAX_CHUNKS
    before = numba.get_num_threads()
    try:
        sums = []
        for threads in sorted({1, numba.config.NUMBA_NUM_THREADS}):
            numba.set_num_threads(threads)
            sums.append(kernel_sums(xy, values, 500.0, kind, 1500.0))
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(sums[0], sums[-1])
    # and chunking changes only the order of additions
    monkeypatch.setattr(spatial, "_CHUNK_WORK", 10**12)
    np.testing.assert_allclose(kernel_sums(xy, values, 500.0, kind, 1500.0), sums[0], rtol=1e-12)


def test_wong_indices_take_their_boundary_lengths_precomputed():
    # the same numbers with the weights given, so infer() need not rebuild them on every draw
    from segindex.inference import infer

    df = grid("halves")
    w = contiguity_weights(df, "rook", value="length")
    for fn in (boundary_dissimilarity, perimeter_area_dissimilarity):
        for standardise in (True, False):
            assert fn(df, "A", "B", standardise=standardise, w=w) == fn(df, "A", "B", standardise=standardise)
        a = infer(fn, df, "A", "B", w=w, n_draws=9, random_state=3)
        b = infer(fn, df, "A", "B", n_draws=9, random_state=3)
        np.testing.assert_array_equal(a.draws, b.draws)
    with pytest.raises(SegindexValueError, match=r"boundary_dissimilarity\(\): the weights matrix has shape"):
        boundary_dissimilarity(df, "A", "B", w=w[:10, :10])
    with pytest.raises(SegindexTypeError, match=r"perimeter_area_dissimilarity\(\): the 'w' parameter must be"):
        perimeter_area_dissimilarity(df, "A", "B", w=np.eye(len(df)))
