"""Renamed functions and parameters: an old name raises a TypeError that names the new one.

segindex is 0.x and renames freely (every change is listed in ``CHANGELOG.md``);
a caller using an old name gets a message saying what to write instead, never a
silent change of meaning.
"""

from __future__ import annotations

import functools

from .errors import SegindexTypeError

__all__ = ["renamed_parameters", "removed_function"]


def renamed_parameters(**renames: str):
    """Decorate a function so that each old keyword in ``renames`` raises, naming its new name.

    Examples
    --------
    >>> @renamed_parameters(n_bootstrap="n_draws")
    ... def f(*, n_draws=None):
    ...     return n_draws
    >>> f(n_draws=9)
    9
    >>> f(n_bootstrap=9)
    Traceback (most recent call last):
    ...
    segindex.errors.SegindexTypeError: f(): the parameter 'n_bootstrap' is now called 'n_draws' (see CHANGELOG.md).
    """

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            for old, new in renames.items():
                if old in kwargs:
                    raise SegindexTypeError(
                        f"{func.__name__}(): the parameter {old!r} is now called {new!r} (see CHANGELOG.md)."
                    )
            return func(*args, **kwargs)

        return wrapper

    return decorate


def removed_function(old: str, new: str):
    """A stand-in for a renamed function: calling it raises a TypeError naming the new function.

    Examples
    --------
    >>> choropleth = removed_function("choropleth", "segindex.plot.plot_choropleth")
    >>> choropleth()
    Traceback (most recent call last):
    ...
    segindex.errors.SegindexTypeError: choropleth() is now called segindex.plot.plot_choropleth (see CHANGELOG.md).
    """

    def stand_in(*args, **kwargs):
        raise SegindexTypeError(f"{old}() is now called {new} (see CHANGELOG.md).")

    stand_in.__name__ = old
    stand_in.__qualname__ = old
    stand_in.__doc__ = f"Renamed: use :func:`{new}`. Calling this raises a TypeError naming the new function."
    return stand_in
