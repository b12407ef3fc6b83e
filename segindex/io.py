"""Readers for the files people bring: boundaries, census tables, the school census, postcodes.

Every reader returns an ordinary pandas or GeoPandas frame, indexed by the unit
identifier, and never modifies the file it reads. What a reader did to the data
is never silent:

* anything wrong that cannot be read unambiguously (a missing file or column,
  duplicate identifiers, a text value in a count column, a geographic CRS for
  distance work, a missing CRS) raises a
  :class:`~segindex.errors.SegindexValueError` or
  :class:`~segindex.errors.SegindexTypeError` naming the file, column and row;
* everything the reader did that changes numbers or rows (DfE codes such as
  ``z`` made missing, rows excluded by a filter, geometries repaired,
  postcodes not found, groups that do not add up to their total) is recorded
  in a :class:`ReadReport`, stored in ``frame.attrs["segindex_report"]`` and
  returned by :func:`report_of`; where numbers change or rows go unmatched a
  :class:`~segindex.errors.DataQualityWarning` also says how many.

``frame.attrs`` follows pandas' rules: it survives copies and most
single-frame operations but may be dropped by others (``concat``, ``merge``);
take the report right after reading if you need it.

Readers
-------
:func:`read_boundaries`
    Any vector format pyogrio reads (GeoPackage, shapefile, GeoJSON) → GeoDataFrame.
:func:`read_census_table`
    ONS census tables (2011 extracts, 2021 short CSV, 2021 bulk pipe-delimited file).
:func:`read_school_census`
    DfE "Schools, pupils and their characteristics" school-level ethnicity file.
:func:`geocode_postcodes`
    Postcodes → points from a Code-Point Open style lookup.
:func:`join_to_areas`
    Units (schools, points) → the area that contains them, or by a code column.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .classification import CENSUS2011, CENSUS2021, ONS_TS021_LABELS, SCHOOL_CENSUS_COLUMNS
from .errors import DataQualityWarning, SegindexTypeError, SegindexValueError

__all__ = [
    "ReadReport",
    "report_of",
    "read_boundaries",
    "read_census_table",
    "read_school_census",
    "geocode_postcodes",
    "join_to_areas",
    "DFE_MISSING_CODES",
    "PHASES",
]

_KEY = "segindex_report"

#: DfE codes for a cell without a number, and what they mean.
DFE_MISSING_CODES: dict[str, str] = {
    "z": "not applicable",
    "c": "confidential (suppressed)",
    "x": "not available",
    ":": "not available",
    "..": "not available",
    "": "blank cell",
}

#: Values of the ``phase`` filter of :func:`read_school_census` → DfE ``phase_type_grouping`` values.
PHASES: dict[str, tuple[str, ...]] = {
    "nursery": ("State-funded nursery",),
    "primary": ("State-funded primary",),
    "secondary": ("State-funded secondary",),
    "special": ("State-funded special school", "Non-maintained special school"),
    "alternative provision": ("State-funded AP school",),
    "independent": ("Independent school",),
}


# ----------------------------------------------------------------------------
# the report


@dataclass(frozen=True, eq=False)
class ReadReport:
    """What a reader did to a file: counts, exclusions, missing cells, repairs.

    Attributes
    ----------
    source : str
        The file read (or ``"<DataFrame>"``).
    reader : str
        The function that made the frame.
    rows_read, rows_kept : int
        Rows in the file and rows in the returned frame.
    excluded : dict
        Rows left out, by reason (for example ``{"phase": 4512}``).
    missing_cells : dict
        ``{code: {column: n}}``: cells made missing (NaN), by DfE code and column.
    rows_with_missing : int
        Rows kept with at least one missing count.
    crs : str or None
        CRS of the returned geometries.
    reprojected_from : str or None
        CRS of the file when the reader reprojected it.
    repaired_geometries : int
        Invalid geometries repaired with ``shapely.make_valid``.
    unmatched : tuple
        Identifiers (unit labels) not matched: postcodes not in the lookup,
        units in no area.
    mismatches : pandas.DataFrame or None
        Units whose groups do not add up to their total: ``unit, check,
        parts, total, difference``.
    notes : tuple of str
        Other things worth knowing (delimiter found, labels renamed).
    """

    source: str
    reader: str
    rows_read: int
    rows_kept: int
    excluded: dict = field(default_factory=dict)
    missing_cells: dict = field(default_factory=dict)
    rows_with_missing: int = 0
    crs: str | None = None
    reprojected_from: str | None = None
    repaired_geometries: int = 0
    unmatched: tuple = ()
    mismatches: pd.DataFrame | None = None
    notes: tuple = ()

    def summary(self) -> str:
        """A short plain-text account of the read.

        Examples
        --------
        >>> from segindex.io import ReadReport
        >>> print(ReadReport("schools.csv", "read_school_census", 10, 8, excluded={"phase": 2}).summary())
        read_school_census: schools.csv
          rows read 10, kept 8
          excluded: phase 2
        """
        lines = [f"{self.reader}: {self.source}", f"  rows read {self.rows_read}, kept {self.rows_kept}"]
        if self.excluded:
            lines.append("  excluded: " + ", ".join(f"{k} {v}" for k, v in self.excluded.items()))
        for code, columns in self.missing_cells.items():
            n = sum(columns.values())
            meaning = DFE_MISSING_CODES.get(code, "")
            lines.append(f"  {n} cells coded {code!r} ({meaning}) made missing in {len(columns)} columns")
        if self.rows_with_missing:
            lines.append(f"  {self.rows_with_missing} rows kept with missing counts (NaN, not zero)")
        if self.crs is not None:
            crs = f"  CRS {self.crs}"
            if self.reprojected_from:
                crs += f" (reprojected from {self.reprojected_from})"
            lines.append(crs)
        if self.repaired_geometries:
            lines.append(f"  {self.repaired_geometries} invalid geometries repaired with make_valid")
        if self.unmatched:
            shown = ", ".join(repr(u) for u in self.unmatched[:10])
            more = f" and {len(self.unmatched) - 10} more" if len(self.unmatched) > 10 else ""
            lines.append(f"  {len(self.unmatched)} unmatched: {shown}{more}")
        if self.mismatches is not None and len(self.mismatches):
            worst = float(self.mismatches["difference"].abs().max())
            lines.append(
                f"  {len(self.mismatches)} group sums differ from their total (largest |difference| {worst:g})"
            )
        lines.extend(f"  {note}" for note in self.notes)
        return "\n".join(lines)


def report_of(frame) -> ReadReport:
    """The :class:`ReadReport` a segindex reader attached to ``frame``.

    Raises
    ------
    SegindexValueError
        The frame carries no report (it was not made by a segindex reader, or
        an operation such as ``concat`` dropped its ``attrs``).

    Examples
    --------
    >>> import pandas as pd
    >>> from segindex.io import geocode_postcodes, report_of
    >>> lookup = pd.DataFrame({"postcode": ["BD1 1AA"], "easting": [416000.0], "northing": [433000.0]})
    >>> pts = geocode_postcodes(pd.DataFrame({"school_postcode": ["bd11aa"]}), lookup)
    >>> report_of(pts).rows_kept
    1
    """
    report = getattr(frame, "attrs", {}).get(_KEY)
    if not isinstance(report, ReadReport):
        raise SegindexValueError(
            "report_of(): this frame carries no segindex read report in frame.attrs['segindex_report']; "
            "it was not made by a segindex.io reader, or an operation (concat, merge) dropped its attrs."
        )
    return report


def _attach(frame, report: ReadReport):
    frame.attrs[_KEY] = report
    return frame


def _warn(message: str) -> None:
    warnings.warn(message, DataQualityWarning, stacklevel=3)


def _label(value):
    return value.item() if isinstance(value, np.generic) else value


def _first(values, n: int = 5) -> str:
    values = [_label(v) for v in values]
    shown = ", ".join(repr(v) for v in values[:n])
    return shown + (f" and {len(values) - n} more" if len(values) > n else "")


# ----------------------------------------------------------------------------
# files


def _check_path(path, caller: str) -> Path:
    if not isinstance(path, (str, Path)):
        raise SegindexTypeError(
            f"{caller}(): the 'path' parameter must be a file path (str or pathlib.Path), "
            f"got {type(path).__name__} instead."
        )
    p = Path(path)
    if not p.exists():
        raise SegindexValueError(f"{caller}(): file {str(p)!r} does not exist. Check the path and the working directory.")
    if p.is_dir() and p.suffix.lower() not in (".gdb",):
        raise SegindexValueError(f"{caller}(): {str(p)!r} is a directory, not a file.")
    return p


def _head_lines(path: Path, n: int = 6) -> list[str]:
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            lines = []
            for _ in range(n):
                line = handle.readline()
                if not line:
                    break
                lines.append(line)
    except (UnicodeDecodeError, OSError, EOFError) as exc:
        raise SegindexValueError(
            f"cannot read {str(path)!r} as a text (CSV) file: {exc}. Is it the right file?"
        ) from None
    return lines


def _sniff(path: Path, caller: str) -> str:
    """The delimiter that splits the first lines into the same number (> 1) of fields."""
    lines = [line for line in _head_lines(path) if line.strip()]
    if not lines:
        raise SegindexValueError(f"{caller}(): file {str(path)!r} is empty.")
    best, best_fields = None, 1
    for sep in (",", "|", "\t", ";"):
        counts = {len(row) for row in csv.reader(lines, delimiter=sep)}
        if len(counts) == 1 and (n := counts.pop()) > best_fields:
            best, best_fields = sep, n
    if best is None:
        raise SegindexValueError(
            f"{caller}(): cannot find the delimiter of {str(path)!r}: no comma, pipe, tab or semicolon "
            f"splits its first lines into the same number of columns. First line: {lines[0][:120]!r}. "
            "Pass sep= if the file is a delimited table."
        )
    return best


def _read_text_table(path: Path, sep: str, caller: str, **kwargs) -> pd.DataFrame:
    try:
        return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, **kwargs)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, OSError, EOFError) as exc:
        raise SegindexValueError(
            f"{caller}(): cannot read {str(path)!r} as a {sep!r}-delimited table: {exc}"
        ) from None


def _missing_column(column, columns, what: str, caller: str, source: str) -> SegindexValueError:
    lower = {str(c).casefold(): str(c) for c in columns}
    close = [lower[c] for c in difflib.get_close_matches(str(column).casefold(), list(lower), n=3)]
    hint = f" Did you mean {close}?" if close else ""
    return SegindexValueError(
        f"{caller}(): {what} column {column!r} is not in {source}.{hint} Available columns: {list(columns)}."
    )


def _to_number(series: pd.Series, column, caller: str, source: str, ids) -> np.ndarray:
    """Strings → float64; any text that is not a number raises, naming value and row."""
    text = series.str.strip()
    values = pd.to_numeric(text, errors="coerce")
    bad = values.isna().to_numpy()
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise SegindexTypeError(
            f"{caller}(): column {column!r} of {source} must hold numbers, but row {_label(ids[first])!r} "
            f"holds {series.iloc[first]!r}. Correct the file, or read it with pandas and decide "
            "explicitly what that value means."
        )
    return values.to_numpy(dtype=np.float64)


def _check_ids(ids: pd.Series, column, caller: str, source: str) -> None:
    missing = ids.isna().to_numpy() | (ids.astype(str).str.strip() == "").to_numpy()
    if missing.any():
        raise SegindexValueError(
            f"{caller}(): the id column {column!r} of {source} is empty at row {int(np.flatnonzero(missing)[0])}; "
            "every unit needs an identifier."
        )
    dup = ids.duplicated(keep=False).to_numpy()
    if dup.any():
        values = ids[dup]
        raise SegindexValueError(
            f"{caller}(): the id column {column!r} of {source} is not unique: {_label(values.iloc[0])!r} "
            f"appears {int((ids == values.iloc[0]).sum())} times ({values.nunique()} duplicated ids in all: "
            f"{_first(values.unique())}). Each unit must appear once."
        )


# ----------------------------------------------------------------------------
# boundaries


def read_boundaries(path, id_column, *, layer=None, to_crs=None, require_projected: bool = True, repair: bool = True):
    """Read area boundaries (GeoPackage, shapefile, GeoJSON, ...) indexed by their code.

    Parameters
    ----------
    path : str or pathlib.Path
        Any vector file pyogrio can read.
    id_column : str
        Column of unique area codes (for example ``"LSOA11CD"``); it becomes
        the index.
    layer : str or int, optional
        Layer to read; required when the file holds more than one.
    to_crs : CRS, optional
        Reproject to this CRS (anything ``GeoDataFrame.to_crs`` takes, e.g.
        ``27700`` for British National Grid).
    require_projected : bool, default True
        Refuse a geographic (longitude/latitude) result: distances, areas and
        neighbours need a projected CRS. Pass ``to_crs=27700`` for British
        data, or ``False`` for maps only.
    repair : bool, default True
        Repair invalid geometries with :func:`shapely.make_valid` (keeping
        polygonal parts) and report how many; ``False`` raises instead.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by ``id_column``, with the file's other fields; the
        :class:`ReadReport` (CRS, reprojection, repairs) is in
        ``attrs["segindex_report"]``.

    Raises
    ------
    SegindexValueError
        The file is missing or unreadable; the layer is ambiguous; the id
        column is missing, has an empty value or a duplicated code; the file
        has no CRS; the CRS is geographic with ``require_projected=True``; a
        geometry is missing or empty; a geometry is invalid with
        ``repair=False``.

    Warns
    -----
    DataQualityWarning
        Invalid geometries were repaired.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import geopandas
    >>> from shapely.geometry import box
    >>> from segindex.io import read_boundaries, report_of
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> areas = geopandas.GeoDataFrame({"code": ["A", "B"]},
    ...     geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], crs=27700)
    >>> areas.to_file(tmp / "areas.gpkg")
    >>> gdf = read_boundaries(tmp / "areas.gpkg", "code")
    >>> gdf.index.tolist(), report_of(gdf).crs
    (['A', 'B'], 'EPSG:27700')
    """
    caller = "read_boundaries"
    import pyogrio
    import shapely

    path = _check_path(path, caller)
    source = repr(str(path))
    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:  # pyogrio raises its own DataSourceError types
        raise SegindexValueError(f"{caller}(): cannot read {source} as a vector file: {exc}") from None
    if layer is None and len(layers) > 1:
        raise SegindexValueError(
            f"{caller}(): {source} holds {len(layers)} layers {[str(x) for x in layers[:, 0]]}; "
            "choose one with layer=."
        )
    try:
        gdf = pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:
        raise SegindexValueError(f"{caller}(): cannot read layer {layer!r} of {source}: {exc}") from None
    if id_column not in gdf.columns or id_column == gdf.geometry.name:
        raise _missing_column(id_column, [c for c in gdf.columns if c != gdf.geometry.name], "the id", caller, source)
    if gdf.crs is None:
        raise SegindexValueError(
            f"{caller}(): {source} has no coordinate reference system (a shapefile without its .prj?). "
            "Restore it, or read the file with geopandas and set it explicitly, e.g. .set_crs(27700) "
            "for British National Grid coordinates."
        )
    _check_ids(gdf[id_column], id_column, caller, source)
    ids = gdf[id_column].to_numpy()
    geoms = gdf.geometry.to_numpy()
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.any():
        raise SegindexValueError(
            f"{caller}(): {int(empty.sum())} feature(s) of {source} have no geometry (missing or empty): "
            f"{id_column} {_first(ids[empty])}. Fix or remove them in the file (or in geopandas) so that "
            "every area has a shape."
        )
    invalid = ~shapely.is_valid(geoms)
    n_repaired = int(invalid.sum())
    if n_repaired:
        if not repair:
            first = int(np.flatnonzero(invalid)[0])
            raise SegindexValueError(
                f"{caller}(): {n_repaired} invalid geometr{'y' if n_repaired == 1 else 'ies'} in {source}, "
                f"first {id_column} {_label(ids[first])!r}: {shapely.is_valid_reason(geoms[first])}. "
                "Pass repair=True to repair them with shapely.make_valid, or fix the file."
            )
        fixed = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
        collapsed = shapely.is_empty(fixed)
        if collapsed.any():
            raise SegindexValueError(
                f"{caller}(): invalid geometr{'y' if collapsed.sum() == 1 else 'ies'} of {id_column} "
                f"{_first(ids[invalid][collapsed])} in {source} collapse to nothing when repaired "
                "(no area left); fix or remove them in the file."
            )
        geoms = geoms.copy()
        geoms[invalid] = fixed
        gdf = gdf.set_geometry(geoms, crs=gdf.crs)
        _warn(
            f"{caller}(): repaired {n_repaired} invalid geometr{'y' if n_repaired == 1 else 'ies'} in {source} "
            f"with shapely.make_valid ({id_column} {_first(ids[invalid])})."
        )
    original = gdf.crs
    reprojected = None
    if to_crs is not None:
        gdf = gdf.to_crs(to_crs)
        if gdf.crs != original:
            reprojected = original.to_string()
    if require_projected and gdf.crs.is_geographic:
        how = (
            "Pass to_crs=27700 to reproject to British National Grid (or another projected CRS), "
            "or require_projected=False for maps only."
        )
        raise SegindexValueError(
            f"{caller}(): {source} is in a geographic CRS ({gdf.crs.to_string()}, degrees of longitude and "
            f"latitude); distances and neighbours need a projected CRS in metres. {how}"
        )
    gdf = gdf.set_index(id_column)
    report = ReadReport(
        source=str(path),
        reader=caller,
        rows_read=len(ids),
        rows_kept=len(gdf),
        crs=gdf.crs.to_string(),
        reprojected_from=reprojected,
        repaired_geometries=n_repaired,
    )
    return _attach(gdf, report)


# ----------------------------------------------------------------------------
# census tables

_C2011_GROUPS = [c for c, t in CENSUS2011.items() if t is not None]
_C2021_GROUPS = [c for c, t in CENSUS2021.items() if t is not None]
_C2021_BROAD = ("white", "mixed", "asian", "black", "other")


def _c2021_members(broad: str) -> list[str]:
    return [c for c in _C2021_GROUPS if c.startswith(broad + "_")]


def read_census_table(path, *, id_column=None, total=None, groups=None, sep=None) -> pd.DataFrame:
    """Read an ONS census table of counts by group, indexed by area code.

    Understands, without arguments:

    * the 2011 extracts (``OA``/``LSOA, Persons, WhiteBrit, ...``), also gzipped;
    * the 2021 TS021 short CSV (``LSOA21CD, ..., total, asian_all, ...``);
    * the 2021 TS021 bulk file as ONS publishes it: pipe-delimited (whatever its
      name ends with), long labels such as ``"Ethnic group: Asian, Asian British
      or Asian Welsh: Pakistani"``, which are renamed to the short 2021 names
      (:data:`segindex.classification.ONS_TS021_LABELS`).

    Other tables are read too when ``groups`` (and ``total``) are given.

    Parameters
    ----------
    path : str or pathlib.Path
        A delimited text file (``.gz`` compressed or not).
    id_column : str, optional
        Area code column. Default: ``"geography code"`` in ONS bulk files, else
        the first column.
    total : str, optional
        Total column. Default: ``Persons`` (2011), ``total`` (2021).
    groups : list of str, optional
        Group columns whose sum is checked against ``total``. Default: the 15
        groups of 2011, or the 19 detailed groups of 2021 (each broad
        ``*_all`` column is then checked against its own detailed groups, and
        never added to them).
    sep : str, optional
        Delimiter; found from the first lines when not given.

    Returns
    -------
    pandas.DataFrame
        Indexed by area code; group and total columns as float64; other
        numeric columns as numbers, text columns as text. Nothing is altered:
        where groups do not add up to the total (2021 counts are perturbed by
        ONS disclosure control), the units and differences are listed in the
        report's ``mismatches`` and a :class:`~segindex.errors.DataQualityWarning`
        says how many.

    Raises
    ------
    SegindexValueError
        The file is missing, unreadable or has no recognisable delimiter; a
        named column is missing; the layout is unknown and ``groups`` was not
        given; ``groups`` mixes a broad ``*_all`` column with its detailed
        groups; area codes are empty or duplicated.
    SegindexTypeError
        A group or total column holds text that is not a number (the message
        names the value and its row).

    Examples
    --------
    >>> import tempfile, pathlib, warnings
    >>> from segindex.io import read_census_table, report_of
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (tmp / "t.psv").write_text("code|all|a|b\\nE1|10|6|4\\nE2|5|2|2\\n")
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     df = read_census_table(tmp / "t.psv", total="all", groups=["a", "b"])
    >>> caught[0].category.__name__
    'DataQualityWarning'
    >>> df
           all    a    b
    code
    E1    10.0  6.0  4.0
    E2     5.0  2.0  2.0
    >>> report_of(df).mismatches[["unit", "difference"]].values.tolist()
    [['E2', -1.0]]
    """
    caller = "read_census_table"
    path = _check_path(path, caller)
    source = repr(str(path))
    notes = []
    if sep is None:
        sep = _sniff(path, caller)
        notes.append(f"delimiter {sep!r} found from the first lines")
    raw = _read_text_table(path, sep, caller)
    if raw.shape[1] < 2:
        raise SegindexValueError(
            f"{caller}(): {source} read as a single column with delimiter {sep!r}; "
            "is the delimiter right (pass sep=) and is this a census table?"
        )
    renamed = {c: ONS_TS021_LABELS[c] for c in raw.columns if c in ONS_TS021_LABELS}
    if renamed:
        raw = raw.rename(columns=renamed)
        notes.append(f"{len(renamed)} ONS labels renamed to short 2021 names")
    columns = list(raw.columns)
    if id_column is None:
        id_column = "geography code" if "geography code" in columns else columns[0]
    elif id_column not in columns:
        raise _missing_column(id_column, columns, "the id", caller, source)
    broad_checks = []
    if groups is None:
        if set(_C2011_GROUPS) <= set(columns):
            groups, default_total = _C2011_GROUPS, "Persons"
        elif set(_C2021_GROUPS) <= set(columns):
            groups, default_total = _C2021_GROUPS, "total"
            broad_checks = [b for b in _C2021_BROAD if f"{b}_all" in columns]
        else:
            raise SegindexValueError(
                f"{caller}(): {source} is not a known census layout (2011 extract, 2021 TS021); "
                f"name its group columns with groups=[...] (and total=). Columns: {columns}."
            )
        if total is None and default_total in columns:
            total = default_total
    else:
        if isinstance(groups, str):
            raise SegindexTypeError(f"{caller}(): groups must be a list of column names, got the string {groups!r}.")
        groups = list(groups)
        for g in groups:
            if g not in columns:
                raise _missing_column(g, columns, "the group", caller, source)
        for b in _C2021_BROAD:
            if f"{b}_all" in groups and any(g in groups for g in _c2021_members(b)):
                raise SegindexValueError(
                    f"{caller}(): groups include the broad total '{b}_all' and its detailed groups "
                    f"{[g for g in groups if g in _c2021_members(b)]}: the people would be counted twice. "
                    "Use either the broad or the detailed columns."
                )
    if total is not None and total not in columns:
        raise _missing_column(total, columns, "the total", caller, source)
    _check_ids(raw[id_column], id_column, caller, source)
    ids = raw[id_column].to_numpy()
    out = raw.set_index(id_column)
    numeric = list(groups) + ([total] if total is not None else [])
    numeric += [f"{b}_all" for b in broad_checks if f"{b}_all" not in numeric]
    for column in out.columns:
        if column in numeric:
            out[column] = _to_number(out[column], column, caller, source, ids)
        else:
            converted = pd.to_numeric(out[column].str.strip(), errors="coerce")
            if converted.notna().all():
                out[column] = converted
    checks = []
    if total is not None:
        checks.append((f"{' + '.join(groups) if len(groups) <= 3 else 'groups'} vs {total}", list(groups), total))
    for b in broad_checks:
        checks.append((f"{b}_* vs {b}_all", _c2021_members(b), f"{b}_all"))
    frames = []
    for name, parts_cols, total_col in checks:
        parts = out[parts_cols].to_numpy().sum(axis=1)
        tot = out[total_col].to_numpy()
        bad = parts != tot
        if bad.any():
            frames.append(
                pd.DataFrame(
                    {"unit": out.index[bad], "check": name, "parts": parts[bad], "total": tot[bad],
                     "difference": parts[bad] - tot[bad]}
                )
            )
    mismatches = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame({"unit": [], "check": [], "parts": [], "total": [], "difference": []})
    )
    if len(mismatches):
        _warn(
            f"{caller}(): in {source} the groups do not add up to their total in {len(mismatches)} case(s) "
            f"({mismatches['unit'].nunique()} units; largest |difference| "
            f"{float(mismatches['difference'].abs().max()):g}). Nothing was changed; see "
            "segindex.io.report_of(frame).mismatches."
        )
    report = ReadReport(
        source=str(path), reader=caller, rows_read=len(raw), rows_kept=len(out), mismatches=mismatches,
        notes=tuple(notes),
    )
    return _attach(out, report)


# ----------------------------------------------------------------------------
# school census

_SCHOOL_IDS = (
    "la_name",
    "new_la_code",
    "old_la_code",
    "phase_type_grouping",
    "typeofestablishment_name",
    "school_name",
    "school_postcode",
)


def _parse_codes(text: pd.Series) -> pd.Series:
    """A column of codes such as '380.0' or '202223.0' → nullable integers when every value is whole."""
    stripped = text.str.strip()
    blank = stripped == ""
    values = pd.to_numeric(stripped.mask(blank), errors="coerce")
    if (values.isna() & ~blank).any():
        return text.mask(blank)
    finite = values.dropna()
    if len(finite) and (finite == np.floor(finite)).all():
        return values.astype("Int64")
    return values


def _filter_values(value, name: str, caller: str) -> list:
    if value is None:
        return []
    if isinstance(value, (str, int, np.integer)):
        return [value]
    try:
        values = list(value)
    except TypeError:
        raise SegindexTypeError(
            f"{caller}(): the {name!r} parameter must be a string or a list of strings, got {type(value).__name__}."
        ) from None
    if not values:
        raise SegindexValueError(f"{caller}(): the {name!r} parameter is an empty list; pass None for no filter.")
    return values


def read_school_census(path, *, phase=None, la=None, state_funded=None, groups: str = "short") -> pd.DataFrame:
    """Read the DfE school-level pupils-by-ethnicity file, indexed by URN.

    The file is the "Schools, pupils and their characteristics" school-level
    ethnicity table (``spc_*_school_ethnicity*.csv``), or its geocoded
    extracts with ``pqi, easting, northing``.

    Parameters
    ----------
    path : str or pathlib.Path
        The CSV file.
    phase : str or list of str, optional
        Keep only schools of these phases: keys of :data:`PHASES`
        (``"nursery", "primary", "secondary", "special", "alternative
        provision", "independent"``) or exact ``phase_type_grouping`` values.
        ``"primary"`` and ``"secondary"`` are the state-funded mainstream
        schools: the DfE file gives independent schools no phase.
    la : str or list, optional
        Keep only these local authorities, each given by name (``"Bradford"``,
        any case), new code (``"E08000032"``) or old code (``380``).
    state_funded : bool, optional
        ``True`` keeps, ``False`` drops, the state-funded schools. The rule:
        a school is state-funded when its ``phase_type_grouping`` starts with
        ``"State-funded"`` (LA-maintained schools, academies, free schools,
        LA nursery schools, pupil referral units and AP); independent schools
        and non-maintained special schools are not.
    groups : {"short", "original"}, default "short"
        Name the count columns with the short names of
        :data:`segindex.classification.SCHOOL_CENSUS_COLUMNS` (``headcount``,
        ``white_british``, ..., ``unclassified``), the keys of
        :data:`segindex.classification.SCHOOL_CENSUS`; or keep the DfE headers.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``urn``; identifiers first (``la_name, new_la_code,
        old_la_code, phase_type_grouping, typeofestablishment_name,
        school_name, school_postcode``, then the other descriptive columns and
        ``pqi, easting, northing`` when present), then ``headcount`` and the
        19 group columns as float64. Code-like numbers written ``380.0``
        become integers.

    Notes
    -----
    DfE codes in count cells (:data:`DFE_MISSING_CODES`: ``z`` not
    applicable, ``c`` suppressed, ``x``, ``:``, ``..`` not available, and
    blank cells) become NaN: never zero. The number of such cells per code and
    column is in the report's ``missing_cells``, rows with any missing count are
    kept and counted in ``rows_with_missing``, and a
    :class:`~segindex.errors.DataQualityWarning` says how many. Any other text
    in a count column is an error. Rows removed by ``phase``, ``la`` and
    ``state_funded`` are counted in ``excluded``. Schools whose groups plus
    unclassified pupils do not add up to the headcount are listed in
    ``mismatches``.

    Raises
    ------
    SegindexValueError
        The file is missing or unreadable; a count column or ``urn`` is
        missing; URNs are duplicated; a filter value matches nothing in the
        file; a count is negative or not a whole number.
    SegindexTypeError
        A count cell holds text that is neither a number nor a DfE code.

    Examples
    --------
    >>> import tempfile, pathlib, warnings
    >>> from segindex.classification import SCHOOL_CENSUS_COLUMNS
    >>> from segindex.io import read_school_census, report_of
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> header = ["urn", "la_name", "new_la_code", "old_la_code", "phase_type_grouping"]
    >>> header += list(SCHOOL_CENSUS_COLUMNS)
    >>> rows = [["1", "Bradford", "E08000032", "380.0", "State-funded primary", "10.0"] + ["1"] * 10
    ...         + ["0"] * 9, ["2", "Bradford", "E08000032", "380.0", "Independent school", "5.0"] + ["z"] * 19]
    >>> _ = (tmp / "s.csv").write_text("\\n".join(",".join(r) for r in [header] + rows))
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     df = read_school_census(tmp / "s.csv")
    >>> df[["old_la_code", "headcount", "white_british", "unclassified"]]
         old_la_code  headcount  white_british  unclassified
    urn
    1            380       10.0            1.0           0.0
    2            380        5.0            NaN           NaN
    >>> report_of(df).missing_cells["z"]["white_british"], report_of(df).rows_with_missing
    (1, 1)
    """
    caller = "read_school_census"
    if groups not in ("short", "original"):
        raise SegindexValueError(f"{caller}(): groups must be 'short' or 'original', got {groups!r}.")
    if state_funded not in (None, True, False):
        raise SegindexTypeError(f"{caller}(): state_funded must be True, False or None, got {state_funded!r}.")
    path = _check_path(path, caller)
    source = repr(str(path))
    sep = _sniff(path, caller)
    raw = _read_text_table(path, sep, caller)
    columns = list(raw.columns)
    for column in ["urn", *SCHOOL_CENSUS_COLUMNS]:
        if column not in columns:
            raise _missing_column(column, columns, "the school census", caller, source)
    _check_ids(raw["urn"], "urn", caller, source)
    urn = _parse_codes(raw["urn"])
    index = pd.Index(urn, name="urn")
    rows_read = len(raw)
    keep = np.ones(rows_read, dtype=bool)
    excluded = {}
    phases = raw["phase_type_grouping"].str.strip() if "phase_type_grouping" in columns else None

    def need_phase(name):
        if phases is None:
            raise _missing_column("phase_type_grouping", columns, f"the {name} filter's", caller, source)

    wanted = _filter_values(phase, "phase", caller)
    if wanted:
        need_phase("phase")
        allowed = set()
        present = set(phases.unique())
        for value in wanted:
            key = str(value).strip()
            if key.lower() in PHASES:
                allowed.update(PHASES[key.lower()])
            elif key in present:
                allowed.add(key)
            else:
                raise SegindexValueError(
                    f"{caller}(): phase {value!r} is not known. Use one of {list(PHASES)} or a "
                    f"phase_type_grouping value of {source}: {sorted(present)}."
                )
        mask = phases.isin(allowed).to_numpy()
        excluded["phase"] = int((keep & ~mask).sum())
        keep &= mask
    wanted = _filter_values(la, "la", caller)
    if wanted:
        mask = np.zeros(rows_read, dtype=bool)
        names = raw["la_name"].str.strip().str.casefold() if "la_name" in columns else None
        new = raw["new_la_code"].str.strip().str.upper() if "new_la_code" in columns else None
        old = _parse_codes(raw["old_la_code"]) if "old_la_code" in columns else None
        for value in wanted:
            text = str(value).strip()
            hit = np.zeros(rows_read, dtype=bool)
            if names is not None:
                hit |= (names == text.casefold()).to_numpy()
            if new is not None:
                hit |= (new == text.upper()).to_numpy()
            if old is not None and text.replace(".0", "").isdigit():
                hit |= (old == int(float(text))).fillna(False).to_numpy(dtype=bool)
            if not hit.any():
                options = sorted(raw["la_name"].unique()) if "la_name" in columns else []
                close = difflib.get_close_matches(text, options, n=3)
                hint = f" Did you mean {close}?" if close else ""
                raise SegindexValueError(
                    f"{caller}(): local authority {value!r} matches no school in {source} by name "
                    f"(la_name), new code (new_la_code) or old code (old_la_code).{hint}"
                )
            mask |= hit
        excluded["la"] = int((keep & ~mask).sum())
        keep &= mask
    if state_funded is not None:
        need_phase("state_funded")
        is_state = phases.str.startswith("State-funded").to_numpy()
        mask = is_state if state_funded else ~is_state
        excluded["state_funded" if not state_funded else "not state_funded"] = int((keep & ~mask).sum())
        keep &= mask
    data = raw.loc[keep].reset_index(drop=True)
    index = index[keep]
    ids = index.to_numpy()
    # counts: DfE codes → NaN, explicitly and counted
    missing_cells: dict[str, dict[str, int]] = {}
    counts = {}
    for column, short in SCHOOL_CENSUS_COLUMNS.items():
        text = data[column].str.strip()
        is_code = text.isin(list(DFE_MISSING_CODES))
        for code, n in text[is_code].value_counts().items():
            missing_cells.setdefault(code, {})[short] = int(n)
        values = pd.to_numeric(text.mask(is_code), errors="coerce")
        bad = (values.isna() & ~is_code).to_numpy()
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise SegindexTypeError(
                f"{caller}(): column {column!r} of {source} must hold counts or a DfE code "
                f"({', '.join(repr(c) for c in DFE_MISSING_CODES if c)}), but school urn {_label(ids[first])!r} "
                f"holds {data[column].iloc[first]!r}."
            )
        array = values.to_numpy(dtype=np.float64)
        wrong = ~np.isnan(array) & ((array < 0) | (array != np.floor(array)))
        if wrong.any():
            first = int(np.flatnonzero(wrong)[0])
            raise SegindexValueError(
                f"{caller}(): column {column!r} of {source} holds {data[column].iloc[first]!r} at school urn "
                f"{_label(ids[first])!r}; pupil counts must be whole and non-negative."
            )
        counts[short if groups == "short" else column] = array
    missing_cells = {code: missing_cells[code] for code in DFE_MISSING_CODES if code in missing_cells}
    counts = pd.DataFrame(counts, index=index)
    any_missing = counts.isna().any(axis=1).to_numpy()
    # descriptive columns, identifiers first
    rest = [c for c in data.columns if c not in SCHOOL_CENSUS_COLUMNS and c != "urn"]
    order = [c for c in _SCHOOL_IDS if c in rest] + [c for c in rest if c not in _SCHOOL_IDS]
    described = {}
    for column in order:
        text = data[column]
        if column in ("easting", "northing"):
            values = pd.to_numeric(text.str.strip().mask(text.str.strip() == ""), errors="coerce")
            described[column] = values.to_numpy(dtype=np.float64)
        elif column in ("time_period", "laestab", "old_la_code", "estab", "pqi"):
            described[column] = _parse_codes(text).array
        else:
            described[column] = text.mask(text.str.strip() == "").array
    out = pd.concat([pd.DataFrame(described, index=index), counts], axis=1)
    head = counts.columns[0]
    parts = counts.iloc[:, 1:].to_numpy().sum(axis=1)
    total = counts[head].to_numpy()
    bad = ~any_missing & (parts != total)
    mismatches = pd.DataFrame(
        {"unit": index[bad], "check": "groups + unclassified vs headcount", "parts": parts[bad],
         "total": total[bad], "difference": parts[bad] - total[bad]}
    )
    n_cells = sum(sum(c.values()) for c in missing_cells.values())
    if n_cells:
        by_code = ", ".join(f"{sum(c.values())} {code!r}" for code, c in missing_cells.items())
        _warn(
            f"{caller}(): {n_cells} count cells in {source} hold DfE codes ({by_code}) and were made "
            f"missing (NaN, not zero); {int(any_missing.sum())} schools have missing counts and were kept. "
            "See segindex.io.report_of(frame)."
        )
    if len(mismatches):
        _warn(
            f"{caller}(): {len(mismatches)} schools in {source} have group counts that do not add up to their "
            "headcount; nothing was changed. See segindex.io.report_of(frame).mismatches."
        )
    report = ReadReport(
        source=str(path), reader=caller, rows_read=rows_read, rows_kept=len(out), excluded=excluded,
        missing_cells=missing_cells, rows_with_missing=int(any_missing.sum()), mismatches=mismatches,
        notes=(f"delimiter {sep!r}",) if sep != "," else (),
    )
    return _attach(out, report)


# ----------------------------------------------------------------------------
# postcodes

_CODEPOINT = [
    "postcode",
    "positional_quality_indicator",
    "easting",
    "northing",
    "country_code",
    "nhs_regional_ha_code",
    "nhs_ha_code",
    "admin_county_code",
    "admin_district_code",
    "admin_ward_code",
]


def _postcode_key(series: pd.Series) -> pd.Series:
    """Upper case with every space removed: 'bd1 1aa', 'BD11AA', 'BD1  1AA' → 'BD11AA'."""
    return series.astype("string").str.upper().str.replace(r"\s+", "", regex=True)


def _read_lookup(lookup, caller: str):
    if isinstance(lookup, (list, tuple)):
        # Code-Point Open ships one CSV per postcode area: read each, then stack them
        if not lookup:
            raise SegindexValueError(f"{caller}(): the list of lookup files is empty; give at least one.")
        parts = [_read_lookup(item, caller) for item in lookup]
        return pd.concat([p[0] for p in parts], ignore_index=True), ", ".join(p[1] for p in parts)
    if isinstance(lookup, pd.DataFrame):
        for column in ("postcode", "easting", "northing"):
            if column not in lookup.columns:
                raise _missing_column(column, list(lookup.columns), "the lookup", caller, "the lookup table")
        return lookup[["postcode", "easting", "northing"]], "<DataFrame>"
    path = _check_path(lookup, caller)
    source = repr(str(path))
    lines = _head_lines(path, 1)
    if not lines:
        raise SegindexValueError(f"{caller}(): lookup file {source} is empty.")
    first = next(csv.reader(lines))
    if len(first) < 4:
        raise SegindexValueError(
            f"{caller}(): lookup file {source} is not a Code-Point Open style CSV (postcode, quality, "
            f"easting, northing, ...): its first line has {len(first)} field(s): {lines[0][:120]!r}."
        )
    header = pd.to_numeric(pd.Series(first[2:4]), errors="coerce").isna().any()
    try:
        table = pd.read_csv(
            path, header=0 if header else None, usecols=[0, 2, 3], dtype={0: str} if not header else None,
            keep_default_na=False,
        )
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise SegindexValueError(f"{caller}(): cannot read lookup file {source}: {exc}") from None
    table.columns = ["postcode", "easting", "northing"]
    return table, str(path)


def geocode_postcodes(table, lookup, *, postcode_column: str = "school_postcode", crs=27700):
    """Place units at their postcode centroid.

    Parameters
    ----------
    table : pandas.DataFrame
        Units with a postcode column (for example the frame of
        :func:`read_school_census`).
    lookup : str, pathlib.Path, pandas.DataFrame, or a list of them
        An OS Code-Point Open style CSV (no header; ``postcode,
        positional_quality_indicator, easting, northing, ...``; a header line is
        detected and skipped) or a DataFrame with ``postcode, easting,
        northing`` columns. A list (Code-Point Open comes as one file per
        postcode area, e.g. ``bd.csv`` and ``ls.csv``) is read as one
        lookup. Lookup rows at (0, 0), Code-Point's mark of a postcode
        without coordinates (quality 90), are not locations: such postcodes
        count as unmatched.
    postcode_column : str, default "school_postcode"
        Column of ``table`` holding the postcodes.
    crs : CRS, default 27700
        CRS of the lookup's eastings and northings (British National Grid).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``table`` (same index and columns) with point geometries.
        Postcodes are matched ignoring case and spaces (``"bd1 1aa"``,
        ``"BD11AA"`` and ``"BD1  1AA"`` are the same). **Rows whose postcode is
        missing or not in the lookup are kept, with a missing (None) geometry**,
        so no school and no pupil is lost; they are listed (by index label) in
        the report's ``unmatched`` and a
        :class:`~segindex.errors.DataQualityWarning` says how many.
        :func:`join_to_areas` reports them again as joining no area.

    Raises
    ------
    SegindexValueError
        The postcode column or a lookup column is missing; the lookup file is
        missing or not of the expected form; the lookup gives one postcode two
        different locations.

    Examples
    --------
    >>> import pandas as pd
    >>> from segindex.io import geocode_postcodes
    >>> lookup = pd.DataFrame({"postcode": ["BD1 1AA", "BD1 1AB"],
    ...                        "easting": [416000.0, 416100.0], "northing": [433000.0, 433050.0]})
    >>> schools = pd.DataFrame({"school_postcode": ["bd11ab", "BD1  1AA"]}, index=[101, 102])
    >>> pts = geocode_postcodes(schools, lookup)
    >>> pts.geometry.x.tolist(), pts.crs.to_epsg()
    ([416100.0, 416000.0], 27700)
    """
    caller = "geocode_postcodes"
    import geopandas

    if not isinstance(table, pd.DataFrame):
        raise SegindexTypeError(f"{caller}(): table must be a pandas DataFrame, got {type(table).__name__}.")
    if postcode_column not in table.columns:
        raise _missing_column(postcode_column, list(table.columns), "the postcode", caller, "the table")
    if "geometry" in table.columns or isinstance(table, geopandas.GeoDataFrame):
        raise SegindexValueError(
            f"{caller}(): the table already has a geometry; geocoding would replace it. Pass a plain "
            "DataFrame (for example pd.DataFrame(table.drop(columns=table.geometry.name)))."
        )
    lut, source = _read_lookup(lookup, caller)
    keys = _postcode_key(lut["postcode"])
    try:
        east = pd.to_numeric(lut["easting"]).to_numpy(dtype=np.float64)
        north = pd.to_numeric(lut["northing"]).to_numpy(dtype=np.float64)
    except (ValueError, TypeError) as exc:
        raise SegindexValueError(f"{caller}(): eastings/northings of lookup {source!r} are not numbers: {exc}") from None
    frame = pd.DataFrame({"key": keys.to_numpy(), "e": east, "n": north}).drop_duplicates()
    # Code-Point Open writes 0, 0 for postcodes it cannot locate (quality 90): not a location
    nowhere = ((frame["e"] == 0) & (frame["n"] == 0)) | frame["e"].isna() | frame["n"].isna()
    frame = frame[~nowhere.to_numpy()]
    dup = frame["key"].duplicated(keep=False).to_numpy()
    if dup.any():
        raise SegindexValueError(
            f"{caller}(): lookup {source!r} gives postcode {frame['key'].to_numpy()[dup][0]!r} more than one "
            "location; keep one row per postcode."
        )
    frame = frame.set_index("key")
    wanted = _postcode_key(table[postcode_column])
    e = frame["e"].reindex(wanted.to_numpy()).to_numpy()
    n = frame["n"].reindex(wanted.to_numpy()).to_numpy()
    found = ~np.isnan(e)
    points = geopandas.points_from_xy(e, n)
    geometry = np.where(found, np.asarray(points, dtype=object), None)
    out = geopandas.GeoDataFrame(table.copy(), geometry=list(geometry), crs=crs)
    out.attrs = {}
    unmatched = tuple(_label(u) for u in table.index[~found])
    if unmatched:
        codes = table[postcode_column].to_numpy()[~found]
        _warn(
            f"{caller}(): {len(unmatched)} of {len(table)} postcodes were not found in the lookup "
            f"({_first(codes)}); those rows are kept with a missing geometry. "
            "See segindex.io.report_of(frame).unmatched."
        )
    report = ReadReport(
        source=source, reader=caller, rows_read=len(table), rows_kept=len(out), unmatched=unmatched,
        crs=out.crs.to_string(), notes=(f"{int(found.sum())} of {len(table)} postcodes located",),
    )
    return _attach(out, report)


# ----------------------------------------------------------------------------
# joins


def join_to_areas(units, areas, *, area_column=None, code_column=None, how: str = "within"):
    """Add to every unit the key of the area it lies in (or whose code it carries).

    Parameters
    ----------
    units : geopandas.GeoDataFrame or pandas.DataFrame
        Units to place: points (schools) for a spatial join; any frame with
        ``code_column`` for a join by code.
    areas : geopandas.GeoDataFrame or pandas.DataFrame
        The areas, keyed by their index (as :func:`read_boundaries` returns
        them) or by ``area_column``.
    area_column : str, optional
        Column of ``areas`` holding the key. Default: the index of ``areas``.
        The new column of the result has this name (default: the index name,
        or ``"area"``).
    code_column : str, optional
        Column of ``units`` holding area codes: join by code instead of by
        location (``how="code"`` is then implied).
    how : {"within", "intersects", "code"}, default "within"
        Spatial predicate of :func:`geopandas.sjoin` (a point on the boundary
        of two areas is within neither but intersects both), or a join by
        ``code_column``.

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        A copy of ``units`` with the area key column added. Units that join no
        area, or more than one, get a missing key (never a guessed one); they
        are listed in the report's ``unmatched`` (by unit label), the reason in
        ``excluded``, and a :class:`~segindex.errors.DataQualityWarning` says
        how many.

    Raises
    ------
    SegindexValueError
        Different CRSs (reproject one with ``.to_crs``); a missing column; the
        new column already exists in ``units``; area keys are duplicated; an
        unknown ``how``.
    SegindexTypeError
        A spatial join without GeoDataFrames.

    Examples
    --------
    >>> import geopandas, pandas as pd
    >>> from shapely.geometry import Point, box
    >>> from segindex.io import join_to_areas
    >>> areas = geopandas.GeoDataFrame(geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)],
    ...     index=pd.Index(["A", "B"], name="code"), crs=27700)
    >>> schools = geopandas.GeoDataFrame({"n": [1, 2]}, geometry=[Point(5, 5), Point(15, 5)], crs=27700)
    >>> join_to_areas(schools, areas)["code"].tolist()
    ['A', 'B']
    """
    caller = "join_to_areas"
    import geopandas

    if how not in ("within", "intersects", "code"):
        raise SegindexValueError(f"{caller}(): how must be 'within', 'intersects' or 'code', got {how!r}.")
    if code_column is not None:
        how = "code"
    if not isinstance(units, pd.DataFrame) or not isinstance(areas, pd.DataFrame):
        raise SegindexTypeError(f"{caller}(): units and areas must be DataFrames or GeoDataFrames.")
    if area_column is not None:
        if area_column not in areas.columns:
            raise _missing_column(area_column, list(areas.columns), "the area", caller, "the areas table")
        keys = pd.Index(areas[area_column])
        name = area_column
    else:
        keys = areas.index
        name = areas.index.name if areas.index.name is not None else "area"
    if keys.has_duplicates:
        raise SegindexValueError(
            f"{caller}(): area key {_label(keys[keys.duplicated()][0])!r} appears more than once in the areas; "
            "each area must have one key."
        )
    if name in units.columns:
        raise SegindexValueError(
            f"{caller}(): units already have a column {name!r}; rename it or pass area_column= to choose "
            "another name."
        )
    if how == "code":
        if code_column is None:
            raise SegindexValueError(f"{caller}(): how='code' needs code_column= (the units' column of area codes).")
        if code_column not in units.columns:
            raise _missing_column(code_column, list(units.columns), "the code", caller, "the units table")
        codes = units[code_column]
        hit = codes.isin(keys).to_numpy()
        key = codes.where(hit)
        n_hits = hit.astype(int)
    else:
        if not isinstance(units, geopandas.GeoDataFrame) or not isinstance(areas, geopandas.GeoDataFrame):
            raise SegindexTypeError(
                f"{caller}(): a spatial join (how={how!r}) needs GeoDataFrames for units and areas; "
                "use geocode_postcodes to place units, or code_column= to join by code."
            )
        if units.crs is None or areas.crs is None or units.crs != areas.crs:
            raise SegindexValueError(
                f"{caller}(): units and areas must share one CRS, got units {getattr(units.crs, 'to_string', lambda: None)()} "
                f"and areas {getattr(areas.crs, 'to_string', lambda: None)()}. Reproject one, e.g. "
                "units.to_crs(areas.crs) (EPSG:27700 for Britain)."
            )
        left = geopandas.GeoDataFrame(
            {"_pos": np.arange(len(units))}, geometry=units.geometry.to_numpy(), crs=units.crs
        )
        right = geopandas.GeoDataFrame({"_key": keys.to_numpy()}, geometry=areas.geometry.to_numpy(), crs=areas.crs)
        left = left[~(left.geometry.isna() | left.geometry.is_empty)]
        joined = geopandas.sjoin(left, right, how="inner", predicate=how)
        n_hits = np.bincount(joined["_pos"].to_numpy(), minlength=len(units))
        first = joined.drop_duplicates("_pos").set_index("_pos")["_key"]
        key = pd.Series(first.reindex(np.arange(len(units))).to_numpy(), index=units.index)
        key = key.where(n_hits == 1)
    out = units.copy()
    out.attrs = {}
    out[name] = key.to_numpy()
    none = n_hits == 0
    many = n_hits > 1
    excluded = {}
    if none.any():
        excluded["in no area" if how != "code" else "code not among the areas"] = int(none.sum())
    if many.any():
        excluded["in more than one area"] = int(many.sum())
    unmatched = tuple(_label(u) for u in units.index[none | many])
    if unmatched:
        _warn(
            f"{caller}(): {len(unmatched)} of {len(units)} units joined no area or more than one "
            f"({', '.join(f'{k}: {v}' for k, v in excluded.items())}: {_first(unmatched)}); "
            f"their {name!r} is missing. See segindex.io.report_of(frame)."
        )
    report = ReadReport(
        source="<DataFrame>", reader=caller, rows_read=len(units), rows_kept=len(out), excluded=excluded,
        unmatched=unmatched, crs=None if how == "code" else units.crs.to_string(),
    )
    return _attach(out, report)
