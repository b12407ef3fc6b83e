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

    With a unit → table map ``tables[0]`` covering every unit (random
    allocation or the bootstrap), each unit draws its first column (two
    columns), or the people outside its last column (more columns, see
    :func:`_fill_split`), from its table (see :func:`binomial_tables`);
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
    if K > 2 and mode != MODE_HYPERGEOMETRIC and table.shape[0] >= n:
        _fill_split(src, probs, codes, mode, out, tables)
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


#: Up to this many people are split among the columns one by one (one uniform each), more by binomials.
_SPLIT_ONE_BY_ONE = 40
#: Random allocation splits up to this many people by tables of Binomial(n, q) per area and column.
SPLIT_TABLE_TRIALS = 64


@jit
def _split_one_by_one(s, w, cum, out, i):
    """``out[i, :K-1]`` ~ Multinomial(s, w / sum(w)), one person at a time.

    Each person goes to the first column g with ``u < cum[g]`` (``cum`` the
    running shares, the last exactly 1), for a uniform ``u`` on the grid
    ``k / 2^53``: first its upper 27 bits, the lower 26 drawn only when a
    threshold falls within the 2^-27 the upper bits leave open (as in the
    table draws), so the column probabilities are those of a 53-bit uniform.
    """
    m = w.shape[0]
    total = 0.0
    for g in range(m):
        total += w[g]
        out[i, g] = 0.0
    if s <= 0 or total <= 0.0:
        return
    acc = 0.0
    for g in range(m):
        acc += w[g]
        cum[g] = acc / total
    last = m - 1
    while last > 0 and w[last] <= 0.0:
        last -= 1
    cum[last] = 1.0
    for _ in range(s):
        u = np.random.randint(0, 134217728) * _U27
        g = 0
        while g < last and cum[g] <= u:
            g += 1
        if g < last and cum[g] < u + _U27:  # the threshold lies within the bits not drawn
            u += np.random.randint(0, 67108864) * _U53
            while g < last and cum[g] <= u:
                g += 1
        out[i, g] += 1.0


@jit
def _fill_split(src, probs, codes, mode, out, tables):
    """Random allocation or the bootstrap with more than two columns: the last column first, then the split.

    A multinomial row is drawn in two steps: the people outside the last
    column, ``s ~ Binomial(t_i, 1 - w_last)``, from unit i's table (built on
    the two-column table ``[first K - 1 columns, last]``, every unit first, as
    the two-column draws draw them), then ``s`` split
    among the first ``K - 1`` columns by conditional binomials, column g
    with ``q = w_g / (w_g + ... + w_{K-2})``; ``w`` the area's column shares
    (random allocation) or the unit's own counts (the bootstrap). The same
    multinomial as :func:`_multinomial_row`, by another order of conditioning:
    with the largest group last (the rest of the population, with a total),
    most units draw one table value and split few people. Under random
    allocation ``q`` is the area's, and ``tables[0][n + a (K - 1) + g]``
    (after the n units' codes) is the table of Binomial(1, q) for area a and
    column g, followed by those of n = 2 .. :data:`SPLIT_TABLE_TRIALS` (-1:
    none); more people, or a table past the budget, draw with
    ``np.random.binomial``. In the bootstrap (no such tables) up to
    ``_SPLIT_ONE_BY_ONE`` people are split one by one (see
    :func:`_split_one_by_one`), faster than the binomials there.
    """
    n, K = src.shape
    single = codes.shape[0] == 0
    pair = np.empty((n, 2), dtype=np.int64)  # [people outside the last column, last column]
    for i in range(n):
        first = 0
        for g in range(K - 1):
            first += src[i, g]
        pair[i, 0] = first
        pair[i, 1] = src[i, K - 1]
    outside = np.empty(n)
    last_column = np.empty(n)
    _pair_body(pair, codes, 1, tables, outside, last_column, outside[:0], outside[:0], False)
    table, ints, floats, cdf, guide = tables
    base = table[n:]  # random allocation: the first split table of each area and column (see above)
    split_tables = base.shape[0] > 0
    w = np.empty(K - 1)
    cum = np.empty(K - 1)
    for i in range(n):
        s = int(outside[i])
        out[i, K - 1] = last_column[i]
        a = 0 if single else codes[i]
        for g in range(K - 1):
            w[g] = src[i, g] if mode == MODE_BOOTSTRAP else probs[a, g]
        if not split_tables and s <= _SPLIT_ONE_BY_ONE:
            _split_one_by_one(s, w, cum, out, i)
            continue
        left = s
        for g in range(K - 1):
            if left <= 0 or w[g] <= 0.0:
                out[i, g] = 0.0
                continue
            mass = 0.0  # summed afresh: exactly w_g (q = 1) once the other weights left are 0
            for h in range(g, K - 1):
                mass += w[h]
            q = w[g] / mass
            if q >= 1.0:
                x = left
            else:
                j = -1
                if split_tables and left <= SPLIT_TABLE_TRIALS:
                    first = base[a * (K - 1) + g]
                    if first >= 0 and ints[first + left - 1, _START] >= 0:
                        j = first + left - 1
                if j >= 0:
                    x = _table_value(j, ints, floats, cdf, guide)
                else:
                    x = np.random.binomial(left, q)
            out[i, g] = x
            left -= x


