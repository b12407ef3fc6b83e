"""Tests of the common ethnic classification and to_common."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segindex.classification import (
    BROAD_GROUPS,
    BROAD_OF,
    CENSUS2011,
    CENSUS2021,
    CENSUS2021_ROMA_GRT,
    COMMON_GROUPS,
    ONS_TS021_LABELS,
    SCHOOL_CENSUS,
    SCHOOL_CENSUS_COLUMNS,
    UNCLASSIFIED,
    to_common,
)
from segindex.errors import SegindexTypeError, SegindexValueError
from tests.conftest import shared_data

# ---------------------------------------------------------------------------
# the mappings themselves


@pytest.mark.parametrize("mapping", [CENSUS2011, CENSUS2021, CENSUS2021_ROMA_GRT, SCHOOL_CENSUS])
def test_every_mapping_reaches_every_common_group(mapping):
    targets = {t for t in mapping.values() if t is not None}
    assert set(COMMON_GROUPS) <= targets
    assert targets <= set(COMMON_GROUPS) | {UNCLASSIFIED}


def test_broad_of_covers_every_group_once():
    assert set(BROAD_OF) == set(COMMON_GROUPS) | {UNCLASSIFIED}
    assert set(BROAD_OF.values()) == set(BROAD_GROUPS) | {UNCLASSIFIED}


def test_contestable_choices_are_as_documented():
    assert CENSUS2011["Arab"] == "other" and CENSUS2021["other_arab"] == "other"
    assert CENSUS2021["white_roma"] == "white_other"  # 2011-comparable
    assert CENSUS2021_ROMA_GRT["white_roma"] == "gypsy_roma_traveller"  # school-comparable
    assert SCHOOL_CENSUS["gypsy_roma"] == "gypsy_roma_traveller"
    assert SCHOOL_CENSUS["unclassified"] == UNCLASSIFIED
    assert BROAD_OF["chinese"] == "asian"
    for total in ("total", "white_all", "mixed_all", "asian_all", "black_all", "other_all"):
        assert CENSUS2021[total] is None
    assert CENSUS2011["Persons"] is None and SCHOOL_CENSUS["headcount"] is None


def test_school_short_names_are_the_mapping_keys():
    assert set(SCHOOL_CENSUS_COLUMNS.values()) == set(SCHOOL_CENSUS)


def test_ons_labels_cover_the_short_2021_names():
    assert set(ONS_TS021_LABELS.values()) == set(CENSUS2021)


# ---------------------------------------------------------------------------
# to_common on hand-made tables


def _tiny():
    return pd.DataFrame(
        {"a": [1, 2, 3], "b": [4, 5, 6], "c": [0, 1, 0], "tot": [5, 8, 9], "name": ["x", "y", "z"]},
        index=pd.Index(["u1", "u2", "u3"], name="unit"),
    )


def test_user_mapping_sums_preserves_index_and_keep():
    df = _tiny()
    before = df.copy()
    out = to_common(df, {"a": "indian", "b": "white_british", "c": "indian", "tot": None}, keep=["name", "tot"])
    assert list(out.columns) == ["name", "tot", "white_british", "indian"]
    assert out.index.equals(df.index)
    assert out["indian"].tolist() == [1.0, 3.0, 3.0]
    assert out["white_british"].tolist() == [4.0, 5.0, 6.0]
    pd.testing.assert_frame_equal(df, before)  # input untouched


def test_broad_level_adds_detailed_groups():
    df = _tiny()
    out = to_common(df, {"a": "indian", "b": "chinese", "c": "black_african"}, keep=["tot"], level="broad")
    assert list(out.columns) == ["tot", "asian", "black"]
    assert out["asian"].tolist() == [5.0, 7.0, 9.0]


def test_nan_propagates_not_zero():
    df = pd.DataFrame({"a": [1.0, np.nan], "b": [1.0, 1.0]})
    out = to_common(df, {"a": "other", "b": "other"})
    assert out["other"].iloc[0] == 2.0
    assert np.isnan(out["other"].iloc[1])


def test_numeric_text_is_parsed():
    df = pd.DataFrame({"a": ["1", "2.0"], "b": [1, 1]})
    out = to_common(df, {"a": "other", "b": "mixed"})
    assert out["other"].tolist() == [1.0, 2.0]


def test_unclassified_kept_at_both_levels():
    df = pd.DataFrame({"a": [1, 2], "u": [3, 0]})
    for level in ("detailed", "broad"):
        out = to_common(df, {"a": "white_british", "u": UNCLASSIFIED}, level=level)
        assert out.columns[-1] == UNCLASSIFIED
        assert out[UNCLASSIFIED].tolist() == [3.0, 0.0]


def test_geodataframe_stays_geodataframe_when_geometry_kept():
    geopandas = pytest.importorskip("geopandas")
    from shapely.geometry import Point

    gdf = geopandas.GeoDataFrame({"a": [1, 2]}, geometry=[Point(0, 0), Point(1, 1)], crs=27700)
    out = to_common(gdf, {"a": "other"}, keep=["geometry"])
    assert isinstance(out, geopandas.GeoDataFrame)
    assert out.crs == gdf.crs


# ---------------------------------------------------------------------------
# errors


def test_missing_source_column():
    with pytest.raises(SegindexValueError, match=r"needs column\(s\) \['Irish'\].*Available columns"):
        to_common(pd.DataFrame({"WhiteBrit": [1]}), {"WhiteBrit": "white_british", "Irish": "white_irish"})


def test_bad_target():
    with pytest.raises(SegindexValueError, match="sends column 'a' to 'asian'.*not a common group"):
        to_common(_tiny(), {"a": "asian"}, unmapped="ignore")


def test_unmapped_numeric_column():
    with pytest.raises(SegindexValueError, match=r"\['c', 'tot'\] are neither in the mapping nor in keep"):
        to_common(_tiny(), {"a": "other", "b": "other"})
    out = to_common(_tiny(), {"a": "other", "b": "other"}, unmapped="ignore")
    assert list(out.columns) == ["other"]


def test_non_numeric_column_names_value_and_row():
    df = pd.DataFrame({"a": ["1", "c", "2"]}, index=["s1", "s2", "s3"])
    with pytest.raises(SegindexTypeError, match="column 'a' must hold numbers, but row 's2' holds 'c'"):
        to_common(df, {"a": "other"})


def test_bool_column():
    with pytest.raises(SegindexTypeError, match="True/False"):
        to_common(pd.DataFrame({"a": [True, False]}), {"a": "other"})


def test_bad_level_and_unmapped():
    with pytest.raises(SegindexValueError, match="'level' parameter must be"):
        to_common(_tiny(), {"a": "other"}, level="coarse", unmapped="ignore")
    with pytest.raises(SegindexValueError, match="'unmapped' parameter must be"):
        to_common(_tiny(), {"a": "other"}, unmapped="drop")


def test_bad_mapping_type_and_content():
    with pytest.raises(SegindexTypeError, match="'mapping' parameter must be a dict"):
        to_common(_tiny(), [("a", "other")])
    with pytest.raises(SegindexValueError, match="mapping is empty"):
        to_common(_tiny(), {})
    with pytest.raises(SegindexValueError, match="maps to None"):
        to_common(_tiny(), {"a": None})


def test_keep_errors():
    with pytest.raises(SegindexValueError, match="keep column 'nope' is not in the data"):
        to_common(_tiny(), {"a": "other"}, keep=["nope"], unmapped="ignore")
    with pytest.raises(SegindexValueError, match="both kept and mapped"):
        to_common(_tiny(), {"a": "other"}, keep=["a"], unmapped="ignore")


def test_not_a_frame():
    with pytest.raises(SegindexTypeError, match="must be a pandas DataFrame"):
        to_common({"a": [1]}, {"a": "other"})


# ---------------------------------------------------------------------------
# real data: totals conserved


LAS = ["bradford", "oldham", "blackburn_with_darwen", "leicester", "tower_hamlets"]


@pytest.mark.realdata
@pytest.mark.parametrize("la", LAS)
def test_census2011_conserves_persons(la):
    df = pd.read_csv(shared_data("uk", "census2011", f"lsoa2011_ethnicity_{la}.csv"), index_col="LSOA")
    for level, groups in (("detailed", COMMON_GROUPS), ("broad", BROAD_GROUPS)):
        out = to_common(df, CENSUS2011, keep=["Persons"], level=level)
        assert list(out.columns[1:]) == list(groups)
        np.testing.assert_array_equal(out[list(groups)].sum(axis=1).to_numpy(), df["Persons"].to_numpy())


@pytest.mark.realdata
@pytest.mark.parametrize("mapping", [CENSUS2021, CENSUS2021_ROMA_GRT])
def test_census2021_conserves_total_and_does_not_double_count(mapping):
    df = pd.read_csv(
        shared_data("uk", "census2021", "census2021_ts021_lsoa21_ethnic20.csv"), index_col="LSOA21CD"
    )
    out = to_common(df, mapping, keep=["total"], unmapped="error")
    groups = list(COMMON_GROUPS)
    # the 19 detailed columns add exactly to total in this file; adding the *_all
    # subtotals as well would give twice the total
    np.testing.assert_array_equal(out[groups].sum(axis=1).to_numpy(), df["total"].to_numpy())
    assert out[groups].to_numpy().sum() == 59_597_576  # README: total usual residents
    broad = to_common(df, mapping, level="broad", unmapped="ignore")
    for name in ("white", "mixed", "asian", "black", "other"):
        np.testing.assert_array_equal(broad[name].to_numpy(), df[f"{name}_all"].to_numpy())


@pytest.mark.realdata
def test_roma_placement_moves_only_roma():
    df = pd.read_csv(shared_data("uk", "census2021", "census2021_ts021_lsoa21_ethnic20.csv"))
    a = to_common(df, CENSUS2021, unmapped="ignore")
    b = to_common(df, CENSUS2021_ROMA_GRT, unmapped="ignore")
    np.testing.assert_array_equal(
        (b["gypsy_roma_traveller"] - a["gypsy_roma_traveller"]).to_numpy(), df["white_roma"].to_numpy()
    )
    np.testing.assert_array_equal((a["white_other"] - b["white_other"]).to_numpy(), df["white_roma"].to_numpy())


@pytest.mark.realdata
def test_school_census_conserves_headcount():
    raw = pd.read_csv(
        shared_data("uk", "schools", "spc_2022_23_school_ethnicity_england.csv"),
        index_col="urn",
        na_values=["z"],
        keep_default_na=False,
    )
    df = raw.rename(columns=SCHOOL_CENSUS_COLUMNS)
    out = to_common(df, SCHOOL_CENSUS, keep=["headcount"], unmapped="ignore")
    assert list(out.columns) == ["headcount", *COMMON_GROUPS, UNCLASSIFIED]
    suppressed = df[list(SCHOOL_CENSUS_COLUMNS.values())[1:]].isna().any(axis=1)
    assert int(suppressed.sum()) == 2417  # README: 'z' on 2,417 rows
    sums = out.iloc[:, 1:].sum(axis=1, skipna=False)
    assert sums[suppressed].isna().all()  # a 'z' school stays missing, never zero
    np.testing.assert_array_equal(sums[~suppressed].to_numpy(), df.loc[~suppressed, "headcount"].to_numpy())
