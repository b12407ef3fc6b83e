"""Schools against neighbourhoods: are children more segregated at school than where they live?

Three tools, after Burgess, Wilson & Lupton (2005):

* :func:`compare_schools_neighbourhoods` computes the same indices (D,
  isolation, η²) twice within each area (a local authority): across its
  schools (pupils) and across its residential units (residents), and reports
  their difference and ratio.
* :func:`nearest_school_allocation` builds the counterfactual in which
  everyone attends the nearest school (optionally up to each school's
  capacity); the index of the table it returns is the neighbourhood benchmark
  for school segregation.
* :func:`school_contrast` compares each school's intake with the population
  living around it, and flags the schools that depart most.

:func:`match_local_authorities` matches 2011 census districts (lower tier) to
the 2022 upper-tier local authorities of the DfE school census.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Hashable, Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import _engine
from . import _resampling as _rs
from ._compat import renamed_parameters
from ._kernels import schools as _ks
from ._kernels import twogroup as _kt
from ._kernels import validate as _kv
from .counts import check_frame, check_label, check_labels, check_projected, check_total, count_matrix, numeric_column
from .errors import AbsentGroupWarning, DataQualityWarning, SegindexTypeError, SegindexValueError
from .indices import registry

if TYPE_CHECKING:  # pragma: no cover - annotations only
    import geopandas as gpd

__all__ = [
    "compare_schools_neighbourhoods",
    "nearest_school_allocation",
    "school_contrast",
    "match_local_authorities",
    "DISTRICT_TO_UPPER_TIER",
]

# The indices compare_schools_neighbourhoods reports by default (their specs come from the registry).
_DEFAULT_INDICES = ("dissimilarity", "isolation", "correlation_ratio")

_MAX_LISTED = 10


# ----------------------------------------------------------------------------
# comparison of schools with neighbourhoods


def _as_group_list(group, name, caller):
    if isinstance(group, (list, tuple)):
        return check_labels(group, name, caller)
    check_label(group, name, caller)
    return [group]


@renamed_parameters(n_bootstrap="n_draws")
def compare_schools_neighbourhoods(
    residents: pd.DataFrame,
    schools: pd.DataFrame,
    group: Hashable | Sequence[Hashable],
    other: Hashable | None = None,
    *,
    total: Hashable | None = None,
    school_total: Hashable | None = None,
    by: Hashable | None = None,
    groups_map: dict | None = None,
    phase: Hashable | None = None,
    indices: list | None = None,
    n_draws: int | None = None,
    random_state: int | np.random.Generator | np.random.SeedSequence | None = None,
    ci: float = 0.95,
    min_count: float = _rs.MIN_COUNT,
    progress: bool | None = None,
    client: object | None = None,
    block_size: int | None = None,
) -> pd.DataFrame:
    r"""Segregation across schools against segregation across neighbourhoods, per area.

    Within each area (a local authority) the same group is measured twice:
    across the area's schools (pupils) and across its residential units
    (residents). Burgess, Wilson & Lupton (2005) found that for most groups in
    English towns children are more segregated at school than where they live.

    Parameters
    ----------
    residents : pandas.DataFrame
        One row per residential unit (output area, LSOA, ward), one column of
        resident counts per group, and the area key ``by``.
    schools : pandas.DataFrame
        One row per school, one column of pupil counts per group, and the
        area key ``by``.
    group : column name or list of column names
        The focal group(s), named as in ``residents`` (see ``groups_map``).
    other : column name, optional
        A comparison group (e.g. White British). ``None`` compares each group
        with the rest of the population and needs totals.
    total : column name, optional
        Residential unit totals. Needed when ``other`` is None.
    school_total : column name, optional
        School totals (headcount); defaults to ``total``.
    by : column name, optional
        The area key present in both tables (e.g. a local authority code).
        ``None`` (default): both tables are one area (the output then has an
        ``area`` column holding ``"all"``).
    groups_map : dict, optional
        ``{residential column: school column}`` for groups named differently
        in the two tables. Unlisted groups have the same name in both. Better
        still, bring both tables to one classification first with
        :func:`segindex.classification.to_common`.
    phase : column name, optional
        A column of ``schools`` (e.g. primary/secondary). Schools are then
        compared per phase, each phase against the same residents.
    indices : list of str, optional
        Two-group indices of the registry to compare (default
        ``["dissimilarity", "isolation", "correlation_ratio"]``).
    n_draws : int, optional
        Add inference from ``n_draws`` draws of each kind (see
        :func:`segindex.infer`), for each side: the randomisation test
        (``<index>_<side>_expected``, ``_corrected``, ``_p_value``) and the
        bootstrap (Allen et al. 2015: each unit's counts redrawn from its own
        composition, both sides independently; ``<index>_<side>_bias_corrected``,
        ``_bootstrap_mean``, ``_se``, ``_ci_low``, ``_ci_high``), with
        ``<side>`` ``school`` or ``residential``; and for the gap
        (``<index>_difference_bias_corrected``, ``_bootstrap_mean``, ``_se``,
        ``_ci_low``, ``_ci_high`` and ``_p_value``, the two-sided bootstrap
        p-value of no gap). Each interval is centred on the bias-corrected
        estimate beside it, not on the measured value, which may lie outside
        it (small schools and small groups bias the measured index upward).
        Counts must be whole people.
    random_state : int or numpy.random.Generator, optional
        Seed of the draws; the same seed gives the same intervals.
    ci : float, default 0.95
        Level of the bootstrap intervals.
    min_count : float, default 100
        Rows where the group has fewer pupils or fewer residents than this are
        flagged in ``small_group``.
    progress : None or bool
        Progress of the draws, as for :func:`segindex.infer`.
    client : dask.distributed.Client, optional
        Run the draws on a Dask cluster, as for :func:`segindex.infer` (the
        same numbers, bit for bit).
    block_size : int, optional
        Draws per block (per task with ``client``); never changes the result.

    Returns
    -------
    pandas.DataFrame
        One row per (area, [phase,] group): the ``by`` column, ``phase`` (when
        given), ``group``, ``comparison`` (``"rest"`` or ``other``),
        ``n_schools``, ``n_units``, ``pupils``, ``residents``,
        ``pupils_group``, ``residents_group``, and for each of
        ``dissimilarity``, ``isolation``, ``correlation_ratio`` four columns:
        ``<index>_school``, ``<index>_residential``, ``<index>_difference``
        (school − residential) and ``<index>_ratio`` (school / residential);
        ``small_group`` (``pupils_group`` or ``residents_group`` below
        ``min_count``) and, with ``n_draws``, the inference columns above and
        ``high_expected`` (on either side, an index expected under random
        allocation above half the measured one). Unrounded. Areas present on one side only are left out, with a
        :class:`~segindex.errors.DataQualityWarning` naming them and the list
        in ``result.attrs["unmatched_areas"]``.

    Raises
    ------
    SegindexValueError
        A group is present on one side only (the message names it), a column
        holds invalid counts, a total is missing when needed, or no area is
        present in both tables.

    Warns
    -----
    AbsentGroupWarning
        An index is NaN in some area (the group or its comparison is absent).
    DataQualityWarning
        Areas present in only one of the tables.

    Notes
    -----
    For each side, with :math:`x_i, y_i, t_i` the counts of the group, its
    comparison and the unit total in unit (school or residential unit) i of
    the area:

    .. math::
        D = \tfrac12 \sum_i \left|\frac{x_i}{X} - \frac{y_i}{Y}\right|, \quad
        {}_xP^*_x = \sum_i \frac{x_i}{X}\frac{x_i}{t_i}, \quad
        \eta^2 = \frac{{}_xP^*_x - P}{1 - P}

    Isolation and η² always use the unit totals; with ``other`` and no totals
    they use :math:`t_i = x_i + y_i` (a two-group world). Differences are
    school − residential: a positive D difference means pupils are more
    unevenly spread across schools than residents across neighbourhoods.
    The two sides differ in more than place: residents are of all ages unless
    a school-age population is supplied, and D across a few large schools and
    D across many small units are not equally biased upward by small numbers.

    References
    ----------
    Burgess, S., Wilson, D. & Lupton, R. (2005). Parallel lives? Ethnic
    segregation in schools and neighbourhoods. Urban Studies 42(7), 1027-1056.

    Burgess, S. & Wilson, D. (2005). Ethnic segregation in England's schools.
    Transactions of the Institute of British Geographers 30(1), 20-36.

    Examples
    --------
    >>> import pandas as pd
    >>> schools = pd.DataFrame({"la": ["A", "A"], "x": [30, 0], "n": [60, 60]})
    >>> homes = pd.DataFrame({"la": ["A"] * 3, "x": [20, 10, 0], "n": [60, 60, 60]})
    >>> t = compare_schools_neighbourhoods(homes, schools, "x", total="n", by="la")
    >>> round(float(t["dissimilarity_school"].iloc[0]), 4)  # |30/30 - 30/90| + |0 - 60/90|, halved
    0.6667
    >>> round(float(t["dissimilarity_residential"].iloc[0]), 4)  # (|20/30 - 40/150| + 0 + |0 - 60/150|) / 2
    0.4
    >>> round(float(t["dissimilarity_difference"].iloc[0]), 4)
    0.2667
    """
    caller = "compare_schools_neighbourhoods"
    check_frame(schools, caller)
    check_frame(residents, caller)
    groups = _as_group_list(group, "group", caller)
    check_label(other, "other", caller, optional=True)
    check_label(total, "total", caller, optional=True)
    check_label(school_total, "school_total", caller, optional=True)
    check_label(phase, "phase", caller, optional=True)
    check_label(by, "by", caller, optional=True)
    _check_order(residents, schools, total, school_total, caller)
    specs = _compared(indices, caller)
    _rs.check_min_count(min_count, caller)
    if by is None:  # both tables are one area
        by = "area"
        schools = schools.assign(**{by: "all"})
        residents = residents.assign(**{by: "all"})
    if n_draws is not None:
        _rs.check_options(caller, "bootstrap", n_draws, ci, "binomial", random_state, progress)
    engine = {
        "client": _engine.check_client(client, caller),
        "block_size": _engine.check_block_size(block_size, caller),
    }
    groups_map, school_total, wanted = _check_compare(
        residents, schools, groups, other, total, school_total, by, phase, groups_map, caller
    )
    common, only_s, only_r = _common_areas(residents, schools, by, caller)
    A = len(common)

    def side(table, columns, tot, name):
        return _side(table, columns, tot, name, common, by, caller)

    res_codes, res_arrays, res_t, _ = side(residents, wanted, total, "residents")
    sch_cols = [groups_map.get(g, g) for g in wanted]
    if phase is None:
        phases = [None]
    else:
        phases = sorted(pd.unique(schools[phase]).tolist(), key=str)

    frames = []
    absent = []
    jobs = []  # (frame columns, school problem, residential problem, spec) for the draws
    for ph in phases:
        sch = schools if ph is None else schools.loc[(schools[phase] == ph).to_numpy()]
        s_codes, s_arrays, s_t, _ = side(sch, sch_cols, school_total, "schools")
        for g in groups:
            out, sides = _group_row(
                g,
                ph,
                other,
                groups_map,
                specs,
                common,
                by,
                (s_codes, s_arrays, s_t),
                (res_codes, res_arrays, res_t),
                absent,
            )
            out["small_group"] = (out["pupils_group"] < min_count) | (out["residents_group"] < min_count)
            if n_draws is not None:
                for spec in specs:
                    jobs.append(
                        (
                            out,
                            spec,
                            [
                                _rs.two_group_problem(
                                    spec, *sides[label][:3], sides[label][3], A, areas=common, by=(by,), caller=caller
                                )
                                for label in ("school", "residential")
                            ],
                        )
                    )
            frames.append(out)
    if n_draws is not None:
        _inference_columns(jobs, specs, n_draws, random_state, ci, progress, caller, engine)
    result = pd.concat([pd.DataFrame(out) for out in frames], ignore_index=True)
    sort_cols = [by] + (["phase"] if phase is not None else [])
    result = result.sort_values(sort_cols, kind="stable").reset_index(drop=True)
    for c in ("n_schools", "n_units"):
        result[c] = result[c].astype(np.int64)
    _warn_absent(absent, caller)
    result.attrs["unmatched_areas"] = {"schools_only": list(only_s), "residents_only": list(only_r)}
    return result


def _check_order(residents, schools, total, school_total, caller):
    """Refuse the tables in the order of segindex < 0.2 (schools first), which would swap the two sides.

    Seen when the residential total is a column of ``schools`` only and the
    pupil total a column of ``residents`` only.
    """
    if total is None or school_total is None or total == school_total:
        return
    if (
        total not in residents.columns
        and total in schools.columns
        and school_total in residents.columns
        and school_total not in schools.columns
    ):
        raise SegindexValueError(
            f"{caller}(): the residential total {total!r} is a column of 'schools' and the pupil total "
            f"{school_total!r} a column of 'residents': the tables look swapped. Residents come first "
            f"(since segindex 0.2, see CHANGELOG.md): {caller}(residents, schools, ...)."
        )


def _check_compare(residents, schools, groups, other, total, school_total, by, phase, groups_map, caller):
    """The argument checks of :func:`compare_schools_neighbourhoods`; returns the map, school total and columns."""
    if groups_map is None:
        groups_map = {}
    if not isinstance(groups_map, dict):
        raise SegindexTypeError(
            f"{caller}(): 'groups_map' must be a dict {{residential column: school column}}, "
            f"got {type(groups_map).__name__}."
        )
    if other is not None and other in groups:
        raise SegindexValueError(
            f"{caller}(): {other!r} is both a focal group and the comparison group; compare two different groups."
        )
    if school_total is None:
        school_total = total
    if other is None and (total is None or school_total is None):
        raise SegindexValueError(
            f"{caller}(): comparing a group with the rest of the population needs totals: "
            "pass total= (residential unit totals) and, if named differently, school_total= "
            "(school headcounts), or name a comparison group with other=."
        )
    for table, name in ((schools, "schools"), (residents, "residents")):
        if by not in table.columns:
            raise SegindexValueError(
                f"{caller}(): the area column by={by!r} is not in the {name} table; "
                "both tables need the same area key (e.g. a local authority code)."
            )
        if table[by].isna().any():
            first = table.index[np.flatnonzero(table[by].isna().to_numpy())[0]]
            raise SegindexValueError(
                f"{caller}(): the {name} table has a missing area key in {by!r} at row {first!r}; "
                "fill it or drop the row explicitly."
            )
    if phase is not None:
        if phase not in schools.columns:
            raise SegindexValueError(f"{caller}(): the phase column {phase!r} is not in the schools table.")
        if schools[phase].isna().any():
            first = schools.index[np.flatnonzero(schools[phase].isna().to_numpy())[0]]
            raise SegindexValueError(
                f"{caller}(): the phase column {phase!r} is missing at school {first!r}; fill or drop it."
            )

    wanted = groups + ([other] if other is not None else [])
    _check_groups_present(residents, schools, wanted, groups_map, caller)
    return groups_map, school_total, wanted


def _check_groups_present(residents, schools, wanted, groups_map, caller):
    """Every group must be a column on both sides (under its school name on the schools side)."""
    # groups present on one side only
    res_missing = [g for g in wanted if g not in residents.columns]
    sch_missing = [g for g in wanted if groups_map.get(g, g) not in schools.columns]
    if res_missing or sch_missing:
        parts = []
        if sch_missing:
            parts.append("in the schools table: " + ", ".join(repr(groups_map.get(g, g)) for g in sch_missing))
        if res_missing:
            parts.append("in the residents table: " + ", ".join(repr(g) for g in res_missing))
        raise SegindexValueError(
            f"{caller}(): groups missing {'; '.join(parts)}. Each group must be present on both sides; "
            "bring both tables to one classification (segindex.classification.to_common) or pass "
            "groups_map={residential column: school column}."
        )


def _common_areas(residents, schools, by, caller):
    """The areas present on both sides (sorted), and those on one side only (with a warning)."""
    # areas on both sides
    s_keys = pd.Index(pd.unique(schools[by]))
    r_keys = pd.Index(pd.unique(residents[by]))
    common = s_keys.intersection(r_keys).sort_values()
    only_s = s_keys.difference(r_keys)
    only_r = r_keys.difference(s_keys)
    if len(common) == 0:
        raise SegindexValueError(
            f"{caller}(): no value of {by!r} is present in both tables (schools e.g. "
            f"{list(s_keys[:3])}, residents e.g. {list(r_keys[:3])}); check that both use the same area codes."
        )
    if len(only_s) or len(only_r):

        def listed(keys):
            more = f" and {len(keys) - _MAX_LISTED} more" if len(keys) > _MAX_LISTED else ""
            return ", ".join(repr(k) for k in list(keys[:_MAX_LISTED])) + more

        msg = []
        if len(only_s):
            msg.append(f"{len(only_s)} area(s) with schools but no residents ({listed(only_s)})")
        if len(only_r):
            msg.append(f"{len(only_r)} area(s) with residents but no schools ({listed(only_r)})")
        warnings.warn(
            f"{caller}(): {'; '.join(msg)}; they are left out of the comparison "
            "(listed in result.attrs['unmatched_areas']).",
            DataQualityWarning,
            stacklevel=4,
        )

    return common, only_s, only_r


def _side(table, columns, tot, name, common, by, caller):
    """One side's area codes, group columns and totals, checked."""
    codes = common.get_indexer(table[by])
    keep = codes >= 0
    sub = table.loc[keep] if not keep.all() else table
    codes = np.ascontiguousarray(codes[keep], dtype=np.int64)
    arrays = {c: numeric_column(sub, c, f"group ({name})", caller) for c in columns}
    t = numeric_column(sub, tot, f"total ({name})", caller) if tot is not None else None
    if t is not None:
        for c in columns:
            check_total(sub, arrays[c], t, [c], tot, caller)
    return codes, arrays, t, sub


