"""Multigroup indices: H, M and its decomposition, multigroup D."""

from __future__ import annotations

import math
import warnings

import naive
import numpy as np
import pandas as pd
import pytest

from segindex.errors import AbsentGroupWarning, SegindexTypeError, SegindexValueError
from segindex.indices.multigroup import (
    entropy_index,
    multigroup_dissimilarity,
    mutual_information,
    mutual_information_decomposition,
    mutual_information_within,
)
from segindex.indices.twogroup import dissimilarity

GLOBAL = {
    "entropy_index": (entropy_index, naive.entropy_index),
    "mutual_information": (mutual_information, naive.mutual_information),
    "multigroup_dissimilarity": (multigroup_dissimilarity, naive.multigroup_dissimilarity),
}

# The worked three-unit, three-group table:
#   unit   a   b   c    t_i
#   u0    20   0   0    20
#   u1     0  20   0    20
#   u2    10  10  20    40
# T = 80; margins 30, 30, 20, so pi = 3/8, 3/8, 1/4.
WORKED = pd.DataFrame({"a": [20, 0, 10], "b": [0, 20, 10], "c": [0, 0, 20]}, index=["u0", "u1", "u2"])
GROUPS = ["a", "b", "c"]
# E = -(2 * 3/8 ln 3/8 + 1/4 ln 1/4) = 11/4 ln 2 - 3/4 ln 3
E = 11 / 4 * math.log(2) - 3 / 4 * math.log(3)


def test_worked_entropy_index():
    # E_0 = E_1 = 0 and E_2 = -(1/4 ln 1/4 + 1/4 ln 1/4 + 1/2 ln 1/2) = 3/2 ln 2, so
    # H = (20 E + 20 E + 40 (E - 3/2 ln 2)) / (80 E) = 1 - (3/4) ln 2 / E = 0.5196...
    assert entropy_index(WORKED, GROUPS) == pytest.approx(1 - 0.75 * math.log(2) / E, rel=1e-13)


def test_worked_mutual_information():
    # M = H E = E - 3/4 ln 2. Term by term: p_ig = c_ig / 80, p_i. = 1/4, 1/4, 1/2;
    # u0: 1/4 ln(1/4 / (1/4 * 3/8)) = 1/4 ln(8/3), u1 the same;
    # u2: 2 * 1/8 ln(1/8 / (1/2 * 3/8)) + 1/4 ln(1/4 / (1/2 * 1/4)) = 1/4 ln(2/3) + 1/4 ln 2
    # sum = 1/2 ln(8/3) + 1/4 ln(4/3) = E - 3/4 ln 2
    expected = 0.5 * math.log(8 / 3) + 0.25 * math.log(4 / 3)
    assert expected == pytest.approx(E - 0.75 * math.log(2), rel=1e-14)
    assert mutual_information(WORKED, GROUPS) == pytest.approx(expected, rel=1e-13)


def test_worked_multigroup_dissimilarity():
    # I = 2 * (3/8)(5/8) + (1/4)(3/4) = 21/32.
    # sum_i t_i sum_g |pi_ig - pi_g|: u0 20 (5/8 + 3/8 + 1/4) = 25, u1 = 25, u2 40 (1/8 + 1/8 + 1/4) = 20
    # D = 70 / (2 * 80 * 21/32) = 70 / 105 = 2/3
    assert multigroup_dissimilarity(WORKED, GROUPS) == pytest.approx(2 / 3, rel=1e-13)


@pytest.mark.parametrize("name", sorted(GLOBAL))
def test_complete_segregation_and_even_spread(name):
    fn = GLOBAL[name][0]
    segregated = pd.DataFrame({"a": [30, 0, 0], "b": [0, 30, 0], "c": [0, 0, 30]})
    expected = math.log(3) if name == "mutual_information" else 1.0  # M is in nats: E = ln 3
    assert fn(segregated, GROUPS) == pytest.approx(expected, rel=1e-13)
    even = pd.DataFrame({"a": [10, 20, 30], "b": [20, 40, 60], "c": [5, 10, 15]})
    assert fn(even, GROUPS) == pytest.approx(0.0, abs=1e-13)


