"""Safe writing of files: never over an input, never over a file without leave, never half-written.

The rules every file segindex writes follows (the ``segindex`` command's
``--out`` and the sidecars beside it):

* a path that is one of the command's inputs is always refused, after
  resolving relative paths and symbolic links (and, when both exist, by
  ``os.path.samefile``, which also catches hard links);
* an existing file is refused unless ``overwrite=True`` (the command's
  ``--overwrite``), the convention of ``cp -n`` and ``ogr2ogr -overwrite``;
* a file is written to a temporary file in the same folder and moved into
  place with :func:`os.replace` when complete, so an interrupted run leaves
  the earlier file whole, or nothing.

Folders (the report and the demo) are written by the report itself; here
:func:`check_output_folder` only refuses a folder that is, or holds, an input.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import SegindexValueError

__all__ = ["resolved", "is_same_path", "check_output_file", "check_output_folder", "atomic_path", "write_csv"]


def resolved(path) -> Path:
    """``path`` made absolute, with ``~``, ``..`` and symbolic links resolved (it need not exist)."""
    return Path(os.path.expanduser(os.fspath(path))).resolve(strict=False)


def is_same_path(a, b) -> bool:
    """Whether ``a`` and ``b`` name the same file (after resolving links; hard links too when both exist)."""
    ra, rb = resolved(a), resolved(b)
    if ra == rb:
        return True
    try:
        return os.path.samefile(ra, rb)
    except OSError:
        return False


def check_output_file(
    path,
    *,
    inputs=(),
    overwrite: bool = False,
    what: str = "--out",
    overwrite_hint: str = "add --overwrite to replace it",
) -> Path:
    """Check that ``path`` may be written; return it as given (a :class:`~pathlib.Path`).

    Parameters
    ----------
    path : str or pathlib.Path
        The file to write.
    inputs : iterable of str or pathlib.Path
        The files the computation reads. ``path`` may never be one of them.
    overwrite : bool, default False
        Allow replacing an existing file that is not an input.
    what : str, default "--out"
        How the message names the path (an option or a parameter).
    overwrite_hint : str
        What the message says to do about an existing file.

    Raises
    ------
    SegindexValueError
        ``path`` is an input, an existing folder, an existing file without
        ``overwrite``, or its folder does not exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> data = tmp / "data.csv"
    >>> _ = data.write_text("a,b\\n1,2\\n")
    >>> check_output_file(tmp / "out.csv", inputs=[data]).name
    'out.csv'
    >>> check_output_file(tmp / "sub" / ".." / "data.csv", inputs=[data], overwrite=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    segindex.errors.SegindexValueError: refusing to write --out ... it is one of the inputs ...
    """
    p = Path(path)
    for source in inputs:
        if source is not None and is_same_path(p, source):
            raise SegindexValueError(
                f"refusing to write {what} {str(p)!r}: it is one of the inputs ({str(source)!r}); "
                "choose another file name."
            )
    if p.is_dir():
        raise SegindexValueError(f"cannot write {what} {str(p)!r}: it is a folder; give a file name.")
    if not resolved(p).parent.is_dir():
        raise SegindexValueError(f"cannot write {what} {str(p)!r}: the folder {str(p.parent)!r} does not exist.")
    if p.exists() and not overwrite:
        raise SegindexValueError(f"refusing to write {what} {str(p)!r}: the file exists; {overwrite_hint}.")
    return p


def check_output_folder(path, *, inputs=(), what: str = "--out") -> Path:
    """Refuse a folder to write into that is, or holds, one of ``inputs``; return it as a Path.

    Whether an existing folder may be written into at all (empty, or an
    earlier report) is for the writer of the folder to decide.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (tmp / "units.gpkg").write_text("x")
    >>> check_output_folder(tmp / "report", inputs=[tmp / "units.gpkg"]).name
    'report'
    >>> check_output_folder(tmp, inputs=[tmp / "units.gpkg"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    segindex.errors.SegindexValueError: refusing to write into --out ... it holds the input ...
    """
    p = Path(path)
    folder = resolved(p)
    for source in inputs:
        if source is None:
            continue
        src = resolved(source)
        if src == folder or folder in src.parents:
            relation = "is" if src == folder else "holds"
            raise SegindexValueError(
                f"refusing to write into {what} {str(p)!r}: it {relation} the input {str(source)!r}; "
                "choose a new folder for the output."
            )
    if p.exists() and not p.is_dir():
        raise SegindexValueError(f"cannot write into {what} {str(p)!r}: it is a file, not a folder.")
    return p


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; move it onto ``path`` when the block ends without error.

    On an error (or Ctrl-C) the temporary file is removed and ``path`` is
    left as it was. :func:`os.replace` is atomic on POSIX and Windows.
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=resolved(target).parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_csv(frame, path, *, inputs=(), overwrite: bool = False, what: str = "--out", index: bool = False) -> Path:
    """Write ``frame`` as CSV to ``path`` by the rules above (checked first, then written atomically).

    Whole-number float columns are written as integers (``333628``, not
    ``333628.0``); missing values stay empty cells.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> out = write_csv(pd.DataFrame({"count": [3.0, 4.0], "value": [0.5, 0.25]}), tmp / "t.csv")
    >>> print(out.read_text().strip())
    count,value
    3,0.5
    4,0.25
    >>> write_csv(pd.DataFrame({"a": [1]}), tmp / "t.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    segindex.errors.SegindexValueError: refusing to write --out ... the file exists; add --overwrite to replace it.
    """
    p = check_output_file(path, inputs=inputs, overwrite=overwrite, what=what)
    frame = whole_counts_as_integers(frame)
    with atomic_path(p) as tmp:
        frame.to_csv(tmp, index=index)
    return p


def whole_counts_as_integers(frame):
    """A copy of ``frame`` whose float columns holding only whole numbers (or NaN) are nullable integers.

    Only columns named like counts are converted (``count`` and names ending
    in ``_count``, ``total``, ``n_units``), so that an index that happens to
    be exactly 0 or 1 everywhere stays a float.
    """
    import numpy as np
    import pandas as pd

    out = frame.copy()
    for name in out.columns:
        text = str(name)
        if not (text in ("count", "total", "n_units") or text.endswith("_count")):
            continue
        column = out[name]
        if not pd.api.types.is_float_dtype(column):
            continue
        values = column.to_numpy(dtype="float64")
        finite = values[np.isfinite(values)]
        if np.all(finite == np.round(finite)) and (np.abs(finite) < 2.0**53).all():
            out[name] = column.astype("Int64")
    return out
