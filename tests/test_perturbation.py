"""Tests of segindex.perturbation: the noise model, the redraws of an index, and the errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segindex import dissimilarity, isolation
from segindex.errors import SegindexTypeError, SegindexValueError
from segindex.perturbation import ONS_2021_SHARE_PERTURBED, perturb_counts, perturbation_check
from tests.conftest import shared_data


def _table(n=400, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 60, n)
    b = rng.integers(0, 60, n)
    return pd.DataFrame({"a": a, "b": b, "total": a + b + rng.integers(0, 20, n)})


def test_noise_model_share_size_and_zeros():
    df = _table(4000)
    out = perturb_counts(df, ["a", "b"], random_state=3)
    change = (out[["a", "b"]] - df[["a", "b"]]).to_numpy()
    positive = df[["a", "b"]].to_numpy() > 2  # cells that cannot hit the floor at zero
    assert set(np.unique(change[positive])) == {-2.0, -1.0, 0.0, 1.0, 2.0}
    share = (change[positive] != 0).mean()
    assert abs(share - ONS_2021_SHARE_PERTURBED) < 0.01  # 0.14 +- 3 standard errors (~0.004)
    zeros = df[["a", "b"]].to_numpy() == 0
    assert (out[["a", "b"]].to_numpy()[zeros] == 0).all()
    assert (out[["a", "b"]].to_numpy() >= 0).all()
    assert (out["total"] == df["total"]).all()  # columns not named stay as they are


def test_max_count_limits_the_cells_perturbed():
    df = _table(2000)
    out = perturb_counts(df, ["a"], share=1.0, max_count=10, random_state=1)
    changed = out["a"] != df["a"]
    assert not changed[df["a"] > 10].any()
    assert changed[(df["a"] > 2) & (df["a"] <= 10)].all()


def test_same_seed_same_draws():
    df = _table()
    one = perturbation_check(df, dissimilarity, "a", "b", n_draws=20, random_state=7)
    two = perturbation_check(df, "dissimilarity", "a", "b", n_draws=20, random_state=7)
    np.testing.assert_array_equal(one.draws, two.draws)
    assert one.columns == ("a", "b")


def test_interval_holds_the_value_and_shrinks_with_counts():
    small = _table(200)
    big = small.copy()
    big[["a", "b"]] *= 50
    s = perturbation_check(small, dissimilarity, "a", "b", n_draws=100, random_state=0)
    b = perturbation_check(big, dissimilarity, "a", "b", n_draws=100, random_state=0)
    assert s.low <= s.value <= s.high
    assert b.sd < s.sd / 5  # noise of a fixed size matters less in larger cells
    assert s.to_frame().columns.tolist() == ["index", "value", "low", "high", "sd", "max_shift", "n_draws"]


def test_by_area_and_total_redrawn():
    df = _table(300)
    df["area"] = np.repeat(["x", "y", "z"], 100)
    check = perturbation_check(df, isolation, "a", total="total", by="area", n_draws=30, random_state=2)
    assert check.columns == ("a",)  # the total follows: a plus the rest, each redrawn
    assert check.draws.shape == (30, 3)
    assert check.max_shift.max() > 0
    frame = check.to_frame()
    assert frame["area"].tolist() == ["x", "y", "z"]
    assert (frame["low"] <= frame["high"]).all()


def test_no_perturbation_no_movement():
    df = _table()
    check = perturbation_check(df, dissimilarity, "a", "b", share=0.0, n_draws=5, random_state=0)
    assert check.max_shift == 0.0 and check.low == check.value == check.high


def test_errors():
    df = _table(10)
    with pytest.raises(SegindexValueError, match="'share' must lie in"):
        perturb_counts(df, ["a"], share=1.5)
    with pytest.raises(SegindexTypeError, match="'share' must be a number"):
        perturb_counts(df, ["a"], share="some")
    with pytest.raises(SegindexValueError, match="'max_change' must be a whole number"):
        perturb_counts(df, ["a"], max_change=0)
    with pytest.raises(SegindexValueError, match="'max_count' must be None"):
        perturb_counts(df, ["a"], max_count=0)
    with pytest.raises(SegindexValueError, match=r"column\(s\) \['q'\] are not in the data"):
        perturb_counts(df, ["q"])
    bad = df.assign(a=df["a"] + 0.5)
    with pytest.raises(SegindexValueError, match="whole, non-negative"):
        perturb_counts(bad, ["a"])
    with pytest.raises(SegindexTypeError, match="must hold counts"):
        perturb_counts(df.assign(a="x"), ["a"])
    with pytest.raises(SegindexValueError, match="'n_draws' must be"):
        perturbation_check(df, dissimilarity, "a", "b", n_draws=0)
    with pytest.raises(SegindexValueError, match="'ci' must lie"):
        perturbation_check(df, dissimilarity, "a", "b", ci=1.0)
    with pytest.raises(SegindexValueError, match="no count column to redraw"):
        perturbation_check(df, lambda d: 0.0)
    with pytest.raises(SegindexTypeError, match="'index' parameter must be"):
        perturbation_check(df, 3, "a", "b")
    with pytest.raises(SegindexValueError, match="unknown index"):
        perturbation_check(df, "no_such_index", "a", "b")


@pytest.mark.realdata
def test_bradford_2021_dissimilarity_moves_little():
    c21 = pd.read_csv(shared_data("uk", "census2021", "census2021_ts021_lsoa21_ethnic20.csv"))
    brad = c21[c21["LAD22NM"] == "Bradford"]
    check = perturbation_check(brad, dissimilarity, "asian_pakistani", "white_british", n_draws=50, random_state=0)
    # tens of thousands of people in each group: noise of +-2 in 14 % of cells moves D by well under 0.001
    assert check.max_shift < 0.001
    assert check.value == pytest.approx(dissimilarity(brad, "asian_pakistani", "white_british"))
