"""Deliberately naive reference implementations of the peer-parity indices.

Each function follows its paper's formula literally, with plain Python loops
over units and groups (the double sums over pairs of units included), and
shares no code with segindex's kernels. Slow on purpose: small tables only.

``c`` is a units × groups list of lists (or array) of counts; ``x``, ``y``,
``t`` per-unit counts of the focal group, the comparison group and the unit
total. Units with no population are skipped where a ratio would divide by zero.
"""

from __future__ import annotations

import math

import numpy as np


def _rows(c):
    return [[float(v) for v in row] for row in np.asarray(c, dtype=float)]


def _composition(c):
    rows = _rows(c)
    t = [sum(r) for r in rows]
    T = sum(t)
    K = len(rows[0])
    pi = [sum(r[g] for r in rows) / T for g in range(K)]
    return rows, t, T, K, pi


def multigroup_gini(c):
    """G = Σ_g Σ_i Σ_j t_i t_j |π_ig − π_jg| / (2 T² I), the O(n²) triple sum."""
    rows, t, T, K, pi = _composition(c)
    I = sum(p * (1 - p) for p in pi)
    s = 0.0
    for g in range(K):
        for i in range(len(rows)):
            for j in range(len(rows)):
                if t[i] > 0 and t[j] > 0:
                    s += t[i] * t[j] * abs(rows[i][g] / t[i] - rows[j][g] / t[j])
    return s / (2 * T * T * I)


def _squared(c):
    rows, t, T, K, pi = _composition(c)
    S = [sum(t[i] * (rows[i][g] / t[i] - pi[g]) ** 2 for i in range(len(rows)) if t[i] > 0) for g in range(K)]
    return S, T, K, pi


def relative_diversity(c):
    """R = Σ_g Σ_i t_i (π_ig − π_g)² / (T I)."""
    S, T, K, pi = _squared(c)
    return sum(S) / (T * sum(p * (1 - p) for p in pi))


def normalised_exposure(c):
    """P = Σ_g Σ_i t_i (π_ig − π_g)² / (T (1 − π_g))."""
    S, T, K, pi = _squared(c)
    return sum(S[g] / (T * (1 - pi[g])) for g in range(K))


def squared_coefficient_of_variation(c):
    """C = Σ_g Σ_i t_i (π_ig − π_g)² / ((K − 1) T π_g)."""
    S, T, K, pi = _squared(c)
    return sum(S[g] / ((K - 1) * T * pi[g]) for g in range(K))


def divergence(c):
    """D = Σ_i (t_i/T) Σ_g π_ig ln(π_ig / π_g) (Roberto 2015)."""
    rows, t, T, K, pi = _composition(c)
    s = 0.0
    for i, r in enumerate(rows):
        for g in range(K):
            if r[g] > 0:
                q = r[g] / t[i]
                s += t[i] / T * q * math.log(q / pi[g])
    return s


def diversity(c, normalise=False):
    """E = −Σ_g π_g ln π_g (over ln K if normalise)."""
    rows, t, T, K, pi = _composition(c)
    e = -sum(p * math.log(p) for p in pi if p > 0)
    return e / math.log(K) if normalise else e


def simpsons_concentration(c):
    """λ = Σ_g π_g²."""
    return sum(p * p for p in _composition(c)[4])


def simpsons_interaction(c):
    """I = Σ_g π_g (1 − π_g)."""
    return sum(p * (1 - p) for p in _composition(c)[4])


def local_diversity(c):
    """E_i = −Σ_g π_ig ln π_ig per unit (NaN for an empty unit)."""
    out = []
    for r in _rows(c):
        ti = sum(r)
        out.append(-sum(v / ti * math.log(v / ti) for v in r if v > 0) if ti > 0 else math.nan)
    return out


def local_simpsons_concentration(c):
    """λ_i = Σ_g π_ig² per unit."""
    return [sum((v / sum(r)) ** 2 for v in r) if sum(r) > 0 else math.nan for r in _rows(c)]


# ----------------------------------------------------------------------------
# two-group evenness and concentration


def square_root_index(x, y):
    """S = 1 − Σ_i √((x_i/X)(y_i/Y)) (Hutchens 2004)."""
    X, Y = float(sum(x)), float(sum(y))
    return 1.0 - sum(math.sqrt(xi / X * yi / Y) for xi, yi in zip(x, y))