def _group_row(g, ph, other, groups_map, specs, common, by, school, residential, absent):
    """The columns of one (phase, group) row block, one value per area, and each side's arrays for the draws."""
    A = len(common)
    s_codes, s_arrays, s_t = school
    res_codes, res_arrays, res_t = residential
    out = {by: common}
    if ph is not None:
        out["phase"] = ph
    out["group"] = g
    out["comparison"] = "rest" if other is None else other
    out["n_schools"] = np.bincount(s_codes, minlength=A)
    out["n_units"] = np.bincount(res_codes, minlength=A)
    values = {}
    sides = {}
    for label, codes, arrays, t, col in (
        ("school", s_codes, s_arrays, s_t, groups_map.get(g, g)),
        ("residential", res_codes, res_arrays, res_t, g),
    ):
        x = arrays[col]
        y_other = arrays[groups_map.get(other, other) if label == "school" else other] if other is not None else None
        y = y_other if y_other is not None else _kv.remainder(t, x)
        tt = t if t is not None else x + y
        values[label] = {
            spec.name: registry.clip_rounding(spec.compute(x, y, tt, codes, A), spec.bounds) for spec in specs
        }
        sides[label] = (x, y_other, tt, codes)
        prefix = "pupils" if label == "school" else "residents"
        out[prefix] = _kt.area_sums(tt, codes, A)
        out[f"{prefix}_group"] = _kt.area_sums(x, codes, A)
    for spec in specs:
        name = spec.name
        s_val = values["school"][name]
        r_val = values["residential"][name]
        out[f"{name}_school"] = s_val
        out[f"{name}_residential"] = r_val
        out[f"{name}_difference"] = s_val - r_val
        with np.errstate(divide="ignore", invalid="ignore"):
            out[f"{name}_ratio"] = np.where(r_val > 0, s_val / np.where(r_val > 0, r_val, 1.0), np.nan)
        bad = np.isnan(s_val) | np.isnan(r_val)
        for k in np.flatnonzero(bad):
            absent.append((common[k], ph, g, name))
    return out, sides


