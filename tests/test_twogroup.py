"""Two-group indices: hand-worked tables, the naive reference, by=, and bad input."""

from __future__ import annotations

import math
import warnings

import naive
import numpy as np
import pandas as pd
import pytest

from segindex.errors import AbsentGroupWarning, SegindexTypeError, SegindexValueError
from segindex.indices.twogroup import atkinson, correlation_ratio, dissimilarity, exposure, gini, isolation

EVENNESS = {"dissimilarity": dissimilarity, "gini": gini, "atkinson": atkinson}


# ----------------------------------------------------------------------------
# hand-built tables with known answers


@pytest.mark.parametrize("name", sorted(EVENNESS))
def test_complete_segregation_is_one(name):
    df = pd.DataFrame({"x": [10, 0, 7, 0], "y": [0, 10, 0, 3]})
    assert EVENNESS[name](df, "x", "y") == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("name", sorted(EVENNESS))
def test_even_spread_is_zero(name):
    df = pd.DataFrame({"x": [10, 20, 30], "y": [20, 40, 60]})  # x is 1/3 of every unit
    assert EVENNESS[name](df, "x", "y") == pytest.approx(0.0, abs=1e-12)


def test_dissimilarity_six_tenths():
    # In the style of the R package segregation's tests: D = 0.6 by hand.
    # X = 10, Y = 10: |6/10 - 0| + |4/10 - 4/10| + |0 - 6/10| = 1.2, halved = 0.6
    df = pd.DataFrame({"x": [6, 4, 0], "y": [0, 4, 6]})
    assert dissimilarity(df, "x", "y") == pytest.approx(0.6, rel=1e-14)


def test_isolation_and_eta_squared_extremes():
    segregated = pd.DataFrame({"x": [10, 0], "t": [10, 30]})
    assert isolation(segregated, "x", total="t") == pytest.approx(1.0)
    assert correlation_ratio(segregated, "x", total="t") == pytest.approx(1.0)
    even = pd.DataFrame({"x": [10, 20], "t": [30, 60]})
    # every unit is 1/3 x: isolation = P = 1/3 and eta^2 = 0
    assert isolation(even, "x", total="t") == pytest.approx(1 / 3)
    assert correlation_ratio(even, "x", total="t") == pytest.approx(0.0, abs=1e-12)


# The worked three-unit table used below:
#   unit  x   y   total   rest = total - x
#   0    10  30    40       30
#   1    20  20    50       30
#   2    30  10    60       30
# X = 60, Y = 60, T = 150, R = 90.
WORKED = pd.DataFrame({"x": [10, 20, 30], "y": [30, 20, 10], "total": [40, 50, 60]}, index=["i0", "i1", "i2"])


def test_worked_dissimilarity():
    # x vs y: (|10/60 - 30/60| + |20/60 - 20/60| + |30/60 - 10/60|) / 2 = (1/3 + 0 + 1/3) / 2 = 1/3
    assert dissimilarity(WORKED, "x", "y") == pytest.approx(1 / 3, rel=1e-14)
    # x vs rest (30, 30, 30): (|1/6 - 1/3| + |1/3 - 1/3| + |1/2 - 1/3|) / 2 = 1/6
    assert dissimilarity(WORKED, "x", total="total") == pytest.approx(1 / 6, rel=1e-14)


def test_worked_gini():
    # x vs y: t = 40, 40, 40; p = 1/4, 1/2, 3/4; T = 120, P = 1/2.
    # ordered-pair sum = 2 * 40 * 40 * (1/4 + 1/2 + 1/4) = 3200; G = 3200 / (2 * 120^2 * 1/4) = 4/9
    assert gini(WORKED, "x", "y") == pytest.approx(4 / 9, rel=1e-14)
    # x vs rest: t = 40, 50, 60; p = 1/4, 2/5, 1/2; T = 150, P = 2/5.
    # unordered pairs: 40*50*0.15 + 40*60*0.25 + 50*60*0.10 = 300 + 600 + 300 = 1200, ordered 2400;
    # G = 2400 / (2 * 150^2 * 0.4 * 0.6) = 2400 / 10800 = 2/9
    assert gini(WORKED, "x", total="total") == pytest.approx(2 / 9, rel=1e-14)


