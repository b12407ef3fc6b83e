"""The core indices on real public data (skipped when ../shared/data is absent).

* 2011 Census output areas (OA) and lower-layer super output areas (LSOA) of
  five local authorities, usual residents by ethnic group (ONS, Open
  Government Licence v3.0): consistency checks and a cross-check of every
  two-group index and of H and multigroup D against PySAL ``segregation``.
* ``schools00`` from the R package ``segregation`` (B. Elbers, MIT licence):
  its published M/H between-within decomposition.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import shared_data
from segindex.counts import to_wide
from segindex.indices.multigroup import (
    entropy_index,
    multigroup_dissimilarity,
    mutual_information,
    mutual_information_decomposition,
    mutual_information_within,
)
from segindex.indices.twogroup import atkinson, correlation_ratio, dissimilarity, exposure, gini, isolation

pytestmark = pytest.mark.realdata

AUTHORITIES = ["bradford", "oldham", "blackburn_with_darwen", "leicester", "tower_hamlets"]
GROUPS = [
    "WhiteBrit",
    "Irish",
    "OtherWhite",
    "Mixed",
    "Indian",
    "Pakistani",
    "Bangladeshi",
    "Chinese",
    "OtherAsian",
    "BlkAfrican",
    "BlkCaribbean",
    "OtherBlk",
    "Arab",
    "Other",
    "GypsyTraveller",
]
# groups checked one by one: the large South Asian groups of these towns and the majority
FOCAL = ["WhiteBrit", "Pakistani", "Indian", "Bangladeshi"]


def _read(level: str, la: str) -> pd.DataFrame:
    return pd.read_csv(shared_data("uk", "census2011", f"{level}2011_ethnicity_{la}.csv"))


@pytest.fixture(scope="module")
def oas():
    return {la: _read("oa", la) for la in AUTHORITIES}


@pytest.fixture(scope="module")
def lsoas():
    return {la: _read("lsoa", la) for la in AUTHORITIES}


def test_groups_sum_to_persons(oas, lsoas):
    for frames in (oas, lsoas):
        for la, df in frames.items():
            np.testing.assert_array_equal(df[GROUPS].sum(axis=1), df["Persons"], err_msg=la)


def test_by_lad_on_the_concatenated_table_equals_each_file(oas):
    everything = pd.concat(oas.values(), ignore_index=True)
    d = dissimilarity(everything, "Pakistani", total="Persons", by="LAD")
    iso = isolation(everything, "Bangladeshi", total="Persons", by="LAD")
    H = entropy_index(everything, GROUPS, by="LAD")
    assert len(d) == 5 and d.index.name == "LAD"
    for df in oas.values():
        name = df["LAD"].iloc[0]
        assert d[name] == pytest.approx(dissimilarity(df, "Pakistani", total="Persons"), rel=1e-12)
        assert iso[name] == pytest.approx(isolation(df, "Bangladeshi", total="Persons"), rel=1e-12)
        assert H[name] == pytest.approx(entropy_index(df, GROUPS), rel=1e-12)
    # a sanity reading of the numbers: Pakistani residents of Bradford are strongly segregated (D ~ 0.69)
    assert 0.6 < d["Bradford"] < 0.8


def test_oa_sums_equal_lsoa_rows(oas, lsoas):
    for la in AUTHORITIES:
        summed = oas[la].groupby("LSOA")[["Persons"] + GROUPS].sum().sort_index()
        lsoa = lsoas[la].set_index("LSOA")[["Persons"] + GROUPS].sort_index()
        pd.testing.assert_frame_equal(summed, lsoa, check_dtype=False)
        for g in ("Pakistani", "WhiteBrit"):
            assert dissimilarity(summed, g, total="Persons") == pytest.approx(
                dissimilarity(lsoa, g, total="Persons"), rel=1e-13
            )
        # coarser units hide segregation inside them
        assert dissimilarity(lsoa, "Pakistani", total="Persons") <= dissimilarity(oas[la], "Pakistani", total="Persons")


@pytest.mark.parametrize("la", AUTHORITIES)
def test_matches_pysal_segregation(oas, la, monkeypatch):
    """Every two-group index, H and multigroup D against PySAL segregation 2.6 on the same OAs."""
    singlegroup = pytest.importorskip("segregation.singlegroup")
    multigroup = pytest.importorskip("segregation.multigroup")
    # PySAL's Gini kernel is numba-compiled without a disk cache: 10-15 s of compilation in every
    # process. Its own Python source (the dispatcher's py_func) computes the same sum in a fraction
    # of that at these sizes, so the test runs PySAL's Gini class on that.
    gini_module = pytest.importorskip("segregation.singlegroup.gini")
    if hasattr(gini_module._gini_vecp, "py_func"):
        monkeypatch.setattr(gini_module, "_gini_vecp", gini_module._gini_vecp.py_func)
    df = oas[la]
    pysal = {
        "D": (singlegroup.Dissim, dissimilarity),
        "Gini": (singlegroup.Gini, gini),
        "Atkinson": (singlegroup.Atkinson, atkinson),
        "Isolation": (singlegroup.Isolation, isolation),
        "CorrelationR": (singlegroup.CorrelationR, correlation_ratio),
    }
    for g in FOCAL:
        for name, (cls, ours) in pysal.items():
            expected = cls(df, g, "Persons").statistic
            assert ours(df, g, total="Persons") == pytest.approx(expected, rel=1e-10), (g, name)
        # PySAL's Interaction is the exposure of the group to the rest of the population
        rest = df.assign(rest=df["Persons"] - df[g])
        expected = singlegroup.Interaction(df, g, "Persons").statistic
        assert exposure(rest, g, "rest", total="Persons") == pytest.approx(expected, rel=1e-10), (g, "Interaction")
    assert entropy_index(df, GROUPS) == pytest.approx(multigroup.MultiInfoTheory(df, GROUPS).statistic, rel=1e-10)
    assert multigroup_dissimilarity(df, GROUPS) == pytest.approx(
        multigroup.MultiDissim(df, GROUPS).statistic, rel=1e-10
    )


# ----------------------------------------------------------------------------
# schools00 (R package segregation)

RACES = ["asian", "black", "hisp", "native", "white"]


@pytest.fixture(scope="module")
def schools00():
    long = pd.read_csv(shared_data("us", "schools00.csv"))
    return to_wide(long, unit="school", group="race", count="n", keep=["state", "district"])


def test_schools00_between_within_decomposition(schools00):
    # Published figures: B. Elbers, "A walkthrough of the segregation package" (package vignette),
    # section "Between-Within decomposition", schools00, races asian/black/hisp/native/white,
    # units = schools, within = state:
    #   M: total 0.426 = between 0.0992 + within 0.326;  H: total 0.419 = between 0.0977 + within 0.321
    d = mutual_information_decomposition(schools00, RACES, within="state")
    M = dict(zip(d["component"], d["M"]))
    H = dict(zip(d["component"], d["H"]))
    assert round(M["total"], 3) == 0.426
    assert round(M["between"], 4) == 0.0992
    assert round(M["within"], 3) == 0.326
    assert round(H["total"], 3) == 0.419
    assert round(H["between"], 4) == 0.0977
    assert round(H["within"], 3) == 0.321
    assert round(mutual_information(schools00, RACES), 3) == 0.426
    assert round(entropy_index(schools00, RACES), 3) == 0.419


def test_schools00_state_contributions(schools00):
    # Same vignette and section: state A holds 27.7 % of the population and contributes 26.6 % of total M
    w = mutual_information_within(schools00, RACES, within="state")
    total = mutual_information(schools00, RACES)
    assert round(w.loc["A", "p"] * 100, 1) == 27.7
    assert round(w.loc["A", "contribution"] / total * 100, 1) == 26.6
    assert w["p"].sum() == pytest.approx(1.0)
