"""The README's quick start runs, and its commands are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_quick_start_runs_and_prints_what_it_says():
    code = _blocks("python")[0]
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    si = namespace["si"]
    units = namespace["units"]
    # the numbers quoted in the quick start's comments
    assert round(si.dissimilarity(units, "pakistani", total="total"), 3) == 0.587
    assert round(si.dissimilarity(units, "pakistani", "white_british"), 3) == 0.591
    assert set(namespace["table"]["index"]) >= {"dissimilarity", "isolation", "entropy_index"}


def test_ci_runs_the_readme_install_and_test_commands():
    commands = _blocks("bash")[0]
    install = re.search(r"^(pip install [^#\n]*?)\s*#", commands, flags=re.M).group(1)
    test = re.search(r"^(python -m pytest)\b", commands, flags=re.M).group(1)
    ci = (ROOT / ".ci" / "run").read_text()
    assert install in ci
    assert test in ci
