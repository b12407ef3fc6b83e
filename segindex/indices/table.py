"""All indices for many groups in one tidy table."""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from .. import _engine
from .. import _resampling as _rs
from .._compat import renamed_parameters
from .._kernels import random as _kr
from .._kernels import validate as _kv
from ..counts import check_label, check_labels, read_counts
from ..errors import AbsentGroupWarning, DataQualityWarning, SegindexTypeError, SegindexValueError, first_few
from . import registry

__all__ = ["segregation_table", "ALL_GROUPS"]


#: The ``group`` label of multigroup rows.
ALL_GROUPS = "(all groups)"
#: Columns added by ``n_draws``, in the order of the shared column contract.
INFERENCE_COLUMNS = ("expected", "corrected", "p_value", "bias_corrected", "bootstrap_mean", "se", "ci_low", "ci_high")
_RANDOMISATION_COLUMNS = ("expected", "corrected", "p_value")
_BOOTSTRAP_COLUMNS = ("bias_corrected", "bootstrap_mean", "se", "ci_low", "ci_high")


def _selected(indices, caller):
    if indices is None:
        return [s for s in registry.specs() if s.in_table and s.kind in ("two-group", "multigroup")]
    if isinstance(indices, str) or not isinstance(indices, (list, tuple)) or not indices:
        raise SegindexTypeError(
            f"{caller}(): the 'indices' parameter must be a non-empty list of index names, got {indices!r}."
        )
    chosen = []
    for name in indices:
        spec = registry.get(name, caller)
        if spec.kind not in ("two-group", "multigroup"):
            valid = registry.names("two-group") + registry.names("multigroup")
            raise SegindexValueError(
                f"{caller}(): {spec.name!r} is a {spec.kind} index and needs geometry or points; "
                f"the table takes two-group and multigroup indices ({first_few(valid)}). "
                f"Call segindex.{spec.name}() on the frame instead."
            )
        if spec not in chosen:
            chosen.append(spec)
    return chosen


def _check_b(b, caller):
    if isinstance(b, bool) or not isinstance(b, (int, float, np.integer, np.floating)):
        raise SegindexTypeError(f"{caller}(): the 'b' parameter must be a number in (0, 1), got {b!r}.")
    if not 0.0 < float(b) < 1.0:
        raise SegindexValueError(f"{caller}(): the 'b' parameter must lie strictly between 0 and 1, got {b!r}.")