def _warn_absent(absent, caller):
    """One warning naming the (area, phase, group) blocks where an index is NaN."""
    if absent:
        seen = sorted({(a, p, g) for a, p, g, _ in absent}, key=str)
        listed = "; ".join(f"{a!r}{'' if p is None else f' ({p})'}: {g!r}" for a, p, g in seen[:_MAX_LISTED])
        more = f"; and {len(seen) - _MAX_LISTED} more" if len(seen) > _MAX_LISTED else ""
        warnings.warn(
            f"{caller}(): some indices are NaN because a group or its comparison has no members "
            f"on one side of an area ({listed}{more}).",
            AbsentGroupWarning,
            stacklevel=4,
        )


def _compared(indices, caller):
    """The specs of the indices compared (two-group indices of the registry)."""
    if indices is None:
        return [registry.get(name, caller) for name in _DEFAULT_INDICES]
    if isinstance(indices, str) or not isinstance(indices, (list, tuple)) or not indices:
        raise SegindexTypeError(
            f"{caller}(): the 'indices' parameter must be a non-empty list of index names, got {indices!r}."
        )
    specs = [registry.get(name, caller) for name in indices]
    for spec in specs:
        if spec.kind != "two-group":
            raise SegindexValueError(
                f"{caller}(): {spec.name!r} is a {spec.kind} index; schools and neighbourhoods are compared with "
                f"two-group indices ({', '.join(registry.names('two-group'))})."
            )
    return specs


_SIDE_COLUMNS = {
    "school": ("expected", "corrected", "p_value", "bias_corrected", "bootstrap_mean", "se", "ci_low", "ci_high"),
    "difference": ("bias_corrected", "bootstrap_mean", "se", "ci_low", "ci_high", "p_value"),
}


def _inference_columns(jobs, specs, n_draws, random_state, ci, progress, caller, engine):
    """Randomisation and bootstrap of each side, and the bootstrap of the gap, added to each row's columns.

    Array-level problems (:mod:`segindex._resampling`): one generator for all
    draws, one progress display for the whole comparison.
    """
    rng = _rs.default_rng(random_state, caller)
    n = int(n_draws)
    work = sum(3 * _rs.work_of(p, n) for _, _, pair in jobs for p in pair)
    with warnings.catch_warnings():
        # areas where a group is absent are NaN already, and reported once by the caller
        warnings.simplefilter("ignore", AbsentGroupWarning)
        warnings.simplefilter("ignore", DataQualityWarning)
        with _rs.Progress(caller, work, 5 * n * len(jobs), progress) as shown:
            for out, spec, (school, residential) in jobs:
                high = out.get("high_expected", np.zeros(len(school.statistic), dtype=bool))
                for side, problem in (("school", school), ("residential", residential)):
                    test = _rs.run(problem, "randomisation", n, rng, float(ci), "binomial", shown, caller, **engine)
                    boot = _rs.run(problem, "bootstrap", n, rng, float(ci), "binomial", shown, caller, **engine)
                    for column in _SIDE_COLUMNS["school"]:
                        source = test if column in ("expected", "corrected", "p_value") else boot
                        out[f"{spec.name}_{side}_{column}"] = np.atleast_1d(getattr(source, column))
                    with np.errstate(invalid="ignore"):
                        high = high | (np.atleast_1d(test.expected) > problem.statistic / 2.0)
                gap = _rs.run_difference(school, residential, n, rng, float(ci), "difference", shown, caller, **engine)
                for column in _SIDE_COLUMNS["difference"]:
                    out[f"{spec.name}_difference_{column}"] = np.atleast_1d(getattr(gap, column))
                out["high_expected"] = high


