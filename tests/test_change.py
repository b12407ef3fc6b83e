"""Tests of segindex.change: comparable units, harmonised counts, areal
interpolation, panels and the decompositions of change."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from segindex import correlation_ratio, dissimilarity, gini, isolation, mutual_information, to_wide
from segindex._kernels import change as kc
from segindex.change import (
    ComparableUnits,
    areal_interpolate,
    comparable_units,
    decompose_change,
    harmonise_counts,
    mutual_information_difference,
    panel,
)
from segindex.errors import DataQualityWarning, SegindexTypeError, SegindexValueError
from tests.conftest import shared_data

# ----------------------------------------------------------------------------
# comparable units


@pytest.fixture
def lookup():
    # a: unchanged; b: split into B1, B2; c + d merged into C;
    # e, f -> E1, E2 irregular (e -> E1, E2; f -> E2)
    return pd.DataFrame(
        {
            "LSOA11CD": ["a", "b", "b", "c", "d", "e", "e", "f"],
            "LSOA21CD": ["A", "B1", "B2", "C", "C", "E1", "E2", "E2"],
            "CHGIND": ["U", "S", "S", "M", "M", "X", "X", "X"],
            "LAD": ["L1", "L1", "L1", "L2", "L2", "L2", "L2", "L2"],
        }
    )


def test_comparable_units_hand_case(lookup):
    units = comparable_units(lookup, keep=["LAD"])
    assert isinstance(units, ComparableUnits)
    assert units.old.to_dict() == {"a": "A", "b": "B1", "c": "C", "d": "C", "e": "E1", "f": "E1"}
    assert units.new.to_dict() == {"A": "A", "B1": "B1", "B2": "B1", "C": "C", "E1": "E1", "E2": "E1"}
    attrs = units.attributes
    assert attrs["type"].to_dict() == {"A": "unchanged", "B1": "split", "C": "merged", "E1": "irregular"}
    assert attrs["LAD"].to_dict() == {"A": "L1", "B1": "L1", "C": "L2", "E1": "L2"}
    rep = units.report
    assert rep.loc["split (S)", "lookup_rows"] == 2
    assert rep.loc["irregular (X)", "old_codes"] == 2 and rep.loc["irregular (X)", "new_codes"] == 2
    assert rep.loc["total", "units"] == 4
    assert "4 comparable units" in repr(units)


def test_comparable_units_without_change_column(lookup):
    units = comparable_units(lookup.drop(columns="CHGIND"), change_column=None)
    assert "lookup_rows" not in units.report.columns
    assert units.n_units == 4


def test_comparable_units_straddling(lookup):
    lk = lookup.copy()
    lk.loc[2, "LAD"] = "L3"  # B2 lies in another authority
    with pytest.raises(SegindexValueError, match="1 comparable units \\('B1'\\): they straddle a boundary of 'LAD'"):
        comparable_units(lk, keep=["LAD"])
    units = comparable_units(lk, keep=["LAD"], straddling="join")
    assert units.attributes.loc["B1", "LAD"] == "L1 / L3"
    assert units.attributes["straddles"].tolist() == [False, True, False, False]


@pytest.mark.parametrize(
    "change, kwargs, match",
    [
        (None, {"from_code": "nope"}, "from_code column 'nope' is not in the table"),
        (None, {"to_code": "LSOA11CD"}, "from_code and to_code are both"),
        (None, {"straddling": "drop"}, "'straddling' must be"),
        ("bad_chg", {}, "has the value 'Z' at row 0.*U \\(unchanged\\)"),
        ("missing_code", {}, "missing code at row 1"),
    ],
)
def test_comparable_units_errors(lookup, change, kwargs, match):
    lk = lookup.copy()
    if change == "bad_chg":
        lk.loc[0, "CHGIND"] = "Z"
    if change == "missing_code":
        lk.loc[1, "LSOA21CD"] = None
    with pytest.raises(SegindexValueError, match=match):
        comparable_units(lk, **kwargs)


def test_comparable_units_type_error():
    with pytest.raises(SegindexTypeError, match="must be a pandas DataFrame"):
        comparable_units([("a", "A")])


def test_comparable_units_real_lookup():
    path = shared_data("uk", "lookups", "lsoa11_lsoa21_lad22_exactfit.csv")
    lk = pd.read_csv(path)
    units = comparable_units(lk, keep=["LAD22NM"], straddling="join")
    rep = units.report
    # ONS change indicators, as counted in the data README
    assert rep["lookup_rows"].tolist()[:4] == [33647, 1900, 239, 9]
    assert rep.loc["total", "old_codes"] == 34753 and rep.loc["total", "new_codes"] == 35672
    assert units.n_units == rep.loc["total", "units"] == 34630
    # every unit holds at least one code of each year
    assert (units.attributes[["n_old", "n_new"]] >= 1).all().all()
    assert units.attributes["straddles"].sum() == 3


# ----------------------------------------------------------------------------
# harmonised counts


@pytest.fixture
def two_years():
    y11 = pd.DataFrame(
        {
            "LSOA11CD": ["a", "b", "c", "d", "e", "f"],
            "x": [5, 7, 1, 2, 3, 4],
            "y": [1, 2, 3, 4, 5, 6],
            "tot": [7, 9, 4, 6, 9, 10],
        }
    )
    y21 = pd.DataFrame(
        {
            "LSOA21CD": ["A", "B1", "B2", "C", "E1", "E2"],
            "x": [6, 3, 5, 4, 1, 9],
            "y": [1, 1, 1, 8, 2, 2],
            "tot": [7, 4, 6, 12, 3, 12],
        }
    )
    return y11, y21


def test_harmonise_conserves_every_person(lookup, two_years):
    y11, y21 = two_years
    units = comparable_units(lookup, keep=["LAD"])
    h = harmonise_counts(y11, y21, units, groups=["x", "y"], total="tot", years=(2011, 2021))
    assert list(h) == [2011, 2021]
    assert h[2011].index.equals(h[2021].index)
    for year, src in ((2011, y11), (2021, y21)):
        for col in ("x", "y", "tot"):
            assert h[year][col].sum() == src[col].sum()  # exact
    assert h[2011].loc["C", "x"] == 1 + 2 and h[2021].loc["E1", "y"] == 4
    assert h[2011]["LAD"].tolist() == ["L1", "L1", "L2", "L2"]


@given(st.lists(st.integers(0, 10**6), min_size=6, max_size=6), st.lists(st.integers(0, 10**6), min_size=6, max_size=6))
@settings(max_examples=30, deadline=None)
def test_harmonise_conservation_property(a, b):
    lk = pd.DataFrame(
        {
            "LSOA11CD": ["a", "b", "b", "c", "d", "e", "e", "f"],
            "LSOA21CD": ["A", "B1", "B2", "C", "C", "E1", "E2", "E2"],
        }
    )
    units = comparable_units(lk, change_column=None)
    y11 = pd.DataFrame({"g": a}, index=list("abcdef"))
    y21 = pd.DataFrame({"g": b}, index=["A", "B1", "B2", "C", "E1", "E2"])
    h = harmonise_counts(y11, y21, units, groups=["g"], from_code=False, to_code=False)
    assert h["from"]["g"].sum() == sum(a) and h["to"]["g"].sum() == sum(b)


def test_harmonise_errors(lookup, two_years):
    y11, y21 = two_years
    units = comparable_units(lookup)
    with pytest.raises(SegindexValueError, match="codes of the lookup are missing from data_from: 'f'"):
        harmonise_counts(y11.iloc[:5], y21, units, groups=["x"])
    extra = pd.concat([y21, pd.DataFrame({"LSOA21CD": ["Z9"], "x": [1], "y": [1], "tot": [2]})])
    with pytest.raises(SegindexValueError, match="codes of data_to are not in the lookup: 'Z9'"):
        harmonise_counts(y11, extra, units, groups=["x"])
    with pytest.raises(SegindexValueError, match="'E2' appears more than once in data_to"):
        harmonise_counts(y11, pd.concat([y21, y21.iloc[[5]]]), units, groups=["x"])
    roma = y21.assign(white_roma=1)
    with pytest.raises(SegindexValueError, match="only in 'to': 'white_roma'"):
        harmonise_counts(y11, roma, units)
    with pytest.raises(SegindexValueError, match="the 'from' table has no column for the groups 'z'"):
        harmonise_counts(y11, y21.assign(z=1), units, groups=["x", "z"])
    with pytest.raises(SegindexValueError, match="'years' must be two different labels"):
        harmonise_counts(y11, y21, units, groups=["x"], years=(1, 1))
    with pytest.raises(SegindexValueError, match="named both as a group and as the total"):
        harmonise_counts(y11, y21, units, groups=["x", "tot"], total="tot")
    with pytest.raises(SegindexTypeError, match="result of comparable_units"):
        harmonise_counts(y11, y21, {"a": "A"}, groups=["x"])


def test_harmonise_default_groups(lookup, two_years):
    y11, y21 = two_years
    h = harmonise_counts(y11, y21, comparable_units(lookup), total="tot")
    assert [c for c in h["from"].columns if c not in ("type",)] == ["x", "y", "tot"]


# ----------------------------------------------------------------------------
# areal interpolation on hand-made squares


def _squares():
    # source: one 2x2 square with 100 people and one 1x1 square with 10
    src = gpd.GeoDataFrame(
        {"x": [100.0, 10.0], "y": [40.0, 0.0]}, geometry=[box(0, 0, 2, 2), box(2, 0, 3, 1)], crs=27700
    )
    # target: the left half and the right half of the big square, plus the small square
    tgt = gpd.GeoDataFrame(
        {"name": ["W", "E", "S"]}, geometry=[box(0, 0, 1, 2), box(1, 0, 2, 2), box(2, 0, 3, 1)], crs=27700
    )
    return src, tgt


def test_areal_interpolate_by_area():
    src, tgt = _squares()
    out = areal_interpolate(src, tgt, ["x", "y"])
    assert out["x"].tolist() == pytest.approx([50.0, 50.0, 10.0])
    assert out["y"].tolist() == pytest.approx([20.0, 20.0, 0.0])
    assert out["name"].tolist() == ["W", "E", "S"]
    assert out.attrs["outside"].tolist() == [0.0, 0.0]
    assert "x" not in tgt.columns  # input untouched


def test_areal_interpolate_overlapping_offset_squares():
    # a 2x2 source square against a target square shifted by (1, 1): a quarter overlaps
    src = gpd.GeoDataFrame({"x": [80.0]}, geometry=[box(0, 0, 2, 2)], crs=27700)
    tgt = gpd.GeoDataFrame({"k": [1]}, geometry=[box(1, 1, 3, 3)], crs=27700)
    with pytest.warns(DataQualityWarning, match="outside every target polygon.*60"):
        out = areal_interpolate(src, tgt, ["x"])
    assert out["x"].tolist() == pytest.approx([20.0])
    assert out.attrs["outside"]["x"] == pytest.approx(60.0)
    assert out.attrs["share_outside"]["x"] == pytest.approx(0.75)
    assert out["x"].sum() + out.attrs["outside"]["x"] == pytest.approx(80.0)


def test_areal_interpolate_population_weights():
    src, tgt = _squares()
    # all the people of the big square live in its left quarter (x < 1, y < 1)
    zones = gpd.GeoDataFrame(
        {"pop": [30.0, 0.0, 5.0]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 2), box(2, 0, 3, 1)], crs=27700
    )
    out = areal_interpolate(src, tgt, ["x"], weights=zones)
    assert out["x"].tolist() == pytest.approx([100.0, 0.0, 10.0])
    # a source meeting no populated zone falls back to area, with a warning
    empty = zones.assign(pop=[0.0, 0.0, 5.0])
    with pytest.warns(DataQualityWarning, match="1 source polygons.*shared by area"):
        out = areal_interpolate(src, tgt, ["x"], weights=empty, weight_column="pop")
    assert out["x"].tolist() == pytest.approx([50.0, 50.0, 10.0])


def test_areal_interpolate_errors():
    src, tgt = _squares()
    with pytest.raises(SegindexValueError, match=r"geographic CRS.*to_crs\(27700\)"):
        areal_interpolate(src.to_crs(4326), tgt.to_crs(4326), ["x"])
    with pytest.raises(SegindexValueError, match="different CRSs"):
        areal_interpolate(src, tgt.to_crs(3857), ["x"])
    with pytest.raises(SegindexValueError, match="has no CRS"):
        areal_interpolate(src.set_crs(None, allow_override=True), tgt, ["x"])
    with pytest.raises(SegindexValueError, match="'weights' must be \"area\""):
        areal_interpolate(src, tgt, ["x"], weights="population")
    with pytest.raises(SegindexTypeError, match="'weights' must be"):
        areal_interpolate(src, tgt, ["x"], weights=3)
    with pytest.raises(SegindexValueError, match="name the population column"):
        areal_interpolate(src, tgt, ["x"], weights=src)
    with pytest.raises(SegindexValueError, match="count column 'z' is not in the data"):
        areal_interpolate(src, tgt, ["z"])
    with pytest.raises(SegindexTypeError, match="'source' parameter must be a geopandas GeoDataFrame"):
        areal_interpolate(pd.DataFrame(src.drop(columns="geometry")), tgt, ["x"])


def test_areal_interpolate_refuses_overlapping_targets():
    import geopandas as gpd
    from shapely.geometry import box

    src = gpd.GeoDataFrame(
        {"x": [100.0, 40.0]}, geometry=[box(0, 0, 2, 1), box(2, 0, 3, 1)], crs=27700, index=["s1", "s2"]
    )
    # W and Mid overlap on [0.5, 1] x [0, 1]: a quarter of s1 would be counted twice
    tgt = gpd.GeoDataFrame(
        {"name": ["W", "Mid", "E"]},
        geometry=[box(0, 0, 1, 1), box(0.5, 0, 2, 1), box(2, 0, 3, 1)],
        crs=27700,
        index=["W", "Mid", "E"],
    )
    with pytest.raises(
        SegindexValueError,
        match=r"target polygons overlap one another: 1 source polygons are "
        r"covered more than once, the first \('s1'\) 1\.250 times, by targets 'W', 'Mid'",
    ):
        areal_interpolate(src, tgt, ["x"])
    # shared edges, and overlaps below the tolerance (digitising slivers), are accepted
    sliver = tgt.set_geometry([box(0, 0, 1.0001, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)])
    out = areal_interpolate(src, sliver, ["x"])
    assert out["x"].sum() == pytest.approx(140.0, rel=1e-4)


# ----------------------------------------------------------------------------
# panels


def test_panel_unchanged_geography_same_index(lookup, two_years):
    """With a one-to-one lookup, harmonising changes nothing: the indices are the same."""
    y11, y21 = two_years
    one_to_one = pd.DataFrame({"LSOA11CD": list("abcdef"), "LSOA21CD": list("ABCDEF"), "CHGIND": ["U"] * 6})
    y21 = y21.assign(LSOA21CD=list("ABCDEF"))
    h = harmonise_counts(y11, y21, comparable_units(one_to_one), groups=["x", "y"], total="tot", years=(2011, 2021))
    p = panel(h, groups=["x", "y"], total="tot")
    assert list(p.columns) == ["unit", "year", "x", "y", "tot"]
    via_panel = dissimilarity(p, "x", "y", by="year")
    assert via_panel[2011] == dissimilarity(y11, "x", "y")
    assert via_panel[2021] == dissimilarity(y21, "x", "y")
    assert isolation(p, "x", total="tot", by="year")[2021] == isolation(y21, "x", total="tot")


def test_panel_by_area_and_year(lookup, two_years):
    y11, y21 = two_years
    h = harmonise_counts(y11, y21, comparable_units(lookup, keep=["LAD"]), groups=["x", "y"], years=(2011, 2021))
    p = panel(h, groups=["x", "y"], area="LAD")
    d = dissimilarity(p, "x", "y", by=["LAD", "year"])
    assert isinstance(d.index, pd.MultiIndex) and len(d) == 4
    sub = h[2021][h[2021]["LAD"] == "L2"]
    assert d[("L2", 2021)] == pytest.approx(dissimilarity(sub, "x", "y"))


def test_panel_errors(two_years):
    y11, y21 = two_years
    with pytest.raises(SegindexTypeError, match="non-empty dict"):
        panel({})
    with pytest.raises(SegindexTypeError, match="non-empty dict"):
        panel([y11, y21])
    with pytest.raises(SegindexTypeError, match="year 2021 must be a DataFrame"):
        panel({2011: y11, 2021: "y21"})
    with pytest.raises(SegindexValueError, match="only in 2021: 'z'"):
        panel({2011: y11.drop(columns="LSOA11CD"), 2021: y21.drop(columns="LSOA21CD").assign(z=1)})
    with pytest.raises(SegindexValueError, match="has no column 'LAD'"):
        panel({2011: y11, 2021: y21}, groups=["x"], area="LAD")
    with pytest.raises(SegindexValueError, match="already has a column 'year'"):
        panel({2011: y11.assign(year=1), 2021: y21}, groups=["x"])


# ----------------------------------------------------------------------------
# decomposition of the change in D, isolation and eta squared


@pytest.fixture
def grow():
    rng = np.random.default_rng(3)
    n = 40
    t1 = rng.integers(50, 500, n)
    x1 = rng.binomial(t1, rng.beta(1, 4, n))
    t2 = t1 + rng.integers(0, 100, n)
    x2 = np.minimum(t2, x1 + rng.integers(0, 80, n))
    idx = [f"u{i}" for i in range(n)]
    area = np.repeat(["A", "B"], n // 2)
    return (
        pd.DataFrame({"x": x1, "all": t1, "area": area}, index=idx),
        pd.DataFrame({"x": x2, "all": t2, "area": area}, index=idx),
    )


def test_decompose_parts_add_up_and_match_public_indices(grow):
    a, b = grow
    d = decompose_change(a, b, "x", total="all").set_index("index")
    for name, fn in (
        ("dissimilarity", lambda t: dissimilarity(t, "x", total="all")),
        ("isolation", lambda t: isolation(t, "x", total="all")),
        ("correlation_ratio", lambda t: correlation_ratio(t, "x", total="all")),
    ):
        row = d.loc[name]
        assert row["value_from"] == pytest.approx(fn(a), rel=1e-12)
        assert row["value_to"] == pytest.approx(fn(b), rel=1e-12)
        assert row["composition"] + row["distribution"] == pytest.approx(row["change"], abs=1e-14)
    # D only depends on the distributions
    assert d.loc["dissimilarity", "composition"] == pytest.approx(0.0, abs=1e-14)


def test_decompose_counterfactual_by_hand(grow):
    """The parts equal the Shapley average of the two counterfactual tables, built here by hand."""
    a, b = grow
    X1, X2 = a["x"].sum(), b["x"].sum()
    R1, R2 = (a["all"] - a["x"]).sum(), (b["all"] - b["x"]).sum()

    def table(sizes, dist):
        X, R = sizes
        src, Xd, Rd = dist
        x = src["x"] * X / Xd
        r = (src["all"] - src["x"]) * R / Rd
        return pd.DataFrame({"x": x, "all": x + r})

    f11 = isolation(a, "x", total="all")
    f22 = isolation(b, "x", total="all")
    f12 = isolation(table((X1, R1), (b, X2, R2)), "x", total="all")
    f21 = isolation(table((X2, R2), (a, X1, R1)), "x", total="all")
    d = decompose_change(a, b, "x", total="all", indices=["isolation"]).iloc[0]
    assert d["distribution"] == pytest.approx(0.5 * (f12 - f11) + 0.5 * (f22 - f21), rel=1e-12)
    assert d["composition"] == pytest.approx(0.5 * (f21 - f11) + 0.5 * (f22 - f12), rel=1e-12)


def test_decompose_pure_growth_is_all_composition():
    """A group that grows by the same factor everywhere has not moved: no distribution part."""
    a = pd.DataFrame({"x": [10.0, 40.0, 50.0], "all": [100.0, 100.0, 100.0]})
    b = pd.DataFrame({"x": [20.0, 80.0, 100.0], "all": [110.0, 140.0, 150.0]})
    d = decompose_change(a, b, "x", total="all").set_index("index")
    assert d["distribution"].abs().max() == pytest.approx(0.0, abs=1e-14)
    assert d.loc["isolation", "change"] > 0
    assert d.loc["dissimilarity", "change"] == pytest.approx(0.0, abs=1e-14)


def test_decompose_by_area_and_other(grow):
    a, b = grow
    a = a.assign(y=a["all"] - a["x"])
    b = b.assign(y=b["all"] - b["x"])
    d = decompose_change(a, b, "x", total="all", other="y", by="area")
    assert list(d["area"].unique()) == ["A", "B"] and len(d) == 6
    row = d[(d["area"] == "B") & (d["index"] == "dissimilarity")].iloc[0]
    assert row["value_to"] == pytest.approx(dissimilarity(b[b["area"] == "B"], "x", "y"))
    assert row["comparison"] == "y"


def test_decompose_errors(grow):
    a, b = grow
    with pytest.raises(SegindexValueError, match="same units.*only in data_from: 'u0'"):
        decompose_change(a, b.iloc[1:], "x", total="all")
    with pytest.raises(SegindexValueError, match="'indices' must name some of"):
        decompose_change(a, b, "x", total="all", indices=["theil"])
    with pytest.raises(SegindexValueError, match="more than the total column"):
        decompose_change(a.assign(x=a["all"] + 1), b, "x", total="all")
    with pytest.raises(SegindexValueError, match="undefined in one of the years"):
        decompose_change(a.assign(x=0), b, "x", total="all")
    with pytest.raises(SegindexValueError, match="appears more than once"):
        decompose_change(pd.concat([a, a.iloc[[0]]]), b, "x", total="all")


# ----------------------------------------------------------------------------
# Elbers (2021) decomposition of the difference in M

# test_data1 / test_data2 of the R package segregation, tests/testthat/test_mutual_difference.R
R1 = pd.DataFrame({"1": [40, 5], "2": [30, 10], "3": [20, 15], "4": [10, 20]}, index=["a", "b"])
R2 = pd.DataFrame({"1": [20, 5], "2": [20, 10], "3": [20, 10], "4": [15, 15]}, index=["a", "b"])
G = ["1", "2", "3", "4"]
PARTS = ["additions", "removals", "group_marginal", "unit_marginal", "structural"]


def _est(frame):
    return frame.set_index("stat")["est"]


def test_mutual_difference_r_package_properties():
    """The checks of the R package's test 'mutual_difference SHAPLEY'."""
    sh1 = _est(mutual_information_difference(R1, R2, G))
    assert sh1["M1"] == pytest.approx(mutual_information(R1, G))
    assert sh1["M2"] == pytest.approx(mutual_information(R2, G))
    assert sh1["diff"] == pytest.approx(sh1["M2"] - sh1["M1"])
    assert sh1[PARTS].sum() == pytest.approx(sh1["diff"], abs=1e-15)
    assert sh1["additions"] == 0 and sh1["removals"] == 0
    # symmetry: transposing swaps the two marginal parts
    sh2 = _est(mutual_information_difference(R1.T.rename_axis(None), R2.T, ["a", "b"]))
    assert sh2["group_marginal"] == pytest.approx(sh1["unit_marginal"], abs=1e-9)
    assert sh2["unit_marginal"] == pytest.approx(sh1["group_marginal"], abs=1e-9)
    assert sh2["structural"] == pytest.approx(sh1["structural"], abs=1e-9)
    # symmetry: swapping the years negates every part
    sh3 = _est(mutual_information_difference(R2, R1, G))
    for part in ("diff", "group_marginal", "unit_marginal", "structural"):
        assert sh3[part] == pytest.approx(-sh1[part], abs=1e-9)


