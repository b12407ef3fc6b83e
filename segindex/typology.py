"""Area typologies and threshold measures: where concentration is, and how many live in it.

D and isolation say how uneven a city is, not how many people live in highly
concentrated areas. Two families of measures answer that:

* :func:`area_typology` sorts units into the six types of Poulsen, Johnston &
  Forrest (2001), from the isolated host community (I) to the ghetto (VI),
  and :func:`typology_summary` says how many units and people of each group
  are in each type;
* :func:`threshold_exposure` counts the units where a group (or the non-host
  population, or any single group) is at least k % of the people, and the
  share of the group and of everyone living there (Carling 2008; the
  Bradford and Blackburn school studies).

Comparisons with a threshold are made with a relative tolerance of 1e-12, so
that a share computed as 2/3 or 0.3 in floating point counts as exactly at
the threshold.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from .counts import (
    check_frame,
    check_label,
    check_labels,
    check_total,
    check_unique_units,
    numeric_column,
    unit_codes,
    unit_totals,
    warn_at_caller,
)
from .errors import SegindexValueError

__all__ = [
    "TYPES",
    "DEFAULT_DOMINANCE",
    "area_typology",
    "typology_summary",
    "threshold_exposure",
]

#: The six area types, in order.
TYPES = ("I", "II", "III", "IV", "V", "VI")

#: Type labels (Poulsen, Johnston & Forrest 2001).
TYPE_LABELS = {
    "I": "isolated host community",
    "II": "non-isolated host community",
    "III": "associated assimilation-pluralism enclave",
    "IV": "mixed-minority enclave",
    "V": "polarised enclave",
    "VI": "ghetto",
}

#: Default dominance threshold θ: 0.60, the value of the original papers
#: (Poulsen, Johnston & Forrest 2001; Johnston, Forrest & Poulsen 2002).
#: The authors' 2010 reply to Peach uses 2/3; pass ``dominance=2/3`` for it.
DEFAULT_DOMINANCE = 0.60

_TOL = 1e-12


def _at_least(share, threshold):
    return share >= threshold * (1.0 - _TOL)


def _above(share, threshold):
    return share > threshold * (1.0 + _TOL)


def _check_fraction(value, name, caller, low=0.0, low_open=True, high=1.0):
    ok = (
        not isinstance(value, bool)
        and isinstance(value, (int, float, np.integer, np.floating))
        and np.isfinite(value)
        and (value > low if low_open else value >= low)
        and value <= high
    )
    if not ok:
        side = "(" if low_open else "["
        raise SegindexValueError(
            f"{caller}(): {name} must be a number in {side}{low:g}, {high:g}] (a share, not a percentage), "
            f"got {value!r}."
        )


def area_typology(
    data: pd.DataFrame,
    host: Hashable,
    groups: Sequence[Hashable],
    *,
    total: Hashable | None = None,
    dominance: float = DEFAULT_DOMINANCE,
    dominance_base: str = "non-host",
    ghetto_share: float = 0.30,
) -> pd.DataFrame:
    """Poulsen-Johnston-Forrest area types I-VI of every unit.

    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        One row per unit, one column of counts per group.
    host : column name
        The host group ("White" or "White British").
    groups : list of column names
        The minority groups that can dominate an enclave (type V/VI).
    total : column name, optional
        Unit totals; default ``host + sum(groups)``. People in neither the
        host nor a named group count in the non-host population but cannot
        dominate.
    dominance : float, default 0.60
        θ: a group dominates a unit with host share below 0.30 when it forms at
        least θ of the base. 0.60 in the original papers; 2/3 in the authors'
        2010 reply to Peach. Must be above 0.5 (so at most one group dominates).
    dominance_base : {"non-host", "total"}, default "non-host"
        The denominator of the dominance share: the non-host population
        (``t_i - host_i``, as in the papers) or the unit total (as some
        secondary sources read it).
    ghetto_share : float, default 0.30
        A group's type-V areas become ghettos (type VI) when together they hold
        at least this share of the group's population in the whole table.

    Returns
    -------
    pandas.DataFrame
        Aligned to ``data.index``: ``host_share``, ``type`` (ordered
        categorical "I" ... "VI"; missing for units with no population),
        ``dominant_group`` (for types V-VI, else missing) and
        ``dominant_share`` (its share of the base, for types V-VI).

    Raises
    ------
    SegindexValueError
        A column is missing or holds invalid counts; the host is also a group;
        ``dominance`` not in (0.5, 1]; ``ghetto_share`` not in (0, 1];
        an unknown ``dominance_base``.
    SegindexTypeError
        ``data`` is not a DataFrame; a column is not numeric.

    Notes
    -----
    With ``h_i`` the host share of unit i (Poulsen, Johnston & Forrest 2001,
    table 1):

    ====  ===========================================  ==========================================
    type  label                                        rule
    ====  ===========================================  ==========================================
    I     isolated host community                      h ≥ 0.80
    II    non-isolated host community                  0.50 ≤ h < 0.80
    III   associated assimilation-pluralism enclave    0.30 ≤ h < 0.50
    IV    mixed-minority enclave                       h < 0.30, no group dominant
    V     polarised enclave                            h < 0.30, one group ≥ θ of the base
    VI    ghetto                                       type-V areas of g holding, pooled, ≥ 30 % of g
    ====  ===========================================  ==========================================

    The 30 % rule is applied to all type-V areas of a group together (pooled):
    either all of that group's type-V areas are ghettos or none is. All
    comparisons are "at or above" with a relative tolerance of 1e-12.

    References
    ----------
    Poulsen, M., Johnston, R. & Forrest, J. (2001). Intraurban ethnic enclaves:
    introducing a knowledge-based classification method. Environment and
    Planning A 33(11), 2071-2082.

    Johnston, R., Forrest, J. & Poulsen, M. (2002). Are there ethnic enclaves/
    ghettos in English cities? Urban Studies 39(4), 591-618.

    Johnston, R., Poulsen, M. & Forrest, J. (2010). Moving on from indices,
    refocusing on mix: on measuring and understanding ethnic patterns of
    residential segregation. Journal of Ethnic and Migration Studies 36(4),
    697-706.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"host": [90, 60, 40, 20, 10, 0],
    ...                    "a":    [5, 20, 30, 40, 80, 90],
    ...                    "b":    [5, 20, 30, 40, 10, 10]})
    >>> typ = area_typology(df, "host", ["a", "b"])
    >>> typ["type"].tolist()
    ['I', 'II', 'III', 'IV', 'VI', 'VI']
    >>> typ["dominant_group"].tolist()[3:]
    [nan, 'a', 'a']
    """
    caller = "area_typology"
    check_frame(data, caller)
    check_label(host, "host", caller)
    labels = check_labels(groups, "groups", caller)
    if host in labels:
        raise SegindexValueError(f"{caller}(): the host {host!r} is also in groups; groups are the non-host groups.")
    _check_fraction(dominance, "dominance", caller, low=0.5)
    _check_fraction(ghetto_share, "ghetto_share", caller)
    if dominance_base not in ("non-host", "total"):
        raise SegindexValueError(f"{caller}(): dominance_base must be 'non-host' or 'total', got {dominance_base!r}.")
    h = numeric_column(data, host, "host", caller)
    c = np.column_stack([numeric_column(data, g, "group", caller) for g in labels])
    t = unit_totals(data, np.column_stack([h, c]), [host] + labels, total, caller)
    check_unique_units(data.index, np.empty(0, np.int64), caller)
    n = len(h)
    populated = t > 0
    share = np.full(n, np.nan)
    np.divide(h, t, out=share, where=populated)
    base = t - h if dominance_base == "non-host" else t
    top = np.argmax(c, axis=1)
    top_count = c[np.arange(n), top]
    top_share = np.zeros(n)
    np.divide(top_count, base, out=top_share, where=base > 0)

    code = np.full(n, -1, dtype=np.int64)
    low = populated & ~_at_least(np.nan_to_num(share), 0.30)
    code[populated & _at_least(np.nan_to_num(share), 0.80)] = 0
    code[populated & (code < 0) & _at_least(np.nan_to_num(share), 0.50)] = 1
    code[populated & (code < 0) & _at_least(np.nan_to_num(share), 0.30)] = 2
    dominant = low & (base > 0) & _at_least(top_share, dominance)
    code[low & ~dominant] = 3
    code[dominant] = 4
    city = c.sum(axis=0)
    for g in range(len(labels)):
        mine = dominant & (top == g)
        if city[g] > 0 and mine.any() and _at_least(c[mine, g].sum() / city[g], ghetto_share):
            code[mine] = 5

    types = pd.Categorical.from_codes(code, categories=list(TYPES), ordered=True)
    dom = np.array([labels[k] for k in top], dtype=object)
    dom[~dominant] = np.nan
    out = pd.DataFrame(
        {
            "host_share": share,
            "type": types,
            "dominant_group": pd.Series(dom, index=data.index, dtype=object),
            "dominant_share": np.where(dominant, top_share, np.nan),
        },
        index=data.index,
    )
    return out


def typology_summary(
    data: pd.DataFrame, typology: pd.DataFrame, groups: Sequence[Hashable], *, total: Hashable | None = None
) -> pd.DataFrame:
    """Units and each group's population (and share) by area type.

    Parameters
    ----------
    data : pandas.DataFrame
        The table given to :func:`area_typology`.
    typology : pandas.DataFrame
        Output of :func:`area_typology` for ``data`` (same index).
    groups : list of column names
        Groups to summarise (the host too, if wanted).
    total : column name, optional
        Unit totals, for the "(all)" rows; default the sum of ``groups``.

    Returns
    -------
    pandas.DataFrame
        Tidy: ``type, units, group, population, share`` — one row per type and
        group (plus group "(all)"), ``share`` being the fraction of the group's
        population in the whole table living in units of that type. Units
        without a type (no population) are left out.

    Raises
    ------
    SegindexValueError
        ``typology`` has no ``type`` column or is not aligned to ``data``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"host": [90, 20, 0], "a": [10, 80, 50], "b": [0, 0, 50]})
    >>> typ = area_typology(df, "host", ["a", "b"])
    >>> s = typology_summary(df, typ, ["a"])
    >>> s = s[(s["population"] > 0) & (s["group"] == "a")]
    >>> s["type"].tolist(), s["population"].tolist()
    (['I', 'IV', 'VI'], [10.0, 50.0, 80.0])
    >>> [round(float(v), 4) for v in s["share"]]
    [0.0714, 0.3571, 0.5714]
    """
    caller = "typology_summary"
    check_frame(data, caller)
    labels = check_labels(groups, "groups", caller)
    if not isinstance(typology, pd.DataFrame) or "type" not in typology.columns:
        raise SegindexValueError(
            f"{caller}(): typology must be the DataFrame returned by area_typology (with a 'type' column)."
        )
    if len(typology) != len(data) or not typology.index.equals(data.index):
        raise SegindexValueError(
            f"{caller}(): typology is not aligned to data (different length or index); compute it with "
            "area_typology(data, ...) on the same table."
        )
    c = np.column_stack([numeric_column(data, g, "group", caller) for g in labels])
    t = unit_totals(data, c, labels, total, caller)
    check_unique_units(data.index, np.empty(0, np.int64), caller)
    types = pd.Categorical(typology["type"], categories=list(TYPES), ordered=True)
    code = np.asarray(types.codes)
    ok = code >= 0
    units = np.bincount(code[ok], minlength=len(TYPES))
    rows = []
    for name, col in [*zip(labels, c.T), ("(all)", t)]:
        pop = np.bincount(code[ok], weights=col[ok], minlength=len(TYPES))
        whole = col.sum()
        for k, ty in enumerate(TYPES):
            rows.append((ty, int(units[k]), name, float(pop[k]), float(pop[k] / whole) if whole > 0 else np.nan))
    out = pd.DataFrame(rows, columns=["type", "units", "group", "population", "share"])
    return out


def _threshold_options(group, thresholds, basis, host, groups, total, caller):
    """The checked options of :func:`threshold_exposure`: group members, thresholds and all groups."""
    if isinstance(group, (list, tuple)):
        members = check_labels(group, "group", caller)
    else:
        check_label(group, "group", caller)
        members = [group]
    if basis not in ("own", "non-host", "any single group"):
        raise SegindexValueError(f"{caller}(): basis must be 'own', 'non-host' or 'any single group', got {basis!r}.")
    ks = [thresholds] if np.isscalar(thresholds) else list(thresholds)
    if not ks:
        raise SegindexValueError(f"{caller}(): thresholds is empty; give shares such as (0.5, 0.9).")
    for k in ks:
        _check_fraction(k, "each threshold", caller)
    glabels = None if groups is None else check_labels(groups, "groups", caller)
    if basis == "non-host" and host is None:
        raise SegindexValueError(f"{caller}(): basis='non-host' needs host= (the host group column).")
    if basis == "any single group" and glabels is None:
        raise SegindexValueError(f"{caller}(): basis='any single group' needs groups= (the columns of all groups).")
    if total is None and glabels is None:
        raise SegindexValueError(
            f"{caller}(): give total= (the column of unit totals) or groups= (whose sum is the total)."
        )
    check_label(host, "host", caller, optional=True)
    return members, ks, glabels


def _threshold_counts(data, members, glabels, total, caller):
    """The group's counts x, the unit totals t and the matrix of all groups (or None), checked."""
    x = np.sum([numeric_column(data, m, "group", caller) for m in members], axis=0)
    gmat = None
    if glabels is not None:
        gmat = np.column_stack([numeric_column(data, g, "group", caller) for g in glabels])
    if total is not None:
        check_label(total, "total", caller)
        t = numeric_column(data, total, "total", caller)
        check_total(data, x, t, members, total, caller)
        if gmat is not None:
            check_total(data, gmat.sum(axis=1), t, glabels, total, caller)
    else:
        t = gmat.sum(axis=1)
        check_total(data, x, t, members, "sum of groups", caller)
    return x, t, gmat


