"""Change over time: comparable geographies, panels and decompositions of change.

Trends go wrong in three ways, and this module has one tool for each:

* **Boundaries change** between censuses. :func:`comparable_units` turns an
  official many-to-many lookup (ONS LSOA 2011 → LSOA 2021) into the smallest
  units that are the same place in both years (the connected components of the
  lookup graph), and :func:`harmonise_counts` aggregates both years' counts to
  them, conserving every person. Where only boundaries exist,
  :func:`areal_interpolate` moves counts from one set of polygons to another by
  area or by a finer population surface.
* **Indices must run per area and year.** :func:`panel` stacks years into one
  wide table with a ``year`` column, so every index in segindex runs with
  ``by=[area, "year"]``.
* **A change in an index mixes two changes**: in the groups' sizes and in where
  they live. :func:`decompose_change` splits the change in D, isolation and η²
  into a composition part and a distribution part (a two-factor Shapley
  decomposition); :func:`mutual_information_difference` splits the change in
  the mutual information index M into additions, removals, group-marginal,
  unit-marginal and structural parts (Elbers 2021).
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._kernels import change as _kc
from ._kernels import multigroup as _km
from ._kernels import twogroup as _kt
from ._kernels import validate as _kv
from .counts import area_codes, check_frame, check_label, check_labels, check_projected, numeric_column, read_pair
from .errors import AbsentGroupWarning, DataQualityWarning, SegindexTypeError, SegindexValueError, first_few
from .indices import registry

if TYPE_CHECKING:  # pragma: no cover - annotations only
    import geopandas as gpd

__all__ = [
    "ComparableUnits",
    "comparable_units",
    "harmonise_counts",
    "areal_interpolate",
    "panel",
    "decompose_change",
    "mutual_information_difference",
    "CHANGE_TYPES",
]

#: ONS change indicators of the LSOA 2011 → 2021 lookup, and what they mean.
CHANGE_TYPES = {"U": "unchanged", "S": "split", "M": "merged", "X": "irregular"}

_MAX_LISTED = 10


def _listing(values) -> str:
    return first_few(values, limit=_MAX_LISTED)


# ----------------------------------------------------------------------------
# comparable units


@dataclass(frozen=True, eq=False)
class ComparableUnits:
    """Units that cover the same ground in two years (see :func:`comparable_units`).

    Attributes
    ----------
    old : pandas.Series
        Comparable-unit label of every old (e.g. 2011) code, indexed by code.
    new : pandas.Series
        Comparable-unit label of every new (e.g. 2021) code, indexed by code.
    attributes : pandas.DataFrame
        One row per comparable unit (indexed by its label) with the number of
        old and new codes it holds, its type (``unchanged``, ``split``,
        ``merged``, ``irregular``) and the ``keep`` columns of the lookup.
    report : pandas.DataFrame
        One row per type with the number of comparable units, old codes, new
        codes and (with a change column) lookup rows by ONS change indicator.
    from_code, to_code : str
        The lookup's column names of old and new codes.
    """

    old: pd.Series
    new: pd.Series
    attributes: pd.DataFrame
    report: pd.DataFrame
    from_code: str
    to_code: str

    @property
    def n_units(self) -> int:
        """Number of comparable units."""
        return len(self.attributes)

    def __repr__(self) -> str:
        changed = int((self.attributes["type"] != "unchanged").sum())
        return (
            f"ComparableUnits({len(self.old)} {self.from_code} and {len(self.new)} {self.to_code} codes "
            f"-> {self.n_units} comparable units, {changed} of them not one-to-one)"
        )


def _code_column(frame: pd.DataFrame, column, role: str, caller: str) -> np.ndarray:
    check_label(column, role, caller)
    if column not in frame.columns:
        available = ", ".join(repr(c) for c in list(frame.columns)[:30])
        raise SegindexValueError(
            f"{caller}(): the {role} column {column!r} is not in the table. Available columns: {available}."
        )
    values = frame[column]
    missing = values.isna().to_numpy()
    if missing.any():
        first = int(np.flatnonzero(missing)[0])
        raise SegindexValueError(
            f"{caller}(): the {role} column {column!r} has a missing code at row {first}; every row needs a code."
        )
    return values.astype(str).to_numpy()


def comparable_units(
    lookup: pd.DataFrame,
    *,
    from_code: Hashable = "LSOA11CD",
    to_code: Hashable = "LSOA21CD",
    change_column: Hashable | None = "CHGIND",
    keep: Sequence[Hashable] | None = None,
    straddling: str = "error",
) -> ComparableUnits:
    r"""The smallest units that are the same place in two census geographies.

    A lookup between two geographies (one row per old-code/new-code pair, as
    the ONS LSOA 2011 → LSOA 2021 lookup) is a bipartite graph. Its connected
    components are the comparable units: an unchanged LSOA is one unit; an
    LSOA split in two is one unit holding one old and two new codes; merges
    and irregular changes (an old area split between new areas that also take
    parts of other old areas) chain into larger units.

    Parameters
    ----------
    lookup : pandas.DataFrame
        One row per (old code, new code) pair.
    from_code, to_code : column name
        The old and new code columns.
    change_column : column name or None, default "CHGIND"
        The ONS change indicator (``U`` unchanged, ``S`` split, ``M`` merged,
        ``X`` irregular), counted in the report. ``None`` when the lookup
        has none.
    keep : list of column names, optional
        Attributes of the lookup to carry to each comparable unit (e.g.
        ``["LAD22CD", "LAD22NM"]``). Each should take one value per unit.
    straddling : {"error", "join"}, default "error"
        What to do with a comparable unit whose ``keep`` attribute takes
        several values (in the ONS exact-fit lookup, 3 units straddle local
        authority boundaries): raise, naming them, or label it with the values
        joined by ``" / "`` (e.g. ``"Gateshead / Northumberland"``), so that it
        forms an area of its own and nobody is silently assigned to the wrong
        one. The attributes table marks such units in a ``straddles`` column.

    Returns
    -------
    ComparableUnits
        The unit label of every old and new code (a unit is labelled by the
        first of its new codes in sorted order, so an unchanged area keeps its
        code), the per-unit attributes and the report.

    Raises
    ------
    SegindexValueError
        A column is missing, a code is missing, the change indicator has a
        value other than U, S, M, X, or a ``keep`` attribute varies within a
        comparable unit.
    SegindexTypeError
        ``lookup`` is not a DataFrame.

    Notes
    -----
    With old codes :math:`a` and new codes :math:`b` as the nodes of a graph
    and an edge for every lookup row, the comparable units are the connected
    components (``scipy.sparse.csgraph.connected_components``). A unit is
    *unchanged* with one old and one new code, *split* with one old and
    several new, *merged* with several old and one new, and *irregular*
    with several of both.

    References
    ----------
    Office for National Statistics (2022). LSOA (2011) to LSOA (2021) to Local
    Authority District (2022) Lookup for England and Wales (exact fit).

    Examples
    --------
    >>> import pandas as pd
    >>> lookup = pd.DataFrame({"LSOA11CD": ["a", "b", "b", "c", "d"],
    ...                        "LSOA21CD": ["A", "B1", "B2", "C", "C"],
    ...                        "CHGIND": ["U", "S", "S", "M", "M"]})
    >>> units = comparable_units(lookup)
    >>> units.old.to_dict()
    {'a': 'A', 'b': 'B1', 'c': 'C', 'd': 'C'}
    >>> units.attributes["type"].tolist()
    ['unchanged', 'split', 'merged']
    """
    caller = "comparable_units"
    if straddling not in ("error", "join"):
        raise SegindexValueError(f'{caller}(): \'straddling\' must be "error" or "join", got {straddling!r}.')
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    check_frame(lookup, caller)
    check_label(from_code, "from_code", caller)
    check_label(to_code, "to_code", caller)
    if from_code == to_code:
        raise SegindexValueError(f"{caller}(): from_code and to_code are both {from_code!r}; name two columns.")
    old_codes = _code_column(lookup, from_code, "from_code", caller)
    new_codes = _code_column(lookup, to_code, "to_code", caller)
    keep = [] if keep is None else check_labels(keep, "keep", caller)
    for column in keep:
        _code_column(lookup, column, "keep", caller)
    chg = None
    if change_column is not None:
        chg = _code_column(lookup, change_column, "change_column", caller)
        bad = ~np.isin(chg, list(CHANGE_TYPES))
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise SegindexValueError(
                f"{caller}(): the change column {change_column!r} has the value {chg[first]!r} at row "
                f"{first}; expected one of U (unchanged), S (split), M (merged), X (irregular). "
                "Pass change_column=None if the lookup has no ONS change indicator."
            )

    old_idx, old_labels = pd.factorize(old_codes, sort=True)
    new_idx, new_labels = pd.factorize(new_codes, sort=True)
    n_old, n_new = len(old_labels), len(new_labels)
    graph = coo_matrix((np.ones(len(old_idx)), (old_idx, n_old + new_idx)), shape=(n_old + n_new, n_old + n_new))
    n_comp, comp = connected_components(graph, directed=False)
    comp_old, comp_new = comp[:n_old], comp[n_old:]
    # label each component by its first new code (new_labels are sorted)
    first_new = np.full(n_comp, n_new, dtype=np.int64)
    np.minimum.at(first_new, comp_new, np.arange(n_new))
    labels = np.asarray(new_labels, dtype=object)[first_new]
    n_old_per = np.bincount(comp_old, minlength=n_comp)
    n_new_per = np.bincount(comp_new, minlength=n_comp)
    kind = np.where(
        n_old_per == 1,
        np.where(n_new_per == 1, "unchanged", "split"),
        np.where(n_new_per == 1, "merged", "irregular"),
    )
    unit_index = pd.Index(labels, name="unit")
    attributes = pd.DataFrame({"n_old": n_old_per, "n_new": n_new_per, "type": kind}, index=unit_index)
    straddle = np.zeros(n_comp, dtype=bool)
    if keep:
        row_comp = comp_old[old_idx]
        for column in keep:
            values = lookup[column].to_numpy()
            codes, uniques = pd.factorize(values)
            per = pd.DataFrame({"c": row_comp, "v": codes}).drop_duplicates()
            clash = per["c"].duplicated(keep=False).to_numpy()
            if clash.any() and straddling == "error":
                bad = np.unique(per["c"].to_numpy()[clash])
                raise SegindexValueError(
                    f"{caller}(): the keep column {column!r} takes more than one value in {bad.size} "
                    f"comparable units ({_listing(labels[bad])}): they straddle a boundary of {column!r}. "
                    "Pass straddling=\"join\" to label them with the values joined by ' / ' (they then "
                    "form areas of their own), or keep only attributes constant within a unit."
                )
            out = np.empty(n_comp, dtype=object)
            names = np.asarray(uniques, dtype=object)[per["v"].to_numpy()]
            out[per["c"].to_numpy()] = names
            if clash.any():
                joined = (
                    pd.Series(names[clash])
                    .astype(str)
                    .groupby(per["c"].to_numpy()[clash])
                    .agg(lambda v: " / ".join(sorted(set(v))))
                )
                out[joined.index.to_numpy()] = joined.to_numpy()
            attributes[column] = out
            straddle |= np.isin(np.arange(n_comp), per["c"].to_numpy()[clash])
    if keep:
        attributes["straddles"] = straddle
    types = ["unchanged", "split", "merged", "irregular"]
    report = pd.DataFrame(
        {
            "units": [int((kind == t).sum()) for t in types],
            "old_codes": [int(n_old_per[kind == t].sum()) for t in types],
            "new_codes": [int(n_new_per[kind == t].sum()) for t in types],
        },
        index=pd.Index(types, name="type"),
    )
    if chg is not None:
        counts = pd.Series(chg).value_counts()
        report["lookup_rows"] = [int(counts.get(k, 0)) for k in CHANGE_TYPES]
        report.index = pd.Index([f"{t} ({k})" for k, t in CHANGE_TYPES.items()], name="type")
    report.loc["total"] = report.sum()
    return ComparableUnits(
        old=pd.Series(labels[comp_old], index=pd.Index(old_labels, name=from_code), name="unit"),
        new=pd.Series(labels[comp_new], index=pd.Index(new_labels, name=to_code), name="unit"),
        attributes=attributes,
        report=report,
        from_code=from_code,
        to_code=to_code,
    )


# ----------------------------------------------------------------------------
# harmonising counts


def _numeric_columns(frame: pd.DataFrame, exclude) -> list:
    return [
        c
        for c in frame.columns
        if c not in exclude
        and pd.api.types.is_numeric_dtype(frame[c].dtype)
        and not pd.api.types.is_bool_dtype(frame[c].dtype)
    ]


def _check_same_groups(frames: Mapping, groups, exclude, caller: str) -> list:
    """The group columns common to every frame, or an error naming the differences."""
    years = list(frames)
    if groups is not None:
        labels = check_labels(groups, "groups", caller)
        for year in years:
            missing = [g for g in labels if g not in frames[year].columns]
            if missing:
                raise SegindexValueError(
                    f"{caller}(): the {year!r} table has no column for the groups {_listing(missing)}. "
                    "Every year needs the same groups: map both years to common categories first "
                    "(segindex.classification.to_common), e.g. fold 2021's 'White: Roma' into Other White."
                )
        return labels
    sets = {year: _numeric_columns(frames[year], exclude) for year in years}
    first = years[0]
    for year in years[1:]:
        only_a = [g for g in sets[first] if g not in sets[year]]
        only_b = [g for g in sets[year] if g not in sets[first]]
        if only_a or only_b:
            parts = []
            if only_a:
                parts.append(f"only in {first!r}: {_listing(only_a)}")
            if only_b:
                parts.append(f"only in {year!r}: {_listing(only_b)}")
            raise SegindexValueError(
                f"{caller}(): the years have different group columns ({'; '.join(parts)}). "
                "Map both years to common categories first (segindex.classification.to_common), "
                "or name the groups to use with groups=[...]."
            )
    if not sets[first]:
        raise SegindexValueError(f"{caller}(): the tables have no numeric group columns; name them with groups=.")
    return sets[first]


def _codes_of(data: pd.DataFrame, code, caller: str, role: str) -> np.ndarray:
    if code is None:
        values = data.index
        if values.hasnans:
            raise SegindexValueError(f"{caller}(): the index of the {role} table has a missing code.")
        return np.asarray(values.astype(str))
    return _code_column(data, code, f"{role} code", caller)


def harmonise_counts(
    data_from: pd.DataFrame,
    data_to: pd.DataFrame,
    units: ComparableUnits,
    *,
    groups: Sequence[Hashable] | None = None,
    from_code: Hashable | None = None,
    to_code: Hashable | None = None,
    total: Hashable | None = None,
    years: tuple[Hashable, Hashable] = ("from", "to"),
) -> dict:
    r"""Aggregate two years' counts to comparable units, conserving every person.

    Parameters
    ----------
    data_from, data_to : pandas.DataFrame
        Wide tables (one row per old / new code, one column per group) of the
        earlier and the later year.
    units : ComparableUnits
        From :func:`comparable_units`. Its codes and the tables' codes must be
        the same sets: filter the lookup to the area studied *before* building
        the units (for example ``lookup[lookup.LAD22NM.isin(areas)]``).
    groups : list of column names, optional
        The group columns, present in both years. By default every numeric
        column other than the code and total columns, which must then be the
        same in both years.
    from_code, to_code : column name, optional
        The code columns of ``data_from`` and ``data_to``; default the
        lookup's column names ``units.from_code`` and ``units.to_code``.
        Pass ``False`` to read the codes from the index.
    total : column name, optional
        A column of totals in both tables (e.g. the census "all usual
        residents"), aggregated too.
    years : pair of labels, default ("from", "to")
        Keys of the result, e.g. ``(2011, 2021)``.

    Returns
    -------
    dict
        ``{years[0]: frame, years[1]: frame}``: two tables indexed by
        comparable unit (same index, same order) with the unit attributes of
        ``units`` (``type`` and the ``keep`` columns), the group columns and
        ``total`` if given. Pass it to :func:`panel`.

    Raises
    ------
    SegindexValueError
        A code of the lookup is missing from a table, a table's code is
        missing from the lookup, a code appears twice, the group columns
        differ between the years, or a count is invalid.

    Notes
    -----
    For comparable unit :math:`u` and group :math:`g`,
    :math:`c_{ug} = \sum_{a \in u} c_{ag}` in each year. Sums of integer
    counts are exact, so every group total is conserved exactly.

    Examples
    --------
    >>> import pandas as pd
    >>> lookup = pd.DataFrame({"LSOA11CD": ["a", "b", "b"], "LSOA21CD": ["A", "B1", "B2"],
    ...                        "CHGIND": ["U", "S", "S"]})
    >>> units = comparable_units(lookup)
    >>> y11 = pd.DataFrame({"LSOA11CD": ["a", "b"], "x": [5, 7], "y": [1, 2]})
    >>> y21 = pd.DataFrame({"LSOA21CD": ["A", "B1", "B2"], "x": [6, 3, 5], "y": [1, 1, 1]})
    >>> h = harmonise_counts(y11, y21, units, groups=["x", "y"], years=(2011, 2021))
    >>> h[2021][["x", "y"]]
            x    y
    unit
    A     6.0  1.0
    B1    8.0  2.0
    """
    caller = "harmonise_counts"
    if not isinstance(units, ComparableUnits):
        raise SegindexTypeError(
            f"{caller}(): the 'units' parameter must be the result of comparable_units(lookup), "
            f"got {type(units).__name__} instead."
        )
    check_frame(data_from, caller)
    check_frame(data_to, caller)
    if not isinstance(years, (tuple, list)) or len(years) != 2 or years[0] == years[1]:
        raise SegindexValueError(f"{caller}(): 'years' must be two different labels, got {years!r}.")
    from_code = units.from_code if from_code is None else (None if from_code is False else from_code)
    to_code = units.to_code if to_code is None else (None if to_code is False else to_code)
    check_label(total, "total", caller, optional=True)
    frames = {years[0]: data_from, years[1]: data_to}
    exclude = {c for c in (from_code, to_code, total) if c is not None}
    labels = _check_same_groups(frames, groups, exclude, caller)
    if total is not None and total in labels:
        raise SegindexValueError(f"{caller}(): {total!r} is named both as a group and as the total column.")
    unit_labels = units.attributes.index
    result = {}
    for year, data, code, mapping, role in (
        (years[0], data_from, from_code, units.old, "data_from"),
        (years[1], data_to, to_code, units.new, "data_to"),
    ):
        codes = _codes_of(data, code, caller, role)
        dup = pd.Series(codes).duplicated().to_numpy()
        if dup.any():
            raise SegindexValueError(
                f"{caller}(): the code {codes[np.flatnonzero(dup)[0]]!r} appears more than once in "
                f"{role}; each code must have one row."
            )
        position = mapping.index.get_indexer(codes)
        unknown = np.flatnonzero(position < 0)
        if unknown.size:
            raise SegindexValueError(
                f"{caller}(): {unknown.size} codes of {role} are not in the lookup: "
                f"{_listing(codes[unknown])}. Use the lookup of the same census geography, or drop "
                "those rows explicitly."
            )
        absent = np.setdiff1d(np.arange(len(mapping)), position)
        if absent.size:
            raise SegindexValueError(
                f"{caller}(): {absent.size} codes of the lookup are missing from {role}: "
                f"{_listing(mapping.index[absent])}. Filter the lookup to the area covered by the "
                "data before comparable_units() (e.g. by local authority), so no unit is left half empty."
            )
        unit_pos = unit_labels.get_indexer(mapping.to_numpy()[position])
        columns = labels + ([total] if total is not None else [])
        out = {}
        for column in columns:
            values = numeric_column(data, column, "total" if column == total else "group", caller)
            out[column] = np.bincount(unit_pos, weights=values, minlength=len(unit_labels))
        frame = units.attributes.drop(columns=["n_old", "n_new"]).copy()
        for column in columns:
            frame[column] = out[column]
        result[year] = frame
    return result


# ----------------------------------------------------------------------------
# areal interpolation


def _check_projected(gdf, name: str, caller: str) -> None:
    check_projected(gdf, f"'{name}'", caller, measures="areas")


#: Areal interpolation refuses targets that cover a source polygon more than this many times over.
_OVERLAP_TOLERANCE = 1e-3


def _check_no_overlap(source, target, src_area, pieces, s_idx, t_idx, caller):
    """Overlapping targets would count the people in the overlap twice: refuse them, naming the first."""
    with np.errstate(divide="ignore", invalid="ignore"):
        part = np.where(src_area[s_idx] > 0, pieces.geometry.area.to_numpy() / src_area[s_idx], 0.0)
    covered = np.bincount(s_idx, weights=part, minlength=len(source))
    over = np.flatnonzero(covered > 1.0 + _OVERLAP_TOLERANCE)
    if over.size:
        s0 = int(over[0])
        names = [repr(t) for t in target.index[np.unique(t_idx[s_idx == s0])][:5]]
        raise SegindexValueError(
            f"{caller}(): target polygons overlap one another: {len(over)} source polygons are covered more "
            f"than once, the first ({source.index[s0]!r}) {covered[s0]:.3f} times, by targets "
            f"{', '.join(names)}; their people would be counted twice. Fix or dissolve the overlapping targets "
            "(target.overlay(target, how='intersection', keep_geom_type=True) shows where they overlap)."
        )


def areal_interpolate(
    source: gpd.GeoDataFrame,
    target: gpd.GeoDataFrame,
    columns: Sequence[Hashable],
    *,
    weights: str | gpd.GeoDataFrame = "area",
    weight_column: Hashable | None = None,
) -> gpd.GeoDataFrame:
    r"""Move counts from one set of polygons to another (areal interpolation).

    Each source polygon's counts are shared among the target polygons it
    overlaps, in proportion to the overlapping area (``weights="area"``) or to
    the population of a finer surface in the overlap (``weights=`` a
    GeoDataFrame of small zones with a population column).

    Parameters
    ----------
    source : geopandas.GeoDataFrame
        Polygons with count columns (extensive variables: people, not rates).
    target : geopandas.GeoDataFrame
        The polygons to estimate counts for, in the same projected CRS.
    columns : list of column names
        Count columns of ``source``.
    weights : "area" or geopandas.GeoDataFrame, default "area"
        ``"area"``: share by overlapping area. A GeoDataFrame: small zones
        (e.g. output areas) whose population, spread evenly over each zone,
        weights the overlaps; a source polygon that meets no populated zone
        falls back to area weights, with a warning.
    weight_column : column name, optional
        The population column of a ``weights`` GeoDataFrame (needed when it
        has more than one numeric column).

    Returns
    -------
    geopandas.GeoDataFrame
        ``target`` (a copy) with the estimated ``columns``. What fell outside
        every target polygon is in ``result.attrs["outside"]`` (a Series of
        counts per column) and ``result.attrs["share_outside"]``; a
        :class:`~segindex.errors.DataQualityWarning` says so when it is not
        zero. Source totals = target totals + outside.

    Raises
    ------
    SegindexValueError
        A CRS is missing or geographic (reproject with ``.to_crs(27700)``),
        the CRSs differ, a column is missing or holds invalid counts, or
        target polygons overlap.
    SegindexTypeError
        An input is not a GeoDataFrame.

    Notes
    -----
    Area weighting (Goodchild & Lam 1980):
    :math:`\hat c_{tg} = \sum_s c_{sg}\, |s \cap t| / |s|`. With a population
    surface of zones :math:`z` with population :math:`w_z`,
    :math:`\hat c_{tg} = \sum_s c_{sg} \frac{\sum_z w_z |s \cap t \cap z| / |z|}
    {\sum_z w_z |s \cap z| / |z|}` (a dasymetric refinement). Target polygons
    must not overlap one another (counts would be double counted): a source
    polygon covered more than 1.001 times over is refused.

    References
    ----------
    Goodchild, M. F. & Lam, N. S.-N. (1980). Areal interpolation: a variant of
    the traditional spatial problem. Geo-Processing 1, 297-312.

    Mennis, J. (2003). Generating surface models of population using
    dasymetric mapping. The Professional Geographer 55(1), 31-42.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> src = gpd.GeoDataFrame({"x": [100.0]}, geometry=[box(0, 0, 2, 1)], crs=27700)
    >>> tgt = gpd.GeoDataFrame({"name": ["W", "E"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=27700)
    >>> areal_interpolate(src, tgt, ["x"])["x"].tolist()
    [50.0, 50.0]
    """
    caller = "areal_interpolate"
    import geopandas as gpd

    for name, gdf in (("source", source), ("target", target)):
        if not isinstance(gdf, gpd.GeoDataFrame):
            raise SegindexTypeError(
                f"{caller}(): the '{name}' parameter must be a geopandas GeoDataFrame, got {type(gdf).__name__}."
            )
        _check_projected(gdf, name, caller)
    if source.crs != target.crs:
        raise SegindexValueError(
            f"{caller}(): source and target are in different CRSs ({source.crs.to_string()} and "
            f"{target.crs.to_string()}); reproject one, e.g. target.to_crs(source.crs)."
        )
    labels = check_labels(columns, "columns", caller)
    values = np.column_stack([numeric_column(source, c, "count", caller) for c in labels])
    src = gpd.GeoDataFrame({"_s": np.arange(len(source))}, geometry=source.geometry.values, crs=source.crs)
    tgt = gpd.GeoDataFrame({"_t": np.arange(len(target))}, geometry=target.geometry.values, crs=target.crs)
    src_area = src.geometry.area.to_numpy()
    pieces = gpd.overlay(src, tgt, how="intersection", keep_geom_type=True)
    s_idx = pieces["_s"].to_numpy()
    t_idx = pieces["_t"].to_numpy()
    _check_no_overlap(source, target, src_area, pieces, s_idx, t_idx, caller)
    fallback = 0
    if isinstance(weights, str):
        if weights != "area":
            raise SegindexValueError(
                f"{caller}(): 'weights' must be \"area\" or a GeoDataFrame of small zones with a "
                f"population column, got {weights!r}."
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(src_area[s_idx] > 0, pieces.geometry.area.to_numpy() / src_area[s_idx], 0.0)
    elif isinstance(weights, gpd.GeoDataFrame):
        _check_projected(weights, "weights", caller)
        if weights.crs != source.crs:
            raise SegindexValueError(
                f"{caller}(): the weights zones are in {weights.crs.to_string()}, the source in "
                f"{source.crs.to_string()}; reproject them with weights.to_crs(source.crs)."
            )
        if weight_column is None:
            candidates = _numeric_columns(weights, set())
            if len(candidates) != 1:
                raise SegindexValueError(
                    f"{caller}(): name the population column of the weights zones with weight_column= "
                    f"(numeric columns: {_listing(candidates)})."
                )
            weight_column = candidates[0]
        pop = numeric_column(weights, weight_column, "weight", caller)
        zones = gpd.GeoDataFrame({"_z": np.arange(len(weights))}, geometry=weights.geometry.values, crs=weights.crs)
        zone_area = zones.geometry.area.to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            density = np.where(zone_area > 0, pop / zone_area, 0.0)
        # weight of each source∩target piece: population of the zones inside it
        fine = gpd.overlay(pieces.reset_index(names="_p"), zones, how="intersection", keep_geom_type=True)
        piece_w = np.bincount(
            fine["_p"].to_numpy(),
            weights=density[fine["_z"].to_numpy()] * fine.geometry.area.to_numpy(),
            minlength=len(pieces),
        )
        # the source's own weight: population of zones over the whole source polygon
        whole = gpd.overlay(src, zones, how="intersection", keep_geom_type=True)
        src_w = np.bincount(
            whole["_s"].to_numpy(),
            weights=density[whole["_z"].to_numpy()] * whole.geometry.area.to_numpy(),
            minlength=len(src),
        )
        area_share = np.where(src_area[s_idx] > 0, pieces.geometry.area.to_numpy() / src_area[s_idx], 0.0)
        no_pop = src_w <= 0
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(no_pop[s_idx], area_share, piece_w / np.where(src_w > 0, src_w, 1.0)[s_idx])
        fallback = int((no_pop & (values.sum(axis=1) > 0)).sum())
        if fallback:
            warnings.warn(
                f"{caller}(): {fallback} source polygons with counts meet no populated weight zone; "
                "their counts were shared by area instead.",
                DataQualityWarning,
                stacklevel=2,
            )
    else:
        raise SegindexTypeError(
            f"{caller}(): 'weights' must be \"area\" or a GeoDataFrame of small zones, got {type(weights).__name__}."
        )
    out = target.copy()
    estimated = np.zeros((len(target), len(labels)))
    for k in range(len(labels)):
        estimated[:, k] = np.bincount(t_idx, weights=values[s_idx, k] * share, minlength=len(target))
    totals = values.sum(axis=0)
    outside = totals - estimated.sum(axis=0)
    outside[np.abs(outside) <= 1e-9 * np.maximum(totals, 1.0)] = 0.0
    for k, column in enumerate(labels):
        out[column] = estimated[:, k]
    out.attrs["outside"] = pd.Series(outside, index=labels, name="outside")
    with np.errstate(divide="ignore", invalid="ignore"):
        out.attrs["share_outside"] = pd.Series(
            np.where(totals > 0, outside / totals, 0.0), index=labels, name="share_outside"
        )
    if (outside > 0).any():
        worst = labels[int(np.argmax(outside))]
        warnings.warn(
            f"{caller}(): part of the source lies outside every target polygon; "
            f"{outside.max():.6g} of {worst!r} ({100 * outside.max() / totals[labels.index(worst)]:.3g} %) fell "
            "outside and is not in the result (see result.attrs['outside']).",
            DataQualityWarning,
            stacklevel=2,
        )
    return out


# ----------------------------------------------------------------------------
# panels


def panel(
    frames: Mapping[Hashable, pd.DataFrame],
    *,
    groups: Sequence[Hashable] | None = None,
    unit: Hashable | None = None,
    area: Hashable | Sequence[Hashable] | None = None,
    total: Hashable | None = None,
    year: str = "year",
) -> pd.DataFrame:
    r"""Stack several years into one wide table with a ``year`` column.

    Every index of segindex then runs per area and year with
    ``by=[area, "year"]`` (or per year with ``by="year"``).

    Parameters
    ----------
    frames : dict
        ``{year: DataFrame}``, one wide table per year on the same units
        (for instance from :func:`harmonise_counts`).
    groups : list of column names, optional
        The group columns, present in every year. By default every numeric
        column other than ``total``, which must then be the same in every year.
    unit : column name, optional
        The unit code column; by default the index (named ``unit`` in the result
        unless it has a name).
    area : column name or list of column names, optional
        Area keys (local authority ...) to carry.
    total : column name, optional
        Unit totals to carry.
    year : str, default "year"
        Name of the year column.

    Returns
    -------
    pandas.DataFrame
        Columns: unit, ``year``, area columns, groups, total; one row per unit
        and year, years in the order given.

    Raises
    ------
    SegindexValueError
        No frames, a missing column, or different group columns in different years.
    SegindexTypeError
        ``frames`` is not a dict of DataFrames.

    Examples
    --------
    >>> import pandas as pd
    >>> from segindex import dissimilarity
    >>> y1 = pd.DataFrame({"a": [10, 0], "b": [0, 10]}, index=["u1", "u2"])
    >>> y2 = pd.DataFrame({"a": [5, 5], "b": [5, 5]}, index=["u1", "u2"])
    >>> p = panel({2011: y1, 2021: y2}, groups=["a", "b"])
    >>> dissimilarity(p, "a", "b", by="year").round(4).tolist()
    [1.0, 0.0]
    """
    caller = "panel"
    if not isinstance(frames, Mapping) or not frames:
        raise SegindexTypeError(
            f"{caller}(): 'frames' must be a non-empty dict {{year: DataFrame}}, got "
            f"{type(frames).__name__ if not isinstance(frames, Mapping) else 'an empty dict'}."
        )
    for key, frame in frames.items():
        if not isinstance(frame, pd.DataFrame):
            raise SegindexTypeError(
                f"{caller}(): the table for year {key!r} must be a DataFrame, got {type(frame).__name__}."
            )
        check_frame(frame, caller)
    check_label(unit, "unit", caller, optional=True)
    check_label(total, "total", caller, optional=True)
    check_label(year, "year", caller)
    areas = [] if area is None else (check_labels(area, "area", caller) if isinstance(area, (list, tuple)) else [area])
    exclude = set(areas) | {c for c in (unit, total) if c is not None}
    labels = _check_same_groups(frames, groups, exclude, caller)
    parts = []
    for key, frame in frames.items():
        needed = ([unit] if unit is not None else []) + areas + labels + ([total] if total is not None else [])
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise SegindexValueError(f"{caller}(): the {key!r} table has no column {_listing(missing)}.")
        if year in frame.columns:
            raise SegindexValueError(
                f"{caller}(): the {key!r} table already has a column {year!r}; pass year= another name."
            )
        for c in labels + ([total] if total is not None else []):
            numeric_column(frame, c, "group" if c != total else "total", caller)
        if unit is None:
            name = frame.index.name or "unit"
            part = frame[areas + labels + ([total] if total is not None else [])].copy()
            part.insert(0, name, frame.index.to_numpy())
        else:
            name = unit
            part = frame[needed].copy()
        part.insert(1, year, key)
        parts.append(part.reset_index(drop=True))
    return pd.concat(parts, ignore_index=True)


# ----------------------------------------------------------------------------
# decomposition of the change in D, isolation and eta squared

_INDICES = ("dissimilarity", "isolation", "correlation_ratio")


def _aligned_units(data_from, data_to, unit, caller):
    if unit is None:
        a, b = data_from.index, data_to.index
    else:
        a = pd.Index(_code_column(data_from, unit, "unit", caller))
        b = pd.Index(_code_column(data_to, unit, "unit", caller))
    for idx, role in ((a, "data_from"), (b, "data_to")):
        if idx.has_duplicates:
            raise SegindexValueError(f"{caller}(): unit {idx[idx.duplicated()][0]!r} appears more than once in {role}.")
    only_a = a.difference(b)
    only_b = b.difference(a)
    if len(only_a) or len(only_b):
        parts = []
        if len(only_a):
            parts.append(f"only in data_from: {_listing(only_a)}")
        if len(only_b):
            parts.append(f"only in data_to: {_listing(only_b)}")
        raise SegindexValueError(
            f"{caller}(): the two years must have the same units ({'; '.join(parts)}). Aggregate both "
            "years to comparable units first (comparable_units and harmonise_counts)."
        )
    return b.get_indexer(a)


def _pair_arrays(data, group, other, total, caller):
    """The group x, its comparison y (``other`` or the rest) and the rest of the population r, read by counts."""
    pair = read_pair(data, group, other, total, None, caller, need_t=True)
    r = pair.y if other is None else _kv.remainder(pair.t, pair.x)
    return pair.x, pair.y, r


def _indices_from(specs, x, r, y, codes, A):
    """Each index's array-level compute per area: x against y (the comparison), in units of size x + r."""
    t = x + r
    return {
        spec.name: registry.clip_rounding(
            spec.compute(x, r if spec.comparison == "none" else y, t, codes, A), spec.bounds
        )
        for spec in specs
    }


def decompose_change(
    data_from: pd.DataFrame,
    data_to: pd.DataFrame,
    group: Hashable,
    *,
    total: Hashable,
    other: Hashable | None = None,
    unit: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    indices: Sequence[str] = _INDICES,
) -> pd.DataFrame:
    r"""Split the change in D, isolation and η² into composition and distribution parts.

    How much of a change in a group's segregation comes from the group's
    changing share of the population, and how much from its changing
    distribution across units? Each index is recomputed on two
    counterfactual tables: the year-2 distribution of each group across
    units with the year-1 group sizes, and the converse. The two parts are
    the Shapley averages of the two orders of change, so they add up exactly
    to the observed change.

    Parameters
    ----------
    data_from, data_to : pandas.DataFrame
        The earlier and later year on the *same* units (comparable units, see
        :func:`harmonise_counts`), matched by ``unit`` or the index.
    group : column name
        The focal group X.
    total : column name
        Unit totals (everyone); the rest of the population is ``total - X``.
    other : column name, optional
        Comparison group of D (default: the rest of the population).
        Isolation and η² always use the whole population.
    unit : column name, optional
        Unit codes; by default the index.
    by : column name or list of column names, optional
        Decompose per area (area keys are read from ``data_to``).
    indices : sequence of str
        Two-group indices of the registry (:mod:`segindex.indices.registry`),
        by default ``"dissimilarity"``, ``"isolation"``, ``"correlation_ratio"``.

    Returns
    -------
    pandas.DataFrame
        One row per (area,) index: ``index``, ``value_from``, ``value_to``,
        ``change``, ``composition`` (due to the group's changing share),
        ``distribution`` (due to changes in where the groups live), with
        ``composition + distribution == change``.

    Raises
    ------
    SegindexValueError
        Units differ between the years, a column is missing or invalid, or an
        unknown index is asked for.

    Notes
    -----
    Write the table of year :math:`k` as group sizes :math:`X_k, R_k` (the
    focal group and the rest) times distributions :math:`x_{ik}/X_k` and
    :math:`r_{ik}/R_k`. Let :math:`f(s, d)` be an index computed from the
    sizes of year :math:`s` and the distributions of year :math:`d`,
    i.e. on counts :math:`X_s x_{id}/X_d` and :math:`R_s r_{id}/R_d`. Then

    .. math::
        \Delta_{dist} = \tfrac12 [f(1,2) - f(1,1)] + \tfrac12 [f(2,2) - f(2,1)], \quad
        \Delta_{comp} = \tfrac12 [f(2,1) - f(1,1)] + \tfrac12 [f(2,2) - f(1,2)]

    and :math:`\Delta_{dist} + \Delta_{comp} = f(2,2) - f(1,1)`. D depends
    only on the distributions, so its composition part is 0 exactly;
    isolation rises with the group's share even when nobody moves, which
    is what the composition part measures. This is the two-factor Shapley
    (Shorrocks 2013) form of the standardisation used to separate
    compositional from distributional change in segregation indices.

    References
    ----------
    Shorrocks, A. F. (2013). Decomposition procedures for distributional
    analysis: a unified framework based on the Shapley value. Journal of
    Economic Inequality 11(1), 99-126.

    Kitagawa, E. M. (1955). Components of a difference between two rates.
    Journal of the American Statistical Association 50(272), 1168-1194.

    Elbers, B. (2021). A method for studying differences in segregation across
    time and space. Sociological Methods & Research.

    Examples
    --------
    >>> import pandas as pd
    >>> y1 = pd.DataFrame({"x": [10, 10], "all": [50, 50]}, index=["u1", "u2"])
    >>> y2 = pd.DataFrame({"x": [30, 10], "all": [70, 50]}, index=["u1", "u2"])
    >>> d = decompose_change(y1, y2, "x", total="all").set_index("index")
    >>> round(float(d.loc["dissimilarity", "composition"]), 4)
    0.0
    >>> row = d.loc["isolation"]
    >>> round(float(row["composition"] + row["distribution"] - row["change"]), 10)
    0.0
    """
    caller = "decompose_change"
    check_frame(data_from, caller)
    check_frame(data_to, caller)
    check_label(group, "group", caller)
    check_label(total, "total", caller)
    check_label(other, "other", caller, optional=True)
    if isinstance(indices, str):
        indices = [indices]
    two_group = registry.names("two-group")
    unknown = [i for i in indices if i not in two_group]
    if unknown or not len(indices):
        raise SegindexValueError(
            f"{caller}(): 'indices' must name some of the two-group indices {two_group!r}, got {list(indices)!r}."
        )
    specs = [registry.get(i, caller) for i in indices]
    order = _aligned_units(data_from, data_to, unit, caller)
    x1, y1, r1 = _pair_arrays(data_from, group, other, total, caller)
    x2, y2, r2 = _pair_arrays(data_to, group, other, total, caller)
    x2, y2, r2 = x2[order], y2[order], r2[order]
    codes, areas, by_names = area_codes(data_to, by, caller)
    if areas is not None:
        codes = codes[order]
    A = 1 if areas is None else len(areas)

    def sums(v):
        return _kt.area_sums(v, codes, A)

    def scaled(v_from_dist, size_to, size_from):
        # counts with the distribution of v_from_dist and the area sizes size_to
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(size_from > 0, size_to / np.where(size_from > 0, size_from, 1.0), 0.0)
        return v_from_dist * (f if areas is None else f[codes])

    X1, X2, R1, R2, Y1, Y2 = sums(x1), sums(x2), sums(r1), sums(r2), sums(y1), sums(y2)
    f11 = _indices_from(specs, x1, r1, y1, codes, A)
    f22 = _indices_from(specs, x2, r2, y2, codes, A)
    f12 = _indices_from(specs, scaled(x2, X1, X2), scaled(r2, R1, R2), scaled(y2, Y1, Y2), codes, A)
    f21 = _indices_from(specs, scaled(x1, X2, X1), scaled(r1, R2, R1), scaled(y1, Y2, Y1), codes, A)
    rows = []
    for name in indices:
        a, b, c, d = f11[name], f22[name], f12[name], f21[name]
        dist = 0.5 * (c - a) + 0.5 * (b - d)
        comp = 0.5 * (d - a) + 0.5 * (b - c)
        rows.append(
            pd.DataFrame(
                {
                    "group": group,
                    "comparison": "rest" if other is None else str(other),
                    "index": name,
                    "value_from": a,
                    "value_to": b,
                    "change": b - a,
                    "composition": comp,
                    "distribution": dist,
                }
            )
        )
    out = pd.concat(rows, ignore_index=True)
    if areas is not None:
        keys = areas.to_frame(index=False)
        keys = pd.concat([keys] * len(indices), ignore_index=True)
        out = pd.concat([keys, out], axis=1).sort_values(list(by_names) + ["index"], kind="stable")
        out = out.reset_index(drop=True)
        bad = np.isnan(out["change"].to_numpy())
        if bad.any():
            warnings.warn(
                f"{caller}(): the change is NaN in {int(bad.sum())} of {len(out)} rows (the group or its "
                "comparison is absent in an area in one of the years).",
                AbsentGroupWarning,
                stacklevel=2,
            )
    elif np.isnan(out["change"].to_numpy()).any():
        raise SegindexValueError(
            f"{caller}(): an index is undefined in one of the years: {group!r} or its comparison has no members."
        )
    return out


# ----------------------------------------------------------------------------
# Elbers (2021) decomposition of the difference in M


def _fit(seed, rows, cols, tol, max_iter, caller, what):
    fitted, sweeps, gap = _kc.ipf(seed, rows, cols, float(tol), int(max_iter))
    if not gap <= tol:
        raise SegindexValueError(
            f"{caller}(): iterative proportional fitting ({what}) did not converge: after {sweeps} "
            f"sweeps the margins are still {gap:.3g} (relative) from their targets, above tol={tol:g}. "
            "Raise max_iter, or loosen tol knowing that a loose tolerance can change the sign of the "
            "structural part."
        )
    return fitted


def _m(c):
    return float(_km.mutual_information(np.ascontiguousarray(c), np.empty(0, np.int64), 1)[0][0])


def _local(c):
    ls, w = _km.local_mutual_information(np.ascontiguousarray(c), np.empty(0, np.int64), 1)
    return ls, w


def mutual_information_difference(
    data_from: pd.DataFrame,
    data_to: pd.DataFrame,
    groups: Sequence[Hashable],
    *,
    unit: Hashable | None = None,
    tol: float = 1e-10,
    max_iter: int = 10_000,
    detail: bool = False,
) -> pd.DataFrame:
    r"""Decompose the difference in the mutual information index M between two tables.

    The Shapley decomposition of Elbers (2021), as the ``"shapley"`` and
    ``"shapley_detailed"`` methods of the R package ``segregation``'s
    ``mutual_difference``: the change from ``data_from`` to ``data_to`` is
    split into the effect of units that appear (*additions*) or disappear
    (*removals*), of the changing group margins (the groups' shares), of the
    changing unit margins (the units' sizes) and a *structural* part, the
    change in the association between units and groups with both margins held
    fixed.

    Parameters
    ----------
    data_from, data_to : pandas.DataFrame
        Wide tables: one row per unit (school, area), one column per group.
        Units are matched by ``unit`` or by the index. A unit with no
        population in a year, or a group with no members, is absent that year.
    groups : list of column names
        The groups (the same columns in both tables).
    unit : column name, optional
        Unit codes; by default the index.
    tol : float, default 1e-10
        Convergence criterion of iterative proportional fitting: every row and
        column margin within this *relative* distance of its target.
    max_iter : int, default 10000
        Maximum IPF sweeps; a :class:`~segindex.errors.SegindexValueError` is
        raised if IPF has not converged by then.
    detail : bool, default False
        Also return each common unit's contribution to the structural part
        (``shapley_detailed``).

    Returns
    -------
    pandas.DataFrame
        Column ``stat`` (``M1``, ``M2``, ``diff``, ``additions``, ``removals``,
        ``group_marginal``, ``unit_marginal``, ``structural``) and ``est``;
        the last five add up to ``diff``. With ``detail=True`` a second
        DataFrame indexed by unit with columns ``p1``, ``p2``, ``ls_diff1``,
        ``ls_diff2``, ``ls_diff_mean``, ``total`` (the ``total`` column adds up
        to the structural part) is returned too, as ``(summary, units)``.

    Raises
    ------
    SegindexValueError
        The tables share no unit or no group, a count is invalid, or IPF does
        not converge within ``max_iter`` sweeps.

    Notes
    -----
    Restrict both tables to the units and groups present in both: call them
    A (year 1) and B (year 2), and write :math:`M_{xyz}` for M of the table
    with the group margin of x, the unit margin of y and the association
    structure (odds ratios) of z, obtained by IPF from z's table (cells that
    are zero get 1e-10 so IPF can move them). Then

    .. math::
        \text{additions} = M_2 - M_{BBB}, \quad \text{removals} = M_{AAA} - M_1,

        \text{structural} = \tfrac12 (M_{AAB} - M_{AAA}) + \tfrac12 (M_{BBB} - M_{BBA}),

        \text{group} = \tfrac14 [M_{BAA} - M_{AAA} + M_{BBA} - M_{ABA}
                               + M_{BBB} - M_{ABB} + M_{BAB} - M_{AAB}],

    and the unit-marginal part likewise with the roles of the margins
    swapped. The parts add up to :math:`M_2 - M_1` exactly; how the marginal
    and structural parts split it depends on IPF having converged, hence the
    tight relative ``tol``.

    References
    ----------
    Elbers, B. (2021). A method for studying differences in segregation across
    time and space. Sociological Methods & Research 52(1), 5-42.
    https://doi.org/10.1177/0049124121986204

    Deutsch, J., Flückiger, Y. & Silber, J. (2009). Analyzing changes in
    occupational segregation: the case of Switzerland (1970-2000). Research on
    Economic Inequality 17, 171-202.

    Karmel, T. & Maclachlan, M. (1988). Occupational sex segregation:
    increasing or decreasing? Economic Record 64, 187-195.

    Deming, W. E. & Stephan, F. F. (1940). On a least squares adjustment of a
    sampled frequency table when the expected marginal totals are known.
    Annals of Mathematical Statistics 11(4), 427-444.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"g1": [40, 5], "g2": [30, 10], "g3": [20, 15], "g4": [10, 20]}, index=["a", "b"])
    >>> b = pd.DataFrame({"g1": [20, 5], "g2": [20, 10], "g3": [20, 10], "g4": [15, 15]}, index=["a", "b"])
    >>> d = mutual_information_difference(a, b, ["g1", "g2", "g3", "g4"]).set_index("stat")["est"]
    >>> round(float(d["diff"]), 4)
    -0.0709
    >>> parts = ["additions", "removals", "group_marginal", "unit_marginal", "structural"]
    >>> round(float(d[parts].sum() - d["diff"]), 12)
    0.0
    """
    caller = "mutual_information_difference"
    check_frame(data_from, caller)
    check_frame(data_to, caller)
    labels = check_labels(groups, "groups", caller, min_count=2)
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.floating)) or not 0 < float(tol) < 1:
        raise SegindexValueError(f"{caller}(): 'tol' must be a number in (0, 1), got {tol!r}.")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise SegindexValueError(f"{caller}(): 'max_iter' must be a positive integer, got {max_iter!r}.")
    frames = {"data_from": data_from, "data_to": data_to}
    _check_same_groups(frames, labels, set(), caller)
    mats, idxs = [], []
    for role, data in frames.items():
        if unit is None:
            idx = pd.Index(data.index.astype(str))
        else:
            idx = pd.Index(_code_column(data, unit, "unit", caller))
        if idx.has_duplicates:
            raise SegindexValueError(f"{caller}(): unit {idx[idx.duplicated()][0]!r} appears more than once in {role}.")
        mats.append(np.column_stack([numeric_column(data, g, "group", caller) for g in labels]))
        idxs.append(idx)
    c1, c2 = mats
    if not c1.sum() > 0 or not c2.sum() > 0:
        raise SegindexValueError(f"{caller}(): a table has no population.")
    M1, M2 = _m(c1), _m(c2)
    # units and groups present in both
    u1 = idxs[0][c1.sum(axis=1) > 0]
    u2 = idxs[1][c2.sum(axis=1) > 0]
    common_units = u1.intersection(u2, sort=False)
    g_ok = (c1.sum(axis=0) > 0) & (c2.sum(axis=0) > 0)
    if len(common_units) == 0:
        raise SegindexValueError(f"{caller}(): the two tables have no unit in common (with population in both).")
    if not g_ok.any():
        raise SegindexValueError(f"{caller}(): the two tables have no group in common (with members in both).")
    a = c1[idxs[0].get_indexer(common_units)][:, g_ok]
    b = c2[idxs[1].get_indexer(common_units)][:, g_ok]
    m_AAA, m_BBB = _m(a), _m(b)
    positive = np.concatenate([c1[c1 > 0], c2[c2 > 0]])
    fill = min(1e-10, positive.min() / 1000)
    a_seed = np.where(a > 0, a, fill) / np.where(a > 0, a, fill).sum()
    b_seed = np.where(b > 0, b, fill) / np.where(b > 0, b, fill).sum()

    def margins(m):
        return np.ascontiguousarray(m.sum(axis=1)), np.ascontiguousarray(m.sum(axis=0))

    ra, ca = margins(a_seed)
    rb, cb = margins(b_seed)
    # name: group margin, unit margin, structure (as in the R package)
    fits = {
        "BBA": _fit(a_seed, rb, cb, tol, max_iter, caller, "structure of data_from, margins of data_to"),
        "ABA": _fit(a_seed, rb, ca, tol, max_iter, caller, "structure of data_from, unit margin of data_to"),
        "BAA": _fit(a_seed, ra, cb, tol, max_iter, caller, "structure of data_from, group margin of data_to"),
        "AAB": _fit(b_seed, ra, ca, tol, max_iter, caller, "structure of data_to, margins of data_from"),
        "BAB": _fit(b_seed, ra, cb, tol, max_iter, caller, "structure of data_to, unit margin of data_from"),
        "ABB": _fit(b_seed, rb, ca, tol, max_iter, caller, "structure of data_to, group margin of data_from"),
    }
    m = {k: _m(v) for k, v in fits.items()}
    m["AAA"], m["BBB"] = m_AAA, m_BBB
    structural = 0.5 * (m["AAB"] - m["AAA"]) + 0.5 * (m["BBB"] - m["BBA"])
    group_marginal = 0.25 * (m["BAA"] - m["AAA"] + m["BBA"] - m["ABA"] + m["BBB"] - m["ABB"] + m["BAB"] - m["AAB"])
    unit_marginal = 0.25 * (m["ABA"] - m["AAA"] + m["BBA"] - m["BAA"] + m["BBB"] - m["BAB"] + m["ABB"] - m["AAB"])
    summary = pd.DataFrame(
        {
            "stat": ["M1", "M2", "diff", "additions", "removals", "group_marginal", "unit_marginal", "structural"],
            "est": [M1, M2, M2 - M1, M2 - m_BBB, m_AAA - M1, group_marginal, unit_marginal, structural],
        }
    )
    if not detail:
        return summary
    ls_AAA, p1 = _local(a)
    ls_BBB, p2 = _local(b)
    ls_AAB, _ = _local(fits["AAB"])
    ls_BBA, _ = _local(fits["BBA"])
    d1 = ls_AAB - ls_AAA
    d2 = ls_BBB - ls_BBA
    units = pd.DataFrame(
        {
            "p1": p1,
            "p2": p2,
            "ls_diff1": d1,
            "ls_diff2": d2,
            "ls_diff_mean": 0.5 * (d1 + d2),
            "total": 0.5 * p1 * d1 + 0.5 * p2 * d2,
        },
        index=pd.Index(common_units, name="unit" if unit is None else unit),
    )
    return summary, units
