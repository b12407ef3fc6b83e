"""Checking the arguments of :func:`segindex.write_report` before anything is computed or written."""

from __future__ import annotations

import numpy as np

from ..errors import SegindexTypeError, SegindexValueError

__all__ = ["check_frames", "check_draws", "check_map_groups", "check_other"]

CALLER = "write_report"


def check_frames(units, schools, groups, total, school_total) -> list:
    """The group list, after checking the frames hold every column they are asked for."""
    import geopandas as gpd

    if not isinstance(units, gpd.GeoDataFrame):
        raise SegindexTypeError(
            f"{CALLER}(): 'units' must be a GeoDataFrame of residential units (polygons with one count "
            f"column per group), got {type(units).__name__}."
        )
    if schools is not None and not isinstance(schools, gpd.GeoDataFrame):
        raise SegindexTypeError(
            f"{CALLER}(): 'schools' must be a GeoDataFrame of school points, got {type(schools).__name__}."
        )
    if isinstance(groups, str) or not hasattr(groups, "__iter__"):
        raise SegindexTypeError(f"{CALLER}(): 'groups' must be a list of column names, got {groups!r}.")
    groups = list(groups)
    if not groups:
        raise SegindexValueError(f"{CALLER}(): 'groups' is empty; name the group columns to report.")
    for frame, name, tot in ((units, "units", total), (schools, "schools", school_total)):
        if frame is None:
            continue
        for col in groups + ([tot] if tot is not None else []):
            if col not in frame.columns:
                raise SegindexValueError(
                    f"{CALLER}(): the column {col!r} is not in '{name}'; its columns are "
                    f"{', '.join(repr(c) for c in frame.columns if c != frame.geometry.name)}."
                )
    if schools is not None and units.crs is not None and schools.crs is not None and units.crs != schools.crs:
        raise SegindexValueError(
            f"{CALLER}(): 'units' and 'schools' are in different CRSs ({units.crs.to_string()} and "
            f"{schools.crs.to_string()}); reproject one, e.g. schools.to_crs(units.crs)."
        )
    return groups


def check_other(other, groups):
    """The comparison group, one of the groups (or None)."""
    if other is not None and other not in groups:
        raise SegindexValueError(f"{CALLER}(): the comparison group {other!r} is not one of the groups {groups!r}.")
    return other


def check_draws(value) -> int:
    """The number of bootstrap draws (``n_draws``): None or 0 for none."""
    name = "n_draws"
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise SegindexTypeError(
            f"{CALLER}(): '{name}' must be None or a whole number of draws >= 0 (e.g. 199), got {value!r}."
        )
    return int(value)


def check_map_groups(map_groups, groups) -> list:
    map_groups = list(groups) if map_groups is None else list(map_groups)
    unknown = [g for g in map_groups if g not in groups]
    if unknown:
        raise SegindexValueError(f"{CALLER}(): map_groups {unknown!r} are not among the groups {groups!r}.")
    return map_groups


def check_text(area_name, year, min_count) -> None:
    if not isinstance(area_name, str) or not area_name.strip():
        raise SegindexValueError(f"{CALLER}(): 'area_name' must be a non-empty string, got {area_name!r}.")
    if year is not None and not isinstance(year, (str, int)):
        raise SegindexTypeError(f"{CALLER}(): 'year' must be a string such as '2011' or None, got {year!r}.")
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 0:
        raise SegindexTypeError(f"{CALLER}(): 'min_count' must be a whole number >= 0 (e.g. 100), got {min_count!r}.")
