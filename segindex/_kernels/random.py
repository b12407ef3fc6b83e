"""Random allocation and bootstrap draws of a segregation index.

Every draw redraws a units × columns count table ``src`` (whole people, int64)
into a float buffer and computes an index on it, per area, with the same index
kernels as the public functions. One redrawn table serves several indices
(those that read the same table: every two-group index of a group against the
rest of the population, or every multigroup index), computed in the same pass.
Nothing but the per-draw statistics is kept: memory is one buffer per thread
plus the ``(n_draws, n_indices, n_areas)`` output.

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
* exposure: ``[x, y, rest]`` (``t`` = row sum), or ``[x, rest]`` against the
  rest of the population (``t = x + rest``, a two-column table like isolation's);
* entropy index H, mutual information M, multigroup D: one column per group.
"""

import math

import numpy as np

from . import computes as _c
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

#: The column layout each index code expects: ``"pair"`` ``[x, y]``, ``"rest"`` ``[x, t - x]``,
#: ``"exposure"`` ``[x, y, t - x - y]`` (``[x, t - x]`` against the rest), ``"groups"`` one column per group.
LAYOUTS = {
    INDEX_DISSIMILARITY: "pair",
    INDEX_GINI: "pair",
    INDEX_ATKINSON: "pair",
    INDEX_ISOLATION: "rest",
    INDEX_CORRELATION_RATIO: "rest",
    INDEX_EXPOSURE: "exposure",
    INDEX_ENTROPY: "groups",
    INDEX_MUTUAL_INFORMATION: "groups",
    INDEX_MULTIGROUP_DISSIMILARITY: "groups",
}


@jit
def statistic(c, codes, n_areas, index, param):
    """The index ``index`` per area on a float units × columns table ``c`` (see :data:`LAYOUTS`)."""
    if (
        index == INDEX_DISSIMILARITY
        or index == INDEX_GINI
        or index == INDEX_ATKINSON
        or index == INDEX_ISOLATION
        or index == INDEX_CORRELATION_RATIO
        or (index == INDEX_EXPOSURE and c.shape[1] == 2)
    ):
        return pair_statistic(c[:, 0].copy(), c[:, 1].copy(), codes, n_areas, index, param)
    if index == INDEX_EXPOSURE:
        x = c[:, 0].copy()
        y = c[:, 1].copy()
        t = x + y + c[:, 2]
        return _c.exposure(x, y, t, codes, n_areas)
    if index == INDEX_MULTIGROUP_DISSIMILARITY:
        return _c.multigroup_dissimilarity(c, codes, n_areas)
    if index == INDEX_MUTUAL_INFORMATION:
        return _c.mutual_information(c, codes, n_areas)
    return _c.entropy_index(c, codes, n_areas)


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


# Table parameters, one row per table: ints (first value, offset of the table in
# ``cdf``/``guide`` or -1 when it was not built, length, trials) and floats
# (P(X < first value), pmf at the first and at the last value, p).
_LO, _START, _SIZE, _TRIALS = 0, 1, 2, 3
_BELOW, _PMF_LO, _PMF_HI, _P = 0, 1, 2, 3
#: ``table[i]`` of a unit whose count cannot change (p is 0 or 1, or no people): it keeps its count.
KEEP = -1
#: Default tail mass left to each side of a table (drawn by walking the pmf instead).
TAIL = 1e-4
# Table draws take a uniform on the grid k / 2^53 as (a 2^26 + b) / 2^53, with a and b
# from np.random.randint(0, 2^27) and np.random.randint(0, 2^26): each compiles to one
# masked 32-bit Mersenne Twister output, and the pair takes about half the time of
# numba's np.random.random() (the same construction from the high bits) in the draw
# loop. The formula is written out where it is used: a call to a helper is not inlined.
_U53 = 1.1102230246251565e-16  # 2^-53
_U27 = 7.450580596923828e-09  # 2^-27


