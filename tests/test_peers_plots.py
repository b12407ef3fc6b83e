"""The segregation curve, the segplot and the concentration profile: what is drawn is what the indices say."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from segindex import dissimilarity, gini  # noqa: E402
from segindex.errors import SegindexValueError  # noqa: E402
from segindex.plot.curves import plot_concentration_profile, plot_segplot, plot_segregation_curve  # noqa: E402


def _table(seed=0, n=40):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"a": rng.integers(0, 60, n), "b": rng.integers(0, 60, n), "c": rng.integers(0, 30, n)})


def test_segregation_curve_gives_d_and_gini():
    df = _table()
    ax = plot_segregation_curve(df, "a", "b", source="Synthetic.")
    x, y = ax.lines[1].get_xdata(), ax.lines[1].get_ydata()
    assert x[0] == 0 and y[0] == 0 and x[-1] == pytest.approx(1) and y[-1] == pytest.approx(1)
    assert np.all(np.diff(x) >= 0) and np.all(np.diff(y) >= 0)
    # D: the largest gap between the diagonal and the curve; Gini: twice the area between them
    assert np.max(x - y) == pytest.approx(dissimilarity(df, "a", "b"), rel=1e-12)
    area = np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2)
    assert 1 - 2 * area == pytest.approx(gini(df, "a", "b"), rel=1e-10)
    assert ax.get_xlabel() == "cumulative share of b"


def test_segregation_curve_by_area_draws_one_curve_each():
    df = _table(1)
    df["area"] = np.repeat(["north", "south"], 20)
    ax = plot_segregation_curve(df, "a", "b", by="area")
    assert [line.get_label() for line in ax.lines[1:]] == ["north", "south"]
    for line, (_, part) in zip(ax.lines[1:], df.groupby("area")):
        assert np.max(line.get_xdata() - line.get_ydata()) == pytest.approx(dissimilarity(part, "a", "b"))


def test_segplot_areas_are_the_group_shares():
    df = _table(2)
    groups = ["a", "b", "c"]
    for order in ("segregation", "entropy", "majority", "none"):
        ax = plot_segplot(df, groups, order=order, overall=False)
        overall = df[groups].sum() / df[groups].to_numpy().sum()
        for poly, g in zip(ax.collections, groups):
            verts = poly.get_paths()[0].vertices
            # area of the filled polygon (shoelace): the group's share of the whole population
            x, y = verts[:, 0], verts[:, 1]
            area = 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))
            assert area == pytest.approx(overall[g], rel=1e-9), (order, g)
    ax = plot_segplot(df, groups)
    assert len(ax.collections) == 6 and ax.get_xlim()[1] > 1  # three groups and the reference bar


def test_segplot_order_by_segregation_puts_single_group_units_first():
    df = pd.DataFrame({"a": [5, 10, 0], "b": [5, 0, 1]})
    ax = plot_segplot(df, ["a", "b"], overall=False)
    # the first bar (unit 1: all a, width 10/21) is all a: a's polygon reaches height 1 at x = 0
    verts = ax.collections[0].get_paths()[0].vertices
    assert np.max(verts[verts[:, 0] <= 10 / 21 + 1e-12, 1]) == pytest.approx(1.0)


def test_concentration_profile_plot():
    df = _table(3)
    ax = plot_concentration_profile(df, "a", "b", thresholds=11, label="a")
    assert len(ax.lines[-1].get_xdata()) == 11 and ax.lines[-1].get_label() == "a"


def test_plot_errors():
    df = _table()
    with pytest.raises(SegindexValueError, match="'order' must be one of"):
        plot_segplot(df, ["a", "b"], order="size")
    with pytest.raises(SegindexValueError, match="no population"):
        plot_segplot(df * 0, ["a", "b"])
    with pytest.raises(SegindexValueError, match="needs total="):
        plot_segregation_curve(df, "a")
