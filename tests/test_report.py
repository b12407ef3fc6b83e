"""Tests of the HTML report: content, page, folder ownership, publication options, provenance."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import shared_data
from segindex.datasets import example_town
from segindex.indices.table import segregation_table
from segindex.report import MARKER, REAL_DATA_CAVEATS, write_report


def _links(page: Path) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', page.read_text(encoding="utf-8"))


def _check_folder(page: Path) -> str:
    """Every link of index.html is relative and points at an existing file; return the page text."""
    links = _links(page)
    assert links
    for link in links:
        assert not re.match(r"^[a-z]+:", link), link  # no http:, file:, data: ...
        assert not link.startswith("/"), link
        assert (page.parent / link).is_file(), link
    return page.read_text(encoding="utf-8")


def _checksums(folder: Path) -> dict:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def small_town():
    return example_town(2, choice=0.4, n_units=60, n_schools=12)


def _small(out, town, **kwargs):
    args = dict(
        units=town.units,
        groups=["pakistani", "indian"],
        total="total",
        area_name="Town",
        synthetic=True,
        map_groups=["indian"],
        n_draws=0,
    )
    args.update(kwargs)
    return write_report(out, **args)


@pytest.fixture(scope="module")
def small_report(small_town, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "nested" / "out"
    messages = []
    page = write_report(
        out,
        units=small_town.units,
        schools=small_town.schools,
        groups=small_town.groups,
        total="total",
        school_total="roll",
        other="white_british",
        area_name="Small <town>",
        synthetic=True,
        year="2031",
        description=small_town.description,
        sources=["Synthetic source"],
        caveats=["A caveat & more"],
        map_groups=["pakistani", "black_african"],
        progress=messages.append,
    )
    return page, messages


# ---------------------------------------------------------------- contents


def test_report_folder_is_self_contained(small_report):
    page, messages = small_report
    assert page.name == "index.html" and page.is_file()
    text = _check_folder(page)
    files = {p.name for p in page.parent.iterdir()}
    for name in (
        "residential_indices.csv",
        "population.csv",
        "schools_vs_neighbourhoods.csv",
        "indices_by_group.png",
        "map_share_pakistani.png",
        "map_lq_black_african.png",
        "schools_pakistani.png",
        "schools_vs_neighbourhoods_isolation.png",
        "nearest_school_dissimilarity.png",
        "nearest_school_isolation.png",
        "units.gpkg",
        "provenance.json",
    ):
        assert name in files
        assert name in text
    assert MARKER in files
    assert "map_share_bangladeshi.png" not in files  # only the groups asked for are mapped
    assert "https://" not in text and "http://" not in text
    assert messages[0] == "computing residential segregation indices" and messages[-1] == "writing index.html"
    assert not [p for p in page.parent.parent.iterdir() if p.name.startswith(".")]  # no temporary folder left


def test_every_image_opens_full_size_with_alt_text(small_report):
    text = small_report[0].read_text(encoding="utf-8")
    images = re.findall(r'<a href="([^"]+)"[^>]*><img src="([^"]+)" alt="([^"]*)"', text)
    assert len(images) == text.count("<img ") == 1 + 2 * 2 + 2 + 2 + 2  # bars, maps, scatters, benchmark, schools
    for href, src, alt in images:
        assert href == src and src.endswith(".png")
        assert len(alt) > 40 and "Small &lt;town&gt;, 2031" in alt  # says what, where and when
    # human group labels, the place and the year in titles and captions; no snake_case group names shown
    assert "Black African: share of residents" in text and "black_african:" not in text
    assert re.search(r"<td>Black African</td>", text)


def test_numbers_do_not_wrap_and_text_contrast_is_wcag_aa(small_report):
    text = small_report[0].read_text(encoding="utf-8")
    assert re.search(r"td\.num[^{]*\{[^}]*white-space: nowrap", text)
    assert re.search(r'<td class="num">0\.\d{3} \u2013 0\.\d{3}</td>', text)  # an interval, in one cell

    def luminance(colour):
        rgb = (
            [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
            if len(colour) == 7
            else [int(c * 2, 16) / 255 for c in colour[1:]]
        )
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    def contrast(a, b):
        hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
        return (hi + 0.05) / (lo + 0.05)

    css = re.search(r"<style>(.*?)</style>", text, re.S).group(1)
    texts = re.findall(r"(?<![-\w])color: (#[0-9a-fA-F]{3,6})", css)
    backgrounds = re.findall(r"background: (#[0-9a-fA-F]{3,6})", css) + ["#ffffff"]
    assert len(texts) >= 5 and len(backgrounds) >= 4
    for fg in texts:
        for bg in backgrounds:
            assert contrast(fg, bg) >= 4.5, (fg, bg)  # WCAG 2.1 AA for normal text


def test_report_says_synthetic_in_every_file(small_report):
    import pyogrio

    page = small_report[0]
    text = page.read_text(encoding="utf-8")
    assert 'class="synthetic"' in text and "SYNTHETIC DATA" in text
    assert "Small &lt;town&gt;" in text and "Small <town>" not in text
    assert "A caveat &amp; more" in text and "Synthetic source" in text
    for csv in page.parent.glob("*.csv"):
        frame = pd.read_csv(csv)
        assert frame.columns[0] == "synthetic" and frame["synthetic"].all(), csv.name
    layers = [name for name, _ in pyogrio.list_layers(page.parent / "units.gpkg")]
    assert layers == ["synthetic_units"]
    assert pyogrio.read_dataframe(page.parent / "units.gpkg")["synthetic"].all()
    # the GeoPackage carries the report's provenance in its layer metadata
    info = pyogrio.read_info(page.parent / "units.gpkg", layer=layers[0])
    record = json.loads(info["layer_metadata"]["segindex_provenance"])
    assert record == json.loads((page.parent / "provenance.json").read_text(encoding="utf-8"))


def test_report_csv_is_the_unrounded_table(small_report, small_town):
    csv = pd.read_csv(small_report[0].parent / "residential_indices.csv")
    expected = segregation_table(small_town.units, list(small_town.groups), total="total", other="white_british")
    assert np.allclose(csv["value"].to_numpy(), expected["value"].to_numpy(), rtol=1e-12, equal_nan=True)
    assert list(csv["index"]) == list(expected["index"])
    # snake_case headers, whole counts as integers, the focal group's count and the small-group flag
    assert all(re.fullmatch(r"[a-z0-9_]+", c) for c in csv.columns)
    assert pd.api.types.is_integer_dtype(csv["count"])
    row = csv[(csv.group == "pakistani") & (csv["index"] == "dissimilarity")].iloc[0]
    assert row["count"] == int(small_town.units["pakistani"].sum()) and not row["small_group"]
    pop = pd.read_csv(small_report[0].parent / "population.csv")
    assert pd.api.types.is_integer_dtype(pop["residents"]) and pd.api.types.is_integer_dtype(pop["pupils"])
    assert all(re.fullmatch(r"[a-z0-9_]+", c) for c in pop.columns)
    # the page shows them rounded to 3 decimals
    d = expected[
        (expected.group == "pakistani") & (expected.comparison == "rest") & (expected["index"] == "dissimilarity")
    ]["value"].iloc[0]
    assert f"{d:.3f}" in small_report[0].read_text(encoding="utf-8")


def test_small_groups_are_flagged(small_town, tmp_path):
    page = _small(tmp_path / "r", small_town, min_count=10_000)
    t = pd.read_csv(tmp_path / "r" / "residential_indices.csv")
    counts = small_town.units[["pakistani", "indian"]].sum()
    for g in ("pakistani", "indian"):
        assert bool(t[t.group == g]["small_group"].iloc[0]) == bool(counts[g] < 10_000)
    assert (counts < 10_000).any()
    assert "yes (&lt; 10000)" in page.read_text(encoding="utf-8")


def test_report_schools_vs_neighbourhoods(small_report, small_town):
    from segindex.indices.twogroup import dissimilarity, isolation

    t = pd.read_csv(small_report[0].parent / "schools_vs_neighbourhoods.csv")
    assert all(re.fullmatch(r"[a-z0-9_]+", c) for c in t.columns)
    row = t[(t.group == "pakistani") & (t["index"] == "dissimilarity")].iloc[0]
    assert row["schools"] == pytest.approx(dissimilarity(small_town.schools, "pakistani", total="roll"))
    assert row["neighbourhoods"] == pytest.approx(dissimilarity(small_town.units, "pakistani", total="total"))
    assert row["pupils"] == small_town.schools["pakistani"].sum()
    row = t[(t.group == "indian") & (t["index"] == "isolation")].iloc[0]
    assert row["schools"] == pytest.approx(isolation(small_town.schools, "indian", total="roll"))
    assert row["difference"] == pytest.approx(row["schools"] - row["neighbourhoods"])


def test_report_bootstrap_intervals_of_the_gap(small_report, small_town, tmp_path):
    from segindex import compare_schools_neighbourhoods
    from segindex.errors import SegindexTypeError

    t = pd.read_csv(small_report[0].parent / "schools_vs_neighbourhoods.csv")
    ref = compare_schools_neighbourhoods(
        small_town.units,
        small_town.schools,
        list(small_town.groups),
        total="total",
        school_total="roll",
        n_draws=199,
        random_state=0,
    ).set_index("group")
    row = t[(t.group == "pakistani") & (t["index"] == "dissimilarity")].iloc[0]
    assert row["difference_ci_low"] == pytest.approx(ref.loc["pakistani", "dissimilarity_difference_ci_low"], rel=1e-12)
    assert row["schools_ci_high"] == pytest.approx(ref.loc["pakistani", "dissimilarity_school_ci_high"], rel=1e-12)
    text = small_report[0].read_text(encoding="utf-8")
    assert "199 draws" in text and "centred on the bias-corrected estimate" in text
    assert "the measured value may lie outside its interval" in text
    if "schools_bias_corrected" in t.columns:  # the estimate each interval is centred on, shown before it
        assert '<th scope="col" class="num">bias-corrected</th><th scope="col" class="num">95% interval' in text
    # no intervals on request; counts that are not whole people: said, and left out
    units, schools = small_town.units, small_town.schools
    page = write_report(
        tmp_path / "none",
        units=units,
        schools=schools,
        groups=["pakistani"],
        total="total",
        school_total="roll",
        area_name="Town",
        synthetic=True,
        n_draws=0,
    )
    assert "difference_ci_low" not in pd.read_csv(page.parent / "schools_vs_neighbourhoods.csv").columns
    page = write_report(
        tmp_path / "half",
        units=units.assign(pakistani=units["pakistani"] + 0.5),
        schools=schools,
        groups=["pakistani"],
        total="total",
        school_total="roll",
        area_name="Town",
        synthetic=True,
    )
    text = page.read_text(encoding="utf-8")
    assert "No intervals:" in text and "not a whole number" in text and "&#39;pakistani&#39;" in text
    with pytest.raises(SegindexTypeError, match="'n_draws' must be None or a whole number of draws"):
        write_report(tmp_path / "bad", units=units, groups=["pakistani"], area_name="Town", n_draws=1.5)
    with pytest.raises(SegindexTypeError, match="'n_bootstrap' is now called 'n_draws'"):
        write_report(tmp_path / "old", units=units, groups=["pakistani"], area_name="Town", n_bootstrap=9)
    with pytest.raises(SegindexTypeError, match="'reference' is now called 'other'"):
        write_report(tmp_path / "old", units=units, groups=["pakistani"], area_name="Town", reference="indian")


def test_report_nearest_school_benchmark(small_report, small_town):
    # residents (groups and the rest) scaled to the pupils, placed in schools holding their rolls
    from segindex import dissimilarity, isolation, nearest_school_allocation
    from segindex.counts import REST

    t = pd.read_csv(small_report[0].parent / "schools_vs_neighbourhoods.csv")
    groups = list(small_town.groups)
    units = small_town.units.assign(**{REST: small_town.units["total"] - small_town.units[groups].sum(axis=1)})
    columns = [*groups, REST]
    share = small_town.schools["roll"].sum() / units[columns].to_numpy().sum()
    alloc = nearest_school_allocation(units, small_town.schools, columns, capacity="roll", share=share)
    alloc["all"] = alloc[columns].sum(axis=1)
    for g in ("pakistani", "white_british"):
        row = t[(t.group == g) & (t["index"] == "dissimilarity")].iloc[0]
        assert row["nearest_school"] == pytest.approx(dissimilarity(alloc, g, total="all"), rel=1e-9)
        assert row["schools_minus_nearest_school"] == pytest.approx(row["schools"] - row["nearest_school"])
        row = t[(t.group == g) & (t["index"] == "isolation")].iloc[0]
        assert row["nearest_school"] == pytest.approx(isolation(alloc, g, total="all"), rel=1e-9)
    text = small_report[0].read_text(encoding="utf-8")
    assert "Against the nearest school" in text and 'src="nearest_school_isolation.png"' in text


def test_report_leaves_the_benchmark_out_without_a_projected_crs(small_town, tmp_path):
    units = small_town.units.to_crs(4326)
    schools = small_town.schools.to_crs(4326)
    page = write_report(
        tmp_path / "r",
        units=units,
        schools=schools,
        groups=["pakistani", "indian"],
        total="total",
        school_total="roll",
        area_name="Town",
        synthetic=True,
        map_groups=["indian"],
    )
    text = page.read_text(encoding="utf-8")
    assert "nearest-school benchmark is left out: the units are not in a projected CRS" in text
    assert "nearest_school" not in pd.read_csv(tmp_path / "r" / "schools_vs_neighbourhoods.csv").columns
    assert not (tmp_path / "r" / "nearest_school_dissimilarity.png").exists()


def test_report_without_schools_or_totals(small_town, tmp_path):
    units = small_town.units.drop(columns="total")
    page = write_report(
        tmp_path / "r",
        units=units,
        groups=["pakistani", "indian", "white_british"],
        area_name="Town",
        caveats=REAL_DATA_CAVEATS,
        map_groups=["indian"],
    )
    text = _check_folder(page)
    assert "eleven years apart" in text
    assert 'class="synthetic"' not in text
    assert "Schools and neighbourhoods" not in text
    assert not (tmp_path / "r" / "schools_vs_neighbourhoods.csv").exists()
    assert "synthetic" not in pd.read_csv(tmp_path / "r" / "population.csv").columns


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"units": "table"}, TypeError, r"'units' must be a GeoDataFrame"),
        ({"groups": ["pakistani", "nope"]}, ValueError, r"column 'nope' is not in 'units'"),
        ({"groups": "pakistani"}, TypeError, r"'groups' must be a list"),
        ({"groups": []}, ValueError, r"'groups' is empty"),
        ({"other": "irish"}, ValueError, r"comparison group 'irish' is not one of the groups"),
        ({"reference": "pakistani"}, TypeError, r"'reference' is now called 'other'"),
        ({"area_name": " "}, ValueError, r"'area_name' must be a non-empty string"),
        ({"map_groups": ["irish"]}, ValueError, r"map_groups \['irish'\] are not among the groups"),
        ({"school_total": "headcount"}, ValueError, r"column 'headcount' is not in 'schools'"),
        ({"schools": "crs"}, ValueError, r"different CRSs"),
        ({"n_draws": -1}, TypeError, r"'n_draws' must be None or a whole number of draws"),
        ({"suppress_below": 0}, TypeError, r"'suppress_below' must be None or a whole number >= 1"),
        ({"round_to": 2.5}, TypeError, r"'round_to' must be None or a whole number >= 1"),
        ({"min_count": True}, TypeError, r"'min_count' must be a whole number >= 0"),
        ({"year": 2.5}, TypeError, r"'year' must be a string"),
        ({"inputs": 3}, TypeError, r"'inputs' must be a list of file paths"),
        ({"inputs": ["no/such/file.csv"]}, ValueError, r"the input 'no/such/file.csv' given in 'inputs' is not a file"),
    ],
)
def test_report_errors(small_town, tmp_path, change, error, match):
    kwargs = dict(
        units=small_town.units,
        schools=small_town.schools,
        groups=["pakistani", "indian"],
        total="total",
        school_total="roll",
        area_name="Town",
    )
    kwargs.update(change)
    if isinstance(kwargs["units"], str):
        kwargs["units"] = pd.DataFrame(small_town.units.drop(columns="geometry"))
    if isinstance(kwargs["schools"], str):
        kwargs["schools"] = small_town.schools.to_crs(4326)
    with pytest.raises(error, match=match):
        write_report(tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- the folder is owned


def test_report_refuses_a_file_as_folder(small_town, tmp_path):
    target = tmp_path / "taken"
    target.write_text("x")
    with pytest.raises(ValueError, match=r"exists and is not a folder"):
        write_report(target, units=small_town.units, groups=["pakistani"], total="total", area_name="Town")
    assert target.read_text() == "x"


def test_report_refuses_a_folder_it_does_not_own(small_town, tmp_path, monkeypatch):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "population.csv").write_text("my,own\n1,2\n")
    town = example_town(0, n_units=40, n_schools=5)
    town.units.to_file(mine / "units.gpkg", layer="mine", driver="GPKG")
    before = _checksums(mine)
    with pytest.raises(
        ValueError,
        match=r"the folder '.*mine' is not empty \('population.csv', 'units.gpkg'\) "
        r"and holds no earlier segindex report",
    ):
        _small(mine, small_town)
    monkeypatch.chdir(mine)
    with pytest.raises(ValueError, match=r"is not empty"):
        _small(".", small_town)
    assert _checksums(mine) == before
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _small(empty, small_town) == empty.resolve() / "index.html"


def test_report_never_writes_over_its_inputs(small_town, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    source = data / "census.csv"
    source.write_text("a,b\n1,2\n")
    link = tmp_path / "alias"
    link.symlink_to(data, target_is_directory=True)
    for out, given in ((data, [source]), (link, [source]), (tmp_path, [link / "census.csv"]), (source, [str(source)])):
        with pytest.raises(ValueError, match=r"is or contains the input file\(s\) '.*census.csv'.*never writes"):
            _small(out, small_town, inputs=given)
    assert source.read_text() == "a,b\n1,2\n"


def test_a_rerun_replaces_the_earlier_report_whole(small_town, tmp_path):
    out = tmp_path / "report"
    _small(out, small_town, map_groups=["pakistani", "indian"])
    assert (out / "map_share_pakistani.png").exists()
    _small(out, small_town, map_groups=["indian"])
    assert not (out / "map_share_pakistani.png").exists()  # no stale maps of an earlier run
    assert (out / "map_share_indian.png").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # nothing left beside it


def test_an_interrupted_run_leaves_the_earlier_report_whole(small_town, tmp_path, monkeypatch):
    from segindex.report import content

    out = tmp_path / "report"
    _small(out, small_town, map_groups=["indian"])
    before = _checksums(out)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(content, "_map_figures", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _small(out, small_town, map_groups=["pakistani"])
    assert _checksums(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # the partial build is gone
    with pytest.raises(KeyboardInterrupt):  # a first run interrupted leaves nothing
        _small(tmp_path / "new", small_town)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


@pytest.mark.realdata
def test_report_command_never_alters_the_users_files(tmp_path, monkeypatch, capsys):
    """`segindex report --out .` among the input files: refused, every input byte for byte unchanged."""
    import shutil

    from segindex.cli import main

    files = [
        shared_data("uk", "boundaries", "bradford_lsoa2011.gpkg"),
        shared_data("uk", "census2011", "lsoa2011_ethnicity_bradford.csv"),
        shared_data("uk", "schools", "spc_2022_23_school_ethnicity_bradford_geocoded.csv"),
    ]
    work = tmp_path / "work"
    work.mkdir()
    for f in files:
        shutil.copy(f, work / f.name)
        (work / f.name).chmod(0o644)
    (work / "population.csv").write_text("my own table\n")
    before = _checksums(work)
    monkeypatch.chdir(work)
    code = main(
        [
            "report",
            "--units",
            files[0].name,
            "--units-id",
            "LSOA11CD",
            "--census",
            files[1].name,
            "--census-id",
            "LSOA",
            "--schools",
            files[2].name,
            "--area",
            "Bradford",
            "--groups",
            "pakistani",
            "--draws",
            "0",
            "--out",
            ".",
        ]
    )
    err = capsys.readouterr().err
    assert code != 0 and ("is not empty" in err or "holds the input" in err) and "Traceback" not in err
    assert _checksums(work) == before


# ---------------------------------------------------------------- publication and provenance


def test_small_counts_suppressed_for_publication(small_town, tmp_path):
    import pyogrio

    exact = _small(tmp_path / "exact", small_town, groups=["pakistani", "bangladeshi"], map_groups=["bangladeshi"])
    page = _small(
        tmp_path / "pub", small_town, groups=["pakistani", "bangladeshi"], map_groups=["bangladeshi"], suppress_below=20
    )
    # the indices are computed on the exact counts
    a = pd.read_csv(exact.parent / "residential_indices.csv")
    b = pd.read_csv(page.parent / "residential_indices.csv")
    np.testing.assert_allclose(a["value"], b["value"], rtol=0, atol=0)
    text = page.read_text(encoding="utf-8")
    assert "counts from 1 to 19 are suppressed" in text and "Every index is computed on the exact counts" in text
    counts = small_town.units["bangladeshi"].to_numpy()
    hidden = (counts > 0) & (counts < 20)
    assert hidden.any() and (~hidden).any()
    layer = pyogrio.read_dataframe(page.parent / "units.gpkg")
    assert layer["share_bangladeshi"].isna().to_numpy()[hidden].all()
    assert layer["share_bangladeshi"].notna().to_numpy()[~hidden].all()
    # a table whose group count is below the threshold shows "<N", in the page and in the CSV
    small = _small(
        tmp_path / "tiny", small_town, groups=["bangladeshi"], map_groups=["bangladeshi"], suppress_below=10**6
    )
    assert "&lt;1000000" in small.read_text(encoding="utf-8")
    assert pd.read_csv(small.parent / "population.csv")["residents"].iloc[0] == "<1000000"
    assert pd.read_csv(small.parent / "residential_indices.csv")["count"].astype(str).eq("<1000000").all()


def test_counts_rounded_for_publication(small_report, small_town, tmp_path):
    page = write_report(
        tmp_path / "r",
        units=small_town.units,
        schools=small_town.schools,
        groups=["pakistani", "indian"],
        total="total",
        school_total="roll",
        area_name="Town",
        synthetic=True,
        map_groups=["indian"],
        n_draws=0,
        round_to=5,
    )
    assert "counts are rounded to the nearest 5" in page.read_text(encoding="utf-8")
    pop = pd.read_csv(page.parent / "population.csv")
    assert (pop[["residents", "pupils"]] % 5 == 0).all().all()
    svn = pd.read_csv(page.parent / "schools_vs_neighbourhoods.csv")
    assert (svn[["residents", "pupils"]] % 5 == 0).all().all()
    exact = pd.read_csv(small_report[0].parent / "schools_vs_neighbourhoods.csv").set_index(["group", "index"])
    row = svn.set_index(["group", "index"]).loc[("indian", "isolation")]
    assert row["schools"] == exact.loc[("indian", "isolation"), "schools"]  # indices on the exact counts
    assert "For publication" not in small_report[0].read_text(encoding="utf-8")


def test_provenance_in_the_footer_and_beside_the_page(small_town, tmp_path):
    from segindex import __version__

    source = tmp_path / "units.csv"
    small_town.units.drop(columns="geometry").to_csv(source)
    page = _small(tmp_path / "r", small_town, inputs=[source], vintages=["Synthetic, made today"], random_state=7)
    record = json.loads((page.parent / "provenance.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    assert record["segindex_version"] == __version__ and record["random_state"] == 7
    assert record["inputs"] == [{"name": "units.csv", "bytes": source.stat().st_size, "sha256": digest}]
    assert record["data_vintages"] == ["Synthetic, made today"]
    assert record["parameters"]["groups"] == ["pakistani", "indian"] and record["parameters"]["n_draws"] == 0
    text = page.read_text(encoding="utf-8")
    footer = text[text.index("<footer>") :]
    assert __version__ in footer and digest in footer and "Synthetic, made today" in footer
    assert str(tmp_path) not in json.dumps(record) and str(tmp_path) not in text  # no folders of the machine
    marker = json.loads((page.parent / MARKER).read_text(encoding="utf-8"))
    assert marker == {"segindex_report": True, "version": __version__}


def test_a_rerun_from_inside_the_report_folder(small_town, tmp_path, monkeypatch):
    out = tmp_path / "report"
    _small(out, small_town, map_groups=["pakistani", "indian"])
    monkeypatch.chdir(out)
    page = _small(".", small_town, map_groups=["indian"])
    assert page == out.resolve() / "index.html" and page.is_file()
    assert not (out / "map_share_pakistani.png").exists() and (out / "map_share_indian.png").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_a_folder_that_cannot_be_renamed_is_refilled(small_town, tmp_path, monkeypatch):
    """A mount point or a folder held open elsewhere (Windows) cannot be renamed: its entries are swapped."""
    import os

    from segindex.report import folder

    out = tmp_path / "report"
    _small(out, small_town, map_groups=["pakistani", "indian"])
    real = os.replace

    def refuse_the_folder(src, dst):
        if Path(src) == out.resolve():
            raise PermissionError("in use")
        return real(src, dst)

    monkeypatch.setattr(folder.os, "replace", refuse_the_folder)
    _small(out, small_town, map_groups=["indian"])
    assert not (out / "map_share_pakistani.png").exists() and (out / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_the_bias_corrected_estimate_is_shown_before_its_interval(small_town, tmp_path, monkeypatch):
    """Once the comparison reports `<index>_<side>_bias_corrected`, the page shows it before the interval."""
    import functools

    import segindex.schools

    real = segindex.schools.compare_schools_neighbourhoods

    @functools.wraps(real)
    def with_bias_corrected(*args, **kwargs):
        table = real(*args, **kwargs)
        for index_name in ("dissimilarity", "isolation"):
            for side in ("school", "residential", "difference"):
                low, high = table[f"{index_name}_{side}_ci_low"], table[f"{index_name}_{side}_ci_high"]
                table[f"{index_name}_{side}_bias_corrected"] = (low + high) / 2
        return table

    monkeypatch.setattr(segindex.schools, "compare_schools_neighbourhoods", with_bias_corrected)
    page = write_report(
        tmp_path / "r",
        units=small_town.units,
        schools=small_town.schools,
        groups=["pakistani", "indian"],
        total="total",
        school_total="roll",
        area_name="Town",
        synthetic=True,
        map_groups=["indian"],
        n_draws=49,
    )
    text = page.read_text(encoding="utf-8")
    assert (
        '<th scope="col" class="num">measured</th><th scope="col" class="num">bias-corrected</th>'
        '<th scope="col" class="num">95% interval</th>'
    ) in text
    assert "centred on the bias-corrected estimate\nshown beside it" in text
    assert "bias-corrected estimates with their 95% intervals" in text
    t = pd.read_csv(page.parent / "schools_vs_neighbourhoods.csv")
    columns = list(t.columns)
    i = columns.index("schools_bias_corrected")
    assert columns[i - 1 : i + 3] == ["schools", "schools_bias_corrected", "schools_ci_low", "schools_ci_high"]
    row = t.iloc[0]
    cell = f'{row["schools_bias_corrected"]:.3f}</td><td class="num">{row["schools_ci_low"]:.3f} \u2013 '
    assert cell in text
