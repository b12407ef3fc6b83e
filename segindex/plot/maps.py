"""Maps: classed choropleths of any per-unit column, and schools over residents."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._compat import removed_function
from ..errors import SegindexTypeError, SegindexValueError
from ._base import add_source, draw_missing, get_ax, human_label, map_figsize, missing_handle, set_title

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap

__all__ = ["plot_choropleth", "plot_school_points", "SCHEMES", "LQ_BINS", "LQ_COLORS"]

#: Classification schemes of :func:`plot_choropleth` and the mapclassify classifier behind each.
SCHEMES = {
    "quantiles": "Quantiles",
    "natural_breaks": "FisherJenks",  # Jenks' optimal breaks, exact and deterministic
    "fisher_jenks": "FisherJenks",
    "equal_interval": "EqualInterval",
    "headtail_breaks": "HeadTailBreaks",
    "std_mean": "StdMean",
    "box_plot": "BoxPlot",
    "user_defined": "UserDefined",
}

#: Class bounds for maps of location quotients (with ``scheme="user_defined"``).
LQ_BINS = (0.5, 0.8, 1.25, 2.0, 4.0)
#: Colours of the six location-quotient classes (below 0.5 ... above 4), from ColorBrewer's RdBu (safe
#: for colour-vision deficiency): under-representation in blues, about the area's share (0.80-1.25) in a
#: light grey that stands out from the white page and from the white, hatched units with no data, and
#: concentration in light red to dark red, so that the eye goes to where a group is concentrated.
LQ_COLORS = ("#6aa6cf", "#b8d6e9", "#d4d4d4", "#f4a582", "#d6604d", "#9e1a2b")


def _check_geoframe(gdf, name: str, caller: str):
    import geopandas as gpd

    if not isinstance(gdf, gpd.GeoDataFrame):
        raise SegindexTypeError(
            f"{caller}(): '{name}' must be a GeoDataFrame with a geometry column, got "
            f"{type(gdf).__name__}. Read boundaries with geopandas.read_file or segindex.io, "
            "or join your table to them first."
        )
    if len(gdf) == 0:
        raise SegindexValueError(f"{caller}(): '{name}' is empty (0 rows); there is nothing to draw.")


def _values(gdf, column, name: str, caller: str) -> np.ndarray:
    """A float column of ``gdf`` (NaN = missing), or a clear error."""
    if column not in gdf.columns:
        shown = ", ".join(repr(c) for c in list(gdf.columns)[:12])
        more = ", ..." if gdf.shape[1] > 12 else ""
        raise SegindexValueError(
            f"{caller}(): the column {column!r} given as '{name}' is not in the table. Its columns are: {shown}{more}."
        )
    col = gdf[column]
    if isinstance(col, pd.DataFrame):
        raise SegindexValueError(f"{caller}(): the table has several columns named {column!r}; rename them.")
    if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
        raise SegindexTypeError(
            f"{caller}(): the column {column!r} given as '{name}' must be numeric, got dtype {col.dtype}. "
            "Convert it with pandas.to_numeric first."
        )
    values = col.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.isinf(values)
    if bad.any():
        first = gdf.index[int(np.flatnonzero(bad)[0])]
        raise SegindexValueError(
            f"{caller}(): the column {column!r} holds an infinite value (first at row {first!r}); "
            "replace it with NaN to draw that unit as missing, or fix the calculation."
        )
    return values


def _set_map_axes(ax, gdf) -> None:
    """No ticks, equal aspect (corrected for latitude in a geographic CRS)."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_visible(False)
    crs = gdf.crs
    if crs is not None and crs.is_geographic:
        y = np.mean(gdf.total_bounds[[1, 3]])
        ax.set_aspect(1.0 / math.cos(math.radians(y)))
    else:
        ax.set_aspect("equal")