def test_mutual_difference_marginal_only_change():
    """R package test 'correctly identifies marginal/structural changes': doubling a unit
    changes only the unit margin, so the structural part is zero."""
    base = pd.DataFrame({"g1": [25, 28, 2], "g2": [25, 2, 18]}, index=["a", "b", "c"])
    cols = base.copy()
    cols.loc["c"] *= 2
    rows = base.copy()
    rows["g2"] = [50, 4, 36]
    for other in (cols, rows):
        d = _est(mutual_information_difference(base, other, ["g1", "g2"]))
        assert d["structural"] == pytest.approx(0.0, abs=1e-8)
        assert d[PARTS].sum() == pytest.approx(d["diff"], abs=1e-15)
    d = _est(mutual_information_difference(base, cols, ["g1", "g2"]))
    assert abs(d["unit_marginal"]) == d[["group_marginal", "unit_marginal", "structural"]].abs().max()


def test_mutual_difference_additions_and_removals():
    """R package test 'difference same as mutual_total (zero weights)': unit c leaves, d arrives,
    and group 1 is absent from unit a in year 1."""
    d1 = pd.DataFrame({"1": [0, 5, 4], "2": [30, 10, 3], "3": [20, 15, 2], "4": [10, 20, 1]}, index=list("abc"))
    d2 = pd.DataFrame({"1": [40, 5, 1], "2": [20, 10, 2], "3": [20, 10, 3], "4": [15, 0, 4]}, index=list("abd"))
    d = _est(mutual_information_difference(d1, d2, G))
    assert d["M1"] == pytest.approx(mutual_information(d1, G))
    assert d["M2"] == pytest.approx(mutual_information(d2, G))
    assert d["removals"] == pytest.approx(mutual_information(d1.loc[["a", "b"]], G) - d["M1"])
    assert d["additions"] == pytest.approx(d["M2"] - mutual_information(d2.loc[["a", "b"]], G))
    assert d[PARTS].sum() == pytest.approx(d["diff"], abs=1e-15)


