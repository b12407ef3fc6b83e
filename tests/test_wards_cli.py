"""Reports on wards: ``prepare_area(..., wards=...)`` and ``segindex report --wards``.

Hand-made squares in British National Grid metres (offset to a real-looking
place), then the real Bradford files: 310 LSOAs of the 2011 census added up
into the 30 census merged wards of 2011.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from conftest import shared_data
from segindex import PreparedArea, prepare_area
from segindex.classification import CENSUS2011
from segindex.cli import main
from segindex.errors import DataQualityWarning, SegindexTypeError, SegindexValueError

X0, Y0 = 410_000.0, 430_000.0  # somewhere in Bradford, so that nothing looks like degrees


def _box(x0, y0, x1, y1):
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


#: Six census units: four squares, E straddling the W1/W2 boundary (its point lies on it), and F whose
#: point lies 25 m east of every ward (a gap between the two sets of boundaries) while a third of it is in W1.
UNITS = {
    "A": _box(0, 0, 500, 500),
    "B": _box(500, 0, 1000, 500),
    "C": _box(0, 500, 500, 1000),
    "D": _box(500, 500, 1000, 1000),
    "E": _box(1000, 400, 1200, 600),
    "F": _box(1150, 0, 1300, 100),
}
#: Wards: W1 the south, W2 the north, W3 far away (another authority of the same file).
WARDS = {
    "W1": _box(0, 0, 1200, 500),
    "W2": _box(0, 500, 1200, 1000),
    "W3": _box(5000, 0, 6000, 1000),
}
PAKISTANI = {"A": 200, "B": 20, "C": 0, "D": 5, "E": 60, "F": 7}
OTHER = 10  # every other 2011 column, in every unit


def _census() -> pd.DataFrame:
    columns = [c for c, g in CENSUS2011.items() if g is not None and c != "Persons"]
    table = pd.DataFrame({c: OTHER for c in columns}, index=pd.Index(list(UNITS), name="code"))
    table["Pakistani"] = pd.Series(PAKISTANI)
    table["Persons"] = table[columns].sum(axis=1)
    return table


def _people(codes) -> int:
    return int(_census().loc[list(codes), "Persons"].sum())


#: The DfE school census layout (the published column names), for hand-made schools.
_DFE_GROUPS = [
    "white British",
    "Irish",
    "traveller of Irish heritage",
    "any other white background",
    "Gypsy/Roma",
    "white and black Caribbean",
    "white and black African",
    "white and Asian",
    "any other mixed background",
    "Indian",
    "Pakistani",
    "Bangladeshi",
    "any other Asian background",
    "Caribbean",
    "African",
    "any other black background",
    "Chinese",
    "any other ethnic group",
]


def _schools_csv(path: Path) -> Path:
    rows = []
    for k, (x, y, pakistani) in enumerate([(250, 250, 150), (750, 750, 5), (400, 800, 20), (900, 100, 60)]):
        row = {
            "time_period": 202223,
            "urn": 100001 + k,
            "la_name": "Bradford",
            "new_la_code": "E08000032",
            "old_la_code": 380,
            "school_name": f"School {k}",
            "phase_type_grouping": "State-funded primary",
            "ward_code": "E05000000",
            "ward_name": "A 2022 ward",
            "school_postcode": "BD1 1AA",
            "headcount of pupils": 0,
        }
        for group in _DFE_GROUPS:
            row[f"number of pupils classified as {group} ethnic origin"] = 5
        row["number of pupils classified as Pakistani ethnic origin"] = pakistani
        row["number of pupils unclassified"] = 1
        row["headcount of pupils"] = sum(v for c, v in row.items() if c.startswith("number of pupils"))
        row["easting"], row["northing"] = X0 + x, Y0 + y
        rows.append(row)
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _frame(shapes: dict, key: str, crs=27700) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({key: list(shapes)}, geometry=list(shapes.values()), crs=crs)


@pytest.fixture()
def squares(tmp_path):
    """The hand-made files: units, census, wards, schools."""
    files = {
        "units": tmp_path / "units.gpkg",
        "census": tmp_path / "census.csv",
        "wards": tmp_path / "wards.gpkg",
        "schools": _schools_csv(tmp_path / "schools.csv"),
    }
    _frame(UNITS, "code").to_file(files["units"])
    _census().reset_index().to_csv(files["census"], index=False)
    _frame(WARDS, "ward").to_file(files["wards"], layer="wards")
    return files


def _sums(*paths) -> dict:
    return {str(p): hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths}


def _prepare(files, **options):
    return prepare_area(files["units"], files["census"], groups=["pakistani"], wards=files["wards"], **options)


# ---------------------------------------------------------------- prepare_area on hand-made squares


def test_best_fit_wards_keep_every_person(squares):
    area = _prepare(squares)
    assert isinstance(area, PreparedArea) and area.ward_method == "best-fit"
    # W1 holds the points of A, B and E (on the W1/W2 boundary: the first ward in code order) and F (nearest)
    assert area.lookup.to_dict() == {"A": "W1", "B": "W1", "C": "W2", "D": "W2", "E": "W1", "F": "W1"}
    assert area.units.index.tolist() == ["W1", "W2"]  # W3 receives no unit: left out
    assert area.units.loc["W1", "pakistani"] == 200 + 20 + 60 + 7
    assert area.units.loc["W2", "pakistani"] == 0 + 5
    assert area.units.loc["W1", "total"] == _people("ABEF") and area.units.loc["W2", "total"] == _people("CD")
    assert area.units["total"].sum() == _census()["Persons"].sum()  # every person, exactly
    assert area.small_units.index.tolist() == list(UNITS) and area.whole_counts
    assert area.units.geometry.equals(_frame(WARDS, "ward").set_index("ward").geometry.loc[["W1", "W2"]])
    notes = " ".join(area.notes)
    assert "2 wards, the census counts of 6 smaller units added up by best fit" in notes
    assert (
        "1 of 6 units have their point in no ward and were given to the nearest ward, at most 25 m away ('F')" in notes
    )
    assert "1 have it within 50 m of a ward boundary" in notes  # E, whose point is on the boundary
    assert "1 of the 3 wards of the ward file lie outside the area" in notes
    # an areal split puts half of E in W2 (F's part outside every ward is shared among the wards it meets: W1)
    assert f"would place {_people('E') / 2:,.0f} residents" in notes
    assert (
        "2011 Census usual residents by ethnic group in 2 wards (w.gpkg), added up by best fit from 6 smaller "
        "areas" in area.description("c.csv", wards_name="w.gpkg")
    )


def test_wards_from_a_lookup_file(squares, tmp_path):
    lookup = tmp_path / "lookup.csv"
    # E given to the north ward: the lookup decides, point-in-polygon only checks
    pd.DataFrame({"unit": list(UNITS), "to": ["W1", "W1", "W2", "W2", "W2", "W1"], "name": "x"}).to_csv(
        lookup, index=False, sep=";"
    )
    area = _prepare(squares, lookup=lookup, lookup_from="unit", lookup_to="to")
    assert area.ward_method == "lookup" and area.lookup["E"] == "W2"
    assert area.units.loc["W2", "total"] == _people("CDE") and area.units.loc["W1", "total"] == _people("ABF")
    notes = " ".join(area.notes)
    assert re.search(r"added up through the lookup '.*lookup.csv' \('unit' to 'to'\)", notes)
    assert "1 of 6 units have their representative point in another ward than the lookup gives ('E')" in notes
    # an areal split puts half of E in W1, where the lookup has none of it
    assert f"would place {_people('E') / 2:,.0f} residents" in notes
    assert str(lookup) in area.inputs


def test_lookup_columns_default_to_the_code_names(squares):
    table = pd.DataFrame({"code": list(UNITS), "ward": ["W1", "W1", "W2", "W2", "W1", "W1"]})
    area = _prepare(squares, lookup=table, wards_id="ward")
    assert area.units["total"].tolist() == [_people("ABEF"), _people("CD")]
    series = area.lookup.copy()
    assert _prepare(squares, lookup=series.to_dict()).units.equals(area.units)


def test_areal_split_wards(squares):
    area = _prepare(squares, ward_method="areal-split")
    assert area.ward_method == "areal-split" and area.lookup is None
    assert area.units.loc["W2", "total"] == pytest.approx(_people("CD") + _people("E") / 2)
    assert area.units.loc["W1", "pakistani"] == pytest.approx(200 + 20 + 7 + 60 / 2)
    assert any("added up by areal split" in n for n in area.notes)


def test_areal_split_names_the_wards_it_gives_slivers(squares, tmp_path):
    wards = dict(WARDS)
    wards["W5"] = _box(1200, 0, 1400, 500)  # holds 100 of F's 150 m: F's point (1225, 50) is now inside it
    wards["W6"] = _box(-100, 0, 0, 1000)
    units = _frame({**UNITS, "A": _box(-1, 0, 500, 500)}, "code")  # A reaches 1 m into W6
    units.to_file(squares["units"])
    path = tmp_path / "wards6.gpkg"
    _frame(wards, "ward").to_file(path)
    area = prepare_area(squares["units"], squares["census"], wards=path, ward_method="areal-split")
    assert area.units.index.tolist() == ["W1", "W2", "W5", "W6"]
    assert area.units.loc["W6", "total"] == pytest.approx(_people("A") / 501)
    assert any(
        "1 ward(s) receive less than one resident, from slivers of units along their edge ('W6')" in n
        for n in area.notes
    )
    assert area.units["total"].sum() == pytest.approx(_census()["Persons"].sum(), rel=1e-12)
    assert area.units["total"].sum() == pytest.approx(_census()["Persons"].sum(), rel=1e-12)


def test_a_ward_inside_the_area_with_no_unit_is_named(squares, tmp_path):
    wards = dict(WARDS)
    wards["W4"] = _box(0, 950, 50, 1000)  # a corner of C: C's point is elsewhere
    wards["W2"] = wards["W2"].difference(wards["W4"])
    path = tmp_path / "wards4.gpkg"
    _frame(wards, "ward").to_file(path)
    with pytest.warns(DataQualityWarning, match=r"1 ward\(s\) inside the area receive no census unit \('W4'\)"):
        area = prepare_area(squares["units"], squares["census"], wards=path)
    assert area.units.index.tolist() == ["W1", "W2"]
    assert area.units["total"].sum() == _census()["Persons"].sum()


def test_wards_with_schools_say_the_ward_vintage(squares):
    area = prepare_area(
        squares["units"], squares["census"], squares["schools"], wards=squares["wards"], groups=["pakistani"]
    )
    assert len(area.schools) == 4 and len(area.units) == 2
    assert any("ward codes of the school census are 2022 wards" in n for n in area.notes)


def test_a_ward_file_in_degrees_is_reprojected_like_the_units(squares, tmp_path):
    path = tmp_path / "wards.geojson"
    _frame(WARDS, "ward").to_crs(4326).to_file(path)
    area = prepare_area(squares["units"], squares["census"], wards=path)
    # E's point lies on the W1/W2 boundary: after the round trip through degrees it falls on one side of it
    assert area.lookup.drop("E").to_dict() == _prepare(squares).lookup.drop("E").to_dict()
    assert area.units["total"].sum() == _census()["Persons"].sum()


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"ward_method": "nearest"}, SegindexValueError, r"'ward_method' must be one of 'best-fit', 'areal-split'"),
        ({"wards": None, "lookup": "x.csv"}, SegindexValueError, r"lookup without wards=: give the ward boundaries"),
        ({"wards": None, "wards_id": "ward"}, SegindexValueError, r"wards_id without wards="),
        ({"lookup_from": "code"}, SegindexValueError, r"lookup_from/lookup_to name the columns of a lookup, but no"),
        (
            {"lookup": {"A": "W1"}, "ward_method": "areal-split"},
            SegindexValueError,
            r"give either a lookup or ward_method='areal-split', not both",
        ),
        ({"lookup": 3}, SegindexTypeError, r"'lookup' must be a lookup file path, a DataFrame .* got int"),
        ({"wards": 3}, SegindexTypeError, r"'wards' must be a boundary file path or a GeoDataFrame, got int"),
        ({"wards": "degrees"}, SegindexValueError, r"'wards' must be in a projected CRS .*wards.to_crs\(27700\)"),
        ({"wards": "frame", "wards_id": "nope"}, SegindexValueError, r"the wards code column 'nope' is not in"),
        (
            {"lookup": pd.Series({"A": "W1"}), "wards_id": "ward"},
            SegindexValueError,
            r"5 of 6 census units are not in the lookup 'lookup': 'B', 'C', 'D', 'E', 'F'\. Every census unit",
        ),
        (
            {"lookup": pd.DataFrame({"a": ["A"], "b": ["W1"]})},
            SegindexValueError,
            r"name the small-unit code column of the lookup 'lookup' with lookup_from=",
        ),
        (
            {"wards": "unnamed", "lookup": pd.DataFrame({"code": ["A"], "w": ["W1"]})},
            SegindexValueError,
            r"name the ward code column of the lookup 'lookup' with lookup_to= \(segindex report: --lookup-to\)\. "
            r"Its columns: 'code', 'w'\.",
        ),
    ],
)
def test_prepare_area_ward_errors(squares, change, error, match):
    arguments = {"units": squares["units"], "census": squares["census"], "wards": squares["wards"], **change}
    wards = _frame(WARDS, "ward")
    named = {"degrees": wards.to_crs(4326), "frame": wards, "unnamed": wards.set_index("ward").rename_axis(None)}
    arguments["wards"] = (
        named.get(arguments["wards"], arguments["wards"]) if isinstance(arguments["wards"], str) else arguments["wards"]
    )
    with pytest.raises(error, match=match):
        prepare_area(**arguments)


def test_a_ward_frame_is_used_as_given(squares):
    wards = _frame(WARDS, "ward").set_index("ward").to_crs(3857)  # projected, another CRS: reprojected to the units'
    area = prepare_area(squares["units"], squares["census"], wards=wards)
    assert area.units.crs.to_epsg() == 27700 and area.units.index.tolist() == ["W1", "W2"]


# ---------------------------------------------------------------- segindex report --wards on hand-made squares


def _report(files, out, *extra):
    return [
        "report",
        "--units",
        str(files["units"]),
        "--census",
        str(files["census"]),
        "--schools",
        str(files["schools"]),
        "--area",
        "Squares",
        "--groups",
        "pakistani",
        "--draws",
        "0",
        "--out",
        str(out),
        "--wards",
        str(files["wards"]),
        *extra,
    ]


def _run(argv, capsys):
    """Run the command; the report page itself must be written (a known defect of the page code is an xfail)."""
    code = main(argv)
    captured = capsys.readouterr()
    if code == 1 and re.search(r"segindex: error: \w+\(\) is now called segindex\.plot\.plot_", captured.err):
        pytest.xfail("the report page calls a plot function by its pre-0.2 name (the report is being rewritten)")
    assert code == 0, captured.err
    return captured


@pytest.fixture()
def spy(monkeypatch, tmp_path):
    """``write_report`` replaced by a recorder: what ``segindex report`` hands to the page."""
    seen = {}

    def record(out_dir, **kwargs):
        seen.update(kwargs, out_dir=out_dir)
        Path(out_dir).mkdir()
        (Path(out_dir) / "index.html").write_text("<html></html>")
        return Path(out_dir) / "index.html"

    monkeypatch.setattr("segindex.report.write_report", record)
    return seen


def test_report_hands_the_wards_to_the_page(squares, tmp_path, capsys, spy):
    code = main(_report(squares, tmp_path / "out"))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "segindex: 6 census units added up into 2 wards by best fit" in captured.err
    assert spy["units"].index.tolist() == ["W1", "W2"] and spy["units"]["total"].sum() == _census()["Persons"].sum()
    assert spy["groups"] == ["white_british", "pakistani"] and spy["n_draws"] == 0 and len(spy["schools"]) == 4
    assert any("added up by best fit" in c for c in spy["caveats"])
    assert any("1 of the 3 wards of the ward file lie outside the area" in c for c in spy["caveats"])
    assert (
        "in 2 wards (wards.gpkg), added up by best fit from 6 smaller areas (census.csv, on boundaries from "
        "units.gpkg)" in spy["description"]
    )


def test_report_with_an_areal_split(squares, tmp_path, capsys, spy):
    code = main(_report(squares, tmp_path / "out", "--ward-method", "areal-split"))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert spy["units"].loc["W2", "total"] == pytest.approx(_people("CD") + _people("E") / 2)
    assert any("added up by areal split" in c for c in spy["caveats"])
    assert "added up by areal split from 6 smaller areas" in spy["description"]


def test_report_on_wards_of_squares(squares, tmp_path, capsys):
    before = _sums(*squares.values())
    captured = _run(_report(squares, tmp_path / "out"), capsys)
    text = Path(captured.out.strip()).read_text()
    assert "2 residential units" in text and "4 schools" in text
    assert "added up by best fit from 6 smaller areas" in text
    assert "ward codes of the school census are 2022 wards" in text
    assert _sums(*squares.values()) == before


def _write(tmp_path, name, frame):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("make", "extra", "message"),
    [
        (None, ["--wards-id", "nope"], r"id column 'nope' is not in '.*wards.gpkg'"),
        (None, ["--wards-layer", "nope"], r"nope"),
        (
            "degrees",
            [],
            r"every coordinate of the wards '.*' lies within ±180/±90: they look like degrees of "
            r"longitude and latitude labelled as EPSG:27700 metres",
        ),
        ("no_crs", [], r"has no coordinate reference system"),
        ("elsewhere", [], r"the wards '.*' \(x .*\) do not overlap the residential units"),
        (
            "partial",
            [],
            r"2 of 6 census units lie more than 1000 m from every ward of '.*' \('E', 'F'\): the ward "
            r"file does not cover the area",
        ),
        (
            "lookup",
            ["--lookup-from", "nope", "--lookup-to", "ward"],
            r"the lookup '.*' has no column 'nope' "
            r"\(lookup_from= \(segindex report: --lookup",
        ),
        (
            "lookup2001",
            ["--lookup-to", "ward"],
            r"name the small-unit code column of the lookup '.*' with lookup_from=",
        ),
        (
            "lookup2001",
            ["--lookup-from", "LSOA01CD", "--lookup-to", "ward"],
            r"6 of 6 census units are not in the lookup '.*' \('LSOA01CD' to 'ward'\): 'A', 'B', 'C', 'D', 'E' and 1 "
            r"more\. None of them is: the lookup is of another geography or census vintage",
        ),
        (
            "lookup_partial",
            ["--lookup-from", "code", "--lookup-to", "ward"],
            r"2 of 6 census units are not in the lookup .*: 'E', 'F'\. Every census unit needs a ward",
        ),
        (
            "lookup_twice",
            ["--lookup-from", "code", "--lookup-to", "ward"],
            r"gives 1 census unit\(s\) to more than one ward \('A'\)",
        ),
        (
            "lookup_2019",
            ["--lookup-from", "code", "--lookup-to", "ward"],
            r"gives 2 ward code\(s\) that are not wards of '.*wards.gpkg': 'E05001', 'E05002'\. The lookup and the "
            r"ward file must use the same ward codes",
        ),
        ("missing_lookup", [], r"cannot read the lookup file '.*none.csv': no such file"),
        ("xlsx_lookup", [], r"the lookup file '.*lookup.xlsx' is a spreadsheet; save it as CSV"),
    ],
)
def test_report_ward_data_errors_are_one_line(squares, tmp_path, capsys, make, extra, message):
    codes = list(UNITS)
    wards = _frame(WARDS, "ward")
    if make == "degrees":
        wards = gpd.GeoDataFrame({"ward": ["W1"]}, geometry=[box(-1.8, 53.7, -1.7, 53.8)], crs=27700)
    elif make == "elsewhere":
        wards = wards.set_geometry(wards.translate(200_000, 0))
    elif make == "partial":
        wards = _frame(
            {"W1": _box(0, 0, 1000, 500), "W2": _box(0, 500, 1000, 1000), "W3": _box(-5000, 0, -4000, 1000)}, "ward"
        )
        wards = wards.set_geometry(wards.geometry.scale(1, 1, origin=(X0, Y0)))
        # E and F move 3 km east, beyond WARD_GAP
        units = _frame(UNITS, "code")
        units.loc[units["code"].isin(["E", "F"]), "geometry"] = units.geometry[
            units["code"].isin(["E", "F"])
        ].translate(3000, 0)
        units.to_file(squares["units"])
    lookups = {
        "lookup": pd.DataFrame({"code": codes, "ward": "W1"}),
        "lookup2001": pd.DataFrame({"LSOA01CD": [f"E0100{k}" for k in range(6)], "ward": "W1"}),
        "lookup_partial": pd.DataFrame({"code": codes[:4], "ward": "W1"}),
        "lookup_twice": pd.DataFrame({"code": codes + ["A"], "ward": ["W1"] * 6 + ["W2"]}),
        "lookup_2019": pd.DataFrame({"code": codes, "ward": ["E05001", "E05001", "E05002", "W1", "W1", "W1"]}),
    }
    path = squares["wards"]
    if make == "no_crs":
        path = tmp_path / "wards.shp"
        wards.to_file(path)
        path.with_suffix(".prj").unlink()
    elif make in ("degrees", "elsewhere", "partial"):
        path = tmp_path / "other_wards.gpkg"
        wards.to_file(path)
    if make in lookups:
        extra = ["--lookup", str(_write(tmp_path, "lookup.csv", lookups[make])), *extra]
    elif make == "missing_lookup":
        extra = ["--lookup", str(tmp_path / "none.csv")]
    elif make == "xlsx_lookup":
        (tmp_path / "lookup.xlsx").write_bytes(b"PK\x03\x04")
        extra = ["--lookup", str(tmp_path / "lookup.xlsx")]
    argv = _report({**squares, "wards": path}, tmp_path / "out", *extra)
    code = main(argv)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("segindex: error:")]
    assert code == 1 and len(lines) == 1 and "Traceback" not in err, err
    assert re.search(message, lines[0]), lines[0]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--lookup", "x.csv"], r"--lookup needs --wards FILE"),
        (["--wards-id", "W", "--ward-method", "areal-split"], r"--wards-id, --ward-method need --wards FILE"),
        (["--wards", "w.gpkg", "--lookup-from", "code"], r"--lookup-from and --lookup-to name the columns of --lookup"),
        (
            ["--wards", "w.gpkg", "--lookup", "x.csv", "--ward-method", "areal-split"],
            r"--lookup and --ward-method areal-split do not go together",
        ),
        (["--wards", "w.gpkg", "--ward-method", "nearest"], r"argument --ward-method: invalid choice"),
    ],
)
def test_report_ward_usage_errors_exit_2(tmp_path, capsys, argv, message):
    code = main(
        [
            "report",
            "--units",
            "u.gpkg",
            "--census",
            "c.csv",
            "--schools",
            "s.csv",
            "--area",
            "A",
            "--out",
            str(tmp_path / "out"),
            *argv,
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and re.search(message, err), err


def test_report_refuses_to_write_over_the_ward_or_lookup_file(squares, tmp_path, capsys):
    before = _sums(*squares.values())
    code = main(_report(squares, squares["wards"]))
    assert code == 1 and "it is the input '" in capsys.readouterr().err
    lookup = _write(tmp_path, "lookup.csv", pd.DataFrame({"code": list(UNITS), "ward": "W1"}))
    code = main(_report(squares, lookup, "--lookup", str(lookup)))
    assert code == 1 and "it is the input '" in capsys.readouterr().err
    assert _sums(*squares.values()) == before


# ---------------------------------------------------------------- the real Bradford files


def _bradford():
    return {
        "units": shared_data("uk", "boundaries", "bradford_lsoa2011.gpkg"),
        "census": shared_data("uk", "census2011", "lsoa2011_ethnicity_bradford.csv"),
        "schools": shared_data("uk", "schools", "spc_2022_23_school_ethnicity_bradford_geocoded.csv"),
        "wards": shared_data("uk", "boundaries", "cmwd2011_five_towns.gpkg"),
    }


@pytest.mark.realdata
def test_bradford_lsoas_add_up_into_its_30_census_merged_wards():
    files = _bradford()
    before = _sums(*files.values())
    area = prepare_area(
        files["units"],
        files["census"],
        files["schools"],
        units_id="LSOA11CD",
        census_id="LSOA",
        wards=files["wards"],
        wards_id="CMWD11CD",
        wards_layer="cmwd2011",
    )
    wards = gpd.read_file(files["wards"], layer="cmwd2011")
    bradford = set(wards.loc[wards["LAD11NM"] == "Bradford", "CMWD11CD"])
    assert len(bradford) == 30 and set(area.units.index) == bradford
    raw = pd.read_csv(files["census"]).set_index("LSOA")
    assert area.units["total"].sum() == raw["Persons"].sum() == 522_452  # every person, exactly
    assert area.units["pakistani"].sum() == raw["Pakistani"].sum()
    assert area.lookup.notna().all() and len(area.lookup) == 310 and area.units["total"].min() > 0
    notes = " ".join(area.notes)
    assert "82 of the 112 wards of the ward file lie outside the area" in notes
    assert "0 of 310 units have their point in no ward" in notes
    assert re.search(r"; \d+ have it within 50 m of a ward boundary", notes)
    moved = int(re.search(r"would place ([\d,]+) residents", notes).group(1).replace(",", ""))
    assert 0 < moved < 0.1 * 522_452  # whole LSOAs against an areal split: a few per cent of residents move
    assert len(area.schools) == 192
    assert _sums(*files.values()) == before


@pytest.mark.realdata
def test_report_hands_bradford_s_30_wards_to_the_page(tmp_path, capsys, spy):
    files = _bradford()
    before = _sums(*files.values())
    code = main(
        [
            "report",
            "--units",
            str(files["units"]),
            "--units-id",
            "LSOA11CD",
            "--census",
            str(files["census"]),
            "--census-id",
            "LSOA",
            "--schools",
            str(files["schools"]),
            "--area",
            "Bradford",
            "--draws",
            "0",
            "--wards",
            str(files["wards"]),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    units = spy["units"]
    wards = gpd.read_file(files["wards"], layer="cmwd2011")
    assert set(units.index) == set(wards.loc[wards["LAD11NM"] == "Bradford", "CMWD11CD"]) and len(units) == 30
    raw = pd.read_csv(files["census"])
    assert units["total"].sum() == raw["Persons"].sum()  # every person, exactly
    assert np.array_equal(
        units[["pakistani", "indian", "bangladeshi"]].sum().to_numpy(),
        raw[["Pakistani", "Indian", "Bangladeshi"]].sum().to_numpy(),
    )
    assert any("2022 wards, another vintage" in c for c in spy["caveats"])
    assert _sums(*files.values()) == before


@pytest.mark.realdata
def test_report_on_bradford_wards(tmp_path, capsys):
    files = _bradford()
    before = _sums(*files.values())
    # the point-in-polygon lookup, written as a lookup file, gives the same wards as the best fit
    fit = prepare_area(
        files["units"],
        files["census"],
        units_id="LSOA11CD",
        census_id="LSOA",
        wards=files["wards"],
        groups=["pakistani"],
    )
    lookup = tmp_path / "lsoa_to_ward.csv"
    fit.lookup.rename("CMWD11CD").rename_axis("LSOA11CD").reset_index().to_csv(lookup, index=False)
    out = tmp_path / "bradford_wards"
    captured = _run(
        [
            "report",
            "--units",
            str(files["units"]),
            "--units-id",
            "LSOA11CD",
            "--census",
            str(files["census"]),
            "--census-id",
            "LSOA",
            "--schools",
            str(files["schools"]),
            "--area",
            "Bradford",
            "--groups",
            "pakistani",
            "indian",
            "--draws",
            "0",
            "--wards",
            str(files["wards"]),
            "--wards-layer",
            "cmwd2011",
            "--lookup",
            str(lookup),
            "--out",
            str(out),
        ],
        capsys,
    )
    text = Path(captured.out.strip()).read_text()
    assert "30 residential units" in text and "192 schools" in text
    assert "added up through a lookup from 310 smaller areas" in text
    assert "0 of 310 units have their representative point in another ward than the lookup gives" in text
    table = pd.read_csv(out / "residential_indices.csv")
    d_ward = float(
        table.query("group == 'pakistani' and comparison == 'rest' and index == 'dissimilarity'")["value"].iloc[0]
    )
    from segindex import dissimilarity

    d_lsoa = float(dissimilarity(fit.small_units, "pakistani", total="total"))
    assert d_ward == pytest.approx(float(dissimilarity(fit.units, "pakistani", total="total")))
    assert 0.3 < d_ward < d_lsoa  # larger units, lower D (the unit-size effect)
    assert _sums(*files.values()) == before


@pytest.mark.realdata
def test_a_2019_ward_lookup_against_2011_wards_is_a_one_line_error(tmp_path, capsys):
    files = _bradford()
    lookup = shared_data("uk", "lookups", "lsoa11_ward2019_bestfit.csv")
    code = main(
        [
            "report",
            "--units",
            str(files["units"]),
            "--units-id",
            "LSOA11CD",
            "--census",
            str(files["census"]),
            "--census-id",
            "LSOA",
            "--schools",
            str(files["schools"]),
            "--area",
            "Bradford",
            "--draws",
            "0",
            "--wards",
            str(files["wards"]),
            "--lookup",
            str(lookup),
            "--lookup-to",
            "WD19CD",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1, err
    assert re.search(
        r"segindex: error: prepare_area\(\): the lookup '.*lsoa11_ward2019_bestfit.csv' \('LSOA11CD' "
        r"to 'WD19CD'\) gives 30 ward code\(s\) that are not wards of '.*cmwd2011_five_towns.gpkg': "
        r"'E05\d+', .* and 25 more\.",
        err,
    ), err


@pytest.mark.realdata
def test_the_ons_best_fit_chain_against_the_representative_points(tmp_path, capsys):
    """LSOA 2001 → ward 2011 → census merged ward (the ONS best-fit chain) as the lookup of 2011 LSOAs.

    A 2011 LSOA unchanged since 2001 kept its code, so the chain places 301 of Bradford's 310 LSOAs; the 9
    LSOAs created in 2011 (new codes E0103...) are missing, which the command refuses, naming them.
    """
    files = _bradford()
    first = pd.read_csv(shared_data("uk", "lookups", "lsoa01_ward2011_bestfit.csv"), dtype=str)
    second = pd.read_csv(shared_data("uk", "lookups", "ward2011_cmwd2011_lad11.csv"), dtype=str)
    chain = first.merge(second[["WD11CD", "CMWD11CD"]], on="WD11CD")[["LSOA01CD", "CMWD11CD"]]
    lookup = _write(tmp_path, "chain.csv", chain)
    code = main(
        [
            "report",
            "--units",
            str(files["units"]),
            "--units-id",
            "LSOA11CD",
            "--census",
            str(files["census"]),
            "--census-id",
            "LSOA",
            "--schools",
            str(files["schools"]),
            "--area",
            "Bradford",
            "--draws",
            "0",
            "--wards",
            str(files["wards"]),
            "--lookup",
            str(lookup),
            "--lookup-from",
            "LSOA01CD",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert re.search(
        r"segindex: error: prepare_area\(\): 9 of 310 census units are not in the lookup '.*chain.csv' "
        r"\('LSOA01CD' to 'CMWD11CD'\): 'E01033689', 'E01033690', 'E01033691', 'E01033692', 'E01033693' "
        r"and 4 more\. Every census unit needs a ward: complete the lookup\.",
        err,
    ), err
    # completed with the representative points for the 9, the chain disagrees with them on 5 of the other 301
    # LSOAs (measured here: the ONS uses population-weighted centroids, segindex representative points)
    points = prepare_area(
        files["units"],
        files["census"],
        units_id="LSOA11CD",
        census_id="LSOA",
        wards=files["wards"],
        groups=["pakistani"],
    )
    ons = chain.set_index("LSOA01CD")["CMWD11CD"]
    ons = ons[ons.index.isin(points.lookup.index)]
    assert len(ons) == 301
    full = pd.concat([ons, points.lookup.drop(ons.index)])
    area = prepare_area(
        files["units"],
        files["census"],
        units_id="LSOA11CD",
        census_id="LSOA",
        wards=files["wards"],
        groups=["pakistani"],
        lookup=full,
    )
    assert set(area.units.index) == set(points.units.index)
    assert area.units["total"].sum() == points.units["total"].sum() == 522_452
    assert (
        "5 of 310 units have their representative point in another ward than the lookup gives ('E01010578', "
        "'E01010608', 'E01010730', 'E01010824', 'E01010868')" in " ".join(area.notes)
    )
