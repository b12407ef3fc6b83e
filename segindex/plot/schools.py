"""Maps of schools against their neighbourhoods."""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

import numpy as np

from ..errors import SegindexTypeError, SegindexValueError
from ._base import (
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
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap

__all__ = ["plot_school_contrast"]


@keyword_only_ax
def plot_school_contrast(
    contrast: pd.DataFrame,
    schools: gpd.GeoDataFrame,
    residents: gpd.GeoDataFrame,
    *,
    ax: Axes | None = None,
    group: Hashable | None = None,
    total: Hashable | None = None,
    column: Hashable = "difference",
    cmap: str | Colormap = "RdBu_r",
    residents_cmap: str | Colormap = "Greys",
    vmax: float | None = None,
    size: Hashable | None = "pupils",
    mark_flagged: bool = True,
    title: str | None = None,
    source: str | None = None,
) -> Axes:
    """Schools coloured by their contrast with their neighbourhood, over the residential map.

    Parameters
    ----------
    contrast : pandas.DataFrame
        The result of :func:`segindex.schools.school_contrast`, indexed like
        ``schools``.
    schools : geopandas.GeoDataFrame
        The schools (points).
    residents : geopandas.GeoDataFrame
        Residential units (polygons). With ``group`` and ``total`` they are
        shaded by the group's share; otherwise drawn as outlines.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    group, total : column names of ``residents``, optional
        Shade units by ``group / total`` (a sequential grey scale).
    column : str, default "difference"
        Column of ``contrast`` to colour schools by (``"difference"``, ``"z"``).
    cmap : str, default "RdBu_r"
        Diverging colormap, centred at 0: red where the school has more of the
        group than its neighbourhood, blue where it has fewer (ColorBrewer's
        RdBu, readable with colour-vision deficiency).
    residents_cmap : str, default "Greys"
        Colormap of the residential shares, from its light tint (a share of
        0 is not white) to its middle. Units with no residents are drawn
        white and hatched, with a legend entry.
    vmax : float, optional
        Half-width of the colour scale (symmetric about 0); default the
        largest absolute value.
    size : column of ``contrast`` or None, default "pupils"
        Marker area grows with this column (square-root scaled).
    mark_flagged : bool, default True
        Outline in black the schools whose ``flag`` is True.
    title, source : str, optional
        Title (see :func:`segindex.plot.figure_title`), and a source line (use
        the attribution strings of :mod:`segindex.plot._base`).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from segindex.datasets import example_town
    >>> from segindex.schools import school_contrast
    >>> from segindex.plot import plot_school_contrast
    >>> town = example_town(random_state=0, choice=0.5)
    >>> c = school_contrast(town.units, town.schools, "pakistani", total="total", school_total="roll")
    >>> ax = plot_school_contrast(c, town.schools, town.units, group="pakistani", total="total")
    >>> len(ax.collections) >= 2
    True
    """
    import matplotlib as mpl
    import pandas as pd
    from matplotlib.lines import Line2D

    caller = "plot_school_contrast"
    if not isinstance(contrast, pd.DataFrame) or column not in contrast.columns:
        raise SegindexValueError(
            f"{caller}(): 'contrast' must be the table of school_contrast() with a {column!r} column."
        )
    if not contrast.index.equals(schools.index):
        raise SegindexValueError(
            f"{caller}(): 'contrast' and 'schools' must have the same index (one row per school, same order)."
        )
    if not hasattr(schools, "geometry") or not hasattr(residents, "geometry"):
        raise SegindexTypeError(f"{caller}(): 'schools' and 'residents' must be GeoDataFrames.")
    if (group is None) != (total is None):
        raise SegindexValueError(f"{caller}(): give both group= and total= to shade residents, or neither.")
    ax = get_ax(ax, figsize=map_figsize(residents, width=8.0, margin=1.0, bars=1 + int(group is not None)))
    n_empty = 0
    if group is not None:
        for c in (group, total):
            if c not in residents.columns:
                raise SegindexValueError(f"{caller}(): column {c!r} is not in residents.")
        tot = residents[total].to_numpy(dtype=float)
        share = np.divide(residents[group].to_numpy(dtype=float), tot, out=np.full(len(tot), np.nan), where=tot > 0)
        known = np.isfinite(share)
        top = float(np.nanmax(share)) if known.any() and np.nanmax(share) > 0 else 1.0
        res_norm = mpl.colors.Normalize(vmin=0.0, vmax=top)
        res_cmap = mpl.colormaps[residents_cmap] if isinstance(residents_cmap, str) else residents_cmap
        # from a light tint (a unit with none of the group is not white like the page or a unit with no
        # residents) to a mid tone (the schools' colours stay readable on top)
        res_cmap = mpl.colors.ListedColormap(res_cmap(np.linspace(0.12, 0.75, 256)), name=f"{res_cmap.name}_tint")
        if known.any():
            residents.geometry[known].plot(
                ax=ax, color=res_cmap(res_norm(share[known])), linewidth=0.1, edgecolor="0.8"
            )
        draw_missing(ax, residents.geometry[~known], linewidth=0.1)
        n_empty = int((~known).sum())
        ax.figure.colorbar(
            mpl.cm.ScalarMappable(norm=res_norm, cmap=res_cmap),
            ax=ax,
            shrink=0.6,
            pad=0.01,
            location="left",
            label=f"{human_label(group)}: share of residents",
        )
    else:
        residents.boundary.plot(ax=ax, linewidth=0.2, color="0.7")
    values = contrast[column].to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    half = float(vmax) if vmax is not None else (float(np.abs(finite).max()) if finite.size else 1.0)
    half = half if half > 0 else 1.0
    norm = mpl.colors.TwoSlopeNorm(vcenter=0.0, vmin=-half, vmax=half)
    xy = schools.geometry.get_coordinates()
    if size is not None and size in contrast.columns:
        s = contrast[size].to_numpy(dtype=float)
        smax = np.nanmax(s) if np.isfinite(s).any() and np.nanmax(s) > 0 else 1.0
        sizes = 8 + 120 * np.sqrt(np.clip(s, 0, None) / smax)
    else:
        sizes = np.full(len(values), 40.0)
    edge = (
        np.where(contrast["flag"].to_numpy(dtype=bool), "black", "0.5")
        if (mark_flagged and "flag" in contrast.columns)
        else "0.5"
    )
    widths = (
        np.where(contrast["flag"].to_numpy(dtype=bool), 1.2, 0.3)
        if (mark_flagged and "flag" in contrast.columns)
        else 0.3
    )
    ok = np.isfinite(values)
    sc = ax.scatter(
        xy["x"].to_numpy()[ok],
        xy["y"].to_numpy()[ok],
        c=values[ok],
        s=np.asarray(sizes)[ok],
        cmap=cmap,
        norm=norm,
        edgecolors=np.broadcast_to(edge, values.shape)[ok],
        linewidths=np.broadcast_to(widths, values.shape)[ok],
        zorder=3,
    )
    if (~ok).any():
        ax.scatter(xy["x"].to_numpy()[~ok], xy["y"].to_numpy()[~ok], marker="x", color="0.3", s=20, zorder=3)
    label = {"difference": "school share − local share", "z": "z-score against local share"}.get(column, column)
    ax.figure.colorbar(sc, ax=ax, shrink=0.6, pad=0.01, label=label, anchor=(0.0, 0.9))
    handles = []
    if (~ok).any():
        handles.append(
            Line2D(
                [],
                [],
                linestyle="",
                marker="x",
                color="0.3",
                label=f"school: no residents around  ({int((~ok).sum())})",
            )
        )
    if mark_flagged and "flag" in contrast.columns and contrast["flag"].to_numpy(dtype=bool).any():
        handles.append(
            Line2D(
                [],
                [],
                linestyle="",
                marker="o",
                markerfacecolor="white",
                markeredgecolor="black",
                markeredgewidth=1.2,
                label=f"flagged school  ({int(contrast['flag'].sum())})",
            )
        )
    if n_empty:
        handles.append(missing_handle(n_empty, "area: no residents"))
    if handles:  # under the schools' colour bar, off the map
        ax.legend(
            handles=handles, loc="lower left", bbox_to_anchor=(1.02, 0.0), borderaxespad=0.0, fontsize=7, frameon=False
        )
    ax.set_axis_off()
    ax.set_aspect("equal")
    set_title(ax, title)
    add_source(ax, source)
    return ax
