r"""Geographies: small units given to large ones, counts carried through lookups, units comparable over censuses.

Census counts are published for small units (output areas, LSOAs); the
literature often measured on larger ones (wards). This module moves counts
between the two and across census vintages, conserving every person:

* :func:`best_fit` gives each small unit wholly to the large unit (ward) that
  holds its point, the ONS best-fit method, and reports the units that fall
  in no ward or near a ward boundary, and the wards that receive no unit;
* :func:`aggregate_counts` adds counts up through any many-to-one lookup (a best fit,
  an exact fit, a chain of lookups built with :func:`compose_lookups`);
* :func:`areal_split` apportions each small unit over the wards its polygon
  intersects by area, and :func:`compare_with_areal_split` says how many people
  a best fit places in another ward than that split would;
* :func:`chain_units` builds the units comparable across three (or more)
  censuses from a chain of lookups (LSOA 2001 → 2011 → 2021), restricted to the
  units a partial table (Bradford's major town in 2001) covers completely, with
  the list of what was dropped and why;
* :func:`lookup_coverage` says which large units a partial table covers completely;
* :func:`compare_lookups` lists every unit two lookups put in different places.

Distances are measured only in a projected CRS (EPSG:27700 in Britain): a
geographic or missing CRS is refused.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .counts import PointsLike, check_frame, check_label, check_labels
from .errors import DataQualityWarning, SegindexTypeError, SegindexValueError, first_few

if TYPE_CHECKING:  # pragma: no cover - annotations only
    import geopandas as gpd

__all__ = [
    "BestFit",
    "best_fit",
    "compose_lookups",
    "aggregate_counts",
    "areal_split",
    "AreaSplitComparison",
    "compare_with_areal_split",
    "ChainedUnits",
    "chain_units",
    "lookup_coverage",
    "compare_lookups",
]

STATUSES = ("assigned", "near boundary", "unassigned")


# ----------------------------------------------------------------------------
# helpers


def _check_crs(frame, role: str, caller: str):
    crs = getattr(frame, "crs", None)
    if crs is None:
        raise SegindexValueError(
            f"{caller}(): the {role} have no coordinate reference system (CRS), so distances to ward "
            "boundaries cannot be measured. Set the CRS the coordinates are in (for British National Grid "
            "data.set_crs(27700)), then reproject if needed."
        )
    if crs.is_geographic:
        raise SegindexValueError(
            f"{caller}(): the {role} are in a geographic CRS ({crs.to_string()}, degrees of "
            "longitude/latitude), where distances are not in metres. Reproject first, for Britain with "
            "data.to_crs(27700) (British National Grid)."
        )
    return crs


def _geometries(frame, role: str, caller: str) -> np.ndarray:
    import shapely

    if not hasattr(frame, "geometry"):
        raise SegindexTypeError(
            f"{caller}(): the {role} must be a GeoDataFrame with polygons, got {type(frame).__name__}. "
            "Read boundaries with segindex.io.read_boundaries or geopandas.read_file."
        )
    geoms = np.asarray(frame.geometry.array, dtype=object)
    bad = np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if bad.size:
        raise SegindexValueError(
            f"{caller}(): the {role} have a missing or empty geometry at row {int(bad[0])} "
            f"({bad.size} in all); drop or repair them first."
        )
    return geoms


def _ids(frame, column, role: str, caller: str) -> pd.Index:
    if column is None:
        ids = pd.Index(frame.index)
    else:
        check_label(column, f"{role} column", caller)
        if column not in frame.columns:
            raise SegindexValueError(
                f"{caller}(): the {role} column {column!r} is not in the table. Columns: "
                f"{first_few(frame.columns, 12)}."
            )
        ids = pd.Index(frame[column])
    if ids.hasnans:
        raise SegindexValueError(f"{caller}(): the {role} codes include a missing value; every unit needs a code.")
    dup = ids[ids.duplicated()]
    if len(dup):
        raise SegindexValueError(
            f"{caller}(): the {role} codes are not unique ({first_few(dup.unique())} appear more than once)."
        )
    return ids


def _as_lookup(lookup, caller: str, from_code=None, to_code=None) -> pd.Series:
    """Any lookup form → a Series small code → large code (NaN where unassigned)."""
    if isinstance(lookup, BestFit):
        return lookup.lookup
    if isinstance(lookup, ChainedUnits):
        raise SegindexTypeError(
            f"{caller}(): pass one level of the chained units, e.g. units.lookup('LSOA11CD'), not the whole chain."
        )
    if isinstance(lookup, pd.Series):
        series = lookup
    elif isinstance(lookup, Mapping):
        series = pd.Series(dict(lookup), dtype=object)
    elif isinstance(lookup, pd.DataFrame):
        if from_code is None or to_code is None:
            raise SegindexValueError(
                f"{caller}(): a lookup table needs from_code= and to_code= naming its small-unit and "
                f"large-unit code columns (columns: {first_few(lookup.columns, 12)})."
            )
        for column in (from_code, to_code):
            if column not in lookup.columns:
                raise SegindexValueError(
                    f"{caller}(): the lookup has no column {column!r}. Columns: {first_few(lookup.columns, 12)}."
                )
        pairs = lookup[[from_code, to_code]].drop_duplicates()
        many = pairs[from_code][pairs[from_code].duplicated()].unique()
        if len(many):
            raise SegindexValueError(
                f"{caller}(): the lookup gives {len(many)} small unit(s) to more than one large unit "
                f"({first_few(many)}); a many-to-many lookup cannot move whole units. Build comparable units "
                "with segindex.comparable_units or segindex.geography.chain_units first, or use areal_split."
            )
        series = pd.Series(pairs[to_code].to_numpy(), index=pd.Index(pairs[from_code].to_numpy(), name=from_code))
    else:
        raise SegindexTypeError(
            f"{caller}(): the 'lookup' parameter must be a BestFit, a pandas Series (small code → large code), "
            f"a dict or a lookup DataFrame, got {type(lookup).__name__}."
        )
    dup = series.index[series.index.duplicated()]
    if len(dup):
        raise SegindexValueError(
            f"{caller}(): the lookup lists the small unit(s) {first_few(dup.unique())} more than once."
        )
    return series


# ----------------------------------------------------------------------------
# best fit


@dataclass(frozen=True, eq=False)
class BestFit:
    """Small units given wholly to large units (see :func:`best_fit`).

    Attributes
    ----------
    lookup : pandas.Series
        Large-unit code of every small unit, indexed by small-unit code;
        missing (NaN) for units whose point lies in no large unit.
    report : pandas.DataFrame
        One row per small unit: ``x``, ``y`` (its point), ``area`` (the large
        unit given, or missing), ``distance`` (metres from the point to the
        boundary of that large unit; for an unassigned unit, to the nearest
        large unit), ``nearest`` (that nearest large unit), ``on_boundary``
        (the point touches more than one large unit) and ``status``
        (``"assigned"``, ``"near boundary"`` or ``"unassigned"``).
    empty : list
        Large units that receive no small unit.
    tolerance : float
        Distance (metres) below which a unit is reported as near a boundary.
    """

    lookup: pd.Series
    report: pd.DataFrame
    empty: list
    tolerance: float

    @property
    def unassigned(self) -> list:
        """Small units whose point lies in no large unit."""
        return list(self.report.index[self.report["status"] == "unassigned"])

    @property
    def near_boundary(self) -> list:
        """Small units assigned within ``tolerance`` metres of their large unit's boundary."""
        return list(self.report.index[self.report["status"] == "near boundary"])

    def summary(self) -> pd.Series:
        """Number of small units by status, and of large units with none."""
        counts = self.report["status"].value_counts()
        out = pd.Series({s: int(counts.get(s, 0)) for s in STATUSES})
        out["large units with none"] = len(self.empty)
        return out

    def __repr__(self) -> str:
        s = self.summary()
        return (
            f"BestFit({len(self.report)} small units: {s['assigned']} assigned, {s['near boundary']} within "
            f"{self.tolerance:g} m of a boundary, {s['unassigned']} unassigned; "
            f"{s['large units with none']} large units receive none)"
        )