@pytest.fixture(scope="module")
def schools():
    s00 = pd.read_csv(shared_data("us", "schools00.csv"))
    s05 = pd.read_csv(shared_data("us", "schools05.csv"))
    w00 = to_wide(s00, unit="school", group="race", count="n")
    w05 = to_wide(s05, unit="school", group="race", count="n")
    return w00, w05, ["asian", "black", "hisp", "native", "white"]


def test_mutual_difference_schools_reproduces_r_package(schools):
    """mutual_difference(schools00, schools05, group = "race", unit = "school", weight = "n",
    method = "shapley") in the README of the R package segregation (Elbers) prints
    M1 0.42554, M2 0.41339, diff -0.01215, additions -0.00341, removals -0.01141 (the same in
    every README version), and, in a README version whose IPF converged further,
    group_marginal 0.01623, unit_marginal -0.01674, structural 0.00318."""
    w00, w05, g = schools
    d, units = mutual_information_difference(w00, w05, g, detail=True)
    d = _est(d)
    published = {"M1": 0.42554, "M2": 0.41339, "diff": -0.01215, "additions": -0.00341, "removals": -0.01141}
    for stat, value in published.items():
        assert round(d[stat], 5) == value
    # the marginal/structural split depends on how far IPF converged; ours is fully converged
    assert d["group_marginal"] == pytest.approx(0.01623, abs=5e-5)
    assert d["unit_marginal"] == pytest.approx(-0.01674, abs=5e-5)
    assert d["structural"] == pytest.approx(0.00318, abs=5e-5)
    assert d[PARTS].sum() == pytest.approx(d["diff"], abs=1e-14)
    # shapley_detailed: the unit contributions add up to the structural part (needs convergence)
    assert units["total"].sum() == pytest.approx(d["structural"], abs=1e-9)
    assert np.allclose(units["ls_diff_mean"], 0.5 * (units["ls_diff1"] + units["ls_diff2"]))
    assert len(units) == len(set(w00.index) & set(w05.index))


