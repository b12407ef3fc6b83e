"""A short HTML report: the segregation table, maps and charts, sources and caveats.

:func:`write_report` writes a self-contained folder (``index.html`` with PNG
figures and CSV tables beside it, linked by relative paths, no network
resources) that can be zipped, e-mailed or put on a web server as it is.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import SegindexTypeError, SegindexValueError

__all__ = ["write_report", "REAL_DATA_CAVEATS"]

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

_INDEX_ORDER = ("dissimilarity", "isolation", "correlation_ratio", "exposure", "gini", "atkinson")
_MULTI_ORDER = ("entropy_index", "mutual_information", "multigroup_dissimilarity")

_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 1100px;
       margin: 2em auto; padding: 0 1.2em; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
.synthetic { background: #fff3cd; border: 2px solid #e0a800; padding: 0.8em 1em; font-weight: bold;
             margin: 1em 0; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.8em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f4f4f4; } td:first-child, th:first-child { text-align: left; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 1em; }
figure { margin: 0; } figure img { width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.85em; color: #555; }
.wide img { max-width: 760px; width: 100%; }
.note { color: #555; font-size: 0.9em; }
footer { margin-top: 3em; font-size: 0.8em; color: #777; }
"""


def _slug(name, used: set) -> str:
    base = re.sub(r"[^A-Za-z0-9]+", "_", str(name)).strip("_").lower() or "group"
    slug, i = base, 2
    while slug in used:
        slug, i = f"{base}_{i}", i + 1
    used.add(slug)
    return slug


def _shares(frame, groups, total) -> pd.DataFrame:
    counts = frame[list(groups)].astype("float64")
    denom = frame[total].astype("float64") if total is not None else counts.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = counts.div(denom.where(denom > 0), axis=0)
    return out


def _check_inputs(units, schools, groups, total, school_total, reference, area_name):
    import geopandas as gpd

    caller = "write_report"
    if not isinstance(units, gpd.GeoDataFrame):
        raise SegindexTypeError(
            f"{caller}(): 'units' must be a GeoDataFrame of residential units (polygons with one count "
            f"column per group), got {type(units).__name__}."
        )
    if schools is not None and not isinstance(schools, gpd.GeoDataFrame):
        raise SegindexTypeError(
            f"{caller}(): 'schools' must be a GeoDataFrame of school points, got {type(schools).__name__}."
        )
    if isinstance(groups, str) or not hasattr(groups, "__iter__"):
        raise SegindexTypeError(f"{caller}(): 'groups' must be a list of column names, got {groups!r}.")
    groups = list(groups)
    if not groups:
        raise SegindexValueError(f"{caller}(): 'groups' is empty; name the group columns to report.")
    for frame, name, tot in ((units, "units", total), (schools, "schools", school_total)):
        if frame is None:
            continue
        for col in groups + ([tot] if tot is not None else []):
            if col not in frame.columns:
                raise SegindexValueError(
                    f"{caller}(): the column {col!r} is not in '{name}'; its columns are "
                    f"{', '.join(repr(c) for c in frame.columns if c != frame.geometry.name)}."
                )
    if reference is not None and reference not in groups:
        raise SegindexValueError(
            f"{caller}(): the reference group {reference!r} is not one of the groups {groups!r}."
        )
    if not isinstance(area_name, str) or not area_name.strip():
        raise SegindexValueError(f"{caller}(): 'area_name' must be a non-empty string, got {area_name!r}.")
    if schools is not None and units.crs is not None and schools.crs is not None and units.crs != schools.crs:
        raise SegindexValueError(
            f"{caller}(): 'units' and 'schools' are in different CRSs ({units.crs.to_string()} and "
            f"{schools.crs.to_string()}); reproject one, e.g. schools.to_crs(units.crs)."
        )
    return groups


