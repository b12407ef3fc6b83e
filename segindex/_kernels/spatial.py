"""Spatial kernels: sums over sparse neighbour structures.

Arrays in, arrays out. A weights matrix is passed as its CSR arrays
``(indptr, indices, weights)``: row ``i`` holds the neighbours ``indices[indptr[i]:indptr[i+1]]``
of unit ``i`` with their weights. Kernel sums take points sorted into
square cells (``start`` offsets) and the pairs of cells within reach. Nothing here allocates an
``n × n`` array.
"""

import numpy as np

from ._jit import jit, prange

#: Kernel codes shared with :mod:`segindex.indices.spatial`.
GAUSSIAN = 0
BIWEIGHT = 1
EXPONENTIAL = 2

# exp(-u) for u >= 0, written out so that loops over it vectorise (numba's exp
# calls the C library one value at a time): u = k ln2 - r with k an integer and
# |r| <= ln2 / 2 (Cody-Waite: ln2 in a high part exact in k * _LN2_HI and a low
# part), e^-r from its Taylor series to r^13 (truncation error below 1e-17
# relative), times 2^-k from a table. Within 1 ulp of the C library's exp
# (tests/test_spatial.py checks it); 0 below 2^-1022.
_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_POW2_NEG = 2.0 ** -np.arange(1023.0)
_TAYLOR = tuple(1.0 / float(np.prod(np.arange(1.0, k + 1.0))) for k in range(14))


@jit
def exp_neg(u):
    """``exp(-u)`` for ``u >= 0`` (finite), vectorisable; within 1 ulp of ``np.exp(-u)``."""
    u = min(u, 800.0)  # e^-800 is 0 in doubles; keeps r small for any u
    k = np.floor(u * _LOG2E + 0.5)
    r = (k * _LN2_HI - u) + k * _LN2_LO
    p = _TAYLOR[13]
    for j in range(12, -1, -1):  # Horner; a fixed count, unrolled by the compiler
        p = p * r + _TAYLOR[j]
    w = p * _POW2_NEG[int(min(k, 1022.0))]
    return w if k <= 1022.0 else 0.0


@jit
def abs_diff_sums(indptr, indices, weights, z):
    """``(sum_ij w_ij |z_i - z_j|, sum_ij w_ij)`` over the stored entries."""
    num = 0.0
    den = 0.0
    for i in range(indptr.shape[0] - 1):
        for k in range(indptr[i], indptr[i + 1]):
            w = weights[k]
            num += w * abs(z[i] - z[indices[k]])
            den += w
    return num, den


@jit
def perimeter_area_sums(indptr, indices, weights, z, pa):
    """``sum_ij w_ij |z_i - z_j| (pa_i + pa_j)`` and ``sum_ij w_ij``."""
    num = 0.0
    den = 0.0
    for i in range(indptr.shape[0] - 1):
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            w = weights[k]
            num += w * abs(z[i] - z[j]) * (pa[i] + pa[j])
            den += w
    return num, den


@jit
def local_abs_diff(indptr, indices, weights, z):
    """Per-unit ``sum_j w_ij |z_i - z_j|`` (row sums of the weighted differences)."""
    n = indptr.shape[0] - 1
    out = np.zeros(n)
    for i in range(n):
        s = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            s += weights[k] * abs(z[i] - z[indices[k]])
        out[i] = s
    return out


@jit
def kernel_weights(dist, bandwidth, kind):
    """Kernel weight of each distance: Gaussian, biweight or exponential.

    Gaussian ``exp(-(d/b)^2 / 2)``; biweight ``(1 - (d/b)^2)^2`` for ``d < b``,
    else 0; exponential ``exp(-d/b)``. Unnormalised: shares do not depend on
    the kernel's constant.
    """
    out = np.empty(dist.shape[0])
    for k in range(dist.shape[0]):
        u = dist[k] / bandwidth
        if kind == 0:
            out[k] = exp_neg(0.5 * u * u)
        elif kind == 1:
            out[k] = (1.0 - u * u) ** 2 if u < 1.0 else 0.0
        else:
            out[k] = exp_neg(u)
    return out


