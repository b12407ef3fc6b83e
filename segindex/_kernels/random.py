"""Random allocation and bootstrap draws of a segregation index.

Every draw redraws a units × columns count table ``src`` (whole people, int64)
into a float buffer and computes an index on it, per area, with the same index
kernels as the public functions. Nothing but the per-draw statistics is kept:
memory is one buffer per thread plus the ``(n_draws, n_areas)`` output.

Reproducibility: draw ``d`` seeds numba's generator with ``seeds[d]`` before it
draws anything, so each draw is a function of its seed alone, whatever thread
runs it and however many threads there are (numba keeps one generator state per
thread; seeding inside the loop makes that irrelevant).

Modes (how a table is redrawn; row totals ``t_i`` are always kept):

* ``MODE_MULTINOMIAL``: each unit's row ~ Multinomial(t_i, area-wide column
  shares ``probs[a]``) -- random allocation (Carrington & Troske 1997); with
  two columns, ``x_i ~ Binomial(t_i, P)``.
* ``MODE_HYPERGEOMETRIC``: the people of each area are dealt at random into the
  units' slots: column totals per area are kept too (multivariate
  hypergeometric, drawn unit by unit).
* ``MODE_BOOTSTRAP``: each unit's row ~ Multinomial(t_i, its own observed
  composition) (Allen, Burgess, Davidson & Windmeijer 2015).

Index codes (``INDEX_*``) and the column layout each expects:

* dissimilarity, gini, atkinson: ``[x, y]``;
* isolation, correlation ratio: ``[x, rest]`` (``t = x + rest``);
* exposure: ``[x, y, rest]`` (``t`` = row sum);
* entropy index H, mutual information M, multigroup D: one column per group.
"""

import math

import numpy as np

from . import multigroup as _km
from . import twogroup as _kt
from ._jit import jit, prange

MODE_MULTINOMIAL = 0
MODE_HYPERGEOMETRIC = 1
MODE_BOOTSTRAP = 2

INDEX_DISSIMILARITY = 0
INDEX_GINI = 1
INDEX_ATKINSON = 2
INDEX_ISOLATION = 3
INDEX_EXPOSURE = 4
INDEX_CORRELATION_RATIO = 5
INDEX_ENTROPY = 6
INDEX_MUTUAL_INFORMATION = 7
INDEX_MULTIGROUP_DISSIMILARITY = 8


@jit
def statistic(c, codes, n_areas, index, param):
    """The index ``index`` per area on a float units × columns table ``c``."""
    if index == INDEX_DISSIMILARITY or index == INDEX_GINI or index == INDEX_ATKINSON:
        x = c[:, 0].copy()
        y = c[:, 1].copy()
        if index == INDEX_DISSIMILARITY:
            return _kt.dissimilarity(x, y, codes, n_areas)
        if index == INDEX_GINI:
            return _kt.gini(x, y, codes, n_areas)
        return _kt.atkinson(x, y, param, codes, n_areas)
    if index == INDEX_ISOLATION or index == INDEX_CORRELATION_RATIO:
        x = c[:, 0].copy()
        t = x + c[:, 1]
        iso, X, T = _kt.exposure(x, x, t, codes, n_areas)
        if index == INDEX_ISOLATION:
            return iso
        out = np.empty(n_areas)
        for a in range(n_areas):
            P = X[a] / T[a] if T[a] > 0.0 else np.nan
            if X[a] > 0.0 and P < 1.0:
                out[a] = (iso[a] - P) / (1.0 - P)
            else:
                out[a] = np.nan
        return out
    if index == INDEX_EXPOSURE:
        x = c[:, 0].copy()
        y = c[:, 1].copy()
        t = x + y + c[:, 2]
        return _kt.exposure(x, y, t, codes, n_areas)[0]
    if index == INDEX_MULTIGROUP_DISSIMILARITY:
        return _km.multigroup_dissimilarity(c, codes, n_areas)
    M, E, T = _km.mutual_information(c, codes, n_areas)
    if index == INDEX_MUTUAL_INFORMATION:
        return M
    out = np.empty(n_areas)
    for a in range(n_areas):
        out[a] = M[a] / E[a] if E[a] > 0.0 else np.nan
    return out


