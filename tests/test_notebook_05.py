"""Run notebooks/05_wards_and_two_decades.ipynb from top to bottom (it reads ../shared/data)."""

from __future__ import annotations

import pytest

from tests.conftest import shared_data
from tests.notebooks import execute_notebook


@pytest.mark.realdata
@pytest.mark.slow
def test_notebook_05_runs(tmp_path):
    for parts in (
        ("census2001", "lsoa2001_ethnicity_bradford_town.csv"),
        ("census2011", "lsoa2011_ethnicity_england_wales.csv"),
        ("census2021", "census2021_ts021_lsoa21_ethnic20.csv"),
        ("lookups", "lsoa01_lsoa11_lad11_lookup.csv"),
        ("lookups", "lsoa11_lsoa21_lad22_exactfit.csv"),
        ("lookups", "lsoa01_ward2011_bestfit.csv"),
        ("lookups", "ward2011_cmwd2011_lad11.csv"),
        ("boundaries", "cmwd2011_five_towns.gpkg"),
        ("boundaries", "bradford_lsoa2011.gpkg"),
        ("schools", "spc_2022_23_school_ethnicity_bradford_geocoded.csv"),
    ):
        shared_data("uk", *parts)
    _, text, _ = execute_notebook("05_wards_and_two_decades.ipynb", figures_dir=tmp_path)
    assert "7 of 310 LSOAs placed differently" in text
    assert "2001->2011" in text and "2011->2021: " in text
    assert text.count("D fell while isolation rose") == 2
    assert "15 of 30 wards covered completely by the 2001 table" in text
    assert (tmp_path / "wards_two_decades.png").exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "wards_two_decades.png"]  # nothing else written
