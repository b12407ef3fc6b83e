"""Rank-order segregation for an ordered variable (income bands, qualification levels): Reardon (2011).

The population is split at every threshold between ordered categories into
"at or below" and "above"; a binary segregation index is computed at each
threshold, a polynomial in the cumulative share p is fitted through those
values by weighted least squares, and the index is that polynomial averaged
over p with a weight that gives more room to thresholds near the median.
The result does not change when the categories are relabelled or the
variable is transformed in any rank-preserving way.

``groups`` lists the category columns from the lowest to the highest; they
must cover the whole population (no ``total``: a "rest" has no rank).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from scipy.special import beta as _beta
from scipy.special import comb

from .._kernels import peers as _k
from ..errors import SegindexTypeError, SegindexValueError
from ._peer_input import as_counts, check_labels, finish
from .registry import IndexSpec, register

__all__ = ["rank_order_information", "rank_order_variance_ratio", "rank_order_square_root", "rank_order_profile"]

_KINDS = {"information": 0, "variance_ratio": 1, "square_root": 2}


def weight(p, kind):
    """Reardon's weight of threshold p: entropy, variance or its square root."""
    p = np.asarray(p, dtype=float)
    if kind == "information":
        return -(p * np.log(p) + (1 - p) * np.log1p(-p))
    if kind == "variance_ratio":
        return p * (1 - p)
    return np.sqrt(p * (1 - p))


def deltas(kind, degree):
    r"""``delta_m = int_0^1 w(p) p^m dp / int_0^1 w(p) dp`` for m = 0 .. degree, in closed form."""
    m = np.arange(degree + 1)
    if kind == "information":
        # int p^m (-p ln p) = 1/(m+2)^2; int p^m (-(1-p) ln(1-p)) = sum_n C(m,n)(-1)^(m-n) / (m-n+2)^2
        out = []
        for mm in m:
            n = np.arange(mm + 1)
            tail = np.sum(comb(mm, n) * (-1.0) ** (mm - n) / (mm - n + 2.0) ** 2)
            out.append(2.0 * (1.0 / (mm + 2.0) ** 2 + tail))
        return np.array(out)
    if kind == "variance_ratio":
        return 6.0 / ((m + 2.0) * (m + 3.0))
    return _beta(m + 1.5, 1.5) / _beta(1.5, 1.5)


def _read(data, groups, by, caller, degree):
    if isinstance(degree, bool) or not isinstance(degree, (int, np.integer)) or degree < 0:
        raise SegindexTypeError(f"{caller}(): 'degree' must be a whole number of at least 0, got {degree!r}.")
    labels = check_labels(groups, "groups", caller, min_count=2)
    return as_counts(data, labels, by=by, caller=caller)


def _fit(p, values, kind, degree):
    ok = np.isfinite(p) & np.isfinite(values)
    if ok.sum() < degree + 1:
        return np.nan
    x, y = p[ok], values[ok]
    w = weight(x, kind)  # least squares weights w(p)^2: rows scaled by w(p)
    design = np.vander(x, degree + 1, increasing=True)
    coef, *_ = np.linalg.lstsq(design * w[:, None], y * w, rcond=None)
    return float(deltas(kind, degree) @ coef)


def compute(values, codes, n_areas, kind="information", degree=4):
    """Array-level rank-order index per area (the registry's compute)."""
    p, v = _k.threshold_indices(np.ascontiguousarray(values, dtype=np.float64), codes, n_areas, _KINDS[kind])
    return np.array([_fit(p[a], v[a], kind, int(degree)) for a in range(n_areas)])


def _index(data, groups, by, degree, kind, caller):
    counts = _read(data, groups, by, caller, degree)
    if counts.n_groups - 1 < degree + 1:
        raise SegindexValueError(
            f"{caller}(): a polynomial of degree {degree} needs at least {degree + 1} thresholds, that is "
            f"{degree + 2} ordered categories; got {counts.n_groups}. Pass a smaller degree "
            f"(degree={max(counts.n_groups - 2, 0)})."
        )
    values = compute(counts.values, counts.codes, counts.n_areas, kind, degree)
    return finish(
        values,
        counts.areas,
        counts.by,
        caller,
        caller,
        lambda k: f"fewer than {degree + 1} thresholds have people on both sides",
    )


_PARAMETERS = """Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        One row per unit, one column of counts per ordered category.
    groups : list of column names
        The categories, from the lowest to the highest.
    by : column name or list of column names, optional
        Compute per area.
    degree : int, default 4
        Degree of the polynomial fitted through the threshold values (Reardon's
        choice); it needs at least ``degree + 2`` categories. With ``degree=0``
        the index is the weighted mean of the threshold values.

    Returns
    -------
    float or pandas.Series
        The index, near [0, 1] (a fitted polynomial can stray slightly
        outside when the thresholds are few)."""