# ----------------------------------------------------------------------------
# geometry helpers


def _check_geo(frame, name, caller):
    import geopandas as gpd

    if not isinstance(frame, gpd.GeoDataFrame):
        raise SegindexTypeError(
            f"{caller}(): '{name}' must be a geopandas GeoDataFrame with geometries in a projected "
            f"CRS, got {type(frame).__name__}. Build one with geopandas.GeoDataFrame(df, "
            "geometry=geopandas.points_from_xy(df.easting, df.northing), crs=27700)."
        )
    if len(frame) == 0:
        raise SegindexValueError(f"{caller}(): the '{name}' table is empty (0 rows).")
    check_projected(frame, f"'{name}'", caller)


def _check_same_crs(a, b, caller):
    if not a.crs.equals(b.crs):
        raise SegindexValueError(
            f"{caller}(): 'residents' ({a.crs.to_string()}) and 'schools' ({b.crs.to_string()}) are "
            "in different CRSs; reproject one to the other, e.g. schools.to_crs(residents.crs)."
        )


def _xy(geoms, name, caller):
    """Coordinates of point geometries, refusing missing or empty ones."""
    import shapely

    arr = np.asarray(geoms)
    bad = shapely.is_missing(arr) | shapely.is_empty(arr)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise SegindexValueError(
            f"{caller}(): '{name}' has a missing or empty geometry at row {first}; locate it or drop it explicitly."
        )
    types = shapely.get_type_id(arr)
    if (types != 0).any():
        arr = shapely.point_on_surface(arr)
    return np.ascontiguousarray(shapely.get_coordinates(arr), dtype=np.float64)


def _unit_points(residents, points, caller):
    if isinstance(points, str):
        if points == "representative":
            geoms = residents.geometry.representative_point().to_numpy()
        elif points == "centroid":
            geoms = residents.geometry.centroid.to_numpy()
        else:
            raise SegindexValueError(
                f"{caller}(): 'points' must be 'representative', 'centroid' or a GeoSeries of points "
                f"aligned with residents, got {points!r}."
            )
        return _xy(geoms, "residents", caller)
    import geopandas as gpd

    if not isinstance(points, gpd.GeoSeries):
        raise SegindexTypeError(
            f"{caller}(): 'points' must be 'representative', 'centroid' or a GeoSeries, got {type(points).__name__}."
        )
    if not points.index.equals(residents.index):
        raise SegindexValueError(f"{caller}(): the 'points' GeoSeries must have the index of residents.")
    if points.crs is None or not points.crs.equals(residents.crs):
        raise SegindexValueError(f"{caller}(): the 'points' GeoSeries must be in the CRS of residents.")
    return _xy(points.to_numpy(), "points", caller)


def _count_matrix(frame, groups, name, caller):
    return count_matrix(frame, groups, caller, table=name)


def _positive_number(value, name, caller, *, allow_none=True):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise SegindexTypeError(f"{caller}(): '{name}' must be a positive number, got {value!r}.")
    if not value > 0 or not np.isfinite(value):
        raise SegindexValueError(f"{caller}(): '{name}' must be a positive finite number, got {value!r}.")
    return float(value)


# ----------------------------------------------------------------------------
# nearest-school counterfactual


