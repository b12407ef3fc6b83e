"""The segindex command: outputs that never clobber, one-line errors, misread numbers, conventions, provenance.

Every test that hands files to the command checksums them before and after: nothing a user owns is altered.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import shared_data
from segindex import cli
from segindex.cli import main
from segindex.datasets import example_town
from segindex.indices.twogroup import dissimilarity
from segindex.prepare import PreparedArea, counts_are_whole, prepare_area


def _sums(*paths) -> dict:
    """SHA-256 of each existing file (a folder: of every file under it)."""
    out = {}
    for p in map(Path, paths):
        for f in [p] if p.is_file() else sorted(x for x in p.rglob("*") if x.is_file()):
            out[str(f)] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def _error_line(capsys) -> str:
    """The command's standard error: exactly one error line, no traceback; returns that line."""
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1, err
    return errors[0]


@pytest.fixture(scope="module")
def town():
    return example_town(1, n_units=60, n_schools=10)


@pytest.fixture()
def town_csv(town, tmp_path):
    path = tmp_path / "units.csv"
    pd.DataFrame(town.units.drop(columns="geometry")).to_csv(path)
    return path


# ---------------------------------------------------------------- outputs never clobber


def test_out_refuses_an_existing_file_unless_overwrite(town_csv, tmp_path, capsys):
    out = tmp_path / "result.csv"
    out.write_text("my own work\n")
    before = _sums(town_csv, out)
    argv = ["indices", "--input", str(town_csv), "--groups", "pakistani", "--total", "total", "--out", str(out)]
    assert main(argv) == 1
    assert re.search(r"refusing to write --out '.*result.csv': the file exists; add --overwrite", _error_line(capsys))
    assert _sums(town_csv, out) == before
    assert main([*argv, "--overwrite"]) == 0, capsys.readouterr().err
    assert out.read_text() != "my own work\n" and "dissimilarity" in out.read_text()
    assert _sums(town_csv) == {str(town_csv): before[str(town_csv)]}


@pytest.mark.parametrize("how", ["same", "relative", "symlink"])
def test_out_never_replaces_an_input_even_with_overwrite(town_csv, tmp_path, capsys, monkeypatch, how):
    before = _sums(town_csv)
    target = str(town_csv)
    if how == "relative":
        (tmp_path / "sub").mkdir()
        monkeypatch.chdir(tmp_path / "sub")
        target = os.path.join("..", "sub", "..", town_csv.name)
    elif how == "symlink":
        link = tmp_path / "link.csv"
        link.symlink_to(town_csv)
        target = str(link)
    code = main(
        [
            "indices",
            "--input",
            str(town_csv),
            "--groups",
            "pakistani",
            "--total",
            "total",
            "--out",
            target,
            "--overwrite",
        ]
    )
    assert code == 1
    assert "it is one of the inputs" in _error_line(capsys)
    assert _sums(town_csv) == before


def test_the_provenance_sidecar_is_not_clobbered_either(town_csv, tmp_path, capsys):
    out = tmp_path / "t.csv"
    sidecar = tmp_path / "t.csv.provenance.json"
    sidecar.write_text("{}")
    argv = ["indices", "--input", str(town_csv), "--groups", "pakistani", "--total", "total", "--out", str(out)]
    assert main(argv) == 1
    assert "refusing to write the provenance file" in _error_line(capsys)
    assert not out.exists() and sidecar.read_text() == "{}"


def test_report_out_folder_holding_an_input_is_refused(town, tmp_path, capsys, monkeypatch):
    gpkg = tmp_path / "units.gpkg"
    town.units.reset_index().to_file(gpkg, driver="GPKG")
    census = tmp_path / "census.csv"
    census.write_text("code,Persons\nU001,1\n")
    before = _sums(tmp_path)
    monkeypatch.chdir(tmp_path)
    code = main(
        [
            "report",
            "--units",
            "units.gpkg",
            "--census",
            "census.csv",
            "--schools",
            "census.csv",
            "--area",
            "Town",
            "--out",
            ".",
        ]
    )
    assert code == 1
    assert re.search(r"refusing to write into --out '\.': it holds the input 'units.gpkg'", _error_line(capsys))
    assert _sums(tmp_path) == before


