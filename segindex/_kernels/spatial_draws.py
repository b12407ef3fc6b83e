"""Draws of H̃ and of local isolation and exposure over a stored neighbour structure.

The local environment is linear in the counts, so the structure behind it (the
cell of every unit, the pairs of cells within the support and their kernel
weights) is built once per bandwidth and each redrawn table costs one pass
over the stored pairs. A structure of ``S`` bandwidths is passed as arrays:

* ``order`` (n, int64): the units sorted by their cells at the bandwidth of
  most cells, so that summing a table to cells walks through memory in order
  (the draws' tables are laid out in this order before they are summed);
* ``unit_cell`` (S × n, int64): the cell of the ``i``-th unit of ``order`` at
  bandwidth ``s``;
* ``n_cells`` (S,): the number of cells at each bandwidth;
* ``ptr_off`` (S,): where bandwidth ``s``'s row pointers start in ``indptr``;
* ``indptr`` (int64): for cell ``a`` of bandwidth ``s`` its partners are
  ``nbr[indptr[ptr_off[s] + a] : indptr[ptr_off[s] + a + 1]]`` (absolute
  positions in ``nbr``), each a cell ``b > a`` with weight ``wts[...]``;
* ``nbr`` (int32) and ``wts`` (float64): the partners and kernel weights.

Every draw is drawn from its own seed by :func:`segindex._kernels.random.draw_table`
(the table :func:`segindex.infer` draws for that seed) and evaluated at every
bandwidth on one thread, in a fixed order: the draws are the same to the last
bit for any number of threads and any blocking of the draws.
"""

import numpy as np

from ._jit import jit, prange
from .random import draw_table
from .spatial import abs_diff_sums, kernel_weights, perimeter_area_sums
from .twogroup import dissimilarity

#: Values within this of a bound are set to it (as ``segindex.indices._common.clamp_unit`` does).
ROUNDING = 1e-12


@jit
def csr_pairs(i, j, centre, bandwidth, kind, m):
    """Rows of the unordered pairs ``(i[k], j[k])`` (``i < j``), by ``i``, with their kernel weights.

    The weight of a pair is :func:`segindex._kernels.spatial.kernel_weights`
    of the distance between its centres (``centre``, m × 2); pairs of weight
    0 are left out. A counting sort by ``i``, stable: within a row the pairs
    keep their input order. Returns ``(indptr, nbr, wts)``.
    """
    n_pairs = i.shape[0]
    dist = np.empty(n_pairs)
    for k in range(n_pairs):
        dx = centre[i[k], 0] - centre[j[k], 0]
        dy = centre[i[k], 1] - centre[j[k], 1]
        dist[k] = np.sqrt(dx * dx + dy * dy)
    w = kernel_weights(dist, bandwidth, kind)
    indptr = np.zeros(m + 1, dtype=np.int64)
    for k in range(n_pairs):
        if w[k] != 0.0:
            indptr[i[k] + 1] += 1
    for a in range(m):
        indptr[a + 1] += indptr[a]
    nbr = np.empty(indptr[m], dtype=np.int32)
    wts = np.empty(indptr[m])
    at = indptr[:m].copy()
    for k in range(n_pairs):
        if w[k] != 0.0:
            q = at[i[k]]
            nbr[q] = j[k]
            wts[q] = w[k]
            at[i[k]] += 1
    return indptr, nbr, wts


#: Draws evaluated together in one pass over the stored pairs (their columns side by side, each draw's
#: padded to a multiple of 4 columns, which vectorises better). Each column's arithmetic is the same
#: whatever sits beside it, so no number depends on it. Measured on the national profile (15 groups,
#: six bandwidths, 30 M pairs): 0.43 s a draw with 1 or 2, 0.51 s with 4 (the pass is bound by memory
#: latency, not arithmetic), so 1: the least memory.
DRAW_BLOCK = 1


