"""Tests of segindex.io.ks006.read_ks006 and the 2001 mapping segindex.classification.CENSUS2001."""

from __future__ import annotations

import pandas as pd
import pytest

from segindex.classification import (
    CENSUS2001,
    CENSUS2011,
    CENSUS2011_AS_2001,
    CENSUS2021_AS_2001,
    COMMON_GROUPS,
    KS006_GROUPS,
    to_common,
)
from segindex.errors import DataQualityWarning, SegindexTypeError, SegindexValueError
from segindex.io import report_of
from segindex.io.ks006 import read_ks006
from tests.conftest import shared_data


def _write(tmp_path, header, rows, name="ks006.csv"):
    path = tmp_path / name
    path.write_text("\n".join([",".join(header)] + [",".join(map(str, r)) for r in rows]) + "\n")
    return path


def _shipped(tmp_path, total=16, code="E01"):
    return _write(tmp_path, ["LSOA01CD", "LSOA01NM", "total", *KS006_GROUPS], [[code, "Town 001A", total] + [1] * 16])


def test_shipped_layout(tmp_path):
    df = read_ks006(_shipped(tmp_path))
    assert list(df.columns) == ["LSOA01NM", "total", *KS006_GROUPS]
    assert df.index.tolist() == ["E01"] and df.loc["E01", "total"] == 16.0
    assert len(report_of(df).mismatches) == 0


def test_mismatch_is_reported_not_changed(tmp_path):
    with pytest.warns(DataQualityWarning, match="do not add up"):
        df = read_ks006(_shipped(tmp_path, total=17))
    assert df.loc["E01", "total"] == 17.0
    assert report_of(df).mismatches["difference"].tolist() == [-1.0]


def test_joined_code_is_kept_and_noted(tmp_path):
    df = read_ks006(_shipped(tmp_path, code="E01_E02"))
    assert df.index.tolist() == ["E01_E02"]
    assert any("joined by '_'" in n for n in report_of(df).notes)


def test_user_mapped_names(tmp_path):
    names = [f"Group {i}" for i in range(16)]
    path = _write(tmp_path, ["code", *names], [["E9", *range(16)]])
    mapping = dict(zip(names, KS006_GROUPS))
    df = read_ks006(path, columns=mapping)
    assert df.loc["E9", "asian_pakistani"] == 8.0
    assert df.loc["E9", "total"] == sum(range(16))  # no total column: summed, and said so
    assert any("no total column" in n for n in report_of(df).notes)


def test_errors(tmp_path):
    path = _shipped(tmp_path)
    with pytest.raises(SegindexValueError, match="does not exist"):
        read_ks006(tmp_path / "nope.csv")
    other = _write(tmp_path, ["code", "a", "b"], [["E1", 1, 2]], name="other.csv")
    with pytest.raises(SegindexValueError, match="lacks the KS006 group column"):
        read_ks006(other)
    with pytest.raises(SegindexValueError, match="maps no column of .* to the KS006 group"):
        read_ks006(other, columns={"a": "white_british"})
    with pytest.raises(SegindexValueError, match="not KS006 groups"):
        read_ks006(other, columns={"a": "whites"})
    with pytest.raises(SegindexValueError, match="more than one column to 'white_british'"):
        read_ks006(other, columns={"a": "white_british", "b": "white_british"})
    with pytest.raises(SegindexTypeError, match="'columns' must be a dict"):
        read_ks006(other, columns=["a"])
    with pytest.raises(SegindexValueError, match="the mapped column 'zz'"):
        read_ks006(other, columns={"zz": "white_british"})
    with pytest.raises(SegindexValueError, match="the total column 'all'"):
        read_ks006(path, total="all")
    with pytest.raises(SegindexValueError, match="the id column 'code'"):
        read_ks006(path, id_column="code")
    dup = _write(tmp_path, ["LSOA01CD", "total", *KS006_GROUPS], [["E1", 16] + [1] * 16] * 2, name="dup.csv")
    with pytest.raises(SegindexValueError, match="not unique"):
        read_ks006(dup)
    text = _write(tmp_path, ["LSOA01CD", "total", *KS006_GROUPS], [["E1", 16, "c"] + [1] * 15], name="t.csv")
    with pytest.raises(SegindexTypeError, match="must hold numbers.*'c'"):
        read_ks006(text)
    clash = _write(
        tmp_path, ["code", "white_british", *[f"g{i}" for i in range(16)]], [["E1"] + [1] * 17], name="clash.csv"
    )
    with pytest.raises(SegindexValueError, match="duplicate columns"):
        read_ks006(clash, columns={f"g{i}": g for i, g in enumerate(KS006_GROUPS)})


def test_census2001_mapping_conserves_and_lacks_grt():
    row = pd.DataFrame([[16] + list(range(1, 17))], columns=["total", *KS006_GROUPS])
    common = to_common(row, CENSUS2001, keep=["total"])
    groups = [g for g in common.columns if g != "total"]
    assert "gypsy_roma_traveller" not in groups
    assert groups == [g for g in COMMON_GROUPS if g != "gypsy_roma_traveller"]
    assert common[groups].sum(axis=1).iloc[0] == sum(range(1, 17))
    assert common.loc[0, "mixed"] == 4 + 5 + 6 + 7
    broad = to_common(row, CENSUS2001, level="broad", keep=["total"])
    # Chinese (column 15) counted in Asian at the broad level, as in 2011 and 2021
    assert broad.loc[0, "asian"] == 8 + 9 + 10 + 11 + 15


def test_2011_and_2021_as_2001_share_the_2001_columns():
    assert CENSUS2011_AS_2001["GypsyTraveller"] == "white_other"
    assert CENSUS2011["GypsyTraveller"] == "gypsy_roma_traveller"  # the default mapping is unchanged
    assert CENSUS2021_AS_2001["white_gypsy_irish_traveller"] == "white_other"
    assert CENSUS2021_AS_2001["white_roma"] == "white_other"
    targets = {t for t in CENSUS2001.values() if t}
    assert {t for t in CENSUS2011_AS_2001.values() if t} == targets
    assert {t for t in CENSUS2021_AS_2001.values() if t} == targets


@pytest.mark.realdata
def test_real_2001_bradford_major_town():
    df = read_ks006(shared_data("uk", "census2001", "lsoa2001_ethnicity_bradford_town.csv"))
    assert len(df) == 196 and int(df["total"].sum()) == 301416
    assert (df[list(KS006_GROUPS)].sum(axis=1) == df["total"]).all()
    assert report_of(df).notes == (
        "1 row(s) cover several areas joined by '_' ('E01010660_E01010661'): their counts cannot be split; "
        "segindex.geography.chain_units ties the parts into one unit",
    )
    common = to_common(df, CENSUS2001, keep=["total"])
    assert int(common["pakistani"].sum()) == 59204  # the sum of asian_pakistani in the file
