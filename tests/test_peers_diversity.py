"""Multigroup evenness and diversity indices (Reardon & Firebaugh 2002; Roberto 2015) and their local forms.

Hand-worked tables, a naive reference (tests/naive_peers.py), invariances as
hypothesis properties, errors, and PySAL ``segregation`` 2.6 on the 2011
Bradford LSOAs in the same run.
"""

from __future__ import annotations

import math

import naive_peers as naive
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from conftest import shared_data
from segindex import correlation_ratio, gini, mutual_information
from segindex.errors import AbsentGroupWarning, SegindexTypeError, SegindexValueError
from segindex.indices import registry
from segindex.indices.diversity import (
    divergence,
    diversity,
    local_diversity,
    local_entropy,
    local_simpsons_concentration,
    local_simpsons_interaction,
    multigroup_gini,
    normalised_exposure,
    relative_diversity,
    simpsons_concentration,
    simpsons_interaction,
    squared_coefficient_of_variation,
)

SEGREGATION = {
    "multigroup_gini": multigroup_gini,
    "normalised_exposure": normalised_exposure,
    "relative_diversity": relative_diversity,
    "squared_coefficient_of_variation": squared_coefficient_of_variation,
    "divergence": divergence,
}
ALL = {
    **SEGREGATION,
    "diversity": diversity,
    "simpsons_concentration": simpsons_concentration,
    "simpsons_interaction": simpsons_interaction,
}
GROUPS = ["A", "B", "C"]


def _frame(c):
    return pd.DataFrame(np.asarray(c, dtype=float), columns=GROUPS[: np.asarray(c).shape[1]])


# ----------------------------------------------------------------------------
# hand-worked cases


def test_complete_segregation_and_evenness():
    apart = _frame([[10, 0, 0], [0, 20, 0], [0, 0, 5]])
    even = _frame([[10, 20, 5], [2, 4, 1], [20, 40, 10]])
    for name, f in SEGREGATION.items():
        assert f(even, GROUPS) == pytest.approx(0.0, abs=1e-12), name
        if name != "divergence":
            assert f(apart, GROUPS) == pytest.approx(1.0, rel=1e-12), name
    # divergence of complete segregation is the entropy of the margin
    assert divergence(apart, GROUPS) == pytest.approx(diversity(apart, GROUPS), rel=1e-12)


def test_hand_worked_two_by_three():
    # units (A, B): (10, 0), (0, 10), (5, 5); pi = (1/2, 1/2), I = 1/2, T = 30
    df = pd.DataFrame({"A": [10, 0, 5], "B": [0, 10, 5]})
    # G: per group the ordered pair sum is 2 (10*10*1 + 10*10*.5 + 10*10*.5) = 400; 800 / (2 * 900 * .5)
    assert multigroup_gini(df, ["A", "B"]) == pytest.approx(8 / 9, rel=1e-12)
    # S_g = 10 (1/2)^2 + 10 (1/2)^2 + 0 = 5 for each group
    assert relative_diversity(df, ["A", "B"]) == pytest.approx(10 / 15, rel=1e-12)
    assert normalised_exposure(df, ["A", "B"]) == pytest.approx(10 / 15, rel=1e-12)
    assert squared_coefficient_of_variation(df, ["A", "B"]) == pytest.approx(10 / 15, rel=1e-12)
    assert divergence(df, ["A", "B"]) == pytest.approx(2 / 3 * math.log(2), rel=1e-12)
    assert diversity(df, ["A", "B"]) == pytest.approx(math.log(2), rel=1e-12)
    assert simpsons_concentration(df, ["A", "B"]) == pytest.approx(0.5)
    assert simpsons_interaction(df, ["A", "B"]) == pytest.approx(0.5)


