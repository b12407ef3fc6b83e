"""The conventions of the public API, kept by a test over every exported callable.

In the spirit of scikit-learn's common estimator checks: a convention written
only in a style guide drifts, one checked here does not. Each test walks every
public name of ``segindex`` and ``segindex.plot`` (and the package's modules,
for the layout rules) and lists every offender at once.

The conventions (see CHANGELOG.md for the renames that brought the API here):

* data first; two-group indices are ``f(data, group, other=None, *, total=None,
  by=None, ...)``; options are keyword-only;
* one name per shared option: ``n_draws`` (never ``n_bootstrap``), ``other``
  (never ``reference``), ``random_state`` (never ``seed``);
* plot functions are ``plot_*`` with a keyword-only ``ax=None``;
* British spelling in every public function and parameter name;
* no internal parameters (``caller``) in public signatures; type hints on every
  public signature;
* no import cycles between modules, and no private name imported across modules.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

import segindex
import segindex.plot
from segindex.indices import registry

PACKAGE = Path(segindex.__file__).resolve().parent


def _public_functions():
    """(qualified name, function) for every public function and class of segindex and segindex.plot."""
    out = []
    for module, prefix in ((segindex, "segindex"), (segindex.plot, "segindex.plot")):
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj) and not _is_stand_in(obj):
                out.append((f"{prefix}.{name}", obj))
    return out


def _is_stand_in(func) -> bool:
    """A renamed function's stand-in, which only raises (segindex._compat.removed_function)."""
    return func.__module__ == "segindex._compat"


FUNCTIONS = _public_functions()
IDS = [name for name, _ in FUNCTIONS]

#: First parameters a public function may take: its data (a table, a file, a result to draw).
DATA_FIRST = {
    "data",
    "residents",
    "data_from",
    "data_a",
    "table",
    "tables",
    "path",
    "paths",
    "lookup",
    "units",
    "frames",
    "index",
    "gdf",
    "source",
    "profile",
    "w",
    "districts",
    "values",
    "content",
    "town",
    "counts",
    "x",
    "result",
    "panel",
    "typology",
    "frame",
    "seed_table",
    "schools",
    "areas",
    "census",
    "inference",
    "small",
    "lookups",
    "first",
    "contrast",
    # a generator of example data takes its random state first
    "random_state",
    # the output folder of a writer (as pandas' to_csv takes its path first)
    "out_dir",
}
#: Text helpers of the plotting layer (they return strings, not Axes): not plot functions.
TEXT_HELPERS = {"figure_title", "human_label"}
#: Parameters that may be given by position after the data (the arguments that say what is measured).
POSITIONAL_OK = {
    "group",
    "other",
    "groups",
    "host",
    "thresholds",
    "bandwidths",
    "ks",
    "kind",
    "distance",
    "k",
    "columns",
    "mapping",
    "id_column",
    "target",
    "schools",
    "units",
    "data_to",
    "data_b",
    "index_args",
    "args",
    "lookup",
    "value",
    "typology",
    "rows",
    "cols",
    "column",
    "year",
    "centre",
    "areas",
    "census",
    "out",
    # a second table or lookup the function compares with or places into: data, not an option
    "data",
    "data_a",
    "authorities",
    "small",
    "large",
    "levels",
    "present",
    "second",
    "residents",
    "row_target",
    "col_target",
    "index",
    "within",
}
#: Old names of shared options and the names that replaced them.
RETIRED = {
    "n_bootstrap": "n_draws",
    "reference": "other",
    "seed": "random_state",
    "atkinson_b": "b",
    "caller": "(internal: not a public parameter)",
    "standardize": "standardise",
}
#: American spellings that must not appear in a public function or parameter name.
#: (matplotlib's own vocabulary — ``color``, ``colors``, ``edgecolor`` — is kept where a plot function
#: passes the value straight on to matplotlib, as geopandas and seaborn do.)
AMERICAN = re.compile(
    r"standardiz|normaliz|centraliz|harmoniz|summariz|randomiz|optimiz|analyz|organiz|categoriz|"
    r"neighbor|center|behavior|modeled|labeled"
)


@pytest.mark.parametrize(("name", "func"), FUNCTIONS, ids=IDS)
def test_data_comes_first(name, func):
    params = list(inspect.signature(func).parameters.values())
    if not params:
        return
    first = params[0]
    if name.rsplit(".", 1)[-1] in TEXT_HELPERS:
        return
    assert first.name in DATA_FIRST or first.kind is inspect.Parameter.KEYWORD_ONLY, (
        f"{name}: the first parameter is {first.name!r}; public functions take their data first "
        f"(one of {sorted(DATA_FIRST)})."
    )


@pytest.mark.parametrize(("name", "func"), FUNCTIONS, ids=IDS)
def test_options_are_keyword_only(name, func):
    loose = [
        p.name
        for p in list(inspect.signature(func).parameters.values())[1:]
        if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and p.name not in POSITIONAL_OK
    ]
    assert not loose, f"{name}: options {loose} can be given by position; make them keyword-only (after *)."


@pytest.mark.parametrize(("name", "func"), FUNCTIONS, ids=IDS)
def test_shared_options_have_one_name(name, func):
    params = inspect.signature(func).parameters
    retired = {p: RETIRED[p] for p in params if p in RETIRED}
    assert not retired, f"{name}: retired parameter names {retired} (old -> new)."
    random = [p for p in params if ("seed" in p or "random" in p or p == "rng") and p != "random_state"]
    assert not random, f"{name}: a random routine takes random_state, not {random}."
    draws = [p for p in params if re.fullmatch(r"n_(boot\w*|perm\w*|sim\w*|reps?|iter\w*_draws)", p)]
    assert not draws, f"{name}: the number of draws is n_draws, not {draws}."