@jit
def information_stats(tables, nb, structure, with_h, shares, width, out, d0):
    """H̃ and local shares at every bandwidth of the tables ``tables[:nb]``, into ``out[d0:d0 + nb, :]``.

    ``tables[b]`` (units × groups, float) is one table of counts. For
    bandwidth ``s`` the counts are summed to cells (``c_a``), the local
    environment of each cell is ``l_a = c_a + sum_b w_ab c_b`` over the stored
    pairs (both directions), and with ``t_a``, ``T`` the cell's and the whole
    table's people, ``E`` the entropy of the whole table and ``E_a`` that of
    ``l_a``: ``H = sum_a t_a (E - E_a) / (T E)`` (NaN when ``E = 0``). Each
    row ``(u, v)`` of ``shares`` gives the mean local share of column ``v``
    seen by the members of column ``u``, ``sum_a c_au (l_av / L_a) / X_u``
    with ``L_a`` the sum of the first ``width`` columns of ``l_a`` (NaN when
    ``X_u = 0``): the local isolation of ``u`` when ``v = u``, its exposure to
    ``v`` otherwise. With ``h = 1`` if ``with_h`` else 0 and ``k`` rows of
    ``shares``, ``out[d, s * (h + k)]`` is H (if ``with_h``) and
    ``out[d, s * (h + k) + h + q]`` the share of row ``q``. H above 1 and the
    shares outside [0, 1] by at most :data:`ROUNDING` are set to the bound.
    ``structure`` is ``(order, unit_cell, n_cells, ptr_off, indptr, nbr, wts)``
    (see the module docstring); the rows of ``tables`` are the units in
    ``order``. The tables' columns sit side by side in one pass
    over the pairs; each column's sums are taken in the same order whatever
    the other columns hold, so a table's statistics do not depend on the
    tables beside it.
    """
    _, unit_cell, n_cells, ptr_off, indptr, nbr, wts = structure
    n, g = tables.shape[1], tables.shape[2]
    S = n_cells.shape[0]
    k = shares.shape[0]
    h0 = 1 if with_h else 0
    gp = (g + 3) // 4 * 4
    W = nb * gp
    m_max = 0
    for s in range(S):
        m_max = max(m_max, n_cells[s])
    cellv = np.zeros((m_max, W))
    local = np.empty((m_max, W))
    acc = np.empty(W)
    groups = np.zeros((nb, g))
    T = np.zeros(nb)
    E = np.zeros(nb)
    for b in range(nb):
        for i in range(n):
            for c in range(g):
                groups[b, c] += tables[b, i, c]
        for c in range(g):
            T[b] += groups[b, c]
        for c in range(g):
            if groups[b, c] > 0.0:
                p = groups[b, c] / T[b]
                E[b] -= p * np.log(p)
    for s in range(S):
        m = n_cells[s]
        for a in range(m):
            for c in range(W):
                cellv[a, c] = 0.0
        for i in range(n):
            a = unit_cell[s, i]
            for b in range(nb):
                for c in range(g):
                    cellv[a, b * gp + c] += tables[b, i, c]
        for a in range(m):
            for c in range(W):
                local[a, c] = cellv[a, c]
        p0 = ptr_off[s]
        for a in range(m):
            va = cellv[a]
            for c in range(W):
                acc[c] = 0.0
            for q in range(indptr[p0 + a], indptr[p0 + a + 1]):
                w = wts[q]
                vb = cellv[nbr[q]]
                lb = local[nbr[q]]
                for c in range(W):  # two loops over row views: they vectorise
                    acc[c] += w * vb[c]
                for c in range(W):
                    lb[c] += w * va[c]
            la = local[a]
            for c in range(W):
                la[c] += acc[c]
        col = s * (h0 + k)
        for b in range(nb):
            o = b * gp
            if with_h:
                if T[b] > 0.0 and E[b] > 0.0:
                    h = 0.0
                    for a in range(m):
                        lt = 0.0
                        ta = 0.0
                        for c in range(g):
                            lt += local[a, o + c]
                            ta += cellv[a, o + c]
                        e = 0.0
                        if lt > 0.0:
                            for c in range(g):
                                if local[a, o + c] > 0.0:
                                    p = local[a, o + c] / lt
                                    e -= p * np.log(p)
                        h += ta * (E[b] - e) / (T[b] * E[b])
                    out[d0 + b, col] = 1.0 if 1.0 < h <= 1.0 + ROUNDING else h  # at most 1: rounding set to 1
                else:
                    out[d0 + b, col] = np.nan
            for q in range(k):
                u = shares[q, 0]
                c = shares[q, 1]
                X = groups[b, u]
                if X <= 0.0:
                    out[d0 + b, col + h0 + q] = np.nan
                    continue
                v = 0.0
                for a in range(m):
                    lt = 0.0
                    for cc in range(width):
                        lt += local[a, o + cc]
                    if cellv[a, o + u] > 0.0 and lt > 0.0:
                        v += cellv[a, o + u] * local[a, o + c] / lt
                v = v / X
                if -ROUNDING <= v < 0.0:
                    v = 0.0
                elif 1.0 < v <= 1.0 + ROUNDING:
                    v = 1.0
                out[d0 + b, col + h0 + q] = v


