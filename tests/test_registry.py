"""The index registry: one spec per index, read by the table, inference, schools and change."""

from __future__ import annotations

import importlib
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from segindex.errors import SegindexTypeError, SegindexValueError
from segindex.indices import registry
from segindex.indices.registry import IndexSpec, clip_rounding, get, names, register, specs

EXPECTED = {
    "two-group": {"dissimilarity", "gini", "atkinson", "isolation", "exposure", "correlation_ratio"},
    "multigroup": {"entropy_index", "mutual_information", "multigroup_dissimilarity"},
    "spatial": {
        "morrill_dissimilarity",
        "boundary_dissimilarity",
        "perimeter_area_dissimilarity",
        "spatial_isolation",
        "spatial_information",
        "distance_decay_isolation",
        "distance_decay_exposure",
    },
}


def test_every_index_is_registered_once_with_its_function():
    import segindex

    for kind, expected in EXPECTED.items():
        assert expected <= set(names(kind))
    for spec in specs():
        assert getattr(segindex, spec.name) is spec.function
        assert get(spec.function) is spec and get(spec.name) is spec
        assert (spec.compute is None) == (spec.kind == "spatial")


def test_computes_equal_the_public_functions():
    # every aspatial index registered (the house's and the peer-parity sets): its compute is its function
    import inspect

    rng = np.random.default_rng(4)
    groups = ["a", "b", "c", "d", "e", "f", "g"]  # seven ordered categories for the rank-order indices
    df = pd.DataFrame(rng.integers(1, 40, size=(30, 7)), columns=groups)
    df["total"] = df[groups].sum(axis=1) + rng.integers(0, 10, size=30)
    x, y, t = (df[c].to_numpy(dtype=float) for c in ("a", "b", "total"))
    none = np.empty(0, dtype=np.int64)
    checked = 0
    for spec in specs("two-group"):
        params = inspect.signature(spec.function).parameters
        kwargs = {"total": "total"} if "total" in params else {}
        args = ("a",) if spec.comparison == "none" or "other" not in params else ("a", "b")
        if "total" not in params:  # the group against the other group only: the unit totals are x + y
            got = spec.compute(x, y, x + y, none, 1)[0]
            want = spec.function(df.assign(b=df["total"] - df["a"]), "a")
        else:
            got = spec.compute(x, y, t, none, 1)[0]
            want = spec.function(df, *args, **kwargs)
        assert got == pytest.approx(want, rel=1e-12), spec.name
        checked += 1
    values = df[groups].to_numpy(dtype=float)
    for spec in specs("multigroup"):
        assert spec.compute(values, none, 1)[0] == pytest.approx(spec.function(df, groups), rel=1e-12), spec.name
        checked += 1
    assert checked >= 20


def test_get_and_register_errors():
    with pytest.raises(SegindexValueError, match=r"infer\(\): unknown index 'theil'. Valid names: .*dissimilarity"):
        get("theil", "infer")
    with pytest.raises(SegindexTypeError, match=r"the 'index' parameter must be an index name"):
        get(3)
    with pytest.raises(SegindexTypeError, match=r"register\(\): expected an IndexSpec, got dict"):
        register({"name": "x"})
    with pytest.raises(SegindexValueError, match=r"an index named 'gini' is already registered"):
        register(IndexSpec("gini", "two-group", len, compute=len))
    with pytest.raises(SegindexValueError, match=r"kind must be one of"):
        IndexSpec("x", "local", len)
    with pytest.raises(SegindexValueError, match=r"a two-group index needs an array-level compute"):
        IndexSpec("x", "two-group", len)


def test_a_new_index_needs_only_its_function_and_a_spec(monkeypatch):
    # an index without a kernel code: the table takes it by name and infer draws it through its compute
    from segindex import infer, segregation_table
    from segindex._kernels import computes

    def share_gap(x, y, t, codes, n_areas):
        # the largest unit share of the group minus its overall share (a toy index)
        values = np.empty(n_areas)
        groups = codes if codes.size else np.zeros(x.shape[0], dtype=np.int64)
        for a in range(n_areas):
            sel = (groups == a) & (t > 0)
            values[a] = np.max(x[sel] / t[sel]) - x[groups == a].sum() / t[groups == a].sum()
        return values

    def share_gap_function(data, group, other=None, *, total=None, by=None):
        return float(
            share_gap(data[group].to_numpy(float), None, data[total].to_numpy(float), np.empty(0, np.int64), 1)[0]
        )

    spec = IndexSpec("share_gap", "two-group", share_gap_function, share_gap, bounds=None)
    monkeypatch.setitem(registry._REGISTRY, "share_gap", spec)
    df = pd.DataFrame({"a": [5, 20, 3, 9], "total": [40, 30, 35, 20], "la": ["p", "p", "q", "q"]})
    t = segregation_table(df, ["a"], total="total", indices=["share_gap", "dissimilarity"])
    assert t.set_index("index").loc["share_gap", "value"] == pytest.approx(20 / 30 - 37 / 125)
    r = infer("share_gap", df, "a", total="total", n_draws=19, random_state=0)
    assert r.value == pytest.approx(20 / 30 - 37 / 125) and np.isfinite(r.draws).all() and r.expected > 0
    by = segregation_table(df, ["a"], total="total", by="la", indices=["share_gap"], n_draws=9, random_state=0)
    assert by["expected"].notna().all() and by["ci_low"].notna().all()
    assert computes.dissimilarity is get("dissimilarity").compute


def test_clip_rounding_only_clips_rounding():
    v = clip_rounding(np.array([-1.6e-15, 0.3, 1 + 1e-13, -1e-6, np.nan]), (0.0, 1.0))
    assert v[:4].tolist() == [0.0, 0.3, 1.0, -1e-6] and np.isnan(v[4])
    assert clip_rounding(np.array([-2.0]), None).tolist() == [-2.0]


@pytest.mark.parametrize(
    "module",
    [
        "segindex.indices.table",
        "segindex.inference",
        "segindex._resampling",
        "segindex.schools",
        "segindex.indices.registry",
    ],
)
def test_modules_import_on_their_own(module):
    # no import cycle between the table and inference: each imports first in a fresh interpreter
    code = f"import importlib; importlib.import_module({module!r})"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_removed_lists_are_gone():
    inference = importlib.import_module("segindex.inference")
    table = importlib.import_module("segindex.indices.table")
    schools = importlib.import_module("segindex.schools")
    for module, name in (
        (inference, "_INDEX_CODES"),
        (inference, "_FUNCTIONS"),
        (inference, "_BOUNDED"),
        (inference, "_EXPOSURES"),
        (table, "TWO_GROUP_INDICES"),
        (schools, "COMPARISON_INDICES"),
    ):
        assert not hasattr(module, name)
    assert set(inference.INFERENCE_INDICES) == set(names())