def rank_order_information(
    data: pd.DataFrame, groups: Sequence[Hashable], *, by: Hashable | Sequence[Hashable] | None = None, degree: int = 4
) -> float | pd.Series:
    r"""Reardon's rank-order information theory index :math:`H^R`.

    {parameters}

    Notes
    -----
    At threshold k, with :math:`p_k` the share at or below category k and
    :math:`H(p_k)` the binary information theory index of that split,
    a polynomial :math:`\hat H(p) = \sum_m \beta_m p^m` is fitted to the
    points :math:`(p_k, H(p_k))` by least squares with weights
    :math:`E(p_k)^2`, and

    .. math:: H^R = \frac{\int_0^1 E(p) \hat H(p)\,dp}{\int_0^1 E(p)\,dp}
              = \sum_m \beta_m \delta_m,
              \qquad E(p) = -p \ln p - (1 - p) \ln (1 - p),

    :math:`\delta_m = 2 [1/(m+2)^2 + \sum_{n=0}^m (-1)^{m-n} \binom{m}{n} / (m-n+2)^2]`
    (1, 1/2, 11/36, ...).

    References
    ----------
    Reardon, S. F. (2011). Measures of income segregation. Working paper,
    Stanford Center for Education Policy Analysis.

    Reardon, S. F. & Bischoff, K. (2011). Income inequality and income
    segregation. American Journal of Sociology 116(4), 1092-1153.

    Examples
    --------
    >>> import pandas as pd
    >>> bands = ["low", "mid", "high"]
    >>> df = pd.DataFrame({{"low": [10, 0, 0], "mid": [0, 10, 0], "high": [0, 0, 10]}})
    >>> round(rank_order_information(df, bands, degree=1), 4)  # every split complete: H(p) = 1
    1.0
    """
    return _index(data, groups, by, degree, "information", "rank_order_information")


def rank_order_variance_ratio(
    data: pd.DataFrame, groups: Sequence[Hashable], *, by: Hashable | Sequence[Hashable] | None = None, degree: int = 4
) -> float | pd.Series:
    r"""Reardon's rank-order variance ratio index :math:`R^R`.

    {parameters}

    Notes
    -----
    As :func:`rank_order_information` with the binary variance ratio
    (correlation ratio η²) :math:`R(p) = \sum_j t_j (\pi_j - p)^2 / (T p (1-p))`
    at each threshold, weights :math:`(p(1-p))^2` and

    .. math:: R^R = 6 \int_0^1 p (1 - p) \hat R(p)\,dp = \sum_m \beta_m \frac{6}{(m+2)(m+3)}

    References
    ----------
    Reardon, S. F. (2011). Measures of income segregation. Working paper,
    Stanford Center for Education Policy Analysis.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({{"low": [5, 5], "mid": [10, 10], "high": [5, 5]}})
    >>> round(rank_order_variance_ratio(df, ["low", "mid", "high"], degree=1), 4)  # same mix everywhere
    0.0
    """
    return _index(data, groups, by, degree, "variance_ratio", "rank_order_variance_ratio")


def rank_order_square_root(
    data: pd.DataFrame, groups: Sequence[Hashable], *, by: Hashable | Sequence[Hashable] | None = None, degree: int = 4
) -> float | pd.Series:
    r"""Reardon's rank-order square root index :math:`S^R` (Hutchens's index at every threshold).

    {parameters}

    Notes
    -----
    As :func:`rank_order_information` with the binary square root index
    :math:`S(p) = 1 - \sum_j t_j \sqrt{\pi_j (1 - \pi_j)} / (T \sqrt{p (1-p)})`,
    weights :math:`p(1-p)` and

    .. math:: S^R = \frac{\int_0^1 \sqrt{p(1-p)}\, \hat S(p)\,dp}{\int_0^1 \sqrt{p(1-p)}\,dp}
              = \sum_m \beta_m \frac{B(m + 3/2, 3/2)}{B(3/2, 3/2)}

    References
    ----------
    Reardon, S. F. (2011). Measures of income segregation. Working paper,
    Stanford Center for Education Policy Analysis.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({{"low": [10, 0, 0], "mid": [0, 10, 0], "high": [0, 0, 10]}})
    >>> round(rank_order_square_root(df, ["low", "mid", "high"], degree=0), 4)
    1.0
    """
    return _index(data, groups, by, degree, "square_root", "rank_order_square_root")


def rank_order_profile(data: pd.DataFrame, groups: Sequence[Hashable], *, kind: str = "information") -> pd.DataFrame:
    """The binary index at every threshold of an ordered variable, the points the rank-order indices fit.

    Parameters
    ----------
    data, groups
        As for :func:`rank_order_information`.
    kind : {"information", "variance_ratio", "square_root"}, default "information"

    Returns
    -------
    pandas.DataFrame
        One row per threshold (the category at or below which people are
        counted): ``threshold``, ``p`` (the share at or below it) and ``value``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"low": [10, 0, 0], "mid": [0, 10, 0], "high": [0, 0, 10]})
    >>> rank_order_profile(df, ["low", "mid", "high"])["value"].round(4).tolist()
    [1.0, 1.0]
    """
    caller = "rank_order_profile"
    if kind not in _KINDS:
        raise SegindexValueError(f"{caller}(): 'kind' must be one of {tuple(_KINDS)}, got {kind!r}.")
    counts = _read(data, groups, None, caller, 0)
    p, v = _k.threshold_indices(counts.values, counts.codes, 1, _KINDS[kind])
    return pd.DataFrame({"threshold": list(counts.groups[:-1]), "p": p[0], "value": v[0]})


for _f in (rank_order_information, rank_order_variance_ratio, rank_order_square_root):
    _f.__doc__ = _f.__doc__.replace("{parameters}", _PARAMETERS).replace("{{", "{").replace("}}", "}")
del _f


def _compute(kind):
    def f(values, codes, n_areas, degree=4):
        return compute(values, codes, n_areas, kind, degree)

    f.__name__ = f"rank_order_{kind}"
    return f


for _name, _kind in (
    ("rank_order_information", "information"),
    ("rank_order_variance_ratio", "variance_ratio"),
    ("rank_order_square_root", "square_root"),
):
    register(
        IndexSpec(
            name=_name,
            kind="multigroup",
            function=globals()[_name],
            compute=_compute(_kind),
            bounds=None,
            comparison="multigroup",
            options=("degree",),
            reference="Reardon 2011",
        )
    )
del _name, _kind
