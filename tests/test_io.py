"""Tests of the file readers in segindex.io: hand-made files for errors, real files for happy paths."""

from __future__ import annotations

import hashlib
import warnings

import geopandas
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon, box

from segindex.classification import CENSUS2011, CENSUS2021, COMMON_GROUPS, SCHOOL_CENSUS_COLUMNS, to_common
from segindex.errors import DataQualityWarning, SegindexTypeError, SegindexValueError
from segindex.io import (
    ReadReport,
    geocode_postcodes,
    join_to_areas,
    read_boundaries,
    read_census_table,
    read_school_census,
    report_of,
)
from tests.conftest import shared_data

LAS = ["bradford", "oldham", "blackburn_with_darwen", "leicester", "tower_hamlets"]


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------
# hand-made files


def _areas(tmp_path, name="areas.gpkg", crs=27700, codes=("A", "B"), geoms=None):
    geoms = geoms or [box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)]
    gdf = geopandas.GeoDataFrame({"code": list(codes), "name": ["a", "b"][: len(codes)]}, geometry=geoms, crs=crs)
    path = tmp_path / name
    gdf.to_file(path)
    return path


SCHOOL_HEADER = ["urn", "la_name", "new_la_code", "old_la_code", "phase_type_grouping", "school_postcode"] + list(
    SCHOOL_CENSUS_COLUMNS
)


def _school_row(
    urn, la="Bradford", code="E08000032", old="380.0", phase="State-funded primary", pc="BD1 1AA", counts=None
):
    counts = counts if counts is not None else ["10.0"] + ["1"] * 10 + ["0"] * 9
    return [str(urn), la, code, old, phase, pc] + list(counts)


def _school_file(tmp_path, rows, header=SCHOOL_HEADER, name="s.csv"):
    path = tmp_path / name
    path.write_text("\n".join(",".join(r) for r in [header] + rows) + "\n")
    return path


# ---------------------------------------------------------------------------
# read_boundaries


def test_boundaries_roundtrip_and_report(tmp_path):
    path = _areas(tmp_path)
    before = _sha(path)
    gdf = read_boundaries(path, "code")
    assert isinstance(gdf, geopandas.GeoDataFrame)
    assert gdf.index.name == "code" and gdf.index.tolist() == ["A", "B"]
    report = report_of(gdf)
    assert report.crs == "EPSG:27700" and report.repaired_geometries == 0
    assert "CRS EPSG:27700" in report.summary()
    assert _sha(path) == before


def test_boundaries_missing_file(tmp_path):
    with pytest.raises(SegindexValueError, match=r"file '.*nope\.gpkg' does not exist"):
        read_boundaries(tmp_path / "nope.gpkg", "code")


def test_boundaries_garbage_file(tmp_path):
    path = tmp_path / "junk.gpkg"
    path.write_bytes(b"\x00\x01 not a geopackage at all")
    with pytest.raises(SegindexValueError, match=r"cannot read '.*junk\.gpkg' as a vector file"):
        read_boundaries(path, "code")


def test_boundaries_missing_id_column(tmp_path):
    match = r"id column 'LSOA11CD' is not in .*Available columns: 'code', 'name'\."
    with pytest.raises(SegindexValueError, match=match):
        read_boundaries(_areas(tmp_path), "LSOA11CD")


def test_boundaries_duplicate_ids(tmp_path):
    path = _areas(tmp_path, codes=("A", "A"))
    with pytest.raises(SegindexValueError, match=r"not unique: 'A' appears 2 times \(features 1, 2\)"):
        read_boundaries(path, "code")


def test_boundaries_geographic_crs_refused_then_reprojected(tmp_path):
    path = _areas(tmp_path, "areas.geojson", crs=4326, geoms=[box(-1.8, 53.7, -1.7, 53.8), box(-1.7, 53.7, -1.6, 53.8)])
    with pytest.raises(SegindexValueError, match=r"geographic CRS \(EPSG:4326.*Pass to_crs=27700"):
        read_boundaries(path, "code")
    gdf = read_boundaries(path, "code", to_crs=27700)
    assert gdf.crs.to_epsg() == 27700
    assert report_of(gdf).reprojected_from == "EPSG:4326"
    assert read_boundaries(path, "code", require_projected=False).crs.to_epsg() == 4326


