"""Decompositions of a difference: ipf, decompose_difference (Rey, Cortes & Knaap 2021; PySAL's
DecomposeSegregation on Bradford against Oldham in the same run) and the "km" and "mrc" methods for M
(the checks of the R package segregation's tests/testthat/test_mutual_difference.R, and hand-worked cases).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from conftest import shared_data
from segindex import dissimilarity, gini, isolation, mutual_information
from segindex.counts import to_wide
from segindex.decomposition import counterfactual_counts, decompose_difference, decompose_mutual_information, ipf
from segindex.errors import SegindexTypeError, SegindexValueError
from segindex.indices.evenness import square_root_index

# ----------------------------------------------------------------------------
# ipf


def test_ipf_margins_and_odds_ratios():
    rng = np.random.default_rng(0)
    seed = rng.random((12, 4)) + 0.01
    rows = rng.random(12)
    cols = rng.random(4)
    cols *= rows.sum() / cols.sum()
    for tol in (1e-6, 1e-12):
        fit = ipf(seed, rows, cols, tol=tol)
        assert np.max(np.abs(fit.sum(axis=1) / rows - 1)) <= tol
        assert np.max(np.abs(fit.sum(axis=0) / cols - 1)) <= tol
    fit = ipf(seed, rows, cols)
    odds = fit[2, 1] * fit[5, 3] / (fit[2, 3] * fit[5, 1])
    assert odds == pytest.approx(seed[2, 1] * seed[5, 3] / (seed[2, 3] * seed[5, 1]), rel=1e-9)
    frame = pd.DataFrame(seed[:2, :2], index=["u", "v"], columns=["a", "b"])
    out = ipf(frame, [1, 2], [2, 1])
    assert isinstance(out, pd.DataFrame) and list(out.index) == ["u", "v"] and list(out.columns) == ["a", "b"]
    # a 2 x 2 table has a closed form: margins (2, 4) and (3, 3) with odds ratio 3
    f = ipf(np.array([[1.0, 1.0], [1.0, 3.0]]), [2, 4], [3, 3])
    a = f[0, 0]
    assert a * (4 - 3 + a) / ((2 - a) * (3 - a)) == pytest.approx(3.0, rel=1e-9)


def test_ipf_errors():
    seed = np.ones((2, 2))
    with pytest.raises(SegindexValueError, match="same total"):
        ipf(seed, [1, 1], [1, 2])
    with pytest.raises(SegindexValueError, match="has 3 values"):
        ipf(seed, [1, 1, 1], [1, 2])
    with pytest.raises(SegindexValueError, match="non-negative"):
        ipf(-seed, [1, 1], [1, 1])
    with pytest.raises(SegindexValueError, match="all zeros but its target"):
        ipf(np.array([[1.0, 1.0], [0.0, 0.0]]), [1, 1], [1, 1])
    with pytest.raises(SegindexValueError, match="did not converge"):
        ipf(np.array([[1.0, 2.0], [3.0, 1.0]]), [1, 2], [2, 1], tol=1e-12, max_iter=1)
    with pytest.raises(SegindexValueError, match="'tol' must be"):
        ipf(seed, [1, 1], [1, 1], tol=2)
    with pytest.raises(SegindexValueError, match="'max_iter' must be"):
        ipf(seed, [1, 1], [1, 1], max_iter=0)
    with pytest.raises(SegindexTypeError, match="'row_target' must be a sequence"):
        ipf(seed, ["a", "b"], [1, 1])
    with pytest.raises(SegindexValueError, match="two-dimensional"):
        ipf(np.ones(3), [1, 1, 1], [3])


# ----------------------------------------------------------------------------
# decompose_difference


def _parts(frame):
    return frame.set_index("stat")["est"]


def test_decompose_difference_adds_up_and_vanishes_for_equal_tables():
    rng = np.random.default_rng(1)
    a = pd.DataFrame({"g": rng.integers(0, 50, 30), "t": 0})
    a["t"] = a["g"] + rng.integers(1, 60, 30)
    b = pd.DataFrame({"g": rng.integers(0, 20, 40), "t": 0})
    b["t"] = b["g"] + rng.integers(1, 90, 40)
    for approach in ("composition", "share", "dual_composition"):
        for index in (dissimilarity, gini, "square_root_index"):
            d = _parts(decompose_difference(index, a, b, "g", total="t", approach=approach))
            assert d["spatial"] + d["compositional"] == pytest.approx(d["difference"], abs=1e-14)
            assert d["value_a"] == pytest.approx(
                (square_root_index if index == "square_root_index" else index)(a, "g", total="t")
            )
            same = _parts(decompose_difference(index, a, a.copy(), "g", total="t", approach=approach))
            assert same["spatial"] == pytest.approx(0.0, abs=1e-12)
            assert same["compositional"] == pytest.approx(0.0, abs=1e-12)


def test_composition_counterfactual_by_hand():
    # a's shares .1 .2 .3 .4 have percentile ranks 1/4 ... 1; b's shares 0, .2, .5, .9 at those quantiles
    # (linear interpolation, positions .75, 1.5, 2.25, 3) are .15, .35, .6, .9: a's units get those shares
    a = pd.DataFrame({"g": [1, 2, 3, 4], "t": [10, 10, 10, 10]})
    b = pd.DataFrame({"g": [0, 2, 5, 9], "t": [10, 10, 10, 10]})
    d = _parts(decompose_difference(dissimilarity, a, b, "g", total="t"))
    counterfactual = pd.DataFrame({"g": [1.5, 3.5, 6.0, 9.0], "t": [10.0] * 4})
    assert d["a_with_b"] == pytest.approx(dissimilarity(counterfactual, "g", total="t"), rel=1e-12)
    assert d["spatial"] == pytest.approx(0.5 * (d["value_a"] - d["b_with_a"] + d["a_with_b"] - d["value_b"]))


def test_decompose_difference_errors():
    a = pd.DataFrame({"g": [1, 2], "t": [3, 3]})
    with pytest.raises(SegindexValueError, match="'approach' must be one of"):
        decompose_difference(dissimilarity, a, a, "g", total="t", approach="swap")
    with pytest.raises(SegindexValueError, match="unknown index"):
        decompose_difference("no_such_index", a, a, "g", total="t")
    with pytest.raises(SegindexValueError, match="more 'g'"):
        decompose_difference(dissimilarity, a, a.assign(g=[5, 1]), "g", total="t")
    with pytest.raises(SegindexValueError, match="is empty"):
        decompose_difference(dissimilarity, a, a.assign(g=[0, 0]), "g", total="t")
    with pytest.raises(SegindexValueError, match="'q' is not in the data"):
        decompose_difference(dissimilarity, a, a, "q", total="t")


@pytest.mark.realdata
@pytest.mark.parametrize("approach", ["composition", "share", "dual_composition"])
def test_decompose_difference_matches_pysal(approach):
    """Bradford against Oldham LSOAs, Pakistani against the rest: PySAL's DecomposeSegregation, same run."""
    single = pytest.importorskip("segregation.singlegroup")
    decomposition = pytest.importorskip("segregation.decomposition")
    brad = pd.read_csv(shared_data("uk", "census2011", "lsoa2011_ethnicity_bradford.csv"))
    old = pd.read_csv(shared_data("uk", "census2011", "lsoa2011_ethnicity_oldham.csv"))
    for ours, cls in ((dissimilarity, single.Dissim), (isolation, single.Isolation)):
        theirs = decomposition.DecomposeSegregation(
            cls(brad, "Pakistani", "Persons"), cls(old, "Pakistani", "Persons"), counterfactual_approach=approach
        )
        d = _parts(decompose_difference(ours, brad, old, "Pakistani", total="Persons", approach=approach))
        assert d["spatial"] == pytest.approx(theirs.c_s, rel=1e-9, abs=1e-12), cls.__name__
        assert d["compositional"] == pytest.approx(theirs.c_a, rel=1e-9, abs=1e-12), cls.__name__
        assert d["a_with_b"] == pytest.approx(theirs.indices["s1_a2"], rel=1e-9)
        assert d["b_with_a"] == pytest.approx(theirs.indices["s2_a1"], rel=1e-9)


