"""Deliberately naive reference implementations of every core index.

Each function follows the formula in the methods reference (Massey & Denton
1988; Reardon & Firebaugh 2002; Mora & Ruiz-Castillo 2011) literally, with
plain Python loops over units and groups, so that it is easy to check by eye
and shares no code with segindex's kernels. Slow on purpose: use it on small
tables only.

Arrays in, floats (or arrays) out. ``x``, ``y``, ``t`` are per-unit counts of
the focal group, the comparison group and the unit total; ``c`` is a units ×
groups matrix. Units with no population are skipped where a ratio would
divide by zero, as the methods reference prescribes ("units with t_i = 0
contribute nothing").
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def dissimilarity(x, y):
    """D = 1/2 Σ_i |x_i/X − y_i/Y|."""
    X, Y = float(np.sum(x)), float(np.sum(y))
    return 0.5 * sum(abs(xi / X - yi / Y) for xi, yi in zip(x, y))


def isolation(x, t):
    """xP*x = Σ_i (x_i/X)(x_i/t_i)."""
    return exposure(x, x, t)


def exposure(x, y, t):
    """xP*y = Σ_i (x_i/X)(y_i/t_i), units with t_i = 0 skipped."""
    X = float(np.sum(x))
    return sum((xi / X) * (yi / ti) for xi, yi, ti in zip(x, y, t) if ti > 0)


def correlation_ratio(x, t):
    """η² = (xP*x − P)/(1 − P), P = X/T."""
    P = float(np.sum(x)) / float(np.sum(t))
    return (isolation(x, t) - P) / (1.0 - P)


def gini(x, y):
    """G = Σ_i Σ_j t_i t_j |p_i − p_j| / (2 T² P (1 − P)), the O(n²) double sum."""
    t = [xi + yi for xi, yi in zip(x, y)]
    p = [xi / ti if ti > 0 else 0.0 for xi, ti in zip(x, t)]
    T = sum(t)
    P = float(np.sum(x)) / T
    pair_sum = 0.0
    for i in range(len(t)):
        for j in range(len(t)):
            pair_sum += t[i] * t[j] * abs(p[i] - p[j])
    return pair_sum / (2.0 * T * T * P * (1.0 - P))


def atkinson(x, y, b=0.5):
    """A = 1 − P/(1−P) |Σ_i (1−p_i)^(1−b) p_i^b t_i / (P T)|^(1/(1−b))."""
    t = [xi + yi for xi, yi in zip(x, y)]
    T = sum(t)
    P = float(np.sum(x)) / T
    s = 0.0
    for xi, ti in zip(x, t):
        if ti > 0:
            pi = xi / ti
            s += (1.0 - pi) ** (1.0 - b) * pi**b * ti
    return 1.0 - P / (1.0 - P) * abs(s / (P * T)) ** (1.0 / (1.0 - b))


def _entropy(shares):
    return -sum(q * math.log(q) for q in shares if q > 0)


def entropy_index(c):
    """Theil's H = Σ_i t_i (E − E_i) / (T E), E the entropy of the group margin."""
    c = np.asarray(c, dtype=float)
    t = c.sum(axis=1)
    T = t.sum()
    E = _entropy(c.sum(axis=0) / T)
    total = 0.0
    for i in range(c.shape[0]):
        if t[i] > 0:
            E_i = _entropy(c[i] / t[i])
            total += t[i] * (E - E_i)
    return total / (T * E)


def mutual_information(c):
    """M = Σ_i Σ_g p_ig ln(p_ig / (p_i· p_·g)), p_ig = c_ig / T."""
    c = np.asarray(c, dtype=float)
    T = c.sum()
    p = c / T
    p_unit = p.sum(axis=1)
    p_group = p.sum(axis=0)
    M = 0.0
    for i in range(c.shape[0]):
        for g in range(c.shape[1]):
            if p[i, g] > 0:
                M += p[i, g] * math.log(p[i, g] / (p_unit[i] * p_group[g]))
    return M


def multigroup_dissimilarity(c):
    """D = Σ_g Σ_i t_i |π_ig − π_g| / (2 T I), I = Σ_g π_g (1 − π_g)."""
    c = np.asarray(c, dtype=float)
    t = c.sum(axis=1)
    T = t.sum()
    pi = c.sum(axis=0) / T
    interaction = sum(q * (1 - q) for q in pi)
    s = 0.0
    for i in range(c.shape[0]):
        if t[i] > 0:
            for g in range(c.shape[1]):
                s += t[i] * abs(c[i, g] / t[i] - pi[g])
    return s / (2.0 * T * interaction)


def location_quotients(c, t):
    """LQ_ig = (c_ig / t_i) / (C_g / T) with unit totals ``t``; NaN where t_i = 0."""
    c = np.asarray(c, dtype=float)
    t = np.asarray(t, dtype=float)
    T = t.sum()
    out = np.full(c.shape, np.nan)
    for i in range(c.shape[0]):
        for g in range(c.shape[1]):
            C_g = c[:, g].sum()
            if t[i] > 0 and C_g > 0:
                out[i, g] = (c[i, g] / t[i]) / (C_g / T)
    return out


def local_mutual_information(c):
    """ls_i = Σ_g p_g|i ln(p_g|i / p_g) and p_i = t_i / T (ls NaN where t_i = 0)."""
    c = np.asarray(c, dtype=float)
    t = c.sum(axis=1)
    T = t.sum()
    p_group = c.sum(axis=0) / T
    ls = np.full(c.shape[0], np.nan)
    for i in range(c.shape[0]):
        if t[i] > 0:
            ls[i] = sum((v / t[i]) * math.log((v / t[i]) / p_group[g]) for g, v in enumerate(c[i]) if v > 0)
    return ls, t / T


def per_area(frame: pd.DataFrame, by, fn) -> pd.Series:
    """``fn(sub_frame)`` on each area's rows separately, as a Series indexed by area."""
    keys, values = [], []
    for key, sub in frame.groupby(by, sort=True):
        keys.append(key[0] if isinstance(key, tuple) and len(key) == 1 else key)
        values.append(fn(sub))
    if isinstance(by, (list, tuple)) and len(by) > 1:
        index = pd.MultiIndex.from_tuples(keys, names=list(by))
    else:
        index = pd.Index(keys, name=by[0] if isinstance(by, (list, tuple)) else by)
    return pd.Series(values, index=index, dtype=float)


def random_table(rng, n_units=40, groups=("a", "b", "c"), *, empty_units=3, areas=None, rest=True):
    """A random wide table of counts with some empty units (and zero cells).

    Columns: the groups, ``total`` (groups plus a random rest when ``rest``)
    and, with ``areas``, an ``area`` key drawn from that list.
    """
    counts = rng.negative_binomial(2, 0.05, size=(n_units, len(groups))).astype(float)
    counts[rng.random(counts.shape) < 0.15] = 0.0
    frame = pd.DataFrame(counts, columns=list(groups), index=[f"u{i}" for i in range(n_units)])
    extra = rng.integers(0, 30, size=n_units) if rest else np.zeros(n_units)
    frame["total"] = counts.sum(axis=1) + extra
    empty = rng.choice(n_units, size=empty_units, replace=False)
    frame.iloc[empty, : len(groups) + 1] = 0.0
    if areas is not None:
        frame["area"] = rng.choice(list(areas), size=n_units)
    return frame
