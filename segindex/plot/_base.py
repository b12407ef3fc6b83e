"""Shared plumbing of the plotting layer: axes handling, the source line, labels, colours and missing data."""

from __future__ import annotations

import functools
import re
from collections.abc import Hashable

from ..errors import SegindexTypeError

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
    "Source: Department for Education, Schools, pupils and their characteristics 2022/23, Open Government Licence v3.0."
)


#: Colour maps readable with the common colour-vision deficiencies: the viridis family (perceptually
#: uniform, designed for it) and the ColorBrewer schemes marked colour-blind safe (every sequential
#: scheme; the diverging BrBG, PiYG, PRGn, PuOr, RdBu and RdYlBu). Every default colour map of
#: :mod:`segindex.plot` is one of these (a test checks it).
CVD_SAFE_CMAPS = frozenset(
    name + suffix
    for name in (
        "viridis",
        "cividis",
        "plasma",
        "inferno",
        "magma",
        "Blues",
        "Greens",
        "Greys",
        "Oranges",
        "Purples",
        "Reds",
        "BuGn",
        "BuPu",
        "GnBu",
        "OrRd",
        "PuBu",
        "PuBuGn",
        "PuRd",
        "RdPu",
        "YlGn",
        "YlGnBu",
        "YlOrBr",
        "YlOrRd",
        "BrBG",
        "PiYG",
        "PRGn",
        "PuOr",
        "RdBu",
        "RdYlBu",
    )
    for suffix in ("", "_r")
)

#: Colours of lines and bars told apart by colour (Okabe & Ito 2008: distinct under protanopia,
#: deuteranopia and tritanopia); markers and line styles tell them apart as well.
CVD_SAFE_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")

#: How a unit with no value is drawn on every map: white, hatched in mid grey, with its own legend entry,
#: so that it cannot be taken for a class (not even the pale neutral one).
MISSING_STYLE = {"facecolor": "white", "edgecolor": "0.45", "hatch": "////"}

_SMALL_WORDS = frozenset({"and", "or", "of", "the", "in", "at", "to", "a", "an", "from", "with", "by"})


#: The abbreviated column names of the 2011 Census ethnic-group tables, written out.
_CENSUS2011_LABELS = {
    "WhiteBrit": "White British",
    "OtherWhite": "Other White",
    "GypsyTraveller": "Gypsy or Irish Traveller",
    "OtherAsian": "Other Asian",
    "BlkAfrican": "Black African",
    "BlkCaribbean": "Black Caribbean",
    "OtherBlk": "Other Black",
}


def _fallback_label(name: str) -> str:
    """``"black_african"`` -> ``"Black African"``; names with capitals are kept as they are."""
    if name in _CENSUS2011_LABELS:
        return _CENSUS2011_LABELS[name]
    if any(ch.isupper() for ch in name) or " " in name.strip() and "_" not in name:
        return name
    words = [w for w in re.split(r"[_\s]+", name.strip()) if w]
    out = []
    for i, word in enumerate(words):
        out.append(word if i and word in _SMALL_WORDS else word[:1].upper() + word[1:])
    return " ".join(out) if out else name


def human_label(name: Hashable) -> str:
    """A group or column name as a reader would write it: ``"black_african"`` -> ``"Black African"``.

    The labels of :data:`segindex.classification.GROUP_LABELS` for the common groups; the 2011
    Census abbreviations (``"BlkAfrican"``) written out; each word of any other snake_case name with
    a capital. Any other name that already has capitals or spaces is kept.

    Examples
    --------
    >>> human_label("black_african")
    'Black African'
    >>> human_label("mixed_white_and_asian")
    'Mixed White and Asian'
    >>> human_label("BlkCaribbean")  # a 2011 Census column
    'Black Caribbean'
    """
    from ..classification import GROUP_LABELS

    if not isinstance(name, str):
        return str(name)
    if name in GROUP_LABELS:
        return GROUP_LABELS[name]
    return _fallback_label(name)


def figure_title(
    subject: str, *, group: Hashable | None = None, place: str | None = None, year: int | str | None = None
) -> str:
    """A title that says what, who, where and when: ``"Pakistani: share of residents, Bradford 2011"``.

    Parameters
    ----------
    subject : str
        What is drawn, e.g. ``"share of residents"`` or ``"location quotient"``.
    group : str, optional
        The group, written with :func:`human_label` (``"black_african"`` -> ``"Black African"``).
    place : str, optional
        The area, e.g. ``"Bradford"``.
    year : int or str, optional
        The census year or school year.

    Returns
    -------
    str

    Examples
    --------
    >>> figure_title("share of residents", group="black_african", place="Bradford", year=2011)
    'Black African: share of residents, Bradford 2011'
    >>> figure_title("Segregation by group", place="Leicester")
    'Segregation by group, Leicester'
    """
    text = f"{human_label(group)}: {subject}" if group is not None else subject
    where = " ".join(str(p) for p in (place, year) if p is not None and str(p) != "")
    return f"{text}, {where}" if where else text


