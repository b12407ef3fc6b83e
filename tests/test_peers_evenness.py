"""Evenness beside D (Hutchens's S, min-max, density-corrected D, the concentration profile) and
concentration (delta, ACO, RCO): hand-worked tables, a naive reference, invariances, errors, and
PySAL ``segregation`` 2.6 on the 2011 Bradford LSOAs with their polygons in the same run.
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
from segindex import atkinson, dissimilarity
from segindex.errors import AbsentGroupWarning, SegindexTypeError, SegindexValueError
from segindex.indices import registry
from segindex.indices.concentration import absolute_concentration, delta, relative_concentration
from segindex.indices.evenness import (
    concentration_profile,
    concentration_profile_index,
    density_corrected_dissimilarity,
    min_max,
    square_root_index,
)

PAIR = {
    "square_root_index": (square_root_index, naive.square_root_index),
    "min_max": (min_max, naive.min_max),
    "density_corrected_dissimilarity": (density_corrected_dissimilarity, naive.density_corrected_dissimilarity),
    "concentration_profile_index": (concentration_profile_index, naive.concentration_profile_index),
}


def _strip(widths, **columns):
    """Unit-high rectangles side by side, of the given widths, in EPSG:27700."""
    edges = np.concatenate([[0.0], np.cumsum(widths)])
    return gpd.GeoDataFrame(columns, geometry=[box(a, 0, b, 1) for a, b in zip(edges[:-1], edges[1:])], crs=27700)


# ----------------------------------------------------------------------------
# hand-worked cases and identities


def test_extremes():
    apart = pd.DataFrame({"a": [10, 0, 5], "b": [0, 20, 0]})
    even = pd.DataFrame({"a": [10, 1, 5], "b": [20, 2, 10]})
    for name, (f, _) in PAIR.items():
        if name != "density_corrected_dissimilarity":
            assert f(apart, "a", "b") == pytest.approx(1.0, rel=1e-12), name
        assert f(even, "a", "b") == pytest.approx(0.0, abs=1e-12), name


def test_identities_with_d_and_atkinson():
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.integers(0, 40, size=(30, 2)), columns=["a", "b"])
    D = dissimilarity(df, "a", "b")
    assert min_max(df, "a", "b") == pytest.approx(2 * D / (1 + D), rel=1e-12)
    S = square_root_index(df, "a", "b")
    assert atkinson(df, "a", "b", b=0.5) == pytest.approx(1 - (1 - S) ** 2, rel=1e-12)
    # the correction only ever lowers D
    assert 0 <= density_corrected_dissimilarity(df, "a", "b") <= D


def test_density_correction_hand_worked():
    # X = Y = 4; p0 = (.75, .25), p1 = (.25, .75); sigma^2 = 2 * .75 * .25 / 4; theta_hat = .5 / sigma
    df = pd.DataFrame({"a": [3, 1], "b": [1, 3]})
    sigma = math.sqrt(2 * 0.1875 / 4)
    z = 0.5 / sigma
    value = density_corrected_dissimilarity(df, "a", "b")
    theta = value / sigma  # both units give the same term: 2 * sigma * theta / 2
    assert theta == pytest.approx(z * math.tanh(theta * z), rel=1e-14)
    assert 0 < theta < z
    # below theta_hat = 1 the likelihood peaks at 0: a small sample's D is all noise
    small = pd.DataFrame({"a": [2, 1], "b": [1, 2]})
    assert density_corrected_dissimilarity(small, "a", "b") == 0.0


def test_concentration_profile_hand_worked():
    # a's shares: .8 (8 people) and .2 (2 people); P = .5
    df = pd.DataFrame({"a": [8, 2], "b": [2, 8]})
    profile = concentration_profile(df, "a", "b", thresholds=5)
    np.testing.assert_allclose(profile["threshold"], [0, 0.25, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(profile["share"], [1.0, 0.8, 0.8, 0.8, 0.0])
    assert (profile["area_share"] == 0.5).all()
    # int_0^.5 v = .2 * 1 + .3 * .8 = .44; int_.5^1 v = .3 * .8 = .24; R = (.5 - .2) / .5
    assert concentration_profile_index(df, "a", "b") == pytest.approx(0.6, rel=1e-12)


def test_delta_and_concentration_hand_worked():
    units = _strip([1, 2, 3], a=[10, 0, 0], b=[0, 10, 10])
    assert delta(units, "a") == pytest.approx(0.5 * (abs(1 - 1 / 6) + 2 / 6 + 3 / 6))
    assert absolute_concentration(units, "a", "b") == pytest.approx(1.0)
    assert relative_concentration(units, "a", "b") == pytest.approx((1 / 2.5 - 1) / (1 / 3 - 1))
    # a in the largest unit: ACO = 0; RCO = (3 / 1.5 - 1) / (1/3 - 1) = -1.5 (the formula is not symmetric)
    flipped = _strip([1, 2, 3], a=[0, 0, 10], b=[10, 10, 0])
    assert absolute_concentration(flipped, "a", "b") == pytest.approx(0.0, abs=1e-12)
    assert relative_concentration(flipped, "a", "b") == pytest.approx(-1.5)
    # with total=: the rest of the population
    units["T"] = units["a"] + units["b"] + 5
    rest = units.assign(r=units["T"] - units["a"])
    assert relative_concentration(units, "a", total="T") == pytest.approx(relative_concentration(rest, "a", "r"))


def test_by_equals_each_area_alone():
    rng = np.random.default_rng(4)
    units = _strip(rng.uniform(1, 5, 24), a=rng.integers(0, 30, 24), b=rng.integers(1, 30, 24))
    units["area"] = np.repeat(["x", "y", "z"], 8)
    for f in (
        square_root_index,
        min_max,
        density_corrected_dissimilarity,
        concentration_profile_index,
        absolute_concentration,
        relative_concentration,
    ):
        per = f(units, "a", "b", by="area")
        for key, part in units.groupby("area"):
            assert per[key] == pytest.approx(f(part, "a", "b"), rel=1e-12), (f.__name__, key)
    per = delta(units, "a", by="area")
    for key, part in units.groupby("area"):
        assert per[key] == pytest.approx(delta(part, "a"), rel=1e-12)


def test_absent_group_by_area_warns():
    df = pd.DataFrame({"a": [0, 0, 3], "b": [1, 2, 3], "s": ["x", "x", "y"]})
    with pytest.warns(AbsentGroupWarning, match="group 'a' has no members"):
        values = square_root_index(df, "a", "b", by="s")
    assert np.isnan(values["x"])


def test_registered():
    rng = np.random.default_rng(2)
    x, y = rng.integers(0, 30, 20).astype(float), rng.integers(0, 30, 20).astype(float)
    df = pd.DataFrame({"a": x, "b": y})
    empty = np.empty(0, np.int64)
    for name, (f, _) in PAIR.items():
        spec = registry.get(name)
        assert spec.function is f and spec.kind == "two-group"
        assert spec.compute(x, y, x + y, empty, 1)[0] == pytest.approx(f(df, "a", "b"), rel=1e-14)
    for f in (delta, absolute_concentration, relative_concentration):
        assert registry.get(f.__name__).kind == "spatial"


# ----------------------------------------------------------------------------
# naive reference and invariances


@pytest.mark.parametrize("seed", range(5))
def test_against_naive(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 30))
    x, y = rng.integers(0, 80, n), rng.integers(0, 80, n)
    x[0], y[0] = 5, 1
    widths = rng.uniform(0.5, 10, n)
    units = _strip(widths, a=x, b=y)
    for name, (f, ref) in PAIR.items():
        assert f(units, "a", "b") == pytest.approx(ref(x, y), rel=1e-7, abs=1e-12), name
    area = units.area.to_numpy()
    assert delta(units, "a") == pytest.approx(naive.delta(x, area), rel=1e-12)
    assert absolute_concentration(units, "a", "b") == pytest.approx(naive.absolute_concentration(x, y, area), rel=1e-10)
    assert relative_concentration(units, "a", "b") == pytest.approx(naive.relative_concentration(x, y, area), rel=1e-10)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 300), st.integers(0, 300), st.floats(0.5, 20)), min_size=2, max_size=20),
    st.randoms(use_true_random=False),
    st.sampled_from([0.5, 3.0, 100.0]),
)
def test_unit_order_and_scale(rows, rnd, factor):
    x, y, w = (list(v) for v in zip(*rows))
    x[0], y[1] = x[0] + 1, y[1] + 1
    units = _strip(w, a=x, b=y)
    perm = list(range(len(units)))
    rnd.shuffle(perm)
    shuffled = units.iloc[perm]
    scaled = units.assign(a=units["a"] * factor, b=units["b"] * factor)
    for f in (square_root_index, min_max, concentration_profile_index):
        v = f(units, "a", "b")
        assert f(shuffled, "a", "b") == pytest.approx(v, rel=1e-9, abs=1e-12)
        assert f(scaled, "a", "b") == pytest.approx(v, rel=1e-9, abs=1e-12)
    # density-corrected D is not scale invariant (more people, less noise) but is order invariant
    assert density_corrected_dissimilarity(shuffled, "a", "b") == pytest.approx(
        density_corrected_dissimilarity(units, "a", "b"), rel=1e-9, abs=1e-12
    )
    assert delta(shuffled, "a") == pytest.approx(delta(units, "a"), rel=1e-9, abs=1e-12)
    assert delta(scaled, "a") == pytest.approx(delta(units, "a"), rel=1e-9, abs=1e-12)


# ----------------------------------------------------------------------------
# errors


def test_errors():
    df = pd.DataFrame({"a": [1, 2], "b": [2, 1]})
    with pytest.raises(SegindexValueError, match="needs total="):
        min_max(df, "a")
    with pytest.raises(SegindexValueError, match="'q' is not in the data"):
        square_root_index(df, "q", "b")
    with pytest.raises(SegindexValueError, match="at least 2 points"):
        concentration_profile(df, "a", "b", thresholds=1)
    with pytest.raises(SegindexValueError, match="must lie in"):
        concentration_profile(df, "a", "b", thresholds=[0.2, 1.5])
    with pytest.raises(SegindexTypeError, match="'thresholds' must be"):
        concentration_profile(df, "a", "b", thresholds=["x"])
    with pytest.raises(SegindexValueError, match="has no members"):
        concentration_profile(df.assign(a=0), "a", "b")
    with pytest.raises(SegindexTypeError, match="must be a GeoDataFrame"):
        delta(df, "a")
    units = _strip([1, 2], a=[1, 2], b=[2, 1])
    with pytest.raises(SegindexValueError, match="is in a geographic CRS"):
        absolute_concentration(units.set_crs(4326, allow_override=True), "a", "b")
    with pytest.raises(SegindexValueError, match="no coordinate reference system"):
        relative_concentration(units.set_crs(None, allow_override=True), "a", "b")
    lines = units.copy()
    lines.geometry = units.boundary
    with pytest.raises(SegindexValueError, match="zero area"):
        delta(lines, "a")


# ----------------------------------------------------------------------------
# PySAL segregation 2.6 on the 2011 Bradford LSOAs with their polygons, same run


@pytest.fixture(scope="module")
def bradford():
    polygons = gpd.read_file(shared_data("uk", "boundaries", "bradford_lsoa2011.gpkg"))
    counts = pd.read_csv(shared_data("uk", "census2011", "lsoa2011_ethnicity_bradford.csv"))
    return polygons[["LSOA11CD", "geometry"]].merge(counts, left_on="LSOA11CD", right_on="LSOA")


@pytest.mark.realdata
@pytest.mark.parametrize("group", ["Pakistani", "WhiteBrit"])
def test_matches_pysal_on_bradford(bradford, group):
    single = pytest.importorskip("segregation.singlegroup")
    df = bradford
    assert len(df) == 310
    assert square_root_index(df, group, total="Persons") == pytest.approx(
        single.HutchensSqrt(df, group, "Persons").statistic, rel=1e-10
    )
    assert min_max(df, group, total="Persons") == pytest.approx(
        single.MinMax(df.copy(), group, "Persons").statistic, rel=1e-10
    )
    _density_correction_against_pysal(df, group, single)
    assert delta(df, group) == pytest.approx(single.Delta(df, group, "Persons").statistic, rel=1e-10)
    assert absolute_concentration(df, group, total="Persons") == pytest.approx(
        single.AbsoluteConcentration(df, group, "Persons").statistic, rel=1e-10
    )
    assert relative_concentration(df, group, total="Persons") == pytest.approx(
        single.RelativeConcentration(df, group, "Persons").statistic, rel=1e-10
    )
    # ConProf approximates the integrals by a left Riemann sum over 1,000 grid points divided by m (its class
    # does not pass its m= on: every call uses 1,000); the same sum over our profile gives its number
    exact = concentration_profile_index(df, group, total="Persons")
    conprof = single.ConProf(df, group, "Persons")
    ours = concentration_profile(df, group, total="Persons", thresholds=1000)
    np.testing.assert_allclose(ours["threshold"], conprof.grid)
    np.testing.assert_allclose(ours["share"], conprof.curve, rtol=1e-12)
    P, grid, v = ours["area_share"].iloc[0], ours["threshold"].to_numpy(), ours["share"].to_numpy()
    riemann = (P - (v[grid < P].sum() - v[grid >= P].sum()) / 1000) / (1 - P)
    assert conprof.statistic == pytest.approx(riemann, rel=1e-12)
    assert abs(conprof.statistic - exact) < 5e-3


def _density_correction_against_pysal(df, group, single):
    """PySAL's Nelder-Mead returns ~0 wherever theta_hat > ~38 (the likelihood underflows at its start, 0).

    On the units below that threshold it agrees with the exact root; with the others it is far lower.
    """
    from segregation.singlegroup.density_corrected_dissim import _return_optimal_theta

    from segindex._kernels.peers import folded_normal_location

    assert _return_optimal_theta(40.0) < 1e-3 < folded_normal_location(40.0) - 39.9  # the underflow itself
    x = df[group].to_numpy(float)
    y = df["Persons"].to_numpy(float) - x
    p0, p1 = x / x.sum(), y / y.sum()
    sigma = np.sqrt(p1 * (1 - p1) / y.sum() + p0 * (1 - p0) / x.sum())
    z = np.abs(p1 - p0) / sigma
    theta = np.array([folded_normal_location(v) for v in z])
    ours = density_corrected_dissimilarity(df, group, total="Persons")
    assert ours == pytest.approx(0.5 * np.sum(sigma * theta), rel=1e-12)
    pysal = single.DensityCorrectedDissim(df, group, "Persons").statistic
    theirs = np.array([_return_optimal_theta(v) for v in z])
    assert pysal == pytest.approx(0.5 * np.sum(sigma * theirs), rel=1e-12)
    failed = (theirs < 1e-3) & (z > 1)
    assert np.all(z[failed] > 35)  # only where phi(theta_hat) underflows
    np.testing.assert_allclose(theirs[~failed], theta[~failed], atol=1e-4)
    if failed.any():
        assert ours - pysal > 1e-3