@renamed_parameters(reference="other", n_bootstrap="n_draws", atkinson_b="b")
def segregation_table(
    data: pd.DataFrame,
    groups: list,
    *,
    other: Hashable | None = None,
    total: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    indices: list | None = None,
    b: float = 0.5,
    n_draws: int | None = None,
    random_state: int | np.random.Generator | np.random.SeedSequence | None = None,
    ci: float = 0.95,
    min_count: float = _rs.MIN_COUNT,
    progress: bool | None = None,
    client: object | None = None,
    block_size: int | None = None,
) -> pd.DataFrame:
    r"""Every index for every group, in one tidy, unrounded DataFrame.

    For each group in ``groups``:

    * against the rest of the population (``comparison = "rest"``): every
      two-group index (dissimilarity, Gini, Atkinson, isolation, exposure to
      the rest and the correlation ratio η² by default);
    * against ``other`` when given (``comparison = other``): the indices that
      compare two groups (dissimilarity, Gini, Atkinson and exposure to
      ``other`` by default);

    and for all groups together (``group = "(all groups)"``,
    ``comparison = "multigroup"``): Theil's H, mutual information M and
    multigroup dissimilarity.

    ``other`` only adds the pairwise rows: the all-groups rows are always
    those of ``entropy_index(data, groups, total=total)`` (and of the other
    multigroup indices), whether ``other`` is given or not, and cover the
    listed ``groups`` (and, with ``total``, the rest of the population as one
    more group).

    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        One row per unit, one column of counts per group.
    groups : list of column names
        The groups to report.
    other : column name, optional
        A comparison group (e.g. ``"WhiteBrit"``) for pairwise rows. It need
        not be in ``groups``; it never changes the all-groups rows.
    total : column name, optional
        Unit totals. Without it the listed groups (and ``other``) are the whole
        population of each unit; with it, the rest of the population is the
        comparison for ``"rest"`` rows and counts as one more group in the
        all-groups rows.
    by : column name or list of column names, optional
        Compute per area. An area where a group or its comparison is absent
        gets NaN for that row, with one warning for the whole table.
    indices : list of str, optional
        The indices, by name: any registered two-group or multigroup index
        (:mod:`segindex.indices.registry`). Default: the nine above.
    b : float, default 0.5
        Shape parameter of the Atkinson index.
    n_draws : int, optional
        Add inference, each row from ``n_draws`` draws of each method: the
        randomisation test against random allocation (binomial allocation;
        columns ``expected``, ``corrected``, ``p_value``, and the flag
        ``high_expected``) and the bootstrap (each unit's counts redrawn from
        its own composition; columns ``bias_corrected``, ``bootstrap_mean``,
        ``se``, ``ci_low``, ``ci_high``); see :func:`segindex.infer`. Counts
        must then be whole numbers. Rows that redraw the same table share
        its draws (each draw computes every index of that table): the
        all-groups rows and every group's rows against the rest (a group's
        column of a redrawn multinomial row of the groups table is its own
        binomial draw against the rest of the unit); D, Gini and Atkinson
        against ``other``; exposure to ``other``. For each such table, in the
        order of its first row, ``n_draws`` seeds are taken for the
        randomisation test and then ``n_draws`` for the bootstrap, so each
        row's columns are those of :func:`segindex.infer` on that row with
        the generator at that point -- except the rows against the rest
        drawn with the groups table: the same distribution, other draws.
    random_state : None, int, numpy.random.Generator or numpy.random.SeedSequence
        Seeds the draws (with ``n_draws``).
    ci : float, default 0.95
        Coverage of the intervals (with ``n_draws``).
    min_count : float, default 100
        Rows whose focal group has fewer people than this in the area are
        flagged in ``small_group``.
    progress : None or bool
        Progress of the draws, as for :func:`segindex.infer` (one bar for the
        whole table).
    client : dask.distributed.Client, optional
        Run the draws on a Dask cluster in blocks of ``block_size`` draws (see
        :func:`segindex.infer`); the table is the same, bit for bit.
    block_size : int, optional
        Draws per block (per task with ``client``); does not change the result.

    Returns
    -------
    pandas.DataFrame
        Columns ``area`` (``"all"`` without ``by``; the area key with it; a
        tuple for several ``by`` columns, which then also appear one per
        column), ``group``, ``comparison``, ``index``, ``value``; with
        ``n_draws`` then ``expected``, ``corrected``, ``p_value``,
        ``bias_corrected``, ``bootstrap_mean``, ``se``, ``ci_low``,
        ``ci_high``; then ``count`` (the focal group's count in the area;
        everyone in the all-groups rows), ``small_group`` (``count <
        min_count``) and, with ``n_draws``, ``high_expected`` (the index
        expected under random allocation is more than half the measured one:
        much of the measured value is what chance alone gives).

        The interval ``[ci_low, ci_high]`` is centred on ``bias_corrected``,
        not on ``value``: small units and small groups bias a segregation index
        upward, the bootstrap estimates that bias and moves the interval down
        by it, so the measured ``value`` may lie above the interval. Quote
        ``bias_corrected`` with its interval.

    Raises
    ------
    SegindexValueError
        A column is missing or invalid, an index is unknown or spatial, ``b``
        lies outside (0, 1), or (without ``by``) an index is undefined.
    SegindexTypeError
        A parameter of the wrong type; ``reference``, ``n_bootstrap`` or
        ``atkinson_b`` (now ``other``, ``n_draws`` and ``b``).

    See Also
    --------
    dissimilarity, isolation, exposure, correlation_ratio, gini, atkinson,
    entropy_index, mutual_information, multigroup_dissimilarity

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [10, 20, 30], "B": [30, 20, 10], "C": [0, 10, 20]})
    >>> t = segregation_table(df, ["A", "C"], other="B")
    >>> row = t[(t.group == "A") & (t.comparison == "B") & (t["index"] == "dissimilarity")]
    >>> round(float(row["value"].iloc[0]), 4)
    0.3333
    >>> sorted(t["comparison"].unique())
    ['B', 'multigroup', 'rest']
    """
    caller = "segregation_table"
    labels = check_labels(groups, "groups", caller)
    check_label(other, "other", caller, optional=True)
    _check_b(b, caller)
    _rs.check_min_count(min_count, caller)
    specs = _selected(indices, caller)
    if n_draws is not None:
        _rs.check_options(caller, "bootstrap", n_draws, ci, "binomial", random_state, progress)
    client = _engine.check_client(client, caller)
    block_size = _engine.check_block_size(block_size, caller)
    pair_columns = labels + ([other] if other is not None and other not in labels else [])
    counts = read_counts(data, pair_columns, total=total, by=by, rest=total is not None, caller=caller)
    A = counts.n_areas
    rows, absent = _rows(data, labels, other, total, by, specs, counts, {"b": float(b)}, caller)
    n_rows = len(rows)
    _report_absent(absent, counts, caller)
    columns = {
        "group": np.repeat(np.array([r[0] for r in rows], dtype=object), A),
        "comparison": np.repeat(np.array([r[1] for r in rows], dtype=object), A),
        "index": np.repeat(np.array([r[2].name for r in rows], dtype=object), A),
        "value": np.concatenate([r[3] for r in rows]) if rows else np.empty(0),
    }
    if n_draws is not None:
        columns.update(
            _inference_columns(
                rows,
                n_draws,
                random_state,
                ci,
                progress,
                caller,
                counts.values.shape[0],
                counts.values.shape[1],
                client,
                block_size,
            )
        )
    count = np.concatenate([r[4] for r in rows]) if rows else np.empty(0)
    columns["count"] = count.astype(np.int64) if np.array_equal(count, np.round(count)) else count
    flags = _rs.flags(count, columns["value"], columns.get("expected"), min_count)
    for name in flags.columns:
        columns[name] = flags[name].to_numpy()
    if counts.areas is None:
        keys = pd.DataFrame({"area": np.full(n_rows, "all", dtype=object)})
    else:
        keys = _rs.area_columns(counts.areas, counts.by)
        keys = pd.concat([keys] * n_rows, ignore_index=True)
    table = pd.concat([keys, pd.DataFrame(columns)], axis=1)
    if counts.areas is not None:
        table = table.sort_values(["area"] if len(counts.by) == 1 else list(counts.by), kind="stable")
        table = table.reset_index(drop=True)
    return table