def test_two_groups_match_two_group_d_and_the_docstring_case():
    df = pd.DataFrame({"A": [10, 0, 5], "B": [0, 10, 5]})
    # E = ln 2; E_i = 0, 0, ln 2: H = (10 ln 2 + 10 ln 2 + 0) / (30 ln 2) = 2/3 and M = (2/3) ln 2
    assert entropy_index(df, ["A", "B"]) == pytest.approx(2 / 3, rel=1e-14)
    assert mutual_information(df, ["A", "B"]) == pytest.approx(2 / 3 * math.log(2), rel=1e-14)
    assert multigroup_dissimilarity(df, ["A", "B"]) == pytest.approx(dissimilarity(df, "A", "B"), rel=1e-13)


def test_total_adds_the_rest_as_a_group():
    df = WORKED.assign(t=[30, 20, 50])  # rest = 10, 0, 10
    with_rest = WORKED.assign(r=[10, 0, 10])
    for fn, _ in GLOBAL.values():
        assert fn(df, GROUPS, total="t") == pytest.approx(fn(with_rest, GROUPS + ["r"]), rel=1e-13)


# ----------------------------------------------------------------------------
# decomposition


# A worked decomposition. Units and super-units:
#   unit  A   B   s
#   u0   10   0   x
#   u1   10  10   x
#   u2    0  10   y
#   u3    5   5   y
# T = 50, margins 25/25, so E = ln 2; local scores ln 2, 0, ln 2, 0 with p = .2, .4, .2, .2: M = 0.4 ln 2.
# Between: super-units x = (20, 10), y = (5, 15), p = .6, .4:
#   0.6 (2/3 ln(4/3) + 1/3 ln(2/3)) + 0.4 (1/4 ln(1/2) + 3/4 ln(3/2)).
# Within x (margins 20/10): u0 scores ln(3/2), u1 1/2 ln(3/4) + 1/2 ln(3/2), weights 1/3, 2/3:
#   M_x = 1/3 ln(1.5 * 1.5 * 0.75). Within y (margins 5/15): u2 ln(4/3), u3 1/2 ln(4/3): M_y = 3/4 ln(4/3).
DECOMP = pd.DataFrame({"A": [10, 10, 0, 5], "B": [0, 10, 10, 5], "s": ["x", "x", "y", "y"]})
M_TOTAL = 0.4 * math.log(2)
M_BETWEEN = 0.6 * (2 / 3 * math.log(4 / 3) + 1 / 3 * math.log(2 / 3)) + 0.4 * (
    0.25 * math.log(0.5) + 0.75 * math.log(1.5)
)
M_X = math.log(1.5 * 1.5 * 0.75) / 3
M_Y = 0.75 * math.log(4 / 3)


def test_worked_decomposition():
    assert M_BETWEEN + 0.6 * M_X + 0.4 * M_Y == pytest.approx(M_TOTAL, rel=1e-14)  # the arithmetic is right
    d = mutual_information_decomposition(DECOMP, ["A", "B"], within="s")
    assert d["component"].tolist() == ["total", "between", "within"]
    np.testing.assert_allclose(d["M"], [M_TOTAL, M_BETWEEN, 0.6 * M_X + 0.4 * M_Y], rtol=1e-13)
    np.testing.assert_allclose(d["H"], d["M"] / math.log(2), rtol=1e-13)
    assert mutual_information(DECOMP, ["A", "B"], within="s") == pytest.approx(0.6 * M_X + 0.4 * M_Y, rel=1e-13)


def test_worked_within_table():
    w = mutual_information_within(DECOMP, ["A", "B"], within="s")
    assert list(w.index) == ["x", "y"] and w.index.name == "s"
    assert list(w.columns) == ["M", "p", "H", "entropy_ratio", "contribution"]
    np.testing.assert_allclose(w["M"], [M_X, M_Y], rtol=1e-13)
    np.testing.assert_allclose(w["p"], [0.6, 0.4], rtol=1e-14)
    # E_x = entropy of (2/3, 1/3), E_y = entropy of (1/4, 3/4); the whole table's E = ln 2
    E_x = -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3))
    E_y = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
    np.testing.assert_allclose(w["H"], [M_X / E_x, M_Y / E_y], rtol=1e-13)
    np.testing.assert_allclose(w["entropy_ratio"], [E_x / math.log(2), E_y / math.log(2)], rtol=1e-13)
    np.testing.assert_allclose(w["contribution"], [0.6 * M_X, 0.4 * M_Y], rtol=1e-13)


