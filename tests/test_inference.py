"""Tests of segindex.inference: randomisation, bootstrap, differences, and the method itself."""

from __future__ import annotations

import io
import itertools
import math
import sys
import warnings

import numba
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from conftest import shared_data
from segindex._kernels import random as kr
from segindex.errors import AbsentGroupWarning, DataQualityWarning, SegindexTypeError, SegindexValueError
from segindex.indices import dissimilarity, entropy_index, isolation, multigroup_dissimilarity, registry
from segindex.inference import INFERENCE_INDICES, Inference, infer, infer_difference


def _random_table(rng, n=60, size=(20, 200), share=0.3):
    t = rng.integers(size[0], size[1], n)
    x = rng.binomial(t, share)
    return pd.DataFrame({"A": x, "B": t - x, "total": t})


def _three_groups(rng, n=40):
    t = rng.integers(20, 120, n)
    c = np.array([rng.multinomial(k, [0.5, 0.3, 0.2]) for k in t])
    return pd.DataFrame(c, columns=["A", "B", "C"]).assign(total=t)


# ---------------------------------------------------------------------------
# results and fields


def test_randomisation_fields():
    df = _random_table(np.random.default_rng(0))
    r = infer("dissimilarity", df, "A", "B", n_draws=99, random_state=4)
    assert isinstance(r, Inference)
    assert r.value == dissimilarity(df, "A", "B")
    assert r.draws.shape == (99,)
    assert r.expected == pytest.approx(r.draws.mean())
    assert math.isnan(r.se) and math.isnan(r.ci_low) and math.isnan(r.ci_high)
    k = int(np.sum(r.draws >= r.value))
    assert r.p_value == pytest.approx((k + 1) / 100)
    frame = r.to_frame()
    assert list(frame.columns[:4]) == ["index", "method", "allocation", "contrast"]
    assert frame.shape[0] == 1 and frame["value"].iloc[0] == r.value
    with pytest.raises(AttributeError):
        r.value = 0.0  # frozen


def test_bootstrap_fields_and_function_argument():
    df = _random_table(np.random.default_rng(1))
    r = infer(dissimilarity, df, "A", total="total", method="bootstrap", n_draws=199, random_state=2)
    assert r.index == "dissimilarity" and r.allocation is None and math.isnan(r.p_value)
    assert r.bootstrap_mean == pytest.approx(r.draws.mean())
    assert r.bias_corrected == pytest.approx(2 * r.value - r.draws.mean())
    assert math.isnan(r.expected) and math.isnan(r.corrected)  # randomisation fields only
    assert r.se == pytest.approx(r.draws.std(ddof=1))
    lo, hi = np.quantile(r.draws, [0.025, 0.975])
    assert r.ci_low == pytest.approx(2 * r.value - hi)
    assert r.ci_high == pytest.approx(2 * r.value - lo)


SPATIAL = (
    "morrill_dissimilarity",
    "boundary_dissimilarity",
    "perimeter_area_dissimilarity",
    "spatial_isolation",
    "spatial_information",
    "distance_decay_isolation",
    "distance_decay_exposure",
)


#: Every aspatial registered index (the house's and the peer-parity sets), except the rank-order indices,
#: whose ordered categories need more columns (tested in tests/test_peers_rank_order.py).
ASPATIAL = [s.name for s in registry.specs() if s.kind != "spatial" and not s.name.startswith("rank_order")]


@pytest.mark.parametrize("name", ASPATIAL)
def test_every_index_both_methods(name):
    rng = np.random.default_rng(7)
    df = _three_groups(rng)
    spec = registry.get(name)
    if spec.kind == "multigroup":
        args, kwargs = (["A", "B", "C"],), {}
    elif name == "exposure":
        args, kwargs = ("A", "B"), {"total": "total"}
    elif spec.comparison == "none":
        args, kwargs = ("A",), {"total": "total"}
    else:
        args, kwargs = ("A", "B"), {}
    for method in ("randomisation", "bootstrap"):
        r = infer(name, df, *args, method=method, n_draws=49, random_state=0, **kwargs)
        assert np.isfinite(r.draws).all()
        assert np.isfinite(r.value)
    # the draws are the public index computed on a redrawn table: under the bootstrap
    # their mean is close to the observed index for these large units
    assert abs(r.bootstrap_mean - r.value) < 0.1


def test_hypergeometric_keeps_row_and_column_totals():
    rng = np.random.default_rng(3)
    src = rng.integers(0, 30, (25, 3)).astype(np.int64)
    codes = np.repeat(np.arange(5), 5).astype(np.int64)
    out = np.empty(src.shape)
    np.random.seed(0)
    kr.fill(src, np.zeros((5, 3)), codes, 5, kr.MODE_HYPERGEOMETRIC, out, _NO_TABLES)
    np.testing.assert_array_equal(out.sum(axis=1), src.sum(axis=1))
    for a in range(5):
        np.testing.assert_array_equal(out[codes == a].sum(axis=0), src[codes == a].sum(axis=0))
    assert not np.array_equal(out, src)


_NO_TABLES = (
    np.empty(0, dtype=np.int64),
    np.empty((0, 4), dtype=np.int64),
    np.empty((0, 4)),
    np.empty(0),
    np.empty(0, dtype=np.int32),
)


def _table_draws(n, p, tail, budget=10**6, size=20000, seed=1):
    """``size`` draws of Binomial(n, p) through the two-column kernel on one table."""
    ints, floats, cdf, guide = kr.binomial_tables(np.array([n]), np.array([p]), budget, tail)
    code = 0 if ints[0, 1] >= 0 else -2
    tables = (np.full(size, code, dtype=np.int64), ints, floats, cdf, guide)
    src = np.tile(np.array([[0, n]], dtype=np.int64), (size, 1))
    out = np.empty(src.shape)
    np.random.seed(seed)
    kr.fill(src, np.array([[p, 1 - p]]), np.empty(0, dtype=np.int64), 1, kr.MODE_MULTINOMIAL, out, tables)
    np.testing.assert_array_equal(out.sum(axis=1), n)
    return out[:, 0].astype(int), ints, floats, cdf