def test_three_groups_hand_worked():
    # one unit all A (30), one unit B 10 + C 10; pi = (.6, .2, .2), T = 50
    df = _frame([[30, 0, 0], [0, 10, 10]])
    I = 0.6 * 0.4 + 2 * 0.2 * 0.8  # 0.56
    # S_A = 30 (1 - .6)^2 + 20 (0 - .6)^2 = 12; S_B = S_C = 30 (.2)^2 + 20 (.5 - .2)^2 = 3
    assert relative_diversity(df, GROUPS) == pytest.approx(18 / (50 * I), rel=1e-12)
    assert normalised_exposure(df, GROUPS) == pytest.approx(12 / (50 * 0.4) + 2 * 3 / (50 * 0.8), rel=1e-12)
    assert squared_coefficient_of_variation(df, GROUPS) == pytest.approx(
        (12 / (50 * 0.6) + 2 * 3 / (50 * 0.2)) / 2, rel=1e-12
    )
    # G: A: 2 * 30*20*1 = 1200; B, C: 2 * 30*20*.5 = 600 each; 2400 / (2 * 2500 * .56)
    assert multigroup_gini(df, GROUPS) == pytest.approx(2400 / (2 * 2500 * I), rel=1e-12)
    assert diversity(df, GROUPS, normalise=True) == pytest.approx(
        -(0.6 * math.log(0.6) + 0.4 * math.log(0.2)) / math.log(3), rel=1e-12
    )


def test_two_groups_reduce_to_two_group_indices():
    df = pd.DataFrame({"A": [10, 3, 7, 0, 25], "B": [5, 30, 1, 4, 25]})
    df["T"] = df["A"] + df["B"]
    assert multigroup_gini(df, ["A", "B"]) == pytest.approx(gini(df, "A", total="T"), rel=1e-12)
    # with two groups, C = eta^2 of either group (Reardon & Firebaugh 2002, p. 40)
    assert squared_coefficient_of_variation(df, ["A", "B"]) == pytest.approx(
        correlation_ratio(df, "A", total="T"), rel=1e-12
    )


def test_divergence_is_mutual_information():
    rng = np.random.default_rng(3)
    df = _frame(rng.integers(0, 50, size=(40, 3)))
    assert divergence(df, GROUPS) == pytest.approx(mutual_information(df, GROUPS), rel=1e-13)


def test_total_adds_the_rest_as_a_group():
    df = pd.DataFrame({"A": [10, 0, 5], "B": [0, 10, 5], "T": [12, 11, 20]})
    with_rest = df.assign(R=df["T"] - df["A"] - df["B"])
    for name, f in ALL.items():
        assert f(df, ["A", "B"], total="T") == pytest.approx(f(with_rest, ["A", "B", "R"]), rel=1e-12), name


def test_by_equals_each_area_alone():
    rng = np.random.default_rng(5)
    df = _frame(rng.integers(0, 30, size=(30, 3)))
    df["area"] = np.repeat(["x", "y", "z"], 10)
    for name, f in ALL.items():
        per_area = f(df, GROUPS, by="area")
        assert list(per_area.index) == ["x", "y", "z"]
        for key, part in df.groupby("area"):
            assert per_area[key] == pytest.approx(f(part, GROUPS), rel=1e-12, abs=1e-14), (name, key)


def test_by_area_with_one_group_warns_and_gives_nan():
    df = pd.DataFrame({"A": [5, 3, 4, 0], "B": [0, 0, 6, 2], "area": ["x", "x", "y", "y"]})
    with pytest.warns(AbsentGroupWarning, match="only one group is present"):
        values = relative_diversity(df, ["A", "B"], by="area")
    assert np.isnan(values["x"]) and values["y"] > 0


def test_local_forms_hand_worked():
    df = pd.DataFrame({"A": [10, 5, 0, 2], "B": [0, 5, 0, 2], "C": [0, 0, 0, 4]}, index=list("pqrs"))
    e = local_diversity(df, GROUPS)
    assert list(e.index) == list("pqrs")
    assert e["p"] == 0.0 and e["q"] == pytest.approx(math.log(2)) and np.isnan(e["r"])
    assert e["s"] == pytest.approx(-(0.5 * math.log(0.25) + 0.5 * math.log(0.5)))
    assert local_entropy(df, GROUPS)["q"] == pytest.approx(math.log(2) / math.log(3))
    lam = local_simpsons_concentration(df, GROUPS)
    inter = local_simpsons_interaction(df, GROUPS)
    assert lam["s"] == pytest.approx(0.25**2 * 2 + 0.5**2)
    np.testing.assert_allclose((lam + inter).dropna(), 1.0, rtol=1e-14)


