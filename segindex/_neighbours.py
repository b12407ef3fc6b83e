"""Neighbour search and kernel sums over points: square cells found with a k-d tree.

The local environment of every point (Reardon & O'Sullivan 2004; distance decay, Morgan 1983)
is a kernel-weighted sum of the counts of the points within reach. These sums visit each pair of
points within the support once, through square cells whose neighbours a k-d tree finds, so memory
stays O(n + pairs of cells): never a dense n x n matrix.
"""

from __future__ import annotations

import numpy as np

from ._kernels import spatial as _ks
from ._kernels import spatial_draws as _kd

__all__ = ["kernel_sums", "pair_structure", "InformationDraws", "AdjacencyDraws", "STORED_PAIRS"]

#: Pairs handled per chunk of the pair-list kernel sums (bounds memory: ~24 bytes a pair).
_CHUNK_PAIRS = 4_000_000
#: Up to this many unordered pairs (16 bytes each, ~320 MB) are enumerated at once, each once;
#: beyond it the pair-list sums run in chunks of _CHUNK_PAIRS ordered pairs.
_SYMMETRIC_PAIRS = 20_000_000
#: Squares per support radius in the sparse kernel sums: smaller squares test fewer
#: point pairs beyond the support, larger ones mean fewer pairs of squares.
_CELLS_PER_RADIUS = 4
# Two-column kernel sums run in parallel over chunks of about this many point pairs
# (at most _MAX_CHUNKS, with at most _CHUNK_BUFFER_BYTES of per-chunk buffers)
_CHUNK_WORK = 250_000
_MAX_CHUNKS = 16
_CHUNK_BUFFER_BYTES = 64_000_000


def _bin(xy, values, bin_size):
    """Aggregate points and their counts to square cells; population-weighted cell centres."""
    cell = np.floor((xy - xy.min(axis=0)) / bin_size).astype(np.int64)
    key = cell[:, 0] * (int(cell[:, 1].max()) + 1) + cell[:, 1]
    _, inverse = np.unique(key, return_inverse=True)
    inverse = inverse.ravel()
    m = int(inverse.max()) + 1
    sums = np.zeros((m, values.shape[1]))
    np.add.at(sums, inverse, values)
    pop = values.sum(axis=1)
    wsum = np.bincount(inverse, weights=pop, minlength=m)
    cx = np.bincount(inverse, weights=pop * xy[:, 0], minlength=m)
    cy = np.bincount(inverse, weights=pop * xy[:, 1], minlength=m)
    nsum = np.bincount(inverse, minlength=m).astype(float)
    mx = np.bincount(inverse, weights=xy[:, 0], minlength=m) / nsum
    my = np.bincount(inverse, weights=xy[:, 1], minlength=m) / nsum
    has = wsum > 0
    centre = np.column_stack([mx, my])
    centre[has, 0] = cx[has] / wsum[has]
    centre[has, 1] = cy[has] / wsum[has]
    return np.ascontiguousarray(centre), np.ascontiguousarray(sums), inverse