@jit
def _hypergeometric(good, bad, nsample):
    """Hypergeometric draw, sampling the smaller of the sample and its complement."""
    N = good + bad
    if nsample <= 0 or good <= 0:
        return 0
    if bad <= 0:
        return nsample
    if nsample >= N:
        return good
    if 2 * nsample > N:
        return good - np.random.hypergeometric(good, bad, N - nsample)
    return np.random.hypergeometric(good, bad, nsample)


@jit
def _multinomial_row(n, p, out, i):
    """Row ``i`` of ``out`` ~ Multinomial(n, p) by conditional binomials."""
    K = p.shape[0]
    left = n
    mass = 1.0
    for g in range(K - 1):
        if left <= 0:
            out[i, g] = 0.0
            continue
        pg = p[g]
        if pg <= 0.0:
            out[i, g] = 0.0
            continue
        q = pg / mass if mass > 0.0 else 1.0
        if q >= 1.0:
            h = left
        else:
            h = np.random.binomial(left, q)
        out[i, g] = h
        left -= h
        mass -= pg
    out[i, K - 1] = left


@jit
def binomial_tables(trials, p, budget):
    """Inversion tables for Binomial(trials[j], p[j]), j = 0 .. m-1.

    Each table covers ``mean ± (12 sd + 6)`` (clipped to ``0 .. trials``): the
    mass left out is below 1e-30, far under the 2^-53 resolution of a uniform
    draw, so inversion on the table is as exact as any floating-point binomial
    sampler. Tables are laid end to end in ``cdf`` with a guide table
    (Chen & Asau 1974) in ``guide``; building stops once ``budget`` entries are
    used, and the remaining pairs get ``start = -1`` (drawn with
    ``np.random.binomial`` instead).

    Returns ``(lo, start, size, cdf, guide)``: table j holds
    ``P(X <= lo[j] + k)`` at ``cdf[start[j] + k]``, ``k < size[j]``.
    """
    m = trials.shape[0]
    lo = np.zeros(m, dtype=np.int64)
    start = np.full(m, -1, dtype=np.int64)
    size = np.zeros(m, dtype=np.int64)
    total = 0
    for j in range(m):
        n = trials[j]
        q = p[j]
        mean = n * q
        sd = np.sqrt(n * q * (1.0 - q))
        a = max(0, int(np.floor(mean - 12.0 * sd - 6.0)))
        b = min(n, int(np.ceil(mean + 12.0 * sd + 6.0)))
        L = b - a + 1
        if total + L > budget:
            break
        lo[j] = a
        start[j] = total
        size[j] = L
        total += L
    cdf = np.empty(total)
    guide = np.empty(total, dtype=np.int32)
    for j in range(m):
        s0 = start[j]
        if s0 < 0:
            continue
        n = trials[j]
        q = p[j]
        a = lo[j]
        L = size[j]
        if q <= 0.0 or q >= 1.0:
            point = 0 if q <= 0.0 else n
            for k in range(L):
                cdf[s0 + k] = 1.0 if a + k >= point else 0.0
        else:
            lq = np.log(q)
            lr = np.log1p(-q)
            log_pa = math.lgamma(n + 1.0) - math.lgamma(a + 1.0) - math.lgamma(n - a + 1.0)
            pk = np.exp(log_pa + a * lq + (n - a) * lr)
            ratio = q / (1.0 - q)
            acc = 0.0
            for k in range(L):
                acc += pk
                cdf[s0 + k] = acc
                x = a + k
                pk = pk * (n - x) / (x + 1.0) * ratio
        k = 0
        for i in range(L):
            threshold = i / L
            while k < L - 1 and cdf[s0 + k] <= threshold:
                k += 1
            guide[s0 + i] = k
    return lo, start, size, cdf, guide


