"""Benchmarks of segindex.inference against PySAL segregation's SingleValueTest.

Like with like, as far as the two libraries allow:

* randomisation: segindex draws ``x_i ~ Binomial(t_i, P)`` (unit sizes kept).
  PySAL's ``null_approach="systematic"`` draws each group's total over the units
  (``Multinomial(X, t_i / T)``; unit sizes vary) -- the same amount of random
  work per draw, a slightly different null; its ``"evenness"`` null is the
  binomial one but needs a GeoDataFrame. We time ``"systematic"``.
* bootstrap: segindex redraws each unit's counts from its observed composition
  (Allen et al. 2015); PySAL's ``"bootstrap"`` resamples whole units with
  replacement. Same purpose (an interval for D), different resampling.

PySAL runs with ``n_jobs=1`` (its default, -1, starts a joblib process pool per
call); segindex with numba's default thread count.

The national table (the README's ``segindex indices`` command: 3 groups, 348
LADs, both methods for every row) reads
``../shared/data/uk/census2011/oa2011_ethnicity_england_wales.csv.gz``; left
out with a note when absent.
"""

from __future__ import annotations

import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from harness import Case

from segindex._kernels import random as kr
from segindex.inference import infer

ROOT = Path(__file__).resolve().parents[1]
OA_FILE = ROOT.parent / "shared" / "data" / "uk" / "census2011" / "oa2011_ethnicity_england_wales.csv.gz"


def _table(n, seed=0):
    rng = np.random.default_rng(seed)
    t = rng.integers(100, 500, n)
    share = rng.beta(0.5, 4.0, n)  # a segregated minority of about 11 %
    x = rng.binomial(t, share)
    return pd.DataFrame({"group": x, "total": t, "other": t - x})


def _three(n, seed=1):
    rng = np.random.default_rng(seed)
    t = rng.integers(100, 500, n)
    c = np.array([rng.multinomial(k, rng.dirichlet([2.0, 1.0, 0.5])) for k in t])
    return pd.DataFrame(c, columns=["A", "B", "C"])


def _pysal(df, draws, approach):
    try:
        from segregation.inference import SingleValueTest
        from segregation.singlegroup import Dissim
    except ImportError:
        return None

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            seg = Dissim(df, group_pop_var="group", total_pop_var="total")
            return SingleValueTest(seg, iterations_under_null=draws, null_approach=approach, n_jobs=1)

    return run


def _peak_bytes(fn):
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def _national_table(quick: bool) -> list[Case]:
    """The README's national command: every index of 3 groups in 348 LADs, each row with both methods."""
    from segindex import segregation_table

    draws = 19 if quick else 999
    name = f"national table, 181,408 OAs × 348 LADs × 3 groups, {draws} draws"
    if not OA_FILE.exists():
        return [
            Case(
                section="inference: the tidy table",
                name=name + " (left out)",
                segindex=lambda: None,
                notes=["../shared/data/uk/census2011/oa2011_ethnicity_england_wales.csv.gz is absent"],
            )
        ]
    oa = pd.read_csv(OA_FILE, usecols=["Persons", "Pakistani", "Indian", "Bangladeshi", "LAD"])

    def table():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # areas where a group is absent, draws of a group of none
            return segregation_table(
                oa,
                ["Pakistani", "Indian", "Bangladeshi"],
                total="Persons",
                by="LAD",
                n_draws=draws,
                random_state=1,
                progress=False,
            )

    return [
        Case(
            section="inference: the tidy table",
            name=name,
            segindex=table,
            max_seconds=120,
            target="< 120 s (999 draws)",
            repeat=1,
            notes=[
                "21 rows × 2 methods; the rows that read the same table share its draws: one redrawn "
                "all-groups table per draw and method, whose columns the rows of each group against the "
                "rest read; every index of a table in one pass"
            ],
        )
    ]