def nearest_school_allocation(
    residents: gpd.GeoDataFrame,
    schools: gpd.GeoDataFrame,
    groups: Sequence[Hashable],
    *,
    k: int = 1,
    weights: str = "equal",
    capacity: Hashable | None = None,
    max_distance: float | None = None,
    share: float | Hashable = 1.0,
    points: str | gpd.GeoSeries = "representative",
    overflow: str = "nearest",
) -> pd.DataFrame:
    r"""Counterfactual school intakes if everyone attended the nearest school.

    Each residential unit's population (all of it, or the share ``share`` of
    school age) is allocated to the nearest school, or split among the ``k``
    nearest, or, with ``capacity``, placed in order of distance into schools
    until they are full. The segregation index of the returned table is the
    neighbourhood benchmark for school segregation (Burgess, Wilson & Lupton
    2005): what school segregation would be with no choice of school.

    Parameters
    ----------
    residents : geopandas.GeoDataFrame
        Residential units (polygons or points) with one count column per group,
        in a projected CRS (metres).
    schools : geopandas.GeoDataFrame
        Schools as points in the same CRS.
    groups : list of column names
        Group columns of ``residents``; they become the columns of the result.
    k : int, default 1
        Number of nearest schools sharing each unit's population (ignored
        with ``capacity``).
    weights : {"equal", "inverse_distance"}, default "equal"
        How a unit is split among its ``k`` nearest schools: equally, or in
        proportion to 1/distance (a school at distance 0 then takes it all,
        shared equally with any other school at distance 0).
    capacity : None, "roll" or column name of ``schools``, optional
        Places at each school (its observed roll with ``"roll"``). Schools are
        filled in order of distance (see Notes). A school with zero capacity
        takes nobody and is reported with a
        :class:`~segindex.errors.DataQualityWarning`.
    max_distance : float, optional
        Metres. A unit farther than this from every (reachable) school is not
        allocated: it is reported in ``result.attrs["unallocated"]`` with a
        :class:`~segindex.errors.DataQualityWarning`, never dropped silently.
    share : float or column name, default 1.0
        Fraction of each unit's population to allocate (e.g. the school-age
        share): a scalar in (0, 1] or a column of ``residents``.
    points : "representative", "centroid" or GeoSeries, default "representative"
        Where each unit's population is taken to live: a point guaranteed
        inside each polygon (``representative_point``), the centroid, or
        points you supply (e.g. population-weighted centroids).
    overflow : {"nearest", "report"}, default "nearest"
        With ``capacity``, what happens to people left over once every school
        within reach is full (total demand above total capacity): ``"nearest"``
        sends them to their nearest school over its capacity (recorded per
        school in ``result.attrs["over_capacity"]``), so everyone is placed;
        ``"report"`` leaves them unallocated (in ``result.attrs["unallocated"]``).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``schools``, one float column per group: the allocated
        counts. ``result.attrs`` holds ``"unallocated"`` (a Series of people
        not allocated per unit, only units with some), ``"over_capacity"`` (a
        Series per school, with ``capacity``) and ``"zero_capacity"`` (a list
        of schools). Allocated plus unallocated equals the population to
        allocate exactly (up to floating-point rounding).

    Raises
    ------
    SegindexTypeError
        Inputs are not GeoDataFrames, or an argument has the wrong type.
    SegindexValueError
        A geographic CRS or no CRS (reproject with ``.to_crs(27700)``), the two
        tables in different CRSs, a group column missing, invalid counts or
        capacities, missing geometries, or an invalid argument.

    Notes
    -----
    Distances are Euclidean between unit points and school points in the
    (projected) CRS, found with :class:`scipy.spatial.cKDTree`; no distance
    matrix is ever formed.

    *Without capacity*, unit :math:`u` with demand :math:`d_{ug}` (group
    :math:`g`) sends :math:`w_{us} d_{ug}` to each of its :math:`k` nearest
    schools within ``max_distance``, with :math:`w_{us} = 1/k'` (``"equal"``,
    :math:`k'` the number of them within reach) or :math:`w_{us} \propto 1/
    \mathrm{dist}(u, s)` (``"inverse_distance"``).

    *With capacity* the algorithm is a deterministic greedy fill: all (unit,
    school) pairs are taken in increasing distance, ties broken by unit order
    then school order (the row orders of the inputs), and each pair moves
    :math:`\min(\text{unit's remaining people}, \text{school's spare places})`
    people, in the unit's group composition. A unit may thus be split over
    several schools. Pairs are generated lazily, never all at once: each unit
    keeps the list of its ``k`` nearest schools that still had places when it
    was last queried (a tree of the open schools), valid up to its ``k``-th
    distance; a round processes every listed pair closer than the smallest
    such distance among the units still unplaced (no unlisted pair can come
    before them), then re-queries with a doubled ``k`` the units whose lists
    ran out first. The result is the same as a full sort of all pairs (tested
    against one). When places run out, the rest follows ``overflow``.

    References
    ----------
    Burgess, S., Wilson, D. & Lupton, R. (2005). Parallel lives? Ethnic
    segregation in schools and neighbourhoods. Urban Studies 42(7), 1027-1056.

    Allen, R. (2007). Allocating pupils to their nearest secondary school: the
    consequences for social and ability stratification. Urban Studies 44(4),
    751-770.

    Examples
    --------
    >>> import geopandas as gpd
    >>> homes = gpd.GeoDataFrame({"a": [10, 0, 5], "b": [0, 10, 5]},
    ...     geometry=gpd.points_from_xy([0, 100, 900], [0, 0, 0]), crs=27700)
    >>> schools = gpd.GeoDataFrame({"roll": [10, 20]},
    ...     geometry=gpd.points_from_xy([0, 1000], [0, 0]), crs=27700)
    >>> nearest_school_allocation(homes, schools, ["a", "b"])
          a     b
    0  10.0  10.0
    1   5.0   5.0
    >>> nearest_school_allocation(homes, schools, ["a", "b"], capacity="roll")
          a     b
    0  10.0   0.0
    1   5.0  15.0
    """
    caller = "nearest_school_allocation"
    from scipy.spatial import cKDTree

    _check_geo(residents, "residents", caller)
    _check_geo(schools, "schools", caller)
    _check_same_crs(residents, schools, caller)
    groups = check_labels(groups, "groups", caller)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise SegindexValueError(f"{caller}(): 'k' must be a positive integer, got {k!r}.")
    if weights not in ("equal", "inverse_distance"):
        raise SegindexValueError(f"{caller}(): 'weights' must be 'equal' or 'inverse_distance', got {weights!r}.")
    if overflow not in ("nearest", "report"):
        raise SegindexValueError(f"{caller}(): 'overflow' must be 'nearest' or 'report', got {overflow!r}.")
    max_distance = _positive_number(max_distance, "max_distance", caller)
    bound = np.inf if max_distance is None else max_distance

    values = _count_matrix(residents, groups, "residents", caller)
    if isinstance(share, Hashable) and not isinstance(share, (int, float, np.integer, np.floating)):
        s = numeric_column(residents, share, "share", caller)
        if (s > 1.0).any():
            first = int(np.flatnonzero(s > 1.0)[0])
            raise SegindexValueError(
                f"{caller}(): the share column {share!r} is above 1 at row {first} ({s[first]:g}); "
                "it must be a fraction of each unit's population."
            )
        demand = values * s[:, None]
    else:
        sv = _positive_number(share, "share", caller, allow_none=False)
        if sv > 1.0:
            raise SegindexValueError(f"{caller}(): 'share' must be a fraction in (0, 1], got {share!r}.")
        demand = values * sv
    demand = np.ascontiguousarray(demand)
    unit_xy = _unit_points(residents, points, caller)
    school_xy = _xy(schools.geometry.to_numpy(), "schools", caller)
    n_units, n_schools = len(unit_xy), len(school_xy)

    unallocated = np.zeros(n_units)
    attrs = {}
    if capacity is None:
        kk = min(int(k), n_schools)
        tree = cKDTree(school_xy)
        dist, idx = tree.query(unit_xy, k=kk, distance_upper_bound=bound)
        dist = np.asarray(dist, dtype=np.float64).reshape(n_units, kk)
        idx = np.asarray(idx, dtype=np.int64).reshape(n_units, kk)
        ok = np.isfinite(dist)
        if weights == "equal" or kk == 1:
            w = ok.astype(np.float64)
        else:
            zero = ok & (dist == 0.0)
            has_zero = zero.any(axis=1, keepdims=True)
            with np.errstate(divide="ignore"):
                inv = np.where(ok & (dist > 0.0), 1.0 / np.where(dist > 0.0, dist, 1.0), 0.0)
            w = np.where(has_zero, zero.astype(np.float64), inv)
        wsum = w.sum(axis=1, keepdims=True)
        w = np.divide(w, wsum, out=np.zeros_like(w), where=wsum > 0)
        rows = np.where(ok, idx, -1).ravel()
        out = _ks.scatter_rows(np.ascontiguousarray(rows), np.ascontiguousarray(w.ravel()), demand, n_schools)
        lost = wsum[:, 0] == 0
        unallocated[lost] = demand[lost].sum(axis=1)
    else:
        if isinstance(capacity, str) and capacity == "roll" and "roll" not in schools.columns:
            raise SegindexValueError(
                f"{caller}(): capacity='roll' needs a 'roll' column in schools (pupils on roll); "
                "pass capacity=<column name> for another column."
            )
        check_label(capacity, "capacity", caller)
        cap = numeric_column(schools, capacity, "capacity", caller)
        zero = np.flatnonzero(cap == 0)
        if zero.size:
            names = [schools.index[i] for i in zero]
            listed = ", ".join(repr(n) for n in names[:_MAX_LISTED])
            more = f" and {zero.size - _MAX_LISTED} more" if zero.size > _MAX_LISTED else ""
            warnings.warn(
                f"{caller}(): {zero.size} school(s) have zero capacity in {capacity!r} ({listed}{more}) "
                "and receive nobody; drop them or give their capacity.",
                DataQualityWarning,
                stacklevel=2,
            )
            attrs["zero_capacity"] = names
        out, remaining, over = _capacity_fill(unit_xy, school_xy, demand, cap, bound, overflow)
        unallocated = remaining
        attrs["over_capacity"] = pd.Series(over, index=schools.index, name="over_capacity")
    result = pd.DataFrame(out, index=schools.index, columns=groups)
    lost = np.flatnonzero(unallocated > 0)
    attrs["unallocated"] = pd.Series(unallocated[lost], index=residents.index[lost], name="unallocated")
    if lost.size:
        why = (
            f"no school within max_distance={max_distance:g} m" if max_distance is not None else "every school was full"
        )
        if capacity is not None and max_distance is not None:
            why = f"no school with places within max_distance={max_distance:g} m"
        listed = ", ".join(repr(residents.index[i]) for i in lost[:_MAX_LISTED])
        more = f" and {lost.size - _MAX_LISTED} more" if lost.size > _MAX_LISTED else ""
        warnings.warn(
            f"{caller}(): {unallocated.sum():g} people in {lost.size} unit(s) ({listed}{more}) were not "
            f"allocated: {why}. They are listed in result.attrs['unallocated'].",
            DataQualityWarning,
            stacklevel=2,
        )
    result.attrs.update(attrs)
    return result


