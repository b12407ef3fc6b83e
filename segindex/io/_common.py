"""What every reader shares: the read report, file checks and message helpers."""

from __future__ import annotations

import codecs
import csv
import difflib
import gzip
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataQualityWarning, SegindexTypeError, SegindexValueError, first_few

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
            lines.append(f"  {len(self.unmatched)} unmatched: {first_few(self.unmatched, limit=10)}")
        if self.mismatches is not None and len(self.mismatches):
            worst = float(self.mismatches["difference"].abs().max())
            lines.append(
                f"  {len(self.mismatches)} group sums differ from their total (largest |difference| {worst:g})"
            )
        lines.extend(f"  {note}" for note in self.notes)
        return "\n".join(lines)


def report_of(frame: pd.DataFrame) -> ReadReport:
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


def attach_report(frame: pd.DataFrame, report: ReadReport) -> pd.DataFrame:
    frame.attrs[REPORT_KEY] = report
    return frame


def warn_quality(message: str) -> None:
    warnings.warn(message, DataQualityWarning, stacklevel=3)


def plain_label(value):
    return value.item() if isinstance(value, np.generic) else value


# ----------------------------------------------------------------------------
# files: what they are before what they hold

_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and other old Office files
_EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TABLE_SUFFIXES = (".csv", ".tsv", ".psv", ".txt")


def check_path(path, caller: str) -> Path:
    if not isinstance(path, (str, Path)):
        raise SegindexTypeError(
            f"{caller}(): the 'path' parameter must be a file path (str or pathlib.Path), "
            f"got {type(path).__name__} instead."
        )
    p = Path(path)
    if not p.exists():
        raise SegindexValueError(
            f"{caller}(): file {str(p)!r} does not exist. Check the path and the working directory."
        )
    if p.is_dir() and p.suffix.lower() not in (".gdb",):
        raise SegindexValueError(f"{caller}(): {str(p)!r} is a directory, not a file.")
    return p


def check_encoding(encoding, caller: str) -> str:
    """A known text encoding name, or raise naming the parameter."""
    if not isinstance(encoding, str):
        raise SegindexTypeError(
            f"{caller}(): the 'encoding' parameter must be the name of a text encoding such as 'utf-8' or "
            f"'cp1252', got {type(encoding).__name__} instead."
        )
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise SegindexValueError(
            f"{caller}(): encoding {encoding!r} is not a known text encoding; use for example 'utf-8', "
            "'cp1252' (Windows, Excel) or 'latin-1'."
        ) from None
    return encoding


def magic(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(8)


def excel_kind(path: Path) -> str | None:
    """'an Excel workbook (.xlsx)' and the like when the file is a spreadsheet, whatever its name; else None."""
    head = magic(path)
    if head.startswith(_OLE_MAGIC):
        return "an Excel 97-2003 workbook (.xls)"
    if head.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError):
            names = []
        if any(n.startswith("xl/") for n in names):
            return "an Excel workbook (.xlsx)"
        if "content.xml" in names:
            return "an OpenDocument spreadsheet (.ods)"
    if path.suffix.lower() in _EXCEL_SUFFIXES:
        return f"a spreadsheet ({path.suffix.lower()})"
    return None


def check_text_file(path: Path, caller: str) -> None:
    """Refuse spreadsheets and other archives before trying to read a delimited text file."""
    source = repr(str(path))
    kind = excel_kind(path)
    if kind is not None:
        raise SegindexValueError(
            f"{caller}(): {source} is {kind}, not a CSV (delimited text) file. Save it as CSV from the "
            "spreadsheet program (File > Save As > CSV UTF-8) and pass that file, or read it with "
            "pandas.read_excel and use the frame directly (to_common and every index take a DataFrame)."
        )
    if magic(path).startswith(_ZIP_MAGIC):
        raise SegindexValueError(
            f"{caller}(): {source} is a ZIP archive, not a CSV (delimited text) file: unzip it and pass the "
            "CSV file inside."
        )


def compression_of(path: Path) -> str | None:
    """'gzip' when the file is gzip-compressed (by its content, not its name)."""
    return "gzip" if magic(path).startswith(_GZIP_MAGIC) else None


def corrupt_gzip_error(path: Path, exc: BaseException, caller: str) -> SegindexValueError:
    return SegindexValueError(
        f"{caller}(): {str(path)!r} is a truncated or corrupt gzip file ({str(exc) or type(exc).__name__}). "
        "Download or copy it again (gzip -t checks a file); a complete file decompresses without error."
    )