def _loose_absolute_ipf(seed, rows, cols, tol, max_iter):
    """IPF as in the R package's default: one margin at a time, stopping when every margin
    proportion is within an ABSOLUTE tol of its target (a unit margin of a school is ~0.0005,
    so tol = 0.001 stops after the first two half-steps)."""
    p = seed.copy()
    for it in range(2 * max_iter):
        if it % 2 == 0:
            p = p * (cols / p.sum(axis=0))[None, :]
        else:
            p = p * (rows / p.sum(axis=1))[:, None]
        if np.all(np.abs(p.sum(axis=0) - cols) <= tol) and np.all(np.abs(p.sum(axis=1) - rows) <= tol):
            return p, it, 0.0
    return p, 2 * max_iter, 1.0


def test_loose_absolute_tolerance_flips_structural_sign(schools, monkeypatch):
    """With R's default absolute precision the structural part comes out NEGATIVE (-0.00349, the value
    printed in the current README of the R package); with a tight relative tolerance it is positive."""
    w00, w05, g = schools
    tight = _est(mutual_information_difference(w00, w05, g))
    monkeypatch.setattr(kc, "ipf", _loose_absolute_ipf)
    loose = _est(mutual_information_difference(w00, w05, g, tol=1e-3))
    assert round(loose["structural"], 5) == -0.00349
    assert tight["structural"] > 0 > loose["structural"]
    assert loose[PARTS].sum() == pytest.approx(loose["diff"], abs=1e-14)  # still adds up: that hides it


