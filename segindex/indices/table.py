"""All indices for many groups in one tidy table."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._kernels import multigroup as _km
from .._kernels import twogroup as _kt
from .._kernels import validate as _kv
from ..counts import check_label, check_labels, read_counts
from ..errors import AbsentGroupWarning, SegindexTypeError, SegindexValueError
from .twogroup import eta_squared

__all__ = ["segregation_table", "TWO_GROUP_INDICES", "MULTIGROUP_INDICES", "ALL_GROUPS"]

#: Index names in the ``index`` column of :func:`segregation_table`.
TWO_GROUP_INDICES = ("dissimilarity", "gini", "atkinson", "isolation", "exposure", "correlation_ratio")
MULTIGROUP_INDICES = ("entropy_index", "mutual_information", "multigroup_dissimilarity")
#: The ``group`` label of multigroup rows.
ALL_GROUPS = "(all groups)"


def segregation_table(data, groups, *, reference=None, total=None, by=None, atkinson_b=0.5, n_bootstrap=None,
                      random_state=None, ci=0.95):
    r"""Every index for every group, in one tidy, unrounded DataFrame.

    For each group in ``groups``:

    * against the rest of the population (``comparison = "rest"``):
      dissimilarity, Gini, Atkinson, isolation, exposure to the rest, and the
      correlation ratio η²;
    * against ``reference`` when given (``comparison = reference``):
      dissimilarity, Gini, Atkinson and exposure to the reference group;

    and for all groups together (``group = "(all groups)"``,
    ``comparison = "multigroup"``): Theil's H, mutual information M and
    multigroup dissimilarity.

    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        One row per unit, one column of counts per group.
    groups : list of column names
        The groups to report.
    reference : column name, optional
        A comparison group (e.g. ``"WhiteBrit"``). It need not be in ``groups``.
    total : column name, optional
        Unit totals. Without it the listed groups (and ``reference``) are the
        whole population; with it, the rest of the population is the
        comparison for ``"rest"`` rows and counts as one more group in the
        multigroup indices.
    by : column name or list of column names, optional
        Compute per area. An area where a group or its comparison is absent
        gets NaN for that row, with one warning for the whole table.
    atkinson_b : float, default 0.5
        Shape parameter of the Atkinson index.
    n_bootstrap : int, optional
        When given, add columns ``se``, ``ci_low``, ``ci_high`` (bootstrap
        standard error and bias-corrected interval at level ``ci``) and
        ``p_value`` (one-sided randomisation test against random allocation),
        each from ``n_bootstrap`` draws (see :func:`segindex.inference.infer`).
        Counts must then be whole numbers.
    random_state : None, int, numpy.random.Generator or numpy.random.SeedSequence
        Seeds the draws (with ``n_bootstrap``).
    ci : float, default 0.95
        Coverage of the intervals (with ``n_bootstrap``).

    Returns
    -------
    pandas.DataFrame
        Columns ``area`` (``"all"`` without ``by``; the area key with it, a
        tuple for several ``by`` columns), the ``by`` columns themselves,
        ``group``, ``comparison``, ``index``, ``value``; with ``n_bootstrap``
        also ``se``, ``ci_low``, ``ci_high``, ``p_value``.

    See Also
    --------
    dissimilarity, isolation, exposure, correlation_ratio, gini, atkinson,
    entropy_index, mutual_information, multigroup_dissimilarity

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 20, 30], "B": [30, 20, 10], "C": [0, 10, 20]})
    >>> t = segregation_table(df, ["A", "C"], reference="B")
    >>> row = t[(t.group == "A") & (t.comparison == "B") & (t["index"] == "dissimilarity")]
    >>> round(float(row["value"].iloc[0]), 4)
    0.3333
    >>> sorted(t["comparison"].unique())
    ['B', 'multigroup', 'rest']
    """
    caller = "segregation_table"
    labels = check_labels(groups, "groups", caller)
    check_label(reference, "reference", caller, optional=True)
    if isinstance(atkinson_b, bool) or not isinstance(atkinson_b, (int, float, np.integer, np.floating)):
        raise SegindexTypeError(f"{caller}(): 'atkinson_b' must be a number in (0, 1), got {atkinson_b!r}.")
    if not 0.0 < float(atkinson_b) < 1.0:
        raise SegindexValueError(f"{caller}(): 'atkinson_b' must lie strictly between 0 and 1, got {atkinson_b!r}.")
    columns = labels + ([reference] if reference is not None and reference not in labels else [])
    counts = read_counts(data, columns, total=total, by=by, rest=total is not None, caller=caller)
    codes, A = counts.codes, counts.n_areas
    t = counts.total
    T = _kt.area_sums(t, codes, A)

    rows_group, rows_comp, rows_index, rows_values = [], [], [], []
    absent = {}

    def add(group, comparison, name, values, X, Y, comp_label):
        rows_group.append(group)
        rows_comp.append(comparison)
        rows_index.append(name)
        rows_values.append(values)
        for k in np.flatnonzero(np.isnan(values)):
            why = f"{group!r} has no members" if not X[k] > 0 else f"{comp_label} is empty"
            absent.setdefault(k, set()).add(why)

    for g in labels:
        x = counts.column(g)
        X = _kt.area_sums(x, codes, A)
        rest = _kv.remainder(t, x)
        R = T - X
        for name, vals in (
            ("dissimilarity", _kt.dissimilarity(x, rest, codes, A)),
            ("gini", _kt.gini(x, rest, codes, A)),
            ("atkinson", _kt.atkinson(x, rest, float(atkinson_b), codes, A)),
        ):
            add(g, "rest", name, vals, X, R, f"the rest of the population beside {g!r}")
        iso = _kt.exposure(x, x, t, codes, A)[0]
        add(g, "rest", "isolation", iso, X, np.ones(A), "")
        add(g, "rest", "exposure", _kt.exposure(x, rest, t, codes, A)[0], X, np.ones(A), "")
        add(g, "rest", "correlation_ratio", eta_squared(iso, X, T), X, R,
            f"the rest of the population beside {g!r}")
        if reference is not None and g != reference:
            y = counts.column(reference)
            Y = _kt.area_sums(y, codes, A)
            comp = f"reference group {reference!r}"
            add(g, str(reference), "dissimilarity", _kt.dissimilarity(x, y, codes, A), X, Y, comp)
            add(g, str(reference), "gini", _kt.gini(x, y, codes, A), X, Y, comp)
            add(g, str(reference), "atkinson", _kt.atkinson(x, y, float(atkinson_b), codes, A), X, Y, comp)
            add(g, str(reference), "exposure", _kt.exposure(x, y, t, codes, A)[0], X, np.ones(A), comp)

    M, E, TT = _km.mutual_information(counts.values, codes, A)
    with np.errstate(divide="ignore", invalid="ignore"):
        H = np.where(E > 0, M / np.where(E > 0, E, 1.0), np.nan)
    ones = np.ones(A)
    add(ALL_GROUPS, "multigroup", "entropy_index", H, TT, E, "the area (one group only)")
    add(ALL_GROUPS, "multigroup", "mutual_information", M, TT, ones, "")
    add(ALL_GROUPS, "multigroup", "multigroup_dissimilarity",
        _km.multigroup_dissimilarity(counts.values, codes, A), TT, E, "the area (one group only)")

    n_rows = len(rows_values)
    values = np.concatenate(rows_values)
    if counts.areas is None:
        if absent:
            raise SegindexValueError(
                f"{caller}(): some indices are undefined for the whole table: "
                f"{'; '.join(sorted(absent[0]))}. Drop those groups, or use by= to compute per area."
            )
        area_col = np.full(n_rows, "all", dtype=object)
        table = pd.DataFrame({"area": area_col})
    else:
        keys = list(counts.areas)
        area_col = np.array([None] * (n_rows * A), dtype=object)
        area_col[:] = [keys[k] for _ in range(n_rows) for k in range(A)]
        table = pd.DataFrame({"area": area_col})
        area_frame = counts.areas.to_frame(index=False)
        for name in area_frame.columns:
            table[name] = np.tile(area_frame[name].to_numpy(), n_rows)
        if absent:
            listed = "; ".join(
                f"{keys[k]!r}: {', '.join(sorted(absent[k]))}" for k in sorted(absent)[:10]
            )
            more = f"; and {len(absent) - 10} more" if len(absent) > 10 else ""
            warnings.warn(
                f"{caller}(): some indices are NaN in {len(absent)} of {A} areas ({listed}{more}).",
                AbsentGroupWarning,
                stacklevel=2,
            )
    table["group"] = np.repeat(np.array(rows_group, dtype=object), A)
    table["comparison"] = np.repeat(np.array(rows_comp, dtype=object), A)
    table["index"] = np.repeat(np.array(rows_index, dtype=object), A)
    table["value"] = values
    if counts.areas is not None:
        table = table.sort_values(["area"] if len(counts.by) == 1 else list(counts.by), kind="stable")
        table = table.reset_index(drop=True)
    if n_bootstrap is not None:
        from ..inference import table_inference

        table = table_inference(table, data, labels, reference, total, by, atkinson_b, n_bootstrap,
                                random_state, ci)
    return table

