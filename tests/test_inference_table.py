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


def test_table_rows_are_infer_on_the_same_seeds():
    # the table takes, for each set of rows that redraw one table (in the order of its first row),
    # n seeds for the randomisation test then n for the bootstrap; every row's columns are then exactly
    # those of infer() on that row with the generator at that point. Draw sets here: (A, rest),
    # (A, B: D, Gini, Atkinson), (A, B: exposure), then the same for C, then the all-groups rows
    df = _frame(1)
    n = 23
    table = _quiet(segregation_table, df, ["A", "C"], other="B", total="total", by="la", n_draws=n, random_state=4)
    rows = []
    for base, g in ((0, "A"), (3, "C")):
        for index in ("dissimilarity", "gini", "atkinson", "isolation", "exposure", "correlation_ratio"):
            rows.append((base, (g,), index, "rest", {"b": 0.5} if index == "atkinson" else {}))
        for index in ("dissimilarity", "gini", "atkinson"):
            rows.append((base + 1, (g, "B"), index, "B", {"b": 0.5} if index == "atkinson" else {}))
        rows.append((base + 2, (g, "B"), "exposure", "B", {}))
    for index in ("entropy_index", "mutual_information", "multigroup_dissimilarity"):
        rows.append((6, (["A", "C"],), index, "multigroup", {}))
    _check_rows_equal_infer(table, df, rows, n, 4, total="total", by="la")


def test_table_rows_are_infer_without_by_and_with_another_b():
    # one area (the single-area kernels), Atkinson with b = 0.3, no total (the groups are everyone)
    df = _frame(2, n=90)[["A", "B", "C"]]
    n = 17
    table = _quiet(segregation_table, df, ["A", "B", "C"], b=0.3, n_draws=n, random_state=8)
    rows = []
    for base, g in ((0, "A"), (1, "B"), (2, "C")):
        for index in ("dissimilarity", "gini", "atkinson", "isolation", "exposure", "correlation_ratio"):
            options = {"total": "total", "b": 0.3} if index == "atkinson" else {"total": "total"}
            rows.append((base, (g,), index, "rest", options))
    for index in ("entropy_index", "mutual_information", "multigroup_dissimilarity"):
        rows.append((3, (["A", "B", "C"],), index, "multigroup", {}))  # no total: no rest column
    _check_rows_equal_infer(table, df.assign(total=df.sum(axis=1)), rows, n, 8)


def test_table_rows_are_infer_on_real_output_areas():
    # Bradford's output areas by LSOA: the same equality on real counts
    oa = pd.read_csv(shared_data("uk", "census2011", "oa2011_ethnicity_bradford.csv"))
    oa = oa[oa["MSOA"].isin(sorted(oa["MSOA"].unique())[:12])]
    n = 9
    groups = ["Pakistani", "Indian"]
    table = _quiet(segregation_table, oa, groups, total="Persons", by="MSOA", n_draws=n, random_state=3)
    rows = [(0, ("Pakistani",), index, "rest", {}) for index in ("dissimilarity", "gini", "isolation", "exposure")]
    rows += [(1, ("Indian",), "correlation_ratio", "rest", {})]
    rows += [(2, (["Pakistani", "Indian"],), "entropy_index", "multigroup", {})]
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