def keyword_only_ax(func):
    """Say clearly that ``ax`` is keyword-only when a caller passes an Axes by position (segindex < 0.2)."""
    import inspect

    params = inspect.signature(func).parameters.values()
    n_positional = sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if len(args) > n_positional:
            from matplotlib.axes import Axes

            if any(isinstance(a, Axes) for a in args[n_positional:]):
                raise SegindexTypeError(
                    f"{func.__name__}(): 'ax' is keyword-only; write {func.__name__}(..., ax=ax) (see CHANGELOG.md)."
                )
        return func(*args, **kwargs)

    return wrapper


def removed_keywords(**messages: str):
    """Decorate a plot function so that each removed keyword in ``messages`` raises a TypeError saying what to do."""

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            for old, message in messages.items():
                if old in kwargs:
                    raise SegindexTypeError(
                        f"{func.__name__}(): the parameter {old!r} was removed: {message} (see CHANGELOG.md)."
                    )
            return func(*args, **kwargs)

        return wrapper

    return decorate


def draw_missing(ax, geoms, *, linewidth=0.2):
    """Draw units with no value in the missing-data style (nothing when ``geoms`` is empty)."""
    if len(geoms):
        geoms.plot(ax=ax, linewidth=max(linewidth, 0.3), **MISSING_STYLE)


def missing_handle(n: int, label: str = "No data"):
    """The legend entry of units with no value, with their number."""
    from matplotlib.patches import Patch

    return Patch(linewidth=0.5, label=f"{label}  ({n})", **MISSING_STYLE)


def map_figsize(gdf, *, width: float = 7.0, margin: float = 1.8, bars: int = 0) -> tuple[float, float]:
    """The size of a new map figure: ``width`` inches across, tall enough for the data's shape.

    ``margin`` inches (the legend beside the map) and 0.9 inch per colour bar
    are kept beside the map; the height follows the bounding box of ``gdf``,
    between 3.5 and 9 inches (titles and the source line included).
    """
    x0, y0, x1, y1 = (float(v) for v in gdf.total_bounds)
    ratio = (y1 - y0) / (x1 - x0) if x1 > x0 and y1 > y0 else 1.0
    if gdf.crs is not None and gdf.crs.is_geographic:
        import math

        ratio /= max(math.cos(math.radians((y0 + y1) / 2)), 0.1)
    drawn = max(width - margin - 0.9 * bars, 2.0)
    return width, min(max(drawn * ratio + 1.1, 3.5), 9.0)


def get_ax(ax=None, figsize=(7, 7)):
    """Return ``ax``, or a new Axes on a new figure when it is None."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def set_title(ax, title, **kwargs):
    """Set the axes title, wrapped onto more lines when it is wider than the axes (nothing when empty)."""
    if not title:
        return None
    import textwrap

    title = str(title)
    fontsize = kwargs.get("fontsize", 12)
    fig = ax.figure
    width_pt = ax.get_position().width * fig.get_figwidth() * 72.0
    chars = max(20, int(width_pt / (0.55 * float(fontsize))))
    if len(title) > chars and "\n" not in title:
        title = "\n".join(textwrap.wrap(title, chars))
    return ax.set_title(title, **kwargs)


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
        near = [
            (x0, y0, ha0),
            (-x0, y0, "right"),
            (x0, y0 - step, ha0),
            (-x0, y0 - step, "right"),
            (x0, y0 + step, ha0),
            (-x0, y0 + step, "right"),
        ]
        far = [
            (x * x0, y0 + k * step * sign, ha0 if x > 0 else "right")
            for k in range(2, max_shift + 1)
            for sign in (1, -1)
            for x in (1, -1)
        ]
        chosen, leader = near[0], False
        # first a clear place inside the axes, then a clear place anywhere
        for within in (True, False):
            for n, (x, y, ha) in enumerate(near + far):
                text.set_position((x, y))
                text.set_horizontalalignment(ha)
                box = text.get_window_extent(renderer)
                if within and not (
                    frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
                ):
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
            new = ax.annotate(
                text.get_text(),
                text.xy,
                xytext=chosen[:2],
                textcoords="offset points",
                fontsize=text.get_fontsize(),
                ha=chosen[2],
                va=text.get_verticalalignment(),
                arrowprops={"arrowstyle": "-", "color": "0.6", "lw": 0.5, "shrinkA": 0, "shrinkB": 2},
            )
            text.remove()
            text = new
        text.get_window_extent(renderer)  # an annotation places its text when measured
        placed.append(Text.get_window_extent(text, renderer))  # the text alone, not its leader line
        out.append(text)
    return out
