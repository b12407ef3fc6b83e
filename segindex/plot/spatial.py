"""Maps of area types and plots of segregation profiles over scale."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import SegindexTypeError, SegindexValueError
from ._base import (
    CVD_SAFE_COLORS,
    add_source,
    draw_missing,
    get_ax,
    human_label,
    keyword_only_ax,
    map_figsize,
    missing_handle,
    set_title,
)

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.axes import Axes

__all__ = ["plot_typology", "plot_profile", "TYPE_COLORS"]

#: One colour per area type, from the host community (light grey, not white: it must not look like missing
#: data) through blues (mixed areas) to oranges and dark brown (the ghetto): blue against orange stays
#: distinct with colour-vision deficiency, and lightness orders the types as well.
TYPE_COLORS = {
    "I": "#d9d9d9",
    "II": "#c6dbef",
    "III": "#6baed6",
    "IV": "#fdae6b",
    "V": "#e6550d",
    "VI": "#7f2704",
}


@keyword_only_ax
def plot_typology(
    gdf: gpd.GeoDataFrame,
    typology: pd.DataFrame | pd.Series,
    *,
    ax: Axes | None = None,
    colors: Mapping[str, str] | None = None,
    legend: bool = True,
    source: str | None = None,
    title: str | None = None,
    edgecolor: str = "white",
    linewidth: float = 0.2,
) -> Axes:
    """Map the Poulsen-Johnston-Forrest area types.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The units' polygons.
    typology : pandas.DataFrame or pandas.Series
        Output of :func:`segindex.typology.area_typology` for ``gdf`` (or its
        ``type`` column), aligned to ``gdf.index``.
    ax : matplotlib Axes, optional
    colors : dict, optional
        Colour per type; default :data:`TYPE_COLORS`.
    legend : bool, default True
        A legend with each type, its label and its number of units, beside
        the map; units without a type (no people) are drawn white and hatched,
        with their own entry.
    source : str, optional
        Attribution line written under the map (use
        ``segindex.plot._base.ONS_2011`` for census data).
    title : str, optional
    edgecolor, linewidth
        Polygon outlines.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    SegindexTypeError
        ``gdf`` is not a GeoDataFrame.
    SegindexValueError
        ``typology`` is not aligned to ``gdf``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> from segindex.typology import area_typology
    >>> gdf = gpd.GeoDataFrame({"host": [90, 60, 10], "a": [10, 40, 90]},
    ...                        geometry=[box(i, 0, i + 1, 1) for i in range(3)], crs=27700)
    >>> ax = plot_typology(gdf, area_typology(gdf, "host", ["a"]))
    >>> [t.get_text() for t in ax.get_legend().get_texts()][:2]
    ['I isolated host community (1)', 'II non-isolated host community (1)']
    """
    import geopandas as gpd
    from matplotlib.patches import Patch

    from ..typology import TYPE_LABELS, TYPES

    if not isinstance(gdf, gpd.GeoDataFrame):
        raise SegindexTypeError(
            f"plot_typology(): gdf must be a GeoDataFrame of the units' polygons, got {type(gdf).__name__}."
        )
    types = typology["type"] if isinstance(typology, pd.DataFrame) else typology
    if not isinstance(types, pd.Series) or not types.index.equals(gdf.index):
        raise SegindexValueError(
            "plot_typology(): typology must be area_typology(...) computed on the same table as gdf "
            "(same index, same order)."
        )
    palette = dict(TYPE_COLORS if colors is None else colors)
    ax = get_ax(ax, figsize=map_figsize(gdf, width=8.5, margin=3.2 if legend else 0.5))
    values = types.astype(object).to_numpy()
    typed = np.array([isinstance(v, str) and v in palette for v in values], dtype=bool)
    if typed.any():
        gdf.geometry[typed].plot(
            ax=ax, color=[palette[v] for v in values[typed]], edgecolor=edgecolor, linewidth=linewidth
        )
    draw_missing(ax, gdf.geometry[~typed], linewidth=linewidth)
    ax.set_axis_off()
    ax.set_aspect("equal")
    if legend:
        dominant = (
            typology["dominant_group"]
            if isinstance(typology, pd.DataFrame) and "dominant_group" in typology.columns
            else None
        )
        handles = []
        for ty in TYPES:
            here = values == ty
            count = int(here.sum())
            who = ""
            if dominant is not None and count and ty in ("V", "VI"):
                names = pd.Series(dominant.to_numpy()[here]).dropna().value_counts()
                who = ": " + ", ".join(human_label(g) for g in names.index)
            handles.append(
                Patch(
                    facecolor=palette[ty],
                    edgecolor="0.5",
                    linewidth=0.5,
                    label=f"{ty} {TYPE_LABELS[ty]}{who} ({count})",
                )
            )
        if (~typed).any():
            handles.append(missing_handle(int((~typed).sum()), "no type (no people)"))
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
            fontsize=7,
            frameon=False,
            title="Area type (units)",
            title_fontsize=8,
        )
    set_title(ax, title)
    add_source(ax, source)
    return ax


@keyword_only_ax
def plot_profile(
    profile: pd.DataFrame,
    *,
    ax: Axes | None = None,
    x: str | None = None,
    index: str | None = None,
    source: str | None = None,
    title: str | None = None,
    logx: bool = True,
    label: str | None = None,
    **line_kw: Any,
) -> Axes:
    """Plot a segregation profile over scale (bandwidth or neighbourhood size).

    Parameters
    ----------
    profile : pandas.DataFrame
        Output of :func:`segindex.multiscale_profile` (``bandwidth``)
        or :func:`segindex.bespoke_profile` (``k``).
    ax : matplotlib Axes, optional
    x : {"bandwidth", "k"}, optional
        The scale column; found automatically.
    index : str, optional
        Plot only this index ("H", "isolation", "D"); default all.
    source : str, optional
        Attribution line under the plot.
    title : str, optional
    logx : bool, default True
        Logarithmic scale axis (scales double from step to step).
    label : str, optional
        Prefix for the line labels (e.g. the place).
    **line_kw
        Passed to :meth:`matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    SegindexValueError
        ``profile`` lacks the expected columns.

    Examples
    --------
    >>> import pandas as pd
    >>> profile = pd.DataFrame({"bandwidth": [500, 1000, 2000], "index": "H", "group": "all",
    ...                         "value": [0.30, 0.22, 0.12]})
    >>> ax = plot_profile(profile)
    >>> len(ax.get_lines())
    1
    """
    if not isinstance(profile, pd.DataFrame) or "value" not in profile.columns or "index" not in profile.columns:
        raise SegindexValueError(
            "plot_profile(): profile must come from multiscale_profile or bespoke_profile "
            "(columns index, value and bandwidth or k)."
        )
    if x is None:
        x = "bandwidth" if "bandwidth" in profile.columns else "k"
    if x not in profile.columns:
        raise SegindexValueError(f"plot_profile(): profile has no {x!r} column.")
    data = profile if index is None else profile[profile["index"] == index]
    ax = get_ax(ax, figsize=(6, 4))
    keys = ["index", "group"] if "group" in data.columns else ["index"]
    markers = ("o", "s", "^", "D", "v", "P", "X", "*")
    for n, (key, part) in enumerate(data.groupby(keys, sort=False)):
        key = key if isinstance(key, tuple) else (key,)
        name = key[0] if len(key) == 1 or key[1] == "(all)" else f"{key[0]}: {human_label(key[1])}"
        if label:
            name = f"{label} {name}"
        part = part.sort_values(x)
        style = {"marker": markers[n % len(markers)], "color": CVD_SAFE_COLORS[n % len(CVD_SAFE_COLORS)]}
        ax.plot(part[x], part["value"], label=name, **{**style, **line_kw})
    if logx:
        from matplotlib.ticker import NullFormatter, NullLocator

        ax.set_xscale("log")
        ticks = np.sort(data[x].unique())
        ax.set_xticks(ticks, [f"{t:,.0f}" for t in ticks])
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("bandwidth (m)" if x == "bandwidth" else "k nearest people")
    ax.set_ylabel("index value")
    ax.legend(fontsize=7, frameon=False)
    set_title(ax, title)
    note = add_source(ax, source)
    if note is not None:
        note.xyann = (0, -30)  # below the x-axis label
    return ax
