"""Tests of the counterfactual nulls of infer_difference (Rey, Cortes & Knaap 2021)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from segindex import dissimilarity, infer_difference
from segindex.decomposition import counterfactual_counts
from segindex.errors import SegindexValueError

NULLS = ("composition", "share", "dual_composition")


def _table(rng, n, a, b):
    """n units of 50-200 people; the group's share of each unit drawn from Beta(a, b)."""
    t = rng.integers(50, 201, n)
    return pd.DataFrame({"g": rng.binomial(t, rng.beta(a, b, n)), "t": t})


@pytest.fixture
def pair():
    rng = np.random.default_rng(5)
    return _table(rng, 40, 1, 3), _table(rng, 40, 2, 2)


@pytest.mark.parametrize("null", NULLS)
def test_reproducible_with_random_state_and_documented(pair, null):
    a, b = pair
    r1 = infer_difference("dissimilarity", a, b, "g", total="t", null=null, n_draws=60, random_state=11)
    r2 = infer_difference("dissimilarity", a, b, "g", total="t", null=null, n_draws=60, random_state=11)
    r3 = infer_difference("dissimilarity", a, b, "g", total="t", null=null, n_draws=60, random_state=12)
    np.testing.assert_array_equal(r1.draws, r2.draws)
    assert r1.p_value == r2.p_value
    assert not np.array_equal(r1.draws, r3.draws)
    assert r1.value == pytest.approx(dissimilarity(a, "g", total="t") - dissimilarity(b, "g", total="t"), abs=1e-12)
    assert (r1.method, r1.allocation, r1.contrast, r1.n_draws) == ("counterfactual", null, "difference", 60)
    assert r1.expected == pytest.approx(r1.draws.mean())
    k = min(np.sum(r1.draws <= r1.value), np.sum(r1.draws >= r1.value))
    assert r1.p_value == pytest.approx(min(1.0, 2 * (k + 1) / 61))


def test_a_draw_mixes_observed_and_counterfactual_units(pair):
    a, b = pair
    r = infer_difference("dissimilarity", a, b, "g", total="t", null="composition", n_draws=40, random_state=2)
    d = {k: dissimilarity(v, "g", total="t") for k, v in (("a", a), ("b", b))}
    ca = dissimilarity(counterfactual_counts(a, b, "g", total="t"), "g", total="t")
    cb = dissimilarity(counterfactual_counts(b, a, "g", total="t"), "g", total="t")
    # the draws are not the observed difference and not the fully swapped one, but spread between
    assert np.all(np.abs(r.draws - (d["a"] - d["b"])) > 0)
    assert r.draws.min() > (ca - cb) - 0.2 and r.draws.max() < (d["a"] - d["b"]) + 0.2
    assert np.std(r.draws) > 0.005


@pytest.mark.parametrize("null", NULLS)
def test_under_a_true_null_the_p_values_are_not_concentrated_near_zero(null):
    ps = []
    for seed in range(20):
        rng = np.random.default_rng(100 + seed)
        a, b = _table(rng, 30, 1, 3), _table(rng, 30, 1, 3)
        ps.append(
            infer_difference("dissimilarity", a, b, "g", total="t", null=null, n_draws=99, random_state=seed).p_value
        )
    ps = np.array(ps)
    # Loose on purpose: the draws keep each table's units fixed and leave out the sampling variation of two
    # tables from one process, so p < 0.05 comes up far more often than 5% here (9 of 20 for composition and
    # dual composition, 8 for share; PySAL's own test alike). Documented in infer_difference's Notes.
    assert np.sum(ps >= 0.05) > len(ps) / 2, ps


@pytest.mark.parametrize("null", NULLS)
def test_a_clearly_different_pair_gives_a_small_p(null):
    rng = np.random.default_rng(7)
    a, b = _table(rng, 60, 0.3, 0.9), _table(rng, 60, 20, 60)  # the same mean share; b far more even
    r = infer_difference("dissimilarity", a, b, "g", total="t", null=null, n_draws=199, random_state=0)
    assert r.value > 0.3
    assert r.p_value <= 0.01


def test_other_two_group_indices_and_their_options_are_taken(pair):
    a, b = pair
    r = infer_difference("atkinson", a, b, "g", total="t", b=0.3, null="share", n_draws=20, random_state=0)
    assert np.isfinite(r.value) and np.all(np.isfinite(r.draws)) and r.index == "atkinson"


def test_null_none_is_the_bootstrap(pair):
    a, b = pair
    r0 = infer_difference("dissimilarity", a, b, "g", total="t", n_draws=50, random_state=4)
    r1 = infer_difference("dissimilarity", a, b, "g", total="t", n_draws=50, random_state=4, null=None)
    np.testing.assert_array_equal(r0.draws, r1.draws)
    assert r1.method == "bootstrap"


def test_a_bad_null_names_the_options(pair):
    a, b = pair
    with pytest.raises(SegindexValueError, match="'null'.*'composition', 'share', 'dual_composition', got 'shares'"):
        infer_difference("dissimilarity", a, b, "g", total="t", null="shares")


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("g",), {"total": "t", "contrast": "ratio"}, "does not take 'contrast'"),
        (("g",), {"total": "t", "block_size": 10}, "does not take 'block_size'"),
        (("g", "t"), {}, "compares one group with the rest"),
        (("g",), {}, "compares one group with the rest"),
        (("g",), {"total": "t", "by": "t"}, "without 'other' or 'by'"),
    ],
)
def test_what_the_nulls_do_not_take_is_refused(pair, args, kwargs, message):
    a, b = pair
    with pytest.raises(SegindexValueError, match=message):
        infer_difference("dissimilarity", a, b, *args, null="composition", **kwargs)


@pytest.mark.parametrize(("index", "kind"), [("mutual_information", "multigroup"), ("delta", "spatial")])
def test_a_multigroup_or_spatial_index_is_refused(pair, index, kind):
    a, b = pair
    with pytest.raises(SegindexValueError, match=f"needs a two-group index.*'{index}' is {kind}"):
        infer_difference(index, a, b, "g", total="t", null="composition")


def test_bad_counts_are_refused(pair):
    a, b = pair
    bad = a.copy()
    bad.loc[3, "g"] = bad.loc[3, "t"] + 1
    with pytest.raises(SegindexValueError, match="row 3 has more 'g'"):
        infer_difference("dissimilarity", bad, b, "g", total="t", null="composition")


def test_composition_null_matches_pysal(pair):
    """PySAL segregation's TwoValueTest(null_approach="composition") draws the same null (its own RNG, loose check)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        segregation = pytest.importorskip("segregation")
        from segregation.inference import TwoValueTest
        from segregation.singlegroup import Dissim

        a, b = pair
        np.random.seed(1)  # PySAL draws its coins from NumPy's global generator
        peer = TwoValueTest(
            Dissim(a, "g", "t"), Dissim(b, "g", "t"), iterations_under_null=300, null_approach="composition", n_jobs=1
        )
    assert segregation is not None
    ours = infer_difference("dissimilarity", a, b, "g", total="t", null="composition", n_draws=300, random_state=1)
    assert ours.value == pytest.approx(peer.est_point_diff, abs=1e-10)
    sd = np.std(peer.est_sim)
    # 300 draws each: the means agree within a few standard errors, the sds within 20%
    assert abs(ours.draws.mean() - np.mean(peer.est_sim)) < 4 * sd / np.sqrt(150)
    assert ours.draws.std() == pytest.approx(sd, rel=0.2)
