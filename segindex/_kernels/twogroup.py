"""Two-group index kernels.

Arrays in, arrays out. ``x`` and ``y`` are the counts of the focal and the
comparison group in each unit; ``t`` the unit totals. ``codes`` gives each
unit's area (``0 .. n_areas - 1``); an empty ``codes`` means one area. Each
kernel returns one value per area; an area where a needed group total is zero
gets NaN (the public layer turns that into an error or a warning).
"""

import numpy as np

from ._jit import jit

_BLOCK = 256


@jit
def area_sums(v, codes, n_areas):
    """Sum of ``v`` in each area."""
    out = np.zeros(n_areas)
    if codes.shape[0] == 0:
        out[0] = _sum(v)
    else:
        for i in range(v.shape[0]):
            out[codes[i]] += v[i]
    return out


@jit
def _sum(v):
    """Sum in unit order (the same order as the per-area paths, so results agree to the last bit)."""
    s = 0.0
    for i in range(v.shape[0]):
        s += v[i]
    return s


@jit
def _inverse(a):
    out = np.zeros(a.shape[0])
    for k in range(a.shape[0]):
        if a[k] > 0.0:
            out[k] = 1.0 / a[k]
    return out


@jit
def dissimilarity(x, y, codes, n_areas):
    """Duncan's D: ``0.5 * sum_i |x_i/X - y_i/Y|`` per area."""
    if codes.shape[0] == 0:
        return _dissimilarity_one(x, y)
    X = area_sums(x, codes, n_areas)
    Y = area_sums(y, codes, n_areas)
    iX = _inverse(X)
    iY = _inverse(Y)
    out = np.zeros(n_areas)
    for i in range(x.shape[0]):
        a = codes[i]
        out[a] += abs(x[i] * iX[a] - y[i] * iY[a])
    for a in range(n_areas):
        if X[a] > 0.0 and Y[a] > 0.0:
            out[a] *= 0.5
        else:
            out[a] = np.nan
    return out


@jit
def _dissimilarity_one(x, y):
    """D for one area in two passes: the sums, then the absolute differences."""
    X = 0.0
    Y = 0.0
    for i in range(x.shape[0]):
        X += x[i]
        Y += y[i]
    out = np.empty(1)
    if not (X > 0.0 and Y > 0.0):
        out[0] = np.nan
        return out
    ix = 1.0 / X
    iy = 1.0 / Y
    s = 0.0
    for i in range(x.shape[0]):
        s += abs(x[i] * ix - y[i] * iy)
    out[0] = 0.5 * s
    return out


@jit
def exposure(x, y, t, codes, n_areas):
    """``sum_i (x_i/X)(y_i/t_i)`` per area, with the area sums ``X`` and ``T``.

    Isolation is ``exposure(x, x, t, ...)``. Units with ``t_i = 0`` contribute
    nothing. Returns ``(value, X, T)``.
    """
    n = x.shape[0]
    out = np.zeros(n_areas)
    X = np.zeros(n_areas)
    T = np.zeros(n_areas)
    if codes.shape[0] == 0:
        # units with t_i = 0 are divided by 1 and their term dropped by a select, not a branch
        sx = 0.0
        st = 0.0
        acc = 0.0
        for i in range(n):
            ti = t[i]
            sx += x[i]
            st += ti
            q = x[i] * y[i] / (ti if ti > 0.0 else 1.0)
            acc += q if ti > 0.0 else 0.0
        X[0] = sx
        T[0] = st
        out[0] = acc
    else:
        for i in range(n):
            a = codes[i]
            ti = t[i]
            X[a] += x[i]
            T[a] += ti
            if ti > 0.0:
                out[a] += x[i] * y[i] / ti
    for a in range(n_areas):
        if X[a] > 0.0:
            out[a] /= X[a]
        else:
            out[a] = np.nan
    return out, X, T


@jit
def _group_by_area(order, codes, n_areas):
    """``order`` regrouped by area, keeping its order within each area (a stable bucket pass)."""
    if codes.shape[0] == 0:
        return order
    counts = np.zeros(n_areas + 1, dtype=np.int64)
    for i in range(codes.shape[0]):
        counts[codes[i] + 1] += 1
    for a in range(n_areas):
        counts[a + 1] += counts[a]
    out = np.empty_like(order)
    for j in range(order.shape[0]):
        i = order[j]
        a = codes[i]
        out[counts[a]] = i
        counts[a] += 1
    return out


_RADIX_BITS = 11
_RADIX_PASSES = 6  # 6 x 11 bits cover the 64 bits of a float64


