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
    human_label,
    plot_choropleth,
    plot_index_by_year,
    plot_indices_by_group,
    plot_school_points,
    plot_schools_vs_neighbourhoods,
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
    ax = plot_choropleth(units, "share", k=5, source=SYNTHETIC_NOTE, title="Pakistani share")
    assert ax.get_title() == "Pakistani share"
    drawn = sum(len(c.get_paths()) for c in ax.collections)
    assert drawn == len(units)
    legend = ax.get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    assert len(labels) == 5
    assert legend.get_title().get_text() == "Share"  # the column, written for a reader
    # quantile classes hold (nearly) equal numbers of units: 80 / 5
    counts = [int(label.rsplit("(", 1)[1].rstrip(")")) for label in labels]
    assert sum(counts) == len(units) and max(counts) - min(counts) <= 1
    assert SYNTHETIC_NOTE in _texts(ax)
    assert ax.get_xticks().size == 0 and ax.get_yticks().size == 0
    assert ax.get_aspect() == 1.0


def test_choropleth_class_colours_follow_values():
    grid = _grid()
    ax = plot_choropleth(grid, "v", scheme="equal_interval", k=4, cmap="Greys", edgecolor="none")
    faces = ax.collections[0].get_facecolors()
    darkness = 1 - faces[:, :3].mean(axis=1)
    assert np.all(np.diff(darkness) >= -1e-12)  # values rise along the rows, and so does darkness
    assert darkness[-1] > darkness[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["0.0 – 3.8  (4)", "3.8 – 7.5  (4)", "7.5 – 11.2  (4)", "11.2 – 15.0  (4)"]


def test_choropleth_missing_values_are_drawn_and_counted(units):
    units.loc[units.index[:3], "share"] = np.nan
    ax = plot_choropleth(units, "share", fmt="{:.0%}")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[-1] == "No data  (3)"
    hatched = [c for c in ax.collections if c.get_hatch()]
    assert len(hatched) == 1 and len(hatched[0].get_paths()) == 3
    assert all("%" in label for label in labels[:-1])


def test_choropleth_user_defined_bins_and_continuous_scale(units):
    ax = plot_choropleth(units, "share", scheme="user_defined", bins=[0.05, 0.2, 0.5])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(labels) == 4 and labels[1].startswith("0.050 – 0.200")
    fig, ax2 = plt.subplots()
    plot_choropleth(units, "share", ax=ax2, scheme=None, legend_title="share of residents")
    assert len(fig.axes) == 2  # the map and its colour bar
    assert fig.axes[1].get_ylabel() == "share of residents"


def test_choropleth_natural_breaks_is_deterministic(units):
    a = [t.get_text() for t in plot_choropleth(units, "share", scheme="natural_breaks").get_legend().get_texts()]
    b = [t.get_text() for t in plot_choropleth(units, "share", scheme="natural_breaks").get_legend().get_texts()]
    assert a == b


def test_choropleth_geographic_crs_aspect():
    grid = _grid(crs=27700).to_crs(4326)
    ax = plot_choropleth(grid, "v")
    assert ax.get_aspect() == pytest.approx(1 / np.cos(np.radians(grid.total_bounds[[1, 3]].mean())))


def test_choropleth_returns_the_axes_given():
    fig, ax = plt.subplots()
    assert plot_choropleth(_grid(), "v", ax=ax) is ax


def test_choropleth_few_distinct_values_no_warning():
    grid = _grid()
    grid["v"] = [1.0, 2.0] * 8
    ax = plot_choropleth(grid, "v", k=5)
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
        plot_choropleth(grid, **kwargs)


def test_choropleth_needs_a_geodataframe():
    with pytest.raises(TypeError, match=r"'gdf' must be a GeoDataFrame"):
        plot_choropleth(pd.DataFrame({"v": [1.0]}), "v")
    with pytest.raises(ValueError, match=r"'gdf' is empty"):
        plot_choropleth(_grid().iloc[:0], "v")


# ---------------------------------------------------------------- school points


def test_school_points_sizes_colours_and_legends(town, units):
    schools = town.schools.assign(share=town.schools["pakistani"] / town.schools["roll"])
    units = units.assign(share=units["pakistani"] / units["total"])
    ax = plot_school_points(schools, units, share_column="share", source="Synthetic", title="Schools")
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
    assert legend.get_title().get_text() == "Roll"
    assert 1 <= len(legend.get_texts()) <= 3
    assert "Synthetic" in _texts(ax)


def test_school_points_colour_is_the_share(town):
    schools = town.schools.assign(share=np.linspace(0, 1, len(town.schools)))
    ax = plot_school_points(schools, share_column="share", cmap="Greys", legend=False)
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
    ax = plot_school_points(schools, share_column="share")
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[-1] == "no value  (1)"
    faces = ax.collections[-1].get_facecolors()
    assert (faces[:, 3] == 0).sum() == 1


def test_school_points_errors(town, units):
    schools = town.schools.assign(share=0.5)
    with pytest.raises(ValueError, match=r"different CRSs; reproject one"):
        plot_school_points(schools, units.to_crs(4326).assign(share=0.1), share_column="share")
    with pytest.raises(ValueError, match=r"must hold points"):
        plot_school_points(units, share_column="share")
    with pytest.raises(ValueError, match=r"'share_column' is not in the table"):
        plot_school_points(schools, share_column="nope")
    with pytest.raises(ValueError, match=r"negative values"):
        plot_school_points(schools.assign(roll=-1), share_column="share")
    with pytest.raises(TypeError, match=r"'schools' must be a GeoDataFrame"):
        plot_school_points(pd.DataFrame(schools.drop(columns="geometry")), share_column="share")


# ---------------------------------------------------------------- charts


@pytest.fixture()
def years():
    return pd.DataFrame(
        {
            "year": [2001, 2011, 2021] * 2,
            "group": ["A"] * 3 + ["B"] * 3,
            "index": "dissimilarity",
            "value": [0.5, 0.45, 0.4, 0.3, 0.32, 0.31],
            "ci_low": [0.45, 0.4, 0.35, 0.25, 0.27, 0.26],
            "ci_high": [0.55, 0.5, 0.45, 0.35, 0.37, 0.36],
        }
    )


def test_index_by_year_lines_and_intervals(years):
    ax = plot_index_by_year(years, source="src")
    data_lines = [ln for ln in ax.get_lines() if not ln.get_label().startswith("_")]
    assert len(data_lines) == 2
    assert list(data_lines[0].get_xdata()) == [2001, 2011, 2021]
    bands = [c for c in ax.collections if type(c).__name__ in ("FillBetweenPolyCollection", "PolyCollection")]
    assert len(bands) == 2
    assert ax.get_ylabel() == "Dissimilarity D"
    assert list(ax.get_xticks()) == [2001, 2011, 2021]
    assert "src" in _texts(ax)


def test_index_by_year_without_intervals_or_groups(years):
    ax = plot_index_by_year(years[years.group == "A"].drop(columns=["ci_low", "ci_high", "group"]))
    assert len(ax.get_lines()) == 1 and not ax.collections and ax.get_legend() is None


def test_index_by_year_errors(years):
    mixed = pd.concat([years, years.assign(index="isolation")])
    with pytest.raises(ValueError, match=r"several values of 'index'"):
        plot_index_by_year(mixed)
    with pytest.raises(ValueError, match=r"several rows share a year"):
        plot_index_by_year(years.drop(columns="group"))
    with pytest.raises(ValueError, match=r"column 'yr' \(given as 'x'\) is not in the table"):
        plot_index_by_year(years, x="yr")
    with pytest.raises(TypeError, match=r"must be a pandas DataFrame"):
        plot_index_by_year([1, 2])
    with pytest.raises(ValueError, match=r"table is empty"):
        plot_index_by_year(years.iloc[:0])


def test_schools_vs_neighbourhoods_points_line_and_labels():
    t = pd.DataFrame(
        {
            "group": ["A", "B", "C"],
            "neighbourhoods": [0.3, 0.5, 0.6],
            "schools": [0.4, 0.55, 0.5],
            "lo": [0.35, 0.5, 0.45],
            "hi": [0.45, 0.6, 0.55],
        }
    )
    ax = plot_schools_vs_neighbourhoods(t, yerr=("lo", "hi"), index_name="dissimilarity", source="src")
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
    t = pd.DataFrame(
        {
            "group": [f"group {k}" for k in range(6)],
            "neighbourhoods": 0.3 + 0.002 * np.arange(6),
            "schools": 0.4 + 0.001 * np.arange(6),
        }
    )
    ax = plot_schools_vs_neighbourhoods(t)
    renderer = None
    labels = [x for x in ax.texts if x.get_text().startswith("group")]
    assert sorted(x.get_text() for x in labels) == list(t["group"])
    from matplotlib.text import Text

    # the text's own box (an annotation's box includes its leader line)
    corners = [x for x in ax.texts if "segregated" in x.get_text()]
    boxes = [Text.get_window_extent(x, renderer) for x in labels + corners]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    assert any(getattr(x, "arrow_patch", None) is not None for x in labels)
    plt.close(ax.figure)


def test_schools_vs_neighbourhoods_errors():
    t = pd.DataFrame({"neighbourhoods": [0.3], "schools": ["high"]})
    with pytest.raises(TypeError, match=r"'schools' must be numeric"):
        plot_schools_vs_neighbourhoods(t)
    with pytest.raises(ValueError, match=r"no finite values"):
        plot_schools_vs_neighbourhoods(pd.DataFrame({"neighbourhoods": [np.nan], "schools": [np.nan]}))
    with pytest.raises(ValueError, match=r"column 'lo' \(given as 'xerr\[0\]'\)"):
        plot_schools_vs_neighbourhoods(pd.DataFrame({"neighbourhoods": [0.1], "schools": [0.2]}), xerr=("lo", "hi"))


def test_indices_by_group_bars(town):
    table = segregation_table(town.units, list(town.groups), total="total", other="white_british")
    ax = plot_indices_by_group(table, source="src")
    assert len(ax.patches) == len(town.groups) * 3
    assert [t.get_text() for t in ax.get_yticklabels()] == [human_label(g) for g in town.groups]
    assert "Black African" in [t.get_text() for t in ax.get_yticklabels()]
    d = table[(table["index"] == "dissimilarity") & (table.comparison == "rest")].set_index("group")["value"]
    widths = [p.get_width() for p in ax.containers[0]]
    assert np.allclose(widths, d.loc[list(town.groups)].to_numpy())
    assert "src" in _texts(ax)
    ax2 = plot_indices_by_group(table, comparison="white_british", indices=["dissimilarity"])
    assert len(ax2.patches) == len(town.groups) - 1


def test_indices_by_group_errors(town):
    table = segregation_table(town.units, list(town.groups), total="total")
    with pytest.raises(ValueError, match=r"no 'theil' rows"):
        plot_indices_by_group(table, indices=["theil"])
    with pytest.raises(ValueError, match=r"no rows with comparison 'white_british'"):
        plot_indices_by_group(table, comparison="white_british")
    by_ward = segregation_table(town.units, ["pakistani", "indian"], total="total", by="ward")
    with pytest.raises(ValueError, match=r"several values of 'area'"):
        plot_indices_by_group(by_ward)
    ax = plot_indices_by_group(by_ward, area="W01", indices=["dissimilarity"])
    assert len(ax.patches) == 2
    with pytest.raises(ValueError, match=r"column 'group'"):
        plot_indices_by_group(table.drop(columns="group"))


def test_choropleth_location_quotient_colours():
    from segindex.plot import LQ_BINS, LQ_COLORS

    grid = _grid()
    grid["lq"] = np.linspace(0.1, 5.0, 16)
    ax = plot_choropleth(grid, "lq", scheme="user_defined", bins=LQ_BINS, colors=LQ_COLORS)
    faces = ax.collections[0].get_facecolors()
    assert np.allclose(faces[0], matplotlib.colors.to_rgba(LQ_COLORS[0]))
    assert np.allclose(faces[-1], matplotlib.colors.to_rgba(LQ_COLORS[-1]))
    assert len(ax.get_legend().get_texts()) == 6
    with pytest.raises(ValueError, match=r"'colors' gives 2 colours for 6 classes"):
        plot_choropleth(grid, "lq", scheme="user_defined", bins=LQ_BINS, colors=["red", "blue"])


def test_choropleth_percent_labels_keep_class_bounds_apart():
    grid = _grid()
    grid["share"] = [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008] + [0.009] * 4 + [0.2, 0.3, 0.35, 0.4]
    ax = plot_choropleth(grid, "share", k=5, fmt="percent")
    labels = [t.get_text().split("  (")[0] for t in ax.get_legend().get_texts()]
    bounds = [b for label in labels for b in label.split(" – ")]
    assert all(b.endswith("%") for b in bounds)
    assert all(lo != hi for lo, hi in (label.split(" – ") for label in labels))  # never "0% – 0%"
    assert labels[0] == "0.1% – 0.4%"
    # plain numbers follow the same rule
    grid["v"] = np.linspace(0, 0.0015, 16)
    labels = [t.get_text() for t in plot_choropleth(grid, "v", scheme="equal_interval", k=3).get_legend().get_texts()]
    assert [label.split("  (")[0] for label in labels] == ["0.0000 – 0.0005", "0.0005 – 0.0010", "0.0010 – 0.0015"]


# ---------------------------------------------------------------- conventions: names, ax, return value

import inspect  # noqa: E402

import segindex.plot as splot  # noqa: E402
from segindex.errors import SegindexTypeError, SegindexValueError  # noqa: E402
from segindex.plot import (  # noqa: E402
    CVD_SAFE_CMAPS,
    CVD_SAFE_COLORS,
    LQ_BINS,
    LQ_COLORS,
    TYPE_COLORS,
    figure_title,
    plot_profile,
    plot_school_contrast,
    plot_threshold_trend,
    plot_trend,
    plot_trend_panels,
    plot_typology,
)

PLOT_FUNCTIONS = [getattr(splot, name) for name in splot.__all__ if name.startswith("plot_")]


def test_every_plot_function_is_named_plot_and_takes_ax_by_keyword():
    callables = [name for name in splot.__all__ if inspect.isfunction(getattr(splot, name))]
    helpers = {"figure_title", "human_label"}  # text helpers, not plots
    assert sorted(n for n in callables if n not in helpers) == sorted(f.__name__ for f in PLOT_FUNCTIONS)
    assert len(PLOT_FUNCTIONS) == 16
    for func in PLOT_FUNCTIONS:
        params = inspect.signature(func).parameters
        if func.__name__ == "plot_trend_panels":  # several panels: axes=, returns an array of Axes
            assert params["axes"].kind is inspect.Parameter.KEYWORD_ONLY and params["axes"].default is None
            continue
        assert params["ax"].kind is inspect.Parameter.KEYWORD_ONLY, func.__name__
        assert params["ax"].default is None, func.__name__


def test_public_plot_signatures_have_type_hints():
    for func in PLOT_FUNCTIONS + [figure_title, human_label]:
        sig = inspect.signature(func)
        missing = [n for n, p in sig.parameters.items() if p.annotation is inspect.Parameter.empty]
        assert not missing, (func.__name__, missing)
        assert sig.return_annotation is not inspect.Signature.empty, func.__name__
    assert inspect.signature(plot_choropleth).return_annotation == "Axes"


def test_plot_functions_never_show():
    import ast

    import segindex.plot.charts
    import segindex.plot.maps
    import segindex.plot.schools
    import segindex.plot.spatial
    import segindex.plot.trends

    calls = 0
    for module in (
        segindex.plot.charts,
        segindex.plot.maps,
        segindex.plot.schools,
        segindex.plot.spatial,
        segindex.plot.trends,
    ):
        for node in ast.walk(ast.parse(inspect.getsource(module))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                calls += 1
                assert node.func.attr != "show", f"{module.__name__} line {node.lineno} calls show()"
    assert calls > 100  # the walk did see the code


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("choropleth", "plot_choropleth"),
        ("school_points", "plot_school_points"),
        ("index_by_year", "plot_index_by_year"),
        ("schools_vs_neighbourhoods", "plot_schools_vs_neighbourhoods"),
        ("indices_by_group", "plot_indices_by_group"),
    ],
)
def test_old_names_raise_naming_the_new_one(old, new):
    import segindex.plot.charts
    import segindex.plot.maps

    module = segindex.plot.maps if old in ("choropleth", "school_points") else segindex.plot.charts
    for stand_in in (getattr(splot, old), getattr(module, old)):
        with pytest.raises(SegindexTypeError, match=rf"{old}\(\) is now called segindex\.plot\.{new}"):
            stand_in(_grid(), "v")
    assert old not in splot.__all__