def test_boundaries_missing_crs(tmp_path):
    gdf = geopandas.GeoDataFrame({"code": ["A"]}, geometry=[box(0, 0, 1, 1)])
    path = tmp_path / "nocrs.shp"
    with pytest.warns(UserWarning, match="'crs' was not provided"):  # pyogrio, writing the test file
        gdf.to_file(path)
    with pytest.raises(SegindexValueError, match=r"has no coordinate reference system.*set_crs\(27700\)"):
        read_boundaries(path, "code")


def test_boundaries_invalid_geometry(tmp_path):
    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10), (0, 0)])
    path = _areas(tmp_path, geoms=[bowtie, box(20, 0, 30, 10)])
    with pytest.raises(SegindexValueError, match=r"1 invalid geometry .* first code 'A': Self-intersection"):
        read_boundaries(path, "code", repair=False)
    with pytest.warns(DataQualityWarning, match=r"repaired 1 invalid geometry"):
        gdf = read_boundaries(path, "code")
    assert report_of(gdf).repaired_geometries == 1
    assert gdf.is_valid.all()
    assert gdf.geometry.iloc[0].area == pytest.approx(50.0)  # the two triangles of the bow tie


def test_boundaries_empty_geometry(tmp_path):
    gdf = geopandas.GeoDataFrame({"code": ["A", "B"]}, geometry=[box(0, 0, 1, 1), None], crs=27700)
    path = tmp_path / "empty.gpkg"
    gdf.to_file(path)
    with pytest.raises(SegindexValueError, match=r"1 feature\(s\) .* have no geometry .*code 'B'"):
        read_boundaries(path, "code")


def test_boundaries_many_layers(tmp_path):
    path = _areas(tmp_path)
    geopandas.GeoDataFrame({"code": ["C"]}, geometry=[box(0, 0, 1, 1)], crs=27700).to_file(path, layer="other")
    with pytest.raises(SegindexValueError, match="holds 2 layers.*layer="):
        read_boundaries(path, "code")
    assert read_boundaries(path, "code", layer="other").index.tolist() == ["C"]


# ---------------------------------------------------------------------------
# read_census_table


def test_census_sniffs_delimiter_and_reports_mismatch(tmp_path):
    path = tmp_path / "t.csv"  # pipe-delimited despite the name, as ONS publishes it
    path.write_text("code|all|a|b\nE1|10|6|4\nE2|5|2|2\n")
    before = _sha(path)
    with pytest.warns(DataQualityWarning, match=r"do not add up to their total in 1 case"):
        df = read_census_table(path, total="all", groups=["a", "b"])
    assert df.loc["E2", "all"] == 5.0  # nothing changed
    mm = report_of(df).mismatches
    assert mm["unit"].tolist() == ["E2"] and mm["difference"].tolist() == [-1.0]
    assert _sha(path) == before


def test_census_missing_file(tmp_path):
    with pytest.raises(SegindexValueError, match=r"'.*missing\.csv' does not exist"):
        read_census_table(tmp_path / "missing.csv")


def test_census_garbage_file(tmp_path):
    path = tmp_path / "junk.csv"
    path.write_text("this is not a table\nat all, really, no\n")
    with pytest.raises(SegindexValueError, match=r"cannot find the delimiter of '.*junk\.csv'"):
        read_census_table(path)