@jit
def argsort_nonnegative(v):
    """An order sorting ``v`` (finite, non-negative float64) ascending; ties stay in index order.

    For non-negative floats the IEEE-754 bit patterns, read as unsigned
    integers, sort in the same order as the values, so a least-significant-digit
    radix sort on 11-bit digits sorts them in linear time. One pass counts all
    six digits; a digit that is the same for every value (the sign and most of
    the exponent, for shares in [0, 1]) costs no pass. Several times faster than
    ``np.argsort`` on 10^5 values.
    """
    n = v.shape[0]
    keys = v.view(np.uint64)
    size = 1 << _RADIX_BITS
    mask = np.uint64(size - 1)
    counts = np.zeros((_RADIX_PASSES, size), dtype=np.int64)
    for i in range(n):
        k = keys[i]
        for d in range(_RADIX_PASSES):
            counts[d, (k >> np.uint64(d * _RADIX_BITS)) & mask] += 1
    order = np.arange(n)
    spare = np.empty(n, dtype=np.int64)
    for d in range(_RADIX_PASSES):
        shift = np.uint64(d * _RADIX_BITS)
        if n == 0 or counts[d, (keys[0] >> shift) & mask] == n:
            continue  # one bucket holds every value: the pass would change nothing
        start = np.empty(size, dtype=np.int64)
        total = 0
        for b in range(size):
            start[b] = total
            total += counts[d, b]
        for j in range(n):
            i = order[j]
            b = (keys[i] >> shift) & mask
            spare[start[b]] = i
            start[b] += 1
        order, spare = spare, order
    return order


@jit
def shares(x, y):
    """The focal group's share ``p_i = x_i / (x_i + y_i)`` of each unit (0 in empty units)."""
    n = x.shape[0]
    p = np.zeros(n)
    for i in range(n):
        ti = x[i] + y[i]
        if ti > 0.0:
            p[i] = x[i] / ti
    return p


@jit
def gini(x, y, codes, n_areas):
    """Two-group Gini index per area in linear time (a radix sort).

    With ``t_i = x_i + y_i`` and ``p_i = x_i / t_i``, the pair sum
    ``sum_i sum_j t_i t_j |p_i - p_j|`` equals ``2 sum_i t_i (p_i W_i - S_i)``
    over units sorted by ``p``, where ``W_i`` and ``S_i`` are the running sums of
    ``t`` and ``t p`` before unit ``i``. The index divides the pair sum by
    ``2 T^2 P (1 - P)``. The sort is :func:`argsort_nonnegative`, linear in
    the number of units.
    """
    p = shares(x, y)
    return gini_sorted(x, y, p, argsort_nonnegative(p), codes, n_areas)


@jit
def gini_sorted(x, y, p, order, codes, n_areas):
    """Gini per area given the shares ``p`` and an ``order`` sorting them (any order among ties)."""
    n = x.shape[0]
    order = _group_by_area(order, codes, n_areas)
    X = area_sums(x, codes, n_areas)
    Y = area_sums(y, codes, n_areas)
    W = np.zeros(n_areas)
    S = np.zeros(n_areas)
    acc = np.zeros(n_areas)
    single = codes.shape[0] == 0
    for j in range(n):
        i = order[j]
        a = 0 if single else codes[i]
        ti = x[i] + y[i]
        if ti > 0.0:
            acc[a] += ti * (p[i] * W[a] - S[a])
            W[a] += ti
            S[a] += x[i]
    out = np.empty(n_areas)
    for a in range(n_areas):
        T = X[a] + Y[a]
        if X[a] > 0.0 and Y[a] > 0.0:
            P = X[a] / T
            out[a] = acc[a] / (T * T * P * (1.0 - P))
        else:
            out[a] = np.nan
    return out


@jit
def atkinson(x, y, b, codes, n_areas):
    """Atkinson's A(b) per area, ``0 < b < 1``.

    ``A = 1 - P/(1-P) |sum_i (1-p_i)^(1-b) p_i^b t_i / (P T)|^(1/(1-b))`` with
    ``t_i = x_i + y_i``, ``p_i = x_i / t_i`` and ``P = X / T``. Each unit's term
    ``(1-p_i)^(1-b) p_i^b t_i`` equals ``x_i^b y_i^(1-b)``, computed as
    ``y_i (x_i / y_i)^b`` (one power per unit) or ``sqrt(x_i y_i)`` when b = 1/2.
    """
    X = np.zeros(n_areas)
    Y = np.zeros(n_areas)
    acc = np.zeros(n_areas)
    n = x.shape[0]
    if codes.shape[0] == 0 and b == 0.5:
        # sqrt(x y) is 0 where either count is: no branch. Square roots are taken a
        # block at a time (that loop vectorises), then added in unit order.
        sx = 0.0
        sy = 0.0
        s = 0.0
        w = np.empty(_BLOCK)
        for start in range(0, n, _BLOCK):
            stop = min(start + _BLOCK, n)
            for i in range(start, stop):
                w[i - start] = np.sqrt(x[i] * y[i])
            for i in range(start, stop):
                sx += x[i]
                sy += y[i]
                s += w[i - start]
        X[0] = sx
        Y[0] = sy
        acc[0] = s
    else:
        single = codes.shape[0] == 0
        for i in range(n):
            xi = x[i]
            yi = y[i]
            a = 0 if single else codes[i]
            X[a] += xi
            Y[a] += yi
            if xi > 0.0 and yi > 0.0:
                acc[a] += np.sqrt(xi * yi) if b == 0.5 else yi * (xi / yi) ** b
    out = np.empty(n_areas)
    for a in range(n_areas):
        T = X[a] + Y[a]
        if X[a] > 0.0 and Y[a] > 0.0:
            P = X[a] / T
            out[a] = 1.0 - P / (1.0 - P) * abs(acc[a] / (P * T)) ** (1.0 / (1.0 - b))
        else:
            out[a] = np.nan
    return out