def min_max(x, y):
    """MM = 1 − Σ min / Σ max of the two distributions (O'Sullivan & Wong 2007)."""
    X, Y = float(sum(x)), float(sum(y))
    lo = sum(min(xi / X, yi / Y) for xi, yi in zip(x, y))
    hi = sum(max(xi / X, yi / Y) for xi, yi in zip(x, y))
    return 1.0 - lo / hi


def density_corrected_dissimilarity(x, y):
    """½ Σ σ_i θ*_i with θ* maximising φ(θ̂ − θ) + φ(θ̂ + θ), found by a bounded scalar search."""
    from scipy.optimize import minimize_scalar
    from scipy.stats import norm

    X, Y = float(sum(x)), float(sum(y))
    total = 0.0
    for xi, yi in zip(x, y):
        p0, p1 = xi / X, yi / Y
        sigma = math.sqrt(p1 * (1 - p1) / Y + p0 * (1 - p0) / X)
        if sigma == 0:
            continue
        z = abs(p1 - p0) / sigma
        res = minimize_scalar(
            lambda th, z=z: -(norm.pdf(z - th) + norm.pdf(z + th)),
            bounds=(0.0, z + 1.0),
            method="bounded",
            options={"xatol": 1e-12},
        )
        theta = res.x if -res.fun > 2 * norm.pdf(z) else 0.0
        total += sigma * theta
    return total / 2


def concentration_profile_index(x, y):
    """R = (P − (∫_0^P v − ∫_P^1 v)) / (1 − P), the step function v integrated piece by piece."""
    t = [xi + yi for xi, yi in zip(x, y)]
    X = float(sum(x))
    P = X / float(sum(t))
    shares = [xi / ti for xi, ti in zip(x, t) if ti > 0]

    def v(tau):
        return sum(xi for xi, ti in zip(x, t) if ti > 0 and xi / ti >= tau) / X

    def integral(a, b):
        cuts = sorted({a, b, *[p for p in shares if a < p < b]})
        # v is constant on (c0, c1]: evaluate at the right end
        return sum((c1 - c0) * v(c1) for c0, c1 in zip(cuts[:-1], cuts[1:]))

    return (P - (integral(0.0, P) - integral(P, 1.0))) / (1 - P)


def delta(x, area):
    """DEL = ½ Σ |x_i/X − a_i/A|."""
    X, A = float(sum(x)), float(sum(area))
    return 0.5 * sum(abs(xi / X - ai / A) for xi, ai in zip(x, area))


def _sets(t, area, X):
    units = sorted(range(len(t)), key=lambda i: area[i])
    first, s = [], 0.0
    for i in units:
        first.append(i)
        s += t[i]
        if s >= X:
            break
    last, s = [], 0.0
    for i in reversed(units):
        last.append(i)
        s += t[i]
        if s >= X:
            break
    T1, T2 = sum(t[i] for i in first), sum(t[i] for i in last)
    return sum(t[i] * area[i] for i in first) / T1, sum(t[i] * area[i] for i in last) / T2


def absolute_concentration(x, y, area):
    """ACO of Massey & Denton (1988), with whole units in the two reference sets."""
    t = [xi + yi for xi, yi in zip(x, y)]
    X = float(sum(x))
    low, high = _sets(t, area, X)
    return 1 - (sum(xi * ai for xi, ai in zip(x, area)) / X - low) / (high - low)


def relative_concentration(x, y, area):
    """RCO of Massey & Denton (1988)."""
    t = [xi + yi for xi, yi in zip(x, y)]
    X, Y = float(sum(x)), float(sum(y))
    low, high = _sets(t, area, X)
    ratio = (sum(xi * ai for xi, ai in zip(x, area)) / X) / (sum(yi * ai for yi, ai in zip(y, area)) / Y)
    return (ratio - 1) / (low / high - 1)


# ----------------------------------------------------------------------------
# centralisation and clustering (dense, O(n²))


def centralisation(x, w, distance):
    """Σ X_{i−1} W_i − Σ X_i W_{i−1} over units sorted by distance from the centre."""
    order = sorted(range(len(x)), key=lambda i: distance[i])
    X, W = float(sum(x)), float(sum(w))
    cx = [0.0]
    cw = [0.0]
    for i in order:
        cx.append(cx[-1] + x[i] / X)
        cw.append(cw[-1] + w[i] / W)
    return sum(cx[k - 1] * cw[k] - cx[k] * cw[k - 1] for k in range(1, len(cx)))