@jit
def _binomial_mode(n, q):
    """Mode of Binomial(n, q) and its pmf (by lgamma)."""
    m = min(n, int(np.floor((n + 1) * q)))
    log_pm = (
        math.lgamma(n + 1.0) - math.lgamma(m + 1.0) - math.lgamma(n - m + 1.0) + m * np.log(q) + (n - m) * np.log1p(-q)
    )
    return m, np.exp(log_pm)


@jit
def _binomial_span(n, q, tail):
    """``(a, b, P(X < a), pmf(a), pmf(b))``: the central part of Binomial(n, q), 0 < q < 1.

    Walks from the mode outwards; pmf ratios fall monotonically away from the
    mode, so the mass beyond ``x`` is at most ``pmf(x) r / (1 - r)`` (r the
    next ratio), and the walk stops once that bound is below ``tail``. The mass
    below ``a`` is then summed term by term until the terms no longer change it.
    """
    ratio = q / (1.0 - q)
    m, pm = _binomial_mode(n, q)
    a = m
    pa = pm
    while a > 0:
        r = a / ((n - a + 1.0) * ratio)  # pmf(a - 1) / pmf(a)
        if r < 1.0 and pa * r / (1.0 - r) <= tail:
            break
        pa = pa * r
        a -= 1
    b = m
    pb = pm
    while b < n:
        r = (n - b) * ratio / (b + 1.0)  # pmf(b + 1) / pmf(b)
        if r < 1.0 and pb * r / (1.0 - r) <= tail:
            break
        pb = pb * r
        b += 1
    below = 0.0
    pk = pa
    x = a
    while x > 0:
        pk = pk * x / ((n - x + 1.0) * ratio)
        x -= 1
        if below + pk == below:
            break
        below += pk
    return a, b, below, pa, pb


@jit
def binomial_tables(trials, p, budget, tail):
    """Inversion tables for Binomial(trials[j], p[j]), j = 0 .. m-1.

    Each table holds the cdf over the central values ``a .. b`` of its
    distribution, leaving out at most ``tail`` of the mass on each side; a
    draw that falls in a left-out tail (probability below ``2 tail``) is
    resolved exactly by walking the pmf outwards from the table's edge, so
    inversion stays exact (as exact as the floating-point cdf). Tables are laid
    end to end in ``cdf``, each followed by a sentinel 2.0, with a guide table
    (Chen & Asau 1974) at the same offsets in ``guide``. Building stops once
    ``budget`` entries are used; the remaining tables get ``start = -1`` (to be
    drawn with ``np.random.binomial``). A table with ``p`` 0 or 1 (or no
    trials) has one value.

    Returns ``(ints, floats, cdf, guide)``: row j of ``ints`` is ``(a, start,
    size, trials)`` and of ``floats`` ``(P(X < a), pmf(a), pmf(b), p)`` with
    ``b = a + size - 1``; ``cdf[start + k] = P(X <= a + k)`` for ``k < size``.
    """
    m = trials.shape[0]
    ints = np.zeros((m, 4), dtype=np.int64)
    floats = np.zeros((m, 4))
    total = 0
    for j in range(m):
        n = trials[j]
        q = p[j]
        ints[j, _TRIALS] = n
        floats[j, _P] = q
        ints[j, _START] = -1
        if n <= 0 or q <= 0.0 or q >= 1.0:
            ints[j, _LO] = 0 if q <= 0.0 else max(n, 0)
            ints[j, _SIZE] = 1
            floats[j, _PMF_LO] = 1.0
            floats[j, _PMF_HI] = 1.0
        else:
            a, b, below, pa, pb = _binomial_span(n, q, tail)
            ints[j, _LO] = a
            ints[j, _SIZE] = b - a + 1
            floats[j, _BELOW] = below
            floats[j, _PMF_LO] = pa
            floats[j, _PMF_HI] = pb
        L = ints[j, _SIZE] + 1
        if total + L <= budget:
            ints[j, _START] = total
            total += L
    cdf = np.empty(total)
    guide = np.empty(total, dtype=np.int32)
    for j in range(m):
        s0 = ints[j, _START]
        if s0 < 0:
            continue
        n = ints[j, _TRIALS]
        q = floats[j, _P]
        L = ints[j, _SIZE]
        if n <= 0 or q <= 0.0 or q >= 1.0:
            cdf[s0] = 1.0
        else:
            a = ints[j, _LO]
            ratio = q / (1.0 - q)
            pk = floats[j, _PMF_LO]
            acc = floats[j, _BELOW]
            for k in range(L):
                acc += pk
                cdf[s0 + k] = acc
                x = a + k
                pk = pk * (n - x) / (x + 1.0) * ratio
        cdf[s0 + L] = 2.0  # sentinel: every uniform is below it
        k = 0
        for i in range(L):
            threshold = i / L
            while cdf[s0 + k] <= threshold:
                k += 1
            guide[s0 + i] = k
        guide[s0 + L] = L
    return ints, floats, cdf, guide


