"""The numbers of the report, as tidy unrounded tables (exact counts; publication is applied later)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import SegindexValueError, first_few

__all__ = [
    "SCHOOL_INDICES",
    "SIDES",
    "residential_table",
    "population_table",
    "school_comparison",
    "nearest_school_indices",
    "whole_number_problem",
]

#: The indices compared across schools and neighbourhoods.
SCHOOL_INDICES = ("dissimilarity", "isolation")
#: The three quantities of the comparison: report name → column part in compare_schools_neighbourhoods.
SIDES = {"neighbourhoods": "residential", "schools": "school", "difference": "difference"}


def residential_table(units, groups, *, total, other, min_count) -> pd.DataFrame:
    """:func:`segindex.segregation_table` with the focal group's ``count`` and the ``small_group`` flag."""
    from ..indices.table import segregation_table

    return segregation_table(units, list(groups), total=total, other=other, min_count=min_count)


def population_table(units, schools, groups, *, total, school_total) -> pd.DataFrame:
    """Residents (and pupils) of each group and their shares, exact."""
    res = units[list(groups)].sum()
    res_all = float(units[total].sum()) if total is not None else float(res.sum())
    out = pd.DataFrame({"group": list(groups), "residents": res.to_numpy(dtype=float)})
    out["share_of_residents"] = out["residents"] / res_all if res_all > 0 else np.nan
    out["residents_total"] = res_all
    if schools is not None:
        pup = schools[list(groups)].sum()
        pup_all = float(schools[school_total].sum()) if school_total is not None else float(pup.sum())
        out["pupils"] = pup.to_numpy(dtype=float)
        out["share_of_pupils"] = out["pupils"] / pup_all if pup_all > 0 else np.nan
        out["pupils_total"] = pup_all
    return out


def whole_number_problem(frame, columns, name: str) -> str | None:
    """Why ``frame[columns]`` cannot be bootstrapped (a count that is not a whole number), or None."""
    for col in columns:
        values = frame[col].to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(values) | (values != np.round(values)))
        if bad.size:
            labels = [str(frame.index[i]) for i in bad]
            return (
                f"the column {col!r} of '{name}' holds counts that are not a whole number of people "
                f"(rows {first_few(labels)}, e.g. {values[bad[0]]!r}); bootstrap draws need whole people."
            )
    return None


def _compare(pup, res, groups, *, res_t, pup_t, draws, random_state, notes):
    from ..errors import AbsentGroupWarning
    from ..schools import compare_schools_neighbourhoods

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AbsentGroupWarning)
        table = compare_schools_neighbourhoods(
            res,
            pup,
            list(groups),
            total=res_t,
            school_total=pup_t,
            n_draws=draws or None,
            random_state=random_state,
        )
    notes.extend(str(w.message) for w in caught if issubclass(w.category, AbsentGroupWarning))
    return table


def _comparison_rows(table, draws: bool) -> list[dict]:
    rows = []
    for _, row in table.iterrows():
        for index_name in SCHOOL_INDICES:
            out = {"group": row["group"], "index": index_name}
            for side, column in SIDES.items():
                out[side] = row[f"{index_name}_{column}"]
                if not draws:
                    continue
                for part in ("bias_corrected", "ci_low", "ci_high"):
                    key = f"{index_name}_{column}_{part}"
                    if key in table.columns:
                        out[f"{side}_{part}"] = row[key]
            if draws and f"{index_name}_difference_p_value" in table.columns:
                out["difference_p_value"] = row[f"{index_name}_difference_p_value"]
            rows.append(out)
    return rows


def school_comparison(res, res_t, pup, pup_t, groups, n_draws, random_state):
    """D and isolation across schools and across neighbourhoods, with bootstrap intervals when asked.

    One row per (group, index): ``neighbourhoods``, ``schools``, ``difference``
    (schools − neighbourhoods) and, with ``n_draws``, for each of them
    ``<side>_bias_corrected`` (when :func:`segindex.compare_schools_neighbourhoods`
    reports it), ``<side>_ci_low``, ``<side>_ci_high``, and
    ``difference_p_value``. Returns the rows, the number of draws used (0 when
    none) and notes for the page.
    """
    notes: list[str] = []
    draws = int(n_draws or 0)
    if draws:
        problem = whole_number_problem(res, [*groups, res_t], "units") or whole_number_problem(
            pup, [*groups, pup_t], "schools"
        )
        if problem:
            notes.append(f"No intervals: {problem}")
            draws = 0
    table = _compare(pup, res, groups, res_t=res_t, pup_t=pup_t, draws=draws, random_state=random_state, notes=notes)
    return pd.DataFrame(_comparison_rows(table, bool(draws))), draws, notes


def _allocation_inputs(res, res_t, pup, pup_t, groups):
    from ..counts import REST

    residents = res[[res.geometry.name]].copy()
    for g in groups:
        residents[g] = res[g].to_numpy(dtype=float)
    rest = res[res_t].to_numpy(dtype=float) - res[list(groups)].to_numpy(dtype=float).sum(axis=1)
    columns = list(groups)
    if (rest > 0).any():
        residents[REST] = np.clip(rest, 0.0, None)
        columns.append(REST)
    schools = pup[[pup.geometry.name]].copy()
    schools["places"] = pup[pup_t].to_numpy(dtype=float)
    return residents, schools, columns


def nearest_school_indices(res, res_t, pup, pup_t, groups):
    """D and isolation of each group across the nearest-school allocation, and notes for the page.

    Every resident (the groups and the rest of the population) is scaled by
    pupils / residents and placed with :func:`segindex.nearest_school_allocation`,
    schools holding their observed number of pupils. Returns ``(None, notes)``
    when the units are not in a projected CRS (distances would be meaningless).
    """
    from ..errors import DataQualityWarning
    from ..indices.twogroup import dissimilarity, isolation
    from ..schools import nearest_school_allocation

    if res.crs is None or not res.crs.is_projected:
        return None, [
            "The nearest-school benchmark is left out: the units are not in a projected CRS "
            "(reproject to one in metres, e.g. British National Grid, EPSG:27700)."
        ]
    residents, schools, columns = _allocation_inputs(res, res_t, pup, pup_t, groups)
    people = float(residents[columns].to_numpy().sum())
    places = float(schools["places"].sum())
    if people <= 0 or places <= 0:
        return None, ["The nearest-school benchmark is left out: no residents or no pupils."]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataQualityWarning)
        alloc = nearest_school_allocation(
            residents, schools, columns, capacity="places", share=min(1.0, places / people)
        )
    notes = [f"Nearest-school benchmark: {w.message}" for w in caught if issubclass(w.category, DataQualityWarning)]
    alloc["_total"] = alloc[columns].sum(axis=1)
    rows = []
    for g in groups:
        for index_name, fn in (("dissimilarity", dissimilarity), ("isolation", isolation)):
            try:
                value = fn(alloc, g, total="_total")
            except SegindexValueError:  # a group absent from the allocation: NaN, shown as n/a
                value = np.nan
            rows.append({"group": g, "index": index_name, "nearest_school": value})
    return pd.DataFrame(rows), notes
