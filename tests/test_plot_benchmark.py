"""Tests of plot_nearest_school_benchmark (the report's nearest-school chart)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from segindex.plot.benchmark import plot_nearest_school_benchmark  # noqa: E402


@pytest.fixture
def table():
    return pd.DataFrame(
        {
            "group": ["White British", "Pakistani", "White British", "Pakistani"],
            "index": ["dissimilarity", "dissimilarity", "isolation", "isolation"],
            "neighbourhoods": [0.64, 0.67, 0.81, 0.52],
            "nearest_school": [0.57, 0.60, 0.78, 0.48],
            "schools": [0.68, 0.61, 0.70, 0.62],
        }
    )


def test_draws_one_row_per_group_with_the_three_series(table):
    ax = Figure().subplots()
    out = plot_nearest_school_benchmark(table, ax=ax, index="isolation", title="T", source="Source line")
    assert out is ax
    assert [t.get_text() for t in ax.get_yticklabels()] == ["White British", "Pakistani"]
    offsets = {c.get_label(): c.get_offsets() for c in ax.collections if c.get_label() and len(c.get_offsets())}
    np.testing.assert_allclose(offsets["across schools (observed)"][:, 0], [0.70, 0.62])
    np.testing.assert_allclose(offsets["nearest school with room"][:, 0], [0.78, 0.48])
    np.testing.assert_allclose(offsets["across neighbourhoods"][:, 0], [0.81, 0.52])
    # the first group is drawn at the top
    assert offsets["across schools (observed)"][0, 1] > offsets["across schools (observed)"][1, 1]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "across neighbourhoods",
        "nearest school with room",
        "across schools (observed)",
    ]
    assert ax.get_title() == "T" and any(t.get_text() == "Source line" for t in ax.texts)
    assert ax.get_xlim()[0] == 0.0


def test_without_neighbourhoods_and_new_figure(table):
    ax = plot_nearest_school_benchmark(table[table["index"] == "dissimilarity"].drop(columns="neighbourhoods"))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["nearest school with room", "across schools (observed)"]
    assert ax.get_xlabel() == "index"


@pytest.mark.parametrize(
    ("arg", "kwargs", "error", "match"),
    [
        ("list", {}, TypeError, r"'table' must be a pandas DataFrame, got list"),
        ("drop", {}, ValueError, r"the table has no column 'nearest_school'"),
        ("text", {}, TypeError, r"the column 'schools' must be numeric"),
        ("table", {}, ValueError, r"holds several indices \('dissimilarity', 'isolation'\); choose one with index="),
        ("table", {"index": "gini"}, ValueError, r"no rows for index 'gini'"),
        ("empty", {}, ValueError, r"the table is empty"),
    ],
)
def test_errors(table, arg, kwargs, error, match):
    data = {
        "list": [1, 2],
        "drop": table.drop(columns="nearest_school"),
        "text": table.assign(schools="x"),
        "table": table,
        "empty": table.iloc[:0].drop(columns="index"),
    }[arg]
    with pytest.raises(error, match=match):
        plot_nearest_school_benchmark(data, ax=Figure().subplots(), **kwargs)
