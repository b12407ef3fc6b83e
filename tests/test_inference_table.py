"""The draws of the tidy table: shared by the rows that redraw one table, and each row's draws those of infer()."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from conftest import shared_data
from segindex import infer, segregation_table
from segindex._kernels import random as kr
from segindex._kernels import twogroup as kt
from segindex._resampling import nanquantile, seeds_for

RANDOMISATION = ("expected", "corrected", "p_value")
BOOTSTRAP = ("bias_corrected", "bootstrap_mean", "se", "ci_low", "ci_high")


def _frame(seed=0, n=240, areas=4):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "A": rng.binomial(60, rng.beta(0.6, 4.0, n)),
            "B": rng.integers(0, 90, n),
            "C": rng.binomial(40, rng.beta(0.4, 5.0, n)),
            "la": [f"E{k:02d}" for k in rng.integers(0, areas, n)],
        }
    )
    df["total"] = df[["A", "B", "C"]].sum(axis=1) + rng.integers(0, 30, n)
    return df


def _generator_after(random_state, n_runs, n):
    """The table's generator after ``n_runs`` runs of ``n`` seeds (as the table takes them, run by run)."""
    rng = np.random.default_rng(random_state)
    for _ in range(n_runs):
        seeds_for(rng, n)
    return rng


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small groups: some draws undefined, some areas NaN
        return fn(*args, **kwargs)


def _check_rows_equal_infer(table, data, rows, n, random_state, **common):
    """Each ``(draw set, group args, index, comparison label, options)`` row: the table's columns are infer()'s."""
    for k, args, index, comparison, options in rows:
        group = args[0] if isinstance(args[0], str) else "(all groups)"
        part = table[(table.group == group) & (table.comparison == comparison) & (table["index"] == index)]
        assert len(part) > 0, (group, comparison, index)
        test = _quiet(
            infer,
            index,
            data,
            *args,
            method="randomisation",
            n_draws=n,
            random_state=_generator_after(random_state, 2 * k, n),
            **common,
            **options,
        ).to_frame()
        boot = _quiet(
            infer,
            index,
            data,
            *args,
            method="bootstrap",
            n_draws=n,
            random_state=_generator_after(random_state, 2 * k + 1, n),
            **common,
            **options,
        ).to_frame()
        if "by" in common:
            part = part.set_index("area").loc[test["area"]]
        for name in RANDOMISATION:
            np.testing.assert_array_equal(part[name].to_numpy(), test[name].to_numpy(), err_msg=f"{index} {name}")
        for name in BOOTSTRAP:
            np.testing.assert_array_equal(part[name].to_numpy(), boot[name].to_numpy(), err_msg=f"{index} {name}")
        np.testing.assert_array_equal(part["value"].to_numpy(), test["value"].to_numpy())


TWO_GROUP = ("dissimilarity", "gini", "atkinson", "isolation", "exposure", "correlation_ratio")


def test_table_rows_are_infer_on_the_same_seeds():
    # the table takes, for each set of rows that redraw one table (in the order of its first row),
    # n seeds for the randomisation test then n for the bootstrap; every row's columns are then exactly
    # those of infer() on that row with the generator at that point. Draw sets here (no all-groups rows):
    # (A, rest), (A, B: D, Gini, Atkinson), (A, B: exposure), then the same for C
    df = _frame(1)
    n = 23
    table = _quiet(
        segregation_table,
        df,
        ["A", "C"],
        other="B",
        total="total",
        by="la",
        indices=list(TWO_GROUP),
        n_draws=n,
        random_state=4,
    )
    rows = []
    for base, g in ((0, "A"), (3, "C")):
        for index in TWO_GROUP:
            rows.append((base, (g,), index, "rest", {"b": 0.5} if index == "atkinson" else {}))
        for index in ("dissimilarity", "gini", "atkinson"):
            rows.append((base + 1, (g, "B"), index, "B", {"b": 0.5} if index == "atkinson" else {}))
        rows.append((base + 2, (g, "B"), "exposure", "B", {}))
    _check_rows_equal_infer(table, df, rows, n, 4, total="total", by="la")