def _positional_ax_calls(town, units):
    """Each function that took ``ax`` by position before 0.2, called that way."""
    from segindex.schools import school_contrast
    from segindex.typology import area_typology

    table = pd.DataFrame({"year": [2011, 2021], "value": [0.5, 0.4], "group": "g", "index": "dissimilarity"})
    c = school_contrast(town.units, town.schools, "pakistani", total="total", school_total="roll")
    typ = area_typology(town.units, "white_british", ["pakistani", "indian"])
    prof = pd.DataFrame({"bandwidth": [1, 2], "index": "H", "group": "(all)", "value": [0.5, 0.2]})
    svn = pd.DataFrame({"group": ["A"], "neighbourhoods": [0.3], "schools": [0.4]})
    seg = segregation_table(town.units, ["pakistani", "indian"], total="total")
    return [
        (plot_index_by_year, (table,)),
        (plot_schools_vs_neighbourhoods, (svn,)),
        (plot_indices_by_group, (seg,)),
        (plot_school_contrast, (c, town.schools, town.units)),
        (plot_typology, (town.units, typ)),
        (plot_profile, (prof,)),
        (plot_trend, (table,)),
    ]


def test_positional_ax_raises_a_clear_type_error(town, units):
    calls = _positional_ax_calls(town, units)
    assert len(calls) == 7  # the seven functions whose ax was positional in segindex < 0.2
    for func, args in calls:
        fig, ax = plt.subplots()
        with pytest.raises(SegindexTypeError, match=rf"{func.__name__}\(\): 'ax' is keyword-only; write"):
            func(*args, ax)
        assert func(*args, ax=ax) is ax  # the same call with the keyword draws on the Axes given
        plt.close(fig)