@jit
def _tails(u, k, j, ints, floats, cdf):
    """The draw when the table search stopped at an edge (``k`` is 0 or ``size``).

    ``k = 0``: the value is ``a`` unless ``u < P(X < a)``; then walk the pmf
    down from ``a``. ``k = size``: ``u >= P(X <= b)``; walk the pmf up from ``b``.
    """
    n = ints[j, _TRIALS]
    q = floats[j, _P]
    a = ints[j, _LO]
    L = ints[j, _SIZE]
    if k == 0:
        c = floats[j, _BELOW]  # P(X <= x - 1) with x = a
        if u >= c:
            return a
        ratio = q / (1.0 - q)
        x = a
        pk = floats[j, _PMF_LO]
        while x > 0:
            pk = pk * x / ((n - x + 1.0) * ratio)  # pmf(x - 1)
            x -= 1
            c -= pk  # P(X <= x - 1)
            if u >= c:
                return x
        return 0
    ratio = q / (1.0 - q)
    x = a + L - 1
    pk = floats[j, _PMF_HI]
    c = cdf[ints[j, _START] + L - 1]
    while x < n:
        pk = pk * (n - x) / (x + 1.0) * ratio
        x += 1
        c += pk
        if u < c:
            return x
    return n


@jit
def draw_binomial(j, ints, floats, cdf, guide):
    """One Binomial(trials[j], p[j]) draw by inversion on table ``j`` (exact tails).

    The table must have been built (``start >= 0``).
    """
    s0 = ints[j, _START]
    L = ints[j, _SIZE]
    u = (np.random.randint(0, 134217728) * 67108864.0 + np.random.randint(0, 67108864)) * _U53
    k = guide[s0 + int(u * L)]
    k += cdf[s0 + k] <= u  # one step without a branch: most searches end here
    while cdf[s0 + k] <= u:
        k += 1
    if k == 0 or k == L:
        return _tails(u, k, j, ints, floats, cdf)
    return ints[j, _LO] + k


@jit
def draw_unit(src, i, j, ints, floats, cdf, guide):
    """First-column draw of unit ``i`` with table code ``j``.

    ``j >= 0``: table j; :data:`KEEP`: the unit keeps its count; ``-2 - j``
    for a table that was not built (past the budget): ``np.random.binomial``.
    """
    if j >= 0:
        return draw_binomial(j, ints, floats, cdf, guide)
    if j == KEEP:
        return src[i, 0]
    return _unbuilt(j, ints, floats)


@jit
def _unbuilt(j, ints, floats):
    """A draw for table code ``j < -1`` (table ``-2 - j``, not built): ``np.random.binomial``."""
    j = -2 - j
    return np.random.binomial(ints[j, _TRIALS], floats[j, _P])


