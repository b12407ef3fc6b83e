"""Batched draws of the spatial information index: a stored neighbour structure, one compiled pass per draw.

Each test holds the batched draws against a naive recompute kept here: the
table of draw d is drawn from draw d's seed (the same inputs the batched pass
received) and the public function is called on it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segindex import infer
from segindex._kernels import random as _kr
from segindex._neighbours import InformationDraws
from segindex.indices.spatial import spatial_information

GROUPS = ["a", "b", "c"]


def _frame(seed=0, n=300, side=4000.0):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, side, size=(n, 2))
    west = xy[:, 0] < side / 2
    df = pd.DataFrame(
        {
            "a": rng.binomial(40, np.where(west, 0.6, 0.1)),
            "b": rng.binomial(40, np.where(west, 0.2, 0.6)),
            "c": rng.integers(0, 8, n),
            "x": xy[:, 0],
            "y": xy[:, 1],
        }
    )
    df["t"] = df[GROUPS].sum(axis=1) + rng.integers(0, 6, n)
    return df


@pytest.fixture
def captured(monkeypatch):
    """Record the inputs of every batched pass (to redraw its tables naively)."""
    calls = []
    original = InformationDraws.__call__

    def spy(self, src, probs, codes, mode, tables, seeds, progress, block_size=None):
        calls.append((src, probs, codes, mode, tables, seeds))
        return original(self, src, probs, codes, mode, tables, seeds, progress, block_size)

    monkeypatch.setattr(InformationDraws, "__call__", spy)
    return calls


def _naive(df, call, columns, func):
    """The public function on the table of each draw (the old per-draw recompute)."""
    src, probs, codes, mode, tables, seeds = call
    out = []
    for seed in seeds:
        table = _kr.draw_table(src, probs, codes, 1, mode, tables, seed)
        drawn = df.copy()
        for j, column in enumerate(columns):
            drawn[column] = table[:, j]
        out.append(func(drawn))
    return np.array(out)


OPTIONS = [
    dict(bin_size=None),
    dict(bin_size="auto"),
    dict(bin_size=None, total="t"),
    dict(kernel="biweight", bin_size=150.0),
    dict(kernel="exponential", truncate=2.0),
]


@pytest.mark.parametrize("method", ["randomisation", "bootstrap"])
@pytest.mark.parametrize("options", OPTIONS)
def test_infer_draws_equal_the_recompute_of_each_drawn_table(captured, method, options):
    df = _frame()
    opts = dict(bandwidth=500.0, points=("x", "y"), crs=27700, **options)
    r = infer("spatial_information", df, GROUPS, method=method, n_draws=12, random_state=3, **opts)
    assert len(captured) == 1 and captured[0][5].shape == (12,)
    naive = _naive(df, captured[0], GROUPS, lambda d: spatial_information(d, GROUPS, **opts))
    np.testing.assert_allclose(r.draws, naive, rtol=1e-12, atol=1e-15)
    assert np.unique(r.draws).size == 12  # the draws differ from one another
    assert r.value == spatial_information(df, GROUPS, **opts)
