"""Benchmarks of the core indices: two-group, multigroup, and a cold start.

Synthetic tables of 10^3 ... 10^6 units (seeded): unit totals 50-399, the focal
group's share drawn from Beta(0.5, 2), its count binomial. Every segindex case
calls the public function on a DataFrame, so input validation is included.
PySAL ``segregation`` gets the same DataFrame; the "NumPy pass" is one bare
NumPy evaluation of the formula over the already-extracted float arrays (no
checks), defined beside each case.

Real data: all 181,408 output areas of England and Wales, 2011 Census, 15
ethnic groups plus the rest of ``Persons`` (16 columns), from
``../shared/data/uk/census2011/oa2011_ethnicity_england_wales.csv.gz``; left
out with a note when absent.

Section names start with ``core:`` so ``--only core`` selects them.
"""

from __future__ import annotations

import functools
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
from harness import Case

ROOT = Path(__file__).resolve().parents[1]
OA_FILE = ROOT.parent / "shared" / "data" / "uk" / "census2011" / "oa2011_ethnicity_england_wales.csv.gz"
OA_GROUPS = [
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


@functools.cache
def table(n: int):
    """A seeded synthetic table of ``n`` units: columns ``x`` (focal group), ``y`` and ``total``."""
    import pandas as pd

    rng = np.random.default_rng(n)
    t = rng.integers(50, 400, n)
    x = rng.binomial(t, rng.beta(0.5, 2.0, n))
    y = rng.binomial(t - x, 0.5)
    return pd.DataFrame({"x": x.astype(float), "y": y.astype(float), "total": t.astype(float)})


@functools.cache
def arrays(n: int):
    df = table(n)
    return df["x"].to_numpy(), df["y"].to_numpy(), df["total"].to_numpy()


@functools.cache
def oa_table():
    import pandas as pd

    return pd.read_csv(OA_FILE, usecols=OA_GROUPS + ["Persons"])


def _pysal(name: str):
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    import segregation.multigroup as multigroup
    import segregation.singlegroup as singlegroup

    return getattr(singlegroup, name, None) or getattr(multigroup, name)


# ----------------------------------------------------------------------------
# bare NumPy passes: the formula once over the arrays, group against the rest


def np_dissimilarity(x, t):
    y = t - x
    return 0.5 * np.abs(x / x.sum() - y / y.sum()).sum()


def np_isolation(x, t):
    return (x / x.sum() * np.divide(x, t, out=np.zeros_like(x), where=t > 0)).sum()


def np_exposure(x, t):
    return (x / x.sum() * np.divide(t - x, t, out=np.zeros_like(x), where=t > 0)).sum()


def np_correlation_ratio(x, t):
    P = x.sum() / t.sum()
    return (np_isolation(x, t) - P) / (1 - P)


def np_atkinson(x, t, b=0.5):
    p = np.divide(x, t, out=np.zeros_like(x), where=t > 0)
    T = t.sum()
    P = x.sum() / T
    s = ((1 - p) ** (1 - b) * p**b * t).sum()
    return 1 - P / (1 - P) * abs(s / (P * T)) ** (1 / (1 - b))


def np_gini(x, t):
    """O(n log n) Gini: sort by share, pair sum 2 Σ_i t_i (p_i W_i − S_i) with running sums."""
    p = np.divide(x, t, out=np.zeros_like(x), where=t > 0)
    order = np.argsort(p, kind="stable")
    ts, ps = t[order], p[order]
    W = np.cumsum(ts) - ts
    S = np.cumsum(ts * ps) - ts * ps
    T = t.sum()
    P = x.sum() / T
    return 2 * (ts * (ps * W - S)).sum() / (2 * T * T * P * (1 - P))


def np_mutual_information(c):
    T = c.sum()
    p = c / T
    pu = p.sum(axis=1, keepdims=True)
    pg = p.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(p / (pu * pg)), 0.0)
    return terms.sum()


# ----------------------------------------------------------------------------


def _two_group_cases(quick: bool) -> list[Case]:
    from segindex.indices.twogroup import atkinson, correlation_ratio, dissimilarity, exposure, isolation

    cases = []
    # D at every size, against PySAL and NumPy
    sizes = [10**3, 10**4] if quick else [10**3, 10**4, 10**5, 10**6]
    big = sizes[-1]
    for n in sizes:
        target = n == big and not quick
        cases.append(
            Case(
                section="core: two-group",
                name=f"dissimilarity, 10^{int(np.log10(n))} units",
                segindex=lambda n=n: dissimilarity(table(n), "x", total="total"),
                pysal=lambda n=n: _pysal("Dissim")(table(n), "x", "total").statistic,
                numpy=lambda n=n: np_dissimilarity(arrays(n)[0], arrays(n)[2]),
                min_speedup_vs_pysal=50 if target else None,
                max_ratio_vs_numpy=3 if target else None,
                target="≥ 50× PySAL, ≤ 3× NumPy" if target else "",
            )
        )
    others = {
        "isolation": (lambda df: isolation(df, "x", total="total"), "Isolation", np_isolation),
        "exposure (to the rest)": (lambda df: exposure(df, "x", "rest", total="total"), "Interaction", np_exposure),
        "correlation_ratio": (
            lambda df: correlation_ratio(df, "x", total="total"),
            "CorrelationR",
            np_correlation_ratio,
        ),
        "atkinson (b = 0.5)": (lambda df: atkinson(df, "x", total="total"), "Atkinson", np_atkinson),
    }
    for name, (ours, pysal_name, bare) in others.items():
        if name.startswith("exposure"):
            # exposure names its comparison column: the rest is given as one, as PySAL's Interaction uses it
            frame = functools.lru_cache(maxsize=None)(lambda n: table(n).assign(rest=table(n).total - table(n).x))
        else:
            frame = table
        cases.append(
            Case(
                section="core: two-group",
                name=f"{name}, 10^{int(np.log10(big))} units",
                segindex=lambda f=frame, o=ours: o(f(big)),
                pysal=lambda p=pysal_name: _pysal(p)(table(big), "x", "total").statistic,
                numpy=lambda b=bare: b(arrays(big)[0], arrays(big)[2]),
                min_speedup_vs_pysal=None if quick else 50,
                max_ratio_vs_numpy=None if quick else 3,
                target="" if quick else "≥ 50× PySAL, ≤ 3× NumPy",
            )
        )
    return cases