@jit
def fill(src, probs, codes, n_areas, mode, out, tables):
    """Redraw ``src`` (int64 units × columns) into ``out`` (float) by ``mode``.

    With two columns (not hypergeometric) and a unit → table map ``tables[0]``
    covering every unit, each unit draws its first column from its table (see
    :func:`binomial_tables`). With more columns under random allocation and
    column tables (``tables[0]`` then maps area and column to a first table,
    see :func:`_fill_columns`), by conditional binomials from the tables;
    otherwise by conditional binomials from ``np.random.binomial``.
    """
    n, K = src.shape
    single = codes.shape[0] == 0
    table, ints, floats, cdf, guide = tables
    if K == 2 and mode != MODE_HYPERGEOMETRIC and table.shape[0] == n:
        for i in range(n):
            t = src[i, 0] + src[i, 1]
            j = table[i]
            x = draw_unit(src, i, j, ints, floats, cdf, guide)
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
    if mode == MODE_MULTINOMIAL and table.shape[0] > 0:
        _fill_columns(src, probs, codes, out, table, ints, floats, cdf, guide)
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
def _fill_columns(src, probs, codes, out, base, ints, floats, cdf, guide):
    """Random allocation with more than two columns, by conditional binomials drawn from tables.

    Unit i of area a draws column g from Binomial(left, q) with ``left`` the
    people not yet placed and ``q = P[a, g] / (1 - P[a, 0] - ... - P[a, g-1])``
    (the same conditional probabilities as :func:`_multinomial_row`).
    ``base[a * (K - 1) + g]`` is the table of Binomial(1, q) (the tables of
    ``n = 1, 2, ...`` follow it), or -1 when none was built for that column
    (then ``np.random.binomial``). Kept apart from :func:`_multinomial_row`:
    one function for both measured about 1.5 times slower here.
    """
    n, K = src.shape
    single = codes.shape[0] == 0
    for i in range(n):
        a = 0 if single else codes[i]
        left = 0
        for g in range(K):
            left += src[i, g]
        mass = 1.0
        for g in range(K - 1):
            pg = probs[a, g]
            if left <= 0 or pg <= 0.0:
                out[i, g] = 0.0
                mass -= pg
                continue
            q = pg / mass if mass > 0.0 else 1.0
            if q >= 1.0:
                h = left
            else:
                b = base[a * (K - 1) + g]
                if b >= 0:
                    j = b + left - 1
                    if ints[j, _START] >= 0:
                        h = draw_binomial(j, ints, floats, cdf, guide)
                    else:
                        h = np.random.binomial(left, q)
                else:
                    h = np.random.binomial(left, q)
            out[i, g] = h
            left -= h
            mass -= pg
        out[i, K - 1] = left


@jit
def draw_table(src, probs, codes, n_areas, mode, tables, seed):
    """One redrawn table (float, units × columns) for ``seed``, drawn as :func:`draws_serial` draws it.

    For indices computed outside the kernels (the spatial indices): the
    caller recomputes the index on each table.
    """
    np.random.seed(seed)
    out = np.empty(src.shape)
    fill(src, probs, codes, n_areas, mode, out, tables)
    return out


@jit
def pair_statistic(x, y, codes, n_areas, index, param):
    """A two-column index (D, Gini, Atkinson, isolation, exposure, η²) on the columns ``x`` and ``y``.

    For isolation and η² ``y`` is the rest of the unit (``t = x + y``); for
    exposure on two columns, exposure to the rest of the unit.
    """
    t = x + y
    if index == INDEX_DISSIMILARITY:
        return _c.dissimilarity(x, y, t, codes, n_areas)
    if index == INDEX_GINI:
        return _c.gini(x, y, t, codes, n_areas)
    if index == INDEX_ATKINSON:
        return _c.atkinson(x, y, t, codes, n_areas, param)
    if index == INDEX_ISOLATION:
        return _c.isolation(x, y, t, codes, n_areas)
    if index == INDEX_EXPOSURE:
        return _c.exposure(x, y, t, codes, n_areas)
    return _c.correlation_ratio(x, y, t, codes, n_areas)


