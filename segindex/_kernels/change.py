"""Kernels for change over time: iterative proportional fitting (IPF).

Arrays in, arrays out. The public layer (``segindex.change``) validates,
decides what to do when IPF does not converge, and wraps the results.
"""

import numpy as np

from ._jit import jit


@jit
def _max_relative_gap(sums, target):
    """``max_k |sums[k] / target[k] - 1|`` over targets > 0 (inf where a zero target got mass)."""
    gap = 0.0
    for k in range(sums.shape[0]):
        t = target[k]
        if t > 0.0:
            d = abs(sums[k] / t - 1.0)
        elif sums[k] > 0.0:
            d = np.inf
        else:
            d = 0.0
        if d > gap:
            gap = d
    return gap


@jit
def ipf(seed, row_target, col_target, tol, max_iter):
    """Scale ``seed`` (rows × columns, non-negative) to the given margins.

    Alternately rescales rows to ``row_target`` and columns to
    ``col_target`` (Deming & Stephan 1940) until, after a full sweep, every
    row and column sum is within a *relative* distance ``tol`` of its
    target: ``max |sum / target - 1| <= tol``. The two targets must have the
    same total. Returns ``(fitted, sweeps, gap)``; ``gap`` is the largest
    relative deviation left, so the caller can tell convergence
    (``gap <= tol``) from running out of sweeps.
    """
    n, G = seed.shape
    out = seed.copy()
    rows = np.zeros(n)
    cols = np.zeros(G)
    gap = np.inf
    sweeps = 0
    while sweeps < max_iter:
        sweeps += 1
        # rows
        for i in range(n):
            s = 0.0
            for g in range(G):
                s += out[i, g]
            if s > 0.0:
                f = row_target[i] / s
                for g in range(G):
                    out[i, g] *= f
        # columns
        for g in range(G):
            cols[g] = 0.0
        for i in range(n):
            for g in range(G):
                cols[g] += out[i, g]
        for g in range(G):
            if cols[g] > 0.0:
                f = col_target[g] / cols[g]
                for i in range(n):
                    out[i, g] *= f
        # check both margins after the sweep
        for g in range(G):
            cols[g] = 0.0
        for i in range(n):
            s = 0.0
            for g in range(G):
                v = out[i, g]
                s += v
                cols[g] += v
            rows[i] = s
        gap = max(_max_relative_gap(rows, row_target), _max_relative_gap(cols, col_target))
        if gap <= tol:
            break
    return out, sweeps, gap
