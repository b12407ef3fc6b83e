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
from segindex.errors import SegindexTypeError, SegindexValueError
from segindex.indices.spatial import information_draws, multiscale_profile, spatial_information

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


def test_infer_falls_back_to_the_recompute_when_the_pairs_pass_the_budget(monkeypatch):
    import segindex._neighbours as nb

    df = _frame(n=120)
    opts = dict(bandwidth=500.0, points=("x", "y"), crs=27700)
    batched = infer("spatial_information", df, GROUPS, n_draws=8, random_state=4, **opts)
    monkeypatch.setattr(nb, "STORED_PAIRS", 10)
    recomputed = infer("spatial_information", df, GROUPS, n_draws=8, random_state=4, **opts)
    np.testing.assert_allclose(batched.draws, recomputed.draws, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------------------- the profile

BANDS = [150.0, 400.0, 1200.0]


def _profile(df, **kw):
    kw.setdefault("bin_size", "auto")
    return multiscale_profile(df, GROUPS, bandwidths=BANDS, isolation=["a", "c"], points=("x", "y"), crs=27700, **kw)


@pytest.fixture
def recorded(monkeypatch):
    """Record the inputs and outputs of every batched pass."""
    calls = []
    original = InformationDraws.__call__

    def spy(self, src, probs, codes, mode, tables, seeds, progress, block_size=None):
        out = original(self, src, probs, codes, mode, tables, seeds, progress, block_size)
        calls.append(((src, probs, codes, mode, tables, seeds), out))
        return out

    monkeypatch.setattr(InformationDraws, "__call__", spy)
    return calls


@pytest.mark.parametrize("bin_size", ["auto", None])
def test_profile_draws_equal_the_profile_of_each_drawn_table(recorded, bin_size):
    df = _frame(seed=1)
    prof = _profile(df, bin_size=bin_size, n_draws=6, random_state=9)
    assert [c[0][3] for c in recorded] == [_kr.MODE_MULTINOMIAL, _kr.MODE_BOOTSTRAP]
    for call, out in recorded:
        naive = _naive(df, call, GROUPS, lambda d: _profile(d, bin_size=bin_size)["value"].to_numpy())
        assert out.shape == (6, len(prof))
        np.testing.assert_allclose(out, naive, rtol=1e-12, atol=1e-15)
    # the summaries are those of the recorded draws
    rand, boot = recorded[0][1], recorded[1][1]
    value = prof["value"].to_numpy()
    np.testing.assert_array_equal(prof["expected"], rand.mean(axis=0))
    np.testing.assert_array_equal(prof["p_value"], ((rand >= value - 1e-12).sum(axis=0) + 1.0) / 7.0)
    np.testing.assert_allclose(prof["bias_corrected"], 2 * value - boot.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(prof["se"], boot.std(axis=0, ddof=1), rtol=1e-12)
    # the first draw of each bandwidth's H is infer's first draw with the same seed
    h = infer(
        "spatial_information",
        df,
        GROUPS,
        bandwidth=400.0,
        bin_size=bin_size,
        points=("x", "y"),
        crs=27700,
        n_draws=6,
        random_state=9,
    )
    np.testing.assert_allclose(h.draws, rand[:, 3], rtol=1e-12, atol=1e-15)


def test_profile_with_draws_keeps_the_plain_profile_and_adds_the_table_columns():
    from segindex import segregation_table
    from segindex.indices.table import INFERENCE_COLUMNS

    df = _frame(seed=2)
    plain = _profile(df)
    prof = _profile(df, n_draws=9, random_state=0)
    pd.testing.assert_frame_equal(prof[list(plain.columns)], plain, check_exact=False, rtol=1e-12, atol=1e-15)
    table = segregation_table(df, GROUPS, n_draws=3, random_state=0)
    tail = [c for c in table.columns if c not in ("area", "group", "comparison", "index", "value")]
    assert list(prof.columns) == list(plain.columns) + tail
    assert tail[: len(INFERENCE_COLUMNS)] == list(INFERENCE_COLUMNS)
    everyone = int(df[GROUPS].to_numpy().sum())
    assert prof["count"].tolist() == [everyone, int(df["a"].sum()), int(df["c"].sum())] * len(BANDS)
    assert prof["small_group"].tolist() == [c < 100 for c in prof["count"]]
    assert (prof["p_value"] > 0).all() and (prof["ci_low"] <= prof["ci_high"]).all()


def test_profile_draws_do_not_depend_on_threads_or_blocks(monkeypatch):
    import numba

    import segindex._neighbours as nb

    monkeypatch.setattr(nb, "_SERIAL_WORK", 0)  # the parallel kernel, however small the case
    df = _frame(seed=3, n=500)
    base = _profile(df, n_draws=10, random_state=1)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = _profile(df, n_draws=10, random_state=1)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = _profile(df, n_draws=10, random_state=1, block_size=3)
    finally:
        numba.set_num_threads(before)
    pd.testing.assert_frame_equal(one, base, check_exact=True)
    pd.testing.assert_frame_equal(two, base, check_exact=True)
    other = _profile(df, n_draws=10, random_state=2)
    assert not np.array_equal(other["expected"], base["expected"])


def test_the_parallel_pass_equals_one_table_at_a_time(monkeypatch):
    import segindex._neighbours as nb

    monkeypatch.setattr(nb, "_SERIAL_WORK", 0)
    df = _frame(seed=4, n=400)
    values, _, draws = information_draws(
        df,
        GROUPS,
        bandwidths=BANDS,
        total=None,
        kernel="gaussian",
        points=("x", "y"),
        crs=27700,
        truncate=3.0,
        bin_size=None,
        isolation=["b"],
        caller="test",
    )
    src = np.rint(values).astype(np.int64)
    empty = (np.empty(0, np.int64), np.empty((0, 4), np.int64), np.empty((0, 4)), np.empty(0), np.empty(0, np.int32))
    seeds = np.arange(7, dtype=np.int64) * 1000 + 5
    args = (src, np.empty((1, 0)), np.empty(0, np.int64), _kr.MODE_BOOTSTRAP, empty)

    class Shown:
        active = True

        def update(self, work):
            pass

    parallel = draws(*args, seeds, Shown(), 2)
    serial = np.empty_like(parallel)
    for d, seed in enumerate(seeds):  # one table at a time, evaluated on its own
        serial[d] = draws.evaluate(
            _kr.draw_table(src, np.empty((1, 0)), np.empty(0, np.int64), 1, _kr.MODE_BOOTSTRAP, empty, seed)
        )
    np.testing.assert_array_equal(parallel, serial)


def test_profile_draws_run_without_the_compiler():
    import subprocess
    import sys

    code = (
        "import numpy as np, pandas as pd\n"
        "from segindex.indices.spatial import multiscale_profile\n"
        "df = pd.DataFrame({'x': [0.0, 90.0, 3000.0, 3100.0, 6000.0], 'y': [0.0, 50.0, 0.0, 40.0, 0.0],\n"
        "                   'a': [30, 25, 4, 6, 12], 'b': [5, 9, 30, 28, 14]})\n"
        "p = multiscale_profile(df, ['a', 'b'], bandwidths=[100, 2000], isolation=['a'], points=('x', 'y'),\n"
        "                       crs=27700, n_draws=5, random_state=0)\n"
        "assert np.isfinite(p[['value', 'expected', 'p_value', 'se']].to_numpy()).all(), p\n"
        "import geopandas as gpd, shapely\n"
        "from segindex import infer\n"
        "g = gpd.GeoDataFrame({'a': [9, 1, 8, 2], 'b': [1, 9, 2, 8]}, crs=27700,\n"
        "                     geometry=shapely.box(np.arange(4) * 10.0, 0, np.arange(4) * 10.0 + 10, 10))\n"
        "r = infer('morrill_dissimilarity', g, 'a', 'b', n_draws=4, random_state=0)\n"
        "assert np.isfinite(r.draws).all() and np.unique(r.draws).size > 1, r.draws\n"
        "print(p['value'].round(12).tolist())\n"
    )
    env = dict(__import__("os").environ, NUMBA_DISABLE_JIT="1")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    df = pd.DataFrame(
        {
            "x": [0.0, 90.0, 3000.0, 3100.0, 6000.0],
            "y": [0.0, 50.0, 0.0, 40.0, 0.0],
            "a": [30, 25, 4, 6, 12],
            "b": [5, 9, 30, 28, 14],
        }
    )
    here = multiscale_profile(df, ["a", "b"], bandwidths=[100, 2000], isolation=["a"], points=("x", "y"), crs=27700)
    assert eval(done.stdout.strip()) == pytest.approx(here["value"].tolist(), rel=1e-12)


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        (dict(n_draws=0), SegindexValueError, "'n_draws' parameter must be at least 1, got 0"),
        (dict(n_draws=2.5), SegindexTypeError, "'n_draws' parameter must be a whole number"),
        (dict(n_draws=5, ci=1.5), SegindexValueError, "'ci' parameter is the interval's coverage"),
        (dict(n_draws=5, random_state=-1), SegindexValueError, "'random_state' parameter must be a non-negative"),
        (dict(n_draws=5, random_state="seed"), SegindexTypeError, "'random_state' parameter must be None"),
        (dict(n_draws=5, progress="yes"), SegindexTypeError, "'progress' parameter must be None, True or False"),
        (dict(n_draws=5, block_size=0), SegindexValueError, "'block_size' parameter must be at least 1"),
        (dict(n_draws=5, block_size="big"), SegindexTypeError, "'block_size' parameter must be None or a whole"),
        (dict(n_draws=5, client="tcp://x"), SegindexTypeError, "'client' parameter must be None or a dask"),
    ],
)
def test_profile_draw_options_are_checked(options, error, match):
    with pytest.raises(error, match=f"multiscale_profile\\(\\): (the )?{match}"):
        _profile(_frame(n=30), **options)


