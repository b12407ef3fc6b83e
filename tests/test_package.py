"""Release readiness: the wheel and the sdist build, pass ``twine check``, and install and import cleanly."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

import segindex

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, cwd: Path = ROOT) -> str:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """A wheel and an sdist built from this checkout (without network: ``--no-isolation``)."""
    pytest.importorskip("build")
    pytest.importorskip("setuptools")
    out = tmp_path_factory.mktemp("dist")
    log = _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT))
    assert "deprecated" not in log.lower(), f"the build warns of a deprecated setting:\n{log[-3000:]}"
    return out


def _one(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, f"expected one {pattern} in {folder}, found {[p.name for p in found]}"
    return found[0]


@pytest.mark.slow
def test_wheel_and_sdist_pass_twine_check(dist):
    pytest.importorskip("twine")
    wheel, sdist = _one(dist, "*.whl"), _one(dist, "*.tar.gz")
    assert wheel.name.startswith(f"segindex_toolkit-{segindex.__version__}-")
    assert sdist.name == f"segindex_toolkit-{segindex.__version__}.tar.gz"
    out = _run(sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist))
    assert out.count("PASSED") == 2, out


@pytest.mark.slow
def test_wheel_holds_the_package_and_nothing_else(dist):
    names = zipfile.ZipFile(_one(dist, "*.whl")).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"segindex", f"segindex_toolkit-{segindex.__version__}.dist-info"}, tops
    assert "segindex/_kernels/_jit.py" in names and "segindex/plot/__init__.py" in names
    metadata = (
        zipfile.ZipFile(_one(dist, "*.whl"))
        .read(f"segindex_toolkit-{segindex.__version__}.dist-info/METADATA")
        .decode()
    )
    assert "License-Expression: BSD-3-Clause" in metadata
    assert "License-File: LICENSE" in metadata
    assert f"segindex_toolkit-{segindex.__version__}.dist-info/licenses/LICENSE" in names
    assert "Provides-Extra: dev" in metadata
    entry_points = (
        zipfile.ZipFile(_one(dist, "*.whl"))
        .read(f"segindex_toolkit-{segindex.__version__}.dist-info/entry_points.txt")
        .decode()
    )
    assert "segindex = segindex.cli:main" in entry_points


@pytest.mark.slow
def test_sdist_holds_sources_changelog_and_citation(dist):
    with tarfile.open(_one(dist, "*.tar.gz")) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    assert {"pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", "CITATION.cff", "segindex/__init__.py"} <= names
    assert not any(name.endswith((".gpkg", ".csv", ".csv.gz", ".psv")) for name in names), "data in the sdist"


@pytest.mark.slow
def test_wheel_installs_and_imports_in_a_fresh_venv(dist, tmp_path):
    """Offline and fast: the dependencies come from this environment, the package only from the wheel."""
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv))
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    purelib = Path(_run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
    # the dependencies of this environment, after the venv's own site-packages (where the wheel goes)
    (purelib / "_segindex_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        str(python),
        "install",
        "--no-deps",
        "--no-index",
        "--no-cache-dir",
        str(_one(dist, "*.whl")),
    )
    out = _run(
        str(python),
        "-c",
        "import segindex, segindex.plot; print(segindex.__file__); print(segindex.__version__); "
        "print(round(float(segindex.dissimilarity("
        "__import__('pandas').DataFrame({'a': [10, 0], 'b': [0, 10]}), 'a', 'b')), 4))",
        cwd=tmp_path,
    )
    file, version, value = out.strip().splitlines()[-3:]
    assert Path(file).is_relative_to(purelib), f"imported {file}, not the installed wheel"
    assert version == segindex.__version__
    assert value == "1.0"
    # the command-line entry point is installed too
    assert "segindex" in _run(str(python), "-m", "segindex", "--version", cwd=tmp_path)