def test_ipf_tolerance_is_respected():
    rng = np.random.default_rng(0)
    seed = rng.random((30, 4)) + 1e-10
    seed /= seed.sum()
    rows = rng.random(30)
    rows /= rows.sum()
    cols = rng.random(4)
    cols /= cols.sum()
    for tol in (1e-4, 1e-8, 1e-12):
        fit, sweeps, gap = kc.ipf(seed, rows, cols, tol, 10_000)
        assert gap <= tol
        assert np.max(np.abs(fit.sum(axis=1) / rows - 1)) <= tol
        assert np.max(np.abs(fit.sum(axis=0) / cols - 1)) <= tol
    _, s_loose, _ = kc.ipf(seed, rows, cols, 1e-4, 10_000)
    _, s_tight, _ = kc.ipf(seed, rows, cols, 1e-12, 10_000)
    assert s_tight > s_loose
    # odds ratios of the seed are kept
    fit, _, _ = kc.ipf(seed, rows, cols, 1e-12, 10_000)
    assert fit[0, 0] * fit[1, 1] / (fit[0, 1] * fit[1, 0]) == pytest.approx(
        seed[0, 0] * seed[1, 1] / (seed[0, 1] * seed[1, 0]), rel=1e-10
    )


def test_mutual_difference_errors():
    with pytest.raises(SegindexValueError, match="did not converge: after 1 sweeps.*Raise max_iter"):
        mutual_information_difference(R1, R2, G, max_iter=1, tol=1e-12)
    with pytest.raises(SegindexValueError, match="'tol' must be a number in \\(0, 1\\)"):
        mutual_information_difference(R1, R2, G, tol=0)
    with pytest.raises(SegindexValueError, match="'max_iter' must be a positive integer"):
        mutual_information_difference(R1, R2, G, max_iter=0)
    with pytest.raises(SegindexValueError, match="no unit in common"):
        mutual_information_difference(R1, R2.set_axis(["c", "d"]), G)
    with pytest.raises(SegindexValueError, match="no group in common"):
        mutual_information_difference(R1.assign(**{"1": 0, "2": 0}), R2.assign(**{"3": 0, "4": 0}), G)
    with pytest.raises(SegindexValueError, match="the 'data_to' table has no column for the groups '4'"):
        mutual_information_difference(R1, R2.drop(columns="4"), G)
    with pytest.raises(SegindexValueError, match="a table has no population"):
        mutual_information_difference(R1 * 0, R2, G)
    with pytest.raises(SegindexValueError, match="appears more than once"):
        mutual_information_difference(pd.concat([R1, R1]), R2, G)