def _capacity_fill(unit_xy, school_xy, demand, cap, bound, overflow):
    """Greedy fill of schools in increasing (distance, unit, school) order; see the docstring."""
    from scipy.spatial import cKDTree

    n_units, n_groups = demand.shape
    n_schools = len(school_xy)
    people = demand.sum(axis=1)
    composition = np.divide(demand, people[:, None], out=np.zeros_like(demand), where=people[:, None] > 0)
    composition = np.ascontiguousarray(composition)
    rem = people.copy()
    spare = cap.copy()
    out = np.zeros((n_schools, n_groups))
    # Candidate lists: for each unit the pairs from its last k-nearest query of the open schools, valid up
    # to ``reach[u]`` (every school still open and closer than that is in the list). A round processes all
    # pending pairs closer than the smallest reach of any unit still to place, in (distance, unit, school)
    # order, then re-queries with a doubled k the tenth of those units with the smallest reach.
    reach = np.full(n_units, -np.inf)
    kq = np.zeros(n_units, dtype=np.int64)
    pend_u = np.zeros(0, dtype=np.int64)
    pend_s = np.zeros(0, dtype=np.int64)
    pend_d = np.zeros(0)
    prev = -np.inf
    need = np.flatnonzero(rem > 0)
    while True:
        open_ = np.flatnonzero(spare > 0)
        active = np.flatnonzero(rem > 0)
        if open_.size == 0 or active.size == 0:
            break
        if need.size:
            tree = cKDTree(school_xy[open_])
            kq[need] = np.minimum(np.maximum(2 * kq[need], 4), open_.size)
            keep = ~np.isin(pend_u, need)
            parts_u, parts_s, parts_d = [pend_u[keep]], [pend_s[keep]], [pend_d[keep]]
            for kk in np.unique(kq[need]):
                units = need[kq[need] == kk]
                dist, idx = tree.query(unit_xy[units], k=int(kk), distance_upper_bound=bound)
                dist = np.asarray(dist, dtype=np.float64).reshape(units.size, kk)
                idx = np.asarray(idx, dtype=np.int64).reshape(units.size, kk)
                reach[units] = np.inf if kk == open_.size else dist[:, -1]
                ok = np.isfinite(dist) & (dist >= prev)
                rows, cols = np.nonzero(ok)
                parts_u.append(units[rows])
                parts_s.append(open_[idx[rows, cols]])
                parts_d.append(dist[rows, cols])
            pend_u, pend_s, pend_d = np.concatenate(parts_u), np.concatenate(parts_s), np.concatenate(parts_d)
        thresh = float(reach[active].min())
        take = pend_d < thresh
        order = np.flatnonzero(take)
        order = order[np.lexsort((pend_s[order], pend_u[order], pend_d[order]))]
        _ks.fill_pairs(
            np.ascontiguousarray(pend_u[order]), np.ascontiguousarray(pend_s[order]), rem, spare, composition, out
        )
        if not np.isfinite(thresh):
            break
        prev = thresh
        live = ~take & (rem[pend_u] > 0) & (spare[pend_s] > 0)
        pend_u, pend_s, pend_d = pend_u[live], pend_s[live], pend_d[live]
        active = np.flatnonzero(rem > 0)
        if active.size == 0:
            break
        r = reach[active]
        finite = np.isfinite(r)  # an infinite reach: the unit's list already holds every school it can use
        cut = max(float(np.quantile(r[finite], 0.1)), thresh) if finite.any() else -np.inf
        need = active[finite & (r <= cut)]
    over = np.zeros(n_schools)
    left = np.flatnonzero(rem > 0)
    if left.size and overflow == "nearest":
        tree = cKDTree(school_xy)
        dist, idx = tree.query(unit_xy[left], k=1, distance_upper_bound=bound)
        ok = np.isfinite(np.asarray(dist))
        units = left[ok]
        target = np.asarray(idx)[ok]
        amount = rem[units]
        np.add.at(out, target, amount[:, None] * composition[units])
        np.add.at(over, target, amount)
        rem[units] = 0.0
    rem[rem < 0] = 0.0
    return out, rem, over


# ----------------------------------------------------------------------------
# per-school contrast


