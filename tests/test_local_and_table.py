"""Local measures (location quotients, local M scores) and the tidy segregation_table."""

from __future__ import annotations

import math
import warnings

import naive
import numpy as np
import pandas as pd
import pytest

from segindex.errors import AbsentGroupWarning, SegindexTypeError, SegindexValueError
from segindex.indices.local import local_mutual_information, location_quotients
from segindex.indices.multigroup import entropy_index, multigroup_dissimilarity, mutual_information
from segindex.indices.table import ALL_GROUPS, segregation_table
from segindex.indices.twogroup import atkinson, correlation_ratio, exposure, gini, isolation

# Three units, three groups: T = 80, margins 30, 30, 20 (shares 3/8, 3/8, 1/4).
WORKED = pd.DataFrame({"a": [20, 0, 10], "b": [0, 20, 10], "c": [0, 0, 20]}, index=["u0", "u1", "u2"])
GROUPS = ["a", "b", "c"]


def test_worked_location_quotients():
    # u0: a is 20/20 of the unit and 3/8 overall: 1 / (3/8) = 8/3; b, c absent: 0
    # u2: a 10/40 / (3/8) = 2/3, b the same, c 20/40 / (1/4) = 2
    lq = location_quotients(WORKED, GROUPS)
    expected = [[8 / 3, 0, 0], [0, 8 / 3, 0], [2 / 3, 2 / 3, 2]]
    np.testing.assert_allclose(lq.to_numpy(), expected, rtol=1e-14)
    assert list(lq.index) == ["u0", "u1", "u2"] and list(lq.columns) == GROUPS


def test_location_quotients_with_total_use_whole_population():
    # total adds a rest of 20 to u0: T = 100; a is 30/100 overall; u0: (20/40) / (30/100) = 5/3
    df = WORKED.assign(t=[40, 20, 40])
    lq = location_quotients(df, ["a"], total="t")
    assert list(lq.columns) == ["a"]
    np.testing.assert_allclose(lq["a"], [5 / 3, 0, (10 / 40) / 0.3], rtol=1e-14)


def test_location_quotients_nan_for_empty_units_and_absent_groups():
    df = pd.DataFrame({"a": [10, 0, 0, 4], "b": [0, 10, 0, 0], "la": ["A", "A", "A", "B"]}, index=[5, 6, 7, 8])
    lq = location_quotients(df, ["a", "b"], by="la")
    assert list(lq.index) == [5, 6, 7, 8]
    assert lq.loc[7].isna().all()  # no population: share undefined
    assert lq.loc[8, "a"] == 1.0 and np.isnan(lq.loc[8, "b"])  # b absent from area B
    np.testing.assert_allclose(lq.loc[5].to_numpy(), [2.0, 0.0])  # against area A (a is half of it)


@pytest.mark.parametrize("total", [None, "total"])
def test_location_quotients_match_naive(total):
    df = naive.random_table(np.random.default_rng(4), n_units=40)
    c = df[GROUPS].to_numpy(float)
    t = df[total].to_numpy(float) if total else c.sum(axis=1)
    expected = naive.location_quotients(c, t)
    np.testing.assert_allclose(location_quotients(df, GROUPS, total=total).to_numpy(), expected, rtol=1e-10)


def test_location_quotients_by_equals_each_area():
    df = naive.random_table(np.random.default_rng(6), n_units=60, areas=["Oldham", "Leicester"])
    lq = location_quotients(df, GROUPS, total="total", by="area")
    for _, sub in df.groupby("area"):
        pd.testing.assert_frame_equal(lq.loc[sub.index], location_quotients(sub, GROUPS, total="total"))


def test_worked_local_mutual_information():
    # ls_u0 = 1 * ln(1 / (3/8)) = ln(8/3), ls_u1 the same,
    # ls_u2 = 1/4 ln((1/4)/(3/8)) * 2 + 1/2 ln((1/2)/(1/4)) = 1/2 ln(2/3) + 1/2 ln 2 = 1/2 ln(4/3);
    # p = 20/80, 20/80, 40/80; sum p ls = M = 1/2 ln(8/3) + 1/4 ln(4/3)
    local = local_mutual_information(WORKED, GROUPS)
    assert list(local.columns) == ["ls", "p"] and list(local.index) == ["u0", "u1", "u2"]
    np.testing.assert_allclose(local["ls"], [math.log(8 / 3), math.log(8 / 3), 0.5 * math.log(4 / 3)], rtol=1e-14)
    np.testing.assert_allclose(local["p"], [0.25, 0.25, 0.5], rtol=1e-14)
    M = (local["ls"] * local["p"]).sum()
    assert M == pytest.approx(0.5 * math.log(8 / 3) + 0.25 * math.log(4 / 3), rel=1e-14)
    assert M == pytest.approx(mutual_information(WORKED, GROUPS), rel=1e-13)


