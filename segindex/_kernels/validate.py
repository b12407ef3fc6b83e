"""Kernels that check count arrays in one pass."""

import numpy as np

from ._jit import jit

_BLOCK = 1024


@jit
def first_invalid(a):
    """Position of the first value that is NaN, infinite or negative, or -1.

    Blocks of values are counted without branches (the loop vectorises); only
    a block holding a bad value is scanned again for its position.
    """
    n = a.shape[0]
    for start in range(0, n, _BLOCK):
        stop = min(start + _BLOCK, n)
        ok = 0
        for i in range(start, stop):
            v = a[i]
            ok += (v >= 0.0) & (v < np.inf)
        if ok != stop - start:
            for i in range(start, stop):
                v = a[i]
                if not (v >= 0.0 and v < np.inf):
                    return i
    return -1


@jit
def first_exceeding(parts, total, rtol):
    """Position of the first unit whose parts exceed its total, or -1.

    ``parts`` is the per-unit sum of the group columns. A unit passes when
    ``parts <= total * (1 + rtol) + rtol``: the tolerance only absorbs the
    rounding of floating-point sums (interpolated counts), not real excess.
    NaN parts or totals never count as exceeding (they are rejected earlier).
    """
    n = parts.shape[0]
    for start in range(0, n, _BLOCK):
        stop = min(start + _BLOCK, n)
        bad = 0
        for i in range(start, stop):
            bad += parts[i] > total[i] * (1.0 + rtol) + rtol
        if bad:
            for i in range(start, stop):
                if parts[i] > total[i] * (1.0 + rtol) + rtol:
                    return i
    return -1


@jit
def valid_part_of_total(x, total, rtol):
    """True when ``x`` and ``total`` are finite and non-negative and ``x`` is not above ``total``.

    One branch-free pass; the tolerance is that of :func:`first_exceeding`.
    Callers locate a failure with :func:`first_invalid` and :func:`first_exceeding`.
    """
    n = x.shape[0]
    ok = 0
    for i in range(n):
        xi = x[i]
        ti = total[i]
        ok += (xi >= 0.0) & (xi < np.inf) & (ti >= 0.0) & (ti < np.inf) & (xi <= ti * (1.0 + rtol) + rtol)
    return ok == n


@jit
def remainder(total, parts):
    """``total - parts``, with rounding noise below zero set to exactly zero.

    Callers have already checked with :func:`first_exceeding` that no unit is
    below zero by more than rounding.
    """
    out = np.empty(total.shape[0])
    for i in range(total.shape[0]):
        r = total[i] - parts[i]
        out[i] = r if r > 0.0 else 0.0
    return out
