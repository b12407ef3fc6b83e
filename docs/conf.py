"""Sphinx configuration of the segindex documentation.

Build with ``python -m sphinx -b html -W --keep-going -n docs docs/_build/html`` from the project root.
Nothing is executed during the build: the notebooks are rendered from the executed copies in
``docs/notebooks/`` (made by ``docs/execute_notebooks.py``), and the API reference is generated from
``segindex.__all__`` and ``segindex.plot.__all__``, so a name added to either appears without editing
anything here.
"""

from __future__ import annotations

import importlib
import inspect
import pprint
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import segindex  # noqa: E402
import segindex.plot  # noqa: E402

# -- project -------------------------------------------------------------------------------------------------------
project = "segindex"
author = "The segindex developers"
copyright = "the segindex developers"  # noqa: A001
release = segindex.__version__
version = ".".join(release.split(".")[:2])

# -- extensions ----------------------------------------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # MathJax copied into _static: formulas render without a network
    "numpydoc",
    "myst_nb",  # MyST markdown for the prose and the rendered notebooks
    "sphinx_design",  # the cards of the home page and the gallery
]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "execute_notebooks.py"]
templates_path = ["_templates"]

# The machines that build the docs are offline: no intersphinx. Types of other libraries named in
# signatures and docstrings are therefore left unlinked rather than reported as broken references.
nitpicky = True
nitpick_ignore_regex = [
    (
        r"py:.*",
        r"(np|numpy|pd|pandas|gpd|geopandas|shapely|scipy|matplotlib|mpl|plt|mapclassify|libpysal|dask|"
        r"distributed|numba|pyogrio|collections|typing|pathlib|os|datetime|jinja2)(\..*)?",
    ),
    (
        r"py:.*",
        r"(ArrayLike|NDArray|DataFrame|GeoDataFrame|Series|Index|MultiIndex|Axes|Figure|Path|PathLike|"
        r"Callable|Iterable|Sequence|Mapping|Hashable|Literal|Any|Generator|Client|csr_matrix|"
        r"sparse|Colormap|Geometry|BaseGeometry|W|Graph)",
    ),
]

# -- autosummary / autodoc / numpydoc -----------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # numpydoc's Parameters sections give the types, in words
autodoc_default_options = {"member-order": "bysource"}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# -- MyST and notebooks -------------------------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "off"  # render the executed copies in docs/notebooks; never execute during the build
nb_merge_streams = True
suppress_warnings = ["mystnb.unknown_mime_type"]

# -- HTML ----------------------------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"segindex {release}"
html_static_path = ["_static"]
html_css_files = ["segindex.css"]
html_last_updated_fmt = None
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_align": "left",
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": [],
}
# pages without sub-pages get the width of the left sidebar (their code has long lines); the guides and the
# API reference keep it, to move between their pages
html_sidebars = {
    page: []
    for page in (
        "index",
        "getting-started",
        "notebooks",
        "notebooks/*",
        "gallery",
        "architecture",
        "performance",
        "changelog",
        "cite",
    )
}

# -- the API reference, generated from __all__ --------------------------------------------------------------------

#: Section titles of the reference, by the module that defines a name (the first prefix that matches).
SECTIONS = [
    ("segindex.counts", "Counts: wide and long tables"),
    ("segindex.indices.twogroup", "Two-group indices"),
    ("segindex.indices.multigroup", "Multigroup indices"),
    ("segindex.indices.local", "Per-unit measures"),
    ("segindex.indices.table", "Every index at once"),
    ("segindex.inference", "Inference: intervals, tests and bias corrections"),
    ("segindex.schools", "Schools against neighbourhoods"),
    ("segindex.typology", "Area typology and threshold measures"),
    ("segindex.weights", "Spatial weights"),
    ("segindex.indices.spatial", "Spatial and multiscale indices"),
    ("segindex.change", "Change over time"),
    ("segindex.geography", "Wards and lookups"),
    ("segindex.perturbation", "Census 2021 perturbation"),
    ("segindex.io", "Reading files"),
    ("segindex.classification", "Ethnic classifications"),
    ("segindex.datasets", "Example data"),
    ("segindex.report", "Reports"),
    ("segindex.errors", "Errors and warnings"),
]


