"""Invariances and bounds of the core indices, as hypothesis property tests.

Tables are small (2-12 units, 2-4 groups, counts 0-40, a random rest of the
population in ``total``) and always have every group present, so every index
is defined. Units may be empty.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from segindex.indices.local import local_mutual_information
from segindex.indices.multigroup import (
    entropy_index,
    multigroup_dissimilarity,
    mutual_information,
    mutual_information_decomposition,
)
from segindex.indices.twogroup import atkinson, correlation_ratio, dissimilarity, exposure, gini, isolation

SETTINGS = settings(max_examples=50, deadline=None)


@st.composite
def tables(draw, min_units=2, max_units=12):
    n = draw(st.integers(min_units, max_units))
    G = draw(st.integers(2, 4))
    counts = draw(arrays(np.int64, (n, G), elements=st.integers(0, 40)))
    assume(counts.sum(axis=0).min() > 0)
    rest = draw(arrays(np.int64, n, elements=st.integers(0, 20)))
    frame = pd.DataFrame(counts.astype(float), columns=[f"g{k}" for k in range(G)])
    frame["total"] = counts.sum(axis=1) + rest
    return frame


def groups_of(df):
    return [c for c in df.columns if c.startswith("g")]


def evenness(df):
    """Indices that must not change when a unit is split into two of the same composition."""
    g = groups_of(df)
    return {
        "D": dissimilarity(df, "g0", "g1"),
        "D_rest": dissimilarity(df, "g0", total="total"),
        "Gini": gini(df, "g0", "g1"),
        "Gini_rest": gini(df, "g0", total="total"),
        "Atkinson": atkinson(df, "g0", "g1"),
        "Atkinson_b0.2": atkinson(df, "g0", total="total", b=0.2),
        "H": entropy_index(df, g),
        "H_total": entropy_index(df, g, total="total"),
        "M": mutual_information(df, g),
        "M_total": mutual_information(df, g, total="total"),
        "mD": multigroup_dissimilarity(df, g),
        "mD_total": multigroup_dissimilarity(df, g, total="total"),
    }


def all_indices(df):
    out = evenness(df)
    out["isolation"] = isolation(df, "g0", total="total")
    out["exposure"] = exposure(df, "g0", "g1", total="total")
    out["eta2"] = correlation_ratio(df, "g0", total="total")
    return out


def assert_same(a, b, rtol=1e-9, atol=1e-12):
    assert a.keys() == b.keys()
    for key in a:
        assert b[key] == pytest.approx(a[key], rel=rtol, abs=atol), key


@SETTINGS
@given(df=tables(), data=st.data())
def test_unit_order_does_not_matter(df, data):
    order = data.draw(st.permutations(range(len(df))))
    assert_same(all_indices(df), all_indices(df.iloc[list(order)]))


@SETTINGS
@given(df=tables(), factor=st.sampled_from([0.5, 3.0, 7.25, 1000.0]))
def test_scaling_all_counts_changes_nothing(df, factor):
    assert_same(all_indices(df), all_indices(df * factor))


@SETTINGS
@given(df=tables(), data=st.data())
def test_splitting_a_unit_proportionally_changes_no_evenness_index(df, data):
    i = data.draw(st.integers(0, len(df) - 1))
    share = data.draw(st.sampled_from([0.5, 0.25, 0.1]))
    row = df.iloc[[i]]
    split = pd.concat([df.drop(index=df.index[i]), row * share, row * (1 - share)], ignore_index=True)
    assert_same(evenness(df), evenness(split))


@SETTINGS
@given(df=tables(min_units=1))
def test_empty_units_change_nothing(df):
    empty = pd.DataFrame(0.0, index=range(3), columns=df.columns)
    padded = pd.concat([empty.iloc[:1], df, empty.iloc[1:]], ignore_index=True)
    # the same arithmetic, so equal up to summation order only
    assert_same(all_indices(df), all_indices(padded), rtol=1e-12)


@SETTINGS
@given(df=tables())
def test_dissimilarity_is_symmetric_and_exposure_identity_holds(df):
    assert dissimilarity(df, "g0", "g1") == pytest.approx(dissimilarity(df, "g1", "g0"), rel=1e-12, abs=1e-15)
    assert gini(df, "g0", "g1") == pytest.approx(gini(df, "g1", "g0"), rel=1e-9, abs=1e-12)
    X, Y = df["g0"].sum(), df["g1"].sum()
    xPy = exposure(df, "g0", "g1", total="total")
    yPx = exposure(df, "g1", "g0", total="total")
    assert X * xPy == pytest.approx(Y * yPx, rel=1e-12)


@SETTINGS
@given(df=tables())
def test_bounds(df):
    eps = 1e-12
    values = all_indices(df)
    for key in (
        "D",
        "D_rest",
        "Gini",
        "Gini_rest",
        "Atkinson",
        "Atkinson_b0.2",
        "H",
        "H_total",
        "mD",
        "mD_total",
        "eta2",
    ):
        assert -eps <= values[key] <= 1 + eps, key
    P = df["g0"].sum() / df["total"].sum()
    assert P - eps <= values["isolation"] <= 1 + eps
    assert 0 <= values["exposure"] <= 1 + eps
    for key in ("M", "M_total"):
        assert values[key] >= -eps
    # M is at most the entropy of the group margin (H = M / E <= 1)
    shares = df[groups_of(df)].sum() / df[groups_of(df)].to_numpy().sum()
    assert values["M"] <= -(shares * np.log(shares)).sum() + eps


@SETTINGS
@given(df=tables(min_units=3), data=st.data())
def test_between_plus_within_is_total(df, data):
    labels = data.draw(st.lists(st.sampled_from(["s1", "s2", "s3"]), min_size=len(df), max_size=len(df)))
    df = df.assign(s=labels)
    g = groups_of(df)
    d = mutual_information_decomposition(df, g, within="s", total="total")
    M = dict(zip(d["component"], d["M"]))
    H = dict(zip(d["component"], d["H"]))
    assert M["between"] + M["within"] == pytest.approx(M["total"], rel=1e-10, abs=1e-14)
    assert H["between"] + H["within"] == pytest.approx(H["total"], rel=1e-10, abs=1e-14)
    assert M["total"] == pytest.approx(mutual_information(df, g, total="total"), rel=1e-12, abs=1e-15)
    assert M["between"] >= -1e-12 and M["within"] >= -1e-12


@SETTINGS
@given(df=tables())
def test_local_scores_average_to_m(df):
    g = groups_of(df)
    local = local_mutual_information(df, g, total="total")
    assert (local["p"] * local["ls"]).sum() == pytest.approx(
        mutual_information(df, g, total="total"), rel=1e-10, abs=1e-14
    )
    assert local["p"].sum() == pytest.approx(1.0, rel=1e-12)
    assert (local["ls"].dropna() >= -1e-12).all()


@settings(max_examples=200, deadline=None)
@given(
    arrays(
        np.float64,
        st.integers(0, 300),
        elements=st.one_of(
            st.sampled_from([0.0, 0.25, 0.5, 1.0, 5e-324, 1e300]),
            st.floats(0.0, 1e12, allow_nan=False, allow_infinity=False),
        ),
    )
)
def test_radix_argsort_sorts_like_a_stable_argsort(v):
    # Gini's sort: bit patterns of non-negative floats as integers, 11 bits a pass
    from segindex._kernels.twogroup import argsort_nonnegative

    np.testing.assert_array_equal(argsort_nonnegative(v), np.argsort(v, kind="stable"))