# ----------------------------------------------------------------------------
# The group against the rest of the population: ``y_i = t_i - x_i``, with
# rounding noise below zero set to zero as ``validate.remainder`` does, is formed
# where it is used and never stored. The callers have checked the values. Sums
# run in unit order, so results equal those of :func:`dissimilarity` and
# :func:`atkinson` on ``(x, remainder(t, x))`` to the last bit.


@jit
def _checked(lo, X, T):
    """The values behind a running minimum ``lo`` and area sums were valid (see :func:`dissimilarity_rest`)."""
    if not lo >= 0.0:
        return False
    for a in range(X.shape[0]):
        if not (abs(X[a]) < np.inf and abs(T[a]) < np.inf):
            return False
    return True


@jit
def dissimilarity_rest(x, t, codes, n_areas, rtol):
    """D of ``x`` against the rest ``t - x`` in two passes: ``(ok, D, X, Y)`` per area.

    The values are checked on the way: ``ok`` is False unless every ``x_i`` and
    ``t_i`` is finite and non-negative and ``x_i <= t_i (1 + rtol) + rtol`` (the
    tolerance of ``validate.first_exceeding``). Negative values and excess show
    in a running minimum of ``x_i``, ``t_i`` and ``t_i (1 + rtol) + rtol - x_i``;
    NaN and infinite values in the sums of ``x`` and of the rest, whose
    clamping at zero lets NaN through (an overflowing sum gives a false alarm,
    never a silent error). When ``ok`` is False the other
    outputs mean nothing.
    """
    n = x.shape[0]
    single = codes.shape[0] == 0
    X = np.zeros(n_areas)
    Y = np.zeros(n_areas)
    out = np.zeros(n_areas)
    lo = 0.0
    if single:
        sx = 0.0
        sy = 0.0
        for i in range(n):
            xi = x[i]
            ti = t[i]
            lo = min(lo, min(min(xi, ti), ti * (1.0 + rtol) + rtol - xi))
            r = ti - xi
            sx += xi
            sy += r if not r <= 0.0 else 0.0
        X[0] = sx
        Y[0] = sy
    else:
        for i in range(n):
            xi = x[i]
            ti = t[i]
            lo = min(lo, min(min(xi, ti), ti * (1.0 + rtol) + rtol - xi))
            r = ti - xi
            a = codes[i]
            X[a] += xi
            Y[a] += r if not r <= 0.0 else 0.0
    if not _checked(lo, X, Y):
        return False, out, X, Y
    iX = _inverse(X)
    iY = _inverse(Y)
    if single:
        ix = iX[0]
        iy = iY[0]
        s = 0.0
        for i in range(n):
            xi = x[i]
            ti = t[i]
            r = ti - xi
            s += abs(xi * ix - (r if r > 0.0 else 0.0) * iy)
        out[0] = s
    else:
        for i in range(n):
            xi = x[i]
            ti = t[i]
            a = codes[i]
            r = ti - xi
            out[a] += abs(xi * iX[a] - (r if r > 0.0 else 0.0) * iY[a])
    for a in range(n_areas):
        if X[a] > 0.0 and Y[a] > 0.0:
            out[a] *= 0.5
        else:
            out[a] = np.nan
    return True, out, X, Y