def _small_points(small, points, large_crs, unit_ids, caller: str):
    """The (n, 2) coordinates and shapely points of the small units."""
    import shapely

    if points is None:
        if not hasattr(small, "geometry"):
            raise SegindexTypeError(
                f"{caller}(): the small units have no geometry; pass points=(x column, y column) "
                "(population-weighted centroids) or a GeoDataFrame."
            )
        small_crs = _check_crs(small, "small units", caller)
        if small_crs != large_crs:
            raise SegindexValueError(
                f"{caller}(): the small units ({small_crs.to_string()}) and large units ({large_crs.to_string()}) "
                "are in different CRSs; reproject one with .to_crs(...) first."
            )
        geoms = _geometries(small, "small units", caller)
        is_point = shapely.get_type_id(geoms) == 0
        pts = geoms.copy()
        pts[~is_point] = shapely.point_on_surface(geoms[~is_point])
        xy = shapely.get_coordinates(pts)
    else:
        if hasattr(small, "geometry") and getattr(small, "crs", None) is not None:
            small_crs = _check_crs(small, "small units", caller)
            if small_crs != large_crs:
                raise SegindexValueError(
                    f"{caller}(): the small units ({small_crs.to_string()}) and large units "
                    f"({large_crs.to_string()}) are in different CRSs; reproject one with .to_crs(...) first."
                )
        if isinstance(points, (tuple, list)) and len(points) == 2 and all(isinstance(p, str) for p in points):
            missing = [p for p in points if p not in small.columns]
            if missing:
                raise SegindexValueError(
                    f"{caller}(): points={tuple(points)!r} names column(s) {missing} that are not in the small units."
                )
            xy = np.column_stack([pd.to_numeric(small[p], errors="coerce").to_numpy(dtype=float) for p in points])
        else:
            xy = np.asarray(points, dtype=np.float64)
        if xy.shape != (len(small), 2):
            raise SegindexValueError(
                f"{caller}(): points must have shape ({len(small)}, 2), one x, y pair per small unit; got {xy.shape}."
            )
        bad = np.flatnonzero(~np.isfinite(xy).all(axis=1))
        if bad.size:
            raise SegindexValueError(
                f"{caller}(): the point of small unit {unit_ids[int(bad[0])]!r} is missing or not finite "
                f"({bad.size} in all); every unit needs a location."
            )
        pts = shapely.points(xy)
    return xy, pts


