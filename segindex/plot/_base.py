"""Shared plumbing of the plotting layer: axes handling and the source line."""

from __future__ import annotations

SYNTHETIC_NOTE = "Synthetic data: the fictional example town of segindex.datasets, not a real place."

ONS_2011 = (
    "Source: Office for National Statistics, 2011 Census aggregate data, "
    "licensed under the Open Government Licence v3.0."
)
OS_ROYAL_MAIL = (
    "Contains OS data © Crown copyright and database right. "
    "Contains Royal Mail data © Royal Mail copyright and database right."
)
DFE_2023 = (
    "Source: Department for Education, Schools, pupils and their characteristics 2022/23, "
    "Open Government Licence v3.0."
)


def get_ax(ax=None, figsize=(7, 7)):
    """Return ``ax``, or a new Axes on a new figure when it is None."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def add_source(ax, text: str | None, *, fontsize: float = 6.5):
    """Write a source/attribution line under the axes (nothing when ``text`` is empty)."""
    if not text:
        return None
    return ax.annotate(
        text,
        xy=(0.0, 0.0),
        xycoords="axes fraction",
        xytext=(0, -14),
        textcoords="offset points",
        fontsize=fontsize,
        color="0.35",
        ha="left",
        va="top",
        wrap=True,
    )