def test_rows_against_the_rest_read_the_redrawn_groups_table():
    # with all-groups rows, one redrawn groups table [A, C, rest] serves them and every row of A and C
    # against the rest (a column of a multinomial row is that group's binomial draw): that set comes
    # first, so the all-groups rows are infer()'s at the start of the generator, the pairwise rows
    # against B come next, and each rest row's draws are its index on its column of the redrawn groups
    # tables (rebuilt here seed by seed with the public kernels' draw_table and the registry's computes)
    from segindex._resampling import _shares, _tables, groups_problem
    from segindex.counts import read_counts
    from segindex.indices import registry

    df = _frame(5)
    n = 15
    table = _quiet(segregation_table, df, ["A", "C"], other="B", total="total", by="la", n_draws=n, random_state=6)
    rows = [(0, (["A", "C"],), index, "multigroup", {}) for index in ("entropy_index", "multigroup_dissimilarity")]
    rows += [(1, ("A", "B"), "gini", "B", {}), (2, ("A", "B"), "exposure", "B", {})]
    rows += [(4, ("C", "B"), "exposure", "B", {})]
    _check_rows_equal_infer(table, df, rows, n, 6, total="total", by="la")

    counts = read_counts(df, ["A", "C"], total="total", by="la", rest=True, caller="test")
    A = counts.n_areas
    mg = groups_problem(registry.get("entropy_index"), counts.values, counts.codes, A, areas=counts.areas)
    probs = _shares(mg.src, mg.codes, A)
    t = counts.values.sum(axis=1)
    rng = np.random.default_rng(6)
    for mode, names in ((kr.MODE_MULTINOMIAL, ("expected",)), (kr.MODE_BOOTSTRAP, ("bootstrap_mean", "se"))):
        seeds = seeds_for(rng, n)
        tables = _tables(mg, probs, mode)
        drawn = [kr.draw_table(mg.src, probs, mg.codes, A, mode, tables, seed) for seed in seeds]
        for column, group in ((0, "A"), (1, "C")):
            for index in TWO_GROUP:
                spec = registry.get(index)
                opts = {"b": 0.5} if index == "atkinson" else {}
                draws = np.array([spec.compute(d[:, column], t - d[:, column], t, mg.codes, A, **opts) for d in drawn])
                part = table[(table.group == group) & (table.comparison == "rest") & (table["index"] == index)]
                part = part.set_index("area").loc[list(counts.areas)]
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    expected = {
                        "expected": np.nanmean(draws, axis=0),
                        "bootstrap_mean": np.nanmean(draws, axis=0),
                        "se": np.nanstd(draws, axis=0, ddof=1),
                    }
                for name in names:
                    np.testing.assert_array_equal(part[name].to_numpy(), expected[name], err_msg=f"{group} {index}")


def test_table_rows_are_infer_without_by_and_with_another_b():
    # one area (the single-area kernels), Atkinson with b = 0.3, no total (the groups are everyone)
    df = _frame(2, n=90)[["A", "B", "C"]]
    n = 17
    table = _quiet(segregation_table, df, ["A", "B", "C"], b=0.3, indices=list(TWO_GROUP), n_draws=n, random_state=8)
    rows = []
    for base, g in ((0, "A"), (1, "B"), (2, "C")):
        for index in ("dissimilarity", "gini", "atkinson", "isolation", "exposure", "correlation_ratio"):
            options = {"total": "total", "b": 0.3} if index == "atkinson" else {"total": "total"}
            rows.append((base, (g,), index, "rest", options))
    _check_rows_equal_infer(table, df.assign(total=df.sum(axis=1)), rows, n, 8)
    # with the all-groups rows (no total: the groups table has no rest column), these come first
    table = _quiet(segregation_table, df, ["A", "B", "C"], b=0.3, n_draws=n, random_state=8)
    rows = [(0, (["A", "B", "C"],), index, "multigroup", {}) for index in ("entropy_index", "mutual_information")]
    _check_rows_equal_infer(table, df, rows, n, 8)


