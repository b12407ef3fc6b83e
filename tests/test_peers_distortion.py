"""Distortion coefficients and divergence profiles (Olteanu, Randon-Furling & Clark 2019): hand-worked,
a dense naive reference, invariances, and PySAL's LocalDistortion / GlobalDistortion (normalize=False)
on the 2011 Bradford LSOAs in the same run."""

from __future__ import annotations

import math

import geopandas as gpd
import naive_peers as naive
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import shared_data
from segindex.errors import SegindexValueError
from segindex.indices import registry
from segindex.indices.distortion import divergence_profiles, global_distortion, local_distortion


def _points(n, seed):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"e": rng.uniform(0, 5000, n), "n": rng.uniform(0, 5000, n)})
    for g in "abc":
        df[g] = rng.integers(0, 40, n)
    df.loc[0, ["a", "b", "c"]] = [1, 1, 1]
    return df


def test_hand_worked_line():
    # three units on a line: a-only, mixed, b-only; area composition (1/2, 1/2)
    df = pd.DataFrame({"e": [0.0, 1.0, 2.0], "n": 0.0, "a": [10, 5, 0], "b": [0, 5, 10]})
    local = local_distortion(df, ["a", "b"], points=("e", "n"), crs=27700)
    ln2 = math.log(2)
    # from unit 0: {a:10} KL ln2; {a:15, b:5}: .75 ln 1.5 + .25 ln .5; all: 0
    kl2 = 0.75 * math.log(1.5) + 0.25 * math.log(0.5)
    assert local.iloc[0] == pytest.approx(ln2 + kl2)
    assert local.iloc[2] == pytest.approx(ln2 + kl2)
    # from the middle: itself (KL 0), then a tie at distance 1 broken by input order (unit 0 first)
    assert local.iloc[1] == pytest.approx(0 + kl2 + 0)
    t = np.array([10, 10, 10])
    assert global_distortion(df, ["a", "b"], points=("e", "n"), crs=27700) == pytest.approx(
        float(t @ local.to_numpy() / 30)
    )
    profile = divergence_profiles(df, ["a", "b"], origins=[1], points=("e", "n"), crs=27700)
    assert profile["unit"].tolist() == [1, 0, 2] and profile["distance"].tolist() == [0.0, 1.0, 1.0]
    assert profile["divergence"].sum() == pytest.approx(local.iloc[1])


@pytest.mark.parametrize("seed", range(3))
def test_against_naive(seed):
    df = _points(25, seed)
    ours = local_distortion(df, ["a", "b", "c"], points=("e", "n"), crs=27700)
    expected = naive.local_distortion(df[["a", "b", "c"]].to_numpy(), df[["e", "n"]].to_numpy().tolist())
    np.testing.assert_allclose(ours, expected, rtol=1e-10)
    profiles = divergence_profiles(df, ["a", "b", "c"], points=("e", "n"), crs=27700)
    assert len(profiles) == 25 * 25
    np.testing.assert_allclose(profiles.groupby("origin")["divergence"].sum(), ours, rtol=1e-12)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 1000), factor=st.sampled_from([0.5, 7.0]))
def test_unit_order_and_scale(seed, factor):
    df = _points(12, seed)
    perm = np.random.default_rng(seed).permutation(len(df))
    v = local_distortion(df, ["a", "b", "c"], points=("e", "n"), crs=27700)
    shuffled = local_distortion(df.iloc[perm], ["a", "b", "c"], points=("e", "n"), crs=27700)
    np.testing.assert_allclose(shuffled.sort_index(), v, rtol=1e-10)
    scaled = df.assign(a=df["a"] * factor, b=df["b"] * factor, c=df["c"] * factor)
    np.testing.assert_allclose(local_distortion(scaled, ["a", "b", "c"], points=("e", "n"), crs=27700), v, rtol=1e-9)


def test_total_adds_the_rest():
    df = _points(10, 1)
    df["T"] = df[["a", "b", "c"]].sum(axis=1)
    np.testing.assert_allclose(
        local_distortion(df, ["a", "b"], total="T", points=("e", "n"), crs=27700),
        local_distortion(df, ["a", "b", "c"], points=("e", "n"), crs=27700),
        rtol=1e-12,
    )
    assert registry.get("global_distortion").kind == "spatial"


def test_errors():
    df = _points(5, 0)
    with pytest.raises(SegindexValueError, match="at least two groups"):
        local_distortion(df, ["a"], points=("e", "n"), crs=27700)
    with pytest.raises(SegindexValueError, match="no population"):
        global_distortion(df.assign(a=0, b=0), ["a", "b"], points=("e", "n"), crs=27700)
    with pytest.raises(SegindexValueError, match="not in the data's index"):
        divergence_profiles(df, ["a", "b"], origins=[99], points=("e", "n"), crs=27700)
    with pytest.raises(SegindexValueError, match="is in a geographic CRS"):
        local_distortion(gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["e"], df["n"]), crs=4326), ["a", "b"])


@pytest.mark.realdata
def test_matches_pysal_on_bradford():
    local_mod = pytest.importorskip("segregation.local")
    multi = pytest.importorskip("segregation.multigroup")
    polygons = gpd.read_file(shared_data("uk", "boundaries", "bradford_lsoa2011.gpkg"))
    counts = pd.read_csv(shared_data("uk", "census2011", "lsoa2011_ethnicity_bradford.csv"))
    df = polygons[["LSOA11CD", "geometry"]].merge(counts, left_on="LSOA11CD", right_on="LSOA")
    groups = ["WhiteBrit", "Pakistani", "Indian", "OtherWhite", "Mixed"]
    df = df.assign(Other5=df["Persons"] - df[groups].sum(axis=1))
    groups = [*groups, "Other5"]
    centroids = np.column_stack([df.centroid.x, df.centroid.y])
    theirs = local_mod.LocalDistortion(df, groups, normalize=False).statistics
    ours = local_distortion(df, groups, points=centroids)
    np.testing.assert_allclose(ours.to_numpy(), np.asarray(theirs), rtol=1e-9)
    assert global_distortion(df, groups, points=centroids) == pytest.approx(
        multi.GlobalDistortion(df, groups, normalize=False).statistic, rel=1e-9
    )