@jit
def _block(src, probs, codes, mode, tables, seeds, structure, with_h, shares, width, out, j):
    """Draws ``j * DRAW_BLOCK`` onwards (at most :data:`DRAW_BLOCK`), each table drawn from its own seed."""
    d0 = j * DRAW_BLOCK
    nb = min(DRAW_BLOCK, seeds.shape[0] - d0)
    order = structure[0]
    drawn = np.empty((nb, src.shape[0], src.shape[1]))
    for b in range(nb):
        table = draw_table(src, probs, codes, 1, mode, tables, seeds[d0 + b])
        for i in range(order.shape[0]):  # units in the order of their cells (sums of whole numbers: exact)
            drawn[b, i] = table[order[i]]
    information_stats(drawn, nb, structure, with_h, shares, width, out, d0)


@jit(parallel=True)
def information_draws_parallel(src, probs, codes, mode, tables, seeds, structure, with_h, shares, width, out):
    """``out[d, :]``: :func:`information_stats` of the table drawn from ``seeds[d]``, blocks of draws in parallel.

    ``src, probs, codes, mode, tables`` as for
    :func:`segindex._kernels.random.draw_table` (one area). Each table is
    drawn from its own seed and its statistics do not depend on the tables
    evaluated beside it, so ``out`` does not depend on the number of threads
    or on how the draws are cut into calls.
    """
    for j in prange((seeds.shape[0] + DRAW_BLOCK - 1) // DRAW_BLOCK):
        _block(src, probs, codes, mode, tables, seeds, structure, with_h, shares, width, out, j)


@jit
def information_draws_serial(src, probs, codes, mode, tables, seeds, structure, with_h, shares, width, out):
    """As :func:`information_draws_parallel`, on one thread (the same numbers)."""
    for j in range((seeds.shape[0] + DRAW_BLOCK - 1) // DRAW_BLOCK):
        _block(src, probs, codes, mode, tables, seeds, structure, with_h, shares, width, out, j)


@jit
def adjacency_stat(table, indptr, indices, weights, pa, kind):
    """Morrill's D(adj), Wong's D(w) (``kind`` 0) or D(s) (``kind`` 1) of the two first columns of ``table``.

    ``D - sum_ij w_ij |z_i - z_j| / sum_ij w_ij`` (0 for the second term when
    there are no weights) or ``D - sum_ij w_ij |z_i - z_j| (pa_i + pa_j) / (2 max pa)``,
    with ``z_i = x_i / (x_i + y_i)`` (0 in an empty unit) and D the aspatial
    dissimilarity of ``x`` and ``y`` (set to its bound when outside [0, 1] by
    at most :data:`ROUNDING`); NaN when D is undefined (a group absent).
    """
    n = table.shape[0]
    x = np.empty(n)
    y = np.empty(n)
    z = np.zeros(n)
    for i in range(n):
        x[i] = table[i, 0]
        y[i] = table[i, 1]
        base = x[i] + y[i]
        if base > 0.0:
            z[i] = x[i] / base
    d = dissimilarity(x, y, np.empty(0, dtype=np.int64), 1)[0]
    if np.isnan(d):
        return np.nan
    if -ROUNDING <= d < 0.0:
        d = 0.0
    elif 1.0 < d <= 1.0 + ROUNDING:
        d = 1.0
    if kind == 0:
        num, den = abs_diff_sums(indptr, indices, weights, z)
        return d - (num / den if den > 0.0 else 0.0)
    num, _ = perimeter_area_sums(indptr, indices, weights, z, pa)
    top = pa[0]
    for i in range(n):
        top = max(top, pa[i])
    return d - num / (2.0 * top)


@jit
def _adjacency_one(src, probs, codes, mode, tables, seed, indptr, indices, weights, pa, kind, out, d):
    out[d, 0] = adjacency_stat(draw_table(src, probs, codes, 1, mode, tables, seed), indptr, indices, weights, pa, kind)


@jit(parallel=True)
def adjacency_draws_parallel(src, probs, codes, mode, tables, seeds, indptr, indices, weights, pa, kind, out):
    """``out[d, 0]``: :func:`adjacency_stat` of the table drawn from ``seeds[d]``, draws in parallel."""
    for d in prange(seeds.shape[0]):
        _adjacency_one(src, probs, codes, mode, tables, seeds[d], indptr, indices, weights, pa, kind, out, d)


@jit
def adjacency_draws_serial(src, probs, codes, mode, tables, seeds, indptr, indices, weights, pa, kind, out):
    """As :func:`adjacency_draws_parallel`, on one thread (the same numbers)."""
    for d in range(seeds.shape[0]):
        _adjacency_one(src, probs, codes, mode, tables, seeds[d], indptr, indices, weights, pa, kind, out, d)
