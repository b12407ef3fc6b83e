"""A seeded synthetic town to try segindex on, with no data to download.

:func:`example_town` builds a fictional town of about 300 residential units
(polygons in British National Grid, EPSG:27700), grouped into wards, with six
ethnic groups settled in spatial clusters of different strength, and about 100
schools whose pupils come from those units. Everything is generated from a
seed in well under a second, and the same seed always gives the same town.

The town is **synthetic**: no number in it describes a real place, and it lies
in the open North Sea (around easting 560 000, northing 600 000), more than
100 km from any coast, so that it can never be mistaken for a real place when
opened over a basemap. It exists so
that the examples, the documentation, the ``segindex demo`` command and the
tests have something realistic-looking to run on, with known properties:

* every minority group is residentially clustered (its dissimilarity across
  units is clearly above 0), some strongly (``bangladeshi``, ``pakistani``),
  some weakly (``black_african``, ``other``);
* with ``choice=0`` every pupil attends the school nearest to the
  representative point of the unit they live in, so the school × group table
  is exactly the nearest-school aggregation of the school-age residents;
* with ``choice > 0`` a share of each group's pupils choose, among the schools
  near them, the one with most of their own group, and schools become more
  segregated than neighbourhoods; with ``choice < 0`` a share of pupils are
  placed by lottery among the schools near them, and schools become more mixed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._compat import renamed_parameters
from .errors import SegindexTypeError, SegindexValueError

__all__ = ["ExampleTown", "example_town", "EXAMPLE_GROUPS"]

#: The group columns of the example town, in order (the majority group first).
EXAMPLE_GROUPS = ("white_british", "pakistani", "indian", "bangladeshi", "black_african", "other")

#: British National Grid coordinates of the town centre: open North Sea at about
#: 55.27 N, 0.52 E, more than 110 km from the nearest coast (Whitby, about 113 km;
#: Flamborough Head and the Northumberland coast 126-134 km; the Dogger Bank, a
#: submerged sandbank, about 100 km to the south-east). There is no land within
#: 100 km, so the synthetic town can never be laid over real streets in a GIS.
CENTRE = (560_000.0, 600_000.0)
#: Approximate radius of the built-up area, metres.
_RADIUS = 5_000.0

# Settlement pattern: for each group a baseline weight and Gaussian hotspots
# (x, y in units of the town radius, sigma in units of the radius, amplitude).
# A unit's expected group shares are the weights normalised to one; the
# majority group has weight 1 everywhere.
_PATTERN = {
    "pakistani": (0.03, [(-0.35, 0.10, 0.22, 5.0), (0.05, 0.40, 0.14, 2.5)]),
    "indian": (0.03, [(0.40, -0.25, 0.28, 0.9)]),
    "bangladeshi": (0.006, [(-0.12, -0.12, 0.10, 2.5)]),
    "black_african": (0.025, [(0.15, 0.10, 0.45, 0.25)]),
    "other": (0.06, [(0.0, 0.0, 0.8, 0.06)]),
}
# Share of each group's residents of school age (younger age structures in
# some groups, as in British towns).
_SCHOOL_AGE = {
    "white_british": 0.15,
    "pakistani": 0.27,
    "indian": 0.19,
    "bangladeshi": 0.28,
    "black_african": 0.23,
    "other": 0.18,
}
#: How many of the nearest schools a choosing pupil considers.
_CHOICE_SET = 8


@dataclass(frozen=True, eq=False)
class ExampleTown:
    """The synthetic example town returned by :func:`example_town`.

    Attributes
    ----------
    units : geopandas.GeoDataFrame
        One row per residential unit, indexed by ``unit_id`` (``"U001"`` ...):
        ``ward`` (the coarser area key, ``"W01"`` ...), one integer count
        column per group (all ages), ``total`` (their sum) and the polygon
        geometry, in EPSG:27700.
    schools : geopandas.GeoDataFrame
        One row per school, indexed by ``school_id`` (``"S001"`` ...):
        ``name``, ``phase`` (``"primary"`` or ``"secondary"``; a label only,
        every school takes pupils of every school age), ``roll`` (pupils on
        roll), one integer count column per group and the point geometry, in
        EPSG:27700.
    pupils : pandas.DataFrame
        School-age residents of each unit by group (indexed like ``units``);
        these are the pupils allocated to ``schools``.
    groups : tuple of str
        The group columns, majority group first.
    total : str
        Name of the total column of ``units`` (``"total"``).
    description : str
        A plain statement that the data are synthetic and how they were made.
    random_state : int
        The seed the town was made from.
    choice : float
        The strength of school choice used to allocate pupils.
    """

    units: object
    schools: object
    pupils: pd.DataFrame
    groups: tuple
    total: str
    description: str
    random_state: int
    choice: float


def _check_int(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise SegindexTypeError(f"example_town(): '{name}' must be an integer, got {value!r}.")
    if not low <= int(value) <= high:
        raise SegindexValueError(f"example_town(): '{name}' must lie between {low} and {high}, got {value!r}.")
    return int(value)


def _unit_points(rng, n_units):
    """``n_units`` jittered grid points filling an ellipse around the origin, in metres."""
    area = np.pi * _RADIUS * _RADIUS * 0.8  # the ellipse has axes R and 0.8 R
    step = np.sqrt(area / n_units)
    half = int(np.ceil(1.3 * _RADIUS / step)) + 1
    gx, gy = np.meshgrid(np.arange(-half, half + 1) * step, np.arange(-half, half + 1) * step)
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    pts = pts + rng.uniform(-0.35, 0.35, size=pts.shape) * step
    # a slightly irregular outline: the radius varies smoothly with angle
    phase = rng.uniform(0, 2 * np.pi, size=3)
    ang = np.arctan2(pts[:, 1] / 0.8, pts[:, 0])
    wobble = 1.0 + 0.08 * np.sin(2 * ang + phase[0]) + 0.05 * np.sin(3 * ang + phase[1])
    r = np.hypot(pts[:, 0], pts[:, 1] / 0.8) / wobble
    keep = np.argsort(r, kind="stable")[:n_units]
    return pts[keep], step


def _unit_polygons(points, step):
    """Voronoi cells of ``points`` clipped to the town outline (a buffered concave hull)."""
    import shapely

    seeds = shapely.multipoints(points)
    outline = shapely.concave_hull(seeds, ratio=0.15).buffer(0.45 * step, quad_segs=8)
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=outline))
    # voronoi_polygons does not return cells in input order: match them to their seeds
    tree = shapely.STRtree(cells)
    pairs = tree.query(shapely.points(points), predicate="within")
    order = np.empty(len(points), dtype=np.int64)
    order[pairs[0]] = pairs[1]
    clipped = shapely.intersection(cells[order], outline)
    # a cell cut by a bend of the outline keeps only the piece around its seed
    multi = np.flatnonzero(shapely.get_type_id(clipped) != 3)
    for i in multi.tolist():
        parts = shapely.get_parts(clipped[i])
        seed = shapely.points(points[i])
        clipped[i] = parts[np.argmin(shapely.distance(parts, seed))]
    return clipped


def _weights(xy, rng):
    """Unnormalised settlement weights of every group at ``xy`` (metres from the centre)."""
    columns = [np.ones(len(xy))]
    for baseline, spots in _PATTERN.values():
        w = np.full(len(xy), baseline)
        for cx, cy, sigma, amp in spots:
            cx, cy = (np.array([cx, cy]) + rng.uniform(-0.08, 0.08, size=2)) * _RADIUS
            d2 = (xy[:, 0] - cx) ** 2 + (xy[:, 1] - cy) ** 2
            w += amp * np.exp(-d2 / (2.0 * (sigma * _RADIUS) ** 2))
        columns.append(w)
    return np.column_stack(columns)


def _allocate(pupils, nearest, candidates, choice, rng):
    """Pupils (units × groups) → school × group counts.

    Everyone starts at ``nearest``; with ``choice != 0`` a binomial share
    ``|choice|`` of each unit's pupils of each group moves: with ``choice > 0``
    to the candidate school with the highest share of their own group under
    the nearest-school allocation; with ``choice < 0`` to candidate schools
    drawn uniformly at random (a lottery), which mixes schools.
    """
    n_schools = int(candidates.max()) + 1
    n_groups = pupils.shape[1]
    base = np.zeros((n_schools, n_groups), dtype=np.int64)
    np.add.at(base, nearest, pupils)
    if choice == 0.0:
        return base
    roll = base.sum(axis=1, keepdims=True)
    share = np.divide(base, roll, out=np.zeros(base.shape), where=roll > 0)
    movers = rng.binomial(pupils, abs(choice))
    result = base.copy()
    np.subtract.at(result, nearest, movers)
    if choice > 0:
        pick = np.argmax(share[candidates], axis=1)  # units × groups
        target = np.take_along_axis(candidates, pick, axis=1)
        for g in range(n_groups):
            np.add.at(result[:, g], target[:, g], movers[:, g])
    else:
        k = candidates.shape[1]
        spread = rng.multinomial(movers, np.full(k, 1.0 / k))  # units × groups × candidates
        for g in range(n_groups):
            np.add.at(result[:, g], candidates, spread[:, g, :])
    return result


@renamed_parameters(seed="random_state")
def example_town(
    random_state: int = 0, *, choice: float = 0.0, n_units: int = 300, n_schools: int = 100
) -> ExampleTown:
    """A synthetic town of residential units and schools with known properties.

    Parameters
    ----------
    random_state : int, default 0
        Seed of the generator. The same value gives identical frames; the
        residential part does not depend on ``choice``.
    choice : float in [-1, 1], default 0.0
        Strength of school choice. 0: every pupil attends the school nearest
        to the representative point of their unit. ``choice > 0``: that share
        of each group's pupils (drawn binomially per unit) instead attend,
        among the 8 schools nearest their unit, the one with the highest share
        of their own group under the nearest-school allocation, so schools are
        more segregated than neighbourhoods. ``choice < 0``: the share
        ``-choice`` are placed by lottery, uniformly among those 8 schools,
        so schools are more mixed than neighbourhoods.
    n_units : int, default 300
        Number of residential units (30 to 5,000).
    n_schools : int, default 100
        Number of schools (2 to ``n_units``). Each school stands at the
        representative point of a different unit, so every school has pupils.

    Returns
    -------
    ExampleTown
        ``units`` and ``schools`` GeoDataFrames in EPSG:27700, ``pupils``,
        ``groups``, ``total``, ``description``, ``random_state`` and ``choice``.

    Notes
    -----
    Unit centres are a jittered grid filling an irregular ellipse about 10 km
    across; units are their Voronoi cells clipped to the town outline; wards
    are k-means clusters of about 15 units. Each unit has 900 to 2,100
    residents. A group's expected share in a unit is proportional to a
    baseline weight plus Gaussian hotspots (the majority group has weight 1
    everywhere); counts are multinomial draws. A fixed share of each group is
    of school age (binomial draws); those are the unit's pupils.

    The data are **synthetic** and describe no real place.

    Examples
    --------
    >>> from segindex.datasets import example_town
    >>> town = example_town(random_state=1)
    >>> len(town.units), len(town.schools), town.groups[:2]
    (300, 100, ('white_british', 'pakistani'))
    >>> bool((town.units[list(town.groups)].sum(axis=1) == town.units["total"]).all())
    True
    >>> int(town.schools["roll"].sum()) == int(town.pupils.to_numpy().sum())
    True
    >>> town.units.crs.to_epsg()
    27700
    >>> [round(float(v), -3) for v in town.units.total_bounds]  # open sea, far from any coast
    [554000.0, 596000.0, 565000.0, 604000.0]
    """
    import geopandas as gpd
    import shapely
    from scipy.cluster.vq import kmeans2
    from scipy.spatial import cKDTree

    seed = _check_int(random_state, "random_state", 0, 2**63 - 1)
    n_units = _check_int(n_units, "n_units", 30, 5000)
    n_schools = _check_int(n_schools, "n_schools", 2, n_units)
    if isinstance(choice, bool) or not isinstance(choice, (int, float, np.integer, np.floating)):
        raise SegindexTypeError(f"example_town(): 'choice' must be a number in [-1, 1], got {choice!r}.")
    if not -1.0 <= float(choice) <= 1.0:
        raise SegindexValueError(
            f"example_town(): 'choice' must lie between -1 and 1 (a share of pupils), got {choice!r}."
        )
    choice = float(choice)

    # independent streams: the town and its residents do not change with choice
    s_layout, s_people, s_schools, s_choice = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4))

    # layout
    xy, step = _unit_points(s_layout, n_units)
    polygons = _unit_polygons(xy + np.array(CENTRE), step)
    n_wards = max(2, round(n_units / 15))
    _, ward_of = kmeans2(xy, n_wards, seed=s_layout, minit="++")
    # number wards west to east, north to south, so names read like a map
    used = np.unique(ward_of)
    cx = np.array([xy[ward_of == w, 0].mean() for w in used])
    cy = np.array([xy[ward_of == w, 1].mean() for w in used])
    rank = np.empty(len(used), dtype=np.int64)
    rank[np.lexsort((cx, -np.round(cy / (3 * step))))] = np.arange(len(used))
    ward_number = dict(zip(used.tolist(), rank.tolist(), strict=True))
    wards = np.array([f"W{ward_number[w] + 1:02d}" for w in ward_of.tolist()], dtype=object)

    # residents
    groups = EXAMPLE_GROUPS
    weights = _weights(xy, s_people)
    shares = weights / weights.sum(axis=1, keepdims=True)
    totals = s_people.integers(900, 2101, size=n_units)
    counts = s_people.multinomial(totals, shares).astype(np.int64)
    rate = np.array([_SCHOOL_AGE[g] for g in groups])
    pupils = s_people.binomial(counts, rate).astype(np.int64)

    unit_ids = pd.Index([f"U{i + 1:03d}" for i in range(n_units)], name="unit_id")
    units = pd.DataFrame({"ward": wards}, index=unit_ids)
    for j, g in enumerate(groups):
        units[g] = counts[:, j]
    units["total"] = counts.sum(axis=1)
    units = gpd.GeoDataFrame(units, geometry=polygons, crs="EPSG:27700")

    # schools: at the representative points of distinct units, more where more people live
    rep = shapely.get_coordinates(units.geometry.representative_point().to_numpy())
    p = totals / totals.sum()
    host = np.sort(s_schools.choice(n_units, size=n_schools, replace=False, p=p))
    school_xy = rep[host]
    n_secondary = max(1, round(0.2 * n_schools))
    phase = np.full(n_schools, "primary", dtype=object)
    phase[s_schools.choice(n_schools, size=n_secondary, replace=False)] = "secondary"
    tree = cKDTree(school_xy)
    _, nearest = tree.query(rep, k=1)
    k = min(_CHOICE_SET, n_schools)
    _, candidates = tree.query(rep, k=k)
    candidates = np.asarray(candidates).reshape(n_units, k)
    by_school = _allocate(pupils, np.asarray(nearest), candidates, choice, s_choice)

    school_ids = pd.Index([f"S{i + 1:03d}" for i in range(n_schools)], name="school_id")
    schools = pd.DataFrame(
        {
            "name": [
                f"{w} {ph.title()} School {i + 1}" for i, (w, ph) in enumerate(zip(wards[host], phase, strict=True))
            ],
            "phase": phase,
            "roll": by_school.sum(axis=1),
        },
        index=school_ids,
    )
    for j, g in enumerate(groups):
        schools[g] = by_school[:, j]
    schools = gpd.GeoDataFrame(schools, geometry=gpd.points_from_xy(school_xy[:, 0], school_xy[:, 1]), crs="EPSG:27700")
    pupils_frame = pd.DataFrame(pupils, index=unit_ids.copy(), columns=list(groups))

    description = (
        f"SYNTHETIC DATA: a fictional example town made by segindex.datasets.example_town(random_state={seed}, "
        f"choice={choice:g}). {n_units} residential units in {len(used)} wards and {n_schools} schools; "
        f"{int(counts.sum()):,} residents and {int(pupils.sum()):,} pupils in {len(groups)} groups "
        "settled in spatial clusters of different strength, placed in the open North Sea where there is no land. "
        "No number describes a real place."
    )
    return ExampleTown(
        units=units,
        schools=schools,
        pupils=pupils_frame,
        groups=groups,
        total="total",
        description=description,
        random_state=seed,
        choice=choice,
    )
