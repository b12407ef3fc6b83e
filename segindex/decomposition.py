"""Decompositions of a difference in segregation between two places or two years.

* :func:`decompose_difference`: the Shapley decomposition of the difference in
  any two-group index between two tables into a *spatial* part (how the units
  are arranged) and a *compositional* part (the distribution of the group over
  units), through counterfactual tables (Rey, Cortes & Knaap 2021). Beside
  :func:`segindex.decompose_change`, which splits a change over time in D,
  isolation and η² between the composition of matched units and their
  distribution.
* :func:`decompose_mutual_information`: the difference in the mutual
  information index M split into marginal and structural parts by the Shapley
  method of Elbers (2021) (:func:`segindex.mutual_information_difference`), the
  Karmel & Maclachlan (1988) method (with its interaction term) or the Mora &
  Ruiz-Castillo (2009) method, as in the R package ``segregation``.
* :func:`ipf`: iterative proportional fitting to a stated relative tolerance.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

import numpy as np
import pandas as pd

from ._kernels import change as _kc
from ._kernels import multigroup as _kmg
from .counts import check_frame, check_label, check_labels, numeric_column
from .errors import SegindexTypeError, SegindexValueError
from .indices import registry

__all__ = ["decompose_difference", "decompose_mutual_information", "ipf", "counterfactual_counts"]

APPROACHES = ("composition", "share", "dual_composition")
METHODS = ("shapley", "km", "mrc")


# ----------------------------------------------------------------------------
# iterative proportional fitting


def _check_tol(tol, max_iter, caller):
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.floating)) or not 0 < float(tol) < 1:
        raise SegindexValueError(f"{caller}(): 'tol' must be a number in (0, 1), got {tol!r}.")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise SegindexValueError(f"{caller}(): 'max_iter' must be a positive whole number, got {max_iter!r}.")


def _vector(values, n, name, caller):
    try:
        v = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise SegindexTypeError(f"{caller}(): '{name}' must be a sequence of numbers, got {values!r}.") from None
    if v.shape[0] != n:
        raise SegindexValueError(f"{caller}(): '{name}' has {v.shape[0]} values; the seed needs {n}.")
    if not np.all(np.isfinite(v)) or np.any(v < 0):
        raise SegindexValueError(f"{caller}(): '{name}' must hold finite, non-negative numbers.")
    return np.ascontiguousarray(v)


def _fit(seed, rows, cols, tol, max_iter, caller):
    fitted, sweeps, gap = _kc.ipf(seed, rows, cols, float(tol), int(max_iter))
    if not gap <= tol:
        raise SegindexValueError(
            f"{caller}(): iterative proportional fitting did not converge: after {sweeps} sweeps the margins "
            f"are still {gap:.3g} (relative) from their targets, above tol={tol:g}. Raise max_iter, or check "
            "that no row or column of zeros in the seed has a positive target."
        )
    return fitted


def ipf(
    table: pd.DataFrame | np.ndarray,
    row_target: Sequence[float] | np.ndarray,
    col_target: Sequence[float] | np.ndarray,
    *,
    tol: float = 1e-10,
    max_iter: int = 10_000,
) -> pd.DataFrame | np.ndarray:
    r"""Iterative proportional fitting: scale a table to given row and column totals.

    Parameters
    ----------
    table : pandas.DataFrame or array of shape (rows, columns)
        The seed table of the fit: a non-negative table whose association structure (its odds
        ratios) is kept.
        Zero cells stay zero.
    row_target, col_target : sequence of float
        The row and column totals to reach; they must have the same sum
        (to a relative 1e-9).
    tol : float, default 1e-10
        Convergence criterion: after a full sweep every row and column sum is
        within this *relative* distance of its target,
        :math:`\max |s_k / \tau_k - 1| \le` ``tol``. A loose or absolute
        tolerance can change the sign of a structural component
        (see :func:`segindex.mutual_information_difference`).
    max_iter : int, default 10000
        Maximum sweeps (one sweep scales the rows, then the columns).

    Returns
    -------
    pandas.DataFrame or numpy.ndarray
        The fitted table, of the type of ``table`` (a DataFrame keeps its labels).

    Raises
    ------
    SegindexValueError
        Negative or non-finite values, targets of the wrong length or with
        different sums, a zero row or column with a positive target, or no
        convergence within ``max_iter`` sweeps.

    Notes
    -----
    Deming & Stephan's algorithm: alternately
    :math:`f_{ij} \leftarrow f_{ij}\, r_i / \sum_j f_{ij}` and
    :math:`f_{ij} \leftarrow f_{ij}\, c_j / \sum_i f_{ij}`. The fitted table
    has the seed's odds ratios :math:`f_{ij} f_{kl} / (f_{il} f_{kj})`.

    References
    ----------
    Deming, W. E. & Stephan, F. F. (1940). On a least squares adjustment of a
    sampled frequency table when the expected marginal totals are known.
    Annals of Mathematical Statistics 11(4), 427-444.

    Examples
    --------
    >>> import numpy as np
    >>> fitted = ipf(np.array([[1.0, 1.0], [1.0, 3.0]]), [2, 4], [3, 3])
    >>> [round(float(v), 4) for v in fitted.sum(axis=1)], [round(float(v), 4) for v in fitted.sum(axis=0)]
    ([2.0, 4.0], [3.0, 3.0])
    >>> round(float(fitted[0, 0] * fitted[1, 1] / (fitted[0, 1] * fitted[1, 0])), 4)  # the seed's 3
    3.0
    """
    caller = "ipf"
    _check_tol(tol, max_iter, caller)
    frame = table if isinstance(table, pd.DataFrame) else None
    try:
        c = np.asarray(table, dtype=np.float64)
    except (TypeError, ValueError):
        raise SegindexTypeError(
            f"{caller}(): 'table' must be a table of numbers, got {type(table).__name__}."
        ) from None
    if c.ndim != 2 or c.size == 0:
        raise SegindexValueError(f"{caller}(): 'table' must be a non-empty two-dimensional table, got shape {c.shape}.")
    if not np.all(np.isfinite(c)) or np.any(c < 0):
        raise SegindexValueError(f"{caller}(): 'table' must hold finite, non-negative numbers.")
    rows = _vector(row_target, c.shape[0], "row_target", caller)
    cols = _vector(col_target, c.shape[1], "col_target", caller)
    if not np.isclose(rows.sum(), cols.sum(), rtol=1e-9, atol=0):
        raise SegindexValueError(
            f"{caller}(): the row targets add up to {rows.sum():g} and the column targets to {cols.sum():g}; "
            "they must have the same total."
        )
    for name, sums, target in (("row", c.sum(axis=1), rows), ("column", c.sum(axis=0), cols)):
        bad = np.flatnonzero((sums <= 0) & (target > 0))
        if bad.size:
            raise SegindexValueError(
                f"{caller}(): {name} {int(bad[0])} of the table is all zeros but its target is {target[bad[0]]:g}; "
                "IPF cannot move a zero cell. Put a small positive number in it first."
            )
    fitted = _fit(np.ascontiguousarray(c), rows, cols, tol, max_iter, caller)
    if frame is not None:
        return pd.DataFrame(fitted, index=frame.index, columns=frame.columns)
    return fitted


# ----------------------------------------------------------------------------
# Rey, Cortes & Knaap (2021): spatial and compositional parts of a difference


def _pct_rank(v):
    """pandas' ``rank(pct=True)``: average ranks of ties, over n."""
    from scipy.stats import rankdata

    return rankdata(v, method="average") / v.shape[0]


