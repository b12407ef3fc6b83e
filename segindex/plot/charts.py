"""Charts: an index over years, schools against neighbourhoods, indices by group."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._compat import removed_function
from ..errors import SegindexTypeError, SegindexValueError
from ._base import CVD_SAFE_COLORS, add_source, get_ax, human_label, keyword_only_ax, set_title, spread_labels

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_index_by_year", "plot_schools_vs_neighbourhoods", "plot_indices_by_group", "INDEX_LABELS"]

#: Readable names of the index names used in segindex's tidy tables.
INDEX_LABELS = {
    "dissimilarity": "Dissimilarity D",
    "isolation": "Isolation",
    "exposure": "Exposure",
    "correlation_ratio": "Correlation ratio η²",
    "gini": "Gini",
    "atkinson": "Atkinson",
    "entropy_index": "Theil's H",
    "mutual_information": "Mutual information M",
    "multigroup_dissimilarity": "Multigroup D",
}


_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def _add_source_below(ax, source):
    """The source line, moved below the x-axis label of a chart."""
    note = add_source(ax, source)
    if note is not None:
        note.xyann = (0, -34)
    return note


def _check_table(table, caller: str, columns) -> None:
    if not isinstance(table, pd.DataFrame):
        raise SegindexTypeError(
            f"{caller}(): 'table' must be a pandas DataFrame (a tidy table of results), got {type(table).__name__}."
        )
    if len(table) == 0:
        raise SegindexValueError(f"{caller}(): the table is empty (0 rows); there is nothing to draw.")
    for role, name in columns:
        if name not in table.columns:
            raise SegindexValueError(
                f"{caller}(): the column {name!r} (given as '{role}') is not in the table; "
                f"its columns are {', '.join(repr(c) for c in table.columns)}."
            )


def _numbers(table, column, caller: str) -> np.ndarray:
    col = table[column]
    if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
        raise SegindexTypeError(f"{caller}(): the column {column!r} must be numeric, got dtype {col.dtype}.")
    return col.to_numpy(dtype=np.float64, na_value=np.nan)


def _one_value(table, column, caller: str, hint: str):
    """The single value of ``column`` in ``table`` (if the column exists), or a clear error."""
    if column not in table.columns:
        return None
    values = pd.unique(table[column])
    if len(values) > 1:
        shown = ", ".join(repr(v) for v in values[:6])
        raise SegindexValueError(
            f"{caller}(): the table holds several values of {column!r} ({shown}); select one first, {hint}."
        )
    return values[0]


@keyword_only_ax
def plot_index_by_year(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    x: Hashable = "year",
    y: Hashable = "value",
    hue: Hashable | None = "group",
    ci: tuple[Hashable, Hashable] | None = ("ci_low", "ci_high"),
    bias_corrected: Hashable | None = "bias_corrected",
    ylabel: str | None = None,
    title: str | None = None,
    source: str | None = None,
) -> Axes:
    """An index over years, one line per group, with intervals when the table has them.

    Parameters
    ----------
    table : pandas.DataFrame
        Tidy results with a year column ``x`` and a value column ``y``; for
        example rows of :func:`segindex.segregation_table` run with
        ``by="year"``, filtered to one index and comparison. A column
        ``index`` (or ``comparison``, or ``area``) with more than one value is
        an error: filter the table first.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    x, y : column labels, default "year", "value"
        Year and index value.
    hue : column label or None, default "group"
        One line per value of this column (ignored when absent).
    ci : pair of column labels or None, default ("ci_low", "ci_high")
        Interval bounds, drawn as a shaded band and a line from bound to
        bound when both columns are present. None to ignore them. A bootstrap
        interval is centred on the bias-corrected estimate, not on the
        measured value, which may lie outside it (small units bias the
        measured index upward).
    bias_corrected : column label, default "bias_corrected"
        The estimate the interval is centred on, drawn as a short bar across
        each interval (with a legend entry) when the column is present.
    ylabel, title, source : str, optional
        Y-axis label (the index name when omitted), title (see
        :func:`segindex.plot.figure_title`) and source line.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from segindex.plot import plot_index_by_year
    >>> t = pd.DataFrame({"year": [2001, 2011, 2021] * 2, "group": ["A"] * 3 + ["B"] * 3,
    ...                   "value": [0.5, 0.45, 0.4, 0.3, 0.32, 0.31],
    ...                   "ci_low": [0.45, 0.4, 0.35, 0.25, 0.27, 0.26],
    ...                   "ci_high": [0.55, 0.5, 0.45, 0.35, 0.37, 0.36]})
    >>> ax = plot_index_by_year(t)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['A', 'B']
    """
    caller = "plot_index_by_year"
    _check_table(table, caller, [("x", x), ("y", y)])
    index_name = _one_value(table, "index", caller, "e.g. table[table['index'] == 'dissimilarity']")
    _one_value(table, "comparison", caller, "e.g. table[table['comparison'] == 'rest']")
    _one_value(table, "area", caller, "e.g. table[table['area'] == 'Bradford'], or draw one chart per area")
    has_ci = ci is not None and all(c in table.columns for c in ci)
    ax = get_ax(ax, figsize=(7, 4.5))
    keyed = hue is not None and hue in table.columns
    series = table.groupby(hue, sort=False) if keyed else [(None, table)]
    marked = False
    for n, (key, part) in enumerate(series):
        part = part.sort_values(x, kind="stable")
        xs = part[x].to_numpy()
        ys = _numbers(part, y, caller)
        if len(np.unique(xs)) != len(xs):
            raise SegindexValueError(
                f"{caller}(): several rows share a year {x!r}"
                + (f" for {hue} {key!r}" if keyed else "")
                + "; filter the table to one row per year and line."
            )
        (line,) = ax.plot(
            xs,
            ys,
            marker=_MARKERS[n % len(_MARKERS)],
            color=CVD_SAFE_COLORS[n % len(CVD_SAFE_COLORS)],
            label=None if key is None else human_label(key),
        )
        if has_ci:
            lo, hi = _numbers(part, ci[0], caller), _numbers(part, ci[1], caller)
            ax.fill_between(xs, lo, hi, color=line.get_color(), alpha=0.18, linewidth=0)
            # the interval from its bounds, not around the point: it is centred on the bias-corrected
            # estimate, and the measured value may lie outside it
            ax.errorbar(
                xs, (lo + hi) / 2, yerr=(hi - lo) / 2, fmt="none", ecolor=line.get_color(), elinewidth=1, capsize=3
            )
            if bias_corrected in part.columns:
                ax.plot(
                    xs,
                    _numbers(part, bias_corrected, caller),
                    linestyle="",
                    marker="D",
                    markersize=4.5,
                    markerfacecolor="white",
                    markeredgewidth=1.2,
                    color=line.get_color(),
                    label="_bias_corrected",
                )
                marked = True
    if keyed or marked:  # beside the chart, off the lines
        from matplotlib.lines import Line2D

        handles, texts = ax.get_legend_handles_labels()
        if marked:
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="",
                    marker="D",
                    markersize=4.5,
                    markerfacecolor="white",
                    markeredgewidth=1.2,
                    color="0.2",
                )
            )
            texts.append("bias-corrected estimate\n(the interval's centre)")
        ax.legend(
            handles,
            texts,
            title=human_label(hue) if keyed else None,
            frameon=False,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            borderaxespad=0.0,
            fontsize=8,
        )
    years = np.unique(table[x].to_numpy())
    if np.issubdtype(years.dtype, np.number) and len(years) <= 12:
        ax.set_xticks(years)
    ax.set_xlabel(str(x))
    ax.set_ylabel(ylabel or INDEX_LABELS.get(index_name, str(index_name) if index_name is not None else str(y)))
    ax.grid(axis="y", color="0.9")
    ax.spines[["top", "right"]].set_visible(False)
    set_title(ax, title)
    _add_source_below(ax, source)
    return ax


@keyword_only_ax
def plot_schools_vs_neighbourhoods(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    x: Hashable = "neighbourhoods",
    y: Hashable = "schools",
    label: Hashable | None = "group",
    xerr: tuple[Hashable, Hashable] | None = None,
    yerr: tuple[Hashable, Hashable] | None = None,
    bias_corrected: tuple[Hashable | None, Hashable | None] | None = None,
    index_name: str | None = None,
    title: str | None = None,
    source: str | None = None,
) -> Axes:
    """Each group's index across schools against the same index across neighbourhoods.

    Points above the 45° line are groups (or areas) more segregated at school
    than where they live (Burgess, Wilson & Lupton 2005).

    Parameters
    ----------
    table : pandas.DataFrame
        One row per point, with numeric columns ``x`` and ``y``.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    x, y : column labels, default "neighbourhoods", "schools"
        The index across residential units and across schools.
    label : column label or None, default "group"
        Text written beside each point; the row index when the column is
        absent, nothing when None.
    xerr, yerr : pair of column labels, optional
        Interval bounds ``(low, high)`` drawn as lines through the points'
        rows or columns (a bias-corrected bootstrap interval need not
        contain its point).
    bias_corrected : pair of column labels, optional
        The estimates the intervals are centred on, ``(x column, y column)``
        (either may be None), drawn as hollow diamonds on the interval lines,
        with a legend entry beside the chart.
    index_name : str, optional
        Name of the index, used in the axis labels (e.g. "dissimilarity").
    title, source : str, optional
        Title and source line.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from segindex.plot import plot_schools_vs_neighbourhoods
    >>> t = pd.DataFrame({"group": ["A", "B"], "neighbourhoods": [0.3, 0.5], "schools": [0.4, 0.55]})
    >>> ax = plot_schools_vs_neighbourhoods(t, index_name="dissimilarity")
    >>> len(ax.collections[0].get_offsets()), [t.get_text() for t in ax.texts[:2]]
    (2, ['A', 'B'])
    """
    caller = "plot_schools_vs_neighbourhoods"
    _check_table(
        table,
        caller,
        [("x", x), ("y", y)]
        + [
            (f"{n}[{i}]", c)
            for n, pair in (("xerr", xerr), ("yerr", yerr), ("bias_corrected", bias_corrected))
            if pair
            for i, c in enumerate(pair)
            if c is not None
        ],
    )
    xs, ys = _numbers(table, x, caller), _numbers(table, y, caller)
    ax = get_ax(ax, figsize=(5.5, 5.5))
    finite = np.concatenate([xs, ys])
    if xerr:
        finite = np.concatenate([finite, _numbers(table, xerr[0], caller), _numbers(table, xerr[1], caller)])
    if yerr:
        finite = np.concatenate([finite, _numbers(table, yerr[0], caller), _numbers(table, yerr[1], caller)])
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        raise SegindexValueError(f"{caller}(): no finite values in {x!r} and {y!r}; nothing to draw.")
    lo = min(0.0, float(finite.min()))
    hi = float(finite.max())
    hi = hi + 0.08 * (hi - lo if hi > lo else 1.0)
    ax.plot([lo, hi], [lo, hi], color="0.5", linestyle="--", linewidth=1, label="schools = neighbourhoods", zorder=1)
    # intervals as lines from low to high: a bias-corrected interval need not contain its point
    if xerr:
        ax.hlines(
            ys, _numbers(table, xerr[0], caller), _numbers(table, xerr[1], caller), color="0.4", linewidth=0.8, zorder=2
        )
    if yerr:
        ax.vlines(
            xs, _numbers(table, yerr[0], caller), _numbers(table, yerr[1], caller), color="0.4", linewidth=0.8, zorder=2
        )
    points = ax.scatter(
        xs, ys, s=36, color=CVD_SAFE_COLORS[0], edgecolors="white", linewidths=0.6, zorder=3, label="measured value"
    )
    labels = []
    if label is not None:
        names = table[label] if label in table.columns else pd.Series(table.index, index=table.index)
        for xi, yi, name in zip(xs, ys, names.map(human_label), strict=True):
            if np.isfinite(xi) and np.isfinite(yi):
                labels.append(ax.annotate(name, (xi, yi), xytext=(4, 3), textcoords="offset points", fontsize=8))
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal")
    what = INDEX_LABELS.get(index_name, index_name) if index_name else "index"
    ax.set_xlabel(f"{what} across neighbourhoods")
    ax.set_ylabel(f"{what} across schools")
    corners = [
        ax.text(0.04, 0.96, "more segregated at school", transform=ax.transAxes, fontsize=7.5, color="0.45", va="top"),
        ax.text(0.96, 0.04, "more segregated at home", transform=ax.transAxes, fontsize=7.5, color="0.45", ha="right"),
    ]
    centres = []
    if bias_corrected:
        style = {
            "linestyle": "",
            "marker": "D",
            "markersize": 4.5,
            "markerfacecolor": "white",
            "markeredgewidth": 1.1,
            "color": "0.25",
            "zorder": 4,
        }
        xc, yc = (tuple(bias_corrected) + (None, None))[:2]
        if yc is not None:
            centres += ax.plot(xs, _numbers(table, yc, caller), **style)
        if xc is not None:
            centres += ax.plot(_numbers(table, xc, caller), ys, **style)
        centres[0].set_label("bias-corrected estimate\n(the interval's centre)")
        ax.legend(
            handles=[points, centres[0]],
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            borderaxespad=0.0,
            fontsize=7.5,
            frameon=False,
        )
    spread_labels(ax, labels, avoid=corners)
    ax.spines[["top", "right"]].set_visible(False)
    set_title(ax, title)
    _add_source_below(ax, source)
    return ax


@keyword_only_ax
def plot_indices_by_group(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    indices: str | Sequence[str] = ("dissimilarity", "isolation", "correlation_ratio"),
    comparison: str = "rest",
    area: Hashable | None = None,
    title: str | None = None,
    source: str | None = None,
) -> Axes:
    """Indices by group as horizontal bars, from :func:`segindex.segregation_table` output.

    Parameters
    ----------
    table : pandas.DataFrame
        Tidy results with columns ``group``, ``comparison``, ``index``,
        ``value`` (and ``area``), as returned by
        :func:`segindex.segregation_table`. Multigroup rows are ignored.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    indices : sequence of str, default ("dissimilarity", "isolation", "correlation_ratio")
        Which indices to draw, one bar each per group.
    comparison : str, default "rest"
        Which comparison's rows to draw (``"rest"`` or a reference group).
    area : optional
        Which area's rows, when the table holds several (made with ``by=``).
    title, source : str, optional
        Title and source line.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from segindex.indices.table import segregation_table
    >>> from segindex.plot import plot_indices_by_group
    >>> df = pd.DataFrame({"A": [10, 20, 30], "B": [30, 20, 10], "C": [0, 10, 20]})
    >>> ax = plot_indices_by_group(segregation_table(df, ["A", "B", "C"]), indices=["dissimilarity"])
    >>> len(ax.patches)
    3
    """
    caller = "plot_indices_by_group"
    _check_table(table, caller, [("", c) for c in ("group", "comparison", "index", "value")])
    if isinstance(indices, str):
        indices = [indices]
    indices = list(indices)
    rows = table[table["comparison"] == comparison]
    if rows.empty:
        raise SegindexValueError(
            f"{caller}(): no rows with comparison {comparison!r}; the table has "
            f"{', '.join(repr(c) for c in pd.unique(table['comparison']))}."
        )
    if "area" in rows.columns:
        if area is None:
            _one_value(rows, "area", caller, "or pass area=")
        else:
            rows = rows[rows["area"] == area]
            if rows.empty:
                raise SegindexValueError(f"{caller}(): no rows for area {area!r}.")
    unknown = [i for i in indices if i not in set(rows["index"])]
    if unknown:
        raise SegindexValueError(
            f"{caller}(): no {', '.join(repr(i) for i in unknown)} rows for comparison {comparison!r}; "
            f"available: {', '.join(repr(i) for i in pd.unique(rows['index']))}."
        )
    wide = rows[rows["index"].isin(indices)].pivot_table(
        index="group", columns="index", values="value", sort=False, dropna=False
    )
    wide = wide.reindex(columns=indices)
    groups = list(wide.index)
    ax = get_ax(ax, figsize=(7, 0.5 * len(groups) * max(1, len(indices) * 0.6) + 1.5))
    height = 0.8 / len(indices)
    pos = np.arange(len(groups))
    for j, name in enumerate(indices):
        offset = (j - (len(indices) - 1) / 2) * height
        vals = wide[name].to_numpy(dtype=np.float64)
        bars = ax.barh(
            pos + offset,
            vals,
            height=height * 0.92,
            label=INDEX_LABELS.get(name, name),
            color=CVD_SAFE_COLORS[j % len(CVD_SAFE_COLORS)],
        )
        ax.bar_label(bars, labels=[f"{v:.2f}" if np.isfinite(v) else "n/a" for v in vals], padding=2, fontsize=7)
    ax.set_yticks(pos, labels=[human_label(g) for g in groups])
    ax.invert_yaxis()
    top = np.nanmax(wide.to_numpy(dtype=np.float64)) if np.isfinite(wide.to_numpy(dtype=np.float64)).any() else 1
    ax.set_xlim(0, max(1.0, float(top) * 1.12) if top > 0.9 else float(top) * 1.18 + 0.02)
    ax.set_xlabel("index value" + ("" if comparison == "rest" else f" (against {human_label(comparison)})"))
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, fontsize=8)
    ax.grid(axis="x", color="0.92")
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    set_title(ax, title)
    _add_source_below(ax, source)
    return ax


index_by_year = removed_function("index_by_year", "segindex.plot.plot_index_by_year")
schools_vs_neighbourhoods = removed_function(
    "schools_vs_neighbourhoods", "segindex.plot.plot_schools_vs_neighbourhoods"
)
indices_by_group = removed_function("indices_by_group", "segindex.plot.plot_indices_by_group")
