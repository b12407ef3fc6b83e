"""The numba policy: nothing compiles or changes at import, everything runs
without the JIT, and compiled code lives only under segindex/_kernels.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "segindex"
KERNELS = PACKAGE / "_kernels"


def _run(code: str, **env) -> str:
    environment = {**os.environ, **env}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


IMPORT_CHECK = r"""
import importlib, json, os, pkgutil
import numpy as np
env_before = dict(os.environ)
err_before = np.geterr()
import segindex
import segindex._kernels as kernels
modules = [importlib.import_module(f"segindex._kernels.{m.name}") for m in pkgutil.iter_modules(kernels.__path__)]
from numba.core.dispatcher import Dispatcher
compiled, checked = {}, []
for module in modules:
    for name, obj in vars(module).items():
        if isinstance(obj, Dispatcher) and obj.py_func.__module__ == module.__name__:
            checked.append(f"{module.__name__}.{name}")
            if obj.signatures:
                compiled[f"{module.__name__}.{name}"] = [str(s) for s in obj.signatures]
print(json.dumps({
    "checked": checked,
    "compiled": compiled,
    "env_changed": sorted(k for k in set(env_before) | set(os.environ) if env_before.get(k) != os.environ.get(k)),
    "geterr_same": np.geterr() == err_before,
}))
"""


def test_import_compiles_nothing_and_changes_no_global_state():
    report = json.loads(_run(IMPORT_CHECK))
    # the core kernels are among those checked
    for name in ("twogroup.dissimilarity", "twogroup.gini", "multigroup.mutual_information", "validate.first_invalid"):
        assert f"segindex._kernels.{name}" in report["checked"]
    assert report["compiled"] == {}
    assert report["env_changed"] == []
    assert report["geterr_same"]


# Every public core index on a small table (with an empty unit, a rest of the
# population and two areas); printed as JSON so two processes can be compared.
EVERY_INDEX = r"""
import json
import pandas as pd
from segindex.indices import *
df = pd.DataFrame({
    "a": [10, 0, 5, 0, 7, 3], "b": [0, 10, 5, 0, 2, 9], "c": [4, 1, 0, 0, 6, 2],
    "total": [20, 12, 10, 0, 15, 20], "la": ["X", "X", "X", "Y", "Y", "Y"], "s": ["p", "q", "q", "r", "r", "r"],
})
g = ["a", "b", "c"]
out = {
    "dissimilarity": dissimilarity(df, "a", "b"),
    "dissimilarity_rest_by": dissimilarity(df, "a", total="total", by="la").tolist(),
    "gini": gini(df, "a", "b"),
    "gini_rest_by": gini(df, "a", total="total", by="la").tolist(),
    "atkinson": atkinson(df, "a", "b", b=0.3),
    "atkinson_by": atkinson(df, "a", total="total", by="la").tolist(),
    "isolation": isolation(df, "a", total="total"),
    "exposure": exposure(df, "a", "b", total="total", by="la").tolist(),
    "correlation_ratio": correlation_ratio(df, "a", total="total"),
    "entropy_index": entropy_index(df, g, total="total", by="la").tolist(),
    "mutual_information": mutual_information(df, g),
    "mutual_information_within": mutual_information(df, g, within="s"),
    "decomposition": mutual_information_decomposition(df, g, within="s", total="total")[["M", "H"]].values.tolist(),
    "within_table": mutual_information_within(df, g, within="s")[["M", "p", "contribution"]].values.tolist(),
    "multigroup_dissimilarity": multigroup_dissimilarity(df, g, by="la").tolist(),
    "location_quotients": location_quotients(df, g, total="total").fillna(-1).values.tolist(),
    "local_mutual_information": local_mutual_information(df, g, by="la").fillna(-1).values.tolist(),
    "segregation_table": segregation_table(df, ["a", "b"], other="c", total="total")["value"].tolist(),
}
print(json.dumps(out))
"""


def test_every_index_runs_without_the_jit_and_agrees():
    with_jit = json.loads(_run(EVERY_INDEX))
    without = json.loads(_run(EVERY_INDEX, NUMBA_DISABLE_JIT="1"))
    assert with_jit.keys() == without.keys()
    for key in with_jit:
        np.testing.assert_allclose(
            np.asarray(without[key], float), np.asarray(with_jit[key], float), rtol=1e-12, atol=1e-15, err_msg=key
        )
    # and the subprocess with the JIT agrees with this process
    from segindex.indices import dissimilarity

    df = pd.DataFrame({"a": [10, 0, 5, 0, 7, 3], "b": [0, 10, 5, 0, 2, 9]})
    assert with_jit["dissimilarity"] == pytest.approx(dissimilarity(df, "a", "b"), rel=1e-15)


def _python_files(root: Path):
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def _numba_uses(tree: ast.AST):
    """Lines that import numba or use a jit/njit decorator by any name."""
    uses = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "numba" for a in node.names):
            uses.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "numba":
            uses.append(node.lineno)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for dec in node.decorator_list:
                target = dec.func if isinstance(dec, ast.Call) else dec
                name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
                if name in {"jit", "njit", "vectorize", "guvectorize", "cfunc", "stencil"}:
                    uses.append(node.lineno)
    return uses


def test_compiled_code_lives_only_under_kernels():
    offenders = []
    for path in _python_files(PACKAGE):
        if KERNELS in path.parents:
            continue
        for line in _numba_uses(ast.parse(path.read_text(), filename=str(path))):
            offenders.append(f"{path.relative_to(PACKAGE.parent)}:{line}")
    assert offenders == [], "numba used outside segindex/_kernels: " + ", ".join(offenders)


def test_kernels_use_the_shared_decorator_and_no_fastmath():
    files = _python_files(KERNELS)
    assert any(p.name == "twogroup.py" for p in files)
    for path in files:
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "fastmath":
                pytest.fail(f"{path.name}:{node.value.lineno} passes fastmath")
            if path.name == "_jit.py":
                continue
            # only the shared decorator compiles: no direct numba import in a kernel module
            if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "numba" for a in node.names):
                pytest.fail(f"{path.name}:{node.lineno} imports numba directly; use `from ._jit import jit`")
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "numba":
                pytest.fail(f"{path.name}:{node.lineno} imports from numba directly; use `from ._jit import jit`")
            # no kernel defined inside a function (a closure recompiles on every call)
            if isinstance(node, ast.FunctionDef):
                for inner in ast.walk(node):
                    if inner is not node and isinstance(inner, ast.FunctionDef) and inner.decorator_list:
                        pytest.fail(f"{path.name}:{inner.lineno} defines a decorated function inside {node.name}")


def test_the_shared_decorator_sets_the_policy():
    from segindex._kernels import twogroup

    kernel = twogroup.dissimilarity
    assert kernel.targetoptions.get("nogil") is True
    assert not kernel.targetoptions.get("fastmath")
    # cache=True gives the dispatcher an on-disk cache instead of numba's NullCache
    assert type(kernel._cache).__name__ == "FunctionCache"
