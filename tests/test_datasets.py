"""Tests of the synthetic example town (segindex.datasets)."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from scipy.spatial import cKDTree

from segindex.datasets import EXAMPLE_GROUPS, ExampleTown, example_town
from segindex.indices.twogroup import dissimilarity


@pytest.fixture(scope="module")
def town():
    return example_town(0)


def test_shape_and_columns(town):
    assert isinstance(town, ExampleTown)
    assert town.groups == EXAMPLE_GROUPS and len(town.groups) >= 5
    units, schools = town.units, town.schools
    assert len(units) == 300 and len(schools) == 100
    assert units.index.name == "unit_id" and units.index.is_unique
    assert schools.index.name == "school_id" and schools.index.is_unique
    assert list(units.columns) == ["ward", *town.groups, "total", "geometry"]
    for g in town.groups:
        assert units[g].dtype.kind == "i" and schools[g].dtype.kind == "i"
        assert (units[g] >= 0).all() and (schools[g] >= 0).all()
    assert (units[list(town.groups)].sum(axis=1) == units["total"]).all()
    assert (schools[list(town.groups)].sum(axis=1) == schools["roll"]).all()
    assert set(schools["phase"]) == {"primary", "secondary"}
    # wards are coarser than units
    assert 10 <= units["ward"].nunique() <= 40


def test_geometry_is_british_national_grid(town):
    units, schools = town.units, town.schools
    assert units.crs.to_epsg() == 27700 and schools.crs.to_epsg() == 27700
    assert (units.geom_type == "Polygon").all() and units.geometry.is_valid.all()
    assert (schools.geom_type == "Point").all()
    x0, y0, x1, y1 = units.total_bounds
    assert 0 < x0 < x1 < 700_000 and 0 < y0 < y1 < 1_300_000  # inside Great Britain's grid
    assert 5_000 < x1 - x0 < 20_000  # a town, not a county
    # the cells tile the town without overlapping
    assert units.geometry.union_all().area == pytest.approx(units.geometry.area.sum(), rel=1e-6)
    # every school stands inside the town
    assert schools.within(units.geometry.union_all().buffer(1.0)).all()


def test_description_says_synthetic(town):
    assert "SYNTHETIC" in town.description
    assert "random_state=0" in town.description


def test_same_seed_same_town():
    a, b = example_town(7, choice=0.3), example_town(7, choice=0.3)
    pd.testing.assert_frame_equal(a.units, b.units)
    pd.testing.assert_frame_equal(a.schools, b.schools)
    pd.testing.assert_frame_equal(a.pupils, b.pupils)


def test_different_seeds_differ():
    a, b = example_town(1), example_town(2)
    assert not a.units[list(a.groups)].equals(b.units[list(b.groups)])
    assert not np.allclose(a.units.total_bounds, b.units.total_bounds)


def test_residents_do_not_depend_on_choice():
    a, b = example_town(3, choice=0.0), example_town(3, choice=0.5)
    pd.testing.assert_frame_equal(a.units, b.units)
    pd.testing.assert_frame_equal(a.pupils, b.pupils)
    assert not a.schools[list(a.groups)].equals(b.schools[list(b.groups)])


@pytest.mark.parametrize("choice", [-0.6, 0.0, 0.4])
def test_pupils_are_conserved(choice):
    t = example_town(4, choice=choice)
    assert (t.schools[list(t.groups)].sum() == t.pupils.sum()).all()
    assert (t.pupils <= t.units[list(t.groups)]).all().all()
    assert (t.schools["roll"] > 0).all()


def test_no_choice_means_nearest_school(town):
    rep = np.column_stack([town.units.representative_point().x, town.units.representative_point().y])
    sch = np.column_stack([town.schools.geometry.x, town.schools.geometry.y])
    _, nearest = cKDTree(sch).query(rep)
    expected = town.pupils.groupby(town.schools.index[nearest]).sum()
    expected = expected.reindex(town.schools.index, fill_value=0)
    expected.index.name = "school_id"
    pd.testing.assert_frame_equal(town.schools[list(town.groups)], expected)


def test_every_group_is_residentially_clustered(town):
    for g in town.groups[1:]:
        assert dissimilarity(town.units, g, total="total") > 0.12, g
    # clusters of different strength
    d = {g: dissimilarity(town.units, g, total="total") for g in town.groups[1:]}
    assert d["bangladeshi"] > d["pakistani"] > d["black_african"]
    assert d["pakistani"] > 0.4


def test_choice_raises_school_segregation():
    for seed in (0, 5):
        d = [
            dissimilarity(example_town(seed, choice=c).schools, "pakistani", total="roll")
            for c in (-0.8, 0.0, 0.3, 0.7)
        ]
        assert d[0] < d[1] < d[2] < d[3], (seed, d)
    town = example_town(0, choice=0.6)
    for g in town.groups:
        schools = dissimilarity(town.schools, g, total="roll")
        homes = dissimilarity(town.units, g, total="total")
        assert schools > homes, g


def test_sizes_can_be_chosen():
    t = example_town(0, n_units=60, n_schools=12)
    assert len(t.units) == 60 and len(t.schools) == 12
    assert (t.schools["roll"] > 0).all()


def test_fast():
    example_town(11)  # warm imports
    start = time.perf_counter()
    example_town(12, choice=0.5)
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"choice": 1.5}, ValueError, r"'choice' must lie between -1 and 1"),
        ({"choice": "lots"}, TypeError, r"'choice' must be a number"),
        ({"random_state": -1}, ValueError, r"'random_state' must lie between 0"),
        ({"random_state": 1.5}, TypeError, r"'random_state' must be an integer"),
        ({"n_units": 10}, ValueError, r"'n_units' must lie between 30 and 5000"),
        ({"n_schools": 400}, ValueError, r"'n_schools' must lie between 2 and 300"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    from segindex.errors import SegindexError

    with pytest.raises(error, match=match) as info:
        example_town(**kwargs)
    assert isinstance(info.value, SegindexError)


def test_the_town_lies_in_the_open_sea(town):
    """The synthetic town can never be laid over real streets: it lies in the North Sea, far from any coast."""
    from pyproj import Transformer

    from segindex.datasets import CENTRE

    to_grid = Transformer.from_crs(4326, 27700, always_xy=True)
    # coastal points of north-east England and south-east Scotland (lon, lat) nearest to the town
    coast = {
        "Whitby": (-0.615, 54.486),
        "Flamborough Head": (-0.082, 54.116),
        "Hartlepool": (-1.18, 54.69),
        "Tynemouth": (-1.42, 55.017),
        "Amble": (-1.58, 55.33),
        "Holy Island": (-1.80, 55.67),
        "Berwick-upon-Tweed": (-2.0, 55.77),
        "Spurn Head": (0.11, 53.58),
    }
    outline = town.units.geometry.union_all()
    import shapely

    for name, (lon, lat) in coast.items():
        x, y = to_grid.transform(lon, lat)
        assert outline.distance(shapely.Point(x, y)) > 100_000, name
    lon, lat = Transformer.from_crs(27700, 4326, always_xy=True).transform(*CENTRE)
    assert 55.2 < lat < 55.3 and 0.4 < lon < 0.6  # open North Sea, west of the Dogger Bank


def test_the_old_seed_keyword_names_random_state():
    with pytest.raises(TypeError, match="'seed' is now called 'random_state'"):
        example_town(seed=1)