@jit
def dissimilarity_from_sums(x, y, X, Y, codes, n_areas):
    """D per area given the area sums ``X``, ``Y`` of whole-number columns ``x``, ``y``.

    Sums of whole numbers below 2^53 are exact in any order, so these are the
    sums :func:`segindex._kernels.twogroup.dissimilarity` takes, and the rest
    is its arithmetic in its order (one running sum per area, units in order):
    the same numbers, bit for bit (a test holds the two together).
    """
    single = codes.shape[0] == 0
    iX = np.zeros(n_areas)
    iY = np.zeros(n_areas)
    for a in range(n_areas):
        if X[a] > 0.0:
            iX[a] = 1.0 / X[a]
        if Y[a] > 0.0:
            iY[a] = 1.0 / Y[a]
    out = np.zeros(n_areas)
    if single:
        ix = iX[0]
        iy = iY[0]
        s = 0.0
        for i in range(x.shape[0]):
            s += abs(x[i] * ix - y[i] * iy)
        out[0] = s
    else:
        for i in range(x.shape[0]):
            a = codes[i]
            out[a] += abs(x[i] * iX[a] - y[i] * iY[a])
    for a in range(n_areas):
        if X[a] > 0.0 and Y[a] > 0.0:
            out[a] *= 0.5
        else:
            out[a] = np.nan
    return out


def is_pair(index, n_columns=2):
    """Whether :func:`pair_statistic` computes ``index`` on a table of ``n_columns`` columns (plain Python)."""
    pair = (INDEX_DISSIMILARITY, INDEX_GINI, INDEX_ATKINSON, INDEX_ISOLATION, INDEX_CORRELATION_RATIO)
    return n_columns == 2 and (index in pair or index == INDEX_EXPOSURE)


@jit
def _pair_fill(src, codes, n_areas, tables, seed, x, y, X, Y, sums):
    """One draw into the buffers ``x``, ``y``: x_i from unit i's table; with ``sums``, area sums in ``X``, ``Y``."""
    np.random.seed(seed)
    table, ints, floats, cdf, guide = tables
    single = codes.shape[0] == 0
    sx = 0
    sy = 0
    if sums:
        for a in range(n_areas):
            X[a] = 0.0
            Y[a] = 0.0
    for i in range(src.shape[0]):
        j = table[i]
        if j >= 0:  # draw_binomial, written out: this loop is the hot path
            s0 = ints[j, _START]
            L = ints[j, _SIZE]
            # u = (a 2^26 + b) / 2^53 (see _U53), b drawn only when the 27 bits of a leave the
            # value open: first search with u's lower bound a / 2^27
            u = np.random.randint(0, 134217728) * _U27
            k = guide[s0 + int(u * L)]
            k += cdf[s0 + k] <= u  # one step without a branch: most searches end here
            while cdf[s0 + k] <= u:
                k += 1
            if k == 0 or k == L or cdf[s0 + k] < u + _U27:
                u += np.random.randint(0, 67108864) * _U53
                while cdf[s0 + k] <= u:
                    k += 1
                if k == 0 or k == L:
                    xi = _tails(u, k, j, ints, floats, cdf)
                else:
                    xi = ints[j, _LO] + k
            else:
                xi = ints[j, _LO] + k
        elif j == KEEP:
            xi = src[i, 0]
        else:
            xi = _unbuilt(j, ints, floats)
        yi = src[i, 0] + src[i, 1] - xi
        x[i] = xi
        y[i] = yi
        if sums:
            if single:
                sx += xi
                sy += yi
            else:
                X[codes[i]] += xi
                Y[codes[i]] += yi
    if sums and single:
        X[0] = sx
        Y[0] = sy


