"""The readers against the files people actually have: repeated units, misread numbers, wrong formats.

Each test builds its file by hand in ``tmp_path``; each refers to a "Why" bullet of the reliability issue
(no unit counted twice, misread numbers are caught, a clear message instead of a traceback).
"""

from __future__ import annotations

import gzip
import hashlib
import zipfile

import geopandas
import numpy as np
import pytest
from shapely.geometry import box

from segindex import dissimilarity
from segindex.classification import SCHOOL_CENSUS_COLUMNS
from segindex.errors import SegindexTypeError, SegindexValueError
from segindex.io import geocode_postcodes, read_boundaries, read_census_table, read_school_census, report_of

SCHOOL_HEADER = ["urn", "la_name", "phase_type_grouping"] + list(SCHOOL_CENSUS_COLUMNS)


def _school_line(urn, counts=None) -> str:
    counts = counts if counts is not None else ["10.0"] + ["1"] * 10 + ["0"] * 9
    return ",".join([str(urn), "Bradford", "State-funded primary", *counts])


def _school_file(tmp_path, lines, header=SCHOOL_HEADER, name="s.csv"):
    path = tmp_path / name
    path.write_text("\n".join([",".join(header), *lines]) + "\n")
    return path


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------
# no unit counted twice: ids unique after normalising, columns named once


def test_school_urn_written_two_ways_is_one_school(tmp_path):
    # "137277" and "137277.0" are the same URN: before, both passed and the CLI report crashed later
    path = _school_file(tmp_path, [_school_line("137277"), _school_line("100000"), _school_line("137277.0")])
    with pytest.raises(
        SegindexValueError,
        match=r"'urn' .* not unique: '137277' appears 2 times \(lines 2, 4, written '137277', '137277.0'\)",
    ):
        read_school_census(path)


def test_school_urn_with_spaces_is_one_school(tmp_path):
    path = _school_file(tmp_path, [_school_line("137277"), _school_line(" 137277 ")])
    with pytest.raises(SegindexValueError, match=r"not unique: '137277' appears 2 times"):
        read_school_census(path)