def school_contrast(
    residents: gpd.GeoDataFrame,
    schools: gpd.GeoDataFrame,
    group: Hashable,
    *,
    total: Hashable,
    school_total: Hashable | None = None,
    residential_group: Hashable | None = None,
    k_units: int | None = None,
    radius: float | None = None,
    points: str | gpd.GeoSeries = "representative",
    fdr: float = 0.05,
) -> pd.DataFrame:
    r"""Each school's intake against the population living around it.

    Parameters
    ----------
    residents : geopandas.GeoDataFrame
        Residential units with a count column for the group and a total, in
        the same projected CRS as ``schools``.
    schools : geopandas.GeoDataFrame
        Schools as points with a count column for ``group`` and a total.
    group : column name
        The group, named as in ``schools``.
    total : column name
        Residential unit totals (the denominator of the local share).
    school_total : column name, optional
        School totals (headcount); defaults to ``total``.
    residential_group : column name, optional
        The group's column in ``residents`` when named differently.
    k_units : int, optional
        The neighbourhood is the school's ``k_units`` nearest residential units
        (by unit point). Default 10 when neither ``k_units`` nor ``radius`` is given.
    radius : float, optional
        Alternatively, the units whose point lies within ``radius`` metres of
        the school. A school with no unit within reach gets NaN (reported with
        a :class:`~segindex.errors.DataQualityWarning`).
    points : "representative", "centroid" or GeoSeries
        Unit points, as for :func:`nearest_school_allocation`.
    fdr : float, default 0.05
        False discovery rate for the ``flag`` column (Benjamini–Hochberg).

    Returns
    -------
    pandas.DataFrame
        Aligned to ``schools.index``: ``pupils``, ``pupils_group``,
        ``school_share``, ``local_residents``, ``local_group``,
        ``local_share``, ``difference`` (school − local share), ``ratio``
        (school / local share), ``z``, ``p_value``, ``q_value``
        (Benjamini–Hochberg adjusted), ``flag`` (``q_value < fdr``) and
        ``n_units`` (units in the neighbourhood).

    Raises
    ------
    SegindexValueError
        Geographic or mismatched CRSs, missing columns, invalid counts, or
        both or neither of ``k_units`` and ``radius`` badly given.

    Notes
    -----
    With :math:`x_s` pupils of the group among :math:`n_s` at school s and
    :math:`q_s = \sum_{i \in N(s)} x_i / \sum_{i \in N(s)} t_i` the group's
    share among the residents of the neighbourhood :math:`N(s)`:

    .. math::
        \text{difference} = x_s/n_s - q_s, \qquad
        z = \frac{x_s - n_s q_s}{\sqrt{n_s q_s (1 - q_s)}}

    The p-value is two-sided and exact under the binomial model
    :math:`x_s \sim \mathrm{Bin}(n_s, q_s)`: twice the smaller tail
    probability, :math:`\min(1, 2\min(P[X \le x_s], P[X \ge x_s]))`, from
    :func:`scipy.stats.binom` (vectorised; slightly conservative against
    ``scipy.stats.binomtest``'s default). Non-integer counts are rounded to the
    nearest integer for the p-value. The model treats the local share as known
    and pupils as independent draws, ignores that residents are of all ages,
    and says nothing about why a school differs (faith schools, selection,
    catchment shape). ``flag`` marks schools whose Benjamini–Hochberg adjusted
    p-value is below ``fdr``: with thousands of schools, a fixed 5 % level
    would flag hundreds by chance.

    References
    ----------
    Burgess, S., Wilson, D. & Lupton, R. (2005). Parallel lives? Ethnic
    segregation in schools and neighbourhoods. Urban Studies 42(7), 1027-1056.

    Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate.
    Journal of the Royal Statistical Society B 57(1), 289-300.

    Examples
    --------
    >>> import geopandas as gpd
    >>> homes = gpd.GeoDataFrame({"a": [20, 20, 0], "n": [100, 100, 100]},
    ...     geometry=gpd.points_from_xy([0, 10, 5000], [0, 0, 0]), crs=27700)
    >>> schools = gpd.GeoDataFrame({"a": [20, 60], "n": [100, 100]},
    ...     geometry=gpd.points_from_xy([5, 4000], [0, 0]), crs=27700)
    >>> c = school_contrast(homes, schools, "a", total="n", k_units=2)
    >>> [round(float(v), 4) for v in c["difference"]]  # 0.2 - 0.2; 0.6 - 20/200
    [0.0, 0.5]
    >>> c["flag"].tolist()
    [False, True]
    """
    caller = "school_contrast"
    from scipy import stats
    from scipy.spatial import cKDTree

    _check_geo(schools, "schools", caller)
    _check_geo(residents, "residents", caller)
    _check_same_crs(residents, schools, caller)
    check_label(group, "group", caller)
    check_label(total, "total", caller)
    check_label(school_total, "school_total", caller, optional=True)
    check_label(residential_group, "residential_group", caller, optional=True)
    _check_order(residents, schools, total, school_total, caller)
    school_total = total if school_total is None else school_total
    residential_group = group if residential_group is None else residential_group
    if k_units is not None and radius is not None:
        raise SegindexValueError(f"{caller}(): give k_units or radius, not both.")
    if radius is None and k_units is None:
        k_units = 10
    if k_units is not None and (isinstance(k_units, bool) or not isinstance(k_units, (int, np.integer)) or k_units < 1):
        raise SegindexValueError(f"{caller}(): 'k_units' must be a positive integer, got {k_units!r}.")
    radius = _positive_number(radius, "radius", caller)
    fdr = _positive_number(fdr, "fdr", caller, allow_none=False)
    if fdr >= 1:
        raise SegindexValueError(f"{caller}(): 'fdr' must lie in (0, 1), got {fdr!r}.")

    xs = numeric_column(schools, group, "group (schools)", caller)
    ns = numeric_column(schools, school_total, "total (schools)", caller)
    check_total(schools, xs, ns, [group], school_total, caller)
    xr = numeric_column(residents, residential_group, "group (residents)", caller)
    tr = numeric_column(residents, total, "total (residents)", caller)
    check_total(residents, xr, tr, [residential_group], total, caller)
    unit_xy = _unit_points(residents, points, caller)
    school_xy = _xy(schools.geometry.to_numpy(), "schools", caller)
    tree = cKDTree(unit_xy)
    if radius is None:
        kk = min(int(k_units), len(unit_xy))
        _, idx = tree.query(school_xy, k=kk)
        idx = np.asarray(idx, dtype=np.int64).reshape(len(school_xy), kk)
        lx = xr[idx].sum(axis=1)
        lt = tr[idx].sum(axis=1)
        n_near = np.full(len(school_xy), kk, dtype=np.int64)
    else:
        lists = tree.query_ball_point(school_xy, r=radius, return_sorted=False)
        n_near = np.fromiter((len(a) for a in lists), dtype=np.int64, count=len(lists))
        offsets = np.zeros(len(lists) + 1, dtype=np.int64)
        np.cumsum(n_near, out=offsets[1:])
        flat = (
            np.concatenate([np.asarray(a, dtype=np.int64) for a in lists])
            if offsets[-1]
            else np.zeros(0, dtype=np.int64)
        )
        lx, lt = _ks.neighbourhood_sums(flat, offsets, xr, tr)

    with np.errstate(divide="ignore", invalid="ignore"):
        p_school = np.where(ns > 0, xs / np.where(ns > 0, ns, 1.0), np.nan)
        q = np.where(lt > 0, lx / np.where(lt > 0, lt, 1.0), np.nan)
        diff = p_school - q
        ratio = np.where(q > 0, p_school / np.where(q > 0, q, 1.0), np.nan)
        sd = np.sqrt(ns * q * (1.0 - q))
        dev = xs - ns * q
        z = np.where(sd > 0, dev / np.where(sd > 0, sd, 1.0), np.where(dev == 0, 0.0, np.sign(dev) * np.inf))
    valid = np.isfinite(q) & (ns > 0)
    z = np.where(valid, z, np.nan)
    xi = np.rint(xs)
    ni = np.rint(ns)
    qq = np.where(valid, q, 0.5)
    lower = stats.binom.cdf(xi, ni, qq)
    upper = stats.binom.sf(xi - 1, ni, qq)
    p = np.minimum(1.0, 2.0 * np.minimum(lower, upper))
    p = np.where(valid, p, np.nan)
    qv = _bh(p)
    bad = np.flatnonzero(~np.isfinite(q))
    if bad.size:
        listed = ", ".join(repr(schools.index[i]) for i in bad[:_MAX_LISTED])
        more = f" and {bad.size - _MAX_LISTED} more" if bad.size > _MAX_LISTED else ""
        warnings.warn(
            f"{caller}(): {bad.size} school(s) ({listed}{more}) have no residents in their neighbourhood "
            f"({'no unit within radius=' + format(radius, 'g') + ' m' if radius else 'zero population'}); "
            "their contrast is NaN.",
            DataQualityWarning,
            stacklevel=2,
        )
    return pd.DataFrame(
        {
            "pupils": ns,
            "pupils_group": xs,
            "school_share": p_school,
            "local_residents": lt,
            "local_group": lx,
            "local_share": q,
            "difference": diff,
            "ratio": ratio,
            "z": z,
            "p_value": p,
            "q_value": qv,
            "flag": np.where(np.isnan(qv), False, qv < fdr),
            "n_units": n_near,
        },
        index=schools.index,
    )