# ----------------------------------------------------------------------------
# trend charts

from segindex.plot.trends import plot_threshold_trend, plot_trend, plot_trend_panels  # noqa: E402


def _data_lines(ax):
    """The drawn series (error-bar caps are Line2D objects too, with private labels)."""
    return [line for line in ax.get_lines() if not line.get_label().startswith("_")]


@pytest.fixture
def trend_table():
    rows = []
    for area, base in (("A", 0.5), ("B", 0.3)):
        for group, shift in (("g1", 0.0), ("g2", 0.1)):
            for index, k in (("dissimilarity", 1.0), ("isolation", 0.8), ("correlation_ratio", 0.5)):
                for year, step in ((2011, 0.0), (2021, -0.05)):
                    v = k * (base + shift) + step
                    rows.append(
                        {
                            "area": area,
                            "group": group,
                            "comparison": "rest",
                            "index": index,
                            "year": year,
                            "value": v,
                            "ci_low": v - 0.02,
                            "ci_high": v + 0.02,
                        }
                    )
    return pd.DataFrame(rows)


def test_plot_trend_lines_and_intervals(trend_table):
    ax = plot_trend(trend_table, index="isolation", source="Synthetic data.")
    assert len(_data_lines(ax)) == 4  # 2 areas x 2 groups
    line = _data_lines(ax)[0]
    assert list(line.get_xdata()) == [2011, 2021]
    assert line.get_ydata()[0] == pytest.approx(0.8 * 0.5)
    assert len(ax.containers) == 4  # one error bar set per line
    assert ax.get_ylabel() == "Isolation xP*x"
    assert [t.get_text() for t in ax.get_legend().get_texts()][0] == "A — G1"  # group names written for readers
    ax2 = plot_trend(trend_table.drop(columns=["ci_low", "ci_high"]), index="isolation")
    assert len(ax2.containers) == 0


