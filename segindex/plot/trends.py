"""Trend charts: indices by year for several areas and groups, and threshold shares by year.

Every function takes ``ax=None`` (a new figure when omitted), returns the
matplotlib Axes (an array of Axes for the three-panel figure) and never calls
``plt.show()``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..counts import check_label, numeric_column
from ..errors import SegindexTypeError, SegindexValueError
from ._base import get_ax

__all__ = ["plot_trend", "plot_trend_panels", "plot_threshold_trend", "INDEX_LABELS"]

#: Axis labels of the indices most often drawn over time.
INDEX_LABELS = {
    "dissimilarity": "Dissimilarity D",
    "isolation": "Isolation xP*x",
    "correlation_ratio": "Correlation ratio η²",
    "exposure": "Exposure xP*y",
    "gini": "Gini",
    "atkinson": "Atkinson",
    "entropy_index": "Theil's H",
    "mutual_information": "Mutual information M",
    "multigroup_dissimilarity": "Multigroup D",
}

_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")
_STYLES = ("-", "--", ":", "-.")


def _source_under_xlabel(ax, text):
    """A source line under the x-axis label (add_source's default spot is taken by the label)."""
    if not text:
        return None
    return ax.annotate(text, xy=(0.0, 0.0), xycoords="axes fraction", xytext=(0, -34),
                       textcoords="offset points", fontsize=6.5, color="0.35", ha="left", va="top", wrap=True)


def _check_table(table, caller, columns):
    if not isinstance(table, pd.DataFrame):
        raise SegindexTypeError(
            f"{caller}(): the 'table' parameter must be a tidy pandas DataFrame, got {type(table).__name__}."
        )
    if len(table) == 0:
        raise SegindexValueError(f"{caller}(): the table is empty; there is nothing to draw.")
    for role, column in columns:
        if column is not None and column not in table.columns:
            available = ", ".join(repr(c) for c in table.columns)
            raise SegindexValueError(
                f"{caller}(): the {role} column {column!r} is not in the table. Available columns: {available}."
            )


def _select(table, caller, index, comparison):
    rows = table
    if "index" in rows.columns and index is not None:
        rows = rows[rows["index"] == index]
        if len(rows) == 0:
            raise SegindexValueError(
                f"{caller}(): no rows for index {index!r}; the table has {sorted(table['index'].unique())!r}."
            )
    if "comparison" in rows.columns:
        if comparison is not None:
            rows = rows[rows["comparison"] == comparison]
            if len(rows) == 0:
                raise SegindexValueError(f"{caller}(): no rows for comparison {comparison!r}.")
        elif rows["comparison"].nunique() > 1:
            raise SegindexValueError(
                f"{caller}(): the rows mix comparisons {sorted(rows['comparison'].astype(str).unique())!r}; "
                "choose one with comparison= (e.g. comparison='rest')."
            )
    return rows


def plot_trend(table, ax=None, *, index=None, x="year", area="area", group="group", value="value",
               comparison=None, ci=("ci_low", "ci_high"), ylabel=None, title=None, legend=True, source=None):
    """One index by year, one line per area and group, with intervals where the table has them.

    Parameters
    ----------
    table : pandas.DataFrame
        Tidy results with a year column, a value column and (optionally) area
        and group columns: for example :func:`segindex.segregation_table` run
        with ``by=["LAD22NM", "year"]`` on a panel (then ``area="LAD22NM"``),
        or :func:`segindex.change.decompose_change` output reshaped long.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    index : str, optional
        The index to draw when the table has an ``index`` column with several.
    x, area, group, value : column labels
        Year, area (colour), group (marker and line style) and value columns;
        ``area`` or ``group`` may be None or absent for a single line.
    comparison : str, optional
        Keep only rows of this comparison (``"rest"``, or a reference group)
        when the table mixes several.
    ci : pair of column labels or None, default ("ci_low", "ci_high")
        Interval bounds, drawn as error bars when both columns exist (as from
        ``segindex.inference``).
    ylabel, title : str, optional
        Labels (the index's name by default).
    legend : bool, default True
        Draw a legend.
    source : str, optional
        A source line under the axes (use it for real data).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    SegindexValueError
        A column is missing, the table is empty, no rows match, or comparisons are mixed.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> t = pd.DataFrame({"year": [2011, 2021] * 2, "area": ["A", "A", "B", "B"],
    ...                   "group": "g", "index": "dissimilarity", "value": [0.5, 0.45, 0.3, 0.35]})
    >>> ax = plot_trend(t)
    >>> len(ax.get_lines())
    2
    """
    caller = "plot_trend"
    _check_table(table, caller, [("x", x), ("value", value)])
    rows = _select(table, caller, index, comparison)
    if index is None and "index" in rows.columns:
        names = rows["index"].unique()
        if len(names) > 1:
            raise SegindexValueError(
                f"{caller}(): the table holds several indices {sorted(names)!r}; choose one with index=, "
                "or draw them side by side with plot_trend_panels."
            )
        index = names[0]
    area = area if area is not None and area in rows.columns else None
    group = group if group is not None and group in rows.columns else None
    has_ci = ci is not None and all(c in rows.columns for c in ci)
    ax = get_ax(ax, figsize=(6, 4.5))
    areas = list(pd.unique(rows[area])) if area else [None]
    groups = list(pd.unique(rows[group])) if group else [None]
    colours = {a: f"C{k % 10}" for k, a in enumerate(areas)}
    markers = {g: (_MARKERS[k % len(_MARKERS)], _STYLES[k % len(_STYLES)]) for k, g in enumerate(groups)}
    for a in areas:
        for g in groups:
            sel = rows
            if a is not None:
                sel = sel[sel[area] == a]
            if g is not None:
                sel = sel[sel[group] == g]
            if len(sel) == 0:
                continue
            sel = sel.sort_values(x)
            marker, style = markers[g]
            label = " — ".join(str(v) for v in (a, g) if v is not None) or None
            ax.plot(sel[x], sel[value], marker=marker, linestyle=style, color=colours[a], label=label)
            if has_ci:
                lo, hi = sel[ci[0]].to_numpy(float), sel[ci[1]].to_numpy(float)
                mid = sel[value].to_numpy(float)
                ax.errorbar(sel[x], mid, yerr=np.vstack([mid - lo, hi - mid]), fmt="none",
                            ecolor=colours[a], alpha=0.6, capsize=3)
    years = np.sort(pd.unique(rows[x]))
    if np.issubdtype(np.asarray(years).dtype, np.number):
        ax.set_xticks(years)
    ax.set_xlabel(str(x))
    ax.set_ylabel(ylabel or INDEX_LABELS.get(index, str(index) if index is not None else str(value)))
    if title:
        ax.set_title(title)
    if legend and (len(areas) > 1 or len(groups) > 1):
        ax.legend(fontsize=7, frameon=False)
    ax.grid(alpha=0.3)
    _source_under_xlabel(ax, source)
    return ax


def plot_trend_panels(table, *, indices=("dissimilarity", "isolation", "correlation_ratio"), axes=None,
                      figsize=None, source=None, suptitle=None, **kwargs):
    """D, isolation and η² (or any indices) by year, side by side, one shared legend.

    Parameters
    ----------
    table : pandas.DataFrame
        As for :func:`plot_trend`, with an ``index`` column.
    indices : sequence of str
        One panel per index.
    axes : array of matplotlib Axes, optional
        Where to draw (as many as ``indices``); a new figure when omitted.
    figsize : tuple, optional
        Size of a new figure.
    source : str, optional
        A source line under the figure.
    suptitle : str, optional
        A title over the panels.
    **kwargs
        Passed to :func:`plot_trend` (``x``, ``area``, ``group``, ``value``,
        ``comparison``, ``ci``).

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> t = pd.DataFrame({"year": [2011, 2021] * 3, "group": "g", "area": "A",
    ...                   "index": ["dissimilarity"] * 2 + ["isolation"] * 2 + ["correlation_ratio"] * 2,
    ...                   "value": [0.5, 0.45, 0.3, 0.35, 0.2, 0.21]})
    >>> axes = plot_trend_panels(t)
    >>> len(axes)
    3
    """
    import matplotlib.pyplot as plt

    caller = "plot_trend_panels"
    _check_table(table, caller, [("index", "index")])
    if isinstance(indices, str):
        indices = [indices]
    if axes is None:
        fig, axes = plt.subplots(1, len(indices), figsize=figsize or (4.2 * len(indices), 4.6))
    axes = np.atleast_1d(np.asarray(axes, dtype=object)).ravel()
    if len(axes) != len(indices):
        raise SegindexValueError(f"{caller}(): got {len(axes)} axes for {len(indices)} indices.")
    for ax, name in zip(axes, indices):
        plot_trend(table, ax=ax, index=name, legend=False, **kwargs)
        ax.set_title(INDEX_LABELS.get(name, name), fontsize=10)
        ax.set_ylabel("")
    fig = axes[0].figure
    handles, labels = axes[0].get_legend_handles_labels()
    ncol = min(len(labels), 4)
    rows = int(np.ceil(len(labels) / ncol)) if len(labels) > 1 else 0
    height = fig.get_figheight()
    line = 0.22 / height  # one legend row, as a fraction of the figure height
    base = (0.2 / height) if source else 0.0
    if rows:
        fig.legend(handles, labels, loc="lower center", ncol=ncol, fontsize=7.5, frameon=False,
                   bbox_to_anchor=(0.5, base))
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout(rect=(0, base + rows * line + 0.01, 1, 1))
    if source:
        fig.text(0.01, 0.01, source, fontsize=6.5, color="0.35", ha="left", va="bottom")
    return axes


def _threshold_table(data, group, total, thresholds, year, caller):
    check_label(group, "group", caller)
    check_label(total, "total", caller)
    check_label(year, "year", caller)
    if not isinstance(data, pd.DataFrame):
        raise SegindexTypeError(f"{caller}(): 'data' must be a pandas DataFrame, got {type(data).__name__}.")
    if year not in data.columns:
        raise SegindexValueError(f"{caller}(): the year column {year!r} is not in the data.")
    ks = np.asarray(list(thresholds), dtype=float)
    if ks.size == 0 or np.any((ks <= 0) | (ks > 1)):
        raise SegindexValueError(
            f"{caller}(): 'thresholds' must be shares in (0, 1] (e.g. 0.5 for 50 %), got {list(thresholds)!r}."
        )
    x = numeric_column(data, group, "group", caller)
    t = numeric_column(data, total, "total", caller)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(t > 0, x / np.where(t > 0, t, 1.0), 0.0)
    out = []
    for y, idx in data.groupby(year, sort=True).indices.items():
        X = x[idx].sum()
        for k in ks:
            above = share[idx] >= k
            out.append({year: y, "threshold": k, "share": x[idx][above].sum() / X if X > 0 else np.nan,
                        "units": int(above.sum())})
    return pd.DataFrame(out)


def plot_threshold_trend(data, group, *, total, thresholds=(0.5, 0.6, 0.7, 0.8, 0.9), year="year", ax=None,
                         title=None, source=None):
    """The share of a group living in units where it is at least k % of residents, by year.

    Parameters
    ----------
    data : pandas.DataFrame
        A panel: one row per unit and year (see :func:`segindex.change.panel`),
        for one area.
    group : column name
        The group.
    total : column name
        Unit totals.
    thresholds : sequence of float, default (0.5, 0.6, 0.7, 0.8, 0.9)
        Shares k in (0, 1]; a unit counts when the group's share is ≥ k.
    year : column name, default "year"
    ax : matplotlib.axes.Axes, optional
    title, source : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        The computed table (``year, threshold, share, units``) is in
        ``ax.threshold_table``.

    Notes
    -----
    For threshold k, :math:`S_k = \\sum_{i: x_i/t_i \\ge k} x_i / X`
    (Carling 2008; Johnston, Forrest & Poulsen 2002).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> p = pd.DataFrame({"year": [2011, 2011, 2021, 2021], "x": [60, 10, 80, 10],
    ...                   "all": [100, 100, 100, 100]})
    >>> ax = plot_threshold_trend(p, "x", total="all", thresholds=[0.5])
    >>> [round(v, 4) for v in ax.threshold_table["share"]]
    [0.8571, 0.8889]
    """
    caller = "plot_threshold_trend"
    table = _threshold_table(data, group, total, thresholds, year, caller)
    ax = get_ax(ax, figsize=(6, 4.5))
    for k, (thr, rows) in enumerate(table.groupby("threshold", sort=True)):
        ax.plot(rows[year], 100 * rows["share"], marker=_MARKERS[k % len(_MARKERS)], color=f"C{k % 10}",
                label=f"≥ {100 * thr:g} % {group}")
    years = table[year].unique()
    if np.issubdtype(np.asarray(years).dtype, np.number):
        ax.set_xticks(np.sort(years))
    ax.set_xlabel(str(year))
    ax.set_ylabel(f"% of {group} living in such units")
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, frameon=False)
    if title:
        ax.set_title(title)
    _source_under_xlabel(ax, source)
    ax.threshold_table = table
    return ax
