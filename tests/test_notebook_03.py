"""Run notebooks/03_typology_and_scale.ipynb from top to bottom (it reads ../shared/data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import shared_data

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "03_typology_and_scale.ipynb"


@pytest.mark.realdata
@pytest.mark.slow
def test_notebook_03_runs():
    for la in ("bradford", "tower_hamlets"):
        shared_data("uk", "census2011", f"oa2011_ethnicity_{la}.csv")
        shared_data("uk", "census2011", f"lsoa2011_ethnicity_{la}.csv")
    shared_data("uk", "boundaries", "bradford_lsoa2011.gpkg")
    shared_data("uk", "boundaries", "tower_hamlets_lsoa2011_gen20.gpkg")
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit the notebook without outputs"
    # the test must not rewrite the committed README figure
    setup = [c for c in nb.cells if c.cell_type == "code" and "SAVE_FIGURES = True" in c.source]
    assert len(setup) == 1
    setup[0].source = setup[0].source.replace("SAVE_FIGURES = True", "SAVE_FIGURES = False")
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    text = "\n".join(o.get("data", {}).get("text/plain", "") for c in nb.cells if c.cell_type == "code"
                     for o in c.get("outputs", []))
    # the OA / LSOA threshold table: recompute the two Bradford figures with plain pandas
    import pandas as pd

    for scale in ("oa", "lsoa"):
        counts = pd.read_csv(shared_data("uk", "census2011", f"{scale}2011_ethnicity_bradford.csv"))
        inside = counts["Pakistani"] >= 0.75 * counts["Persons"]
        share = 100 * counts.loc[inside, "Pakistani"].sum() / counts["Pakistani"].sum()
        assert f"{share:.1f}" in text, (scale, share)
