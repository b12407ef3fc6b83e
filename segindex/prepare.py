"""From the files people have to the frames a report uses: boundaries, a census table, the school census.

:func:`prepare_area` is the data-preparation pipeline of ``segindex report``,
as a function a notebook can call: read the boundaries, the census table and
(optionally) the DfE school census, place the schools (with a postcode lookup
when they have no coordinates), map both to one common ethnic classification,
keep the schools inside the area, choose the groups and the comparison group,
and say what was left out. With ward boundaries, the census counts are
added up into the wards (through a lookup, by best fit or by areal split;
see :mod:`segindex.geography`) and the wards are the residential units.
The result, a :class:`PreparedArea`, holds everything
:func:`segindex.report.write_report` needs.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .errors import DataQualityWarning, SegindexTypeError, SegindexValueError, first_few

if TYPE_CHECKING:  # pragma: no cover - annotations only
    import geopandas as gpd

__all__ = [
    "prepare_area",
    "PreparedArea",
    "DEFAULT_OTHER",
    "SCHOOL_BUFFER",
    "WARD_METHODS",
    "WARD_GAP",
    "counts_are_whole",
]

_CALLER = "prepare_area"

#: The comparison group when none is named and both files have it.
DEFAULT_OTHER = "white_british"
#: Schools this far (metres) outside the area's outline are still kept (a school on the boundary road).
SCHOOL_BUFFER = 250.0
#: How census counts of small units become ward counts without a lookup (``ward_method``).
WARD_METHODS = ("best-fit", "areal-split")
#: A unit whose point lies in no ward goes to the nearest ward when at most this far (metres); else an error.
WARD_GAP = 1000.0
#: The census layouts recognised, newest last.
_TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".psv", ".gz", ".xlsx", ".xls")


@dataclass(frozen=True)
class PreparedArea:
    """The residents and schools of one area, on one classification, ready for indices or a report.

    Attributes
    ----------
    units : geopandas.GeoDataFrame
        Residential units (polygons, EPSG:27700) indexed by area code, one
        column per common group and ``total`` (the sum of the groups).
    schools : geopandas.GeoDataFrame or None
        School points (EPSG:27700) indexed by URN, one column per common
        group, ``classified`` (the sum of the groups) and ``unclassified``;
        ``None`` without a school file.
    groups : tuple of str
        The groups to report: the comparison group first when there is one.
    other : str or None
        The comparison group (``white_british`` by default when both files
        have it).
    common_groups : tuple of str
        Every group present in both files (in the residential table without
        a school file).
    total, school_total : str
        Names of the total columns of ``units`` and ``schools``.
    census_year : str
        ``"2011"`` or ``"2021"``, from the census table's layout.
    school_year : str or None
        The school census year (e.g. ``"2022/23"``), from its ``time_period``
        column when present.
    unclassified : float
        Pupils whose ethnicity is unclassified (left out of the indices).
    notes : tuple of str
        What was left out or assumed, one sentence each (schools without a
        location, with suppressed counts, outside the area; the 2011 Roma
        caveat; the unclassified pupils), for a report's caveats.
    inputs : tuple of str
        The files read, for provenance.
    whole_counts : bool
        Whether every count is a whole number (bootstrap and randomisation
        draws need whole counts).
    vintages : dict
        The data vintages (census year, school census year), for provenance.
    small_units : geopandas.GeoDataFrame or None
        With wards, the census units the ward counts were added up from
        (same columns as ``units``); ``None`` otherwise.
    lookup : pandas.Series or None
        With wards, the ward code of every census unit (``None`` with an
        areal split, which shares units among wards).
    ward_method : str or None
        With wards, how the counts were added up: ``"lookup"``,
        ``"best-fit"`` or ``"areal-split"``.
    """

    units: object
    schools: object
    groups: tuple
    other: str | None
    common_groups: tuple
    census_year: str
    school_year: str | None = None
    unclassified: float = 0.0
    notes: tuple = ()
    inputs: tuple = ()
    whole_counts: bool = True
    total: str = "total"
    school_total: str = "classified"
    vintages: dict = field(default_factory=dict)
    small_units: object = None
    lookup: object = None
    ward_method: str | None = None

    @property
    def sources(self) -> list:
        """The source and licence lines of the data (ONS census, DfE school census, OS/Royal Mail)."""
        from .plot._base import DFE_2023, ONS_2011, OS_ROYAL_MAIL

        census = ONS_2011 if self.census_year == "2011" else ONS_2011.replace("2011 Census", "Census 2021")
        return [census] + ([DFE_2023, OS_ROYAL_MAIL] if self.schools is not None else [OS_ROYAL_MAIL])

    def description(
        self,
        census_name: str | None = None,
        units_name: str | None = None,
        schools_name: str | None = None,
        phase=None,
        wards_name: str | None = None,
    ) -> str:
        """One paragraph saying what the data are, for a report's introduction."""
        if self.ward_method is None:
            text = (
                f"Residents: {self.census_year} Census usual residents by ethnic group in {len(self.units):,} areas"
                + (f" ({census_name})" if census_name else "")
                + (f", on boundaries from {units_name}" if units_name else "")
                + "."
            )
        else:
            how = {"lookup": "through a lookup", "best-fit": "by best fit", "areal-split": "by areal split"}[
                self.ward_method
            ]
            text = (
                f"Residents: {self.census_year} Census usual residents by ethnic group in {len(self.units):,} wards"
                + (f" ({wards_name})" if wards_name else "")
                + f", added up {how} from {len(self.small_units):,} smaller areas"
                + (
                    f" ({census_name}" + (f", on boundaries from {units_name}" if units_name else "") + ")"
                    if census_name
                    else ""
                )
                + "."
            )
        if self.schools is not None:
            year = f" {self.school_year}" if self.school_year else ""
            text += (
                f" Pupils: DfE school census{year}, {len(self.schools):,} schools ("
                + (f"{schools_name}; " if schools_name else "")
                + (f"phases {', '.join(phase)}" if phase else "all phases")
                + ")."
            )
        return text + " Ethnic groups are mapped to one common classification (segindex.classification)."


