"""Benchmarks of the indices the peers compute (PySAL ``segregation``), segindex beside PySAL in the same run.

* Multigroup indices (Reardon & Firebaugh 2002) on synthetic tables of 15 groups:
  the multigroup Gini against PySAL ``MultiGini``, which forms an ``n × n`` matrix per
  group (PySAL capped at 10,000 units, where two 0.8 GB matrices still fit), and
  normalised exposure, relative diversity, C and divergence against PySAL's classes.
* Density-corrected D (Allen et al. 2015) against PySAL ``DensityCorrectedDissim``
  (one Nelder-Mead search per unit; the numbers differ where PySAL's search
  underflows, see the docstring).
* Relative centralisation and spatial proximity / absolute clustering (Massey &
  Denton 1988) on clustered synthetic polygons against PySAL's classes (dense
  ``n × n`` distance matrices; their clustering numbers follow another formula).
* Peak memory of segindex's multigroup Gini and spatial proximity at 20,000 and
  100,000 units (resident set size of a fresh process, over its size after loading
  the data), where PySAL's dense matrices would need 3.2 GB and 80 GB each.

Section names start with ``peers:`` so ``--only peers`` selects them.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
from harness import Case

ROOT = Path(__file__).resolve().parents[1]
N_GROUPS = 15


def _groups_table(n, seed=0):
    import pandas as pd

    rng = np.random.default_rng(seed)
    region = rng.integers(0, 20, n)
    mix = rng.dirichlet(np.full(N_GROUPS, 0.5), size=20)[region]
    t = rng.integers(100, 400, n)
    counts = np.array([rng.multinomial(ti, p) for ti, p in zip(t, mix)], dtype=float)
    return pd.DataFrame(counts, columns=[f"g{k}" for k in range(N_GROUPS)])


def _polygons(n, seed=2):
    """n small squares at clustered random points, EPSG:27700: 20 clusters per 10,000 units over a square of
    40 km per 10,000 units (the density stays the same as n grows, as it does from one town to a region)."""
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng(seed)
    scale = max(n / 10_000, 1.0)
    n_clusters = int(20 * scale)
    centres = rng.uniform(0, 40_000 * np.sqrt(scale), size=(n_clusters, 2))
    which = rng.integers(0, n_clusters, n)
    xy = centres[which] + rng.normal(0, 2_500, size=(n, 2))
    t = rng.integers(100, 400, n).astype(float)
    x = rng.binomial(t.astype(int), np.where(which % 4 == 0, 0.6, 0.05)).astype(float)
    geoms = shapely.box(xy[:, 0] - 100, xy[:, 1] - 100, xy[:, 0] + 100, xy[:, 1] + 100)
    return gpd.GeoDataFrame({"x": x, "t": t}, geometry=geoms, crs=27700)


_MEMORY_SCRIPT = """
import sys, threading, time
sys.path.insert(0, {bench!r}); sys.path.insert(0, {root!r})
import bench_peers as b
from segindex.indices.diversity import multigroup_gini
from segindex.indices.clustering import spatial_proximity

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20

data = b._groups_table({n}) if {which!r} == "gini" else b._polygons({n})
def run(frame):
    if {which!r} == "gini":
        return multigroup_gini(frame, list(frame.columns))
    return spatial_proximity(frame, "x", total="t")
run(data.iloc[:200])  # kernels compiled (or loaded from the cache) on a small table first
peak = [0.0]
done = threading.Event()
def watch():
    while not done.is_set():
        peak[0] = max(peak[0], rss())
        time.sleep(0.002)
