"""Multigroup evenness and diversity indices of Reardon & Firebaugh (2002), with their local forms.

Segregation indices (0 when every unit has the area's composition):
:func:`multigroup_gini`, :func:`normalised_exposure`, :func:`relative_diversity`,
:func:`squared_coefficient_of_variation`, :func:`divergence`. Diversity of the
area's composition, which segregation indices are measured against:
:func:`diversity` (Shannon entropy), :func:`simpsons_concentration`,
:func:`simpsons_interaction`; and per unit :func:`local_diversity`,
:func:`local_entropy`, :func:`local_simpsons_concentration`,
:func:`local_simpsons_interaction`.

``groups`` lists the group columns. With ``total=`` the population not in any
listed group becomes an explicit extra group, ``"(rest)"``, as for every
multigroup index of segindex.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from .._kernels import multigroup as _km
from .._kernels import peers as _k
from ._peer_input import as_counts, check_labels, finish, read_groups
from .registry import IndexSpec, register

__all__ = [
    "multigroup_gini",
    "normalised_exposure",
    "relative_diversity",
    "squared_coefficient_of_variation",
    "divergence",
    "diversity",
    "simpsons_concentration",
    "simpsons_interaction",
    "local_diversity",
    "local_entropy",
    "local_simpsons_concentration",
    "local_simpsons_interaction",
]


def _reasons(T):
    def reasons(k):
        return "the area has no population" if not T[k] > 0 else "only one group is present"

    return reasons


def _index(data, groups, total, by, caller, compute, **options):
    counts = read_groups(data, groups, total, by, caller)
    values = compute(counts.values, counts.codes, counts.n_areas, **options)
    T = _km.margins(counts.values, counts.codes, counts.n_areas)[1]
    return finish(values, counts.areas, counts.by, caller, caller, _reasons(T))


_PARAMETERS = """    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        One row per unit, one column of counts per group.
    groups : list of column names
        The groups (at least two, or one with ``total=``).
    total : column name, optional
        Unit totals; the population outside ``groups`` then counts as one more group.
    by : column name or list of column names, optional
        Compute per area; returns a Series with one value per area (NaN, with a
        warning, where the index is undefined)."""


def multigroup_gini(
    data: pd.DataFrame,
    groups: Sequence[Hashable],
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
) -> float | pd.Series:
    r"""Reardon & Firebaugh's multigroup Gini index G.

    The average absolute difference in group shares between every pair of
    people in different units, over its maximum: 0 when every unit has the
    area's composition, 1 when every unit holds one group.

    {parameters}

    Returns
    -------
    float or pandas.Series
        G in [0, 1]; with two groups it equals the two-group Gini.

    Notes
    -----
    .. math:: G = \sum_g \sum_i \sum_j \frac{t_i t_j |\pi_{ig} - \pi_{jg}|}{2 T^2 I},
              \qquad I = \sum_g \pi_g (1 - \pi_g)

    Each group's double sum is computed from one sort of the unit shares
    (O(n log n) time, O(n) memory). PySAL's ``MultiGini`` forms an n × n
    distance matrix for each group (O(n²) memory: 20,000 units need 3.2 GB);
    its values are the same.

    References
    ----------
    Reardon, S. F. & Firebaugh, G. (2002). Measures of multigroup segregation.
    Sociological Methodology 32, 33-67.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 0, 5], "B": [0, 10, 5]})
    >>> # pairs of units: |1-0| (t=10,10) and |1-.5|, |0-.5| (t=10,10): per group 2 (100 + 50 + 50) = 400
    >>> # G = 2 groups * 400 / (2 * 30^2 * 0.5)
    >>> round(multigroup_gini(df, ["A", "B"]), 4)
    0.8889
    """
    return _index(data, groups, total, by, "multigroup_gini", _k.multigroup_gini)


def normalised_exposure(
    data: pd.DataFrame,
    groups: Sequence[Hashable],
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
) -> float | pd.Series:
    r"""James's normalised exposure index P (Reardon & Firebaugh's multigroup form).

    The population-share-weighted mean of each group's correlation ratio
    (:func:`segindex.correlation_ratio`, η²): how much more each group is exposed
    to itself than its share of the area implies.

    {parameters}

    Returns
    -------
    float or pandas.Series
        P in [0, 1].

    Notes
    -----
    .. math:: P = \sum_g \sum_i \frac{t_i (\pi_{ig} - \pi_g)^2}{T (1 - \pi_g)}
              = \sum_g \pi_g \eta^2_g

    References
    ----------
    James, F. J. (1986). A new generalized "exposure-based" segregation index.
    Sociological Methods & Research 14(3), 301-316.

    Reardon, S. F. & Firebaugh, G. (2002). Sociological Methodology 32, 33-67.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 0, 5], "B": [0, 10, 5]})
    >>> # each group: sum_i t_i (pi_i - 1/2)^2 = 10/4 + 10/4 + 0 = 5; P = 2 * 5 / (30 * 1/2)
    >>> round(normalised_exposure(df, ["A", "B"]), 4)
    0.6667
    """
    return _index(data, groups, total, by, "normalised_exposure", _k.normalised_exposure)


def relative_diversity(
    data: pd.DataFrame,
    groups: Sequence[Hashable],
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
) -> float | pd.Series:
    r"""Reardon & Firebaugh's relative diversity index R (Carlson 1992).

    The share of the area's Simpson interaction (:func:`simpsons_interaction`)
    that lies between units rather than within them.

    {parameters}

    Returns
    -------
    float or pandas.Series
        R in [0, 1].

    Notes
    -----
    .. math:: R = \sum_g \sum_i \frac{t_i (\pi_{ig} - \pi_g)^2}{T I}
              = 1 - \frac{\sum_i t_i I_i}{T I}

    with :math:`I_i` the Simpson interaction inside unit i.

    References
    ----------
    Carlson, S. M. (1992). Trends in race/sex occupational inequality.
    Social Problems 39(3), 268-290.

    Reardon, S. F. & Firebaugh, G. (2002). Sociological Methodology 32, 33-67.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 0, 5], "B": [0, 10, 5]})
    >>> # I = 1/2; sum_i t_i I_i = 10 * 0 + 10 * 0 + 10 * 1/2 = 5; R = 1 - 5 / (30 * 1/2)
    >>> round(relative_diversity(df, ["A", "B"]), 4)
    0.6667
    """
    return _index(data, groups, total, by, "relative_diversity", _k.relative_diversity)


def squared_coefficient_of_variation(
    data: pd.DataFrame,
    groups: Sequence[Hashable],
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
) -> float | pd.Series:
    r"""Reardon & Firebaugh's squared coefficient of variation C.

    The mean over groups of the variance of the group's share across units,
    relative to its mean share.

    {parameters}

    Returns
    -------
    float or pandas.Series
        C in [0, 1].

    Notes
    -----
    .. math:: C = \sum_g \sum_i \frac{t_i (\pi_{ig} - \pi_g)^2}{(K - 1) T \pi_g}

    K counts the groups present in the area (with ``by=``, a group absent
    from one area does not count there; PySAL takes K as the number of
    columns, which gives the same value when every group is present).
    With two groups C equals the correlation ratio η².

    References
    ----------
    Reardon, S. F. & Firebaugh, G. (2002). Sociological Methodology 32, 33-67.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 0, 5], "B": [0, 10, 5]})
    >>> # per group 5 / (30 * 1/2) = 1/3; C = 2/3 / (2 - 1)
    >>> round(squared_coefficient_of_variation(df, ["A", "B"]), 4)
    0.6667
    """
    return _index(data, groups, total, by, "squared_coefficient_of_variation", _k.squared_coefficient_of_variation)


def _divergence(values, codes, n_areas):
    return _km.mutual_information(values, codes, n_areas)[0]


def divergence(
    data: pd.DataFrame,
    groups: Sequence[Hashable],
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
) -> float | pd.Series:
    r"""Roberto's divergence index D: the information lost by assuming every unit has the area's composition.

    {parameters}

    Returns
    -------
    float or pandas.Series
        D in nats, between 0 and the area's entropy :func:`diversity`.

    Notes
    -----
    .. math:: D = \sum_i \frac{t_i}{T} \sum_g \pi_{ig} \ln \frac{\pi_{ig}}{\pi_g}

    the population-weighted Kullback-Leibler divergence of each unit's
    composition from the area's. It is the same number as the mutual
    information index M (:func:`segindex.mutual_information`), which segindex
    computes with the same kernel; Roberto (2015) derives it as a relative
    entropy and decomposes it across scales as M is.

    References
    ----------
    Roberto, E. (2015). The divergence index: a decomposable measure of
    segregation and inequality. arXiv:1508.01167.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 0, 5], "B": [0, 10, 5]})
    >>> round(divergence(df, ["A", "B"]), 4)  # (2/3) ln 2
    0.4621
    """
    return _index(data, groups, total, by, "divergence", _divergence)


def diversity(
    data: pd.DataFrame,
    groups: Sequence[Hashable],
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    normalise: bool = False,
) -> float | pd.Series:
    r"""Shannon entropy E of the area's composition (Theil 1972), or E / ln K.

    Not a segregation index: the diversity of the whole population, against
    which the entropy index H measures segregation (H = M / E).

    {parameters}
    normalise : bool, default False
        Divide by ln K, K the number of groups (the columns, including
        ``"(rest)"``), so that the result lies in [0, 1].

    Returns
    -------
    float or pandas.Series
        E in nats, in [0, ln K].

    Notes
    -----
    .. math:: E = -\sum_g \pi_g \ln \pi_g

    References
    ----------
    Theil, H. (1972). Statistical Decomposition Analysis. Amsterdam: North-Holland.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 0, 5], "B": [0, 10, 5]})
    >>> round(diversity(df, ["A", "B"]), 4)  # ln 2
    0.6931
    >>> round(diversity(df, ["A", "B"], normalise=True), 4)
    1.0
    """
    if not isinstance(normalise, (bool, np.bool_)):
        from ..errors import SegindexTypeError

        raise SegindexTypeError(f"diversity(): 'normalise' must be True or False, got {normalise!r}.")
    return _index(data, groups, total, by, "diversity", _k.diversity, normalise=bool(normalise))


def simpsons_concentration(
    data: pd.DataFrame,
    groups: Sequence[Hashable],
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
) -> float | pd.Series:
    r"""Simpson's concentration λ: the chance that two people drawn at random belong to the same group.

    {parameters}

    Returns
    -------
    float or pandas.Series
        λ in [1/K, 1]; ``simpsons_concentration + simpsons_interaction == 1``.

    Notes
    -----
    .. math:: \lambda = \sum_g \pi_g^2

    References
    ----------
    Simpson, E. H. (1949). Measurement of diversity. Nature 163, 688.

    Reardon, S. F. & Firebaugh, G. (2002). Sociological Methodology 32, 33-67.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [30, 0], "B": [0, 10]})
    >>> round(simpsons_concentration(df, ["A", "B"]), 4)  # 0.75^2 + 0.25^2
    0.625
    """
    return _index(data, groups, total, by, "simpsons_concentration", _k.simpsons_concentration)


def simpsons_interaction(
    data: pd.DataFrame,
    groups: Sequence[Hashable],
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
) -> float | pd.Series:
    r"""Simpson's interaction I: the chance that two people drawn at random belong to different groups.

    {parameters}

    Returns
    -------
    float or pandas.Series
        I in [0, 1 - 1/K].

    Notes
    -----
    .. math:: I = \sum_g \pi_g (1 - \pi_g) = 1 - \lambda

    It is the denominator of the multigroup D, G and R.

    References
    ----------
    Reardon, S. F. & Firebaugh, G. (2002). Sociological Methodology 32, 33-67.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [30, 0], "B": [0, 10]})
    >>> round(simpsons_interaction(df, ["A", "B"]), 4)  # 2 * 0.75 * 0.25
    0.375
    """
    return _index(data, groups, total, by, "simpsons_interaction", _k.simpsons_interaction)


# ----------------------------------------------------------------------------
# local (per unit) forms: they depend on each unit's own composition only, so
# there is no by= (an area changes nothing)

_LOCAL_PARAMETERS = """    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        One row per unit, one column of counts per group.
    groups : list of column names
        The groups.
    total : column name, optional
        Unit totals; the population outside ``groups`` then counts as one more group.

    Returns
    -------
    pandas.Series
        One value per unit, aligned to ``data.index``; NaN for a unit with no
        population. (No ``by=``: the value depends on the unit alone.)"""


def _local(data, groups, total, caller, kind):
    labels = check_labels(groups, "groups", caller, min_count=1)
    counts = as_counts(data, labels, total=total, rest=total is not None, caller=caller)
    return counts, pd.Series(_k.unit_shares(counts.values, kind), index=data.index, name=caller)


def local_diversity(data: pd.DataFrame, groups: Sequence[Hashable], *, total: Hashable | None = None) -> pd.Series:
    r"""Shannon entropy of each unit's composition, :math:`E_i = -\sum_g \pi_{ig} \ln \pi_{ig}`.

    {parameters}

    Notes
    -----
    PySAL's ``MultiLocalDiversity`` gives 0 for a unit with no population;
    segindex gives NaN (an empty unit has no composition).

    References
    ----------
    Theil, H. (1972). Statistical Decomposition Analysis. Amsterdam: North-Holland.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 5], "B": [0, 5]})
    >>> [round(v, 4) for v in local_diversity(df, ["A", "B"])]
    [0.0, 0.6931]
    """
    return _local(data, groups, total, "local_diversity", 0)[1]


def local_entropy(data: pd.DataFrame, groups: Sequence[Hashable], *, total: Hashable | None = None) -> pd.Series:
    r"""Each unit's entropy over its maximum, :math:`E_i / \ln K` (Reardon & O'Sullivan 2004, eq. 6).

    {parameters}

    Notes
    -----
    K is the number of groups (columns, including ``"(rest)"``).

    References
    ----------
    Reardon, S. F. & O'Sullivan, D. (2004). Measures of spatial segregation.
    Sociological Methodology 34, 121-162.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 5], "B": [0, 5]})
    >>> [round(v, 4) for v in local_entropy(df, ["A", "B"])]
    [0.0, 1.0]
    """
    counts, values = _local(data, groups, total, "local_entropy", 0)
    K = counts.n_groups
    return values / np.log(K) if K > 1 else values * np.nan


def local_simpsons_concentration(
    data: pd.DataFrame, groups: Sequence[Hashable], *, total: Hashable | None = None
) -> pd.Series:
    r"""Simpson's concentration of each unit, :math:`\lambda_i = \sum_g \pi_{ig}^2`.

    {parameters}

    References
    ----------
    Reardon, S. F. & Firebaugh, G. (2002). Sociological Methodology 32, 33-67.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 5], "B": [0, 5]})
    >>> [round(v, 4) for v in local_simpsons_concentration(df, ["A", "B"])]
    [1.0, 0.5]
    """
    return _local(data, groups, total, "local_simpsons_concentration", 1)[1]


def local_simpsons_interaction(
    data: pd.DataFrame, groups: Sequence[Hashable], *, total: Hashable | None = None
) -> pd.Series:
    r"""Simpson's interaction of each unit, :math:`I_i = \sum_g \pi_{ig} (1 - \pi_{ig})`.

    {parameters}

    References
    ----------
    Reardon, S. F. & Firebaugh, G. (2002). Sociological Methodology 32, 33-67.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 5], "B": [0, 5]})
    >>> [round(v, 4) for v in local_simpsons_interaction(df, ["A", "B"])]
    [0.0, 0.5]
    """
    return _local(data, groups, total, "local_simpsons_interaction", 2)[1]


for _f in (
    multigroup_gini,
    normalised_exposure,
    relative_diversity,
    squared_coefficient_of_variation,
    divergence,
    diversity,
    simpsons_concentration,
    simpsons_interaction,
):
    _f.__doc__ = _f.__doc__.replace("{parameters}", _PARAMETERS.strip("\n").lstrip())
for _f in (local_diversity, local_entropy, local_simpsons_concentration, local_simpsons_interaction):
    _f.__doc__ = _f.__doc__.replace("{parameters}", _LOCAL_PARAMETERS.strip("\n").lstrip())
del _f


def _diversity_compute(values, codes, n_areas, normalise=False):
    return _k.diversity(values, codes, n_areas, bool(normalise))


_R = "Reardon & Firebaugh 2002"
register(
    IndexSpec(
        name="multigroup_gini",
        kind="multigroup",
        function=multigroup_gini,
        compute=_k.multigroup_gini,
        comparison="multigroup",
        reference=_R,
    )
)
register(
    IndexSpec(
        name="normalised_exposure",
        kind="multigroup",
        function=normalised_exposure,
        compute=_k.normalised_exposure,
        comparison="multigroup",
        reference="James 1986; " + _R,
    )
)
register(
    IndexSpec(
        name="relative_diversity",
        kind="multigroup",
        function=relative_diversity,
        compute=_k.relative_diversity,
        comparison="multigroup",
        reference="Carlson 1992; " + _R,
    )
)
register(
    IndexSpec(
        name="squared_coefficient_of_variation",
        kind="multigroup",
        function=squared_coefficient_of_variation,
        compute=_k.squared_coefficient_of_variation,
        comparison="multigroup",
        reference=_R,
    )
)
register(
    IndexSpec(
        name="divergence",
        kind="multigroup",
        function=divergence,
        compute=_divergence,
        bounds=None,
        comparison="multigroup",
        reference="Roberto 2015",
    )
)
register(
    IndexSpec(
        name="diversity",
        kind="multigroup",
        function=diversity,
        compute=_diversity_compute,
        bounds=None,
        comparison="multigroup",
        higher_is_more_segregated=False,
        options=("normalise",),
        reference="Theil 1972",
    )
)
register(
    IndexSpec(
        name="simpsons_concentration",
        kind="multigroup",
        function=simpsons_concentration,
        compute=_k.simpsons_concentration,
        comparison="multigroup",
        reference="Simpson 1949; " + _R,
    )
)
register(
    IndexSpec(
        name="simpsons_interaction",
        kind="multigroup",
        function=simpsons_interaction,
        compute=_k.simpsons_interaction,
        comparison="multigroup",
        higher_is_more_segregated=False,
        reference=_R,
    )
)