def test_registered():
    for name, f in ALL.items():
        spec = registry.get(name)
        assert spec.function is f and spec.kind == "multigroup"
    rng = np.random.default_rng(9)
    c = rng.integers(0, 40, size=(25, 3)).astype(float)
    codes = np.repeat(np.arange(5), 5).astype(np.int64)
    df = _frame(c).assign(area=codes)
    for name, f in ALL.items():
        spec = registry.get(name)
        np.testing.assert_allclose(spec.compute(c, codes, 5), f(df, GROUPS, by="area").to_numpy(), rtol=1e-12)
    assert registry.get("diversity").compute(c, np.empty(0, np.int64), 1, normalise=True)[0] == pytest.approx(
        diversity(_frame(c), GROUPS, normalise=True)
    )


# ----------------------------------------------------------------------------
# naive reference on random tables

NAIVE = {
    "multigroup_gini": naive.multigroup_gini,
    "normalised_exposure": naive.normalised_exposure,
    "relative_diversity": naive.relative_diversity,
    "squared_coefficient_of_variation": naive.squared_coefficient_of_variation,
    "divergence": naive.divergence,
    "diversity": naive.diversity,
    "simpsons_concentration": naive.simpsons_concentration,
    "simpsons_interaction": naive.simpsons_interaction,
}