def _gini_cases(quick: bool) -> list[Case]:
    from segindex.indices.twogroup import gini

    # PySAL's Gini (segregation 2.6, singlegroup/gini.py `_gini_vecp`) loops over all pairs of
    # units: O(n^2) time but O(n) memory, so it does run at 10^5 units (a few seconds per call).
    # It is timed there directly, once, and at 2 x 10^4 units for a second like-with-like point.
    n_small = 2_000 if quick else 20_000
    n_target = 10**4 if quick else 10**5
    note = (
        "PySAL's Gini is an O(n^2) pair loop compiled by numba without a disk cache: its first "
        "call (untimed warm-up) also compiles it, 10-15 s"
    )
    cases = [
        Case(
            section="core: gini",
            name=f"gini, {n_small:,} units",
            segindex=lambda: gini(table(n_small), "x", total="total"),
            pysal=lambda: _pysal("Gini")(table(n_small), "x", "total").statistic,
            numpy=lambda: np_gini(arrays(n_small)[0], arrays(n_small)[2]),
            notes=[note],
        ),
        Case(
            section="core: gini",
            name=f"gini, {n_target:,} units",
            segindex=lambda: gini(table(n_target), "x", total="total"),
            pysal=lambda: _pysal("Gini")(table(n_target), "x", "total").statistic,
            numpy=lambda: np_gini(arrays(n_target)[0], arrays(n_target)[2]),
            min_speedup_vs_pysal=None if quick else 100,
            target="" if quick else "≥ 100× PySAL",
            pysal_repeat=1 if not quick else 3,
            notes=[] if quick else ["PySAL timed once (about 4 s per call on this machine)"],
        ),
    ]
    if not quick:
        cases.append(
            Case(
                section="core: gini",
                name="gini, 10^6 units (segindex only: PySAL's pair loop would take minutes)",
                segindex=lambda: gini(table(10**6), "x", total="total"),
                numpy=lambda: np_gini(arrays(10**6)[0], arrays(10**6)[2]),
                repeat=3,
            )
        )
    return cases


def _multigroup_cases(quick: bool) -> list[Case]:
    from segindex.indices.multigroup import entropy_index, mutual_information

    if not OA_FILE.exists():
        return [
            Case(
                section="core: multigroup",
                name="M and H, 181,408 OAs (left out)",
                segindex=lambda: None,
                notes=["../shared/data/uk/census2011/oa2011_ethnicity_england_wales.csv.gz is absent"],
            )
        ]

    def matrix():
        oa = oa_table()
        return oa[OA_GROUPS].to_numpy(float)  # the rest of Persons is zero in this file

    return [
        Case(
            section="core: multigroup",
            name="mutual_information M, 181,408 OAs × 16 groups (15 + rest)",
            segindex=lambda: mutual_information(oa_table(), OA_GROUPS, total="Persons"),
            numpy=lambda: np_mutual_information(matrix()),
            max_seconds=None if quick else 0.050,
            target="" if quick else "< 50 ms",
            notes=["real 2011 Census OAs, England and Wales; NumPy pass: the p_ig formula with full temporaries"],
        ),
        Case(
            section="core: multigroup",
            name="entropy_index H, 181,408 OAs × 16 groups (15 + rest)",
            segindex=lambda: entropy_index(oa_table(), OA_GROUPS, total="Persons"),
            pysal=lambda: _pysal("MultiInfoTheory")(oa_table(), OA_GROUPS).statistic,
            max_seconds=None if quick else 0.050,
            target="" if quick else "< 50 ms",
        ),
    ]


COLD = (
    "import pandas as pd\n"
    "import segindex\n"
    "from segindex.indices import dissimilarity\n"
    "df = pd.DataFrame({'a': [10, 0, 5], 'b': [0, 10, 5]})\n"
    "assert round(dissimilarity(df, 'a', 'b'), 4) == 0.6667\n"
)


def _cold_start() -> None:
    subprocess.run([sys.executable, "-c", COLD], check=True, cwd=ROOT)


def cases(quick: bool) -> list[Case]:
    out = _two_group_cases(quick) + _gini_cases(quick) + _multigroup_cases(quick)
    out.append(
        Case(
            section="core: cold start",
            name="new process: import segindex + D on a 3-unit table (numba cache warm)",
            segindex=_cold_start,
            max_seconds=None if quick else 2.0,
            target="" if quick else "< 2 s",
            repeat=3,
            notes=["the untimed warm-up run fills numba's on-disk cache"],
        )
    )
    return out
