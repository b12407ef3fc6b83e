"""Tests of the plotting layer (headless, Agg): the artists drawn, legends, source lines and errors."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from shapely.geometry import box  # noqa: E402

from segindex.datasets import example_town  # noqa: E402
from segindex.indices.table import segregation_table  # noqa: E402
from segindex.plot import (  # noqa: E402
    SYNTHETIC_NOTE,
    choropleth,
    index_by_year,
    indices_by_group,
    school_points,
    schools_vs_neighbourhoods,
)


@pytest.fixture(scope="module")
def town():
    return example_town(0, n_units=80, n_schools=15)


@pytest.fixture()
def units(town):
    u = town.units.copy()
    u["share"] = u["pakistani"] / u["total"]
    return u


def _grid(n=4, crs=27700):
    cells = [box(x * 100.0, y * 100.0, x * 100.0 + 100, y * 100.0 + 100) for y in range(n) for x in range(n)]
    return gpd.GeoDataFrame({"v": np.arange(n * n, dtype=float)}, geometry=cells, crs=crs)


def _texts(ax):
    return [t.get_text() for t in ax.texts]


# ---------------------------------------------------------------- choropleth


def test_choropleth_draws_every_unit_with_a_classed_legend(units):
    ax = choropleth(units, "share", k=5, source=SYNTHETIC_NOTE, title="Pakistani share")
    assert ax.get_title() == "Pakistani share"
    drawn = sum(len(c.get_paths()) for c in ax.collections)
    assert drawn == len(units)
    legend = ax.get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    assert len(labels) == 5
    assert legend.get_title().get_text() == "share"
    # quantile classes hold (nearly) equal numbers of units: 80 / 5
    counts = [int(label.rsplit("(", 1)[1].rstrip(")")) for label in labels]
    assert sum(counts) == len(units) and max(counts) - min(counts) <= 1
    assert SYNTHETIC_NOTE in _texts(ax)
    assert ax.get_xticks().size == 0 and ax.get_yticks().size == 0
    assert ax.get_aspect() == 1.0


def test_choropleth_class_colours_follow_values():
    grid = _grid()
    ax = choropleth(grid, "v", scheme="equal_interval", k=4, cmap="Greys", edgecolor="none")
    faces = ax.collections[0].get_facecolors()
    darkness = 1 - faces[:, :3].mean(axis=1)
    assert np.all(np.diff(darkness) >= -1e-12)  # values rise along the rows, and so does darkness
    assert darkness[-1] > darkness[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["0.0 – 3.8  (4)", "3.8 – 7.5  (4)", "7.5 – 11.2  (4)", "11.2 – 15.0  (4)"]


def test_choropleth_missing_values_are_drawn_and_counted(units):
    units.loc[units.index[:3], "share"] = np.nan
    ax = choropleth(units, "share", fmt="{:.0%}")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[-1] == "No data  (3)"
    hatched = [c for c in ax.collections if c.get_hatch()]
    assert len(hatched) == 1 and len(hatched[0].get_paths()) == 3
    assert all("%" in label for label in labels[:-1])


def test_choropleth_user_defined_bins_and_continuous_scale(units):
    ax = choropleth(units, "share", scheme="user_defined", bins=[0.05, 0.2, 0.5])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(labels) == 4 and labels[1].startswith("0.050 – 0.200")
    fig, ax2 = plt.subplots()
    choropleth(units, "share", ax=ax2, scheme=None, legend_title="share of residents")
    assert len(fig.axes) == 2  # the map and its colour bar
    assert fig.axes[1].get_ylabel() == "share of residents"


def test_choropleth_natural_breaks_is_deterministic(units):
    a = [t.get_text() for t in choropleth(units, "share", scheme="natural_breaks").get_legend().get_texts()]
    b = [t.get_text() for t in choropleth(units, "share", scheme="natural_breaks").get_legend().get_texts()]
    assert a == b


def test_choropleth_geographic_crs_aspect():
    grid = _grid(crs=27700).to_crs(4326)
    ax = choropleth(grid, "v")
    assert ax.get_aspect() == pytest.approx(1 / np.cos(np.radians(grid.total_bounds[[1, 3]].mean())))


def test_choropleth_returns_the_axes_given():
    fig, ax = plt.subplots()
    assert choropleth(_grid(), "v", ax=ax) is ax


def test_choropleth_few_distinct_values_no_warning():
    grid = _grid()
    grid["v"] = [1.0, 2.0] * 8
    ax = choropleth(grid, "v", k=5)
    assert len(ax.get_legend().get_texts()) == 2


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"column": "nope"}, ValueError, r"column 'nope' given as 'column' is not in the table"),
        ({"column": "name"}, TypeError, r"must be numeric, got dtype"),
        ({"column": "v", "scheme": "jenks"}, ValueError, r"'scheme' must be one of"),
        ({"column": "v", "scheme": "user_defined"}, ValueError, r"needs bins="),
        ({"column": "v", "bins": [1, 2]}, ValueError, r"bins= is only used with scheme='user_defined'"),
        ({"column": "v", "k": 1}, ValueError, r"'k' \(the number of classes\) must be an integer >= 2"),
        ({"column": "empty"}, ValueError, r"has no values \(all 16 are missing\)"),
        ({"column": "inf"}, ValueError, r"infinite value \(first at row 2\)"),
    ],
)
def test_choropleth_errors(kwargs, error, match):
    grid = _grid()
    grid["name"] = "x"
    grid["empty"] = np.nan
    grid["inf"] = [0.0, 1.0, np.inf] + [1.0] * 13
    with pytest.raises(error, match=match):
        choropleth(grid, **kwargs)


def test_choropleth_needs_a_geodataframe():
    with pytest.raises(TypeError, match=r"'gdf' must be a GeoDataFrame"):
        choropleth(pd.DataFrame({"v": [1.0]}), "v")
    with pytest.raises(ValueError, match=r"'gdf' is empty"):
        choropleth(_grid().iloc[:0], "v")


# ---------------------------------------------------------------- school points


def test_school_points_sizes_colours_and_legends(town, units):
    schools = town.schools.assign(share=town.schools["pakistani"] / town.schools["roll"])
    units = units.assign(share=units["pakistani"] / units["total"])
    ax = school_points(schools, units, share_column="share", source="Synthetic", title="Schools")
    dots = ax.collections[-1]
    assert len(dots.get_offsets()) == len(schools)
    # marker area proportional to roll (plus a small floor), biggest first
    sizes = dots.get_sizes()
    rolls = np.sort(schools["roll"].to_numpy())[::-1]
    assert np.allclose(sizes - 4.0, 220.0 * rolls / rolls.max())
    # background units drawn too, and one colour bar
    assert sum(len(c.get_paths()) for c in ax.collections[:-1]) == len(units)
    assert len(ax.figure.axes) == 2
    legend = ax.get_legend()
    assert legend.get_title().get_text() == "roll"
    assert 1 <= len(legend.get_texts()) <= 3
    assert "Synthetic" in _texts(ax)


def test_school_points_colour_is_the_share(town):
    schools = town.schools.assign(share=np.linspace(0, 1, len(town.schools)))
    ax = school_points(schools, share_column="share", cmap="Greys", legend=False)
    dots = ax.collections[-1]
    faces = dots.get_facecolors()
    offsets = dots.get_offsets()
    # the darkest dot is the school with share 1 (the last school)
    last = schools.geometry.iloc[-1]
    darkest = offsets[np.argmin(faces[:, :3].sum(axis=1))]
    assert np.allclose(darkest, [last.x, last.y])
    assert ax.get_legend() is None


def test_school_points_missing_share_is_hollow_and_counted(town):
    schools = town.schools.assign(share=town.schools["pakistani"] / town.schools["roll"])
    schools.loc[schools.index[0], "share"] = np.nan
    ax = school_points(schools, share_column="share")
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[-1] == "no value  (1)"
    faces = ax.collections[-1].get_facecolors()
    assert (faces[:, 3] == 0).sum() == 1


def test_school_points_errors(town, units):
    schools = town.schools.assign(share=0.5)
    with pytest.raises(ValueError, match=r"different CRSs; reproject one"):
        school_points(schools, units.to_crs(4326).assign(share=0.1), share_column="share")
    with pytest.raises(ValueError, match=r"must hold points"):
        school_points(units, share_column="share")
    with pytest.raises(ValueError, match=r"'share_column' is not in the table"):
        school_points(schools, share_column="nope")
    with pytest.raises(ValueError, match=r"negative values"):
        school_points(schools.assign(roll=-1), share_column="share")
    with pytest.raises(TypeError, match=r"'schools' must be a GeoDataFrame"):
        school_points(pd.DataFrame(schools.drop(columns="geometry")), share_column="share")


# ---------------------------------------------------------------- charts


@pytest.fixture()
def years():
    return pd.DataFrame({
        "year": [2001, 2011, 2021] * 2,
        "group": ["A"] * 3 + ["B"] * 3,
        "index": "dissimilarity",
        "value": [0.5, 0.45, 0.4, 0.3, 0.32, 0.31],
        "ci_low": [0.45, 0.4, 0.35, 0.25, 0.27, 0.26],
        "ci_high": [0.55, 0.5, 0.45, 0.35, 0.37, 0.36],
    })


def test_index_by_year_lines_and_intervals(years):
    ax = index_by_year(years, source="src")
    data_lines = [ln for ln in ax.get_lines() if ln.get_marker() == "o"]
    assert len(data_lines) == 2
    assert list(data_lines[0].get_xdata()) == [2001, 2011, 2021]
    bands = [c for c in ax.collections if type(c).__name__ in ("FillBetweenPolyCollection", "PolyCollection")]
    assert len(bands) == 2
    assert ax.get_ylabel() == "Dissimilarity D"
    assert list(ax.get_xticks()) == [2001, 2011, 2021]
    assert "src" in _texts(ax)


def test_index_by_year_without_intervals_or_groups(years):
    ax = index_by_year(years[years.group == "A"].drop(columns=["ci_low", "ci_high", "group"]))
    assert len(ax.get_lines()) == 1 and not ax.collections and ax.get_legend() is None


def test_index_by_year_errors(years):
    mixed = pd.concat([years, years.assign(index="isolation")])
    with pytest.raises(ValueError, match=r"several values of 'index'"):
        index_by_year(mixed)
    with pytest.raises(ValueError, match=r"several rows share a year"):
        index_by_year(years.drop(columns="group"))
    with pytest.raises(ValueError, match=r"column 'yr' \(given as 'x'\) is not in the table"):
        index_by_year(years, x="yr")
    with pytest.raises(TypeError, match=r"must be a pandas DataFrame"):
        index_by_year([1, 2])
    with pytest.raises(ValueError, match=r"table is empty"):
        index_by_year(years.iloc[:0])


def test_schools_vs_neighbourhoods_points_line_and_labels():
    t = pd.DataFrame({"group": ["A", "B", "C"], "neighbourhoods": [0.3, 0.5, 0.6], "schools": [0.4, 0.55, 0.5],
                      "lo": [0.35, 0.5, 0.45], "hi": [0.45, 0.6, 0.55]})
    ax = schools_vs_neighbourhoods(t, yerr=("lo", "hi"), index_name="dissimilarity", source="src")
    scatter = [c for c in ax.collections if len(c.get_offsets()) == 3 and c.get_sizes().size]
    assert len(scatter[-1].get_offsets()) == 3
    diagonal = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(diagonal) == 1
    x, y = diagonal[0].get_xdata(), diagonal[0].get_ydata()
    assert np.allclose(x, y)
    assert ax.get_xlim() == ax.get_ylim()
    assert [t.get_text() for t in ax.texts[:3]] == ["A", "B", "C"]
    assert "src" in _texts(ax)
    assert ax.get_xlabel() == "Dissimilarity D across neighbourhoods"


def test_schools_vs_neighbourhoods_labels_do_not_overlap():
    # six groups at nearly the same point: their labels are spread (a leader line where moved far)
    t = pd.DataFrame({"group": [f"group {k}" for k in range(6)],
                      "neighbourhoods": 0.3 + 0.002 * np.arange(6), "schools": 0.4 + 0.001 * np.arange(6)})
    ax = schools_vs_neighbourhoods(t)
    renderer = None
    labels = [x for x in ax.texts if x.get_text().startswith("group")]
    assert sorted(x.get_text() for x in labels) == list(t["group"])
    from matplotlib.text import Text

    # the text's own box (an annotation's box includes its leader line)
    boxes = [Text.get_window_extent(x, renderer) for x in labels + [x for x in ax.texts if "segregated" in x.get_text()]]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert any(getattr(x, "arrow_patch", None) is not None for x in labels)
    plt.close(ax.figure)


def test_schools_vs_neighbourhoods_errors():
    t = pd.DataFrame({"neighbourhoods": [0.3], "schools": ["high"]})
    with pytest.raises(TypeError, match=r"'schools' must be numeric"):
        schools_vs_neighbourhoods(t)
    with pytest.raises(ValueError, match=r"no finite values"):
        schools_vs_neighbourhoods(pd.DataFrame({"neighbourhoods": [np.nan], "schools": [np.nan]}))
    with pytest.raises(ValueError, match=r"column 'lo' \(given as 'xerr\[0\]'\)"):
        schools_vs_neighbourhoods(pd.DataFrame({"neighbourhoods": [0.1], "schools": [0.2]}), xerr=("lo", "hi"))


def test_indices_by_group_bars(town):
    table = segregation_table(town.units, list(town.groups), total="total", other="white_british")
    ax = indices_by_group(table, source="src")
    assert len(ax.patches) == len(town.groups) * 3
    assert [t.get_text() for t in ax.get_yticklabels()] == list(town.groups)
    d = table[(table["index"] == "dissimilarity") & (table.comparison == "rest")].set_index("group")["value"]
    widths = [p.get_width() for p in ax.containers[0]]
    assert np.allclose(widths, d.loc[list(town.groups)].to_numpy())
    assert "src" in _texts(ax)
    ax2 = indices_by_group(table, comparison="white_british", indices=["dissimilarity"])
    assert len(ax2.patches) == len(town.groups) - 1


def test_indices_by_group_errors(town):
    table = segregation_table(town.units, list(town.groups), total="total")
    with pytest.raises(ValueError, match=r"no 'theil' rows"):
        indices_by_group(table, indices=["theil"])
    with pytest.raises(ValueError, match=r"no rows with comparison 'white_british'"):
        indices_by_group(table, comparison="white_british")
    by_ward = segregation_table(town.units, ["pakistani", "indian"], total="total", by="ward")
    with pytest.raises(ValueError, match=r"several values of 'area'"):
        indices_by_group(by_ward)
    ax = indices_by_group(by_ward, area="W01", indices=["dissimilarity"])
    assert len(ax.patches) == 2
    with pytest.raises(ValueError, match=r"column 'group'"):
        indices_by_group(table.drop(columns="group"))


def test_choropleth_location_quotient_colours():
    from segindex.plot import LQ_BINS, LQ_COLORS

    grid = _grid()
    grid["lq"] = np.linspace(0.1, 5.0, 16)
    ax = choropleth(grid, "lq", scheme="user_defined", bins=LQ_BINS, colors=LQ_COLORS)
    faces = ax.collections[0].get_facecolors()
    assert np.allclose(faces[0], matplotlib.colors.to_rgba(LQ_COLORS[0]))
    assert np.allclose(faces[-1], matplotlib.colors.to_rgba(LQ_COLORS[-1]))
    assert len(ax.get_legend().get_texts()) == 6
    with pytest.raises(ValueError, match=r"'colors' gives 2 colours for 6 classes"):
        choropleth(grid, "lq", scheme="user_defined", bins=LQ_BINS, colors=["red", "blue"])


def test_choropleth_percent_labels_keep_class_bounds_apart():
    grid = _grid()
    grid["share"] = [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008] + [0.009] * 4 + [0.2, 0.3, 0.35, 0.4]
    ax = choropleth(grid, "share", k=5, fmt="percent")
    labels = [t.get_text().split("  (")[0] for t in ax.get_legend().get_texts()]
    bounds = [b for label in labels for b in label.split(" – ")]
    assert all(b.endswith("%") for b in bounds)
    assert all(lo != hi for lo, hi in (label.split(" – ") for label in labels))  # never "0% – 0%"
    assert labels[0] == "0.1% – 0.4%"
    # plain numbers follow the same rule
    grid["v"] = np.linspace(0, 0.0015, 16)
    labels = [t.get_text() for t in choropleth(grid, "v", scheme="equal_interval", k=3).get_legend().get_texts()]
    assert [label.split("  (")[0] for label in labels] == ["0.0000 – 0.0005", "0.0005 – 0.0010", "0.0010 – 0.0015"]
