"""Postcodes to points from a Code-Point Open style lookup."""

from __future__ import annotations

import csv
import gzip
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import SegindexTypeError, SegindexValueError, first_few
from ._common import (
    ReadReport,
    attach_report,
    check_encoding,
    check_path,
    check_text_file,
    compression_of,
    corrupt_gzip_error,
    encoding_error,
    head_lines,
    missing_column_error,
    plain_label,
    warn_quality,
)

if TYPE_CHECKING:
    import geopandas

_CODEPOINT = [
    "postcode",
    "positional_quality_indicator",
    "easting",
    "northing",
    "country_code",
    "nhs_regional_ha_code",
    "nhs_ha_code",
    "admin_county_code",
    "admin_district_code",
    "admin_ward_code",
]


def _postcode_key(series: pd.Series) -> pd.Series:
    """Upper case with every space removed: 'bd1 1aa', 'BD11AA', 'BD1  1AA' → 'BD11AA'."""
    return series.astype("string").str.upper().str.replace(r"\s+", "", regex=True)


def _read_lookup(lookup, caller: str, encoding: str = "utf-8"):
    if isinstance(lookup, (list, tuple)):
        # Code-Point Open ships one CSV per postcode area: read each, then stack them
        if not lookup:
            raise SegindexValueError(f"{caller}(): the list of lookup files is empty; give at least one.")
        parts = [_read_lookup(item, caller, encoding) for item in lookup]
        return pd.concat([p[0] for p in parts], ignore_index=True), ", ".join(p[1] for p in parts)
    if isinstance(lookup, pd.DataFrame):
        for column in ("postcode", "easting", "northing"):
            if column not in lookup.columns:
                raise missing_column_error(column, list(lookup.columns), "the lookup", caller, "the lookup table")
        return lookup[["postcode", "easting", "northing"]], "<DataFrame>"
    path = check_path(lookup, caller)
    source = repr(str(path))
    check_text_file(path, caller)
    lines = head_lines(path, 1, encoding=encoding, caller=caller)
    if not lines:
        raise SegindexValueError(f"{caller}(): lookup file {source} is empty.")
    first = next(csv.reader(lines))
    if len(first) < 4:
        raise SegindexValueError(
            f"{caller}(): lookup file {source} is not a Code-Point Open style CSV (postcode, quality, "
            f"easting, northing, ...): its first line has {len(first)} field(s): {lines[0][:120]!r}."
        )
    header = pd.to_numeric(pd.Series(first[2:4]), errors="coerce").isna().any()
    try:
        table = pd.read_csv(
            path,
            header=0 if header else None,
            usecols=[0, 2, 3],
            dtype={0: str} if not header else None,
            keep_default_na=False,
            encoding=encoding,
            compression=compression_of(path),
        )
    except UnicodeDecodeError:
        raise encoding_error(path, encoding, caller) from None
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise corrupt_gzip_error(path, exc, caller) from None
    except (ValueError, pd.errors.ParserError) as exc:
        raise SegindexValueError(f"{caller}(): cannot read lookup file {source}: {exc}") from None
    table.columns = ["postcode", "easting", "northing"]
    return table, str(path)