def test_profile_draws_refuse_fractional_counts_and_too_many_pairs(monkeypatch):
    import segindex._neighbours as nb

    df = _frame(n=60)
    with pytest.raises(SegindexValueError, match=r"multiscale_profile\(\): .*count of unit 0 .* not a whole number"):
        _profile(df.assign(a=df["a"] + 0.5), n_draws=5)
    monkeypatch.setattr(nb, "STORED_PAIRS", 10)
    with pytest.raises(SegindexValueError, match=r"more than 10 pairs; pass bin_size='auto'"):
        _profile(df, bin_size=None, n_draws=5)


def test_profile_method_runs_one_method_with_the_same_draws():
    df = _frame(seed=5)
    both = _profile(df, n_draws=7, random_state=3)
    rand = _profile(df, n_draws=7, random_state=3, method="randomisation")
    boot = _profile(df, n_draws=7, random_state=3, method="bootstrap")
    assert "se" not in rand.columns and "p_value" in rand.columns and "high_expected" in rand.columns
    assert "p_value" not in boot.columns and "high_expected" not in boot.columns and "se" in boot.columns
    pd.testing.assert_frame_equal(rand, both[list(rand.columns)])  # randomisation draws come first
    assert not np.array_equal(boot["se"], both["se"])  # the bootstrap alone starts the generator afresh
    with pytest.raises(SegindexValueError, match=r"multiscale_profile\(\): the 'method' parameter must be None"):
        _profile(df, n_draws=7, method="permutation")


