"""Tests of segindex.geography: hand-made geometries with known answers, then the real Bradford files."""

from __future__ import annotations

import geopandas
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from segindex.errors import DataQualityWarning, SegindexTypeError, SegindexValueError
from segindex.geography import (
    aggregate_counts,
    areal_split,
    best_fit,
    chain_units,
    compare_lookups,
    compare_with_areal_split,
    compose_lookups,
    lookup_coverage,
)
from tests.conftest import shared_data

# ---------------------------------------------------------------------------
# hand-made geometries: three wards side by side, W3 receives no unit


def _wards(crs=27700):
    return geopandas.GeoDataFrame(
        {"ward": ["W1", "W2", "W3"]},
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000), box(2000, 0, 3000, 1000)],
        crs=crs,
    ).set_index("ward")


def _units(crs=27700):
    # a: deep inside W1; b: straddles W1/W2, its representative point 20 m inside W2;
    # c: a point-like unit exactly on the W1/W2 boundary; d: outside every ward
    return geopandas.GeoDataFrame(
        {"code": ["a", "b", "c", "d"]},
        geometry=[box(100, 100, 400, 400), box(940, 400, 1100, 600), box(990, 900, 1010, 920), box(5000, 0, 5100, 100)],
        crs=crs,
    ).set_index("code")


def _counts():
    return pd.DataFrame({"x": [10, 7, 3, 5], "y": [1, 2, 3, 4]}, index=pd.Index(["a", "b", "c", "d"], name="code"))


def test_best_fit_known_answer():
    fit = best_fit(_units(), _wards(), tolerance=50)
    # b's representative point: the middle of its box (1020, 500), 20 m inside W2
    assert fit.report.loc["b", "x"] == pytest.approx(1020.0)
    assert fit.lookup.loc["a"] == "W1"
    assert fit.lookup.loc["b"] == "W2"
    assert fit.report.loc["b", "distance"] == pytest.approx(20.0)
    assert fit.report.loc["b", "status"] == "near boundary"
    assert fit.report.loc["a", "status"] == "assigned"
    assert fit.report.loc["a", "distance"] == pytest.approx(250.0)  # (250, 250): 250 m from the edges x=0, y=0
    assert pd.isna(fit.lookup.loc["d"])
    assert fit.unassigned == ["d"]
    assert fit.report.loc["d", "nearest"] == "W3"
    assert fit.report.loc["d", "distance"] == pytest.approx(2050.0)  # its point (5050, 50) to x=3000
    assert fit.empty == ["W3"]
    assert fit.summary().to_dict() == {"assigned": 1, "near boundary": 2, "unassigned": 1, "large units with none": 1}


def test_point_on_a_shared_boundary_goes_to_the_first_ward_and_is_flagged():
    pts = pd.DataFrame({"e": [1000.0], "n": [500.0]}, index=["p"])
    fit = best_fit(pts, _wards(), points=("e", "n"))
    assert fit.lookup.loc["p"] == "W1"
    assert bool(fit.report.loc["p", "on_boundary"])
    assert fit.report.loc["p", "distance"] == 0.0
    assert fit.near_boundary == ["p"]


def test_population_weighted_points_override_the_polygon():
    units = _units()
    pwc = np.array([[1500.0, 500.0], [1500.0, 500.0], [2500.0, 500.0], [2600.0, 500.0]])
    fit = best_fit(units, _wards(), points=pwc)
    assert fit.lookup.tolist() == ["W2", "W2", "W3", "W3"]
    assert fit.empty == ["W1"]


def test_best_fit_refuses_geographic_and_missing_crs():
    with pytest.raises(SegindexValueError, match="geographic CRS"):
        best_fit(_units(crs=4326), _wards(crs=4326))
    wards = _wards().set_crs(None, allow_override=True)
    with pytest.raises(SegindexValueError, match="no coordinate reference system"):
        best_fit(_units(), wards)
    with pytest.raises(SegindexValueError, match="different CRSs"):
        best_fit(_units(crs=3857), _wards())