def test_table_rows_are_infer_on_real_output_areas():
    # Bradford's output areas by LSOA: the same equality on real counts
    oa = pd.read_csv(shared_data("uk", "census2011", "oa2011_ethnicity_bradford.csv"))
    oa = oa[oa["MSOA"].isin(sorted(oa["MSOA"].unique())[:12])]
    n = 9
    groups = ["Pakistani", "Indian"]
    table = _quiet(segregation_table, oa, groups, total="Persons", by="MSOA", n_draws=n, random_state=3)
    rows = [(0, (["Pakistani", "Indian"],), "entropy_index", "multigroup", {})]
    _check_rows_equal_infer(table, oa, rows, n, 3, total="Persons", by="MSOA")
    table = _quiet(
        segregation_table, oa, groups, total="Persons", by="MSOA", indices=list(TWO_GROUP), n_draws=n, random_state=3
    )
    rows = [(0, ("Pakistani",), index, "rest", {}) for index in ("dissimilarity", "gini", "isolation", "exposure")]
    rows += [(1, ("Indian",), "correlation_ratio", "rest", {})]
    _check_rows_equal_infer(table, oa, rows, n, 3, total="Persons", by="MSOA")


def test_table_draws_do_not_depend_on_threads_or_blocks():
    numba = pytest.importorskip("numba")
    df = _frame(3, n=400, areas=5)
    kwargs = dict(other="B", total="total", by="la", n_draws=21, random_state=11, progress=False)
    base = _quiet(segregation_table, df, ["A", "C"], **kwargs)
    for block_size in (1, 5, 50):
        pd.testing.assert_frame_equal(_quiet(segregation_table, df, ["A", "C"], block_size=block_size, **kwargs), base)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = _quiet(segregation_table, df, ["A", "C"], **kwargs)
    finally:
        numba.set_num_threads(before)
    pd.testing.assert_frame_equal(one, base)


@pytest.mark.parametrize("seed", range(6))
def test_nanquantile_is_numpys(seed):
    # numpy's nanquantile ("linear"), bit for bit: NaNs scattered, columns of one value, all-NaN columns,
    # ties, and both ends
    rng = np.random.default_rng(seed)
    draws = rng.normal(size=(int(rng.integers(1, 60)), 9))
    if seed % 2:
        draws = np.round(draws, 1)  # ties
    draws[rng.random(draws.shape) < 0.3] = np.nan
    draws[:, 0] = np.nan
    draws[1:, 1] = np.nan
    for q in (0.0, 0.025, 0.5, 0.975, 1.0, float(rng.random())):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # numpy on the all-NaN column
            expected = np.nanquantile(draws, q, axis=0)
        np.testing.assert_array_equal(nanquantile(draws, q), expected)
        ordered = np.sort(draws, axis=0)
        n_ok = np.sum(~np.isnan(draws), axis=0)
        np.testing.assert_array_equal(nanquantile(ordered, q, n_ok, is_sorted=True), expected)


def test_share_keys_sort_as_the_shares():
    # the short share keys give the permutation of the full-width radix sort (ties in index order),
    # so the Gini of the draws is that of the public kernel, bit for bit
    rng = np.random.default_rng(4)
    for largest in (1, 7, 300, 4140, 60000):
        t = rng.integers(0, largest + 1, 5000)
        t[0] = largest
        x = rng.binomial(t, rng.beta(0.5, 3.0, t.size)).astype(float)
        y = t - x
        codes = rng.integers(0, 3, t.size).astype(np.int64)
        bits = kr.share_key_bits(largest)
        src = np.column_stack([x, y]).astype(np.int64)
        assert bits == kr._key_bits(src) and 0 < bits <= 51
        p = kt.shares(x, y)
        np.testing.assert_array_equal(kr.share_order(p, bits), kt.argsort_nonnegative(p))
        np.testing.assert_array_equal(kr._gini_keyed(x, y, codes, 3, bits), kt.gini(x, y, codes, 3))
    assert kr.share_key_bits(2**26) == 0  # too many people in a unit for short keys: the full sort
