"""Draws of the spatial information index H̃ (and local isolation) over a stored neighbour structure.

The local environment is linear in the counts, so the structure behind it (the
cell of every unit, the pairs of cells within the support and their kernel
weights) is built once per bandwidth and each redrawn table costs one pass
over the stored pairs. A structure of ``S`` bandwidths is passed as arrays:

* ``unit_cell`` (S × n, int64): the cell of every unit at bandwidth ``s``;
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
from .spatial import kernel_weights

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


@jit
def information_stats(table, unit_cell, n_cells, ptr_off, indptr, nbr, wts, iso, out, d):
    """H̃ at every bandwidth, then the local isolation of each ``iso`` column, into ``out[d, :]``.

    ``table`` (units × groups, float) is one table of counts. For bandwidth
    ``s`` the counts are summed to cells (``c_a``), the local environment of
    each cell is ``l_a = c_a + sum_b w_ab c_b`` over the stored pairs (both
    directions), and with ``t_a``, ``T`` the cell's and the whole table's
    people, ``E`` the entropy of the whole table and ``E_a`` that of ``l_a``:
    ``H = sum_a t_a (E - E_a) / (T E)`` (NaN when ``E = 0``) and the isolation
    of group ``g`` ``sum_a c_ag l_ag / l_a. / X_g`` (NaN when ``X_g = 0``).
    ``out[d, s * (1 + k) + 0]`` is H and ``out[d, s * (1 + k) + 1 + q]`` the
    isolation of ``iso[q]``. H above 1 and isolation outside [0, 1] by at most
    :data:`ROUNDING` are set to the bound.
    """
    n, g = table.shape
    S = n_cells.shape[0]
    k = iso.shape[0]
    m_max = 0
    for s in range(S):
        m_max = max(m_max, n_cells[s])
    cellv = np.empty((m_max, g))
    local = np.empty((m_max, g))
    acc = np.empty(g)
    groups = np.zeros(g)
    for i in range(n):
        for c in range(g):
            groups[c] += table[i, c]
    T = 0.0
    for c in range(g):
        T += groups[c]
    E = 0.0
    for c in range(g):
        if groups[c] > 0.0:
            p = groups[c] / T
            E -= p * np.log(p)
    for s in range(S):
        m = n_cells[s]
        for a in range(m):
            for c in range(g):
                cellv[a, c] = 0.0
        for i in range(n):
            a = unit_cell[s, i]
            for c in range(g):
                cellv[a, c] += table[i, c]
        for a in range(m):
            for c in range(g):
                local[a, c] = cellv[a, c]
        p0 = ptr_off[s]
        for a in range(m):
            va = cellv[a]
            for c in range(g):
                acc[c] = 0.0
            for q in range(indptr[p0 + a], indptr[p0 + a + 1]):
                w = wts[q]
                vb = cellv[nbr[q]]
                lb = local[nbr[q]]
                for c in range(g):  # two loops over row views: they vectorise (1.6 times faster measured)
                    acc[c] += w * vb[c]
                for c in range(g):
                    lb[c] += w * va[c]
            la = local[a]
            for c in range(g):
                la[c] += acc[c]
        col = s * (1 + k)
        if T > 0.0 and E > 0.0:
            h = 0.0
            for a in range(m):
                lt = 0.0
                ta = 0.0
                for c in range(g):
                    lt += local[a, c]
                    ta += cellv[a, c]
                e = 0.0
                if lt > 0.0:
                    for c in range(g):
                        if local[a, c] > 0.0:
                            p = local[a, c] / lt
                            e -= p * np.log(p)
                h += ta * (E - e) / (T * E)
            out[d, col] = 1.0 if 1.0 < h <= 1.0 + ROUNDING else h  # H is at most 1: rounding set to the bound
        else:
            out[d, col] = np.nan
        for q in range(k):
            c = iso[q]
            X = groups[c]
            if X <= 0.0:
                out[d, col + 1 + q] = np.nan
                continue
            v = 0.0
            for a in range(m):
                lt = 0.0
                for cc in range(g):
                    lt += local[a, cc]
                if cellv[a, c] > 0.0 and lt > 0.0:
                    v += cellv[a, c] * local[a, c] / lt
            v = v / X
            if -ROUNDING <= v < 0.0:
                v = 0.0
            elif 1.0 < v <= 1.0 + ROUNDING:
                v = 1.0
            out[d, col + 1 + q] = v


@jit
def _one_draw(src, probs, codes, mode, tables, seed, unit_cell, n_cells, ptr_off, indptr, nbr, wts, iso, out, d):
    table = draw_table(src, probs, codes, 1, mode, tables, seed)
    information_stats(table, unit_cell, n_cells, ptr_off, indptr, nbr, wts, iso, out, d)


@jit(parallel=True)
def information_draws_parallel(
    src, probs, codes, mode, tables, seeds, unit_cell, n_cells, ptr_off, indptr, nbr, wts, iso, out
):
    """``out[d, :]``: :func:`information_stats` of the table drawn from ``seeds[d]``, draws in parallel.

    ``src, probs, codes, mode, tables`` as for
    :func:`segindex._kernels.random.draw_table` (one area). Each draw runs on
    one thread from its own seed, so ``out`` does not depend on the number of
    threads.
    """
    for d in prange(seeds.shape[0]):
        _one_draw(src, probs, codes, mode, tables, seeds[d], unit_cell, n_cells, ptr_off, indptr, nbr, wts, iso, out, d)


@jit
def information_draws_serial(
    src, probs, codes, mode, tables, seeds, unit_cell, n_cells, ptr_off, indptr, nbr, wts, iso, out
):
    """As :func:`information_draws_parallel`, on one thread (the same numbers)."""
    for d in range(seeds.shape[0]):
        _one_draw(src, probs, codes, mode, tables, seeds[d], unit_cell, n_cells, ptr_off, indptr, nbr, wts, iso, out, d)