def geocode_postcodes(
    table: pd.DataFrame,
    lookup: str | Path | pd.DataFrame | list,
    *,
    postcode_column: str = "school_postcode",
    crs: Any = 27700,
    encoding: str = "utf-8",
) -> geopandas.GeoDataFrame:
    """Place units at their postcode centroid.

    Parameters
    ----------
    table : pandas.DataFrame
        Units with a postcode column (for example the frame of
        :func:`read_school_census`).
    lookup : str, pathlib.Path, pandas.DataFrame, or a list of them
        An OS Code-Point Open style CSV (no header; ``postcode,
        positional_quality_indicator, easting, northing, ...``; a header line is
        detected and skipped) or a DataFrame with ``postcode, easting,
        northing`` columns. A list (Code-Point Open comes as one file per
        postcode area, e.g. ``bd.csv`` and ``ls.csv``) is read as one
        lookup. Lookup rows at (0, 0), Code-Point's mark of a postcode
        without coordinates (quality 90), are not locations: such postcodes
        count as unmatched.
    postcode_column : str, default "school_postcode"
        Column of ``table`` holding the postcodes.
    crs : CRS, default 27700
        CRS of the lookup's eastings and northings (British National Grid).
    encoding : str, default "utf-8"
        Text encoding of the lookup file(s), for example ``"cp1252"``.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``table`` (same index and columns) with point geometries.
        Postcodes are matched ignoring case and spaces (``"bd1 1aa"``,
        ``"BD11AA"`` and ``"BD1  1AA"`` are the same). **Rows whose postcode is
        missing or not in the lookup are kept, with a missing (None) geometry**,
        so no school and no pupil is lost; they are listed (by index label) in
        the report's ``unmatched`` and a
        :class:`~segindex.errors.DataQualityWarning` says how many.
        :func:`join_to_areas` reports them again as joining no area.

    Raises
    ------
    SegindexValueError
        The postcode column or a lookup column is missing; the lookup file is
        missing or not of the expected form (a spreadsheet, a truncated
        ``.gz``, not in ``encoding``); the lookup gives one postcode two
        different locations.

    Examples
    --------
    >>> import pandas as pd
    >>> from segindex.io import geocode_postcodes
    >>> lookup = pd.DataFrame({"postcode": ["BD1 1AA", "BD1 1AB"],
    ...                        "easting": [416000.0, 416100.0], "northing": [433000.0, 433050.0]})
    >>> schools = pd.DataFrame({"school_postcode": ["bd11ab", "BD1  1AA"]}, index=[101, 102])
    >>> pts = geocode_postcodes(schools, lookup)
    >>> pts.geometry.x.tolist(), pts.crs.to_epsg()
    ([416100.0, 416000.0], 27700)
    """
    caller = "geocode_postcodes"
    import geopandas

    if not isinstance(table, pd.DataFrame):
        raise SegindexTypeError(f"{caller}(): table must be a pandas DataFrame, got {type(table).__name__}.")
    if postcode_column not in table.columns:
        raise missing_column_error(postcode_column, list(table.columns), "the postcode", caller, "the table")
    if "geometry" in table.columns or isinstance(table, geopandas.GeoDataFrame):
        raise SegindexValueError(
            f"{caller}(): the table already has a geometry; geocoding would replace it. Pass a plain "
            "DataFrame (for example pd.DataFrame(table.drop(columns=table.geometry.name)))."
        )
    encoding = check_encoding(encoding, caller)
    lut, source = _read_lookup(lookup, caller, encoding)
    keys = _postcode_key(lut["postcode"])
    try:
        east = pd.to_numeric(lut["easting"]).to_numpy(dtype=np.float64)
        north = pd.to_numeric(lut["northing"]).to_numpy(dtype=np.float64)
    except (ValueError, TypeError) as exc:
        raise SegindexValueError(
            f"{caller}(): eastings/northings of lookup {source!r} are not numbers: {exc}"
        ) from None
    frame = pd.DataFrame({"key": keys.to_numpy(), "e": east, "n": north}).drop_duplicates()
    # Code-Point Open writes 0, 0 for postcodes it cannot locate (quality 90): not a location
    nowhere = ((frame["e"] == 0) & (frame["n"] == 0)) | frame["e"].isna() | frame["n"].isna()
    frame = frame[~nowhere.to_numpy()]
    dup = frame["key"].duplicated(keep=False).to_numpy()
    if dup.any():
        raise SegindexValueError(
            f"{caller}(): lookup {source!r} gives postcode {frame['key'].to_numpy()[dup][0]!r} more than one "
            "location; keep one row per postcode."
        )
    frame = frame.set_index("key")
    wanted = _postcode_key(table[postcode_column])
    e = frame["e"].reindex(wanted.to_numpy()).to_numpy()
    n = frame["n"].reindex(wanted.to_numpy()).to_numpy()
    found = ~np.isnan(e)
    points = geopandas.points_from_xy(e, n)
    geometry = np.where(found, np.asarray(points, dtype=object), None)
    out = geopandas.GeoDataFrame(table.copy(), geometry=list(geometry), crs=crs)
    out.attrs = {}
    unmatched = tuple(plain_label(u) for u in table.index[~found])
    if unmatched:
        codes = table[postcode_column].to_numpy()[~found]
        warn_quality(
            f"{caller}(): {len(unmatched)} of {len(table)} postcodes were not found in the lookup "
            f"({first_few(codes)}); those rows are kept with a missing geometry. "
            "See segindex.io.report_of(frame).unmatched."
        )
    report = ReadReport(
        source=source,
        reader=caller,
        rows_read=len(table),
        rows_kept=len(out),
        unmatched=unmatched,
        crs=out.crs.to_string(),
        notes=(f"{int(found.sum())} of {len(table)} postcodes located",),
    )
    return attach_report(out, report)
