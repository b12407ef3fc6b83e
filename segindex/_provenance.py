"""Provenance of an output: what made it, from which files, with which settings.

A number quoted in a debate should be reproducible. :func:`provenance` gathers
the segindex version, the command line (or the call and its parameters), the
``random_state``, each input file's name, size and SHA-256 checksum, and the
data vintages where known; :func:`write_provenance` writes it as a sidecar
``<name>.provenance.json`` beside a CSV (the ``segindex`` command does this for
every CSV it writes). The report and a notebook can call the same helpers.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
import shlex
import sys
from pathlib import Path

__all__ = ["provenance", "file_record", "sidecar_path", "write_provenance", "command_line", "SCHEMA"]

#: Identifies the layout of the provenance dictionary (bumped if its keys change meaning).
SCHEMA = "segindex-provenance/1"


def file_record(path, *, chunk: int = 1 << 20) -> dict:
    """Name, size in bytes and SHA-256 checksum of one input file.

    A folder (e.g. an ESRI file geodatabase) is recorded by name only. Only
    the file's name is kept, not the folder it sits in, so the record can be
    shared without revealing the local file system.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_bytes(b"a,b\\n1,2\\n")
    >>> r = file_record(p)
    >>> r["name"], r["size"], r["sha256"][:12]  # the same as `sha256sum t.csv`
    ('t.csv', 8, '492d5ea49605')
    """
    p = Path(path)
    record = {"name": p.name}
    if p.is_file():
        digest = hashlib.sha256()
        with open(p, "rb") as fh:
            for block in iter(lambda: fh.read(chunk), b""):
                digest.update(block)
        record["size"] = p.stat().st_size
        record["sha256"] = digest.hexdigest()
    return record


def _plain(value):
    """``value`` made JSON-friendly: paths as strings, NumPy scalars as Python numbers, tuples as lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return value.item()
        except (TypeError, ValueError):
            pass
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def provenance(*, inputs=(), parameters=None, call=None, command=None, random_state=None, vintages=None) -> dict:
    """The provenance record of an output, as a JSON-ready dictionary.

    Parameters
    ----------
    inputs : iterable of str or pathlib.Path
        The files read (each recorded by :func:`file_record`: name, size,
        SHA-256). ``None`` entries are skipped.
    parameters : dict, optional
        The settings that shape the numbers (groups, total, by, draws, ...).
    call : str, optional
        The function called, e.g. ``"segindex.segregation_table"`` (for a
        library call; the command sets ``command`` instead).
    command : list of str, optional
        The command line. Default: none for a library call; the ``segindex``
        command passes its arguments.
    random_state : int or None, optional
        The seed of the random draws, if any.
    vintages : dict, optional
        What period each source describes, e.g. ``{"census": "2011",
        "school census": "2022/23"}``.

    Returns
    -------
    dict
        Keys ``schema``, ``segindex_version``, ``created`` (UTC, ISO 8601),
        ``python``, ``platform``, ``call`` or ``command``, ``parameters``,
        ``random_state``, ``inputs`` (a list of ``{name, size, sha256}``) and
        ``vintages``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "census.csv"
    >>> _ = p.write_text("code,a,b\\nE1,1,2\\n")
    >>> rec = provenance(inputs=[p], call="segindex.segregation_table",
    ...                  parameters={"groups": ("a",), "n_draws": 99}, random_state=1,
    ...                  vintages={"census": "2011"})
    >>> rec["inputs"][0]["name"], rec["parameters"]["groups"], rec["random_state"]
    ('census.csv', ['a'], 1)
    >>> sorted(rec)  # doctest: +NORMALIZE_WHITESPACE
    ['call', 'created', 'inputs', 'parameters', 'platform', 'python', 'random_state', 'schema',
     'segindex_version', 'vintages']
    """
    from . import __version__

    record = {
        "schema": SCHEMA,
        "segindex_version": __version__,
        "created": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }
    if command is not None:
        words = [str(w) for w in command]
        record["command"] = " ".join(shlex.quote(w) for w in words)
    if call is not None:
        record["call"] = str(call)
    record["parameters"] = _plain(dict(parameters or {}))
    record["random_state"] = _plain(random_state)
    record["inputs"] = [file_record(p) for p in inputs if p is not None]
    record["vintages"] = _plain(dict(vintages or {}))
    return record


def sidecar_path(path) -> Path:
    """The provenance sidecar of an output file: ``table.csv`` -> ``table.csv.provenance.json``.

    The sidecar keeps the whole name of the file it describes, so ``a.csv``
    and ``a.gpkg`` beside each other get distinct sidecars.

    Examples
    --------
    >>> sidecar_path("out/national.csv").as_posix()
    'out/national.csv.provenance.json'
    """
    p = Path(path)
    return p.with_name(p.name + ".provenance.json")


def write_provenance(path, record: dict, *, inputs=(), overwrite: bool = False) -> Path:
    """Write ``record`` as the sidecar of the output ``path`` (see :func:`sidecar_path`); return the sidecar.

    The sidecar follows the rules of every output (:mod:`segindex._outputs`):
    never an input, never over an existing file without ``overwrite``,
    written atomically.
    """
    from ._outputs import atomic_path, check_output_file

    target = check_output_file(sidecar_path(path), inputs=inputs, overwrite=overwrite, what="the provenance file")
    record = dict(record)
    record.setdefault("output", Path(path).name)
    with atomic_path(target) as tmp:
        tmp.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def command_line(argv=None) -> list[str]:
    """The command as typed: ``segindex`` and its arguments (``argv`` default: ``sys.argv[1:]``)."""
    return ["segindex", *(sys.argv[1:] if argv is None else list(argv))]