@pytest.mark.parametrize("seed", range(5))
def test_against_naive(seed):
    rng = np.random.default_rng(seed)
    c = rng.integers(0, 60, size=(int(rng.integers(3, 40)), 3))
    c[rng.random(c.shape[0]) < 0.2] = 0  # some empty units
    c[0] = [1, 1, 1]
    df = _frame(c)
    for name, f in ALL.items():
        assert f(df, GROUPS) == pytest.approx(NAIVE[name](c), rel=1e-10, abs=1e-14), name
    np.testing.assert_allclose(local_diversity(df, GROUPS), naive.local_diversity(c), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(
        local_simpsons_concentration(df, GROUPS), naive.local_simpsons_concentration(c), rtol=1e-12
    )


# ----------------------------------------------------------------------------
# invariances

SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def tables(draw):
    n = draw(st.integers(2, 25))
    c = draw(arrays(np.int64, (n, 3), elements=st.integers(0, 200)))
    c[0] = np.maximum(c[0], 1)  # every group present
    return c


@SETTINGS
@given(c=tables(), data=st.data())
def test_unit_order_and_scale_do_not_matter(c, data):
    df = _frame(c)
    perm = data.draw(st.permutations(range(len(df))))
    factor = data.draw(st.sampled_from([0.5, 3.0, 1000.0]))
    for name, f in ALL.items():
        v = f(df, GROUPS)
        assert f(df.iloc[list(perm)], GROUPS) == pytest.approx(v, rel=1e-9, abs=1e-12), name
        assert f(df * factor, GROUPS) == pytest.approx(v, rel=1e-9, abs=1e-12), name


@SETTINGS
@given(c=tables(), data=st.data())
def test_splitting_a_unit_proportionally_changes_nothing(c, data):
    # the organisational equivalence of Reardon & Firebaugh (2002): a unit split into two of the same composition
    df = _frame(c)
    i = data.draw(st.integers(0, len(df) - 1))
    share = data.draw(st.sampled_from([0.25, 0.5, 0.9]))
    split = pd.concat([df, df.iloc[[i]] * share], ignore_index=True)
    split.iloc[i] = df.iloc[i] * (1 - share)
    for name, f in ALL.items():
        assert f(split, GROUPS) == pytest.approx(f(df, GROUPS), rel=1e-9, abs=1e-12), name


@SETTINGS
@given(c=tables())
def test_bounds_and_identities(c):
    df = _frame(c)
    for name in SEGREGATION:
        if name != "divergence":
            assert -1e-12 <= ALL[name](df, GROUPS) <= 1 + 1e-12, name
    assert divergence(df, GROUPS) <= diversity(df, GROUPS) + 1e-12
    assert simpsons_concentration(df, GROUPS) + simpsons_interaction(df, GROUPS) == pytest.approx(1.0)
    assert 0 <= diversity(df, GROUPS, normalise=True) <= 1 + 1e-12


# ----------------------------------------------------------------------------
# errors


def test_errors():
    df = pd.DataFrame({"A": [10, 0], "B": [0, 10], "Z": [0, 0], "s": ["a", "b"]})
    with pytest.raises(SegindexValueError, match="'Q' is not in the data"):
        multigroup_gini(df, ["A", "Q"])
    with pytest.raises(SegindexValueError, match="needs at least two groups"):
        relative_diversity(df, ["A"])
    with pytest.raises(SegindexValueError, match="'Z' has no members"):
        normalised_exposure(df, ["A", "B", "Z"])
    with pytest.raises(SegindexTypeError, match="must hold numbers"):
        divergence(df, ["A", "s"])
    with pytest.raises(SegindexTypeError, match="'normalise' must be True or False"):
        diversity(df, ["A", "B"], normalise="yes")
    with pytest.raises(SegindexTypeError, match="must be a pandas DataFrame"):
        local_entropy([[1, 2]], ["A", "B"])
    with pytest.raises(SegindexValueError, match="negative"):
        local_diversity(pd.DataFrame({"A": [1, -1], "B": [1, 1]}), ["A", "B"])


# ----------------------------------------------------------------------------
# PySAL segregation 2.6 on the 2011 Bradford LSOAs, same run

CENSUS_GROUPS = [
    "WhiteBrit",
    "Irish",
    "OtherWhite",
    "Mixed",
    "Indian",
    "Pakistani",
    "Bangladeshi",
    "Chinese",
    "OtherAsian",
    "BlkAfrican",
    "BlkCaribbean",
    "OtherBlk",
    "Arab",
    "Other",
    "GypsyTraveller",
]


@pytest.fixture(scope="module")
def bradford():
    return pd.read_csv(shared_data("uk", "census2011", "lsoa2011_ethnicity_bradford.csv"))


@pytest.mark.realdata
def test_matches_pysal_on_bradford(bradford):
    multi = pytest.importorskip("segregation.multigroup")
    local = pytest.importorskip("segregation.local")
    df = bradford
    pairs = [
        (multi.MultiGini, multigroup_gini),
        (multi.MultiNormExposure, normalised_exposure),
        (multi.MultiRelativeDiversity, relative_diversity),
        (multi.MultiSquaredCoefVar, squared_coefficient_of_variation),
        (multi.MultiDivergence, divergence),
        (multi.MultiDiversity, diversity),
        (multi.SimpsonsConcentration, simpsons_concentration),
        (multi.SimpsonsInteraction, simpsons_interaction),
    ]
    for cls, ours in pairs:
        assert ours(df, CENSUS_GROUPS) == pytest.approx(cls(df, CENSUS_GROUPS).statistic, rel=1e-10), cls.__name__
    assert diversity(df, CENSUS_GROUPS, normalise=True) == pytest.approx(
        multi.MultiDiversity(df, CENSUS_GROUPS, normalized=True).statistic, rel=1e-10
    )
    for cls, ours in [
        (local.MultiLocalDiversity, local_diversity),
        (local.MultiLocalEntropy, local_entropy),
        (local.MultiLocalSimpsonConcentration, local_simpsons_concentration),
        (local.MultiLocalSimpsonInteraction, local_simpsons_interaction),
    ]:
        np.testing.assert_allclose(
            ours(df, CENSUS_GROUPS), cls(df, CENSUS_GROUPS).statistics, rtol=1e-10, err_msg=cls.__name__
        )
    # a sanity reading: Bradford's LSOAs are strongly segregated across its 15 groups
    assert 0.5 < multigroup_gini(df, CENSUS_GROUPS) < 0.9