def _mapped(values, onto):
    """Each value replaced by the quantile of ``onto`` at its percentile rank (linear interpolation)."""
    return np.quantile(onto, _pct_rank(values), method="linear")


def _counterfactual(x1, t1, x2, t2, approach):
    """The group and total of table 1 with the attribute distribution of table 2."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p1 = np.where(t1 > 0, x1 / t1, 0.0)
        p2 = np.where(t2 > 0, x2 / t2, 0.0)
    if approach == "composition":
        return _mapped(p1, p2) * t1, t1
    r1, r2 = t1 - x1, t2 - x2
    if approach == "dual_composition":
        with np.errstate(divide="ignore", invalid="ignore"):
            q1 = np.where(t1 > 0, r1 / t1, 0.0)
            q2 = np.where(t2 > 0, r2 / t2, 0.0)
        x = _mapped(p1, p2) * t1
        return x, x + _mapped(q1, q2) * t1
    # share: each group's distribution over units, rescaled to sum to one
    s = _mapped(x1 / x1.sum(), x2 / x2.sum())
    x = s / s.sum() * x1.sum()
    s = _mapped(r1 / r1.sum(), r2 / r2.sum())
    r = s / s.sum() * r1.sum()
    return x, x + r


def counterfactual_counts(data, reference, group, *, total, approach: str = "composition"):
    """``data`` with the distribution of ``group`` taken from ``reference`` (Rey, Cortes & Knaap 2021).

    The counterfactual table of :func:`decompose_difference`: each unit of
    ``data`` keeps its place (geometry, other columns) and gets the value of
    ``reference``'s distribution at the same percentile rank. For tests of a
    difference under the composition, share and dual-composition nulls.

    Parameters
    ----------
    data, reference : pandas.DataFrame or geopandas.GeoDataFrame
        The table to change and the table whose distribution it takes.
    group, total : column names
        The focal group and the unit totals (in both tables).
    approach : {"composition", "share", "dual_composition"}, default "composition"
        As for :func:`decompose_difference`.

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        A copy of ``data`` whose ``group`` and ``total`` columns hold the
        counterfactual counts (floats).

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"g": [1, 2, 3, 4], "t": [10, 10, 10, 10]})
    >>> b = pd.DataFrame({"g": [0, 2, 5, 9], "t": [10, 10, 10, 10]})
    >>> counterfactual_counts(a, b, "g", total="t")["g"].round(4).tolist()
    [1.5, 3.5, 6.0, 9.0]
    """
    caller = "counterfactual_counts"
    check_label(group, "group", caller)
    check_label(total, "total", caller)
    if approach not in APPROACHES:
        raise SegindexValueError(f"{caller}(): 'approach' must be one of {APPROACHES}, got {approach!r}.")
    x, t = _read(data, group, total, "data", caller)
    xr, tr = _read(reference, group, total, "reference", caller)
    return _replaced(data, group, total, *_counterfactual(x, t, xr, tr, approach))


def _read(data, group, total, role, caller):
    check_frame(data, caller)
    x = numeric_column(data, group, "group", caller)
    t = numeric_column(data, total, "total", caller)
    bad = np.flatnonzero(x > t * (1 + 1e-9))
    if bad.size:
        raise SegindexValueError(
            f"{caller}(): in {role}, row {int(bad[0])} has more {group!r} ({x[bad[0]]:g}) than {total!r} "
            f"({t[bad[0]]:g})."
        )
    if not (x.sum() > 0 and (t - x).sum() > 0):
        raise SegindexValueError(f"{caller}(): in {role}, {group!r} or the rest of the population is empty.")
    return x, t


def _evaluator(index, data_a, data_b, group, total, options, caller):
    if callable(index) and not _is_registered(index):

        def value(data, x, t):
            return float(index(_replaced(data, group, total, x, t), group, total=total, **options))

        return value, getattr(index, "__name__", "index")
    spec = registry.get(index, caller)
    if spec.kind == "two-group":
        empty = np.empty(0, np.int64)

        def value(data, x, t):
            return float(spec.compute(x, t - x, t, empty, 1, **options)[0])

        return value, spec.name
    if spec.kind == "spatial":

        def value(data, x, t):
            return float(spec.function(_replaced(data, group, total, x, t), group, total=total, **options))

        return value, spec.name
    raise SegindexValueError(
        f"{caller}(): {spec.name!r} is a multigroup index; the decomposition compares one group with the rest "
        "(use decompose_mutual_information for M)."
    )


def _is_registered(f):
    try:
        registry.get(f)
    except (SegindexValueError, SegindexTypeError):
        return False
    return True


def _replaced(data, group, total, x, t):
    out = data.copy()
    out[group] = x
    out[total] = t
    return out


def decompose_difference(
    index: str | Callable,
    data_a: pd.DataFrame,
    data_b: pd.DataFrame,
    group: Hashable,
    *,
    total: Hashable,
    approach: str = "composition",
    **options: object,
) -> pd.DataFrame:
    r"""Split the difference in a segregation index between two tables into spatial and compositional parts.

    Two cities (or one city in two years) differ in segregation because their
    groups are distributed differently over units (*compositional*, or
    attribute, part) and because their units are arranged differently in space
    or in size (*spatial* part). Counterfactual tables give each city the
    other's distribution of the group over its own units; the Shapley
    decomposition averages over the order of the two changes (Rey, Cortes &
    Knaap 2021). For a change over time of matched units,
    :func:`segindex.decompose_change` splits D, isolation and η² into the
    change in the units' composition and in the group's distribution instead.

    Parameters
    ----------
    index : str or callable
        A two-group or spatial index of the registry (``"dissimilarity"``,
        ``"gini"``, ``"relative_centralisation"``, ...) or a function
        ``f(data, group, total=...)`` returning a float.
    data_a, data_b : pandas.DataFrame or geopandas.GeoDataFrame
        The two tables (with geometry for a spatial index).
    group : column name
        The focal group, compared with the rest of the population.
    total : column name
        Unit totals.
    approach : {"composition", "share", "dual_composition"}, default "composition"
        How the counterfactual tables are built (see Notes).
    **options
        Keyword options of the index (for example ``b=0.5`` for Atkinson).

    Returns
    -------
    pandas.DataFrame
        Columns ``stat`` and ``est``; rows ``value_a`` (the index on
        ``data_a``), ``value_b``, ``difference`` (``value_a - value_b``),
        ``spatial``, ``compositional`` (the two add up to ``difference``),
        ``a_with_b`` (the index on ``data_a``'s units with ``data_b``'s
        attribute distribution) and ``b_with_a``.

    Raises
    ------
    SegindexValueError
        Unknown index or approach, a multigroup index, bad counts, an empty group.

    Notes
    -----
    Write :math:`G(S_k, A_l)` for the index on the units of table k with the
    attribute distribution of table l. Then

    .. math::
        C_S = \tfrac12 [G(S_a, A_a) - G(S_b, A_a) + G(S_a, A_b) - G(S_b, A_b)],

        C_A = \tfrac12 [G(S_a, A_a) - G(S_a, A_b) + G(S_b, A_a) - G(S_b, A_b)],

    and :math:`C_S + C_A = G(S_a, A_a) - G(S_b, A_b)`. The counterfactual
    distributions map each unit's value to the same percentile rank of the
    other table's values (linear interpolation between order statistics):

    * ``"composition"``: the group's share of the unit, :math:`x_i / t_i`;
      unit totals are kept;
    * ``"share"``: the group's and the rest's shares of their city-wide totals,
      :math:`x_i / X` and :math:`(t_i - x_i) / (T - X)`, each rescaled to sum
      to one and multiplied by the table's own totals;
    * ``"dual_composition"``: the group's and the rest's shares of the unit,
      each mapped, times the unit total (the new total is their sum).

    The counterfactual tables are those of PySAL's ``DecomposeSegregation``,
    whose numbers these equal.

    References
    ----------
    Rey, S. J., Cortes, R. & Knaap, E. (2021). Comparative spatial segregation
    analytics. Spatial Demography 9, 31-64.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"g": [10, 0, 5, 5], "t": [10, 10, 10, 10]})
    >>> b = pd.DataFrame({"g": [2, 2, 2, 14], "t": [4, 4, 4, 28]})
    >>> from segindex import dissimilarity
    >>> d = decompose_difference(dissimilarity, a, b, "g", total="t").set_index("stat")["est"]
    >>> round(float(d["difference"]), 4), round(float(d["spatial"] + d["compositional"]), 4)
    (0.5, 0.5)
    """
    caller = "decompose_difference"
    check_label(group, "group", caller)
    check_label(total, "total", caller)
    if approach not in APPROACHES:
        raise SegindexValueError(f"{caller}(): 'approach' must be one of {APPROACHES}, got {approach!r}.")
    value, _ = _evaluator(index, data_a, data_b, group, total, options, caller)
    xa, ta = _read(data_a, group, total, "data_a", caller)
    xb, tb = _read(data_b, group, total, "data_b", caller)
    g_aa = value(data_a, xa, ta)
    g_bb = value(data_b, xb, tb)
    g_ab = value(data_a, *_counterfactual(xa, ta, xb, tb, approach))
    g_ba = value(data_b, *_counterfactual(xb, tb, xa, ta, approach))
    spatial = 0.5 * (g_aa - g_ba + g_ab - g_bb)
    compositional = 0.5 * (g_aa - g_ab + g_ba - g_bb)
    return pd.DataFrame(
        {
            "stat": ["value_a", "value_b", "difference", "spatial", "compositional", "a_with_b", "b_with_a"],
            "est": [g_aa, g_bb, g_aa - g_bb, spatial, compositional, g_ab, g_ba],
        }
    )


# ----------------------------------------------------------------------------
# the difference in M: Karmel & Maclachlan, Mora & Ruiz-Castillo


def _m(c):
    return float(_kmg.mutual_information(np.ascontiguousarray(c, dtype=np.float64), np.empty(0, np.int64), 1)[0][0])


def _tables(data_from, data_to, groups, unit, caller):
    """The two unit × group matrices, restricted to the units and groups present in both."""
    labels = check_labels(groups, "groups", caller, min_count=2)
    mats, idxs = [], []
    for role, data in (("data_from", data_from), ("data_to", data_to)):
        check_frame(data, caller)
        if unit is None:
            idx = pd.Index(data.index.astype(str))
        else:
            check_label(unit, "unit", caller)
            if unit not in data.columns:
                raise SegindexValueError(f"{caller}(): the unit column {unit!r} is not in {role}.")
            idx = pd.Index(data[unit].astype(str))
        if idx.has_duplicates:
            raise SegindexValueError(f"{caller}(): unit {idx[idx.duplicated()][0]!r} appears more than once in {role}.")
        mats.append(np.column_stack([numeric_column(data, g, "group", caller) for g in labels]))
        idxs.append(idx)
    c1, c2 = mats
    if not (c1.sum() > 0 and c2.sum() > 0):
        raise SegindexValueError(f"{caller}(): a table has no population.")
    u1 = idxs[0][c1.sum(axis=1) > 0]
    u2 = idxs[1][c2.sum(axis=1) > 0]
    common = u1.intersection(u2, sort=False)
    g_ok = (c1.sum(axis=0) > 0) & (c2.sum(axis=0) > 0)
    if len(common) == 0 or not g_ok.any():
        raise SegindexValueError(f"{caller}(): the two tables have no unit or no group in common.")
    a = c1[idxs[0].get_indexer(common)][:, g_ok]
    b = c2[idxs[1].get_indexer(common)][:, g_ok]
    return c1, c2, a, b


def _karmel_maclachlan(c1, c2, a, b, tol, max_iter, caller):
    M1, M2, m_a, m_b = _m(c1), _m(c2), _m(a), _m(b)
    positive = np.concatenate([c1[c1 > 0], c2[c2 > 0]])
    fill = min(1e-10, positive.min() / 1000)
    seed = np.where(a > 0, a, fill)
    rows_b, cols_b = b.sum(axis=1), b.sum(axis=0)
    scale = rows_b.sum() / seed.sum()
    seed = seed * scale  # on table b's scale (M does not depend on it)
    fitted = _fit(
        np.ascontiguousarray(seed), np.ascontiguousarray(rows_b), np.ascontiguousarray(cols_b), tol, max_iter, caller
    )
    group_adjusted = seed * (cols_b / seed.sum(axis=0))[None, :]
    unit_adjusted = seed * (rows_b / seed.sum(axis=1))[:, None]
    mix = _m(fitted) - m_a
    mix_group = _m(group_adjusted) - m_a
    mix_unit = _m(unit_adjusted) - m_a
    return {
        "M1": M1,
        "M2": M2,
        "diff": M2 - M1,
        "additions": M2 - m_b,
        "removals": m_a - M1,
        "group_marginal": mix_group,
        "unit_marginal": mix_unit,
        "interaction": mix - mix_group - mix_unit,
        "structural": m_b - _m(fitted),
    }


def _mrc(c1, c2, a, b):
    M1, M2, m_a, m_b = _m(c1), _m(c2), _m(a), _m(b)

    def parts(c):
        T = c.sum()
        t = c.sum(axis=1)
        g = c.sum(axis=0) / T
        entropy = -float(np.sum(g[g > 0] * np.log(g[g > 0])))
        with np.errstate(divide="ignore", invalid="ignore"):
            q = np.where(t[:, None] > 0, c / t[:, None], 0.0)
            sumcond = np.sum(np.where(q > 0, q * np.log(np.where(q > 0, q, 1.0)), 0.0), axis=1)
        return t / T, sumcond, entropy

    p1, s1, e1 = parts(a)
    p2, s2, e2 = parts(b)
    unit_marginal = 0.5 * float(np.sum((p2 - p1) * s2)) + 0.5 * float(np.sum((p2 - p1) * s1))
    structural = 0.5 * float(np.sum(p1 * (s2 - s1))) + 0.5 * float(np.sum(p2 * (s2 - s1)))
    return {
        "M1": M1,
        "M2": M2,
        "diff": M2 - M1,
        "additions": M2 - m_b,
        "removals": m_a - M1,
        "unit_marginal": unit_marginal,
        "group_marginal": e2 - e1,
        "structural": structural,
    }


def decompose_mutual_information(
    data_from: pd.DataFrame,
    data_to: pd.DataFrame,
    groups: Sequence[Hashable],
    *,
    unit: Hashable | None = None,
    method: str = "shapley",
    tol: float = 1e-10,
    max_iter: int = 10_000,
) -> pd.DataFrame:
    r"""Decompose the difference in the mutual information index M between two tables, by one of three methods.

    Parameters
    ----------
    data_from, data_to : pandas.DataFrame
        Wide tables: one row per unit, one column per group; units matched by
        ``unit`` or by the index.
    groups : list of column names
        The groups (the same columns in both tables).
    unit : column name, optional
        Unit codes; by default the index.
    method : {"shapley", "km", "mrc"}, default "shapley"
        ``"shapley"``: Elbers (2021), symmetric in the two tables and in units
        and groups (:func:`segindex.mutual_information_difference`).
        ``"km"``: Karmel & Maclachlan (1988), one direction only, with an
        interaction term. ``"mrc"``: Mora & Ruiz-Castillo (2009), algebraic
        (no IPF); not symmetric in units and groups.
    tol, max_iter
        IPF convergence (relative tolerance) and sweeps, as for :func:`ipf`
        (``"shapley"`` and ``"km"``).

    Returns
    -------
    pandas.DataFrame
        Columns ``stat`` and ``est``. Every method gives ``M1``, ``M2``,
        ``diff``, ``additions`` (units and groups only in ``data_to``),
        ``removals`` (only in ``data_from``), ``group_marginal``,
        ``unit_marginal`` and ``structural``; ``"km"`` adds ``interaction``.
        The rows after ``diff`` add up to ``diff``.

    Raises
    ------
    SegindexValueError
        Unknown method, no common unit or group, bad counts, no IPF convergence.

    Notes
    -----
    On the units and groups present in both tables, A (``data_from``) and B:

    ``"km"``: with :math:`F` the table A fitted by IPF to B's two margins,
    :math:`A^g` table A with each group column scaled to B's group total and
    :math:`A^u` with each unit row scaled to B's unit total,

    .. math::
        \text{group} = M(A^g) - M(A), \quad \text{unit} = M(A^u) - M(A),

        \text{interaction} = M(F) - M(A^g) - M(A^u) + M(A), \quad
        \text{structural} = M(B) - M(F).

    ``"mrc"``: with :math:`p_u` the unit shares and
    :math:`s_u = \sum_g p_{g|u} \ln p_{g|u}`,

    .. math::
        \text{group} = E_B - E_A, \quad
        \text{unit} = \sum_u (p^B_u - p^A_u) \tfrac{s^A_u + s^B_u}{2}, \quad
        \text{structural} = \sum_u \tfrac{p^A_u + p^B_u}{2} (s^B_u - s^A_u),

    with :math:`E` the entropy of the group margin. These follow the R
    package ``segregation``'s ``mutual_difference`` (methods ``"km"``,
    ``"mrc"``), whose zero cells are filled with a tiny number before IPF as
    here.

    References
    ----------
    Karmel, T. & Maclachlan, M. (1988). Occupational sex segregation:
    increasing or decreasing? Economic Record 64, 187-195.

    Mora, R. & Ruiz-Castillo, J. (2009). The invariance properties of the
    mutual information index of multigroup segregation. Research on Economic
    Inequality 17, 33-53.

    Elbers, B. (2021). A method for studying differences in segregation across
    time and space. Sociological Methods & Research 52(1), 5-42.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"g1": [40, 5], "g2": [30, 10], "g3": [20, 15], "g4": [10, 20]}, index=["a", "b"])
    >>> b = pd.DataFrame({"g1": [20, 5], "g2": [20, 10], "g3": [20, 10], "g4": [15, 15]}, index=["a", "b"])
    >>> km = decompose_mutual_information(a, b, ["g1", "g2", "g3", "g4"], method="km").set_index("stat")["est"]
    >>> round(float(km["diff"]), 4)
    -0.0709
    >>> parts = ["additions", "removals", "group_marginal", "unit_marginal", "interaction", "structural"]
    >>> round(float(km[parts].sum() - km["diff"]), 12)
    0.0
    """
    caller = "decompose_mutual_information"
    if method not in METHODS:
        raise SegindexValueError(f"{caller}(): 'method' must be one of {METHODS}, got {method!r}.")
    _check_tol(tol, max_iter, caller)
    if method == "shapley":
        from .change import mutual_information_difference

        return mutual_information_difference(data_from, data_to, groups, unit=unit, tol=tol, max_iter=max_iter)
    c1, c2, a, b = _tables(data_from, data_to, groups, unit, caller)
    parts = _karmel_maclachlan(c1, c2, a, b, tol, max_iter, caller) if method == "km" else _mrc(c1, c2, a, b)
    return pd.DataFrame({"stat": list(parts), "est": list(parts.values())})
