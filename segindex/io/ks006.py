"""The 2001 census table KS006 "Ethnic group" (16 groups), by area."""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..classification import KS006_GROUPS
from ..errors import SegindexTypeError, SegindexValueError
from ._common import (
    ReadReport,
    attach_report,
    check_ids,
    check_path,
    first_few,
    missing_column_error,
    parse_counts,
    read_text_table,
    sniff_delimiter,
    warn_quality,
)


def _check_columns(columns, caller: str) -> dict:
    if not isinstance(columns, Mapping):
        raise SegindexTypeError(
            f"{caller}(): 'columns' must be a dict {{column of the file: KS006 group}}, got {type(columns).__name__}."
        )
    columns = dict(columns)
    unknown = [v for v in columns.values() if v not in KS006_GROUPS and v != "total"]
    if unknown:
        raise SegindexValueError(
            f"{caller}(): 'columns' maps to {first_few(unknown)}, which are not KS006 groups. Map each column "
            f"to one of {list(KS006_GROUPS)} (or to 'total')."
        )
    targets = list(columns.values())
    twice = sorted({t for t in targets if targets.count(t) > 1})
    if twice:
        raise SegindexValueError(
            f"{caller}(): 'columns' maps more than one column to {first_few(twice)}; each KS006 group is one column."
        )
    return columns


def _rename(raw, columns, total, caller, source, notes):
    """Rename a table's mapped columns to the KS006 names."""
    columns = _check_columns(columns, caller)
    for column in columns:
        if column not in raw.columns:
            raise missing_column_error(column, list(raw.columns), "the mapped", caller, source)
    unmapped = [g for g in KS006_GROUPS if g not in columns.values()]
    if unmapped:
        raise SegindexValueError(
            f"{caller}(): 'columns' maps no column of {source} to the KS006 group(s) {first_few(unmapped, 16)}; "
            "all 16 KS006 groups are needed (map each to its column of the file)."
        )
    clash = [c for c in raw.columns if c in columns.values() and c not in columns]
    if clash:
        raise SegindexValueError(
            f"{caller}(): {source} already has column(s) {first_few(clash)} that other columns are renamed to; "
            "the result would have duplicate columns. Map each group once, or rename the file's columns first."
        )
    raw = raw.rename(columns=columns)
    notes.append(f"{len(columns)} columns renamed to KS006 names")
    if total is None and "total" in columns.values():
        total = "total"
    return raw, total