def _towns(seed=6):
    df = pd.concat([_frame(seed=seed, n=150).assign(town="N"), _frame(seed=seed + 1, n=120).assign(town="S")])
    return df.reset_index(drop=True)


def test_profile_draws_by_area_are_each_area_seeded_from_its_position():
    df = _towns()
    prof = _profile(df, by="town", n_draws=6, random_state=12)
    assert prof["area"].tolist() == ["N"] * 9 + ["S"] * 9
    seeds = np.random.SeedSequence(12).spawn(2)
    for k, town in enumerate(["N", "S"]):
        alone = _profile(df[df["town"] == town], n_draws=6, random_state=seeds[k])
        got = prof[prof["area"] == town].drop(columns="area").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, alone, check_exact=True)
    # the same random_state as a SeedSequence or a Generator seeds every area alike, reproducibly
    again = _profile(df, by="town", n_draws=6, random_state=np.random.SeedSequence(12))
    pd.testing.assert_frame_equal(again, prof, check_exact=True)
    g1 = _profile(df, by="town", n_draws=6, random_state=np.random.default_rng(3))
    g2 = _profile(df, by="town", n_draws=6, random_state=np.random.default_rng(3))
    pd.testing.assert_frame_equal(g1, g2, check_exact=True)
    assert not np.array_equal(g1["expected"], prof["expected"])


def test_profile_draws_by_area_a_failing_area_is_named_and_the_others_kept():
    from segindex.errors import AreaFailureWarning

    df = _towns()
    bad = df.assign(a=df["a"] + np.where(df["town"] == "S", 0.5, 0.0))  # not whole people: S cannot be drawn
    with pytest.warns(AreaFailureWarning, match=r"'S'.*not a whole number"):
        prof = _profile(bad, by="town", n_draws=5, random_state=1)
    good = _profile(df, by="town", n_draws=5, random_state=1)
    assert prof["area"].unique().tolist() == ["N"]
    pd.testing.assert_frame_equal(prof, good[good["area"] == "N"], check_exact=True)
    with pytest.raises(SegindexValueError, match=r"multiscale_profile\(\): the 'n_draws' parameter must be at least"):
        _profile(df, by="town", n_draws=0)


