"""Building the report's content: tables to show, CSVs and the map layer to write, figures with alt texts.

:func:`build_content` computes everything from a checked :class:`ReportSpec`
(on the exact counts), draws the figures into a folder and returns a
:class:`ReportContent`; :mod:`segindex.report.render` turns it into HTML and
:mod:`segindex.report.folder` owns the folder it goes in.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .figures import Figure, draw, new_ax, plot_function
from .labels import group_label, index_label, index_names
from .provenance import provenance
from .publish import Disclosure
from .tables import (
    SCHOOL_INDICES,
    SIDES,
    nearest_school_indices,
    population_table,
    residential_table,
    school_comparison,
)

__all__ = ["Cell", "Table", "ReportSpec", "ReportContent", "build_content"]

#: Level of the bootstrap intervals the report shows.
CI_LEVEL = 0.95


@dataclass(frozen=True)
class Cell:
    """One table cell: its text and whether it holds a number (numbers do not wrap)."""

    text: str
    numeric: bool = False


@dataclass
class Table:
    """A table to show: column names, rows of cells, and optional column groups ``[(label, span)]``."""

    columns: list[str]
    rows: list[list[Cell]]
    groups: list[tuple[str, int]] | None = None
    caption: str = ""


@dataclass
class ReportSpec:
    """The checked inputs of one report (see :func:`segindex.write_report` for their meaning)."""

    units: object
    groups: list
    area_name: str
    total: str | None = None
    schools: object = None
    school_total: str | None = None
    other: str | None = None
    description: str | None = None
    sources: list = field(default_factory=list)
    caveats: list = field(default_factory=list)
    synthetic: bool = False
    figure_source: str | None = None
    map_groups: list | None = None
    n_draws: int = 0
    random_state: object = 0
    year: str | None = None
    disclosure: Disclosure = field(default_factory=Disclosure)
    min_count: int = 100
    say: Callable = field(default=lambda message: None)

    @property
    def other_label(self) -> str:
        return group_label(self.other) if self.other is not None else ""

    @property
    def place(self) -> str:
        """``"Bradford, 2011"``: the area and, when given, the year."""
        return f"{self.area_name}, {self.year}" if self.year else self.area_name


@dataclass
class ReportContent:
    """Everything the page shows and the folder holds, computed and drawn, not yet written as HTML."""

    title: str
    spec: ReportSpec
    facts: str
    population: Table
    residential: Table
    multigroup: list[tuple[str, str]]
    figures: dict[str, list[Figure]]
    csvs: dict[str, pd.DataFrame]
    layer: object
    schools: list[tuple[str, Table]] | None = None
    notes: dict[str, list[str]] = field(default_factory=dict)
    n_draws: int = 0
    has_bias_corrected: bool = False
    provenance: dict = field(default_factory=dict)
    gpkg_name: str | None = "units.gpkg"
    missing_units: bool = False


# ---------------------------------------------------------------------------- formatting


def number(value, digits: int = 3) -> Cell:
    return Cell("n/a" if pd.isna(value) else f"{value:.{digits}f}", True)


def signed(value, digits: int = 3) -> Cell:
    return Cell("n/a" if pd.isna(value) else f"{value:+.{digits}f}".replace("-", "\u2212"), True)


def interval(low, high, sign: bool = False) -> Cell:
    if pd.isna(low) or pd.isna(high):
        return Cell("n/a", True)
    f = (lambda v: f"{v:+.3f}".replace("-", "\u2212")) if sign else (lambda v: f"{v:.3f}")
    return Cell(f"{f(low)} \u2013 {f(high)}", True)


def count(value) -> Cell:
    if isinstance(value, str):
        return Cell(value, True)
    return Cell("n/a" if pd.isna(value) else f"{int(value):,}", True)


def share(value) -> Cell:
    return Cell("n/a" if pd.isna(value) else f"{value:.1%}", True)


def _with_synthetic(frame: pd.DataFrame, synthetic: bool) -> pd.DataFrame:
    """CSVs of synthetic data say so in their first column."""
    return frame.assign(synthetic=True)[["synthetic", *frame.columns]] if synthetic else frame


# ---------------------------------------------------------------------------- population


def _population(spec: ReportSpec):
    exact = population_table(spec.units, spec.schools, spec.groups, total=spec.total, school_total=spec.school_total)
    d = spec.disclosure
    csv = pd.DataFrame({"group": exact["group"]})
    sides = [("residents", "share_of_residents", "residents_total")]
    if spec.schools is not None:
        sides.append(("pupils", "share_of_pupils", "pupils_total"))
    for n, s, t in sides:
        csv[n] = d.counts(exact[n]).to_numpy()
        csv[s] = d.shares(exact[n], exact[t])
    columns = ["Group", "Residents", "Share of residents"] + (["Pupils", "Share of pupils"] if len(sides) > 1 else [])
    rows = []
    for _, row in csv.iterrows():
        cells = [Cell(group_label(row["group"]))]
        for n, s, _t in sides:
            cells += [count(row[n]), share(row[s])]
        rows.append(cells)
    return Table(columns, rows), _with_synthetic(csv, spec.synthetic)


# ---------------------------------------------------------------------------- residential


def _residential(spec: ReportSpec):
    from ..indices.table import ALL_GROUPS

    table = residential_table(spec.units, spec.groups, total=spec.total, other=spec.other, min_count=spec.min_count)
    two = table[table["group"] != ALL_GROUPS]
    present = set(two["index"])
    shown = [i for i in index_names("two-group") if i in present]
    columns = ["Group", "Compared with", "Count", *[index_label(i) for i in shown], "Small group"]
    rows = []
    for (g, comp), part in two.groupby(["group", "comparison"], sort=False):
        values = part.set_index("index")["value"]
        first = part.iloc[0]
        rows.append(
            [
                Cell(group_label(g)),
                Cell(group_label(comp)),
                count(spec.disclosure.count(first["count"])),
                *[number(values.get(i, np.nan)) for i in shown],
                Cell(f"yes (< {spec.min_count})" if bool(first["small_group"]) else ""),
            ]
        )
    multi = table[table["group"] == ALL_GROUPS].set_index("index")["value"]
    multigroup = [(index_label(i), number(multi[i]).text) for i in index_names("multigroup") if i in multi.index]
    csv = table.copy()
    csv["count"] = spec.disclosure.counts(csv["count"]).to_numpy()
    return table, Table(columns, rows), multigroup, _with_synthetic(csv, spec.synthetic)


def _bars(folder, spec: ReportSpec, table) -> Figure:
    from ..plot import charts

    shown = table.assign(group=table["group"].map(group_label))
    ax = plot_function(charts, "indices_by_group")(
        shown,
        ax=new_ax((7.0, 1.0 + 0.9 * len(spec.groups))),
        title=f"Residential segregation by group, {spec.place}",
        source=spec.figure_source,
    )
    return draw(
        folder,
        "indices_by_group.png",
        ax,
        alt=f"Bar chart of dissimilarity, isolation and the correlation ratio of each group's residents "
        f"against the rest of the population in {spec.place}; the values are in the table above.",
        caption="Dissimilarity, isolation and the correlation ratio by group (each against the rest).",
    )


# ---------------------------------------------------------------------------- maps


def _map_layer(spec: ReportSpec, slugs: dict):
    from ..indices.local import location_quotients

    units, d = spec.units, spec.disclosure
    totals = (units[spec.total] if spec.total is not None else units[spec.groups].sum(axis=1)).to_numpy(float)
    layer = units[[units.geometry.name]].copy()
    if spec.synthetic:
        layer.insert(0, "synthetic", True)
    exact_lq = None if d.active else location_quotients(units, spec.groups, total=spec.total)
    area_total = float(np.nansum(d.rounded(totals)))
    for g in spec.groups:
        counts = units[g].to_numpy(float)
        shares = d.shares(counts, totals)
        layer[f"share_{slugs[g]}"] = shares
        if exact_lq is not None:
            layer[f"lq_{slugs[g]}"] = exact_lq[g].to_numpy(float)
        else:
            area_share = float(np.nansum(d.rounded(counts))) / area_total if area_total > 0 else np.nan
            layer[f"lq_{slugs[g]}"] = shares / area_share if area_share > 0 else np.nan
    return layer


def _mappable(spec: ReportSpec, layer, slugs, notes: list) -> list:
    """The groups to map: those with a share to show in some unit (the others are named in a note)."""
    keep = [g for g in spec.map_groups if layer[f"share_{slugs[g]}"].notna().any()]
    left = [group_label(g) for g in spec.map_groups if g not in keep]
    if left:
        notes.append(
            f"Not mapped: {', '.join(left)} (no unit has a count that can be shown"
            + (", after suppression of small counts)." if spec.disclosure.suppress_below else ").")
        )
    return keep


def _map_figures(folder, spec: ReportSpec, layer, slugs, groups) -> list[Figure]:
    from ..plot import maps

    choropleth = plot_function(maps, "choropleth")
    lq_bins, lq_colors = getattr(maps, "LQ_BINS", None), getattr(maps, "LQ_COLORS", None)
    figures = []
    for g in groups:
        spec.say(f"drawing maps for {g}")
        s, label = slugs[g], group_label(g)
        ax = choropleth(
            layer,
            f"share_{s}",
            ax=new_ax(),
            scheme="natural_breaks",
            fmt="percent",
            legend_title=f"{label} share of residents",
            title=f"{label} residents: share of each unit's residents\n{spec.place}",
            source=spec.figure_source,
        )
        figures.append(
            draw(
                folder,
                f"map_share_{s}.png",
                ax,
                alt=f"Map of {spec.place}: the share of {label} residents in each of its "
                f"{len(layer):,} residential units, in classes by natural breaks; darker is higher.",
                caption=f"{label}: share of residents",
            )
        )
        ax = choropleth(
            layer,
            f"lq_{s}",
            ax=new_ax(),
            scheme="user_defined",
            bins=lq_bins,
            colors=lq_colors,
            fmt="{:.2f}",
            legend_title=f"{label} location quotient",
            title=f"{label} residents: location quotient (1 = the area's share)\n{spec.place}",
            source=spec.figure_source,
        )
        figures.append(
            draw(
                folder,
                f"map_lq_{s}.png",
                ax,
                alt=f"Map of {spec.place}: the location quotient of {label} residents in each unit "
                "(the unit's share over the area's); orange and red units hold more than the "
                "area's share, blue units fewer.",
                caption=f"{label}: location quotient",
            )
        )
    return figures


# ---------------------------------------------------------------------------- schools


def _school_frames(spec: ReportSpec):
    units, schools = spec.units, spec.schools
    res = units if spec.total is not None else units.assign(_total=units[spec.groups].sum(axis=1))
    pup = schools if spec.school_total is not None else schools.assign(_total=schools[spec.groups].sum(axis=1))
    return res, spec.total or "_total", pup, spec.school_total or "_total"


def _school_rows(spec: ReportSpec, notes: dict):
    res, res_t, pup, pup_t = _school_frames(spec)
    spec.say("comparing schools with neighbourhoods")
    rows, draws, notes["intervals"] = school_comparison(
        res, res_t, pup, pup_t, spec.groups, spec.n_draws, spec.random_state
    )
    spec.say("allocating residents to their nearest schools")
    nearest, notes["nearest"] = nearest_school_indices(res, res_t, pup, pup_t, spec.groups)
    if nearest is not None:
        rows = rows.merge(nearest, on=["group", "index"], how="left")
        rows["schools_minus_nearest_school"] = rows["schools"] - rows["nearest_school"]
    residents = res[spec.groups].sum()
    pupils = pup[spec.groups].sum()
    rows.insert(2, "residents", rows["group"].map(residents).to_numpy(float))
    rows.insert(3, "pupils", rows["group"].map(pupils).to_numpy(float))
    rows.insert(4, "small_group", (rows["residents"] < spec.min_count) | (rows["pupils"] < spec.min_count))
    return rows, draws


def _school_csv(spec: ReportSpec, rows) -> pd.DataFrame:
    csv = rows.copy()
    for c in ("residents", "pupils"):
        csv[c] = spec.disclosure.counts(csv[c]).to_numpy()
    return _with_synthetic(csv, spec.synthetic)


def _school_table(spec: ReportSpec, rows, index_name: str, draws: int) -> Table:
    part = rows[rows["index"] == index_name]
    bias = draws and "schools_bias_corrected" in rows.columns
    per_side = ["measured"] + (["bias-corrected"] if bias else []) + ([f"{CI_LEVEL:.0%} interval"] if draws else [])
    columns = ["Group", "Residents", "Pupils"]
    groups = [("", 3)]
    for side, label in (
        ("neighbourhoods", "Neighbourhoods"),
        ("schools", "Schools"),
        ("difference", "Gap: schools \u2212 neighbourhoods"),
    ):
        columns += per_side + (["p"] if side == "difference" and draws else [])
        groups.append((label, len(per_side) + (1 if side == "difference" and draws else 0)))
    if "nearest_school" in rows.columns:
        columns += ["nearest school", "schools \u2212 nearest"]
        groups.append(("Nearest-school benchmark", 2))
    columns.append("Small group")
    groups.append(("", 1))
    table_rows = [_school_row(spec, row, draws, bias, "nearest_school" in rows.columns) for _, row in part.iterrows()]
    return Table(columns, table_rows, groups=groups, caption=index_label(index_name))


def _school_row(spec: ReportSpec, row, draws, bias, nearest) -> list[Cell]:
    d = spec.disclosure
    cells = [Cell(group_label(row["group"])), count(d.count(row["residents"])), count(d.count(row["pupils"]))]
    for side in SIDES:
        gap = side == "difference"
        cells.append(signed(row[side]) if gap else number(row[side]))
        if bias:
            cells.append(signed(row[f"{side}_bias_corrected"]) if gap else number(row[f"{side}_bias_corrected"]))
        if draws:
            cells.append(interval(row.get(f"{side}_ci_low"), row.get(f"{side}_ci_high"), sign=gap))
        if gap and draws:
            cells.append(number(row.get("difference_p_value", np.nan)))
    if nearest:
        cells += [number(row["nearest_school"]), signed(row["schools_minus_nearest_school"])]
    cells.append(Cell(f"yes (< {spec.min_count})" if bool(row["small_group"]) else ""))
    return cells


def _scatter_figures(folder, spec: ReportSpec, rows, draws) -> list[Figure]:
    from ..plot import charts

    scatter = plot_function(charts, "schools_vs_neighbourhoods")
    bias = draws and "schools_bias_corrected" in rows.columns
    figures = []
    for index_name in SCHOOL_INDICES:
        part = rows[rows["index"] == index_name].assign(group=lambda t: t["group"].map(group_label))
        kwargs = {}
        if draws and "schools_ci_low" in rows.columns:
            kwargs = {
                "xerr": ("neighbourhoods_ci_low", "neighbourhoods_ci_high"),
                "yerr": ("schools_ci_low", "schools_ci_high"),
            }
        if bias:
            kwargs.update(x="neighbourhoods_bias_corrected", y="schools_bias_corrected")
        ax = scatter(
            part,
            ax=new_ax((5.5, 5.5)),
            index_name=index_name,
            title=f"{index_label(index_name)}: schools and neighbourhoods\n{spec.place}",
            source=spec.figure_source,
            **kwargs,
        )
        what = "bias-corrected estimates with their" if bias else "measured values with"
        figures.append(
            draw(
                folder,
                f"schools_vs_neighbourhoods_{index_name}.png",
                ax,
                alt=f"Scatter chart of {index_label(index_name).lower()} across schools against across neighbourhoods "
                f"for each group in {spec.place}; points above the diagonal are groups more segregated at school.",
                caption=f"{index_label(index_name)}: schools against neighbourhoods"
                + (f" ({what} {CI_LEVEL:.0%} intervals)" if draws else ""),
            )
        )
    return figures


def _benchmark_figures(folder, spec: ReportSpec, rows) -> list[Figure]:
    from ..plot.benchmark import plot_nearest_school_benchmark

    figures = []
    for index_name in SCHOOL_INDICES:
        part = rows[rows["index"] == index_name].assign(group=lambda t: t["group"].map(group_label))
        ax = plot_nearest_school_benchmark(
            part,
            ax=new_ax((6.5, 1.9 + 0.42 * len(part))),
            xlabel=index_label(index_name),
            title=f"{index_label(index_name)}: observed schools against the nearest school\n{spec.place}",
            source=spec.figure_source,
        )
        figures.append(
            draw(
                folder,
                f"nearest_school_{index_name}.png",
                ax,
                alt=f"Chart of {index_label(index_name).lower()} for each group in {spec.place}: across "
                "neighbourhoods (grey square), under the nearest-school benchmark (blue circle) and across "
                "schools as observed (orange diamond); the values are in the table above.",
                caption=f"{index_label(index_name)}: observed schools against the nearest-school benchmark",
            )
        )
    return figures


def _school_map_figures(folder, spec: ReportSpec, layer, slugs, groups) -> list[Figure]:
    from ..plot import maps

    school_points = plot_function(maps, "school_points")
    _, _, pup, pup_t = _school_frames(spec)
    d = spec.disclosure
    points = pup[[pup.geometry.name]].copy()
    points["pupils"] = d.rounded(pup[pup_t].to_numpy(float))
    figures = []
    for g in groups:
        spec.say(f"drawing schools for {g}")
        s, label = slugs[g], group_label(g)
        ax = school_points(
            points.assign(share=d.shares(pup[g].to_numpy(float), pup[pup_t].to_numpy(float))),
            layer.assign(share=layer[f"share_{s}"]),
            share_column="share",
            size_column="pupils",
            ax=new_ax((7.5, 6.0)),
            label=f"{label} share",
            title=f"{label}: schools over residents\n{spec.place}",
            source=spec.figure_source,
        )
        figures.append(
            draw(
                folder,
                f"schools_{s}.png",
                ax,
                alt=f"Map of {spec.place}: schools as dots sized by pupils and coloured by their share of {label} "
                f"pupils, over the residential units coloured by their share of {label} residents on the same "
                "scale.",
                caption=f"{label}: schools over residents",
            )
        )
    return figures


def _schools(folder, spec: ReportSpec, layer, slugs, groups, content: ReportContent) -> None:
    rows, draws = _school_rows(spec, content.notes)
    content.n_draws = draws
    content.has_bias_corrected = bool(draws) and "schools_bias_corrected" in rows.columns
    content.csvs["schools_vs_neighbourhoods.csv"] = _school_csv(spec, rows)
    content.schools = [(i, _school_table(spec, rows, i, draws)) for i in SCHOOL_INDICES]
    content.figures["schools"] = _scatter_figures(folder, spec, rows, draws)
    content.figures["benchmark"] = _benchmark_figures(folder, spec, rows) if "nearest_school" in rows.columns else []
    content.figures["school_maps"] = _school_map_figures(folder, spec, layer, slugs, groups)


# ---------------------------------------------------------------------------- all of it


def slugs_of(groups) -> dict:
    """File-name-safe, unique slugs of the group names."""
    import re

    used: set = set()
    out = {}
    for g in groups:
        base = re.sub(r"[^A-Za-z0-9]+", "_", str(g)).strip("_").lower() or "group"
        slug, i = base, 2
        while slug in used:
            slug, i = f"{base}_{i}", i + 1
        used.add(slug)
        out[g] = slug
    return out


def _facts(spec: ReportSpec) -> str:
    n_schools = "" if spec.schools is None else f", {len(spec.schools):,} schools"
    return (
        f"{len(spec.units):,} residential units{n_schools}; groups: {', '.join(group_label(g) for g in spec.groups)}."
    )


def build_content(folder: str | os.PathLike, spec: ReportSpec) -> ReportContent:
    """Compute every table, draw every figure into ``folder`` and return the report's content.

    The step of :func:`segindex.write_report` that a notebook can call on its
    own (``spec`` is not checked here: :func:`~segindex.write_report` checks
    its arguments first).

    Examples
    --------
    >>> import tempfile
    >>> from segindex.datasets import example_town
    >>> from segindex.report import ReportSpec, build_content, render_html
    >>> town = example_town(0, n_units=40, n_schools=5)
    >>> spec = ReportSpec(units=town.units, groups=["pakistani", "indian"], total="total",
    ...                   area_name="Example town", synthetic=True, map_groups=["indian"])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     content = build_content(tmp, spec)
    ...     page = render_html(content)
    >>> content.residential.columns[:4], "SYNTHETIC DATA" in page
    (['Group', 'Compared with', 'Count', 'Dissimilarity'], True)
    """
    folder = Path(folder)
    spec.say("computing residential segregation indices")
    table, residential, multigroup, residential_csv = _residential(spec)
    population, population_csv = _population(spec)
    slugs = slugs_of(spec.groups)
    spec.say("drawing indices by group")
    figures = {"residential": [_bars(folder, spec, table)]}
    layer = _map_layer(spec, slugs)
    map_notes: list[str] = []
    mapped = _mappable(spec, layer, slugs, map_notes)
    figures["maps"] = _map_figures(folder, spec, layer, slugs, mapped)
    synthetic_label = spec.synthetic and "synthetic" not in spec.area_name.lower()
    title = f"Segregation report: {spec.area_name}" + (" (synthetic data)" if synthetic_label else "")
    content = ReportContent(
        title=title,
        spec=spec,
        facts=_facts(spec),
        population=population,
        residential=residential,
        multigroup=multigroup,
        figures=figures,
        layer=layer,
        csvs={"population.csv": population_csv, "residential_indices.csv": residential_csv},
    )
    content.notes["maps"] = map_notes
    content.provenance = provenance(
        call="segindex.report.build_content",
        random_state=spec.random_state,
        parameters={"area_name": spec.area_name, "groups": list(spec.groups), "n_draws": spec.n_draws},
    )
    content.missing_units = bool(layer.filter(like="share_").isna().any(axis=1).any())
    if spec.schools is not None:
        _schools(folder, spec, layer, slugs, mapped, content)
    return content
