r"""Inference for segregation indices: small-unit bias, randomisation tests, bootstrap.

Segregation indices computed over small units (output areas of ~300 people,
schools of 30 to 2,000 pupils) or for small groups are biased upward: with no
segregation at all, random allocation of people to units still gives D well
above zero. A difference between two years, or between schools and
neighbourhoods, means nothing without an interval.

* :func:`infer` with ``method="randomisation"`` (Carrington & Troske 1997):
  the expected index under random allocation, the corrected index and a
  one-sided randomisation p-value.
* :func:`infer` with ``method="bootstrap"`` (Allen, Burgess, Davidson &
  Windmeijer 2015): bias-corrected estimate, standard error and interval.
* :func:`infer_difference`: bootstrap of the difference (or ratio) of an
  index between two tables (schools and neighbourhoods, two years, two areas).

The spatial indices (Morrill, Wong, spatial isolation and information, distance
decay) go through the same entry point: their counts are redrawn in the same
kernels, and their neighbour structure (cells, pairs within the support and
kernel weights; contiguity or boundary weights) is built once, each draw being
one compiled pass over it.

Draws run in numba kernels, in parallel over draws; each draw is seeded from
``numpy.random.default_rng(random_state)``, so the same ``random_state`` gives
the same draws for any number of threads. Only the per-draw statistics are
kept, never the redrawn tables.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np
import pandas as pd

from . import _engine
from ._kernels import validate as _kv
from ._resampling import (
    Inference,
    Problem,
    Progress,
    check_options,
    default_rng,
    groups_problem,
    run,
    run_difference,
    seeds_for,
    two_group_problem,
    whole_counts,
    work_of,
)
from .counts import read_groups, read_pair
from .decomposition import counterfactual_counts
from .errors import SegindexTypeError, SegindexValueError
from .indices import registry

__all__ = ["Inference", "infer", "infer_difference", "INFERENCE_INDICES"]

#: Names accepted by :func:`infer`: every registered index (a view of :mod:`segindex.indices.registry`).
INFERENCE_INDICES = registry.names()
Inference.__module__ = __name__  # documented and imported as segindex.inference.Inference


def _as_array(value, n_areas):
    if isinstance(value, pd.Series):
        return value.to_numpy(dtype=float)
    return np.full(n_areas, float(value))


def _bind(func, name, data, args, kwargs, caller):
    """The index's arguments bound to its signature, defaults applied."""
    try:
        bound = inspect.signature(func).bind(data, *args, **kwargs)
    except TypeError as exc:
        raise SegindexTypeError(f"{caller}(): the arguments do not fit {name}(): {exc}.") from None
    bound.apply_defaults()
    return bound