def _number_format(values: np.ndarray, fmt, bounds=()):
    """A function turning one number into legend text.

    ``fmt`` is a format string (used as it is), ``None`` (plain numbers) or
    ``"percent"``. In the last two cases the number of decimals is the
    smallest (from a starting point set by the range of the values) that
    writes every class bound differently, so that no legend reads "0% – 0%".
    """
    if fmt is not None and fmt != "percent":
        return fmt.format
    finite = values[np.isfinite(values)]
    span = float(np.ptp(finite)) if finite.size else 0.0
    top = float(np.max(np.abs(finite))) if finite.size else 0.0
    if fmt == "percent":
        start, pattern = 0, "{:,.%d%%}"
    else:
        start = 0 if top >= 1000 else 1 if span >= 10 else 2 if span >= 1 else 3
        pattern = "{:,.%df}"
    bounds = sorted(set(float(b) for b in bounds))
    digits = start
    while digits < start + 4 and len({(pattern % digits).format(b) for b in bounds}) < len(bounds):
        digits += 1
    return (pattern % digits).format


def _classify(values: np.ndarray, scheme: str, k: int, bins, caller: str):
    import mapclassify

    if scheme not in SCHEMES:
        raise SegindexValueError(
            f"{caller}(): 'scheme' must be one of {', '.join(repr(s) for s in SCHEMES)} "
            f"or None (a continuous colour bar), got {scheme!r}."
        )
    if scheme == "user_defined":
        if bins is None:
            raise SegindexValueError(
                f"{caller}(): scheme='user_defined' needs bins= (the upper bounds of the classes), "
                "for example bins=[0.5, 1, 2, 4]."
            )
        bins = [float(b) for b in bins]
        if bins[-1] < values.max():
            bins = bins + [float(values.max())]
        return mapclassify.UserDefined(values, bins=bins)
    if bins is not None:
        raise SegindexValueError(f"{caller}(): bins= is only used with scheme='user_defined', not {scheme!r}.")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2:
        raise SegindexValueError(f"{caller}(): 'k' (the number of classes) must be an integer >= 2, got {k!r}.")
    distinct = np.unique(values).size
    cls = getattr(mapclassify, SCHEMES[scheme])
    if scheme in ("headtail_breaks", "std_mean", "box_plot"):
        return cls(values)
    return cls(values, k=int(min(k, max(distinct, 1))))


def _shown_classes(classifier, values: np.ndarray, fmt) -> list[tuple[int, str]]:
    """The classes to list in the legend, as (class number, "low – high"), lowest first.

    Bounds are clipped to the range of the values, and a class is listed only
    when it holds units or covers part of that range: user-defined bins above
    the largest value (or below the smallest) give no impossible class such
    as "2.00 – 1.56".
    """
    vmin, vmax = float(values.min()), float(values.max())
    bins = [float(b) for b in classifier.bins]
    counts = np.bincount(classifier.yb, minlength=len(bins))
    kept = []
    for i, hi in enumerate(bins):
        lo = vmin if i == 0 else max(bins[i - 1], vmin)
        hi = min(hi, vmax)
        if counts[i] > 0 or lo < hi:
            kept.append((i, lo, hi))
    show = _number_format(values, fmt, [b for _, lo, hi in kept for b in (lo, hi)])
    return [(i, f"{show(lo)} – {show(hi)}") for i, lo, hi in kept]


def _legend_beside(ax, handles, *, title=None, lower=False, fontsize=8, **kwargs):
    """A legend to the right of the axes, off the data (upper or lower corner)."""
    return ax.legend(
        **kwargs,
        handles=handles,
        title=title,
        loc="lower left" if lower else "upper left",
        bbox_to_anchor=(1.02, 0.0) if lower else (1.02, 1.0),
        borderaxespad=0.0,
        fontsize=fontsize,
        title_fontsize=fontsize + 1,
        frameon=False,
        alignment="left",
    )