def best_fit(
    small: gpd.GeoDataFrame | pd.DataFrame,
    large: gpd.GeoDataFrame,
    *,
    points: PointsLike = None,
    unit_column: Hashable | None = None,
    area_column: Hashable | None = None,
    tolerance: float = 50.0,
) -> BestFit:
    r"""Give each small unit wholly to the large unit that holds its point (ONS best fit).

    Parameters
    ----------
    small : geopandas.GeoDataFrame or pandas.DataFrame
        The small units (output areas, LSOAs), keyed by their index or by
        ``unit_column``. Polygons, or a plain DataFrame with ``points``.
    large : geopandas.GeoDataFrame
        The large units (wards), polygons, keyed by their index or by
        ``area_column``.
    points : None, pair of column names, or array of shape (n, 2)
        The point of each small unit. ONS uses population-weighted centroids:
        pass them as two columns (e.g. ``("PWC_E", "PWC_N")``) or an array,
        in the CRS of ``large``. ``None`` takes each polygon's representative
        point (:func:`shapely.point_on_surface`, always inside the polygon,
        unlike a centroid) — a stand-in for the population-weighted centroid
        that can differ from it in units with empty land.
    unit_column, area_column : column name, optional
        Code columns of ``small`` and ``large``; default their indexes.
    tolerance : float, default 50.0
        Metres. A unit whose point lies closer than this to its large unit's
        boundary is reported as ``"near boundary"``: a small error in the
        point or the boundary could move it to a neighbouring large unit.

    Returns
    -------
    BestFit
        ``lookup`` (small code → large code), the per-unit ``report``, and the
        large units that received nothing (``empty``).

    Raises
    ------
    SegindexValueError
        A missing or geographic CRS (distances need metres: reproject to
        EPSG:27700), different CRSs, missing or empty geometries, duplicated
        codes, ``points`` of the wrong shape, a negative tolerance.
    SegindexTypeError
        ``large`` (or ``small`` without ``points``) is not a GeoDataFrame.

    Notes
    -----
    Small unit :math:`i` with point :math:`p_i` goes to the large unit
    :math:`W` with :math:`p_i \in W`. A point on the shared boundary of
    several large units (it touches all of them) goes to the first of them in
    code order and is flagged ``on_boundary``. Its distance to the boundary is
    :math:`d_i = \min_{q \in \partial W} \lVert p_i - q \rVert`. Candidate large
    units come from an STRtree query, so the cost grows as
    :math:`O(n \log m)`, never with all pairs. Totals built from a best fit are
    approximations: a small unit that straddles two wards is counted wholly
    in one (see :func:`compare_with_areal_split`).

    References
    ----------
    Office for National Statistics (2023). Best-fit lookups: the ONS
    best-fit methodology assigns each small area to the larger area that
    contains its population-weighted centroid.

    Examples
    --------
    >>> import geopandas
    >>> from shapely.geometry import box
    >>> wards = geopandas.GeoDataFrame({"ward": ["W1", "W2"]},
    ...     geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)], crs=27700).set_index("ward")
    >>> units = geopandas.GeoDataFrame({"code": ["a", "b", "c"]},
    ...     geometry=[box(10, 10, 30, 30), box(90, 40, 180, 60), box(500, 0, 510, 10)], crs=27700)
    >>> fit = best_fit(units, wards, unit_column="code", tolerance=20)
    >>> fit.lookup.to_dict()
    {'a': 'W1', 'b': 'W2', 'c': nan}
    >>> fit.report["status"].tolist()
    ['assigned', 'assigned', 'unassigned']
    """
    import shapely

    caller = "best_fit"
    try:
        tolerance = float(tolerance)
    except (TypeError, ValueError):
        raise SegindexTypeError(f"{caller}(): 'tolerance' must be a number of metres, got {tolerance!r}.") from None
    if not np.isfinite(tolerance) or tolerance < 0:
        raise SegindexValueError(f"{caller}(): 'tolerance' must be a finite number of metres >= 0, got {tolerance}.")
    large_geoms = _geometries(large, "large units", caller)
    large_crs = _check_crs(large, "large units", caller)
    area_ids = _ids(large, area_column, "large-unit", caller)
    if not isinstance(small, pd.DataFrame):
        raise SegindexTypeError(
            f"{caller}(): the 'small' parameter must be a GeoDataFrame (or a DataFrame with points=), "
            f"got {type(small).__name__}."
        )
    unit_ids = _ids(small, unit_column, "small-unit", caller)
    if len(small) == 0:
        raise SegindexValueError(f"{caller}(): the small-unit table is empty.")
    xy, pts = _small_points(small, points, large_crs, unit_ids, caller)
    # candidate pairs from the tree: the point touches the polygon (inside or on its boundary)
    order = np.argsort(np.asarray(area_ids.astype(str)), kind="stable")
    tree = shapely.STRtree(large_geoms)
    pairs = tree.query(pts, predicate="intersects")
    n = len(pts)
    chosen = np.full(n, -1, dtype=np.int64)
    touches = np.bincount(pairs[0], minlength=n)
    if pairs.shape[1]:
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        best = np.full(n, np.iinfo(np.int64).max)
        np.minimum.at(best, pairs[0], rank[pairs[1]])
        hit = best < np.iinfo(np.int64).max
        chosen[hit] = order[best[hit]]
    assigned = chosen >= 0
    distance = np.full(n, np.nan)
    nearest = np.full(n, -1, dtype=np.int64)
    if assigned.any():
        boundaries = shapely.boundary(large_geoms[chosen[assigned]])
        distance[assigned] = shapely.distance(pts[assigned], boundaries)
        nearest[assigned] = chosen[assigned]
    if (~assigned).any():
        idx, dist = tree.query_nearest(pts[~assigned], return_distance=True, all_matches=False)
        rows = np.flatnonzero(~assigned)[idx[0]]
        distance[rows] = dist
        nearest[rows] = idx[1]
    area_values = np.asarray(area_ids, dtype=object)
    area = np.where(assigned, area_values[np.maximum(chosen, 0)], None)
    status = np.where(~assigned, "unassigned", np.where(distance < tolerance, "near boundary", "assigned"))
    index = pd.Index(unit_ids, name=unit_ids.name if unit_ids.name is not None else "unit")
    report = pd.DataFrame(
        {
            "x": xy[:, 0],
            "y": xy[:, 1],
            "area": pd.array(area, dtype=object),
            "distance": distance,
            "nearest": area_values[nearest],
            "on_boundary": touches > 1,
            "status": status,
        },
        index=index,
    )
    lookup = pd.Series(np.where(assigned, area, np.nan), index=index, name="area", dtype=object)
    used = set(area_values[chosen[assigned]])
    empty = [a for a in area_values[order] if a not in used]
    return BestFit(lookup=lookup, report=report, empty=empty, tolerance=tolerance)