def test_best_fit_bad_inputs():
    with pytest.raises(SegindexValueError, match="'tolerance' must be"):
        best_fit(_units(), _wards(), tolerance=-1)
    with pytest.raises(SegindexTypeError, match="'tolerance' must be a number"):
        best_fit(_units(), _wards(), tolerance="far")
    with pytest.raises(SegindexValueError, match="points must have shape"):
        best_fit(_units(), _wards(), points=np.zeros((2, 2)))
    with pytest.raises(SegindexValueError, match="not in the small units"):
        best_fit(pd.DataFrame({"e": [1.0]}), _wards(), points=("e", "n"))
    with pytest.raises(SegindexValueError, match="missing or not finite"):
        best_fit(pd.DataFrame({"e": [np.nan], "n": [1.0]}), _wards(), points=("e", "n"))
    with pytest.raises(SegindexTypeError, match="no geometry"):
        best_fit(pd.DataFrame({"e": [1.0]}), _wards())
    with pytest.raises(SegindexTypeError, match="must be a GeoDataFrame with polygons"):
        best_fit(_units(), pd.DataFrame({"a": [1]}))
    dup = _wards().reset_index()
    dup.loc[1, "ward"] = "W1"
    with pytest.raises(SegindexValueError, match="not unique"):
        best_fit(_units(), dup, area_column="ward")
    with pytest.raises(SegindexValueError, match="column 'nope' is not in the table"):
        best_fit(_units(), _wards(), area_column="nope")


def test_aggregate_conserves_every_person():
    fit = best_fit(_units(), _wards())
    with pytest.raises(SegindexValueError, match=r"1 small unit\(s\) of the data are not placed.*'d'"):
        aggregate_counts(_counts(), fit)
    with pytest.warns(DataQualityWarning, match="left out"):
        out = aggregate_counts(_counts(), fit, unassigned="drop")
    assert out.loc["W1", "x"] == 13 and out.loc["W2", "x"] == 7  # c, on the boundary, goes to W1
    assert out["x"].sum() == _counts()["x"].iloc[:3].sum()
    inside = _counts().iloc[:3]
    out = aggregate_counts(inside, fit)
    assert (out[["x", "y"]].sum() == inside.sum()).all()  # exactly
    assert out["n_units"].tolist() == [2, 1]


def test_aggregate_lookup_table_and_errors():
    table = pd.DataFrame({"small": ["a", "b", "c"], "big": ["W1", "W1", "W2"]})
    out = aggregate_counts(_counts().iloc[:3], table, from_code="small", to_code="big")
    assert out["x"].tolist() == [17, 3]
    bad = pd.DataFrame({"small": ["a", "a"], "big": ["W1", "W2"]})
    with pytest.raises(SegindexValueError, match="more than one large unit"):
        aggregate_counts(_counts(), bad, from_code="small", to_code="big")
    with pytest.raises(SegindexValueError, match="needs from_code= and to_code="):
        aggregate_counts(_counts(), table)
    with pytest.raises(SegindexTypeError, match="'lookup' parameter must be"):
        aggregate_counts(_counts(), [1, 2])
    with pytest.raises(SegindexValueError, match="'unassigned' must be"):
        aggregate_counts(_counts(), {"a": "W1"}, unassigned="keep")
    with pytest.raises(SegindexValueError, match=r"column\(s\) \['z'\] are not in the data"):
        aggregate_counts(_counts(), {"a": "W1"}, columns=["z"])
    with pytest.raises(SegindexValueError, match="lookup has no column"):
        aggregate_counts(_counts(), table, from_code="small", to_code="ward")


def test_compose_chains_lookups():
    chain = compose_lookups({"a": "w1", "b": "w2", "c": "w9"}, {"w1": "M1", "w2": "M1"})
    assert chain.loc["a"] == "M1" and chain.loc["b"] == "M1" and pd.isna(chain.loc["c"])
    with pytest.raises(SegindexValueError, match="at least two lookups"):
        compose_lookups({"a": "b"})