def test_census_codes_same_after_normalising(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("code,a,b\nE01,1,2\n E01 ,3,4\n")
    with pytest.raises(SegindexValueError, match=r"not unique: 'E01' appears 2 times \(lines 2, 3\)"):
        read_census_table(path, groups=["a", "b"])
    path.write_text("code,a,b\n7,1,2\n8,1,1\n7.0,3,4\n")
    with pytest.raises(SegindexValueError, match=r"not unique: '7' appears 2 times \(lines 2, 4, written '7', '7.0'\)"):
        read_census_table(path, groups=["a", "b"])


def test_census_codes_with_leading_zeros_stay_distinct(tmp_path):
    # "01" and "1" are different codes (leading zeros are part of a code), and spaces are removed and reported
    path = tmp_path / "t.csv"
    path.write_text("code,a,b\n01,1,2\n1,3,4\n E02,1,1\n")
    df = read_census_table(path, groups=["a", "b"])
    assert df.index.tolist() == ["01", "1", "E02"]
    assert "1 area codes had surrounding spaces removed" in report_of(df).summary()


def test_boundary_codes_same_after_normalising(tmp_path):
    gdf = geopandas.GeoDataFrame({"code": ["A", "A "]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=27700)
    path = tmp_path / "areas.gpkg"
    gdf.to_file(path)
    with pytest.raises(SegindexValueError, match=r"not unique: 'A' appears 2 times \(features 1, 2"):
        read_boundaries(path, "code")


def test_census_header_naming_a_column_twice(tmp_path):
    # pandas would read the second 'Pakistani' as 'Pakistani.1' without a word
    path = tmp_path / "t.csv"
    path.write_text("code,all,Pakistani,Indian,Pakistani\nE1,6,1,2,3\n")
    before = _sha(path)
    with pytest.raises(
        SegindexValueError, match=r"header of '.*t\.csv' names the column 'Pakistani' twice \(columns 3 and 5\)"
    ):
        read_census_table(path, groups=["Pakistani", "Indian"], total="all")
    assert _sha(path) == before


def test_school_header_naming_a_column_twice(tmp_path):
    header = SCHOOL_HEADER + ["la_name"]
    path = _school_file(tmp_path, [_school_line(1) + ",Leeds"], header=header)
    with pytest.raises(SegindexValueError, match=r"names the column 'la_name' twice .*'la_name\.1'"):
        read_school_census(path)


# ---------------------------------------------------------------------------
# misread numbers: '.' as a thousands separator


def _dotted_census(tmp_path):
    # true counts: E1 1647 a / 20 b, E2 12 a / 1203 b, E3 5 a / 8 b; written with '.' for thousands
    path = tmp_path / "dotted.csv"
    path.write_text("code,all,a,b\nE1,1.667,1.647,20\nE2,1.215,12,1.203\nE3,13,5,8\n")
    return path


def test_census_refuses_dot_thousands_and_names_the_fix(tmp_path):
    path = _dotted_census(tmp_path)
    with pytest.raises(
        SegindexValueError,
        match=r"total column 'all' of '.*dotted\.csv' holds '1\.667' at area 'E1' \(line 2\), which is not a whole "
        r"number \(1 more in this column\).*pass thousands='\.'.*fractional=True",
    ):
        read_census_table(path, groups=["a", "b"], total="all")


def test_census_thousands_gives_the_true_index(tmp_path):
    path = _dotted_census(tmp_path)
    df = read_census_table(path, groups=["a", "b"], total="all", thousands=".")
    assert df["a"].tolist() == [1647.0, 12.0, 5.0] and df["all"].tolist() == [1667.0, 1215.0, 13.0]
    # the quiet wrong number of the issue: '1.647' read as 1.647 gives a much smaller D
    true = dissimilarity(df, "a", "b")
    wrong = dissimilarity(read_census_table(path, groups=["a", "b"], fractional=True), "a", "b")  # as without --total
    assert round(true, 4) == 0.9735  # hand-worked: 0.5 * sum |a/1664 - b/1231| over the three areas
    assert round(wrong, 4) == 0.6023  # the same with 1.647, 1.203 read as decimals


def test_census_fractional_option_keeps_decimals(tmp_path):
    path = tmp_path / "est.csv"
    path.write_text("code,a,b\nE1,10.5,2.25\nE2,3,4\n")
    df = read_census_table(path, groups=["a", "b"], fractional=True)
    assert df["a"].tolist() == [10.5, 3.0] and df["b"].tolist() == [2.25, 4.0]


def test_census_comma_thousands(tmp_path):
    path = tmp_path / "commas.csv"
    path.write_text('code,a,b\nE1,"1,647",20\nE2,12,"1,203,000"\n')
    with pytest.raises(SegindexTypeError, match=r"holds '1,647' at area 'E1' \(line 2\)\. If ',' separates thousands"):
        read_census_table(path, groups=["a", "b"])
    df = read_census_table(path, groups=["a", "b"], thousands=",")
    assert df["a"].tolist() == [1647.0, 12.0] and df["b"].tolist() == [20.0, 1_203_000.0]


def test_thousands_used_wrongly_is_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("code,a\nE1,1.647\nE2,10.0\n")  # '10.0' cannot be ten thousand-separated
    with pytest.raises(SegindexTypeError, match=r"holds '10\.0' at area 'E2' \(line 3\)\. With thousands='\.'"):
        read_census_table(path, groups=["a"], thousands=".")


def test_school_dot_thousands_refused_but_dfe_trailing_zero_read(tmp_path):
    # the DfE's own files write whole numbers as '271.0': those are fine
    good = ["1203.0"] + ["1.0"] * 10 + ["0"] * 8 + ["1193.0"]
    dotted = ["1.203"] + ["1"] * 10 + ["0"] * 8 + ["1.193"]
    path = _school_file(tmp_path, [_school_line(1, good), _school_line(2, dotted)])
    with pytest.raises(
        SegindexValueError,
        match=r"count column 'headcount of pupils' of '.*s\.csv' holds '1\.203' at school urn 2 \(line 3\).*"
        r"thousands='\.'",
    ):
        read_school_census(path)
    ok = _school_file(tmp_path, [_school_line(1, good)], name="ok.csv")
    assert read_school_census(ok)["headcount"].tolist() == [1203.0]
    dotted_only = _school_file(tmp_path, [_school_line(2, dotted)], name="dotted.csv")
    df = read_school_census(dotted_only, thousands=".")
    assert df["headcount"].tolist() == [1203.0] and df["unclassified"].tolist() == [1193.0]


def test_number_options_checked(tmp_path):
    path = _dotted_census(tmp_path)
    with pytest.raises(SegindexValueError, match=r"'thousands' parameter must be one character"):
        read_census_table(path, groups=["a"], thousands="..")
    with pytest.raises(SegindexTypeError, match=r"'fractional' parameter must be True or False"):
        read_school_census(path, fractional="yes")
    with pytest.raises(SegindexValueError, match=r"encoding 'klingon' is not a known text encoding"):
        read_census_table(path, groups=["a"], encoding="klingon")


def test_census_negative_and_infinite_counts(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("code,a\nE1,3\nE2,-2\n")
    with pytest.raises(SegindexValueError, match=r"negative count \('-2'\) at area 'E2' \(line 3\)"):
        read_census_table(path, groups=["a"])
    path.write_text("code,a\nE1,inf\n")
    with pytest.raises(SegindexTypeError, match=r"holds 'inf' at area 'E1'"):
        read_census_table(path, groups=["a"])


# ---------------------------------------------------------------------------
# compressed files


def test_truncated_gzip(tmp_path):
    body = "code,a,b\n" + "".join(f"E{i:05d},{i % 7},{i % 5}\n" for i in range(20_000))
    data = gzip.compress(body.encode())
    path = tmp_path / "t.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SegindexValueError, match=r"'.*t\.csv\.gz' is a truncated or corrupt gzip file.*again"):
        read_census_table(path, groups=["a", "b"])
    path.write_bytes(data[:30])  # cut inside the first lines
    with pytest.raises(SegindexValueError, match=r"truncated or corrupt gzip file"):
        read_census_table(path, groups=["a", "b"])


def test_corrupt_gzip(tmp_path):
    body = "code,a,b\n" + "".join(f"E{i:05d},{i % 7},{i % 5}\n" for i in range(20_000))
    data = bytearray(gzip.compress(body.encode()))
    data[-8:-4] = b"\x00\x00\x00\x00"  # a wrong CRC
    path = tmp_path / "t.csv.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(SegindexValueError, match=r"truncated or corrupt gzip file"):
        read_census_table(path, groups=["a", "b"])


def test_gzip_recognised_by_content(tmp_path):
    path = tmp_path / "t.csv"  # compressed although the name says plain CSV
    path.write_bytes(gzip.compress(b"code,a,b\nE1,1,2\n"))
    assert read_census_table(path, groups=["a", "b"])["b"].tolist() == [2.0]


# ---------------------------------------------------------------------------
# spreadsheets and archives


def _xlsx(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return path


@pytest.mark.parametrize("name", ["census.xlsx", "census.csv"])  # also an .xlsx renamed .csv
def test_excel_workbook_refused_with_the_fix(tmp_path, name):
    path = _xlsx(tmp_path / name)
    with pytest.raises(
        SegindexValueError,
        match=r"is an Excel workbook \(\.xlsx\), not a CSV .*Save As > CSV UTF-8.*pandas\.read_excel",
    ):
        read_census_table(path)
    with pytest.raises(SegindexValueError, match=r"is an Excel workbook"):
        read_school_census(path)


def test_old_excel_and_zip_refused(tmp_path):
    xls = tmp_path / "s.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    with pytest.raises(SegindexValueError, match=r"Excel 97-2003 workbook \(\.xls\), not a CSV.*Save As"):
        read_school_census(xls)
    archive = tmp_path / "data.csv"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("inside.csv", "code,a\nE1,1\n")
    with pytest.raises(SegindexValueError, match=r"is a ZIP archive.*unzip it"):
        read_census_table(archive, groups=["a"])


def test_excel_lookup_refused(tmp_path):
    import pandas as pd

    path = _xlsx(tmp_path / "codepoint.xlsx")
    with pytest.raises(SegindexValueError, match=r"is an Excel workbook"):
        geocode_postcodes(pd.DataFrame({"school_postcode": ["BD1 1AA"]}), path)


# ---------------------------------------------------------------------------
# text encodings


def test_latin1_file_says_which_encoding(tmp_path):
    path = tmp_path / "wales.csv"
    rows = "".join(f"W{i:03d},Area {i},{i},{i}\n" for i in range(50))  # the accent comes after the sniffed lines
    path.write_bytes(("code,name,a,b\n" + rows + "W999,Ynys Môn,3,4\n").encode("cp1252"))
    with pytest.raises(
        SegindexValueError,
        match=r"'.*wales\.csv' is not utf-8 text \(first at line 52: 'W999,Ynys Môn,3,4'.*"
        r"encoding='cp1252'",
    ):
        read_census_table(path, groups=["a", "b"])
    df = read_census_table(path, groups=["a", "b"], encoding="cp1252")
    assert df.loc["W999", "name"] == "Ynys Môn"


def test_latin1_in_first_lines_and_in_school_file(tmp_path):
    path = tmp_path / "s.csv"
    text = "\n".join([",".join(SCHOOL_HEADER), _school_line(1).replace("Bradford", "Bradford – Keighley")]) + "\n"
    path.write_bytes(text.encode("cp1252"))
    with pytest.raises(SegindexValueError, match=r"not utf-8 text \(first at line 2.*encoding='cp1252'"):
        read_school_census(path)
    assert read_school_census(path, encoding="cp1252")["la_name"].tolist() == ["Bradford – Keighley"]


def test_utf16_file_says_which_encoding(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("code\ta\nE1\t1\n".encode("utf-16"))
    with pytest.raises(SegindexValueError, match=r"is UTF-16 text .*encoding='utf-16'"):
        read_census_table(path, groups=["a"])
    assert read_census_table(path, groups=["a"], encoding="utf-16")["a"].tolist() == [1.0]


def test_utf8_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("code,a\nE1,1\n".encode("utf-8-sig"))
    assert read_census_table(path, groups=["a"]).index.name == "code"


# ---------------------------------------------------------------------------
# boundaries: tables given instead, several layers


@pytest.mark.parametrize("name", ["lsoa.csv", "lsoa.csv.gz", "lsoa.txt"])
def test_table_given_as_boundaries(tmp_path, name):
    path = tmp_path / name
    content = b"LSOA11CD,Persons\nE01,10\n"
    path.write_bytes(gzip.compress(content) if name.endswith(".gz") else content)
    with pytest.raises(
        SegindexValueError,
        match=r"read_boundaries\(\): '.*lsoa\.\w+(\.gz)?' is a (CSV|TXT) table, not a boundary file\. Pass the areas' "
        r"shapes \(a GeoPackage \.gpkg.*read_census_table",
    ):
        read_boundaries(path, "LSOA11CD")


def test_excel_given_as_boundaries(tmp_path):
    path = _xlsx(tmp_path / "areas.xlsx")
    with pytest.raises(SegindexValueError, match=r"is an Excel workbook \(\.xlsx\): a table, not a boundary file"):
        read_boundaries(path, "code")


def test_geopackage_attribute_table_without_geometry(tmp_path):
    import pandas as pd
    import pyogrio

    path = tmp_path / "table.gpkg"
    pyogrio.write_dataframe(pd.DataFrame({"code": ["A"], "n": [1]}), path)
    with pytest.raises(SegindexValueError, match=r"has no geometries \(is it a table\?\)"):
        read_boundaries(path, "code")


def test_geopackage_layers_listed(tmp_path):
    path = tmp_path / "two.gpkg"
    geopandas.GeoDataFrame({"code": ["A"]}, geometry=[box(0, 0, 1, 1)], crs=27700).to_file(path, layer="lsoa")
    geopandas.GeoDataFrame({"code": ["B"]}, geometry=[box(0, 0, 1, 1)], crs=27700).to_file(path, layer="units")
    with pytest.raises(
        SegindexValueError,
        match=r"holds 2 layers \('lsoa', 'units'\); choose one with layer=, for example layer='lsoa'",
    ):
        read_boundaries(path, "code")
    with pytest.raises(SegindexValueError, match=r"has no layer 'wards'; its layers are 'lsoa', 'units'"):
        read_boundaries(path, "code", layer="wards")
    assert read_boundaries(path, "code", layer="units").index.tolist() == ["B"]
    assert np.isclose(read_boundaries(path, "code", layer=0).geometry.area.sum(), 1.0)


def test_join_area_keys_same_after_normalising():
    import pandas as pd

    from segindex.io import join_to_areas

    areas = geopandas.GeoDataFrame(
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], index=pd.Index(["E01", "E01 "], name="code"), crs=27700
    )
    units = geopandas.GeoDataFrame({"n": [1]}, geometry=[box(0.2, 0.2, 0.3, 0.3).centroid], crs=27700)
    with pytest.raises(SegindexValueError, match=r"area key 'E01' appears more than once .*surrounding spaces"):
        join_to_areas(units, areas)