def _school_comparison(res, res_t, pup, pup_t, groups, n_bootstrap, random_state):
    """D and isolation across schools and across neighbourhoods, with bootstrap intervals when asked.

    One row per (group, index): ``neighbourhoods``, ``schools``,
    ``difference`` (schools - neighbourhoods) and, with ``n_bootstrap``,
    ``<side>_ci_low/high`` and ``difference_p_value``, from
    :func:`segindex.compare_schools_neighbourhoods`. Returns the rows and
    notes for the page (an absent group, counts that cannot be bootstrapped).
    """
    import warnings

    from .errors import AbsentGroupWarning
    from .schools import compare_schools_neighbourhoods

    notes = []

    def compare(draws):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", AbsentGroupWarning)
            table = compare_schools_neighbourhoods(
                res, pup, groups, total=res_t, school_total=pup_t, n_draws=draws, random_state=random_state)
        notes.extend(str(w.message) for w in caught if issubclass(w.category, AbsentGroupWarning))
        return table

    draws = n_bootstrap or None
    try:
        table = compare(draws)
    except SegindexValueError as exc:
        if draws is None or "whole number" not in str(exc):
            raise
        notes.append(f"No intervals: {exc}")
        draws = None
        table = compare(None)
    rows = []
    for _, row in table.iterrows():
        for index_name in ("dissimilarity", "isolation"):
            out = {
                "group": row["group"],
                "index": index_name,
                "neighbourhoods": row[f"{index_name}_residential"],
                "schools": row[f"{index_name}_school"],
                "difference": row[f"{index_name}_difference"],
            }
            if draws:
                for side, column in (("neighbourhoods", "residential"), ("schools", "school"),
                                     ("difference", "difference")):
                    out[f"{side}_ci_low"] = row[f"{index_name}_{column}_ci_low"]
                    out[f"{side}_ci_high"] = row[f"{index_name}_{column}_ci_high"]
                out["difference_p_value"] = row[f"{index_name}_difference_p_value"]
            rows.append(out)
    return pd.DataFrame(rows), notes


def _nearest_school_indices(res, res_t, pup, pup_t, groups):
    """D and isolation of each group across the nearest-school allocation, and notes for the page.

    Every resident (the groups and the rest of the population) is scaled by
    pupils / residents and placed with :func:`segindex.nearest_school_allocation`,
    schools holding their observed number of pupils. Returns ``(None, notes)``
    when the units are not in a projected CRS (distances would be meaningless).
    """
    import warnings

    from .counts import REST
    from .errors import DataQualityWarning
    from .indices.twogroup import dissimilarity, isolation
    from .schools import nearest_school_allocation

    if res.crs is None or not res.crs.is_projected:
        return None, ["The nearest-school benchmark is left out: the units are not in a projected CRS "
                      "(reproject to one in metres, e.g. British National Grid, EPSG:27700)."]
    residents = res[[res.geometry.name]].copy()
    for g in groups:
        residents[g] = res[g].to_numpy(dtype=float)
    rest = res[res_t].to_numpy(dtype=float) - res[groups].to_numpy(dtype=float).sum(axis=1)
    columns = list(groups)
    if (rest > 0).any():
        residents[REST] = np.clip(rest, 0.0, None)
        columns.append(REST)
    schools = pup[[pup.geometry.name]].copy()
    schools["places"] = pup[pup_t].to_numpy(dtype=float)
    people = float(residents[columns].to_numpy().sum())
    places = float(schools["places"].sum())
    if people <= 0 or places <= 0:
        return None, ["The nearest-school benchmark is left out: no residents or no pupils."]
    notes = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataQualityWarning)
        alloc = nearest_school_allocation(residents, schools, columns, capacity="places",
                                          share=min(1.0, places / people))
    notes += [f"Nearest-school benchmark: {w.message}" for w in caught if issubclass(w.category, DataQualityWarning)]
    alloc["_total"] = alloc[columns].sum(axis=1)
    rows = []
    for g in groups:
        for index_name, fn in (("dissimilarity", dissimilarity), ("isolation", isolation)):
            try:
                value = fn(alloc, g, total="_total")
            except SegindexValueError:  # a group absent from the allocation: NaN, shown as n/a
                value = np.nan
            rows.append({"group": g, "index": index_name, "nearest school": value})
    return pd.DataFrame(rows), notes


