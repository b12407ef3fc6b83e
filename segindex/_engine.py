"""Where blocks of draws run: here (the compiled kernels' own threads) or on a Dask cluster.

A run of draws is cut into blocks of consecutive draws; every draw is seeded
by its own seed (see :mod:`segindex._kernels.random`), so a draw's index does
not depend on the block it falls in, on the worker that draws it, or on the
number of workers: the gathered result is the local one, bit for bit (on the
same CPU type).

With a ``dask.distributed.Client`` the data of a run (the count table, the
area codes, the inversion tables) is sent to every worker once
(``client.scatter(..., broadcast=True)``); each block is one task that gets
only its seeds, submitted with ``retries`` so that a task lost with its worker
(or failing for a passing reason) runs again on another one. Dask is imported
only here, and only when a client is given.

Runs over areas (:func:`map_areas`) are cut by area instead: each area is one
task (on Dask) or one call (here), seeded by the caller from the area's
position alone, so an area that fails leaves the others' results, and their
random numbers, exactly as they would be without it.
"""

from __future__ import annotations

import math

import numpy as np

from .errors import AreaFailureWarning, SegindexTypeError, SegindexValueError, first_few

__all__ = [
    "check_client",
    "check_block_size",
    "require_dask",
    "block_bounds",
    "map_blocks",
    "map_areas",
    "RETRIES",
]

#: Times a block is resubmitted after its task failed (a worker lost mid-run included).
RETRIES = 2
# Blocks per worker by default: a few, so that a slow or lost worker delays little.
_BLOCKS_PER_WORKER = 4


def require_dask(caller):
    """``dask.distributed``, or an error with the install hint."""
    try:
        import dask.distributed as dd
    except ImportError:  # pragma: no cover - dask is in the dev extra
        raise SegindexValueError(
            f"{caller}(): client= runs the draws on Dask, which is not installed; "
            "install it with: pip install 'segindex-toolkit[dask]'"
        ) from None
    return dd


def check_client(client, caller):
    """``client`` must be None or a ``dask.distributed.Client`` (anything with ``submit``, ``scatter``, ``gather``)."""
    if client is None:
        return None
    if not all(callable(getattr(client, name, None)) for name in ("submit", "scatter", "gather")):
        raise SegindexTypeError(
            f"{caller}(): the 'client' parameter must be None or a dask.distributed.Client (e.g. "
            f"Client('tcp://host:8786')), got {type(client).__name__} {client!r}."
        )
    return client


def check_block_size(block_size, caller):
    """``block_size`` must be None or a whole number at least 1."""
    if block_size is None:
        return None
    if isinstance(block_size, bool) or not isinstance(block_size, (int, np.integer)):
        raise SegindexTypeError(
            f"{caller}(): the 'block_size' parameter must be None or a whole number of draws (e.g. 50), "
            f"got {type(block_size).__name__} {block_size!r}."
        )
    if block_size < 1:
        raise SegindexValueError(f"{caller}(): the 'block_size' parameter must be at least 1, got {block_size}.")
    return int(block_size)


def _n_workers(client):
    try:
        return max(1, len(client.scheduler_info().get("workers", {})))
    except Exception:  # noqa: BLE001 - any client-like object without scheduler_info
        return 1


def block_bounds(n, block_size=None, client=None):
    """``(start, stop)`` of each block of ``n`` draws: ``block_size`` draws each, or a few blocks per worker."""
    if block_size is None:
        if client is None:
            return [(0, n)]
        block_size = max(1, math.ceil(n / (_BLOCKS_PER_WORKER * _n_workers(client))))
    return [(start, min(n, start + block_size)) for start in range(0, n, block_size)]


def map_blocks(func, shared, blocks, client, on_done=None):
    """``[func(shared, block) for block in blocks]``, in order, on ``client``'s workers.

    ``shared`` is scattered once to every worker; each block is one task,
    retried up to :data:`RETRIES` times. ``on_done(i)`` is called as block i
    completes (for progress).
    """
    dd = require_dask("map_blocks")
    [data] = client.scatter([shared], broadcast=True, hash=False)
    futures = [client.submit(func, data, block, retries=RETRIES, pure=False) for block in blocks]
    index = {f.key: i for i, f in enumerate(futures)}
    results = [None] * len(futures)
    try:
        for future in dd.as_completed(futures):
            i = index[future.key]
            results[i] = future.result()
            if on_done is not None:
                on_done(i)
    finally:
        for future in futures:
            future.release()
        data.release()
    return results


def _failure(exc) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class _Failed:
    """An area's failure, as listed in the warning."""

    def __init__(self, key, exc):
        self.key, self.exc = key, exc

    def __repr__(self) -> str:
        return f"{self.key!r} ({_failure(self.exc)})"


def map_areas(func, shared, n_areas, *, keys, caller, client=None, on_done=None):
    """``[func(shared, k) for k in range(n_areas)]``, an area that fails giving None and a warning.

    Each area is one call here, or one task on ``client``'s workers
    (``shared`` scattered to them once; a task retried up to
    :data:`RETRIES` times, so a lost worker changes nothing). An area whose
    call raises gives None in its place; one
    :class:`~segindex.errors.AreaFailureWarning` names the failed areas
    (``keys[k]``) and their errors, and says the others are intact. If
    every area fails, the first area's error is raised as it is (a wrong
    argument fails everywhere and is reported as usual). ``on_done(k)`` is
    called as area k completes (for progress).
    """
    results = [None] * n_areas
    failed = {}
    if client is None:
        for k in range(n_areas):
            try:
                results[k] = func(shared, k)
            except Exception as exc:  # noqa: BLE001 - reported per area below
                failed[k] = exc
            if on_done is not None:
                on_done(k)
    else:
        dd = require_dask(caller)
        [data] = client.scatter([shared], broadcast=True, hash=False)
        futures = [client.submit(func, data, k, retries=RETRIES, pure=False) for k in range(n_areas)]
        index = {f.key: k for k, f in enumerate(futures)}
        try:
            for future in dd.as_completed(futures):
                k = index[future.key]
                if future.status == "error":
                    failed[k] = future.exception()
                else:
                    results[k] = future.result()
                if on_done is not None:
                    on_done(k)
        finally:
            for future in futures:
                future.release()
            data.release()
    if failed and len(failed) == n_areas:
        raise failed[0]
    if failed:
        from .counts import warn_at_caller

        listed = first_few([_Failed(keys[k], failed[k]) for k in sorted(failed)], limit=10)
        warn_at_caller(
            f"{caller}(): the computation failed in {len(failed)} of {n_areas} areas, whose rows are NaN: "
            f"{listed}. The other areas' results are complete and unaffected.",
            AreaFailureWarning,
        )
    return results
