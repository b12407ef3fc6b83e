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


# ----------------------------------------------------------------------------
# two-group evenness: x the focal group's counts, y the comparison's, per area


@jit
def pair_sums(x, y, codes, n_areas):
    """``X[a]`` and ``Y[a]``."""
    X = np.zeros(n_areas)
    Y = np.zeros(n_areas)
    single = codes.shape[0] == 0
    for i in range(x.shape[0]):
        a = 0 if single else codes[i]
        X[a] += x[i]
        Y[a] += y[i]
    return X, Y


@jit
def square_root_index(x, y, codes, n_areas):
    """Hutchens's S = 1 - sum_i sqrt((x_i / X)(y_i / Y))."""
    X, Y = pair_sums(x, y, codes, n_areas)
    acc = np.zeros(n_areas)
    single = codes.shape[0] == 0
    for i in range(x.shape[0]):
        if x[i] > 0.0 and y[i] > 0.0:
            a = 0 if single else codes[i]
            acc[a] += np.sqrt(x[i] * y[i])
    out = np.full(n_areas, np.nan)
    for a in range(n_areas):
        if X[a] > 0.0 and Y[a] > 0.0:
            out[a] = 1.0 - acc[a] / np.sqrt(X[a] * Y[a])
    return out


@jit
def min_max(x, y, codes, n_areas):
    """O'Sullivan & Wong's MM = 1 - sum_i min(x_i/X, y_i/Y) / sum_i max(x_i/X, y_i/Y)."""
    X, Y = pair_sums(x, y, codes, n_areas)
    lo = np.zeros(n_areas)
    hi = np.zeros(n_areas)
    single = codes.shape[0] == 0
    for i in range(x.shape[0]):
        a = 0 if single else codes[i]
        if X[a] > 0.0 and Y[a] > 0.0:
            u = x[i] / X[a]
            v = y[i] / Y[a]
            lo[a] += min(u, v)
            hi[a] += max(u, v)
    out = np.full(n_areas, np.nan)
    for a in range(n_areas):
        if X[a] > 0.0 and Y[a] > 0.0:
            out[a] = 1.0 - lo[a] / hi[a]
    return out


@jit
def folded_normal_location(z):
    """Maximum-likelihood location of a folded normal (unit scale) from one observation ``z >= 0``.

    The likelihood ``phi(z - theta) + phi(z + theta)`` is largest at 0 when
    ``z <= 1``; above 1 at the positive root of ``theta = z tanh(theta z)``,
    found by Newton's method from ``theta = z`` (the function
    ``theta - z tanh(theta z)`` is convex and increasing there, so the
    iterates fall monotonically onto the root).
    """
    if z <= 1.0:
        return 0.0
    theta = z
    for _ in range(100):
        th = np.tanh(theta * z)
        h = theta - z * th
        dh = 1.0 - z * z * (1.0 - th * th)
        step = h / dh
        theta -= step
        if abs(step) <= 1e-15 * theta:
            break
    return theta


@jit
def density_corrected_dissimilarity(x, y, codes, n_areas):
    """Allen et al.'s D_dc = 1/2 sum_i sigma_i theta*_i (see :func:`folded_normal_location`)."""
    X, Y = pair_sums(x, y, codes, n_areas)
    acc = np.zeros(n_areas)
    single = codes.shape[0] == 0
    for i in range(x.shape[0]):
        a = 0 if single else codes[i]
        if X[a] > 0.0 and Y[a] > 0.0:
            p0 = x[i] / X[a]
            p1 = y[i] / Y[a]
            var = p1 * (1.0 - p1) / Y[a] + p0 * (1.0 - p0) / X[a]
            if var > 0.0:
                sigma = np.sqrt(var)
                acc[a] += sigma * folded_normal_location(abs(p1 - p0) / sigma)
    out = np.full(n_areas, np.nan)
    for a in range(n_areas):
        if X[a] > 0.0 and Y[a] > 0.0:
            out[a] = 0.5 * acc[a]
    return out