# ----------------------------------------------------------------------------
# lookups


def compose_lookups(*lookups) -> pd.Series:
    """Chain many-to-one lookups: ``a → b`` then ``b → c`` gives ``a → c``.

    Parameters
    ----------
    *lookups : pandas.Series, dict or BestFit
        Two or more lookups, each indexed by the codes the previous one gives
        (e.g. LSOA 2001 → ward 2011, then ward 2011 → census merged ward).

    Returns
    -------
    pandas.Series
        First codes → last codes; missing where a link of the chain is missing.

    Raises
    ------
    SegindexValueError
        Fewer than two lookups, or a lookup that lists a code twice.

    Examples
    --------
    >>> compose_lookups({"a": "w1", "b": "w2"}, {"w1": "M1", "w2": "M1"}).to_dict()
    {'a': 'M1', 'b': 'M1'}
    """
    caller = "compose_lookups"
    if len(lookups) < 2:
        raise SegindexValueError(f"{caller}(): give at least two lookups to chain, got {len(lookups)}.")
    series = [_as_lookup(lk, caller) for lk in lookups]
    out = series[0]
    for nxt in series[1:]:
        out = pd.Series(out.map(nxt).to_numpy(), index=out.index, name=nxt.name)
    return out


def aggregate_counts(
    data: pd.DataFrame,
    lookup: BestFit | pd.Series | Mapping | pd.DataFrame,
    *,
    columns: Sequence[Hashable] | None = None,
    unit: Hashable | None = None,
    from_code: Hashable | None = None,
    to_code: Hashable | None = None,
    unassigned: str = "error",
) -> pd.DataFrame:
    r"""Add small-unit counts up into large units through a many-to-one lookup, conserving every person.

    Parameters
    ----------
    data : pandas.DataFrame
        Wide table, one row per small unit, keyed by its index or by ``unit``.
    lookup : BestFit, pandas.Series, dict or pandas.DataFrame
        Small code → large code: a :class:`BestFit`, an exact-fit lookup, a
        chain from :func:`compose_lookups`, one level of :class:`ChainedUnits`
        (``units.lookup("LSOA11CD")``), or a lookup table with ``from_code``
        and ``to_code`` columns (each small unit at most once).
    columns : list of column names, optional
        The count columns; default every numeric column of ``data``.
    unit : column name, optional
        The small-unit code column; default the index.
    from_code, to_code : column name, optional
        The code columns of a lookup table.
    unassigned : {"error", "drop"}, default "error"
        What to do with small units of ``data`` that the lookup does not place
        (missing from it, or unassigned): raise, naming them, or leave them
        out (a :class:`~segindex.errors.DataQualityWarning` says how many
        people were left out).

    Returns
    -------
    pandas.DataFrame
        Indexed by large unit (sorted), the summed ``columns`` and ``n_units``
        (the number of small units added). Sums of whole counts are exact:
        every column total equals the input's total (less any dropped units).

    Raises
    ------
    SegindexValueError
        Small units the lookup does not place (with ``unassigned="error"``),
        a lookup giving a unit to two large units, a missing column, an
        unknown ``unassigned``.
    SegindexTypeError
        ``data`` is not a DataFrame or ``lookup`` is of an unknown kind.

    Notes
    -----
    For large unit :math:`W` and column :math:`g`,
    :math:`c_{Wg} = \sum_{i: L(i) = W} c_{ig}`.

    Examples
    --------
    >>> import pandas as pd
    >>> counts = pd.DataFrame({"a": [5, 7, 1], "b": [1, 2, 3]}, index=["x", "y", "z"])
    >>> aggregate_counts(counts, {"x": "W1", "y": "W1", "z": "W2"})
         a  b  n_units
    W1  12  3        2
    W2   1  3        1
    """
    caller = "aggregate_counts"
    check_frame(data, caller)
    if unassigned not in ("error", "drop"):
        raise SegindexValueError(f'{caller}(): \'unassigned\' must be "error" or "drop", got {unassigned!r}.')
    series = _as_lookup(lookup, caller, from_code, to_code)
    codes = _ids(data, unit, "small-unit", caller)
    if columns is None:
        columns = [
            c
            for c in data.columns
            if c != unit and pd.api.types.is_numeric_dtype(data[c].dtype) and not pd.api.types.is_bool_dtype(data[c])
        ]
        if not columns:
            raise SegindexValueError(f"{caller}(): the data have no numeric count columns; name them with columns=.")
    else:
        columns = check_labels(columns, "columns", caller)
        missing = [c for c in columns if c not in data.columns]
        if missing:
            raise SegindexValueError(
                f"{caller}(): column(s) {missing} are not in the data. Columns: {first_few(data.columns, 12)}."
            )
    target = pd.Series(codes.map(series), index=codes)
    lost = target.isna().to_numpy()
    values = data[columns]
    if lost.any():
        if unassigned == "error":
            raise SegindexValueError(
                f"{caller}(): {int(lost.sum())} small unit(s) of the data are not placed by the lookup "
                f'({first_few(codes[lost])}). Complete the lookup, or pass unassigned="drop" to leave them '
                "out (their people are then not counted)."
            )
        import warnings

        people = values[lost].sum()
        warnings.warn(
            f"{caller}(): {int(lost.sum())} small unit(s) not placed by the lookup were left out "
            f"({first_few(codes[lost])}), holding {people.to_dict()} of the counts.",
            DataQualityWarning,
            stacklevel=2,
        )
        values = values[~lost]
        target = target[~lost]
    out = values.groupby(target.to_numpy(), sort=True).sum()
    out["n_units"] = target.groupby(target.to_numpy(), sort=True).size().astype(np.int64)
    out.index.name = series.name if isinstance(series.name, str) and series.name not in columns else None
    return out