def test_census_binary_file(tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(SegindexValueError, match=r"cannot read '.*bin\.csv' as a text"):
        read_census_table(path)


def test_census_wrong_delimiter(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("code|a|b\nE1|1|2\n")
    with pytest.raises(SegindexValueError, match=r"single column with delimiter ','"):
        read_census_table(path, sep=",", groups=["a"])


def test_census_unknown_layout_needs_groups(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("code,x,y\nE1,1,2\n")
    with pytest.raises(SegindexValueError, match=r"not a known census layout.*groups=\[\.\.\.\]"):
        read_census_table(path)


def test_census_missing_columns(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("code,all,a\nE1,1,1\n")
    with pytest.raises(SegindexValueError, match=r"group column 'b' is not in"):
        read_census_table(path, groups=["a", "b"], total="all")
    with pytest.raises(SegindexValueError, match=r"total column 'ALL' is not in.*Did you mean \['all'\]"):
        read_census_table(path, groups=["a"], total="ALL")
    with pytest.raises(SegindexValueError, match=r"id column 'LSOA' is not in"):
        read_census_table(path, id_column="LSOA", groups=["a"])


def test_census_non_numeric_names_value_and_row(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("code,all,a,b\nE1,3,1,2\nE2,4,c,2\n")
    match = r"group column 'a' of .* must hold numbers \(counts\), but it holds 'c' at area 'E2' \(line 3\)"
    with pytest.raises(SegindexTypeError, match=match):
        read_census_table(path, groups=["a", "b"], total="all")


def test_census_duplicate_ids(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("code,a\nE1,1\nE1,2\n")
    with pytest.raises(SegindexValueError, match=r"not unique: 'E1' appears 2 times \(lines 2, 3\)"):
        read_census_table(path, groups=["a"])


def test_census_refuses_double_counting(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("code,total,asian_all,asian_indian,asian_other\nE1,3,3,1,2\n")
    with pytest.raises(SegindexValueError, match="counted twice"):
        read_census_table(path, groups=["asian_all", "asian_indian", "asian_other"], total="total")


@pytest.mark.realdata
@pytest.mark.parametrize("la", LAS)
def test_census2011_authorities(la):
    path = shared_data("uk", "census2011", f"lsoa2011_ethnicity_{la}.csv")
    df = read_census_table(path)
    assert df.index.name == "LSOA" and df.index.is_unique
    assert report_of(df).mismatches.empty  # README: groups sum exactly to Persons
    out = to_common(df, CENSUS2011, keep=["Persons"], unmapped="ignore")
    np.testing.assert_array_equal(out[list(COMMON_GROUPS)].sum(axis=1), df["Persons"])
    oa = read_census_table(shared_data("uk", "census2011", f"oa2011_ethnicity_{la}.csv"))
    assert oa.index.name == "OA"
    # README: OA sums equal LSOA rows exactly
    sums = oa.groupby("LSOA")[["Persons", "WhiteBrit", "Pakistani"]].sum()
    pd.testing.assert_frame_equal(sums.loc[df.index], df[["Persons", "WhiteBrit", "Pakistani"]], check_names=False)


@pytest.mark.realdata
def test_census2011_sizes():
    expected = {"bradford": (1528, 310), "oldham": (712, 141), "tower_hamlets": (748, 144)}  # README
    for la, (n_oa, n_lsoa) in expected.items():
        assert len(read_census_table(shared_data("uk", "census2011", f"oa2011_ethnicity_{la}.csv"))) == n_oa
        assert len(read_census_table(shared_data("uk", "census2011", f"lsoa2011_ethnicity_{la}.csv"))) == n_lsoa


@pytest.mark.realdata
def test_census2021_psv_equals_csv_after_mapping():
    psv = shared_data("uk", "census2021", "census2021-ts021-lsoa.psv")
    before = _sha(psv)
    raw = read_census_table(psv)
    short = read_census_table(shared_data("uk", "census2021", "census2021_ts021_lsoa21_ethnic20.csv"))
    assert _sha(psv) == before
    assert raw.index.name == "geography code" and short.index.name == "LSOA21CD"
    assert "delimiter '|'" in report_of(raw).summary()
    assert report_of(raw).mismatches.empty and report_of(short).mismatches.empty
    a = to_common(raw, CENSUS2021, keep=["total"], unmapped="ignore")
    b = to_common(short, CENSUS2021, keep=["total"], unmapped="ignore")
    np.testing.assert_array_equal(a.index.to_numpy(), b.index.to_numpy())
    np.testing.assert_array_equal(a.to_numpy(), b.to_numpy())
    assert float(b["total"].sum()) == 59_597_576  # README
    brad = short[short["LAD22NM"] == "Bradford"]
    assert len(brad) == 312 and float(brad["total"].sum()) == 546_433  # README


@pytest.mark.realdata
def test_census_gz():
    path = shared_data("uk", "census2011", "oa2011_ethnicity_england_wales.csv.gz")
    df = read_census_table(path)
    assert len(df) == 181_408 and float(df["Persons"].sum()) == 56_075_912  # README


# ---------------------------------------------------------------------------
# read_school_census


def test_school_codes_made_missing_and_reported(tmp_path):
    rows = [
        _school_row(1),
        _school_row(2, counts=["5"] + ["z"] * 19),
        _school_row(3, counts=["4", "c", "x", ":", ".."] + ["0"] * 14 + ["4"]),
        _school_row(4, counts=["3", ""] + ["0"] * 17 + ["3"]),
    ]
    path = _school_file(tmp_path, rows)
    before = _sha(path)
    with pytest.warns(DataQualityWarning, match=r"24 count cells .* \(19 'z', 1 'c', 1 'x', 1 ':', 1 '\.\.', 1 ''\)"):
        df = read_school_census(path)
    assert _sha(path) == before
    assert df.index.name == "urn" and df.index.tolist() == [1, 2, 3, 4]
    report = report_of(df)
    assert "headcount" not in report.missing_cells["z"]
    assert report.missing_cells["z"]["white_british"] == 1
    assert report.missing_cells["c"] == {"white_british": 1}
    assert report.missing_cells[":"] == {"traveller_irish_heritage": 1}
    assert report.missing_cells[".."] == {"white_other": 1}
    assert report.missing_cells[""] == {"white_british": 1}
    assert report.rows_with_missing == 3
    assert np.isnan(df.loc[2, "white_british"]) and df.loc[2, "headcount"] == 5.0
    assert np.isnan(df.loc[3, "white_british"]) and df.loc[3, "unclassified"] == 4.0
    assert df["headcount"].tolist() == [10.0, 5.0, 4.0, 3.0]  # trailing .0 parsed
    assert df["old_la_code"].tolist() == [380] * 4
    assert list(df.columns) == [
        "la_name",
        "new_la_code",
        "old_la_code",
        "phase_type_grouping",
        "school_postcode",
        *SCHOOL_CENSUS_COLUMNS.values(),
    ]


def test_school_original_names(tmp_path):
    path = _school_file(tmp_path, [_school_row(1)])
    df = read_school_census(path, groups="original")
    assert "number of pupils unclassified" in df.columns and "headcount of pupils" in df.columns


def test_school_filters_counted(tmp_path):
    rows = [
        _school_row(1),
        _school_row(2, phase="State-funded secondary"),
        _school_row(3, phase="Independent school"),
        _school_row(4, la="Leeds", code="E08000035", old="383.0"),
        _school_row(5, phase="Non-maintained special school"),
    ]
    path = _school_file(tmp_path, rows)
    df = read_school_census(path, phase="primary", la="bradford")
    assert df.index.tolist() == [1]
    assert report_of(df).excluded == {"phase": 3, "la": 1}
    assert report_of(df).rows_kept == 1 and report_of(df).rows_read == 5
    assert read_school_census(path, la="E08000035").index.tolist() == [4]
    assert read_school_census(path, la=383).index.tolist() == [4]
    assert read_school_census(path, la=["Leeds", "380"]).index.tolist() == [1, 2, 3, 4, 5]
    assert read_school_census(path, state_funded=True).index.tolist() == [1, 2, 4]
    df = read_school_census(path, state_funded=False)
    assert df.index.tolist() == [3, 5] and report_of(df).excluded == {"state_funded": 3}
    assert read_school_census(path, phase=["special", "Independent school"]).index.tolist() == [3, 5]


def test_school_filter_errors(tmp_path):
    path = _school_file(tmp_path, [_school_row(1)])
    with pytest.raises(SegindexValueError, match=r"phase 'middle' is not known.*'primary'"):
        read_school_census(path, phase="middle")
    match = r"local authority 'Bradferd' matches no school.*Did you mean \['Bradford'\]"
    with pytest.raises(SegindexValueError, match=match):
        read_school_census(path, la="Bradferd")
    with pytest.raises(SegindexTypeError, match="state_funded must be True, False or None"):
        read_school_census(path, state_funded="yes")
    with pytest.raises(SegindexValueError, match="groups must be 'short' or 'original'"):
        read_school_census(path, groups="long")


def test_school_missing_column(tmp_path):
    header = [h for h in SCHOOL_HEADER if h != "number of pupils unclassified"]
    path = _school_file(tmp_path, [_school_row(1)[:-1]], header=header)
    with pytest.raises(SegindexValueError, match=r"school census column 'number of pupils unclassified' is not in"):
        read_school_census(path)


def test_school_bad_value_names_column_and_urn(tmp_path):
    counts = ["10", "1", "n/a"] + ["0"] * 16 + ["9"]
    path = _school_file(tmp_path, [_school_row(1), _school_row(77, counts=counts)])
    match = r"'number of pupils classified as Irish ethnic origin'.* holds 'n/a' at school urn 77 \(line 3\)"
    with pytest.raises(SegindexTypeError, match=match):
        read_school_census(path)


def test_school_negative_or_fractional(tmp_path):
    counts = ["10", "-1"] + ["0"] * 17 + ["11"]
    path = _school_file(tmp_path, [_school_row(5, counts=counts)])
    match = r"negative count \('-1'\) at school urn 5 \(line 2\); counts must be non-negative"
    with pytest.raises(SegindexValueError, match=match):
        read_school_census(path)


def test_school_duplicate_urn(tmp_path):
    path = _school_file(tmp_path, [_school_row(1), _school_row(1)])
    with pytest.raises(SegindexValueError, match=r"'urn' .* not unique: '1' appears 2 times \(lines 2, 3\)"):
        read_school_census(path)


def test_school_headcount_mismatch_reported(tmp_path):
    counts = ["12"] + ["1"] * 10 + ["0"] * 9
    path = _school_file(tmp_path, [_school_row(9, counts=counts)])
    with pytest.warns(DataQualityWarning, match="do not add up to their headcount"):
        df = read_school_census(path)
    assert report_of(df).mismatches["difference"].tolist() == [-2.0]
    assert df.loc[9, "headcount"] == 12.0


@pytest.mark.realdata
def test_school_england():
    path = shared_data("uk", "schools", "spc_2022_23_school_ethnicity_england.csv")
    before = _sha(path)
    with pytest.warns(DataQualityWarning, match="2417 schools have missing counts"):
        df = read_school_census(path)
    assert _sha(path) == before
    report = report_of(df)
    assert len(df) == 24_442 and report.rows_read == 24_442  # README
    assert report.rows_with_missing == 2_417  # README: 'z' on 2,417 rows
    assert set(report.missing_cells) == {"z"}
    assert report.missing_cells["z"]["white_british"] == 2_417
    assert report.mismatches.empty
    assert df["headcount"].notna().all()
    prim = read_school_census(path, phase="primary", state_funded=True)  # no 'z' among them: no warning
    assert len(prim) == 16_783 and report_of(prim).excluded["phase"] == 24_442 - 16_783
    assert report_of(prim).excluded["not state_funded"] == 0


@pytest.mark.realdata
def test_school_geocoded_files_located():
    located = {
        "bradford": (227, 227),
        "oldham": (116, 118),
        "blackburn_with_darwen": (86, 87),
        "leicester": (127, 127),
        "tower_hamlets": (108, 110),
    }  # README
    for la, (n_located, n) in located.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataQualityWarning)
            df = read_school_census(shared_data("uk", "schools", f"spc_2022_23_school_ethnicity_{la}_geocoded.csv"))
        assert len(df) == n and int(df["easting"].notna().sum()) == n_located
        assert df["easting"].dtype == np.float64


# ---------------------------------------------------------------------------
# geocode_postcodes


def _lookup_file(tmp_path):
    path = tmp_path / "pc.csv"  # Code-Point Open style, no header
    path.write_text('"BD1 1AA",10,416000,433000,"E92000001"\n"BD1 1AB",10,416100,433050,"E92000001"\n')
    return path


def test_geocode_normalises_and_keeps_unmatched(tmp_path):
    lookup = _lookup_file(tmp_path)
    before = _sha(lookup)
    table = pd.DataFrame(
        {"school_postcode": ["bd1 1aa", "BD11AB", "BD1  1AA", "ZZ9 9ZZ", None]},
        index=pd.Index([11, 12, 13, 14, 15], name="urn"),
    )
    original = table.copy()
    with pytest.warns(DataQualityWarning, match=r"2 of 5 postcodes were not found.*kept with a missing geometry"):
        pts = geocode_postcodes(table, lookup)
    assert _sha(lookup) == before
    pd.testing.assert_frame_equal(table, original)
    assert pts.index.equals(table.index) and pts.crs.to_epsg() == 27700
    assert pts.geometry.x.iloc[:3].tolist() == [416000.0, 416100.0, 416000.0]
    assert pts.geometry.isna().tolist() == [False, False, False, True, True]
    assert report_of(pts).unmatched == (14, 15)


def test_geocode_code_point_without_coordinates_is_unmatched(tmp_path):
    path = tmp_path / "pc.csv"
    path.write_text('"BD1 1AA",10,416000,433000\n"BD9 9ZZ",90,0,0\n')
    with pytest.warns(DataQualityWarning, match="1 of 2 postcodes were not found"):
        pts = geocode_postcodes(pd.DataFrame({"school_postcode": ["BD1 1AA", "BD9 9ZZ"]}), path)
    assert pts.geometry.isna().tolist() == [False, True]


def test_geocode_refuses_to_replace_geometry(tmp_path):
    table = geopandas.GeoDataFrame({"school_postcode": ["BD1 1AA"]}, geometry=[Point(0, 0)], crs=27700)
    with pytest.raises(SegindexValueError, match="already has a geometry"):
        geocode_postcodes(table, _lookup_file(tmp_path))


def test_boundaries_collapsed_repair_refused(tmp_path):
    flat = Polygon([(0, 0), (10, 0), (20, 0), (0, 0)])  # no area at all
    path = _areas(tmp_path, geoms=[flat, box(20, 0, 30, 10)])
    with pytest.raises(SegindexValueError, match=r"code 'A' .* collapse to nothing"):
        read_boundaries(path, "code")


def test_geocode_header_and_dataframe_lookup(tmp_path):
    path = tmp_path / "pc.csv"
    path.write_text("postcode,pqi,easting,northing\nBD1 1AA,10,1,2\n")
    pts = geocode_postcodes(pd.DataFrame({"pc": ["BD11AA"]}), path, postcode_column="pc")
    assert (pts.geometry.x.iloc[0], pts.geometry.y.iloc[0]) == (1.0, 2.0)
    frame = pd.DataFrame({"postcode": ["bd1 1aa"], "easting": [5], "northing": [6]})
    assert geocode_postcodes(pd.DataFrame({"pc": ["BD1 1AA"]}), frame, postcode_column="pc").geometry.x.iloc[0] == 5.0


def test_geocode_with_one_lookup_file_per_postcode_area(tmp_path):
    # Code-Point Open comes as one CSV per postcode area: a list is read as one lookup
    bd = _lookup_file(tmp_path)
    ls = tmp_path / "ls.csv"
    ls.write_text('"LS29 8AA",10,411000,447000\n')
    table = pd.DataFrame({"school_postcode": ["LS29 8AA", "BD1 1AB"]})
    pts = geocode_postcodes(table, [bd, ls])
    assert pts.geometry.x.tolist() == [411000.0, 416100.0]
    assert str(bd) in report_of(pts).source and str(ls) in report_of(pts).source
    with pytest.raises(SegindexValueError, match="the list of lookup files is empty"):
        geocode_postcodes(table, [])
    with pytest.raises(SegindexValueError, match=r"'.*none\.csv' does not exist"):
        geocode_postcodes(table, [bd, tmp_path / "none.csv"])
    # the same postcode placed differently in two files is refused, as within one file
    clash = tmp_path / "clash.csv"
    clash.write_text('"BD1 1AA",10,1,2\n')
    with pytest.raises(SegindexValueError, match="postcode 'BD11AA' more than one location"):
        geocode_postcodes(table, [bd, clash])


def test_geocode_errors(tmp_path):
    lookup = _lookup_file(tmp_path)
    match = r"postcode column 'school_postcode' is not in the table.*Available columns: 'pc'\."
    with pytest.raises(SegindexValueError, match=match):
        geocode_postcodes(pd.DataFrame({"pc": ["BD1 1AA"]}), lookup)
    with pytest.raises(SegindexValueError, match=r"'.*none\.csv' does not exist"):
        geocode_postcodes(pd.DataFrame({"school_postcode": ["BD1 1AA"]}), tmp_path / "none.csv")
    with pytest.raises(SegindexValueError, match=r"lookup column 'easting' is not in the lookup table"):
        geocode_postcodes(pd.DataFrame({"school_postcode": ["x"]}), pd.DataFrame({"postcode": ["x"]}))
    bad = tmp_path / "bad.csv"
    bad.write_text("just,two\n")
    with pytest.raises(SegindexValueError, match="not a Code-Point Open style CSV"):
        geocode_postcodes(pd.DataFrame({"school_postcode": ["x"]}), bad)
    clash = pd.DataFrame({"postcode": ["BD1 1AA", "bd11aa"], "easting": [1, 2], "northing": [1, 1]})
    with pytest.raises(SegindexValueError, match="postcode 'BD11AA' more than one location"):
        geocode_postcodes(pd.DataFrame({"school_postcode": ["x"]}), clash)
    with pytest.raises(SegindexTypeError, match="table must be a pandas DataFrame"):
        geocode_postcodes(["BD1 1AA"], lookup)


@pytest.mark.realdata
def test_geocode_bradford_schools_matches_geocoded_file():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        schools = read_school_census(shared_data("uk", "schools", "spc_2022_23_school_ethnicity_bradford_geocoded.csv"))
    with pytest.warns(DataQualityWarning, match="11 of 227 postcodes were not found"):
        pts = geocode_postcodes(schools, shared_data("uk", "postcodes", "bd.csv"))
    found = pts.geometry.notna().to_numpy()
    # every Bradford school outside the BD postcode area is in LS (Ilkley, Menston, ...): not in bd.csv
    assert pts.loc[~found, "school_postcode"].str.startswith("LS").all()
    np.testing.assert_array_equal(pts.geometry.x[found].to_numpy(), schools["easting"][found].to_numpy())
    np.testing.assert_array_equal(pts.geometry.y[found].to_numpy(), schools["northing"][found].to_numpy())


# ---------------------------------------------------------------------------
# join_to_areas


def _area_frame():
    return geopandas.GeoDataFrame(
        geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], index=pd.Index(["A", "B"], name="code"), crs=27700
    )


def test_join_within_reports_outside_and_boundary():
    units = geopandas.GeoDataFrame(
        {"n": [1, 2, 3, 4]}, geometry=[Point(5, 5), Point(15, 5), Point(50, 50), Point(10, 5)], crs=27700
    )
    with pytest.warns(DataQualityWarning, match=r"2 of 4 units joined no area"):
        out = join_to_areas(units, _area_frame())
    assert out["code"].tolist()[:2] == ["A", "B"] and out["code"].isna().tolist()[2:] == [True, True]
    assert report_of(out).unmatched == (2, 3)
    assert "code" not in units.columns
    with pytest.warns(DataQualityWarning, match=r"in more than one area: 1"):
        out = join_to_areas(units, _area_frame(), how="intersects")
    assert pd.isna(out["code"].iloc[3])  # on the shared edge: never guessed


def test_join_by_code_and_area_column():
    units = pd.DataFrame({"lsoa": ["A", "B", "Q"]})
    areas = pd.DataFrame({"LSOA11CD": ["A", "B"]})
    with pytest.warns(DataQualityWarning, match="code not among the areas: 1"):
        out = join_to_areas(units, areas, area_column="LSOA11CD", code_column="lsoa")
    assert out["LSOA11CD"].tolist()[:2] == ["A", "B"] and pd.isna(out["LSOA11CD"].iloc[2])


def test_join_errors():
    units = geopandas.GeoDataFrame({"n": [1]}, geometry=[Point(5, 5)], crs=4326)
    with pytest.raises(SegindexValueError, match=r"share one CRS.*units EPSG:4326.*to_crs"):
        join_to_areas(units, _area_frame())
    with pytest.raises(SegindexValueError, match="how must be"):
        join_to_areas(units, _area_frame(), how="near")
    with pytest.raises(SegindexTypeError, match="needs GeoDataFrames"):
        join_to_areas(pd.DataFrame({"n": [1]}), _area_frame())
    with pytest.raises(SegindexValueError, match="needs code_column"):
        join_to_areas(units, _area_frame(), how="code")
    with pytest.raises(SegindexValueError, match="code column 'lsoa' is not in"):
        join_to_areas(units, _area_frame(), code_column="lsoa")
    with pytest.raises(SegindexValueError, match="area column 'x' is not in"):
        join_to_areas(units, _area_frame(), area_column="x")
    dup = geopandas.GeoDataFrame(geometry=[box(0, 0, 1, 1)] * 2, index=pd.Index(["A", "A"], name="code"), crs=27700)
    with pytest.raises(SegindexValueError, match="area key 'A' appears more than once"):
        join_to_areas(units.to_crs(27700), dup)
    clash = geopandas.GeoDataFrame({"code": [1]}, geometry=[Point(5, 5)], crs=27700)
    with pytest.raises(SegindexValueError, match="already have a column 'code'"):
        join_to_areas(clash, _area_frame())


def test_report_of_errors():
    with pytest.raises(SegindexValueError, match="carries no segindex read report"):
        report_of(pd.DataFrame({"a": [1]}))
    assert isinstance(ReadReport("f", "r", 1, 1), ReadReport)


# ---------------------------------------------------------------------------
# real boundaries


@pytest.mark.realdata
def test_bradford_gpkg_matches_census_codes():
    path = shared_data("uk", "boundaries", "bradford_lsoa2011.gpkg")
    before = _sha(path)
    gdf = read_boundaries(path, "LSOA11CD")
    assert _sha(path) == before
    assert len(gdf) == 310 and gdf.crs.to_epsg() == 27700  # README
    census = read_census_table(shared_data("uk", "census2011", "lsoa2011_ethnicity_bradford.csv"))
    assert set(gdf.index) == set(census.index)  # README: codes match one to one


@pytest.mark.realdata
@pytest.mark.parametrize(
    "name,id_column,n",
    [
        ("lsoa11_bsc_bradford.geojson", "LSOA11CD", 310),
        ("lsoa11_bsc_tower_hamlets.geojson", "LSOA11CD", 144),
        ("lsoa21_bsc_oldham.geojson", "LSOA21CD", 142),
        ("lsoa21_bsc_leicester.geojson", "LSOA21CD", 200),
        ("lsoa21_bsc_blackburn_with_darwen.geojson", "LSOA21CD", 91),
    ],
)
def test_geojson_reprojected(name, id_column, n):
    path = shared_data("uk", "boundaries", name)
    with pytest.raises(SegindexValueError, match="to_crs=27700"):
        read_boundaries(path, id_column)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # generalised shapes may need repair
        gdf = read_boundaries(path, id_column, to_crs=27700)
    assert len(gdf) == n and gdf.crs.to_epsg() == 27700
    assert report_of(gdf).reprojected_from == "EPSG:4326"
    x0, y0, x1, y1 = gdf.total_bounds
    assert 0 < x0 < x1 < 700_000 and 0 < y0 < y1 < 1_300_000  # inside British National Grid


@pytest.mark.realdata
def test_bradford_schools_joined_to_lsoas():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        schools = read_school_census(shared_data("uk", "schools", "spc_2022_23_school_ethnicity_bradford_geocoded.csv"))
    pts = geopandas.GeoDataFrame(
        schools, geometry=geopandas.points_from_xy(schools["easting"], schools["northing"]), crs=27700
    )
    areas = read_boundaries(shared_data("uk", "boundaries", "bradford_lsoa2011.gpkg"), "LSOA11CD")
    out = join_to_areas(pts, areas)  # no warning: all 227 schools lie inside Bradford's LSOAs
    assert out["LSOA11CD"].notna().all() and report_of(out).unmatched == ()
