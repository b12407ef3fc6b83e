"""Run notebooks/03_typology_and_scale.ipynb from top to bottom (it reads ../shared/data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import shared_data
from tests.notebooks import execute_notebook

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "03_typology_and_scale.ipynb"


@pytest.mark.realdata
@pytest.mark.slow
def test_notebook_03_runs(tmp_path):
    for la in ("bradford", "tower_hamlets"):
        shared_data("uk", "census2011", f"oa2011_ethnicity_{la}.csv")
        shared_data("uk", "census2011", f"lsoa2011_ethnicity_{la}.csv")
    shared_data("uk", "boundaries", "bradford_lsoa2011.gpkg")
    shared_data("uk", "boundaries", "tower_hamlets_lsoa2011_gen20.gpkg")
    _, _, text = execute_notebook("03_typology_and_scale.ipynb", figures_dir=tmp_path)
    # the OA / LSOA threshold table: recompute the two Bradford figures with plain pandas
    import pandas as pd

    for scale in ("oa", "lsoa"):
        counts = pd.read_csv(shared_data("uk", "census2011", f"{scale}2011_ethnicity_bradford.csv"))
        inside = counts["Pakistani"] >= 0.75 * counts["Persons"]
        share = 100 * counts.loc[inside, "Pakistani"].sum() / counts["Pakistani"].sum()
        assert f"{share:.1f}" in text, (scale, share)
