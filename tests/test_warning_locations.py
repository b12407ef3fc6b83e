"""Every warning segindex gives points at the line of the user's code that called it.

A warning attributed to a line inside segindex tells the user nothing about which of their calls
needs attention (and ``-W error::...:module`` filters cannot target it). For each public function
that can warn, a small input makes it warn; the warning's file must be this test file.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import box

import segindex as si
from segindex.change import areal_interpolate, decompose_change
from segindex.errors import SegindexWarning
from segindex.indices.spatial import morrill_dissimilarity
from segindex.schools import nearest_school_allocation, school_contrast
from segindex.weights import contiguity_weights


def _areas():
    """Two areas; group 'a' is absent from area 'Y' (so every index of 'a' is NaN there)."""
    return pd.DataFrame(
        {
            "a": [5.0, 1.0, 0.0, 0.0],
            "b": [1.0, 5.0, 3.0, 4.0],
            "c": [2.0, 2.0, 0.0, 0.0],
            "t": [8.0, 8.0, 3.0, 4.0],
            "area": ["X", "X", "Y", "Y"],
            "s": ["p", "q", "p", "q"],
        }
    )


def _overlapping():
    return gpd.GeoDataFrame(
        {"a": [1.0, 2.0, 3.0], "b": [3.0, 2.0, 1.0]},
        geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10), box(15, 0, 25, 10)],
        crs=27700,
    )


def _homes_and_schools():
    homes = gpd.GeoDataFrame(
        {"a": [5.0, 5.0], "t": [10.0, 10.0]},
        index=["near", "far"],
        geometry=gpd.points_from_xy([0, 50_000], [0, 0]),
        crs=27700,
    )
    schools = gpd.GeoDataFrame(
        {"a": [3.0, 1.0], "n": [6.0, 4.0]},
        index=["s1", "s2"],
        geometry=gpd.points_from_xy([10, 90_000], [0, 0]),
        crs=27700,
    )
    return homes, schools


def _years():
    y1 = _areas()
    y2 = _areas().assign(a=[4.0, 2.0, 0.0, 0.0])
    return y1, y2


CALLS = {
    "dissimilarity": lambda: si.dissimilarity(_areas(), "a", "b", by="area"),
    "dissimilarity against the rest": lambda: si.dissimilarity(_areas(), "a", total="t", by="area"),
    "gini": lambda: si.gini(_areas(), "a", "b", by="area"),
    "atkinson": lambda: si.atkinson(_areas(), "a", total="t", by="area"),
    "isolation": lambda: si.isolation(_areas(), "a", total="t", by="area"),
    "exposure": lambda: si.exposure(_areas(), "a", "b", total="t", by="area"),
    "correlation_ratio": lambda: si.correlation_ratio(_areas(), "a", total="t", by="area"),
    "entropy_index": lambda: si.entropy_index(_areas(), ["a", "c"], by="area"),
    "mutual_information": lambda: si.mutual_information(_areas(), ["a", "c"], by="area"),
    "mutual_information within": lambda: si.mutual_information(_areas(), ["a", "c"], within="s", by="area"),
    "mutual_information_decomposition": lambda: si.mutual_information_decomposition(
        _areas(), ["a", "c"], "s", by="area"
    ),
    "multigroup_dissimilarity": lambda: si.multigroup_dissimilarity(_areas(), ["a", "c"], by="area"),
    "segregation_table": lambda: si.segregation_table(_areas(), ["a", "b"], total="t", by="area"),
    "threshold_exposure": lambda: si.threshold_exposure(_areas(), "a", total="t", by="area"),
    "contiguity_weights": lambda: contiguity_weights(_overlapping()),
    "morrill_dissimilarity": lambda: morrill_dissimilarity(_overlapping(), "a", "b"),
    "nearest_school_allocation": lambda: nearest_school_allocation(*_homes_and_schools(), ["a"], max_distance=1000),
    "school_contrast": lambda: school_contrast(*_homes_and_schools(), "a", total="t", school_total="n", radius=1000),
    "areal_interpolate": lambda: areal_interpolate(_overlapping().iloc[:2], _overlapping().iloc[:1], ["a"]),
    "decompose_change": lambda: decompose_change(*_years(), "a", total="t", by="area"),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_the_warning_points_at_the_callers_line(name):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        CALLS[name]()
    ours = [w for w in caught if issubclass(w.category, SegindexWarning)]
    assert ours, f"{name}: the input built to make it warn gave no segindex warning"
    for w in ours:
        assert w.filename == __file__, f"{name}: {w.category.__name__} points at {w.filename}:{w.lineno}"


def test_a_warning_filter_on_the_callers_module_silences_it():
    # the practical use: a user can silence the warning for their own module only
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=SegindexWarning, module=__name__)
        value = si.dissimilarity(_areas(), "a", "b", by="area")
    assert not [w for w in caught if issubclass(w.category, SegindexWarning)]
    assert np.isnan(value.loc["Y"]) and value.loc["X"] == pytest.approx(0.5 * (abs(5 / 6 - 1 / 6) + abs(1 / 6 - 5 / 6)))
