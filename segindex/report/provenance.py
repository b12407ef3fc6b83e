"""What a report was made from: version, parameters, random state, input files with checksums, vintages."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..errors import SegindexValueError

__all__ = ["file_record", "provenance"]


def file_record(path) -> dict:
    """``{"name", "bytes", "sha256"}`` of one input file (its name only: no folders of the machine)."""
    p = Path(path)
    if not p.is_file():
        raise SegindexValueError(
            f"write_report(): the input {str(p)!r} given in 'inputs' is not a file; list the files the data were "
            "read from (their names and checksums go into provenance.json)."
        )
    digest = hashlib.sha256()
    with p.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"name": p.name, "bytes": p.stat().st_size, "sha256": digest.hexdigest()}


def _plain(value):
    """A JSON-safe version of a parameter value."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, os.PathLike):
        return Path(value).name
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return repr(value)


def provenance(*, call: str, parameters: dict, random_state, inputs=(), vintages=()) -> dict:
    """The provenance record written as ``provenance.json`` and summarised in the page footer."""
    from .. import __version__

    return {
        "segindex_version": __version__,
        "call": call,
        "parameters": {k: _plain(v) for k, v in parameters.items()},
        "random_state": _plain(random_state),
        "inputs": [file_record(p) for p in inputs],
        "data_vintages": [str(v) for v in vintages],
    }
