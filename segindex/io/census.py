"""ONS census tables: 2011 extracts, the 2021 short CSV and the 2021 bulk pipe-delimited file."""

from __future__ import annotations


import pandas as pd

from ..classification import CENSUS2011, CENSUS2021, ONS_TS021_LABELS
from ..errors import SegindexTypeError, SegindexValueError
from ._common import ReadReport, attach_report, check_ids, check_path, missing_column_error, read_text_table, sniff_delimiter, to_number, warn_quality


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
    path = check_path(path, caller)
    source = repr(str(path))
    notes = []
    if sep is None:
        sep = sniff_delimiter(path, caller)
        notes.append(f"delimiter {sep!r} found from the first lines")
    raw = read_text_table(path, sep, caller)
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
        raise missing_column_error(id_column, columns, "the id", caller, source)
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
                raise missing_column_error(g, columns, "the group", caller, source)
        for b in _C2021_BROAD:
            if f"{b}_all" in groups and any(g in groups for g in _c2021_members(b)):
                raise SegindexValueError(
                    f"{caller}(): groups include the broad total '{b}_all' and its detailed groups "
                    f"{[g for g in groups if g in _c2021_members(b)]}: the people would be counted twice. "
                    "Use either the broad or the detailed columns."
                )
    if total is not None and total not in columns:
        raise missing_column_error(total, columns, "the total", caller, source)
    check_ids(raw[id_column], id_column, caller, source)
    ids = raw[id_column].to_numpy()
    out = raw.set_index(id_column)
    numeric = list(groups) + ([total] if total is not None else [])
    numeric += [f"{b}_all" for b in broad_checks if f"{b}_all" not in numeric]
    for column in out.columns:
        if column in numeric:
            out[column] = to_number(out[column], column, caller, source, ids)
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
        warn_quality(
            f"{caller}(): in {source} the groups do not add up to their total in {len(mismatches)} case(s) "
            f"({mismatches['unit'].nunique()} units; largest |difference| "
            f"{float(mismatches['difference'].abs().max()):g}). Nothing was changed; see "
            "segindex.io.report_of(frame).mismatches."
        )
    report = ReadReport(
        source=str(path), reader=caller, rows_read=len(raw), rows_kept=len(out), mismatches=mismatches,
        notes=tuple(notes),
    )
    return attach_report(out, report)