def _gap_text(value, low, high) -> str:
    """``+0.077 [+0.051, +0.102]`` (n/a when undefined)."""
    if pd.isna(value):
        return "n/a"
    return f"{value:+.3f} [{low:+.3f}, {high:+.3f}]"


def _table_html(frame: pd.DataFrame, digits: int = 3) -> str:
    shown = frame.copy()
    for col in shown.columns:
        if pd.api.types.is_float_dtype(shown[col]):
            shown[col] = shown[col].map(lambda v: "n/a" if pd.isna(v) else f"{v:.{digits}f}")
    shown.columns.name = None
    return shown.to_html(escape=True, border=0, na_rep="n/a", index=False)


def _new_ax(figsize=(7.0, 6.0)):
    """Axes on a figure outside pyplot: nothing is shown, nothing needs closing, no backend changes."""
    from matplotlib.figure import Figure

    return Figure(figsize=figsize).subplots()


def _save(ax, path: Path) -> None:
    ax.figure.savefig(path, dpi=110, bbox_inches="tight")


def write_report(
    out_dir,
    *,
    units,
    groups,
    area_name,
    total=None,
    schools=None,
    school_total=None,
    reference=None,
    description=None,
    sources=(),
    caveats=(),
    synthetic=False,
    figure_source=None,
    map_groups=None,
    n_bootstrap=199,
    random_state=0,
    progress=None,
):
    """Write the segregation report of one area as an HTML folder.

    The folder holds ``index.html`` and, beside it, every figure (PNG) and
    table (CSV, unrounded) it shows, plus ``units.gpkg`` (the residential
    units with their shares and location quotients, for QGIS). Links are
    relative and nothing is fetched from the network, so the folder can be
    moved, zipped or published as it is. Existing files of the same names are
    overwritten; nothing else in the folder is touched.

    Contents: what the data are (with a prominent label when ``synthetic``),
    the residential segregation table (:func:`segindex.segregation_table`),
    indices by group, maps of each group's share and location quotient, and,
    with ``schools``, school points over the residential map for each group,
    a comparison of dissimilarity and isolation across schools and across
    residential units, and the same indices under the nearest-school
    benchmark (residents scaled to the number of pupils, placed in order of
    distance into schools holding their observed numbers of pupils: see
    :func:`segindex.nearest_school_allocation`); then data sources and caveats.

    Parameters
    ----------
    out_dir : str or path-like
        The folder to write (created, with its parents, when missing).
    units : geopandas.GeoDataFrame
        Residential units (polygons) with one count column per group.
    groups : list of column names
        The groups, named identically in ``units`` and ``schools``.
    area_name : str
        Name of the area, e.g. ``"Bradford"``.
    total : column name, optional
        Unit totals of ``units``; without it the groups are the whole population.
    schools : geopandas.GeoDataFrame, optional
        School points with one pupil count column per group, in the CRS of ``units``.
    school_total : column name, optional
        Pupil totals of ``schools`` (e.g. ``"roll"``); without it the groups
        are all the pupils. Also sets the size of the school points.
    reference : column name, optional
        A comparison group for the group-against-group rows of the table
        (e.g. ``"WhiteBrit"``); must be one of ``groups``.
    description : str, optional
        A paragraph saying what the data are.
    sources : sequence of str
        Data sources and attribution lines, listed in the report.
    caveats : sequence of str
        Caveats listed in the report (see :data:`REAL_DATA_CAVEATS`).
    synthetic : bool, default False
        Label the report, prominently, as made from synthetic data.
    figure_source : str, optional
        The source line written under every figure; the sources joined (or,
        for synthetic data, a synthetic-data note) when omitted.
    map_groups : list of column names, optional
        The groups to map (all of ``groups`` when omitted).
    n_bootstrap : int or None, default 199
        Bootstrap draws for the intervals of the school and neighbourhood
        indices and of their gap (Allen et al. 2015; see
        :func:`segindex.compare_schools_neighbourhoods`); None or 0 for none.
        Counts must be whole people, else the report says so and leaves the
        intervals out.
    random_state : int, default 0
        Seed of the bootstrap: the same seed gives the same report.
    progress : callable, optional
        Called with a short message before each stage (e.g. ``print``).

    Returns
    -------
    pathlib.Path
        The path of ``index.html``.

    Examples
    --------
    >>> import tempfile
    >>> from segindex.datasets import example_town
    >>> from segindex.report import write_report
    >>> town = example_town(0, n_units=60, n_schools=10)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     page = write_report(tmp, units=town.units, groups=town.groups, total="total",
    ...                         area_name="Example town", synthetic=True, map_groups=["pakistani"])
    ...     print(page.name, "SYNTHETIC" in page.read_text(encoding="utf-8"))
    index.html True
    """
    from .indices.table import ALL_GROUPS, segregation_table
    from .plot import _base
    from .plot.charts import indices_by_group, schools_vs_neighbourhoods
    from .plot.maps import LQ_BINS, LQ_COLORS, choropleth, school_points

    groups = _check_inputs(units, schools, groups, total, school_total, reference, area_name)
    if n_bootstrap is not None and (isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, (int, np.integer))
                                    or n_bootstrap < 0):
        raise SegindexTypeError(
            f"write_report(): 'n_bootstrap' must be None or a whole number of draws >= 0 (e.g. 199), "
            f"got {n_bootstrap!r}."
        )
    map_groups = groups if map_groups is None else list(map_groups)
    unknown = [g for g in map_groups if g not in groups]
    if unknown:
        raise SegindexValueError(f"write_report(): map_groups {unknown!r} are not among the groups {groups!r}.")
    say = progress if progress is not None else (lambda message: None)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise SegindexValueError(f"write_report(): {str(out)!r} exists and is not a folder; choose another --out.")
    out.mkdir(parents=True, exist_ok=True)
    sources = [str(s) for s in sources]
    caveats = [str(c) for c in caveats]
    if figure_source is None:
        figure_source = _base.SYNTHETIC_NOTE if synthetic else " ".join(sources)
    name = html.escape(area_name)
    slugs: dict = {}
    used: set = set()
    for g in groups:
        slugs[g] = _slug(g, used)

    # ---- residential table
    say("computing residential segregation indices")
    table = segregation_table(units, groups, other=reference, total=total)
    table.to_csv(out / "residential_indices.csv", index=False)
    two = table[table["group"] != ALL_GROUPS]
    display = two.pivot_table(index=["group", "comparison"], columns="index", values="value", sort=False)
    display = display.reindex(columns=[c for c in _INDEX_ORDER if c in display.columns])
    multi = table[table["group"] == ALL_GROUPS].set_index("index")["value"].reindex(list(_MULTI_ORDER))

    # ---- population summary
    res_totals = units[groups].sum()
    res_all = float(units[total].sum()) if total is not None else float(res_totals.sum())
    summary = pd.DataFrame({"residents": res_totals.astype("float64"), "share of residents": res_totals / res_all})
    if schools is not None:
        pup_totals = schools[groups].sum()
        pup_all = float(schools[school_total].sum()) if school_total is not None else float(pup_totals.sum())
        summary["pupils"] = pup_totals.astype("float64")
        summary["share of pupils"] = pup_totals / pup_all
    summary.index.name = "group"
    summary.to_csv(out / "population.csv")
    summary_html = summary.copy()
    for col in summary_html.columns:
        if col.startswith("share"):
            summary_html[col] = summary_html[col].map(lambda v: f"{v:.1%}")
        else:
            summary_html[col] = summary_html[col].map(lambda v: f"{v:,.0f}")

    # ---- bars
    say("drawing indices by group")
    ax = indices_by_group(table, ax=_new_ax((7.0, 1.0 + 0.9 * len(groups))),
                          title=f"Residential segregation by group, {area_name}", source=figure_source)
    _save(ax, out / "indices_by_group.png")

    # ---- maps
    from .indices.local import location_quotients

    shares = _shares(units, groups, total)
    lq = location_quotients(units, groups, total=total)
    layer = units[[units.geometry.name]].copy()
    for g in groups:
        layer[f"share_{slugs[g]}"] = shares[g]
        layer[f"lq_{slugs[g]}"] = lq[g]
    maps = []
    for g in map_groups:
        say(f"drawing maps for {g}")
        s = slugs[g]
        ax = choropleth(layer, f"share_{s}", ax=_new_ax(), scheme="natural_breaks", fmt="percent",
                        legend_title=f"{g}: share of residents", title=f"{g}: share of residents",
                        source=figure_source)
        _save(ax, out / f"map_share_{s}.png")
        ax = choropleth(layer, f"lq_{s}", ax=_new_ax(), scheme="user_defined", bins=LQ_BINS, colors=LQ_COLORS,
                        fmt="{:.2f}", legend_title=f"{g}: location quotient",
                        title=f"{g}: location quotient (1 = the area's share)", source=figure_source)
        _save(ax, out / f"map_lq_{s}.png")
        maps.append(g)
    try:
        layer.to_file(out / "units.gpkg", layer="units", driver="GPKG")
        has_gpkg = True
    except Exception as exc:  # noqa: BLE001 - an optional extra: say why it is missing, keep the report
        say(f"units.gpkg not written: {exc}")
        has_gpkg = False

    # ---- schools
    school_rows = None
    if schools is not None:
        say("comparing schools with neighbourhoods")
        school_shares = _shares(schools, groups, school_total)
        res = units if total is not None else units.assign(_total=units[groups].sum(axis=1))
        res_t = total if total is not None else "_total"
        pup = schools if school_total is not None else schools.assign(_total=schools[groups].sum(axis=1))
        pup_t = school_total if school_total is not None else "_total"
        school_rows, interval_notes = _school_comparison(res, res_t, pup, pup_t, groups, n_bootstrap, random_state)
        say("allocating residents to their nearest schools")
        nearest, nearest_notes = _nearest_school_indices(res, res_t, pup, pup_t, groups)
        if nearest is not None:
            school_rows = school_rows.merge(nearest, on=["group", "index"], how="left")
            school_rows["schools minus nearest school"] = school_rows["schools"] - school_rows["nearest school"]
        school_rows.to_csv(out / "schools_vs_neighbourhoods.csv", index=False)
        for index_name in ("dissimilarity", "isolation"):
            bars = {}
            if "schools_ci_low" in school_rows.columns:  # the 95 % bootstrap intervals as error bars
                bars = {"xerr": ("neighbourhoods_ci_low", "neighbourhoods_ci_high"),
                        "yerr": ("schools_ci_low", "schools_ci_high")}
            ax = schools_vs_neighbourhoods(
                school_rows[school_rows["index"] == index_name], ax=_new_ax((5.5, 5.5)), index_name=index_name,
                title=f"Schools and neighbourhoods, {area_name}", source=figure_source, **bars)
            _save(ax, out / f"schools_vs_neighbourhoods_{index_name}.png")
        points = schools[[schools.geometry.name]].copy()
        points["pupils"] = schools[school_total] if school_total is not None else schools[groups].sum(axis=1)
        for g in map_groups:
            say(f"drawing schools for {g}")
            s = slugs[g]
            ax = school_points(
                points.assign(share=school_shares[g]), layer.assign(share=shares[g]), share_column="share",
                size_column="pupils", ax=_new_ax((7.5, 6.0)), label=f"{g}: share",
                title=f"{g}: schools over residents", source=figure_source)
            _save(ax, out / f"schools_{s}.png")

    # ---- page
    say("writing index.html")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Segregation report: {name}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Segregation report: {name}</h1>",
    ]
    if synthetic:
        parts.append(
            '<div class="synthetic">SYNTHETIC DATA — this report is made from a fictional example town. '
            "No number in it describes a real place.</div>"
        )
    parts.append("<h2>The data</h2>")
    if description:
        parts.append(f"<p>{html.escape(description)}</p>")
    n_schools = "" if schools is None else f", {len(schools):,} schools"
    parts.append(
        f"<p>{len(units):,} residential units{n_schools}; groups: "
        f"{', '.join(html.escape(str(g)) for g in groups)}.</p>"
    )
    parts.append(_table_html(summary_html.reset_index()))
    parts.append('<p class="note">Table as CSV: <a href="population.csv">population.csv</a>.</p>')

    parts.append("<h2>Residential segregation</h2>")
    comp_text = "each group against the rest of the population"
    if reference is not None:
        comp_text += f", and against {html.escape(str(reference))}"
    parts.append(
        f"<p>Indices across the {len(units):,} residential units, {comp_text}. Values are rounded here for "
        'display; the CSV holds them unrounded: <a href="residential_indices.csv">residential_indices.csv</a>.</p>'
    )
    parts.append(_table_html(display.reset_index()))
    parts.append(
        "<p>All groups together"
        + (" (the listed groups, with the rest of the population as one more group)" if total is not None else "")
        + ": "
        + "; ".join(
            f"{html.escape(label)} {('n/a' if pd.isna(multi[k]) else f'{multi[k]:.3f}')}"
            for k, label in zip(_MULTI_ORDER, ("Theil's H", "mutual information M", "multigroup D"), strict=True)
        )
        + ".</p>"
    )
    parts.append('<figure class="wide"><img src="indices_by_group.png" alt="Indices by group">'
                 "<figcaption>Dissimilarity, isolation and the correlation ratio by group.</figcaption></figure>")

    parts.append("<h2>Maps</h2>")
    parts.append(
        "<p>Each group's share of residents (classes by natural breaks, Jenks), and its location quotient: "
        "the unit's share over the area's "
        "(above 1: over-represented; below 1: under-represented)."
        + (" Hatched units have no residents." if bool((shares.isna().any(axis=1)).any()) else "")
        + (' The shares and quotients are also in <a href="units.gpkg">units.gpkg</a> (GeoPackage, for QGIS).'
           if has_gpkg else "")
        + "</p>"
    )
    parts.append('<div class="grid">')
    for g in maps:
        s, label = slugs[g], html.escape(str(g))
        parts.append(f'<figure><img src="map_share_{s}.png" alt="{label}: share of residents">'
                     f"<figcaption>{label}: share of residents</figcaption></figure>")
        parts.append(f'<figure><img src="map_lq_{s}.png" alt="{label}: location quotient">'
                     f"<figcaption>{label}: location quotient</figcaption></figure>")
    parts.append("</div>")

    if school_rows is not None:
        parts.append("<h2>Schools and neighbourhoods</h2>")
        parts.append(
            "<p>The same indices computed across schools (pupils) and across residential units (residents). "
            "A group above the diagonal is more segregated at school than where it lives. This is a simple "
            "comparison: it does not separate the effect of school catchments from school choice.</p>"
        )
        shown = school_rows.pivot_table(index="group", columns="index", values=["neighbourhoods", "schools"],
                                        sort=False)
        shown.columns = [f"{idx}: {side}" for side, idx in shown.columns]
        order = [f"{i}: {s}" for i in ("dissimilarity", "isolation") for s in ("neighbourhoods", "schools")]
        shown = shown[order]
        if "difference_ci_low" in school_rows.columns:
            for index_name in ("dissimilarity", "isolation"):
                part = school_rows[school_rows["index"] == index_name].set_index("group")
                shown[f"{index_name}: gap [95 % interval]"] = [
                    _gap_text(*part.loc[g, ["difference", "difference_ci_low", "difference_ci_high"]])
                    for g in shown.index
                ]
            parts.append(
                f"<p>The gap is schools minus neighbourhoods, with its 95 % bootstrap interval "
                f"({int(n_bootstrap)} draws, each school's and each unit's counts redrawn from its own "
                "composition): a gap whose interval excludes 0 is more than the noise of small schools and "
                "units. In the figures the lines are the intervals of each side; they are bias-corrected, so "
                "where small schools or a small group inflate an index its interval lies below it.</p>"
            )
        parts.append(_table_html(shown.reset_index()))
        for note in interval_notes:
            parts.append(f'<p class="note">{html.escape(note)}</p>')
        parts.append("<h3>Against the nearest school</h3>")
        if nearest is not None:
            parts.append(
                "<p>A benchmark with no choice of school: the residents of each unit, scaled to the number of "
                "pupils, are placed in schools in order of distance until each school holds its observed "
                "number of pupils (<code>segindex.nearest_school_allocation</code> with "
                "<code>capacity</code>; distances from a point inside each unit). The index across these "
                "counterfactual intakes is what school segregation would be if pupils went to the nearest "
                "school with room; the observed index above it measures choice, admissions and the age "
                "structure together.</p>"
            )
            near = school_rows.pivot_table(index="group", columns="index",
                                           values=["nearest school", "schools"], sort=False)
            near.columns = [f"{idx}: {side}" for side, idx in near.columns]
            near_order = [f"{i}: {s}" for i in ("dissimilarity", "isolation") for s in ("nearest school", "schools")]
            parts.append(_table_html(near[near_order].reset_index()))
        for note in nearest_notes:
            parts.append(f'<p class="note">{html.escape(note)}</p>')
        parts.append('<p class="note">As CSV: <a href="schools_vs_neighbourhoods.csv">'
                     "schools_vs_neighbourhoods.csv</a>.</p>")
        parts.append('<div class="grid">')
        for index_name in ("dissimilarity", "isolation"):
            parts.append(f'<figure><img src="schools_vs_neighbourhoods_{index_name}.png" '
                         f'alt="{index_name}: schools against neighbourhoods">'
                         f"<figcaption>{index_name.capitalize()}: schools against neighbourhoods"
                         "</figcaption></figure>")
        parts.append("</div>")
        parts.append("<p>Schools (dots sized by pupils) coloured by each group's share of pupils, over the "
                     "residential units coloured by the group's share of residents on the same scale.</p>")
        parts.append('<div class="grid">')
        for g in maps:
            s, label = slugs[g], html.escape(str(g))
            parts.append(f'<figure><img src="schools_{s}.png" alt="{label}: schools over residents">'
                         f"<figcaption>{label}: schools over residents</figcaption></figure>")
        parts.append("</div>")

    parts.append("<h2>Data sources</h2>")
    if sources:
        parts.append("<ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in sources) + "</ul>")
    else:
        parts.append("<p>No sources were given.</p>")
    parts.append("<h2>Caveats</h2>")
    if caveats:
        parts.append("<ul>" + "".join(f"<li>{html.escape(c)}</li>" for c in caveats) + "</ul>")
    else:
        parts.append("<p>None were given.</p>")
    from . import __version__

    parts.append(f"<footer>Made with segindex {html.escape(__version__)}. Methods and formulas: see the "
                 "segindex documentation.</footer>")
    parts.append("</body></html>")
    page = out / "index.html"
    page.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return page
