"""Kernels of the peer-parity multigroup indices on a units × groups matrix ``c``.

``codes`` gives each unit's area (empty: one area); results are per area, NaN
where the index is undefined (no population, or fewer than two groups
present). Natural logarithms throughout. Notation of Reardon & Firebaugh
(2002): ``t_i`` unit totals, ``pi_ig`` the share of group g in unit i, ``pi_g``
its share of the area, ``I = sum_g pi_g (1 - pi_g)`` Simpson's interaction.
"""

import numpy as np

from ._jit import jit
from .multigroup import margins
from .twogroup import gini as _two_group_gini

__all__ = [
    "squared_deviations",
    "relative_diversity",
    "normalised_exposure",
    "squared_coefficient_of_variation",
    "multigroup_gini",
    "diversity",
    "simpsons_concentration",
    "simpsons_interaction",
    "unit_shares",
]


@jit
def squared_deviations(c, codes, n_areas):
    """``S[a, g] = sum_i t_i (pi_ig - pi_g)^2`` over the units of area ``a``, with ``N`` and ``T``."""
    N, T, t = margins(c, codes, n_areas)
    n, G = c.shape
    S = np.zeros((n_areas, G))
    single = codes.shape[0] == 0
    for i in range(n):
        ti = t[i]
        if ti > 0.0:
            a = 0 if single else codes[i]
            for g in range(G):
                d = c[i, g] / ti - N[a, g] / T[a]
                S[a, g] += ti * d * d
    return S, N, T


@jit
def _present(N, a):
    k = 0
    for g in range(N.shape[1]):
        if N[a, g] > 0.0:
            k += 1
    return k


@jit
def relative_diversity(c, codes, n_areas):
    """Reardon & Firebaugh's R: ``sum_g S_g / (T I)``."""
    S, N, T = squared_deviations(c, codes, n_areas)
    out = np.full(n_areas, np.nan)
    for a in range(n_areas):
        if T[a] > 0.0 and _present(N, a) >= 2:
            s = 0.0
            interaction = 0.0
            for g in range(N.shape[1]):
                q = N[a, g] / T[a]
                interaction += q * (1.0 - q)
                s += S[a, g]
            out[a] = s / (T[a] * interaction)
    return out


@jit
def normalised_exposure(c, codes, n_areas):
    """James's normalised exposure P: ``sum_g S_g / (T (1 - pi_g))``."""
    S, N, T = squared_deviations(c, codes, n_areas)
    out = np.full(n_areas, np.nan)
    for a in range(n_areas):
        if T[a] > 0.0 and _present(N, a) >= 2:
            s = 0.0
            for g in range(N.shape[1]):
                q = N[a, g] / T[a]
                if q > 0.0:
                    s += S[a, g] / (1.0 - q)
            out[a] = s / T[a]
    return out


@jit
def squared_coefficient_of_variation(c, codes, n_areas):
    """C: ``sum_g S_g / ((K - 1) T pi_g)`` over the K groups present in the area."""
    S, N, T = squared_deviations(c, codes, n_areas)
    out = np.full(n_areas, np.nan)
    for a in range(n_areas):
        K = _present(N, a)
        if T[a] > 0.0 and K >= 2:
            s = 0.0
            for g in range(N.shape[1]):
                if N[a, g] > 0.0:
                    s += S[a, g] / N[a, g]  # S_g / (T pi_g)
            out[a] = s / (K - 1)
    return out


@jit
def multigroup_gini(c, codes, n_areas):
    """Reardon & Firebaugh's multigroup Gini in O(n log n) time and O(n) memory.

    ``G = sum_g sum_i sum_j t_i t_j |pi_ig - pi_jg| / (2 T^2 I)``. Each group's
    double sum is the two-group Gini of that group against the rest times
    ``2 T^2 pi_g (1 - pi_g)``, and the two-group kernel computes it from one
    sort of the shares (no n × n matrix).
    """
    N, T, t = margins(c, codes, n_areas)
    n, G = c.shape
    acc = np.zeros(n_areas)
    x = np.empty(n)
    y = np.empty(n)
    for g in range(G):
        for i in range(n):
            x[i] = c[i, g]
            y[i] = t[i] - c[i, g]
            if y[i] < 0.0:  # rounding in the row sum
                y[i] = 0.0
        gg = _two_group_gini(x, y, codes, n_areas)
        for a in range(n_areas):
            if T[a] > 0.0:
                q = N[a, g] / T[a]
                if q > 0.0 and q < 1.0:
                    acc[a] += gg[a] * q * (1.0 - q)
    out = np.full(n_areas, np.nan)
    for a in range(n_areas):
        if T[a] > 0.0 and _present(N, a) >= 2:
            interaction = 0.0
            for g in range(G):
                q = N[a, g] / T[a]
                interaction += q * (1.0 - q)
            out[a] = acc[a] / interaction
    return out


@jit
def diversity(c, codes, n_areas, normalise=False):
    """Entropy ``E = -sum_g pi_g ln pi_g`` of each area's composition (``E / ln K`` if ``normalise``)."""
    N, T, t = margins(c, codes, n_areas)
    G = c.shape[1]
    out = np.full(n_areas, np.nan)
    for a in range(n_areas):
        if T[a] > 0.0:
            s = 0.0
            for g in range(G):
                if N[a, g] > 0.0:
                    q = N[a, g] / T[a]
                    s -= q * np.log(q)
            if normalise:
                s = s / np.log(G) if G > 1 else np.nan
            out[a] = s
    return out


@jit
def simpsons_concentration(c, codes, n_areas):
    """``lambda = sum_g pi_g^2``: the chance two people drawn at random belong to the same group."""
    N, T, t = margins(c, codes, n_areas)
    out = np.full(n_areas, np.nan)
    for a in range(n_areas):
        if T[a] > 0.0:
            s = 0.0
            for g in range(c.shape[1]):
                q = N[a, g] / T[a]
                s += q * q
            out[a] = s
    return out


@jit
def simpsons_interaction(c, codes, n_areas):
    """``I = sum_g pi_g (1 - pi_g) = 1 - lambda``."""
    N, T, t = margins(c, codes, n_areas)
    out = np.full(n_areas, np.nan)
    for a in range(n_areas):
        if T[a] > 0.0:
            s = 0.0
            for g in range(c.shape[1]):
                q = N[a, g] / T[a]
                s += q * (1.0 - q)
            out[a] = s
    return out


@jit
def unit_shares(c, kind):
    """Per-unit composition measures: 0 entropy, 1 Simpson's concentration, 2 interaction (NaN if empty)."""
    n, G = c.shape
    out = np.full(n, np.nan)
    for i in range(n):
        ti = 0.0
        for g in range(G):
            ti += c[i, g]
        if ti > 0.0:
            s = 0.0
            for g in range(G):
                q = c[i, g] / ti
                if kind == 0:
                    if q > 0.0:
                        s -= q * np.log(q)
                elif kind == 1:
                    s += q * q
                else:
                    s += q * (1.0 - q)
            out[i] = s
    return out
