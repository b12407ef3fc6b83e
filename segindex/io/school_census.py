"""The DfE "Schools, pupils and their characteristics" school-level ethnicity file."""

from __future__ import annotations

import difflib
from pathlib import Path

import numpy as np
import pandas as pd

from ..classification import SCHOOL_CENSUS_COLUMNS
from ..errors import SegindexTypeError, SegindexValueError
from ._common import (
    DFE_MISSING_CODES,
    PHASES,
    ReadReport,
    attach_report,
    check_encoding,
    check_ids,
    check_number_options,
    check_path,
    check_text_file,
    missing_column_error,
    parse_counts,
    plain_label,
    read_text_table,
    sniff_delimiter,
    strip_all,
    warn_quality,
)

_SCHOOL_IDS = (
    "la_name",
    "new_la_code",
    "old_la_code",
    "phase_type_grouping",
    "typeofestablishment_name",
    "school_name",
    "school_postcode",
)
_CODE_COLUMNS = ("time_period", "laestab", "old_la_code", "estab", "pqi")
_CALLER = "read_school_census"


def _parse_codes(text: pd.Series) -> pd.Series:
    """A column of codes such as '380.0' or '202223.0' → nullable integers when every value is whole."""
    stripped = text.str.strip()
    blank = stripped == ""
    values = pd.to_numeric(stripped.mask(blank), errors="coerce")
    if (values.isna() & ~blank).any():
        return stripped.mask(blank)
    finite = values.dropna()
    if len(finite) and (finite == np.floor(finite)).all():
        return values.astype("Int64")
    return values


def _filter_values(value, name: str) -> list:
    if value is None:
        return []
    if isinstance(value, (str, int, np.integer)):
        return [value]
    try:
        values = list(value)
    except TypeError:
        raise SegindexTypeError(
            f"{_CALLER}(): the {name!r} parameter must be a string or a list of strings, got {type(value).__name__}."
        ) from None
    if not values:
        raise SegindexValueError(f"{_CALLER}(): the {name!r} parameter is an empty list; pass None for no filter.")
    return values


def read_school_census(
    path: str | Path,
    *,
    phase: str | list[str] | None = None,
    la: str | int | list | None = None,
    state_funded: bool | None = None,
    groups: str = "short",
    encoding: str = "utf-8",
    thousands: str | None = None,
    fractional: bool = False,
) -> pd.DataFrame:
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
    encoding : str, default "utf-8"
        Text encoding of the file; ``"cp1252"`` for a file saved by Excel on
        Windows (the error for a file that is not UTF-8 says which to pass).
    thousands : str, optional
        Character that separates thousands in the counts (``"."`` in
        ``1.647``). The DfE's own files have none: their whole numbers written
        ``271.0`` are read as they are.
    fractional : bool, default False
        Accept pupil counts that are not whole numbers.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``urn``; identifiers first (``la_name, new_la_code,
        old_la_code, phase_type_grouping, typeofestablishment_name,
        school_name, school_postcode``, then the other descriptive columns and
        ``pqi, easting, northing`` when present), then ``headcount`` and the
        19 group columns as float64. Code-like numbers written ``380.0``
        (URNs included: ``137277.0`` is URN 137277) become integers.

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
        The file is missing or unreadable, a truncated or corrupt ``.gz``, a
        spreadsheet (save it as CSV) or not in ``encoding``; its header names
        a column twice; a count column or ``urn`` is missing; URNs are
        duplicated once normalised (``"137277"`` and ``"137277.0"`` are one
        school); a filter value matches nothing in the file; a count is
        negative, or not a whole number without ``thousands`` or
        ``fractional``.
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
    if groups not in ("short", "original"):
        raise SegindexValueError(f"{_CALLER}(): groups must be 'short' or 'original', got {groups!r}.")
    if state_funded not in (None, True, False):
        raise SegindexTypeError(f"{_CALLER}(): state_funded must be True, False or None, got {state_funded!r}.")
    check_number_options(thousands, fractional, _CALLER)
    encoding = check_encoding(encoding, _CALLER)
    path = check_path(path, _CALLER)
    source = repr(str(path))
    check_text_file(path, _CALLER)
    sep = sniff_delimiter(path, _CALLER, encoding=encoding)
    raw = read_text_table(path, sep, _CALLER, encoding=encoding)
    columns = list(raw.columns)
    for column in ["urn", *SCHOOL_CENSUS_COLUMNS]:
        if column not in columns:
            raise missing_column_error(column, columns, "the school census", _CALLER, source)
    check_ids(raw["urn"], "urn", _CALLER, source)
    keep, excluded = _filters(raw, source, phase=phase, la=la, state_funded=state_funded)
    data = raw.loc[keep].reset_index(drop=True)
    index = pd.Index(_parse_codes(raw["urn"]), name="urn")[keep]
    lines = np.flatnonzero(keep) + 2  # the header is line 1
    counts, missing_cells = _counts(data, index, lines, source, groups, thousands, fractional)
    any_missing = counts.isna().any(axis=1).to_numpy()
    out = pd.concat([_described(data, index), counts], axis=1)
    mismatches = _mismatches(counts, any_missing)
    n_cells = sum(sum(c.values()) for c in missing_cells.values())
    if n_cells:
        by_code = ", ".join(f"{sum(c.values())} {code!r}" for code, c in missing_cells.items())
        warn_quality(
            f"{_CALLER}(): {n_cells} count cells in {source} hold DfE codes ({by_code}) and were made "
            f"missing (NaN, not zero); {int(any_missing.sum())} schools have missing counts and were kept. "
            "See segindex.io.report_of(frame)."
        )
    if len(mismatches):
        warn_quality(
            f"{_CALLER}(): {len(mismatches)} schools in {source} have group counts that do not add up to their "
            "headcount; nothing was changed. See segindex.io.report_of(frame).mismatches."
        )
    report = ReadReport(
        source=str(path),
        reader=_CALLER,
        rows_read=len(raw),
        rows_kept=len(out),
        excluded=excluded,
        missing_cells=missing_cells,
        rows_with_missing=int(any_missing.sum()),
        mismatches=mismatches,
        notes=(f"delimiter {sep!r}",) if sep != "," else (),
    )
    return attach_report(out, report)