# ---------------------------------------------------------------------------- the other kernel-sum indices

SHARE_CASES = [
    ("spatial_isolation", ("a",), dict(total="t", bandwidth=500.0), ["a"]),
    ("spatial_isolation", ("a", "b"), dict(bandwidth=400.0, kernel="biweight"), ["a", "b"]),
    ("distance_decay_isolation", ("b",), dict(total="t", scale=300.0), ["b"]),
    ("distance_decay_exposure", ("a", "b"), dict(total="t", scale=300.0, max_distance=1500.0), ["a", "b"]),
    ("distance_decay_exposure", ("c",), dict(total="t", scale=600.0), ["c"]),
]


@pytest.mark.parametrize("method", ["randomisation", "bootstrap"])
@pytest.mark.parametrize("case", SHARE_CASES, ids=[f"{c[0]}-{len(c[1])}" for c in SHARE_CASES])
def test_infer_share_indices_draws_equal_the_recompute(captured, method, case):
    import segindex.indices.spatial as sp

    name, args, options, columns = case
    df = _frame(seed=7)
    opts = dict(points=("x", "y"), crs=27700, **options)
    r = infer(name, df, *args, method=method, n_draws=10, random_state=2, **opts)
    assert len(captured) == 1
    func = getattr(sp, name)
    naive = _naive(df, captured[0], columns, lambda d: func(d, *args, **opts))
    np.testing.assert_allclose(r.draws, naive, rtol=1e-12, atol=1e-15)
    assert np.unique(r.draws).size == 10
    assert r.value == func(df, *args, **opts)


def test_binned_spatial_isolation_is_recomputed(captured):
    df = _frame(seed=8, n=100)
    opts = dict(total="t", bandwidth=500.0, bin_size="auto", points=("x", "y"), crs=27700)
    r = infer("spatial_isolation", df, "a", n_draws=5, random_state=1, **opts)
    assert captured == [] and np.isfinite(r.draws).all() and np.unique(r.draws).size == 5


# ---------------------------------------------------------------------------- Morrill's and Wong's indices


def _squares(m=7, seed=9):
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng(seed)
    r, c = np.divmod(np.arange(m * m), m)
    side = 100.0 * (1.0 + 0.5 * (c % 2))  # unequal widths: perimeters / areas differ
    left = np.concatenate([[0.0], np.cumsum(side[:m])])[c]
    geoms = shapely.box(left, r * 100.0, left + side, (r + 1) * 100.0)
    t = rng.integers(20, 80, m * m)
    a = rng.binomial(t, np.where(c < m // 2, 0.7, 0.2))
    b = rng.binomial(t - a, 0.5)
    return gpd.GeoDataFrame({"a": a, "b": b, "t": t}, geometry=geoms, crs=27700)


ADJACENCY_CASES = [
    ("morrill_dissimilarity", ("a",), dict(total="t"), ["a"]),
    ("morrill_dissimilarity", ("a", "b"), dict(), ["a", "b"]),
    ("boundary_dissimilarity", ("a", "b"), dict(total="t"), ["a", "b"]),
    ("boundary_dissimilarity", ("a",), dict(total="t", standardise=False), ["a"]),
    ("perimeter_area_dissimilarity", ("a",), dict(total="t"), ["a"]),
    ("perimeter_area_dissimilarity", ("b", "a"), dict(standardise=False), ["b", "a"]),
]


@pytest.mark.parametrize("method", ["randomisation", "bootstrap"])
@pytest.mark.parametrize("case", ADJACENCY_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(ADJACENCY_CASES)])
def test_infer_adjacency_indices_draws_equal_the_recompute(monkeypatch, method, case):
    import segindex.indices.spatial as sp
    from segindex._neighbours import AdjacencyDraws

    calls = []
    original = AdjacencyDraws.__call__

    def spy(self, src, probs, codes, mode, tables, seeds, progress, block_size=None):
        calls.append((src, probs, codes, mode, tables, seeds))
        return original(self, src, probs, codes, mode, tables, seeds, progress, block_size)

    monkeypatch.setattr(AdjacencyDraws, "__call__", spy)
    name, args, options, columns = case
    grid = _squares()
    r = infer(name, grid, *args, method=method, n_draws=10, random_state=6, **options)
    assert len(calls) == 1
    func = getattr(sp, name)
    naive = _naive(grid, calls[0], columns, lambda d: func(d, *args, **options))
    np.testing.assert_allclose(r.draws, naive, rtol=1e-12, atol=1e-15)
    assert np.unique(r.draws).size == 10 and r.value == func(grid, *args, **options)
