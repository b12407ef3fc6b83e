"""Trend charts: indices by year for several areas and groups, and threshold shares by year.

Every function takes ``ax=None`` (a new figure when omitted), returns the
matplotlib Axes (an array of Axes for the three-panel figure) and never calls
``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import SegindexTypeError, SegindexValueError, first_few
from ._base import CVD_SAFE_COLORS, get_ax, human_label, keyword_only_ax, removed_keywords, set_title

if TYPE_CHECKING:
    from matplotlib.axes import Axes

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
    return ax.annotate(
        text,
        xy=(0.0, 0.0),
        xycoords="axes fraction",
        xytext=(0, -34),
        textcoords="offset points",
        fontsize=6.5,
        color="0.35",
        ha="left",
        va="top",
        wrap=True,
    )


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


@keyword_only_ax
def plot_trend(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    index: str | None = None,
    x: Hashable = "year",
    area: Hashable | None = "area",
    group: Hashable | None = "group",
    value: Hashable = "value",
    comparison: str | None = None,
    ci: tuple[Hashable, Hashable] | None = ("ci_low", "ci_high"),
    bias_corrected: Hashable | None = "bias_corrected",
    ylabel: str | None = None,
    title: str | None = None,
    legend: bool = True,
    source: str | None = None,
) -> Axes:
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
        Interval bounds, drawn as bars from bound to bound when both columns
        exist (as from ``segindex.inference``). A bootstrap interval is
        centred on the bias-corrected estimate, not on the measured value,
        which may lie outside it.
    bias_corrected : column label, default "bias_corrected"
        The estimate the interval is centred on, drawn as a short bar across
        the interval when the column is present.
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
    colours = {a: CVD_SAFE_COLORS[k % len(CVD_SAFE_COLORS)] for k, a in enumerate(areas)}
    markers = {g: (_MARKERS[k % len(_MARKERS)], _STYLES[k % len(_STYLES)]) for k, g in enumerate(groups)}
    marked = False
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
            label = " — ".join(human_label(v) for v in (a, g) if v is not None) or None
            ax.plot(sel[x], sel[value], marker=marker, linestyle=style, color=colours[a], label=label)
            if has_ci:
                # from bound to bound: the interval need not contain the measured value
                lo, hi = sel[ci[0]].to_numpy(float), sel[ci[1]].to_numpy(float)
                ax.errorbar(
                    sel[x], (lo + hi) / 2, yerr=(hi - lo) / 2, fmt="none", ecolor=colours[a], alpha=0.6, capsize=3
                )
                if bias_corrected in sel.columns:
                    ax.plot(
                        sel[x],
                        sel[bias_corrected].to_numpy(float),
                        linestyle="",
                        marker="D",
                        markersize=4,
                        markerfacecolor="white",
                        markeredgewidth=1.1,
                        color=colours[a],
                        alpha=0.8,
                        label="_bias_corrected",
                    )
                    marked = True
    years = np.sort(pd.unique(rows[x]))
    if np.issubdtype(np.asarray(years).dtype, np.number):
        ax.set_xticks(years)
    ax.set_xlabel(str(x))
    ax.set_ylabel(ylabel or INDEX_LABELS.get(index, str(index) if index is not None else str(value)))
    set_title(ax, title)
    if marked:  # one legend entry for the centres of the intervals
        ax.plot(
            [],
            [],
            linestyle="",
            marker="D",
            markersize=4,
            markerfacecolor="white",
            markeredgewidth=1.1,
            color="0.2",
            label="bias-corrected estimate\n(the interval's centre)",
        )
    if legend and (len(areas) > 1 or len(groups) > 1 or marked):  # beside the chart, off the lines
        ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    ax.grid(alpha=0.3)
    _source_under_xlabel(ax, source)
    return ax


def plot_trend_panels(
    table: pd.DataFrame,
    *,
    indices: str | Sequence[str] = ("dissimilarity", "isolation", "correlation_ratio"),
    axes: Sequence[Axes] | np.ndarray | None = None,
    figsize: tuple[float, float] | None = None,
    source: str | None = None,
    suptitle: str | None = None,
    **kwargs: Any,
) -> np.ndarray:
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
    centres = any(label.startswith("bias-corrected") for label in labels)  # worth a legend even beside one line
    rows = int(np.ceil(len(labels) / ncol)) if len(labels) > 1 or centres else 0
    height = fig.get_figheight()
    line = 0.22 / height  # one legend row, as a fraction of the figure height
    base = (0.2 / height) if source else 0.0
    if rows:
        fig.legend(
            handles, labels, loc="lower center", ncol=ncol, fontsize=7.5, frameon=False, bbox_to_anchor=(0.5, base)
        )
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout(rect=(0, base + rows * line + 0.01, 1, 1))
    if source:
        fig.text(0.01, 0.01, source, fontsize=6.5, color="0.35", ha="left", va="bottom")
    return axes


_THRESHOLD_COLUMNS = ("threshold", "group_share")


@removed_keywords(
    total="plot_threshold_trend() draws a table of threshold_exposure(); compute it first: "
    "table = threshold_exposure(data, group, thresholds, total=total, by='year'), then plot_threshold_trend(table)",
    thresholds="plot_threshold_trend() no longer computes shares with thresholds of its own; choose them in "
    "threshold_exposure(data, group, thresholds, total=..., by='year') and pass its table",
)
@keyword_only_ax
def plot_threshold_trend(
    table: pd.DataFrame,
    *,
    x: Hashable = "year",
    value: str = "group_share",
    ax: Axes | None = None,
    title: str | None = None,
    source: str | None = None,
) -> Axes:
    """The share of a group living in units where it is at least k % of residents, by year.

    Draws the table :func:`segindex.typology.threshold_exposure` returns when
    run with ``by="year"`` (one line per threshold); the thresholds, the share
    compared with them (``basis``) and ``strict`` are chosen there, and that
    table is the data of the chart (nothing is recomputed or stored on the
    Axes).

    Parameters
    ----------
    table : pandas.DataFrame
        ``threshold_exposure(panel, group, thresholds, total=..., by="year")``
        for one area: columns ``year`` (``x``), ``threshold``, ``group`` and
        ``group_share`` (``value``), and ``rule``. Run it on one area, or
        filter the table to one, when it was run with several ``by`` columns.
    x : column label, default "year"
        The year column.
    value : column label, default "group_share"
        The share drawn: ``"group_share"`` (of the group's members living in
        such units), ``"population_share"`` (of everyone) or ``"unit_share"``
        (of the units).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    title, source : str, optional
        Title (see :func:`segindex.plot.figure_title`) and source line.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    SegindexTypeError
        ``table`` is not a DataFrame, or the removed ``total=``/``thresholds=``
        of segindex < 0.2 are given.
    SegindexValueError
        ``table`` is not a ``threshold_exposure`` table, is empty, or mixes
        groups, bases or areas.

    Notes
    -----
    For threshold k, :math:`S_k = \\sum_{i: x_i/t_i \\ge k} x_i / X`
    (Carling 2008; Johnston, Forrest & Poulsen 2002), computed by
    :func:`segindex.typology.threshold_exposure`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from segindex.typology import threshold_exposure
    >>> from segindex.plot import plot_threshold_trend
    >>> p = pd.DataFrame({"year": [2011, 2011, 2021, 2021], "x": [60, 10, 80, 10],
    ...                   "all": [100, 100, 100, 100]})
    >>> table = threshold_exposure(p, "x", [0.5], total="all", by="year")
    >>> [round(float(v), 4) for v in table["group_share"]]
    [0.8571, 0.8889]
    >>> ax = plot_threshold_trend(table)
    >>> [round(float(v), 2) for v in ax.get_lines()[0].get_ydata()]
    [85.71, 88.89]
    """
    caller = "plot_threshold_trend"
    if not isinstance(table, pd.DataFrame):
        raise SegindexTypeError(
            f"{caller}(): 'table' must be the DataFrame of threshold_exposure(data, group, thresholds, "
            f"total=..., by='year'), got {type(table).__name__}."
        )
    missing = [c for c in (*_THRESHOLD_COLUMNS[:1], value) if c not in table.columns]
    if missing:
        raise SegindexValueError(
            f"{caller}(): 'table' has no {' or '.join(repr(c) for c in missing)} column: pass the table of "
            f"threshold_exposure(data, group, thresholds, total=..., by={x!r}), not the data themselves."
        )
    if x not in table.columns:
        hint = " (a table made with by= one column names it 'area': pass x='area')" if "area" in table.columns else ""
        raise SegindexValueError(f"{caller}(): the year column {x!r} is not in the table{hint}.")
    if len(table) == 0:
        raise SegindexValueError(f"{caller}(): the table is empty; there is nothing to draw.")
    for column in ("group", "basis", "rule", "area"):
        if column in table.columns and column != x and table[column].nunique(dropna=False) > 1:
            raise SegindexValueError(
                f"{caller}(): the table mixes several values of {column!r} "
                f"({first_few(pd.unique(table[column]))}); draw one at a time, e.g. table[table[{column!r}] == ...]."
            )
    extra = [
        c
        for c in table.columns
        if c
        not in (
            x,
            "basis",
            "threshold",
            "rule",
            "group",
            "units",
            "unit_share",
            "group_share",
            "population_share",
            "area",
        )
    ]
    rows_per = table.groupby(["threshold", x], sort=False).size()
    if (rows_per > 1).any():
        raise SegindexValueError(
            f"{caller}(): several rows per year and threshold; threshold_exposure was run with more than one "
            f"area ({first_few(extra) if extra else 'by columns'}): filter the table to one area first."
        )
    group = str(table["group"].iloc[0]) if "group" in table.columns else None
    who = human_label(group) if group is not None else "the group"
    sign = "≥" if "rule" not in table.columns or table["rule"].iloc[0] == ">=" else ">"
    ax = get_ax(ax, figsize=(6, 4.5))
    for k, (thr, rows) in enumerate(table.groupby("threshold", sort=True)):
        rows = rows.sort_values(x)
        ax.plot(
            rows[x],
            100 * rows[value].to_numpy(dtype=float),
            marker=_MARKERS[k % len(_MARKERS)],
            linestyle=_STYLES[k % len(_STYLES)],
            color=CVD_SAFE_COLORS[k % len(CVD_SAFE_COLORS)],
            label=f"{sign} {100 * float(thr):g} % {who}",
        )
    years = table[x].unique()
    if np.issubdtype(np.asarray(years).dtype, np.number):
        ax.set_xticks(np.sort(years))
    ax.set_xlabel(human_label(x))
    whose = {
        "group_share": f"% of {who} living in such units",
        "population_share": "% of residents living in such units",
        "unit_share": "% of units",
    }
    ax.set_ylabel(whose.get(value, human_label(value)))
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    ax.legend(
        fontsize=7,
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        borderaxespad=0.0,
        title="units where the share is",
        title_fontsize=7,
    )
    set_title(ax, title)
    _source_under_xlabel(ax, source)
    return ax
