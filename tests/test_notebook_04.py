"""Run notebooks/04_change_2011_2021.ipynb from top to bottom (it reads ../shared/data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA, shared_data

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "04_change_2011_2021.ipynb"


@pytest.mark.realdata
@pytest.mark.slow
def test_notebook_04_runs():
    for parts in (("uk", "census2011", "lsoa2011_ethnicity_bradford.csv"),
                  ("uk", "census2021", "census2021_ts021_lsoa21_ethnic20.csv"),
                  ("uk", "lookups", "lsoa11_lsoa21_lad22_exactfit.csv"),
                  ("us", "schools00.csv"), ("us", "schools05.csv")):
        shared_data(*parts)
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit the notebook without outputs"
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                     if o.output_type == "stream")
    assert "D fell while isolation rose in" in text
    assert SHARED_DATA.exists()