def _chisquare_p(draws, n, p):
    """Chi-square test of the draws against scipy's Binomial(n, p) pmf (cells with expected count < 5 pooled)."""
    counts = np.bincount(draws, minlength=n + 1)
    expected = stats.binom.pmf(np.arange(n + 1), n, p) * draws.size
    keep = expected >= 5
    obs = np.append(counts[keep], counts[~keep].sum())
    exp = np.append(expected[keep], expected[~keep].sum())
    exp *= obs.sum() / exp.sum()
    return stats.chisquare(obs, exp).pvalue


@pytest.mark.parametrize("mode", [kr.MODE_MULTINOMIAL, kr.MODE_BOOTSTRAP])
def test_split_draws_are_the_multinomial(monkeypatch, mode):
    # four columns, two areas, drawn in two steps (the people outside the last column from a table, then
    # their split): every column of every unit must be Binomial(t_i, w_g) marginally -- w the area's
    # shares (random allocation) or the unit's own composition (the bootstrap) -- and each row keeps its
    # size; once from the tables, once with a budget too small for any table (np.random.binomial)
    from segindex._resampling import Problem, _shares, _tables

    rng = np.random.default_rng(5)
    src = np.vstack([rng.multinomial(37, [0.5, 0.3, 0.15, 0.05], 6), rng.multinomial(211, [0.1, 0.0, 0.6, 0.3], 6)])
    codes = np.repeat([0, 1], 6).astype(np.int64)
    problem = Problem(
        name="entropy_index",
        src=src.astype(np.int64),
        codes=codes,
        n_areas=2,
        areas=None,
        by=None,
        param=0.0,
        statistic=np.zeros(2),
    )
    probs = _shares(problem.src, codes, 2)
    import segindex._resampling as inference

    for budget in (inference._TABLE_BUDGET, 1):
        monkeypatch.setattr(inference, "_TABLE_BUDGET", budget)
        tables = _tables(problem, probs, mode, 4000)
        # the units' codes, then (random allocation) the first split table of each area and column
        assert tables[0].shape == ((12 + 2 * 3,) if mode == kr.MODE_MULTINOMIAL else (12,))
        assert (tables[0][:12] >= 0).any() == (budget > 1)
        assert (tables[1][:, 1] >= 0).any() == (budget > 1)
        draws = np.array([kr.draw_table(problem.src, probs, codes, 2, mode, tables, seed) for seed in range(4000)])
        np.testing.assert_array_equal(draws.sum(axis=2), np.broadcast_to(src.sum(axis=1), draws.shape[:2]))
        for unit, t in ((0, 37), (8, 211)):
            for g in range(4):
                p = probs[codes[unit], g] if mode == kr.MODE_MULTINOMIAL else src[unit, g] / t
                column = draws[:, unit, g].astype(np.int64)
                if p == 0:
                    assert (column == 0).all()
                else:
                    assert _chisquare_p(column, t, p) > 0.001, (budget, unit, g)


@pytest.mark.parametrize("n, p", [(12, 0.3), (400, 0.02), (2000, 0.45), (300, 0.9)])
def test_binomial_table_sampler_matches_binomial(n, p):
    # 20,000 draws from the inversion table against scipy's pmf: chi-square test, fail below p = 0.001
    draws, ints, floats, cdf = _table_draws(n, p, kr.TAIL)
    a, start, size = ints[0, :3]
    np.testing.assert_allclose(cdf[start : start + size], stats.binom.cdf(np.arange(a, a + size), n, p), atol=1e-11)
    assert cdf[start + size] == 2.0  # the sentinel
    assert floats[0, 0] == pytest.approx(stats.binom.cdf(a - 1, n, p), rel=1e-9, abs=1e-300)
    # the table leaves out at most TAIL on each side
    assert stats.binom.cdf(a - 1, n, p) <= kr.TAIL and stats.binom.sf(a + size - 1, n, p) <= kr.TAIL
    assert _chisquare_p(draws, n, p) > 0.001


@pytest.mark.parametrize("n, p", [(40, 0.3), (500, 0.05), (60, 0.97)])
def test_binomial_table_tails_are_exact(n, p):
    # with a table that leaves 5 % out on each side, about one draw in ten walks a tail;
    # the draws must still follow the binomial exactly (same chi-square test), tails included
    draws, ints, _, _ = _table_draws(n, p, 0.05)
    a, size = ints[0, 0], ints[0, 2]
    outside = (draws < a) | (draws > a + size - 1)
    assert outside.mean() == pytest.approx(stats.binom.cdf(a - 1, n, p) + stats.binom.sf(a + size - 1, n, p), abs=0.01)
    assert draws.min() < a  # the left tail is walked
    assert draws.max() > a + size - 1 or a + size - 1 == n  # and the right one, unless the table reaches n
    assert _chisquare_p(draws, n, p) > 0.001


def test_binomial_tables_degenerate_and_past_budget():
    # p = 0, p = 1 and no trials give one-value tables; past the budget a table is not
    # built (start -1) and its units draw with np.random.binomial, still exactly
    ints, floats, cdf, guide = kr.binomial_tables(np.array([7, 7, 0]), np.array([0.0, 1.0, 0.4]), 100, kr.TAIL)
    np.testing.assert_array_equal(ints[:, 0], [0, 7, 0])
    np.testing.assert_array_equal(ints[:, 2], 1)
    draws, ints, _, _ = _table_draws(200, 0.3, kr.TAIL, budget=10)
    assert ints[0, 1] == -1
    assert _chisquare_p(draws, 200, 0.3) > 0.001