def plot_choropleth(
    gdf: gpd.GeoDataFrame,
    column: Hashable,
    *,
    ax: Axes | None = None,
    scheme: str | None = "quantiles",
    k: int = 5,
    bins: Sequence[float] | None = None,
    cmap: str | Colormap = "YlGnBu",
    colors: Sequence | None = None,
    legend: bool = True,
    legend_title: str | None = None,
    fmt: str | None = None,
    title: str | None = None,
    source: str | None = None,
    edgecolor: str = "white",
    linewidth: float = 0.2,
    vmin: float | None = None,
    vmax: float | None = None,
) -> Axes:
    """Map one per-unit column (group shares, location quotients, any number).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        One row per unit with a polygon (or point) geometry.
    column : column label
        The numeric column to map. NaN marks a missing value: the unit is drawn
        white, hatched in grey (never in a class colour), and the legend has a
        "No data" entry with the number of such units.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    scheme : str or None, default "quantiles"
        How to class the values (via mapclassify): ``"quantiles"``,
        ``"natural_breaks"`` (Jenks' optimal breaks, as ``"fisher_jenks"``),
        ``"equal_interval"``, ``"headtail_breaks"``, ``"std_mean"``,
        ``"box_plot"`` or ``"user_defined"`` (with ``bins``). ``None`` draws a
        continuous colour scale with a colour bar.
    k : int, default 5
        Number of classes (fewer when the column has fewer distinct values).
    bins : list of float, optional
        Upper bounds of the classes for ``scheme="user_defined"``; a last class
        up to the maximum is added when needed. Location quotients read well
        with ``bins=LQ_BINS, colors=LQ_COLORS``. The legend lists only the
        classes within the range of the values.
    cmap : str or Colormap, default "YlGnBu"
        Colour map (ColorBrewer's YlGnBu is readable with colour-vision
        deficiency; see :data:`segindex.plot.CVD_SAFE_CMAPS`).
    colors : list of colours, optional
        One colour per class, lowest first, instead of colours sampled from
        ``cmap`` (e.g. :data:`LQ_COLORS` with ``bins=LQ_BINS``). Colours keep
        their class when classes are left out of the legend.
    legend : bool, default True
        Draw the classed legend (or the colour bar), to the right of the map.
    legend_title : str, optional
        Legend title; the column name written for a reader
        (:func:`segindex.plot.human_label`) when omitted.
    fmt : str, optional
        Format of the legend numbers, e.g. ``"{:.2f}"``; ``"percent"`` writes
        percentages with as few decimals as keep the class bounds distinct;
        omitted, plain numbers chosen the same way.
    title : str, optional
        Axes title; :func:`segindex.plot.figure_title` writes one with the
        group, the place and the year.
    source : str, optional
        Source/attribution line written under the map (see
        :mod:`segindex.plot._base` for the standard strings).
    edgecolor, linewidth
        Unit outlines.
    vmin, vmax : float, optional
        Range of a continuous scale (``scheme=None``).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from segindex.datasets import example_town
    >>> from segindex.plot import plot_choropleth
    >>> units = example_town(0).units
    >>> units["share"] = units["pakistani"] / units["total"]
    >>> ax = plot_choropleth(units, "share", fmt="percent", source="Synthetic data")
    >>> len(ax.get_legend().get_texts())
    5
    """
    import matplotlib as mpl
    from matplotlib.patches import Patch

    caller = "plot_choropleth"
    _check_geoframe(gdf, "gdf", caller)
    values = _values(gdf, column, "column", caller)
    missing = np.isnan(values)
    present = values[~missing]
    if present.size == 0:
        raise SegindexValueError(
            f"{caller}(): the column {column!r} has no values (all {len(values)} are missing); nothing to map."
        )
    ax = get_ax(
        ax, figsize=map_figsize(gdf, margin=2.2 if scheme is not None else 1.0, bars=int(scheme is None and legend))
    )
    colormap = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
    geoms = gdf.geometry
    handles = []
    if scheme is None:
        if bins is not None:
            raise SegindexValueError(f"{caller}(): bins= is only used with scheme='user_defined', not None.")
        norm = mpl.colors.Normalize(
            vmin=float(present.min()) if vmin is None else vmin,
            vmax=float(present.max()) if vmax is None else vmax,
        )
        colors = colormap(norm(present))
    else:
        classifier = _classify(present, scheme, k, bins, caller)
        n_classes = len(classifier.bins)
        if colors is not None:
            colors = list(colors)
            if len(colors) < n_classes:
                raise SegindexValueError(
                    f"{caller}(): 'colors' gives {len(colors)} colours for {n_classes} classes; give one per class."
                )
            palette = mpl.colors.to_rgba_array(colors[:n_classes])
        elif n_classes > 1:
            palette = colormap(np.linspace(0.15, 0.95, n_classes))
        else:
            palette = colormap([0.6])
        colors = palette[classifier.yb]
        counts = np.bincount(classifier.yb, minlength=n_classes)
        handles = [
            Patch(facecolor=palette[i], edgecolor="0.6", linewidth=0.4, label=f"{text}  ({counts[i]})")
            for i, text in _shown_classes(classifier, present, fmt)
        ]
    geoms[~missing].plot(ax=ax, color=colors, edgecolor=edgecolor, linewidth=linewidth)
    if missing.any():
        draw_missing(ax, geoms[missing], linewidth=linewidth)
        handles.append(missing_handle(int(missing.sum())))
    if legend:
        heading = human_label(column) if legend_title is None else legend_title
        if scheme is None:
            mappable = mpl.cm.ScalarMappable(norm=norm, cmap=colormap)
            # the bar in the upper part of the margin, the "No data" entry under it: both off the map
            bar = ax.figure.colorbar(mappable, ax=ax, shrink=0.6, pad=0.02, anchor=(0.0, 0.9))
            bar.set_label(heading)
            if fmt is not None:
                show = _number_format(present, fmt, bar.get_ticks())
                bar.ax.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: show(v)))
            if handles:
                _legend_beside(ax, handles, lower=True)
        else:
            _legend_beside(ax, handles, title=heading)
    _set_map_axes(ax, gdf)
    set_title(ax, title)
    add_source(ax, source)
    return ax


