"""Where the peer-parity indices read their input: one import site for the normaliser and the CRS rule.

The indices of :mod:`.evenness`, :mod:`.concentration`, :mod:`.centralisation`,
:mod:`.clustering`, :mod:`.diversity`, :mod:`.distortion` and :mod:`.rank_order`
read counts, checked column pairs, unit points and unit areas only through the
names below, so that a move of the normaliser is a change to this file alone.
"""

from __future__ import annotations

import numpy as np

from .. import counts as _counts
from ..counts import check_frame, check_label, check_labels, read_pair
from ..errors import SegindexTypeError, SegindexValueError
from ._common import finish, warn_absent

__all__ = [
    "as_counts",
    "check_frame",
    "check_label",
    "check_labels",
    "check_projected",
    "unit_points",
    "finish",
    "read_pair",
    "read_groups",
    "warn_absent",
    "unit_areas",
    "check_positive",
]


def unit_areas(data, caller: str) -> np.ndarray:
    """The area of every unit's geometry, in square CRS units (a projected CRS is required).

    A missing CRS is refused as well as a geographic one: an area in unknown
    units is not an area.
    """
    import shapely

    try:
        import geopandas as gpd
    except ImportError:  # pragma: no cover - geopandas is a dependency
        gpd = None
    if gpd is None or not isinstance(data, gpd.GeoDataFrame):
        raise SegindexTypeError(
            f"{caller}(): the index needs each unit's land area, so 'data' must be a GeoDataFrame of "
            f"polygons in a projected CRS, got {type(data).__name__}. Read boundaries with "
            "geopandas.read_file and join the counts to them."
        )
    if data.crs is None:
        raise SegindexValueError(
            f"{caller}(): the GeoDataFrame has no coordinate reference system, so its areas are in "
            "unknown units. Set the CRS it was made in (data.set_crs(27700) for the British National "
            "Grid), then reproject if needed."
        )
    check_projected(data, caller)
    geoms = np.asarray(data.geometry.values, dtype=object)
    bad = np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if bad.size:
        raise SegindexValueError(
            f"{caller}(): unit at row {int(bad[0])} has a missing or empty geometry ({bad.size} in all); "
            "every unit needs a polygon."
        )
    area = shapely.area(geoms).astype(np.float64)
    zero = np.flatnonzero(~(area > 0))
    if zero.size:
        raise SegindexValueError(
            f"{caller}(): unit at row {int(zero[0])} has zero area ({zero.size} in all); the index "
            "divides by land area, so every unit needs a polygon (not a point or line)."
        )
    return np.ascontiguousarray(area)


def check_positive(value, name: str, caller: str) -> float:
    """A finite positive number, or an error naming the parameter."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise SegindexTypeError(f"{caller}(): '{name}' must be a number, got {type(value).__name__} {value!r}.")
    if not np.isfinite(value) or value <= 0:
        raise SegindexValueError(f"{caller}(): '{name}' must be a finite number above 0, got {value!r}.")
    return float(value)


def as_counts(data, groups, *, total=None, by=None, rest: bool = False, caller: str):
    """Checked counts (:func:`segindex.counts.read_counts`), naming ``caller`` in messages."""
    return _counts.read_counts(data, groups, total=total, by=by, rest=rest, caller=caller)


def read_groups(data, groups, total, by, caller: str):
    """Checked counts of a multigroup index, the rest of ``total`` as one more group."""
    return _counts.read_groups(data, groups, total=total, by=by, caller=caller)


def unit_points(data, points=None, *, caller: str, crs=None) -> np.ndarray:
    """Projected coordinates of every unit (the one CRS rule of :func:`segindex.counts.point_coordinates`)."""
    return _counts.point_coordinates(data, points, crs, caller)


def check_projected(data, caller: str) -> None:
    """Refuse a missing or geographic CRS for areas (the one CRS rule of :func:`segindex.counts.check_projected`)."""
    _counts.check_projected(data, "'data'", caller, measures="areas")