@pytest.mark.parametrize("tail", [kr.TAIL, 0.05])
def test_two_column_draw_loop_is_binomial(monkeypatch, tail):
    # the draw loop of the two-column indices (its own copy of the table search) through
    # infer: isolation of a unit of 300 with 37 of A beside an empty-of-A unit of 50 is
    # x*/300, so the bootstrap draws give x* ~ Binomial(300, 37/300) back; with tail 0.05
    # about one draw in ten walks a tail. Chi-square against scipy, fail below 0.001.
    monkeypatch.setattr(kr, "TAIL", tail)
    df = pd.DataFrame({"A": [37, 0], "total": [300, 50]})
    r = infer("isolation", df, "A", total="total", method="bootstrap", n_draws=6000, random_state=0)
    x = np.rint(r.draws * 300).astype(int)
    np.testing.assert_allclose(x / 300, r.draws, rtol=1e-12)
    assert _chisquare_p(x, 300, 37 / 300) > 0.001


def test_fused_dissimilarity_is_the_index_kernel_bit_for_bit():
    # the D draws take their area sums while drawing; on whole-number columns those sums
    # are exact, so D equals the public kernel's to the last bit, with and without areas
    from segindex._kernels import twogroup as kt

    rng = np.random.default_rng(21)
    x = rng.integers(0, 50, 1003).astype(float)
    y = rng.integers(0, 400, 1003).astype(float)
    codes = rng.integers(0, 3, 1003)
    none = np.empty(0, dtype=np.int64)
    X, Y = np.array([x.sum()]), np.array([y.sum()])
    assert kr.dissimilarity_from_sums(x, y, X, Y, none, 1)[0] == kt.dissimilarity(x, y, none, 1)[0]
    X3, Y3 = np.bincount(codes, x, 3), np.bincount(codes, y, 3)
    np.testing.assert_array_equal(kr.dissimilarity_from_sums(x, y, X3, Y3, codes, 3), kt.dissimilarity(x, y, codes, 3))
    assert np.isnan(kr.dissimilarity_from_sums(x, 0 * y, X, 0 * Y, none, 1)[0])


def test_bootstrap_tables_shared_by_identical_units():
    # the bootstrap builds one table per distinct (t_i, x_i); units with x_i = 0 or x_i = t_i
    # (and empty units) keep their counts
    from segindex._resampling import _shares, _tables
    from segindex.indices.registry import get
    from segindex.inference import _problem

    df = pd.DataFrame({"A": [3, 3, 0, 5, 4, 3, 0], "B": [7, 7, 9, 0, 6, 7, 0]})
    prob = _problem(get("dissimilarity"), df, ("A", "B"), {}, "infer")
    table, ints, floats, cdf, guide = _tables(prob, _shares(prob.src, prob.codes, 1), kr.MODE_BOOTSTRAP)
    np.testing.assert_array_equal(table, [0, 0, kr.KEEP, kr.KEEP, 1, 0, kr.KEEP])
    np.testing.assert_array_equal(ints[:, 3], [10, 10])
    np.testing.assert_allclose(floats[:, 3], [0.3, 0.4])
    r = infer("dissimilarity", df.iloc[:6], "A", "B", method="bootstrap", n_draws=99, random_state=0)
    assert np.isfinite(r.draws).all()
    # counts too large to pack a (t, x) pair into one int64 key: the same sharing
    big = _problem(get("dissimilarity"), df * 2**31, ("A", "B"), {}, "infer")
    np.testing.assert_array_equal(_tables(big, _shares(big.src, big.codes, 1), kr.MODE_BOOTSTRAP)[0], table)
    # randomisation: one table per distinct (area, t_i)
    table, ints, floats, _, _ = _tables(prob, _shares(prob.src, prob.codes, 1), kr.MODE_MULTINOMIAL)
    np.testing.assert_array_equal(table, [0, 0, 1, 2, 0, 0, kr.KEEP])
    np.testing.assert_allclose(floats[:, 3], 18 / 54)  # 18 of A among 54 people


def test_bootstrap_draws_match_binomial_per_unit():
    # the bootstrap redraws a unit with x of t people as Binomial(t, x / t): 4,000 identical
    # units (one shared table) redrawn once, against scipy's pmf (chi-square, fail below 0.001)
    src = np.tile(np.array([[37, 263]], dtype=np.int64), (4000, 1))
    from segindex._resampling import Problem, _tables

    prob = Problem(
        name="dissimilarity",
        src=src,
        codes=np.empty(0, dtype=np.int64),
        n_areas=1,
        areas=None,
        by=None,
        param=0.0,
        statistic=np.zeros(1),
    )
    tables = _tables(prob, np.zeros((1, 2)), kr.MODE_BOOTSTRAP)
    assert tables[1].shape[0] == 1  # one shared table
    out = np.empty(src.shape)
    np.random.seed(3)
    kr.fill(src, np.zeros((1, 2)), np.empty(0, dtype=np.int64), 1, kr.MODE_BOOTSTRAP, out, tables)
    assert _chisquare_p(out[:, 0].astype(int), 300, 37 / 300) > 0.001


def test_hypergeometric_option_runs_and_differs_from_binomial():
    df = _random_table(np.random.default_rng(2), n=30)
    h = infer("dissimilarity", df, "A", "B", allocation="hypergeometric", n_draws=199, random_state=0)
    b = infer("dissimilarity", df, "A", "B", n_draws=199, random_state=0)
    assert h.allocation == "hypergeometric"
    assert h.expected == pytest.approx(b.expected, rel=0.2)
    assert not np.array_equal(h.draws, b.draws)


# ---------------------------------------------------------------------------
# the method itself


