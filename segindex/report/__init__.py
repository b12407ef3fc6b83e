"""A short HTML report: the segregation table, maps and charts, sources and caveats.

:func:`write_report` writes a self-contained folder (``index.html`` with PNG
figures and CSV tables beside it, linked by relative paths, no network
resources) that can be zipped, e-mailed or put on a web server as it is.

It is three steps, each usable on its own from a notebook:
:func:`~segindex.report.content.build_content` computes the tables and draws
the figures (a :class:`~segindex.report.content.ReportContent`),
:func:`~segindex.report.render.render_html` renders the page from a Jinja2
template, and :mod:`segindex.report.folder` owns the folder (it refuses a
folder it does not own, builds the report aside and moves it into place whole).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .._compat import renamed_parameters
from .checks import check_draws, check_frames, check_map_groups, check_other, check_text
from .content import ReportContent, ReportSpec, build_content
from .folder import MARKER, check_target, staged_folder, write_marker
from .provenance import provenance
from .publish import Disclosure
from .render import render_html

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["write_report", "REAL_DATA_CAVEATS", "ReportContent", "ReportSpec", "build_content", "render_html", "MARKER"]

#: Caveats that apply to every report comparing 2011 residents with 2022/23 pupils.
REAL_DATA_CAVEATS = (
    "2011 residents (all ages) and 2022/23 pupils are eleven years apart: the residential side describes the "
    "whole population in 2011, the school side the children in school in 2022/23.",
    "Residents are counted at all ages; pupils are children. Groups with younger age structures make up a "
    "larger share of pupils than of residents, which moves isolation more than dissimilarity.",
    "Indices depend on the units they are computed over (the modifiable areal unit problem): output areas "
    "give higher values than LSOAs, and schools are units of a different kind and size from neighbourhoods.",
    "Dissimilarity offsets areas of concentration against areas of mixing and can stay flat while a growing "
    "group becomes more concentrated; read it together with isolation and the correlation ratio.",
    "Small groups in small units give upward-biased indices even under random allocation.",
)


def _write_files(folder: Path, content: ReportContent) -> None:
    """The CSVs, the map layer, provenance.json, index.html and the marker, into ``folder``."""
    from .. import __version__

    spec = content.spec
    for name, frame in content.csvs.items():
        frame.to_csv(folder / name, index=False)
    layer_name = "synthetic_units" if spec.synthetic else "units"
    try:
        # the provenance travels with the layer: QGIS shows it under the layer's metadata
        content.layer.to_file(
            folder / "units.gpkg",
            layer=layer_name,
            driver="GPKG",
            layer_metadata={"segindex_provenance": json.dumps(content.provenance)},
            dataset_metadata={"segindex_version": __version__},
        )
    except Exception as exc:  # noqa: BLE001 - an optional extra: say why it is missing, keep the report
        spec.say(f"units.gpkg not written: {exc}")
        content.gpkg_name = None
    (folder / "provenance.json").write_text(json.dumps(content.provenance, indent=2) + "\n", encoding="utf-8")
    spec.say("writing index.html")
    (folder / "index.html").write_text(render_html(content), encoding="utf-8")
    write_marker(folder, __version__)


@renamed_parameters(reference="other", n_bootstrap="n_draws")
def write_report(
    out_dir: str | os.PathLike,
    *,
    units: gpd.GeoDataFrame,
    groups: Sequence[Hashable],
    area_name: str,
    total: Hashable | None = None,
    schools: gpd.GeoDataFrame | None = None,
    school_total: Hashable | None = None,
    other: Hashable | None = None,
    description: str | None = None,
    sources: Sequence[str] = (),
    caveats: Sequence[str] = (),
    synthetic: bool = False,
    figure_source: str | None = None,
    map_groups: Sequence[Hashable] | None = None,
    n_draws: int | None = 199,
    random_state: int | None = 0,
    progress: Callable[[str], object] | None = None,
    year: str | None = None,
    vintages: Sequence[str] = (),
    inputs: Sequence[str | os.PathLike] | None = None,
    command: Sequence[str] | None = None,
    suppress_below: int | None = None,
    round_to: int | None = None,
    min_count: int = 100,
) -> Path:
    """Write the segregation report of one area as an HTML folder.

    The folder holds ``index.html`` and, beside it, every figure (PNG, each
    thumbnail a link to it at full size) and table (CSV, unrounded indices) it
    shows, ``units.gpkg`` (the residential units with their shares and location
    quotients, for QGIS), ``provenance.json`` (segindex version, parameters,
    ``random_state``, input files with their SHA-256, data vintages) and the
    marker file ``.segindex-report.json``. Links are relative and nothing is
    fetched from the network, so the folder can be moved, zipped or published
    as it is.

    **The folder is owned.** ``out_dir`` must be new, empty, or hold an earlier
    segindex report (recognised by its marker file); any other folder is
    refused, and so is a folder that is or contains one of ``inputs``. The
    report is built in a temporary folder beside ``out_dir`` and moved into
    place when complete: an earlier report is replaced whole (no stale files),
    and an interrupted run (an error, Ctrl-C) leaves it as it was.

    Contents: what the data are (with a prominent label when ``synthetic``),
    the residential segregation table (:func:`segindex.segregation_table`,
    with each group's count and a flag on groups of fewer than ``min_count``
    people), indices by group, maps of each group's share and location
    quotient, and, with ``schools``, school points over the residential map
    for each group, a comparison of dissimilarity and isolation across schools
    and across residential units (the measured index, the bootstrap
    bias-corrected estimate and the interval centred on it), and the same
    indices under the nearest-school benchmark (residents scaled to the number
    of pupils, placed in order of distance into schools holding their observed
    numbers of pupils: see :func:`segindex.nearest_school_allocation`), as a
    table and a chart; then data sources, caveats and provenance.

    Parameters
    ----------
    out_dir : str or path-like
        The folder to write (created, with its parents, when missing).
    units : geopandas.GeoDataFrame
        Residential units (polygons) with one count column per group.
    groups : list of column names
        The groups, named identically in ``units`` and ``schools``.
    area_name : str
        Name of the area, e.g. ``"Bradford"``; it is in every title.
    total : column name, optional
        Unit totals of ``units``; without it the groups are the whole population.
    schools : geopandas.GeoDataFrame, optional
        School points with one pupil count column per group, in the CRS of ``units``.
    school_total : column name, optional
        Pupil totals of ``schools`` (e.g. ``"roll"``); without it the groups
        are all the pupils. Also sets the size of the school points.
    other : column name, optional
        A comparison group for the group-against-group rows of the table
        (e.g. ``"white_british"``); must be one of ``groups``. (Its earlier
        name ``reference`` raises a TypeError naming ``other``.)
    description : str, optional
        A paragraph saying what the data are.
    sources : sequence of str
        Data sources and attribution lines, listed in the report.
    caveats : sequence of str
        Caveats listed in the report (see :data:`REAL_DATA_CAVEATS`).
    synthetic : bool, default False
        Label the report, prominently, as made from synthetic data; every CSV
        then has a ``synthetic`` column and the GeoPackage layer is named
        ``synthetic_units`` (with a ``synthetic`` column).
    figure_source : str, optional
        The source line written under every figure; the sources joined (or,
        for synthetic data, a synthetic-data note) when omitted.
    map_groups : list of column names, optional
        The groups to map (all of ``groups`` when omitted).
    n_draws : int or None, default 199
        Bootstrap draws for the intervals of the school and neighbourhood
        indices and of their gap (Allen et al. 2015; see
        :func:`segindex.compare_schools_neighbourhoods`); 0 or None for none.
        Counts must be whole people, else the report says so and leaves the
        intervals out. (Its earlier name ``n_bootstrap`` raises a TypeError.)
    random_state : int, default 0
        Seed of the bootstrap: the same seed gives the same report.
    progress : callable, optional
        Called with a short message before each stage (e.g. ``print``).
    year : str, optional
        The year (or years) of the data, written in every title, e.g. ``"2011"``.
    vintages : sequence of str
        The data vintages, written in the footer and ``provenance.json``
        (e.g. ``["2011 Census", "School census 2022/23"]``).
    inputs : sequence of paths, optional
        The files the data were read from: their names and SHA-256 go in the
        provenance, and ``out_dir`` may not be or contain any of them.
    command : sequence of str, optional
        The command line that made the report, recorded in the provenance
        instead of the call (the ``segindex`` command passes it).
    suppress_below : int, optional
        Publish counts from 1 to ``suppress_below - 1`` as "<N" (and leave
        their shares out of the maps) in every table, CSV and map.
    round_to : int, optional
        Publish counts rounded to the nearest ``round_to`` (shares from the
        rounded counts). Indices are always computed on the exact counts, and
        the page says which of the two was applied.
    min_count : int, default 100
        Groups with fewer people (residents or pupils) are flagged ``small_group``.

    Returns
    -------
    pathlib.Path
        The path of ``index.html``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from segindex.datasets import example_town
    >>> from segindex.report import write_report
    >>> town = example_town(0, n_units=60, n_schools=10)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     page = write_report(pathlib.Path(tmp) / "report", units=town.units, groups=town.groups,
    ...                         total="total", area_name="Example town", synthetic=True, map_groups=["pakistani"])
    ...     print(page.name, "SYNTHETIC" in page.read_text(encoding="utf-8"))
    index.html True
    """
    groups = check_frames(units, schools, groups, total, school_total)
    other = check_other(other, groups)
    draws = check_draws(n_draws)
    check_text(area_name, year, min_count)
    sources, caveats = [str(s) for s in sources], [str(c) for c in caveats]
    if figure_source is None:
        from ..plot._base import SYNTHETIC_NOTE

        figure_source = SYNTHETIC_NOTE if synthetic else " ".join(sources)
    spec = ReportSpec(
        units=units,
        groups=groups,
        area_name=area_name,
        total=total,
        schools=schools,
        school_total=school_total,
        other=other,
        description=description,
        sources=sources,
        caveats=caveats,
        synthetic=bool(synthetic),
        figure_source=figure_source,
        map_groups=check_map_groups(map_groups, groups),
        n_draws=draws,
        random_state=random_state,
        year=None if year is None else str(year),
        disclosure=Disclosure.checked(suppress_below, round_to),
        min_count=int(min_count),
        say=progress if progress is not None else (lambda message: None),
    )
    out = check_target(out_dir, inputs)
    record = provenance(
        call="segindex.write_report" if command is None else " ".join(str(c) for c in command),
        random_state=random_state,
        inputs=[] if inputs is None else list(inputs),
        vintages=vintages,
        parameters={
            "area_name": area_name,
            "groups": groups,
            "total": total,
            "school_total": school_total,
            "other": other,
            "n_draws": draws,
            "map_groups": spec.map_groups,
            "year": spec.year,
            "synthetic": spec.synthetic,
            "suppress_below": suppress_below,
            "round_to": round_to,
            "min_count": spec.min_count,
            "n_units": len(units),
            "n_schools": None if schools is None else len(schools),
        },
    )
    with staged_folder(out) as folder:
        content = build_content(folder, spec)
        content.provenance = record
        _write_files(folder, content)
    return out / "index.html"