@pytest.mark.parametrize(("name", "func"), FUNCTIONS, ids=IDS)
def test_british_spelling(name, func):
    words = [name.rsplit(".", 1)[-1], *inspect.signature(func).parameters]
    american = [w for w in words if AMERICAN.search(w)]
    assert not american, f"{name}: American spelling in {american}."


@pytest.mark.parametrize(("name", "func"), FUNCTIONS, ids=IDS)
def test_public_signatures_have_type_hints(name, func):
    sig = inspect.signature(func)
    bare = [
        p.name
        for p in sig.parameters.values()
        if p.annotation is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    assert not bare, f"{name}: parameters without a type hint: {bare}."
    if not inspect.isclass(func):
        assert sig.return_annotation is not inspect.Signature.empty, f"{name}: no return type hint."


def test_plot_functions_are_named_plot_and_take_a_keyword_only_ax():
    bad = []
    for name in segindex.plot.__all__:
        obj = getattr(segindex.plot, name)
        if not inspect.isfunction(obj) or _is_stand_in(obj) or name in TEXT_HELPERS:
            continue
        if not name.startswith("plot_"):
            bad.append(f"{name}: not named plot_*")
            continue
        ax = inspect.signature(obj).parameters.get("ax") or inspect.signature(obj).parameters.get("axes")
        if ax is None or ax.kind is not inspect.Parameter.KEYWORD_ONLY or ax.default is not None:
            bad.append(f"{name}: ax must be keyword-only with default None")
    assert not bad, "\n".join(bad)


def test_two_group_indices_share_one_signature():
    bad = []
    for spec in registry.specs("two-group"):
        params = list(inspect.signature(spec.function).parameters.values())
        head = [(p.name, p.kind, p.default) for p in params[:5]]
        want = [
            ("data", inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.empty),
            ("group", inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.empty),
            ("other", inspect.Parameter.POSITIONAL_OR_KEYWORD, None),
            ("total", inspect.Parameter.KEYWORD_ONLY, None),
            ("by", inspect.Parameter.KEYWORD_ONLY, None),
        ]
        if spec.comparison == "none":  # isolation-like: no comparison group
            want = [want[0], want[1], want[3], want[4]]
            head = head[:4]
        if head != want:
            bad.append(f"{spec.name}: starts {[h[0] for h in head]}, want {[w[0] for w in want]}")
    assert not bad, "\n".join(bad)


def test_every_registered_index_is_exported():
    missing = [s.name for s in registry.specs() if getattr(segindex, s.name, None) is not s.function]
    assert not missing, f"registered but not exported from segindex: {missing}"


def test_retired_names_raise_a_type_error_naming_the_new_one():
    import pandas as pd

    df = pd.DataFrame({"a": [1, 2, 3], "b": [3, 2, 1], "t": [4, 4, 4]})
    with pytest.raises(TypeError, match="'other'"):
        segindex.segregation_table(df, ["a"], reference="b")
    with pytest.raises(TypeError, match="'n_draws'"):
        segindex.segregation_table(df, ["a"], total="t", n_bootstrap=9)


# ----------------------------------------------------------------------------
# layout: modules import without cycles, and private names stay in their module


def _modules():
    out = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _top_level_imports(module: str, path: Path):
    """(imported module, names) of the module-level ``from ... import`` statements of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            yield _resolve(module, node, is_package), [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


def test_no_import_cycles_between_modules():
    graph = {}
    for module, path in MODULES.items():
        deps = set()
        for target, names in _top_level_imports(module, path):
            if not target.startswith("segindex"):
                continue
            for name in names:  # "from . import spatial" imports a module
                if f"{target}.{name}" in MODULES:
                    deps.add(f"{target}.{name}")
            if target in MODULES:
                deps.add(target)
        # a package's __init__ importing its own submodules is not a cycle
        graph[module] = {d for d in deps if d != module}
    cycles = []
    state = {}

    def visit(node, stack):
        state[node] = 1
        for dep in graph.get(node, ()):
            if dep.startswith(node + "."):  # a package and its submodules: import order, not a cycle
                continue
            if node.startswith(dep + "."):  # a submodule importing from its parent package
                continue
            if state.get(dep) == 1:
                cycles.append(stack[stack.index(dep) :] + [dep] if dep in stack else [node, dep])
            elif state.get(dep) is None:
                visit(dep, stack + [dep])
        state[node] = 2

    for module in sorted(graph):
        if state.get(module) is None:
            visit(module, [module])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_no_private_name_is_imported_across_modules():
    bad = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            target = _resolve(module, node, is_package)
            if not target.startswith("segindex") or target == module:
                continue
            for alias in node.names:
                dunder = alias.name.startswith("__") and alias.name.endswith("__")
                if alias.name.startswith("_") and not dunder and f"{target}.{alias.name}" not in MODULES:
                    bad.append(f"{module}: from {target} import {alias.name}")
    assert not bad, "private names imported across modules:\n" + "\n".join(bad)


def test_the_version_is_written_once():
    from importlib.metadata import version

    assert version("segindex-toolkit") == segindex.__version__
    pyproject = (PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^version\s*=\s*"', pyproject, re.M) is None, "the version is read from segindex.__version__"
    assert 'version = { attr = "segindex.__version__" }' in pyproject