def defining_module(package, name: str) -> str:
    """The module that defines ``package.name``: its ``__module__``, or for data the submodule holding it."""
    obj = getattr(package, name)
    if inspect.ismodule(obj):
        return obj.__name__
    module = getattr(obj, "__module__", None)
    if isinstance(module, str) and module.startswith("segindex") and not isinstance(obj, (dict, tuple, list, str)):
        return module
    for mod_name, mod in sorted(sys.modules.items()):
        if mod_name.startswith(package.__name__ + ".") and mod is not None and getattr(mod, name, None) is obj:
            if mod_name.rsplit(".", 1)[-1] != "__init__" and name in vars(mod):
                source = inspect.getsource(mod) if hasattr(mod, "__file__") else ""
                if f"\n{name} =" in source or f"\n{name}:" in source:
                    return mod_name
    return package.__name__


def _template(obj) -> str:
    if inspect.ismodule(obj):
        return "module.rst"
    if inspect.isclass(obj):
        return "class.rst"
    if callable(obj):
        return "function.rst"
    return "data.rst"


def _table(prefix: str, names: list[str], package) -> list[str]:
    lines = [f".. currentmodule:: {prefix}", ""]
    by_template: dict[str, list[str]] = {}
    for name in names:
        by_template.setdefault(_template(getattr(package, name)), []).append(name)
    for template in ("function.rst", "class.rst", "data.rst"):
        if template in by_template:
            lines += [".. autosummary::", "   :toctree: generated", f"   :template: autosummary/{template}", ""]
            lines += [f"   {name}" for name in by_template[template]] + [""]
    for name in by_template.get("module.rst", []):
        title = f"``{prefix}.{name}``"
        lines += [title, "~" * len(title), "", f".. automodule:: {prefix}.{name}", "   :no-members:", ""]
        lines += ["Its public names are importable from ``segindex`` and listed in this section.", ""]
    return lines


def write_api_page() -> Path:
    """Write ``api.rst``: every name of ``segindex.__all__`` and ``segindex.plot.__all__``, by section."""
    lines = [
        ".. This file is generated by docs/conf.py from segindex.__all__ and segindex.plot.__all__: do not edit.",
        "",
        "API reference",
        "=============",
        "",
        "Everything public is importable from ``segindex`` (``import segindex as si``); maps and charts from",
        "``segindex.plot``. Each page gives the formula under *Notes*, the literature under *References* and",
        "an example that runs as a doctest.",
        "",
    ]
    groups: dict[str, list[str]] = {}
    for name in segindex.__all__:
        if name == "plot":
            continue
        module = defining_module(segindex, name)
        title = next((t for prefix, t in SECTIONS if module == prefix or module.startswith(prefix + ".")), None)
        groups.setdefault(title or "Other", []).append(name)
    order = [t for _, t in SECTIONS if t in groups] + (["Other"] if "Other" in groups else [])
    for title in dict.fromkeys(order):
        lines += [title, "-" * len(title), ""] + _table("segindex", groups[title], segindex)
    title = "Maps and charts: ``segindex.plot``"
    lines += [title, "-" * len(title), "", ".. automodule:: segindex.plot", "   :no-members:", ""]
    lines += _table("segindex.plot", list(segindex.plot.__all__), segindex.plot)
    path = HERE / "api.rst"
    text = "\n".join(lines).rstrip() + "\n"
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path


write_api_page()


def _attribute_comment(name: str, package_name: str) -> list[str]:
    """The ``#:`` comment above ``name`` in the submodule of ``package_name`` that defines it."""
    from sphinx.pycode import ModuleAnalyzer

    package = importlib.import_module(package_name)
    module = defining_module(package, name)
    if module == package_name:
        return []
    try:
        docs = ModuleAnalyzer.for_module(module).find_attr_docs()
    except Exception:  # noqa: BLE001 - a module without source: no comment to show
        return []
    return [line for line in docs.get(("", name), []) if line is not None]


def _document_data(app, what, name, obj, options, lines):
    """Constants re-exported by the package: their ``#:`` comment from the defining module, and their value."""
    if what != "data":
        return
    package_name, _, short = name.rpartition(".")
    if not lines or lines[0].startswith(type(obj).__doc__.splitlines()[0][:20] if type(obj).__doc__ else "\0"):
        lines[:] = _attribute_comment(short, package_name)


def _show_long_value(app, what, name, obj, options, lines):
    """After numpydoc: a long constant's value, laid out (the signature line shows it on one line)."""
    if what != "data":
        return
    value = pprint.pformat(obj, width=100, sort_dicts=False)
    if len(repr(obj)) > 100:
        lines += ["", "Value::", ""] + ["    " + line for line in value.splitlines()] + [""]