@pytest.mark.parametrize("seed", range(3))
def test_local_mutual_information_matches_naive(seed):
    df = naive.random_table(np.random.default_rng(seed), n_units=35)
    ls, p = naive.local_mutual_information(df[GROUPS].to_numpy(float))
    local = local_mutual_information(df, GROUPS)
    np.testing.assert_allclose(local["ls"], ls, rtol=1e-10, atol=1e-15)  # NaN where the unit is empty
    np.testing.assert_allclose(local["p"], p, rtol=1e-12)
    assert local["ls"].isna().sum() == 3


def test_local_mutual_information_by_and_total():
    df = naive.random_table(np.random.default_rng(9), n_units=80, areas=["Oldham", "Leicester", "Bradford"])
    local = local_mutual_information(df, GROUPS, total="total", by="area")
    m = mutual_information(df, GROUPS, total="total", by="area")
    for area, sub in df.groupby("area"):
        part = local.loc[sub.index]
        assert part["p"].sum() == pytest.approx(1.0, rel=1e-12)
        assert (part["ls"] * part["p"]).sum() == pytest.approx(m[area], rel=1e-12)
        pd.testing.assert_frame_equal(part, local_mutual_information(sub, GROUPS, total="total"))


def test_local_bad_input():
    with pytest.raises(SegindexTypeError, match=r"location_quotients\(\): the 'groups' parameter must be a list"):
        location_quotients(WORKED, "a")
    with pytest.raises(SegindexValueError, match=r"local_mutual_information\(\): the group column 'z' is not"):
        local_mutual_information(WORKED, ["a", "z"])


# ----------------------------------------------------------------------------
# segregation_table

# x, y and the rest (total - x - y = 0, 10, 20) in three units
TABLE = pd.DataFrame({"x": [10, 20, 30], "y": [30, 20, 10], "total": [40, 50, 60]})


def _value(t, group, comparison, index):
    row = t[(t.group == group) & (t.comparison == comparison) & (t["index"] == index)]
    assert len(row) == 1
    return float(row["value"].iloc[0])


def test_table_rows_equal_the_single_index_functions():
    t = segregation_table(TABLE, ["x"], other="y", total="total")
    assert list(t.columns) == ["area", "group", "comparison", "index", "value", "count", "small_group"]
    # 6 rows against the rest, 4 against the reference, 3 multigroup rows
    assert len(t) == 13 and (t["area"] == "all").all()
    # worked: D(x, y) = 1/3 and D(x, rest) = 1/6 (see test_twogroup.py)
    assert _value(t, "x", "y", "dissimilarity") == pytest.approx(1 / 3, rel=1e-14)
    assert _value(t, "x", "rest", "dissimilarity") == pytest.approx(1 / 6, rel=1e-14)
    expected = {
        ("x", "rest", "gini"): gini(TABLE, "x", total="total"),
        ("x", "rest", "atkinson"): atkinson(TABLE, "x", total="total"),
        ("x", "rest", "isolation"): isolation(TABLE, "x", total="total"),
        ("x", "rest", "exposure"): exposure(TABLE.assign(r=TABLE.total - TABLE.x), "x", "r", total="total"),
        ("x", "rest", "correlation_ratio"): correlation_ratio(TABLE, "x", total="total"),
        ("x", "y", "gini"): gini(TABLE, "x", "y"),
        ("x", "y", "atkinson"): atkinson(TABLE, "x", "y"),
        ("x", "y", "exposure"): exposure(TABLE, "x", "y", total="total"),
        # the all-groups rows cover the listed groups and the rest, never other=
        (ALL_GROUPS, "multigroup", "entropy_index"): entropy_index(TABLE, ["x"], total="total"),
        (ALL_GROUPS, "multigroup", "mutual_information"): mutual_information(TABLE, ["x"], total="total"),
        (ALL_GROUPS, "multigroup", "multigroup_dissimilarity"): multigroup_dissimilarity(TABLE, ["x"], total="total"),
    }
    for key, value in expected.items():
        assert _value(t, *key) == pytest.approx(value, rel=1e-13), key


def test_table_without_total_and_atkinson_b():
    t = segregation_table(TABLE, ["x", "y"], b=0.3)
    # without total the listed groups are everyone: x's rest is y
    assert _value(t, "x", "rest", "dissimilarity") == pytest.approx(1 / 3, rel=1e-14)
    assert _value(t, "x", "rest", "atkinson") == pytest.approx(atkinson(TABLE, "x", "y", b=0.3), rel=1e-13)
    assert set(t["comparison"]) == {"rest", "multigroup"}


def test_table_by_two_columns_equals_each_area():
    rng = np.random.default_rng(12)
    df = naive.random_table(rng, n_units=120)
    df["la"] = rng.choice(["Oldham", "Bradford"], size=len(df))
    df["year"] = rng.choice([2011, 2021], size=len(df))
    t = segregation_table(df, ["a", "b"], other="c", total="total", by=["la", "year"])
    assert list(t.columns) == ["area", "la", "year", "group", "comparison", "index", "value", "count", "small_group"]
    assert t["area"].iloc[0] == ("Bradford", 2011)
    for (la, year), sub in t.groupby(["la", "year"]):
        alone = segregation_table(df[(df.la == la) & (df.year == year)], ["a", "b"], other="c", total="total")
        np.testing.assert_allclose(sub["value"].to_numpy(), alone["value"].to_numpy(), rtol=1e-12)
        assert sub["index"].tolist() == alone["index"].tolist()


