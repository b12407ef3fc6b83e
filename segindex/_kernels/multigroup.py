"""Multigroup index kernels on a units × groups matrix ``c``.

``codes`` gives each unit's area (empty: one area). Results are per area.
Natural logarithms throughout.
"""

import numpy as np

from ._jit import jit


@jit
def margins(c, codes, n_areas):
    """Group totals per area ``N[a, g]``, area totals ``T[a]`` and unit totals ``t[i]``."""
    n, G = c.shape
    N = np.zeros((n_areas, G))
    t = np.zeros(n)
    single = codes.shape[0] == 0
    for i in range(n):
        a = 0 if single else codes[i]
        s = 0.0
        for g in range(G):
            v = c[i, g]
            N[a, g] += v
            s += v
        t[i] = s
    T = np.zeros(n_areas)
    for a in range(n_areas):
        s = 0.0
        for g in range(G):
            s += N[a, g]
        T[a] = s
    return N, T, t


@jit
def _log_shares(N, T):
    """``ln(N[a, g] / T[a])`` (0 where the share is 0, never used there)."""
    A, G = N.shape
    out = np.zeros((A, G))
    for a in range(A):
        for g in range(G):
            if N[a, g] > 0.0:
                out[a, g] = np.log(N[a, g] / T[a])
    return out


@jit
def entropy(N, T):
    """Shannon entropy of each area's group margin, ``-sum_g pi_g ln pi_g``."""
    A, G = N.shape
    out = np.zeros(A)
    for a in range(A):
        s = 0.0
        for g in range(G):
            if N[a, g] > 0.0:
                q = N[a, g] / T[a]
                s -= q * np.log(q)
        out[a] = s
    return out


#: Natural logarithms of the integers below this are read from a table (counts are mostly integers).
_LOG_TABLE_SIZE = 4096


@jit
def _log_table():
    """``ln k`` for ``k = 0 .. _LOG_TABLE_SIZE - 1``, with ``ln 0`` set to 0 (only ever multiplied by 0)."""
    out = np.zeros(_LOG_TABLE_SIZE)
    for k in range(1, _LOG_TABLE_SIZE):
        out[k] = np.log(float(k))
    return out


@jit
def _ln(v, table):
    """``ln v`` for ``v >= 0``: a table look-up for small integers (bit-identical to ``np.log``), else ``np.log``."""
    if v < _LOG_TABLE_SIZE:
        k = int(v)
        if k == v:
            return table[k]
    return np.log(v)


@jit
def mutual_information(c, codes, n_areas):
    """Mutual information M per area and the entropy E of its group margin.

    ``M = sum_i sum_g (c_ig / T) (ln c_ig - ln t_i - ln(N_g / T))``; Theil's
    ``H = M / E``. Areas with no population get NaN. Returns ``(M, E, T)``.

    Empty cells add ``0 * (0 - ...) = 0``, so the inner loop has no branch on
    them; logarithms of integer counts come from a table. Each unit's sum is
    ``t_i`` times a Kullback-Leibler divergence (non-negative); rounding below
    zero, in units with exactly the area's composition, is set to 0.
    """
    N, T, t = margins(c, codes, n_areas)
    L = _log_shares(N, T)
    table = _log_table()
    n, G = c.shape
    acc = np.zeros(n_areas)
    single = codes.shape[0] == 0
    for i in range(n):
        ti = t[i]
        if ti > 0.0:
            a = 0 if single else codes[i]
            lt = _ln(ti, table)
            s = 0.0
            for g in range(G):
                v = c[i, g]
                s += v * (_ln(v, table) - lt - L[a, g])
            # a unit's term is t_i times a Kullback-Leibler divergence, never below 0:
            # a negative sum is rounding (a unit with the area's composition)
            if s > 0.0:
                acc[a] += s
    E = entropy(N, T)
    for a in range(n_areas):
        if T[a] > 0.0:
            acc[a] /= T[a]
        else:
            acc[a] = np.nan
            E[a] = np.nan
    return acc, E, T


@jit
def multigroup_dissimilarity(c, codes, n_areas):
    """Multigroup D: ``sum_g sum_i t_i |pi_ig - pi_g| / (2 T I)``, ``I = sum_g pi_g (1 - pi_g)``."""
    N, T, t = margins(c, codes, n_areas)
    n, G = c.shape
    pi = np.zeros((n_areas, G))
    for a in range(n_areas):
        if T[a] > 0.0:
            for g in range(G):
                pi[a, g] = N[a, g] / T[a]
    acc = np.zeros(n_areas)
    single = codes.shape[0] == 0
    for i in range(n):
        ti = t[i]
        if ti > 0.0:
            a = 0 if single else codes[i]
            s = 0.0
            for g in range(G):
                s += abs(c[i, g] - ti * pi[a, g])
            acc[a] += s
    out = np.empty(n_areas)
    for a in range(n_areas):
        interaction = 0.0
        for g in range(G):
            interaction += pi[a, g] * (1.0 - pi[a, g])
        if T[a] > 0.0 and interaction > 0.0:
            out[a] = acc[a] / (2.0 * T[a] * interaction)
        else:
            out[a] = np.nan
    return out


@jit
def local_mutual_information(c, codes, n_areas):
    """Local scores ``ls_i = sum_g p_g|i ln(p_g|i / p_g)`` and weights ``p_i = t_i / T``.

    ``sum_i p_i ls_i = M`` within each area. Units with no population get NaN
    scores (the score is undefined) and weight 0.
    """
    N, T, t = margins(c, codes, n_areas)
    L = _log_shares(N, T)
    n, G = c.shape
    ls = np.empty(n)
    w = np.zeros(n)
    single = codes.shape[0] == 0
    for i in range(n):
        a = 0 if single else codes[i]
        ti = t[i]
        if ti > 0.0:
            s = 0.0
            for g in range(G):
                v = c[i, g]
                if v > 0.0:
                    q = v / ti
                    s += q * (np.log(q) - L[a, g])
            ls[i] = s
            w[i] = ti / T[a]
        else:
            ls[i] = np.nan
    return ls, w


@jit
def location_quotients(c, codes, n_areas):
    """``LQ_ig = (c_ig / t_i) / (N_g / T)``; NaN for units with no population or absent groups."""
    N, T, t = margins(c, codes, n_areas)
    n, G = c.shape
    out = np.empty((n, G))
    single = codes.shape[0] == 0
    for i in range(n):
        a = 0 if single else codes[i]
        for g in range(G):
            if t[i] > 0.0 and N[a, g] > 0.0:
                out[i, g] = (c[i, g] / t[i]) / (N[a, g] / T[a])
            else:
                out[i, g] = np.nan
    return out
