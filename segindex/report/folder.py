"""The report's folder: refuse what the report does not own, build aside, move into place whole.

A report folder is owned by segindex when it holds the marker file
:data:`MARKER` (written with every report). :func:`check_target` accepts a
new folder, an empty one or one holding an earlier report, and refuses any
other folder (naming it), a file, and a folder that is or contains one of the
report's input files. :func:`staged_folder` gives a temporary folder beside
the target; when the ``with`` block ends normally the earlier report is
renamed aside, the new one renamed into place and the earlier one deleted, so
that a re-run leaves no stale files and an interrupted run (an error,
Ctrl-C) leaves the earlier report whole and no temporary folder behind.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import SegindexTypeError, SegindexValueError, first_few

__all__ = ["MARKER", "check_target", "staged_folder", "write_marker", "is_report_folder"]

#: Name of the marker file that makes a folder a segindex report.
MARKER = ".segindex-report.json"


def is_report_folder(folder: Path) -> bool:
    """Whether ``folder`` holds the marker of a segindex report."""
    marker = Path(folder) / MARKER
    if not marker.is_file():
        return False
    try:
        return bool(json.loads(marker.read_text(encoding="utf-8")).get("segindex_report"))
    except (OSError, ValueError, AttributeError):
        return False


def write_marker(folder: Path, version: str) -> None:
    """Write the marker file that lets a later run replace this report."""
    (Path(folder) / MARKER).write_text(
        json.dumps({"segindex_report": True, "version": version}, indent=2) + "\n", encoding="utf-8"
    )


def _resolved_inputs(inputs, caller: str) -> list[Path]:
    if inputs is None:
        return []
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    try:
        return [Path(p).resolve() for p in inputs]
    except TypeError:
        raise SegindexTypeError(
            f"{caller}(): 'inputs' must be a list of file paths (the files the report is made from), got {inputs!r}."
        ) from None


def check_target(out_dir, inputs=None, *, caller: str = "write_report") -> Path:
    """The resolved output folder, after refusing any folder the report does not own.

    Raises
    ------
    SegindexValueError
        ``out_dir`` is a file; is or contains one of ``inputs`` (after
        resolving relative paths and links); or is a non-empty folder that
        holds no earlier segindex report.
    """
    if not isinstance(out_dir, (str, os.PathLike)):
        raise SegindexTypeError(f"{caller}(): 'out_dir' must be a folder path, got {type(out_dir).__name__}.")
    out = Path(out_dir).resolve()
    clashes = [str(p) for p in _resolved_inputs(inputs, caller) if p == out or out in p.parents]
    if clashes:
        raise SegindexValueError(
            f"{caller}(): the output folder {str(out)!r} is or contains the input file(s) {first_few(clashes)}; "
            "the report never writes over its inputs. Choose another output folder."
        )
    if out.exists() and not out.is_dir():
        raise SegindexValueError(f"{caller}(): {str(out)!r} exists and is not a folder; choose another --out.")
    if out.is_dir() and any(out.iterdir()) and not is_report_folder(out):
        entries = sorted(p.name for p in out.iterdir())
        raise SegindexValueError(
            f"{caller}(): the folder {str(out)!r} is not empty ({first_few(entries)}) and holds no earlier "
            f"segindex report (no {MARKER} file); the report writes only into a new or empty folder, or over "
            "an earlier report. Choose a new folder name."
        )
    return out


def _swap_contents(new: Path, out: Path) -> None:
    """Replace ``out``'s entries by ``new``'s when ``out`` itself cannot be renamed (e.g. the working folder)."""
    aside = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    try:
        for entry in list(out.iterdir()):
            os.replace(entry, aside / entry.name)
        for entry in list(new.iterdir()):
            os.replace(entry, out / entry.name)
    except BaseException:
        for entry in list(aside.iterdir()):  # put the earlier report back
            os.replace(entry, out / entry.name)
        raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)
    shutil.rmtree(new, ignore_errors=True)


def _publish(new: Path, out: Path) -> None:
    """Move the finished report ``new`` to ``out``: the earlier report aside, the new one in, the old deleted."""
    if not out.exists():
        os.replace(new, out)
        return
    if out == Path.cwd().resolve():  # renaming the working folder would leave the process in a deleted one
        _swap_contents(new, out)
        return
    old = out.with_name(f".{out.name}.old-{uuid.uuid4().hex[:8]}")
    try:
        os.replace(out, old)
    except OSError:  # a mount point, or a folder another program holds open (Windows)
        _swap_contents(new, out)
        return
    try:
        os.replace(new, out)
    except BaseException:
        os.replace(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def staged_folder(out: Path) -> Iterator[Path]:
    """A temporary folder beside ``out``, moved into place when the block ends without an exception.

    On any exception (``KeyboardInterrupt`` included) the temporary folder is
    deleted and ``out`` is left as it was.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    new = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    new.chmod(0o777 & ~_umask())  # mkdtemp makes it private; the report is a folder like any other
    try:
        yield new
        _publish(new, out)
    finally:
        if new.exists():
            shutil.rmtree(new, ignore_errors=True)