@jit
def add_pair_sums(rows, cols, w, values, out):
    """``out[rows[k], :] += w[k] * values[cols[k], :]`` for every pair ``k``."""
    g = values.shape[1]
    for k in range(rows.shape[0]):
        i = rows[k]
        j = cols[k]
        wk = w[k]
        if wk == 0.0:
            continue
        for c in range(g):
            out[i, c] += wk * values[j, c]


@jit
def add_symmetric_pair_sums(pairs, xy, bandwidth, kind, values, out):
    """Kernel sums over unordered pairs ``(i, j)``, ``i < j``, both directions, plus each point itself.

    ``pairs`` (m × 2) from ``cKDTree.query_pairs``; the distance is computed
    here; ``out[i] += K(d_ij / b) values[j]`` and ``out[j] += K(d_ij / b) values[i]``,
    and ``out[i] += values[i]`` (``K(0) = 1``).
    """
    g = values.shape[1]
    for i in range(values.shape[0]):
        for c in range(g):
            out[i, c] += values[i, c]
    for k in range(pairs.shape[0]):
        i = pairs[k, 0]
        j = pairs[k, 1]
        dx = xy[i, 0] - xy[j, 0]
        dy = xy[i, 1] - xy[j, 1]
        u = np.sqrt(dx * dx + dy * dy) / bandwidth
        if kind == 0:
            w = exp_neg(0.5 * u * u)
        elif kind == 1:
            w = (1.0 - u * u) ** 2 if u < 1.0 else 0.0
        else:
            w = exp_neg(u)
        if w == 0.0:
            continue
        for c in range(g):
            out[i, c] += w * values[j, c]
            out[j, c] += w * values[i, c]


@jit
def csr_sums(indptr, indices, weights, values):
    """``W @ values`` for a CSR ``W`` (n × n) and dense ``values`` (n × g)."""
    n = indptr.shape[0] - 1
    g = values.shape[1]
    out = np.zeros((n, g))
    for i in range(n):
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            w = weights[k]
            for c in range(g):
                out[i, c] += w * values[j, c]
    return out


@jit
def spatial_information(counts, local):
    """Reardon-O'Sullivan spatial information theory index and its parts.

    ``counts`` (n × g): each unit's own population by group (the weights);
    ``local`` (n × g): the kernel-weighted local environment of each unit.
    Returns ``(H, E, local_entropy, contribution)`` with
    ``H = sum_i contribution_i`` and
    ``contribution_i = t_i (E - E~_i) / (T E)``.
    """
    n, g = counts.shape
    t = np.zeros(n)
    groups = np.zeros(g)
    for i in range(n):
        for c in range(g):
            t[i] += counts[i, c]
            groups[c] += counts[i, c]
    T = 0.0
    for c in range(g):
        T += groups[c]
    E = 0.0
    for c in range(g):
        if groups[c] > 0.0:
            p = groups[c] / T
            E -= p * np.log(p)
    ent = np.zeros(n)
    contrib = np.zeros(n)
    for i in range(n):
        lt = 0.0
        for c in range(g):
            lt += local[i, c]
        e = 0.0
        if lt > 0.0:
            for c in range(g):
                if local[i, c] > 0.0:
                    p = local[i, c] / lt
                    e -= p * np.log(p)
        ent[i] = e
    H = 0.0
    if T > 0.0 and E > 0.0:
        for i in range(n):
            contrib[i] = t[i] * (E - ent[i]) / (T * E)
            H += contrib[i]
    else:
        H = np.nan
        for i in range(n):
            contrib[i] = np.nan
    return H, E, ent, contrib


