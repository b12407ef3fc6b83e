"""The one numba decorator policy of segindex.

Every compiled function in the package is declared with :func:`jit` from this
module: ``cache=True`` (compiled code is kept on disk between sessions),
``nogil=True`` (kernels release the GIL, so threads can run them side by side),
never ``fastmath`` (results must not depend on reassociation of floating-point
sums). Declaring a kernel compiles nothing: numba compiles lazily on the first
call, so importing segindex stays cheap. With ``NUMBA_DISABLE_JIT=1`` in the
environment numba returns the plain Python functions and everything still runs.
"""

import numba

__all__ = ["jit", "prange"]

prange = numba.prange


def jit(func=None, *, parallel=False):
    """Compile ``func`` with the package's numba policy.

    Parameters
    ----------
    func : callable, optional
        The function to compile. When omitted, a decorator is returned, so both
        ``@jit`` and ``@jit(parallel=True)`` work.
    parallel : bool, default False
        Use numba's parallel backend (``prange`` loops). Only where a benchmark
        shows a gain.
    """
    options = {"cache": True, "nogil": True}
    if parallel:
        options["parallel"] = True
    decorator = numba.njit(**options)
    if func is None:
        return decorator
    return decorator(func)