def _public_twin(target: str):
    """``segindex.plot.x`` or ``segindex.x`` when ``target`` (``segindex.sub.x[.attr]``) is a re-exported name."""
    parts = target.split(".")
    if parts[0] != "segindex":
        parts = ["segindex", *parts]
    for split in range(len(parts), 1, -1):
        module_name, names = ".".join(parts[: split - 1]), parts[split - 1 :]
        try:
            obj = importlib.import_module(module_name)
        except ImportError:
            continue
        try:
            for name in names[:1]:
                obj = getattr(obj, name)
        except AttributeError:
            continue
        rest = ".".join(names[1:])
        for package in (segindex, segindex.plot):
            if names[0] in getattr(package, "__all__", ()) and getattr(package, names[0]) is obj:
                return ".".join(filter(None, [package.__name__, names[0], rest]))
        return None
    return None


def _module_section(target: str):
    """The API-reference section of a submodule: ``(docname, anchor)``, or None."""
    if not target.startswith("segindex"):
        return None
    if target == "segindex.plot" or target.startswith("segindex.plot."):
        return "api", "maps-and-charts-segindex-plot"
    for prefix, title in SECTIONS:
        if target == prefix or target.startswith(prefix + ".") or prefix.startswith(target + "."):
            anchor = "".join(c if c.isalnum() else "-" for c in title.lower())
            return "api", "-".join(filter(None, anchor.split("-")))
    return None


def _is_removed(obj) -> bool:
    """True for the stand-in of a removed or renamed function (``segindex._compat.removed_function``)."""
    code = getattr(obj, "__code__", None)
    return getattr(code, "co_qualname", "").startswith("removed_function.")


#: References that docstrings make to existing names that have no page of their own (not public).
UNLINKED: set[str] = set()


def _resolve_missing(app, env, node, contnode):
    """Resolve references to the place where the reference documents a name.

    Docstrings refer to ``segindex.weights.unit_points`` or ``segindex.inference``; the reference
    documents the flat names (``segindex.unit_points``) and has one section per module. A reference to an
    existing name that is not public is rendered as code without a link (and recorded in ``UNLINKED``);
    one to a removed function (its stand-in that raises) or to nothing at all stays an error.
    """
    from docutils import nodes
    from sphinx.util.nodes import make_refnode

    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"]
    domain = env.get_domain("py")
    builder = app.builder
    if node["reftype"] == "mod":
        section = _module_section(target)
        if section is not None:
            return make_refnode(builder, node["refdoc"], section[0], section[1], contnode, target)
        return None
    module = node.get("py:module") or "segindex"
    candidates = [target] if target.startswith("segindex") else [f"{module}.{target}", f"segindex.{target}"]
    for candidate in candidates:
        twin = _public_twin(candidate)
        if twin and twin != target:
            resolved = domain.resolve_any_xref(env, node["refdoc"], builder, twin, node, contnode)
            if resolved:
                return resolved[0][1]
    # a name of the module that defines the documented object (docstrings name their neighbours bare)
    head = target.split(".")[0]
    candidates += [
        f"{name}.{target}"
        for name, mod in sorted(sys.modules.items())
        if name.startswith("segindex") and mod is not None and head in vars(mod)
    ]
    for candidate in candidates:
        owner, _, name = candidate.rpartition(".")
        try:
            obj = importlib.import_module(owner)
        except ImportError:
            owner, _, attr = owner.rpartition(".")
            try:
                obj = getattr(importlib.import_module(owner), attr)
            except (ImportError, AttributeError):
                continue
        if hasattr(obj, name) and not _is_removed(getattr(obj, name)):
            UNLINKED.add(candidate)
            return nodes.literal(
                target, target.rpartition(".")[2] if node.get("refexplicit") is False else contnode.astext()
            )
    return None


def _report_unlinked(app, exception):
    if exception is None and UNLINKED:
        names = ", ".join(sorted(UNLINKED))
        print(f"segindex docs: names referred to by docstrings but not public (left unlinked): {names}")


def setup(app):
    app.connect("autodoc-process-docstring", _document_data, priority=100)  # before numpydoc
    app.connect("autodoc-process-docstring", _show_long_value, priority=900)  # after numpydoc
    app.connect("missing-reference", _resolve_missing)
    app.connect("build-finished", _report_unlinked)