@jit
def local_share_mean(x, local_x, local_t):
    """``sum_i (x_i / X) (local_x_i / local_t_i)``: the average member's local share."""
    X = 0.0
    for i in range(x.shape[0]):
        X += x[i]
    if X <= 0.0:
        return np.nan
    s = 0.0
    for i in range(x.shape[0]):
        if x[i] > 0.0 and local_t[i] > 0.0:
            s += x[i] * local_x[i] / local_t[i]
    return s / X


@jit
def bespoke_counts(neighbours, counts, pop, k):
    """Group counts of the ``k`` nearest people around each unit.

    ``neighbours`` (n × m): each unit's nearest units, nearest first (the unit
    itself first); ``pop`` their populations; ``counts`` (n × g). Population is
    accumulated unit by unit until it reaches ``k``; the last unit counts with
    the fraction needed to make exactly ``k``. Returns ``(out, reached)``:
    ``reached[i]`` is False when the ``m`` neighbours hold fewer than ``k``
    people (then ``out[i]`` holds all of them).
    """
    n, m = neighbours.shape
    g = counts.shape[1]
    out = np.zeros((n, g))
    reached = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        acc = 0.0
        for r in range(m):
            j = neighbours[i, r]
            if j < 0 or j >= counts.shape[0]:
                break
            pj = pop[j]
            if pj <= 0.0:
                continue
            need = k - acc
            f = 1.0 if pj <= need else need / pj
            for c in range(g):
                out[i, c] += f * counts[j, c]
            acc += f * pj
            if acc >= k * (1.0 - 1e-12):
                reached[i] = True
                break
    return out, reached


@jit
def _kernel_weight(d2, bandwidth, kind):
    """Kernel weight at squared distance ``d2`` (as in :func:`kernel_weights`)."""
    u = np.sqrt(d2) / bandwidth
    if kind == 0:
        return exp_neg(0.5 * u * u)
    if kind == 1:
        return (1.0 - u * u) ** 2 if u < 1.0 else 0.0
    return exp_neg(u)


@jit
def cell_pair_sums(xy, values, start, pa, pb, inside, bandwidth, kind, r2, out):
    """Kernel sums over points sorted into cells, each unordered pair of points once.

    Points (``xy``, ``values``) are sorted by cell: cell ``a`` holds rows
    ``start[a]:start[a+1]``. ``(pa[k], pb[k])`` with ``pa[k] <= pb[k]`` are the
    pairs of cells that may hold points within the support (each cell with
    itself included), in a fixed order; ``inside[k]`` is True when every pair
    of points of the two cells is within it (the distance test is skipped).
    For every pair of points ``i != j`` with ``dx^2 + dy^2 <= r2``:
    ``out[i] += K(d/b) values[j]`` and ``out[j] += K(d/b) values[i]``; every
    point also adds its own values (``K(0) = 1``). Serial: the summation
    order is fixed by the inputs, so the sums are deterministic.
    """
    n, g = values.shape
    acc = np.empty(g)
    for i in range(n):
        for c in range(g):
            out[i, c] += values[i, c]
    for k in range(pa.shape[0]):
        a = pa[k]
        b = pb[k]
        b1 = start[b + 1]
        check = not inside[k]
        for i in range(start[a], start[a + 1]):
            xi = xy[i, 0]
            yi = xy[i, 1]
            for c in range(g):
                acc[c] = 0.0
            j0 = i + 1 if a == b else start[b]
            for j in range(j0, b1):
                dx = xi - xy[j, 0]
                dy = yi - xy[j, 1]
                d2 = dx * dx + dy * dy
                if check and d2 > r2:
                    continue
                w = _kernel_weight(d2, bandwidth, kind)
                for c in range(g):
                    acc[c] += w * values[j, c]
                    out[j, c] += w * values[i, c]
            for c in range(g):
                out[i, c] += acc[c]


