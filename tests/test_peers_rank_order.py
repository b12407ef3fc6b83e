"""Rank-order indices of Reardon (2011) on synthetic ordered tables (income bands)."""

from __future__ import annotations

import naive_peers as naive
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segindex import correlation_ratio
from segindex.errors import AbsentGroupWarning, SegindexTypeError, SegindexValueError
from segindex.indices import registry
from segindex.indices.evenness import square_root_index
from segindex.indices.rank_order import (
    deltas,
    rank_order_information,
    rank_order_profile,
    rank_order_square_root,
    rank_order_variance_ratio,
)

BANDS = [f"band{k}" for k in range(8)]
FUNCS = {
    "information": rank_order_information,
    "variance_ratio": rank_order_variance_ratio,
    "square_root": rank_order_square_root,
}


def synthetic(n_units=40, spread=1.0, seed=0, bands=8):
    """Households in ordered income bands: each unit's incomes are normal around a unit mean.

    ``spread`` is the standard deviation of the unit means (0: no segregation by income).
    """
    rng = np.random.default_rng(seed)
    means = rng.normal(0, spread, n_units)
    cuts = np.quantile(rng.normal(0, np.sqrt(1 + spread**2), 100_000), np.linspace(0, 1, bands + 1)[1:-1])
    rows = []
    for m in means:
        incomes = rng.normal(m, 1.0, int(rng.integers(200, 400)))
        rows.append(np.bincount(np.searchsorted(cuts, incomes), minlength=bands))
    return pd.DataFrame(rows, columns=BANDS[:bands])


def test_deltas_closed_form():
    # Reardon's tabulated information-theory deltas: 1, 1/2, 11/36, 5/24, 137/900
    np.testing.assert_allclose(deltas("information", 4), [1, 1 / 2, 11 / 36, 5 / 24, 137 / 900], rtol=1e-12)
    np.testing.assert_allclose(deltas("variance_ratio", 2), [1, 1 / 2, 3 / 10], rtol=1e-12)
    np.testing.assert_allclose(deltas("square_root", 1), [1, 1 / 2], rtol=1e-12)


def test_complete_and_no_segregation():
    # each unit holds one band: every split is complete; identical units: no split segregates
    apart = pd.DataFrame(np.eye(6) * 50, columns=BANDS[:6])
    mixed = pd.DataFrame(np.tile([5, 10, 20, 20, 10, 5], (4, 1)), columns=BANDS[:6])
    for kind, f in FUNCS.items():
        assert f(apart, BANDS[:6]) == pytest.approx(1.0, abs=1e-9), kind
        assert f(mixed, BANDS[:6]) == pytest.approx(0.0, abs=1e-12), kind


def test_threshold_values_are_the_binary_indices():
    df = synthetic(12, seed=3)
    for k in range(7):
        split = pd.DataFrame({"below": df[BANDS[: k + 1]].sum(axis=1), "T": df[BANDS].sum(axis=1)})
        prof_r = rank_order_profile(df, BANDS, kind="variance_ratio")
        assert prof_r["value"][k] == pytest.approx(correlation_ratio(split, "below", total="T"), rel=1e-10)
        prof_s = rank_order_profile(df, BANDS, kind="square_root")
        assert prof_s["value"][k] == pytest.approx(square_root_index(split, "below", total="T"), rel=1e-10)
    assert list(prof_r["threshold"]) == BANDS[:7]


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("degree", [1, 2, 4])
def test_against_naive(seed, degree):
    df = synthetic(15, seed=seed)
    c = df.to_numpy()
    for kind, f in FUNCS.items():
        assert f(df, BANDS, degree=degree) == pytest.approx(naive.rank_order(c, kind, degree), rel=1e-7), kind


def test_more_segregated_scores_higher_and_rank_invariance():
    low, high = synthetic(spread=0.3, seed=1), synthetic(spread=1.5, seed=1)
    for kind, f in FUNCS.items():
        assert 0 < f(low, BANDS) < f(high, BANDS) < 1, kind
    # merging adjacent bands (coarser tabulation) barely moves the index (Reardon 2011, sec. 5)
    coarse = pd.DataFrame(
        {
            "a": high[BANDS[:2]].sum(axis=1),
            "b": high[BANDS[2:4]].sum(axis=1),
            "c": high[BANDS[4:6]].sum(axis=1),
            "d": high[BANDS[6:]].sum(axis=1),
        }
    )
    fine = rank_order_information(high, BANDS, degree=2)
    assert rank_order_information(coarse, list("abcd"), degree=2) == pytest.approx(fine, abs=0.02)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 1000), factor=st.sampled_from([0.5, 3.0, 100.0]))
def test_unit_order_and_scale(seed, factor):
    df = synthetic(10, seed=seed)
    perm = np.random.default_rng(seed).permutation(len(df))
    for f in FUNCS.values():
        v = f(df, BANDS)
        assert f(df.iloc[perm], BANDS) == pytest.approx(v, rel=1e-9, abs=1e-12)
        assert f(df * factor, BANDS) == pytest.approx(v, rel=1e-9, abs=1e-12)


def test_by_and_registry():
    df = pd.concat(
        [synthetic(10, seed=1).assign(area="x"), synthetic(10, seed=2, spread=2).assign(area="y")], ignore_index=True
    )
    for f in FUNCS.values():
        per = f(df, BANDS, by="area")
        for key, part in df.groupby("area"):
            assert per[key] == pytest.approx(f(part, BANDS), rel=1e-12)
        spec = registry.get(f.__name__)
        codes = (df["area"] == "y").to_numpy().astype(np.int64)
        np.testing.assert_allclose(spec.compute(df[BANDS].to_numpy(float), codes, 2), per.to_numpy(), rtol=1e-12)
    # an area where everyone is in one band has no threshold with people on both sides
    lone = df.copy()
    lone.loc[lone["area"] == "x", BANDS[1:]] = 0
    with pytest.warns(AbsentGroupWarning, match="thresholds have people on both sides"):
        assert np.isnan(rank_order_information(lone, BANDS, by="area")["x"])


def test_errors():
    df = synthetic(5)
    with pytest.raises(SegindexValueError, match="needs at least 5 thresholds"):
        rank_order_information(df[BANDS[:4]], BANDS[:4])
    with pytest.raises(SegindexTypeError, match="'degree' must be a whole number"):
        rank_order_square_root(df, BANDS, degree=1.5)
    with pytest.raises(SegindexValueError, match="'kind' must be one of"):
        rank_order_profile(df, BANDS, kind="gini")
    with pytest.raises(SegindexValueError, match="at least 2"):
        rank_order_variance_ratio(df, ["band0"])