# ----------------------------------------------------------------------------
# filters: each gives a row mask; _filters counts what each one removes


def _filters(raw: pd.DataFrame, source: str, *, phase, la, state_funded) -> tuple[np.ndarray, dict]:
    keep = np.ones(len(raw), dtype=bool)
    excluded = {}
    masks = []
    wanted = _filter_values(phase, "phase")
    if wanted:
        masks.append(("phase", _phase_mask(raw, wanted, source)))
    wanted = _filter_values(la, "la")
    if wanted:
        masks.append(("la", _la_mask(raw, wanted, source)))
    if state_funded is not None:
        is_state = _phases(raw, "state_funded", source).str.startswith("State-funded").to_numpy()
        masks.append(("state_funded" if not state_funded else "not state_funded", is_state == state_funded))
    for name, mask in masks:
        excluded[name] = int((keep & ~mask).sum())
        keep &= mask
    return keep, excluded


def _phases(raw: pd.DataFrame, name: str, source: str) -> pd.Series:
    if "phase_type_grouping" not in raw.columns:
        raise missing_column_error("phase_type_grouping", list(raw.columns), f"the {name} filter's", _CALLER, source)
    return raw["phase_type_grouping"].str.strip()


def _phase_mask(raw: pd.DataFrame, wanted: list, source: str) -> np.ndarray:
    phases = _phases(raw, "phase", source)
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
                f"{_CALLER}(): phase {value!r} is not known. Use one of {list(PHASES)} or a "
                f"phase_type_grouping value of {source}: {sorted(present)}."
            )
    return phases.isin(allowed).to_numpy()


def _la_mask(raw: pd.DataFrame, wanted: list, source: str) -> np.ndarray:
    columns = raw.columns
    mask = np.zeros(len(raw), dtype=bool)
    names = raw["la_name"].str.strip().str.casefold() if "la_name" in columns else None
    new = raw["new_la_code"].str.strip().str.upper() if "new_la_code" in columns else None
    old = _parse_codes(raw["old_la_code"]) if "old_la_code" in columns else None
    for value in wanted:
        text = str(value).strip()
        hit = np.zeros(len(raw), dtype=bool)
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
                f"{_CALLER}(): local authority {value!r} matches no school in {source} by name "
                f"(la_name), new code (new_la_code) or old code (old_la_code).{hint}"
            )
        mask |= hit
    return mask


# ----------------------------------------------------------------------------
# the kept rows: counts (DfE codes → NaN, counted), descriptive columns, sums


def _counts(data, index, lines, source, groups, thousands, fractional) -> tuple[pd.DataFrame, dict]:
    ids = index.to_numpy()

    def where(i: int) -> str:
        return f"school urn {plain_label(ids[i])!r} (line {lines[i]})"

    missing_cells: dict[str, dict[str, int]] = {}
    counts = {}
    for column, short in SCHOOL_CENSUS_COLUMNS.items():
        values, is_code = parse_counts(
            data[column],
            column,
            _CALLER,
            source,
            where,
            codes=tuple(DFE_MISSING_CODES),
            thousands=thousands,
            fractional=fractional,
        )
        found = pd.Series(strip_all(data[column].to_numpy(dtype=object)[is_code]), dtype=object)
        for code, n in found.value_counts().items():
            missing_cells.setdefault(code, {})[short] = int(n)
        counts[short if groups == "short" else column] = values
    ordered = {code: missing_cells[code] for code in DFE_MISSING_CODES if code in missing_cells}
    return pd.DataFrame(counts, index=index), ordered


def _described(data: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """The descriptive columns, identifiers first; coordinates as floats, code-like numbers as integers."""
    rest = [c for c in data.columns if c not in SCHOOL_CENSUS_COLUMNS and c != "urn"]
    order = [c for c in _SCHOOL_IDS if c in rest] + [c for c in rest if c not in _SCHOOL_IDS]
    described = {}
    for column in order:
        text = data[column]
        stripped = pd.Series(strip_all(text.to_numpy(dtype=object)), index=text.index, dtype=object)
        blank = (stripped == "").to_numpy()
        if column in ("easting", "northing"):
            values = pd.to_numeric(stripped.mask(blank), errors="coerce")
            described[column] = values.to_numpy(dtype=np.float64)
        elif column in _CODE_COLUMNS:
            described[column] = _parse_codes(text).array
        else:
            described[column] = text.mask(blank).array
    return pd.DataFrame(described, index=index)


def _mismatches(counts: pd.DataFrame, any_missing: np.ndarray) -> pd.DataFrame:
    parts = counts.iloc[:, 1:].to_numpy().sum(axis=1)
    total = counts.iloc[:, 0].to_numpy()
    bad = ~any_missing & (parts != total)
    return pd.DataFrame(
        {
            "unit": counts.index[bad],
            "check": "groups + unclassified vs headcount",
            "parts": parts[bad],
            "total": total[bad],
            "difference": parts[bad] - total[bad],
        }
    )
