"""The counts model: as_counts and to_wide, and the bad-input errors every index shares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segindex.counts import REST, as_counts, to_wide
from segindex.errors import SegindexTypeError, SegindexValueError
from segindex.indices import (
    atkinson,
    correlation_ratio,
    dissimilarity,
    entropy_index,
    exposure,
    gini,
    isolation,
    local_mutual_information,
    location_quotients,
    multigroup_dissimilarity,
    mutual_information,
    segregation_table,
)


@pytest.fixture
def wide():
    return pd.DataFrame(
        {
            "a": [10, 0, 5, 0],
            "b": [0, 10, 5, 0],
            "total": [12, 10, 10, 0],
            "la": ["X", "Y", "X", "Y"],
        },
        index=["u0", "u1", "u2", "u3"],
    )


# ----------------------------------------------------------------------------
# as_counts


def test_as_counts_matrix_labels_and_totals(wide):
    c = as_counts(wide, ["b", "a"], total="total")
    assert c.groups == ("b", "a")
    assert c.values.dtype == np.float64 and c.values.flags["C_CONTIGUOUS"]
    np.testing.assert_array_equal(c.values, [[0, 10], [10, 0], [5, 5], [0, 0]])
    np.testing.assert_array_equal(c.total, [12, 10, 10, 0])
    assert list(c.index) == ["u0", "u1", "u2", "u3"]
    assert c.codes.size == 0 and c.areas is None and c.n_areas == 1
    assert (c.n_units, c.n_groups) == (4, 2)
    np.testing.assert_array_equal(c.column("a"), [10, 0, 5, 0])
    pd.testing.assert_frame_equal(c.to_frame(), wide[["b", "a"]].astype(float))


def test_as_counts_rest_column_and_row_sums(wide):
    c = as_counts(wide, ["a", "b"], total="total", rest=True)
    assert c.groups == ("a", "b", REST)
    np.testing.assert_array_equal(c.values[:, 2], [2, 0, 0, 0])
    no_total = as_counts(wide, ["a", "b"])
    np.testing.assert_array_equal(no_total.total, [10, 10, 10, 0])


def test_as_counts_by_codes_sorted(wide):
    c = as_counts(wide.iloc[::-1], ["a", "b"], by="la")
    assert list(c.areas) == ["X", "Y"] and c.areas.name == "la"
    np.testing.assert_array_equal(c.codes, [1, 0, 1, 0])
    wide2 = wide.assign(year=[2011, 2011, 2021, 2021])
    c2 = as_counts(wide2, ["a", "b"], by=["la", "year"])
    assert isinstance(c2.areas, pd.MultiIndex) and list(c2.areas.names) == ["la", "year"]
    assert list(c2.areas) == [("X", 2011), ("X", 2021), ("Y", 2011), ("Y", 2021)]
    np.testing.assert_array_equal(c2.codes, [0, 2, 1, 3])


def test_float_and_integer_counts_accepted(wide):
    interpolated = wide.assign(a=[9.5, 0.0, 4.25, 0.0], b=wide["b"].astype("Int64"))
    c = as_counts(interpolated, ["a", "b"], total="total")
    np.testing.assert_array_equal(c.values[:, 0], [9.5, 0.0, 4.25, 0.0])


# ----------------------------------------------------------------------------
# to_wide


def test_to_wide_fills_absent_pairs_and_adds_total():
    long = pd.DataFrame({"school": ["s2", "s1", "s1"], "race": ["a", "b", "a"], "n": [4, 1, 3]})
    w = to_wide(long, unit="school", group="race", count="n")
    assert list(w.index) == ["s1", "s2"] and w.index.name == "school"
    assert list(w.columns) == ["a", "b", "total"]
    np.testing.assert_array_equal(w.to_numpy(), [[3, 1, 4], [4, 0, 4]])
    assert list(to_wide(long, unit="school", group="race", count="n", total=None).columns) == ["a", "b"]


def test_to_wide_keep_carries_unit_attributes():
    long = pd.DataFrame(
        {"school": ["s1", "s1", "s2"], "race": ["a", "b", "a"], "n": [3, 1, 4], "state": ["X", "X", "Y"]}
    )
    w = to_wide(long, unit="school", group="race", count="n", keep=["state"])
    assert w["state"].tolist() == ["X", "Y"]


def test_to_wide_duplicate_pair_names_unit_group_and_row():
    long = pd.DataFrame({"school": ["s1", "s1", "s1"], "race": ["a", "b", "a"], "n": [3, 1, 4]})
    with pytest.raises(SegindexValueError, match=r"unit 's1' has more than one row for group 'a' \(row 2\)"):
        to_wide(long, unit="school", group="race", count="n")


def test_to_wide_varying_keep_attribute():
    long = pd.DataFrame({"school": ["s1", "s1"], "race": ["a", "b"], "n": [3, 1], "state": ["X", "Y"]})
    with pytest.raises(SegindexValueError, match=r"keep columns \['state'\] take more than one value for unit 's1'"):
        to_wide(long, unit="school", group="race", count="n", keep=["state"])


def test_to_wide_missing_column():
    long = pd.DataFrame({"school": ["s1"], "race": ["a"], "n": [3]})
    with pytest.raises(SegindexValueError, match=r"'count' column 'count' is not in the data"):
        to_wide(long, unit="school", group="race", count="count")
    with pytest.raises(SegindexValueError, match=r"'keep' column 'state' is not in the data"):
        to_wide(long, unit="school", group="race", count="n", keep=["state"])


def test_to_wide_missing_unit_label():
    long = pd.DataFrame({"school": ["s1", None], "race": ["a", "a"], "n": [3, 2]})
    with pytest.raises(SegindexValueError, match=r"'school' column has a missing value at unit 1 \(row 1\)"):
        to_wide(long, unit="school", group="race", count="n")


def test_to_wide_invalid_count_names_row():
    long = pd.DataFrame({"school": ["s1", "s2"], "race": ["a", "a"], "n": [3, -2]})
    with pytest.raises(SegindexValueError, match=r"count column 'n' has a negative count \(-2\) at unit 1 \(row 1\)"):
        to_wide(long, unit="school", group="race", count="n")


def test_to_wide_group_named_like_total():
    long = pd.DataFrame({"school": ["s1"], "race": ["total"], "n": [3]})
    with pytest.raises(SegindexValueError, match=r"a group is called 'total'"):
        to_wide(long, unit="school", group="race", count="n")


# ----------------------------------------------------------------------------
# bad input, checked once in the counts model


def test_data_not_a_dataframe():
    with pytest.raises(SegindexTypeError, match=r"'data' parameter must be a pandas DataFrame.*got dict"):
        as_counts({"a": [1]}, ["a"])
    with pytest.raises(SegindexTypeError, match=r"dissimilarity\(\): the 'data' parameter.*got ndarray"):
        dissimilarity(np.ones((3, 2)), "a", "b")


def test_empty_table():
    with pytest.raises(SegindexValueError, match=r"the data table is empty \(0 rows\)"):
        as_counts(pd.DataFrame({"a": [], "b": []}), ["a", "b"])


def test_groups_bare_string(wide):
    with pytest.raises(SegindexTypeError, match=r"'groups' parameter must be a list.*groups=\['a'\]"):
        as_counts(wide, "a")


def test_group_named_twice(wide):
    with pytest.raises(SegindexValueError, match=r"column 'a' appears twice in 'groups'"):
        as_counts(wide, ["a", "b", "a"])


def test_missing_group_column(wide):
    with pytest.raises(SegindexValueError, match=r"the group column 'c' is not in the data. Available columns: 'a'"):
        as_counts(wide, ["a", "c"])


def test_missing_total_column(wide):
    with pytest.raises(SegindexValueError, match=r"the total column 'persons' is not in the data"):
        as_counts(wide, ["a", "b"], total="persons")


def test_missing_by_column(wide):
    with pytest.raises(SegindexValueError, match=r"the 'by' column 'LAD' is not in the data"):
        as_counts(wide, ["a", "b"], by="LAD")


def test_missing_by_key(wide):
    bad = wide.assign(la=["X", None, "X", "Y"])
    with pytest.raises(SegindexValueError, match=r"'by' column 'la' has a missing area key at unit 'u1' \(row 1\)"):
        as_counts(bad, ["a", "b"], by="la")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-3, r"group column 'b' has a negative count \(-3\) at unit 'u2' \(row 2\)"),
        (np.nan, r"group column 'b' has a missing \(NaN\) value at unit 'u2' \(row 2\)"),
        (np.inf, r"group column 'b' has an infinite value at unit 'u2' \(row 2\)"),
        (-np.inf, r"group column 'b' has an infinite value at unit 'u2' \(row 2\)"),
    ],
)
def test_invalid_counts_name_column_and_first_unit(wide, value, message):
    bad = wide.astype({"b": float})
    bad.loc["u2", "b"] = value
    bad.loc["u3", "b"] = value  # a second bad unit: the first one is named
    with pytest.raises(SegindexValueError, match=message):
        as_counts(bad, ["a", "b"])


def test_text_counts_name_first_non_numeric_unit(wide):
    bad = wide.astype({"a": object})
    bad.loc["u1", "a"] = "c"  # DfE-style suppression code
    with pytest.raises(
        SegindexTypeError,
        match=r"group column 'a' must hold numbers.*first non-numeric value is 'c' at unit 'u1' \(row 1\)",
    ):
        as_counts(bad, ["a", "b"])
    as_str = wide.astype({"b": str})
    with pytest.raises(SegindexTypeError, match=r"group column 'b' must hold numbers"):
        as_counts(as_str, ["a", "b"])


def test_boolean_counts_rejected(wide):
    bad = wide.assign(a=[True, False, True, False])
    with pytest.raises(
        SegindexTypeError, match=r"group column 'a' must hold numbers \(counts\), but its dtype is bool"
    ):
        as_counts(bad, ["a", "b"])


def test_invalid_total_column(wide):
    bad = wide.astype({"total": float})
    bad.loc["u1", "total"] = np.nan
    with pytest.raises(SegindexValueError, match=r"total column 'total' has a missing \(NaN\) value at unit 'u1'"):
        as_counts(bad, ["a", "b"], total="total")


def test_total_below_group_sum_names_unit(wide):
    bad = wide.assign(total=[12, 10, 9, 0])
    with pytest.raises(
        SegindexValueError,
        match=r"at unit 'u2' \(row 2\) the groups 'a' \+ 'b' add up to 10, more than the total column 'total' \(9\)",
    ):
        as_counts(bad, ["a", "b"], total="total")


def test_total_rounding_noise_tolerated():
    df = pd.DataFrame({"a": [0.1, 5.0], "b": [0.2, 5.0], "total": [0.3, 10.0]})  # 0.1 + 0.2 > 0.3 in binary
    c = as_counts(df, ["a", "b"], total="total", rest=True)
    assert c.values[0, 2] == 0.0


def test_rest_needs_total(wide):
    with pytest.raises(SegindexValueError, match=r"rest of the population needs total="):
        as_counts(wide, ["a", "b"], rest=True)


def test_total_named_as_group(wide):
    with pytest.raises(SegindexValueError, match=r"'total' is named both as a group and as the total column"):
        as_counts(wide, ["a", "total"], total="total")


def test_reserved_rest_label():
    df = pd.DataFrame({"a": [1, 2], REST: [1, 1]})
    with pytest.raises(SegindexValueError, match=r"'\(rest\)' is reserved"):
        as_counts(df, ["a", REST])


def test_total_label_must_be_one_name(wide):
    with pytest.raises(SegindexTypeError, match=r"the 'total' parameter must be one column name, got list"):
        as_counts(wide, ["a", "b"], total=["total"])


# Every public index reads its columns through the counts model: the same
# messages, with the caller's name in front.
PUBLIC = {
    "dissimilarity": lambda df: dissimilarity(df, "a", "b"),
    "gini": lambda df: gini(df, "a", "b"),
    "atkinson": lambda df: atkinson(df, "a", "b"),
    "isolation": lambda df: isolation(df, "b", total="total"),
    "exposure": lambda df: exposure(df, "a", "b", total="total"),
    "correlation_ratio": lambda df: correlation_ratio(df, "b", total="total"),
    "entropy_index": lambda df: entropy_index(df, ["a", "b"]),
    "mutual_information": lambda df: mutual_information(df, ["a", "b"]),
    "multigroup_dissimilarity": lambda df: multigroup_dissimilarity(df, ["a", "b"]),
    "location_quotients": lambda df: location_quotients(df, ["a", "b"]),
    "local_mutual_information": lambda df: local_mutual_information(df, ["a", "b"]),
    "segregation_table": lambda df: segregation_table(df, ["a", "b"]),
}


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_every_index_names_the_bad_unit(wide, name):
    bad = wide.astype({"b": float})
    bad.loc["u1", "b"] = -1.0
    with pytest.raises(
        SegindexValueError, match=rf"{name}\(\): the \w+ column 'b' has a negative count \(-1\) at unit 'u1'"
    ):
        PUBLIC[name](bad)


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_every_index_leaves_its_input_unmodified(wide, name):
    before = wide.copy(deep=True)
    PUBLIC[name](wide)
    pd.testing.assert_frame_equal(wide, before)


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_zero_population_units_are_legal(wide, name):
    """u3 has no population: no NaN in any global index and no warning (warnings are errors here)."""
    result = PUBLIC[name](wide)
    if isinstance(result, float):
        assert np.isfinite(result)
    elif name == "segregation_table":
        assert result["value"].notna().all()


def test_to_wide_and_as_counts_leave_input_unmodified(wide):
    long = pd.DataFrame({"school": ["s2", "s1", "s1"], "race": ["a", "b", "a"], "n": [4, 1, 3]})
    before = long.copy(deep=True)
    to_wide(long, unit="school", group="race", count="n")
    pd.testing.assert_frame_equal(long, before)
    before = wide.copy(deep=True)
    as_counts(wide, ["a", "b"], total="total", by="la", rest=True)
    pd.testing.assert_frame_equal(wide, before)