@jit
def _table_value(j, ints, floats, cdf, guide):
    """A draw from built table ``j`` with the lower 26 bits of the uniform drawn only when needed (as in the pairs)."""
    s0 = ints[j, _START]
    L = ints[j, _SIZE]
    u = np.random.randint(0, 134217728) * _U27
    k = guide[s0 + int(u * L)]
    while cdf[s0 + k] <= u:
        k += 1
    if k == 0 or k == L or cdf[s0 + k] < u + _U27:
        u += np.random.randint(0, 67108864) * _U53
        while cdf[s0 + k] <= u:
            k += 1
        if k == 0 or k == L:
            return _tails(u, k, j, ints, floats, cdf)
    return ints[j, _LO] + k


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
    _pair_body(src, codes, n_areas, tables, x, y, X, Y, sums)


@jit
def _pair_body(src, codes, n_areas, tables, x, y, X, Y, sums):
    """:func:`_pair_fill` after the seeding: every unit on a table (or kept, or past the budget)."""
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
def _pair_fused(x, y, X, Y, codes, n_areas, indices, params, out, d, columns, column):
    """D, Atkinson, isolation, exposure and η² of ``indices`` in one pass over the units (several areas).

    The same sums in the same order as their own kernels (one running sum
    per area, units in order; ``X``, ``Y`` the area sums of whole numbers),
    so the same numbers, bit for bit (a test holds them together). Fills
    ``out[d, k]`` for the first index of each of these codes among those with
    ``columns[k] == column``; returns which were filled.
    """
    n = x.shape[0]
    m = indices.shape[0]
    filled = np.zeros(m, dtype=np.bool_)
    kd = -1
    ka = -1
    ki = -1
    ke = -1
    kc = -1
    for k in range(m):
        c = indices[k]
        if columns[k] != column:
            continue
        if c == INDEX_DISSIMILARITY and kd < 0:
            kd = k
        elif c == INDEX_ATKINSON and ka < 0:
            ka = k
        elif c == INDEX_ISOLATION and ki < 0:
            ki = k
        elif c == INDEX_EXPOSURE and ke < 0:
            ke = k
        elif c == INDEX_CORRELATION_RATIO and kc < 0:
            kc = k
    b = params[ka] if ka >= 0 else 0.5
    iX = np.zeros(n_areas)
    iY = np.zeros(n_areas)
    for a in range(n_areas):
        if X[a] > 0.0:
            iX[a] = 1.0 / X[a]
        if Y[a] > 0.0:
            iY[a] = 1.0 / Y[a]
    dsum = np.zeros(n_areas)
    asum = np.zeros(n_areas)
    isum = np.zeros(n_areas)
    esum = np.zeros(n_areas)
    T = np.zeros(n_areas)
    want_d = kd >= 0
    want_a = ka >= 0
    want_i = ki >= 0 or kc >= 0
    want_e = ke >= 0
    want_t = want_i or want_e
    for i in range(n):
        a = codes[i]
        xi = x[i]
        yi = y[i]
        ti = xi + yi
        if want_d:
            dsum[a] += abs(xi * iX[a] - yi * iY[a])
        if want_a and xi > 0.0 and yi > 0.0:
            asum[a] += np.sqrt(xi * yi) if b == 0.5 else yi * (xi / yi) ** b
        if want_t:
            T[a] += ti
            if ti > 0.0:
                if want_i:
                    isum[a] += xi * xi / ti
                if want_e:
                    esum[a] += xi * yi / ti
    for a in range(n_areas):
        if want_d:
            out[d, kd, a] = dsum[a] * 0.5 if X[a] > 0.0 and Y[a] > 0.0 else np.nan
        if want_a:
            Ta = X[a] + Y[a]
            if X[a] > 0.0 and Y[a] > 0.0:
                P = X[a] / Ta
                out[d, ka, a] = 1.0 - P / (1.0 - P) * abs(asum[a] / (P * Ta)) ** (1.0 / (1.0 - b))
            else:
                out[d, ka, a] = np.nan
        if want_i:
            isum[a] = isum[a] / X[a] if X[a] > 0.0 else np.nan
        if want_e:
            out[d, ke, a] = esum[a] / X[a] if X[a] > 0.0 else np.nan
    if ki >= 0:
        for a in range(n_areas):
            out[d, ki, a] = isum[a]
        filled[ki] = True
    if kc >= 0:
        eta = _c.eta_squared(isum, X, T)
        for a in range(n_areas):
            out[d, kc, a] = eta[a]
        filled[kc] = True
    if kd >= 0:
        filled[kd] = True
    if ka >= 0:
        filled[ka] = True
    if ke >= 0:
        filled[ke] = True
    return filled