def test_areal_split_and_people_moved():
    units = _units().iloc[:2]  # a (all in W1), b (60 of 160 m wide in W1, 100 in W2)
    counts = _counts().iloc[:2]
    split = areal_split(counts, units, _wards())
    assert split.loc["W1", "x"] == pytest.approx(10 + 7 * 60 / 160)
    assert split.loc["W2", "x"] == pytest.approx(7 * 100 / 160)
    assert split["x"].sum() == pytest.approx(17)
    cmp = compare_with_areal_split(counts, units, _wards(), best_fit(units, _wards()))
    # the best fit puts all 7 of b in W2; the areal split puts 7 * 60/160 of them in W1
    assert cmp.moved["x"] == pytest.approx(7 * 60 / 160)
    assert cmp.share_moved["x"] == pytest.approx(7 * 60 / 160 / 17)
    with pytest.raises(SegindexValueError, match="meet no large unit"):
        areal_split(_counts(), _units(), _wards())
    with pytest.raises(SegindexValueError, match="no polygon among the small units"):
        areal_split(pd.DataFrame({"x": [1]}, index=["zz"]), _units(), _wards())


def test_chain_units_three_levels_with_partial_coverage():
    l1 = pd.DataFrame({"c01": ["p", "q", "r", "s", "t"], "c11": ["P", "Q", "Q", "S", "T1"]})
    l1 = pd.concat([l1, pd.DataFrame({"c01": ["t"], "c11": ["T2"]})])
    l2 = pd.DataFrame({"c11": ["P", "Q", "S", "T1", "T2"], "c21": ["P", "Q", "S1", "T", "T"]})
    l2 = pd.concat([l2, pd.DataFrame({"c11": ["S"], "c21": ["S2"]})])
    units = chain_units([l1, l2], ["c01", "c11", "c21"], coverage={"c01": ["p", "q", "s_t", "zz"]})
    # p unchanged; q+r merged but r missing -> partly covered; s and t tied by the joined code
    assert units.codes["c01"].to_dict() == {"p": "P", "s": "S1", "t": "S1"}
    assert units.codes["c21"].to_dict() == {"P": "P", "S1": "S1", "S2": "S1", "T": "S1"}
    assert units.attributes.loc["S1", ["n_c01", "n_c11", "n_c21"]].tolist() == [2, 3, 3]
    assert units.attributes["type"].to_dict() == {"P": "unchanged", "S1": "changed"}
    dropped = units.dropped.set_index("reason")
    assert dropped.loc["partly covered", "c01"] == "q r"
    assert dropped.loc["partly covered", "detail"] == "1 of 2 c01 codes missing from the table"
    assert dropped.loc["not in the lookups", "c01"] == "zz"
    assert units.lookup("c01", joined=["s_t"]).loc["s_t"] == "S1"
    assert units.report.loc["kept", "units"] == 2


def test_chain_units_errors():
    l1 = pd.DataFrame({"a": ["x"], "b": ["y"]})
    with pytest.raises(SegindexValueError, match="3 levels need 2 lookups"):
        chain_units([l1], ["a", "b", "c"])
    with pytest.raises(SegindexTypeError, match="must be a list of DataFrames"):
        chain_units(l1, ["a", "b"])
    with pytest.raises(SegindexValueError, match="coverage names the level 'z'"):
        chain_units([l1], ["a", "b"], coverage={"z": ["x"]})
    with pytest.raises(SegindexValueError, match="no comparable unit is covered"):
        chain_units([l1], ["a", "b"], coverage={"a": ["q"]})
    with pytest.raises(SegindexValueError, match="has no column 'c'"):
        chain_units([l1], ["a", "c"])