@jit
def _pair_draw(src, codes, n_areas, indices, params, tables, seed, x, y, X, Y, out, d):
    """Draw ``d``: one redrawn ``[x, y]`` table, then every index of ``indices`` on it (``out[d, k, a]``)."""
    sums = False
    for k in range(indices.shape[0]):
        if indices[k] == INDEX_DISSIMILARITY:
            sums = True
    _pair_fill(src, codes, n_areas, tables, seed, x, y, X, Y, sums)
    for k in range(indices.shape[0]):
        index = indices[k]
        if index == INDEX_DISSIMILARITY:  # the area sums were taken while drawing
            values = dissimilarity_from_sums(x, y, X, Y, codes, n_areas)
        else:
            values = pair_statistic(x, y, codes, n_areas, index, params[k])
        for a in range(n_areas):
            out[d, k, a] = values[a]


_PAIR_CHUNK = 8


@jit(parallel=True)
def pair_draws_parallel(src, codes, n_areas, indices, params, tables, seeds, out):
    """As :func:`draws_parallel` for the two-column indices, with every unit on a table.

    Draws run in parallel in chunks of a few, each chunk with its own
    buffers (one allocation per chunk, not per draw); every draw is seeded by
    its own seed, so the chunking changes nothing. Each redrawn table serves
    every index of ``indices`` (with the parameters ``params``).
    """
    R = seeds.shape[0]
    n = src.shape[0]
    n_chunks = (R + _PAIR_CHUNK - 1) // _PAIR_CHUNK
    for c in prange(n_chunks):
        x = np.empty(n)
        y = np.empty(n)
        X = np.zeros(n_areas)
        Y = np.zeros(n_areas)
        for d in range(c * _PAIR_CHUNK, min(R, (c + 1) * _PAIR_CHUNK)):
            _pair_draw(src, codes, n_areas, indices, params, tables, seeds[d], x, y, X, Y, out, d)


@jit
def pair_draws_serial(src, codes, n_areas, indices, params, tables, seeds, out):
    """As :func:`pair_draws_parallel`, on one thread (same numbers)."""
    n = src.shape[0]
    x = np.empty(n)
    y = np.empty(n)
    X = np.zeros(n_areas)
    Y = np.zeros(n_areas)
    for d in range(seeds.shape[0]):
        _pair_draw(src, codes, n_areas, indices, params, tables, seeds[d], x, y, X, Y, out, d)


@jit
def _one_draw(src, probs, codes, n_areas, mode, indices, params, tables, seed, out, d):
    np.random.seed(seed)
    buf = np.empty(src.shape)
    fill(src, probs, codes, n_areas, mode, buf, tables)
    for k in range(indices.shape[0]):
        values = statistic(buf, codes, n_areas, indices[k], params[k])
        for a in range(n_areas):
            out[d, k, a] = values[a]


@jit(parallel=True)
def draws_parallel(src, probs, codes, n_areas, mode, indices, params, tables, seeds, out):
    """Fill ``out[d, k, a]`` with index ``indices[k]`` of draw ``d`` in area ``a``, draws in parallel.

    Each draw redraws the table once and computes every index of
    ``indices`` on it (index ``k`` with the parameter ``params[k]``).
    ``tables`` is ``(table, ints, floats, cdf, guide)``: the unit → table map
    (:data:`KEEP` for a unit that keeps its count) and the output of
    :func:`binomial_tables` (an empty ``table`` for none).
    """
    for d in prange(seeds.shape[0]):
        _one_draw(src, probs, codes, n_areas, mode, indices, params, tables, seeds[d], out, d)


@jit
def draws_serial(src, probs, codes, n_areas, mode, indices, params, tables, seeds, out):
    """As :func:`draws_parallel`, on one thread (same numbers)."""
    for d in range(seeds.shape[0]):
        _one_draw(src, probs, codes, n_areas, mode, indices, params, tables, seeds[d], out, d)
