"""The bar chart of :func:`segindex.decompose_difference`: a difference between two places and its two parts.

The function takes ``ax=None`` as a keyword (a new figure when omitted), returns
the Axes and never calls ``plt.show()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import SegindexTypeError, SegindexValueError, first_few
from ._base import CVD_SAFE_COLORS, add_source, get_ax, keyword_only_ax, set_title

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_decomposition"]

#: The rows of ``decompose_difference``'s result the chart needs.
_NEEDED = ("value_a", "value_b", "difference", "spatial", "compositional")
_BARS = (("difference", "total difference"), ("spatial", "spatial"), ("compositional", "compositional"))


def _estimates(result) -> dict[str, float]:
    caller = "plot_decomposition"
    if not isinstance(result, pd.DataFrame):
        raise SegindexTypeError(
            f"{caller}(): 'result' must be the DataFrame returned by decompose_difference, got {type(result).__name__}."
        )
    missing_cols = [c for c in ("stat", "est") if c not in result.columns]
    if missing_cols:
        raise SegindexValueError(
            f"{caller}(): 'result' has no column {first_few(missing_cols)}; pass the DataFrame returned by "
            "decompose_difference (columns 'stat' and 'est')."
        )
    est = dict(zip(result["stat"].astype(str), result["est"]))
    missing = [s for s in _NEEDED if s not in est]
    if missing:
        raise SegindexValueError(
            f"{caller}(): 'result' has no row {first_few(missing)} in 'stat'; pass the DataFrame returned by "
            "decompose_difference."
        )
    out = {}
    for s in _NEEDED:
        try:
            v = float(est[s])
        except (TypeError, ValueError):
            v = float("nan")
        if not np.isfinite(v):
            raise SegindexValueError(f"{caller}(): the row {s!r} of 'result' is not a finite number ({est[s]!r}).")
        out[s] = v
    return out


@keyword_only_ax
def plot_decomposition(
    result: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    source: str | None = None,
) -> Axes:
    r"""Bars of a difference in an index between two tables and its spatial and compositional parts.

    Draws three bars from the result of :func:`segindex.decompose_difference`:
    the total difference :math:`G_a - G_b`, its spatial part :math:`C_S` and
    its compositional part :math:`C_A`, each labelled with its value, and
    writes the two index values :math:`G_a` and :math:`G_b` in the corner.

    Parameters
    ----------
    result : pandas.DataFrame
        The DataFrame returned by :func:`segindex.decompose_difference`
        (columns ``stat`` and ``est``; rows ``value_a``, ``value_b``,
        ``difference``, ``spatial`` and ``compositional`` at least).
    ax : matplotlib Axes, optional
        Keyword only. A new figure when omitted.
    title : str, optional
    source : str, optional
        Attribution line under the plot.

    Returns
    -------
    matplotlib.axes.Axes
        The three bars are ``ax.patches`` in the order total, spatial,
        compositional.

    Raises
    ------
    SegindexTypeError
        ``result`` is not a DataFrame.
    SegindexValueError
        ``result`` lacks the columns ``stat``/``est`` or one of the rows, or a
        value is not a finite number.

    Notes
    -----
    The two parts add up to the total, :math:`C_S + C_A = G_a - G_b`; a bar
    below zero means that part makes table a *less* segregated than table b
    (see :func:`segindex.decompose_difference` for the Shapley formulas).

    References
    ----------
    Rey, S. J., Cortes, R. & Knaap, E. (2021). Comparative spatial segregation
    analytics. Spatial Demography 9, 31-64.

    Examples
    --------
    >>> import pandas as pd
    >>> from segindex import decompose_difference, dissimilarity
    >>> a = pd.DataFrame({"g": [10, 0, 5, 5], "t": [10, 10, 10, 10]})
    >>> b = pd.DataFrame({"g": [2, 2, 2, 14], "t": [4, 4, 4, 28]})
    >>> result = decompose_difference(dissimilarity, a, b, "g", total="t")
    >>> ax = plot_decomposition(result, title="D, a against b")
    >>> [round(float(p.get_height()), 4) for p in ax.patches][0]
    0.5
    """
    est = _estimates(result)
    ax = get_ax(ax, figsize=(6, 4.5))
    heights = [est[s] for s, _ in _BARS]
    labels = [label for _, label in _BARS]
    colours = ["0.35", CVD_SAFE_COLORS[0], CVD_SAFE_COLORS[1]]
    bars = ax.bar(range(3), heights, color=colours, width=0.6, edgecolor="none")
    ax.bar_label(bars, labels=[f"{h:+.3f}" for h in heights], padding=3, fontsize="small")
    ax.axhline(0.0, color="0.2", lw=0.8)
    ax.set_xticks(range(3), labels)
    ax.set_ylabel("contribution to the difference (a − b)")
    low, high = min(0.0, *heights), max(0.0, *heights)
    span = (high - low) or 1.0
    ax.set_ylim(low - 0.15 * span * (low < 0), high + 0.3 * span)
    ax.text(
        0.98,
        0.97,
        f"index on a: {est['value_a']:.3f}\nindex on b: {est['value_b']:.3f}",
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize="small",
        bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "0.7"},
    )
    set_title(ax, title)
    note = add_source(ax, source)
    if note is not None:
        note.xyann = (0, -30)  # below the bar labels on the horizontal axis
    return ax