def test_expected_d_matches_exact_enumeration():
    # 3 units of 2, 3 and 4 people; 4 of the 9 belong to A, so P = 4/9.
    t = np.array([2, 3, 4])
    df = pd.DataFrame({"A": [1, 0, 3], "B": t - np.array([1, 0, 3])})
    P = 4 / 9
    num = den = 0.0
    for x in itertools.product(*(range(k + 1) for k in t)):
        x = np.array(x)
        y = t - x
        if x.sum() == 0 or y.sum() == 0:
            continue  # D undefined: such draws are left out by infer, so condition on them
        prob = np.prod([stats.binom.pmf(xi, ti, P) for xi, ti in zip(x, t)])
        num += prob * 0.5 * np.abs(x / x.sum() - y / y.sum()).sum()
        den += prob
    exact = num / den
    with pytest.warns(DataQualityWarning, match="undefined index"):
        r = infer("dissimilarity", df, "A", "B", n_draws=20000, random_state=11)
    # sd of D over draws < 0.3, so the Monte-Carlo error is < 0.3 / sqrt(20000) = 0.0021
    assert r.expected == pytest.approx(exact, abs=0.0085)


def test_p_values_uniform_under_no_segregation():
    # 150 tables generated by binomial allocation (no segregation); KS test of the
    # randomisation p-values against U(0, 1); fail if the KS p-value is below 0.01.
    rng = np.random.default_rng(2024)
    pvals = []
    for r in range(150):
        df = _random_table(rng, n=40, size=(50, 150), share=0.2)
        pvals.append(infer("dissimilarity", df, "A", "B", n_draws=99, random_state=r).p_value)
    assert stats.kstest(pvals, "uniform").pvalue > 0.01


def test_p_value_small_for_segregated_table():
    df = pd.DataFrame({"A": [40, 35, 2, 1] * 5, "B": [5, 10, 40, 45] * 5})
    r = infer("dissimilarity", df, "A", "B", n_draws=199, random_state=0)
    assert r.p_value == pytest.approx(1 / 200)


def test_corrected_near_zero_for_random_and_one_for_complete():
    rng = np.random.default_rng(5)
    df = _random_table(rng, n=200, size=(10, 40), share=0.1)
    r = infer("dissimilarity", df, "A", "B", n_draws=499, random_state=1)
    assert r.expected > 0.15  # small units: D* well above zero
    assert abs(r.corrected) < 0.1
    full = pd.DataFrame({"A": [20, 0, 15, 0], "B": [0, 30, 0, 25]})
    c = infer("dissimilarity", full, "A", "B", n_draws=199, random_state=1)
    assert c.value == 1.0 and c.corrected == pytest.approx(1.0)
    h = infer("entropy_index", full, ["A", "B"], n_draws=199, random_state=1)
    assert h.corrected == pytest.approx(1.0)


def test_corrected_below_expected_uses_expected_as_denominator():
    df = pd.DataFrame({"A": [5, 5, 5, 5], "B": [5, 5, 5, 5]})  # D = 0 < D*
    r = infer("dissimilarity", df, "A", "B", n_draws=199, random_state=0)
    assert r.value == 0.0 and r.corrected == pytest.approx(-1.0)
    assert r.p_value == 1.0


def test_bootstrap_interval_coverage():
    # 200 samples x_i ~ Binomial(t_i, p_i) from a fixed population of 50 units of 300 people;
    # the true D is computed on the expected counts. The 95 % interval must cover it in
    # 0.85-0.99 of the samples (binomial sd of the rate over 200 runs is about 0.015; the
    # bias-corrected interval is slightly anti-conservative for D, Allen et al. 2015).
    rng = np.random.default_rng(99)
    t = np.full(50, 300)
    p = rng.beta(1.0, 4.0, 50)
    ex, ey = t * p, t * (1 - p)
    true_d = 0.5 * np.abs(ex / ex.sum() - ey / ey.sum()).sum()
    hits = 0
    for r in range(200):
        x = rng.binomial(t, p)
        df = pd.DataFrame({"x": x, "y": t - x})
        res = infer("dissimilarity", df, "x", "y", method="bootstrap", n_draws=199, random_state=r)
        hits += res.ci_low <= true_d <= res.ci_high
    assert 0.85 <= hits / 200 <= 0.99


# ---------------------------------------------------------------------------
# reproducibility


def test_reproducible_and_seed_sensitive():
    df = _random_table(np.random.default_rng(8))
    a = infer("gini", df, "A", "B", n_draws=99, random_state=42)
    b = infer("gini", df, "A", "B", n_draws=99, random_state=42)
    c = infer("gini", df, "A", "B", n_draws=99, random_state=43)
    np.testing.assert_array_equal(a.draws, b.draws)
    assert not np.array_equal(a.draws, c.draws)
    g = infer("gini", df, "A", "B", n_draws=99, random_state=np.random.default_rng(42))
    np.testing.assert_array_equal(g.draws, a.draws)


@pytest.mark.parametrize("method", ["randomisation", "bootstrap"])
def test_same_draws_for_any_thread_count(method):
    # large enough to run on the parallel kernel, in chunks with a progress line
    rng = np.random.default_rng(9)
    df = _random_table(rng, n=3000)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = infer("dissimilarity", df, "A", "B", method=method, n_draws=64, random_state=5, progress=False)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = infer("dissimilarity", df, "A", "B", method=method, n_draws=64, random_state=5, progress=False)
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(one.draws, two.draws)


