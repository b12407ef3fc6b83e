"""Boundary files: any vector format pyogrio reads, as a GeoDataFrame."""

from __future__ import annotations


import numpy as np

from ..errors import SegindexValueError
from ._common import ReadReport, attach_report, check_ids, check_path, first_few, missing_column_error, plain_label, warn_quality



def read_boundaries(path, id_column, *, layer=None, to_crs=None, require_projected: bool = True, repair: bool = True):
    """Read area boundaries (GeoPackage, shapefile, GeoJSON, ...) indexed by their code.

    Parameters
    ----------
    path : str or pathlib.Path
        Any vector file pyogrio can read.
    id_column : str
        Column of unique area codes (for example ``"LSOA11CD"``); it becomes
        the index.
    layer : str or int, optional
        Layer to read; required when the file holds more than one.
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
        The file is missing or unreadable; the layer is ambiguous; the id
        column is missing, has an empty value or a duplicated code; the file
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
    caller = "read_boundaries"
    import pyogrio
    import shapely

    path = check_path(path, caller)
    source = repr(str(path))
    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:  # pyogrio raises its own DataSourceError types
        raise SegindexValueError(f"{caller}(): cannot read {source} as a vector file: {exc}") from None
    if layer is None and len(layers) > 1:
        raise SegindexValueError(
            f"{caller}(): {source} holds {len(layers)} layers {[str(x) for x in layers[:, 0]]}; "
            "choose one with layer=."
        )
    try:
        gdf = pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:
        raise SegindexValueError(f"{caller}(): cannot read layer {layer!r} of {source}: {exc}") from None
    if id_column not in gdf.columns or id_column == gdf.geometry.name:
        raise missing_column_error(id_column, [c for c in gdf.columns if c != gdf.geometry.name], "the id", caller, source)
    if gdf.crs is None:
        raise SegindexValueError(
            f"{caller}(): {source} has no coordinate reference system (a shapefile without its .prj?). "
            "Restore it, or read the file with geopandas and set it explicitly, e.g. .set_crs(27700) "
            "for British National Grid coordinates."
        )
    check_ids(gdf[id_column], id_column, caller, source)
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
    )
    return attach_report(gdf, report)
