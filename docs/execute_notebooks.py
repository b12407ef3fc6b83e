"""Execute the project's notebooks into ``docs/notebooks/`` for the documentation site.

The notebooks under ``notebooks/`` are committed without outputs (the test suite runs them). The site
shows them with their outputs and figures, so this script executes each one (from its own folder, as
the tests do) and writes the executed copy to ``docs/notebooks/<name>.ipynb``. The documentation build
itself never executes anything (``nb_execution_mode = "off"``): run this script after changing a
notebook, check the result, and commit the executed copies.

The figures a notebook saves for the README go to a temporary folder, so running this script never
rewrites ``docs/figures``; the source of each cell is restored before the copy is written. Paths under
the project's folder and the folder beside it are written relative to the project root (``./``,
``../shared/data``); any other path of this machine left in an output (the home folder, the temporary
folder, the Python installation) is an error: the copies are published.

Usage, from the project root (the real data under ``../shared/data`` must be present)::

    python docs/execute_notebooks.py                 # every notebook
    python docs/execute_notebooks.py 01 04           # the notebooks whose names start with 01 or 04
"""

from __future__ import annotations

import argparse
import os
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "notebooks"
TARGET = ROOT / "docs" / "notebooks"


def machine_paths() -> list[str]:
    """Absolute folders of this machine that must not appear in a published output."""
    folders = {
        str(ROOT.parent),
        str(Path.home()),
        tempfile.gettempdir(),
        sys.prefix,
        sys.base_prefix,
        sysconfig.get_paths()["purelib"],
    }
    return sorted((f for f in folders if f not in ("", "/")), key=len, reverse=True)


def _redirect_figures(cell_source: str, figures: Path) -> str:
    """The cell's source with its figure output sent to ``figures`` (as ``tests/notebooks.py`` does)."""
    if "SAVE_FIGURES = True" in cell_source:
        return cell_source.replace("SAVE_FIGURES = True", "SAVE_FIGURES = False")
    if any(line.startswith("FIGURES =") for line in cell_source.splitlines()):
        return cell_source + f"\nimport pathlib\nFIGURES = pathlib.Path({str(figures)!r})\n"
    return cell_source


def _output_texts(nb) -> list[tuple[int, str]]:
    """(cell number, text) for every textual output of the notebook."""
    texts = []
    for number, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if "text" in output:
                texts.append((number, output["text"]))
            for key, value in output.get("data", {}).items():
                if key.startswith("text/") or key == "application/json":
                    texts.append((number, value if isinstance(value, str) else str(value)))
            if output.get("output_type") == "error":
                texts.append((number, "\n".join(output.get("traceback", []))))
    return texts


def relative_paths(nb) -> int:
    """Write the project's folder as ``.`` and the folder beside it as ``..`` in every textual output.

    A notebook that reads ``../shared/data`` through an absolute path may print it (a read report names
    its file); the published copy shows it relative to the project root, as the README does. Returns the
    number of outputs changed.
    """
    swaps = [(str(ROOT) + "/", "./"), (str(ROOT.parent) + "/", "../")]

    def swap(text: str) -> str:
        for old, new in swaps:
            text = text.replace(old, new)
        return text

    changed = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            before = str(output)
            if isinstance(output.get("text"), str):
                output["text"] = swap(output["text"])
            for key, value in output.get("data", {}).items():
                if key.startswith("text/") and isinstance(value, str):
                    output["data"][key] = swap(value)
            changed += str(output) != before
    return changed


def check_no_machine_paths(nb, name: str) -> None:
    """Raise if an output of ``nb`` names a folder of this machine."""
    found = []
    for number, text in _output_texts(nb):
        for folder in machine_paths():
            if folder in text:
                line = next(line for line in text.splitlines() if folder in line)
                found.append(f"cell {number}: {line.strip()[:160]}")
                break
    if found:
        raise SystemExit(
            f"{name}: outputs name paths of this machine; print paths relative to the project:\n  " + "\n  ".join(found)
        )


def execute(path: Path, figures: Path) -> Path:
    """Execute one notebook and write its executed copy; return the copy's path."""
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    originals = [cell.source for cell in nb.cells]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = _redirect_figures(cell.source, figures)
    client = nbclient.NotebookClient(
        nb, timeout=1800, kernel_name="python3", record_timing=False, resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    for cell, source in zip(nb.cells, originals, strict=True):
        cell.source = source
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    if errors:
        raise SystemExit(f"{path.name}: a cell failed: {errors[0].get('ename')}: {errors[0].get('evalue')}")
    relative_paths(nb)
    check_no_machine_paths(nb, path.name)
    nb.metadata.pop("widgets", None)
    TARGET.mkdir(parents=True, exist_ok=True)
    out = TARGET / path.name
    nbformat.write(nb, out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefixes", nargs="*", help="run only the notebooks whose names start with these")
    args = parser.parse_args(argv)
    # the kernel must use its inline backend, so that every figure is kept as an output
    os.environ.pop("MPLBACKEND", None)
    # the kernel imports segindex from this checkout, whatever is installed
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    notebooks = sorted(SOURCE.glob("*.ipynb"))
    if args.prefixes:
        notebooks = [p for p in notebooks if any(p.name.startswith(prefix) for prefix in args.prefixes)]
    if not notebooks:
        raise SystemExit(f"no notebook under notebooks/ starts with {' or '.join(args.prefixes)}")
    with tempfile.TemporaryDirectory() as figures:
        for path in notebooks:
            start = time.perf_counter()
            out = execute(path, Path(figures))
            size = out.stat().st_size / 1e6
            print(f"{path.name}: {time.perf_counter() - start:.0f} s, {out.relative_to(ROOT)} ({size:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
