"""No number from degrees, doubled units, inexact keys or rounding outside an index's range.

Each test drives one failure a user met (the reliability issue's "Why" list) through the public API
and checks that it now stops with a message naming the cause and the fix, or comes out right.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import box

import segindex as si
from segindex.change import areal_interpolate
from segindex.errors import DataQualityWarning, SegindexTypeError, SegindexValueError
from segindex.indices.spatial import (
    boundary_dissimilarity,
    distance_decay_isolation,
    local_environment,
    morrill_dissimilarity,
    multiscale_profile,
    perimeter_area_dissimilarity,
    spatial_information,
    spatial_isolation,
)
from segindex.schools import nearest_school_allocation, school_contrast
from segindex.weights import contiguity_weights, distance_band_weights, knn_weights, unit_points
from tests.conftest import shared_data


def _squares(n=4, crs=27700):
    """A row of n unit squares 100 m wide, a in the west half, b in the east half."""
    half = n // 2
    return gpd.GeoDataFrame(
        {"a": [10.0] * half + [0.0] * (n - half), "b": [0.0] * half + [10.0] * (n - half), "t": [12.0] * n},
        geometry=[box(100 * i, 0, 100 * (i + 1), 100) for i in range(n)],
        crs=crs,
    )


def _points_frame():
    return pd.DataFrame(
        {"x": [0.0, 1000.0, 2000.0], "y": [0.0, 0.0, 0.0], "a": [10, 0, 5], "b": [0, 10, 5], "t": [10, 10, 10]}
    )


# ---------------------------------------------------------------------------- degrees never enter a distance


def test_a_missing_crs_is_refused_by_every_function_that_measures():
    g = _squares().set_crs(None, allow_override=True)
    assert g.crs is None
    calls = {
        "distance_band_weights": lambda: distance_band_weights(g, 1500),
        "knn_weights": lambda: knn_weights(g, 1),
        "unit_points": lambda: unit_points(g),
        "contiguity_weights": lambda: contiguity_weights(g, value="length"),
        "spatial_information": lambda: spatial_information(g, ["a", "b"], bandwidth=100),
        "local_environment": lambda: local_environment(g, ["a", "b"], bandwidth=100),
        "spatial_isolation": lambda: spatial_isolation(g, "a", "b", bandwidth=100),
        "distance_decay_isolation": lambda: distance_decay_isolation(g, "a", "b"),
        "multiscale_profile": lambda: multiscale_profile(g, ["a", "b"], bandwidths=[100]),
        "boundary_dissimilarity": lambda: boundary_dissimilarity(g, "a", "b"),
        "perimeter_area_dissimilarity": lambda: perimeter_area_dissimilarity(g, "a", "b"),
        "bespoke_profile": lambda: si.bespoke_profile(g, "a", "b", ks=[10]),
    }
    for name, call in calls.items():
        with pytest.raises(SegindexValueError, match=rf"{name}\(\): 'data' has no CRS.*set_crs\(27700\)"):
            call()


def test_a_geographic_crs_is_refused_with_the_fix():
    g = _squares().to_crs(4326)
    with pytest.raises(SegindexValueError, match=r"geographic CRS.*to_crs\(27700\)"):
        distance_decay_isolation(g, "a", "b")
    with pytest.raises(SegindexValueError, match=r"geographic CRS.*to_crs\(27700\)"):
        distance_band_weights(g, 1500)


def test_perimeter_area_dissimilarity_measures_the_polygons_even_with_given_weights():
    g = _squares()
    w = contiguity_weights(g, "rook", value="length")
    assert perimeter_area_dissimilarity(g, "a", "b", w=w) == pytest.approx(perimeter_area_dissimilarity(g, "a", "b"))
    with pytest.raises(SegindexValueError, match=r"perimeter_area_dissimilarity\(\).*geographic.*perimeters"):
        perimeter_area_dissimilarity(g.to_crs(4326), "a", "b", w=w)


def test_indices_that_measure_nothing_take_any_crs():
    # Morrill's D(adj) with queen weights and D(w) with given lengths only compare neighbours' shares
    g = _squares()
    w = contiguity_weights(g, "rook", value="length")
    expected = boundary_dissimilarity(g, "a", "b")
    assert boundary_dissimilarity(g.to_crs(4326), "a", "b", w=w) == pytest.approx(expected)
    assert morrill_dissimilarity(g.to_crs(4326), "a", "b") == pytest.approx(morrill_dissimilarity(g, "a", "b"))


def test_points_columns_of_a_plain_frame_need_crs():
    df = _points_frame()
    with pytest.raises(SegindexValueError, match=r"plain DataFrame carry no coordinate reference system.*crs=27700"):
        distance_decay_isolation(df, "a", "b", points=("x", "y"))
    with pytest.raises(SegindexValueError, match=r"crs= is in a geographic CRS"):
        distance_decay_isolation(df, "a", "b", points=("x", "y"), crs=4326)
    # 1 km apart, scale 1 km: a's neighbourhood holds e^-1 of unit 1 and e^-2 of unit 2 (Morgan 1983)
    got = distance_decay_isolation(df, "a", "b", points=("x", "y"), crs=27700)
    e1, e2 = np.exp(-1.0), np.exp(-2.0)
    near0 = (10 + 5 * e2) / (10 + 10 * e1 + 10 * e2)
    near2 = (10 * e2 + 5) / (10 * e2 + 10 * e1 + 10)
    assert got == pytest.approx((10 * near0 + 5 * near2) / 15, rel=1e-9)
    # a points array of a plain frame needs crs= too
    with pytest.raises(SegindexValueError, match=r"'points' array of a plain DataFrame"):
        unit_points(df, points=df[["x", "y"]].to_numpy())


@pytest.mark.parametrize(
    "columns", [("LONG_", "LAT"), ("lon", "lat"), ("x_lon", "y_lat"), ("Longitude", "Latitude"), ("lng", "northing")]
)
def test_points_columns_named_like_longitude_latitude_are_refused(columns):
    # ONS boundary files carry LONG_ and LAT beside projected geometry: the names decide, not the values
    g = _squares()
    g[columns[0]] = [0.0, 100.0, 200.0, 300.0]
    g[columns[1]] = [0.0, 0.0, 0.0, 0.0]
    with pytest.raises(SegindexValueError, match=rf"{columns[0]!r}.*longitude/latitude"):
        distance_decay_isolation(g, "a", "b", points=columns)
    with pytest.raises(SegindexValueError, match="longitude/latitude"):
        distance_band_weights(pd.DataFrame(g.drop(columns="geometry")), 1500, points=columns, crs=27700)


def test_crs_given_with_a_geodataframe_must_agree():
    g = _squares()
    with pytest.raises(SegindexValueError, match=r"crs=3857 differs from the GeoDataFrame's own CRS"):
        unit_points(g, crs=3857)
    assert unit_points(g, crs=27700).shape == (4, 2)
    with pytest.raises(SegindexValueError, match=r"crs='metres' is not a coordinate reference system"):
        unit_points(_points_frame(), points=("x", "y"), crs="metres")


def test_schools_and_areal_interpolation_refuse_a_missing_crs_alike():
    homes = gpd.GeoDataFrame({"a": [1.0, 2.0], "t": [5.0, 5.0]}, geometry=gpd.points_from_xy([0, 100], [0, 0]))
    schools = gpd.GeoDataFrame({"a": [1.0], "n": [3.0]}, geometry=gpd.points_from_xy([50], [0]))
    with pytest.raises(SegindexValueError, match=r"'residents' has no CRS.*set_crs\(27700\)"):
        nearest_school_allocation(homes, schools, ["a"])
    with pytest.raises(SegindexValueError, match=r"'schools' has no CRS.*set_crs\(27700\)"):
        school_contrast(schools, homes, "a", total="t", school_total="n")
    source = _squares().set_crs(None, allow_override=True)
    with pytest.raises(SegindexValueError, match=r"areal_interpolate\(\): 'source' has no CRS.*areas"):
        areal_interpolate(source, source, ["a"])


# ---------------------------------------------------------------------------- no unit counted twice


def _oa_frame(n=60, seed=4):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 50, n)
    b = rng.integers(0, 200, n)
    return pd.DataFrame(
        {"a": a, "b": b, "t": a + b + rng.integers(0, 30, n)},
        index=pd.Index([f"E00{i:06d}" for i in range(n)], name="OA"),
    )


def test_repeated_unit_labels_are_refused_naming_the_first_and_its_rows():
    d = _oa_frame()
    doubled = pd.concat([d, d.iloc[:30]])
    with pytest.raises(
        SegindexValueError,
        match=r"unit 'E00000000' appears 2 times in the data's index "
        r"\(rows 0, 60\).*counted twice.*30 repeated rows",
    ):
        si.dissimilarity(doubled, "a", "b")
    for call in (
        lambda x: si.dissimilarity(x, "a", total="t"),
        lambda x: si.isolation(x, "a", total="t"),
        lambda x: si.gini(x, "a", "b"),
        lambda x: si.entropy_index(x, ["a", "b"]),
        lambda x: si.as_counts(x, ["a", "b"]),
        lambda x: si.location_quotients(x, ["a", "b"]),
        lambda x: si.area_typology(x, "a", ["b"], total="t"),
    ):
        with pytest.raises(SegindexValueError, match="appears 2 times"):
            call(doubled)
    # the same label in two years stacked is two units when by= separates the years
    years = pd.concat([d.assign(year=2011), d.assign(year=2021)])
    by_year = si.dissimilarity(years, "a", "b", by="year")
    assert by_year.tolist() == [si.dissimilarity(d, "a", "b")] * 2
    with pytest.raises(SegindexValueError, match=r"within one 'by' area"):
        si.dissimilarity(pd.concat([years, years.iloc[:1]]), "a", "b", by="year")


def test_concatenated_default_indexes_are_not_unit_labels():
    d = _oa_frame().reset_index(drop=True)
    stacked = pd.concat([d.iloc[:40], d.iloc[:20].reset_index(drop=True)])  # index 0..39, 0..19
    assert not stacked.index.is_unique
    assert si.dissimilarity(stacked, "a", "b") == pytest.approx(
        si.dissimilarity(stacked.reset_index(drop=True), "a", "b")
    )


def test_the_unique_check_leaves_the_published_d_unchanged():
    d = _oa_frame()
    # D by hand: half the sum of |a_i/A - b_i/B| (Duncan & Duncan 1955)
    expected = 0.5 * np.abs(d["a"] / d["a"].sum() - d["b"] / d["b"].sum()).sum()
    assert si.dissimilarity(d, "a", "b") == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------------------- float area keys


def test_fractional_float_by_keys_are_refused_naming_the_column():
    d = _oa_frame(4)
    d["zone"] = [0.1 + 0.2, 0.3, 0.3, 0.1 + 0.2]
    with pytest.raises(SegindexValueError, match=r"the 'by' column 'zone' holds fractional numbers.*0\.1 \+ 0\.2"):
        si.dissimilarity(d, "a", "b", by="zone")
    with pytest.raises(SegindexValueError, match="'zone' holds fractional numbers"):
        si.entropy_index(d, ["a", "b"], by="zone")


def test_whole_number_float_keys_are_converted_exactly():
    d = _oa_frame(8)
    d["lad"] = [1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0]
    got = si.dissimilarity(d, "a", "b", by="lad")
    assert got.index.tolist() == [1, 2] and got.index.dtype == np.int64
    assert got.loc[2] == pytest.approx(si.dissimilarity(d.iloc[4:], "a", "b"))
    # two years stacked (the second read as floats), keyed by year and authority
    years = pd.concat([d.assign(year=2011), d.assign(year=2021.0)])
    both = si.dissimilarity(years, "a", "b", by=["year", "lad"])
    assert both.index.tolist() == [(2011, 1), (2011, 2), (2021, 1), (2021, 2)]
    assert both.loc[(2021, 2)] == pytest.approx(got.loc[2])


# ---------------------------------------------------------------------------- bounded indices stay in range


def test_an_even_distribution_gives_exactly_zero():
    # every unit holds half group a, half group b: each bounded index is 0 by definition; rounding in the
    # sums used to give -1.6e-15 (eta squared, Gini, Atkinson), outside the documented [0, 1]
    t = np.array([10.0, 30.0, 70.0, 110.0, 130.0] * 9)
    even = pd.DataFrame({"a": t / 2, "b": t / 2, "t": t})
    assert si.correlation_ratio(even, "a", total="t") == 0.0
    assert si.gini(even, "a", "b") == 0.0
    assert si.atkinson(even, "a", "b") == 0.0
    assert si.atkinson(even, "a", total="t", b=0.3) == 0.0
    assert si.dissimilarity(even, "a", "b") == 0.0
    assert si.entropy_index(even, ["a", "b"]) == 0.0
    assert si.multigroup_dissimilarity(even, ["a", "b"]) == 0.0


@pytest.mark.parametrize("share", [0.11, 0.25, 0.375, 0.75])
def test_an_even_distribution_never_goes_below_zero(share):
    # shares equal up to rounding: the indices are 0 up to rounding and never negative
    t = np.array([12.0, 36.0, 84.0, 132.0, 156.0, 20.0, 44.0] * 9)
    even = pd.DataFrame({"a": t * share, "t": t})
    even["b"] = even["t"] - even["a"]
    for value in (
        si.correlation_ratio(even, "a", total="t"),
        si.gini(even, "a", "b"),
        si.atkinson(even, "a", "b"),
        si.atkinson(even, "a", "b", b=0.3),
        si.entropy_index(even, ["a", "b"]),
        si.multigroup_dissimilarity(even, ["a", "b"]),
        si.dissimilarity(even, "a", total="t"),
    ):
        assert 0.0 <= value < 1e-12


def test_clamping_only_touches_rounding():
    from segindex.indices._common import clamp_unit

    assert clamp_unit(-1.6e-15) == 0.0 and clamp_unit(1 + 1e-13) == 1.0
    assert clamp_unit(-1e-9) == -1e-9 and clamp_unit(1 + 1e-9) == 1 + 1e-9  # a bug, not rounding: kept
    assert clamp_unit(np.array([-1e-13, 0.5, np.nan])).tolist()[:2] == [0.0, 0.5]
    assert clamp_unit(-1e-13, low=False) == -1e-13


# ---------------------------------------------------------------------------- overlapping polygons


def test_overlapping_polygons_warn_naming_the_pair_and_the_area():
    g = gpd.GeoDataFrame(
        {"a": [1, 2, 3]},
        geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10), box(15, 0, 25, 10)],
        index=["A", "B", "C"],
        crs=27700,
    )
    with pytest.warns(DataQualityWarning, match=r"'B' \(row 1\) and 'C' \(row 2\) share an area of 50 "):
        w = contiguity_weights(g)
    assert w.nnz == 4  # the overlap still links B and C, as the warning says
    inside = gpd.GeoSeries([box(0, 0, 10, 10), box(2, 2, 4, 4), box(10, 0, 20, 10)], crs=27700)
    with pytest.warns(DataQualityWarning, match=r"0 \(row 0\) and 1 \(row 1\) share an area of 4 "):
        contiguity_weights(inside, "rook")


def test_shared_boundaries_are_not_overlaps():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert contiguity_weights(_squares(6)).nnz == 10
        cells = gpd.GeoSeries([box(i, j, i + 1, j + 1) for i in range(5) for j in range(5)], crs=27700)
        assert contiguity_weights(cells, "rook", value="length").nnz == 2 * 2 * 5 * 4


def test_overlaps_in_real_boundaries():
    # Bradford's 310 LSOAs: 1,722 queen links and no overlap; buffered by 200 m they overlap everywhere
    b = gpd.read_file(shared_data("uk", "boundaries", "bradford_lsoa2011.gpkg")).set_index("LSOA11CD")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert contiguity_weights(b).nnz == 1722
    with pytest.warns(DataQualityWarning, match=r"polygons overlap: 'E0101\d+' \(row \d+\) and 'E0101\d+'"):
        contiguity_weights(b.assign(geometry=b.buffer(200)))


# ---------------------------------------------------------------------------- renamed and keyword-only options


def test_renamed_and_keyword_only_options():
    g = _squares()
    with pytest.raises(SegindexTypeError, match=r"'standardize' is now called 'standardise'"):
        boundary_dissimilarity(g, "a", "b", standardize=False)
    with pytest.raises(SegindexTypeError, match=r"'standardize' is now called 'standardise'"):
        perimeter_area_dissimilarity(g, "a", "b", standardize=False)
    with pytest.raises(TypeError, match="positional"):
        spatial_information(g, ["a", "b"], 100)
    with pytest.raises(TypeError, match="caller"):
        si.as_counts(g, ["a"], caller="mine")
    with pytest.raises(TypeError, match="caller"):
        unit_points(g, caller="mine")


# ---------------------------------------------------------------------------- spatial indices per area


def _two_towns():
    """Two towns of four 100 m squares each (keys 'E' and 'W'), 10 km apart; group a is absent from town 'Z'."""
    cells = [box(100 * i, 0, 100 * (i + 1), 100) for i in range(4)]
    far = [box(10_000 + 100 * i, 0, 10_000 + 100 * (i + 1), 100) for i in range(4)]
    g = gpd.GeoDataFrame(
        {
            "a": [10.0, 8.0, 1.0, 0.0, 0.0, 2.0, 9.0, 10.0],
            "b": [0.0, 2.0, 9.0, 10.0] * 2,
            "t": [12.0] * 8,
            "town": ["E"] * 4 + ["W"] * 4,
        },
        geometry=cells + far,
        crs=27700,
    )
    return g


@pytest.mark.parametrize(
    "func, kwargs",
    [
        (morrill_dissimilarity, {}),
        (boundary_dissimilarity, {}),
        (perimeter_area_dissimilarity, {}),
        (spatial_isolation, {"bandwidth": 150.0}),
        (distance_decay_isolation, {"scale": 100.0}),
    ],
)
def test_spatial_indices_by_area_equal_each_area_on_its_own(func, kwargs):
    g = _two_towns()
    got = func(g, "a", "b", by="town", **kwargs)
    assert got.index.tolist() == ["E", "W"] and got.name == func.__name__
    for town in ("E", "W"):
        assert got.loc[town] == pytest.approx(func(g[g["town"] == town], "a", "b", **kwargs), rel=1e-12)


def test_spatial_information_by_area_and_weights_cut_to_each_area():
    g = _two_towns()
    h = spatial_information(g, ["a", "b"], bandwidth=150.0, by="town")
    assert h.loc["W"] == pytest.approx(spatial_information(g.iloc[4:], ["a", "b"], bandwidth=150.0))
    w = contiguity_weights(g)
    assert (
        morrill_dissimilarity(g, "a", "b", w=w, by="town").tolist()
        == morrill_dissimilarity(g, "a", "b", by="town").tolist()
    )
    env = local_environment(g, ["a", "b"], bandwidth=150.0, by="town")
    assert env.index.equals(g.index)
    np.testing.assert_allclose(
        env.iloc[4:].to_numpy(), local_environment(g.iloc[4:], ["a", "b"], bandwidth=150.0).to_numpy()
    )
    prof = multiscale_profile(g, ["a", "b"], bandwidths=[150.0], by="town")
    assert prof["area"].tolist() == ["E", "W"] and prof["value"].iloc[1] == pytest.approx(h.loc["W"])


def test_a_spatial_index_is_nan_with_a_warning_where_the_group_is_absent():
    g = _two_towns()
    g.loc[g["town"] == "W", "a"] = 0.0
    with pytest.warns(si.errors.AbsentGroupWarning, match=r"'W': group 'a' has no members"):
        got = spatial_isolation(g, "a", "b", bandwidth=150.0, by="town")
    assert np.isnan(got.loc["W"]) and got.loc["E"] > 0
    with pytest.raises(SegindexValueError, match="undefined in every area"):
        spatial_isolation(g.assign(a=0.0), "a", "b", bandwidth=150.0, by="town")


def test_nearest_school_allocation_refuses_residents_counted_twice():
    homes = gpd.GeoDataFrame(
        {"a": [5.0, 5.0]}, index=["E01", "E01"], geometry=gpd.points_from_xy([0, 100], [0, 0]), crs=27700
    )
    schools = gpd.GeoDataFrame({"n": [3.0]}, geometry=gpd.points_from_xy([50], [0]), crs=27700)
    with pytest.raises(SegindexValueError, match=r"unit 'E01' appears 2 times in the index of residents"):
        nearest_school_allocation(homes, schools, ["a"])