def _spatial_problem(spec, data, args, kwargs, caller) -> Problem:
    """A spatial index: its counts are redrawn, and the index recomputed on each table by its own function.

    Each unit's size is kept (randomisation and bootstrap alike), so a
    ``total`` column stays as it is; the group columns (``group`` and
    ``other``, or ``groups``) are replaced by the drawn counts in a shallow
    copy of ``data`` (the input is never modified).
    """
    from .counts import read_counts

    func, name = spec.function, spec.name
    bound = _bind(func, name, data, args, kwargs, caller)
    a = bound.arguments
    if a.get("by") is not None:
        raise SegindexTypeError(
            f"{caller}(): the arguments do not fit {name}() here: by= is not supported for the spatial indices "
            "in infer(); call infer on each area's rows."
        )
    statistic = func(*bound.args, **bound.kwargs)  # every argument check of the index, and its value
    total = a.get("total")
    if "groups" in a:
        counts = read_counts(data, a["groups"], total=total, rest=total is not None, caller=name)
        columns = list(counts.groups)
        src, labels = counts.values, [repr(g) for g in columns]
        replace = [g for g in columns if g in data.columns]
    else:
        group, other = a["group"], a["other"]
        pair = read_pair(data, group, other, total, None, name, need_t=other is None or total is not None)
        if other is None:
            src = np.column_stack([pair.x, _kv.remainder(pair.t, pair.x)])
            labels, replace = [repr(group), f"rest ({total!r} minus {group!r})"], [group]
        elif total is None:
            src = np.column_stack([pair.x, pair.y])
            labels, replace = [repr(group), repr(other)], [group, other]
        else:
            src = np.column_stack([pair.x, pair.y, _kv.remainder(pair.t, pair.x + pair.y)])
            labels, replace = [repr(group), repr(other), f"rest of {total!r}"], [group, other]

    def recompute(table):
        drawn = data.copy(deep=False)
        for j, column in enumerate(replace):
            drawn[column] = table[:, j]
        try:
            return func(drawn, *bound.args[1:], **bound.kwargs)
        except SegindexValueError:  # e.g. a draw left a group with no members
            return np.nan

    src = whole_counts(np.ascontiguousarray(src, dtype=float), labels, caller)
    batch = None
    if name == "spatial_information":  # the neighbour structure once, one compiled pass per draw
        from .indices.spatial import information_draws

        batch = information_draws(
            data,
            a["groups"],
            bandwidths=[a["bandwidth"]],
            total=total,
            kernel=a["kernel"],
            points=a["points"],
            crs=a["crs"],
            truncate=a["truncate"],
            bin_size=a["bin_size"],
            caller=name,
        )[2]
    elif name in ("spatial_isolation", "distance_decay_isolation", "distance_decay_exposure"):
        from .indices.spatial import share_draws

        batch = share_draws(name, a, name)
    elif name in ("morrill_dissimilarity", "boundary_dissimilarity", "perimeter_area_dissimilarity"):
        from .indices.spatial import adjacency_draws

        batch = adjacency_draws(name, a, name)
    return Problem(
        name=name,
        src=src,
        codes=np.empty(0, dtype=np.int64),
        n_areas=1,
        areas=None,
        by=None,
        param=0.0,
        statistic=_as_array(statistic, 1),
        higher_is_more_segregated=spec.higher_is_more_segregated,
        corrected_defined=spec.corrected_defined,
        count=np.array([float(src[:, 0].sum() if "groups" not in a else src.sum())]),
        recompute=recompute if batch is None else None,
        batch=batch,
    )


def _problem(spec, data, args, kwargs, caller) -> Problem:
    """Validate through the public index itself, then read its columns once."""
    if spec.kind == "spatial":
        return _spatial_problem(spec, data, args, kwargs, caller)
    name = spec.name
    bound = _bind(spec.function, name, data, args, kwargs, caller)
    a = bound.arguments
    if a.get("within") is not None:
        raise SegindexValueError(
            f"{caller}(): within= (the within part of M) is not supported; draw M on the whole table, "
            "or call infer() on each super-unit's rows."
        )
    statistic = spec.function(*bound.args, **bound.kwargs)  # every argument check of the index, and its value
    by = a.get("by")
    options = {k: a[k] for k in spec.options if k in a}
    if spec.kind == "multigroup":
        counts = read_groups(data, a["groups"], total=a["total"], by=by, caller=name)
        problem = groups_problem(
            spec,
            counts.values,
            counts.codes,
            counts.n_areas,
            areas=counts.areas,
            by=counts.by,
            options=options,
            labels=[repr(g) for g in counts.groups],
            caller=caller,
        )
    else:
        group, total, other = a["group"], a.get("total"), a.get("other")
        if spec.comparison == "none":
            pair = read_pair(data, group, None, total, by, name, need_y=False, need_t=True)
            y = None
        else:
            pair = read_pair(data, group, other, total, by, name, need_t=spec.comparison == "group")
            y = pair.y if other is not None else None
        rest = f"rest ({total!r} minus {group!r})"
        labels = (
            repr(group),
            repr(other) if other is not None else rest,
            rest if other is None else f"rest of {total!r}",
        )
        problem = two_group_problem(
            spec,
            pair.x,
            y,
            pair.t if pair.t is not None else None,
            pair.codes,
            pair.n_areas,
            areas=pair.areas,
            by=pair.by,
            options=options,
            labels=labels,
            caller=caller,
        )
    # the index as its public function gives it (the same numbers; bounded values kept in range)
    return _with_statistic(problem, _as_array(statistic, problem.n_areas))


def _with_statistic(problem, statistic):
    from dataclasses import replace

    return replace(problem, statistic=statistic)


