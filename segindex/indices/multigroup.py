"""Multigroup indices: Theil's H, mutual information M with its exact
between/within decomposition, and multigroup dissimilarity.

``groups`` lists the group columns. With ``total=`` the population not in any
listed group becomes an explicit extra group, ``"(rest)"``, so the indices
cover everyone; without it the listed groups are the whole population.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from .._kernels import multigroup as _k
from ..counts import area_codes, check_label, check_labels, missing_column_error, read_groups
from ..errors import SegindexValueError
from ._common import clamp_unit, finish, warn_absent

__all__ = [
    "entropy_index",
    "mutual_information",
    "mutual_information_decomposition",
    "mutual_information_within",
    "multigroup_dissimilarity",
]


def _area_reason(T, E):
    def reasons(k):
        if not T[k] > 0:
            return "the area has no population"
        return "only one group is present"

    return reasons


def entropy_index(
    data: pd.DataFrame,
    groups: Sequence[Hashable],
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
) -> float | pd.Series:
    r"""Theil's information theory index H.

    How much less diverse units are, on average, than the whole area, relative
    to the area's diversity: 0 when every unit has the area's composition, 1
    when every unit holds a single group.

    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        One row per unit, one column of counts per group.
    groups : list of column names
        The groups.
    total : column name, optional
        Unit totals; the population outside ``groups`` then counts as one more group.
    by : column name or list of column names, optional
        Compute per area.

    Returns
    -------
    float or pandas.Series
        H in [0, 1].

    Notes
    -----
    With city-wide shares :math:`\pi_g`, :math:`E = -\sum_g \pi_g \ln \pi_g`
    and :math:`E_i` the same within unit i,

    .. math:: H = \sum_i \frac{t_i (E - E_i)}{T E} = \frac{M}{E}

    where M is the mutual information index (:func:`mutual_information`).

    H lies in [0, 1]; a value outside it by rounding only (at most 1e-12) is
    set to the bound.

    References
    ----------
    Theil, H. & Finizza, A. J. (1971). A note on the measurement of racial
    integration of schools by means of informational concepts. Journal of
    Mathematical Sociology 1(2), 187-193.

    Reardon, S. F. & Firebaugh, G. (2002). Measures of multigroup segregation.
    Sociological Methodology 32, 33-67.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 0, 5], "B": [0, 10, 5]})
    >>> # E = ln 2; E_i = 0, 0, ln 2; H = (10 ln2 + 10 ln2 + 0) / (30 ln2)
    >>> round(entropy_index(df, ["A", "B"]), 4)
    0.6667
    """
    counts = read_groups(data, groups, total=total, by=by, caller="entropy_index")
    M, E, T = _k.mutual_information(counts.values, counts.codes, counts.n_areas)
    with np.errstate(divide="ignore", invalid="ignore"):
        H = clamp_unit(np.where(E > 0, M / np.where(E > 0, E, 1.0), np.nan))
    return finish(H, counts.areas, counts.by, "entropy_index", "entropy_index", _area_reason(T, E))


def mutual_information(
    data: pd.DataFrame,
    groups: Sequence[Hashable],
    *,
    total: Hashable | None = None,
    within: Hashable | Sequence[Hashable] | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
) -> float | pd.Series:
    r"""Mutual information index M (Theil & Finizza 1971; Mora & Ruiz-Castillo 2011).

    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        One row per unit, one column of counts per group.
    groups : list of column names
        The groups.
    total : column name, optional
        Unit totals; the population outside ``groups`` then counts as one more group.
    within : column name or list of column names, optional
        Super-units (district, state, local authority) that contain the units.
        When given, the result is the *within* part of the exact decomposition
        ``M = M_between + sum_s p_s M_s``: the population-weighted mean of M
        computed separately inside each super-unit.
        :func:`mutual_information_decomposition` returns all three parts and
        :func:`mutual_information_within` each super-unit's share.
    by : column name or list of column names, optional
        Compute per area.

    Returns
    -------
    float or pandas.Series
        M in nats (natural logarithm), between 0 and the smaller of the group
        and unit entropies.

    Notes
    -----
    With :math:`p_{ig} = c_{ig} / T`, :math:`p_{i\cdot}` and :math:`p_{\cdot g}`
    its margins,

    .. math:: M = \sum_i \sum_g p_{ig} \ln \frac{p_{ig}}{p_{i\cdot} p_{\cdot g}}

    Unlike H, M decomposes exactly into between and within parts.

    References
    ----------
    Theil, H. & Finizza, A. J. (1971). Journal of Mathematical Sociology 1(2), 187-193.

    Mora, R. & Ruiz-Castillo, J. (2011). Entropy-based segregation indices.
    Sociological Methodology 41(1), 159-194.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 0, 5], "B": [0, 10, 5], "s": ["x", "x", "y"]})
    >>> round(mutual_information(df, ["A", "B"]), 4)  # (2/3) ln 2
    0.4621
    >>> round(mutual_information(df, ["A", "B"], within="s"), 4)  # (2/3) * ln 2 + (1/3) * 0
    0.4621
    """
    caller = "mutual_information"
    if within is None:
        counts = read_groups(data, groups, total=total, by=by, caller=caller)
        M, E, T = _k.mutual_information(counts.values, counts.codes, counts.n_areas)
        return finish(M, counts.areas, counts.by, caller, caller, _area_reason(T, E))
    table = _decompose(data, groups, within, total, by, caller)
    return finish(table.within_M, table.areas, table.by, caller, caller, _area_reason(table.T, table.E))


class _Decomposition:
    """Between/within parts of M per ``by`` area (internal)."""

    def __init__(self, counts, outer_codes, areas, by, inner_codes, inner_areas, inner_outer):
        n_outer = 1 if areas is None else len(areas)
        c = counts.values
        self.areas, self.by = areas, by
        self.total_M, self.E, self.T = _k.mutual_information(c, outer_codes, n_outer)
        # the super-unit × group table, one row per (by area, super-unit)
        n_inner = len(inner_areas)
        agg = np.zeros((n_inner, c.shape[1]))
        np.add.at(agg, inner_codes, c)
        self.between_M = _k.mutual_information(
            agg, inner_outer if areas is not None else np.empty(0, np.int64), n_outer
        )[0]
        self.inner_M, self.inner_E, self.inner_T = _k.mutual_information(c, inner_codes, n_inner)
        self.inner_areas = inner_areas
        self.inner_outer = inner_outer
        outer_T = self.T[inner_outer] if n_inner else np.zeros(0)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.inner_p = self.inner_T / outer_T
        contrib = np.where(self.inner_T > 0, self.inner_p * np.nan_to_num(self.inner_M), 0.0)
        self.within_M = np.bincount(inner_outer, weights=contrib, minlength=n_outer)
        self.within_M[~(self.T > 0)] = np.nan


def _decompose(data, groups, within, total, by, caller):
    counts = read_groups(data, groups, total=total, by=by, caller=caller)
    if isinstance(within, (list, tuple)):
        within_names = check_labels(within, "within", caller)
    else:
        check_label(within, "within", caller)
        within_names = [within]
    for name in within_names:
        if name not in data.columns:
            raise missing_column_error(data, name, "'within'", caller)
    by_names = list(counts.by or [])
    overlap = set(by_names) & set(within_names)
    if overlap:
        raise SegindexValueError(
            f"{caller}(): {sorted(overlap)!r} is named in both by= and within=; "
            "within= names super-units inside each by= area."
        )
    inner_codes, inner_areas, _ = area_codes(data, by_names + within_names, caller)
    if counts.areas is None:
        inner_outer = np.zeros(len(inner_areas), dtype=np.int64)
    else:
        inner_outer = np.zeros(len(inner_areas), dtype=np.int64)
        inner_outer[inner_codes] = counts.codes
    return _Decomposition(counts, counts.codes, counts.areas, counts.by, inner_codes, inner_areas, inner_outer)


def mutual_information_decomposition(
    data: pd.DataFrame,
    groups: Sequence[Hashable],
    within: Hashable | Sequence[Hashable],
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    r"""Exact between/within decomposition of M (and the matching parts of H).

    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        One row per unit, one column of counts per group.
    groups : list of column names
        The groups.
    within : column name or list of column names
        Super-units containing the units (e.g. ``"district"``, ``"state"``).
    total : column name, optional
        Unit totals; the population outside ``groups`` then counts as one more group.
    by : column name or list of column names, optional
        Decompose separately in each area.

    Returns
    -------
    pandas.DataFrame
        Tidy: columns ``component`` (``"total"``, ``"between"``, ``"within"``),
        ``M`` and ``H``, plus the ``by`` columns. ``between + within == total``
        for M and for H, up to floating-point rounding.

    Notes
    -----
    .. math:: M(\mathbf{T}) = M(\mathbf{S}) + \sum_s p_s M(\mathbf{T}_s)

    where :math:`\mathbf{S}` is the super-unit × group table and
    :math:`\mathbf{T}_s` the units of super-unit s. H's parts are M's divided
    by the entropy E of the whole table's group margin.

    References
    ----------
    Mora, R. & Ruiz-Castillo, J. (2011). Entropy-based segregation indices.
    Sociological Methodology 41(1), 159-194.

    Elbers, B. (2021). A method for studying differences in segregation across
    time and space. Sociological Methods & Research.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 0, 5, 5], "B": [0, 10, 5, 5], "s": ["x", "x", "y", "y"]})
    >>> d = mutual_information_decomposition(df, ["A", "B"], within="s")
    >>> [round(v, 4) for v in d["M"]]  # total, between (states alike), within = 0.5 ln 2
    [0.3466, 0.0, 0.3466]
    """
    caller = "mutual_information_decomposition"
    d = _decompose(data, groups, within, total, by, caller)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_E = np.where(d.E > 0, 1.0 / np.where(d.E > 0, d.E, 1.0), np.nan)
    parts = {"total": d.total_M, "between": d.between_M, "within": d.within_M}
    frames = []
    for name, M in parts.items():
        frame = pd.DataFrame({"component": name, "M": M, "H": M * inv_E})
        if d.areas is not None:
            frame = pd.concat([d.areas.to_frame(index=False), frame], axis=1)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    if d.areas is not None:
        out = out.sort_values(list(d.by), kind="stable").reset_index(drop=True)
        # H is NaN wherever M is, and also where only one group is present
        warn_absent(d.total_M * inv_E, d.areas, d.by, caller, _area_reason(d.T, d.E))
    elif np.isnan(d.total_M[0]):
        raise SegindexValueError(f"{caller}(): the table has no population.")
    return out


def mutual_information_within(
    data: pd.DataFrame,
    groups: Sequence[Hashable],
    within: Hashable | Sequence[Hashable],
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    r"""Each super-unit's part of the within component of M.

    Parameters
    ----------
    data, groups, within, total, by
        As for :func:`mutual_information_decomposition`.

    Returns
    -------
    pandas.DataFrame
        One row per super-unit (per ``by`` area and super-unit), indexed by the
        ``by`` and ``within`` keys, with columns ``M`` (segregation inside the
        super-unit), ``p`` (its share of the population), ``H`` (its own H),
        ``entropy_ratio`` (its group entropy over the whole table's) and
        ``contribution`` (``p * M``; these add up to the within component).

    Notes
    -----
    .. math:: M_{within} = \sum_s p_s M_s, \qquad
              H_{within} = \sum_s \frac{E_s}{E} p_s H_s

    References
    ----------
    Mora, R. & Ruiz-Castillo, J. (2011). Sociological Methodology 41(1), 159-194.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 0, 5, 5], "B": [0, 10, 5, 5], "s": ["x", "x", "y", "y"]})
    >>> w = mutual_information_within(df, ["A", "B"], within="s")
    >>> w["p"].tolist()
    [0.5, 0.5]
    >>> [round(v, 4) for v in w["contribution"]]
    [0.3466, 0.0]
    """
    caller = "mutual_information_within"
    d = _decompose(data, groups, within, total, by, caller)
    E_outer = d.E[d.inner_outer]
    with np.errstate(divide="ignore", invalid="ignore"):
        H = np.where(d.inner_E > 0, d.inner_M / np.where(d.inner_E > 0, d.inner_E, 1.0), np.nan)
        ratio = d.inner_E / E_outer
    return pd.DataFrame(
        {
            "M": d.inner_M,
            "p": d.inner_p,
            "H": H,
            "entropy_ratio": ratio,
            "contribution": d.inner_p * d.inner_M,
        },
        index=d.inner_areas,
    )


def multigroup_dissimilarity(
    data: pd.DataFrame,
    groups: Sequence[Hashable],
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
) -> float | pd.Series:
    r"""Multigroup index of dissimilarity (Morgan 1975; Reardon & Firebaugh 2002).

    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        One row per unit, one column of counts per group.
    groups : list of column names
        The groups.
    total : column name, optional
        Unit totals; the population outside ``groups`` then counts as one more group.
    by : column name or list of column names, optional
        Compute per area.

    Returns
    -------
    float or pandas.Series
        D in [0, 1]; with two groups it equals the two-group D.

    Notes
    -----
    .. math:: D = \sum_g \sum_i \frac{t_i |\pi_{ig} - \pi_g|}{2 T I},
              \qquad I = \sum_g \pi_g (1 - \pi_g)

    D lies in [0, 1]; a value outside it by rounding only (at most 1e-12) is
    set to the bound.

    References
    ----------
    Morgan, B. S. (1975). The segregation of socio-economic groups in urban
    areas: a comparative analysis. Urban Studies 12(1), 47-60.

    Reardon, S. F. & Firebaugh, G. (2002). Measures of multigroup segregation.
    Sociological Methodology 32, 33-67.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 20, 30], "B": [30, 20, 10]})
    >>> round(multigroup_dissimilarity(df, ["A", "B"]), 4)  # same as two-group D
    0.3333
    """
    caller = "multigroup_dissimilarity"
    counts = read_groups(data, groups, total=total, by=by, caller=caller)
    values = clamp_unit(_k.multigroup_dissimilarity(counts.values, counts.codes, counts.n_areas))
    N, T, _ = _k.margins(counts.values, counts.codes, counts.n_areas)
    return finish(values, counts.areas, counts.by, caller, caller, _area_reason(T, None))


# ----------------------------------------------------------------------------
# registry entries (segindex.indices.registry): one array-level compute per index

from .._kernels import computes as _computes  # noqa: E402
from .._kernels import random as _random  # noqa: E402
from .registry import IndexSpec, register  # noqa: E402

register(
    IndexSpec(
        "entropy_index",
        "multigroup",
        entropy_index,
        _computes.entropy_index,
        in_table=True,
        comparison="multigroup",
        kernel_code=_random.INDEX_ENTROPY,
        reference="Theil & Finizza 1971",
    )
)
register(
    IndexSpec(
        "mutual_information",
        "multigroup",
        mutual_information,
        _computes.mutual_information,
        in_table=True,
        comparison="multigroup",
        bounds=None,
        kernel_code=_random.INDEX_MUTUAL_INFORMATION,
        reference="Theil & Finizza 1971; Mora & Ruiz-Castillo 2011",
    )
)
register(
    IndexSpec(
        "multigroup_dissimilarity",
        "multigroup",
        multigroup_dissimilarity,
        _computes.multigroup_dissimilarity,
        in_table=True,
        comparison="multigroup",
        kernel_code=_random.INDEX_MULTIGROUP_DISSIMILARITY,
        reference="Morgan 1975",
    )
)