def test_serial_parallel_and_chunked_draws_agree(capsys):
    df = _random_table(np.random.default_rng(10), n=2000)
    a = infer("dissimilarity", df, "A", "B", n_draws=40, random_state=1, progress=True)
    assert "40 draws done" in capsys.readouterr().err
    b = infer("dissimilarity", df, "A", "B", n_draws=40, random_state=1, progress=False)
    np.testing.assert_array_equal(a.draws, b.draws)
    small = df.iloc[:10]
    c = infer("dissimilarity", small, "A", "B", n_draws=40, random_state=1)  # serial kernel
    d = infer("dissimilarity", small, "A", "B", n_draws=40, random_state=1, progress=True)  # chunked
    np.testing.assert_array_equal(c.draws, d.draws)


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_in_a_log_is_a_start_and_an_end_line(capsys):
    df = _random_table(np.random.default_rng(10), n=500)
    infer("dissimilarity", df, "A", "B", n_draws=40, random_state=1, progress=True)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and "\r" not in "".join(lines)
    assert lines[0] == "infer(dissimilarity): 40 draws started"
    assert lines[1].startswith("infer(dissimilarity): 40 draws done in ") and lines[1].endswith(" s")
    # not asked, and stderr is not a terminal: nothing at all
    infer("dissimilarity", df, "A", "B", n_draws=40, random_state=1)
    assert capsys.readouterr().err == ""


def test_progress_on_a_terminal_is_one_updating_line_for_the_whole_run(monkeypatch):
    df = _random_table(np.random.default_rng(10), n=500)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    infer_difference("dissimilarity", df, df, "A", "B", n_draws=40, random_state=1, progress=True)
    text = terminal.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")  # one line, rewritten with \r, ended once
    last = text.rstrip("\n").split("\r")[-1]
    # both tables' draws in one bar: 100 % only at the end, with the time left for the whole run
    assert last.startswith("infer_difference(dissimilarity): 100%|") and "elapsed, about" in last
    assert "left" in last and "draws started" not in text
    # progress=None on a terminal: the bar appears only once the run has lasted about 2 seconds
    quiet = _Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    infer("dissimilarity", df, "A", "B", n_draws=20, random_state=1)
    assert quiet.getvalue() == ""


# ---------------------------------------------------------------------------
# by=


def test_by_returns_arrays_per_area_and_nan_with_warning():
    rng = np.random.default_rng(12)
    df = pd.concat([_random_table(rng, n=20).assign(la="x"), _random_table(rng, n=20).assign(la="y")])
    df = pd.concat([df, pd.DataFrame({"A": [0, 0], "B": [5, 6], "total": [5, 6], "la": ["z", "z"]})])
    with pytest.warns(AbsentGroupWarning, match="'z'"):
        r = infer("dissimilarity", df, "A", "B", by="la", n_draws=49, random_state=0)
    assert list(r.areas) == ["x", "y", "z"]
    assert r.draws.shape == (49, 3)
    assert np.isnan(r.value[2]) and np.isnan(r.p_value[2]) and np.isnan(r.expected[2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AbsentGroupWarning)
        expected = dissimilarity(df, "A", "B", by="la")
    np.testing.assert_array_equal(r.value[:2], expected.to_numpy()[:2])
    frame = r.to_frame()
    assert list(frame["area"]) == ["x", "y", "z"] and frame.shape[0] == 3 and "la" not in frame  # the area key once
    # each area's draws are those of the area on its own (same seeds, same per-unit order)
    alone = infer("dissimilarity", df[df.la == "x"], "A", "B", n_draws=49, random_state=0)
    assert np.all(np.isfinite(alone.draws))


def test_multigroup_by_and_hypergeometric():
    rng = np.random.default_rng(13)
    df = pd.concat([_three_groups(rng).assign(la="p"), _three_groups(rng).assign(la="q")])
    r = infer("entropy_index", df, ["A", "B", "C"], by="la", allocation="hypergeometric", n_draws=49, random_state=0)
    np.testing.assert_allclose(r.value, entropy_index(df, ["A", "B", "C"], by="la").to_numpy())
    assert np.all(r.p_value > 0.01)  # the tables are random allocations
    m = infer(multigroup_dissimilarity, df, ["A", "B"], total="total", method="bootstrap", n_draws=49, random_state=0)
    assert np.isfinite(m.se) and m.se > 0


# ---------------------------------------------------------------------------
# differences


def test_difference_of_identical_tables_is_zero_and_not_significant():
    df = _random_table(np.random.default_rng(14))
    r = infer_difference("dissimilarity", df, df, "A", "B", n_draws=199, random_state=0)
    assert r.value == 0.0 and r.contrast == "difference"
    assert r.ci_low < 0 < r.ci_high and r.p_value > 0.2
    ratio = infer_difference("isolation", df, df, "A", total="total", contrast="ratio", n_draws=199, random_state=0)
    assert ratio.value == 1.0 and ratio.ci_low < 1 < ratio.ci_high


def test_difference_detects_schools_more_segregated():
    rng = np.random.default_rng(15)
    t = np.full(40, 200)
    schools = pd.DataFrame({"A": rng.binomial(t, np.tile([0.05, 0.6], 20))}).assign(total=t)
    wards = pd.DataFrame({"A": rng.binomial(t, np.tile([0.2, 0.4], 20))}).assign(total=t)
    r = infer_difference("dissimilarity", schools, wards, "A", total="total", n_draws=199, random_state=0)
    d = dissimilarity(schools, "A", total="total") - dissimilarity(wards, "A", total="total")
    assert r.value == pytest.approx(d)
    assert r.ci_low > 0 and r.p_value == pytest.approx(2 / 200)
    assert r.draws.shape == (199,)


def test_difference_by_needs_same_areas():
    df = _random_table(np.random.default_rng(16)).assign(la=["a", "b"] * 30)
    other = df.assign(la=["a", "c"] * 30)
    with pytest.raises(SegindexValueError, match="same areas"):
        infer_difference("dissimilarity", df, other, "A", "B", by="la", n_draws=9)
    r = infer_difference("dissimilarity", df, df, "A", "B", by="la", n_draws=9, random_state=0)
    assert r.draws.shape == (9, 2)


# ---------------------------------------------------------------------------
# errors


@pytest.fixture
def small():
    return pd.DataFrame({"A": [3, 1, 4], "B": [1, 5, 9], "total": [4, 6, 13]})


def test_unknown_index_lists_valid_names(small):
    with pytest.raises(SegindexValueError, match="unknown index 'dissim'.*dissimilarity, gini"):
        infer("dissim", small, "A", "B")
    with pytest.raises(SegindexValueError, match="unknown index len.*Valid names"):
        infer(len, small, "A", "B")
    with pytest.raises(SegindexTypeError, match="'index' parameter must be an index name"):
        infer(3, small, "A", "B")


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_draws": 0}, SegindexValueError, "'n_draws' parameter must be at least 1"),
        ({"n_draws": 9.5}, SegindexTypeError, "'n_draws' parameter must be a whole number"),
        ({"n_draws": True}, SegindexTypeError, "'n_draws'"),
        ({"ci": 1.0}, SegindexValueError, "'ci' parameter .* strictly between 0 and 1"),
        ({"ci": 0}, SegindexValueError, "'ci' parameter"),
        ({"ci": "0.9"}, SegindexTypeError, "'ci' parameter must be a number"),
        ({"method": "permutation"}, SegindexValueError, "'method' parameter must be one of"),
        ({"allocation": "poisson"}, SegindexValueError, "'allocation' parameter must be one of"),
        ({"random_state": "seed"}, SegindexTypeError, "'random_state' parameter must be None"),
        ({"random_state": 1.5}, SegindexTypeError, "'random_state'"),
        ({"random_state": True}, SegindexTypeError, "'random_state'"),
        ({"random_state": -1}, SegindexValueError, "non-negative int"),
        ({"progress": "yes"}, SegindexTypeError, "'progress' parameter"),
    ],
)
def test_option_errors(small, kwargs, error, match):
    with pytest.raises(error, match=match):
        infer("dissimilarity", small, "A", "B", **kwargs)


