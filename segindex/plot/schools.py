"""Maps of schools against their neighbourhoods."""

from __future__ import annotations

import numpy as np

from ..errors import SegindexTypeError, SegindexValueError
from ._base import add_source, get_ax

__all__ = ["plot_school_contrast"]


def plot_school_contrast(
    contrast,
    schools,
    residents,
    ax=None,
    *,
    group=None,
    total=None,
    column="difference",
    cmap="RdBu_r",
    residents_cmap="Greys",
    vmax=None,
    size="pupils",
    mark_flagged=True,
    title=None,
    source=None,
):
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
        group than its neighbourhood, blue where it has fewer.
    residents_cmap : str, default "Greys"
        Colormap of the residential shares.
    vmax : float, optional
        Half-width of the colour scale (symmetric about 0); default the
        largest absolute value.
    size : column of ``contrast`` or None, default "pupils"
        Marker area grows with this column (square-root scaled).
    mark_flagged : bool, default True
        Outline in black the schools whose ``flag`` is True.
    title, source : str, optional
        Title, and a source line (use the attribution strings of
        :mod:`segindex.plot._base`).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from segindex.datasets import example_town
    >>> from segindex.schools import school_contrast
    >>> from segindex.plot.schools import plot_school_contrast
    >>> town = example_town(seed=0, choice=0.5)
    >>> c = school_contrast(town.units, town.schools, "pakistani", total="total", school_total="roll")
    >>> ax = plot_school_contrast(c, town.schools, town.units, group="pakistani", total="total")
    >>> len(ax.collections) >= 2
    True
    """
    import matplotlib as mpl
    import pandas as pd

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
    ax = get_ax(ax, figsize=(7, 7))
    if group is not None:
        for c in (group, total):
            if c not in residents.columns:
                raise SegindexValueError(f"{caller}(): column {c!r} is not in residents.")
        tot = residents[total].to_numpy(dtype=float)
        share = np.divide(residents[group].to_numpy(dtype=float), tot, out=np.full(len(tot), np.nan), where=tot > 0)
        res = residents.assign(_share=share)
        res.plot(column="_share", ax=ax, cmap=residents_cmap, linewidth=0.1, edgecolor="0.8", legend=True,
                 vmin=0.0, vmax=float(np.nanmax(share)) if np.isfinite(share).any() else 1.0,
                 legend_kwds={"label": f"{group} share of residents", "shrink": 0.6, "pad": 0.01,
                              "location": "left"},
                 missing_kwds={"color": "white"})
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
    edge = np.where(contrast["flag"].to_numpy(dtype=bool), "black", "0.5") if (
        mark_flagged and "flag" in contrast.columns) else "0.5"
    widths = np.where(contrast["flag"].to_numpy(dtype=bool), 1.2, 0.3) if (
        mark_flagged and "flag" in contrast.columns) else 0.3
    ok = np.isfinite(values)
    sc = ax.scatter(xy["x"].to_numpy()[ok], xy["y"].to_numpy()[ok], c=values[ok], s=np.asarray(sizes)[ok],
                    cmap=cmap, norm=norm, edgecolors=np.broadcast_to(edge, values.shape)[ok],
                    linewidths=np.broadcast_to(widths, values.shape)[ok], zorder=3)
    if (~ok).any():
        ax.scatter(xy["x"].to_numpy()[~ok], xy["y"].to_numpy()[~ok], marker="x", color="0.3", s=20, zorder=3,
                   label="no residents around")
        ax.legend(loc="lower right", fontsize=7)
    label = {"difference": "school share − local share", "z": "z-score against local share"}.get(column, column)
    ax.figure.colorbar(sc, ax=ax, shrink=0.6, pad=0.01, label=label)
    ax.set_axis_off()
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    add_source(ax, source)
    return ax
