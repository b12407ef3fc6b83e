"""ONS census tables: 2011 extracts, the 2021 short CSV and the 2021 bulk pipe-delimited file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..classification import CENSUS2011, CENSUS2021, ONS_TS021_LABELS
from ..errors import SegindexTypeError, SegindexValueError, first_few
from ._common import (
    ReadReport,
    attach_report,
    check_encoding,
    check_ids,
    check_number_options,
    check_path,
    check_text_file,
    fast_floats,
    missing_column_error,
    parse_counts,
    plain_label,
    read_text_table,
    sniff_delimiter,
    stripped_ids,
    warn_quality,
)

_C2011_GROUPS = [c for c, t in CENSUS2011.items() if t is not None]
_C2021_GROUPS = [c for c, t in CENSUS2021.items() if t is not None]
_C2021_BROAD = ("white", "mixed", "asian", "black", "other")


def _c2021_members(broad: str) -> list[str]:
    return [c for c in _C2021_GROUPS if c.startswith(broad + "_")]


def read_census_table(
    path: str | Path,
    *,
    id_column: str | None = None,
    total: str | None = None,
    groups: list[str] | None = None,
    sep: str | None = None,
    encoding: str = "utf-8",
    thousands: str | None = None,
    fractional: bool = False,
) -> pd.DataFrame:
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
    encoding : str, default "utf-8"
        Text encoding of the file (a UTF-8 byte-order mark is accepted).
        Files saved by Excel on Windows are often ``"cp1252"``; the error for
        a file that is not UTF-8 says which to pass.
    thousands : str, optional
        Character that separates thousands in the counts, for files written
        with one (``"."`` in ``1.647`` for 1647, or ``","``). Without it a
        count that is not a whole number is refused, because ``1.647`` read as
        a decimal number gives a quietly wrong index.
    fractional : bool, default False
        Accept counts that are not whole numbers (estimates, weighted counts).

    Returns
    -------
    pandas.DataFrame
        Indexed by area code (without surrounding spaces, which are removed
        and counted in the report's ``notes``); group and total columns as
        float64; other numeric columns as numbers, text columns as text.
        No count is altered:
        where groups do not add up to the total (2021 counts are perturbed by
        ONS disclosure control), the units and differences are listed in the
        report's ``mismatches`` and a :class:`~segindex.errors.DataQualityWarning`
        says how many.

    Raises
    ------
    SegindexValueError
        The file is missing, unreadable, a truncated or corrupt ``.gz``, a
        spreadsheet (save it as CSV), not in ``encoding`` (the message says
        which encoding to pass), or has no recognisable delimiter; its header
        names a column twice; a named column is missing; the layout is unknown
        and ``groups`` was not given; ``groups`` mixes a broad ``*_all``
        column with its detailed groups; area codes are empty or the same
        after normalising (``" E01"`` and ``"E01"``, ``"7"`` and ``"7.0"``);
        a count is negative, or not a whole number without ``thousands`` or
        ``fractional``.
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
    check_number_options(thousands, fractional, caller)
    encoding = check_encoding(encoding, caller)
    path = check_path(path, caller)
    source = repr(str(path))
    check_text_file(path, caller)
    notes = []
    if sep is None:
        sep = sniff_delimiter(path, caller, encoding=encoding)
        notes.append(f"delimiter {sep!r} found from the first lines")
    raw = read_text_table(path, sep, caller, encoding=encoding)
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
    if len(set(columns)) < len(columns):
        twice = [c for c in columns if columns.count(c) > 1][0]
        raise SegindexValueError(
            f"{caller}(): {source} has the column {twice!r} twice once its ONS labels are shortened; "
            "keep either the long ONS label or the short name."
        )
    if id_column is None:
        id_column = "geography code" if "geography code" in columns else columns[0]
    elif id_column not in columns:
        raise missing_column_error(id_column, columns, "the id", caller, source)
    groups, total, broad_checks = _layout(columns, groups, total, caller, source)
    ids, n_stripped = stripped_ids(raw[id_column])
    check_ids(ids, id_column, caller, source)
    if n_stripped:
        notes.append(f"{n_stripped} area codes had surrounding spaces removed")
    raw[id_column] = ids
    out = raw.set_index(id_column)
    numeric = list(groups) + ([total] if total is not None else [])
    numeric += [f"{b}_all" for b in broad_checks if f"{b}_all" not in numeric]
    ids = out.index.to_numpy()

    def where(i: int) -> str:
        return f"area {plain_label(ids[i])!r} (line {i + 2})"

    for column in out.columns:
        if column in numeric:
            role = "total" if column == total else "group"
            out[column] = parse_counts(
                out[column], column, caller, source, where, role=role, thousands=thousands, fractional=fractional
            )[0]
        else:
            converted = fast_floats(out[column])
            if converted is not None and np.isfinite(converted).all():
                out[column] = _as_integers(converted)
    mismatches = _mismatches(out, groups, total, broad_checks)
    if len(mismatches):
        warn_quality(
            f"{caller}(): in {source} the groups do not add up to their total in {len(mismatches)} case(s) "
            f"({mismatches['unit'].nunique()} units; largest |difference| "
            f"{float(mismatches['difference'].abs().max()):g}). Nothing was changed; see "
            "segindex.io.report_of(frame).mismatches."
        )
    report = ReadReport(
        source=str(path),
        reader=caller,
        rows_read=len(raw),
        rows_kept=len(out),
        mismatches=mismatches,
        notes=tuple(notes),
    )
    return attach_report(out, report)


def _as_integers(values: np.ndarray) -> np.ndarray:
    """Whole numbers as int64 (as pandas would read them), others as float64."""
    whole = values == np.floor(values)
    if whole.all() and np.abs(values).max(initial=0) < 2**53:
        return values.astype(np.int64)
    return values


def _layout(columns: list, groups, total, caller: str, source: str) -> tuple[list, str | None, list]:
    """The group columns, the total column and the 2021 broad checks, from the arguments or the file's layout."""
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
                f"name its group columns with groups=[...] (and total=). Columns: {first_few(columns, limit=30)}."
            )
        if total is None and default_total in columns:
            total = default_total
    else:
        groups = _named_groups(groups, columns, caller, source)
    if total is not None and total not in columns:
        raise missing_column_error(total, columns, "the total", caller, source)
    return list(groups), total, broad_checks


def _named_groups(groups, columns: list, caller: str, source: str) -> list:
    if isinstance(groups, str):
        raise SegindexTypeError(f"{caller}(): groups must be a list of column names, got the string {groups!r}.")
    groups = list(groups)
    for g in groups:
        if g not in columns:
            raise missing_column_error(g, columns, "the group", caller, source)
    for b in _C2021_BROAD:
        if f"{b}_all" in groups and any(g in groups for g in _c2021_members(b)):
            raise SegindexValueError(
                f"{caller}(): groups include the broad total '{b}_all' and its detailed groups "
                f"{[g for g in groups if g in _c2021_members(b)]}: the people would be counted twice. "
                "Use either the broad or the detailed columns."
            )
    return groups


def _mismatches(out: pd.DataFrame, groups: list, total, broad_checks: list) -> pd.DataFrame:
    """Units whose groups do not add up to their total (and 2021 detailed groups to their broad total)."""
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
                    {
                        "unit": out.index[bad],
                        "check": name,
                        "parts": parts[bad],
                        "total": tot[bad],
                        "difference": parts[bad] - tot[bad],
                    }
                )
            )
    if frames:
        return pd.concat(frames, ignore_index=True)
    empty = np.empty(0)
    return pd.DataFrame({"unit": [], "check": [], "parts": empty, "total": empty, "difference": empty})