@jit
def concentration_profile_index(x, y, codes, n_areas):
    """Hong & Sadahiro's R from the exact integrals of the profile ``v(tau)``.

    ``v(tau) = sum_i x_i [x_i / t_i >= tau] / X``; over ``[a, b]`` its integral is
    ``sum_i (x_i / X) max(0, min(p_i, b) - a)``. ``R = (P - (int_0^P v - int_P^1 v)) / (1 - P)``.
    """
    X, Y = pair_sums(x, y, codes, n_areas)
    below = np.zeros(n_areas)
    above = np.zeros(n_areas)
    single = codes.shape[0] == 0
    for i in range(x.shape[0]):
        a = 0 if single else codes[i]
        ti = x[i] + y[i]
        if ti > 0.0 and X[a] > 0.0:
            P = X[a] / (X[a] + Y[a])
            p = x[i] / ti
            w = x[i] / X[a]
            below[a] += w * min(p, P)
            if p > P:
                above[a] += w * (p - P)
    out = np.full(n_areas, np.nan)
    for a in range(n_areas):
        if X[a] > 0.0 and Y[a] > 0.0:
            P = X[a] / (X[a] + Y[a])
            out[a] = (P - (below[a] - above[a])) / (1.0 - P)
    return out


@jit
def concentration_profile(x, y, thresholds):
    """``v(tau)`` at each threshold: the focal group's share living in units where its share is >= tau."""
    n = x.shape[0]
    out = np.zeros(thresholds.shape[0])
    X = 0.0
    for i in range(n):
        X += x[i]
    for k in range(thresholds.shape[0]):
        s = 0.0
        for i in range(n):
            ti = x[i] + y[i]
            if ti > 0.0 and x[i] / ti >= thresholds[k]:
                s += x[i]
        out[k] = s / X
    return out


# ----------------------------------------------------------------------------
# concentration: units' land areas ``area``; ``order`` sorts the units by area (ascending)


@jit
def delta(x, area, codes, n_areas):
    """Hoover's delta: 1/2 sum_i |x_i / X - a_i / A|."""
    X = np.zeros(n_areas)
    A = np.zeros(n_areas)
    single = codes.shape[0] == 0
    n = x.shape[0]
    for i in range(n):
        a = 0 if single else codes[i]
        X[a] += x[i]
        A[a] += area[i]
    acc = np.zeros(n_areas)
    for i in range(n):
        a = 0 if single else codes[i]
        if X[a] > 0.0:
            acc[a] += abs(x[i] / X[a] - area[i] / A[a])
    out = np.full(n_areas, np.nan)
    for a in range(n_areas):
        if X[a] > 0.0:
            out[a] = 0.5 * acc[a]
    return out


@jit
def concentration(x, y, area, order, codes, n_areas):
    """Massey & Denton's absolute and relative concentration per area.

    With units sorted by area (ascending), ``n1`` is the first rank at which
    the cumulative total population of the smallest units reaches ``X``, and
    the largest units down to ``n2`` hold at least ``X`` counted from the
    largest (the discrete rule of Massey & Denton 1988, p. 290). ``T1`` and
    ``T2`` are the populations of those two sets.
    """
    n = x.shape[0]
    single = codes.shape[0] == 0
    X = np.zeros(n_areas)
    Y = np.zeros(n_areas)
    xa = np.zeros(n_areas)
    ya = np.zeros(n_areas)
    for i in range(n):
        a = 0 if single else codes[i]
        X[a] += x[i]
        Y[a] += y[i]
        xa[a] += x[i] * area[i]
        ya[a] += y[i] * area[i]
    # smallest units first: cumulative population up to X
    T1 = np.zeros(n_areas)
    ta1 = np.zeros(n_areas)
    done1 = np.zeros(n_areas, dtype=np.bool_)
    for j in range(n):
        i = order[j]
        a = 0 if single else codes[i]
        if not done1[a]:
            t = x[i] + y[i]
            T1[a] += t
            ta1[a] += t * area[i]
            if T1[a] >= X[a]:
                done1[a] = True
    T2 = np.zeros(n_areas)
    ta2 = np.zeros(n_areas)
    done2 = np.zeros(n_areas, dtype=np.bool_)
    for j in range(n - 1, -1, -1):
        i = order[j]
        a = 0 if single else codes[i]
        if not done2[a]:
            t = x[i] + y[i]
            T2[a] += t
            ta2[a] += t * area[i]
            if T2[a] >= X[a]:
                done2[a] = True
    aco = np.full(n_areas, np.nan)
    rco = np.full(n_areas, np.nan)
    for a in range(n_areas):
        if X[a] > 0.0 and Y[a] > 0.0:
            low = ta1[a] / T1[a]
            high = ta2[a] / T2[a]
            aco[a] = 1.0 - (xa[a] / X[a] - low) / (high - low)
            rco[a] = ((xa[a] / X[a]) / (ya[a] / Y[a]) - 1.0) / (low / high - 1.0)
    return aco, rco