# ---------------------------------------------------------------- colours readable with colour-vision deficiency


def _defaults(func, *names):
    params = inspect.signature(func).parameters
    return [params[n].default for n in names if n in params]


def test_default_colour_maps_are_cvd_safe():
    seen = []
    for func in PLOT_FUNCTIONS:
        seen += _defaults(func, "cmap", "residents_cmap")
    assert seen, "no colour map defaults found"
    assert all(isinstance(c, str) and c in CVD_SAFE_CMAPS for c in seen), seen
    # the list itself: viridis family and ColorBrewer safe schemes only, never rainbow-like maps
    assert {"viridis", "cividis", "YlGnBu", "RdBu", "RdBu_r", "PuOr"} <= CVD_SAFE_CMAPS
    assert not {"jet", "rainbow", "hsv", "RdYlGn", "Spectral", "tab10"} & CVD_SAFE_CMAPS
    for name in CVD_SAFE_CMAPS:
        matplotlib.colormaps[name]  # every name is a real matplotlib colour map


def _luminance(colour):
    r, g, b = matplotlib.colors.to_rgb(colour)
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_neutral_classes_are_not_near_white():
    # WCAG contrast ratio of the neutral location-quotient class and of type I against the white page
    for colour in (LQ_COLORS[2], TYPE_COLORS["I"]):
        ratio = 1.05 / (_luminance(colour) + 0.05)
        assert ratio >= 1.4, (colour, ratio)  # "#f7f7f7", the old neutral class, gives 1.07
    assert 1.05 / (_luminance("#f7f7f7") + 0.05) < 1.1
    # the classes run from blue to red, darkest at both ends, with the neutral class lightest of all
    lum = [_luminance(c) for c in LQ_COLORS]
    assert lum[2] == max(lum) and lum[0] < lum[1] and lum[3] > lum[4] > lum[5]
    assert len(set(CVD_SAFE_COLORS)) == len(CVD_SAFE_COLORS) == 8