def _bh(p):
    """Benjamini–Hochberg adjusted p-values; NaN stays NaN."""
    q = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = ok.size
    if m == 0:
        return q
    order = ok[np.argsort(p[ok], kind="stable")]
    ranked = p[order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    q[order] = np.minimum(ranked, 1.0)
    return q


# ----------------------------------------------------------------------------
# 2011 districts → 2022 upper-tier authorities

_COUNTIES = {
    "Buckinghamshire": ["Aylesbury Vale", "Chiltern", "South Bucks", "Wycombe"],
    "Cambridgeshire": ["Cambridge", "East Cambridgeshire", "Fenland", "Huntingdonshire", "South Cambridgeshire"],
    "Cumbria": ["Allerdale", "Barrow-in-Furness", "Carlisle", "Copeland", "Eden", "South Lakeland"],
    "Derbyshire": [
        "Amber Valley",
        "Bolsover",
        "Chesterfield",
        "Derbyshire Dales",
        "Erewash",
        "High Peak",
        "North East Derbyshire",
        "South Derbyshire",
    ],
    "Devon": [
        "East Devon",
        "Exeter",
        "Mid Devon",
        "North Devon",
        "South Hams",
        "Teignbridge",
        "Torridge",
        "West Devon",
    ],
    "Dorset": ["East Dorset", "North Dorset", "Purbeck", "West Dorset", "Weymouth and Portland"],
    "Bournemouth, Christchurch and Poole": ["Bournemouth", "Christchurch", "Poole"],
    "East Sussex": ["Eastbourne", "Hastings", "Lewes", "Rother", "Wealden"],
    "Essex": [
        "Basildon",
        "Braintree",
        "Brentwood",
        "Castle Point",
        "Chelmsford",
        "Colchester",
        "Epping Forest",
        "Harlow",
        "Maldon",
        "Rochford",
        "Tendring",
        "Uttlesford",
    ],
    "Gloucestershire": ["Cheltenham", "Cotswold", "Forest of Dean", "Gloucester", "Stroud", "Tewkesbury"],
    "Hampshire": [
        "Basingstoke and Deane",
        "East Hampshire",
        "Eastleigh",
        "Fareham",
        "Gosport",
        "Hart",
        "Havant",
        "New Forest",
        "Rushmoor",
        "Test Valley",
        "Winchester",
    ],
    "Hertfordshire": [
        "Broxbourne",
        "Dacorum",
        "East Hertfordshire",
        "Hertsmere",
        "North Hertfordshire",
        "St Albans",
        "Stevenage",
        "Three Rivers",
        "Watford",
        "Welwyn Hatfield",
    ],
    "Kent": [
        "Ashford",
        "Canterbury",
        "Dartford",
        "Dover",
        "Gravesham",
        "Maidstone",
        "Sevenoaks",
        "Shepway",
        "Swale",
        "Thanet",
        "Tonbridge and Malling",
        "Tunbridge Wells",
    ],
    "Lancashire": [
        "Burnley",
        "Chorley",
        "Fylde",
        "Hyndburn",
        "Lancaster",
        "Pendle",
        "Preston",
        "Ribble Valley",
        "Rossendale",
        "South Ribble",
        "West Lancashire",
        "Wyre",
    ],
    "Leicestershire": [
        "Blaby",
        "Charnwood",
        "Harborough",
        "Hinckley and Bosworth",
        "Melton",
        "North West Leicestershire",
        "Oadby and Wigston",
    ],
    "Lincolnshire": [
        "Boston",
        "East Lindsey",
        "Lincoln",
        "North Kesteven",
        "South Holland",
        "South Kesteven",
        "West Lindsey",
    ],
    "Norfolk": [
        "Breckland",
        "Broadland",
        "Great Yarmouth",
        "King's Lynn and West Norfolk",
        "North Norfolk",
        "Norwich",
        "South Norfolk",
    ],
    "North Northamptonshire": ["Corby", "East Northamptonshire", "Kettering", "Wellingborough"],
    "West Northamptonshire": ["Daventry", "Northampton", "South Northamptonshire"],
    "North Yorkshire": ["Craven", "Hambleton", "Harrogate", "Richmondshire", "Ryedale", "Scarborough", "Selby"],
    "Nottinghamshire": [
        "Ashfield",
        "Bassetlaw",
        "Broxtowe",
        "Gedling",
        "Mansfield",
        "Newark and Sherwood",
        "Rushcliffe",
    ],
    "Oxfordshire": ["Cherwell", "Oxford", "South Oxfordshire", "Vale of White Horse", "West Oxfordshire"],
    "Somerset": ["Mendip", "Sedgemoor", "South Somerset", "Taunton Deane", "West Somerset"],
    "Staffordshire": [
        "Cannock Chase",
        "East Staffordshire",
        "Lichfield",
        "Newcastle-under-Lyme",
        "South Staffordshire",
        "Stafford",
        "Staffordshire Moorlands",
        "Tamworth",
    ],
    "Suffolk": ["Babergh", "Forest Heath", "Ipswich", "Mid Suffolk", "St Edmundsbury", "Suffolk Coastal", "Waveney"],
    "Surrey": [
        "Elmbridge",
        "Epsom and Ewell",
        "Guildford",
        "Mole Valley",
        "Reigate and Banstead",
        "Runnymede",
        "Spelthorne",
        "Surrey Heath",
        "Tandridge",
        "Waverley",
        "Woking",
    ],
    "Warwickshire": ["North Warwickshire", "Nuneaton and Bedworth", "Rugby", "Stratford-on-Avon", "Warwick"],
    "West Sussex": ["Adur", "Arun", "Chichester", "Crawley", "Horsham", "Mid Sussex", "Worthing"],
    "Worcestershire": ["Bromsgrove", "Malvern Hills", "Redditch", "Worcester", "Wychavon", "Wyre Forest"],
}

#: 2011 lower-tier district name → the upper-tier local authority (education
#: authority) that holds it in the DfE school census 2022/23: districts of the
#: two-tier counties, and the districts merged into unitary authorities in
#: 2019-2021 (Dorset; Bournemouth, Christchurch and Poole; Buckinghamshire;
#: North and West Northamptonshire). Cumbria, North Yorkshire and Somerset
#: became unitary (or split) only in April 2023 and are still counties in the
#: 2022/23 census. Districts not listed keep their own name (unitary
#: authorities, metropolitan and London boroughs).
DISTRICT_TO_UPPER_TIER: dict[str, str] = {d: county for county, ds in _COUNTIES.items() for d in ds}

#: The 22 Welsh unitary authorities of the 2011 census: not in the English school census.
WALES_2011 = (
    "Blaenau Gwent",
    "Bridgend",
    "Caerphilly",
    "Cardiff",
    "Carmarthenshire",
    "Ceredigion",
    "Conwy",
    "Denbighshire",
    "Flintshire",
    "Gwynedd",
    "Isle of Anglesey",
    "Merthyr Tydfil",
    "Monmouthshire",
    "Neath Port Talbot",
    "Newport",
    "Pembrokeshire",
    "Powys",
    "Rhondda Cynon Taf",
    "Swansea",
    "The Vale of Glamorgan",
    "Torfaen",
    "Wrexham",
)


def _normalise(name) -> str:
    s = str(name).lower().replace("&", " and ")
    s = re.sub(r"[.,'’]", "", s)
    s = re.sub(r"[-\s]+", " ", s)
    return s.strip()


def match_local_authorities(districts: Iterable[str], authorities: Iterable[str]) -> pd.DataFrame:
    """Match 2011 census district names to 2022 upper-tier authority names.

    Parameters
    ----------
    districts : iterable of str
        Lower-tier district names as in the 2011 census (``LAD``).
    authorities : iterable of str
        Upper-tier authority names as in the DfE school census (``la_name``).

    Returns
    -------
    pandas.DataFrame
        One row per distinct district: ``district``, ``authority`` (the matched
        name, or missing), ``how`` (``"name"``: the same name after
        normalisation; ``"table"``: via :data:`DISTRICT_TO_UPPER_TIER`;
        ``"unmatched"``) and ``reason`` for unmatched rows (Welsh authority,
        not in the school file, or unknown). Authorities no district matched
        are listed in ``result.attrs["authorities_unmatched"]``.

    Notes
    -----
    Names are normalised by lower-casing, replacing ``&`` with "and",
    dropping full stops, commas and apostrophes, and treating hyphens as
    spaces ("St. Helens" = "St Helens"). The table covers the boundaries of the
    2022/23 school census; a district that later changed authority must be
    added to it for later years.

    Examples
    --------
    >>> m = match_local_authorities(["St Helens", "Pendle", "Cardiff"], ["St. Helens", "Lancashire"])
    >>> m[["district", "authority", "how"]].values.tolist()
    [['St Helens', 'St. Helens', 'name'], ['Pendle', 'Lancashire', 'table'], ['Cardiff', nan, 'unmatched']]
    """
    dist = list(pd.unique(pd.Series(list(districts), dtype=object)))
    auth = list(pd.unique(pd.Series(list(authorities), dtype=object)))
    by_norm = {}
    for a in auth:
        by_norm.setdefault(_normalise(a), a)
    wales = {_normalise(w) for w in WALES_2011}
    table = {_normalise(k): v for k, v in DISTRICT_TO_UPPER_TIER.items()}
    rows = []
    for d in dist:
        n = _normalise(d)
        if n in table:
            target = table[n]
            hit = by_norm.get(_normalise(target))
            if hit is not None:
                rows.append((d, hit, "table", None))
            else:
                rows.append((d, np.nan, "unmatched", f"its authority {target!r} is not among the authorities given"))
        elif n in by_norm:
            rows.append((d, by_norm[n], "name", None))
        elif n in wales:
            rows.append((d, np.nan, "unmatched", "Welsh authority: not in the English school census"))
        else:
            rows.append((d, np.nan, "unmatched", "no authority of that name and not in DISTRICT_TO_UPPER_TIER"))
    result = pd.DataFrame(rows, columns=["district", "authority", "how", "reason"])
    used = set(result["authority"].dropna())
    result.attrs["authorities_unmatched"] = [a for a in auth if a not in used]
    return result
