"""Tests of plot_decomposition (the bar chart of decompose_difference)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from segindex import decompose_difference, dissimilarity  # noqa: E402
from segindex.errors import SegindexTypeError, SegindexValueError  # noqa: E402
from segindex.plot import CVD_SAFE_COLORS, plot_decomposition  # noqa: E402


@pytest.fixture
def result():
    a = pd.DataFrame({"g": [10, 0, 5, 5, 7], "t": [10, 10, 10, 10, 20]})
    b = pd.DataFrame({"g": [2, 2, 2, 14, 1], "t": [4, 4, 4, 28, 9]})
    return decompose_difference(dissimilarity, a, b, "g", total="t")


def test_returns_the_axes_it_was_given_and_a_new_one_otherwise(result):
    ax = Figure().subplots()
    assert plot_decomposition(result, ax=ax, title="T", source="Synthetic") is ax
    assert ax.get_title() == "T"
    assert "Synthetic" in [t.get_text() for t in ax.texts]
    assert isinstance(plot_decomposition(result), Axes)


def test_bars_equal_the_result_and_the_values_are_annotated(result):
    est = result.set_index("stat")["est"]
    ax = plot_decomposition(result, ax=Figure().subplots())
    heights = [p.get_height() for p in ax.patches]
    np.testing.assert_allclose(heights, [est["difference"], est["spatial"], est["compositional"]], rtol=0, atol=1e-12)
    # the parts add up to the total bar (not a tautology of the plot: it checks the result it draws)
    assert heights[1] + heights[2] == pytest.approx(heights[0], abs=1e-12)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["total difference", "spatial", "compositional"]
    texts = " ".join(t.get_text() for t in ax.texts)
    assert f"{est['value_a']:.3f}" in texts and f"{est['value_b']:.3f}" in texts
    assert f"{est['spatial']:+.3f}" in texts
    colours = [matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches]
    assert colours[1:] == [c.lower() for c in CVD_SAFE_COLORS[:2]]


def test_ax_is_keyword_only(result):
    ax = Figure().subplots()
    with pytest.raises(SegindexTypeError, match="'ax' is keyword-only"):
        plot_decomposition(result, ax)


def test_not_a_dataframe_is_refused():
    with pytest.raises(SegindexTypeError, match="'result' must be the DataFrame returned by decompose_difference"):
        plot_decomposition({"difference": 0.1})


def test_missing_rows_and_columns_are_named(result):
    with pytest.raises(SegindexValueError, match="no row 'spatial', 'compositional' in 'stat'"):
        plot_decomposition(result[~result["stat"].isin(["spatial", "compositional"])])
    with pytest.raises(SegindexValueError, match="no column 'est'"):
        plot_decomposition(result.rename(columns={"est": "value"}))


def test_a_non_finite_value_is_refused(result):
    bad = result.copy()
    bad.loc[bad["stat"] == "spatial", "est"] = np.nan
    with pytest.raises(SegindexValueError, match="row 'spatial' of 'result' is not a finite number"):
        plot_decomposition(bad)