def share_key_bits(largest_total):
    """Bits of the share keys :func:`share_order` needs for units of at most ``largest_total`` people; 0: none do.

    Two different shares ``x/t`` and ``x'/t'`` with ``t, t' <= N`` differ by at
    least ``1/N^2``, and by more than ``1/N^2 - 2^-52`` once rounded, which is
    at least ``2^-K`` for ``K = ceil(2 log2 N) + 1`` (while ``N^2 <= 2^51``): so
    ``floor(p 2^K)`` tells every two different shares apart, and equal shares
    (the same rational, so the same rounded quotient) have equal keys.
    """
    n = max(int(largest_total), 1)
    k = 2 * (n - 1).bit_length() + 1  # ceil(2 log2 n) + 1 (at least)
    return k if k <= 51 else 0


@jit
def share_order(p, key_bits):
    """The order of a stable sort of the shares ``p`` (in [0, 1]) by their ``key_bits``-bit keys ``floor(p 2^K)``.

    With ``key_bits`` from :func:`share_key_bits` the keys order the shares as
    the shares themselves, ties (equal shares) in index order: the permutation
    of :func:`segindex._kernels.twogroup.argsort_nonnegative`, in fewer passes
    (a least-significant-digit radix sort on digits of at most 11 bits). The
    units with a share of 0 (key 0: a positive share has a key of at least
    1) come first in index order and are left out of the passes.
    """
    n = p.shape[0]
    scale = 2.0**key_bits
    keys = np.empty(n, dtype=np.int64)
    zeros = 0
    for i in range(n):
        keys[i] = np.int64(p[i] * scale)
        if keys[i] == 0:
            zeros += 1
    out = np.empty(n, dtype=np.int64)
    m = n - zeros
    order = np.empty(m, dtype=np.int64)
    z = 0
    j = 0
    for i in range(n):
        if keys[i] == 0:
            out[z] = i
            z += 1
        else:
            order[j] = i
            j += 1
    passes = (key_bits + 1 + 10) // 11
    bits = (key_bits + 1 + passes - 1) // passes
    size = 1 << bits
    mask = size - 1
    spare = np.empty(m, dtype=np.int64)
    counts = np.zeros(size + 1, dtype=np.int64)
    for d in range(passes):
        shift = d * bits
        counts[:] = 0
        for j in range(m):
            counts[((keys[order[j]] >> shift) & mask) + 1] += 1
        if m == 0 or counts[((keys[order[0]] >> shift) & mask) + 1] == m:
            continue  # one bucket holds every key: the pass would change nothing
        for b in range(size):
            counts[b + 1] += counts[b]
        for j in range(m):
            i = order[j]
            b = (keys[i] >> shift) & mask
            spare[counts[b]] = i
            counts[b] += 1
        order, spare = spare, order
    for j in range(m):
        out[zeros + j] = order[j]
    return out