def areal_split(
    data: pd.DataFrame,
    small: gpd.GeoDataFrame,
    large: gpd.GeoDataFrame,
    *,
    columns: Sequence[Hashable] | None = None,
    unit_column: Hashable | None = None,
    area_column: Hashable | None = None,
) -> pd.DataFrame:
    r"""Apportion each small unit's counts over the large units its polygon intersects, by area.

    Parameters
    ----------
    data : pandas.DataFrame
        Counts, one row per small unit, indexed by the small-unit code.
    small, large : geopandas.GeoDataFrame
        Small and large polygons in one projected CRS.
    columns : list of column names, optional
        Count columns; default every numeric column of ``data``.
    unit_column, area_column : column name, optional
        Code columns of ``small`` and ``large``; default their indexes.

    Returns
    -------
    pandas.DataFrame
        Indexed by large unit: the apportioned (fractional) counts. The part
        of a small unit outside every large unit is shared among the large
        units it does intersect (weights renormalised), so every person is
        kept; a small unit that meets no large unit at all raises.

    Raises
    ------
    SegindexValueError
        A missing or geographic CRS, different CRSs, a small unit of ``data``
        without a polygon or meeting no large unit.

    Notes
    -----
    With :math:`a_{iW}` the area of small unit :math:`i` inside large unit
    :math:`W`, :math:`\hat c_{Wg} = \sum_i c_{ig}\, a_{iW} / \sum_V a_{iV}`:
    people spread evenly over each small unit's land.

    Examples
    --------
    >>> import geopandas, pandas as pd
    >>> from shapely.geometry import box
    >>> wards = geopandas.GeoDataFrame(geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)],
    ...     index=["W1", "W2"], crs=27700)
    >>> units = geopandas.GeoDataFrame(geometry=[box(50, 0, 150, 100)], index=["a"], crs=27700)
    >>> areal_split(pd.DataFrame({"n": [10]}, index=["a"]), units, wards)["n"].tolist()
    [5.0, 5.0]
    """
    import shapely

    caller = "areal_split"
    check_frame(data, caller)
    crs_small = _check_crs(small, "small units", caller)
    crs_large = _check_crs(large, "large units", caller)
    if crs_small != crs_large:
        raise SegindexValueError(
            f"{caller}(): the small units ({crs_small.to_string()}) and large units ({crs_large.to_string()}) "
            "are in different CRSs; reproject one with .to_crs(...) first."
        )
    small_ids = _ids(small, unit_column, "small-unit", caller)
    area_ids = np.asarray(_ids(large, area_column, "large-unit", caller), dtype=object)
    geoms = _geometries(small, "small units", caller)
    large_geoms = _geometries(large, "large units", caller)
    columns = (
        list(data.select_dtypes("number").columns) if columns is None else check_labels(columns, "columns", caller)
    )
    pos = small_ids.get_indexer(data.index)
    if (pos < 0).any():
        raise SegindexValueError(
            f"{caller}(): {int((pos < 0).sum())} unit(s) of the data have no polygon among the small units "
            f"({first_few(data.index[pos < 0])})."
        )
    tree = shapely.STRtree(large_geoms)
    left, right = tree.query(geoms[pos], predicate="intersects")
    inter = shapely.area(shapely.intersection(geoms[pos][left], large_geoms[right]))
    keep = inter > 0
    left, right, inter = left[keep], right[keep], inter[keep]
    total = np.bincount(left, weights=inter, minlength=len(pos))
    if (total <= 0).any():
        bad = data.index[total <= 0]
        raise SegindexValueError(
            f"{caller}(): {len(bad)} small unit(s) meet no large unit ({first_few(bad)}); their people cannot "
            "be apportioned."
        )
    share = inter / total[left]
    values = data[columns].to_numpy(dtype=np.float64)
    out = np.zeros((len(area_ids), len(columns)))
    np.add.at(out, right, values[left] * share[:, None])
    return pd.DataFrame(out, index=pd.Index(area_ids, name=getattr(large.index, "name", None)), columns=columns)


@dataclass(frozen=True, eq=False)
class AreaSplitComparison:
    """A lookup's large-unit totals against an areal split (see :func:`compare_with_areal_split`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (large unit, column): ``lookup`` (people the lookup puts
        there), ``areal`` (the areal split's), ``difference`` (lookup − areal).
    moved : pandas.Series
        Per column, people placed in a different large unit than the areal
        split places them: half the sum of absolute differences.
    share_moved : pandas.Series
        ``moved`` over the column total.
    """

    table: pd.DataFrame
    moved: pd.Series
    share_moved: pd.Series