def test_plot_trend_panels(trend_table):
    axes = plot_trend_panels(trend_table, source="Synthetic data.", suptitle="t")
    assert len(axes) == 3
    assert [a.get_title() for a in axes] == ["Dissimilarity D", "Isolation xP*x", "Correlation ratio η²"]
    assert all(len(_data_lines(a)) == 4 for a in axes)
    assert len(axes[0].figure.legends) == 1
    import matplotlib.pyplot as plt

    fig, own = plt.subplots(1, 2)
    got = plot_trend_panels(trend_table, indices=["dissimilarity", "isolation"], axes=own)
    assert got[0] is own[0]
    with pytest.raises(SegindexValueError, match="got 2 axes for 3 indices"):
        plot_trend_panels(trend_table, axes=own)


def test_plot_trend_errors(trend_table):
    with pytest.raises(SegindexValueError, match="several indices"):
        plot_trend(trend_table)
    with pytest.raises(SegindexValueError, match="no rows for index 'gini'"):
        plot_trend(trend_table, index="gini")
    mixed = pd.concat([trend_table, trend_table.assign(comparison="g2")])
    with pytest.raises(SegindexValueError, match="mix comparisons"):
        plot_trend(mixed, index="isolation")
    assert len(_data_lines(plot_trend(mixed, index="isolation", comparison="g2"))) == 4
    with pytest.raises(SegindexValueError, match="no rows for comparison 'zz'"):
        plot_trend(mixed, index="isolation", comparison="zz")
    with pytest.raises(SegindexValueError, match="x column 'when' is not in the table"):
        plot_trend(trend_table, x="when")
    with pytest.raises(SegindexValueError, match="the table is empty"):
        plot_trend(trend_table.iloc[:0])
    with pytest.raises(SegindexTypeError, match="tidy pandas DataFrame"):
        plot_trend([1, 2])