def threshold_exposure(
    data: pd.DataFrame,
    group: Hashable | Sequence[Hashable],
    thresholds: float | Sequence[float] = (0.5, 0.6, 0.7, 0.75, 0.9),
    *,
    total: Hashable | None = None,
    basis: str = "own",
    host: Hashable | None = None,
    groups: Sequence[Hashable] | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    strict: bool = False,
) -> pd.DataFrame:
    """Units where a share reaches k, and the share of a group and of everyone living in them.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (area or school).
    group : column name or list of column names
        The group whose members are counted (a list is summed: e.g.
        ``["Indian", "Pakistani"]``).
    thresholds : sequence of float, default (0.5, 0.6, 0.7, 0.75, 0.9)
        Shares k in (0, 1].
    total : column name, optional
        Unit totals (pupils on roll, residents). Needed with ``basis="own"``
        or ``"non-host"`` unless ``groups`` are given (then their sum is the
        total); with ``basis="any single group"`` the default total is the
        sum of ``groups``.
    basis : {"own", "non-host", "any single group"}, default "own"
        The share compared with k in each unit: the group's own share; the
        non-host share ``(t - host)/t`` (needs ``host``); or the largest share
        of any one of ``groups`` (needs ``groups``).
    host : column name, optional
        The host group, for ``basis="non-host"``.
    groups : list of column names, optional
        The groups, for ``basis="any single group"`` (and as the source of the
        total when ``total`` is not given).
    by : column name or list, optional
        Compute per area (local authority, year).
    strict : bool, default False
        ``False``: a unit counts when its share is **at or above** k
        (``share ≥ k``, the "at least k %" of Poulsen et al. and Carling);
        ``True``: only when strictly **above** k (``share > k``, as in
        "schools with over 90 % of pupils from one group"). Both with a
        relative tolerance of 1e-12.

    Returns
    -------
    pandas.DataFrame
        Tidy, one row per (area,) threshold: [by columns,] ``basis``,
        ``threshold``, ``rule`` (">=" or ">"), ``group``, ``units`` (units at
        or above k), ``unit_share`` (of all populated units), ``group_share``
        (of the group's members living there) and ``population_share`` (of
        everyone). Units with no people never count.

    Raises
    ------
    SegindexValueError
        A missing column; a threshold outside (0, 1]; an unknown basis; a
        basis without its ``host``/``groups``; no total available; invalid counts.

    Notes
    -----
    With ``s_i`` the unit's share under ``basis`` and ``U_k = {i : s_i ≥ k}``
    (or ``> k``): ``units = |U_k|``, ``group_share = Σ_{U_k} x_i / X`` and
    ``population_share = Σ_{U_k} t_i / T``. An area where the group is absent
    gets NaN group shares.

    References
    ----------
    Carling, A. (2008). The curious case of the mis-claimed myth claims:
    ethnic segregation, polarisation and the future of Bradford. Urban
    Studies 45(3), 553-589.

    Poulsen, M., Johnston, R. & Forrest, J. (2001). Intraurban ethnic enclaves:
    introducing a knowledge-based classification method. Environment and
    Planning A 33(11), 2071-2082.

    Examples
    --------
    >>> import pandas as pd
    >>> schools = pd.DataFrame({"wb": [95, 10, 50], "pak": [5, 90, 30], "ind": [0, 0, 20]})
    >>> out = threshold_exposure(schools, "pak", [0.9], basis="any single group",
    ...                          groups=["wb", "pak", "ind"])
    >>> int(out["units"].iloc[0]), round(float(out["group_share"].iloc[0]), 4)  # 95 of 125
    (2, 0.76)
    >>> out = threshold_exposure(schools, "pak", [0.9], basis="any single group",
    ...                          groups=["wb", "pak", "ind"], strict=True)  # "over 90 %"
    >>> int(out["units"].iloc[0]), round(float(out["population_share"].iloc[0]), 4)
    (1, 0.3333)
    >>> out = threshold_exposure(schools, ["pak", "ind"], [0.75], basis="non-host", host="wb",
    ...                          groups=["wb", "pak", "ind"])
    >>> round(float(out["group_share"].iloc[0]), 4)  # 90 of 145 Pakistani and Indian pupils
    0.6207
    """
    caller = "threshold_exposure"
    check_frame(data, caller)
    members, ks, glabels = _threshold_options(group, thresholds, basis, host, groups, total, caller)
    group_name = "+".join(str(m) for m in members)
    x, t, gmat = _threshold_counts(data, members, glabels, total, caller)
    n = len(t)
    populated = t > 0
    if basis == "own":
        num = x
    elif basis == "non-host":
        hcol = numeric_column(data, host, "host", caller)
        check_total(data, hcol, t, [host], total if total is not None else "sum of groups", caller)
        num = t - hcol
    else:
        num = gmat.max(axis=1)
    s = np.zeros(n)
    np.divide(num, t, out=s, where=populated)
    codes, areas, by_names = unit_codes(data, by, caller)
    if areas is None:
        codes = np.zeros(n, dtype=np.int64)
    n_areas = 1 if areas is None else len(areas)
    X = np.bincount(codes, weights=x, minlength=n_areas)
    T = np.bincount(codes, weights=t, minlength=n_areas)
    U = np.bincount(codes, weights=populated.astype(float), minlength=n_areas)
    rows = []
    for k in ks:
        inside = populated & (_above(s, k) if strict else _at_least(s, k))
        units = np.bincount(codes, weights=inside.astype(float), minlength=n_areas)
        gx = np.bincount(codes, weights=np.where(inside, x, 0.0), minlength=n_areas)
        gt = np.bincount(codes, weights=np.where(inside, t, 0.0), minlength=n_areas)
        for a in range(n_areas):
            rows.append(
                {
                    "_area": a,
                    "basis": basis,
                    "threshold": float(k),
                    "rule": ">" if strict else ">=",
                    "group": group_name,
                    "units": int(units[a]),
                    "unit_share": units[a] / U[a] if U[a] > 0 else np.nan,
                    "group_share": gx[a] / X[a] if X[a] > 0 else np.nan,
                    "population_share": gt[a] / T[a] if T[a] > 0 else np.nan,
                }
            )
    out = pd.DataFrame(rows)
    if areas is not None:
        keys = areas.to_frame(index=False) if isinstance(areas, pd.MultiIndex) else pd.DataFrame({by_names[0]: areas})
        out = pd.concat([keys.iloc[out["_area"].to_numpy()].reset_index(drop=True), out], axis=1)
        out = out.sort_values([*by_names, "threshold"], kind="stable", ignore_index=True)
        absent = X <= 0
        if absent.any():
            from .errors import AbsentGroupWarning

            warn_at_caller(
                f"{caller}(): group {group_name!r} has no members in {int(absent.sum())} of {n_areas} areas "
                f"(e.g. {areas[int(np.flatnonzero(absent)[0])]!r}); their group shares are NaN.",
                AbsentGroupWarning,
            )
    return out.drop(columns="_area")
