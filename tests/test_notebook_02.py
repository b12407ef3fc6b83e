"""Run notebooks/02_schools_vs_neighbourhoods.ipynb from top to bottom (it reads ../shared/data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import shared_data
from tests.notebooks import execute_notebook

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "02_schools_vs_neighbourhoods.ipynb"
LAS = ("bradford", "oldham", "blackburn_with_darwen", "leicester", "tower_hamlets")


@pytest.mark.realdata
@pytest.mark.slow
def test_notebook_02_runs(tmp_path):
    for la in LAS:
        shared_data("uk", "schools", f"spc_2022_23_school_ethnicity_{la}_geocoded.csv")
        shared_data("uk", "census2011", f"oa2011_ethnicity_{la}.csv")
        shared_data("uk", "census2011", f"lsoa2011_ethnicity_{la}.csv")
    shared_data("uk", "boundaries", "bradford_lsoa2011.gpkg")
    shared_data("uk", "boundaries", "tower_hamlets_lsoa2011_gen20.gpkg")
    for la in ("oldham", "blackburn_with_darwen", "leicester"):
        shared_data("uk", "boundaries", f"lsoa11_bsc_{la}.geojson")
    shared_data("uk", "schools", "spc_2022_23_school_ethnicity_england.csv")
    shared_data("uk", "census2011", "oa2011_ethnicity_england_wales.csv.gz")
    _, text, _ = execute_notebook("02_schools_vs_neighbourhoods.ipynb", figures_dir=tmp_path)
    assert "School D above residential D across MSOAs" in text
    assert "authorities with no district: []" in text  # every English authority received its districts
    assert "primary schools flagged" in text
    for name in ("schools_vs_neighbourhoods.png", "national_scatter.png"):
        assert 10_000 < (tmp_path / name).stat().st_size < 250_000