@jit
def _block_weights(px, py, xi, yi, bandwidth, kind, check, r2, w):
    """``w[q] = K(d / b)`` from point ``(xi, yi)`` to points ``(px[q], py[q])``; 0 beyond ``r2`` if ``check``.

    One loop per kernel over views (indices known non-negative), free of
    calls but the inlined :func:`exp_neg`, so that it vectorises (a branch
    on the kernel inside one loop measured 2.5 times slower).
    """
    m = px.shape[0]
    if kind == 0:
        for q in range(m):
            dx = xi - px[q]
            dy = yi - py[q]
            d2 = dx * dx + dy * dy
            u = np.sqrt(d2) / bandwidth
            e = exp_neg(0.5 * u * u)
            w[q] = e if not (check and d2 > r2) else 0.0
    elif kind == 1:
        for q in range(m):
            dx = xi - px[q]
            dy = yi - py[q]
            d2 = dx * dx + dy * dy
            u = np.sqrt(d2) / bandwidth
            e = (1.0 - u * u) ** 2 if u < 1.0 else 0.0
            w[q] = e if not (check and d2 > r2) else 0.0
    else:
        for q in range(m):
            dx = xi - px[q]
            dy = yi - py[q]
            d2 = dx * dx + dy * dy
            e = exp_neg(np.sqrt(d2) / bandwidth)
            w[q] = e if not (check and d2 > r2) else 0.0


_PAIR_BLOCK = 128


@jit
def _cell_pair_range2(px, py, v0, v1, start, pa, pb, inside, bandwidth, kind, r2, k0, k1, out0, out1):
    """The point pairs of cell pairs ``k0 .. k1 - 1`` (see :func:`cell_pair_sums`), two value columns.

    For each point, the weights to a block of its partners are computed first
    (a loop that vectorises), then added in partner order. A pair beyond the
    support gets weight 0, which adds nothing.
    """
    w = np.empty(_PAIR_BLOCK)
    for k in range(k0, k1):
        a = pa[k]
        b = pb[k]
        b1 = start[b + 1]
        check = not inside[k]
        for i in range(start[a], start[a + 1]):
            xi = px[i]
            yi = py[i]
            vi0 = v0[i]
            vi1 = v1[i]
            s0 = 0.0
            s1 = 0.0
            for jb in range(i + 1 if a == b else start[b], b1, _PAIR_BLOCK):
                je = min(jb + _PAIR_BLOCK, b1)
                _block_weights(px[jb:je], py[jb:je], xi, yi, bandwidth, kind, check, r2, w)
                u0 = v0[jb:je]
                u1 = v1[jb:je]
                o0 = out0[jb:je]
                o1 = out1[jb:je]
                for q in range(je - jb):
                    s0 += w[q] * u0[q]
                    s1 += w[q] * u1[q]
                for q in range(je - jb):
                    o0[q] += w[q] * vi0
                    o1[q] += w[q] * vi1
            out0[i] += s0
            out1[i] += s1


@jit(parallel=True)
def cell_pair_sums2(px, py, v0, v1, start, pa, pb, inside, bandwidth, kind, r2, bounds, out0, out1):
    """:func:`cell_pair_sums` for exactly two value columns, in parallel over fixed chunks.

    The cell pairs are split at ``bounds`` (``bounds[0] = 0``, last = number of
    cell pairs) into chunks chosen by the caller from the work alone, never
    from the number of threads. Each chunk adds into its own buffers, in
    parallel; the buffers are then added to each point's own values in chunk
    order. The summation order is therefore fixed by the inputs: the sums
    are the same to the last bit for any number of threads.
    """
    n = v0.shape[0]
    chunks = bounds.shape[0] - 1
    buf0 = np.zeros((chunks, n))
    buf1 = np.zeros((chunks, n))
    for c in prange(chunks):
        _cell_pair_range2(
            px, py, v0, v1, start, pa, pb, inside, bandwidth, kind, r2, bounds[c], bounds[c + 1], buf0[c], buf1[c]
        )
    for i in prange(n):
        s0 = v0[i]
        s1 = v1[i]
        for c in range(chunks):
            s0 += buf0[c, i]
            s1 += buf1[c, i]
        out0[i] += s0
        out1[i] += s1
