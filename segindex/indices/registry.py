"""The index registry: one spec per scalar index, read by everything that lists or loops over indices.

Each scalar index of segindex is described once, by an :class:`IndexSpec`: its
name (the public function's name and the value of the ``index`` column of every
tidy table), its kind, its bounds, what it is compared with, the array-level
compute that every caller uses, and where it comes from in the literature.
:func:`segindex.segregation_table`, :func:`segindex.infer`,
:func:`segindex.infer_difference`, schools against neighbourhoods, the change
decompositions, the report and the command line read this registry; nothing
else keeps a list of indices.

Adding an index means writing its kernel (in ``segindex/_kernels/``), its public
function, one :func:`register` call beside the function, and its tests. The new
index is then a row of :func:`segindex.segregation_table` (``indices=[name]``;
by default if ``in_table``), can be drawn by :func:`segindex.infer` (through its
``compute`` on each redrawn table, when it has no kernel code) and compared
by :func:`segindex.compare_schools_neighbourhoods` and
:func:`segindex.change.decompose_change` (two-group indices).

The computes of the indices that came first live in
``segindex._kernels.computes``; the draw kernels call the same functions.

Kinds and their array-level computes
------------------------------------
``"two-group"``
    ``compute(x, y, t, codes, n_areas, **options) -> values`` with ``x`` the
    focal group's counts, ``y`` the comparison's (``t - x`` for the rest),
    ``t`` the unit totals, ``codes`` the area code of every unit (empty for one
    area) and ``values`` one float per area.
``"multigroup"``
    ``compute(values, codes, n_areas, **options) -> values`` with ``values``
    the units × groups matrix (the rest of the population as one more column).
``"spatial"``
    No array-level compute: the index is computed by its public function on a
    table (the geometry, weights or points stay as given).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..errors import SegindexTypeError, SegindexValueError

__all__ = ["IndexSpec", "register", "get", "specs", "names", "clip_rounding", "ROUNDING"]

KINDS = ("two-group", "multigroup", "spatial")


@dataclass(frozen=True)
class IndexSpec:
    """Everything segindex needs to know about one scalar index.

    Attributes
    ----------
    name : str
        The public function's name; also the value of the ``index`` column.
    kind : {"two-group", "multigroup", "spatial"}
        How its data are given and what its compute takes (see the module docstring).
    function : callable
        The public function (data first).
    compute : callable or None
        The array-level compute (``None`` for spatial indices).
    bounds : tuple of float or None
        ``(low, high)`` for a bounded index (raw values are set to the bound when
        they lie outside it by rounding alone, ``|x| <= 1e-12``); ``None`` if unbounded.
    comparison : {"rest or group", "group", "multigroup", "none"}
        What a two-group index compares the focal group with: ``"rest or group"``
        (``other=None`` is the rest of the population, or a named group),
        ``"group"`` (a named group is needed) or ``"none"`` (isolation-like:
        the group alone against its unit totals); ``"multigroup"`` for all
        groups together.
    higher_is_more_segregated : bool
        ``False`` for exposure-like indices (a one-sided test then counts draws
        at or below the observed value).
    kernel_code : int or None
        The index's code in ``segindex._kernels.random``, when the draws
        compute it inside the kernels; ``None`` when each drawn table is passed
        to ``compute`` (or, for spatial indices, to ``function``).
    options : tuple of str
        Keyword options of ``compute`` (for example ``("b",)`` for Atkinson).
    in_table : bool
        Whether :func:`segindex.segregation_table` reports it by default.
    reference : str
        Short citation (author, year).
    """

    name: str
    kind: str
    function: Callable
    compute: Callable | None = None
    bounds: tuple[float, float] | None = (0.0, 1.0)
    comparison: str = "rest or group"
    higher_is_more_segregated: bool = True
    kernel_code: int | None = None
    options: tuple[str, ...] = field(default_factory=tuple)
    in_table: bool = False
    reference: str = ""

    @property
    def corrected_defined(self) -> bool:
        """Whether the Carrington–Troske correction applies: the index is bounded above by 1."""
        return self.bounds is not None and self.bounds[1] == 1.0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise SegindexValueError(f"IndexSpec {self.name!r}: kind must be one of {KINDS}, got {self.kind!r}.")
        if self.kind != "spatial" and self.compute is None:
            raise SegindexValueError(f"IndexSpec {self.name!r}: a {self.kind} index needs an array-level compute.")


_REGISTRY: dict[str, IndexSpec] = {}


def register(spec: IndexSpec) -> IndexSpec:
    """Add ``spec`` to the registry (a name is registered once) and return it."""
    if not isinstance(spec, IndexSpec):
        raise SegindexTypeError(f"register(): expected an IndexSpec, got {type(spec).__name__}.")
    if spec.name in _REGISTRY and _REGISTRY[spec.name] != spec:
        raise SegindexValueError(f"register(): an index named {spec.name!r} is already registered.")
    _REGISTRY[spec.name] = spec
    return spec


def _load() -> None:
    # the registry fills as the index modules are imported; import them all once
    from .. import indices  # noqa: F401
    from . import spatial  # noqa: F401


def get(index, caller: str = "get") -> IndexSpec:
    """The spec of an index given by name or by its public function.

    Raises a ValueError listing the valid names for an unknown index.
    """
    _load()
    if callable(index):
        for spec in _REGISTRY.values():
            if spec.function is index:
                return spec
        label = getattr(index, "__name__", repr(index))
    elif isinstance(index, str):
        if index in _REGISTRY:
            return _REGISTRY[index]
        label = repr(index)
    else:
        raise SegindexTypeError(
            f"{caller}(): the 'index' parameter must be an index name or one of segindex's index "
            f"functions, got {type(index).__name__} {index!r}. Valid names: {', '.join(names())}."
        )
    raise SegindexValueError(f"{caller}(): unknown index {label}. Valid names: {', '.join(names())}.")


def specs(kind: str | None = None) -> tuple[IndexSpec, ...]:
    """Every registered spec (of one kind), in registration order."""
    _load()
    return tuple(s for s in _REGISTRY.values() if kind is None or s.kind == kind)


def names(kind: str | None = None) -> tuple[str, ...]:
    """The names of :func:`specs`."""
    return tuple(s.name for s in specs(kind))


#: How far outside its bounds a raw bounded index may lie by floating-point rounding alone.
ROUNDING = 1e-12


def clip_rounding(values, bounds):
    """``values`` with entries outside ``bounds`` by rounding alone (at most :data:`ROUNDING`) set to the bound.

    Only for raw bounded indices (never corrected indices or differences);
    values further out, and NaN, are left as they are.

    Examples
    --------
    >>> import numpy as np
    >>> clip_rounding(np.array([-1.6e-15, 0.5, 1.0 + 1e-13, -0.1]), (0.0, 1.0)).tolist()
    [0.0, 0.5, 1.0, -0.1]
    """
    values = np.asarray(values, dtype=float)
    if bounds is None:
        return values
    low, high = bounds
    out = values.copy()
    out[(values < low) & (values >= low - ROUNDING)] = low
    out[(values > high) & (values <= high + ROUNDING)] = high
    return out