@jit
def _gini_keyed(x, y, codes, n_areas, key_bits):
    """The Gini of :func:`segindex._kernels.twogroup.gini`, sorting by share keys (same permutation, same numbers).

    The sums of :func:`segindex._kernels.twogroup.gini_sorted` in its order.
    The units with a share of 0 come first in each area (in index order) and
    only add their size to the running total ``W`` (their term is
    ``t_i (0 W - 0) = 0``), so they are not regrouped; the others are
    regrouped by area, keeping their order, and summed as there.
    """
    p = _kt.shares(x, y)
    order = share_order(p, key_bits)
    n = x.shape[0]
    single = codes.shape[0] == 0
    zeros = 0
    while zeros < n and p[order[zeros]] == 0.0:
        zeros += 1
    W = np.zeros(n_areas)
    S = np.zeros(n_areas)
    acc = np.zeros(n_areas)
    for j in range(zeros):
        i = order[j]
        ti = x[i] + y[i]
        if ti > 0.0:
            a = 0 if single else codes[i]
            W[a] += ti
    m = n - zeros
    grouped = order[zeros:]
    if not single:
        start = np.zeros(n_areas + 1, dtype=np.int64)
        for j in range(zeros, n):
            start[codes[order[j]] + 1] += 1
        for a in range(n_areas):
            start[a + 1] += start[a]
        grouped = np.empty(m, dtype=np.int64)
        for j in range(zeros, n):
            i = order[j]
            a = codes[i]
            grouped[start[a]] = i
            start[a] += 1
    for j in range(m):
        i = grouped[j]
        a = 0 if single else codes[i]
        ti = x[i] + y[i]
        if ti > 0.0:
            acc[a] += ti * (p[i] * W[a] - S[a])
            W[a] += ti
            S[a] += x[i]
    X = _kt.area_sums(x, codes, n_areas)
    Y = _kt.area_sums(y, codes, n_areas)
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
def _pair_draw(src, codes, n_areas, indices, params, tables, seed, x, y, X, Y, out, d, key_bits):
    """Draw ``d``: one redrawn ``[x, y]`` table, then every index of ``indices`` on it (``out[d, k, a]``).

    With several indices and several areas, those that are sums over units
    are taken in one pass (:func:`_pair_fused`); the others one by one.
    """
    fused = indices.shape[0] > 1 and codes.shape[0] > 0
    sums = fused
    for k in range(indices.shape[0]):
        if indices[k] == INDEX_DISSIMILARITY:
            sums = True
    _pair_fill(src, codes, n_areas, tables, seed, x, y, X, Y, sums)
    _pair_values(x, y, X, Y, codes, n_areas, indices, params, np.zeros(indices.shape[0], np.int64), 0, out, d, key_bits)


@jit
def _pair_values(x, y, X, Y, codes, n_areas, indices, params, columns, column, out, d, key_bits):
    """Every index ``k`` with ``columns[k] == column`` on the table ``[x, y]`` (``X``, ``Y`` its area sums).

    With several indices and several areas, those that are sums over units
    are taken in one pass (:func:`_pair_fused`); the others one by one.
    """
    fused = indices.shape[0] > 1 and codes.shape[0] > 0
    if fused:
        filled = _pair_fused(x, y, X, Y, codes, n_areas, indices, params, out, d, columns, column)
    else:
        filled = np.zeros(indices.shape[0], dtype=np.bool_)
    for k in range(indices.shape[0]):
        if filled[k] or columns[k] != column:
            continue
        index = indices[k]
        if index == INDEX_DISSIMILARITY:  # the area sums were taken while drawing
            values = dissimilarity_from_sums(x, y, X, Y, codes, n_areas)
        elif index == INDEX_GINI and key_bits > 0:
            values = _gini_keyed(x, y, codes, n_areas, key_bits)
        else:
            values = pair_statistic(x, y, codes, n_areas, index, params[k])
        for a in range(n_areas):
            out[d, k, a] = values[a]


_PAIR_CHUNK = 8


@jit
def _key_bits(src):
    """:func:`share_key_bits` for the largest unit (row sum) of a table (numba's copy of the rule)."""
    largest = 0
    for i in range(src.shape[0]):
        row = 0
        for g in range(src.shape[1]):
            row += src[i, g]
        largest = max(largest, row)
    n = max(largest, 1) - 1
    bits = 0
    while n > 0:
        bits += 1
        n >>= 1
    k = 2 * bits + 1
    return k if k <= 51 else 0


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
    key_bits = _key_bits(src)
    for c in prange(n_chunks):
        x = np.empty(n)
        y = np.empty(n)
        X = np.zeros(n_areas)
        Y = np.zeros(n_areas)
        for d in range(c * _PAIR_CHUNK, min(R, (c + 1) * _PAIR_CHUNK)):
            _pair_draw(src, codes, n_areas, indices, params, tables, seeds[d], x, y, X, Y, out, d, key_bits)


