"""An area that fails in a ``by=`` run: NaN rows and one warning naming it and its error; the others intact."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import segindex as si
from segindex import _engine
from segindex.errors import AreaFailureWarning, SegindexValueError
from segindex.indices import spatial as sp

KW = dict(bandwidth=500, points=("x", "y"), crs=27700)


def _frame(n=60, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "x": rng.uniform(0, 5000, n),
            "y": rng.uniform(0, 5000, n),
            "a": rng.integers(0, 50, n),
            "b": rng.integers(0, 50, n),
            "la": np.repeat(["A", "B", "C"], n // 3),
        }
    )


@pytest.fixture
def fail_in_area_b(monkeypatch):
    """Make the kernel sums fail on area B's points only (B's units are rows 20-39 of the frame)."""
    real = sp.kernel_sums
    b_xy = _frame()[["x", "y"]].to_numpy()[20:40]

    def kernel_sums(xy, *args, **kwargs):
        if xy.shape == b_xy.shape and np.array_equal(xy, b_xy):
            raise MemoryError("out of memory in the kernel sums")
        return real(xy, *args, **kwargs)

    monkeypatch.setattr(sp, "kernel_sums", kernel_sums)


def test_a_failing_area_is_nan_and_named_with_its_error_and_the_others_are_intact(fail_in_area_b):
    df = _frame()
    with pytest.warns(AreaFailureWarning, match=r"failed in 1 of 3 areas.*'B' \(MemoryError: out of memory"):
        got = si.spatial_information(df, ["a", "b"], by="la", **KW)
    assert np.isnan(got["B"])
    for area in ("A", "C"):
        assert got[area] == si.spatial_information(df[df["la"] == area], ["a", "b"], **KW)


def test_a_failing_area_leaves_no_rows_in_a_profile_and_nan_rows_per_unit(fail_in_area_b):
    df = _frame()
    with pytest.warns(AreaFailureWarning, match="'B'"):
        prof = si.multiscale_profile(df, ["a", "b"], bandwidths=[250, 1000], points=("x", "y"), crs=27700, by="la")
    assert set(prof["area"]) == {"A", "C"}
    alone = si.multiscale_profile(df[df["la"] == "C"], ["a", "b"], bandwidths=[250, 1000], points=("x", "y"), crs=27700)
    assert prof.loc[prof["area"] == "C", "value"].tolist() == alone["value"].tolist()
    with pytest.warns(AreaFailureWarning, match="'B'"):
        env = si.local_environment(df, ["a", "b"], by="la", **KW)
    assert env.iloc[20:40].isna().all().all()
    assert env.iloc[:20].notna().all().all()


def test_every_area_failing_raises_the_first_error(monkeypatch):
    def broken(*args, **kwargs):
        raise MemoryError("out of memory in the kernel sums")

    monkeypatch.setattr(sp, "kernel_sums", broken)
    with pytest.raises(MemoryError, match="out of memory"):
        si.spatial_information(_frame(), ["a", "b"], by="la", **KW)


def test_a_bad_coordinate_is_named_by_its_row_in_the_whole_table_not_the_area():
    df = _frame()
    df.loc[25, "x"] = np.nan  # row 25 is the sixth unit of area B
    with pytest.raises(SegindexValueError, match="non-finite coordinate at row 25"):
        si.spatial_information(df, ["a", "b"], by="la", **KW)


def test_map_areas_gives_none_for_a_failed_area_and_keeps_the_others():
    def square_unless_two(shared, k):
        if k == 2:
            raise ZeroDivisionError("division by zero in area two")
        return shared[k] ** 2

    with pytest.warns(AreaFailureWarning, match=r"'c' \(ZeroDivisionError: division by zero in area two\)"):
        out = _engine.map_areas(square_unless_two, [1, 2, 3, 4], 4, keys=["a", "b", "c", "d"], caller="f")
    assert out == [1, 4, None, 16]