def counts_are_whole(frame, columns) -> bool:
    """Whether every finite value of ``columns`` of ``frame`` is a whole number.

    The explicit check to make before asking for bootstrap or randomisation
    draws, which need whole counts.

    Examples
    --------
    >>> import pandas as pd
    >>> counts_are_whole(pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, float("nan")]}), ["a", "b"])
    True
    >>> counts_are_whole(pd.DataFrame({"a": [1.5, 2.0]}), ["a"])
    False
    """
    values = frame[list(columns)].to_numpy(dtype="float64")
    finite = values[np.isfinite(values)]
    return bool(np.all(finite == np.floor(finite)))


def _is_path(value) -> bool:
    return isinstance(value, (str, os.PathLike))


def _say(log, message):
    if log is not None:
        log(message)


#: How the options of each boundary input are called: (name, id option, layer option).
_ROLES = {
    "units": ("units", "units_id= (segindex report: --units-id)", "layer= (segindex report: --layer)"),
    "wards": ("wards", "wards_id= (segindex report: --wards-id)", "wards_layer= (segindex report: --wards-layer)"),
}


def _read_units(units, units_id, layer, log, role="units"):
    """The boundaries as a GeoDataFrame indexed by area code, in EPSG:27700."""
    import geopandas as gpd

    from .io import read_boundaries

    name, id_option, _ = _ROLES[role]
    if isinstance(units, gpd.GeoDataFrame):
        if units.crs is None or not units.crs.is_projected:
            raise SegindexValueError(
                f"{_CALLER}(): '{name}' must be in a projected CRS in metres (British National Grid); got "
                f"{'no CRS' if units.crs is None else units.crs.to_string()}. Use {name}.to_crs(27700) "
                "(or .set_crs(27700) if the coordinates are already in metres)."
            )
        if units_id is not None and units_id not in units.columns:
            raise SegindexValueError(
                f"{_CALLER}(): the {name} code column {units_id!r} is not in '{name}'. Columns: "
                f"{first_few([str(c) for c in units.columns if c != units.geometry.name], 12)}."
            )
        return units if units_id is None else units.set_index(units_id)
    if not _is_path(units):
        raise SegindexTypeError(
            f"{_CALLER}(): '{name}' must be a boundary file path or a GeoDataFrame, got {type(units).__name__}."
        )
    path = Path(units)
    if any(s.lower() in _TABLE_SUFFIXES for s in path.suffixes[-1:]):
        raise SegindexValueError(
            f"{_CALLER}(): the boundary file {str(path)!r} is a table, not a vector file; boundaries come as a "
            "GeoPackage, shapefile or GeoJSON (e.g. from the ONS Open Geography Portal)."
        )
    if units_id is None:
        units_id = _first_field(path, layer, role)
        _say(
            log,
            f"using its first field {units_id!r} as the {'area' if role == 'units' else 'ward'} code "
            f"({id_option.replace(' (segindex report: ', ', or ').rstrip(')')}, to choose)",
        )
    _say(log, f"reading {'boundaries' if role == 'units' else 'wards'} {path}")
    return read_boundaries(path, units_id, layer=layer, to_crs=27700)


def _first_field(path: Path, layer, role="units"):
    import pyogrio

    _, id_option, layer_option = _ROLES[role]
    try:
        layers = pyogrio.list_layers(path)
        if layer is None and len(layers) > 1:
            names = [str(x) for x in layers[:, 0]]
            raise SegindexValueError(
                f"{_CALLER}(): {str(path)!r} holds {len(layers)} layers ({first_few(names)}); choose one with "
                f"{layer_option}."
            )
        fields = list(pyogrio.read_info(path, layer=layer)["fields"])
    except SegindexValueError:
        raise
    except Exception as exc:  # noqa: BLE001 - pyogrio raises its own error types
        raise SegindexValueError(f"{_CALLER}(): cannot read the boundary file {str(path)!r}: {exc}") from None
    if not fields:
        raise SegindexValueError(
            f"{_CALLER}(): the boundary file {str(path)!r} has no attribute fields; name the code column "
            f"with {id_option}."
        )
    return fields[0]


def _census_mapping(table, source: str):
    from .classification import CENSUS2011, CENSUS2021_ROMA_GRT

    for name, mapping in (("2011", CENSUS2011), ("2021", CENSUS2021_ROMA_GRT)):
        wanted = [c for c, g in mapping.items() if g is not None]
        if all(c in table.columns for c in wanted):
            return name, mapping
    raise SegindexValueError(
        f"{_CALLER}(): the census table {source} has neither the 2011 columns (Persons, WhiteBrit, Pakistani, ...) "
        "nor the 2021 TS021 columns (total, white_british, asian_pakistani, ...); convert it to one of them first."
    )


