"""The nearest-school benchmark as a chart: observed school segregation against no choice of school."""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import SegindexTypeError, SegindexValueError
from ._base import add_source, get_ax

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_nearest_school_benchmark"]

# Okabe & Ito (2008) colours, distinguishable with every common colour-vision deficiency, and a
# grey with 4.5:1 contrast on white; each series also has its own marker shape.
# (column, label, marker, face, edge, size, zorder): the benchmark and the observed index on top.
_SERIES = (
    ("neighbourhoods", "across neighbourhoods", "s", "#767676", "#767676", 26, 2),
    ("nearest_school", "nearest school with room", "o", "white", "#0072B2", 46, 3),
    ("schools", "across schools (observed)", "D", "#D55E00", "#D55E00", 42, 4),
)


def _check(table, columns, caller):
    if not isinstance(table, pd.DataFrame):
        raise SegindexTypeError(f"{caller}(): 'table' must be a pandas DataFrame, got {type(table).__name__}.")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise SegindexValueError(
            f"{caller}(): the table has no column {', '.join(repr(c) for c in missing)}; its columns are "
            f"{', '.join(repr(c) for c in table.columns)}."
        )
    for c in columns[1:]:
        if pd.api.types.is_bool_dtype(table[c]) or not pd.api.types.is_numeric_dtype(table[c]):
            raise SegindexTypeError(f"{caller}(): the column {c!r} must be numeric, got dtype {table[c].dtype}.")


def _rows(table, index, caller):
    if "index" not in table.columns:
        return table
    present = list(pd.unique(table["index"]))
    if index is None:
        if len(present) > 1:
            raise SegindexValueError(
                f"{caller}(): the table holds several indices ({', '.join(map(repr, present))}); choose one "
                "with index=."
            )
        return table
    rows = table[table["index"] == index]
    if rows.empty:
        raise SegindexValueError(
            f"{caller}(): no rows for index {index!r}; the table has {', '.join(map(repr, present))}."
        )
    return rows


def plot_nearest_school_benchmark(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    index: str | None = None,
    group: Hashable = "group",
    xlabel: str | None = None,
    title: str | None = None,
    source: str | None = None,
) -> Axes:
    """Each group's index across schools against the nearest-school benchmark, one row per group.

    The benchmark places every resident, scaled to the number of pupils, in
    the nearest school with room (:func:`segindex.nearest_school_allocation`
    with ``capacity``): segregation with no choice of school. A line joins it
    to the index observed across schools, so the length of the line is what
    choice, admissions and the age structure add (right of the circle) or
    remove (left). The index across neighbourhoods is drawn too when the
    table has it.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per group with numeric columns ``nearest_school`` and
        ``schools`` (and optionally ``neighbourhoods``), and a column of group
        labels ``group``; an ``index`` column is filtered with ``index=``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    index : str, optional
        Which rows of the ``index`` column to draw (needed when it holds several).
    group : column label, default "group"
        The labels written beside each row.
    xlabel, title, source : str, optional
        Axis label (the index name when omitted), title and source line.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from segindex.plot.benchmark import plot_nearest_school_benchmark
    >>> t = pd.DataFrame({"group": ["Indian", "Pakistani"], "nearest_school": [0.30, 0.55],
    ...                   "schools": [0.42, 0.61]})
    >>> ax = plot_nearest_school_benchmark(t, xlabel="Dissimilarity")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['Indian', 'Pakistani']
    """
    caller = "plot_nearest_school_benchmark"
    _check(table, [group, "nearest_school", "schools"], caller)
    rows = _rows(table, index, caller)
    if rows.empty:
        raise SegindexValueError(f"{caller}(): the table is empty (0 rows); there is nothing to draw.")
    ax = get_ax(ax, figsize=(6.5, 1.6 + 0.45 * len(rows)))
    y = np.arange(len(rows))[::-1].astype(float)
    near = rows["nearest_school"].to_numpy(dtype=float)
    observed = rows["schools"].to_numpy(dtype=float)
    ax.hlines(y, np.fmin(near, observed), np.fmax(near, observed), color="0.35", linewidth=1.6, zorder=1)
    for column, label, marker, face, edge, size, zorder in _SERIES:
        if column not in rows.columns:
            continue
        ax.scatter(
            rows[column].to_numpy(dtype=float),
            y,
            marker=marker,
            s=size,
            facecolors=face,
            edgecolors=edge,
            linewidths=1.4,
            label=label,
            zorder=zorder,
        )
    ax.set_yticks(y, [str(v) for v in rows[group]])
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlim(left=0.0)
    ax.grid(axis="x", color="0.9", linewidth=0.8, zorder=0)
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel(xlabel or (str(index).replace("_", " ").capitalize() if index else "index"))
    # the legend between the title and the rows, off the data
    ax.legend(
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=3,
        frameon=False,
        fontsize=8,
        handletextpad=0.3,
        columnspacing=1.2,
        borderaxespad=0.2,
    )
    if title:
        ax.set_title(title, pad=24)
    note = add_source(ax, source)
    if note is not None:
        note.xyann = (0, -34)  # below the x-axis label
    return ax
