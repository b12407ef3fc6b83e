"""Benchmarks of spatial weights and spatial / multiscale indices.

* Distance-decay isolation (Morgan 1983) over 10,000 synthetic points, against PySAL
  ``segregation.singlegroup.DistanceDecayIsolation``, which builds several dense
  ``n × n`` matrices (about 4 GB at 10,000 points). Target: at least 50× faster, in
  bounded memory (segindex: sparse pairs within 10 km, never an ``n × n`` array).
  The two do not compute the same number (PySAL normalises distances by their row
  sums and uses ``1 - exp(-d)``); the case compares the cost of the measure.
* Morrill's D(adj) over 2,500 grid squares against PySAL ``SpatialDissim`` (which
  densifies the weights matrix): same number.
* The spatial information theory index H̃ at six bandwidths (250 m ... 8 km) over
  181,408 synthetic points carrying the real 2011 output-area populations of 15
  ethnic groups (points scattered around a random centre per local authority, with
  a spread growing with its number of OAs). Target: under 10 s. Uses
  ``bin_size="auto"`` (cells of a quarter bandwidth). Left out, with a note, when
  ``../shared/data`` is absent.
* The same profile with a randomisation test of every bandwidth: 99 draws, each drawn
  table evaluated at all six bandwidths over a neighbour structure built once.
  Target: under 60 s.
* Queen and rook (boundary-length) contiguity weights for 99,856 squares (a 316 × 316
  grid). Target: under 10 s each.

Section names start with ``spatial:`` so ``--only spatial`` selects them.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import numpy as np
from harness import Case

ROOT = Path(__file__).resolve().parents[1]
OA_FILE = ROOT.parent / "shared" / "data" / "uk" / "census2011" / "oa2011_ethnicity_england_wales.csv.gz"
GROUPS = [
    "WhiteBrit",
    "Irish",
    "OtherWhite",
    "Mixed",
    "Indian",
    "Pakistani",
    "Bangladeshi",
    "Chinese",
    "OtherAsian",
    "BlkAfrican",
    "BlkCaribbean",
    "OtherBlk",
    "Arab",
    "Other",
    "GypsyTraveller",
]


def _squares(m, side=100.0):
    import geopandas as gpd
    import shapely

    r, c = np.divmod(np.arange(m * m), m)
    geoms = shapely.box(c * side, r * side, (c + 1) * side, (r + 1) * side)
    rng = np.random.default_rng(1)
    t = rng.integers(50, 300, m * m).astype(float)
    x = np.floor(t * rng.beta(1, 4, m * m))
    return gpd.GeoDataFrame({"x": x, "t": t}, geometry=geoms, crs=27700)


def _points_frame(n):
    """n small squares (20 m) at clustered random points over a 40 km square."""
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng(2)
    centres = rng.uniform(0, 40_000, size=(20, 2))
    which = rng.integers(0, 20, n)
    xy = centres[which] + rng.normal(0, 2_500, size=(n, 2))
    t = rng.integers(100, 400, n).astype(float)
    share = np.where(which < 5, 0.6, 0.05)
    x = rng.binomial(t.astype(int), share).astype(float)
    geoms = shapely.box(xy[:, 0] - 10, xy[:, 1] - 10, xy[:, 0] + 10, xy[:, 1] + 10)
    return gpd.GeoDataFrame({"x": x, "t": t, "px": xy[:, 0], "py": xy[:, 1]}, geometry=geoms, crs=27700)


@functools.lru_cache(maxsize=1)
def _oa_points(limit=None):
    import pandas as pd

    oa = pd.read_csv(OA_FILE)
    if limit:
        oa = oa.iloc[:limit]
    rng = np.random.default_rng(0)
    codes, lads = pd.factorize(oa["LAD"])
    centres = rng.uniform([100_000, 0], [600_000, 600_000], size=(len(lads), 2))
    sigma = 150.0 * np.sqrt(np.bincount(codes))
    xy = centres[codes] + rng.normal(size=(len(oa), 2)) * sigma[codes, None]
    return oa[GROUPS].assign(x=xy[:, 0], y=xy[:, 1])


def cases(quick: bool) -> list[Case]:
    from segindex.indices.spatial import distance_decay_isolation, morrill_dissimilarity, multiscale_profile
    from segindex.weights import contiguity_weights

    out = []

    # --- distance-decay isolation vs PySAL
    n = 1_500 if quick else 10_000
    pts = _points_frame(n)

    def ours():
        return distance_decay_isolation(pts, "x", total="t", points=("px", "py"), crs=27700)

    pysal = None
    notes = []
    try:
        from segregation.singlegroup import DistanceDecayIsolation

        def pysal():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return DistanceDecayIsolation(pts, "x", "t").statistic

        notes.append(
            f"PySAL DistanceDecayIsolation at n = {n:,} (dense n x n matrices: "
            f"{8 * n * n / 1e9:.1f} GB each); its formula differs (see module docstring)"
        )
    except ImportError:
        notes.append("PySAL segregation not installed: segindex timed alone")
    out.append(
        Case(
            section="spatial: distance decay",
            name=f"distance-decay isolation, {n:,} points (scale 1 km, cut at 10 km)",
            segindex=ours,
            pysal=pysal,
            min_speedup_vs_pysal=50.0,
            target="≥ 50× PySAL",
            repeat=3,
            pysal_repeat=1,
            notes=notes,
        )
    )

    # --- Morrill's D(adj) vs PySAL SpatialDissim (same number)
    m = 20 if quick else 50
    grid = _squares(m)
    w = contiguity_weights(grid)
    spysal = None
    try:
        from segregation.singlegroup import SpatialDissim

        def spysal():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return SpatialDissim(grid, "x", "t").statistic
    except ImportError:
        pass
    out.append(
        Case(
            section="spatial: dissimilarity",
            name=f"Morrill D(adj) incl. queen weights, {m * m:,} squares",
            segindex=lambda: morrill_dissimilarity(grid, "x", total="t"),
            pysal=spysal,
            target="(indicative)",
            repeat=3,
            pysal_repeat=1,
        )
    )
    out.append(
        Case(
            section="spatial: dissimilarity",
            name=f"Morrill D(adj), weights given, {m * m:,} squares",
            segindex=lambda: morrill_dissimilarity(grid, "x", total="t", w=w),
            target="(indicative)",
            repeat=5,
        )
    )

    # --- H~ at six bandwidths over the national OA populations
    if OA_FILE.exists():
        data = _oa_points(20_000 if quick else None)
        label = f"{len(data):,} points" + (" (quick: first 20,000 OAs)" if quick else " (all 2011 OAs)")
        out.append(
            Case(
                section="spatial: multiscale",
                name=f"H~ at 6 bandwidths 250 m-8 km, 15 groups, {label}",
                segindex=lambda: multiscale_profile(data, GROUPS, points=("x", "y"), crs=27700, bin_size="auto"),
                max_seconds=10.0,
                target="< 10 s",
                repeat=1,
                notes=[
                    "synthetic points (clustered by local authority) carrying the real 2011 OA counts; "
                    "bin_size='auto' (cells of a quarter bandwidth)"
                ],
            )
        )
        n_draws = 9 if quick else 99
        out.append(
            Case(
                section="spatial: multiscale",
                name=f"H~ at 6 bandwidths with {n_draws} randomisation draws, 15 groups, {label}",
                segindex=lambda: multiscale_profile(
                    data,
                    GROUPS,
                    points=("x", "y"),
                    crs=27700,
                    bin_size="auto",
                    n_draws=n_draws,
                    method="randomisation",
                    random_state=0,
                    progress=False,
                ),
                max_seconds=60.0,
                target="< 60 s",
                repeat=1,
                notes=[
                    "multiscale_profile(n_draws=..., method='randomisation'): the observed profile, the "
                    "neighbour structure of the six bandwidths built once (full size: 30 M pairs of cells, "
                    "0.37 GB), then each drawn table evaluated at every bandwidth in one compiled pass; the "
                    "bootstrap (method=None, the default, runs both) doubles the draws"
                ],
            )
        )
    else:
        print("    note: ../shared/data absent: the national H~ cases are left out")

    # --- contiguity weights for 100,000 polygons
    side = 60 if quick else 316
    squares = _squares(side).geometry
    out.append(
        Case(
            section="spatial: weights",
            name=f"queen contiguity, {side * side:,} squares",
            segindex=lambda: contiguity_weights(squares),
            max_seconds=10.0,
            target="< 10 s",
            repeat=1,
        )
    )
    out.append(
        Case(
            section="spatial: weights",
            name=f"rook boundary-length weights, {side * side:,} squares",
            segindex=lambda: contiguity_weights(squares, "rook", value="length"),
            max_seconds=10.0,
            target="< 10 s",
            repeat=1,
        )
    )
    return out
