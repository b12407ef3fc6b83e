r"""The draws behind :func:`segindex.infer`: array-level problems, the draw loop, progress, summaries.

Everything here works on arrays (a whole-people units × columns table, the area
code of every unit) and on index specs of :mod:`segindex.indices.registry`
passed in by the caller; nothing here reads a DataFrame or imports the index
modules, so :mod:`segindex.indices.table`, :mod:`segindex.schools` and
:mod:`segindex.inference` all build on it without an import cycle.

Draws run in numba kernels (:mod:`segindex._kernels.random`), in parallel over
draws; each draw is seeded from ``numpy.random.default_rng(random_state)``, so
the same ``random_state`` gives the same draws for any number of threads. Only
the per-draw statistics are kept, never the redrawn tables. Problems that redraw
the same table (:func:`run_many`) share each draw: the table is drawn once and
every index computed on it. An index without a kernel code is computed by its
spec's ``compute`` on each redrawn table.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._kernels import random as _kr
from ._kernels import twogroup as _ktg
from ._kernels import validate as _kv
from .errors import DataQualityWarning, SegindexTypeError, SegindexValueError

__all__ = [
    "Inference",
    "Problem",
    "Progress",
    "check_options",
    "default_rng",
    "two_group_problem",
    "groups_problem",
    "run",
    "run_many",
    "run_difference",
    "infer_arrays",
    "draw_block",
    "column_reader",
    "draw_many_block",
    "nanquantile",
    "whole_counts",
    "flags",
    "MIN_COUNT",
]

METHODS = ("randomisation", "bootstrap")
ALLOCATIONS = ("binomial", "hypergeometric")
_MODES = {"binomial": _kr.MODE_MULTINOMIAL, "hypergeometric": _kr.MODE_HYPERGEOMETRIC}
_SEED_HIGH = 2**32  # numba's np.random.seed takes a 32-bit unsigned seed
#: Default of ``min_count``: areas where the focal group has fewer people are flagged ``small_group``.
MIN_COUNT = 100
# A progress bar on a terminal (progress=None) appears once the run has lasted this long.
_PROGRESS_SECONDS = 2.0
_CHUNKS = 20
# Work (draws × units × columns) below which the draws run on one thread, and below
# which they run in one call with no progress line (about a second on one core).
_SERIAL_WORK = 200_000
_CHUNK_WORK = 20_000_000
# Entries of the binomial inversion tables (8 + 4 bytes each): about 50 MB at most.
_TABLE_BUDGET = 4_000_000

#: Old attribute names of :class:`Inference` and the names that replace them.
_RENAMED = {
    "statistic": "value",
}
_MEANING = {
    "value": "the index as measured on the data",
    "expected": "mean of the index under random allocation (randomisation only)",
    "corrected": "the randomisation-corrected index (randomisation only, bounded indices)",
    "p_value": "one-sided randomisation p-value (two-sided bootstrap p-value of no difference for a contrast)",
    "bias_corrected": "the bootstrap bias-corrected estimate, 2 value - bootstrap_mean",
    "bootstrap_mean": "mean of the bootstrap draws",
    "se": "bootstrap standard error",
    "ci_low": "lower end of the bootstrap interval, centred on bias_corrected",
    "ci_high": "upper end of the bootstrap interval, centred on bias_corrected",
}


@dataclass(frozen=True, eq=False)
class Inference:
    r"""The result of :func:`segindex.infer` or :func:`segindex.infer_difference`.

    One meaning per field: the randomisation test fills ``expected``,
    ``corrected`` and ``p_value``; the bootstrap fills ``bias_corrected``,
    ``bootstrap_mean``, ``se``, ``ci_low`` and ``ci_high``; the other fields
    are NaN. Without ``by`` every statistic is a float and ``draws`` is 1-D;
    with ``by`` every statistic is a 1-D array with one value per area (in
    the order of ``areas``) and ``draws`` has shape ``(n_draws, n_areas)``.

    The bootstrap interval is centred on the bias-corrected estimate, not on
    the measured ``value``: small units and small groups bias a segregation
    index upward, the bootstrap estimates that bias, and the interval is moved
    down by it. The measured value can therefore lie above the interval; report
    ``bias_corrected`` beside ``[ci_low, ci_high]``.

    Attributes
    ----------
    value : float or numpy.ndarray
        The index on the observed table (the difference or ratio for
        :func:`segindex.infer_difference`).
    expected : float or numpy.ndarray
        Randomisation: mean of the draws, the index expected under random
        allocation (Carrington & Troske's D*). NaN for the bootstrap.
    corrected : float or numpy.ndarray
        Randomisation: ``(v - e)/(1 - e)`` if ``v >= e`` else ``(v - e)/e``
        (NaN for indices not bounded above by 1, such as exposure and mutual
        information). NaN for the bootstrap.
    p_value : float or numpy.ndarray
        Randomisation: one-sided ``(k + 1)/(R + 1)``, k the number of draws at
        least as segregated as observed (``>=``; ``<=`` for exposure). For
        :func:`segindex.infer_difference`: two-sided bootstrap p-value of no
        difference (ratio 1). NaN for :func:`segindex.infer` with the bootstrap.
    bias_corrected : float or numpy.ndarray
        Bootstrap: ``2 v - bootstrap_mean`` (Allen et al. 2015).
    bootstrap_mean : float or numpy.ndarray
        Bootstrap: mean of the draws.
    se : float or numpy.ndarray
        Bootstrap standard error (standard deviation of the draws, ddof=1).
    ci_low, ci_high : float or numpy.ndarray
        Bootstrap interval at level ``ci``: the percentile interval of the
        draws moved by the estimated bias, so that it is centred on
        ``bias_corrected`` (``2 v - q_{1-a/2}``, ``2 v - q_{a/2}``).
    draws : numpy.ndarray
        The raw index of every draw.
    method, allocation, index, ci, n_draws, random_state
        How the draws were made. ``allocation`` is None for the bootstrap.
    contrast : str or None
        ``"difference"`` or ``"ratio"`` for :func:`segindex.infer_difference`.
    areas : pandas.Index or None
        The areas, with ``by``.
    by : tuple or None
        The ``by`` column names.
    count : float or numpy.ndarray or None
        The focal group's count in each area (everyone for a multigroup
        index; the first table's for a contrast).
    """

    value: float | np.ndarray
    expected: float | np.ndarray
    corrected: float | np.ndarray
    p_value: float | np.ndarray
    bias_corrected: float | np.ndarray
    bootstrap_mean: float | np.ndarray
    se: float | np.ndarray
    ci_low: float | np.ndarray
    ci_high: float | np.ndarray
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
    count: float | np.ndarray | None = None

    FIELDS = (
        "value",
        "expected",
        "corrected",
        "p_value",
        "bias_corrected",
        "bootstrap_mean",
        "se",
        "ci_low",
        "ci_high",
    )

    def __getattr__(self, name):
        # only reached for names that are not fields: old names say what replaced them
        if name in _RENAMED:
            raise AttributeError(f"Inference.{name} is now called Inference.{_RENAMED[name]} (see CHANGELOG.md).")
        raise AttributeError(f"'Inference' object has no attribute {name!r}")

    def to_frame(self, *, min_count: int = MIN_COUNT) -> pd.DataFrame:
        """A tidy DataFrame: one row (one per area with ``by``), unrounded.

        Columns: ``area`` (with ``by``; a tuple, followed by one column per
        key, for several ``by`` columns), ``index``, ``method``,
        ``allocation``, ``contrast``, then ``value``, ``expected``,
        ``corrected``, ``p_value``, ``bias_corrected``, ``bootstrap_mean``,
        ``se``, ``ci_low``, ``ci_high`` (NaN where the method does not give
        them), ``count``, ``small_group`` (``count < min_count``),
        ``high_expected`` (randomisation only: ``expected > value / 2``),
        ``n_draws`` and ``ci``. The interval is centred on ``bias_corrected``;
        ``value`` may lie outside it (small units bias the measured index upward).
        """
        n = 1 if self.areas is None else len(self.areas)
        frame = pd.DataFrame(
            {
                "index": [self.index] * n,
                "method": [self.method] * n,
                "allocation": [self.allocation] * n,
                "contrast": [self.contrast] * n,
            }
        )
        for name in self.FIELDS:
            frame[name] = np.atleast_1d(np.asarray(getattr(self, name), dtype=float))
        count = np.full(n, np.nan) if self.count is None else np.atleast_1d(np.asarray(self.count, dtype=float))
        frame["count"] = (
            count.astype(np.int64) if np.isfinite(count).all() and np.array_equal(count, np.round(count)) else count
        )
        randomisation = self.method == "randomisation"
        frame = frame.join(
            flags(count, frame["value"].to_numpy(), frame["expected"].to_numpy() if randomisation else None, min_count)
        )
        frame["n_draws"] = self.n_draws
        frame["ci"] = self.ci
        if self.areas is not None:
            frame = pd.concat([area_columns(self.areas, self.by), frame], axis=1)
        return frame

    def __repr__(self) -> str:
        head = f"Inference(index={self.index!r}, method={self.method!r}"
        if self.contrast is not None:
            head += f", contrast={self.contrast!r}"
        if self.areas is not None:
            return f"{head}, {len(self.areas)} areas, n_draws={self.n_draws}; .to_frame() for the table)"
        shown = (
            ("value", "expected", "corrected", "p_value")
            if self.method == "randomisation" and self.contrast is None
            else ("value", "bias_corrected", "ci_low", "ci_high", "se")
            + (("p_value",) if self.contrast is not None else ())
        )
        parts = ", ".join(f"{name}={float(getattr(self, name)):.4g}" for name in shown)
        ci = f", ci={self.ci:g}" if "ci_low" in shown else ""
        return f"{head}, {parts}, n_draws={self.n_draws}{ci})"

    def _repr_html_(self) -> str:
        frame = self.to_frame()
        columns = [c for c in frame.columns if c not in ("method", "allocation", "contrast", "n_draws", "ci")]
        frame = frame[columns].dropna(axis=1, how="all")
        what = self.method if self.allocation is None else f"{self.method} ({self.allocation} allocation)"
        caption = f"{self.index}: {what}, {self.n_draws} draws" + (
            f"; interval at {self.ci:g}, centred on bias_corrected" if self.method == "bootstrap" else ""
        )
        import html

        table = frame.to_html(index=False, float_format=lambda v: f"{v:.4g}", na_rep="")
        return f"<p><b>{html.escape(caption)}</b></p>\n{table}"


def area_columns(areas: pd.Index, by) -> pd.DataFrame:
    """The tidy area key: ``area`` alone for one ``by`` column; ``area`` (tuples) and one column per key for several."""
    area = np.empty(len(areas), dtype=object)
    area[:] = list(areas)  # tuples stay whole, one per row
    keys = pd.DataFrame({"area": area})
    if by is not None and len(by) > 1:
        keys = pd.concat([keys, areas.to_frame(index=False)], axis=1)
    return keys


def flags(count, value, expected=None, min_count=MIN_COUNT) -> pd.DataFrame:
    """``small_group`` (``count < min_count``) and, given ``expected``, ``high_expected`` (``expected > value / 2``)."""
    count = np.asarray(count, dtype=float)
    out = {"small_group": count < min_count}
    if expected is not None:
        with np.errstate(invalid="ignore"):
            out["high_expected"] = np.asarray(expected, dtype=float) > np.asarray(value, dtype=float) / 2.0
    return pd.DataFrame(out)


def check_min_count(min_count, caller):
    """``min_count`` must be a non-negative number."""
    if (
        isinstance(min_count, bool)
        or not isinstance(min_count, (int, float, np.integer, np.floating))
        or not min_count >= 0
    ):
        raise SegindexValueError(
            f"{caller}(): the 'min_count' parameter must be a non-negative number of people (e.g. 100), "
            f"got {min_count!r}."
        )


@dataclass(frozen=True, eq=False)
class Problem:
    """What the kernels need: a whole-people table, its layout, the observed index."""

    name: str
    src: np.ndarray  # int64 units × columns
    codes: np.ndarray
    n_areas: int
    areas: pd.Index | None
    by: tuple | None
    param: float
    statistic: np.ndarray  # per area
    kernel_code: int | None = None
    higher_is_more_segregated: bool = True
    corrected_defined: bool = True
    count: np.ndarray | None = None
    # table (units × columns, float) -> index per area (or a float), outside the kernels
    recompute: object = None
    # (src, probs, codes, mode, tables, seeds, progress, block_size) -> draws: a compiled pass per draw over a
    # structure built once (the spatial indices, segindex._neighbours.InformationDraws)
    batch: object = None


# ----------------------------------------------------------------------------
# argument checks


def check_options(caller, method, n_draws, ci, allocation, random_state, progress, draws_name="n_draws"):
    """Check the options shared by every entry point (each error names ``caller``)."""
    if not isinstance(method, str) or method not in METHODS:
        raise SegindexValueError(f"{caller}(): the 'method' parameter must be one of {list(METHODS)}, got {method!r}.")
    if not isinstance(allocation, str) or allocation not in ALLOCATIONS:
        raise SegindexValueError(
            f"{caller}(): the 'allocation' parameter must be one of {list(ALLOCATIONS)}, got {allocation!r}."
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
    default_rng(random_state, caller)


def default_rng(random_state, caller):
    """``numpy.random.default_rng(random_state)`` after checking ``random_state``."""
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


def whole_counts(src, labels, caller):
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


# ----------------------------------------------------------------------------
# array-level problems


def area_sums(v, codes, n_areas):
    """Sum of ``v`` in each area (the kernel of the index computes, in unit order)."""
    return _ktg.area_sums(np.ascontiguousarray(v, dtype=np.float64), codes, n_areas)


def two_group_problem(
    spec, x, y, t, codes, n_areas, *, areas=None, by=None, options=None, labels=None, caller="infer"
) -> Problem:
    """The problem of a two-group index on arrays.

    ``x`` the focal group's counts, ``y`` the comparison's (None: the rest of
    the unit, ``t - x``), ``t`` the unit totals (None: ``x + y``), ``codes``
    the area code of every unit (empty for one area). The observed index is
    computed here by the spec's ``compute``; ``labels`` name the columns in
    messages (group, comparison, rest).
    """
    options = dict(options or {})
    x = np.asarray(x, dtype=float)
    if t is None:
        t = x + np.asarray(y, dtype=float)
    t = np.asarray(t, dtype=float)
    rest = _kv.remainder(t, x)
    yy = rest if y is None else np.asarray(y, dtype=float)
    g, o, r = labels or ("group", "comparison", "rest")
    layout = _kr.LAYOUTS[spec.kernel_code] if spec.kernel_code is not None else "exposure"
    if layout == "pair":
        src, names = np.column_stack([x, yy]), [g, o]
    elif layout == "rest" or y is None:  # exposure to the rest reads the same [x, rest] table
        src, names = np.column_stack([x, rest]), [g, r]
    else:
        third = np.zeros_like(x) if y is None else _kv.remainder(t, x + yy)
        src, names = np.column_stack([x, yy, third]), [g, o, r]
    src = whole_counts(np.ascontiguousarray(src, dtype=float), names, caller)
    codes = np.ascontiguousarray(codes, dtype=np.int64)
    param = float(options[spec.options[0]]) if spec.options and spec.options[0] in options else 0.0

    def recompute(table):
        tt = table.sum(axis=1) if layout != "pair" else table[:, 0] + table[:, 1]
        return spec.compute(
            np.ascontiguousarray(table[:, 0]), np.ascontiguousarray(table[:, 1]), tt, codes, n_areas, **options
        )

    statistic = np.asarray(recompute(src.astype(float)), dtype=float)
    return Problem(
        name=spec.name,
        src=src,
        codes=codes,
        n_areas=n_areas,
        areas=areas,
        by=by,
        param=param,
        statistic=statistic,
        kernel_code=spec.kernel_code,
        higher_is_more_segregated=spec.higher_is_more_segregated,
        corrected_defined=spec.corrected_defined,
        count=area_sums(x, codes, n_areas),
        recompute=None if spec.kernel_code is not None else recompute,
    )


def groups_problem(
    spec, values, codes, n_areas, *, areas=None, by=None, options=None, labels=None, caller="infer"
) -> Problem:
    """The problem of a multigroup index on a units × groups matrix ``values``."""
    options = dict(options or {})
    values = np.asarray(values, dtype=float)
    names = list(labels) if labels is not None else [f"column {i}" for i in range(values.shape[1])]
    src = whole_counts(np.ascontiguousarray(values), names, caller)
    codes = np.ascontiguousarray(codes, dtype=np.int64)

    def recompute(table):
        return spec.compute(np.ascontiguousarray(table), codes, n_areas, **options)

    statistic = np.asarray(recompute(src.astype(float)), dtype=float)
    return Problem(
        name=spec.name,
        src=src,
        codes=codes,
        n_areas=n_areas,
        areas=areas,
        by=by,
        param=0.0,
        statistic=statistic,
        kernel_code=spec.kernel_code,
        higher_is_more_segregated=spec.higher_is_more_segregated,
        corrected_defined=spec.corrected_defined,
        count=area_sums(values.sum(axis=1), codes, n_areas),
        recompute=None if spec.kernel_code is not None else recompute,
    )


# ----------------------------------------------------------------------------
# progress


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _seconds(s: float) -> str:
    return f"{s:.1f} s" if s < 60 else f"{int(s // 60)} min {int(round(s % 60))} s"


class Progress:
    """One progress display for a whole run, however many passes of draws it makes.

    ``progress=None``: a tqdm bar on stderr when stderr is a terminal, shown
    once the run has lasted about 2 seconds; ``True``: the bar at once on a
    terminal, and in a log (stderr not a terminal) a start line and an end line
    only; ``False``: nothing. The bar counts the whole run's work (draws ×
    units × columns, over every pass), so its estimate of the time left is for
    the whole run.
    """

    def __init__(self, label: str, work: float, n_draws: int, progress):
        self.label = label
        self.n_draws = int(n_draws)
        self.bar = None
        self.log = False
        self.forced = progress is True
        self.start = time.perf_counter()
        work = max(float(work), 1.0)
        if progress is False:
            return
        if _isatty(sys.stderr):
            from tqdm import tqdm

            self.bar = tqdm(
                total=work,
                desc=label,
                file=sys.stderr,
                delay=0.0 if self.forced else _PROGRESS_SECONDS,
                smoothing=0.0,
                leave=True,
                mininterval=0.5,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed} elapsed, about {remaining} left",
            )
        elif self.forced:
            self.log = True
            print(f"{label}: {self.n_draws} draws started", file=sys.stderr, flush=True)

    @property
    def active(self) -> bool:
        """Whether anything will be shown (the draws then run in chunks)."""
        return self.bar is not None or self.log

    def update(self, work: float) -> None:
        if self.bar is not None:
            self.bar.update(work)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.n = self.bar.total
            self.bar.close()
            self.bar = None
        elif self.log:
            print(
                f"{self.label}: {self.n_draws} draws done in {_seconds(time.perf_counter() - self.start)}",
                file=sys.stderr,
                flush=True,
            )
            self.log = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def work_of(problem: Problem, n_draws: int) -> float:
    """The work of ``n_draws`` draws of ``problem``, in the units of :class:`Progress`."""
    return float(n_draws) * problem.src.size


# ----------------------------------------------------------------------------
# drawing


def _shared_table(problems, columns=None):
    """The table ``problems`` redraw, and their index codes, parameters and columns (checked).

    Without ``columns`` every problem redraws the first one's table. With
    ``columns``, problem k with ``columns[k] < 0`` reads the whole table (the
    first such problem's), and problem k with ``columns[k] = g`` the two
    columns ``[g, row total - g]`` of it (a group against the rest). A
    problem that reads a column may come without its own table (``src``
    None, see :func:`column_reader`): it is then taken to be that column.
    """
    columns = np.full(len(problems), -1, dtype=np.int64) if columns is None else np.asarray(columns, dtype=np.int64)
    whole = [p for p, c in zip(problems, columns) if c < 0]
    if not whole:
        raise SegindexValueError("run_many(): no problem reads the whole table; give one a column of -1.")
    first = whole[0]
    src = first.src
    rows = src.sum(axis=1)
    for p, c in zip(problems, columns):
        if p is first:
            continue
        same = p.n_areas == first.n_areas and np.array_equal(p.codes, first.codes) and p.kernel_code is not None
        if same and c < 0:
            same = p.src.shape == src.shape and np.array_equal(p.src, src)
        elif same:
            same = p.src is None or (
                p.src.shape == (src.shape[0], 2)
                and c < src.shape[1]
                and np.array_equal(p.src[:, 0], src[:, c])
                and np.array_equal(p.src[:, 1], rows - src[:, c])
            )
        if not same:
            raise SegindexValueError(
                f"run_many(): {first.name!r} and {p.name!r} do not redraw the same table; run them apart."
            )
    if len(problems) > 1 and first.kernel_code is None:
        raise SegindexValueError(f"run_many(): {first.name!r} has no kernel; run it alone.")
    indices = np.array([-1 if p.kernel_code is None else p.kernel_code for p in problems], dtype=np.int64)
    params = np.array([p.param for p in problems], dtype=np.float64)
    return first, indices, params, columns


def column_reader(problem: Problem) -> Problem:
    """``problem`` without its own table, for a run that gives it a column of a shared one (memory)."""
    from dataclasses import replace

    return replace(problem, src=None)


def _draw(problem, mode, seeds, progress, client=None, block_size=None):
    """Index of every draw of one problem, shape ``(len(seeds), n_areas)`` (see :func:`_draw_many`)."""
    return _draw_many([problem], mode, seeds, progress, client, block_size)[:, 0, :]


def _draw_many(problems, mode, seeds, progress, client=None, block_size=None, columns=None):
    """Index of every draw, shape ``(len(seeds), len(problems), n_areas)``, in blocks of draws.

    The problems redraw one table (see :func:`_shared_table` for
    ``columns``): each draw is drawn once and every problem's index computed
    on it. Locally, in chunks when progress is
    shown (or of ``block_size`` draws); with a Dask ``client``, blocks of draws
    are tasks on its workers (see :mod:`segindex._engine`). The tables are
    built once for the whole run, so the blocking never changes a number.
    """
    problem, indices, params, columns = _shared_table(problems, columns)
    n = seeds.shape[0]
    k = len(problems)
    per_draw = problem.src.size * k
    probs = _shares(problem.src, problem.codes, problem.n_areas)
    tables = _tables(problem, probs, mode, n)
    if client is not None:
        from . import _engine

        blocks = _engine.block_bounds(n, block_size, client)

        def done(i):
            start, stop = blocks[i]
            progress.update((stop - start) * per_draw)

        if problem.recompute is not None or problem.batch is not None:
            parts = _engine.map_blocks(draw_block, (problem, probs, mode, tables, seeds), blocks, client, on_done=done)
            parts = [part[:, None, :] for part in parts]
        else:
            shared = (problem.src, problem.codes, problem.n_areas, indices, params, columns, probs, mode, tables, seeds)
            parts = _engine.map_blocks(draw_many_block, shared, blocks, client, on_done=done)
        return np.concatenate(parts, axis=0) if parts else np.empty((0, k, problem.n_areas))
    if problem.batch is not None:
        return problem.batch(problem.src, probs, problem.codes, mode, tables, seeds, progress, block_size)[:, None, :]
    if problem.recompute is not None:
        out = np.empty((n, problem.n_areas))
        return _draw_recomputed(problem, probs, mode, tables, seeds, out, progress)[:, None, :]
    out = np.empty((n, k, problem.n_areas))
    serial, parallel, args = _kernel_of(
        problem.src, problem.codes, problem.n_areas, indices, params, columns, mode, probs, tables
    )
    work = n * per_draw
    if progress.forced or block_size is not None:
        pass  # chunked below
    elif work < _SERIAL_WORK:  # thread start-up would cost more than the draws
        serial(*args, seeds, out)
        progress.update(work)
        return out
    elif not progress.active or work < _CHUNK_WORK:
        parallel(*args, seeds, out)
        progress.update(work)
        return out
    chunk = block_size if block_size is not None else max(1, math.ceil(n / _CHUNKS))
    done = 0
    while done < n:
        stop = min(n, done + chunk)
        parallel(*args, seeds[done:stop], out[done:stop])
        progress.update((stop - done) * per_draw)
        done = stop
    return out


def _kernel_of(src, codes, n_areas, indices, params, columns, mode, probs, tables):
    """The serial and parallel draw kernels of a table and its indices, and their leading arguments."""
    pair = tables[0].shape[0] == src.shape[0] and (columns < 0).all()
    if pair and all(_kr.is_pair(int(code), src.shape[1]) for code in indices):
        args = (src, codes, n_areas, indices, params, tables)
        return _kr.pair_draws_serial, _kr.pair_draws_parallel, args
    args = (src, probs, codes, n_areas, mode, indices, params, columns, tables)
    return _kr.draws_serial, _kr.draws_parallel, args


class _Silent:
    """A progress display that shows nothing (blocks run on a worker)."""

    forced = False
    active = False

    def update(self, work):
        pass


def draw_block(shared, block):
    """The draws ``block = (start, stop)`` of a run: ``shared`` is ``(problem, probs, mode, tables, seeds)``.

    Runs where a block is sent (a Dask worker): the same kernels as the
    local run, on the block's seeds, so the same numbers.
    """
    problem, probs, mode, tables, seeds = shared
    start, stop = block
    part = seeds[start:stop]
    if problem.batch is not None:
        return problem.batch(problem.src, probs, problem.codes, mode, tables, part, _Silent())
    out = np.empty((part.shape[0], problem.n_areas))
    if problem.recompute is not None:
        return _draw_recomputed(problem, probs, mode, tables, part, out, _Silent())
    problem, indices, params, columns = _shared_table([problem])
    shared = (problem.src, problem.codes, problem.n_areas, indices, params, columns, probs, mode, tables, seeds)
    return draw_many_block(shared, block)[:, 0, :]


def draw_many_block(shared, block):
    """The draws ``block = (start, stop)`` of a run of several indices on one table.

    ``shared`` is ``(src, codes, n_areas, indices, params, columns, probs,
    mode, tables, seeds)``; returns ``out[d, k, a]`` for the block's draws. The
    same kernels as the local run, on the block's seeds, so the same numbers.
    """
    src, codes, n_areas, indices, params, columns, probs, mode, tables, seeds = shared
    start, stop = block
    part = seeds[start:stop]
    out = np.empty((part.shape[0], indices.shape[0], n_areas))
    serial, parallel, args = _kernel_of(src, codes, n_areas, indices, params, columns, mode, probs, tables)
    (serial if part.shape[0] * src.size * indices.shape[0] < _SERIAL_WORK else parallel)(*args, part, out)
    return out


def _draw_recomputed(problem, probs, mode, tables, seeds, out, progress):
    """Draws of an index computed outside the kernels: one redrawn table at a time (memory O(one table))."""
    per_draw = problem.src.size
    for d in range(seeds.shape[0]):
        table = _kr.draw_table(problem.src, probs, problem.codes, problem.n_areas, mode, tables, seeds[d])
        out[d, :] = problem.recompute(table)
        progress.update(per_draw)
    return out


def _shares(src, codes, n_areas):
    """Each area's column shares of ``src`` (0 in an empty area); whole-number sums, exact in any order."""
    if codes.size:
        sums = np.column_stack([np.bincount(codes, weights=src[:, g], minlength=n_areas) for g in range(src.shape[1])])
        sums = sums.reshape(n_areas, src.shape[1])
    else:  # one area (code 0); a problem may still give several statistics per draw (a profile's rows)
        sums = np.zeros((max(n_areas, 1), src.shape[1]))
        sums[0] = src.sum(axis=0, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        tot = sums.sum(axis=1, keepdims=True)
        return np.ascontiguousarray(np.where(tot > 0, sums / np.where(tot > 0, tot, 1.0), 0.0))


def _tables(problem, probs, mode, n_draws=1_000):
    """Binomial inversion tables, one per distinct (trials, p) pair, for random allocation and the bootstrap.

    Two columns: each unit's first column is drawn from its table. More
    columns: the people outside the last column are (see
    ``_kernels.random._fill_split``), from tables built on the two-column table
    ``[first columns summed, last column]``. The hypergeometric allocation
    uses none. ``n_draws`` is not used (kept for the callers).
    """
    src = problem.src
    if mode == _kr.MODE_HYPERGEOMETRIC or src.shape[1] < 2:
        empty_i = np.empty(0, dtype=np.int64)
        return (empty_i, np.empty((0, 4), dtype=np.int64), np.empty((0, 4)), np.empty(0), np.empty(0, dtype=np.int32))
    if src.shape[1] == 2:
        return _pair_tables(src, problem.codes, probs, mode)
    pair = np.ascontiguousarray(np.column_stack([src[:, :-1].sum(axis=1), src[:, -1]]))
    first = _pair_tables(pair, problem.codes, _shares(pair, problem.codes, problem.n_areas), mode)
    if mode != _kr.MODE_MULTINOMIAL:
        return first
    return _with_split_tables(first, probs, problem.n_areas, src.shape[1])


def _with_split_tables(first, probs, n_areas, K):
    """Random allocation, more than two columns: ``first`` and the tables that split people among the columns.

    For area a and column g < K - 1 with ``0 < q < 1``, ``q = P_ag / (P_ag +
    ... + P_a,K-2)`` (summed in that order, as the kernel sums it), the tables
    of Binomial(n, q), n = 1 .. ``SPLIT_TABLE_TRIALS``, appended to
    ``first``'s; their first table's number follows the units' codes in the
    unit → table map (-1 where none).
    """
    unit_table, ints, floats, cdf, guide = first
    cap = _kr.SPLIT_TABLE_TRIALS
    base = np.full(n_areas * (K - 1), -1, dtype=np.int64)
    ps = []
    for a in range(n_areas):
        for g in range(K - 1):
            w = float(probs[a, g])
            if w <= 0.0:
                continue
            mass = 0.0
            for h in range(g, K - 1):
                mass += float(probs[a, h])
            q = w / mass
            if q >= 1.0:
                continue
            base[a * (K - 1) + g] = ints.shape[0] + cap * len(ps)
            ps.append(q)
    if not ps:
        return (np.concatenate([unit_table, base]), ints, floats, cdf, guide)
    trials = np.tile(np.arange(1, cap + 1, dtype=np.int64), len(ps))
    built = _kr.binomial_tables(trials, np.repeat(np.array(ps), cap), _TABLE_BUDGET, _kr.TAIL)
    s_ints, s_floats, s_cdf, s_guide = built
    s_ints = s_ints.copy()
    s_ints[:, 1] = np.where(s_ints[:, 1] >= 0, s_ints[:, 1] + cdf.shape[0], -1)
    return (
        np.concatenate([unit_table, base]),
        np.concatenate([ints, s_ints]),
        np.concatenate([floats, s_floats]),
        np.concatenate([cdf, s_cdf]),
        np.concatenate([guide, s_guide]),
    )


def _pair_tables(src, codes, probs, mode):
    """The tables of a two-column table ``src`` (see :func:`_tables`).

    Random allocation draws ``Binomial(t_i, P_area)``: one table per distinct
    (area, t_i). The bootstrap draws ``Binomial(t_i, x_i / t_i)``: one per
    distinct (t_i, x_i), so units of the same size and count share a table.
    Units whose count cannot change (no people, or p of 0 or 1) get
    ``KEEP``. Built once per call and shared by all draws, laid out in unit
    order (a draw walks through memory once); the total size is capped
    (``_TABLE_BUDGET`` entries), past which units draw with
    ``np.random.binomial`` (code ``-2 - j`` for table j).
    """
    t = src.sum(axis=1)
    codes = codes if codes.size else np.zeros(src.shape[0], dtype=np.int64)
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
    built = _kr.binomial_tables(
        np.ascontiguousarray(t[rows], dtype=np.int64),
        np.ascontiguousarray(p_unit[rows], dtype=float),
        _TABLE_BUDGET,
        _kr.TAIL,
    )
    ints = built[0]
    if not ints.shape[0]:  # every unit keeps its counts
        return (unit_table,) + tuple(built)
    unbuilt = (unit_table >= 0) & (ints[np.maximum(unit_table, 0), 1] < 0)
    unit_table[unbuilt] = -2 - unit_table[unbuilt]  # past the budget: np.random.binomial
    return (unit_table,) + tuple(built)


def _valid(draws, caller, stacklevel=4):
    bad = np.isnan(draws) & ~np.isnan(draws).all(axis=0)
    if bad.any():
        warnings.warn(
            f"{caller}(): {int(bad.sum())} of {draws.size} draws gave an undefined index (a group drawn "
            "with no members); they are left out of the means, errors, intervals and p-values.",
            DataQualityWarning,
            stacklevel=stacklevel,
        )


def _summaries(draws, statistic, level):
    """Mean, sd and the bias-shifted percentile interval of the draws, per area."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(draws, axis=0)
        n_ok = np.sum(~np.isnan(draws), axis=0)
        se = np.where(n_ok > 1, np.nanstd(draws, axis=0, ddof=1) if draws.shape[0] > 1 else np.nan, np.nan)
        alpha = 1.0 - level
        ordered = np.sort(draws, axis=0)  # once for both ends; NaNs last
        lo_q = nanquantile(ordered, alpha / 2, n_ok, is_sorted=True)
        hi_q = nanquantile(ordered, 1 - alpha / 2, n_ok, is_sorted=True)
    return mean, se, 2 * statistic - hi_q, 2 * statistic - lo_q


def nanquantile(values, q, n_ok=None, *, is_sorted=False):
    """``numpy.nanquantile(values, q, axis=0)`` (the "linear" method) for a 2-D array, without a call per column.

    Each column is sorted once (NaNs last; ``is_sorted`` when ``values`` is
    already sorted along axis 0, ``n_ok`` its non-NaN count per column). With
    ``n`` values left in a column, the quantile sits at ``h = (n - 1) q``:
    ``v[floor(h)]`` moved towards the next value by ``g = h - floor(h)``, in
    numpy's own arithmetic (``a + (b - a) g``, or ``b - (b - a)(1 - g)`` for
    ``g >= 1/2``), and ``v[n - 1]`` when ``h >= n - 1``; NaN for a column
    with no values. The same numbers as numpy's, bit for bit (tested).
    """
    ordered = values if is_sorted else np.sort(values, axis=0)
    if n_ok is None:
        n_ok = np.sum(~np.isnan(ordered), axis=0)
    n_ok = np.asarray(n_ok, dtype=np.int64)
    columns = np.arange(ordered.shape[1])
    virtual = (n_ok - 1).astype(np.float64) * q
    prev = np.floor(virtual)
    last = virtual >= n_ok - 1
    gamma = virtual - np.where(last, -1.0, prev)  # numpy marks the last value by index -1, and so its gamma
    i_prev = np.where(last, n_ok - 1, prev).astype(np.int64)
    i_next = np.where(last, n_ok - 1, prev + 1).astype(np.int64)
    empty = n_ok == 0
    i_prev[empty] = 0
    i_next[empty] = 0
    if ordered.shape[0] == 0:
        return np.full(ordered.shape[1], np.nan)
    a = ordered[i_prev, columns]
    b = ordered[i_next, columns]
    diff = b - a
    out = a + diff * gamma
    upper = gamma >= 0.5
    out[upper] = (b - diff * (1 - gamma))[upper]
    out[empty] = np.nan
    return out


def _wrap(values, areas):
    if areas is None:
        return float(np.asarray(values).reshape(-1)[0])
    return np.asarray(values, dtype=float)


def _result(problem, draws, fields, **meta):
    areas = problem.areas
    if areas is None and problem.n_areas > 1:  # areas given by code only
        areas = pd.RangeIndex(problem.n_areas)
    nan = np.full(problem.n_areas, np.nan)
    values = {name: fields.get(name, nan) for name in Inference.FIELDS}
    count = None if problem.count is None else _wrap(problem.count, areas)
    return Inference(
        **{k: _wrap(v, areas) for k, v in values.items()},
        draws=draws[:, 0].copy() if areas is None else draws,
        areas=areas,
        by=problem.by,
        count=count,
        index=problem.name,
        **meta,
    )


def seeds_for(rng, n):
    """``n`` draw seeds from ``rng`` (numba's generator takes 32-bit seeds)."""
    return rng.integers(0, _SEED_HIGH, size=n, dtype=np.int64)


def run(
    problem: Problem,
    method: str,
    n_draws: int,
    rng,
    level: float,
    allocation: str,
    progress: Progress,
    caller: str,
    random_state=None,
    *,
    client=None,
    block_size=None,
) -> Inference:
    """Draw ``n_draws`` tables of ``problem`` by ``method`` and summarise them (arguments already checked)."""
    return run_many(
        [problem],
        method,
        n_draws,
        rng,
        level,
        allocation,
        progress,
        caller,
        random_state,
        client=client,
        block_size=block_size,
    )[0]


def run_many(
    problems,
    method: str,
    n_draws: int,
    rng,
    level: float,
    allocation: str,
    progress: Progress,
    caller: str,
    random_state=None,
    *,
    client=None,
    block_size=None,
    columns=None,
) -> list:
    """:func:`run` for several problems that redraw the same table, drawn once for all.

    The problems share their count table, area codes and layout (every
    two-group index of a group against the rest of the population, say):
    ``n_draws`` seeds are taken from ``rng`` once, each draw redraws the table
    once, and every problem's index is computed on that same table. Problem
    ``k``'s draws are therefore those :func:`run` gives it alone with the same
    ``rng``, bit for bit. Returns one :class:`Inference` per problem, in order.

    ``columns`` (see :func:`_shared_table`) lets two-group problems of a group
    against the rest read their columns of a groups table that a multigroup
    problem redraws: a column of a redrawn multinomial row is the draw that
    the group's own randomisation or bootstrap makes (Binomial(t_i, w_g)), so
    each problem's draws have their own distribution, drawn once for all (not
    the draws :func:`run` would make for that problem alone).
    """
    seeds = seeds_for(rng, n_draws)
    mode = _MODES[allocation] if method == "randomisation" else _kr.MODE_BOOTSTRAP
    drawn = _draw_many(problems, mode, seeds, progress, client, block_size, columns)
    return [
        _summarise(p, method, np.ascontiguousarray(drawn[:, k, :]), level, allocation, caller, n_draws, random_state)
        for k, p in enumerate(problems)
    ]


def _summarise(problem, method, draws, level, allocation, caller, n_draws, random_state):
    """The :class:`Inference` of ``problem`` from its draws."""
    s = problem.statistic
    _valid(draws, caller, stacklevel=6)  # as seen from the caller of run()
    if method == "randomisation":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN areas (group absent) stay NaN
            expected = np.nanmean(draws, axis=0)
        if problem.corrected_defined:
            with np.errstate(divide="ignore", invalid="ignore"):
                corrected = np.where(s >= expected, (s - expected) / (1.0 - expected), (s - expected) / expected)
            # below an expected value that is not positive (H~ can be negative) the ratio means nothing
            corrected = np.where((s < expected) & ~(expected > 0), np.nan, corrected)
        else:
            corrected = np.full(problem.n_areas, np.nan)
        tol = 1e-12 * np.maximum(1.0, np.abs(s))
        if problem.higher_is_more_segregated:
            k = np.sum(draws >= s - tol, axis=0)
        else:
            k = np.sum(draws <= s + tol, axis=0)
        R = np.sum(~np.isnan(draws), axis=0)
        p = np.where(np.isnan(s), np.nan, (k + 1.0) / (R + 1.0))
        fields = dict(value=s, expected=expected, corrected=corrected, p_value=p)
        alloc = allocation
    else:
        mean, se, lo, hi = _summaries(draws, s, level)
        fields = dict(value=s, bias_corrected=2 * s - mean, bootstrap_mean=mean, se=se, ci_low=lo, ci_high=hi)
        alloc = None
    return _result(
        problem, draws, fields, method=method, n_draws=n_draws, random_state=random_state, allocation=alloc, ci=level
    )


def run_difference(
    pa: Problem,
    pb: Problem,
    n_draws: int,
    rng,
    level: float,
    contrast: str,
    progress: Progress,
    caller: str,
    random_state=None,
    *,
    client=None,
    block_size=None,
) -> Inference:
    """Bootstrap of the difference (or ratio) of an index between two problems (arguments already checked)."""
    seeds = seeds_for(rng, 2 * n_draws)
    da = _draw(pa, _kr.MODE_BOOTSTRAP, seeds[:n_draws], progress, client, block_size)
    db = _draw(pb, _kr.MODE_BOOTSTRAP, seeds[n_draws:], progress, client, block_size)
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
            bias_corrected = (2 * pa.statistic - np.nanmean(da, axis=0)) - (2 * pb.statistic - np.nanmean(db, axis=0))
    else:
        bias_corrected = 2 * s - mean
    reflected = 2 * s - draws  # the basic-bootstrap distribution, consistent with the interval
    R = np.sum(~np.isnan(draws), axis=0)
    k_lo = np.sum(reflected <= null, axis=0)
    k_hi = np.sum(reflected >= null, axis=0)
    p = np.minimum(1.0, 2.0 * (np.minimum(k_lo, k_hi) + 1.0) / (R + 1.0))
    p = np.where(np.isnan(s), np.nan, p)
    fields = dict(value=s, p_value=p, bias_corrected=bias_corrected, bootstrap_mean=mean, se=se, ci_low=lo, ci_high=hi)
    return _result(
        pa,
        draws,
        fields,
        method="bootstrap",
        n_draws=n_draws,
        random_state=random_state,
        allocation=None,
        ci=level,
        contrast=contrast,
    )


def infer_arrays(
    problems,
    *,
    method="bootstrap",
    n_draws=999,
    random_state=None,
    ci=0.95,
    allocation="binomial",
    progress=None,
    caller="infer",
    label=None,
    contrast=None,
):
    """Inference on array-level problems (see :func:`two_group_problem`, :func:`groups_problem`).

    ``problems`` is a list; each item is a :class:`Problem`, or for a contrast
    (``method="bootstrap"``, ``contrast`` given) a pair of problems. One
    generator, seeded by ``random_state``, gives each item its own draws, in
    order, and one progress display covers them all. Returns the list of
    :class:`Inference` results, in order.
    """
    check_options(caller, method, n_draws, ci, allocation, random_state, progress)
    if contrast is not None and method != "bootstrap":
        raise SegindexValueError(f"{caller}(): a contrast is bootstrapped; method must be 'bootstrap'.")
    rng = default_rng(random_state, caller)
    n = int(n_draws)
    work = sum(work_of(p, n) if isinstance(p, Problem) else work_of(p[0], n) + work_of(p[1], n) for p in problems)
    results = []
    with Progress(label or caller, work, n * len(problems), progress) as shown:
        for item in problems:
            if isinstance(item, Problem):
                results.append(run(item, method, n, rng, float(ci), allocation, shown, caller, random_state))
            else:
                results.append(
                    run_difference(item[0], item[1], n, rng, float(ci), contrast, shown, caller, random_state)
                )
    return results
