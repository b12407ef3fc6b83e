"""The report's figures: each drawn into the report folder, with its alt text and caption."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["Figure", "draw", "new_ax"]


@dataclass(frozen=True)
class Figure:
    """One figure of the report: ``file`` (a PNG in the report folder), ``alt`` text and ``caption``."""

    file: str
    alt: str
    caption: str


def new_ax(figsize=(7.0, 6.0)):
    """Axes on a figure outside pyplot: nothing is shown, nothing needs closing, no backend changes."""
    from matplotlib.figure import Figure as MplFigure

    return MplFigure(figsize=figsize).subplots()


def plot_function(module, name: str):
    """``module.plot_<name>`` once the plotting layer has it, else ``module.<name>``."""
    return getattr(module, f"plot_{name}", None) or getattr(module, name)


def draw(folder: Path, file: str, ax, *, alt: str, caption: str) -> Figure:
    """Save the figure of ``ax`` as ``folder / file`` (110 dpi) and describe it."""
    ax.figure.savefig(Path(folder) / file, dpi=110, bbox_inches="tight")
    return Figure(file=file, alt=alt, caption=caption)
