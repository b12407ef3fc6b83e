"""Boundary files: any vector format pyogrio reads, as a GeoDataFrame."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import SegindexValueError, first_few
from ._common import (
    TABLE_SUFFIXES,
    ReadReport,
    attach_report,
    check_ids,
    check_path,
    excel_kind,
    missing_column_error,
    plain_label,
    stripped_ids,
    warn_quality,
)

if TYPE_CHECKING:
    import geopandas

_CALLER = "read_boundaries"


def read_boundaries(
    path: str | Path,
    id_column: str,
    *,
    layer: str | int | None = None,
    to_crs: Any = None,
    require_projected: bool = True,
    repair: bool = True,
) -> geopandas.GeoDataFrame:
    """Read area boundaries (GeoPackage, shapefile, GeoJSON, ...) indexed by their code.

    Parameters
    ----------
    path : str or pathlib.Path
        Any vector file pyogrio can read.
    id_column : str
        Column of unique area codes (for example ``"LSOA11CD"``); it becomes
        the index.
    layer : str or int, optional
        Layer to read (its name, or its position from 0); required when the
        file holds more than one (a GeoPackage can).
    to_crs : CRS, optional
        Reproject to this CRS (anything ``GeoDataFrame.to_crs`` takes, e.g.
        ``27700`` for British National Grid).
    require_projected : bool, default True
        Refuse a geographic (longitude/latitude) result: distances, areas and
        neighbours need a projected CRS. Pass ``to_crs=27700`` for British
        data, or ``False`` for maps only.
    repair : bool, default True
        Repair invalid geometries with :func:`shapely.make_valid` (keeping
        polygonal parts) and report how many; ``False`` raises instead.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by ``id_column``, with the file's other fields; the
        :class:`ReadReport` (CRS, reprojection, repairs) is in
        ``attrs["segindex_report"]``.

    Raises
    ------
    SegindexValueError
        The file is missing or unreadable; it is a table (CSV, Excel) rather
        than boundaries; it holds several layers and ``layer`` is not given
        (the message lists them), or ``layer`` is not one of them; the id
        column is missing, has an empty value or a code repeated once
        normalised (``" E01"`` and ``"E01"`` are one area); the file
        has no CRS; the CRS is geographic with ``require_projected=True``; a
        geometry is missing or empty; a geometry is invalid with
        ``repair=False``.

    Warns
    -----
    DataQualityWarning
        Invalid geometries were repaired.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import geopandas
    >>> from shapely.geometry import box
    >>> from segindex.io import read_boundaries, report_of
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> areas = geopandas.GeoDataFrame({"code": ["A", "B"]},
    ...     geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], crs=27700)
    >>> areas.to_file(tmp / "areas.gpkg")
    >>> gdf = read_boundaries(tmp / "areas.gpkg", "code")
    >>> gdf.index.tolist(), report_of(gdf).crs
    (['A', 'B'], 'EPSG:27700')
    """
    caller = _CALLER
    import shapely

    path = check_path(path, caller)
    source = repr(str(path))
    gdf = _read_layer(path, layer, source)
    if id_column not in gdf.columns or id_column == gdf.geometry.name:
        fields = [c for c in gdf.columns if c != gdf.geometry.name]
        raise missing_column_error(id_column, fields, "the id", caller, source)
    if gdf.crs is None:
        raise SegindexValueError(
            f"{caller}(): {source} has no coordinate reference system (a shapefile without its .prj?). "
            "Restore it, or read the file with geopandas and set it explicitly, e.g. .set_crs(27700) "
            "for British National Grid coordinates."
        )
    codes, n_stripped = stripped_ids(gdf[id_column])
    check_ids(codes, id_column, caller, source, position="feature", offset=1)
    if n_stripped:
        gdf[id_column] = codes.to_numpy()
    ids = gdf[id_column].to_numpy()
    geoms = gdf.geometry.to_numpy()
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.any():
        raise SegindexValueError(
            f"{caller}(): {int(empty.sum())} feature(s) of {source} have no geometry (missing or empty): "
            f"{id_column} {first_few(ids[empty])}. Fix or remove them in the file (or in geopandas) so that "
            "every area has a shape."
        )
    invalid = ~shapely.is_valid(geoms)
    n_repaired = int(invalid.sum())
    if n_repaired:
        if not repair:
            first = int(np.flatnonzero(invalid)[0])
            raise SegindexValueError(
                f"{caller}(): {n_repaired} invalid geometr{'y' if n_repaired == 1 else 'ies'} in {source}, "
                f"first {id_column} {plain_label(ids[first])!r}: {shapely.is_valid_reason(geoms[first])}. "
                "Pass repair=True to repair them with shapely.make_valid, or fix the file."
            )
        fixed = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
        collapsed = shapely.is_empty(fixed)
        if collapsed.any():
            raise SegindexValueError(
                f"{caller}(): invalid geometr{'y' if collapsed.sum() == 1 else 'ies'} of {id_column} "
                f"{first_few(ids[invalid][collapsed])} in {source} collapse to nothing when repaired "
                "(no area left); fix or remove them in the file."
            )
        geoms = geoms.copy()
        geoms[invalid] = fixed
        gdf = gdf.set_geometry(geoms, crs=gdf.crs)
        warn_quality(
            f"{caller}(): repaired {n_repaired} invalid geometr{'y' if n_repaired == 1 else 'ies'} in {source} "
            f"with shapely.make_valid ({id_column} {first_few(ids[invalid])})."
        )
    original = gdf.crs
    reprojected = None
    if to_crs is not None:
        gdf = gdf.to_crs(to_crs)
        if gdf.crs != original:
            reprojected = original.to_string()
    if require_projected and gdf.crs.is_geographic:
        how = (
            "Pass to_crs=27700 to reproject to British National Grid (or another projected CRS), "
            "or require_projected=False for maps only."
        )
        raise SegindexValueError(
            f"{caller}(): {source} is in a geographic CRS ({gdf.crs.to_string()}, degrees of longitude and "
            f"latitude); distances and neighbours need a projected CRS in metres. {how}"
        )
    gdf = gdf.set_index(id_column)
    report = ReadReport(
        source=str(path),
        reader=caller,
        rows_read=len(ids),
        rows_kept=len(gdf),
        crs=gdf.crs.to_string(),
        reprojected_from=reprojected,
        repaired_geometries=n_repaired,
        notes=(f"{n_stripped} area codes had surrounding spaces removed",) if n_stripped else (),
    )
    return attach_report(gdf, report)


def _not_boundaries(path: Path, source: str) -> str | None:
    """Why ``path`` is a table rather than a boundary file, or None."""
    kind = excel_kind(path)
    if kind is not None:
        return f"{source} is {kind}: a table, not a boundary file"
    suffixes = [x.lower() for x in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in TABLE_SUFFIXES:
        return f"{source} is a {suffixes[-1][1:].upper()} table, not a boundary file"
    return None


def _table_error(reason: str) -> SegindexValueError:
    return SegindexValueError(
        f"{_CALLER}(): {reason}. Pass the areas' shapes (a GeoPackage .gpkg, a shapefile .shp with its "
        ".shx, .dbf and .prj, or a GeoJSON file), for example ONS boundaries from the Open Geography Portal; "
        "read a table of counts with read_census_table (or pandas.read_csv)."
    )


def _read_layer(path: Path, layer, source: str):
    """The one layer of a vector file as a GeoDataFrame, refusing tables and ambiguous layers."""
    import pyogrio

    reason = _not_boundaries(path, source)
    if reason is not None:
        raise _table_error(reason)
    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:  # pyogrio raises its own DataSourceError types
        raise SegindexValueError(f"{_CALLER}(): cannot read {source} as a vector file: {exc}") from None
    names = [str(x) for x in layers[:, 0]]
    if layer is None and len(layers) > 1:
        raise SegindexValueError(
            f"{_CALLER}(): {source} holds {len(layers)} layers ({first_few(names, limit=10)}); choose one "
            f"with layer=, for example layer={names[0]!r}."
        )
    if isinstance(layer, str) and layer not in names:
        raise SegindexValueError(
            f"{_CALLER}(): {source} has no layer {layer!r}; its layers are {first_few(names, limit=10)}."
        )
    try:
        gdf = pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:
        raise SegindexValueError(f"{_CALLER}(): cannot read layer {layer!r} of {source}: {exc}") from None
    if getattr(gdf, "_geometry_column_name", None) is None or gdf.geometry.name not in gdf.columns:
        raise _table_error(f"{source} has no geometries (is it a table?)")
    return gdf
