"""Array-level computes of the registered indices (see :mod:`segindex.indices.registry`).

One function per index, written once and used everywhere: by the tidy table,
schools against neighbourhoods, the change decompositions, and (by their codes in
:mod:`segindex._kernels.random`) inside the draws of :func:`segindex.infer`.

Two-group computes take ``(x, y, t, codes, n_areas)``: the focal group's counts
``x``, the comparison's ``y`` (the rest of the unit, ``t - x``, when the
comparison is the rest of the population), the unit totals ``t`` (used by the
exposure family only), the area code of every unit (empty for one area) and the
number of areas; they return one float per area. Multigroup computes take
``(values, codes, n_areas)`` with ``values`` the units × groups matrix.
"""

import numpy as np

from . import multigroup as _km
from . import twogroup as _kt
from ._jit import jit


@jit
def eta_squared(iso, X, T):
    """η² = (isolation - P) / (1 - P), P = X / T, per area; NaN where the group is absent or everyone."""
    n = iso.shape[0]
    out = np.empty(n)
    for a in range(n):
        P = X[a] / T[a] if T[a] > 0.0 else np.nan
        if X[a] > 0.0 and P < 1.0:
            out[a] = (iso[a] - P) / (1.0 - P)
        else:
            out[a] = np.nan
    return out


@jit
def information_ratio(M, E):
    """Theil's H = M / E per area; NaN where the area's entropy E is 0 (one group only, or no people)."""
    n = M.shape[0]
    out = np.empty(n)
    for a in range(n):
        out[a] = M[a] / E[a] if E[a] > 0.0 else np.nan
    return out


@jit
def dissimilarity(x, y, t, codes, n_areas):
    """Index of dissimilarity D of ``x`` against ``y``."""
    return _kt.dissimilarity(x, y, codes, n_areas)


@jit
def gini(x, y, t, codes, n_areas):
    """Two-group Gini index of ``x`` against ``y``."""
    return _kt.gini(x, y, codes, n_areas)


@jit
def atkinson(x, y, t, codes, n_areas, b=0.5):
    """Atkinson index A(b) of ``x`` against ``y``."""
    return _kt.atkinson(x, y, b, codes, n_areas)


@jit
def isolation(x, y, t, codes, n_areas):
    """Isolation of ``x`` in units of size ``t`` (``y`` is not used)."""
    return _kt.exposure(x, x, t, codes, n_areas)[0]


@jit
def exposure(x, y, t, codes, n_areas):
    """Exposure of ``x`` to ``y`` in units of size ``t``."""
    return _kt.exposure(x, y, t, codes, n_areas)[0]


@jit
def correlation_ratio(x, y, t, codes, n_areas):
    """Correlation ratio η² of ``x`` in units of size ``t`` (``y`` is not used)."""
    iso, X, T = _kt.exposure(x, x, t, codes, n_areas)
    return eta_squared(iso, X, T)


@jit
def entropy_index(values, codes, n_areas):
    """Theil's information theory index H = M / E."""
    M, E, T = _km.mutual_information(values, codes, n_areas)
    return information_ratio(M, E)


@jit
def mutual_information(values, codes, n_areas):
    """Mutual information index M (nats)."""
    return _km.mutual_information(values, codes, n_areas)[0]


@jit
def multigroup_dissimilarity(values, codes, n_areas):
    """Multigroup dissimilarity (Morgan 1975)."""
    return _km.multigroup_dissimilarity(values, codes, n_areas)