# ----------------------------------------------------------------------------
# "km" and "mrc" for M: the R package's tests (test_mutual_difference.R, test_data1/test_data2)

R1 = pd.DataFrame({"1": [40, 5], "2": [30, 10], "3": [20, 15], "4": [10, 20]}, index=["a", "b"])
R2 = pd.DataFrame({"1": [20, 5], "2": [20, 10], "3": [20, 10], "4": [15, 15]}, index=["a", "b"])
G = ["1", "2", "3", "4"]


def test_km_r_package_checks():
    km = _parts(decompose_mutual_information(R1, R2, G, method="km"))
    assert list(km.index) == [
        "M1",
        "M2",
        "diff",
        "additions",
        "removals",
        "group_marginal",
        "unit_marginal",
        "interaction",
        "structural",
    ]
    assert km["M1"] == pytest.approx(mutual_information(R1, G))
    assert km["M2"] == pytest.approx(mutual_information(R2, G))
    assert km[["unit_marginal", "group_marginal", "interaction", "structural"]].sum() == pytest.approx(km["diff"])
    assert km["additions"] == 0 and km["removals"] == 0
    # transposed (units <-> groups): the marginal parts swap, interaction and structural stay
    tr = _parts(decompose_mutual_information(R1.T, R2.T, ["a", "b"], method="km"))
    assert tr["unit_marginal"] == pytest.approx(km["group_marginal"], abs=1e-9)
    assert tr["group_marginal"] == pytest.approx(km["unit_marginal"], abs=1e-9)
    assert tr["interaction"] == pytest.approx(km["interaction"], abs=1e-9)
    assert tr["structural"] == pytest.approx(km["structural"], abs=1e-9)
    # one direction only: swapping the tables does not simply negate it (unlike shapley)
    back = _parts(decompose_mutual_information(R2, R1, G, method="km"))
    assert back["diff"] == pytest.approx(-km["diff"])
    assert back["structural"] != pytest.approx(-km["structural"], abs=1e-6)


