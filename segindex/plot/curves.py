"""Curves and bars of evenness: the segregation curve (Duncan & Duncan 1955), the segplot
(Elbers & Gruijters 2023) and the concentration profile (Hong & Sadahiro 2014).

Each function takes ``ax=None`` (a new figure when omitted), returns the Axes
and never calls ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._compat import renamed_parameters
from .._kernels import multigroup as _kmg
from ..errors import SegindexValueError
from ..indices._peer_input import as_counts, check_labels, read_pair
from ..indices.evenness import concentration_profile
from ._base import add_source, get_ax

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_segregation_curve", "plot_segplot", "plot_concentration_profile"]

SEGPLOT_ORDERS = ("segregation", "entropy", "majority", "none")


def _curve(x, y):
    """Cumulative shares of y (horizontal) and x (vertical), units by ascending share of x."""
    t = x + y
    keep = t > 0
    x, y, t = x[keep], y[keep], t[keep]
    order = np.argsort(x / t, kind="stable")
    cx = np.concatenate([[0.0], np.cumsum(x[order]) / x.sum()])
    cy = np.concatenate([[0.0], np.cumsum(y[order]) / y.sum()])
    return cy, cx


def plot_segregation_curve(
    data: pd.DataFrame,
    group: Hashable,
    other: Hashable | None = None,
    *,
    total: Hashable | None = None,
    by: Hashable | list | None = None,
    ax: Axes | None = None,
    source: str | None = None,
    title: str | None = None,
    **line_kw: object,
) -> Axes:
    r"""Duncan & Duncan's segregation curve of a group against another (or the rest), for one or several areas.

    Units are sorted by the focal group's share; the curve joins the
    cumulative share of the comparison group (horizontal) to that of the
    focal group (vertical). Without segregation it is the diagonal.

    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        One row per unit, one column of counts per group.
    group, other, total
        As for :func:`segindex.dissimilarity`.
    by : column name or list of column names, optional
        One curve per area, on the same Axes.
    ax : matplotlib Axes, optional
    source : str, optional
        Attribution line under the plot.
    title : str, optional
    **line_kw
        Passed to :meth:`matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    The largest vertical distance between the curve and the diagonal is the
    index of dissimilarity D; twice the area between them is the Gini index.
    A curve that lies wholly inside another shows less segregation by every
    index that respects the curve ordering.

    References
    ----------
    Duncan, O. D. & Duncan, B. (1955). A methodological analysis of
    segregation indexes. American Sociological Review 20(2), 210-217.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [10, 0, 5], "b": [0, 10, 5]})
    >>> ax = plot_segregation_curve(df, "a", "b")
    >>> [round(float(v), 4) for v in ax.lines[1].get_ydata()]  # cumulative share of a (line 0 is the diagonal)
    [0.0, 0.0, 0.3333, 1.0]
    """
    caller = "plot_segregation_curve"
    pair = read_pair(data, group, other, total, by, caller)
    ax = get_ax(ax, figsize=(6, 6))
    ax.plot([0, 1], [0, 1], color="0.6", lw=0.8, ls="--", label="no segregation")
    if pair.areas is None:
        parts = [(None, np.ones(len(pair.x), dtype=bool))]
    else:
        parts = [(key, pair.codes == k) for k, key in enumerate(pair.areas)]
    for key, mask in parts:
        x, y = pair.x[mask], pair.y[mask]
        if not (x.sum() > 0 and y.sum() > 0):
            continue
        cy, cx = _curve(x, y)
        label = str(group) if key is None else str(key)
        ax.plot(cy, cx, label=label, **line_kw)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel(f"cumulative share of {pair.comparison}")
    ax.set_ylabel(f"cumulative share of {group}")
    if pair.areas is not None:
        ax.legend(fontsize="small")
    if title:
        ax.set_title(title)
    add_source(ax, source)
    return ax


def _segplot_order(c, order):
    N, T, t = _kmg.margins(c, np.empty(0, np.int64), 1)
    keep = np.flatnonzero(t > 0)
    shares = c[keep] / t[keep, None]
    if order == "none":
        return keep, shares
    if order == "segregation":
        ls, _ = _kmg.local_mutual_information(np.ascontiguousarray(c[keep]), np.empty(0, np.int64), 1)
        key = -ls
    elif order == "entropy":
        with np.errstate(divide="ignore", invalid="ignore"):
            key = -np.sum(np.where(shares > 0, shares * np.log(np.where(shares > 0, shares, 1.0)), 0.0), axis=1)
    else:  # majority: the share of the area's largest group
        key = -shares[:, int(np.argmax(N[0]))]
    o = np.argsort(key, kind="stable")
    return keep[o], shares[o]


@renamed_parameters(reference="overall")
def plot_segplot(
    data: pd.DataFrame,
    groups: list,
    *,
    total: Hashable | None = None,
    order: str = "segregation",
    overall: bool = True,
    ax: Axes | None = None,
    source: str | None = None,
    title: str | None = None,
    colors: list | None = None,
) -> Axes:
    r"""Elbers & Gruijters's segplot: every unit as a bar as wide as its population, stacked by group.

    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        One row per unit, one column of counts per group.
    groups : list of column names
        The groups.
    total : column name, optional
        Unit totals; the population outside ``groups`` is drawn as ``"(rest)"``.
    order : {"segregation", "entropy", "majority", "none"}, default "segregation"
        Units from the most to the least segregated by their local score of M
        (:func:`segindex.local_mutual_information`), from the least to the most
        diverse, by the share of the area's largest group, or as given.
    overall : bool, default True
        Add a bar of the area's composition at the right (the reference bar).
    ax : matplotlib Axes, optional
        One area per Axes: for several areas, call it on each area's rows with
        the Axes of a grid.
    source, title : str, optional
    colors : list of colours, optional
        One per group.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    SegindexValueError
        Unknown ``order``, bad counts, no population.

    Notes
    -----
    Bar i spans :math:`[\sum_{j<i} p_j, \sum_{j \le i} p_j]` with
    :math:`p_i = t_i / T`; its stacked heights are the unit's shares
    :math:`\pi_{ig}`. The area of group g's colour is its share of the whole
    population, :math:`\sum_i p_i \pi_{ig} = \pi_g`, so departures from the
    reference bar show segregation directly.

    References
    ----------
    Elbers, B. & Gruijters, R. J. (2023). Segplot: a new method for
    visualizing patterns of multi-group segregation. Research in Social
    Stratification and Mobility 83, 100778.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [10, 0, 5], "b": [0, 30, 5]})
    >>> ax = plot_segplot(df, ["a", "b"], overall=False)
    >>> round(float(ax.get_xlim()[1]), 4)
    1.0
    """
    caller = "plot_segplot"
    if order not in SEGPLOT_ORDERS:
        raise SegindexValueError(f"{caller}(): 'order' must be one of {SEGPLOT_ORDERS}, got {order!r}.")
    labels = check_labels(groups, "groups", caller, min_count=1)
    counts = as_counts(data, labels, total=total, rest=total is not None, caller=caller)
    c = counts.values
    if not c.sum() > 0:
        raise SegindexValueError(f"{caller}(): the table has no population.")
    rows, shares = _segplot_order(c, order)
    width = c[rows].sum(axis=1) / c.sum()
    edges = np.concatenate([[0.0], np.cumsum(width)])
    ax = get_ax(ax, figsize=(8, 4.5))
    xs = np.repeat(edges, 2)[1:-1]  # each bar's left and right edge
    base = np.zeros(len(rows))
    composition = c.sum(axis=0) / c.sum()
    gap = 0.03
    for g, name in enumerate(counts.groups):
        top = base + shares[:, g]
        colour = None if colors is None else colors[g % len(colors)]
        poly = ax.fill_between(
            xs, np.repeat(base, 2), np.repeat(top, 2), step=None, linewidth=0, label=str(name), color=colour
        )
        if overall:
            low = composition[:g].sum()
            ax.fill_between(
                [1 + gap, 1 + gap + 0.05],
                [low, low],
                [low + composition[g]] * 2,
                linewidth=0,
                color=poly.get_facecolor()[0],
            )
        base = top
    ax.set_xlim(0, 1 + (gap + 0.05 if overall else 0.0))
    ax.set_ylim(0, 1)
    ax.set_xlabel("units, by width of population share")
    ax.set_ylabel("group shares")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if title:
        ax.set_title(title)
    add_source(ax, source)
    return ax


def plot_concentration_profile(
    data: pd.DataFrame,
    group: Hashable,
    other: Hashable | None = None,
    *,
    total: Hashable | None = None,
    thresholds: int = 101,
    ax: Axes | None = None,
    source: str | None = None,
    title: str | None = None,
    label: str | None = None,
    **line_kw: object,
) -> Axes:
    r"""Hong & Sadahiro's concentration profile v(τ) of a group, with the even-spread profile.

    Parameters
    ----------
    data, group, other, total, thresholds
        As for :func:`segindex.concentration_profile`.
    ax : matplotlib Axes, optional
    source, title, label : str, optional
    **line_kw
        Passed to :meth:`matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Under an even spread every unit has the area's share P, so v(τ) is 1 up
    to P and 0 beyond (the dashed step); the farther the curve lies to the
    right of the step, the more concentrated the group.

    References
    ----------
    Hong, S.-Y. & Sadahiro, Y. (2014). Measuring geographic segregation: a
    graph-based approach. Journal of Geographical Systems 16(2), 211-231.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [8, 2], "b": [2, 8]})
    >>> ax = plot_concentration_profile(df, "a", "b", thresholds=[0.0, 0.5, 0.9])
    >>> [round(float(v), 4) for v in ax.lines[-1].get_ydata()]
    [1.0, 0.8, 0.0]
    """
    profile = concentration_profile(data, group, other, total=total, thresholds=thresholds)
    ax = get_ax(ax, figsize=(6, 4.5))
    P = float(profile["area_share"].iloc[0])
    ax.plot([0, P, P, 1], [1, 1, 0, 0], color="0.6", lw=0.8, ls="--", label="even spread")
    ax.plot(profile["threshold"], profile["share"], label=label or str(group), **line_kw)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("threshold τ (the group's share of the unit)")
    ax.set_ylabel("share of the group living above τ")
    ax.legend(fontsize="small")
    if title:
        ax.set_title(title)
    add_source(ax, source)
    return ax
