"""Units (schools, points) to the areas that contain them, or by a code column."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import SegindexTypeError, SegindexValueError, first_few
from ._common import ReadReport, attach_report, code_keys, missing_column_error, plain_label, warn_quality


def join_to_areas(
    units: pd.DataFrame,
    areas: pd.DataFrame,
    *,
    area_column: str | None = None,
    code_column: str | None = None,
    how: str = "within",
) -> pd.DataFrame:
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

    if how not in ("within", "intersects", "code"):
        raise SegindexValueError(f"{caller}(): how must be 'within', 'intersects' or 'code', got {how!r}.")
    if code_column is not None:
        how = "code"
    if not isinstance(units, pd.DataFrame) or not isinstance(areas, pd.DataFrame):
        raise SegindexTypeError(f"{caller}(): units and areas must be DataFrames or GeoDataFrames.")
    if area_column is not None:
        if area_column not in areas.columns:
            raise missing_column_error(area_column, list(areas.columns), "the area", caller, "the areas table")
        keys = pd.Index(areas[area_column])
        name = area_column
    else:
        keys = areas.index
        name = areas.index.name if areas.index.name is not None else "area"
    normalised = code_keys(pd.Series(keys))
    repeated = normalised.duplicated(keep=False).to_numpy()
    if repeated.any():
        same = (normalised == normalised[repeated].iloc[0]).to_numpy()
        raise SegindexValueError(
            f"{caller}(): area key {plain_label(keys[same][0])!r} appears more than once in the areas (written "
            f"{first_few(keys[same])}; codes are compared without surrounding spaces, and '7' is '7.0'); "
            "each area must have one key."
        )
    if name in units.columns:
        raise SegindexValueError(
            f"{caller}(): units already have a column {name!r}; rename it or pass area_column= to choose another name."
        )
    if how == "code":
        if code_column is None:
            raise SegindexValueError(f"{caller}(): how='code' needs code_column= (the units' column of area codes).")
        if code_column not in units.columns:
            raise missing_column_error(code_column, list(units.columns), "the code", caller, "the units table")
        codes = units[code_column]
        hit = codes.isin(keys).to_numpy()
        key = codes.where(hit)
        n_hits = hit.astype(int)
    else:
        key, n_hits = _spatial_join(units, areas, keys, how)
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
    unmatched = tuple(plain_label(u) for u in units.index[none | many])
    if unmatched:
        warn_quality(
            f"{caller}(): {len(unmatched)} of {len(units)} units joined no area or more than one "
            f"({', '.join(f'{k}: {v}' for k, v in excluded.items())}: {first_few(unmatched)}); "
            f"their {name!r} is missing. See segindex.io.report_of(frame)."
        )
    report = ReadReport(
        source="<DataFrame>",
        reader=caller,
        rows_read=len(units),
        rows_kept=len(out),
        excluded=excluded,
        unmatched=unmatched,
        crs=None if how == "code" else units.crs.to_string(),
    )
    return attach_report(out, report)


def _spatial_join(units, areas, keys: pd.Index, how: str) -> tuple[pd.Series, np.ndarray]:
    """The key of the one area each unit lies in (missing when none or several), and the number of hits."""
    import geopandas

    caller = "join_to_areas"
    if not isinstance(units, geopandas.GeoDataFrame) or not isinstance(areas, geopandas.GeoDataFrame):
        raise SegindexTypeError(
            f"{caller}(): a spatial join (how={how!r}) needs GeoDataFrames for units and areas; "
            "use geocode_postcodes to place units, or code_column= to join by code."
        )
    if units.crs is None or areas.crs is None or units.crs != areas.crs:
        crs_units = None if units.crs is None else units.crs.to_string()
        crs_areas = None if areas.crs is None else areas.crs.to_string()
        raise SegindexValueError(
            f"{caller}(): units and areas must share one CRS, got units {crs_units} and areas {crs_areas}. "
            "Reproject one, e.g. units.to_crs(areas.crs) (EPSG:27700 for Britain)."
        )
    left = geopandas.GeoDataFrame({"_pos": np.arange(len(units))}, geometry=units.geometry.to_numpy(), crs=units.crs)
    right = geopandas.GeoDataFrame({"_key": keys.to_numpy()}, geometry=areas.geometry.to_numpy(), crs=areas.crs)
    left = left[~(left.geometry.isna() | left.geometry.is_empty)]
    joined = geopandas.sjoin(left, right, how="inner", predicate=how)
    n_hits = np.bincount(joined["_pos"].to_numpy(), minlength=len(units))
    first = joined.drop_duplicates("_pos").set_index("_pos")["_key"]
    key = pd.Series(first.reindex(np.arange(len(units))).to_numpy(), index=units.index)
    return key.where(n_hits == 1), n_hits