def test_km_hand_worked_margins_only():
    # doubling unit c changes only the unit margin: F = B exactly, so structural = interaction = group = 0
    base = pd.DataFrame({"g1": [25, 28, 2], "g2": [25, 2, 18]}, index=["a", "b", "c"])
    cols = base.copy()
    cols.loc["c"] *= 2
    km = _parts(decompose_mutual_information(base, cols, ["g1", "g2"], method="km"))
    assert km["structural"] == pytest.approx(0.0, abs=1e-9)
    # scaling unit rows to B's totals is B itself
    assert km["unit_marginal"] == pytest.approx(km["diff"], abs=1e-9)
    assert km["group_marginal"] + km["interaction"] == pytest.approx(0.0, abs=1e-9)


def test_mrc_r_package_checks_and_hand_worked():
    mrc = _parts(decompose_mutual_information(R1, R2, G, method="mrc"))
    assert mrc["M1"] == pytest.approx(mutual_information(R1, G))
    assert mrc["M2"] == pytest.approx(mutual_information(R2, G))
    assert mrc[["unit_marginal", "group_marginal", "structural"]].sum() == pytest.approx(mrc["diff"], abs=1e-15)
    assert mrc["additions"] == 0 and mrc["removals"] == 0
    # by hand: group entropies of the two margins
    g1 = R1.sum() / R1.to_numpy().sum()
    g2 = R2.sum() / R2.to_numpy().sum()
    assert mrc["group_marginal"] == pytest.approx(-(g2 * np.log(g2)).sum() + (g1 * np.log(g1)).sum())
    # unit a holds 100 of 150 people, then 75 of 115; s_u = sum_g p(g|u) ln p(g|u)
    p1 = R1.sum(axis=1) / 150
    p2 = R2.sum(axis=1) / 115
    s1 = (R1.div(R1.sum(axis=1), axis=0).map(lambda q: q * math.log(q))).sum(axis=1)
    s2 = (R2.div(R2.sum(axis=1), axis=0).map(lambda q: q * math.log(q))).sum(axis=1)
    assert mrc["unit_marginal"] == pytest.approx(((p2 - p1) * (s1 + s2) / 2).sum(), rel=1e-12)
    assert mrc["structural"] == pytest.approx(((p1 + p2) / 2 * (s2 - s1)).sum(), rel=1e-12)