def _rows(data, labels, other, total, by, specs, counts, options, caller):
    """Every row of the table and the NaN reasons.

    A row is ``(group, comparison, spec, values, count, problem maker, draw
    key, column)``. Rows with the same draw key redraw the same table (see
    :func:`_draw_key`); ``column`` is -1, or for a group against the rest
    whose rows join the all-groups rows' draws, the group's column in the
    groups table.
    """
    codes, A = counts.codes, counts.n_areas
    t = counts.total
    rows = []
    absent = {}
    multi = [s for s in specs if s.kind == "multigroup"]
    # the all-groups rows never depend on ``other``: the listed groups (and the rest, with total)
    mg = None
    if multi:
        mg = (
            counts
            if other is None or other in labels
            else read_counts(data, labels, total=total, by=by, rest=total is not None, caller=caller)
        )

    def add(group, comparison, spec, values, count, why, make, column=-1):
        key = _draw_key(group, comparison, spec)
        if column >= 0 and spec.kernel_code is not None:
            key = (ALL_GROUPS, "multigroup")  # drawn with the groups table (see _inference_columns)
        else:
            column = -1
        rows.append((group, comparison, spec, values, count, make, key, column))
        for k in np.flatnonzero(np.isnan(values)):
            absent.setdefault(k, set()).add(why(k))

    two = [s for s in specs if s.kind == "two-group"]
    for g in labels:
        x = counts.column(g)
        X = _rs.area_sums(x, codes, A)
        rest = _kv.remainder(t, x)
        column = _joint_column(mg, t, x)

        def why_rest(k, g=g, X=X):
            return f"{g!r} has no members" if not X[k] > 0 else f"the rest of the population beside {g!r} is empty"

        for spec in two:
            opts = {k: options[k] for k in spec.options if k in options}
            values = registry.clip_rounding(spec.compute(x, rest, t, codes, A, **opts), spec.bounds)
            add(
                g,
                "rest",
                spec,
                values,
                X,
                why_rest,
                lambda spec=spec, x=x, opts=opts: _rs.two_group_problem(
                    spec, x, None, t, codes, A, areas=counts.areas, by=counts.by, options=opts, caller=caller
                ),
                column,
            )
        if other is not None and g != other:
            y = counts.column(other)

            def why_other(k, g=g, X=X):
                return f"{g!r} has no members" if not X[k] > 0 else f"the comparison group {other!r} is empty"

            for spec in two:
                if spec.comparison == "none":
                    continue
                opts = {k: options[k] for k in spec.options if k in options}
                values = registry.clip_rounding(spec.compute(x, y, t, codes, A, **opts), spec.bounds)
                add(
                    g,
                    str(other),
                    spec,
                    values,
                    X,
                    why_other,
                    lambda spec=spec, x=x, y=y, opts=opts: _rs.two_group_problem(
                        spec, x, y, t, codes, A, areas=counts.areas, by=counts.by, options=opts, caller=caller
                    ),
                )

    if multi:
        people = _rs.area_sums(mg.values.sum(axis=1), codes, A)

        def why_all(k):
            return "the area has no population" if not people[k] > 0 else "the area (one group only)"

        for spec in multi:
            values = registry.clip_rounding(spec.compute(mg.values, codes, A), spec.bounds)
            add(
                ALL_GROUPS,
                "multigroup",
                spec,
                values,
                people,
                why_all,
                lambda spec=spec: _rs.groups_problem(
                    spec,
                    mg.values,
                    codes,
                    A,
                    areas=counts.areas,
                    by=counts.by,
                    labels=[repr(c) for c in mg.groups],
                    caller=caller,
                ),
            )

    return rows, absent