def test_index_errors_come_from_the_index(small):
    with pytest.raises(SegindexValueError, match=r"dissimilarity\(\).*'C' is not in the data"):
        infer("dissimilarity", small, "C", "B")
    with pytest.raises(SegindexValueError, match=r"isolation\(\).*needs total="):
        infer("isolation", small, "A")
    with pytest.raises(SegindexTypeError, match="arguments do not fit dissimilarity"):
        infer("dissimilarity", small, "A", "B", colour="red")
    with pytest.raises(SegindexValueError, match="within= .* not supported"):
        infer("mutual_information", small.assign(s=[1, 1, 2]), ["A", "B"], within="s")


def test_non_integer_counts(small):
    frac = small.assign(A=[3.5, 1, 4], total=[4.5, 6, 13])
    with pytest.raises(SegindexValueError, match="'A' count of unit 0 .* not a whole number"):
        infer("dissimilarity", frac, "A", "B")


def test_difference_errors(small):
    with pytest.raises(SegindexValueError, match="'contrast' parameter"):
        infer_difference("dissimilarity", small, small, "A", "B", contrast="quotient")
    with pytest.raises(SegindexValueError, match="'n_draws' parameter must be at least 1"):
        infer_difference("dissimilarity", small, small, "A", "B", n_draws=0)


def test_draws_with_empty_group_warn():
    df = pd.DataFrame({"A": [1, 0, 0], "B": [3, 4, 5]})
    with pytest.warns(DataQualityWarning, match="left out") as caught:
        r = infer("dissimilarity", df, "A", "B", n_draws=200, random_state=0)
    assert np.isnan(r.draws).any() and np.isfinite(r.expected)
    assert caught[0].filename == __file__  # the warning points at the caller's line


# ---------------------------------------------------------------------------
# real data


def test_bradford_bangladeshi_output_areas():
    oa = pd.read_csv(shared_data("uk", "census2011", "oa2011_ethnicity_bradford.csv"))
    r = infer("dissimilarity", oa, "Bangladeshi", total="Persons", n_draws=99, random_state=0)
    assert r.value == pytest.approx(dissimilarity(oa, "Bangladeshi", total="Persons"))
    # a group of ~1.8 % of Bradford's people across ~300-person output areas: random
    # allocation alone gives D* well above zero (about 0.16), and the observed D (0.71) is far above it
    assert 0.1 < r.expected < 0.25 < r.value and r.p_value == pytest.approx(0.01)
    assert 0 < isolation(oa, "Bangladeshi", total="Persons")


# ---------------------------------------------------------------------------
# segregation_table(..., n_bootstrap=...)


def test_segregation_table_intervals_match_infer():
    from segindex.indices import segregation_table

    rng = np.random.default_rng(17)
    df = _three_groups(rng, n=30)
    plain = segregation_table(df, ["A", "C"], other="B", total="total")
    t = segregation_table(df, ["A", "C"], other="B", total="total", n_draws=49, random_state=0)
    # the shared column contract: estimates beside their intervals, then the small-number flags
    assert list(t.columns) == [
        "area",
        "group",
        "comparison",
        "index",
        "value",
        "expected",
        "corrected",
        "p_value",
        "bias_corrected",
        "bootstrap_mean",
        "se",
        "ci_low",
        "ci_high",
        "count",
        "small_group",
        "high_expected",
    ]
    pd.testing.assert_frame_equal(t[plain.columns], plain)
    assert t[["expected", "p_value", "bias_corrected", "se", "ci_low", "ci_high"]].notna().all().all()
    assert (t["ci_low"] <= t["ci_high"]).all() and (t["p_value"] > 0).all()
    np.testing.assert_allclose(t["bias_corrected"], 2 * t["value"] - t["bootstrap_mean"], rtol=1e-12)
    assert (t["high_expected"] == (t["expected"] > t["value"] / 2)).all()
    again = segregation_table(df, ["A", "C"], other="B", total="total", n_draws=49, random_state=0)
    pd.testing.assert_frame_equal(t, again)
    # the se of D(A vs B) is that of infer's bootstrap on the same table (different seeds: close, not equal)
    row = t[(t.group == "A") & (t.comparison == "B") & (t["index"] == "dissimilarity")]
    direct = infer("dissimilarity", df, "A", "B", method="bootstrap", n_draws=999, random_state=1)
    assert float(row["se"].iloc[0]) == pytest.approx(direct.se, rel=0.5)
    test = infer("dissimilarity", df, "A", "B", n_draws=999, random_state=1)
    assert float(row["expected"].iloc[0]) == pytest.approx(test.expected, rel=0.3)