def test_worked_atkinson():
    # x vs y, b = 1/2: P = 1/2, T = 120;
    # sum sqrt((1-p) p) t = 40 (sqrt(3)/4 + 1/2 + sqrt(3)/4) = 20 (sqrt(3) + 1);
    # A = 1 - (20 (sqrt(3) + 1) / 60)^2 = 1 - (4 + 2 sqrt(3)) / 9 = (5 - 2 sqrt(3)) / 9
    assert atkinson(WORKED, "x", "y") == pytest.approx((5 - 2 * math.sqrt(3)) / 9, rel=1e-13)
    # b = 0.2 straight from the formula: P/(1-P) = 1, exponent 1/(1-b) = 1.25
    s = sum((1 - p) ** 0.8 * p**0.2 * 40 for p in (0.25, 0.5, 0.75))
    assert atkinson(WORKED, "x", "y", b=0.2) == pytest.approx(1 - (s / 60) ** 1.25, rel=1e-13)


def test_worked_isolation_exposure_eta():
    # isolation: 10/60 * 10/40 + 20/60 * 20/50 + 30/60 * 30/60 = 1/24 + 2/15 + 1/4 = 0.425
    assert isolation(WORKED, "x", total="total") == pytest.approx(0.425, rel=1e-14)
    # exposure of x to y: 10/60 * 30/40 + 20/60 * 20/50 + 30/60 * 10/60 = 1/8 + 2/15 + 1/12 = 41/120
    assert exposure(WORKED, "x", "y", total="total") == pytest.approx(41 / 120, rel=1e-14)
    # eta^2 = (0.425 - P) / (1 - P) with P = 60/150 = 0.4: 0.025 / 0.6 = 1/24
    assert correlation_ratio(WORKED, "x", total="total") == pytest.approx(1 / 24, rel=1e-12)


def test_results_are_python_floats():
    for value in (
        dissimilarity(WORKED, "x", "y"),
        gini(WORKED, "x", "y"),
        atkinson(WORKED, "x", "y"),
        isolation(WORKED, "x", total="total"),
        exposure(WORKED, "x", "y", total="total"),
        correlation_ratio(WORKED, "x", total="total"),
    ):
        assert type(value) is float


# ----------------------------------------------------------------------------
# the naive reference on random tables with empty units


def _naive_pair(df, other):
    x = df["a"].to_numpy(float)
    t = df["total"].to_numpy(float)
    y = t - x if other is None else df[other].to_numpy(float)
    return x, y, t


CASES = {
    "dissimilarity": (
        lambda df, o, by: dissimilarity(df, "a", o, total="total", by=by),
        lambda df, o: naive.dissimilarity(*_naive_pair(df, o)[:2]),
    ),
    "gini": (
        lambda df, o, by: gini(df, "a", o, total="total", by=by),
        lambda df, o: naive.gini(*_naive_pair(df, o)[:2]),
    ),
    "atkinson": (
        lambda df, o, by: atkinson(df, "a", o, total="total", by=by),
        lambda df, o: naive.atkinson(*_naive_pair(df, o)[:2]),
    ),
    "atkinson_b0.3": (
        lambda df, o, by: atkinson(df, "a", o, total="total", by=by, b=0.3),
        lambda df, o: naive.atkinson(*_naive_pair(df, o)[:2], b=0.3),
    ),
    "atkinson_b0.8": (
        lambda df, o, by: atkinson(df, "a", o, total="total", by=by, b=0.8),
        lambda df, o: naive.atkinson(*_naive_pair(df, o)[:2], b=0.8),
    ),
    "exposure": (
        lambda df, o, by: exposure(df, "a", o or "b", total="total", by=by),
        lambda df, o: naive.exposure(*_naive_pair(df, o or "b")),
    ),
    "isolation": (
        lambda df, o, by: isolation(df, "a", total="total", by=by),
        lambda df, o: naive.isolation(df["a"].to_numpy(float), df["total"].to_numpy(float)),
    ),
    "correlation_ratio": (
        lambda df, o, by: correlation_ratio(df, "a", total="total", by=by),
        lambda df, o: naive.correlation_ratio(df["a"].to_numpy(float), df["total"].to_numpy(float)),
    ),
}


