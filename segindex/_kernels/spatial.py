"""Spatial kernels: sums over sparse neighbour structures.

Arrays in, arrays out. A weights matrix is passed as its CSR arrays
``(indptr, indices, weights)``: row ``i`` holds the neighbours ``indices[indptr[i]:indptr[i+1]]``
of unit ``i`` with their weights. Kernel sums take points sorted into
square cells (``start`` offsets) and the pairs of cells within reach. Nothing here allocates an
``n × n`` array.
"""

import numpy as np

from ._jit import jit

#: Kernel codes shared with :mod:`segindex.spatial`.
GAUSSIAN = 0
BIWEIGHT = 1
EXPONENTIAL = 2


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
            out[k] = np.exp(-0.5 * u * u)
        elif kind == 1:
            out[k] = (1.0 - u * u) ** 2 if u < 1.0 else 0.0
        else:
            out[k] = np.exp(-u)
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
            w = np.exp(-0.5 * u * u)
        elif kind == 1:
            w = (1.0 - u * u) ** 2 if u < 1.0 else 0.0
        else:
            w = np.exp(-u)
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
        return np.exp(-0.5 * u * u)
    if kind == 1:
        return (1.0 - u * u) ** 2 if u < 1.0 else 0.0
    return np.exp(-u)


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
def cell_pair_sums2(xy, v0, v1, start, pa, pb, inside, bandwidth, kind, r2, out0, out1):
    """:func:`cell_pair_sums` for exactly two value columns (kept in registers)."""
    for i in range(v0.shape[0]):
        out0[i] += v0[i]
        out1[i] += v1[i]
    for k in range(pa.shape[0]):
        a = pa[k]
        b = pb[k]
        b1 = start[b + 1]
        check = not inside[k]
        for i in range(start[a], start[a + 1]):
            xi = xy[i, 0]
            yi = xy[i, 1]
            vi0 = v0[i]
            vi1 = v1[i]
            s0 = 0.0
            s1 = 0.0
            j0 = i + 1 if a == b else start[b]
            if check:
                for j in range(j0, b1):
                    dx = xi - xy[j, 0]
                    dy = yi - xy[j, 1]
                    d2 = dx * dx + dy * dy
                    if d2 <= r2:
                        w = _kernel_weight(d2, bandwidth, kind)
                        s0 += w * v0[j]
                        s1 += w * v1[j]
                        out0[j] += w * vi0
                        out1[j] += w * vi1
            else:
                for j in range(j0, b1):
                    dx = xi - xy[j, 0]
                    dy = yi - xy[j, 1]
                    w = _kernel_weight(dx * dx + dy * dy, bandwidth, kind)
                    s0 += w * v0[j]
                    s1 += w * v1[j]
                    out0[j] += w * vi0
                    out1[j] += w * vi1
            out0[i] += s0
            out1[i] += s1