def _residents(boundaries, census, census_id, level, units_source, log):
    """Residential units: boundaries joined to the census counts in the common classification."""
    from .classification import UNCLASSIFIED, to_common
    from .io import read_census_table

    if _is_path(census):
        _say(log, f"reading census table {census}")
        source = repr(str(census))
        table = read_census_table(census, id_column=census_id)
    elif isinstance(census, pd.DataFrame):
        source = "'census'"
        table = census if census_id is None else census.set_index(census_id)
    else:
        raise SegindexTypeError(
            f"{_CALLER}(): 'census' must be a census table path or a DataFrame, got {type(census).__name__}."
        )
    year, mapping = _census_mapping(table, source)
    residents = to_common(table, mapping, level=level, unmapped="ignore", total=None)
    codes = boundaries.index
    missing = codes.difference(residents.index)
    if len(missing):
        raise SegindexValueError(
            f"{len(missing)} of {len(codes)} areas of {units_source} have no row in {source} "
            f"(first: {', '.join(map(str, missing[:5]))}); the two files must use the same area codes."
        )
    notes = []
    if len(residents) > len(codes):
        _say(log, f"using the {len(codes):,} of {len(residents):,} census rows whose codes are in the boundaries")
    groups = [c for c in residents.columns if c != UNCLASSIFIED]
    units = boundaries[[boundaries.geometry.name]].join(residents.loc[codes, groups])
    units["total"] = units[groups].sum(axis=1)
    if year == "2011":
        notes.append(
            "2011 Roma residents are counted inside white_other (there was no Roma tick-box in 2011), while Roma "
            "pupils are inside gypsy_roma_traveller; the two are not exactly comparable."
        )
    return units, groups, year, notes


def _looks_like_degrees(frame) -> bool:
    """Whether every coordinate of ``frame`` lies within longitude/latitude bounds (±180, ±90)."""
    minx, miny, maxx, maxy = (float(v) for v in frame.total_bounds)
    return -180.0 <= minx and maxx <= 180.0 and -90.0 <= miny and maxy <= 90.0


def _read_wards(wards, wards_id, wards_layer, residents, log):
    """The ward polygons, indexed by ward code, in the CRS of the residential units; their source name."""
    frame = _read_units(wards, wards_id, wards_layer, log, role="wards")
    source = repr(str(wards)) if _is_path(wards) else "'wards'"
    if len(frame) == 0:
        raise SegindexValueError(f"{_CALLER}(): the wards {source} hold no ward.")
    if _looks_like_degrees(frame):
        raise SegindexValueError(
            f"{_CALLER}(): every coordinate of the wards {source} lies within ±180/±90: they look like degrees "
            f"of longitude and latitude labelled as {frame.crs.to_string()} metres. Declare the CRS they are in "
            "(geopandas: .set_crs(4326, allow_override=True)) and reproject them with .to_crs(27700)."
        )
    if frame.crs != residents.crs:
        frame = frame.to_crs(residents.crs)
    ux0, uy0, ux1, uy1 = (float(v) for v in residents.total_bounds)
    wx0, wy0, wx1, wy1 = (float(v) for v in frame.total_bounds)
    if wx1 < ux0 or ux1 < wx0 or wy1 < uy0 or uy1 < wy0:
        raise SegindexValueError(
            f"{_CALLER}(): the wards {source} (x {wx0:,.0f} to {wx1:,.0f}, y {wy0:,.0f} to {wy1:,.0f}) do not "
            f"overlap the residential units (x {ux0:,.0f} to {ux1:,.0f}, y {uy0:,.0f} to {uy1:,.0f}); give the "
            "ward file of this area, with its true CRS."
        )
    frame = frame[[frame.geometry.name]]
    frame.index = pd.Index(frame.index.astype(str), name=frame.index.name)
    return frame, source