def test_decomposition_adds_up_on_random_tables():
    rng = np.random.default_rng(3)
    df = naive.random_table(rng, n_units=120, groups=("a", "b", "c", "d"), empty_units=5)
    df["district"] = rng.choice([f"d{k}" for k in range(9)], size=len(df))
    for total in (None, "total"):
        d = mutual_information_decomposition(df, ["a", "b", "c", "d"], within="district", total=total)
        M = dict(zip(d["component"], d["M"]))
        H = dict(zip(d["component"], d["H"]))
        assert M["between"] + M["within"] == pytest.approx(M["total"], rel=1e-12)
        assert H["between"] + H["within"] == pytest.approx(H["total"], rel=1e-12)
        w = mutual_information_within(df, ["a", "b", "c", "d"], within="district", total=total)
        assert w["contribution"].sum() == pytest.approx(M["within"], rel=1e-12)
        assert w["p"].sum() == pytest.approx(1.0, rel=1e-12)
        assert (w["entropy_ratio"] * w["p"] * w["H"]).sum() == pytest.approx(H["within"], rel=1e-12)
        c = df[["a", "b", "c", "d"]].to_numpy(float)
        if total is not None:
            c = np.column_stack([c, df["total"].to_numpy(float) - c.sum(axis=1)])
        assert M["total"] == pytest.approx(naive.mutual_information(c), rel=1e-10)
        between = pd.DataFrame(c).groupby(df["district"].to_numpy()).sum().to_numpy()
        assert M["between"] == pytest.approx(naive.mutual_information(between), rel=1e-10)


def test_decomposition_by_area_equals_each_area_alone():
    rng = np.random.default_rng(8)
    df = naive.random_table(rng, n_units=150, empty_units=5)
    df["la"] = rng.choice(["Oldham", "Leicester"], size=len(df))
    df["district"] = rng.choice(["d1", "d2", "d3"], size=len(df))
    d = mutual_information_decomposition(df, ["a", "b", "c"], within="district", by="la")
    assert list(d.columns) == ["la", "component", "M", "H"]
    assert d["la"].tolist() == ["Leicester"] * 3 + ["Oldham"] * 3
    w = mutual_information_within(df, ["a", "b", "c"], within="district", by="la")
    assert list(w.index.names) == ["la", "district"]
    for la in ("Leicester", "Oldham"):
        alone = mutual_information_decomposition(df[df.la == la], ["a", "b", "c"], within="district")
        np.testing.assert_allclose(d.loc[d.la == la, "M"], alone["M"], rtol=1e-12)
        np.testing.assert_allclose(d.loc[d.la == la, "H"], alone["H"], rtol=1e-12)
        w_alone = mutual_information_within(df[df.la == la], ["a", "b", "c"], within="district")
        np.testing.assert_allclose(w.loc[la].to_numpy(), w_alone.to_numpy(), rtol=1e-12)
    within_by = mutual_information(df, ["a", "b", "c"], within="district", by="la")
    np.testing.assert_allclose(within_by.to_numpy(), d.loc[d.component == "within", "M"], rtol=1e-13)


# ----------------------------------------------------------------------------
# the naive reference on random tables with empty units


def _matrix(df, groups, total):
    c = df[groups].to_numpy(float)
    if total is not None:
        c = np.column_stack([c, df[total].to_numpy(float) - c.sum(axis=1)])
    return c


@pytest.mark.parametrize("total", [None, "total"])
@pytest.mark.parametrize("name", sorted(GLOBAL))
@pytest.mark.parametrize("seed", range(4))
def test_matches_naive_reference(name, total, seed):
    groups = ["a", "b", "c", "d"][: 2 + seed % 3]
    df = naive.random_table(np.random.default_rng(100 + seed), n_units=25 + 9 * seed, groups=groups)
    ours, reference = GLOBAL[name]
    assert ours(df, groups, total=total) == pytest.approx(reference(_matrix(df, groups, total)), rel=1e-10)


@pytest.mark.parametrize("total", [None, "total"])
@pytest.mark.parametrize("name", sorted(GLOBAL))
def test_matches_naive_reference_per_area(name, total):
    groups = ["a", "b", "c"]
    df = naive.random_table(np.random.default_rng(21), n_units=90, areas=["Oldham", "Bradford", "Leicester"])
    ours, reference = GLOBAL[name]
    result = ours(df, groups, total=total, by="area")
    expected = naive.per_area(df, "area", lambda sub: reference(_matrix(sub, groups, total)))
    pd.testing.assert_series_equal(result, expected, check_names=False, rtol=1e-10)
    assert result.name == name and result.index.name == "area"