def read_ks006(
    path: str | os.PathLike,
    *,
    columns: Mapping | None = None,
    id_column: str | None = None,
    total: str | None = None,
    sep: str | None = None,
) -> pd.DataFrame:
    """Read a 2001 census KS006 "Ethnic group" table (16 groups), indexed by area code.

    Understands, without arguments, the layout ``LSOA01CD, LSOA01NM, total,
    white_british, ..., chinese, other`` (the 16 groups of
    :data:`segindex.classification.KS006_GROUPS`). Any other table with the 16
    groups is read when ``columns`` maps its column names to those groups.
    Map the result to the common classification with
    :func:`segindex.classification.to_common` and
    :data:`segindex.classification.CENSUS2001`.

    Parameters
    ----------
    path : str or pathlib.Path
        A delimited text file (``.gz`` compressed or not).
    columns : dict, optional
        ``{column of the file: KS006 group}`` (and optionally ``{...: "total"}``)
        for a table whose columns have other names, e.g.
        ``{"White: British": "white_british", ...}``. Every one of the 16
        groups must be mapped; the columns are renamed to the KS006 names.
    id_column : str, optional
        Area code column. Default: the first column.
    total : str, optional
        Total column (all people). Default ``"total"`` when present;
        otherwise the total is the sum of the 16 groups (said in the report).
    sep : str, optional
        Delimiter; found from the first lines when not given.

    Returns
    -------
    pandas.DataFrame
        Indexed by area code: text columns (names) as read, ``total`` and the
        16 groups as float64, in KS006 order. Where the groups do not add up to
        the total the units are listed in the report's ``mismatches`` (nothing
        is changed) and a :class:`~segindex.errors.DataQualityWarning` says how
        many. A code made of several codes joined by ``"_"`` (a row the source
        merged, such as ``"E01010660_E01010661"``) is kept as it is and named in
        the report's notes: its counts cannot be split, so give it to
        :func:`segindex.geography.chain_units`, which ties the parts together.

    Raises
    ------
    SegindexValueError
        Missing file or column, a group left unmapped, a mapping to a name that
        is not a KS006 group, empty or duplicated area codes.
    SegindexTypeError
        ``columns`` is not a dict; a count holds text that is not a number.

    Notes
    -----
    2001 had no Gypsy or Irish Traveller and no Arab category, and published
    Chinese outside "Asian or Asian British": see
    :mod:`segindex.classification` for what this does to comparisons with
    2011 and 2021.

    References
    ----------
    Office for National Statistics (2003). Census 2001 Key Statistics, KS006
    Ethnic group. Open Government Licence v3.0.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from segindex.classification import KS006_GROUPS
    >>> from segindex.io import read_ks006, report_of
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> header = "code,all," + ",".join(f"g{i}" for i in range(16))
    >>> _ = (tmp / "ks006.csv").write_text(header + "\\nE1,16," + ",".join(["1"] * 16) + "\\n")
    >>> names = {f"g{i}": g for i, g in enumerate(KS006_GROUPS)}
    >>> df = read_ks006(tmp / "ks006.csv", columns={**names, "all": "total"})
    >>> int(df.loc["E1", "asian_pakistani"]), int(df.loc["E1", "total"])
    (1, 16)
    """
    caller = "read_ks006"
    path = check_path(path, caller)
    source = repr(str(path))
    notes = []
    if sep is None:
        sep = sniff_delimiter(path, caller)
    raw = read_text_table(path, sep, caller)
    if columns is not None:
        raw, total = _rename(raw, columns, total, caller, source, notes)
    cols = list(raw.columns)
    missing = [g for g in KS006_GROUPS if g not in cols]
    if missing:
        raise SegindexValueError(
            f"{caller}(): {source} lacks the KS006 group column(s) {first_few(missing, 16)}. For a table with other "
            "column names pass columns={column of the file: KS006 group, ...}. Columns: "
            f"{first_few(cols, 20)}."
        )
    if id_column is None:
        id_column = cols[0]
    elif id_column not in cols:
        raise missing_column_error(id_column, cols, "the id", caller, source)
    if total is None and "total" in cols:
        total = "total"
    if total is not None and total not in cols:
        raise missing_column_error(total, cols, "the total", caller, source)
    check_ids(raw[id_column], id_column, caller, source)
    ids = raw[id_column].to_numpy()
    out = raw.set_index(id_column)

    def where(i: int) -> str:
        return f"area {ids[i]!r} (line {i + 2})"

    for column in list(KS006_GROUPS) + ([total] if total is not None else []):
        role = "total" if column == total else "group"
        out[column] = parse_counts(out[column], column, caller, source, where, role=role)[0]
    parts = out[list(KS006_GROUPS)].to_numpy().sum(axis=1)
    if total is None:
        total = "total"
        out[total] = parts
        notes.append("no total column: total = sum of the 16 groups")
    elif total != "total":
        out = out.rename(columns={total: "total"})
        total = "total"
    text = [c for c in out.columns if c not in KS006_GROUPS and c != total]
    out = out[text + [total] + list(KS006_GROUPS)]
    tot = out[total].to_numpy()
    bad = parts != tot
    mismatches = pd.DataFrame(
        {
            "unit": out.index[bad],
            "check": "KS006 groups vs total",
            "parts": parts[bad],
            "total": tot[bad],
            "difference": parts[bad] - tot[bad],
        }
    )
    if bad.any():
        warn_quality(
            f"{caller}(): in {source} the 16 groups do not add up to the total in {int(bad.sum())} area(s) "
            f"(largest |difference| {float(np.abs(parts[bad] - tot[bad]).max()):g}). Nothing was changed; see "
            "segindex.io.report_of(frame).mismatches."
        )
    joined = [c for c in out.index.astype(str) if "_" in c]
    if joined:
        notes.append(
            f"{len(joined)} row(s) cover several areas joined by '_' ({first_few(joined)}): their counts cannot "
            "be split; segindex.geography.chain_units ties the parts into one unit"
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