def test_coverage_and_compare_lookups():
    cov = lookup_coverage({"a": "W1", "b": "W1", "c": "W2", "d": "W3"}, ["a", "c_d"])
    assert cov["status"].to_dict() == {"W1": "partial", "W2": "complete", "W3": "complete"}
    assert cov.loc["W1", "missing"] == "b"
    diff = compare_lookups({"a": "W1", "b": "W2", "c": "W3"}, {"a": "W1", "b": "W1"}, names=("x", "y"))
    assert diff.index.tolist() == ["b", "c"]
    assert pd.isna(diff.loc["c", "y"])


# ---------------------------------------------------------------------------
# the real files

UK = ("uk",)


@pytest.fixture(scope="module")
def bradford():
    wards = geopandas.read_file(shared_data(*UK, "boundaries", "cmwd2011_five_towns.gpkg"), layer="cmwd2011")
    wards = wards[wards["LAD11NM"] == "Bradford"].set_index("CMWD11CD")
    lsoa = geopandas.read_file(shared_data(*UK, "boundaries", "bradford_lsoa2011.gpkg")).set_index("LSOA11CD")
    counts = pd.read_csv(shared_data(*UK, "census2011", "lsoa2011_ethnicity_bradford.csv")).set_index("LSOA")
    return wards, lsoa, counts


@pytest.mark.realdata
def test_every_bradford_lsoa_goes_to_one_of_its_30_wards_people_conserved(bradford):
    wards, lsoa, counts = bradford
    assert len(wards) == 30 and len(lsoa) == 310
    fit = best_fit(lsoa, wards)
    assert fit.lookup.notna().all() and fit.lookup.isin(wards.index).all()
    assert fit.empty == [] and fit.unassigned == []
    assert fit.lookup.nunique() == 30
    # 15 LSOAs have their representative point within 50 m of a ward boundary
    assert len(fit.near_boundary) == 15
    groups = [c for c in counts.columns if c not in ("LSOA", "MSOA", "LAD", "RGN")]
    ward_counts = aggregate_counts(counts[groups], fit)
    assert (ward_counts[groups].sum() == counts[groups].sum()).all()  # every person, exactly
    assert int(ward_counts["Persons"].sum()) == 522452
    cmp = compare_with_areal_split(counts[["Persons"]], lsoa, wards, fit)
    assert 0 < cmp.share_moved["Persons"] < 0.05


@pytest.mark.realdata
def test_point_in_polygon_against_the_ons_best_fit_chain(bradford):
    wards, lsoa, _ = bradford
    fit = best_fit(lsoa, wards)
    l0111 = pd.read_csv(shared_data(*UK, "lookups", "lsoa01_lsoa11_lad11_lookup.csv"))
    l0111 = l0111[l0111["LAD11NM"] == "Bradford"]
    bf = pd.read_csv(shared_data(*UK, "lookups", "lsoa01_ward2011_bestfit.csv")).set_index("LSOA01CD")
    wc = pd.read_csv(shared_data(*UK, "lookups", "ward2011_cmwd2011_lad11.csv")).set_index("WD11CD")
    ons01 = compose_lookups(bf["WD11CD"], wc["CMWD11CD"])  # LSOA 2001 -> ward 2011 -> census merged ward
    per11 = l0111.assign(cmwd=l0111["LSOA01CD"].map(ons01)).groupby("LSOA11CD")["cmwd"].agg(lambda s: sorted(set(s)))
    assert (per11.str.len() == 1).all()  # no 2011 LSOA has 2001 parents in two wards
    ons11 = per11.str[0]
    diff = compare_lookups(fit, ons11, names=("point_in_polygon", "ons_chain"))
    # every disagreement, listed (representative points; ONS used population-weighted centroids of 2001 LSOAs)
    assert diff.to_dict("index") == {
        "E01010578": {"point_in_polygon": "E36006929", "ons_chain": "E36006928"},
        "E01010608": {"point_in_polygon": "E36006932", "ons_chain": "E36006931"},
        "E01010730": {"point_in_polygon": "E36006931", "ons_chain": "E36006944"},
        "E01010824": {"point_in_polygon": "E36006930", "ons_chain": "E36006945"},
        "E01010868": {"point_in_polygon": "E36006947", "ons_chain": "E36006956"},
        "E01033692": {"point_in_polygon": "E36006933", "ons_chain": "E36006930"},
        "E01033693": {"point_in_polygon": "E36006933", "ons_chain": "E36006930"},
    }
    # two of the seven are 2011 LSOAs split from one 2001 LSOA (the chain gives both the parent's ward)
    changed = l0111.drop_duplicates("LSOA11CD").set_index("LSOA11CD").loc[diff.index, "CHGIND"]
    assert changed.value_counts().to_dict() == {"U": 5, "S": 2}
    # three of the seven are within 50 m of a boundary
    assert (fit.report.loc[diff.index, "status"] == "near boundary").sum() == 3