@pytest.mark.parametrize("name", sorted(GLOBAL))
def test_by_two_columns(name):
    rng = np.random.default_rng(2)
    df = naive.random_table(rng, n_units=100)
    df["la"] = rng.choice(["Oldham", "Bradford"], size=len(df))
    df["year"] = rng.choice([2011, 2021], size=len(df))
    fn = GLOBAL[name][0]
    result = fn(df, ["a", "b", "c"], total="total", by=["la", "year"])
    assert isinstance(result.index, pd.MultiIndex) and list(result.index.names) == ["la", "year"]
    assert len(result) == 4
    for (la, year), value in result.items():
        alone = fn(df[(df.la == la) & (df.year == year)], ["a", "b", "c"], total="total")
        assert value == pytest.approx(alone, rel=1e-12)


# ----------------------------------------------------------------------------
# absent groups and bad input


def test_area_with_one_group_only():
    df = pd.DataFrame({"a": [10, 0, 5, 3, 4], "b": [0, 10, 5, 0, 0], "la": ["A", "A", "B", "C", "C"]})
    # M is 0 in area C (a single group cannot be segregated), computed without a warning
    m = mutual_information(df, ["a", "b"], by="la")
    assert m["C"] == 0.0 and m["A"] == pytest.approx(math.log(2))
    for fn in (entropy_index, multigroup_dissimilarity):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = fn(df, ["a", "b"], by="la")
        assert len(caught) == 1 and caught[0].category is AbsentGroupWarning
        assert "'C': only one group is present" in str(caught[0].message)
        assert np.isnan(result["C"]) and result["A"] == pytest.approx(1.0) and result["B"] == pytest.approx(0.0)
    with pytest.warns(AbsentGroupWarning, match=r"'C': only one group is present"):
        d = mutual_information_decomposition(df.assign(s=["x", "y", "x", "x", "y"]), ["a", "b"], within="s", by="la")
    assert d.loc[d.la == "C", "H"].isna().all() and d.loc[d.la == "A", "H"].notna().all()


def test_area_with_no_population():
    df = pd.DataFrame({"a": [10, 0, 0], "b": [0, 10, 0], "la": ["A", "A", "B"]})
    with pytest.warns(AbsentGroupWarning, match=r"'B': the area has no population"):
        m = mutual_information(df, ["a", "b"], by="la")
    assert np.isnan(m["B"])


def test_group_without_members_in_the_whole_table():
    df = pd.DataFrame({"a": [10, 0], "b": [0, 10], "c": [0, 0]})
    for fn, _ in GLOBAL.values():
        with pytest.raises(SegindexValueError, match=r"group 'c' has no members in the whole table"):
            fn(df, ["a", "b", "c"])


def test_needs_two_groups():
    with pytest.raises(SegindexValueError, match=r"entropy_index\(\): a multigroup index needs at least two groups"):
        entropy_index(WORKED, ["a"])
    # with a total, the rest of the population is the second group
    assert entropy_index(WORKED.assign(t=[40, 20, 40]), ["a"], total="t") > 0


def test_groups_bare_string():
    with pytest.raises(SegindexTypeError, match=r"mutual_information\(\): the 'groups' parameter must be a list"):
        mutual_information(WORKED, "a")


def test_within_errors():
    with pytest.raises(SegindexValueError, match=r"the 'within' column 'district' is not in the data"):
        mutual_information(DECOMP, ["A", "B"], within="district")
    with pytest.raises(SegindexValueError, match=r"\['s'\] is named in both by= and within="):
        mutual_information_decomposition(DECOMP, ["A", "B"], within="s", by="s")
    with pytest.raises(SegindexTypeError, match=r"the 'within' parameter must be one column name, got dict"):
        mutual_information_within(DECOMP, ["A", "B"], within={"s": 1})


def test_missing_by_column():
    with pytest.raises(SegindexValueError, match=r"multigroup_dissimilarity\(\): the 'by' column 'LAD' is not"):
        multigroup_dissimilarity(WORKED, GROUPS, by="LAD")


def test_inputs_not_modified():
    before = DECOMP.copy(deep=True)
    mutual_information_decomposition(DECOMP, ["A", "B"], within="s")
    mutual_information_within(DECOMP, ["A", "B"], within="s")
    pd.testing.assert_frame_equal(DECOMP, before)
