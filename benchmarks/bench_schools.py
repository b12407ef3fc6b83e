"""Benchmarks of segindex.schools at national scale.

181,408 residential points carrying the real output-area populations of the
2011 Census (England and Wales; the OA file under ../shared/data) placed at
synthetic points, and about 22,000 schools with synthetic rolls. Without the
data file, synthetic populations of the same size are used (said in a note).
Targets: the nearest-school allocation (k=1, and with capacity="roll") and the
per-school contrast for every school, each under 2 s.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from harness import Case

ROOT = Path(__file__).resolve().parents[1]
OA_FILE = ROOT.parent / "shared" / "data" / "uk" / "census2011" / "oa2011_ethnicity_england_wales.csv.gz"
GROUPS = ["WhiteBrit", "Pakistani", "Indian", "Bangladeshi", "BlkAfrican", "BlkCaribbean"]


def _data(quick: bool):
    import geopandas as gpd
    import pandas as pd

    rng = np.random.default_rng(20230101)
    note = None
    n_units = 18_000 if quick else 181_408
    n_schools = 2_200 if quick else 22_000
    if OA_FILE.exists():
        oa = pd.read_csv(OA_FILE, usecols=GROUPS + ["Persons"])
        if quick:
            oa = oa.iloc[:n_units]
        counts = oa[GROUPS].to_numpy(dtype=float)
        persons = oa["Persons"].to_numpy(dtype=float)
        note = f"real 2011 OA populations ({len(oa):,} OAs) at synthetic points"
    else:
        persons = rng.integers(100, 600, n_units).astype(float)
        counts = rng.multinomial(persons.astype(np.int64), [0.8, 0.05, 0.05, 0.02, 0.02, 0.01][:-1] + [0.05])
        counts = counts.astype(float)
        note = "../shared/data absent: synthetic OA populations"
    n_units = len(persons)
    # clustered synthetic settlement over a 600 km × 600 km square, as in England
    centres = rng.uniform(0, 600_000, (400, 2))
    pick = rng.integers(0, len(centres), n_units)
    xy = centres[pick] + rng.normal(0, 4_000, (n_units, 2))
    homes = pd.DataFrame(counts, columns=GROUPS)
    homes["Persons"] = persons
    homes = gpd.GeoDataFrame(homes, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=27700)
    spick = rng.integers(0, n_units, n_schools)
    sxy = xy[spick] + rng.normal(0, 300, (n_schools, 2))
    share = 0.16  # school-age share of residents
    demand = persons.sum() * share
    roll = rng.gamma(4.0, 1.0, n_schools)
    roll = np.round(roll / roll.sum() * demand)
    roll[roll < 1] = 1
    # group counts of schools: roll times a noisy version of the local share
    frac = counts[spick] / np.maximum(persons[spick], 1)[:, None]
    schools = pd.DataFrame(np.round(frac * roll[:, None]), columns=GROUPS)
    schools["roll"] = np.maximum(roll, schools[GROUPS].sum(axis=1))
    schools = gpd.GeoDataFrame(schools, geometry=gpd.points_from_xy(sxy[:, 0], sxy[:, 1]), crs=27700)
    return homes, schools, share, note


def cases(quick: bool) -> list:
    from segindex.schools import nearest_school_allocation, school_contrast

    homes, schools, share, note = _data(quick)
    size = f"{len(homes):,} units, {len(schools):,} schools"

    def alloc_k1():
        return nearest_school_allocation(homes, schools, GROUPS, share=share)

    def alloc_cap():
        return nearest_school_allocation(homes, schools, GROUPS, share=share, capacity="roll")

    def contrast():
        return school_contrast(homes, schools, "Pakistani", total="Persons", school_total="roll", k_units=20)

    out = [
        Case("schools: allocation", f"k=1, {size}", alloc_k1, max_seconds=2.0, target="< 2 s", repeat=3),
        Case("schools: allocation", f"capacity='roll', {size}", alloc_cap, max_seconds=2.0, target="< 2 s", repeat=3),
        Case(
            "schools: contrast",
            f"every school (20 nearest units), {size}",
            contrast,
            max_seconds=2.0,
            target="< 2 s",
            repeat=3,
        ),
    ]
    for c in out:
        c.notes.append(note)
    return out