def infer(
    index: str | Callable,
    data: pd.DataFrame,
    *index_args: object,
    method: str = "randomisation",
    n_draws: int = 999,
    random_state: int | np.random.Generator | np.random.SeedSequence | None = None,
    ci: float = 0.95,
    allocation: str = "binomial",
    progress: bool | None = None,
    client: object | None = None,
    block_size: int | None = None,
    **index_kwargs: object,
) -> Inference:
    r"""Randomisation test or bootstrap of a segregation index.

    Parameters
    ----------
    index : str or callable
        Any index of the registry (:mod:`segindex.indices.registry`), by name
        or as its public function: ``"dissimilarity"``, ``"gini"``,
        ``"atkinson"``, ``"isolation"``, ``"exposure"``,
        ``"correlation_ratio"``, ``"entropy_index"``,
        ``"mutual_information"``, ``"multigroup_dissimilarity"``, the spatial
        indices ``"morrill_dissimilarity"``, ``"boundary_dissimilarity"``,
        ``"perimeter_area_dissimilarity"``, ``"spatial_isolation"``,
        ``"spatial_information"``, ``"distance_decay_isolation"``,
        ``"distance_decay_exposure"``, and any index registered since (see
        :data:`INFERENCE_INDICES`). Indices with a kernel code are drawn
        inside the compiled kernels; the spatial indices in one compiled pass
        over their neighbour structure, built once (see Notes); the others
        are recomputed by their array-level compute on each redrawn table.
    data : pandas.DataFrame or geopandas.GeoDataFrame
        One row per unit, one column of counts (whole people) per group.
    *index_args, **index_kwargs
        The index's own arguments, exactly as for the index function
        (``group``, ``other``, ``groups``, ``total=``, ``by=``, ``b=``,
        ``w=``, ``bandwidth=``, ``points=`` ...). ``within=`` is not
        supported.
    method : {"randomisation", "bootstrap"}, default "randomisation"
        ``"randomisation"``: the index under random allocation of people to
        units, keeping each unit's size (Carrington & Troske 1997).
        ``"bootstrap"``: each unit's counts redrawn from its observed
        composition (Allen et al. 2015).
    n_draws : int, default 999
        Number of draws.
    random_state : None, int, numpy.random.Generator or numpy.random.SeedSequence
        Seeds the draws. The same value gives the same draws for any number
        of threads.
    ci : float, default 0.95
        Coverage of the bootstrap interval.
    allocation : {"binomial", "hypergeometric"}, default "binomial"
        Randomisation only. ``"binomial"``: each unit's row is multinomial
        with the area-wide shares (two groups: ``x_i ~ Binomial(t_i, P)``).
        ``"hypergeometric"``: the area's people are dealt into the units at
        random, so group totals are kept too (slower: its cost grows with the
        number of people, not of units).
    progress : None or bool
        ``None`` (default): a progress bar (tqdm) on stderr when stderr is a
        terminal and the draws have run for about 2 seconds, with an estimate
        of the time left for the whole run. ``True``: the bar at once on a
        terminal; when stderr is not a terminal (a log file), one line when the
        draws start and one when they end. ``False``: nothing.
    client : dask.distributed.Client, optional
        Run the draws on a Dask cluster (any running scheduler, a
        ``LocalCluster``, a SLURM cluster from ``dask-jobqueue``): the data is
        sent to every worker once, and each block of draws is one task
        (retried if its worker is lost). The result is the local one, bit for
        bit, for any number of workers and any ``block_size`` (each draw has
        its own seed). Needs ``pip install 'segindex-toolkit[dask]'``. Default: the
        draws run here, in parallel threads.
    block_size : int, optional
        Draws per block: per task with ``client`` (default: about four blocks
        per worker), per chunk here. Never changes the result.

    Returns
    -------
    Inference
        Frozen dataclass with ``value``; for the randomisation test
        ``expected``, ``corrected`` and ``p_value``; for the bootstrap
        ``bias_corrected``, ``bootstrap_mean``, ``se``, ``ci_low`` and
        ``ci_high``; ``draws`` and ``to_frame()``. With ``by`` the fields
        are arrays with one value per area (see :class:`Inference`); an area
        where a group is absent is NaN, with the index's own warning. The
        bootstrap interval is centred on ``bias_corrected``, not on ``value``:
        small units bias the measured index upward, so the measured value may
        lie above the interval.

    Raises
    ------
    SegindexValueError
        Unknown index name (the message lists the valid ones), ``n_draws < 1``,
        ``ci`` outside (0, 1), unknown ``method`` or ``allocation``, counts
        that are not whole numbers, or any error of the index itself.
    SegindexTypeError
        ``random_state`` or another option of the wrong type.

    Notes
    -----
    Randomisation: with draws :math:`D^*_r`, :math:`D^* = \bar{D^*}` and

    .. math:: \tilde D = \frac{D - D^*}{1 - D^*} \;(D \ge D^*), \qquad
              \tilde D = \frac{D - D^*}{D^*} \;(D < D^*),

    (NaN below a :math:`D^*` that is not positive, as the spatial information
    index H̃ can be), and the p-value :math:`(k + 1)/(R + 1)` with
    :math:`k = \#\{D^*_r \ge D\}`
    (up to a relative tolerance of 1e-12, so exact ties count).

    The spatial indices keep their geometry and points: their neighbour
    structure is built once and each redrawn table costs one compiled pass
    over it, in parallel over draws (the numbers of the index's own function
    on that table, to 1e-12 relative). The local environment of H̃, spatial
    isolation and distance decay is linear in the counts: the cells, the
    pairs of cells within the support and their kernel weights are stored
    (12 bytes a pair); past 60 million pairs (no ``bin_size`` at a large
    bandwidth), and for binned spatial isolation (its cell centres are
    weighted by the drawn counts), the index is recomputed by its function on
    each table instead. Morrill's and Wong's indices keep their weights
    (given as ``w=`` or built once from the polygons). The two-group and
    multigroup indices run inside the compiled draw kernels. People are redrawn among the units as above, so the
    randomisation null is aspatial: no segregation at all, not merely no
    spatial pattern.

    Bootstrap: :math:`D_{bc} = 2\hat D - \overline{\hat D^*}`, the standard
    error is the sd of the draws, and the interval is
    :math:`[2\hat D - q_{1-\alpha/2}, 2\hat D - q_{\alpha/2}]` from the
    quantiles q of the draws (the percentile interval moved by the estimated
    bias, so that it is centred on :math:`D_{bc}`; the plain percentile
    interval inherits the upward bias twice and covers the true value too
    rarely in small units).

    References
    ----------
    Carrington, W. J. & Troske, K. R. (1997). On measuring segregation in
    samples with small units. Journal of Business & Economic Statistics
    15(4), 402-409.

    Allen, R., Burgess, S., Davidson, R. & Windmeijer, F. (2015). More
    reliable inference for the dissimilarity index of segregation. The
    Econometrics Journal 18(1), 40-66.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [5, 0, 3, 9], "B": [5, 10, 7, 1]})
    >>> r = infer("dissimilarity", df, "A", "B", n_draws=199, random_state=1)
    >>> round(r.value, 4)  # (|5/17 - 5/23| + 10/23 + |3/17 - 7/23| + |9/17 - 1/23|) / 2
    0.5627
    >>> 0.0 < r.expected < r.value  # D* > 0 with no segregation at all
    True
    >>> b = infer("dissimilarity", df, "A", "B", method="bootstrap", n_draws=199, random_state=1)
    >>> bool(b.ci_low < b.bias_corrected < b.ci_high)  # the interval is centred on the bias-corrected D
    True
    """
    caller = "infer"
    check_options(caller, method, n_draws, ci, allocation, random_state, progress)
    client = _engine.check_client(client, caller)
    block_size = _engine.check_block_size(block_size, caller)
    spec = registry.get(index, caller)
    problem = _problem(spec, data, index_args, index_kwargs, caller)
    rng = default_rng(random_state, caller)
    with Progress(f"{caller}({spec.name})", work_of(problem, int(n_draws)), int(n_draws), progress) as shown:
        return run(
            problem,
            method,
            int(n_draws),
            rng,
            float(ci),
            allocation,
            shown,
            caller,
            random_state,
            client=client,
            block_size=block_size,
        )


