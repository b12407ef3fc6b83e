"""Run notebooks/01_residential_segregation.ipynb from top to bottom (it reads ../shared/data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import shared_data
from tests.notebooks import execute_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "01_residential_segregation.ipynb"


def test_notebook_01_is_committed_without_outputs():
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.realdata
@pytest.mark.slow
def test_notebook_01_runs(tmp_path):
    shared_data("uk", "census2011", "oa2011_ethnicity_bradford.csv")
    shared_data("uk", "census2011", "lsoa2011_ethnicity_bradford.csv")
    shared_data("uk", "boundaries", "bradford_lsoa2011.gpkg")
    _, text, _ = execute_notebook(NOTEBOOK.name, figures_dir=tmp_path)
    assert "1,528 output areas, 310 LSOAs, 310 LSOA boundaries" in text
    assert "D higher across OAs than across LSOAs for every group: True" in text
    assert "of the OA-level segregation (M) lies between LSOAs" in text
    figure = tmp_path / "bradford_pakistani_lq.png"
    assert 10_000 < figure.stat().st_size < 250_000
