"""Lint and format: ruff, configured in pyproject.toml, over the package, tests, benchmarks, examples and docs.

Part of the test command so that CI runs exactly the README's two commands.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PATHS = ["segindex", "tests", "benchmarks", "examples", "docs"]


def _ruff(*args: str) -> subprocess.CompletedProcess:
    if (
        shutil.which("ruff") is None
        and subprocess.run([sys.executable, "-m", "ruff", "--version"], capture_output=True).returncode != 0
    ):
        pytest.skip("ruff is not installed (it is in the dev extra: pip install -e '.[dev]')")
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, *PATHS], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_ruff_check_passes():
    result = _ruff("check", "--output-format", "concise")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_check_passes():
    result = _ruff("format", "--check")
    assert result.returncode == 0, "files ruff format would change:\n" + result.stdout + result.stderr


def test_mccabe_complexity_is_capped_outside_the_kernels():
    # the cap (15) lives in pyproject.toml; the kernels are exempt (their loops are the algorithm)
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "max-complexity = 15" in text and '"C90"' in text