def _joint_column(mg, t, x):
    """The column of the groups table ``mg`` holding ``x`` when its rows sum to the unit totals ``t``; else -1."""
    if mg is None or not np.array_equal(mg.values.sum(axis=1), t):
        return -1
    for c in range(mg.values.shape[1]):
        if np.array_equal(mg.values[:, c], x):
            return c
    return -1


def _report_absent(absent, counts, caller):
    A = counts.n_areas
    if counts.areas is None and absent:
        raise SegindexValueError(
            f"{caller}(): some indices are undefined for the whole table: "
            f"{'; '.join(sorted(absent[0]))}. Drop those groups, or use by= to compute per area."
        )
    if counts.areas is not None and absent:
        keys = list(counts.areas)
        listed = "; ".join(f"{keys[k]!r}: {', '.join(sorted(absent[k]))}" for k in sorted(absent)[:10])
        more = f"; and {len(absent) - 10} more" if len(absent) > 10 else ""
        warnings.warn(
            f"{caller}(): some indices are NaN in {len(absent)} of {A} areas ({listed}{more}).",
            AbsentGroupWarning,
            stacklevel=4,
        )


def _draw_key(group, comparison, spec):
    """Rows with equal keys redraw the same count table, so one draw serves them all.

    Against the rest of the population every kernel index of a group reads
    ``[x, rest]``; against ``other`` D, Gini and Atkinson read ``[x, y]`` and
    exposure ``[x, y, rest]``; the multigroup indices read the groups table.
    An index without a kernel draws alone.
    """
    if spec.kernel_code is None:
        return (group, comparison, spec.name)
    if spec.kind == "multigroup":
        return (group, comparison)
    if comparison == "rest":
        return (group, comparison, "rest")
    return (group, comparison, _kr.LAYOUTS[spec.kernel_code])