def test_charts_use_the_cvd_safe_colours(town):
    table = segregation_table(town.units, ["pakistani", "indian"], total="total")
    ax = plot_indices_by_group(table)
    bar_colours = {matplotlib.colors.to_hex(c.patches[0].get_facecolor()) for c in ax.containers}
    assert bar_colours == {c.lower() for c in CVD_SAFE_COLORS[:3]}


# ---------------------------------------------------------------- readable maps: classes, missing data, legends


def _lq_grid(values):
    grid = _grid()
    grid["lq"] = values
    return grid


def _labels(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_lq_legend_lists_only_classes_that_exist():
    # the largest quotient is below 2: no "2.00 – 1.56 (0)" class, nor a "4.00 – ..." one
    ax = plot_choropleth(
        _lq_grid(np.linspace(0.3, 1.56, 16)), "lq", scheme="user_defined", bins=LQ_BINS, colors=LQ_COLORS, fmt="{:.2f}"
    )
    labels = _labels(ax)
    assert [label.split("  (")[0] for label in labels] == ["0.30 – 0.50", "0.50 – 0.80", "0.80 – 1.25", "1.25 – 1.56"]
    for label in labels:
        lo, hi = (float(v) for v in label.split("  (")[0].split(" – "))
        assert lo < hi
    # colours keep their class: the units above 1.25 are in the fourth LQ colour
    faces = ax.collections[0].get_facecolors()
    assert np.allclose(faces[-1], matplotlib.colors.to_rgba(LQ_COLORS[3]))
    # the smallest quotient above 0.5: no "below 0.5" class either
    labels = _labels(
        plot_choropleth(
            _lq_grid(np.linspace(0.9, 3.0, 16)),
            "lq",
            scheme="user_defined",
            bins=LQ_BINS,
            colors=LQ_COLORS,
            fmt="{:.2f}",
        )
    )
    assert [label.split("  (")[0] for label in labels] == ["0.90 – 1.25", "1.25 – 2.00", "2.00 – 3.00"]
    counts = [int(label.rsplit("(", 1)[1].rstrip(")")) for label in labels]
    assert sum(counts) == 16


def test_lq_legend_keeps_an_empty_class_inside_the_range():
    # nothing between 0.8 and 1.25, but values on both sides: the class is possible, shown with 0 units
    values = [0.3] * 8 + [3.0] * 8
    labels = _labels(
        plot_choropleth(_lq_grid(values), "lq", scheme="user_defined", bins=LQ_BINS, colors=LQ_COLORS, fmt="{:.2f}")
    )
    assert labels == [
        "0.30 – 0.50  (8)",
        "0.50 – 0.80  (0)",
        "0.80 – 1.25  (0)",
        "1.25 – 2.00  (0)",
        "2.00 – 3.00  (8)",
    ]


def test_missing_units_are_hatched_apart_from_the_neutral_class():
    values = np.r_[np.linspace(0.9, 1.2, 13), [np.nan] * 3]  # all present units in the neutral class
    ax = plot_choropleth(_lq_grid(values), "lq", scheme="user_defined", bins=LQ_BINS, colors=LQ_COLORS)
    labels = _labels(ax)
    assert labels[-1] == "No data  (3)" and len(labels) == 2
    neutral, missing = ax.collections
    assert np.allclose(neutral.get_facecolors(), matplotlib.colors.to_rgba(LQ_COLORS[2]))
    assert missing.get_hatch() and np.allclose(missing.get_facecolors()[0], (1, 1, 1, 1))
    handles = ax.get_legend().legend_handles
    assert handles[-1].get_hatch() and not handles[0].get_hatch()
    assert not np.allclose(handles[0].get_facecolor(), handles[-1].get_facecolor())


def _overlaps_axes(ax, legend):
    ax.figure.canvas.draw()
    return legend.get_window_extent().overlaps(ax.get_window_extent())


def test_map_legends_lie_off_the_map(town, units):
    units = units.copy()
    units.loc[units.index[:2], "share"] = np.nan
    ax = plot_choropleth(units, "share")
    assert not _overlaps_axes(ax, ax.get_legend())
    ax = plot_choropleth(units, "share", scheme=None)  # the "No data" entry beside the colour bar
    assert not _overlaps_axes(ax, ax.get_legend())
    schools = town.schools.assign(share=town.schools["pakistani"] / town.schools["roll"])
    ax = plot_school_points(schools, units, share_column="share")
    assert not _overlaps_axes(ax, ax.get_legend())  # the size legend never covers the town
    texts = _labels(ax)
    assert texts[-1] == "areas: no data  (2)"
    bar = ax.figure.axes[1]
    assert not ax.get_legend().get_window_extent().overlaps(bar.get_window_extent())


def test_school_points_size_legend_is_outside_with_real_data():
    from tests.conftest import shared_data

    path = shared_data("uk", "boundaries", "bradford_lsoa2011.gpkg")
    lsoas = gpd.read_file(path)
    cents = lsoas.representative_point()
    schools = gpd.GeoDataFrame(
        {"roll": np.linspace(50, 2000, len(lsoas)), "share": np.linspace(0, 1, len(lsoas))},
        geometry=cents.to_numpy(),
        crs=lsoas.crs,
    )
    ax = plot_school_points(schools.iloc[::5], lsoas.assign(share=0.2), share_column="share")
    assert not _overlaps_axes(ax, ax.get_legend())


# ---------------------------------------------------------------- titles and labels


def test_human_label_and_figure_title():
    from segindex.plot._base import human_label as base_label

    assert human_label is base_label
    assert human_label("black_african") == "Black African"
    assert human_label("white_british") == "White British"
    assert human_label("Pakistani") == "Pakistani"
    assert human_label("BlkAfrican") == "Black African" and human_label("WhiteBrit") == "White British"
    assert human_label("share of residents") == "share of residents"
    assert human_label(2011) == "2011"
    assert figure_title("location quotient", group="black_african", place="Bradford", year=2011) == (
        "Black African: location quotient, Bradford 2011"
    )
    assert figure_title("Segregation by group") == "Segregation by group"
    assert figure_title("Segregation", year=2021) == "Segregation, 2021"


def test_legend_titles_and_labels_are_written_for_readers(town):
    u = town.units.assign(black_african_share=town.units["black_african"] / town.units["total"])
    ax = plot_choropleth(u, "black_african_share")
    assert ax.get_legend().get_title().get_text() == "Black African Share"
    ax = plot_choropleth(u, "black_african_share", legend_title="Black African: share of residents")
    assert ax.get_legend().get_title().get_text() == "Black African: share of residents"


def test_long_titles_wrap_within_the_axes(units):
    long = figure_title(
        "share of residents living in units where the group is at least half of all residents",
        group="black_african",
        place="Example town",
        year=2011,
    )
    ax = plot_choropleth(units, "share", title=long)
    assert "\n" in ax.get_title()
    assert ax.get_title().replace("\n", " ") == long


# ---------------------------------------------------------------- intervals beside their estimate


def test_index_by_year_draws_intervals_that_exclude_the_value(years):
    # a bias-corrected interval need not contain the measured value: drawn from bound to bound, with its centre
    t = years.assign(ci_low=years["value"] - 0.06, ci_high=years["value"] - 0.01, bias_corrected=years["value"] - 0.035)
    ax = plot_index_by_year(t)
    bars = ax.containers
    assert len(bars) == 2
    segments = bars[0].lines[2][0].get_segments()
    assert np.allclose([s[0][1] for s in segments], t["ci_low"][:3])
    assert np.allclose([s[1][1] for s in segments], t["ci_high"][:3])
    centres = [ln for ln in ax.get_lines() if ln.get_label() == "_bias_corrected"]
    assert len(centres) == 2 and np.allclose(centres[0].get_ydata(), t["bias_corrected"][:3])
    assert "bias-corrected estimate\n(the interval's centre)" in _labels(ax)


def test_plot_trend_marks_the_bias_corrected_estimate():
    t = pd.DataFrame(
        {
            "year": [2011, 2021],
            "value": [0.5, 0.45],
            "bias_corrected": [0.47, 0.42],
            "ci_low": [0.44, 0.39],
            "ci_high": [0.49, 0.44],
        }
    )
    ax = plot_trend(t)
    centres = [ln for ln in ax.get_lines() if ln.get_label() == "_bias_corrected"]
    assert np.allclose(centres[0].get_ydata(), [0.47, 0.42])
    assert "bias-corrected estimate\n(the interval's centre)" in _labels(ax)
    axes = plot_trend_panels(t.assign(index="dissimilarity"), indices=["dissimilarity"])
    assert len(axes) == 1 and len(axes[0].figure.legends) == 1


def test_schools_vs_neighbourhoods_marks_the_centres():
    t = pd.DataFrame(
        {
            "group": ["A", "B"],
            "neighbourhoods": [0.3, 0.5],
            "schools": [0.4, 0.55],
            "lo": [0.3, 0.45],
            "hi": [0.38, 0.53],
            "bc": [0.34, 0.49],
        }
    )
    ax = plot_schools_vs_neighbourhoods(t, yerr=("lo", "hi"), bias_corrected=(None, "bc"))
    centre = [ln for ln in ax.get_lines() if ln.get_marker() == "D"]
    assert len(centre) == 1 and np.allclose(centre[0].get_ydata(), [0.34, 0.49])
    assert not _overlaps_axes(ax, ax.get_legend())
    with pytest.raises(SegindexValueError, match=r"column 'nope' \(given as 'bias_corrected\[1\]'\)"):
        plot_schools_vs_neighbourhoods(t, bias_corrected=(None, "nope"))


# ---------------------------------------------------------------- the other maps and charts


def test_plot_school_contrast_hatches_units_without_residents(town):
    from segindex.schools import school_contrast

    c = school_contrast(town.units, town.schools, "pakistani", total="total", school_total="roll")
    res = town.units.copy()
    res.loc[res.index[:3], ["total", "pakistani"]] = 0
    ax = plot_school_contrast(c, town.schools, res, group="pakistani", total="total", title="t")
    hatched = [col for col in ax.collections if col.get_hatch()]
    assert len(hatched) == 1 and len(hatched[0].get_paths()) == 3
    labels = _labels(ax)
    assert labels[-1] == "area: no residents  (3)"
    assert not _overlaps_axes(ax, ax.get_legend())
    # residents with none of the group are tinted, not white like the page
    shaded = [col for col in ax.collections if not col.get_hatch() and len(col.get_paths()) == len(res) - 3]
    assert shaded and np.all(shaded[0].get_facecolors()[:, :3].min(axis=1) < 0.97)


def test_plot_typology_hatches_untyped_units_and_keeps_legend_outside(town):
    from segindex.typology import area_typology

    typ = area_typology(town.units, "white_british", ["pakistani", "indian", "black_african"])
    typ.loc[typ.index[:2], "type"] = None
    ax = plot_typology(town.units, typ)
    labels = _labels(ax)
    assert labels[-1] == "no type (no people)  (2)"
    assert not _overlaps_axes(ax, ax.get_legend())
    fills = ax.collections[0].get_facecolors()
    assert not np.any(np.all(fills[:, :3] > 0.95, axis=1))  # no typed unit is drawn white


def test_plot_profile_lines_use_distinct_markers_and_colours():
    prof = pd.DataFrame(
        {
            "bandwidth": [500, 1000] * 2,
            "index": ["H"] * 2 + ["isolation"] * 2,
            "group": ["(all)"] * 2 + ["black_african"] * 2,
            "value": [0.3, 0.2, 0.5, 0.4],
        }
    )
    ax = plot_profile(prof)
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == ["H", "isolation: Black African"]
    assert lines[0].get_marker() != lines[1].get_marker() and lines[0].get_color() != lines[1].get_color()


# ---------------------------------------------------------------- threshold trend: the table of threshold_exposure


@pytest.fixture()
def threshold_panel():
    return pd.DataFrame(
        {"year": [2011] * 3 + [2021] * 3, "x": [60, 30, 10, 80, 15, 5], "all": [100] * 6, "la": ["A"] * 6}
    )


def test_plot_threshold_trend_draws_the_table_it_is_given(threshold_panel):
    from segindex.typology import threshold_exposure

    table = threshold_exposure(threshold_panel, "x", [0.25, 0.5], total="all", by="year")
    ax = plot_threshold_trend(table, title="t")
    lines = ax.get_lines()
    assert len(lines) == 2
    # shares by hand: 2011 units at >= 25 % hold 60 + 30 of 100; at >= 50 %, 60 of 100; 2021: 80 and 80
    assert np.allclose(lines[0].get_ydata(), [90.0, 80.0]) and np.allclose(lines[1].get_ydata(), [60.0, 80.0])
    assert _labels(ax) == ["≥ 25 % X", "≥ 50 % X"]
    assert not hasattr(ax, "threshold_table")  # nothing stored on the Axes
    # strict thresholds say so
    strict = threshold_exposure(threshold_panel, "x", [0.6], total="all", by="year", strict=True)
    assert _labels(plot_threshold_trend(strict)) == ["> 60 % X"]
    # another share of the same table
    ax = plot_threshold_trend(table, value="population_share")
    assert ax.get_ylabel() == "% of residents living in such units"


def test_plot_threshold_trend_errors(threshold_panel):
    from segindex.typology import threshold_exposure

    with pytest.raises(SegindexTypeError, match=r"'total' was removed: .*threshold_exposure\(data, group"):
        plot_threshold_trend(threshold_panel, "x", total="all")
    with pytest.raises(SegindexTypeError, match=r"'thresholds' was removed"):
        plot_threshold_trend(threshold_panel, thresholds=[0.5])
    with pytest.raises(SegindexValueError, match=r"has no 'threshold' or 'group_share' column: pass the table"):
        plot_threshold_trend(threshold_panel)
    two = threshold_exposure(threshold_panel.assign(la=["A", "B"] * 3), "x", [0.5], total="all", by=["la", "year"])
    with pytest.raises(SegindexValueError, match=r"several rows per year and threshold.*'la'"):
        plot_threshold_trend(two)
    mixed = pd.concat([threshold_exposure(threshold_panel, g, [0.5], total="all", by="year") for g in ("x", "all")])
    with pytest.raises(SegindexValueError, match=r"mixes several values of 'group' \('x', 'all'\)"):
        plot_threshold_trend(mixed)
    table = threshold_exposure(threshold_panel, "x", [0.5], total="all", by="year")
    with pytest.raises(SegindexValueError, match=r"the table is empty"):
        plot_threshold_trend(table.iloc[:0])
    with pytest.raises(SegindexTypeError, match=r"'table' must be the DataFrame of threshold_exposure"):
        plot_threshold_trend(table.to_dict())


# Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color vision
# deficiency", IEEE TVCG 15(6): matrices for severity 1.0, applied to linear sRGB.
_CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}


def _lab(colour, matrix=None):
    """CIELAB (D65) of an sRGB colour, as seen with a colour-vision deficiency when ``matrix`` is given."""
    c = np.array(matplotlib.colors.to_rgb(colour))
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    if matrix is not None:
        lin = np.clip(np.array(matrix) @ lin, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ lin
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("vision", [None, *_CVD])
def test_class_colours_stay_apart_with_colour_vision_deficiency(vision):
    # neighbouring classes, and every class against the white page and the white "No data" units, differ by
    # a CIELAB distance above 10 (clearly visible) for normal vision and the three dichromacies
    matrix = None if vision is None else _CVD[vision]
    for colours in (LQ_COLORS, tuple(TYPE_COLORS.values())):
        lab = [_lab(c, matrix) for c in colours]
        white = _lab("white", matrix)
        assert min(np.linalg.norm(a - b) for a, b in zip(lab, lab[1:])) > 10, (vision, colours)
        assert min(np.linalg.norm(a - white) for a in lab) > 10, (vision, colours)
    # the old neutral class was too close to white to tell from a unit with no data
    assert np.linalg.norm(_lab("#f7f7f7", matrix) - _lab("white", matrix)) < 3
