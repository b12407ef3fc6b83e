"""Readers for the files people bring: boundaries, census tables, the school census, postcodes.

Every reader returns an ordinary pandas or GeoPandas frame, indexed by the unit
identifier, and never modifies the file it reads. What a reader did to the data
is never silent:

* anything wrong that cannot be read unambiguously (a missing file or column,
  identifiers repeated once normalised — ``"137277"`` and ``"137277.0"``,
  ``"E01"`` and ``" E01"`` are one unit —, a header naming a column twice, a
  text value in a count column, a count that is not a whole number, which is
  usually a ``'.'`` thousands separator, a geographic CRS for distance work, a
  missing CRS) raises a :class:`~segindex.errors.SegindexValueError` or
  :class:`~segindex.errors.SegindexTypeError` naming the file, column and row,
  and the fix (``thousands="."``, ``fractional=True``, ``encoding="cp1252"``,
  ``layer=``);
* files of the wrong kind get a message, not a traceback: a spreadsheet
  (``.xlsx``, ``.xls``, also renamed ``.csv``) is to be saved as CSV, a ZIP to be
  unzipped, a truncated or corrupt ``.gz`` to be fetched again, a table given
  as boundaries to be read with :func:`read_census_table`;
* everything the reader did that changes numbers or rows (DfE codes such as
  ``z`` made missing, rows excluded by a filter, geometries repaired,
  postcodes not found, groups that do not add up to their total) is recorded
  in a :class:`ReadReport`, stored in ``frame.attrs["segindex_report"]`` and
  returned by :func:`report_of`; where numbers change or rows go unmatched a
  :class:`~segindex.errors.DataQualityWarning` also says how many.

``frame.attrs`` follows pandas' rules: it survives copies and most
single-frame operations but may be dropped by others (``concat``, ``merge``);
take the report right after reading if you need it.

Readers
-------
:func:`read_boundaries`
    Any vector format pyogrio reads (GeoPackage, shapefile, GeoJSON) → GeoDataFrame.
:func:`read_census_table`
    ONS census tables (2011 extracts, 2021 short CSV, 2021 bulk pipe-delimited file).
:func:`read_school_census`
    DfE "Schools, pupils and their characteristics" school-level ethnicity file.
:func:`geocode_postcodes`
    Postcodes → points from a Code-Point Open style lookup.
:func:`join_to_areas`
    Units (schools, points) → the area that contains them, or by a code column.
"""

from ._common import DFE_MISSING_CODES, PHASES, ReadReport, report_of
from .boundaries import read_boundaries
from .census import read_census_table
from .join import join_to_areas
from .postcodes import geocode_postcodes
from .school_census import read_school_census

__all__ = [
    "ReadReport",
    "report_of",
    "read_boundaries",
    "read_census_table",
    "read_school_census",
    "geocode_postcodes",
    "join_to_areas",
    "DFE_MISSING_CODES",
    "PHASES",
]

from .ks006 import read_ks006  # noqa: E402

__all__ += ["read_ks006"]