def _set_width(rows, members, n_columns):
    """Columns of the table a set of rows redraws (for the progress estimate)."""
    if any(rows[r][7] >= 0 for r in members):
        return n_columns
    first = rows[members[0]]
    return _width(first[2], n_columns, first[1])


def _width(spec, n_columns, comparison="rest"):
    """Columns of the table the draws of ``spec`` redraw (for the progress estimate)."""
    if spec.kind == "multigroup":
        return n_columns
    layout = _kr.LAYOUTS.get(spec.kernel_code, "exposure") if spec.kernel_code is not None else "exposure"
    return 3 if layout == "exposure" and comparison != "rest" else 2


def _inference_columns(
    rows, n_draws, random_state, ci, progress, caller, n_units, n_columns, client=None, block_size=None
):
    """The randomisation and bootstrap columns of every row, one progress display for the whole table.

    Rows that redraw the same table (same draw key) share their draws: for
    each such set, in the order of its first row, ``n_draws`` seeds for the
    randomisation test and then ``n_draws`` for the bootstrap are taken from
    the one generator, each draw redraws the table once and every row's index
    is computed on it (:func:`segindex._resampling.run_many`). A row's draws
    are thus those of :func:`segindex.infer` on that row with the generator
    at that point; except the rows of a group against the rest when there are
    all-groups rows: they read their group's column of the redrawn groups
    table (the same distribution: a column of a multinomial row is the
    binomial draw of that group against the rest).
    """
    rng = _rs.default_rng(random_state, caller)
    n = int(n_draws)
    draw_sets = {}
    for r, row in enumerate(rows):
        draw_sets.setdefault(row[6], []).append(r)
    # one set's problems at a time (each int64 table is units x columns): memory stays that of one set
    work = sum(2.0 * n * n_units * _set_width(rows, m, n_columns) * len(m) for m in draw_sets.values())
    found = [None] * len(rows)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataQualityWarning)
        with _rs.Progress(caller, work, 2 * n * len(rows), progress) as shown:
            for members in draw_sets.values():
                columns = [rows[r][7] for r in members]
                # a row that reads a column of the shared table keeps no table of its own: one table in memory
                problems = [_rs.column_reader(rows[r][5]()) if rows[r][7] >= 0 else rows[r][5]() for r in members]
                for r in members:
                    found[r] = {}
                for method, names in (("randomisation", _RANDOMISATION_COLUMNS), ("bootstrap", _BOOTSTRAP_COLUMNS)):
                    results = _rs.run_many(
                        problems,
                        method,
                        n,
                        rng,
                        float(ci),
                        "binomial",
                        shown,
                        caller,
                        client=client,
                        block_size=block_size,
                        columns=columns if max(columns) >= 0 else None,
                    )
                    for r, result in zip(members, results):  # keep the columns, not the draws
                        found[r].update({name: np.atleast_1d(getattr(result, name)) for name in names})
                    del results
                del problems
    out = {name: [f[name] for f in found] for name in INFERENCE_COLUMNS}
    undefined = sum(1 for w in caught if issubclass(w.category, DataQualityWarning))
    for w in caught:
        if not issubclass(w.category, DataQualityWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if undefined:
        warnings.warn(
            f"{caller}(): in {undefined} of {2 * len(rows)} bootstrap or randomisation runs some draws gave an "
            "undefined index (a small group drawn with no members); those draws were left out.",
            DataQualityWarning,
            stacklevel=4,
        )
    return {name: np.concatenate(values) if values else np.empty(0) for name, values in out.items()}