@pytest.mark.realdata
def test_three_censuses_on_comparable_units_of_the_major_town():
    from segindex.io.ks006 import read_ks006

    c01 = read_ks006(shared_data(*UK, "census2001", "lsoa2001_ethnicity_bradford_town.csv"))
    codes = {p for c in c01.index for p in c.split("_")}
    l1 = pd.read_csv(shared_data(*UK, "lookups", "lsoa01_lsoa11_lad11_lookup.csv"))
    l1 = l1[l1["LSOA01CD"].isin(codes) | (l1["LAD11NM"] == "Bradford")]
    l2 = pd.read_csv(shared_data(*UK, "lookups", "lsoa11_lsoa21_lad22_exactfit.csv"))
    l2 = l2[l2["LSOA11CD"].isin(l1["LSOA11CD"])]
    units = chain_units([l1, l2], ["LSOA01CD", "LSOA11CD", "LSOA21CD"], coverage={"LSOA01CD": c01.index})
    assert units.n_units == 196
    assert units.report.loc["kept"].tolist() == [196, 197, 199, 201]
    # the rest of Bradford district (2001 LSOAs outside the major town)
    assert units.report.loc["outside the table"].tolist() == [122, 122, 123, 123]
    assert set(units.dropped["reason"]) == {"outside the table"}
    lk = units.lookup("LSOA01CD", joined=c01.index)
    agg = aggregate_counts(c01[["total"]], lk)
    assert agg["total"].sum() == c01["total"].sum() == 301416


def test_more_error_paths():
    from shapely.geometry import Polygon

    empty = _wards()
    empty.loc["W2", "geometry"] = Polygon()
    with pytest.raises(SegindexValueError, match="missing or empty geometry at row 1"):
        best_fit(_units(), empty)
    nocode = _units().reset_index()
    nocode.loc[0, "code"] = None
    with pytest.raises(SegindexValueError, match="codes include a missing value"):
        best_fit(nocode, _wards(), unit_column="code")
    with pytest.raises(SegindexValueError, match="different CRSs"):
        areal_split(_counts(), _units(crs=3857), _wards())
    with pytest.raises(SegindexValueError, match="lists the small unit"):
        aggregate_counts(_counts(), pd.Series(["W1", "W2"], index=["a", "a"]))
    with pytest.raises(SegindexValueError, match="no numeric count columns"):
        aggregate_counts(pd.DataFrame({"x": ["t"]}, index=["a"]), {"a": "W1"})
    l1 = pd.DataFrame({"a": ["x"], "b": ["y"]})
    units = chain_units([l1], ["a", "b"])
    with pytest.raises(SegindexTypeError, match="pass one level of the chained units"):
        aggregate_counts(_counts(), units)
    with pytest.raises(SegindexValueError, match="no level 'c'"):
        units.lookup("c")
    with pytest.raises(SegindexValueError, match="missing 'b' code at row 0"):
        chain_units([pd.DataFrame({"a": ["x"], "b": [None]})], ["a", "b"])
