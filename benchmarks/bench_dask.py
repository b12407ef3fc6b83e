"""The draws here against the draws on a Dask ``LocalCluster`` of 1 and 2 worker processes.

Two jobs, each run locally (numba's threads), then on a ``LocalCluster`` with
one and with two single-threaded worker processes; every cluster result is
checked equal, bit for bit, to the local one:

* a national-like table: ``segregation_table`` over units in 300 areas,
  3 groups + total, every index, bootstrap and randomisation draws;
* H̃ (``spatial_information``) at one bandwidth with randomisation draws
  (recomputed in Python on each redrawn table).

On one machine a cluster cannot beat the local threads (the same cores, plus
the cost of sending the data and starting tasks); the point is that the same
call runs unchanged on a scheduler with many machines, and gives the same
numbers. Times include the cluster's start (once per cluster, reported apart).

Usage::

    python benchmarks/bench_dask.py --quick     # small sizes (a minute or two)
    python benchmarks/bench_dask.py             # 1,000,000 units, 99 draws; 20,000 points, 99 draws

Not part of the timing table of ``run.py`` (``cases`` returns nothing): it
starts its own clusters.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def cases(quick):  # noqa: ARG001 - the runner's interface; this benchmark runs on its own
    return []


def _table(n_units, n_areas=300, seed=0):
    rng = np.random.default_rng(seed)
    size = rng.integers(50, 400, n_units)
    share = rng.dirichlet([0.6, 0.4, 0.3, 3.0], n_units)
    counts = np.floor(share * size[:, None]).astype(np.int64)
    df = pd.DataFrame(counts[:, :3], columns=["A", "B", "C"])
    df["total"] = counts.sum(axis=1)
    df["lad"] = [f"E{a:08d}" for a in rng.integers(0, n_areas, n_units)]
    return df


def _points(n_points, seed=1):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 3e4, n_points), rng.uniform(0, 3e4, n_points)
    share = np.clip(0.1 + 0.5 * (x / 3e4) ** 2, 0, 1)  # a gradient: segregated
    t = rng.integers(100, 300, n_points)
    a = rng.binomial(t, share)
    return pd.DataFrame({"px": x, "py": y, "A": a, "B": t - a, "total": t})


def _jobs(quick):
    from segindex import infer, segregation_table

    units, draws, points, h_draws = (50_000, 9, 2_000, 9) if quick else (1_000_000, 99, 20_000, 99)
    table = _table(units)
    pts = _points(points)

    def national(client):
        return segregation_table(
            table, ["A", "B", "C"], total="total", by="lad", n_draws=draws, random_state=1, client=client
        )

    def h_tilde(client):
        return infer(
            "spatial_information",
            pts,
            ["A", "B"],
            total="total",
            bandwidth=1000.0,
            points=("px", "py"),
            crs=27700,
            n_draws=h_draws,
            random_state=1,
            client=client,
        ).draws

    return [
        (f"segregation_table, {units:,} units x 3 groups, 300 areas, {draws} draws of each kind", national),
        (f"H~ at 1 km over {points:,} points, {h_draws} randomisation draws", h_tilde),
    ]


def _equal(a, b):
    if isinstance(a, pd.DataFrame):
        return a.equals(b)
    return np.array_equal(a, b, equal_nan=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, to check that the script runs")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))  # this checkout's segindex, here and (through PYTHONPATH) on the workers
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    from distributed import Client, LocalCluster

    jobs = _jobs(args.quick)
    local = {}
    print(f"{os.cpu_count()} cores", flush=True)
    for name, job in jobs:
        job(None)  # compile / load the kernels once
        start = time.perf_counter()
        local[name] = job(None)
        print(f"local                : {time.perf_counter() - start:7.1f} s  {name}", flush=True)
    for workers in (1, 2):
        start = time.perf_counter()
        with (
            LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
            Client(cluster) as client,
        ):
            print(f"cluster of {workers} worker(s) started in {time.perf_counter() - start:.1f} s", flush=True)
            for name, job in jobs:
                job(client)  # the workers load the kernels once
                start = time.perf_counter()
                result = job(client)
                seconds = time.perf_counter() - start
                same = "same numbers" if _equal(result, local[name]) else "DIFFERENT NUMBERS"
                print(f"{workers} worker(s)          : {seconds:7.1f} s  {name} ({same})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
