"""Local (per-unit) measures: location quotients and local mutual information scores."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import pandas as pd

from .._kernels import multigroup as _k
from ..counts import check_labels, read_counts

__all__ = ["location_quotients", "local_mutual_information"]


def location_quotients(
    data: pd.DataFrame,
    groups: Sequence[Hashable],
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    r"""Location quotients: each group's share of a unit over its share of the area.

    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        One row per unit, one column of counts per group.
    groups : list of column names
        The groups.
    total : column name, optional
        Unit totals. With it, shares are of the whole population (the rest of
        it counted in the denominators but given no column); without it, of
        the listed groups.
    by : column name or list of column names, optional
        Compare each unit with its own area (local authority, year) rather than
        with the whole table.

    Returns
    -------
    pandas.DataFrame
        Aligned to ``data.index``, one column per group. 1 means the unit has
        the area's share; 2 twice it. NaN for a unit with no population (its
        share is undefined) and for a group absent from the area.

    Notes
    -----
    .. math:: LQ_{ig} = \frac{c_{ig} / t_i}{C_g / T}

    References
    ----------
    Isard, W. (1960). Methods of Regional Analysis. MIT Press.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 0, 10], "B": [0, 10, 30]})
    >>> location_quotients(df, ["A", "B"])  # A is 1/3 of everyone, B 2/3
          A      B
    0  3.00  0.000
    1  0.00  1.500
    2  0.75  1.125
    """
    labels = check_labels(groups, "groups", "location_quotients")
    counts = read_counts(data, labels, total=total, by=by, rest=total is not None, caller="location_quotients")
    lq = _k.location_quotients(counts.values, counts.codes, counts.n_areas)
    return pd.DataFrame(lq[:, : len(labels)], index=data.index, columns=labels)


def local_mutual_information(
    data: pd.DataFrame,
    groups: Sequence[Hashable],
    *,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    r"""Local segregation scores of the mutual information index M.

    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        One row per unit, one column of counts per group.
    groups : list of column names
        The groups.
    total : column name, optional
        Unit totals; the population outside ``groups`` then counts as one more group.
    by : column name or list of column names, optional
        Score each unit against its own area.

    Returns
    -------
    pandas.DataFrame
        Aligned to ``data.index`` with columns ``ls`` (the unit's local score,
        NaN for a unit with no population) and ``p`` (its share of the area's
        population). ``(ls * p).sum()`` is M.

    Notes
    -----
    .. math:: ls_i = \sum_g p_{g|i} \ln \frac{p_{g|i}}{p_g}, \qquad \sum_i p_i\, ls_i = M

    References
    ----------
    Mora, R. & Ruiz-Castillo, J. (2011). Entropy-based segregation indices.
    Sociological Methodology 41(1), 159-194.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 0, 5], "B": [0, 10, 5]})
    >>> local = local_mutual_information(df, ["A", "B"])
    >>> [round(v, 4) for v in local["ls"]]  # ln 2, ln 2, 0
    [0.6931, 0.6931, 0.0]
    >>> round(float((local["ls"] * local["p"]).sum()), 4)
    0.4621
    """
    labels = check_labels(groups, "groups", "local_mutual_information")
    counts = read_counts(data, labels, total=total, by=by, rest=total is not None, caller="local_mutual_information")
    ls, p = _k.local_mutual_information(counts.values, counts.codes, counts.n_areas)
    return pd.DataFrame({"ls": ls, "p": p}, index=data.index)