def _first_undecodable(path: Path, encoding: str) -> tuple[int, bytes]:
    """(line number, line bytes) of the first line that is not valid in ``encoding``; (0, b'') if none."""
    opener = gzip.open if compression_of(path) else open
    with opener(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode(encoding)
            except UnicodeDecodeError:
                return number, line
    return 0, b""


def encoding_error(path: Path, encoding: str, caller: str) -> SegindexValueError:
    """A message saying where the text stops being ``encoding`` and which encoding= to pass."""
    try:
        number, line = _first_undecodable(path, encoding)
    except (OSError, EOFError, zlib.error) as exc:
        return corrupt_gzip_error(path, exc, caller)
    where = ""
    suggestion = "cp1252"
    if number:
        try:
            text = line.decode("cp1252").rstrip("\r\n")
        except UnicodeDecodeError:
            suggestion, text = "latin-1", line.decode("latin-1").rstrip("\r\n")
        where = f" (first at line {number}: {text[:80]!r} read as {suggestion})"
    return SegindexValueError(
        f"{caller}(): {str(path)!r} is not {encoding} text{where}. It is probably Windows-1252 or Latin-1, "
        f"as Excel and older tools save CSV: pass encoding={suggestion!r} (or encoding='latin-1'), or "
        "re-save the file as CSV UTF-8."
    )


def head_lines(path: Path, n: int = 6, *, encoding: str = "utf-8", caller: str = "read") -> list[str]:
    opener = gzip.open if compression_of(path) else open
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"
    lines = []
    try:
        with opener(path, "rt", encoding=encoding, newline="") as handle:
            for _ in range(n):
                line = handle.readline()
                if not line:
                    break
                lines.append(line)
    except UnicodeDecodeError:
        if magic(path)[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise SegindexValueError(
                f"{caller}(): {str(path)!r} is UTF-16 text (as Excel's 'Unicode Text' saves it): pass "
                "encoding='utf-16', or re-save the file as CSV UTF-8."
            ) from None
        if not lines and b"\x00" in magic(path):
            raise SegindexValueError(
                f"{caller}(): cannot read {str(path)!r} as a text (CSV) file: it holds binary data. "
                "Is it the right file?"
            ) from None
        raise encoding_error(path, "utf-8" if encoding == "utf-8-sig" else encoding, caller) from None
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise corrupt_gzip_error(path, exc, caller) from None
    except OSError as exc:
        raise SegindexValueError(f"{caller}(): cannot read {str(path)!r} as a text (CSV) file: {exc}.") from None
    if lines and "\x00" in lines[0]:
        raise SegindexValueError(
            f"{caller}(): cannot read {str(path)!r} as a text (CSV) file: it holds binary data. Is it the right file?"
        )
    return lines


def sniff_delimiter(path: Path, caller: str, *, encoding: str = "utf-8") -> str:
    """The delimiter that splits the first lines into the same number (> 1) of fields."""
    lines = [line for line in head_lines(path, encoding=encoding, caller=caller) if line.strip()]
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


def check_header(path: Path, sep: str, caller: str, *, encoding: str = "utf-8") -> list[str]:
    """The header's column names, refusing a name given twice (pandas would silently read 'X.1')."""
    lines = head_lines(path, 1, encoding=encoding, caller=caller)
    if not lines:
        raise SegindexValueError(f"{caller}(): file {str(path)!r} is empty.")
    names = next(csv.reader(lines, delimiter=sep))
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if name in seen:
            raise SegindexValueError(
                f"{caller}(): the header of {str(path)!r} names the column {name!r} twice (columns "
                f"{seen[name]} and {position}); pandas would read the second as {name + '.1'!r}. Remove or "
                "rename one of them in the file, so that each column has one name."
            )
        seen[name] = position
    return names


def read_text_table(path: Path, sep: str, caller: str, *, encoding: str = "utf-8") -> pd.DataFrame:
    """Every cell as text, after checking the header; clear errors for compressed, Excel and non-UTF-8 files."""
    check_header(path, sep, caller, encoding=encoding)
    compression = compression_of(path)
    try:
        return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding=encoding, compression=compression)
    except UnicodeDecodeError:
        raise encoding_error(path, encoding, caller) from None
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise corrupt_gzip_error(path, exc, caller) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as exc:
        if compression is not None and isinstance(exc, OSError):
            raise corrupt_gzip_error(path, exc, caller) from None
        raise SegindexValueError(f"{caller}(): cannot read {str(path)!r} as a {sep!r}-delimited table: {exc}") from None


def missing_column_error(column, columns, what: str, caller: str, source: str) -> SegindexValueError:
    lower = {str(c).casefold(): str(c) for c in columns}
    close = [lower[c] for c in difflib.get_close_matches(str(column).casefold(), list(lower), n=3)]
    hint = f" Did you mean {close}?" if close else ""
    return SegindexValueError(
        f"{caller}(): {what} column {column!r} is not in {source}.{hint} "
        f"Available columns: {first_few(list(columns), limit=30)}."
    )


# ----------------------------------------------------------------------------
# identifiers: one normalisation, uniqueness checked after it

_WHOLE_CODE = re.compile(r"^[+-]?(?:0|[1-9][0-9]*)(?:\.0*)?$")


def _is_text(ids: pd.Series) -> bool:
    return pd.api.types.is_object_dtype(ids.dtype) or pd.api.types.is_string_dtype(ids.dtype)


def strip_all(values) -> list:
    """Strings stripped of surrounding spaces (other values as they are): plain Python, fast on any dtype."""
    return [v.strip() if isinstance(v, str) else v for v in values]


def code_keys(ids: pd.Series) -> pd.Series:
    """The key under which two spellings of one code are the same unit.

    Text is stripped of surrounding spaces; a whole number written plainly
    (``"137277"``, ``"137277.0"``, ``" 137277 "``) becomes that integer. Codes
    with leading zeros (``"01234"``) or letters stay text.
    """
    if not _is_text(ids):
        return ids.reset_index(drop=True)
    keys = strip_all(ids.to_numpy(dtype=object))
    match = _WHOLE_CODE.match
    keys = [int(float(k)) if isinstance(k, str) and match(k) else k for k in keys]
    return pd.Series(keys, dtype=object)


def check_ids(ids: pd.Series, column, caller: str, source: str, *, position: str = "line", offset: int = 2) -> None:
    """Refuse empty ids and ids that are the same after normalising (:func:`code_keys`).

    Positions are named as ``position`` numbers: file lines (``offset=2``, the
    header is line 1) or features (``position="feature", offset=1``).
    """
    ids = ids.reset_index(drop=True)
    missing = ids.isna().to_numpy() | np.array([v == "" for v in strip_all(ids.to_numpy(dtype=object))], dtype=bool)
    if missing.any():
        raise SegindexValueError(
            f"{caller}(): the id column {column!r} of {source} is empty at {position} "
            f"{int(np.flatnonzero(missing)[0]) + offset}; every unit needs an identifier."
        )
    keys = code_keys(ids)
    dup = keys.duplicated(keep=False).to_numpy()
    if not dup.any():
        return
    first = keys[dup].iloc[0]
    same = np.flatnonzero((keys == first).to_numpy())
    spellings = pd.unique(ids.iloc[same].astype(str))
    written = f", written {first_few(spellings)}" if len(spellings) > 1 else ""
    n_dup = keys[dup].nunique()
    raise SegindexValueError(
        f"{caller}(): the id column {column!r} of {source} is not unique: {plain_label(ids.iloc[same[0]])!r} "
        f"appears {len(same)} times ({position}s {first_few(same + offset)}{written}); {n_dup} duplicated id"
        f"{'s' if n_dup > 1 else ''} in all: {first_few(pd.unique(ids[dup].astype(str)))}. Each unit must "
        "appear once: remove the repeated rows, or add them up first if they are parts of one unit."
    )


def stripped_ids(ids: pd.Series) -> tuple[pd.Series, int]:
    """Text ids without surrounding spaces, and how many were changed."""
    if not _is_text(ids):
        return ids, 0
    values = ids.to_numpy(dtype=object)
    stripped = strip_all(values)
    changed = sum(1 for a, b in zip(values, stripped) if a is not b and a != b)
    return pd.Series(stripped, index=ids.index, name=ids.name, dtype=ids.dtype), changed


# ----------------------------------------------------------------------------
# counts written as text: the one parser of the census and school readers


def check_number_options(thousands, fractional, caller: str) -> None:
    if thousands is not None and (
        not isinstance(thousands, str) or len(thousands) != 1 or thousands.isdigit() or thousands in "+-"
    ):
        raise SegindexValueError(
            f"{caller}(): the 'thousands' parameter must be one character that separates thousands in "
            f"the file's counts, such as '.' or ',' (or None), got {thousands!r} instead."
        )
    if not isinstance(fractional, bool):
        raise SegindexTypeError(
            f"{caller}(): the 'fractional' parameter must be True or False, got {type(fractional).__name__}."
        )


def fast_floats(text: pd.Series) -> np.ndarray | None:
    """Text cells → float64 in one C-level pass when every cell is a plain number; None otherwise.

    The slow, careful path (codes, thousands separators, messages) runs only when this fails.
    """
    try:
        return text.to_numpy(dtype=object).astype(np.float64)
    except (ValueError, TypeError):
        return None


def _drop_thousands(text: pd.Series, thousands: str) -> tuple[pd.Series, np.ndarray]:
    """Text without the thousands separator, and where a value used it wrongly ('1.64', '10.0' with '.')."""
    decimal = "," if thousands == "." else "."
    pattern = rf"[+-]?\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+(?:{re.escape(decimal)}\d*)?"
    has = text.str.contains(thousands, regex=False).fillna(False).to_numpy(dtype=bool)
    wrong = has & ~text.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
    cleaned = text.str.replace(thousands, "", regex=False)
    if decimal == ",":
        cleaned = cleaned.str.replace(",", ".", regex=False)
    return cleaned, wrong


def parse_counts(
    text: pd.Series,
    column,
    caller: str,
    source: str,
    where,
    *,
    role: str = "count",
    codes=(),
    thousands: str | None = None,
    fractional: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """A column of counts written as text → (float64 values, mask of cells holding one of ``codes``).

    ``where(i)`` names row ``i`` for a message ("area 'E01' (line 4)"). Cells
    holding a code become NaN; any other text that is not a number, a
    negative count and (without ``fractional``) a count that is not whole
    raise, naming the column, the row, the value and the fix.
    """
    values = fast_floats(text) if thousands is None else None
    if values is not None:  # every cell a number: no code, nothing to clean
        is_code = misused = np.zeros(len(text), dtype=bool)
    else:
        stripped = pd.Series(strip_all(text.to_numpy(dtype=object)), index=text.index, dtype=object)
        is_code = stripped.isin(list(codes)).to_numpy(dtype=bool) if codes else np.zeros(len(text), dtype=bool)
        cleaned, misused = (
            (stripped, np.zeros(len(text), dtype=bool))
            if thousands is None
            else _drop_thousands(stripped.astype("string"), thousands)
        )
        cells = cleaned.to_numpy(dtype=object).copy()
        cells[is_code] = "nan"
        values = fast_floats(pd.Series(cells, dtype=object))
        if values is None:
            values = pd.to_numeric(pd.Series(cells, dtype=object), errors="coerce").to_numpy(
                dtype=np.float64, na_value=np.nan
            )
    bad = (~np.isfinite(values) & ~is_code) | misused
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        allowed = f" or a DfE code ({', '.join(repr(c) for c in codes if c)})" if codes else ""
        hint = " Correct the file, or read it with pandas and decide explicitly what that value means."
        if thousands is None and re.fullmatch(r"\d{1,3}(,\d{3})+", str(text.iloc[i]).strip()):
            hint = " If ',' separates thousands in this file, pass thousands=','."
        elif misused[i]:
            hint = f" With thousands={thousands!r}, a count must be written like 1{thousands}647."
        raise SegindexTypeError(
            f"{caller}(): the {role} column {column!r} of {source} must hold numbers (counts){allowed}, but it "
            f"holds {text.iloc[i]!r} at {where(i)}.{hint}"
        )
    negative = values < 0
    if negative.any():
        i = int(np.flatnonzero(negative)[0])
        raise SegindexValueError(
            f"{caller}(): the {role} column {column!r} of {source} holds a negative count ({text.iloc[i]!r}) at "
            f"{where(i)}; counts must be non-negative. Correct the file."
        )
    if not fractional:
        _refuse_fractions(values, text, column, caller, source, where, role)
    return values, is_code


def _refuse_fractions(values, text, column, caller, source, where, role) -> None:
    fraction = np.isfinite(values) & (values != np.floor(values))
    if not fraction.any():
        return
    i = int(np.flatnonzero(fraction)[0])
    value = str(text.iloc[i]).strip()
    others = int(fraction.sum()) - 1
    more = f" ({others} more in this column)" if others else ""
    looks = re.fullmatch(r"\d{1,3}(\.\d{3})+", value) is not None
    why = (
        f"'.' probably separates thousands in this file ({value} meaning {value.replace('.', '')}): pass thousands='.'"
        if looks
        else "if '.' separates thousands in this file, pass thousands='.'"
    )
    raise SegindexValueError(
        f"{caller}(): the {role} column {column!r} of {source} holds {value!r} at {where(i)}, which is not a "
        f"whole number{more}. Counts of people are whole: {why}; if the counts are really fractional "
        "(estimates, weights), pass fractional=True."
    )