def infer_difference(
    index: str | Callable,
    data_a: pd.DataFrame,
    data_b: pd.DataFrame,
    *index_args: object,
    n_draws: int = 999,
    random_state: int | np.random.Generator | np.random.SeedSequence | None = None,
    ci: float = 0.95,
    contrast: str = "difference",
    progress: bool | None = None,
    client: object | None = None,
    block_size: int | None = None,
    null: str | None = None,
    **index_kwargs: object,
) -> Inference:
    r"""Bootstrap of the difference (or ratio) of an index between two tables, or its counterfactual test.

    Schools against neighbourhoods, two census years, two areas: each table
    is resampled independently (each unit's counts from its observed
    composition, as in :func:`infer` with ``method="bootstrap"``) and the
    index is recomputed on both.

    Parameters
    ----------
    index : str or callable
        As for :func:`infer`.
    data_a, data_b : pandas.DataFrame
        The two tables. The index's arguments must fit both (same column names).
    *index_args, **index_kwargs
        The index's own arguments. With ``by`` both tables must have the same areas.
    n_draws, random_state, ci, progress, client, block_size
        As for :func:`infer`.
    contrast : {"difference", "ratio"}, default "difference"
        ``index(a) - index(b)`` or ``index(a) / index(b)``.
    null : {None, "composition", "share", "dual_composition"}, default None
        Keyword only. None: the bootstrap above. Otherwise the counterfactual
        test of the difference of Rey, Cortes & Knaap (2021) under that null
        (see Notes), for a two-group index of ``group`` against the
        rest of the population, called as ``infer_difference(index, data_a,
        data_b, group, total=..., null=...)``; ``contrast`` must be
        ``"difference"``, and ``by``, ``other``, ``client`` and ``block_size``
        are not taken.

    Returns
    -------
    Inference
        ``value`` is the observed contrast; ``bootstrap_mean`` the bootstrap
        mean of the contrast; ``bias_corrected`` the contrast of the two
        bias-corrected estimates (difference) or ``2 r - mean(r*)`` (ratio),
        the centre of the interval (the observed contrast may lie outside it);
        ``se``, ``ci_low``, ``ci_high`` as in :func:`infer`; ``p_value`` the
        two-sided bootstrap p-value of no difference (ratio 1):
        ``min(1, 2 min(k_lo + 1, k_hi + 1)/(R + 1))`` with ``k_lo, k_hi`` the
        reflected draws ``2 s - s*`` at or below and at or above the null value
        (the test that matches the interval).

        With ``null``: ``value`` the observed difference, ``draws`` the
        differences drawn under the null, ``expected`` their mean, ``p_value``
        the two-sided test ``min(1, 2 min(k_lo + 1, k_hi + 1)/(R + 1))`` with
        ``k_lo, k_hi`` the draws at or below and at or above ``value``;
        ``method`` is ``"counterfactual"`` and ``allocation`` the null; the
        bootstrap fields are NaN.

    Raises
    ------
    SegindexValueError
        As for :func:`infer`; an unknown ``contrast``; different areas in the
        two tables; an unknown ``null`` (the message names the options), or a
        ``null`` with a multigroup or spatial index, ``by``, ``other``, no ``total``, a
        ratio, ``client`` or ``block_size``.

    Notes
    -----
    For the difference :math:`\Delta = D_a - D_b` the draws are
    :math:`\Delta^*_r = D^*_{a,r} - D^*_{b,r}` and the bias-corrected
    difference is :math:`(2 D_a - \bar D^*_a) - (2 D_b - \bar D^*_b)`.

    **Counterfactual nulls** (Rey, Cortes & Knaap 2021). Let :math:`a'` be
    ``data_a``'s units with ``data_b``'s distribution of the group, and
    :math:`b'` the converse, built by
    :func:`segindex.decomposition.counterfactual_counts` with ``approach=null``
    (``"composition"``: the group's share of each unit; ``"share"``: each
    group's share of its city-wide total; ``"dual_composition"``: the group's
    and the rest's shares of each unit). Draw ``r`` flips one fair coin per
    unit of each table: a unit of ``data_a`` keeps its observed group count
    and total, or takes those of :math:`a'` (both together), and likewise for
    ``data_b`` with :math:`b'`; the draw is the index on the mixed ``a`` minus
    the index on the mixed ``b``. Under the null that the two tables share
    their distribution of the group, swapping distributions changes nothing,
    so the observed difference is typical of the draws; when the
    distributions differ, the mixing pulls both tables halfway towards each
    other and the observed difference lies in a tail. Draw ``r`` takes its
    coins from its own generator, ``numpy.random.default_rng(seed_r)`` with
    ``seed_r`` drawn from ``random_state``, so the draws are reproducible.

    PySAL ``segregation``'s ``TwoValueTest(null_approach="composition" |
    "share" | "dual_composition")`` draws the same coins, and for
    ``"composition"`` (where the totals do not change) its null distribution is
    the same as this one. For ``"share"`` and ``"dual_composition"`` it sets
    every unit's total to the counterfactual total before the coins, so a unit
    that keeps its observed group count is paired with the counterfactual
    total (the count may then exceed the total); here a unit keeps or swaps its
    count and its total together. PySAL's coins come from NumPy's global
    generator (not reproducible under parallel jobs) and its p-value is
    ``2 min(#{Δ* > Δ}, #{Δ* < Δ}) / R``, without the +1 of the p-value here,
    which cannot be 0.

    *Calibration.* The draws keep each table's units fixed and vary only which
    distribution each unit takes; they leave out the sampling variation of two
    tables drawn from one process. In simulations of that case (two tables of
    30 units from the same process, 20 seeds, 99 draws) about 45% of the
    p-values fell below 0.05 under each null, and PySAL's test did the same.
    Read the p-value as how far the observed difference lies from the
    swapped-distribution draws, not as a test at its nominal size; for an
    interval of the difference use the bootstrap (``null=None``).

    References
    ----------
    Allen, R., Burgess, S., Davidson, R. & Windmeijer, F. (2015). The
    Econometrics Journal 18(1), 40-66.

    Burgess, S., Wilson, D. & Lupton, R. (2005). Parallel lives? Ethnic
    segregation in schools and neighbourhoods. Urban Studies 42(7), 1027-1056.

    Rey, S. J., Cortes, R. & Knaap, E. (2021). Comparative spatial segregation
    analytics. Spatial Demography 9, 31-64.

    Examples
    --------
    >>> import pandas as pd
    >>> schools = pd.DataFrame({"A": [40, 2, 30, 1], "B": [10, 50, 20, 60]})
    >>> wards = pd.DataFrame({"A": [30, 10, 25, 8], "B": [20, 40, 25, 50]})
    >>> r = infer_difference("dissimilarity", schools, wards, "A", "B", n_draws=199, random_state=3)
    >>> round(r.value, 4)  # D(schools) - D(wards)
    0.3245
    >>> bool(r.ci_low > 0)
    True
    >>> a = pd.DataFrame({"g": [9, 8, 1, 0, 9, 1], "t": [10, 10, 10, 10, 10, 10]})
    >>> b = pd.DataFrame({"g": [5, 4, 6, 5, 4, 5], "t": [10, 10, 10, 10, 10, 10]})
    >>> r = infer_difference("dissimilarity", a, b, "g", total="t", null="composition", n_draws=199, random_state=0)
    >>> round(r.value, 4), bool(r.p_value < 0.05)
    (0.6923, True)
    """
    caller = "infer_difference"
    if null is not None:
        return _counterfactual_difference(
            index,
            data_a,
            data_b,
            index_args,
            index_kwargs,
            null,
            n_draws,
            random_state,
            ci,
            contrast,
            progress,
            client,
            block_size,
        )
    check_options(caller, "bootstrap", n_draws, ci, "binomial", random_state, progress)
    client = _engine.check_client(client, caller)
    block_size = _engine.check_block_size(block_size, caller)
    if not isinstance(contrast, str) or contrast not in ("difference", "ratio"):
        raise SegindexValueError(
            f"{caller}(): the 'contrast' parameter must be 'difference' or 'ratio', got {contrast!r}."
        )
    spec = registry.get(index, caller)
    pa = _problem(spec, data_a, index_args, index_kwargs, caller)
    pb = _problem(spec, data_b, index_args, index_kwargs, caller)
    if (pa.areas is None) != (pb.areas is None) or (pa.areas is not None and not pa.areas.equals(pb.areas)):
        only_a = [] if pa.areas is None else list(pa.areas.difference(pb.areas))[:5]
        only_b = [] if pb.areas is None else list(pb.areas.difference(pa.areas))[:5]
        raise SegindexValueError(
            f"{caller}(): with by= both tables need the same areas; only in data_a: {only_a}, "
            f"only in data_b: {only_b}. Subset both to the common areas first."
        )
    rng = default_rng(random_state, caller)
    n = int(n_draws)
    with Progress(f"{caller}({spec.name})", work_of(pa, n) + work_of(pb, n), 2 * n, progress) as shown:
        return run_difference(
            pa, pb, n, rng, float(ci), contrast, shown, caller, random_state, client=client, block_size=block_size
        )


