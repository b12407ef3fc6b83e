r"""How much an index could move under the 2021 census disclosure-control noise.

The Office for National Statistics protected Census 2021 tables with the *cell
key method*: a small whole number, read from a perturbation table ("p-table")
by each cell's value and cell key, was added to some cells of every table.
ONS describes the result: "a typical dataset would have around 14% of cell
counts perturbed by a small amount, and small counts were more likely to have
been perturbed than large counts" (ONS 2023). The p-table itself is not
published, so the exact distribution of the noise is not known outside ONS.
Totals are perturbed independently of their parts, which is why 2021 groups do
not add up exactly to 2021 totals.

:func:`perturbation_check` redraws the counts with noise of that published
size and recomputes an index on each redrawn table: the spread of the index over
the redraws says how much noise of that size alone can move it. The noise model
used, stated so it can be changed:

* each non-zero cell of the chosen columns is perturbed with probability
  ``share`` (default 0.14, the share ONS reports), optionally only cells of at
  most ``max_count`` people (ONS: small counts were more likely to be
  perturbed);
* a perturbed cell changes by a whole number drawn uniformly from
  :math:`\{-m, \dots, -1, 1, \dots, m\}` with ``m = max_change`` (default 2:
  "a small amount"), and a count never goes below zero;
* zero cells stay zero (ONS perturbs few zeros: a zero cell has no records and
  hence no cell key of its own);
* a ``total`` follows its parts (the named groups and the rest of the
  population are each redrawn), unless it is redrawn as a column of its own.

The published 2021 counts are already perturbed; a redraw adds a second dose
of the same size, so the spread is a guide to the sensitivity of the index,
not a correction. Record swapping (the other 2021 protection, which moves
households between nearby areas) is not modelled.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .counts import check_frame, check_labels
from .errors import SegindexTypeError, SegindexValueError, first_few

__all__ = ["PerturbationCheck", "perturb_counts", "perturbation_check", "ONS_2021_SHARE_PERTURBED"]

#: Share of cells ONS reports perturbed in a typical Census 2021 dataset (ONS 2023).
ONS_2021_SHARE_PERTURBED = 0.14


def _check_options(share, max_change, max_count, caller: str):
    try:
        share = float(share)
    except (TypeError, ValueError):
        raise SegindexTypeError(f"{caller}(): 'share' must be a number in [0, 1], got {share!r}.") from None
    if not 0.0 <= share <= 1.0:
        raise SegindexValueError(f"{caller}(): 'share' must lie in [0, 1] (a probability), got {share}.")
    if isinstance(max_change, bool) or not isinstance(max_change, (int, np.integer)) or max_change < 1:
        raise SegindexValueError(f"{caller}(): 'max_change' must be a whole number >= 1, got {max_change!r}.")
    if max_count is not None and (isinstance(max_count, bool) or not np.isfinite(max_count) or max_count < 1):
        raise SegindexValueError(f"{caller}(): 'max_count' must be None or a number >= 1, got {max_count!r}.")
    return share, int(max_change), max_count


def _counts(data: pd.DataFrame, columns, caller: str) -> np.ndarray:
    columns = check_labels(columns, "columns", caller)
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise SegindexValueError(
            f"{caller}(): column(s) {missing} are not in the data. Columns: {first_few(data.columns, 12)}."
        )
    values = np.empty((len(data), len(columns)))
    for j, column in enumerate(columns):
        col = data[column]
        if not pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
            raise SegindexTypeError(f"{caller}(): column {column!r} must hold counts (numbers), got {col.dtype}.")
        values[:, j] = col.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise SegindexValueError(
            f"{caller}(): column {columns[col]!r} holds {values[row, col]!r} at row {data.index[row]!r}; "
            "perturbation redraws whole, non-negative, known counts (people)."
        )
    return values


def _draw(values: np.ndarray, rng, share: float, max_change: int, max_count) -> np.ndarray:
    eligible = values > 0
    if max_count is not None:
        eligible &= values <= max_count
    hit = eligible & (rng.random(values.shape) < share)
    size = rng.integers(1, max_change + 1, size=values.shape)
    sign = np.where(rng.random(values.shape) < 0.5, -1.0, 1.0)
    return np.maximum(values + np.where(hit, sign * size, 0.0), 0.0)


def perturb_counts(
    data: pd.DataFrame,
    columns: Sequence[Hashable],
    *,
    share: float = ONS_2021_SHARE_PERTURBED,
    max_change: int = 2,
    max_count: float | None = None,
    random_state: int | np.random.Generator | np.random.SeedSequence | None = None,
) -> pd.DataFrame:
    r"""One redraw of the counts with cell-key-sized noise (see the module docstring for the model).

    Parameters
    ----------
    data : pandas.DataFrame
        Wide table of whole counts.
    columns : list of column names
        The cells to perturb (each column independently, totals too: ONS
        perturbed totals independently of their parts).
    share : float, default 0.14
        Probability that a non-zero cell is perturbed (ONS: about 14 % of the
        cells of a typical Census 2021 dataset).
    max_change : int, default 2
        Largest change of a perturbed cell, in people.
    max_count : float, optional
        Perturb only cells of at most this many people.
    random_state : None, int or numpy.random.Generator
        Seeds the draw.

    Returns
    -------
    pandas.DataFrame
        A copy of ``data`` with ``columns`` redrawn (float64, whole, >= 0).

    Raises
    ------
    SegindexValueError
        A column is missing or holds a count that is not a whole
        non-negative number; ``share``, ``max_change`` or ``max_count`` is out
        of range.
    SegindexTypeError
        ``data`` is not a DataFrame, or a column is not numeric.

    Notes
    -----
    :math:`\tilde c = \max(0,\, c + B\,S\,K)` for every cell with
    :math:`c > 0`, with :math:`B \sim \text{Bernoulli}(\text{share})`,
    :math:`S = \pm 1` with equal probability and
    :math:`K \sim \text{Uniform}\{1, \dots, \text{max\_change}\}`, all independent.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [10, 0, 3], "b": [5, 7, 0]})
    >>> out = perturb_counts(df, ["a", "b"], share=1.0, max_change=1, random_state=0)
    >>> bool(((out - df).abs().to_numpy()[df.to_numpy() > 0] == 1).all())
    True
    >>> out.loc[1, "a"], out.loc[2, "b"]
    (np.float64(0.0), np.float64(0.0))
    """
    caller = "perturb_counts"
    check_frame(data, caller)
    share, max_change, max_count = _check_options(share, max_change, max_count, caller)
    columns = check_labels(columns, "columns", caller)
    values = _counts(data, columns, caller)
    out = data.copy()
    drawn = _draw(values, np.random.default_rng(random_state), share, max_change, max_count)
    for j, column in enumerate(columns):
        out[column] = drawn[:, j]
    return out


@dataclass(frozen=True, eq=False)
class PerturbationCheck:
    """An index on the data and over redraws with cell-key-sized noise (see :func:`perturbation_check`).

    Attributes
    ----------
    index : str
        The index's name.
    value : float or numpy.ndarray
        The index on the data (one value per area with ``by``).
    draws : numpy.ndarray
        The index on each redrawn table, shape ``(n_draws,)`` or ``(n_draws, n_areas)``.
    low, high : float or numpy.ndarray
        The central ``ci`` interval of the draws (percentiles).
    sd : float or numpy.ndarray
        Standard deviation of the draws.
    max_shift : float or numpy.ndarray
        Largest absolute difference between a draw and ``value``.
    areas : pandas.Index or None
        The areas, with ``by``.
    columns : tuple
        The columns redrawn.
    share, max_change, max_count, ci
        The noise model and the interval level used.
    """

    index: str
    value: object
    draws: np.ndarray
    low: object
    high: object
    sd: object
    max_shift: object
    areas: pd.Index | None
    columns: tuple
    share: float
    max_change: int
    max_count: float | None
    ci: float

    def to_frame(self) -> pd.DataFrame:
        """One row (per area): ``index, value, low, high, sd, max_shift, n_draws``."""
        n = self.draws.shape[0]
        frame = pd.DataFrame(
            {
                "index": self.index,
                "value": np.atleast_1d(self.value),
                "low": np.atleast_1d(self.low),
                "high": np.atleast_1d(self.high),
                "sd": np.atleast_1d(self.sd),
                "max_shift": np.atleast_1d(self.max_shift),
                "n_draws": n,
            }
        )
        if self.areas is not None:
            frame.insert(0, "area", list(self.areas))
        return frame

    def __repr__(self) -> str:
        if self.areas is not None:
            return f"PerturbationCheck({self.index}, {len(self.areas)} areas, {self.draws.shape[0]} draws)"
        return (
            f"PerturbationCheck({self.index} = {self.value:.4f}; {100 * self.ci:g}% of {self.draws.shape[0]} "
            f"redraws in [{self.low:.4f}, {self.high:.4f}], largest shift {self.max_shift:.4f})"
        )


def _resolve(index, caller: str) -> tuple[Callable, str]:
    if callable(index):
        return index, getattr(index, "__name__", "index")
    if isinstance(index, str):
        from . import indices

        try:
            from .indices.registry import get

            return get(index, caller).function, index
        except SegindexValueError:
            function = getattr(indices, index, None)
            if callable(function) and not index.startswith("_"):
                return function, index
            raise
    raise SegindexTypeError(
        f"{caller}(): the 'index' parameter must be an index function (e.g. segindex.dissimilarity) or its "
        f"name, got {type(index).__name__}."
    )


def _default_columns(data, index_args, index_kwargs) -> list:
    found = []
    candidates = list(index_args) + [v for k, v in index_kwargs.items() if k not in ("by", "total")]
    for value in candidates:
        items = value if isinstance(value, (list, tuple)) else [value]
        for item in items:
            if isinstance(item, str) and item in data.columns and item not in found:
                found.append(item)
    return found


def perturbation_check(
    data: pd.DataFrame,
    index: Callable | str,
    *index_args: object,
    columns: Sequence[Hashable] | None = None,
    share: float = ONS_2021_SHARE_PERTURBED,
    max_change: int = 2,
    max_count: float | None = None,
    n_draws: int = 199,
    random_state: int | np.random.Generator | np.random.SeedSequence | None = None,
    ci: float = 0.95,
    **index_kwargs: object,
) -> PerturbationCheck:
    r"""How much an index moves when small cells are redrawn by the 2021 cell-key perturbation size.

    Parameters
    ----------
    data : pandas.DataFrame
        Wide table of whole counts (for example 2021 census LSOAs).
    index : callable or str
        The index function (``segindex.dissimilarity``) or its name.
    *index_args, **index_kwargs
        The index's own arguments, exactly as for the function (``group``,
        ``other``, ``total=``, ``by=`` ...).
    columns : list of column names, optional
        The columns to redraw, each independently. Default: the group columns
        the index arguments name (``group``, ``other``, ``groups``). A
        ``total=`` column not listed here follows its parts: the rest of the
        population (total minus the named groups) is redrawn as one more
        cell and the total is the sum, so no group ever exceeds its total.
        (ONS perturbed totals independently of their parts; list the total
        in ``columns`` to do the same, at the risk of a redrawn group
        exceeding its redrawn total, which the indices refuse.)
    share, max_change, max_count
        The noise model of :func:`perturb_counts` (defaults: 14 % of non-zero
        cells changed by ±1 or ±2).
    n_draws : int, default 199
        Number of redraws.
    random_state : None, int or numpy.random.Generator
        Seeds the redraws; the same seed gives the same result.
    ci : float, default 0.95
        Coverage of the interval of the draws.

    Returns
    -------
    PerturbationCheck
        ``value``, the ``draws``, their central interval ``low, high``, ``sd``
        and ``max_shift``; ``to_frame()`` for a table.

    Raises
    ------
    SegindexValueError
        ``n_draws < 1``, ``ci`` outside (0, 1), no column to redraw, counts
        that are not whole and non-negative, an unknown index name, and any
        error of the index itself.
    SegindexTypeError
        ``data`` is not a DataFrame or ``index`` is neither a function nor a name.

    Notes
    -----
    For draws :math:`r = 1..R` of :func:`perturb_counts`, the index
    :math:`S(\tilde c^{(r)})` is recomputed; the interval is the
    :math:`(1 \pm \text{ci})/2` percentiles of the draws. The published
    2021 counts are already perturbed, so the draws show the sensitivity of
    the index to noise of that size, not the unperturbed value.

    References
    ----------
    Office for National Statistics (2023). Protecting personal data in
    Census 2021 results: "a typical dataset would have around 14% of cell
    counts perturbed by a small amount, and small counts were more likely to
    have been perturbed than large counts".

    Examples
    --------
    >>> import pandas as pd
    >>> from segindex import dissimilarity
    >>> df = pd.DataFrame({"a": [30, 5, 2, 40], "b": [3, 20, 25, 4]})
    >>> check = perturbation_check(df, dissimilarity, "a", "b", n_draws=50, random_state=1)
    >>> round(float(check.value), 4)
    0.7745
    >>> bool(check.low <= check.value + 0.05 and check.high >= check.value - 0.05)
    True
    """
    caller = "perturbation_check"
    check_frame(data, caller)
    function, name = _resolve(index, caller)
    share, max_change, max_count = _check_options(share, max_change, max_count, caller)
    if isinstance(n_draws, bool) or not isinstance(n_draws, (int, np.integer)) or n_draws < 1:
        raise SegindexValueError(f"{caller}(): 'n_draws' must be a whole number >= 1, got {n_draws!r}.")
    if not isinstance(ci, (int, float)) or not 0.0 < ci < 1.0:
        raise SegindexValueError(f"{caller}(): 'ci' must lie strictly between 0 and 1, got {ci!r}.")
    columns = (
        _default_columns(data, index_args, index_kwargs)
        if columns is None
        else check_labels(columns, "columns", caller)
    )
    if not columns:
        raise SegindexValueError(
            f"{caller}(): no count column to redraw: name them with columns=[...] (the index arguments name none "
            "of the data's columns)."
        )
    values = _counts(data, columns, caller)
    total = index_kwargs.get("total")
    follow = isinstance(total, str) and total in data.columns and total not in columns
    if follow:  # the total follows its parts: the named groups plus the rest, each redrawn
        base_total = _counts(data, [total], caller)[:, 0]
        rest = np.maximum(base_total - values.sum(axis=1), 0.0)[:, None]
    value = function(data, *index_args, **index_kwargs)
    areas = value.index if isinstance(value, pd.Series) else None
    rng = np.random.default_rng(random_state)
    draws = []
    table = data.copy()
    for _ in range(n_draws):
        drawn = _draw(values, rng, share, max_change, max_count)
        for j, column in enumerate(columns):
            table[column] = drawn[:, j]
        if follow:
            table[total] = (
                base_total
                + (drawn - values).sum(axis=1)
                + (_draw(rest, rng, share, max_change, max_count) - rest)[:, 0]
            )
        result = function(table, *index_args, **index_kwargs)
        draws.append(np.asarray(result.reindex(areas) if areas is not None else result, dtype=np.float64))
    draws = np.asarray(draws)
    observed = np.asarray(value, dtype=np.float64)
    alpha = (1.0 - ci) / 2.0
    low, high = np.nanquantile(draws, [alpha, 1.0 - alpha], axis=0)
    sd = np.nanstd(draws, axis=0, ddof=1) if n_draws > 1 else np.zeros_like(observed)
    shift = np.nanmax(np.abs(draws - observed), axis=0)

    def scalar(x):
        return float(x) if areas is None else np.asarray(x)

    return PerturbationCheck(
        index=name,
        value=scalar(observed),
        draws=draws,
        low=scalar(low),
        high=scalar(high),
        sd=scalar(sd),
        max_shift=scalar(shift),
        areas=areas,
        columns=tuple(columns),
        share=share,
        max_change=max_change,
        max_count=max_count,
        ci=float(ci),
    )