@jit
def atkinson_rest(x, t, b, codes, n_areas, rtol):
    """Atkinson's A(b) of ``x`` against the rest ``t - x`` in one pass: ``(ok, A, X, Y)`` per area.

    The values are checked on the way, as in :func:`dissimilarity_rest`.
    """
    X = np.zeros(n_areas)
    Y = np.zeros(n_areas)
    acc = np.zeros(n_areas)
    n = x.shape[0]
    lo = 0.0
    if codes.shape[0] == 0 and b == 0.5:
        # as in :func:`atkinson`: the rest and the square roots a block at a time, then the sums in unit order
        sx = 0.0
        sy = 0.0
        s = 0.0
        yb = np.empty(_BLOCK)
        w = np.empty(_BLOCK)
        for start in range(0, n, _BLOCK):
            stop = min(start + _BLOCK, n)
            for i in range(start, stop):
                r = t[i] - x[i]
                r = r if not r <= 0.0 else 0.0
                yb[i - start] = r
                w[i - start] = np.sqrt(x[i] * r)
            for i in range(start, stop):
                xi = x[i]
                ti = t[i]
                lo = min(lo, min(min(xi, ti), ti * (1.0 + rtol) + rtol - xi))
                sx += xi
                sy += yb[i - start]
                s += w[i - start]
        X[0] = sx
        Y[0] = sy
        acc[0] = s
    else:
        single = codes.shape[0] == 0
        for i in range(n):
            xi = x[i]
            ti = t[i]
            lo = min(lo, min(min(xi, ti), ti * (1.0 + rtol) + rtol - xi))
            r = ti - xi
            yi = r if not r <= 0.0 else 0.0
            a = 0 if single else codes[i]
            X[a] += xi
            Y[a] += yi
            if xi > 0.0 and yi > 0.0:
                acc[a] += np.sqrt(xi * yi) if b == 0.5 else yi * (xi / yi) ** b
    out = np.empty(n_areas)
    for a in range(n_areas):
        T = X[a] + Y[a]
        if X[a] > 0.0 and Y[a] > 0.0:
            P = X[a] / T
            out[a] = 1.0 - P / (1.0 - P) * abs(acc[a] / (P * T)) ** (1.0 / (1.0 - b))
        else:
            out[a] = np.nan
    return _checked(lo, X, Y), out, X, Y


@jit
def isolation_checked(x, t, codes, n_areas, rtol):
    """``exposure(x, x, t, ...)`` with the values checked on the way: ``(ok, value, X, T)``.

    Checks as in :func:`dissimilarity_rest`.
    """
    n = x.shape[0]
    out = np.zeros(n_areas)
    X = np.zeros(n_areas)
    T = np.zeros(n_areas)
    lo = 0.0
    if codes.shape[0] == 0:
        sx = 0.0
        st = 0.0
        acc = 0.0
        for i in range(n):
            xi = x[i]
            ti = t[i]
            lo = min(lo, min(min(xi, ti), ti * (1.0 + rtol) + rtol - xi))
            sx += xi
            st += ti
            q = xi * xi / (ti if ti > 0.0 else 1.0)
            acc += q if ti > 0.0 else 0.0
        X[0] = sx
        T[0] = st
        out[0] = acc
    else:
        for i in range(n):
            xi = x[i]
            ti = t[i]
            lo = min(lo, min(min(xi, ti), ti * (1.0 + rtol) + rtol - xi))
            a = codes[i]
            X[a] += xi
            T[a] += ti
            if ti > 0.0:
                out[a] += xi * xi / ti
    for a in range(n_areas):
        if X[a] > 0.0:
            out[a] /= X[a]
        else:
            out[a] = np.nan
    return _checked(lo, X, T), out, X, T


@jit
def exposure_checked(x, y, t, codes, n_areas, rtol):
    """:func:`exposure` with the values checked on the way: ``(ok, value, X, T)``.

    Checks as in :func:`dissimilarity_rest`, with ``x + y`` as the parts that
    must not exceed ``t`` (the sum the column checks form); ``y`` is summed too,
    so that a NaN in it shows.
    """
    n = x.shape[0]
    out = np.zeros(n_areas)
    X = np.zeros(n_areas)
    Y = np.zeros(n_areas)
    T = np.zeros(n_areas)
    lo = 0.0
    if codes.shape[0] == 0:
        sx = 0.0
        sy = 0.0
        st = 0.0
        acc = 0.0
        for i in range(n):
            xi = x[i]
            yi = y[i]
            ti = t[i]
            lo = min(lo, min(min(xi, yi), min(ti, ti * (1.0 + rtol) + rtol - (xi + yi))))
            sx += xi
            sy += yi
            st += ti
            q = xi * yi / (ti if ti > 0.0 else 1.0)
            acc += q if ti > 0.0 else 0.0
        X[0] = sx
        Y[0] = sy
        T[0] = st
        out[0] = acc
    else:
        for i in range(n):
            xi = x[i]
            yi = y[i]
            ti = t[i]
            lo = min(lo, min(min(xi, yi), min(ti, ti * (1.0 + rtol) + rtol - (xi + yi))))
            a = codes[i]
            X[a] += xi
            Y[a] += yi
            T[a] += ti
            if ti > 0.0:
                out[a] += xi * yi / ti
    for a in range(n_areas):
        if X[a] > 0.0:
            out[a] /= X[a]
        else:
            out[a] = np.nan
    return _checked(lo, X, T) and _checked(lo, Y, T), out, X, T