def compare_with_areal_split(
    data: pd.DataFrame,
    small: gpd.GeoDataFrame,
    large: gpd.GeoDataFrame,
    lookup: BestFit | pd.Series | Mapping,
    *,
    columns: Sequence[Hashable] | None = None,
    unit_column: Hashable | None = None,
    area_column: Hashable | None = None,
) -> AreaSplitComparison:
    r"""How many people a lookup places in another large unit than an areal split would.

    Parameters
    ----------
    data : pandas.DataFrame
        Counts, one row per small unit, indexed by the small-unit code.
    small, large : geopandas.GeoDataFrame
        Small and large polygons in one projected CRS.
    lookup : BestFit, pandas.Series or dict
        The many-to-one lookup to compare (small code → large code).
    columns : list of column names, optional
        Count columns; default every numeric column of ``data``.
    unit_column, area_column : column name, optional
        Code columns of ``small`` and ``large``; default their indexes.

    Returns
    -------
    AreaSplitComparison

    Notes
    -----
    :math:`\text{moved}_g = \tfrac12 \sum_W |c_{Wg} - \hat c_{Wg}|`, with
    :math:`c` from :func:`aggregate_counts` and :math:`\hat c` from :func:`areal_split`.
    Both conserve the total, so this is the smallest number of people that
    would have to change large unit to turn one into the other. Neither is
    the truth: an areal split assumes people spread evenly over the land.

    Examples
    --------
    >>> import geopandas, pandas as pd
    >>> from shapely.geometry import box
    >>> wards = geopandas.GeoDataFrame(geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)],
    ...     index=["W1", "W2"], crs=27700)
    >>> units = geopandas.GeoDataFrame(geometry=[box(20, 0, 140, 100), box(140, 0, 200, 100)],
    ...     index=["a", "b"], crs=27700)
    >>> counts = pd.DataFrame({"n": [12, 6]}, index=["a", "b"])
    >>> cmp = compare_with_areal_split(counts, units, wards, best_fit(units, wards))
    >>> float(cmp.moved["n"])
    4.0
    """
    caller = "compare_with_areal_split"
    check_frame(data, caller)
    columns = (
        list(data.select_dtypes("number").columns) if columns is None else check_labels(columns, "columns", caller)
    )
    by_lookup = aggregate_counts(data, lookup, columns=columns)
    areal = areal_split(data, small, large, columns=columns, unit_column=unit_column, area_column=area_column)
    index = areal.index.union(by_lookup.index)
    a = by_lookup[columns].reindex(index, fill_value=0).astype(np.float64)
    b = areal.reindex(index, fill_value=0.0)
    diff = a - b
    table = pd.concat({"lookup": a.stack(), "areal": b.stack(), "difference": diff.stack()}, axis=1)
    table.index.names = ["area", "column"]
    moved = diff.abs().sum() / 2.0
    share = moved / a.sum().replace(0, np.nan)
    return AreaSplitComparison(table=table, moved=moved, share_moved=share)


# ----------------------------------------------------------------------------
# units comparable over several censuses


@dataclass(frozen=True, eq=False)
class ChainedUnits:
    """Units that are the same place in every census of a chain (see :func:`chain_units`).

    Attributes
    ----------
    codes : dict
        ``{level column: Series code → unit label}`` for every level of the
        chain, kept units only.
    attributes : pandas.DataFrame
        One row per kept unit: the number of codes at each level (``n_<level>``)
        and ``type`` (``"unchanged"`` when one code at every level).
    dropped : pandas.DataFrame
        One row per unit left out: its codes at each level (joined by ``" "``),
        ``reason`` and ``detail``.
    report : pandas.DataFrame
        Units and codes kept and dropped, by reason.
    levels : list
        The code columns, earliest first.
    """

    codes: dict
    attributes: pd.DataFrame
    dropped: pd.DataFrame
    report: pd.DataFrame
    levels: list

    @property
    def n_units(self) -> int:
        """Number of comparable units kept."""
        return len(self.attributes)

    def lookup(self, level, *, joined=None) -> pd.Series:
        """Code → unit at one level; with ``joined``, also each joined code of a table (``"A_B"``)."""
        if level not in self.codes:
            raise SegindexValueError(f"lookup(): no level {level!r}; the levels are {self.levels}.")
        series = self.codes[level]
        if joined is None:
            return series
        extra = {}
        for code in joined:
            parts = str(code).split("_")
            if len(parts) > 1 and all(p in series.index for p in parts):
                extra[code] = series[parts[0]]
        return pd.concat([series, pd.Series(extra, dtype=object)]) if extra else series

    def __repr__(self) -> str:
        changed = int((self.attributes["type"] != "unchanged").sum())
        return (
            f"ChainedUnits({' -> '.join(self.levels)}: {self.n_units} comparable units kept "
            f"({changed} not one-to-one), {len(self.dropped)} dropped)"
        )