# ----------------------------------------------------------------------------
# centralisation: units visited in ``order`` (ascending distance from the centre)


@jit
def centralisation(x, w, order, codes, n_areas):
    """``sum_i X_{i-1} W_i - X_i W_{i-1}`` per area, with ``X``, ``W`` the cumulative shares of ``x`` and ``w``."""
    n = x.shape[0]
    single = codes.shape[0] == 0
    X = np.zeros(n_areas)
    W = np.zeros(n_areas)
    for i in range(n):
        a = 0 if single else codes[i]
        X[a] += x[i]
        W[a] += w[i]
    cx = np.zeros(n_areas)
    cw = np.zeros(n_areas)
    acc = np.zeros(n_areas)
    for j in range(n):
        i = order[j]
        a = 0 if single else codes[i]
        if X[a] > 0.0 and W[a] > 0.0:
            px = cx[a] / X[a]
            pw = cw[a] / W[a]
            cx[a] += x[i]
            cw[a] += w[i]
            acc[a] += px * (cw[a] / W[a]) - (cx[a] / X[a]) * pw
    out = np.full(n_areas, np.nan)
    for a in range(n_areas):
        if X[a] > 0.0 and W[a] > 0.0:
            out[a] = acc[a]
    return out


@jit
def local_centralisation(x, y, neighbours, xy):
    """Relative centralisation of each unit's neighbourhood about the unit (row ``i`` of ``neighbours``).

    ``neighbours[i]`` lists unit i and its k nearest units; they are visited
    by distance from unit i (stable among ties).
    """
    n, k = neighbours.shape
    out = np.full(n, np.nan)
    d = np.empty(k)
    for i in range(n):
        for m in range(k):
            j = neighbours[i, m]
            dx = xy[j, 0] - xy[i, 0]
            dy = xy[j, 1] - xy[i, 1]
            d[m] = np.sqrt(dx * dx + dy * dy)
        order = np.argsort(d, kind="mergesort")
        X = 0.0
        Y = 0.0
        for m in range(k):
            X += x[neighbours[i, m]]
            Y += y[neighbours[i, m]]
        if X > 0.0 and Y > 0.0:
            cx = 0.0
            cy = 0.0
            acc = 0.0
            for m in range(k):
                j = neighbours[i, order[m]]
                px = cx / X
                py = cy / Y
                cx += x[j]
                cy += y[j]
                acc += px * (cy / Y) - (cx / X) * py
            out[i] = acc
    return out


@jit
def replace_self_weight(sums, values, self_weight):
    """Kernel sums that counted each unit with weight 1 at distance 0: use ``self_weight[i]`` instead."""
    n, m = sums.shape
    out = np.empty((n, m))
    for i in range(n):
        for c in range(m):
            out[i, c] = sums[i, c] + (self_weight[i] - 1.0) * values[i, c]
    return out


# ----------------------------------------------------------------------------
# rank-order indices (Reardon 2011): binary indices at every threshold of an ordered variable


