"""Multiscalar segregation: divergence profiles and distortion coefficients (Olteanu, Randon-Furling & Clark 2019).

From every unit, the population is aggregated outward, nearest units first,
until it covers the whole area; at each step the Kullback-Leibler divergence of
the aggregate's composition from the area's says how far the surroundings at
that scale differ from the whole. A unit whose surroundings stay unlike the
area for long has a large *distortion coefficient*, the sum of those
divergences over the steps. The work per unit is a sort of the distances to
every unit: O(n² log n) time over all units but O(n) memory, never a dense
n × n matrix (PySAL's implementation builds one, and several n × n outputs).

Distances are between unit points in a projected CRS (see
:func:`segindex.weights.unit_points`).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from .._kernels import peers as _k
from ..counts import CRSLike, PointsLike
from ..errors import SegindexValueError
from ._peer_input import as_counts, check_frame, check_labels, unit_points
from .registry import IndexSpec, register

__all__ = ["local_distortion", "global_distortion", "divergence_profiles"]


def _read(data, groups, total, points, crs, caller):
    check_frame(data, caller)
    labels = check_labels(groups, "groups", caller, min_count=1)
    counts = as_counts(data, labels, total=total, rest=total is not None, caller=caller)
    if counts.n_groups < 2:
        raise SegindexValueError(f"{caller}(): distortion needs at least two groups (or one with total=).")
    if not counts.values.sum() > 0:
        raise SegindexValueError(f"{caller}(): the table has no population.")
    return counts, unit_points(data, points, caller=caller, crs=crs)


def local_distortion(
    data: pd.DataFrame,
    groups: Sequence[Hashable],
    *,
    total: Hashable | None = None,
    points: PointsLike = None,
    crs: CRSLike = None,
) -> pd.Series:
    r"""Distortion coefficient of every unit: how long its surroundings stay unlike the whole area.

    Parameters
    ----------
    data : geopandas.GeoDataFrame or pandas.DataFrame
        One row per unit, one column of counts per group; a geometry in a
        projected CRS or ``points``.
    groups : list of column names
        The groups.
    total : column name, optional
        Unit totals; the rest of the population counts as one more group.
    points : see :func:`segindex.weights.unit_points`
    crs : CRS-like, optional
        The CRS of ``points=`` columns of a plain DataFrame (e.g. ``27700``); a GeoDataFrame's own CRS
        is used otherwise. A geographic or missing CRS is refused.

    Returns
    -------
    pandas.Series
        :math:`\Delta_i` for every unit, aligned to ``data.index``, in nats.

    Notes
    -----
    With units sorted by distance from unit i (i first), :math:`q_k(i)` the
    group composition of the first k units and r the area's composition,

    .. math:: \Delta_i = \sum_{k=1}^{n} \sum_g q_{kg}(i) \ln \frac{q_{kg}(i)}{r_g}

    These are the raw coefficients, what PySAL's ``LocalDistortion`` gives
    with ``normalize=False``. PySAL divides by default by a constant of its
    own, the largest coefficient found in synthetic completely segregated
    landscapes it builds from concentric blocks around a few corners; divide
    by any such constant to compare places.

    References
    ----------
    Olteanu, M., Randon-Furling, J. & Clark, W. A. V. (2019). Segregation
    through the multiscalar lens. Proceedings of the National Academy of
    Sciences 116(25), 12250-12254.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"e": [0.0, 1.0], "n": [0.0, 0.0], "a": [10, 0], "b": [0, 10]})
    >>> # from either unit: itself (KL ln 2), then both (KL 0)
    >>> [round(v, 4) for v in local_distortion(df, ["a", "b"], points=("e", "n"), crs=27700)]
    [0.6931, 0.6931]
    """
    counts, xy = _read(data, groups, total, points, crs, "local_distortion")
    values = _k.distortion_coefficients(counts.values, xy)
    return pd.Series(values, index=data.index, name="local_distortion")


def global_distortion(
    data: pd.DataFrame,
    groups: Sequence[Hashable],
    *,
    total: Hashable | None = None,
    points: PointsLike = None,
    crs: CRSLike = None,
) -> float:
    r"""Population-weighted mean distortion coefficient of an area.

    Parameters
    ----------
    data, groups, total, points
        As for :func:`local_distortion`.

    Returns
    -------
    float
        :math:`\sum_i t_i \Delta_i / T`, in nats.

    Notes
    -----
    No ``by=``: every unit's surroundings extend to the whole table; select an
    area's rows to compute it alone. PySAL's ``GlobalDistortion`` with
    ``normalize=False`` gives the same number.

    References
    ----------
    Olteanu, M., Randon-Furling, J. & Clark, W. A. V. (2019). PNAS 116(25), 12250-12254.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"e": [0.0, 1.0], "n": [0.0, 0.0], "a": [10, 0], "b": [0, 10]})
    >>> round(global_distortion(df, ["a", "b"], points=("e", "n"), crs=27700), 4)
    0.6931
    """
    counts, xy = _read(data, groups, total, points, crs, "global_distortion")
    values = _k.distortion_coefficients(counts.values, xy)
    t = counts.values.sum(axis=1)
    return float(np.dot(t, values) / t.sum())


def divergence_profiles(
    data: pd.DataFrame,
    groups: Sequence[Hashable],
    *,
    origins: Sequence[Hashable] | None = None,
    total: Hashable | None = None,
    points: PointsLike = None,
    crs: CRSLike = None,
) -> pd.DataFrame:
    r"""Divergence profiles: the KL divergence of the surroundings of each origin, step by step outward.

    Parameters
    ----------
    data, groups, total, points
        As for :func:`local_distortion`.
    origins : list of index labels, optional
        The units whose profiles are wanted (rows of ``data.index``); default
        every unit, which gives n² rows.

    Returns
    -------
    pandas.DataFrame
        Tidy: ``origin``, ``step`` (1 .. n), ``unit`` (the unit added at that
        step), ``distance``, ``population`` (covered so far) and
        ``divergence``. The divergences of one origin add up to its
        :func:`local_distortion`.

    References
    ----------
    Olteanu, M., Randon-Furling, J. & Clark, W. A. V. (2019). PNAS 116(25), 12250-12254.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"e": [0.0, 1.0], "n": [0.0, 0.0], "a": [10, 0], "b": [0, 10]})
    >>> p = divergence_profiles(df, ["a", "b"], origins=[0], points=("e", "n"), crs=27700)
    >>> p["population"].tolist(), [round(v, 4) for v in p["divergence"]]
    ([10.0, 20.0], [0.6931, 0.0])
    """
    caller = "divergence_profiles"
    counts, xy = _read(data, groups, total, points, crs, caller)
    if origins is None:
        positions = np.arange(len(data))
    else:
        labels = list(origins)
        positions = data.index.get_indexer(labels)
        if (positions < 0).any():
            missing = [lab for lab, p in zip(labels, positions) if p < 0]
            raise SegindexValueError(f"{caller}(): origins {missing[:5]!r} are not in the data's index.")
    frames = []
    for i in positions:
        order, dist, pop, kl = _k.divergence_profile(counts.values, xy, int(i))
        frames.append(
            pd.DataFrame(
                {
                    "origin": data.index[i],
                    "step": np.arange(1, len(order) + 1),
                    "unit": data.index[order],
                    "distance": dist,
                    "population": pop,
                    "divergence": kl,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


register(
    IndexSpec(
        name="global_distortion",
        kind="spatial",
        function=global_distortion,
        bounds=None,
        comparison="multigroup",
        options=("points",),
        reference="Olteanu et al. 2019",
    )
)