def proximity_matrix(xy, scale, self_distance):
    """c_ij = exp(−d_ij / s), c_ii = exp(−d_ii / s) with d_ii given per unit."""
    n = len(xy)
    c = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            d = self_distance[i] if i == j else math.dist(xy[i], xy[j])
            c[i][j] = math.exp(-d / scale)
    return c


def absolute_clustering(x, y, c):
    """ACL of Massey & Denton (1988) from a dense proximity matrix."""
    n = len(x)
    t = [a + b for a, b in zip(x, y)]
    X = float(sum(x))
    C = sum(sum(row) for row in c)
    num = sum(x[i] / X * sum(c[i][j] * x[j] for j in range(n)) for i in range(n)) - X / n**2 * C
    den = sum(x[i] / X * sum(c[i][j] * t[j] for j in range(n)) for i in range(n)) - X / n**2 * C
    return num / den


def _p(u, v, c):
    U, V = float(sum(u)), float(sum(v))
    return sum(u[i] * v[j] * c[i][j] for i in range(len(u)) for j in range(len(v))) / (U * V)


def relative_clustering(x, y, c):
    """RCL = P_xx / P_yy − 1."""
    return _p(x, x, c) / _p(y, y, c) - 1


def spatial_proximity(x, y, c):
    """SP = (X P_xx + Y P_yy) / (T P_tt) (White 1983)."""
    t = [a + b for a, b in zip(x, y)]
    X, Y, T = float(sum(x)), float(sum(y)), float(sum(t))
    return (X * _p(x, x, c) + Y * _p(y, y, c)) / (T * _p(t, t, c))


# ----------------------------------------------------------------------------
# rank-order indices (Reardon 2011): loops, numpy.polyfit and numerical integration


def rank_order(c, kind, degree):
    """Binary index at each threshold, a weighted polynomial fit, and ∫ w(p) fit(p) dp / ∫ w(p) dp by quadrature."""
    from scipy.integrate import quad

    rows = _rows(c)
    K = len(rows[0])
    T = sum(sum(r) for r in rows)

    def w(p):
        if kind == "information":
            return -(p * math.log(p) + (1 - p) * math.log(1 - p))
        if kind == "variance_ratio":
            return p * (1 - p)
        return math.sqrt(p * (1 - p))

    ps, vals = [], []
    for k in range(K - 1):
        below = [sum(r[: k + 1]) for r in rows]
        t = [sum(r) for r in rows]
        P = sum(below) / T
        if not 0 < P < 1:
            continue
        acc = 0.0
        for bi, ti in zip(below, t):
            if ti <= 0:
                continue
            q = bi / ti
            if kind == "information":
                e = -(q * math.log(q) + (1 - q) * math.log(1 - q)) if 0 < q < 1 else 0.0
                acc += ti * e
            elif kind == "variance_ratio":
                acc += ti * (q - P) ** 2
            else:
                acc += ti * math.sqrt(q * (1 - q))
        if kind == "information":
            v = 1 - acc / (T * w(P))
        elif kind == "variance_ratio":
            v = acc / (T * P * (1 - P))
        else:
            v = 1 - acc / (T * math.sqrt(P * (1 - P)))
        ps.append(P)
        vals.append(v)
    coef = np.polyfit(ps, vals, degree, w=[w(p) for p in ps])  # polyfit weights multiply the residuals
    num = quad(lambda p: w(p) * np.polyval(coef, p), 0, 1, limit=200)[0]
    den = quad(w, 0, 1, limit=200)[0]
    return num / den


# ----------------------------------------------------------------------------
# distortion (Olteanu, Randon-Furling & Clark 2019): a dense distance matrix and loops


def local_distortion(c, xy):
    """Δ_i = Σ_k KL(first k units outward from i ‖ whole), from a full distance matrix."""
    rows = _rows(c)
    n, G = len(rows), len(rows[0])
    T = sum(sum(r) for r in rows)
    r = [sum(row[g] for row in rows) / T for g in range(G)]
    dist = [[math.dist(xy[i], xy[j]) for j in range(n)] for i in range(n)]
    out = []
    for i in range(n):
        order = sorted(range(n), key=lambda j, i=i: (dist[i][j], j))
        cumul = [0.0] * G
        total = 0.0
        for j in order:
            cumul = [a + b for a, b in zip(cumul, rows[j])]
            s = sum(cumul)
            if s > 0:
                total += sum(q / s * math.log(q / s / r[g]) for g, q in enumerate(cumul) if q > 0)
        out.append(total)
    return out