#: The counterfactual nulls of :func:`infer_difference` (Rey, Cortes & Knaap 2021).
NULLS = ("composition", "share", "dual_composition")


def _counterfactual_difference(
    index,
    data_a,
    data_b,
    index_args,
    index_kwargs,
    null,
    n_draws,
    random_state,
    ci,
    contrast,
    progress,
    client,
    block_size,
):
    """``infer_difference(..., null=...)``: the observed difference against its counterfactual null draws."""
    caller = "infer_difference"
    if not isinstance(null, str) or null not in NULLS:
        raise SegindexValueError(
            f"{caller}(): the 'null' parameter must be None (the bootstrap) or one of "
            f"{', '.join(repr(n) for n in NULLS)}, got {null!r}."
        )
    check_options(caller, "bootstrap", n_draws, ci, "binomial", random_state, progress)
    for name, value, why in (
        ("contrast", None if contrast == "difference" else contrast, "the null draws are differences"),
        ("client", client, "the null draws run in this process"),
        ("block_size", block_size, "the null draws run in this process"),
    ):
        if value is not None:
            raise SegindexValueError(f"{caller}(): null={null!r} does not take {name!r} ({why}); leave it out.")
    spec = registry.get(index, caller)
    if spec.kind != "two-group" or spec.compute is None:
        raise SegindexValueError(
            f"{caller}(): null={null!r} needs a two-group index of a group against the rest (dissimilarity, gini, "
            f"atkinson, ...); {spec.name!r} is {spec.kind}."
        )
    kwargs = dict(index_kwargs)
    args = list(index_args)
    group = args.pop(0) if args else kwargs.pop("group", None)
    other = args.pop(0) if args else kwargs.pop("other", None)
    total = kwargs.pop("total", None)
    by = kwargs.pop("by", None)
    if args:
        raise SegindexTypeError(f"{caller}(): null={null!r} takes the group and then keywords; got {len(args)} more.")
    if group is None or total is None or other is not None or by is not None:
        raise SegindexValueError(
            f"{caller}(): null={null!r} compares one group with the rest: call infer_difference(index, data_a, "
            f"data_b, group, total=..., null={null!r}) without 'other' or 'by'."
        )
    # checks both tables (columns, counts, an empty group) and builds a' and b'
    cf_a = counterfactual_counts(data_a, data_b, group, total=total, approach=null)
    cf_b = counterfactual_counts(data_b, data_a, group, total=total, approach=null)
    xa, ta = data_a[group].to_numpy(float), data_a[total].to_numpy(float)
    xb, tb = data_b[group].to_numpy(float), data_b[total].to_numpy(float)
    xa2, ta2 = cf_a[group].to_numpy(float), cf_a[total].to_numpy(float)
    xb2, tb2 = cf_b[group].to_numpy(float), cf_b[total].to_numpy(float)
    empty = np.empty(0, np.int64)

    def value(x, t):
        return float(spec.compute(x, t - x, t, empty, 1, **kwargs)[0])

    observed = float(spec.function(data_a, group, total=total, **kwargs)) - float(
        spec.function(data_b, group, total=total, **kwargs)
    )
    rng = default_rng(random_state, caller)
    n = int(n_draws)
    seeds = seeds_for(rng, n)
    draws = np.empty(n)
    with Progress(f"{caller}({spec.name}, null={null})", n, n, progress) as shown:
        for r, seed in enumerate(seeds):
            coins = np.random.default_rng(int(seed))
            swap_a = coins.random(xa.shape[0]) < 0.5
            swap_b = coins.random(xb.shape[0]) < 0.5
            draws[r] = value(np.where(swap_a, xa2, xa), np.where(swap_a, ta2, ta)) - value(
                np.where(swap_b, xb2, xb), np.where(swap_b, tb2, tb)
            )
            shown.update(1)
    ok = draws[~np.isnan(draws)]
    R = ok.shape[0]
    if R == 0:
        raise SegindexValueError(f"{caller}(): every null draw gave NaN; the index is not defined on the mixed tables.")
    k_lo, k_hi = int(np.sum(ok <= observed)), int(np.sum(ok >= observed))
    p = min(1.0, 2.0 * (min(k_lo, k_hi) + 1.0) / (R + 1.0))
    nan = float("nan")
    return Inference(
        value=observed,
        expected=float(ok.mean()),
        corrected=nan,
        p_value=p,
        bias_corrected=nan,
        bootstrap_mean=nan,
        se=nan,
        ci_low=nan,
        ci_high=nan,
        draws=draws,
        method="counterfactual",
        n_draws=n,
        random_state=random_state,
        allocation=null,
        index=spec.name,
        ci=float(ci),
        contrast="difference",
        count=float(xa.sum()),
    )
