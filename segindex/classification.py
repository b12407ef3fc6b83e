"""One ethnic classification for the 2011 and 2021 censuses and the school census.

The three British sources classify ethnicity differently. Before school and
residential figures, or 2011 and 2021 census figures, can be compared, their
columns must be added up into one *common* classification. This module holds
that classification, the mapping of each source onto it, and
:func:`to_common`, which applies a mapping to a wide table.

The common classification
-------------------------
Detailed level, :data:`COMMON_GROUPS` (14 groups)::

    white_british, white_irish, gypsy_roma_traveller, white_other,
    mixed,
    indian, pakistani, bangladeshi, chinese, other_asian,
    black_african, black_caribbean, other_black,
    other

Broad level, :data:`BROAD_GROUPS` (5 groups): ``white, mixed, asian, black,
other``, with :data:`BROAD_OF` giving the broad group of each detailed group.

The school census also has pupils whose ethnicity was not obtained or who
refused to give it. They are never dropped: the mapping sends them to the
explicit column :data:`UNCLASSIFIED` (``"unclassified"``) at both levels, so
they stay visible and the pupil total is conserved. The censuses impute
ethnicity for everyone and have no such column. Whether to leave unclassified
pupils out of an index (assuming they are like the classified pupils) or to
keep them as a group of their own is the analyst's decision, to be stated.

Choices that could have been made otherwise
-------------------------------------------
* **Mixed is one group.** The 2011 table used here has a single ``Mixed``
  column, so the four mixed groups of 2021 and of the school census are added
  together at the detailed level.
* **Arab goes to other.** Only the censuses have an Arab category (2011
  ``Arab``, 2021 ``other_arab``); the school census records Arab pupils under
  "any other ethnic group". Arab is therefore added to ``other`` in every
  source.
* **Chinese is Asian at the broad level.** The censuses (2011, 2021) put
  Chinese inside the Asian group; the DfE publishes Chinese as a major group
  of its own. Here ``chinese`` is a detailed group and is counted in ``asian``
  at the broad level, following the census, so that residential broad groups
  are the published census ones. Compare at the detailed level when this
  matters (it does in areas with large Chinese populations).
* **Gypsy, Roma and Irish Traveller.** The school census has "Traveller of
  Irish heritage" and "Gypsy/Roma"; the 2011 census "Gypsy or Irish
  Traveller"; the 2021 census "Gypsy or Irish Traveller" and, new in 2021,
  "Roma". These are gathered in ``gypsy_roma_traveller``, counted as White at
  the broad level (as in all three sources). Roma needs two mappings:

  - :data:`CENSUS2021` (the default) folds 2021 "White: Roma" into
    ``white_other``, because in 2011 there was no Roma tick-box and most Roma
    answered "Other White". Use it for 2011-versus-2021 comparisons.
  - :data:`CENSUS2021_ROMA_GRT` puts 2021 Roma in ``gypsy_roma_traveller``,
    because the school census counts Gypsy/Roma pupils together and they
    cannot be separated. Use it for comparisons of 2021 residents with pupils.

  A comparison of 2011 residents with pupils cannot be made exact: 2011 Roma
  are inside ``white_other`` while Roma pupils are inside
  ``gypsy_roma_traveller``. The groups are small nationally (about 0.2 % of
  2021 residents were Roma), but can matter locally; say so when it does.
* **Totals and subtotals are not groups.** The 2011 ``Persons``, the 2021
  ``total`` and broad ``*_all`` columns and the school ``headcount`` map to
  ``None``: they are known columns that are deliberately not added (adding a
  broad ``*_all`` column to its detailed columns would count people twice).

Other limits to state when comparing: 2022/23 pupils against 2011 residents
is an eleven-year gap; pupils are school-age while the census counts are all
ages; 2021 census counts are perturbed by ONS disclosure control.

Mappings are plain dicts, source column → common group (or ``None`` for a
column that is known but not a group). A user-made dict in the same form can be
passed to :func:`to_common` instead. :func:`to_common` carries the unit total
(census ``Persons`` or ``total``, school ``headcount``) into a column named
:data:`TOTAL` (``"total"``), so that ``total="total"`` works in what follows.

Labels
------
:data:`GROUP_LABELS` gives every common group name a human label
(``black_african`` → "Black African") for titles, legends and tables;
:func:`group_label` falls back to a tidy title case for other names.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping

import numpy as np
import pandas as pd

from .counts import REST, check_frame, check_labels, numeric_column
from .errors import SegindexTypeError, SegindexValueError, first_few

__all__ = [
    "COMMON_GROUPS",
    "BROAD_GROUPS",
    "BROAD_OF",
    "UNCLASSIFIED",
    "CENSUS2011",
    "CENSUS2021",
    "CENSUS2021_ROMA_GRT",
    "SCHOOL_CENSUS",
    "SCHOOL_CENSUS_COLUMNS",
    "ONS_TS021_LABELS",
    "TOTAL",
    "GROUP_LABELS",
    "group_label",
    "to_common",
]

#: The detailed common groups, in display order.
COMMON_GROUPS: tuple[str, ...] = (
    "white_british",
    "white_irish",
    "gypsy_roma_traveller",
    "white_other",
    "mixed",
    "indian",
    "pakistani",
    "bangladeshi",
    "chinese",
    "other_asian",
    "black_african",
    "black_caribbean",
    "other_black",
    "other",
)

#: The broad common groups, in display order.
BROAD_GROUPS: tuple[str, ...] = ("white", "mixed", "asian", "black", "other")

#: Name of the explicit column of pupils whose ethnicity is not known.
UNCLASSIFIED = "unclassified"

#: Name of the column of unit totals :func:`to_common` adds (census persons, school headcount).
TOTAL = "total"

#: Source columns :func:`to_common` takes as the unit total by default, when the mapping sends them to ``None``:
#: the 2011 ``Persons``, the 2021 (and 2001) ``total`` and the school ``headcount``.
_TOTAL_SOURCES: tuple[str, ...] = ("Persons", "total", "headcount")

#: Human label of every common group name, broad and detailed, for titles, legends and tables.
GROUP_LABELS: dict[str, str] = {
    "white_british": "White British",
    "white_irish": "White Irish",
    "gypsy_roma_traveller": "Gypsy, Roma and Irish Traveller",
    "white_other": "Other White",
    "mixed": "Mixed",
    "indian": "Indian",
    "pakistani": "Pakistani",
    "bangladeshi": "Bangladeshi",
    "chinese": "Chinese",
    "other_asian": "Other Asian",
    "black_african": "Black African",
    "black_caribbean": "Black Caribbean",
    "other_black": "Other Black",
    "other": "Other ethnic group",
    "white": "White",
    "asian": "Asian",
    "black": "Black",
    UNCLASSIFIED: "Unclassified",
    TOTAL: "All people",
}

#: Broad group of each detailed common group (and of :data:`UNCLASSIFIED`).
BROAD_OF: dict[str, str] = {
    "white_british": "white",
    "white_irish": "white",
    "gypsy_roma_traveller": "white",
    "white_other": "white",
    "mixed": "mixed",
    "indian": "asian",
    "pakistani": "asian",
    "bangladeshi": "asian",
    "chinese": "asian",
    "other_asian": "asian",
    "black_african": "black",
    "black_caribbean": "black",
    "other_black": "black",
    "other": "other",
    UNCLASSIFIED: UNCLASSIFIED,
}

#: 2011 census columns (as in the ``census2011`` extracts) → common group.
CENSUS2011: dict[str, str | None] = {
    "WhiteBrit": "white_british",
    "Irish": "white_irish",
    "GypsyTraveller": "gypsy_roma_traveller",
    "OtherWhite": "white_other",  # includes most Roma: no Roma tick-box in 2011
    "Mixed": "mixed",
    "Indian": "indian",
    "Pakistani": "pakistani",
    "Bangladeshi": "bangladeshi",
    "Chinese": "chinese",
    "OtherAsian": "other_asian",
    "BlkAfrican": "black_african",
    "BlkCaribbean": "black_caribbean",
    "OtherBlk": "other_black",
    "Arab": "other",
    "Other": "other",
    "Persons": None,  # the total
}

#: 2021 census TS021 short columns → common group, comparable with 2011 (Roma → white_other).
CENSUS2021: dict[str, str | None] = {
    "white_british": "white_british",
    "white_irish": "white_irish",
    "white_gypsy_irish_traveller": "gypsy_roma_traveller",
    "white_roma": "white_other",
    "white_other": "white_other",
    "mixed_white_black_caribbean": "mixed",
    "mixed_white_black_african": "mixed",
    "mixed_white_asian": "mixed",
    "mixed_other": "mixed",
    "asian_indian": "indian",
    "asian_pakistani": "pakistani",
    "asian_bangladeshi": "bangladeshi",
    "asian_chinese": "chinese",
    "asian_other": "other_asian",
    "black_african": "black_african",
    "black_caribbean": "black_caribbean",
    "black_other": "other_black",
    "other_arab": "other",
    "other_any_other": "other",
    # totals and broad subtotals: never added
    "total": None,
    "white_all": None,
    "mixed_all": None,
    "asian_all": None,
    "black_all": None,
    "other_all": None,
}

#: 2021 census short columns → common group, comparable with the school census (Roma → gypsy_roma_traveller).
CENSUS2021_ROMA_GRT: dict[str, str | None] = {**CENSUS2021, "white_roma": "gypsy_roma_traveller"}

#: DfE school census column headers → short names (as returned by ``segindex.io.read_school_census``).
SCHOOL_CENSUS_COLUMNS: dict[str, str] = {
    "headcount of pupils": "headcount",
    "number of pupils classified as white British ethnic origin": "white_british",
    "number of pupils classified as Irish ethnic origin": "white_irish",
    "number of pupils classified as traveller of Irish heritage ethnic origin": "traveller_irish_heritage",
    "number of pupils classified as any other white background ethnic origin": "white_other",
    "number of pupils classified as Gypsy/Roma ethnic origin": "gypsy_roma",
    "number of pupils classified as white and black Caribbean ethnic origin": "mixed_white_black_caribbean",
    "number of pupils classified as white and black African ethnic origin": "mixed_white_black_african",
    "number of pupils classified as white and Asian ethnic origin": "mixed_white_asian",
    "number of pupils classified as any other mixed background ethnic origin": "mixed_other",
    "number of pupils classified as Indian ethnic origin": "asian_indian",
    "number of pupils classified as Pakistani ethnic origin": "asian_pakistani",
    "number of pupils classified as Bangladeshi ethnic origin": "asian_bangladeshi",
    "number of pupils classified as any other Asian background ethnic origin": "asian_other",
    "number of pupils classified as Caribbean ethnic origin": "black_caribbean",
    "number of pupils classified as African ethnic origin": "black_african",
    "number of pupils classified as any other black background ethnic origin": "black_other",
    "number of pupils classified as Chinese ethnic origin": "chinese",
    "number of pupils classified as any other ethnic group ethnic origin": "other",
    "number of pupils unclassified": "unclassified",
}

#: School census short names (see :data:`SCHOOL_CENSUS_COLUMNS`) → common group.
SCHOOL_CENSUS: dict[str, str | None] = {
    "white_british": "white_british",
    "white_irish": "white_irish",
    "traveller_irish_heritage": "gypsy_roma_traveller",
    "gypsy_roma": "gypsy_roma_traveller",
    "white_other": "white_other",
    "mixed_white_black_caribbean": "mixed",
    "mixed_white_black_african": "mixed",
    "mixed_white_asian": "mixed",
    "mixed_other": "mixed",
    "asian_indian": "indian",
    "asian_pakistani": "pakistani",
    "asian_bangladeshi": "bangladeshi",
    "asian_other": "other_asian",
    "chinese": "chinese",
    "black_african": "black_african",
    "black_caribbean": "black_caribbean",
    "black_other": "other_black",
    "other": "other",  # includes Arab pupils
    "unclassified": UNCLASSIFIED,  # kept explicit, never dropped
    "headcount": None,  # the total
}

_TS021 = "Ethnic group: "
_ASIAN = "Asian, Asian British or Asian Welsh"
_BLACK = "Black, Black British, Black Welsh, Caribbean or African"
_MIXED = "Mixed or Multiple ethnic groups"

#: ONS 2021 TS021 bulk-file labels → the short 2021 column names of :data:`CENSUS2021`.
ONS_TS021_LABELS: dict[str, str] = {
    _TS021 + "Total: All usual residents": "total",
    _TS021 + _ASIAN: "asian_all",
    _TS021 + _ASIAN + ": Bangladeshi": "asian_bangladeshi",
    _TS021 + _ASIAN + ": Chinese": "asian_chinese",
    _TS021 + _ASIAN + ": Indian": "asian_indian",
    _TS021 + _ASIAN + ": Pakistani": "asian_pakistani",
    _TS021 + _ASIAN + ": Other Asian": "asian_other",
    _TS021 + _BLACK: "black_all",
    _TS021 + _BLACK + ": African": "black_african",
    _TS021 + _BLACK + ": Caribbean": "black_caribbean",
    _TS021 + _BLACK + ": Other Black": "black_other",
    _TS021 + _MIXED: "mixed_all",
    _TS021 + _MIXED + ": White and Asian": "mixed_white_asian",
    _TS021 + _MIXED + ": White and Black African": "mixed_white_black_african",
    _TS021 + _MIXED + ": White and Black Caribbean": "mixed_white_black_caribbean",
    _TS021 + _MIXED + ": Other Mixed or Multiple ethnic groups": "mixed_other",
    _TS021 + "White": "white_all",
    _TS021 + "White: English, Welsh, Scottish, Northern Irish or British": "white_british",
    _TS021 + "White: Irish": "white_irish",
    _TS021 + "White: Gypsy or Irish Traveller": "white_gypsy_irish_traveller",
    _TS021 + "White: Roma": "white_roma",
    _TS021 + "White: Other White": "white_other",
    _TS021 + "Other ethnic group": "other_all",
    _TS021 + "Other ethnic group: Arab": "other_arab",
    _TS021 + "Other ethnic group: Any other ethnic group": "other_any_other",
}


def group_label(name: Hashable) -> str:
    """The human label of a group name, for titles, legends and table headers.

    Parameters
    ----------
    name : str or hashable
        A group name: a common group (:data:`COMMON_GROUPS`,
        :data:`BROAD_GROUPS`, :data:`UNCLASSIFIED`, :data:`TOTAL`) or any
        column name.

    Returns
    -------
    str
        The label of :data:`GROUP_LABELS` when there is one; otherwise a tidy
        title case: underscores and ``camelCase`` become spaces and each word
        starts with a capital, words that already hold capitals (``"LAD"``)
        being kept as written.

    Examples
    --------
    >>> from segindex.classification import group_label
    >>> group_label("black_african"), group_label("white_other"), group_label("unclassified")
    ('Black African', 'Other White', 'Unclassified')
    >>> group_label("asian_pakistani"), group_label("WhiteBrit"), group_label("LAD_name")
    ('Asian Pakistani', 'White Brit', 'LAD Name')
    """
    if isinstance(name, str) and name in GROUP_LABELS:
        return GROUP_LABELS[name]
    text = str(name)
    if text == REST:
        return "Rest of the population"
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text).replace("_", " ").split()
    tidy = " ".join(w if any(c.isupper() for c in w) else w[:1].upper() + w[1:] for w in words)
    return tidy or text


_LEVELS = ("detailed", "broad")
_UNMAPPED = ("error", "ignore")


def _check_mapping(mapping, caller: str) -> dict:
    if not isinstance(mapping, Mapping):
        raise SegindexTypeError(
            f"{caller}(): the 'mapping' parameter must be a dict of source column → common group "
            f"(for example segindex.classification.CENSUS2011), got {type(mapping).__name__} instead."
        )
    if not mapping:
        raise SegindexValueError(f"{caller}(): the mapping is empty; it must name at least one source column.")
    allowed = set(COMMON_GROUPS) | {UNCLASSIFIED}
    for source, target in mapping.items():
        if target is not None and target not in allowed:
            raise SegindexValueError(
                f"{caller}(): the mapping sends column {source!r} to {target!r}, which is not a "
                f"common group. Map each source column to one of {list(COMMON_GROUPS) + [UNCLASSIFIED]}, "
                "or to None for a total or subtotal column that must not be added."
            )
    if all(target is None for target in mapping.values()):
        raise SegindexValueError(
            f"{caller}(): every column of the mapping maps to None; at least one must map to a common group."
        )
    return dict(mapping)


def to_common(
    data: pd.DataFrame,
    mapping: Mapping,
    *,
    keep: list | None = None,
    level: str = "detailed",
    unmapped: str = "error",
    total: str | None = "auto",
) -> pd.DataFrame:
    """Add a table's source ethnic-group columns up into the common classification.

    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        Wide table, one row per unit, with the source group columns.
    mapping : dict
        Source column → common group (one of :data:`COMMON_GROUPS` or
        :data:`UNCLASSIFIED`), or → ``None`` for a known column that is not a
        group (a total or a subtotal), which is not added. Use
        :data:`CENSUS2011`, :data:`CENSUS2021`, :data:`CENSUS2021_ROMA_GRT`,
        :data:`SCHOOL_CENSUS`, or a dict of your own. Every source column that
        maps to a group must be present in ``data``; columns mapped to ``None``
        may be absent.
    keep : list of column names, optional
        Columns carried unchanged into the result (names, area codes,
        coordinates, geometry).
    level : {"detailed", "broad"}, default "detailed"
        ``"detailed"`` gives the :data:`COMMON_GROUPS` reached by the mapping;
        ``"broad"`` adds them further into :data:`BROAD_GROUPS`. An
        ``unclassified`` column stays as it is at both levels.
    unmapped : {"error", "ignore"}, default "error"
        What to do with numeric columns of ``data`` that are neither in
        ``mapping`` nor in ``keep`` (they might be group counts the mapping
        forgot): raise, or leave them out of the result. Text columns are
        identifiers, not counts: they are left out unless named in ``keep``.
    total : str or None, default "auto"
        The source column of unit totals, carried into a column named
        :data:`TOTAL` (``"total"``), so that ``total="total"`` works in every
        index that follows. ``"auto"`` takes the total the mapping marks (sends
        to ``None``) and ``data`` holds: ``Persons`` (2011 census), ``total``
        (2021 census) or ``headcount`` (school census; the pupil headcount
        includes unclassified pupils), and adds no column when there is none.
        A column name takes that column; ``None`` adds no total.

    Returns
    -------
    pandas.DataFrame
        A new frame with the same index: the ``keep`` columns first, then one
        float column per common group reached by the mapping, in the order of
        :data:`COMMON_GROUPS` (or :data:`BROAD_GROUPS`), then ``unclassified``
        if mapped, then ``total`` (float). A missing (NaN) source count gives
        NaN in its common group: nothing is silently counted as zero. A
        GeoDataFrame stays one when its geometry column is kept. The input is
        not modified.

    Raises
    ------
    SegindexValueError
        A mapped column is missing from ``data``; a mapping target is not a
        common group; ``level`` or ``unmapped`` is not one of the allowed
        values; an unmapped numeric column is present with ``unmapped="error"``;
        a ``keep`` column is missing or is also a mapped column; the ``total``
        column is missing, is mapped to a group, or clashes with a kept
        column named ``total``; a count is negative or infinite.
    SegindexTypeError
        ``data`` is not a DataFrame, ``mapping`` is not a dict, or a mapped
        column is not numeric (the message gives the first bad value and its
        row).

    Notes
    -----
    Each common group :math:`g` receives :math:`c_g = \\sum_{s: m(s) = g} x_s`,
    the sum of the source columns :math:`s` the mapping :math:`m` sends to it,
    so the total over groups is conserved exactly. The module docstring lists
    every contestable choice in the mappings.

    Examples
    --------
    >>> import pandas as pd
    >>> from segindex.classification import CENSUS2011, to_common
    >>> df = pd.DataFrame({"Persons": [10, 20], "WhiteBrit": [5, 10], "Irish": [1, 0],
    ...     "OtherWhite": [0, 2], "Mixed": [1, 1], "Indian": [0, 3], "Pakistani": [2, 1],
    ...     "Bangladeshi": [0, 0], "Chinese": [0, 1], "OtherAsian": [0, 0], "BlkAfrican": [0, 1],
    ...     "BlkCaribbean": [1, 0], "OtherBlk": [0, 0], "Arab": [0, 1], "Other": [0, 0],
    ...     "GypsyTraveller": [0, 0]}, index=pd.Index(["E01", "E02"], name="LSOA"))
    >>> broad = to_common(df, CENSUS2011, level="broad")
    >>> broad
          white  mixed  asian  black  other  total
    LSOA
    E01     6.0    1.0    2.0    1.0    0.0   10.0
    E02    12.0    1.0    5.0    1.0    1.0   20.0
    >>> bool((broad[["white", "mixed", "asian", "black", "other"]].sum(axis=1) == broad["total"]).all())
    True
    """
    caller = "to_common"
    check_frame(data, caller)
    mapping = _check_mapping(mapping, caller)
    _check_choice(level, "level", _LEVELS, caller)
    _check_choice(unmapped, "unmapped", _UNMAPPED, caller)
    keep = _check_keep(data, keep, mapping, caller)
    used = {source: target for source, target in mapping.items() if target is not None}
    missing = [source for source in used if source not in data.columns]
    if missing:
        raise SegindexValueError(
            f"{caller}(): the mapping needs column(s) {first_few(missing)} that are not in the data. "
            f"Available columns: {first_few(data.columns, limit=30)}. Check the source (2011 census, "
            "2021 census, school census) matches the mapping, or pass a mapping of your own."
        )
    if unmapped == "error":
        _refuse_stray(data, mapping, keep, caller)
    total_source = _total_source(data, mapping, total, keep, caller)
    sources = {source: _numeric(data, source, caller) for source in used}
    order = [g for g in COMMON_GROUPS if g in used.values()]
    if UNCLASSIFIED in used.values():
        order.append(UNCLASSIFIED)
    detailed = {}
    for group in order:
        parts = [sources[s] for s, t in used.items() if t == group]
        detailed[group] = np.sum(parts, axis=0)  # NaN propagates: never a silent zero
    if level == "broad":
        result = {}
        for group in list(BROAD_GROUPS) + [UNCLASSIFIED]:
            parts = [values for g, values in detailed.items() if BROAD_OF[g] == group]
            if parts:
                result[group] = np.sum(parts, axis=0)
    else:
        result = detailed
    if total_source is not None and TOTAL not in keep:
        result[TOTAL] = _numeric(data, total_source, caller, role="total")
    out = pd.DataFrame(result, index=data.index, dtype=np.float64)
    if keep:
        out = pd.concat([data[keep].copy(), out], axis=1)
        geometry = getattr(data, "_geometry_column_name", None)
        if geometry is not None and geometry in keep:
            import geopandas

            out = geopandas.GeoDataFrame(out, geometry=geometry, crs=data.crs)
    return out


def _check_choice(value, name: str, allowed: tuple, caller: str) -> None:
    if value not in allowed:
        raise SegindexValueError(
            f"{caller}(): the {name!r} parameter must be {' or '.join(repr(a) for a in allowed)}, "
            f"got {value!r} instead."
        )


def _check_keep(data: pd.DataFrame, keep, mapping: dict, caller: str) -> list:
    keep = [] if keep is None else check_labels(keep, "keep", caller)
    for column in keep:
        if column not in data.columns:
            raise SegindexValueError(
                f"{caller}(): the keep column {column!r} is not in the data. "
                f"Available columns: {first_few(data.columns, limit=30)}."
            )
        if mapping.get(column) is not None:
            raise SegindexValueError(
                f"{caller}(): column {column!r} is both kept and mapped to {mapping[column]!r}; "
                "a group column is added into its common group, so it cannot also be kept."
            )
    return keep


def _refuse_stray(data: pd.DataFrame, mapping: dict, keep: list, caller: str) -> None:
    stray = [
        column
        for column in data.columns
        if column not in mapping
        and column not in keep
        and pd.api.types.is_numeric_dtype(data[column].dtype)
        and not pd.api.types.is_bool_dtype(data[column].dtype)
    ]
    if stray:
        raise SegindexValueError(
            f"{caller}(): numeric column(s) {first_few(stray)} are neither in the mapping nor in keep; "
            "they could be group counts the mapping misses. Map them, name them in keep=, "
            "or pass unmapped='ignore' to leave them out."
        )


def _total_source(data: pd.DataFrame, mapping: dict, total, keep: list, caller: str):
    """The column of ``data`` whose values become the ``total`` column, or None."""
    if total is None:
        return None
    if not isinstance(total, str):
        raise SegindexTypeError(
            f"{caller}(): the 'total' parameter must be a column name, 'auto' or None, "
            f"got {type(total).__name__} {total!r} instead."
        )
    if total == "auto":
        found = [c for c in _TOTAL_SOURCES if c in mapping and mapping[c] is None and c in data.columns]
        if not found:
            return None
        total = found[0]
    elif total not in data.columns:
        raise SegindexValueError(
            f"{caller}(): the total column {total!r} is not in the data. "
            f"Available columns: {first_few(data.columns, limit=30)}."
        )
    elif mapping.get(total) is not None:
        raise SegindexValueError(
            f"{caller}(): column {total!r} is mapped to the group {mapping[total]!r}; a total column holds "
            "every person of the unit, not one group. Pass the column of unit totals, or total=None."
        )
    if TOTAL in keep and total != TOTAL:
        raise SegindexValueError(
            f"{caller}(): keep names a column {TOTAL!r}, and the totals of {total!r} would go into a column of "
            f"the same name. Rename that column, leave it out of keep, or pass total=None."
        )
    return total


def _numeric(data: pd.DataFrame, column, caller: str, *, role: str = "group") -> np.ndarray:
    """One mapped column as float64, checked as every count is (``counts.numeric_column``) but NaN allowed.

    A missing (NaN) count stays NaN, so that a suppressed school count is never
    added as zero; a negative or infinite count raises.
    """
    values = numeric_column(data, column, role, caller, check=False)
    wrong = np.isinf(values) | (values < 0)
    if wrong.any():
        first = int(np.flatnonzero(wrong)[0])
        kind = "an infinite value" if np.isinf(values[first]) else f"a negative count ({values[first]:g})"
        raise SegindexValueError(
            f"{caller}(): the {role} column {column!r} has {kind} at unit {_label(data.index[first])!r} "
            f"(row {first}). Counts must be non-negative; a missing count may be NaN."
        )
    return values


def _label(value):
    """A row label for a message: numpy scalars as plain Python values."""
    return value.item() if isinstance(value, np.generic) else value


# ----------------------------------------------------------------------------
# The 2001 census (KS006), and the 2011 and 2021 mappings that compare with it
#
# KS006 "Ethnic group" (2001) has 16 groups. Three differences with 2011 and 2021 matter:
#
# * No Gypsy or Irish Traveller category. Gypsies and Travellers answered mostly "White: Other White"
#   (some "White: British" or "White: Irish"), so 2001 has no ``gypsy_roma_traveller`` column. To compare
#   2001 with 2011 or 2021 on the same columns, use :data:`CENSUS2011_AS_2001` and
#   :data:`CENSUS2021_AS_2001`, which fold 2011's Gypsy or Irish Traveller, and 2021's Gypsy or Irish
#   Traveller and Roma, into ``white_other``. Nationally these are about 0.1 % (2011) and 0.2 % (2021) of
#   residents; locally (near sites, or where Roma settled after 2004) the fold can matter.
# * No Arab category. Arab residents answered "Other ethnic group" in 2001; 2011 and 2021 have an Arab
#   tick-box. The common classification already sends Arab to ``other`` in every source, so ``other``
#   covers the same people in the three censuses (as far as people answer alike); Arab residents cannot
#   be studied on their own across the decades.
# * Chinese outside Asian. 2001 published "Chinese or other ethnic group: Chinese", outside "Asian or Asian
#   British"; 2011 and 2021 put Chinese inside Asian. At the detailed level ``chinese`` is the same group
#   in all three. At the broad level :data:`BROAD_OF` counts ``chinese`` in ``asian`` in every census, so a
#   2001 broad ``asian`` built here is larger than the 2001 published "Asian or Asian British" total by
#   the Chinese count: compare with published 2001 broad totals at the detailed level.
#
# Mixed is one group (four 2001 Mixed columns added), as for 2011 and 2021.

#: 2001 census KS006 short columns (as read by ``segindex.io.read_ks006``) → common group.
CENSUS2001: dict[str, str | None] = {
    "white_british": "white_british",
    "white_irish": "white_irish",
    "white_other": "white_other",  # includes most Gypsies and Travellers: no category in 2001
    "mixed_white_black_caribbean": "mixed",
    "mixed_white_black_african": "mixed",
    "mixed_white_asian": "mixed",
    "mixed_other": "mixed",
    "asian_indian": "indian",
    "asian_pakistani": "pakistani",
    "asian_bangladeshi": "bangladeshi",
    "asian_other": "other_asian",
    "black_caribbean": "black_caribbean",
    "black_african": "black_african",
    "black_other": "other_black",
    "chinese": "chinese",  # published under "Chinese or other ethnic group" in 2001, counted Asian here
    "other": "other",  # includes Arab: no category in 2001
    "total": None,  # all people
}

#: The 16 KS006 group columns, in table order.
KS006_GROUPS: tuple[str, ...] = tuple(c for c, t in CENSUS2001.items() if t is not None)

#: 2011 census columns → common group, comparable with 2001 (Gypsy or Irish Traveller → white_other).
CENSUS2011_AS_2001: dict[str, str | None] = {**CENSUS2011, "GypsyTraveller": "white_other"}

#: 2021 census short columns → common group, comparable with 2001 (Gypsy, Irish Traveller, Roma → white_other).
CENSUS2021_AS_2001: dict[str, str | None] = {**CENSUS2021, "white_gypsy_irish_traveller": "white_other"}

__all__ += ["CENSUS2001", "KS006_GROUPS", "CENSUS2011_AS_2001", "CENSUS2021_AS_2001"]