@jit
def pair_draws_serial(src, codes, n_areas, indices, params, tables, seeds, out):
    """As :func:`pair_draws_parallel`, on one thread (same numbers)."""
    n = src.shape[0]
    x = np.empty(n)
    y = np.empty(n)
    X = np.zeros(n_areas)
    Y = np.zeros(n_areas)
    key_bits = _key_bits(src)
    for d in range(seeds.shape[0]):
        _pair_draw(src, codes, n_areas, indices, params, tables, seeds[d], x, y, X, Y, out, d, key_bits)


@jit
def _one_draw(src, probs, codes, n_areas, mode, indices, params, columns, tables, seed, out, d, key_bits):
    np.random.seed(seed)
    buf = np.empty(src.shape)
    fill(src, probs, codes, n_areas, mode, buf, tables)
    both = 0  # H and M are both wanted: M (and E) once for the two, as entropy_index computes them
    for k in range(indices.shape[0]):
        if columns[k] < 0 and (indices[k] == INDEX_ENTROPY or indices[k] == INDEX_MUTUAL_INFORMATION):
            both += 1
    M = np.empty(0)
    E = np.empty(0)
    if both >= 2:
        M, E, _ = _km.mutual_information(buf, codes, n_areas)
    for k in range(indices.shape[0]):
        if columns[k] >= 0:
            continue
        if both >= 2 and indices[k] == INDEX_ENTROPY:
            values = _c.information_ratio(M, E)
        elif both >= 2 and indices[k] == INDEX_MUTUAL_INFORMATION:
            values = M
        else:
            values = statistic(buf, codes, n_areas, indices[k], params[k])
        for a in range(n_areas):
            out[d, k, a] = values[a]
    _column_values(buf, codes, n_areas, indices, params, columns, out, d, key_bits)


@jit
def _column_values(buf, codes, n_areas, indices, params, columns, out, d, key_bits):
    """The two-group indices on the columns of a redrawn table: index k on ``[col, row total - col]``.

    A column of a multinomial row is Binomial(t_i, w_g): the draw that
    random allocation or the bootstrap of that group against the rest of the
    unit makes; so one redrawn groups table serves each group's rows too.
    """
    n, K = buf.shape
    single = codes.shape[0] == 0
    x = np.empty(0)
    y = np.empty(0)
    rows = np.empty(0)
    X = np.zeros(n_areas)
    Y = np.zeros(n_areas)
    for g in range(K):
        wanted = False
        for k in range(indices.shape[0]):
            if columns[k] == g:
                wanted = True
        if not wanted:
            continue
        if x.shape[0] == 0:
            x = np.empty(n)
            y = np.empty(n)
            rows = np.empty(n)  # the row totals (whole numbers: exact in any order)
            for i in range(n):
                t = 0.0
                for h in range(K):
                    t += buf[i, h]
                rows[i] = t
        for a in range(n_areas):
            X[a] = 0.0
            Y[a] = 0.0
        for i in range(n):
            t = rows[i]
            xi = buf[i, g]
            x[i] = xi
            y[i] = t - xi
            a = 0 if single else codes[i]
            X[a] += xi
            Y[a] += t - xi
        _pair_values(x, y, X, Y, codes, n_areas, indices, params, columns, g, out, d, key_bits)


@jit(parallel=True)
def draws_parallel(src, probs, codes, n_areas, mode, indices, params, columns, tables, seeds, out):
    """Fill ``out[d, k, a]`` with index ``indices[k]`` of draw ``d`` in area ``a``, draws in parallel.

    Each draw redraws the table once and computes every index of
    ``indices`` on it (index ``k`` with the parameter ``params[k]``): on the
    whole table where ``columns[k] < 0``, else a two-group index of column
    ``columns[k]`` against the rest of the row (see :func:`_column_values`).
    ``tables`` is ``(table, ints, floats, cdf, guide)``: the unit → table map
    (:data:`KEEP` for a unit that keeps its count) and the output of
    :func:`binomial_tables` (an empty ``table`` for none).
    """
    key_bits = _key_bits(src)
    for d in prange(seeds.shape[0]):
        _one_draw(src, probs, codes, n_areas, mode, indices, params, columns, tables, seeds[d], out, d, key_bits)


@jit
def draws_serial(src, probs, codes, n_areas, mode, indices, params, columns, tables, seeds, out):
    """As :func:`draws_parallel`, on one thread (same numbers)."""
    key_bits = _key_bits(src)
    for d in range(seeds.shape[0]):
        _one_draw(src, probs, codes, n_areas, mode, indices, params, columns, tables, seeds[d], out, d, key_bits)