def test_plot_threshold_trend():
    # the chart draws the table of threshold_exposure (more tests in test_plot.py)
    from segindex.typology import threshold_exposure

    p = pd.DataFrame(
        {"year": [2011] * 3 + [2021] * 3, "x": [60, 30, 10, 80, 15, 5], "all": [100, 100, 100, 100, 100, 100]}
    )
    table = threshold_exposure(p, "x", [0.25, 0.5], total="all", by="year")
    t = table.set_index(["year", "threshold"])
    assert t.loc[(2011, 0.25), "group_share"] == pytest.approx(90 / 100)
    assert t.loc[(2021, 0.5), "group_share"] == pytest.approx(80 / 100)
    assert t.loc[(2011, 0.5), "units"] == 1
    ax = plot_threshold_trend(table, source="Synthetic data.")
    assert len(ax.get_lines()) == 2
    assert list(ax.get_lines()[0].get_ydata()) == pytest.approx([90.0, 80.0])
    with pytest.raises(SegindexTypeError, match="'total' was removed"):
        plot_threshold_trend(p, "x", total="all", thresholds=[0.5])
    with pytest.raises(SegindexValueError, match="year column 'yr' is not in the table"):
        plot_threshold_trend(table, x="yr")
    with pytest.raises(SegindexTypeError, match="'table' must be the DataFrame of threshold_exposure"):
        plot_threshold_trend([1])


def test_decompose_matches_units_by_label_not_row_order(grow):
    a, b = grow
    shuffled = b.sample(frac=1.0, random_state=1)
    expected = decompose_change(a, b, "x", total="all", by="area")
    got = decompose_change(a, shuffled, "x", total="all", by="area")
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12)


@pytest.mark.realdata
def test_areal_interpolate_tower_hamlets_2011_to_2021_lsoas():
    """2011 Tower Hamlets LSOAs (20 m generalised) onto 2021 LSOAs (super-generalised, reprojected):
    every person is either in a target or reported outside, and unchanged LSOAs get about their own count."""
    src = gpd.read_file(shared_data("uk", "boundaries", "tower_hamlets_lsoa2011_gen20.gpkg"))
    tgt = gpd.read_file(shared_data("uk", "boundaries", "lsoa21_bsc_london.geojson"))
    counts = pd.read_csv(shared_data("uk", "census2011", "lsoa2011_ethnicity_tower_hamlets.csv"))
    lookup = pd.read_csv(shared_data("uk", "lookups", "lsoa11_lsoa21_lad22_exactfit.csv"))
    src = src.merge(counts, left_on="LSOA11CD", right_on="LSOA")
    with pytest.raises(SegindexValueError, match="geographic CRS"):
        areal_interpolate(src.to_crs(4326), tgt, ["Persons"])
    tgt = tgt.to_crs(27700)
    tgt = tgt[tgt.intersects(src.union_all().buffer(500))]
    with pytest.warns(DataQualityWarning, match="fell outside"):
        out = areal_interpolate(src, tgt, ["Persons", "Bangladeshi"])
    for col in ("Persons", "Bangladeshi"):
        assert out[col].sum() + out.attrs["outside"][col] == pytest.approx(src[col].sum(), rel=1e-12)
    assert out.attrs["share_outside"]["Persons"] < 0.02  # boundary generalisations differ a little
    same = lookup[(lookup["CHGIND"] == "U") & lookup["LSOA11CD"].isin(src["LSOA11CD"])]
    est = out.set_index("LSOA21CD")["Persons"].reindex(same["LSOA21CD"]).to_numpy()
    own = src.set_index("LSOA11CD")["Persons"].reindex(same["LSOA11CD"]).to_numpy()
    assert np.median(est / own) == pytest.approx(1.0, abs=0.1)


def test_decompose_change_takes_any_registered_two_group_index():
    # the decomposition reads the registry: Gini and exposure decompose like D (parts add up to the change)
    y1 = pd.DataFrame({"x": [10, 10, 5], "all": [50, 50, 40]}, index=["u1", "u2", "u3"])
    y2 = pd.DataFrame({"x": [30, 10, 2], "all": [70, 50, 40]}, index=["u1", "u2", "u3"])
    d = decompose_change(y1, y2, "x", total="all", indices=["gini", "exposure", "dissimilarity"]).set_index("index")
    assert list(d.index) == ["gini", "exposure", "dissimilarity"]
    np.testing.assert_allclose(d["composition"] + d["distribution"], d["change"], atol=1e-15)
    assert d.loc["gini", "value_to"] == pytest.approx(gini(y2.assign(r=y2["all"] - y2.x), "x", "r"), rel=1e-13)
    assert d.loc["dissimilarity", "composition"] == pytest.approx(0.0, abs=1e-15)
    with pytest.raises(SegindexValueError, match=r"'indices' must name some of the two-group indices"):
        decompose_change(y1, y2, "x", total="all", indices=["entropy_index"])
