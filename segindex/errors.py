"""Exceptions and warnings raised by segindex.

Every error segindex raises on bad input is an instance of :class:`SegindexError`
and also of the built-in :class:`ValueError` or :class:`TypeError`, so callers can
catch either the package's own class or the standard one.
"""

__all__ = [
    "SegindexError",
    "SegindexValueError",
    "SegindexTypeError",
    "SegindexWarning",
    "AbsentGroupWarning",
    "DataQualityWarning",
    "AreaFailureWarning",
]


class SegindexError(Exception):
    """Base class of every exception raised by segindex."""


class SegindexValueError(SegindexError, ValueError):
    """An argument or a data value is of the right type but not usable."""


class SegindexTypeError(SegindexError, TypeError):
    """An argument or a data column is of the wrong type."""


class SegindexWarning(UserWarning):
    """Base class of every warning issued by segindex."""


class AbsentGroupWarning(SegindexWarning):
    """A group (or its comparison) has no members in an area; that area's index is NaN."""


class DataQualityWarning(SegindexWarning):
    """Input data were read, but something in them needs the user's attention."""


class AreaFailureWarning(SegindexWarning):
    """The computation failed in some areas of a ``by=`` run; their rows are NaN, the other areas are intact.

    The warning names each failed area and its error. When every area fails,
    the first area's error is raised instead.
    """


def first_few(values, limit: int = 5) -> str:
    """The first ``limit`` values as reprs, then "and N more": the listing every message uses.

    Examples
    --------
    >>> first_few(["E01", "E02"])
    "'E01', 'E02'"
    >>> first_few(range(8), limit=3)
    '0, 1, 2 and 5 more'
    """
    shown = [v.item() if hasattr(v, "item") and not isinstance(v, (str, bytes)) else v for v in list(values)]
    text = ", ".join(repr(v) for v in shown[:limit])
    return text + (f" and {len(shown) - limit} more" if len(shown) > limit else "")