def test_demo_out_that_is_a_file_is_refused(tmp_path, capsys):
    out = tmp_path / "notes.txt"
    out.write_text("keep me")
    assert main(["demo", "--out", str(out)]) == 1
    assert "it is a file, not a folder" in _error_line(capsys)
    assert out.read_text() == "keep me"


# ---------------------------------------------------------------- every failure is one line


def test_truncated_gzip_is_one_line_as_a_subprocess(town_csv, tmp_path):
    data = gzip.compress(town_csv.read_bytes())
    bad = tmp_path / "units.csv.gz"
    bad.write_bytes(data[: len(data) // 2])
    before = _sums(bad)
    done = subprocess.run(
        [sys.executable, "-m", "segindex", "indices", "--input", str(bad), "--groups", "pakistani", "--total", "total"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert re.search(
        r"segindex: error: cannot read --input file '.*units.csv.gz': the compressed file is "
        r"truncated or corrupt",
        last,
    ), done.stderr
    assert _sums(bad) == before


def test_a_csv_given_as_units_is_one_line(tmp_path, capsys):
    census = tmp_path / "census.csv"
    census.write_text("code,Persons\nU001,1\n")
    before = _sums(census)
    code = main(
        [
            "report",
            "--units",
            str(census),
            "--census",
            str(census),
            "--schools",
            str(census),
            "--area",
            "Town",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 1
    assert re.search(r"boundary file '.*census.csv' is a table, not a vector file", _error_line(capsys))
    assert _sums(census) == before and not (tmp_path / "out").exists()


@pytest.fixture()
def two_layers(town, tmp_path):
    path = tmp_path / "two.gpkg"
    town.units.reset_index().to_file(path, layer="units", driver="GPKG")
    town.units.reset_index().head(10).to_file(path, layer="extra", driver="GPKG")
    return path


def test_a_geopackage_with_several_layers_needs_layer(two_layers, town, capsys):
    before = _sums(two_layers)
    argv = ["indices", "--input", str(two_layers), "--groups", "pakistani", "--total", "total"]
    assert main(argv) == 1
    assert re.search(r"holds 2 layers \('units', 'extra'\); choose one with --layer", _error_line(capsys))
    assert main([*argv, "--layer", "units"]) == 0
    assert f"{dissimilarity(town.units, 'pakistani', total='total'):.4f}" in capsys.readouterr().out
    assert _sums(two_layers) == before


def test_report_several_layers_need_layer(two_layers, tmp_path, capsys):
    census = tmp_path / "census.csv"
    census.write_text("code,Persons\nU001,1\n")
    code = main(
        [
            "report",
            "--units",
            str(two_layers),
            "--census",
            str(census),
            "--schools",
            str(census),
            "--area",
            "Town",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 1
    assert "holds 2 layers ('units', 'extra'); choose one with layer= (segindex report: --layer)" in _error_line(capsys)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b'code,a,b\nx,1,"2\ny,3,4\n', "quote.csv", r"as a table: Error tokenizing data. .*EOF inside string"),
        ("code,a,b\nCaf\xe9,1,2\n".encode("latin-1"), "latin.csv", r"not UTF-8 text .*Latin-1"),
        (b"PK\x03\x04 not really a workbook", "book.xlsx", r"it is a spreadsheet; save it as CSV"),
        (b"code,a,a,b\nx,1,2,3\n", "twice.csv", r"names the column 'a' more than once"),
        (b"code,a,b\nx,1,lots\n", "text.csv", r"the group column 'b' must hold numbers, but line 2 .* has 'lots'"),
        (b'code,a,b\nx,1,"1,647"\n', "comma.csv", r"has '1,647'. If ',' separates thousands, add --thousands ','"),
        (b"", "empty.csv", r"it is empty"),
    ],
)
def test_bad_tables_are_one_line(tmp_path, capsys, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)
    before = _sums(path)
    assert main(["indices", "--input", str(path), "--groups", "a", "b"]) == 1
    line = _error_line(capsys)
    assert line.startswith("segindex: error: ") and re.search(message, line), line
    assert _sums(path) == before


def test_ctrl_c_exits_130(town_csv, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("segindex.indices.table.segregation_table", interrupted)
    assert main(["indices", "--input", str(town_csv), "--groups", "pakistani", "--total", "total"]) == 130
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1] == "segindex: interrupted" and "Traceback" not in err


def test_unexpected_errors_are_one_line_and_debug_shows_them(town_csv, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("something\nunforeseen")

    monkeypatch.setattr("segindex.indices.table.segregation_table", broken)
    argv = ["indices", "--input", str(town_csv), "--groups", "pakistani", "--total", "total"]
    assert main(argv) == 1
    assert _error_line(capsys) == (
        "segindex: error: RuntimeError: something unforeseen (run again with --debug to see where)"
    )
    with pytest.raises(RuntimeError, match="unforeseen"):
        main([*argv, "--debug"])
    with pytest.raises(RuntimeError, match="unforeseen"):
        main(["--debug", *argv])


def test_os_errors_are_one_line(town_csv, tmp_path, capsys, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("segindex._outputs.write_csv", full)
    code = main(
        [
            "indices",
            "--input",
            str(town_csv),
            "--groups",
            "pakistani",
            "--total",
            "total",
            "--out",
            str(tmp_path / "t.csv"),
        ]
    )
    assert code == 1
    assert _error_line(capsys) == "segindex: error: [Errno 28] No space left on device"


def test_an_interrupted_write_leaves_no_file(town_csv, tmp_path, capsys, monkeypatch):
    out = tmp_path / "t.csv"

    def interrupted(self, *args, **kwargs):
        Path(args[0]).write_text("half")
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", interrupted)
    code = main(["indices", "--input", str(town_csv), "--groups", "pakistani", "--total", "total", "--out", str(out)])
    assert code == 130
    assert sorted(p.name for p in tmp_path.iterdir()) == ["units.csv"]


# ---------------------------------------------------------------- misread numbers


@pytest.fixture()
def dotted(tmp_path):
    """Counts written with '.' as the thousands separator, as in the issue: 1.647 means 1647."""
    counts = pd.DataFrame({"area": ["a", "b", "c", "d"], "A": [1647, 20, 3, 950], "B": [12, 1530, 2210, 40]})
    text = counts.to_csv(index=False, sep=";")
    text = re.sub(r"\b(\d)(\d{3})\b", r"\1.\2", text)
    path = tmp_path / "dotted.csv"
    path.write_text(text)
    return counts, path


def test_dotted_thousands_are_refused_naming_the_column(dotted, capsys):
    counts, path = dotted
    before = _sums(path)
    assert main(["indices", "--input", str(path), "--groups", "A", "B"]) == 1
    line = _error_line(capsys)
    assert re.search(r"the group column 'A' holds 1.647 \(data row 1 of '.*dotted.csv'\), not a whole number", line)
    assert "--thousands ." in line and "--fractional" in line
    assert _sums(path) == before


def test_thousands_option_reads_them_right(dotted, capsys):
    counts, path = dotted
    assert main(["indices", "--input", str(path), "--groups", "A", "B", "--thousands", "."]) == 0
    out = capsys.readouterr().out
    true = dissimilarity(counts, "A", "B")  # on the counts as written before the separators were added
    assert f"{true:.4f}" in out
    misread = dissimilarity(pd.DataFrame({"A": [1.647, 20, 3, 950], "B": [12, 1.53, 2.21, 40]}), "A", "B")
    assert f"{misread:.4f}" not in out and abs(true - misread) > 0.1


def test_fractional_accepts_estimates(dotted, capsys):
    counts, path = dotted
    assert main(["indices", "--input", str(path), "--groups", "A", "B", "--fractional"]) == 0
    assert "dissimilarity" in capsys.readouterr().out


def test_only_the_needed_columns_are_read_typed(tmp_path):
    path = tmp_path / "wide.csv"
    pd.DataFrame(
        {
            "lad": ["x", "y", "x"],
            "A": [1, 2, 3],
            "B": [4, 5, 6],
            "notes": ["free", "text", "here"],
            "junk": ["1,2", "?", "z"],
        }
    ).to_csv(path, index=False)
    frame = cli._read_table(str(path), {"A": "group", "B": "group", "lad": "--by column"}, ["A", "B"], ["lad"])
    assert sorted(frame.columns) == ["A", "B", "lad"]
    assert frame["A"].dtype == np.float64 and frame["B"].dtype == np.float64
    assert isinstance(frame["lad"].dtype, pd.CategoricalDtype)


# ---------------------------------------------------------------- conventions of the output


def test_old_option_names_say_the_new_ones(capsys):
    for argv, new in (
        (["indices", "--bootstrap", "9"], "--draws"),
        (["indices", "--reference", "x"], "--other"),
        (["indices", "--seed", "1"], "--random-state"),
        (["demo", "--seed", "1"], "--random-state"),
        (["demo", "--bootstrap", "9"], "--draws"),
        (["report", "--units", "u", "--census", "c", "--schools", "s", "--area", "a", "--reference", "x"], "--other"),
    ):
        assert main(argv) == 2
        old = argv[-2]
        assert f"error: {old} is now called {new}" in capsys.readouterr().err


def test_indices_csv_conventions(town, town_csv, tmp_path, capsys):
    out = tmp_path / "by_ward.csv"
    code = main(
        [
            "indices",
            "--input",
            str(town_csv),
            "--groups",
            "pakistani",
            "indian",
            "--total",
            "total",
            "--by",
            "ward",
            "--min-count",
            "200",
            "--out",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    text = out.read_text().splitlines()
    header = text[0].split(",")
    assert all(re.fullmatch(r"[a-z_]+", h) for h in header), header
    assert "ward" not in header and header.count("area") == 1
    got = pd.read_csv(out)
    assert got["count"].dtype == np.int64  # whole counts written as integers
    per_ward = town.units.groupby("ward")[["pakistani", "total"]].sum()
    row = got[(got.group == "pakistani") & (got["index"] == "dissimilarity")].set_index("area")
    assert (row["count"] == per_ward.loc[row.index, "pakistani"].astype(int)).all()
    assert (row["small_group"] == (per_ward.loc[row.index, "pakistani"] < 200)).all()
    multi = got[got["index"] == "entropy_index"].set_index("area")
    assert (multi["count"] == per_ward.loc[multi.index, "total"].astype(int)).all()


def test_printed_intervals_say_what_they_are_centred_on(town_csv, capsys):
    code = main(["indices", "--input", str(town_csv), "--groups", "pakistani", "--total", "total", "--draws", "19"])
    out = capsys.readouterr().out
    assert code == 0
    header = out.splitlines()[0].split()
    if "bias_corrected" in header:  # once segregation_table reports it (the shared contract)
        assert header.index("bias_corrected") == header.index("ci_low") - 1
    assert (
        out.strip()
        .splitlines()[-1]
        .startswith("note: ci_low-ci_high is the bootstrap interval centred on bias_corrected")
    )


def test_help_explains_the_interval(capsys):
    assert main(["indices", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "centred on bias_corrected" in text and "may lie outside" in text
    assert "--min-count" in text and "--overwrite" in text and "--thousands" in text


# ---------------------------------------------------------------- provenance


def test_every_csv_gets_a_provenance_sidecar(town_csv, tmp_path, capsys):
    out = tmp_path / "t.csv"
    argv = [
        "indices",
        "--input",
        str(town_csv),
        "--groups",
        "pakistani",
        "--total",
        "total",
        "--draws",
        "9",
        "--random-state",
        "7",
        "--out",
        str(out),
    ]
    assert main(argv) == 0, capsys.readouterr().err
    record = json.loads((tmp_path / "t.csv.provenance.json").read_text())
    from segindex import __version__

    assert record["segindex_version"] == __version__
    assert record["random_state"] == 7 and record["parameters"]["draws"] == 9
    assert record["parameters"]["groups"] == ["pakistani"]
    assert record["command"].startswith("segindex indices --input ") and "--random-state 7" in record["command"]
    assert record["inputs"] == [
        {
            "name": "units.csv",
            "size": town_csv.stat().st_size,
            "sha256": hashlib.sha256(town_csv.read_bytes()).hexdigest(),
        }
    ]
    assert record["output"] == "t.csv"


# ---------------------------------------------------------------- prepare_area


def test_prepare_area_from_frames(town):
    from segindex.classification import CENSUS2011

    census = pd.DataFrame({c: 10.0 for c, g in CENSUS2011.items() if g is not None}, index=town.units.index)
    census["Pakistani"] = town.units["pakistani"].to_numpy(dtype=float)
    census["Persons"] = census.drop(columns="Persons", errors="ignore").sum(axis=1)
    area = prepare_area(town.units[["geometry"]], census, groups=["pakistani"], other="indian")
    assert isinstance(area, PreparedArea) and area.schools is None
    assert area.groups == ("indian", "pakistani") and area.other == "indian"
    assert np.array_equal(area.units["pakistani"].to_numpy(), town.units["pakistani"].to_numpy(dtype=float))
    assert area.whole_counts and area.vintages == {"census": "2011"} and area.inputs == ()
    with pytest.raises(AttributeError):
        area.other = "x"  # frozen


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"level": "fine"}, ValueError, r"prepare_area\(\): 'level' must be 'detailed' or 'broad'"),
        ({"min_share": 2}, ValueError, r"'min_share' must be a share between 0 and 1"),
        ({"buffer": -1}, ValueError, r"'buffer' must be a distance in metres >= 0"),
        ({"units": 3}, TypeError, r"'units' must be a boundary file path or a GeoDataFrame, got int"),
        ({"census": 3}, TypeError, r"'census' must be a census table path or a DataFrame, got int"),
        ({"groups": ["martian"]}, ValueError, r"the group 'martian' is not a common group of both files"),
        ({"other": "martian"}, ValueError, r"the comparison group 'martian' is not a common group"),
    ],
)
def test_prepare_area_errors(town, change, error, match):
    from segindex.classification import CENSUS2011

    census = pd.DataFrame({c: 10.0 for c, g in CENSUS2011.items() if g is not None}, index=town.units.index)
    arguments = {"units": town.units[["geometry"]], "census": census, **change}
    with pytest.raises(error, match=match):
        prepare_area(**arguments)


def test_prepare_area_refuses_degrees(town):
    with pytest.raises(ValueError, match=r"projected CRS .*units.to_crs\(27700\)"):
        prepare_area(town.units[["geometry"]].to_crs(4326), pd.DataFrame())


def test_counts_are_whole():
    assert counts_are_whole(pd.DataFrame({"a": [1.0, np.nan]}), ["a"])
    assert not counts_are_whole(pd.DataFrame({"a": [1.647]}), ["a"])


@pytest.mark.realdata
def test_prepare_area_on_bradford_matches_the_report_inputs():
    units = shared_data("uk", "boundaries", "bradford_lsoa2011.gpkg")
    census = shared_data("uk", "census2011", "lsoa2011_ethnicity_bradford.csv")
    schools = shared_data("uk", "schools", "spc_2022_23_school_ethnicity_bradford_geocoded.csv")
    before = _sums(units, census, schools)
    area = prepare_area(units, census, schools, units_id="LSOA11CD", census_id="LSOA")
    assert len(area.units) == 310 and len(area.schools) == 192  # primary + secondary, all located and inside
    assert area.other == "white_british" and area.groups[0] == "white_british"
    assert area.vintages == {"census": "2011", "school census": "2022/23"}
    assert area.whole_counts
    raw = pd.read_csv(census).set_index("LSOA")
    assert area.units["pakistani"].sum() == raw.loc[area.units.index, "Pakistani"].sum()
    # the groups are the census's ethnic groups only: no total among them, and the total counts everyone once
    assert "total" not in area.groups
    assert area.units["total"].sum() == raw.loc[area.units.index, "Persons"].sum()
    # Bradford's Pakistani residents across LSOAs, 2011: D about 0.6 (the report test's bound; Carling 2008)
    assert 0.5 < dissimilarity(area.units, "pakistani", total="total") < 0.75
    assert any("unclassified" in n for n in area.notes) and any("Roma" in n for n in area.notes)
    assert "2022/23, 192 schools" in area.description()
    assert _sums(units, census, schools) == before


@pytest.mark.realdata
def test_indices_on_bradford_output_areas(tmp_path, capsys):
    census = shared_data("uk", "census2011", "oa2011_ethnicity_bradford.csv")
    before = _sums(census)
    out = tmp_path / "bradford.csv"
    code = main(
        [
            "indices",
            "--input",
            str(census),
            "--groups",
            "Pakistani",
            "Bangladeshi",
            "--total",
            "Persons",
            "--out",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    got = pd.read_csv(out)
    row = got[(got.group == "Bangladeshi") & (got["index"] == "dissimilarity")].iloc[0]
    assert row["value"] == pytest.approx(0.713, abs=5e-4)  # the README's figure for Bradford's 1,528 OAs
    assert row["count"] == pd.read_csv(census)["Bangladeshi"].sum() and not row["small_group"]
    assert _sums(census) == before


def test_report_is_a_thin_caller_and_skips_draws_on_fractional_counts(town, tmp_path, capsys, monkeypatch):
    """`segindex report` = prepare_area + write_report; fractional counts: no draws, said in the caveats."""
    seen = {}

    def prepared(units, census, schools=None, **options):
        seen["prepare"] = (units, census, schools, options)
        return PreparedArea(
            units=town.units.assign(total=town.units["total"] + 0.5),
            schools=town.schools,
            groups=("white_british", "pakistani"),
            other="white_british",
            common_groups=tuple(town.groups),
            census_year="2011",
            school_year="2022/23",
            notes=("a note",),
            whole_counts=False,
        )

    def report(out_dir, **kwargs):
        seen["report"] = kwargs
        Path(out_dir).mkdir()
        (Path(out_dir) / "index.html").write_text("<html></html>")
        return Path(out_dir) / "index.html"

    monkeypatch.setattr("segindex.prepare.prepare_area", prepared)
    monkeypatch.setattr("segindex.report.write_report", report)
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
            "Town",
            "--other",
            "white_british",
            "--phase",
            "all",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.out.strip() == str((tmp_path / "out" / "index.html").resolve())
    units, census, schools, options = seen["prepare"]
    assert (units, census, schools) == ("u.gpkg", "c.csv", "s.csv")
    assert options["other"] == "white_british" and options["phase"] is None
    kwargs = seen["report"]
    assert kwargs["n_draws"] == 0 and kwargs["other"] == "white_british" and kwargs["area_name"] == "Town"
    assert "a note" in kwargs["caveats"]
    assert any(c.startswith("No intervals: some counts are not whole numbers") for c in kwargs["caveats"])
    assert "(c.csv), on boundaries from u.gpkg" in kwargs["description"] and "all phases" in kwargs["description"]


def test_report_out_that_is_an_input_is_refused(tmp_path, capsys):
    census = tmp_path / "census.csv"
    census.write_text("code,Persons\nU001,1\n")
    before = _sums(census)
    code = main(
        [
            "report",
            "--units",
            "u.gpkg",
            "--census",
            str(census),
            "--schools",
            "s.csv",
            "--area",
            "Town",
            "--out",
            str(census),
        ]
    )
    assert code == 1
    assert re.search(r"refusing to write into --out '.*census.csv': it is the input", _error_line(capsys))
    assert _sums(census) == before