def cases(quick: bool) -> list[Case]:
    n = 1_000 if quick else 10_000
    draws = 99 if quick else 999
    df = _table(n)
    mg = _three(n)
    label = f"D, {n:,} units, {draws} draws"

    def rand():
        return infer("dissimilarity", df, "group", total="total", n_draws=draws, random_state=0, progress=False)

    def boot():
        return infer(
            "dissimilarity",
            df,
            "group",
            total="total",
            method="bootstrap",
            n_draws=draws,
            random_state=0,
            progress=False,
        )

    hyper_draws = max(9, draws // 10)

    def hyper():
        return infer(
            "dissimilarity",
            df,
            "group",
            total="total",
            allocation="hypergeometric",
            n_draws=hyper_draws,
            random_state=0,
            progress=False,
        )

    def theil():
        return infer("entropy_index", mg, ["A", "B", "C"], n_draws=draws, random_state=0, progress=False)

    src = np.ascontiguousarray(df[["group", "other"]].to_numpy(dtype=np.int64))
    P = src[:, 0].sum() / src.sum()
    codes = np.empty(0, dtype=np.int64)
    seeds = np.random.default_rng(0).integers(0, 2**32, draws, dtype=np.int64)
    out = np.empty((draws, 1, 1))
    d_only = np.array([kr.INDEX_DISSIMILARITY], dtype=np.int64)
    no_param = np.zeros(1)

    t = src.sum(axis=1)
    trials, table = np.unique(t, return_inverse=True)
    tables = (table.astype(np.int64),) + tuple(
        kr.binomial_tables(trials.astype(np.int64), np.full(trials.size, P), 4_000_000, kr.TAIL)
    )

    def serial_kernel():
        kr.pair_draws_serial(src, codes, 1, d_only, no_param, tables, seeds, out)

    def parallel_kernel():
        kr.pair_draws_parallel(src, codes, 1, d_only, no_param, tables, seeds, out)

    rand()  # compile before measuring memory
    few = _peak_bytes(
        lambda: infer(
            "dissimilarity", df, "group", total="total", n_draws=max(1, draws // 10), random_state=0, progress=False
        )
    )
    many = _peak_bytes(rand)
    memory_note = (
        f"peak Python-side memory {few / 1e6:.2f} MB with {max(1, draws // 10)} draws, "
        f"{many / 1e6:.2f} MB with {draws} (the draws array is {draws * 8 / 1e6:.3f} MB; "
        "redrawn tables are one buffer per thread, never stored)"
    )
    return _national_table(quick) + [
        Case(
            section="inference: randomisation",
            name=label + " (binomial; PySAL 'systematic', n_jobs=1)",
            segindex=rand,
            pysal=_pysal(df, draws, "systematic"),
            min_speedup_vs_pysal=30,
            target="≥ 30× PySAL",
            repeat=9,
            pysal_repeat=1,
            notes=[memory_note],
        ),
        Case(
            section="inference: bootstrap",
            name=label + " (counts; PySAL resamples units, n_jobs=1)",
            segindex=boot,
            pysal=_pysal(df, draws, "bootstrap"),
            min_speedup_vs_pysal=20,
            target="≥ 20× PySAL",
            repeat=9,  # parallel draws on a shared 2-core machine: a median of more runs
            pysal_repeat=3,
        ),
        Case(
            section="inference: randomisation",
            name=label + ", draw kernel, parallel (NumPy column: one thread)",
            segindex=parallel_kernel,
            numpy=serial_kernel,
            target="parallel=True pays (÷ < 1)",
            max_ratio_vs_numpy=0.9,
            repeat=3,
        ),
        Case(
            section="inference: randomisation",
            name=f"D, {n:,} units, {hyper_draws} draws (hypergeometric allocation)",
            segindex=hyper,
            repeat=1,
            notes=["hypergeometric cost grows with the number of people, not of units"],
        ),
        Case(
            section="inference: randomisation",
            name=f"Theil's H, 3 groups, {n:,} units, {draws} draws",
            segindex=theil,
            repeat=3,
        ),
    ]