@jit
def threshold_indices(c, codes, n_areas, kind):
    """Share ``p[a, k]`` at or below category k and the binary index there, per area.

    ``kind``: 0 information theory H, 1 variance ratio R (η²), 2 square root S.
    The binary split at threshold k is categories ``0..k`` against ``k+1..K-1``.
    NaN where ``p`` is 0 or 1.
    """
    n, K = c.shape
    single = codes.shape[0] == 0
    below = np.zeros(n)
    T = np.zeros(n_areas)
    t = np.zeros(n)
    for i in range(n):
        s = 0.0
        for g in range(K):
            s += c[i, g]
        t[i] = s
        T[0 if single else codes[i]] += s
    p = np.full((n_areas, K - 1), np.nan)
    out = np.full((n_areas, K - 1), np.nan)
    X = np.zeros(n_areas)
    acc = np.zeros(n_areas)
    for k in range(K - 1):
        for a in range(n_areas):
            X[a] = 0.0
            acc[a] = 0.0
        for i in range(n):
            below[i] += c[i, k]
            X[0 if single else codes[i]] += below[i]
        for i in range(n):
            if t[i] > 0.0:
                a = 0 if single else codes[i]
                q = below[i] / t[i]
                if q > 1.0:
                    q = 1.0
                P = X[a] / T[a]
                if kind == 0:
                    e = 0.0
                    if q > 0.0 and q < 1.0:
                        e = -(q * np.log(q) + (1.0 - q) * np.log(1.0 - q))
                    acc[a] += t[i] * e
                elif kind == 1:
                    acc[a] += t[i] * (q - P) * (q - P)
                else:
                    acc[a] += t[i] * np.sqrt(q * (1.0 - q))
        for a in range(n_areas):
            if T[a] > 0.0:
                P = X[a] / T[a]
                if P > 0.0 and P < 1.0:
                    p[a, k] = P
                    if kind == 0:
                        E = -(P * np.log(P) + (1.0 - P) * np.log(1.0 - P))
                        out[a, k] = 1.0 - acc[a] / (T[a] * E)
                    elif kind == 1:
                        out[a, k] = acc[a] / (T[a] * P * (1.0 - P))
                    else:
                        out[a, k] = 1.0 - acc[a] / (T[a] * np.sqrt(P * (1.0 - P)))
    return p, out


# ----------------------------------------------------------------------------
# multiscalar distortion (Olteanu, Randon-Furling & Clark 2019): O(n) memory per origin


@jit
def _origin_order(xy, i, d):
    n = xy.shape[0]
    for j in range(n):
        dx = xy[j, 0] - xy[i, 0]
        dy = xy[j, 1] - xy[i, 1]
        d[j] = np.sqrt(dx * dx + dy * dy)
    return np.argsort(d, kind="mergesort")


@jit
def _step_divergence(cumul, r):
    total = 0.0
    for g in range(cumul.shape[0]):
        total += cumul[g]
    kl = 0.0
    if total > 0.0:
        for g in range(cumul.shape[0]):
            q = cumul[g] / total
            if q > 0.0:
                kl += q * np.log(q / r[g])
    return kl, total


@jit
def distortion_coefficients(c, xy):
    """``Delta_i = sum_k KL(q_k(i) || r)`` with ``q_k(i)`` the composition of unit i and its k - 1 nearest units.

    Each origin sorts the distances to every unit (ties keep the input order)
    and accumulates group counts outward: O(n log n) time and O(n) memory per
    origin, never an n × n matrix.
    """
    n, G = c.shape
    r = np.zeros(G)
    T = 0.0
    for i in range(n):
        for g in range(G):
            r[g] += c[i, g]
            T += c[i, g]
    for g in range(G):
        r[g] /= T
    out = np.zeros(n)
    d = np.empty(n)
    cumul = np.empty(G)
    for i in range(n):
        order = _origin_order(xy, i, d)
        for g in range(G):
            cumul[g] = 0.0
        s = 0.0
        for k in range(n):
            j = order[k]
            for g in range(G):
                cumul[g] += c[j, g]
            kl, _ = _step_divergence(cumul, r)
            s += kl
        out[i] = s
    return out


@jit
def divergence_profile(c, xy, i):
    """Distance, population covered and KL divergence at each step outward from unit ``i``."""
    n, G = c.shape
    r = np.zeros(G)
    T = 0.0
    for j in range(n):
        for g in range(G):
            r[g] += c[j, g]
            T += c[j, g]
    for g in range(G):
        r[g] /= T
    d = np.empty(n)
    order = _origin_order(xy, i, d)
    cumul = np.zeros(G)
    dist = np.empty(n)
    pop = np.empty(n)
    kl = np.empty(n)
    for k in range(n):
        j = order[k]
        for g in range(G):
            cumul[g] += c[j, g]
        kl[k], pop[k] = _step_divergence(cumul, r)
        dist[k] = d[j]
    return order, dist, pop, kl
