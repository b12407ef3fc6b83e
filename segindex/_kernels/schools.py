"""Kernels of the nearest-school counterfactual.

Arrays in, arrays out. ``demand[u]`` is the number of people of residential
unit ``u`` still to be placed; ``composition[u, g]`` the share of group ``g``
among them; ``spare[s]`` the places left at school ``s``. Pairs are processed in
the order given (increasing distance, ties by unit then school): each pair
moves ``min(demand[u], spare[s])`` people, in the unit's composition.
"""

import numpy as np

from ._jit import jit


@jit
def fill_pairs(pair_unit, pair_school, demand, spare, composition, out):
    """Fill schools from (unit, school) pairs in the given order, in place.

    ``demand``, ``spare`` and ``out`` (schools × groups) are updated. Returns
    the number of pairs that moved anyone.
    """
    moved = 0
    n_groups = composition.shape[1]
    for j in range(pair_unit.shape[0]):
        u = pair_unit[j]
        s = pair_school[j]
        want = demand[u]
        room = spare[s]
        if want <= 0.0 or room <= 0.0:
            continue
        amount = want if want < room else room
        if amount == want:
            demand[u] = 0.0
        else:
            demand[u] = want - amount
        if amount == room:
            spare[s] = 0.0
        else:
            spare[s] = room - amount
        for g in range(n_groups):
            out[s, g] += amount * composition[u, g]
        moved += 1
    return moved


@jit
def scatter_rows(rows, weights, values, n_rows):
    """``out[rows[j], :] += weights[j] * values[j // k, :]`` with ``k = len(rows) // len(values)``.

    Adds each unit's counts (scaled by a per-pair weight) to the rows of the
    schools it is allocated to. ``rows`` has ``n_units * k`` entries, unit-major;
    a row of ``-1`` (no school within reach) is skipped.
    """
    n_units = values.shape[0]
    n_groups = values.shape[1]
    out = np.zeros((n_rows, n_groups))
    if n_units == 0:
        return out
    k = rows.shape[0] // n_units
    for j in range(rows.shape[0]):
        r = rows[j]
        if r < 0:
            continue
        w = weights[j]
        u = j // k
        for g in range(n_groups):
            out[r, g] += w * values[u, g]
    return out


@jit
def neighbourhood_sums(neighbours, offsets, x, t):
    """Sums of ``x`` and ``t`` over each school's neighbour list (CSR layout)."""
    n = offsets.shape[0] - 1
    sx = np.zeros(n)
    st = np.zeros(n)
    for s in range(n):
        a = 0.0
        b = 0.0
        for j in range(offsets[s], offsets[s + 1]):
            i = neighbours[j]
            a += x[i]
            b += t[i]
        sx[s] = a
        st[s] = b
    return sx, st
