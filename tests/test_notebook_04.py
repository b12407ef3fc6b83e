"""Run notebooks/04_change_2011_2021.ipynb from top to bottom (it reads ../shared/data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import shared_data
from tests.notebooks import execute_notebook

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "04_change_2011_2021.ipynb"


@pytest.mark.realdata
@pytest.mark.slow
def test_notebook_04_runs(tmp_path):
    for parts in (
        ("uk", "census2011", "lsoa2011_ethnicity_bradford.csv"),
        ("uk", "census2021", "census2021_ts021_lsoa21_ethnic20.csv"),
        ("uk", "lookups", "lsoa11_lsoa21_lad22_exactfit.csv"),
        ("us", "schools00.csv"),
        ("us", "schools05.csv"),
    ):
        shared_data(*parts)
    _, text, _ = execute_notebook("04_change_2011_2021.ipynb", figures_dir=tmp_path)
    assert "D fell while isolation rose in" in text
    assert (tmp_path / "trend_2011_2021.png").exists()