def test_segregation_table_intervals_by_area():
    from segindex.indices import segregation_table

    rng = np.random.default_rng(18)
    df = pd.concat([_three_groups(rng, n=15).assign(la="p"), _three_groups(rng, n=15).assign(la="q")])
    t = segregation_table(df, ["A", "B", "C"], by="la", n_draws=29, random_state=0)
    assert t["se"].notna().all() and set(t["area"]) == {"p", "q"}
    with pytest.raises(SegindexValueError, match=r"segregation_table\(\).*'n_draws' parameter must be at least 1"):
        segregation_table(df, ["A", "B"], n_draws=0)


def test_inference_to_frame_repr_and_old_names():
    df = _random_table(np.random.default_rng(3), n=40)
    df["la"] = np.repeat(["p", "q"], 20)
    r = infer("dissimilarity", df, "A", "B", by="la", n_draws=19, random_state=0)
    frame = r.to_frame(min_count=10**6)
    assert list(frame.columns) == [
        "area",
        "index",
        "method",
        "allocation",
        "contrast",
        "value",
        "expected",
        "corrected",
        "p_value",
        "bias_corrected",
        "bootstrap_mean",
        "se",
        "ci_low",
        "ci_high",
        "count",
        "small_group",
        "high_expected",
        "n_draws",
        "ci",
    ]
    assert frame["small_group"].all() and frame["count"].tolist() == [df.A[:20].sum(), df.A[20:].sum()]
    assert (
        repr(r) == "Inference(index='dissimilarity', method='randomisation', 2 areas, n_draws=19; "
        ".to_frame() for the table)"
    )
    assert "<table" in r._repr_html_() and "randomisation (binomial allocation), 19 draws" in r._repr_html_()
    b = infer("dissimilarity", df, "A", "B", method="bootstrap", n_draws=19, random_state=0)
    text = repr(b)
    assert text.startswith("Inference(index='dissimilarity', method='bootstrap', value=") and "bias_corrected=" in text
    assert len(text) < 200 and "high_expected" not in b.to_frame()  # never the draws; no randomisation flag
    assert "centred on bias_corrected" in b._repr_html_()
    with pytest.raises(AttributeError, match=r"Inference.statistic is now called Inference.value"):
        _ = b.statistic
    with pytest.raises(AttributeError, match=r"has no attribute 'nonsense'"):
        _ = b.nonsense


# ---------------------------------------------------------------- spatial indices


def _spatial_frame(seed=3, n=120):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "px": rng.uniform(0, 1e5, n),
            "py": rng.uniform(0, 1e5, n),
            "a": rng.integers(0, 30, n),
            "b": rng.integers(0, 60, n),
            "t": rng.integers(100, 300, n),
        }
    )


@pytest.mark.parametrize("method", ["randomisation", "bootstrap"])
def test_spatial_index_draws_recompute_the_index_on_each_redrawn_table(method):
    # with a tiny bandwidth spatial isolation is aspatial isolation: recompute the draws by hand,
    # with the public (aspatial) index on tables drawn from the same seeds
    df = _spatial_frame()
    before = df.copy()
    r = infer(
        "spatial_isolation",
        df,
        "a",
        total="t",
        bandwidth=1e-3,
        points=("px", "py"),
        crs=27700,
        n_draws=30,
        random_state=7,
        method=method,
    )
    pd.testing.assert_frame_equal(df, before)  # the input is never modified
    assert r.value == pytest.approx(isolation(df, "a", total="t"), rel=1e-12)
    seeds = np.random.default_rng(7).integers(0, 2**32, size=30, dtype=np.int64)
    src = np.column_stack([df["a"], df["t"] - df["a"]]).astype(np.int64)
    t = src.sum(axis=1)
    mode = kr.MODE_MULTINOMIAL if method == "randomisation" else kr.MODE_BOOTSTRAP
    probs = (src.sum(axis=0) / src.sum())[None, :]
    none = (
        np.empty(0, dtype=np.int64),
        np.empty((0, 4), dtype=np.int64),
        np.empty((0, 4)),
        np.empty(0),
        np.empty(0, dtype=np.int32),
    )
    by_hand = []
    for seed in seeds:
        table = kr.draw_table(src, probs, np.empty(0, dtype=np.int64), 1, mode, none, seed)
        assert (table.sum(axis=1) == t).all()  # every unit keeps its size
        by_hand.append(isolation(pd.DataFrame({"a": table[:, 0], "t": t}), "a", total="t"))
    # the kernels draw two-column tables from inversion tables (another stream of the same distribution),
    # so compare distributions here and the exact recomputation below
    assert abs(np.mean(r.draws) - np.mean(by_hand)) < 4 * np.std(by_hand) / np.sqrt(30) + 1e-9