def test_additions_and_removals_r_package_zero_weights():
    d1 = pd.DataFrame({"1": [0, 5, 4], "2": [30, 10, 3], "3": [20, 15, 2], "4": [10, 20, 1]}, index=list("abc"))
    d2 = pd.DataFrame({"1": [40, 5, 1], "2": [20, 10, 2], "3": [20, 10, 3], "4": [15, 0, 4]}, index=list("abd"))
    for method in ("km", "mrc", "shapley"):
        d = _parts(decompose_mutual_information(d1, d2, G, method=method))
        assert d["M1"] == pytest.approx(mutual_information(d1, G))
        assert d["M2"] == pytest.approx(mutual_information(d2, G))
        assert d["removals"] == pytest.approx(mutual_information(d1.loc[["a", "b"]], G) - d["M1"])
        assert d["additions"] == pytest.approx(d["M2"] - mutual_information(d2.loc[["a", "b"]], G))
        assert d.iloc[3:].sum() == pytest.approx(d["diff"], abs=1e-12), method


def test_decompose_mutual_information_errors():
    with pytest.raises(SegindexValueError, match="'method' must be one of"):
        decompose_mutual_information(R1, R2, G, method="elbers")
    with pytest.raises(SegindexValueError, match="no unit or no group in common"):
        decompose_mutual_information(R1, R2.rename(index={"a": "x", "b": "y"}), G, method="mrc")
    with pytest.raises(SegindexValueError, match="'tol' must be"):
        decompose_mutual_information(R1, R2, G, method="km", tol=0)
    with pytest.raises(SegindexValueError, match="appears more than once"):
        decompose_mutual_information(pd.concat([R1, R1.iloc[[0]]]), R2, G, method="km")


@pytest.mark.realdata
def test_schools00_05_km_and_mrc():
    """schools00/schools05 of the R package: the three methods agree on M1, M2, additions and removals; the
    R package's documentation notes that MRC "indicates a much higher structural change" than the IPF methods."""
    s00 = to_wide(pd.read_csv(shared_data("us", "schools00.csv")), unit="school", group="race", count="n")
    s05 = to_wide(pd.read_csv(shared_data("us", "schools05.csv")), unit="school", group="race", count="n")
    races = ["asian", "black", "hisp", "native", "white"]
    out = {m: _parts(decompose_mutual_information(s00, s05, races, method=m)) for m in ("shapley", "km", "mrc")}
    for m, d in out.items():
        for stat, published in {"M1": 0.42554, "M2": 0.41339, "additions": -0.00341, "removals": -0.01141}.items():
            assert round(d[stat], 5) == published, (m, stat)
        assert d.iloc[3:].sum() == pytest.approx(d["diff"], abs=1e-12), m
    assert abs(out["mrc"]["structural"]) > 2 * abs(out["shapley"]["structural"])


def test_counterfactual_counts_is_the_table_decompose_difference_uses():
    rng = np.random.default_rng(8)
    a = pd.DataFrame({"g": rng.integers(0, 30, 20), "t": 0, "keep": np.arange(20)})
    a["t"] = a["g"] + rng.integers(1, 40, 20)
    b = pd.DataFrame({"g": rng.integers(0, 30, 25), "t": 0})
    b["t"] = b["g"] + rng.integers(1, 40, 25)
    for approach in ("composition", "share", "dual_composition"):
        cf = counterfactual_counts(a, b, "g", total="t", approach=approach)
        assert cf["keep"].tolist() == list(range(20)) and (cf["g"] <= cf["t"] + 1e-9).all()
        d = _parts(decompose_difference(dissimilarity, a, b, "g", total="t", approach=approach))
        assert dissimilarity(cf, "g", total="t") == pytest.approx(d["a_with_b"], rel=1e-12)
    # the share approach keeps the group's and the rest's totals of the table it changes
    cf = counterfactual_counts(a, b, "g", total="t", approach="share")
    assert cf["g"].sum() == pytest.approx(a["g"].sum()) and cf["t"].sum() == pytest.approx(a["t"].sum())
    with pytest.raises(SegindexValueError, match="'approach' must be one of"):
        counterfactual_counts(a, b, "g", total="t", approach="x")
