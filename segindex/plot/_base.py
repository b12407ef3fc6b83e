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


def spread_labels(ax, labels, avoid=(), max_shift: int = 12):
    """Move point labels (annotations in offset points) until they no longer overlap.

    Greedy, from the highest point down: each label keeps its place when it
    overlaps neither a point, a label already placed nor a text in
    ``avoid``; else it tries the left side of its point, then one label
    height lower or higher on either side, then farther up or down (at most
    ``max_shift`` heights), where a thin leader line joins it to its point.
    Places inside the axes come first; a label stays where it was when
    nothing is clear. Positions are measured with the figure's current size
    and limits, so call it after the limits are set. Returns the labels (a
    label given a leader line is a new annotation).
    """
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

    if not labels:
        return []
    fig = ax.figure
    renderer = None  # the figure's own renderer (Agg or not: matplotlib finds one)
    placed = [t.get_window_extent(renderer) for t in avoid]
    # the points themselves, as small squares, are obstacles too
    r = 3.0 * fig.dpi / 72.0
    for px, py in ax.transData.transform([t.xy for t in labels]):
        placed.append(Bbox([[px - r, py - r], [px + r, py + r]]))
    frame = ax.get_window_extent(renderer)
    out = []
    for text in sorted(labels, key=lambda t: -t.xy[1]):
        x0, y0 = text.get_position()
        ha0 = text.get_horizontalalignment()
        step = text.get_window_extent(renderer).height * 72.0 / fig.dpi  # one label height, in points
        near = [(x0, y0, ha0), (-x0, y0, "right"), (x0, y0 - step, ha0), (-x0, y0 - step, "right"),
                (x0, y0 + step, ha0), (-x0, y0 + step, "right")]
        far = [(x * x0, y0 + k * step * sign, ha0 if x > 0 else "right")
               for k in range(2, max_shift + 1) for sign in (1, -1) for x in (1, -1)]
        chosen, leader = near[0], False
        # first a clear place inside the axes, then a clear place anywhere
        for within in (True, False):
            for n, (x, y, ha) in enumerate(near + far):
                text.set_position((x, y))
                text.set_horizontalalignment(ha)
                box = text.get_window_extent(renderer)
                if within and not (frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0
                                   and box.y1 <= frame.y1):
                    continue
                if not any(box.overlaps(other) for other in placed):
                    chosen, leader = (x, y, ha), n >= len(near)
                    break
            else:
                continue
            break
        text.set_position(chosen[:2])
        text.set_horizontalalignment(chosen[2])
        if leader:
            new = ax.annotate(text.get_text(), text.xy, xytext=chosen[:2], textcoords="offset points",
                              fontsize=text.get_fontsize(), ha=chosen[2], va=text.get_verticalalignment(),
                              arrowprops={"arrowstyle": "-", "color": "0.6", "lw": 0.5, "shrinkA": 0,
                                          "shrinkB": 2})
            text.remove()
            text = new
        text.get_window_extent(renderer)  # an annotation places its text when measured
        placed.append(Text.get_window_extent(text, renderer))  # the text alone, not its leader line
        out.append(text)
    return out