def test_spatial_index_draws_match_the_table_kernel_exactly():
    # three columns (group, other, rest): the same draws as draw_table with the same column tables
    df = _spatial_frame(seed=4)
    r = infer(
        "spatial_isolation",
        df,
        "a",
        "b",
        total="t",
        bandwidth=1e-3,
        points=("px", "py"),
        crs=27700,
        n_draws=20,
        random_state=11,
    )
    from segindex._resampling import Problem, _tables

    seeds = np.random.default_rng(11).integers(0, 2**32, size=20, dtype=np.int64)
    src = np.column_stack([df["a"], df["b"], df["t"] - df["a"] - df["b"]]).astype(np.int64)
    probs = (src.sum(axis=0) / src.sum())[None, :]
    no_areas = np.empty(0, dtype=np.int64)
    tables = _tables(
        Problem(
            name="spatial_isolation",
            src=src,
            codes=no_areas,
            n_areas=1,
            areas=None,
            by=None,
            param=0.0,
            statistic=np.zeros(1),
        ),
        probs,
        kr.MODE_MULTINOMIAL,
        20,
    )
    for d, seed in enumerate(seeds):
        table = kr.draw_table(src, probs, no_areas, 1, kr.MODE_MULTINOMIAL, tables, seed)
        # with ``other`` the population is the two groups
        drawn = pd.DataFrame({"a": table[:, 0], "both": table[:, 0] + table[:, 1]})
        assert r.draws[d] == pytest.approx(isolation(drawn, "a", total="both"), rel=1e-9)


def test_spatial_indices_by_name_and_function_with_their_own_arguments():
    from segindex.datasets import example_town
    from segindex.indices.spatial import distance_decay_exposure, spatial_information
    from segindex.weights import contiguity_weights

    town = example_town(0, n_units=80, n_schools=10)
    units = town.units
    w = contiguity_weights(units)
    a = infer("morrill_dissimilarity", units, "pakistani", total="total", w=w, n_draws=40, random_state=2)
    from segindex.indices.spatial import morrill_dissimilarity

    b = infer(morrill_dissimilarity, units, "pakistani", total="total", w=w, n_draws=40, random_state=2)
    np.testing.assert_array_equal(a.draws, b.draws)
    assert a.index == "morrill_dissimilarity" and 0 < a.expected < a.value and a.p_value == 1 / 41
    assert a.corrected == pytest.approx((a.value - a.expected) / (1 - a.expected))
    h = infer(spatial_information, units, town.groups, bandwidth=1000.0, total="total", n_draws=20, random_state=2)
    assert h.expected < h.value and h.p_value == 1 / 21
    # exposure: lower means more segregated, so the p-value counts draws at or below
    e = infer(distance_decay_exposure, units, "pakistani", "white_british", n_draws=20, random_state=2)
    assert e.value < e.expected and e.p_value == 1 / 21 and np.isnan(e.corrected)
    # the bootstrap, and the difference between two tables
    boot = infer(
        "boundary_dissimilarity", units, "pakistani", total="total", method="bootstrap", n_draws=20, random_state=2
    )
    assert boot.ci_low <= boot.bias_corrected <= boot.ci_high
    diff = infer_difference(
        "spatial_isolation", units, units, "pakistani", total="total", bandwidth=500.0, n_draws=20, random_state=2
    )
    assert diff.value == 0.0 and diff.ci_low < 0 < diff.ci_high
    assert set(INFERENCE_INDICES) >= set(SPATIAL)


def test_spatial_index_errors_name_the_argument():
    df = _spatial_frame()
    with pytest.raises(SegindexTypeError, match=r"infer\(\): the arguments do not fit spatial_isolation\(\).*by"):
        infer("spatial_isolation", df, "a", total="t", bandwidth=100.0, points=("px", "py"), crs=27700, by="a")
    with pytest.raises(SegindexValueError, match="bandwidth"):
        infer("spatial_isolation", df, "a", total="t", bandwidth=-1.0, points=("px", "py"), crs=27700)
    with pytest.raises(SegindexValueError, match=r"not a whole number"):
        infer("distance_decay_isolation", df.assign(a=df["a"] + 0.5), "a", total="t", points=("px", "py"), crs=27700)
    with pytest.raises(SegindexValueError, match=r"unknown index 'local_environment'"):
        infer("local_environment", df, ["a", "b"], 100.0, points=("px", "py"), crs=27700)


@pytest.mark.realdata
def test_spatial_information_below_a_negative_expected_value_has_no_correction():
    # H~ at 4 km over Bradford's LSOAs is slightly negative (see notebook 03), and so is its mean
    # under random allocation: (H - H*)/H* would be a meaningless large number
    import geopandas as gpd

    polygons = gpd.read_file(shared_data("uk", "boundaries", "bradford_lsoa2011.gpkg"))
    counts = pd.read_csv(shared_data("uk", "census2011", "lsoa2011_ethnicity_bradford.csv"))
    lsoa = polygons.merge(counts, left_on="LSOA11CD", right_on="LSOA", validate="1:1")
    groups = [
        "WhiteBrit",
        "Irish",
        "OtherWhite",
        "Mixed",
        "Indian",
        "Pakistani",
        "Bangladeshi",
        "Chinese",
        "OtherAsian",
        "BlkAfrican",
        "BlkCaribbean",
        "OtherBlk",
        "Arab",
        "Other",
        "GypsyTraveller",
    ]
    r = infer("spatial_information", lsoa, groups, bandwidth=4000.0, total="Persons", n_draws=19, random_state=1)
    assert r.value < r.expected <= 0 and np.isnan(r.corrected) and r.p_value == 1.0
    near = infer("spatial_information", lsoa, groups, bandwidth=1000.0, total="Persons", n_draws=19, random_state=1)
    assert 0 < near.expected < near.value and near.corrected == pytest.approx(
        (near.value - near.expected) / (1 - near.expected)
    )