def _read_lookup_table(path) -> pd.DataFrame:
    """A lookup CSV (any common delimiter), every column as text."""
    import csv

    path = Path(path)
    source = repr(str(path))
    if not path.exists():
        raise SegindexValueError(f"{_CALLER}(): cannot read the lookup file {source}: no such file.")
    if path.suffix.lower() in (".xlsx", ".xls", ".ods"):
        raise SegindexValueError(
            f"{_CALLER}(): the lookup file {source} is a spreadsheet; save it as CSV (UTF-8) and give that file."
        )
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            head = fh.readline()
        try:
            sep = csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
        except csv.Error:
            sep = ","
        return pd.read_csv(path, dtype=str, sep=sep, encoding="utf-8-sig", keep_default_na=False)
    except UnicodeDecodeError:
        raise SegindexValueError(
            f"{_CALLER}(): cannot read the lookup file {source}: it is not UTF-8 text; save it as CSV (UTF-8)."
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as exc:
        raise SegindexValueError(f"{_CALLER}(): cannot read the lookup file {source} as a table: {exc}") from None


def _lookup_column(table, column, default, role, option, source):
    """The lookup column for ``role``: the one named, else the column named like the codes (``default``)."""
    columns = [str(c) for c in table.columns]
    if column is None:
        if default is not None and str(default) in columns:
            return str(default)
        named = f"; it has no column called {str(default)!r}" if default is not None else ""
        raise SegindexValueError(
            f"{_CALLER}(): name the {role} code column of the lookup {source} with {option}{named}. "
            f"Its columns: {first_few(columns, 12)}."
        )
    if column not in columns:
        raise SegindexValueError(
            f"{_CALLER}(): the lookup {source} has no column {column!r} ({option}). Its columns: "
            f"{first_few(columns, 12)}."
        )
    return column


def _read_lookup(lookup, lookup_from, lookup_to, small_key, ward_key):
    """The lookup as pairs (small code, ward code), as text, and its source name."""
    if _is_path(lookup) or isinstance(lookup, pd.DataFrame):
        table = _read_lookup_table(lookup) if _is_path(lookup) else lookup
        source = repr(str(lookup)) if _is_path(lookup) else "'lookup'"
        lookup_from = _lookup_column(
            table, lookup_from, small_key, "small-unit", "lookup_from= (segindex report: --lookup-from)", source
        )
        lookup_to = _lookup_column(
            table, lookup_to, ward_key, "ward", "lookup_to= (segindex report: --lookup-to)", source
        )
        pairs = pd.DataFrame({"unit": table[lookup_from].to_numpy(), "ward": table[lookup_to].to_numpy()})
        source = f"{source} ({lookup_from!r} to {lookup_to!r})"
    elif isinstance(lookup, (pd.Series, dict)):
        series = pd.Series(lookup, dtype=object)
        pairs = pd.DataFrame({"unit": series.index.to_numpy(), "ward": series.to_numpy()})
        source = "'lookup'"
    else:
        raise SegindexTypeError(
            f"{_CALLER}(): 'lookup' must be a lookup file path, a DataFrame with lookup_from/lookup_to columns, "
            f"or a Series or dict (unit code to ward code), got {type(lookup).__name__}."
        )
    for column in ("unit", "ward"):
        text = pairs[column].astype("string").str.strip()
        pairs[column] = text.mask(text == "")
    return pairs.dropna().drop_duplicates(), source


def _lookup_to_wards(pairs, source, codes, ward_codes, wards_source):
    """Ward code of every census unit from the lookup pairs, refusing units it misses or gives twice."""
    pairs = pairs[pairs["unit"].isin(codes)]
    twice = pairs["unit"][pairs["unit"].duplicated()].unique()
    if len(twice):
        raise SegindexValueError(
            f"{_CALLER}(): the lookup {source} gives {len(twice)} census unit(s) to more than one ward "
            f"({first_few(twice)}); a best-fit or exact-fit lookup gives each unit to one ward."
        )
    series = pd.Series(pairs["ward"].to_numpy(dtype=object), index=pd.Index(pairs["unit"].to_numpy(dtype=object)))
    missing = codes.difference(series.index)
    if len(missing):
        text = (
            f"{_CALLER}(): {len(missing)} of {len(codes)} census units are not in the lookup {source}: "
            f"{first_few(missing)}."
        )
        if len(missing) == len(codes):
            text += (
                " None of them is: the lookup is of another geography or census vintage (2001 LSOAs "
                "against 2011 ones?), or its small-unit column is another one (lookup_from=, --lookup-from)."
            )
        else:
            text += " Every census unit needs a ward: complete the lookup."
        raise SegindexValueError(text)
    series = series.reindex(codes)
    unknown = pd.Index(series.unique()).difference(ward_codes)
    if len(unknown):
        raise SegindexValueError(
            f"{_CALLER}(): the lookup {source} gives {len(unknown)} ward code(s) that are not wards of "
            f"{wards_source}: {first_few(unknown)}. The lookup and the ward file must use the same ward codes "
            "(and vintage); lookup_to= (--lookup-to) names the lookup's ward column."
        )
    return series


def _to_wards(residents, groups, wards, wards_source, lookup, lookup_from, lookup_to, method, log):
    """Ward counts from the census units: the ward units, the unit-to-ward lookup and the notes."""
    from .geography import aggregate_counts, areal_split, best_fit, compare_lookups, compare_with_areal_split

    columns = [*groups, "total"]
    counts = residents[columns]
    geometry = residents[[residents.geometry.name]]
    n = len(residents)
    fit = best_fit(geometry, wards)
    report = fit.report
    status = report["status"].to_numpy()
    n_unassigned = int((status == "unassigned").sum())
    n_near = int((status == "near boundary").sum())
    notes = []
    assignment = None
    if lookup is not None:
        pairs, source = _read_lookup(lookup, lookup_from, lookup_to, residents.index.name, wards.index.name)
        assignment = _lookup_to_wards(pairs, source, pd.Index(residents.index.astype(str)), wards.index, wards_source)
        assignment.index = residents.index
        how = f"through the lookup {source}"
        differ = compare_lookups(assignment, fit.lookup, names=("lookup", "point"))
        differ = differ[differ["point"].notna().to_numpy()]  # points in no ward are counted apart
        check = (
            f" As a check, {len(differ)} of {n} units have their representative point in another ward than the "
            "lookup gives" + (f" ({first_few(differ.index)})" if len(differ) else "") + f"; {n_near} points lie "
            f"within {fit.tolerance:g} m of a ward boundary and {n_unassigned} in no ward."
        )
    elif method == "best-fit":
        assignment = fit.lookup.copy()
        if n_unassigned:
            lost = report.index[status == "unassigned"]
            far = report.loc[lost, "distance"] > WARD_GAP
            if far.any():
                raise SegindexValueError(
                    f"{_CALLER}(): {int(far.sum())} of {n} census units lie more than {WARD_GAP:g} m from every "
                    f"ward of {wards_source} ({first_few(lost[far.to_numpy()])}): the ward file does not cover the "
                    "area. Give the ward file of this area, or a lookup (lookup=, --lookup)."
                )
            assignment.loc[lost] = report.loc[lost, "nearest"].to_numpy()
        how = (
            "by best fit: each unit given wholly to the ward that holds its representative point (the ONS "
            "method uses population-weighted centroids)"
        )
        gap = ""
        if n_unassigned:
            lost = report.index[status == "unassigned"]
            gap = (
                f" and were given to the nearest ward, at most {float(report.loc[lost, 'distance'].max()):,.0f} m "
                f"away ({first_few(lost)})"
            )
        check = (
            f" {n_unassigned} of {n} units have their point in no ward{gap}; {n_near} have it within "
            f"{fit.tolerance:g} m of a ward boundary, where a small shift of the point or the boundary could move "
            "them to the next ward."
        )
    else:
        how = (
            "by areal split: each unit's residents spread evenly over its land and shared among the wards it "
            "overlaps (fractional counts)"
        )
        check = ""
    if assignment is not None:
        ward_counts = aggregate_counts(counts, assignment, columns=columns)
        exact = np.array_equal(ward_counts[columns].sum().to_numpy(), counts.sum().to_numpy())
    else:
        ward_counts = areal_split(counts, geometry, wards, columns=columns)
        ward_counts = ward_counts[ward_counts["total"] > 0]
        slivers = ward_counts.index[ward_counts["total"] < 1.0]
        if len(slivers):
            check = (
                f" {len(slivers)} ward(s) receive less than one resident, from slivers of units along their edge "
                f"({first_few(slivers)}); they are kept, so that every person is counted."
            )
        exact = np.allclose(ward_counts[columns].sum().to_numpy(), counts.sum().to_numpy(), rtol=1e-9)
    if not exact:  # the aggregations conserve every person; anything else is a bug
        raise RuntimeError(f"{_CALLER}(): the ward counts do not add up to the census counts; please report this.")
    kept = pd.Index(ward_counts.index.astype(str))
    ward_counts.index = kept
    units = wards.loc[kept, [wards.geometry.name]].join(ward_counts[columns])
    units.index.name = wards.index.name
    _say(log, f"{n:,} census units added up into {len(units):,} wards {how.split(':')[0]}")
    notes.append(
        f"Residential units: {len(units):,} wards, the census counts of {n:,} smaller units added up {how}." + check
    )
    dropped = wards.index.difference(kept)
    if len(dropped):
        outline = geometry.geometry.union_all()
        inside = wards.loc[dropped].geometry.representative_point().within(outline).to_numpy()
        if (~inside).any():
            notes.append(
                f"{int((~inside).sum())} of the {len(wards):,} wards of the ward file lie outside the area "
                "(they receive no unit of it) and are left out."
            )
            _say(log, notes[-1])
        if inside.any():
            _warn(
                notes,
                f"{int(inside.sum())} ward(s) inside the area receive no census unit "
                f"({first_few(dropped[inside])}) and are left out; their residents are counted in the "
                "wards around them.",
            )
    if assignment is not None:
        try:
            cmp = compare_with_areal_split(counts[["total"]], geometry, wards, assignment, columns=["total"])
        except SegindexValueError as exc:
            notes.append(f"No comparison with an areal split: {exc}")
        else:
            notes.append(
                f"An areal split (residents spread evenly over each unit's land) would place "
                f"{float(cmp.moved['total']):,.0f} residents ({float(cmp.share_moved['total']):.1%}) in another "
                "ward: ward counts from whole units are approximations."
            )
    return units, assignment, notes


def _read_schools(schools, phase, la, log):
    from .io import read_school_census

    if _is_path(schools):
        _say(log, f"reading school census {schools}")
        table = read_school_census(schools, phase=phase, la=la)
        source = repr(str(schools))
    elif isinstance(schools, pd.DataFrame):
        table, source = schools, "'schools'"
    else:
        raise SegindexTypeError(
            f"{_CALLER}(): 'schools' must be a school census path or a DataFrame, got {type(schools).__name__}."
        )
    if len(table) == 0:
        raise SegindexValueError(f"{_CALLER}(): no schools left in {source} after the phase and la filters.")
    return table, source


def _locate(table, source, postcodes, log):
    """``table`` with easting/northing filled from ``postcodes`` where missing; the mask of located schools."""
    from .io import geocode_postcodes

    has_xy = {"easting", "northing"} <= set(table.columns)
    located = (table["easting"].notna() & table["northing"].notna()) if has_xy else pd.Series(False, index=table.index)
    if postcodes is not None and not located.all():
        lookups = [postcodes] if _is_path(postcodes) else list(postcodes)
        _say(log, f"geocoding {int((~located).sum())} schools with {', '.join(map(str, lookups))}")
        geo = geocode_postcodes(table.loc[~located], lookups)
        table = table.copy()
        if not has_xy:
            table["easting"] = np.nan
            table["northing"] = np.nan
        table.loc[geo.index, ["easting", "northing"]] = np.column_stack([geo.geometry.x, geo.geometry.y])
        located = table["easting"].notna() & table["northing"].notna()
    elif not has_xy:
        raise SegindexValueError(
            f"{_CALLER}(): the school file {source} has no easting/northing columns; give a postcode lookup "
            "with postcodes= (segindex report: --postcodes), e.g. OS Code-Point Open, to place the schools."
        )
    return table, located


def _school_year(table) -> str | None:
    """``"2022/23"`` from a ``time_period`` column holding ``202223`` (one value only), else None."""
    if "time_period" not in table.columns:
        return None
    values = pd.to_numeric(table["time_period"], errors="coerce").dropna().unique()
    if len(values) != 1 or not float(values[0]).is_integer():
        return None
    text = str(int(values[0]))
    return f"{text[:4]}/{text[4:]}" if re.fullmatch(r"\d{6}", text) else text


def _warn(notes, message):
    notes.append(message)
    warnings.warn(message, DataQualityWarning, stacklevel=4)


def _schools(schools, phase, la, postcodes, level, outline, buffer, log):
    """School points in the common classification, inside the area; their notes and year."""
    import geopandas as gpd

    from .classification import SCHOOL_CENSUS, UNCLASSIFIED, to_common

    table, source = _read_schools(schools, phase, la, log)
    table, located = _locate(table, source, postcodes, log)
    notes = []
    if not located.all():
        _warn(
            notes,
            f"{int((~located).sum())} of {len(located)} schools have no location (postcode not found) "
            "and are left out of the report.",
        )
    table = table[located]
    pupils = to_common(table, SCHOOL_CENSUS, level=level, unmapped="ignore", total=None)
    counts = [c for c in pupils.columns if c != UNCLASSIFIED]
    incomplete = pupils[counts].isna().any(axis=1)
    if incomplete.any():
        _warn(notes, f"{int(incomplete.sum())} schools have suppressed or missing pupil counts and are left out.")
    pupils = pupils[~incomplete]
    xy = table.loc[pupils.index, ["easting", "northing"]].to_numpy(dtype="float64")
    points = gpd.GeoDataFrame(pupils, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=27700)
    inside = points.geometry.within(outline.buffer(float(buffer)))
    if not inside.all():
        notes.append(f"{int((~inside).sum())} schools located outside the area's boundaries are left out.")
        _say(log, notes[-1])
        points = points[inside]
    if len(points) < 2:
        raise SegindexValueError(
            f"{_CALLER}(): fewer than two located schools are left inside the area; nothing to compare."
        )
    points["classified"] = points[counts].sum(axis=1)
    unclassified = float(points[UNCLASSIFIED].sum()) if UNCLASSIFIED in points.columns else 0.0
    total = unclassified + float(points["classified"].sum())
    share = unclassified / total if total > 0 else 0.0
    notes.append(
        f"{unclassified:,.0f} pupils ({share:.1%}) whose ethnicity is unclassified are left out of the "
        "school indices, which assumes they are like the classified pupils."
    )
    return points, counts, unclassified, notes, _school_year(table)


def _choose_groups(units, both, groups, other, min_share, log):
    """The groups to report and the comparison group (first in the list)."""
    if groups is not None:
        groups = [groups] if isinstance(groups, str) else list(groups)
        for g in groups:
            if g not in both:
                raise SegindexValueError(
                    f"{_CALLER}(): the group {g!r} is not a common group of both files; choose from {', '.join(both)}."
                )
    else:
        share = units[both].sum() / float(units["total"].sum())
        groups = [g for g in both if share[g] >= min_share]
        _say(log, f"groups with at least {min_share:.0%} of residents: {', '.join(groups)}")
    if other is not None and other not in both:
        raise SegindexValueError(
            f"{_CALLER}(): the comparison group {other!r} is not a common group of both files; "
            f"choose from {', '.join(both)}."
        )
    if other is None and DEFAULT_OTHER in both:
        other = DEFAULT_OTHER
    if other is not None and other not in groups:
        groups = [other] + groups
    return groups, other


def prepare_area(
    units: str | os.PathLike | gpd.GeoDataFrame,
    census: str | os.PathLike | pd.DataFrame,
    schools: str | os.PathLike | pd.DataFrame | None = None,
    *,
    postcodes: str | os.PathLike | Sequence[str | os.PathLike] | None = None,
    units_id: str | None = None,
    census_id: str | None = None,
    layer: str | int | None = None,
    la: str | Sequence[str] | None = None,
    phase: str | Sequence[str] | None = ("primary", "secondary"),
    level: str = "detailed",
    groups: Sequence[str] | None = None,
    other: str | None = None,
    min_share: float = 0.01,
    buffer: float = SCHOOL_BUFFER,
    wards: str | os.PathLike | gpd.GeoDataFrame | None = None,
    wards_id: str | None = None,
    wards_layer: str | int | None = None,
    lookup: str | os.PathLike | pd.DataFrame | pd.Series | Mapping | None = None,
    lookup_from: str | None = None,
    lookup_to: str | None = None,
    ward_method: str = "best-fit",
    log: Callable[[str], object] | None = None,
) -> PreparedArea:
    r"""Turn boundaries, a census table and the school census into the frames of one area's report.

    Steps, in order: read the boundaries (reprojected to British National
    Grid) and the census table, join them by area code (every area must have
    a census row; extra census rows are ignored) and map the census groups to
    the common classification (:func:`segindex.classification.to_common`);
    read the school census (filtered by ``la`` and ``phase``), place schools
    without coordinates by ``postcodes``, map their groups likewise, and leave
    out schools without a location, with suppressed counts, or more than
    ``buffer`` metres outside the area's outline; choose the groups (those
    with at least ``min_share`` of residents unless named) and the comparison
    group (``white_british`` unless named), and record every choice in
    ``notes``.

    With ``wards``, the residential units of the result are the wards: the
    census counts of the small units (``units`` and ``census``, e.g. LSOAs)
    are added up into the wards through ``lookup`` when given
    (:func:`segindex.geography.aggregate_counts`), else by best fit, each
    unit given wholly to the ward holding its representative point
    (:func:`segindex.geography.best_fit`; a unit whose point falls in no
    ward, in a gap between the two sets of boundaries, goes to the nearest
    ward up to ``WARD_GAP`` metres away), or with
    ``ward_method="areal-split"`` shared by area
    (:func:`segindex.geography.areal_split`). Every person is kept. Only the
    wards that receive units are kept (a ward file of several authorities
    gives the wards of the area), and ``notes`` say how many wards were left
    out, how many units lay in no ward or near a ward boundary, and how many
    residents an areal split would place in another ward
    (:func:`segindex.geography.compare_with_areal_split`). Schools are then
    compared with the wards.

    Parameters
    ----------
    units : str, pathlib.Path or geopandas.GeoDataFrame
        Boundaries of the residential areas (GeoPackage, shapefile,
        GeoJSON), or a GeoDataFrame indexed by area code in a projected CRS.
    census : str, pathlib.Path or pandas.DataFrame
        A census table by ethnic group (2011 extract or 2021 TS021; see
        :func:`segindex.io.read_census_table`), or such a table indexed by
        area code.
    schools : str, pathlib.Path or pandas.DataFrame, optional
        The DfE school census (see :func:`segindex.io.read_school_census`),
        with ``easting``/``northing`` or with ``postcodes``.
    postcodes : path or list of paths, optional
        Postcode lookup(s), e.g. OS Code-Point Open, for schools without
        coordinates.
    units_id : str, optional
        Area code field of ``units``. Default: its first field.
    census_id : str, optional
        Area code column of ``census``. Default: the reader's default.
    layer : str or int, optional
        Layer of ``units`` when the file holds several.
    la : str or list, optional
        Keep only the schools of these local authorities (name or code).
    phase : str, list of str or None, default ("primary", "secondary")
        School phases to keep; ``None`` keeps every school.
    level : {"detailed", "broad"}, default "detailed"
        The common classification's level.
    groups : list of str, optional
        Common groups to report. Default: those with at least ``min_share``
        of residents.
    other : str, optional
        The comparison group. Default: ``white_british`` when both files
        have it.
    min_share : float, default 0.01
        Share of residents a group needs to be reported by default.
    buffer : float, default 250
        Schools up to this many metres outside the area's outline are kept.
    wards : str, pathlib.Path or geopandas.GeoDataFrame, optional
        Ward boundaries (e.g. the 2011 census merged wards); a file is
        reprojected to British National Grid, a GeoDataFrame must be in a
        projected CRS. With it the residential units are the wards.
    wards_id : str, optional
        Ward code field of ``wards``. Default: its first field (a file) or
        its index (a GeoDataFrame).
    wards_layer : str or int, optional
        Layer of ``wards`` when the file holds several.
    lookup : str, pathlib.Path, pandas.DataFrame, pandas.Series or dict, optional
        Census unit code to ward code: a lookup CSV or table (columns
        ``lookup_from`` and ``lookup_to``), or a Series or dict. It must
        give every census unit of the area one ward of ``wards``. Default:
        best fit by the units' points.
    lookup_from, lookup_to : str, optional
        The unit and ward code columns of a lookup table. Default: the
        columns named like the unit codes and the ward codes.
    ward_method : {"best-fit", "areal-split"}, default "best-fit"
        How to add the units up into wards without a lookup. An areal split
        gives fractional counts, so no bootstrap intervals.
    log : callable, optional
        Called with one line of text per step (the command passes its
        progress printer).

    Returns
    -------
    PreparedArea

    Raises
    ------
    SegindexValueError
        A file cannot be read (the reader's message); an area has no census
        row; the census layout is unknown; a group or ``other`` is not a
        common group of both files; fewer than two schools are left. With
        wards: a missing code column, ward coordinates that look like degrees,
        wards that do not overlap the units, units further than ``WARD_GAP``
        from every ward, a lookup that misses census units (named, with their
        number), gives one to two wards, or gives codes that are not wards of
        ``wards``; a lookup or ward option without ``wards``.
    SegindexTypeError
        An argument is neither a path nor a frame.

    Warns
    -----
    DataQualityWarning
        Schools without a location or with suppressed counts are left out
        (also listed in ``notes``); a ward inside the area receives no census
        unit.

    See Also
    --------
    segindex.report.write_report, segindex.io.read_boundaries,
    segindex.io.read_census_table, segindex.io.read_school_census

    Examples
    --------
    Three square areas and a 2011 census extract, written to a folder:

    >>> import tempfile, pathlib
    >>> import geopandas, pandas as pd
    >>> from shapely.geometry import box
    >>> from segindex.classification import CENSUS2011
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> areas = geopandas.GeoDataFrame({"code": ["A", "B", "C"]},
    ...     geometry=[box(0, 0, 500, 500), box(500, 0, 1000, 500), box(0, 500, 500, 1000)], crs=27700)
    >>> areas.to_file(tmp / "areas.gpkg")
    >>> census = pd.DataFrame({c: [10, 10, 10] for c, g in CENSUS2011.items() if g is not None})
    >>> census["Pakistani"] = [200, 20, 0]
    >>> census.insert(0, "LSOA", ["A", "B", "C"])
    >>> census["Persons"] = census.drop(columns="LSOA").sum(axis=1)
    >>> census.to_csv(tmp / "census.csv", index=False)
    >>> area = prepare_area(tmp / "areas.gpkg", tmp / "census.csv", groups=["pakistani"])
    >>> area.groups, area.other, area.census_year
    (('white_british', 'pakistani'), 'white_british', '2011')
    >>> area.units["pakistani"].tolist(), area.units["total"].tolist()
    ([200.0, 20.0, 0.0], [340.0, 160.0, 140.0])
    >>> from segindex import dissimilarity  # by hand: (|200/220 - 1/3| + |20/220 - 1/3| + |0 - 1/3|) / 2
    >>> round(float(dissimilarity(area.units, "pakistani", total="total")), 4)
    0.5758

    The same areas added up into two wards (A and B in the south, C in the north):

    >>> wards = geopandas.GeoDataFrame({"ward": ["S", "N"]},
    ...     geometry=[box(0, 0, 1000, 500), box(0, 500, 1000, 1000)], crs=27700)
    >>> by_ward = prepare_area(tmp / "areas.gpkg", tmp / "census.csv", groups=["pakistani"], wards=wards,
    ...     wards_id="ward")
    >>> by_ward.units["pakistani"].to_dict(), by_ward.lookup.to_dict()
    ({'N': 0.0, 'S': 220.0}, {'A': 'S', 'B': 'S', 'C': 'N'})
    """
    if level not in ("detailed", "broad"):
        raise SegindexValueError(f"{_CALLER}(): 'level' must be 'detailed' or 'broad', got {level!r}.")
    if isinstance(min_share, bool) or not isinstance(min_share, (int, float)) or not 0.0 <= min_share <= 1.0:
        raise SegindexValueError(f"{_CALLER}(): 'min_share' must be a share between 0 and 1, got {min_share!r}.")
    if isinstance(buffer, bool) or not isinstance(buffer, (int, float)) or not buffer >= 0:
        raise SegindexValueError(f"{_CALLER}(): 'buffer' must be a distance in metres >= 0, got {buffer!r}.")
    _check_ward_options(wards, wards_id, wards_layer, lookup, lookup_from, lookup_to, ward_method)
    boundaries = _read_units(units, units_id, layer, log)
    units_source = repr(str(units)) if _is_path(units) else "'units'"
    residents, res_groups, year, notes = _residents(boundaries, census, census_id, level, units_source, log)
    small, assignment, method = None, None, None
    outline = residents.geometry.union_all() if schools is not None else None
    if wards is not None:
        ward_polygons, wards_source = _read_wards(wards, wards_id, wards_layer, residents, log)
        small = residents
        residents, assignment, ward_notes = _to_wards(
            small, res_groups, ward_polygons, wards_source, lookup, lookup_from, lookup_to, ward_method, log
        )
        notes = ward_notes + notes
        method = "lookup" if lookup is not None else ward_method
    points, school_year, unclassified = None, None, 0.0
    both = res_groups
    if schools is not None:
        points, counts, unclassified, school_notes, school_year = _schools(
            schools,
            None if phase is None else ([phase] if isinstance(phase, str) else list(phase)),
            la,
            postcodes,
            level,
            outline,
            buffer,
            log,
        )
        if wards is not None:
            school_notes.insert(
                0,
                "Schools are placed among the wards by their coordinates; the ward codes of the "
                "school census are 2022 wards, another vintage than these wards, and are not used.",
            )
        notes = school_notes[:-1] + notes + school_notes[-1:]
        both = [g for g in res_groups if g in points.columns]
    chosen, other = _choose_groups(residents, both, groups, other, min_share, log)
    whole = counts_are_whole(residents, res_groups) and (points is None or counts_are_whole(points, counts))
    vintages = {"census": year}
    if points is not None:
        vintages["school census"] = school_year or "unknown"
    files = tuple(str(p) for p in (units, census, schools, wards, lookup) if _is_path(p))
    if postcodes is not None:
        files += tuple(str(p) for p in ([postcodes] if _is_path(postcodes) else postcodes))
    return PreparedArea(
        units=residents,
        schools=points,
        groups=tuple(chosen),
        other=other,
        common_groups=tuple(both),
        census_year=year,
        school_year=school_year,
        unclassified=unclassified,
        notes=tuple(notes),
        inputs=files,
        whole_counts=whole,
        vintages=vintages,
        small_units=small,
        lookup=assignment,
        ward_method=method,
    )


def _check_ward_options(wards, wards_id, wards_layer, lookup, lookup_from, lookup_to, ward_method):
    """Refuse ward options that cannot go together, before any file is read."""
    if ward_method not in WARD_METHODS:
        raise SegindexValueError(
            f"{_CALLER}(): 'ward_method' must be one of {', '.join(map(repr, WARD_METHODS))}, got {ward_method!r}."
        )
    if wards is None:
        given = [
            name
            for name, value in (
                ("wards_id", wards_id),
                ("wards_layer", wards_layer),
                ("lookup", lookup),
                ("lookup_from", lookup_from),
                ("lookup_to", lookup_to),
            )
            if value is not None
        ]
        if given or ward_method != "best-fit":
            raise SegindexValueError(
                f"{_CALLER}(): {', '.join(given) or 'ward_method'} without wards=: give the ward boundaries "
                "(segindex report: --wards FILE)."
            )
    if lookup is None and (lookup_from is not None or lookup_to is not None):
        raise SegindexValueError(
            f"{_CALLER}(): lookup_from/lookup_to name the columns of a lookup, but no lookup= was given "
            "(segindex report: --lookup FILE)."
        )
    if lookup is not None and ward_method != "best-fit":
        raise SegindexValueError(
            f"{_CALLER}(): give either a lookup or ward_method={ward_method!r}, not both: a lookup says which ward "
            "each unit belongs to."
        )
