"""Tests of the segindex command (in-process and as a subprocess); the report itself is in test_report.py."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import shared_data
from segindex.cli import main
from segindex.datasets import example_town
from segindex.indices.table import segregation_table


def _links(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    return re.findall(r'(?:src|href)="([^"]+)"', text)


def _check_folder(page: Path) -> str:
    """Every link of index.html is relative and points at an existing file; return the page text."""
    links = _links(page)
    assert links
    for link in links:
        assert not re.match(r"^[a-z]+:", link), link  # no http:, file:, data: ...
        assert not link.startswith("/"), link
        assert (page.parent / link).is_file(), link
    return page.read_text(encoding="utf-8")


# ---------------------------------------------------------------- the command, in process


def test_demo_as_a_subprocess(tmp_path):
    """The README's main job: `segindex demo --out DIR` on a fresh machine, no data."""
    out = tmp_path / "tmp"
    exe = Path(sys.executable).with_name("segindex")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "segindex"]
    done = subprocess.run([*cmd, "demo", "--out", str(out)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    page = Path(done.stdout.strip())
    assert page == (out / "index.html").resolve()
    text = _check_folder(page)
    assert "SYNTHETIC DATA" in text
    # bars, two scatters, two nearest-school charts, three maps per group
    assert len(list(out.glob("*.png"))) == 1 + 2 + 2 + 6 * 3
    assert "segindex: writing index.html" in done.stderr
    assert "Traceback" not in done.stderr
    assert "difference_ci_low" in pd.read_csv(out / "schools_vs_neighbourhoods.csv").columns  # 199 draws by default


def test_python_dash_m(tmp_path):
    done = subprocess.run([sys.executable, "-m", "segindex", "--version"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("segindex ")


def test_help_everywhere(capsys):
    for argv in (["--help"], ["demo", "--help"], ["indices", "--help"], ["report", "--help"]):
        assert main(argv) == 0
        assert "usage: segindex" in capsys.readouterr().out


def test_usage_errors_exit_2(capsys):
    assert main([]) == 2
    assert main(["frobnicate"]) == 2
    assert main(["demo", "--choice", "3"]) == 2
    assert "--choice: must lie between -1 and 1" in capsys.readouterr().err
    assert main(["demo", "--random-state", "x"]) == 2
    assert main(["demo", "--draws", "-5"]) == 2
    assert "--draws: must be a whole number of draws >= 0 (0: no intervals)" in capsys.readouterr().err
    assert main(["indices", "--input", "x.csv"]) == 2
    assert "--groups is required with --input" in capsys.readouterr().err
    assert main(["report", "--units", "u.gpkg"]) == 2


def test_indices_on_the_example_town(capsys):
    assert main(["indices", "--groups", "pakistani", "indian"]) == 0
    captured = capsys.readouterr()
    assert "dissimilarity" in captured.out and "pakistani" in captured.out
    assert "example town" in captured.err


@pytest.fixture(scope="module")
def town_csv(tmp_path_factory):
    town = example_town(1)
    path = tmp_path_factory.mktemp("csv") / "units.csv"
    pd.DataFrame(town.units.drop(columns="geometry")).to_csv(path)
    return town, path


def test_indices_from_a_csv(town_csv, tmp_path, capsys):
    town, path = town_csv
    out = tmp_path / "results.csv"
    code = main(
        [
            "indices",
            "--input",
            str(path),
            "--groups",
            "pakistani",
            "indian",
            "--total",
            "total",
            "--other",
            "white_british",
            "--out",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    got = pd.read_csv(out)
    expected = segregation_table(town.units, ["pakistani", "indian"], total="total", other="white_british")
    assert np.allclose(got["value"], expected["value"], rtol=1e-12)
    assert capsys.readouterr().out.strip() == str(out.resolve())


def test_indices_with_bootstrap_intervals(town_csv, tmp_path, capsys):
    town, path = town_csv
    out = tmp_path / "results.csv"
    argv = [
        "indices",
        "--input",
        str(path),
        "--groups",
        "pakistani",
        "--total",
        "total",
        "--draws",
        "49",
        "--random-state",
        "5",
        "--out",
        str(out),
    ]
    assert main(argv) == 0, capsys.readouterr().err
    got = pd.read_csv(out)
    assert {"se", "ci_low", "ci_high", "p_value"} <= set(got.columns)
    d = got[(got["index"] == "dissimilarity") & (got["group"] == "pakistani")].iloc[0]
    assert d["ci_low"] < d["value"] < d["ci_high"] and d["p_value"] == pytest.approx(1 / 50)
    # the same as segregation_table with the same draws, and the same again for the same seed
    expected = segregation_table(town.units, ["pakistani"], total="total", n_draws=49, random_state=5)
    assert np.allclose(got["ci_low"], expected["ci_low"], rtol=1e-12, equal_nan=True)
    assert main(argv[:-1] + [str(tmp_path / "again.csv")]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "again.csv"), got)
    assert main(["indices", "--draws", "0"]) == 2
    assert "--draws: must be a whole number of draws >= 1" in capsys.readouterr().err


def test_indices_by_area_from_a_geopackage(tmp_path, capsys):
    town = example_town(1, n_units=60, n_schools=10)
    gpkg = tmp_path / "units.gpkg"
    town.units.reset_index().to_file(gpkg, driver="GPKG")
    out = tmp_path / "by_ward.csv"
    assert (
        main(
            [
                "indices",
                "--input",
                str(gpkg),
                "--groups",
                "pakistani",
                "white_british",
                "--total",
                "total",
                "--by",
                "ward",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    got = pd.read_csv(out)
    assert set(got["area"]) == set(town.units["ward"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--input", "{dir}/missing.csv", "--groups", "a"], r"cannot read --input file '.*missing.csv': no such file"),
        (
            ["--input", "{csv}", "--groups", "pakistan", "indian"],
            r"the group 'pakistan' is not a column of '.*units.csv'. Did you mean 'pakistani'",
        ),
        (
            ["--input", "{csv}", "--groups", "pakistani", "--total", "persons"],
            r"the --total column 'persons' is not a column",
        ),
        (["--input", "{csv}", "--groups", "pakistani", "--by", "district"], r"the --by column 'district'"),
        (["--input", "{csv}", "--groups", "ward"], r"the group column 'ward' must hold numbers"),
        (["--input", "{dir}", "--groups", "a"], r"it is a folder, not a file"),
        (["--input", "{bad}", "--groups", "a"], r"cannot read --input file '.*bad.gpkg' as a vector file"),
        (
            ["--input", "{csv}", "--groups", "pakistani", "--out", "{dir}/no/such/dir/x.csv"],
            r"the folder '.*' does not exist",
        ),
    ],
)
def test_indices_data_errors_exit_1(town_csv, tmp_path, capsys, argv, message):
    bad = tmp_path / "bad.gpkg"
    bad.write_text("not a geopackage")
    argv = [a.format(dir=tmp_path, csv=town_csv[1], bad=bad) for a in argv]
    assert main(["indices", *argv]) == 1
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert last.startswith("segindex: error: ")
    assert re.search(message, last), err
    assert "Traceback" not in err
    assert all(line.startswith("segindex: ") for line in err.strip().splitlines())


# ---------------------------------------------------------------- segindex report on real data


@pytest.mark.realdata
def test_report_on_bradford(tmp_path, capsys):
    units = shared_data("uk", "boundaries", "bradford_lsoa2011.gpkg")
    census = shared_data("uk", "census2011", "lsoa2011_ethnicity_bradford.csv")
    schools = shared_data("uk", "schools", "spc_2022_23_school_ethnicity_bradford_geocoded.csv")
    out = tmp_path / "bradford"
    code = main(
        [
            "report",
            "--units",
            str(units),
            "--units-id",
            "LSOA11CD",
            "--census",
            str(census),
            "--census-id",
            "LSOA",
            "--schools",
            str(schools),
            "--area",
            "Bradford",
            "--groups",
            "pakistani",
            "indian",
            "--out",
            str(out),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    page = Path(captured.out.strip())
    text = _check_folder(page)
    assert "eleven years apart" in text
    assert "Office for National Statistics" in text and "Department for Education" in text
    assert 'class="synthetic"' not in text
    assert "310 residential units" in text and "192 schools" in text  # primary + secondary, all located
    t = pd.read_csv(out / "residential_indices.csv")
    d = t[(t.group == "pakistani") & (t.comparison == "rest") & (t["index"] == "dissimilarity")]["value"]
    # Bradford's Pakistani residents across LSOAs, 2011: D around 0.6 (Carling 2008 reports similar values)
    assert 0.5 < float(d.iloc[0]) < 0.75
    svn = pd.read_csv(out / "schools_vs_neighbourhoods.csv")
    assert set(svn["group"]) == {"white_british", "pakistani", "indian"}


@pytest.mark.realdata
def test_report_with_mismatched_codes_is_a_data_error(tmp_path, capsys):
    units = shared_data("uk", "boundaries", "bradford_lsoa2011.gpkg")
    census = shared_data("uk", "census2011", "lsoa2011_ethnicity_oldham.csv")
    schools = shared_data("uk", "schools", "spc_2022_23_school_ethnicity_bradford_geocoded.csv")
    code = main(
        [
            "report",
            "--units",
            str(units),
            "--census",
            str(census),
            "--schools",
            str(schools),
            "--area",
            "Bradford",
            "--out",
            str(tmp_path / "x"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert re.search(r"segindex: error: 310 of 310 areas of '.*' have no row in '.*oldham.csv'", err), err


@pytest.mark.realdata
def test_report_with_a_missing_file(tmp_path, capsys):
    units = shared_data("uk", "boundaries", "bradford_lsoa2011.gpkg")
    code = main(
        [
            "report",
            "--units",
            str(units),
            "--census",
            str(tmp_path / "none.csv"),
            "--schools",
            "s.csv",
            "--area",
            "Bradford",
            "--out",
            str(tmp_path / "x"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and "segindex: error:" in err and "none.csv" in err and "Traceback" not in err


@pytest.mark.realdata
def test_report_geocodes_schools_with_a_postcode_lookup(tmp_path, capsys):
    units = shared_data("uk", "boundaries", "bradford_lsoa2011.gpkg")
    census = shared_data("uk", "census2011", "lsoa2011_ethnicity_bradford.csv")
    schools = shared_data("uk", "schools", "spc_2022_23_school_ethnicity_bradford_geocoded.csv")
    lookup = shared_data("uk", "postcodes", "bd.csv")
    plain = tmp_path / "schools.csv"
    pd.read_csv(schools, dtype=str).drop(columns=["pqi", "easting", "northing"]).to_csv(plain, index=False)
    # the lookup in two files (as Code-Point Open ships one per postcode area): read as one
    rows = lookup.read_text().splitlines(keepends=True)
    halves = [tmp_path / "bd_a.csv", tmp_path / "bd_b.csv"]
    halves[0].write_text("".join(rows[: len(rows) // 2]))
    halves[1].write_text("".join(rows[len(rows) // 2 :]))
    code = main(
        [
            "report",
            "--units",
            str(units),
            "--census",
            str(census),
            "--census-id",
            "LSOA",
            "--schools",
            str(plain),
            "--postcodes",
            *map(str, halves),
            "--area",
            "Bradford",
            "--groups",
            "pakistani",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "segindex: geocoding 192 schools with" in captured.err
    text = _check_folder(Path(captured.out.strip()))
    # the Ilkley (LS29) schools are not in the BD lookup: left out, and said so in the report
    match = re.search(r"(\d+) of 192 schools have no location", text)
    assert match and 0 < int(match.group(1)) < 20
    assert f"{192 - int(match.group(1))} schools" in text


def test_report_with_an_unknown_census_layout_is_a_data_error(tmp_path, capsys):
    town = example_town(0, n_units=60, n_schools=10)
    gpkg = tmp_path / "units.gpkg"
    town.units.drop(columns="total").reset_index().to_file(gpkg, driver="GPKG")
    census = tmp_path / "census.csv"
    census.write_text("code,Persons\nU001,1\n")
    code = main(
        [
            "report",
            "--units",
            str(gpkg),
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
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert re.search(r"segindex: error: read_census_table\(\): '.*census.csv' is not a known census layout", err), err


def _load_example():
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "examples" / "bradford.py"
    spec = importlib.util.spec_from_file_location("bradford_example", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bradford_example_without_data_says_so(tmp_path, capsys, monkeypatch):
    example = _load_example()
    monkeypatch.setattr(example, "FILES", {"oa": tmp_path / "absent.csv"})
    assert example.main(["--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "needs ../shared/data beside the project" in err and "absent.csv" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.realdata
@pytest.mark.slow
def test_bradford_example_runs(tmp_path, capsys):
    for path in (
        "census2011/oa2011_ethnicity_bradford.csv",
        "census2011/lsoa2011_ethnicity_bradford.csv",
        "boundaries/bradford_lsoa2011.gpkg",
        "schools/spc_2022_23_school_ethnicity_bradford_geocoded.csv",
    ):
        shared_data("uk", *path.split("/"))
    out = tmp_path / "bradford-output"
    assert _load_example().main(["--out", str(out)]) == 0
    names = {p.name for p in out.iterdir()}
    assert {"indices.csv", "indices_by_group.png", "lq_pakistani.png", "schools_pakistani.png"} <= names
    table = pd.read_csv(out / "indices.csv")
    assert set(table["units"]) == {"OA", "LSOA"}
    printed = capsys.readouterr().out
    assert "Pakistani" in printed and "wrote 7 files" in printed


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--other", "WhiteBrit"], r"the comparison group 'WhiteBrit' is not a common group of both files"),
        (
            ["--groups", "Pakistani"],
            r"the group 'Pakistani' is not a common group of both files; choose from "
            r"white_british",
        ),
    ],
)
def test_report_group_names_are_the_common_ones(tmp_path, capsys, option, message):
    units = shared_data("uk", "boundaries", "bradford_lsoa2011.gpkg")
    census = shared_data("uk", "census2011", "lsoa2011_ethnicity_bradford.csv")
    schools = shared_data("uk", "schools", "spc_2022_23_school_ethnicity_bradford_geocoded.csv")
    code = main(
        [
            "report",
            "--units",
            str(units),
            "--census",
            str(census),
            "--schools",
            str(schools),
            "--area",
            "Bradford",
            *option,
            "--out",
            str(tmp_path / "x"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and re.search(message, err.strip().splitlines()[-1]), err
    assert not (tmp_path / "x").exists()