@pytest.mark.parametrize("other", [None, "b"])
@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("seed", range(4))
def test_matches_naive_reference(name, other, seed):
    df = naive.random_table(np.random.default_rng(seed), n_units=30 + 7 * seed)
    ours, reference = CASES[name]
    assert ours(df, other, None) == pytest.approx(reference(df, other), rel=1e-10, abs=1e-13)


@pytest.mark.parametrize("other", [None, "b"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_naive_reference_per_area(name, other):
    df = naive.random_table(np.random.default_rng(11), n_units=90, areas=["Oldham", "Bradford", "Leicester"])
    ours, reference = CASES[name]
    result = ours(df, other, "area")
    expected = naive.per_area(df, "area", lambda sub: reference(sub, other))
    pd.testing.assert_series_equal(result, expected, check_names=False, rtol=1e-10, atol=1e-13)
    assert result.name == name.split("_b")[0] and result.index.name == "area"


# ----------------------------------------------------------------------------
# by=


def _two_key_table():
    rng = np.random.default_rng(5)
    df = naive.random_table(rng, n_units=80, empty_units=4)
    df["la"] = rng.choice(["Oldham", "Bradford"], size=len(df))
    df["year"] = rng.choice([2011, 2021], size=len(df))
    return df


@pytest.mark.parametrize("name", ["dissimilarity", "gini", "atkinson", "isolation", "exposure", "correlation_ratio"])
def test_by_two_columns_equals_each_area_alone(name):
    df = _two_key_table()
    fn = CASES[name][0]
    result = fn(df, "b", ["la", "year"])
    assert isinstance(result.index, pd.MultiIndex) and list(result.index.names) == ["la", "year"]
    assert list(result.index) == [("Bradford", 2011), ("Bradford", 2021), ("Oldham", 2011), ("Oldham", 2021)]
    assert result.name == name
    for (la, year), value in result.items():
        alone = fn(df[(df.la == la) & (df.year == year)], "b", None)
        assert value == pytest.approx(alone, rel=1e-12)


def test_by_one_column_index_and_order():
    df = _two_key_table()
    result = dissimilarity(df, "a", "b", by="la")
    assert list(result.index) == ["Bradford", "Oldham"] and result.index.name == "la"
    assert result.dtype == np.float64
    same = dissimilarity(df, "a", "b", by=["la"])
    pd.testing.assert_series_equal(result, same)


def test_area_without_the_group_is_nan_with_one_warning():
    df = pd.DataFrame(
        {
            "x": [10, 0, 5, 0, 0],
            "y": [0, 10, 5, 4, 6],
            "total": [10, 10, 10, 4, 6],
            "la": ["A", "A", "B", "C", "C"],
        }
    )
    for fn in (
        lambda: dissimilarity(df, "x", "y", by="la"),
        lambda: gini(df, "x", total="total", by="la"),
        lambda: atkinson(df, "x", "y", by="la"),
        lambda: isolation(df, "x", total="total", by="la"),
        lambda: exposure(df, "x", "y", total="total", by="la"),
        lambda: correlation_ratio(df, "x", total="total", by="la"),
    ):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = fn()
        assert len(caught) == 1 and caught[0].category is AbsentGroupWarning
        message = str(caught[0].message)
        assert "'C': group 'x' has no members" in message and "1 of 3 areas of 'la'" in message
        assert np.isnan(result["C"]) and result[["A", "B"]].notna().all()
    # area B is perfectly even, area A completely segregated: computed, not NaN
    with pytest.warns(AbsentGroupWarning):
        d = dissimilarity(df, "x", "y", by="la")
    assert d["A"] == pytest.approx(1.0) and d["B"] == pytest.approx(0.0)


def test_area_without_the_comparison_names_it():
    df = pd.DataFrame({"x": [10, 2, 2, 5], "y": [1, 3, 0, 0], "la": ["A", "A", "B", "B"]})
    with pytest.warns(AbsentGroupWarning, match=r"'B': comparison group 'y' has no members"):
        result = gini(df, "x", "y", by="la")
    assert np.isnan(result["B"]) and np.isfinite(result["A"])


# ----------------------------------------------------------------------------
# bad input


def test_group_without_members_in_the_whole_table():
    df = pd.DataFrame({"x": [0, 0, 0], "y": [1, 2, 3], "total": [1, 2, 3]})
    for fn in (dissimilarity, gini, atkinson):
        with pytest.raises(SegindexValueError, match=rf"{fn.__name__}\(\): group 'x' has no members in the whole"):
            fn(df, "x", "y")
    with pytest.raises(SegindexValueError, match=r"isolation\(\): group 'x' has no members in the whole table"):
        isolation(df, "x", total="total")
    with pytest.raises(SegindexValueError, match=r"comparison group 'x' has no members in the whole table"):
        dissimilarity(df, "y", "x")
    with pytest.raises(SegindexValueError, match=r"the rest of the population \(total minus 'y'\) is empty"):
        dissimilarity(df, "y", total="total")


def test_other_none_without_total():
    with pytest.raises(
        SegindexValueError, match=r"dissimilarity\(\): the index compares 'x' with the rest.*needs total="
    ):
        dissimilarity(WORKED, "x")
    with pytest.raises(SegindexValueError, match=r"isolation\(\): the index weights each unit.*needs total="):
        isolation(WORKED, "x")
    with pytest.raises(SegindexValueError, match=r"exposure\(\): the index weights each unit.*needs total="):
        exposure(WORKED, "x", "y")


def test_group_equals_other():
    with pytest.raises(SegindexValueError, match=r"gini\(\): group and other are both 'x'"):
        gini(WORKED, "x", "x")


def test_exposure_to_the_rest_is_one_minus_isolation():
    # other=None is the rest of the population (total - x), as in every two-group index
    assert exposure(WORKED, "x", total="total") == pytest.approx(1 - isolation(WORKED, "x", total="total"), rel=1e-14)
    with pytest.raises(SegindexValueError, match=r"exposure\(\): .*needs total="):
        exposure(WORKED, "x")


def test_total_named_as_group_in_two_group_index():
    with pytest.raises(SegindexValueError, match=r"'total' is named both as a group and as the total column"):
        dissimilarity(WORKED, "total", "y", total="total")


def test_group_must_be_one_label():
    with pytest.raises(SegindexTypeError, match=r"the 'group' parameter must be one column name, got list"):
        dissimilarity(WORKED, ["x"], "y")
    with pytest.raises(SegindexTypeError, match=r"the 'other' parameter must be one column name, got list"):
        dissimilarity(WORKED, "x", ["y"])


def test_missing_columns_are_named():
    with pytest.raises(SegindexValueError, match=r"dissimilarity\(\): the other column 'z' is not in the data"):
        dissimilarity(WORKED, "x", "z")
    with pytest.raises(SegindexValueError, match=r"isolation\(\): the total column 'persons' is not in the data"):
        isolation(WORKED, "x", total="persons")
    with pytest.raises(SegindexValueError, match=r"gini\(\): the 'by' column 'LAD' is not in the data"):
        gini(WORKED, "x", "y", by="LAD")


def test_total_below_group_and_other():
    with pytest.raises(SegindexValueError, match=r"at unit 'i0' \(row 0\) the groups 'x' \+ 'y' add up to 40"):
        dissimilarity(WORKED.assign(total=[39, 50, 60]), "x", "y", total="total")


@pytest.mark.parametrize("b", ["0.5", None, True, [0.5]])
def test_atkinson_b_not_a_number(b):
    with pytest.raises(SegindexTypeError, match=r"atkinson\(\): the 'b' parameter must be a number in \(0, 1\)"):
        atkinson(WORKED, "x", "y", b=b)


@pytest.mark.parametrize("b", [0, 1, -0.5, 1.5, float("nan")])
def test_atkinson_b_outside_unit_interval(b):
    with pytest.raises(SegindexValueError, match=r"atkinson\(\): the 'b' parameter must lie strictly between 0 and 1"):
        atkinson(WORKED, "x", "y", b=b)


def test_group_against_total_errors_name_the_unit():
    # the group-against-total path checks both columns in one pass, then names the first problem
    with pytest.raises(
        SegindexValueError,
        match=r"at unit 'i0' \(row 0\) the groups 'x' add up to 10, more than the total column 'total' \(5\)",
    ):
        dissimilarity(WORKED.assign(total=[5, 50, 60]), "x", total="total")
    bad = WORKED.astype(float)
    bad.loc["i1", "total"] = np.nan
    with pytest.raises(
        SegindexValueError, match=r"isolation\(\): the total column 'total' has a missing \(NaN\) value at unit 'i1'"
    ):
        isolation(bad, "x", total="total")
    bad = WORKED.astype(float)
    bad.loc["i2", "x"] = np.inf
    with pytest.raises(
        SegindexValueError, match=r"correlation_ratio\(\): the group column 'x' has an infinite value at unit 'i2'"
    ):
        correlation_ratio(bad, "x", total="total")
    with pytest.raises(SegindexTypeError, match=r"atkinson\(\): the total column 'total' must hold numbers"):
        atkinson(WORKED.assign(total=["40", "50", "x"]), "x", total="total")


@pytest.mark.parametrize("name", sorted(CASES))
def test_one_area_by_equals_no_by_to_the_last_bit(name):
    """The single-area fast paths add in the same order as the per-area paths."""
    df = naive.random_table(np.random.default_rng(31), n_units=500)
    ours = CASES[name][0]
    for other in (None, "b"):
        assert ours(df.assign(area="all"), other, "area").iloc[0] == ours(df, other, None)


def _rest_table(seed, n=400, n_areas=5):
    """Counts with empty units and totals that fall short of the group by rounding noise."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 30, n).astype(float) * rng.uniform(0.5, 1.5, n)
    t = x + rng.integers(0, 30, n) * rng.uniform(0.5, 1.5, n)
    empty = rng.random(n) < 0.1
    x[empty] = 0.0
    t[empty] = 0.0
    noise = rng.random(n) < 0.1
    t[noise] = x[noise] * (1.0 - 1e-12)  # t - x is a tiny negative: the rest is exactly 0
    return pd.DataFrame({"x": x, "total": t, "area": rng.integers(0, n_areas, n)})


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("by", [None, "area"])
def test_rest_paths_equal_the_kernels_on_the_stored_rest(seed, by):
    """D and A(b) against the rest form t - x on the fly; they equal the kernels on remainder(t, x) bit for bit."""
    from segindex._kernels import twogroup as k
    from segindex._kernels.validate import remainder
    from segindex.counts import area_codes

    df = _rest_table(seed)
    x, t = df["x"].to_numpy(), df["total"].to_numpy()
    assert (t - x < 0).any() and (t == 0).any()  # rounding noise and empty units are both present
    codes, areas, _ = area_codes(df, by, "test")
    n_areas = 1 if areas is None else len(areas)
    y = remainder(t, x)
    ok, D, X, Y = k.dissimilarity_rest(x, t, codes, n_areas, 1e-9)
    assert ok
    assert np.array_equal(D, k.dissimilarity(x, y, codes, n_areas), equal_nan=True)
    assert np.array_equal(X, k.area_sums(x, codes, n_areas)) and np.array_equal(Y, k.area_sums(y, codes, n_areas))
    for b in (0.5, 0.3, 0.8):
        ok, A, X, Y = k.atkinson_rest(x, t, b, codes, n_areas, 1e-9)
        assert ok
        assert np.array_equal(A, k.atkinson(x, y, b, codes, n_areas), equal_nan=True)
        assert np.array_equal(Y, k.area_sums(y, codes, n_areas))
    ok, iso, X, T = k.isolation_checked(x, t, codes, n_areas, 1e-9)
    old = k.exposure(x, x, t, codes, n_areas)
    assert ok and all(np.array_equal(a, b, equal_nan=True) for a, b in zip((iso, X, T), old))
    ok, exp, X, T = k.exposure_checked(x, y, t, codes, n_areas, 1e-9)
    old = k.exposure(x, y, t, codes, n_areas)
    assert ok and all(np.array_equal(a, b, equal_nan=True) for a, b in zip((exp, X, T), old))
    # and the public functions give the same numbers as against a stored rest column
    named = df.assign(rest=y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AbsentGroupWarning)
        for f in (dissimilarity, atkinson):
            ours = f(df, "x", total="total", by=by)
            ref = f(named, "x", "rest", by=by)
            if by is None:
                assert ours == ref
            else:
                assert np.array_equal(ours.to_numpy(), ref.to_numpy(), equal_nan=True)


@pytest.mark.parametrize("f", [dissimilarity, atkinson])
def test_rest_path_bad_values_raise_the_column_messages(f):
    name = f.__name__
    bad = WORKED.astype(float)
    bad.loc["i1", "x"] = -3.0
    with pytest.raises(
        SegindexValueError, match=rf"{name}\(\): the group column 'x' has a negative count \(-3\) at unit 'i1'"
    ):
        f(bad, "x", total="total", by=None)
    bad = WORKED.astype(float).assign(area=["a", "a", "b"])
    bad.loc["i2", "total"] = np.inf
    with pytest.raises(
        SegindexValueError, match=rf"{name}\(\): the total column 'total' has an infinite value at unit 'i2'"
    ):
        f(bad, "x", total="total", by="area")
    with pytest.raises(
        SegindexValueError,
        match=rf"{name}\(\): at unit 'i1' \(row 1\) the groups 'x' add up to 20, "
        r"more than the total column 'total' \(19\)",
    ):
        f(WORKED.assign(total=[40, 19, 60], area=1), "x", total="total", by="area")


def test_rest_path_does_not_copy_float_columns():
    """Float64 columns reach the kernels without a copy (integer columns are converted once)."""
    from segindex.counts import numeric_column

    df = _rest_table(3)
    assert np.shares_memory(numeric_column(df, "x", "group", "test", check=False), df["x"].to_numpy())


def test_fused_checks_catch_what_the_column_checks_catch():
    """Bad values the fused kernels might miss: NaN where t = 0, a total a hair below zero, NaN in other."""
    df = WORKED.astype(float).assign(rest=[30.0, 30.0, 30.0])
    bad = df.copy()
    bad.loc["i0", ["x", "total"]] = [0.0, -1e-12]
    for f in (dissimilarity, atkinson, isolation, correlation_ratio):
        with pytest.raises(
            SegindexValueError, match=r"the total column 'total' has a negative count \(-1e-12\) at unit 'i0'"
        ):
            f(bad, "x", total="total")
    bad = df.copy()
    bad.loc["i1", ["x", "rest", "total"]] = [0.0, np.nan, 0.0]
    with pytest.raises(
        SegindexValueError, match=r"exposure\(\): the other column 'rest' has a missing \(NaN\) value at unit 'i1'"
    ):
        exposure(bad, "x", "rest", total="total")
    with pytest.raises(
        SegindexValueError,
        match=r"exposure\(\): at unit 'i0' \(row 0\) the groups 'x' \+ 'rest' add up to 40, "
        r"more than the total column 'total' \(39\)",
    ):
        exposure(df.assign(total=[39.0, 50.0, 60.0]), "x", "rest", total="total")


def test_overflowing_sums_are_a_false_alarm_not_an_error():
    """Valid counts whose sum overflows: the fused check objects, the column checks pass, the unfused path answers."""
    df = pd.DataFrame({"x": [1e308, 1e308, 0.0], "total": [1e308, 1.5e308, 1e308]})
    with np.errstate(over="ignore"):
        expected = dissimilarity(df.assign(rest=df.total - df.x), "x", "rest")
    with np.errstate(over="ignore"):
        assert dissimilarity(df, "x", total="total") == expected