def chain_units(
    lookups: Sequence[pd.DataFrame],
    levels: Sequence[Hashable],
    *,
    coverage: Mapping[Hashable, Iterable[Hashable]] | None = None,
    sep: str = "_",
) -> ChainedUnits:
    r"""Units comparable across three (or more) censuses, from a chain of lookups.

    Parameters
    ----------
    lookups : list of pandas.DataFrame
        ``len(levels) - 1`` lookup tables; lookup ``k`` has the columns
        ``levels[k]`` and ``levels[k + 1]`` (e.g. LSOA 2001 → 2011, then
        LSOA 2011 → 2021), one row per pair of codes.
    levels : list of column names
        The code columns, earliest first (``["LSOA01CD", "LSOA11CD", "LSOA21CD"]``).
    coverage : dict, optional
        ``{level: codes}``: the codes a table at that level actually has (for
        example the 196 LSOAs of Bradford's major town in 2001). A unit is
        kept only when every one of its codes at that level is present; units
        with some present are dropped as ``"partly covered"``, units with none
        as ``"outside the table"``. Codes of a table that no lookup knows are
        reported as ``"not in the lookups"``. A table code made of several
        codes joined by ``sep`` (a row the source merged, such as
        ``"E01010660_E01010661"``) ties those codes into one unit.
    sep : str, default "_"
        The separator of joined codes in ``coverage``.

    Returns
    -------
    ChainedUnits

    Raises
    ------
    SegindexValueError
        Wrong number of lookups, a missing column or code, an unknown level
        in ``coverage``, or no unit left.
    SegindexTypeError
        ``lookups`` is not a list of DataFrames.

    Notes
    -----
    The codes of every level are the nodes of one graph, with an edge for
    every lookup row (and between the parts of a joined code); the
    comparable units are its connected components
    (``scipy.sparse.csgraph.connected_components``), as
    :func:`segindex.comparable_units` does for two censuses. A unit is
    labelled by its first code at the last level, so an unchanged LSOA keeps
    its latest code. Counts of every census added up over a unit's codes
    (:func:`aggregate_counts` with :meth:`ChainedUnits.lookup`) cover the same
    ground in every census.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"c01": ["p", "q", "r"], "c11": ["P", "Q", "Q"]})
    >>> b = pd.DataFrame({"c11": ["P", "Q"], "c21": ["P1", "Q1"]})
    >>> units = chain_units([a, b], ["c01", "c11", "c21"], coverage={"c01": ["p", "q"]})
    >>> units.codes["c01"].to_dict()
    {'p': 'P1'}
    >>> units.dropped[["reason"]].to_dict("list")
    {'reason': ['partly covered']}
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    caller = "chain_units"
    levels = check_labels(levels, "levels", caller, min_count=2)
    if not isinstance(lookups, (list, tuple)) or not all(isinstance(lk, pd.DataFrame) for lk in lookups):
        raise SegindexTypeError(f"{caller}(): 'lookups' must be a list of DataFrames, one per pair of levels.")
    if len(lookups) != len(levels) - 1:
        raise SegindexValueError(
            f"{caller}(): {len(levels)} levels need {len(levels) - 1} lookups (one per consecutive pair), "
            f"got {len(lookups)}."
        )
    coverage = {} if coverage is None else dict(coverage)
    for level in coverage:
        if level not in levels:
            raise SegindexValueError(f"{caller}(): coverage names the level {level!r}, not one of {levels}.")
    uniques, offsets, rows, cols = _chain_nodes(lookups, levels, caller)
    present, unknown = _tie_joined(coverage, uniques, offsets, rows, cols, sep)
    n_nodes = sum(len(u) for u in uniques.values())
    edges = (np.concatenate(rows), np.concatenate(cols))
    graph = coo_matrix((np.ones(len(edges[0])), edges), shape=(n_nodes, n_nodes))
    n_comp, comp = connected_components(graph, directed=False)
    per_level = {level: comp[offsets[level] : offsets[level] + len(uniques[level])] for level in levels}
    # label: the first code (sorted) of the last level, else of the latest level that has one
    labels = np.empty(n_comp, dtype=object)
    labelled = np.zeros(n_comp, dtype=bool)
    for level in reversed(levels):
        first = np.full(n_comp, len(uniques[level]), dtype=np.int64)
        np.minimum.at(first, per_level[level], np.arange(len(uniques[level])))
        new = (~labelled) & (first < len(uniques[level]))
        labels[new] = np.asarray(uniques[level], dtype=object)[first[new]]
        labelled |= new
    counts = {level: np.bincount(per_level[level], minlength=n_comp) for level in levels}
    keep, reason, detail = _coverage_keep(present, uniques, per_level, counts, n_comp)
    if not keep.any():
        raise SegindexValueError(
            f"{caller}(): no comparable unit is covered completely by the tables; check that the coverage codes "
            "and the lookups are of the same vintage and area."
        )
    one_each = np.all([counts[level] == 1 for level in levels], axis=0)
    kept = np.flatnonzero(keep)
    attributes = pd.DataFrame(
        {f"n_{level}": counts[level][kept] for level in levels}, index=pd.Index(labels[kept], name="unit")
    )
    attributes["type"] = np.where(one_each[kept], "unchanged", "changed")
    attributes = attributes.sort_index()
    codes = {}
    for level in levels:
        mask = keep[per_level[level]]
        codes[level] = pd.Series(
            labels[per_level[level][mask]], index=pd.Index(uniques[level][mask], name=level), name="unit", dtype=object
        )
    gone = np.flatnonzero(~keep)
    dropped = pd.DataFrame(
        {
            level: pd.Series(np.asarray(uniques[level], dtype=object))
            .groupby(per_level[level])
            .agg(" ".join)
            .reindex(gone)
            .fillna("")
            .to_numpy()
            for level in levels
        },
        index=pd.Index(labels[gone], name="unit"),
    )
    dropped["reason"] = reason[gone]
    dropped["detail"] = detail[gone]
    if unknown:
        extra = pd.DataFrame(
            {
                **{lv: [c if lv == level else "" for level, c in unknown] for lv in levels},
                "reason": "not in the lookups",
                "detail": [f"the {level} code {c!r} of the table is in no lookup" for level, c in unknown],
            },
            index=pd.Index([c for _, c in unknown], name="unit"),
        )
        dropped = pd.concat([dropped, extra])
    dropped = dropped.sort_values("reason", kind="stable")
    report = {"kept": {"units": len(kept), **{level: int(counts[level][kept].sum()) for level in levels}}}
    for why in ("partly covered", "outside the table"):
        sel = gone[reason[gone] == why]
        if sel.size:
            report[why] = {"units": int(sel.size), **{level: int(counts[level][sel].sum()) for level in levels}}
    if unknown:
        report["not in the lookups"] = {
            "units": 0,
            **{lv: sum(1 for level, _ in unknown if level == lv) for lv in levels},
        }
    report = pd.DataFrame(report).T
    report.index.name = "units"
    return ChainedUnits(codes=codes, attributes=attributes, dropped=dropped, report=report, levels=list(levels))


def _chain_nodes(lookups, levels, caller):
    """Sorted codes of every level, node offsets, and one edge list per lookup."""
    uniques, offsets, total = {}, {}, 0
    for k, level in enumerate(levels):
        values = []
        for j in (k - 1, k):
            if 0 <= j < len(lookups):
                lk = lookups[j]
                if level not in lk.columns:
                    raise SegindexValueError(
                        f"{caller}(): lookup {j} has no column {level!r}. Columns: {first_few(lk.columns, 12)}."
                    )
                missing = lk[level].isna().to_numpy()
                if missing.any():
                    raise SegindexValueError(
                        f"{caller}(): lookup {j} has a missing {level!r} code at row {int(np.flatnonzero(missing)[0])}."
                    )
                values.append(lk[level].astype(str).to_numpy())
        uniques[level] = pd.Index(np.unique(np.concatenate(values)))
        offsets[level] = total
        total += len(uniques[level])
    rows, cols = [], []
    for j, lk in enumerate(lookups):
        a, b = levels[j], levels[j + 1]
        rows.append(offsets[a] + uniques[a].get_indexer(lk[a].astype(str)))
        cols.append(offsets[b] + uniques[b].get_indexer(lk[b].astype(str)))
    return uniques, offsets, rows, cols


def _tie_joined(coverage, uniques, offsets, rows, cols, sep):
    """The codes present at each covered level; joined codes tie their parts (edges appended in place)."""
    unknown, present = [], {}
    for level, codes in coverage.items():
        seen = set()
        for code in (str(c) for c in codes):
            parts = code.split(sep) if sep else [code]
            idx = uniques[level].get_indexer(parts)
            if (idx < 0).any():
                unknown.append((level, code))
                continue
            seen.update(parts)
            if len(parts) > 1:
                rows.append(offsets[level] + idx[:-1])
                cols.append(offsets[level] + idx[1:])
        present[level] = seen
    return present, unknown


def _coverage_keep(present, uniques, per_level, counts, n_comp):
    """Which components every covered level holds completely, and why the others are dropped."""
    keep = np.ones(n_comp, dtype=bool)
    reason = np.full(n_comp, "", dtype=object)
    detail = np.full(n_comp, "", dtype=object)
    for level, seen in present.items():
        has = np.isin(np.asarray(uniques[level], dtype=object), list(seen))
        n_present = np.bincount(per_level[level], weights=has.astype(float), minlength=n_comp).astype(np.int64)
        n_all = counts[level]
        partly = (n_present > 0) & (n_present < n_all)
        none = n_present == 0
        for c in np.flatnonzero(keep & partly):
            reason[c] = "partly covered"
            detail[c] = f"{int(n_all[c] - n_present[c])} of {int(n_all[c])} {level} codes missing from the table"
        for c in np.flatnonzero(keep & none):
            reason[c] = "outside the table"
            detail[c] = f"none of its {int(n_all[c])} {level} codes is in the table"
        keep &= ~(partly | none)
    return keep, reason, detail


def lookup_coverage(
    lookup: BestFit | pd.Series | Mapping, present: Iterable[Hashable], *, sep: str = "_"
) -> pd.DataFrame:
    """Which large units a partial table covers completely.

    Parameters
    ----------
    lookup : BestFit, pandas.Series or dict
        Small code → large code for the whole study area (e.g. every 2001
        LSOA of Bradford district → its census merged ward).
    present : iterable of codes
        The small units the table has (joined codes such as ``"A_B"`` count
        for each part).
    sep : str, default "_"
        Separator of joined codes.

    Returns
    -------
    pandas.DataFrame
        One row per large unit: ``n_units``, ``n_present``, ``status``
        (``"complete"``, ``"partial"`` or ``"absent"``) and ``missing`` (the
        small codes the table lacks, space-separated). Keep the complete ones;
        list the others as dropped.

    Examples
    --------
    >>> cov = lookup_coverage({"a": "W1", "b": "W1", "c": "W2"}, ["a", "c"])
    >>> cov["status"].to_dict()
    {'W1': 'partial', 'W2': 'complete'}
    """
    caller = "lookup_coverage"
    series = _as_lookup(lookup, caller).dropna()
    have = set()
    for code in present:
        have.update(str(code).split(sep) if sep else [str(code)])
    frame = pd.DataFrame({"area": series.to_numpy(), "code": series.index.astype(str)})
    frame["present"] = frame["code"].isin(have)
    out = frame.groupby("area", sort=True).agg(n_units=("code", "size"), n_present=("present", "sum"))
    out["n_present"] = out["n_present"].astype(np.int64)
    out["status"] = np.where(
        out["n_present"] == out["n_units"], "complete", np.where(out["n_present"] == 0, "absent", "partial")
    )
    out["missing"] = frame[~frame["present"]].groupby("area")["code"].agg(" ".join).reindex(out.index).fillna("")
    return out


def compare_lookups(
    first: BestFit | pd.Series | Mapping,
    second: BestFit | pd.Series | Mapping,
    *,
    names: tuple[str, str] = ("first", "second"),
) -> pd.DataFrame:
    """Every unit two lookups place differently (or that one places and the other does not).

    Parameters
    ----------
    first, second : BestFit, pandas.Series or dict
        Two lookups of the same small units (e.g. a point-in-polygon best fit
        and the ONS best-fit chain).
    names : pair of str
        Column names for the two lookups' large units.

    Returns
    -------
    pandas.DataFrame
        One row per disagreeing unit (sorted by code): the large unit of each
        lookup (missing where a lookup does not place the unit). Empty when
        they agree everywhere.

    Examples
    --------
    >>> compare_lookups({"a": "W1", "b": "W2"}, {"a": "W1", "b": "W1"}, names=("pip", "ons"))
      pip  ons
    b  W2   W1
    """
    caller = "compare_lookups"
    a = _as_lookup(first, caller)
    b = _as_lookup(second, caller)
    index = a.index.union(b.index)
    frame = pd.DataFrame({names[0]: a.reindex(index), names[1]: b.reindex(index)}, index=index)
    x, y = frame[names[0]], frame[names[1]]
    same = (x == y) | (x.isna() & y.isna())
    return frame[~same.to_numpy()]
