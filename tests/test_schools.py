"""Tests of segindex.schools: comparison, nearest-school counterfactual, per-school contrast."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from conftest import shared_data
from segindex.errors import AbsentGroupWarning, DataQualityWarning, SegindexTypeError, SegindexValueError
from segindex.indices import correlation_ratio, dissimilarity, isolation
from segindex.schools import (
    DISTRICT_TO_UPPER_TIER,
    compare_schools_neighbourhoods,
    match_local_authorities,
    nearest_school_allocation,
    school_contrast,
)

# ----------------------------------------------------------------------------
# helpers


def points(xy, crs=27700, **columns):
    xy = np.asarray(xy, dtype=float)
    return gpd.GeoDataFrame(columns, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=crs)


def naive_nearest(unit_xy, school_xy, demand):
    """All-pairs reference: everyone to the nearest school (ties → lowest school index)."""
    d = np.hypot(unit_xy[:, None, 0] - school_xy[None, :, 0], unit_xy[:, None, 1] - school_xy[None, :, 1])
    out = np.zeros((len(school_xy), demand.shape[1]))
    np.add.at(out, d.argmin(axis=1), demand)
    return out


def naive_capacity(unit_xy, school_xy, demand, cap):
    """All-pairs reference of the greedy fill: sort every (distance, unit, school) pair."""
    d = np.hypot(unit_xy[:, None, 0] - school_xy[None, :, 0], unit_xy[:, None, 1] - school_xy[None, :, 1])
    u, s = np.meshgrid(np.arange(len(unit_xy)), np.arange(len(school_xy)), indexing="ij")
    order = np.lexsort((s.ravel(), u.ravel(), d.ravel()))
    rem = demand.sum(axis=1).astype(float)
    comp = demand / np.where(rem > 0, rem, 1)[:, None]
    spare = cap.astype(float).copy()
    out = np.zeros((len(school_xy), demand.shape[1]))
    for j in order:
        uu, ss = u.ravel()[j], s.ravel()[j]
        a = min(rem[uu], spare[ss])
        if a > 0:
            rem[uu] -= a
            spare[ss] -= a
            out[ss] += a * comp[uu]
    return out, rem


@pytest.fixture
def two_las():
    schools = pd.DataFrame(
        {
            "la": ["A", "A", "A", "B", "B"],
            "phase": ["primary", "primary", "secondary", "primary", "secondary"],
            "pak": [30, 0, 10, 5, 5],
            "wb": [10, 40, 10, 5, 15],
            "n": [45, 40, 25, 10, 20],
        }
    )
    homes = pd.DataFrame(
        {
            "la": ["A", "A", "A", "B", "B", "B"],
            "pak": [20, 10, 0, 3, 3, 4],
            "wb": [30, 40, 50, 7, 17, 6],
            "n": [60, 60, 60, 10, 20, 10],
        }
    )
    return schools, homes


# ----------------------------------------------------------------------------
# compare_schools_neighbourhoods


def test_compare_matches_indices_on_each_side(two_las):
    schools, homes = two_las
    t = compare_schools_neighbourhoods(homes, schools, "pak", total="n", by="la")
    assert list(t["la"]) == ["A", "B"]
    assert (t["comparison"] == "rest").all()
    for side, frame in (("school", schools), ("residential", homes)):
        np.testing.assert_allclose(
            t[f"dissimilarity_{side}"], dissimilarity(frame, "pak", total="n", by="la").to_numpy(), rtol=1e-12
        )
        np.testing.assert_allclose(t[f"isolation_{side}"], isolation(frame, "pak", total="n", by="la").to_numpy())
        np.testing.assert_allclose(
            t[f"correlation_ratio_{side}"], correlation_ratio(frame, "pak", total="n", by="la").to_numpy()
        )
    np.testing.assert_allclose(
        t["dissimilarity_difference"], t["dissimilarity_school"] - t["dissimilarity_residential"]
    )
    np.testing.assert_allclose(t["isolation_ratio"], t["isolation_school"] / t["isolation_residential"])
    assert t["n_schools"].tolist() == [3, 2]
    assert t["n_units"].tolist() == [3, 3]
    assert t["pupils"].tolist() == [110.0, 30.0]
    assert t["residents_group"].tolist() == [30.0, 10.0]


def test_compare_hand_worked_with_other_group(two_las):
    schools, homes = two_las
    t = compare_schools_neighbourhoods(homes, schools, "pak", "wb", by="la")
    a = t[t["la"] == "A"].iloc[0]
    # schools of A: pak 30, 0, 10 (/40); wb 10, 40, 10 (/60)
    d = 0.5 * (abs(30 / 40 - 10 / 60) + abs(0 - 40 / 60) + abs(10 / 40 - 10 / 60))
    assert a["dissimilarity_school"] == pytest.approx(d)
    assert a["comparison"] == "wb"
    # isolation without totals uses t = pak + wb: 30/40*30/40 + 0 + 10/40*10/20
    assert a["isolation_school"] == pytest.approx(30 / 40 * 30 / 40 + 10 / 40 * 10 / 20)


def test_compare_per_phase(two_las):
    schools, homes = two_las
    t = compare_schools_neighbourhoods(homes, schools, ["pak", "wb"], total="n", by="la", phase="phase")
    assert len(t) == 2 * 2 * 2
    prim = t[(t.la == "A") & (t.phase == "primary") & (t.group == "pak")].iloc[0]
    sub = schools[(schools.la == "A") & (schools.phase == "primary")]
    assert prim["dissimilarity_school"] == pytest.approx(dissimilarity(sub, "pak", total="n"))
    assert prim["n_schools"] == 2
    # residential side is the same for both phases
    res = t[(t.la == "A") & (t.group == "pak")]["dissimilarity_residential"]
    assert res.nunique() == 1


def test_compare_groups_map(two_las):
    schools, homes = two_las
    schools = schools.rename(columns={"pak": "Pakistani pupils"})
    t = compare_schools_neighbourhoods(
        homes, schools, "pak", total="n", by="la", groups_map={"pak": "Pakistani pupils"}
    )
    assert t["dissimilarity_school"].notna().all()


def test_compare_group_missing_on_one_side(two_las):
    schools, homes = two_las
    with pytest.raises(SegindexValueError, match=r"groups missing in the schools table: 'ind'"):
        compare_schools_neighbourhoods(homes.assign(ind=1), schools, "ind", total="n", by="la")
    with pytest.raises(SegindexValueError, match=r"in the residents table: 'ind'"):
        compare_schools_neighbourhoods(homes, schools.assign(ind=1), "ind", total="n", by="la")


def test_compare_schools_outside_every_area(two_las):
    schools, homes = two_las
    schools = pd.concat([schools, pd.DataFrame({"la": ["Z"], "phase": ["primary"], "pak": [1], "wb": [1], "n": [2]})])
    with pytest.warns(DataQualityWarning, match=r"1 area\(s\) with schools but no residents \('Z'\)"):
        t = compare_schools_neighbourhoods(homes, schools, "pak", total="n", by="la")
    assert list(t["la"]) == ["A", "B"]
    assert t.attrs["unmatched_areas"]["schools_only"] == ["Z"]
    with pytest.warns(DataQualityWarning) as caught:
        compare_schools_neighbourhoods(homes, schools, "pak", total="n", by="la")
    assert caught[0].filename == __file__  # the warning points at the caller's line


def test_compare_no_common_area(two_las):
    schools, homes = two_las
    with pytest.raises(SegindexValueError, match="no value of 'la' is present in both"):
        compare_schools_neighbourhoods(homes, schools.assign(la="X"), "pak", total="n", by="la")


def test_compare_needs_total_or_other(two_las):
    schools, homes = two_las
    with pytest.raises(SegindexValueError, match="needs totals"):
        compare_schools_neighbourhoods(homes, schools, "pak", by="la")


def test_compare_missing_by(two_las):
    schools, homes = two_las
    with pytest.raises(SegindexValueError, match="by='lad' is not in the schools table"):
        compare_schools_neighbourhoods(homes, schools, "pak", total="n", by="lad")


def test_compare_missing_phase(two_las):
    schools, homes = two_las
    with pytest.raises(SegindexValueError, match="phase column 'stage'"):
        compare_schools_neighbourhoods(homes, schools, "pak", total="n", by="la", phase="stage")


def test_compare_absent_group_warns(two_las):
    schools, homes = two_las
    schools = schools.assign(pak=np.where(schools.la == "B", 0, schools.pak))
    with pytest.warns(AbsentGroupWarning, match="'B'"):
        t = compare_schools_neighbourhoods(homes, schools, "pak", total="n", by="la")
    assert np.isnan(t.loc[t.la == "B", "dissimilarity_school"]).all()
    assert t.loc[t.la == "A", "dissimilarity_school"].notna().all()


def test_compare_total_below_group(two_las):
    schools, homes = two_las
    with pytest.raises(SegindexValueError, match="more than the total column 'n'"):
        compare_schools_neighbourhoods(homes, schools.assign(n=1), "pak", total="n", by="la")


def test_compare_does_not_modify_inputs(two_las):
    schools, homes = two_las
    s0, h0 = schools.copy(), homes.copy()
    compare_schools_neighbourhoods(homes, schools, ["pak"], total="n", by="la", phase="phase")
    pd.testing.assert_frame_equal(schools, s0)
    pd.testing.assert_frame_equal(homes, h0)


def test_compare_bootstrap_intervals(town):
    from segindex.datasets import example_town

    t = example_town(random_state=3, choice=0.6)
    sch, res = t.schools.assign(la="X"), t.units.assign(la="X")
    # two areas: every column holds one value per area
    two = compare_schools_neighbourhoods(
        res.assign(la=np.arange(len(res)) % 2),
        sch.assign(la=np.arange(len(sch)) % 2),
        "pakistani",
        total="total",
        school_total="roll",
        by="la",
        n_draws=9,
        random_state=1,
    )
    assert len(two) == 2 and two["dissimilarity_difference_ci_low"].notna().all()
    assert two["dissimilarity_school_expected"].iloc[0] != two["dissimilarity_school_expected"].iloc[1]
    kw = dict(total="total", school_total="roll", by="la", n_draws=99, random_state=7)
    a = compare_schools_neighbourhoods(res, sch, ["pakistani", "indian"], **kw)
    b = compare_schools_neighbourhoods(res, sch, ["pakistani", "indian"], **kw)
    pd.testing.assert_frame_equal(a, b)  # same seed, same intervals
    for name in ("dissimilarity", "isolation", "correlation_ratio"):
        for side in ("school", "residential", "difference"):
            lo, hi = a[f"{name}_{side}_ci_low"], a[f"{name}_{side}_ci_high"]
            assert (lo < hi).all()
            # each interval beside the estimate it is centred on
            assert (lo <= a[f"{name}_{side}_bias_corrected"]).all() and (a[f"{name}_{side}_bias_corrected"] <= hi).all()
        for side in ("school", "residential"):
            assert (a[f"{name}_{side}_expected"] > 0).all() and a[f"{name}_{side}_p_value"].between(0, 1).all()
    columns = list(a.columns)
    assert columns.index("dissimilarity_school_bias_corrected") + 3 == columns.index("dissimilarity_school_ci_low")
    assert a["high_expected"].dtype == bool and a["small_group"].dtype == bool
    # choice makes schools clearly more segregated: the gap's interval lies above 0
    row = a[a.group == "pakistani"].iloc[0]
    assert row["dissimilarity_difference_ci_low"] > 0
    assert row["dissimilarity_difference_p_value"] < 0.05
    plain = compare_schools_neighbourhoods(res, sch, "pakistani", total="total", school_total="roll", by="la")
    assert "dissimilarity_school_ci_low" not in plain and "high_expected" not in plain
    # by= is optional: both tables are one area
    whole = compare_schools_neighbourhoods(
        res.drop(columns="la"), sch.drop(columns="la"), "pakistani", total="total", school_total="roll"
    )
    assert list(whole["area"]) == ["all"]
    assert whole["dissimilarity_school"].iloc[0] == pytest.approx(plain["dissimilarity_school"].iloc[0], rel=1e-14)
    with pytest.raises(SegindexValueError, match="'n_draws' parameter must be at least 1"):
        compare_schools_neighbourhoods(res, sch, "pakistani", total="total", school_total="roll", by="la", n_draws=0)
    with pytest.raises(SegindexTypeError, match="the parameter 'n_bootstrap' is now called 'n_draws'"):
        compare_schools_neighbourhoods(res, sch, "pakistani", total="total", n_bootstrap=9)
    with pytest.raises(SegindexValueError, match="'gini' is|'entropy_index' is a multigroup index"):
        compare_schools_neighbourhoods(res, sch, "pakistani", total="total", indices=["entropy_index"])


# ----------------------------------------------------------------------------
# nearest_school_allocation


@pytest.fixture(scope="module")
def town():
    from segindex.datasets import example_town

    return example_town(random_state=3)


def test_no_choice_observed_index_equals_nearest_index(town):
    pupils = gpd.GeoDataFrame(town.pupils, geometry=town.units.geometry, crs=town.units.crs)
    groups = list(town.groups)
    alloc = nearest_school_allocation(pupils, town.schools, groups)
    np.testing.assert_allclose(alloc.to_numpy(), town.schools[groups].to_numpy(), rtol=0, atol=1e-9)
    alloc["total"] = alloc.sum(axis=1)
    observed = town.schools.assign(total=town.schools["roll"])
    for g in groups[1:]:
        assert dissimilarity(alloc, g, total="total") == pytest.approx(dissimilarity(observed, g, total="total"))
    # under capacity = roll the same allocation fills every school exactly
    capped = nearest_school_allocation(pupils, town.schools, groups, capacity="roll")
    np.testing.assert_allclose(capped.sum(axis=1), town.schools["roll"], rtol=1e-12)


def test_with_choice_schools_more_segregated_than_benchmark():
    from segindex.datasets import example_town

    t = example_town(random_state=3, choice=0.6)
    pupils = gpd.GeoDataFrame(t.pupils, geometry=t.units.geometry, crs=t.units.crs)
    alloc = nearest_school_allocation(pupils, t.schools, list(t.groups)).assign(total=lambda d: d.sum(axis=1))
    obs = t.schools.assign(total=t.schools["roll"])
    assert dissimilarity(obs, "pakistani", total="total") > dissimilarity(alloc, "pakistani", total="total")


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=1, max_value=25),
    st.integers(min_value=1, max_value=8),
    st.integers(min_value=0, max_value=2**31 - 1),
    st.sampled_from([None, "roll"]),
)
def test_allocation_conserves_population(n_units, n_schools, seed, capacity):
    rng = np.random.default_rng(seed)
    homes = points(rng.uniform(0, 1000, (n_units, 2)), a=rng.integers(0, 50, n_units), b=rng.integers(0, 50, n_units))
    schools = points(rng.uniform(0, 1000, (n_schools, 2)), roll=rng.integers(1, 60, n_schools))
    out = nearest_school_allocation(homes, schools, ["a", "b"], capacity=capacity)
    np.testing.assert_allclose(out.sum().to_numpy(), homes[["a", "b"]].sum().to_numpy(), rtol=1e-12, atol=1e-9)
    assert out.index.equals(schools.index)
    if capacity is None:
        ref = naive_nearest(
            homes.get_coordinates().to_numpy(), schools.get_coordinates().to_numpy(), homes[["a", "b"]].to_numpy()
        )
        np.testing.assert_allclose(out.to_numpy(), ref)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=1, max_value=40),
    st.integers(min_value=1, max_value=30),
    st.integers(min_value=0, max_value=2**31 - 1),
    st.booleans(),
)
def test_capacity_fill_matches_full_sort(n_units, n_schools, seed, on_grid):
    rng = np.random.default_rng(seed)
    # grid coordinates create many exactly tied distances
    xy = rng.integers(0, 5, (n_units, 2)) * 100 if on_grid else rng.uniform(0, 1000, (n_units, 2))
    sxy = rng.integers(0, 5, (n_schools, 2)) * 100 if on_grid else rng.uniform(0, 1000, (n_schools, 2))
    demand = rng.integers(0, 30, (n_units, 2))
    cap = rng.integers(0, 40, n_schools)
    homes = points(xy, a=demand[:, 0], b=demand[:, 1])
    schools = points(sxy, roll=cap)
    with warnings.catch_warnings():
        # zero capacities and unplaced people are reported by warnings, checked elsewhere
        warnings.simplefilter("ignore", DataQualityWarning)
        out = nearest_school_allocation(homes, schools, ["a", "b"], capacity="roll", overflow="report")
    ref, rem = naive_capacity(xy.astype(float), sxy.astype(float), demand.astype(float), cap)
    np.testing.assert_allclose(out.to_numpy(), ref, atol=1e-9)
    lost = out.attrs["unallocated"].reindex(homes.index, fill_value=0.0).to_numpy()
    np.testing.assert_allclose(lost, rem, atol=1e-9)
    # conservation: allocated + unallocated = demand
    assert out.to_numpy().sum() + lost.sum() == pytest.approx(demand.sum())
    assert (out.sum(axis=1).to_numpy() <= cap + 1e-9).all()


def test_capacity_overflow_goes_to_nearest_and_is_recorded():
    homes = points([[0, 0], [10, 0]], a=[10, 10], b=[0, 10])
    schools = points([[0, 0], [1000, 0]], roll=[5, 5])
    out = nearest_school_allocation(homes, schools, ["a", "b"], capacity="roll")
    assert out.to_numpy().sum() == pytest.approx(30)
    over = out.attrs["over_capacity"]
    assert over.sum() == pytest.approx(20)
    assert over.iloc[0] == pytest.approx(20)  # both units are nearest to school 0
    assert out.attrs["unallocated"].empty


def test_capacity_overflow_report():
    homes = points([[0, 0]], a=[10], b=[0])
    schools = points([[0, 0]], roll=[4])
    with pytest.warns(DataQualityWarning, match="6 people in 1 unit"):
        out = nearest_school_allocation(homes, schools, ["a", "b"], capacity="roll", overflow="report")
    assert out["a"].iloc[0] == 4
    assert out.attrs["unallocated"].iloc[0] == 6


def test_k_nearest_equal_and_inverse_distance():
    homes = points([[0, 0]], a=[12], b=[0])
    schools = points([[100, 0], [0, 300], [5000, 0]])
    eq = nearest_school_allocation(homes, schools, ["a", "b"], k=2)
    assert eq["a"].tolist() == [6.0, 6.0, 0.0]
    inv = nearest_school_allocation(homes, schools, ["a", "b"], k=2, weights="inverse_distance")
    # weights 1/100 : 1/300 = 3 : 1
    np.testing.assert_allclose(inv["a"], [9.0, 3.0, 0.0])
    homes0 = points([[100, 0]], a=[12], b=[0])
    inv0 = nearest_school_allocation(homes0, schools, ["a", "b"], k=3, weights="inverse_distance")
    np.testing.assert_allclose(inv0["a"], [12.0, 0.0, 0.0])


def test_share_scalar_and_column():
    homes = points([[0, 0], [5, 0]], a=[10, 20], b=[10, 0], kids=[0.5, 0.25])
    schools = points([[0, 0]])
    assert nearest_school_allocation(homes, schools, ["a", "b"], share=0.5).to_numpy().tolist() == [[15.0, 5.0]]
    assert nearest_school_allocation(homes, schools, ["a", "b"], share="kids").to_numpy().tolist() == [[10.0, 5.0]]
    with pytest.raises(SegindexValueError, match="fraction"):
        nearest_school_allocation(homes, schools, ["a", "b"], share=2.0)


def test_representative_points_of_polygons_and_given_points():
    homes = gpd.GeoDataFrame(
        {"a": [10]}, geometry=gpd.GeoSeries.from_wkt(["POLYGON((0 0, 10 0, 10 10, 0 10, 0 0))"]), crs=27700
    )
    schools = points([[5, 5], [1000, 1000]])
    assert nearest_school_allocation(homes, schools, ["a"])["a"].tolist() == [10.0, 0.0]
    given = gpd.GeoSeries(gpd.points_from_xy([990], [990]), index=homes.index, crs=27700)
    assert nearest_school_allocation(homes, schools, ["a"], points=given)["a"].tolist() == [0.0, 10.0]


def test_max_distance_reports_unit():
    homes = points([[0, 0], [10_000, 0]], a=[10, 7], b=[0, 0])
    schools = points([[0, 0]])
    with pytest.warns(DataQualityWarning, match=r"7 people in 1 unit\(s\) \(1\).*max_distance=5000"):
        out = nearest_school_allocation(homes, schools, ["a", "b"], max_distance=5000)
    assert out["a"].tolist() == [10.0]
    assert out.attrs["unallocated"].to_dict() == {1: 7.0}


def test_geographic_crs_refused():
    homes = points([[-1.7, 53.8]], crs=4326, a=[1])
    schools = points([[-1.7, 53.8]], crs=4326)
    with pytest.raises(SegindexValueError, match=r"geographic CRS.*\.to_crs\(27700\)"):
        nearest_school_allocation(homes, schools, ["a"])
    with pytest.raises(SegindexValueError, match=r"geographic CRS.*\.to_crs\(27700\)"):
        school_contrast(homes.assign(n=2), points([[0, 0]], a=[1], n=[2]), "a", total="n")


def test_mismatched_or_missing_crs_refused():
    homes = points([[0, 0]], a=[1])
    with pytest.raises(SegindexValueError, match="different CRSs"):
        nearest_school_allocation(homes, points([[0, 0]], crs=3857), ["a"])
    with pytest.raises(SegindexValueError, match=r"no CRS.*set_crs\(27700\)"):
        nearest_school_allocation(homes, points([[0, 0]], crs=None), ["a"])


def test_zero_roll_is_reported_and_excluded():
    homes = points([[0, 0]], a=[10], b=[0])
    schools = points([[0, 0], [100, 0]], roll=[0, 20])
    schools.index = ["Empty school", "Other"]
    with pytest.warns(DataQualityWarning, match="zero capacity in 'roll' \\('Empty school'\\)"):
        out = nearest_school_allocation(homes, schools, ["a", "b"], capacity="roll")
    assert out["a"].tolist() == [0.0, 10.0]
    assert out.attrs["zero_capacity"] == ["Empty school"]


def test_allocation_input_errors():
    homes = points([[0, 0]], a=[10])
    schools = points([[0, 0]])
    with pytest.raises(SegindexValueError, match="group column 'b' is not in the residents"):
        nearest_school_allocation(homes, schools, ["a", "b"])
    with pytest.raises(SegindexValueError, match="capacity='roll' needs a 'roll' column"):
        nearest_school_allocation(homes, schools, ["a"], capacity="roll")
    with pytest.raises(SegindexTypeError, match="GeoDataFrame"):
        nearest_school_allocation(pd.DataFrame(homes.drop(columns="geometry")), schools, ["a"])
    with pytest.raises(SegindexValueError, match="'k' must be a positive integer"):
        nearest_school_allocation(homes, schools, ["a"], k=0)
    with pytest.raises(SegindexValueError, match="'weights'"):
        nearest_school_allocation(homes, schools, ["a"], weights="gravity")
    with pytest.raises(SegindexValueError, match="'points'"):
        nearest_school_allocation(homes, schools, ["a"], points="middle")
    with pytest.raises(SegindexValueError, match="negative count"):
        nearest_school_allocation(homes.assign(a=-1), schools, ["a"])
    bad = points([[0, 0]], roll=[np.nan])
    with pytest.raises(SegindexValueError, match="capacity column 'roll' has a missing"):
        nearest_school_allocation(homes, bad, ["a"], capacity="roll")
    empty = schools.copy()
    empty.geometry = gpd.GeoSeries([None], crs=27700)
    with pytest.raises(SegindexValueError, match="missing or empty geometry"):
        nearest_school_allocation(homes, empty, ["a"])


# ----------------------------------------------------------------------------
# school_contrast


def test_identical_school_has_zero_contrast():
    homes = points([[0, 0], [10, 0], [5000, 0]], a=[20, 30, 0], n=[100, 150, 100])
    schools = points([[5, 0]], a=[40], n=[200])
    c = school_contrast(homes, schools, "a", total="n", k_units=2)
    row = c.iloc[0]
    assert row["local_share"] == pytest.approx(0.2)
    assert row["difference"] == 0.0
    assert row["ratio"] == 1.0
    assert row["z"] == 0.0
    assert row["p_value"] == 1.0
    assert not row["flag"]


def test_contrast_hand_worked_and_pvalue():
    homes = points([[0, 0], [10, 0], [5000, 0]], a=[20, 30, 0], n=[100, 150, 100])
    schools = points([[5, 0], [4990, 0]], a=[70, 3], n=[200, 60])
    c = school_contrast(homes, schools, "a", total="n", k_units=2)
    # school 0: 70/200 against 50/250
    assert c["difference"].iloc[0] == pytest.approx(0.35 - 0.2)
    assert c["z"].iloc[0] == pytest.approx((70 - 40) / np.sqrt(200 * 0.2 * 0.8))
    lower = stats.binom.cdf(70, 200, 0.2)
    upper = stats.binom.sf(69, 200, 0.2)
    assert c["p_value"].iloc[0] == pytest.approx(min(1, 2 * min(lower, upper)))
    # doubling the smaller tail is never below binomtest's (minlike) p-value
    assert c["p_value"].iloc[0] >= stats.binomtest(70, 200, 0.2).pvalue * (1 - 1e-9)
    # school 1: nearest two units are [5000,0] (share 0) and [10,0] (30/150): local 30/250
    assert c["local_share"].iloc[1] == pytest.approx(30 / 250)
    assert c.index.equals(schools.index)


def test_contrast_radius_and_flag():
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 2000, (200, 2))
    homes = points(xy, a=rng.integers(0, 20, 200), n=np.full(200, 100))
    schools = points([[1000, 1000], [500, 500], [1500, 1500]], a=[95, 22, 10], n=[100, 200, 100])
    c = school_contrast(homes, schools, "a", total="n", radius=300)
    inside = np.hypot(xy[:, 0] - 1000, xy[:, 1] - 1000) <= 300
    assert c["n_units"].iloc[0] == inside.sum()
    assert c["local_share"].iloc[0] == pytest.approx(homes["a"][inside].sum() / (100 * inside.sum()))
    assert c["flag"].iloc[0]  # 95 % against about 10 %
    assert c["q_value"].iloc[0] >= c["p_value"].iloc[0]


def test_contrast_school_with_no_residents_within_radius():
    homes = points([[0, 0]], a=[10], n=[100])
    schools = points([[0, 0], [50_000, 0]], a=[10, 10], n=[100, 100])
    with pytest.warns(DataQualityWarning, match=r"1 school\(s\) \(1\) have no residents"):
        c = school_contrast(homes, schools, "a", total="n", radius=1000)
    assert np.isnan(c["difference"].iloc[1]) and not c["flag"].iloc[1]
    assert c["difference"].iloc[0] == 0.0


def test_contrast_errors():
    homes = points([[0, 0]], a=[10], n=[100])
    schools = points([[0, 0]], a=[10], n=[100])
    with pytest.raises(SegindexValueError, match="k_units or radius, not both"):
        school_contrast(homes, schools, "a", total="n", k_units=3, radius=10)
    with pytest.raises(SegindexValueError, match="'k_units' must be a positive integer"):
        school_contrast(homes, schools, "a", total="n", k_units=0)
    with pytest.raises(SegindexValueError, match="column 'b' is not in the data"):
        school_contrast(homes, schools, "b", total="n")
    with pytest.raises(SegindexValueError, match="more than the total"):
        school_contrast(homes, schools.assign(n=1), "a", total="n")
    with pytest.raises(SegindexValueError, match="'fdr'"):
        school_contrast(homes, schools, "a", total="n", fdr=1.5)


# ----------------------------------------------------------------------------
# match_local_authorities


def test_match_local_authorities_small():
    m = match_local_authorities(
        ["Bournemouth", "Poole", "Aylesbury Vale", "Kettering", "Leeds", "Swansea", "Narnia"],
        ["Bournemouth, Christchurch and Poole", "Buckinghamshire", "North Northamptonshire", "Leeds"],
    )
    assert m.set_index("district")["authority"].fillna("-").to_dict() == {
        "Bournemouth": "Bournemouth, Christchurch and Poole",
        "Poole": "Bournemouth, Christchurch and Poole",
        "Aylesbury Vale": "Buckinghamshire",
        "Kettering": "North Northamptonshire",
        "Leeds": "Leeds",
        "Swansea": "-",
        "Narnia": "-",
    }
    got = m.set_index("district")
    assert got.loc["Aylesbury Vale", "how"] == "table"
    assert got.loc["Leeds", "how"] == "name"
    assert "Welsh" in got.loc["Swansea", "reason"]
    assert "not in DISTRICT_TO_UPPER_TIER" in got.loc["Narnia", "reason"]
    assert got["authority"].isna().sum() == 2
    assert m.attrs["authorities_unmatched"] == []


def test_match_every_english_authority_on_real_data():
    census = pd.read_csv(
        shared_data("uk", "census2011", "lsoa2011_ethnicity_england_wales.csv"), usecols=["LAD", "RGN"]
    )
    dfe = pd.read_csv(shared_data("uk", "schools", "spc_2022_23_school_ethnicity_england.csv"), usecols=["la_name"])
    m = match_local_authorities(census["LAD"], dfe["la_name"])
    assert m.attrs["authorities_unmatched"] == []  # every one of the 152 authorities gets districts
    unmatched = m[m["how"] == "unmatched"]
    assert len(unmatched) == 22 and unmatched["reason"].str.startswith("Welsh").all()
    wales = set(census.loc[census["RGN"] == "Wales", "LAD"])
    assert set(unmatched["district"]) == wales
    assert m["authority"].nunique() == 152
    # every district in the table is a real 2011 district name
    assert set(DISTRICT_TO_UPPER_TIER) <= set(census["LAD"])


# ----------------------------------------------------------------------------
# plot_school_contrast


def test_plot_school_contrast_centred_diverging(town):
    import matplotlib

    matplotlib.use("Agg")
    from segindex.plot.schools import plot_school_contrast

    c = school_contrast(town.units, town.schools, "pakistani", total="total", school_total="roll")
    ax = plot_school_contrast(c, town.schools, town.units, group="pakistani", total="total", source="Synthetic")
    schools_layer = ax.collections[-1]
    norm = schools_layer.norm
    assert norm.vcenter == 0.0 and norm.vmin == -norm.vmax
    assert len(schools_layer.get_offsets()) == len(town.schools)
    assert any("Synthetic" in t.get_text() for t in ax.texts)
    with pytest.raises(SegindexValueError, match="same index"):
        plot_school_contrast(c.iloc[:-1], town.schools, town.units)
    with pytest.raises(SegindexValueError, match="both group= and total="):
        plot_school_contrast(c, town.schools, town.units, group="pakistani")


def test_tables_in_the_old_order_are_refused_not_swapped():
    # segindex < 0.2 took schools first; a call in that order must not silently swap the two sides
    from segindex import compare_schools_neighbourhoods, school_contrast
    from segindex.datasets import example_town

    town = example_town(random_state=3, n_units=60, n_schools=10)
    for f in (compare_schools_neighbourhoods, school_contrast):
        with pytest.raises(SegindexValueError, match=r"the tables look swapped\. Residents come first"):
            f(town.schools, town.units, "pakistani", total="total", school_total="roll")
