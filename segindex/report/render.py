"""Rendering the report's content as one HTML page, from a Jinja2 template (autoescaped)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .content import ReportContent

__all__ = ["render_html"]


def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("segindex.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render_html(content: ReportContent) -> str:
    """The page ``index.html`` of a :class:`~segindex.report.content.ReportContent`.

    Every text from the data or the caller is escaped; the CSS is inlined, and
    every link is relative, so the page works from a zipped folder with no network.
    """
    from importlib.resources import files

    css = files("segindex.report").joinpath("templates", "report.css").read_text(encoding="utf-8")
    env = _environment()
    return env.get_template("report.html.j2").render(c=content, s=content.spec, css=css)