def _cells(xy, radius):
    """Points sorted into square cells, and the pairs of cells that may hold points within ``radius``.

    Returns ``(order, start, pa, pb, inside)``: ``xy[order]`` is sorted by cell
    (then by input order), cell ``a`` holding sorted rows
    ``start[a]:start[a+1]``; ``(pa, pb)`` (``pa <= pb``, each cell with itself
    included, sorted) are the cell pairs whose squares come within ``radius``
    (found with a k-d tree over the occupied cells); ``inside`` flags the
    pairs whose points are all within ``radius`` of each other.
    """
    from scipy.spatial import cKDTree

    lo = xy.min(axis=0)
    extent = float((xy.max(axis=0) - lo).max())
    side = max(radius / _CELLS_PER_RADIUS, extent / 2.0**40)
    ij = np.floor((xy - lo) / side).astype(np.int64)
    order = np.lexsort((ij[:, 1], ij[:, 0]))
    sij = ij[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (sij[1:] != sij[:-1]).any(axis=1)
    first = np.flatnonzero(new)
    start = np.append(first, len(order)).astype(np.int64)
    cij = sij[first]
    nc = len(first)
    # a point may sit a few ulps outside its nominal square: pad distances by a margin
    pad = 1e-12 * (float(np.abs(xy).max()) + side) / side
    reach = radius / side + pad
    pairs = cKDTree(cij.astype(float)).query_pairs(reach + np.sqrt(2.0) + 1e-9, output_type="ndarray")
    pairs = pairs.astype(np.int64, copy=False).reshape(-1, 2)
    off = np.abs(cij[pairs[:, 0]] - cij[pairs[:, 1]]).astype(float)
    gap = np.maximum(off - 1.0, 0.0)
    pairs = pairs[(gap * gap).sum(axis=1) <= reach * reach]
    off = np.abs(cij[pairs[:, 0]] - cij[pairs[:, 1]]).astype(float) + 1.0
    within = np.sqrt((off * off).sum(axis=1)) + pad <= radius / side * (1.0 - 1e-12)
    pa = np.concatenate([np.arange(nc, dtype=np.int64), pairs.min(axis=1)])
    pb = np.concatenate([np.arange(nc, dtype=np.int64), pairs.max(axis=1)])
    inside = np.concatenate([np.full(nc, np.sqrt(2.0) + pad <= radius / side * (1.0 - 1e-12)), within])
    s = np.lexsort((pb, pa))
    return order, start, pa[s], pb[s], inside[s]


def _pair_kernel_sums(xy, values, bandwidth, kind, radius):
    """Kernel sums over point pairs listed by ``cKDTree`` (many value columns: faster than squares)."""
    from scipy.spatial import cKDTree

    n = xy.shape[0]
    out = np.zeros((n, values.shape[1]))
    tree = cKDTree(xy)
    # estimate the number of pairs from a sample of points before enumerating them
    sample = np.random.default_rng(0).choice(n, size=min(n, 2000), replace=False)
    per_point = tree.query_ball_point(xy[sample], radius, return_length=True).mean()
    if n * (per_point - 1) / 2 <= _SYMMETRIC_PAIRS:
        # few enough pairs to hold at once: enumerate each unordered pair once (i < j)
        pairs = tree.query_pairs(radius, output_type="ndarray").astype(np.int64, copy=False)
        _ks.add_symmetric_pair_sums(np.ascontiguousarray(pairs), xy, float(bandwidth), kind, values, out)
    else:
        # bounded memory: chunks of target points against the whole tree
        order = np.asarray(tree.indices, dtype=np.int64)  # spatially coherent order
        lengths = tree.query_ball_point(xy[order], radius, return_length=True).astype(np.int64)
        cum = np.cumsum(lengths)
        start = 0
        while start < n:
            base = cum[start - 1] if start else 0
            stop = int(np.searchsorted(cum, base + _CHUNK_PAIRS, side="right"))
            stop = max(stop, start + 1)
            rows_idx = order[start:stop]
            sub = cKDTree(xy[rows_idx])
            pairs = sub.sparse_distance_matrix(tree, radius, output_type="ndarray")
            rows = rows_idx[pairs["i"]]
            w = _ks.kernel_weights(np.ascontiguousarray(pairs["v"]), float(bandwidth), kind)
            _ks.add_pair_sums(rows, np.ascontiguousarray(pairs["j"], dtype=np.int64), w, values, out)
            start = stop
    return out


def _chunk_bounds(start, pa, pb):
    """Split the cell pairs into chunks of about equal work, for :func:`_ks.cell_pair_sums2`.

    The work of a cell pair is the number of point pairs it holds. The chunks
    depend on the work alone (never on the number of threads), so the sums do
    not either: one chunk per ``_CHUNK_WORK`` point pairs, at most
    ``_MAX_CHUNKS``, and fewer where the per-chunk buffers (two floats per
    point) would pass ``_CHUNK_BUFFER_BYTES``.
    """
    size = np.diff(start)
    na = size[pa].astype(float)
    work = np.where(pa == pb, na * (na - 1.0) / 2.0, na * size[pb])
    cum = np.cumsum(work)
    total = float(cum[-1]) if len(cum) else 0.0
    chunks = int(min(_MAX_CHUNKS, total // _CHUNK_WORK, _CHUNK_BUFFER_BYTES // (16 * max(int(start[-1]), 1))))
    chunks = max(chunks, 1)
    cuts = np.searchsorted(cum, total * np.arange(1, chunks) / chunks, side="right")
    return np.concatenate([[0], cuts, [len(pa)]]).astype(np.int64)


def kernel_sums(xy, values, bandwidth, kind, radius, bin_size=None):
    """``out[i] = sum_j K(d_ij / b) values[j]`` over ``dx^2 + dy^2 <= radius^2``, sparsely.

    Plain arrays in and out (shared by the public functions). With
    ``bin_size`` the points are first aggregated to square cells. The points
    are sorted into squares of ``radius / 4``; a k-d tree over the occupied
    squares gives the pairs of squares within reach, and a kernel visits each
    pair of points in them once (no list of point pairs is built: memory is
    O(n + pairs of squares)). Sums are taken in a fixed order (deterministic).
    With more than two value columns (H~ over many groups) the point pairs
    are listed by ``cKDTree.query_pairs`` instead (in bounded chunks when
    there are very many), which measured faster there.
    """
    inverse = None
    if bin_size is not None:
        xy, values, inverse = _bin(xy, values, bin_size)
    xy = np.asarray(xy, dtype=float)
    values = np.asarray(values, dtype=float)
    if xy.shape[0] == 0:
        return np.zeros(values.shape)
    if values.shape[1] > 2:
        # many groups (H~): listing the pairs with the k-d tree measured faster
        out = _pair_kernel_sums(xy, values, bandwidth, kind, radius)
        return np.ascontiguousarray(out[inverse]) if inverse is not None else out
    order, start, pa, pb, inside = _cells(xy, float(radius))
    sxy = np.ascontiguousarray(xy[order])
    sv = values[order]
    r2 = float(radius) * float(radius)
    if values.shape[1] == 2:
        o0 = np.zeros(len(order))
        o1 = np.zeros(len(order))
        _ks.cell_pair_sums2(
            np.ascontiguousarray(sxy[:, 0]),
            np.ascontiguousarray(sxy[:, 1]),
            np.ascontiguousarray(sv[:, 0]),
            np.ascontiguousarray(sv[:, 1]),
            start,
            pa,
            pb,
            inside,
            float(bandwidth),
            kind,
            r2,
            _chunk_bounds(start, pa, pb),
            o0,
            o1,
        )
        so = np.column_stack([o0, o1])
    else:
        so = np.zeros(sv.shape)
        _ks.cell_pair_sums(sxy, np.ascontiguousarray(sv), start, pa, pb, inside, float(bandwidth), kind, r2, so)
    out = np.empty_like(so)
    out[order] = so
    if inverse is not None:
        out = np.ascontiguousarray(out[inverse])
    return out


#: Most kernel-weighted pairs of cells (12 bytes each, ~0.7 GB) a stored structure of
#: :func:`pair_structure` may hold over all its bandwidths.
STORED_PAIRS = 60_000_000


def _estimated_pairs(xy, radius):
    """Unordered pairs of ``xy`` within ``radius``, estimated from a sample of 2,000 points."""
    from scipy.spatial import cKDTree

    n = xy.shape[0]
    if n < 2:
        return 0.0
    sample = np.random.default_rng(0).choice(n, size=min(n, 2000), replace=False)
    per_point = cKDTree(xy).query_ball_point(xy[sample], radius, return_length=True).mean()
    return n * (per_point - 1.0) / 2.0


def _spread(v):
    """The bits of ``v`` (< 2^21) moved to the even positions of an int64."""
    v = v & 0x1FFFFF
    v = (v | (v << 16)) & 0x0000FFFF0000FFFF
    v = (v | (v << 8)) & 0x00FF00FF00FF00FF
    v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0F
    v = (v | (v << 2)) & 0x3333333333333333
    v = (v | (v << 1)) & 0x5555555555555555
    return v


def _z_order(xy, side):
    """The Z-order (Morton) key of each point on a grid of squares of ``side`` (coarser if needed)."""
    q = np.floor((xy - xy.min(axis=0)) / side)
    top = float(q.max()) if q.size else 0.0
    if top >= 2**21:
        q = np.floor(q * ((2**21 - 1) / top))
    q = q.astype(np.int64)
    return _spread(q[:, 0]) | (_spread(q[:, 1]) << 1)


def pair_structure(xy, pop, bandwidths, kind, radii, bin_sizes, *, max_pairs=None):
    """The neighbour structure of the local environment at several bandwidths, built once.

    For each bandwidth ``b`` (support ``radius``, cell size ``bin_size`` or
    None): the units are aggregated to square cells as :func:`kernel_sums`
    aggregates them (population-weighted centres, from ``pop``: the unit
    totals, which the draws keep) or, without ``bin_size``, each unit is its
    own cell; the unordered pairs of cells within the support come from
    :meth:`scipy.spatial.cKDTree.query_pairs` and get their kernel weights
    (pairs of weight 0 are left out). Returns the arrays of
    :mod:`segindex._kernels.spatial_draws` as a dict, or None when the pairs
    would pass ``max_pairs`` (default :data:`STORED_PAIRS`; estimated first,
    from a sample of points).
    """
    from scipy.spatial import cKDTree

    if max_pairs is None:
        max_pairs = STORED_PAIRS

    xy = np.ascontiguousarray(xy, dtype=float)
    n = xy.shape[0]
    S = len(bandwidths)
    unit_cell = np.empty((S, n), dtype=np.int64)
    n_cells = np.empty(S, dtype=np.int64)
    ptrs, nbrs, wts = [], [], []
    used = 0
    for s, (b, radius, bin_size) in enumerate(zip(bandwidths, radii, bin_sizes)):
        if bin_size is not None:
            centre, _, inverse = _bin(xy, pop.reshape(-1, 1), bin_size)
        else:
            centre, inverse = xy, np.arange(n, dtype=np.int64)
        if used + _estimated_pairs(centre, radius) > max_pairs:
            return None
        # cells numbered along a Z-order curve: neighbouring cells lie near each other in memory
        z = np.argsort(_z_order(centre, radius / _CELLS_PER_RADIUS), kind="stable")
        number = np.empty_like(z)
        number[z] = np.arange(z.shape[0])
        centre, inverse = np.ascontiguousarray(centre[z]), number[inverse]
        m = centre.shape[0]
        pairs = cKDTree(centre).query_pairs(radius, output_type="ndarray").reshape(-1, 2)  # i < j
        indptr, nbr, w = _kd.csr_pairs(
            np.ascontiguousarray(pairs[:, 0]), np.ascontiguousarray(pairs[:, 1]), centre, float(b), kind, m
        )
        del pairs
        used += nbr.shape[0]
        if used > max_pairs:
            return None
        unit_cell[s] = inverse
        n_cells[s] = m
        ptrs.append(sum(x.shape[0] for x in nbrs) + indptr)
        nbrs.append(nbr)
        wts.append(w)
    ptr_off = np.concatenate([[0], np.cumsum([p.shape[0] for p in ptrs])[:-1]]).astype(np.int64)
    # units by their cells at the finest bandwidth: the sums to cells then walk through memory in order
    order = np.argsort(unit_cell[int(np.argmax(n_cells))], kind="stable").astype(np.int64)
    return {
        "order": order,
        "unit_cell": np.ascontiguousarray(unit_cell[:, order]),
        "n_cells": n_cells,
        "ptr_off": ptr_off,
        "indptr": np.concatenate(ptrs),
        "nbr": np.concatenate(nbrs) if nbrs else np.empty(0, np.int32),
        "wts": np.concatenate(wts) if wts else np.empty(0),
    }


# Draws per chunk when progress is shown: about this many chunks, each a multiple of a few draws
# (so that the threads share a chunk evenly).
_DRAW_CHUNKS = 10
_CHUNK_MULTIPLE = 4
# Below this work (draws x stored pairs x groups) the draws run on one thread.
_SERIAL_WORK = 2_000_000


class InformationDraws:
    """The draws of H̃ and local shares at several bandwidths over one stored structure.

    ``structure`` from :func:`pair_structure`; ``with_h``: H at each
    bandwidth; ``shares``: pairs ``(u, v)`` of columns, the mean local share
    of ``v`` around the members of ``u`` (isolation when ``u == v``, exposure
    otherwise), local totals over the first ``width`` columns (default: all),
    after H at each bandwidth (see
    :func:`segindex._kernels.spatial_draws.information_stats`). Called by
    the draw loop of :mod:`segindex._resampling` (``Problem.batch``) as
    ``batch(src, probs, codes, mode, tables, seeds, progress, block_size)``;
    returns the draws, shape ``(len(seeds), n_out)``, each row the
    statistics of the table drawn from that seed, the same for any number of
    threads and any blocking.
    """

    def __init__(self, structure, shares=(), *, with_h=True, width=None):
        self.structure = structure
        self.shares = np.asarray(list(shares), dtype=np.int64).reshape(-1, 2)
        self.with_h = bool(with_h)
        self.width = -1 if width is None else int(width)
        self.n_out = len(structure["n_cells"]) * (int(self.with_h) + self.shares.shape[0])

    @property
    def nbytes(self):
        return sum(a.nbytes for a in self.structure.values())

    def _arrays(self, g):
        st = self.structure
        arrays = (st["order"], st["unit_cell"], st["n_cells"], st["ptr_off"], st["indptr"], st["nbr"], st["wts"])
        return arrays, self.with_h, self.shares, g if self.width < 0 else self.width

    def evaluate(self, table):
        """The statistics of one table (units × groups, float): one row."""
        table = np.ascontiguousarray(np.asarray(table, dtype=float)[self.structure["order"]])
        out = np.empty((1, self.n_out))
        _kd.information_stats(table[None], 1, *self._arrays(table.shape[1]), out, 0)
        return out[0]

    def __call__(self, src, probs, codes, mode, tables, seeds, progress, block_size=None):
        import math

        n = seeds.shape[0]
        out = np.empty((n, self.n_out))
        per_draw = src.size
        what = self._arrays(src.shape[1])
        pairs = self.structure["nbr"].shape[0] + self.structure["unit_cell"].size
        if n * pairs * src.shape[1] < _SERIAL_WORK:
            _kd.information_draws_serial(src, probs, codes, mode, tables, seeds, *what, out)
            progress.update(n * per_draw)
            return out
        if block_size is not None:
            chunk = block_size
        elif progress.active:
            chunk = _CHUNK_MULTIPLE * max(1, math.ceil(n / (_DRAW_CHUNKS * _CHUNK_MULTIPLE)))
        else:
            chunk = n
        for start in range(0, n, chunk):
            stop = min(n, start + chunk)
            _kd.information_draws_parallel(src, probs, codes, mode, tables, seeds[start:stop], *what, out[start:stop])
            progress.update((stop - start) * per_draw)
        return out


class AdjacencyDraws:
    """The draws of Morrill's D(adj), Wong's D(w) or D(s) over weights built once.

    ``w`` the final weights (CSR; row-standardised or scaled as the index
    uses them); ``pa`` the perimeter/area ratios for D(s) (None otherwise).
    Called as :class:`InformationDraws` is; returns ``(len(seeds), 1)``.
    """

    def __init__(self, w, pa=None):
        self.indptr = np.ascontiguousarray(w.indptr, dtype=np.int64)
        self.indices = np.ascontiguousarray(w.indices, dtype=np.int64)
        self.weights = np.ascontiguousarray(w.data, dtype=np.float64)
        self.kind = 0 if pa is None else 1
        self.pa = np.zeros(1) if pa is None else np.ascontiguousarray(pa, dtype=np.float64)

    def __call__(self, src, probs, codes, mode, tables, seeds, progress, block_size=None):
        n = seeds.shape[0]
        out = np.empty((n, 1))
        args = (self.indptr, self.indices, self.weights, self.pa, self.kind)
        kernel = _kd.adjacency_draws_serial if n * src.size < _SERIAL_WORK else _kd.adjacency_draws_parallel
        chunk = block_size or (max(1, n // _DRAW_CHUNKS) if progress.active else n)
        for start in range(0, n, chunk):
            stop = min(n, start + chunk)
            kernel(src, probs, codes, mode, tables, seeds[start:stop], *args, out[start:stop])
            progress.update((stop - start) * src.size)
        return out
