"""What every reader shares: the read report, file checks and message helpers."""

from __future__ import annotations

import csv
import difflib
import gzip
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataQualityWarning, SegindexTypeError, SegindexValueError

REPORT_KEY = "segindex_report"

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
    report = getattr(frame, "attrs", {}).get(REPORT_KEY)
    if not isinstance(report, ReadReport):
        raise SegindexValueError(
            "report_of(): this frame carries no segindex read report in frame.attrs['segindex_report']; "
            "it was not made by a segindex.io reader, or an operation (concat, merge) dropped its attrs."
        )
    return report


def attach_report(frame, report: ReadReport):
    frame.attrs[REPORT_KEY] = report
    return frame


def warn_quality(message: str) -> None:
    warnings.warn(message, DataQualityWarning, stacklevel=3)


def plain_label(value):
    return value.item() if isinstance(value, np.generic) else value


def first_few(values, n: int = 5) -> str:
    values = [plain_label(v) for v in values]
    shown = ", ".join(repr(v) for v in values[:n])
    return shown + (f" and {len(values) - n} more" if len(values) > n else "")


# ----------------------------------------------------------------------------
# files


def check_path(path, caller: str) -> Path:
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


def head_lines(path: Path, n: int = 6) -> list[str]:
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


def sniff_delimiter(path: Path, caller: str) -> str:
    """The delimiter that splits the first lines into the same number (> 1) of fields."""
    lines = [line for line in head_lines(path) if line.strip()]
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


def read_text_table(path: Path, sep: str, caller: str, **kwargs) -> pd.DataFrame:
    try:
        return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, **kwargs)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, OSError, EOFError) as exc:
        raise SegindexValueError(
            f"{caller}(): cannot read {str(path)!r} as a {sep!r}-delimited table: {exc}"
        ) from None


def missing_column_error(column, columns, what: str, caller: str, source: str) -> SegindexValueError:
    lower = {str(c).casefold(): str(c) for c in columns}
    close = [lower[c] for c in difflib.get_close_matches(str(column).casefold(), list(lower), n=3)]
    hint = f" Did you mean {close}?" if close else ""
    return SegindexValueError(
        f"{caller}(): {what} column {column!r} is not in {source}.{hint} Available columns: {list(columns)}."
    )


def to_number(series: pd.Series, column, caller: str, source: str, ids) -> np.ndarray:
    """Strings → float64; any text that is not a number raises, naming value and row."""
    text = series.str.strip()
    values = pd.to_numeric(text, errors="coerce")
    bad = values.isna().to_numpy()
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise SegindexTypeError(
            f"{caller}(): column {column!r} of {source} must hold numbers, but row {plain_label(ids[first])!r} "
            f"holds {series.iloc[first]!r}. Correct the file, or read it with pandas and decide "
            "explicitly what that value means."
        )
    return values.to_numpy(dtype=np.float64)


def check_ids(ids: pd.Series, column, caller: str, source: str) -> None:
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
            f"{caller}(): the id column {column!r} of {source} is not unique: {plain_label(values.iloc[0])!r} "
            f"appears {int((ids == values.iloc[0]).sum())} times ({values.nunique()} duplicated ids in all: "
            f"{first_few(values.unique())}). Each unit must appear once."
        )
