"""Tests of the common ethnic classification and to_common."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segindex import isolation
from segindex.classification import (
    BROAD_GROUPS,
    BROAD_OF,
    CENSUS2011,
    CENSUS2021,
    CENSUS2021_ROMA_GRT,
    COMMON_GROUPS,
    GROUP_LABELS,
    ONS_TS021_LABELS,
    SCHOOL_CENSUS,
    SCHOOL_CENSUS_COLUMNS,
    TOTAL,
    UNCLASSIFIED,
    group_label,
    to_common,
)
from segindex.counts import REST
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


def test_numeric_text_is_refused_as_everywhere():
    # one normaliser: text is converted by the reader (or pandas.to_numeric), never guessed here
    df = pd.DataFrame({"a": ["1", "2.0"], "b": [1, 1]})
    with pytest.raises(SegindexTypeError, match=r"group column 'a' must hold numbers \(counts\), but its dtype is"):
        to_common(df, {"a": "other", "b": "mixed"})


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
    match = r"needs column\(s\) 'Irish' that are not in the data\. Available columns: 'WhiteBrit'\."
    with pytest.raises(SegindexValueError, match=match):
        to_common(pd.DataFrame({"WhiteBrit": [1]}), {"WhiteBrit": "white_british", "Irish": "white_irish"})


def test_bad_target():
    with pytest.raises(SegindexValueError, match="sends column 'a' to 'asian'.*not a common group"):
        to_common(_tiny(), {"a": "asian"}, unmapped="ignore")


def test_unmapped_numeric_column():
    with pytest.raises(SegindexValueError, match=r"column\(s\) 'c', 'tot' are neither in the mapping nor in keep"):
        to_common(_tiny(), {"a": "other", "b": "other"})
    out = to_common(_tiny(), {"a": "other", "b": "other"}, unmapped="ignore")
    assert list(out.columns) == ["other"]


def test_non_numeric_column_names_value_and_row():
    df = pd.DataFrame({"a": ["1", "c", "2"]}, index=["s1", "s2", "s3"])
    with pytest.raises(SegindexTypeError, match=r"first non-numeric value is 'c' at unit 's2' \(row 1\)"):
        to_common(df, {"a": "other"})


def test_bool_column():
    with pytest.raises(SegindexTypeError, match=r"column .a. must hold numbers \(counts\), but its dtype is bool"):
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
# the total travels with the groups


def _pupils():
    counts = {short: [1.0, 2.0, 0.0] for short in SCHOOL_CENSUS_COLUMNS.values()}
    counts["headcount"] = [19.0, 40.0, 3.0]  # 18 groups + unclassified; the third school all unclassified
    counts["unclassified"] = [1.0, 4.0, 3.0]
    return pd.DataFrame(counts, index=pd.Index([101, 102, 103], name="urn"))


def test_school_headcount_carried_into_total():
    # issue: to_common(schools, SCHOOL_CENSUS) dropped the headcount, so total="headcount" failed next
    pupils = to_common(_pupils(), SCHOOL_CENSUS)
    assert list(pupils.columns) == [*COMMON_GROUPS, UNCLASSIFIED, TOTAL]
    assert pupils[TOTAL].tolist() == [19.0, 40.0, 3.0]
    # the common groups plus unclassified add up to the headcount
    np.testing.assert_array_equal(pupils.drop(columns=TOTAL).sum(axis=1).to_numpy(), pupils[TOTAL].to_numpy())
    # and the next call can use it: isolation of Pakistani pupils among all pupils (hand-worked:
    # sum_i (p_i / P) * (p_i / t_i) with p = 1, 2, 0; P = 3; t = 19, 40, 3)
    value = isolation(pupils, "pakistani", total=TOTAL)
    assert round(value, 6) == round((1 / 3) * (1 / 19) + (2 / 3) * (2 / 40), 6)


def test_total_options():
    df = _tiny()
    mapping = {"a": "indian", "b": "white_british", "tot": None}
    # a user mapping: no known total column, so none is added unless named
    assert TOTAL not in to_common(df, mapping, unmapped="ignore").columns
    out = to_common(df, mapping, unmapped="ignore", total="tot")
    assert out[TOTAL].tolist() == [5.0, 8.0, 9.0]
    assert TOTAL not in to_common(_pupils(), SCHOOL_CENSUS, total=None).columns
    census = pd.DataFrame({"total": [3, 4], "white_british": [1, 2]})
    kept = to_common(census, {"white_british": "white_british", "total": None}, keep=["total"])
    assert list(kept.columns) == ["total", "white_british"]  # the kept total is the total: not twice


def test_total_errors():
    df = _tiny()
    mapping = {"a": "indian", "b": "white_british", "tot": None}
    with pytest.raises(SegindexValueError, match=r"total column 'persons' is not in the data"):
        to_common(df, mapping, unmapped="ignore", total="persons")
    with pytest.raises(SegindexValueError, match=r"column 'a' is mapped to the group 'indian'.*total=None"):
        to_common(df, mapping, unmapped="ignore", total="a")
    with pytest.raises(SegindexTypeError, match=r"'total' parameter must be a column name, 'auto' or None"):
        to_common(df, mapping, unmapped="ignore", total=True)
    clash = df.rename(columns={"c": "total"})
    with pytest.raises(SegindexValueError, match=r"keep names a column 'total'.*total=None"):
        to_common(clash, mapping, keep=["total"], total="tot")


def test_negative_or_infinite_count():
    match = r"group column 'a' has a negative count \(-2\) at unit 'u2' \(row 1\)"
    with pytest.raises(SegindexValueError, match=match):
        to_common(pd.DataFrame({"a": [1, -2]}, index=["u1", "u2"]), {"a": "other"})
    with pytest.raises(SegindexValueError, match=r"group column 'a' has an infinite value at unit 0"):
        to_common(pd.DataFrame({"a": [np.inf, 1.0]}), {"a": "other"})


# ---------------------------------------------------------------------------
# human labels


def test_every_common_name_has_a_label():
    for name in (*COMMON_GROUPS, *BROAD_GROUPS, UNCLASSIFIED, TOTAL):
        assert group_label(name) == GROUP_LABELS[name]
        assert "_" not in GROUP_LABELS[name] and GROUP_LABELS[name][0].isupper()
    assert group_label("black_african") == "Black African"
    assert group_label("gypsy_roma_traveller") == "Gypsy, Roma and Irish Traveller"
    assert group_label("other") == "Other ethnic group"


def test_group_label_fallback_is_tidy():
    assert group_label("mixed_white_asian") == "Mixed White Asian"
    assert group_label("BlkCaribbean") == "Blk Caribbean"
    assert group_label("LAD") == "LAD"
    assert group_label(REST) == "Rest of the population"
    assert group_label(7) == "7"
    assert group_label("") == ""


# ---------------------------------------------------------------------------
# real data: totals conserved


LAS = ["bradford", "oldham", "blackburn_with_darwen", "leicester", "tower_hamlets"]


@pytest.mark.realdata
@pytest.mark.parametrize("la", LAS)
def test_census2011_conserves_persons(la):
    df = pd.read_csv(shared_data("uk", "census2011", f"lsoa2011_ethnicity_{la}.csv"), index_col="LSOA")
    for level, groups in (("detailed", COMMON_GROUPS), ("broad", BROAD_GROUPS)):
        out = to_common(df, CENSUS2011, keep=["Persons"], level=level)
        assert list(out.columns) == ["Persons", *groups, "total"]
        np.testing.assert_array_equal(out["total"].to_numpy(), df["Persons"].to_numpy())
        np.testing.assert_array_equal(out[list(groups)].sum(axis=1).to_numpy(), df["Persons"].to_numpy())


@pytest.mark.realdata
@pytest.mark.parametrize("mapping", [CENSUS2021, CENSUS2021_ROMA_GRT])
def test_census2021_conserves_total_and_does_not_double_count(mapping):
    df = pd.read_csv(shared_data("uk", "census2021", "census2021_ts021_lsoa21_ethnic20.csv"), index_col="LSOA21CD")
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
    assert list(out.columns) == ["headcount", *COMMON_GROUPS, UNCLASSIFIED, "total"]
    np.testing.assert_array_equal(out["total"].to_numpy(), df["headcount"].to_numpy())
    out = out.drop(columns="total")
    suppressed = df[list(SCHOOL_CENSUS_COLUMNS.values())[1:]].isna().any(axis=1)
    assert int(suppressed.sum()) == 2417  # README: 'z' on 2,417 rows
    sums = out.iloc[:, 1:].sum(axis=1, skipna=False)
    assert sums[suppressed].isna().all()  # a 'z' school stays missing, never zero
    np.testing.assert_array_equal(sums[~suppressed].to_numpy(), df.loc[~suppressed, "headcount"].to_numpy())
