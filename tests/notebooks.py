"""Run a notebook of the project from top to bottom, as the test suite does."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def execute_notebook(name: str, figures_dir: Path | None = None):
    """Execute ``notebooks/<name>`` in its own folder and return ``(nb, streams, plain)``.

    The committed notebook must have no outputs. With ``figures_dir`` the figures
    a notebook saves for the README (its ``FIGURES`` folder, or nothing when it
    has a ``SAVE_FIGURES`` switch) go there instead of ``docs/figures``, so a test
    run never rewrites tracked files. Raises if any cell fails.
    """
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    path = ROOT / "notebooks" / name
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") for c in code), f"commit {name} without outputs"
    if figures_dir is not None:
        for cell in code:
            if "SAVE_FIGURES = True" in cell.source:
                cell.source = cell.source.replace("SAVE_FIGURES = True", "SAVE_FIGURES = False")
            elif any(line.startswith("FIGURES =") for line in cell.source.splitlines()):
                cell.source += f"\nimport pathlib\nFIGURES = pathlib.Path({str(figures_dir)!r})\n"
    client = nbclient.NotebookClient(
        nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, errors[0].get("evalue")
    streams = "\n".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    plain = "\n".join(o.get("data", {}).get("text/plain", "") for o in outputs)
    return nb, streams, plain