@jit
def _from_table(j, lo, start, size, cdf, guide):
    """One draw by inversion on table ``j``: the smallest k with ``u < cdf[k]``."""
    u = np.random.random()
    s0 = start[j]
    L = size[j]
    k = guide[s0 + int(u * L)]
    while k < L - 1 and cdf[s0 + k] <= u:
        k += 1
    return lo[j] + k


@jit
def fill(src, probs, codes, n_areas, mode, out, table, lo, start, size, cdf, guide):
    """Redraw ``src`` (int64 units × columns) into ``out`` (float) by ``mode``.

    With two columns, unit ``i`` draws its first column from inversion table
    ``table[i]`` of :func:`binomial_tables` when that is ``>= 0``.
    """
    n, K = src.shape
    single = codes.shape[0] == 0
    if K == 2 and mode != MODE_HYPERGEOMETRIC and table.shape[0] == n:
        for i in range(n):
            t = src[i, 0] + src[i, 1]
            j = table[i]
            if j >= 0 and start[j] >= 0:
                x = _from_table(j, lo, start, size, cdf, guide)
            elif mode == MODE_BOOTSTRAP:
                x = np.random.binomial(t, src[i, 0] / t) if t > 0 else 0
            else:
                x = np.random.binomial(t, probs[0 if single else codes[i], 0])
            out[i, 0] = x
            out[i, 1] = t - x
        return
    if mode == MODE_HYPERGEOMETRIC:
        pool = np.zeros((n_areas, K), dtype=np.int64)
        for i in range(n):
            a = 0 if single else codes[i]
            for g in range(K):
                pool[a, g] += src[i, g]
        left_in_area = np.zeros(n_areas, dtype=np.int64)
        for a in range(n_areas):
            for g in range(K):
                left_in_area[a] += pool[a, g]
        for i in range(n):
            a = 0 if single else codes[i]
            left = 0
            for g in range(K):
                left += src[i, g]
            rest = left_in_area[a]
            left_in_area[a] -= left
            for g in range(K - 1):
                good = pool[a, g]
                rest -= good
                h = _hypergeometric(good, rest, left)
                out[i, g] = h
                pool[a, g] -= h
                left -= h
            out[i, K - 1] = left
            pool[a, K - 1] -= left
        return
    p = np.empty(K)
    for i in range(n):
        t = 0
        for g in range(K):
            t += src[i, g]
        if mode == MODE_BOOTSTRAP:
            for g in range(K):
                p[g] = src[i, g] / t if t > 0 else 0.0
        else:
            a = 0 if single else codes[i]
            for g in range(K):
                p[g] = probs[a, g]
        _multinomial_row(t, p, out, i)


@jit
def _one_draw(src, probs, codes, n_areas, mode, index, param, tables, seed, out, d):
    np.random.seed(seed)
    buf = np.empty(src.shape)
    table, lo, start, size, cdf, guide = tables
    fill(src, probs, codes, n_areas, mode, buf, table, lo, start, size, cdf, guide)
    values = statistic(buf, codes, n_areas, index, param)
    for a in range(n_areas):
        out[d, a] = values[a]


@jit(parallel=True)
def draws_parallel(src, probs, codes, n_areas, mode, index, param, tables, seeds, out):
    """Fill ``out[d, a]`` with the index of draw ``d`` in area ``a``, draws in parallel.

    ``tables`` is ``(table, lo, start, size, cdf, guide)``: the unit → table
    map and the output of :func:`binomial_tables` (an empty ``table`` for none).
    """
    for d in prange(seeds.shape[0]):
        _one_draw(src, probs, codes, n_areas, mode, index, param, tables, seeds[d], out, d)


@jit
def draws_serial(src, probs, codes, n_areas, mode, index, param, tables, seeds, out):
    """As :func:`draws_parallel`, on one thread (same numbers)."""
    for d in range(seeds.shape[0]):
        _one_draw(src, probs, codes, n_areas, mode, index, param, tables, seeds[d], out, d)