base = rss()
thread = threading.Thread(target=watch); thread.start()
run(data)
done.set(); thread.join()
print(max(peak[0] - base, 0.0))
"""


def _peak_mb(which, n):
    """Extra peak resident memory (MB) of one call on the whole table, sampled every 2 ms in a fresh process."""
    code = _MEMORY_SCRIPT.format(bench=str(Path(__file__).parent), root=str(ROOT), n=n, which=which)
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=1800, check=True)
        return float(out.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError):
        return float("nan")


def _pysal(cls_path, *args, **kwargs):
    try:
        module, name = cls_path.rsplit(".", 1)
        cls = getattr(__import__(module, fromlist=[name]), name)
    except (ImportError, AttributeError):
        return None

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return cls(*args, **kwargs).statistic

    return run


def cases(quick: bool) -> list[Case]:
    from segindex.indices.centralisation import relative_centralisation
    from segindex.indices.clustering import absolute_clustering, spatial_proximity
    from segindex.indices.diversity import (
        divergence,
        multigroup_gini,
        normalised_exposure,
        relative_diversity,
        squared_coefficient_of_variation,
    )
    from segindex.indices.evenness import density_corrected_dissimilarity

    out = []

    # --- multigroup Gini: O(n log n) against PySAL's n x n matrices
    n = 2_000 if quick else 10_000
    table = _groups_table(n)
    groups = list(table.columns)
    out.append(
        Case(
            section="peers: multigroup",
            name=f"multigroup Gini, {n:,} units × {N_GROUPS} groups",
            segindex=lambda: multigroup_gini(table, groups),
            pysal=_pysal("segregation.multigroup.MultiGini", table, groups),
            target="(indicative)",
            repeat=3,
            pysal_repeat=1,
            notes=[f"PySAL MultiGini: two dense {n:,} × {n:,} matrices per group ({16 * n * n / 1e9:.1f} GB)"],
        )
    )

    # --- the other multigroup indices at a larger size
    n = 20_000 if quick else 200_000
    big = _groups_table(n, seed=1)
    bgroups = list(big.columns)
    for f, cls in (
        (normalised_exposure, "MultiNormExposure"),
        (relative_diversity, "MultiRelativeDiversity"),
        (squared_coefficient_of_variation, "MultiSquaredCoefVar"),
        (divergence, "MultiDivergence"),
    ):
        out.append(
            Case(
                section="peers: multigroup",
                name=f"{f.__name__}, {n:,} units × {N_GROUPS} groups",
                segindex=lambda f=f: f(big, bgroups),
                pysal=_pysal(f"segregation.multigroup.{cls}", big, bgroups),
                target="(indicative)",
                repeat=3,
                pysal_repeat=1,
            )
        )

    # --- density-corrected D: one Newton root per unit against one Nelder-Mead search per unit
    n = 1_000 if quick else 2_000  # PySAL: about 50 ms per unit
    pairs = _groups_table(n, seed=3)
    pairs["t"] = pairs.sum(axis=1)
    out.append(
        Case(
            section="peers: evenness",
            name=f"density-corrected D, {n:,} units",
            segindex=lambda: density_corrected_dissimilarity(pairs, "g0", total="t"),
            pysal=_pysal("segregation.singlegroup.DensityCorrectedDissim", pairs, "g0", "t"),
            target="(indicative)",
            repeat=3,
            pysal_repeat=1,
        )
    )

    # --- centralisation and clustering on polygons
    n = 1_500 if quick else 10_000
    polys = _polygons(n)
    out.append(
        Case(
            section="peers: centralisation",
            name=f"relative centralisation, {n:,} polygons",
            segindex=lambda: relative_centralisation(polys, "x", total="t"),
            pysal=_pysal(
                "segregation.singlegroup.RelativeCentralization", polys, "x", "t", center="population_weighted_mean"
            ),
            target="(indicative)",
            repeat=3,
            pysal_repeat=1,
        )
    )
    for f, cls in ((spatial_proximity, "SpatialProximity"), (absolute_clustering, "AbsoluteClustering")):
        out.append(
            Case(
                section="peers: clustering",
                name=f"{f.__name__}, {n:,} polygons (exp(-d/1 km), cut at 10 km)",
                segindex=lambda f=f: f(polys, "x", total="t"),
                pysal=_pysal(f"segregation.singlegroup.{cls}", polys, "x", "t"),
                target="(indicative)",
                repeat=3,
                pysal_repeat=1,
                notes=[
                    f"PySAL {cls}: dense {n:,} × {n:,} matrices ({8 * n * n / 1e9:.1f} GB each); "
                    "its proximity c_ij = 1 - exp(-d_ij / D_j) differs from Massey & Denton's"
                ],
            )
        )

    # --- memory at 20,000 and 100,000 units (segindex alone; PySAL would need n x n matrices)
    sizes = (20_000,) if quick else (20_000, 100_000)
    notes = []
    for n in sizes:
        notes.append(
            f"peak extra memory at {n:,} units: multigroup Gini {_peak_mb('gini', n):.0f} MB "
            f"(PySAL: {16 * n * n / 1e9:.1f} GB per group), spatial proximity "
            f"{_peak_mb('proximity', n):.0f} MB (PySAL: {8 * n * n / 1e9:.1f} GB per matrix)"
        )
    n = sizes[-1]
    polys_big = _polygons(n, seed=4)
    out.append(
        Case(
            section="peers: clustering",
            name=f"spatial_proximity, {n:,} polygons (segindex alone)",
            segindex=lambda: spatial_proximity(polys_big, "x", total="t"),
            target="(indicative)",
            repeat=1,
            notes=notes,
        )
    )
    return out