def _nice(value: float) -> float:
    """``value`` rounded to two significant figures."""
    if value <= 0:
        return 0.0
    digits = 1 - int(math.floor(math.log10(value)))
    return float(round(value, digits))


def plot_school_points(
    schools: gpd.GeoDataFrame,
    residents: gpd.GeoDataFrame | None = None,
    *,
    share_column: Hashable,
    size_column: Hashable = "roll",
    residents_column: Hashable | None = None,
    ax: Axes | None = None,
    cmap: str | Colormap = "YlGnBu",
    vmax: float | None = None,
    max_size: float = 220.0,
    fmt: str | None = "{:.0%}",
    legend: bool = True,
    label: str | None = None,
    title: str | None = None,
    source: str | None = None,
) -> Axes:
    """Schools as points (size = roll, colour = a share) over a residential map.

    Schools and residential units are coloured on the same continuous scale,
    so a school that stands out from its surroundings is more (or less)
    segregated than its neighbourhood.

    Parameters
    ----------
    schools : geopandas.GeoDataFrame
        One row per school with a point geometry.
    residents : geopandas.GeoDataFrame, optional
        Residential units (polygons) drawn underneath, in the same CRS.
    share_column : column label
        Numeric column of ``schools`` giving each point's colour, usually a
        group's share of pupils (0 to 1). NaN (e.g. a school with no pupils)
        is drawn as a hollow grey marker and counted in the legend.
    size_column : column label, default "roll"
        Numeric column of ``schools`` giving marker areas (proportional).
    residents_column : column label, optional
        Column of ``residents`` giving the background colour; defaults to
        ``share_column``. Missing values are drawn white and hatched, with a
        legend entry.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    cmap : str, default "YlGnBu"
        Colour map of both layers (readable with colour-vision deficiency).
    vmax : float, optional
        Top of the colour scale (bottom is 0); the largest share when omitted.
    max_size : float, default 220
        Marker area (points²) of the largest school.
    fmt : str, default "{:.0%}"
        Format of the colour-bar numbers.
    legend : bool, default True
        Draw the colour bar and the size legend, both to the right of the map
        (the size legend never covers the town).
    label : str, optional
        Colour-bar label; ``share_column`` written for a reader when omitted.
    title, source : str, optional
        Title (see :func:`segindex.plot.figure_title`), and source/attribution
        line under the map.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from segindex.datasets import example_town
    >>> from segindex.plot import plot_school_points
    >>> town = example_town(0)
    >>> schools = town.schools.assign(share=town.schools["pakistani"] / town.schools["roll"])
    >>> units = town.units.assign(share=town.units["pakistani"] / town.units["total"])
    >>> ax = plot_school_points(schools, units, share_column="share")
    >>> len(ax.collections[-1].get_offsets())
    100
    """
    import matplotlib as mpl
    from matplotlib.lines import Line2D

    caller = "plot_school_points"
    _check_geoframe(schools, "schools", caller)
    if not (schools.geom_type == "Point").all():
        raise SegindexValueError(
            f"{caller}(): 'schools' must hold points (school locations); found "
            f"{', '.join(sorted(set(schools.geom_type.dropna())))} geometries. "
            "Use .representative_point() to turn school sites into points."
        )
    share = _values(schools, share_column, "share_column", caller)
    size = _values(schools, size_column, "size_column", caller)
    if np.any(size[np.isfinite(size)] < 0):
        raise SegindexValueError(f"{caller}(): the size column {size_column!r} has negative values.")
    background = None
    if residents is not None:
        _check_geoframe(residents, "residents", caller)
        if schools.crs is not None and residents.crs is not None and schools.crs != residents.crs:
            raise SegindexValueError(
                f"{caller}(): 'schools' ({schools.crs.to_string()}) and 'residents' "
                f"({residents.crs.to_string()}) are in different CRSs; reproject one, e.g. "
                "schools.to_crs(residents.crs) (EPSG:27700 for Britain)."
            )
        background = _values(
            residents, share_column if residents_column is None else residents_column, "residents_column", caller
        )
    both = np.concatenate([share, background if background is not None else []])
    top = float(np.nanmax(both)) if np.isfinite(both).any() else 1.0
    norm = mpl.colors.Normalize(vmin=0.0, vmax=top if vmax is None else float(vmax))
    colormap = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
    ax = get_ax(
        ax,
        figsize=map_figsize(residents if residents is not None else schools, width=7.5, margin=1.2, bars=int(legend)),
    )
    n_missing_units = 0
    if residents is not None:
        miss = np.isnan(background)
        geoms = residents.geometry
        if (~miss).any():
            # grey outlines: the town's shape stays visible where shares (and colours) are near zero
            geoms[~miss].plot(
                ax=ax, color=colormap(norm(background[~miss])), edgecolor="0.8", linewidth=0.2, alpha=0.75
            )
        draw_missing(ax, geoms[miss])
        n_missing_units = int(miss.sum())
    size_top = float(np.nanmax(size)) if np.isfinite(size).any() else 0.0
    scale = max_size / size_top if size_top > 0 else 0.0
    areas = np.where(np.isfinite(size), size, 0.0) * scale + 4.0
    xs, ys = schools.geometry.x.to_numpy(), schools.geometry.y.to_numpy()
    nan = np.isnan(share)
    order = np.argsort(-areas, kind="stable")  # big schools first, so small ones stay visible
    face = np.zeros((len(share), 4))
    face[~nan] = colormap(norm(share[~nan]))
    face[nan] = (1.0, 1.0, 1.0, 0.0)
    edge = np.where(nan[:, None], np.array([[0.45, 0.45, 0.45, 1.0]]), np.array([[0.1, 0.1, 0.1, 1.0]]))
    ax.scatter(xs[order], ys[order], s=areas[order], c=face[order], edgecolors=edge[order], linewidths=0.6, zorder=3)
    if legend:
        mappable = mpl.cm.ScalarMappable(norm=norm, cmap=colormap)
        # the colour bar in the upper part of the right margin, the size legend under it: off the town
        bar = ax.figure.colorbar(mappable, ax=ax, shrink=0.5, pad=0.02, anchor=(0.0, 0.9))
        text = human_label(share_column) if label is None else label
        bar.set_label(f"{text}\n(dots: schools; areas: residents)" if residents is not None else text)
        if fmt is not None:
            bar.ax.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: fmt.format(v)))
        handles = []
        if size_top > 0:
            for v in sorted({_nice(size_top / 4), _nice(size_top / 2), _nice(size_top)}):
                if v > 0:
                    handles.append(
                        Line2D(
                            [],
                            [],
                            linestyle="",
                            marker="o",
                            markerfacecolor="white",
                            markeredgecolor="0.1",
                            markersize=math.sqrt(v * scale + 4.0),
                            label=f"{v:,.0f}",
                        )
                    )
        if nan.any():
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="",
                    marker="o",
                    markerfacecolor="none",
                    markeredgecolor="0.45",
                    markersize=5,
                    label=f"no value  ({int(nan.sum())})",
                )
            )
        if n_missing_units:
            handles.append(missing_handle(n_missing_units, "areas: no data"))
        if handles:
            _legend_beside(ax, handles, title=human_label(size_column), lower=True, labelspacing=1.1)
    _set_map_axes(ax, residents if residents is not None else schools)
    set_title(ax, title)
    add_source(ax, source)
    return ax


choropleth = removed_function("choropleth", "segindex.plot.plot_choropleth")
school_points = removed_function("school_points", "segindex.plot.plot_school_points")
