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
kernels and the index recomputed on each redrawn table.

Draws run in numba kernels, in parallel over draws; each draw is seeded from
``numpy.random.default_rng(random_state)``, so the same ``random_state`` gives
the same draws for any number of threads. Only the per-draw statistics are
kept, never the redrawn tables.
"""

from __future__ import annotations

import inspect
import math
import sys
import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._kernels import random as _kr
from ._kernels import validate as _kv
from .errors import DataQualityWarning, SegindexTypeError, SegindexValueError
from .indices import multigroup as _mg
from .indices import twogroup as _tg
from .indices._common import read_pair

__all__ = ["Inference", "infer", "infer_difference", "INFERENCE_INDICES"]

_INDEX_CODES = {
    "dissimilarity": _kr.INDEX_DISSIMILARITY,
    "gini": _kr.INDEX_GINI,
    "atkinson": _kr.INDEX_ATKINSON,
    "isolation": _kr.INDEX_ISOLATION,
    "exposure": _kr.INDEX_EXPOSURE,
    "correlation_ratio": _kr.INDEX_CORRELATION_RATIO,
    "entropy_index": _kr.INDEX_ENTROPY,
    "mutual_information": _kr.INDEX_MUTUAL_INFORMATION,
    "multigroup_dissimilarity": _kr.INDEX_MULTIGROUP_DISSIMILARITY,
}
_FUNCTIONS = {
    "dissimilarity": _tg.dissimilarity,
    "gini": _tg.gini,
    "atkinson": _tg.atkinson,
    "isolation": _tg.isolation,
    "exposure": _tg.exposure,
    "correlation_ratio": _tg.correlation_ratio,
    "entropy_index": _mg.entropy_index,
    "mutual_information": _mg.mutual_information,
    "multigroup_dissimilarity": _mg.multigroup_dissimilarity,
}
#: Spatial indices of :mod:`segindex.indices.spatial`: computed by their public function on
#: every redrawn table (the geometry, weights and points stay as they are).
_SPATIAL = ("morrill_dissimilarity", "boundary_dissimilarity", "perimeter_area_dissimilarity",
            "spatial_isolation", "spatial_information", "distance_decay_isolation", "distance_decay_exposure")
#: Names accepted by :func:`infer` (the public index functions of the same names).
INFERENCE_INDICES = tuple(_FUNCTIONS) + _SPATIAL
#: Indices bounded above by 1, for which the Carrington–Troske correction is defined.
_BOUNDED = {"dissimilarity", "gini", "atkinson", "isolation", "correlation_ratio", "entropy_index",
            "multigroup_dissimilarity", "morrill_dissimilarity", "boundary_dissimilarity",
            "perimeter_area_dissimilarity", "spatial_isolation", "spatial_information", "distance_decay_isolation"}
#: Exposure indices: lower values mean more segregation (the p-value counts draws at or below).
_EXPOSURES = {"exposure", "distance_decay_exposure"}
_METHODS = ("randomisation", "bootstrap")
_ALLOCATIONS = ("binomial", "hypergeometric")
_MODES = {"binomial": _kr.MODE_MULTINOMIAL, "hypergeometric": _kr.MODE_HYPERGEOMETRIC}
_SEED_HIGH = 2**32  # numba's np.random.seed takes a 32-bit unsigned seed
_PROGRESS_SECONDS = 2.0
_CHUNKS = 20
# Work (draws × units × columns) below which the draws run on one thread, and below
# which they run in one call with no progress line (about a second on one core).
_SERIAL_WORK = 200_000
_CHUNK_WORK = 20_000_000
# Entries of the binomial inversion tables (8 + 4 bytes each): about 50 MB at most.
_TABLE_BUDGET = 4_000_000
# Tables for more than two columns: only where each entry will serve this many draws, where
# np.random.binomial would use its slow method (BTPE, from a mean of 30 in the median unit), and
# within a budget small enough to stay in cache (entries of 8 + 4 bytes). Measured: tables that
# do not fit the cache, or replace numba's fast inversion for small means, are slower.
_TABLE_USES = 4
_BTPE_MEAN = 30.0
_COLUMN_TABLE_BUDGET = 500_000


@dataclass(frozen=True, eq=False)
class Inference:
    """The result of :func:`infer` or :func:`infer_difference`.

    Without ``by`` every statistic is a float and ``draws`` is 1-D. With
    ``by`` every statistic is a 1-D array with one value per area (in the
    order of ``areas``) and ``draws`` has shape ``(n_draws, n_areas)``.

    Attributes
    ----------
    statistic : float or numpy.ndarray
        The index on the observed table (a difference or ratio for
        :func:`infer_difference`).
    expected : float or numpy.ndarray
        Mean of the draws: the expected index under random allocation
        (randomisation; Carrington & Troske's D*) or the bootstrap mean.
    corrected : float or numpy.ndarray
        Randomisation: ``(s - e)/(1 - e)`` if ``s >= e`` else ``(s - e)/e``
        (NaN for exposure and mutual information, which are not bounded by 1).
        Bootstrap: the bias-corrected estimate ``2 s - e``.
    se : float or numpy.ndarray
        Bootstrap standard error (standard deviation of the draws, ddof=1).
        NaN for randomisation.
    ci_low, ci_high : float or numpy.ndarray
        Bootstrap interval at level ``ci``: the percentile interval of the
        draws, shifted by the estimated bias so that it is centred on the
        bias-corrected estimate (``2 s - q_{1-a/2}``, ``2 s - q_{a/2}``).
        NaN for randomisation.
    p_value : float or numpy.ndarray
        Randomisation: one-sided ``(k + 1)/(R + 1)``, k the number of draws at
        least as segregated as observed (``>=``; ``<=`` for exposure). For
        :func:`infer_difference`: two-sided bootstrap p-value of no difference
        (ratio 1). NaN for :func:`infer` with the bootstrap.
    draws : numpy.ndarray
        The raw statistic of every draw.
    method, allocation, index, ci, n_draws, random_state
        How the draws were made. ``allocation`` is None for the bootstrap.
    contrast : str or None
        ``"difference"`` or ``"ratio"`` for :func:`infer_difference`.
    areas : pandas.Index or None
        The areas, with ``by``.
    by : tuple or None
        The ``by`` column names.
    """

    statistic: float | np.ndarray
    expected: float | np.ndarray
    corrected: float | np.ndarray
    se: float | np.ndarray
    ci_low: float | np.ndarray
    ci_high: float | np.ndarray
    p_value: float | np.ndarray
    draws: np.ndarray
    method: str
    n_draws: int
    random_state: object
    allocation: str | None
    index: str
    ci: float
    contrast: str | None = None
    areas: pd.Index | None = None
    by: tuple | None = None

    _FIELDS = ("statistic", "expected", "corrected", "se", "ci_low", "ci_high", "p_value")

    def to_frame(self) -> pd.DataFrame:
        """A tidy DataFrame: one row (one per area with ``by``), unrounded.

        Columns: the ``by`` columns (with ``by``), ``index``, ``method``,
        ``allocation``, ``contrast``, ``statistic``, ``expected``,
        ``corrected``, ``se``, ``ci_low``, ``ci_high``, ``p_value``,
        ``n_draws``, ``ci``.
        """
        n = 1 if self.areas is None else len(self.areas)
        frame = pd.DataFrame({
            "index": [self.index] * n,
            "method": [self.method] * n,
            "allocation": [self.allocation] * n,
            "contrast": [self.contrast] * n,
        })
        for name in self._FIELDS:
            frame[name] = np.atleast_1d(np.asarray(getattr(self, name), dtype=float))
        frame["n_draws"] = self.n_draws
        frame["ci"] = self.ci
        if self.areas is not None:
            frame = pd.concat([self.areas.to_frame(index=False), frame], axis=1)
        return frame


@dataclass(frozen=True, eq=False)
class _Problem:
    """What the kernels need: a whole-people table, its layout, the observed statistic."""

    name: str
    src: np.ndarray  # int64 units × columns
    codes: np.ndarray
    n_areas: int
    areas: pd.Index | None
    by: tuple | None
    param: float
    statistic: np.ndarray  # per area
    recompute: object = None  # spatial indices: table (units × columns) -> statistic, outside the kernels


# ----------------------------------------------------------------------------
# argument checks


def _check_options(caller, method, n_draws, ci, allocation, random_state, progress, draws_name="n_draws"):
    if not isinstance(method, str) or method not in _METHODS:
        raise SegindexValueError(
            f"{caller}(): the 'method' parameter must be one of {list(_METHODS)}, got {method!r}."
        )
    if not isinstance(allocation, str) or allocation not in _ALLOCATIONS:
        raise SegindexValueError(
            f"{caller}(): the 'allocation' parameter must be one of {list(_ALLOCATIONS)}, got {allocation!r}."
        )
    if isinstance(n_draws, bool) or not isinstance(n_draws, (int, np.integer)):
        raise SegindexTypeError(
            f"{caller}(): the '{draws_name}' parameter must be a whole number of draws (e.g. 999), "
            f"got {type(n_draws).__name__} {n_draws!r}."
        )
    if n_draws < 1:
        raise SegindexValueError(f"{caller}(): the '{draws_name}' parameter must be at least 1, got {n_draws}.")
    if isinstance(ci, bool) or not isinstance(ci, (int, float, np.integer, np.floating)):
        raise SegindexTypeError(f"{caller}(): the 'ci' parameter must be a number in (0, 1), got {ci!r}.")
    if not 0.0 < float(ci) < 1.0:
        raise SegindexValueError(
            f"{caller}(): the 'ci' parameter is the interval's coverage and must lie strictly between "
            f"0 and 1 (e.g. 0.95), got {ci!r}."
        )
    if progress is not None and not isinstance(progress, bool):
        raise SegindexTypeError(f"{caller}(): the 'progress' parameter must be None, True or False, got {progress!r}.")
    _rng(random_state, caller)


def _rng(random_state, caller):
    ok = (
        random_state is None
        or isinstance(random_state, (np.random.Generator, np.random.SeedSequence))
        or (isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool))
    )
    if not ok:
        raise SegindexTypeError(
            f"{caller}(): the 'random_state' parameter must be None, a non-negative int, a "
            f"numpy.random.Generator or a numpy.random.SeedSequence, got {type(random_state).__name__} "
            f"{random_state!r}."
        )
    if isinstance(random_state, (int, np.integer)) and random_state < 0:
        raise SegindexValueError(
            f"{caller}(): the 'random_state' parameter must be a non-negative int, got {random_state}."
        )
    return np.random.default_rng(random_state)


def _spatial_function(name):
    from .indices import spatial

    return getattr(spatial, name)


def _resolve(index, caller):
    if callable(index):
        for name, func in _FUNCTIONS.items():
            if index is func:
                return name
        for name in _SPATIAL:
            if index is _spatial_function(name):
                return name
        label = getattr(index, "__name__", repr(index))
    elif isinstance(index, str):
        if index in _FUNCTIONS or index in _SPATIAL:
            return index
        label = repr(index)
    else:
        raise SegindexTypeError(
            f"{caller}(): the 'index' parameter must be an index name or one of segindex's index "
            f"functions, got {type(index).__name__} {index!r}. Valid names: {', '.join(INFERENCE_INDICES)}."
        )
    raise SegindexValueError(
        f"{caller}(): unknown index {label}. Valid names: {', '.join(INFERENCE_INDICES)}."
    )


def _whole(src, labels, caller):
    """``src`` as int64 after checking that every count is a whole number."""
    rounded = np.rint(src)
    bad = np.argwhere(np.abs(src - rounded) > 1e-9 * np.maximum(1.0, np.abs(src)))
    if bad.size:
        i, g = bad[0]
        raise SegindexValueError(
            f"{caller}(): random allocation and the bootstrap redraw whole people, but the "
            f"{labels[g]} count of unit {i} (row {i}) is {src[i, g]!r}, not a whole number. Round the "
            "counts first (e.g. data[cols].round()) if they come from an interpolation."
        )
    return np.ascontiguousarray(rounded, dtype=np.int64)


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


def _spatial_problem(name, data, args, kwargs, caller) -> _Problem:
    """A spatial index: its counts are redrawn, and the index recomputed on each table by its own function.

    Each unit's size is kept (randomisation and bootstrap alike), so a
    ``total`` column stays as it is; the group columns (``group`` and
    ``other``, or ``groups``) are replaced by the drawn counts in a shallow
    copy of ``data`` (the input is never modified).
    """
    from .counts import read_counts

    func = _spatial_function(name)
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

    return _Problem(
        name=name,
        src=_whole(np.ascontiguousarray(src, dtype=float), labels, caller),
        codes=np.empty(0, dtype=np.int64),
        n_areas=1,
        areas=None,
        by=None,
        param=0.0,
        statistic=_as_array(statistic, 1),
        recompute=recompute,
    )


def _problem(name, data, args, kwargs, caller) -> _Problem:
    """Validate through the public index itself, then read its columns once."""
    if name in _SPATIAL:
        return _spatial_problem(name, data, args, kwargs, caller)
    func = _FUNCTIONS[name]
    bound = _bind(func, name, data, args, kwargs, caller)
    a = bound.arguments
    if a.get("within") is not None:
        raise SegindexValueError(
            f"{caller}(): within= (the within part of M) is not supported; draw M on the whole table, "
            "or call infer() on each super-unit's rows."
        )
    statistic = func(*bound.args, **bound.kwargs)  # every argument check of the index, and its value
    by = a.get("by")
    if name in ("entropy_index", "mutual_information", "multigroup_dissimilarity"):
        counts = _mg.read_groups(data, a["groups"], total=a["total"], by=by, caller=name)
        src, labels = counts.values, [repr(g) for g in counts.groups]
        codes, areas, by_names = counts.codes, counts.areas, counts.by
    else:
        group, total = a["group"], a["total"]
        if name in ("isolation", "correlation_ratio"):
            pair = read_pair(data, group, None, total, by, name, need_y=False, need_t=True)
            src = np.column_stack([pair.x, _kv.remainder(pair.t, pair.x)])
            labels = [repr(group), f"rest ({total!r} minus {group!r})"]
        elif name == "exposure":
            pair = read_pair(data, group, a["other"], total, by, name, need_t=True)
            src = np.column_stack([pair.x, pair.y, _kv.remainder(pair.t, pair.x + pair.y)])
            labels = [repr(group), repr(a["other"]), f"rest of {total!r}"]
        else:
            pair = read_pair(data, group, a["other"], total, by, name)
            src = np.column_stack([pair.x, pair.y])
            labels = [repr(group), repr(a["other"]) if a["other"] is not None else "rest"]
        codes, areas, by_names = pair.codes, pair.areas, pair.by
    n_areas = 1 if areas is None else len(areas)
    return _Problem(
        name=name,
        src=_whole(np.ascontiguousarray(src, dtype=float), labels, caller),
        codes=codes,
        n_areas=n_areas,
        areas=areas,
        by=by_names,
        param=float(a.get("b", 0.0)),
        statistic=_as_array(statistic, n_areas),
    )


# ----------------------------------------------------------------------------
# drawing


def _shares(src, codes, n_areas):
    sums = np.zeros((n_areas, src.shape[1]))
    np.add.at(sums, codes if codes.size else np.zeros(src.shape[0], dtype=np.int64), src)
    with np.errstate(divide="ignore", invalid="ignore"):
        tot = sums.sum(axis=1, keepdims=True)
        return np.ascontiguousarray(np.where(tot > 0, sums / np.where(tot > 0, tot, 1.0), 0.0))


def _draw(problem, mode, seeds, progress, label):
    """Statistic of every draw, shape ``(len(seeds), n_areas)``, in chunks for the progress line."""
    n = seeds.shape[0]
    out = np.empty((n, problem.n_areas))
    probs = _shares(problem.src, problem.codes, problem.n_areas)
    tables = _tables(problem, probs, mode, n)
    if problem.recompute is not None:
        return _draw_recomputed(problem, probs, mode, tables, seeds, out, progress, label)
    args = (problem.src, probs, problem.codes, problem.n_areas, mode, _INDEX_CODES[problem.name], problem.param,
            tables)
    work = n * problem.src.size
    if tables[0].shape[0] == problem.src.shape[0] and _kr.is_pair(_INDEX_CODES[problem.name]):
        serial, parallel = _kr.pair_draws_serial, _kr.pair_draws_parallel
        args = (problem.src, problem.codes, problem.n_areas, _INDEX_CODES[problem.name], problem.param, tables)
    else:
        serial, parallel = _kr.draws_serial, _kr.draws_parallel
    if progress is True:
        pass  # chunked below, with the progress line
    elif work < _SERIAL_WORK:  # thread start-up would cost more than the draws
        serial(*args, seeds, out)
        return out
    elif progress is False or work < _CHUNK_WORK:
        parallel(*args, seeds, out)
        return out
    chunk = max(1, math.ceil(n / _CHUNKS))
    start = time.perf_counter()
    show = bool(progress)
    done = 0
    while done < n:
        stop = min(n, done + chunk)
        parallel(*args, seeds[done:stop], out[done:stop])
        done = stop
        show = _progress_line(label, done, n, time.perf_counter() - start, progress, show)
    return out


def _progress_line(label, done, n, elapsed, progress, show):
    """Print the progress line when asked, or (``progress=None``) once the draws look like taking long."""
    if progress is None and not show and done < n and elapsed * n / done > _PROGRESS_SECONDS:
        show = True
    if show:
        eta = elapsed * (n - done) / done
        print(f"\r{label}: {done}/{n} draws, {elapsed:.1f} s, about {eta:.0f} s left ",
              end="" if done < n else "\n", file=sys.stderr, flush=True)
    return show


def _draw_recomputed(problem, probs, mode, tables, seeds, out, progress, label):
    """Draws of an index computed outside the kernels: one redrawn table at a time (memory O(one table))."""
    n = seeds.shape[0]
    show = bool(progress)
    step = max(1, n // _CHUNKS)
    for d in range(n):
        table = _kr.draw_table(problem.src, probs, problem.codes, problem.n_areas, mode, tables, seeds[d])
        out[d, 0] = problem.recompute(table)
        if d == 0:
            start = time.perf_counter()  # the first draw may include compiling: not in the estimate
            continue
        done = d + 1
        if progress is False or (done % step and done < n):
            continue
        show = _progress_line(label, done, n, (time.perf_counter() - start) * done / d, progress, show)
    return out


def _tables(problem, probs, mode, n_draws=1_000):
    """Binomial inversion tables for two-column draws, one per distinct (trials, p) pair.

    Random allocation draws ``Binomial(t_i, P_area)``: one table per distinct
    (area, t_i). The bootstrap draws ``Binomial(t_i, x_i / t_i)``: one per
    distinct (t_i, x_i), so units of the same size and count share a table.
    Units whose count cannot change (no people, or p of 0 or 1) get
    ``KEEP``. Built once per call and shared by all draws, laid out in unit
    order (a draw walks through memory once); the total size is capped
    (``_TABLE_BUDGET`` entries), past which units draw with
    ``np.random.binomial`` (code ``-2 - j`` for table j).
    """
    src = problem.src
    empty_i = np.empty(0, dtype=np.int64)
    none = (empty_i, np.empty((0, 4), dtype=np.int64), np.empty((0, 4)), np.empty(0), np.empty(0, dtype=np.int32))
    if src.shape[1] > 2 and mode == _kr.MODE_MULTINOMIAL:
        return _column_tables(problem, probs, n_draws)
    if src.shape[1] != 2 or mode == _kr.MODE_HYPERGEOMETRIC:
        return none
    t = src.sum(axis=1)
    codes = problem.codes if problem.codes.size else np.zeros(src.shape[0], dtype=np.int64)
    if mode == _kr.MODE_MULTINOMIAL:
        p_unit = probs[codes, 0]
        first, second = codes, t
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            p_unit = np.where(t > 0, src[:, 0] / np.where(t > 0, t, 1), 0.0)
        first, second = t, src[:, 0]
    keep = (t == 0) | (p_unit <= 0.0) | (p_unit >= 1.0)
    span = int(second.max(initial=0)) + 1
    if (int(first.max(initial=0)) + 1) * span < 2**62:
        key = first * span + second  # one int64 per (first, second) pair: a fast 1-D unique
        unique, first_at, table = np.unique(key[~keep], return_index=True, return_inverse=True)
    else:  # counts too large to pack into one int64
        pairs = np.column_stack([first, second])[~keep]
        unique, first_at, table = np.unique(pairs, axis=0, return_index=True, return_inverse=True)
    # number the tables in unit order, so that a draw walks through the tables once
    order = np.argsort(first_at, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    rows = np.flatnonzero(~keep)[first_at[order]]
    unit_table = np.full(src.shape[0], _kr.KEEP, dtype=np.int64)
    unit_table[~keep] = rank[table.reshape(-1)]
    built = _kr.binomial_tables(np.ascontiguousarray(t[rows], dtype=np.int64),
                                np.ascontiguousarray(p_unit[rows], dtype=float), _TABLE_BUDGET, _kr.TAIL)
    ints = built[0]
    unbuilt = (unit_table >= 0) & (ints[np.maximum(unit_table, 0), 1] < 0)
    unit_table[unbuilt] = -2 - unit_table[unbuilt]  # past the budget: np.random.binomial
    return (unit_table,) + tuple(built)


def _column_tables(problem, probs, n_draws):
    """Tables for random allocation with more than two columns (see ``_kernels.random._fill_columns``).

    Column g of area a draws Binomial(n, q_ag) for every n up to the area's
    largest unit; one table per (area, column, n), n = 1 .. max t_i, in that
    order. An area-column gets its tables when numba's ``np.random.binomial``
    would mostly take its slow method there (a mean of at least
    ``_BTPE_MEAN`` in the area's median unit), when they will be used at least ``_TABLE_USES``
    times an entry (draws × the area's units against an estimate of their
    size: about 8 standard deviations and 2 entries a table), and while the
    total keeps within ``_COLUMN_TABLE_BUDGET``; the others draw with
    ``np.random.binomial``.
    """
    src = problem.src
    n_units, K = src.shape
    codes = problem.codes if problem.codes.size else np.zeros(n_units, dtype=np.int64)
    t = src.sum(axis=1)
    largest = np.zeros(problem.n_areas, dtype=np.int64)
    np.maximum.at(largest, codes, t)
    units = np.bincount(codes, minlength=problem.n_areas)
    order = np.lexsort((t, codes))  # by area, then by size: the median unit of each area
    first = np.concatenate([[0], np.cumsum(units)[:-1]])
    typical = np.where(units > 0, t[order][np.minimum(first + units // 2, max(n_units - 1, 0))], 0)
    base = np.full(problem.n_areas * (K - 1), -1, dtype=np.int64)
    trials, ps = [], []
    used = estimate = 0
    for a in range(problem.n_areas):
        mass = 1.0
        for g in range(K - 1):
            pg = float(probs[a, g])
            q = pg / mass if mass > 0.0 else 1.0
            mass -= pg
            m = int(largest[a])
            if pg <= 0.0 or q >= 1.0 or m <= 0:
                continue
            n = np.arange(1, m + 1, dtype=np.int64)
            size = float(np.sum(8.0 * np.sqrt(n * q * (1.0 - q)) + 2.0))
            if (typical[a] * min(q, 1.0 - q) < _BTPE_MEAN or estimate + size > _COLUMN_TABLE_BUDGET
                    or n_draws * units[a] < _TABLE_USES * size):
                continue
            estimate += size
            base[a * (K - 1) + g] = used
            used += m
            trials.append(n)
            ps.append(np.full(m, q))
    if not trials:
        return (base,) + tuple(_kr.binomial_tables(np.zeros(0, dtype=np.int64), np.zeros(0), 0, _kr.TAIL))
    built = _kr.binomial_tables(np.concatenate(trials), np.concatenate(ps), _COLUMN_TABLE_BUDGET, _kr.TAIL)
    return (base,) + tuple(built)


def _seeds(rng, n):
    return rng.integers(0, _SEED_HIGH, size=n, dtype=np.int64)


def _valid(draws, caller):
    bad = np.isnan(draws) & ~np.isnan(draws).all(axis=0)
    if bad.any():
        warnings.warn(
            f"{caller}(): {int(bad.sum())} of {draws.size} draws gave an undefined index (a group drawn "
            "with no members); they are left out of the means, errors, intervals and p-values.",
            DataQualityWarning,
            stacklevel=3,
        )


def _summaries(draws, statistic, level):
    """Mean, sd and the bias-shifted percentile interval of the draws, per area."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(draws, axis=0)
        n_ok = np.sum(~np.isnan(draws), axis=0)
        se = np.where(n_ok > 1, np.nanstd(draws, axis=0, ddof=1) if draws.shape[0] > 1 else np.nan, np.nan)
        alpha = 1.0 - level
        lo_q = np.nanquantile(draws, alpha / 2, axis=0)
        hi_q = np.nanquantile(draws, 1 - alpha / 2, axis=0)
    return mean, se, 2 * statistic - hi_q, 2 * statistic - lo_q


def _wrap(values, areas):
    if areas is None:
        return float(values[0])
    return np.asarray(values, dtype=float)


def _result(problem_like, draws, fields, **meta):
    areas = meta.pop("areas")
    return Inference(
        **{k: _wrap(v, areas) for k, v in fields.items()},
        draws=draws[:, 0].copy() if areas is None else draws,
        areas=areas,
        **meta,
    )


def infer(index, data, *index_args, method="randomisation", n_draws=999, random_state=None, ci=0.95,
          allocation="binomial", progress=None, **index_kwargs):
    r"""Randomisation test or bootstrap of a segregation index.

    Parameters
    ----------
    index : str or callable
        The index: one of ``"dissimilarity"``, ``"gini"``, ``"atkinson"``,
        ``"isolation"``, ``"exposure"``, ``"correlation_ratio"``,
        ``"entropy_index"``, ``"mutual_information"``,
        ``"multigroup_dissimilarity"``, the spatial indices
        ``"morrill_dissimilarity"``, ``"boundary_dissimilarity"``,
        ``"perimeter_area_dissimilarity"``, ``"spatial_isolation"``,
        ``"spatial_information"``, ``"distance_decay_isolation"``,
        ``"distance_decay_exposure"`` (see :data:`INFERENCE_INDICES`), or
        the public function itself.
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
        Print a progress line to stderr. ``None`` turns it on when the draws
        look like taking more than about 2 seconds.

    Returns
    -------
    Inference
        Frozen dataclass with ``statistic, expected, corrected, se, ci_low,
        ci_high, p_value, draws`` and ``to_frame()``. With ``by`` the fields
        are arrays with one value per area (see :class:`Inference`); an area
        where a group is absent is NaN, with the index's own warning.

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

    The spatial indices are recomputed by their own function on each
    redrawn table, the geometry and points staying as they are (a few
    milliseconds a draw for a few hundred units; pass ``w=`` to Morrill's
    and Wong's indices so that their weights are not rebuilt on every
    draw). The two-group and multigroup indices run inside the compiled draw
    kernels instead. People are redrawn among the units as above, so the
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
    >>> round(r.statistic, 4)  # (|5/17 - 5/23| + 10/23 + |3/17 - 7/23| + |9/17 - 1/23|) / 2
    0.5627
    >>> 0.0 < r.expected < r.statistic  # D* > 0 with no segregation at all
    True
    >>> b = infer("dissimilarity", df, "A", "B", method="bootstrap", n_draws=199, random_state=1)
    >>> bool(b.ci_low < b.corrected < b.ci_high)
    True
    """
    caller = "infer"
    _check_options(caller, method, n_draws, ci, allocation, random_state, progress)
    name = _resolve(index, caller)
    problem = _problem(name, data, index_args, index_kwargs, caller)
    return _run(problem, method, int(n_draws), random_state, float(ci), allocation, progress, caller)


def _run(problem, method, n_draws, random_state, level, allocation, progress, caller):
    rng = _rng(random_state, caller)
    seeds = _seeds(rng, n_draws)
    s = problem.statistic
    if method == "randomisation":
        draws = _draw(problem, _MODES[allocation], seeds, progress, f"{caller}({problem.name})")
        _valid(draws, caller)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN areas (group absent) stay NaN
            expected = np.nanmean(draws, axis=0)
        if problem.name in _BOUNDED:
            with np.errstate(divide="ignore", invalid="ignore"):
                corrected = np.where(s >= expected, (s - expected) / (1.0 - expected), (s - expected) / expected)
            # below an expected value that is not positive (H~ can be negative) the ratio means nothing
            corrected = np.where((s < expected) & ~(expected > 0), np.nan, corrected)
        else:
            corrected = np.full(problem.n_areas, np.nan)
        tol = 1e-12 * np.maximum(1.0, np.abs(s))
        if problem.name in _EXPOSURES:
            k = np.sum(draws <= s + tol, axis=0)
        else:
            k = np.sum(draws >= s - tol, axis=0)
        R = np.sum(~np.isnan(draws), axis=0)
        p = np.where(np.isnan(s), np.nan, (k + 1.0) / (R + 1.0))
        nan = np.full(problem.n_areas, np.nan)
        fields = dict(statistic=s, expected=expected, corrected=corrected, se=nan, ci_low=nan,
                      ci_high=nan, p_value=p)
        alloc = allocation
    else:
        draws = _draw(problem, _kr.MODE_BOOTSTRAP, seeds, progress, f"{caller}({problem.name})")
        _valid(draws, caller)
        mean, se, lo, hi = _summaries(draws, s, level)
        fields = dict(statistic=s, expected=mean, corrected=2 * s - mean, se=se, ci_low=lo, ci_high=hi,
                      p_value=np.full(problem.n_areas, np.nan))
        alloc = None
    return _result(problem, draws, fields, method=method, n_draws=n_draws, random_state=random_state,
                   allocation=alloc, index=problem.name, ci=level, areas=problem.areas, by=problem.by)


def infer_difference(index, data_a, data_b, *index_args, n_draws=999, random_state=None, ci=0.95,
                     contrast="difference", progress=None, **index_kwargs):
    r"""Bootstrap of the difference (or ratio) of an index between two tables.

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
    n_draws, random_state, ci, progress
        As for :func:`infer`.
    contrast : {"difference", "ratio"}, default "difference"
        ``index(a) - index(b)`` or ``index(a) / index(b)``.

    Returns
    -------
    Inference
        ``statistic`` is the observed contrast; ``expected`` the bootstrap
        mean of the contrast; ``corrected`` the contrast of the two
        bias-corrected estimates (difference) or ``2 r - mean(r*)`` (ratio);
        ``se``, ``ci_low``, ``ci_high`` as in :func:`infer`; ``p_value`` the
        two-sided bootstrap p-value of no difference (ratio 1):
        ``min(1, 2 min(k_lo + 1, k_hi + 1)/(R + 1))`` with ``k_lo, k_hi`` the
        reflected draws ``2 s - s*`` at or below and at or above the null value
        (the test that matches the interval).

    Raises
    ------
    SegindexValueError
        As for :func:`infer`; an unknown ``contrast``; different areas in the two tables.

    Notes
    -----
    For the difference :math:`\Delta = D_a - D_b` the draws are
    :math:`\Delta^*_r = D^*_{a,r} - D^*_{b,r}` and the bias-corrected
    difference is :math:`(2 D_a - \bar D^*_a) - (2 D_b - \bar D^*_b)`.

    References
    ----------
    Allen, R., Burgess, S., Davidson, R. & Windmeijer, F. (2015). The
    Econometrics Journal 18(1), 40-66.

    Burgess, S., Wilson, D. & Lupton, R. (2005). Parallel lives? Ethnic
    segregation in schools and neighbourhoods. Urban Studies 42(7), 1027-1056.

    Examples
    --------
    >>> import pandas as pd
    >>> schools = pd.DataFrame({"A": [40, 2, 30, 1], "B": [10, 50, 20, 60]})
    >>> wards = pd.DataFrame({"A": [30, 10, 25, 8], "B": [20, 40, 25, 50]})
    >>> r = infer_difference("dissimilarity", schools, wards, "A", "B", n_draws=199, random_state=3)
    >>> round(r.statistic, 4)  # D(schools) - D(wards)
    0.3245
    >>> bool(r.ci_low > 0)
    True
    """
    caller = "infer_difference"
    _check_options(caller, "bootstrap", n_draws, ci, "binomial", random_state, progress)
    if not isinstance(contrast, str) or contrast not in ("difference", "ratio"):
        raise SegindexValueError(
            f"{caller}(): the 'contrast' parameter must be 'difference' or 'ratio', got {contrast!r}."
        )
    name = _resolve(index, caller)
    pa = _problem(name, data_a, index_args, index_kwargs, caller)
    pb = _problem(name, data_b, index_args, index_kwargs, caller)
    if (pa.areas is None) != (pb.areas is None) or (pa.areas is not None and not pa.areas.equals(pb.areas)):
        only_a = [] if pa.areas is None else list(pa.areas.difference(pb.areas))[:5]
        only_b = [] if pb.areas is None else list(pb.areas.difference(pa.areas))[:5]
        raise SegindexValueError(
            f"{caller}(): with by= both tables need the same areas; only in data_a: {only_a}, "
            f"only in data_b: {only_b}. Subset both to the common areas first."
        )
    rng = _rng(random_state, caller)
    seeds = _seeds(rng, 2 * int(n_draws))
    level = float(ci)
    da = _draw(pa, _kr.MODE_BOOTSTRAP, seeds[: int(n_draws)], progress, f"{caller}({name}, a)")
    db = _draw(pb, _kr.MODE_BOOTSTRAP, seeds[int(n_draws):], progress, f"{caller}({name}, b)")
    _valid(da, caller)
    _valid(db, caller)
    with np.errstate(divide="ignore", invalid="ignore"):
        if contrast == "difference":
            s = pa.statistic - pb.statistic
            draws = da - db
            null = 0.0
        else:
            s = pa.statistic / pb.statistic
            draws = da / db
            null = 1.0
    mean, se, lo, hi = _summaries(draws, s, level)
    if contrast == "difference":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            corrected = (2 * pa.statistic - np.nanmean(da, axis=0)) - (2 * pb.statistic - np.nanmean(db, axis=0))
    else:
        corrected = 2 * s - mean
    reflected = 2 * s - draws  # the basic-bootstrap distribution, consistent with the interval
    R = np.sum(~np.isnan(draws), axis=0)
    k_lo = np.sum(reflected <= null, axis=0)
    k_hi = np.sum(reflected >= null, axis=0)
    p = np.minimum(1.0, 2.0 * (np.minimum(k_lo, k_hi) + 1.0) / (R + 1.0))
    p = np.where(np.isnan(s), np.nan, p)
    fields = dict(statistic=s, expected=mean, corrected=corrected, se=se, ci_low=lo, ci_high=hi, p_value=p)
    return _result(pa, draws, fields, method="bootstrap", n_draws=int(n_draws), random_state=random_state,
                   allocation=None, index=name, ci=level, contrast=contrast, areas=pa.areas, by=pa.by)


def table_inference(table, data, labels, reference, total, by, atkinson_b, n_draws, random_state, ci):
    """Add ``se, ci_low, ci_high, p_value`` to a :func:`~segindex.segregation_table` result.

    For every row: the bootstrap standard error and bias-corrected interval of
    :func:`infer` (``method="bootstrap"``), and the one-sided p-value of the
    randomisation test (binomial allocation), each with ``n_draws`` draws.
    Used by ``segregation_table(..., n_bootstrap=...)``.
    """
    from .counts import read_counts

    caller = "segregation_table"
    _check_options(caller, "bootstrap", n_draws, ci, "binomial", random_state, None, "n_bootstrap")
    rng = _rng(random_state, caller)
    columns = labels + ([reference] if reference is not None and reference not in labels else [])
    counts = read_counts(data, columns, total=total, by=by, rest=total is not None, caller=caller)
    codes, A = counts.codes, counts.n_areas
    t = counts.total
    keys = ["all"] if counts.areas is None else list(counts.areas)

    def problem(name, src, param=0.0):
        src = np.ascontiguousarray(src, dtype=float)
        stat = _kr.statistic(src, codes, A, _INDEX_CODES[name], float(param))
        names = [f"column {i}" for i in range(src.shape[1])]
        return _Problem(name=name, src=_whole(src, names, caller), codes=codes, n_areas=A,
                        areas=counts.areas, by=counts.by, param=float(param), statistic=stat)

    jobs = []
    for g in labels:
        x = counts.column(g)
        rest = _kv.remainder(t, x)
        pair = np.column_stack([x, rest])
        for name in ("dissimilarity", "gini", "atkinson", "isolation", "correlation_ratio"):
            jobs.append((g, "rest", name, problem(name, pair, atkinson_b if name == "atkinson" else 0.0)))
        jobs.append((g, "rest", "exposure", problem("exposure", np.column_stack([x, rest, np.zeros_like(x)]))))
        if reference is not None and g != reference:
            y = counts.column(reference)
            for name in ("dissimilarity", "gini", "atkinson"):
                jobs.append((g, str(reference), name,
                             problem(name, np.column_stack([x, y]), atkinson_b if name == "atkinson" else 0.0)))
            jobs.append((g, str(reference), "exposure",
                         problem("exposure", np.column_stack([x, y, _kv.remainder(t, x + y)]))))
    from .indices.table import ALL_GROUPS

    for name in ("entropy_index", "mutual_information", "multigroup_dissimilarity"):
        jobs.append((ALL_GROUPS, "multigroup", name, problem(name, counts.values)))

    found = {}
    undefined = 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataQualityWarning)
        for g, comp, name, prob in jobs:
            seeds = rng.integers(0, 2**63 - 1, size=2)
            boot = _run(prob, "bootstrap", int(n_draws), int(seeds[0]), float(ci), "binomial", None, caller)
            test = _run(prob, "randomisation", int(n_draws), int(seeds[1]), float(ci), "binomial", None, caller)
            for k, key in enumerate(keys):
                found[(key, g, comp, name)] = tuple(
                    float(np.atleast_1d(v)[k]) for v in (boot.se, boot.ci_low, boot.ci_high, test.p_value)
                )
    undefined = sum(1 for w in caught if issubclass(w.category, DataQualityWarning))
    for w in caught:
        if not issubclass(w.category, DataQualityWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if undefined:
        warnings.warn(
            f"{caller}(): in {undefined} of {2 * len(jobs)} bootstrap or randomisation runs some draws gave an "
            "undefined index (a small group drawn with no members); those draws were left out.",
            DataQualityWarning,
            stacklevel=3,
        )
    rows = [found[(a if not isinstance(a, list) else tuple(a), g, c, i)]
            for a, g, c, i in zip(table["area"], table["group"], table["comparison"], table["index"])]
    extra = np.array(rows, dtype=float).reshape(len(rows), 4)
    table = table.copy()
    for j, column in enumerate(("se", "ci_low", "ci_high", "p_value")):
        table[column] = extra[:, j]
    return table