def test_table_absent_group_nan_with_one_warning():
    df = pd.DataFrame({"x": [10, 0, 0, 0], "y": [0, 10, 4, 6], "total": [12, 10, 8, 6], "la": ["A", "A", "B", "B"]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t = segregation_table(df, ["x", "y"], total="total", by="la")
    assert len(caught) == 1 and caught[0].category is AbsentGroupWarning
    assert "1 of 2 areas" in str(caught[0].message) and "'B': 'x' has no members" in str(caught[0].message)
    assert "la" not in t  # one by column: the area key once, as ``area``
    a, b = t[t.area == "A"], t[t.area == "B"]
    assert a["value"].notna().all()
    assert b.loc[b.group == "x", "value"].isna().all()
    assert b.loc[b.group == "y", "value"].notna().all()


def test_table_undefined_without_by_raises():
    df = pd.DataFrame({"x": [0, 0], "y": [1, 2], "total": [1, 2]})
    with pytest.raises(SegindexValueError, match=r"segregation_table\(\): some indices are undefined.*'x' has no"):
        segregation_table(df, ["x", "y"], total="total")


@pytest.mark.parametrize(
    ("b", "error", "message"),
    [
        ("a", SegindexTypeError, r"'b' parameter must be a number in \(0, 1\), got 'a'"),
        (1.0, SegindexValueError, r"'b' parameter must lie strictly between 0 and 1, got 1.0"),
    ],
)
def test_table_bad_atkinson_b(b, error, message):
    with pytest.raises(error, match=message):
        segregation_table(TABLE, ["x", "y"], b=b)


def test_table_bad_reference():
    with pytest.raises(SegindexTypeError, match=r"the 'other' parameter must be one column name, got list"):
        segregation_table(TABLE, ["x"], other=["y"])
    with pytest.raises(SegindexValueError, match=r"the group column 'z' is not in the data"):
        segregation_table(TABLE, ["x"], other="z")


@pytest.mark.parametrize(("old", "new"), [("reference", "other"), ("n_bootstrap", "n_draws"), ("atkinson_b", "b")])
def test_table_old_parameter_names_raise_naming_the_new_one(old, new):
    with pytest.raises(SegindexTypeError, match=rf"segregation_table\(\): the parameter '{old}' is now called '{new}'"):
        segregation_table(TABLE, ["x"], **{old: "y"})


def test_table_other_never_changes_the_all_groups_rows():
    # issue: other= used to join the multigroup rows (H 0.3976 -> 0.3356); now it only adds pairwise rows
    df = naive.random_table(np.random.default_rng(3), n_units=40)
    plain = segregation_table(df, ["a"], total="total")
    with_other = segregation_table(df, ["a"], other="c", total="total")
    multi = plain[plain.comparison == "multigroup"].reset_index(drop=True)
    pd.testing.assert_frame_equal(with_other[with_other.comparison == "multigroup"].reset_index(drop=True), multi)
    assert multi.set_index("index").loc["entropy_index", "value"] == pytest.approx(
        entropy_index(df, ["a"], total="total"), rel=1e-13
    )
    # the rest rows do not change either (with total)
    rest = with_other[with_other.comparison == "rest"].reset_index(drop=True)
    pd.testing.assert_frame_equal(rest, plain[plain.comparison == "rest"].reset_index(drop=True))
    assert set(with_other.comparison) == {"rest", "c", "multigroup"}


def test_table_takes_any_registered_index_by_name_and_flags_small_groups():
    t = segregation_table(TABLE, ["x", "y"], total="total", indices=["isolation", "entropy_index"], min_count=45)
    assert list(t["index"]) == ["isolation", "isolation", "entropy_index"]
    assert list(t["count"]) == [60, 60, 150] and t["count"].dtype == np.int64
    assert list(t["small_group"]) == [False, False, False]
    t = segregation_table(TABLE, ["x"], total="total", indices=["gini"], min_count=61)
    assert list(t["small_group"]) == [True]
    with pytest.raises(SegindexValueError, match=r"'morrill_dissimilarity' is a spatial index"):
        segregation_table(TABLE, ["x"], total="total", indices=["morrill_dissimilarity"])
    with pytest.raises(SegindexValueError, match=r"unknown index 'theil'"):
        segregation_table(TABLE, ["x"], total="total", indices=["theil"])
    with pytest.raises(SegindexTypeError, match=r"'indices' parameter must be a non-empty list"):
        segregation_table(TABLE, ["x"], total="total", indices="gini")
    with pytest.raises(SegindexValueError, match=r"'min_count' parameter must be a non-negative number"):
        segregation_table(TABLE, ["x"], total="total", min_count=-1)
