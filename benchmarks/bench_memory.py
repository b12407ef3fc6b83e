"""Peak memory and wall time of ``segindex indices`` on a big table, run as a separate process.

The case of the reliability target: 10 million units x 3 groups + total over
300 areas, every index, 99 bootstrap and randomisation draws; target at most
4 GB peak resident memory. The table is written to a temporary CSV (with two
extra text columns the command must not load), then the command runs in a
child process; its peak RSS is ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``
and its wall time is measured around it.

Usage::

    python benchmarks/bench_memory.py                       # the full case (heavy: run it on a quiet machine)
    python benchmarks/bench_memory.py --units 100000 --draws 9
    python benchmarks/run.py --memory [--quick]             # the same, from the benchmark runner

Not part of the timing table of ``run.py`` (``cases`` returns nothing): one
heavy run, not medians of repeats.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TARGET_GB = 4.0


def cases(quick):  # noqa: ARG001 - the runner's interface; this benchmark runs on its own (see run.py --memory)
    return []


def write_table(path: Path, n_units: int, n_areas: int = 300, seed: int = 0, chunk: int = 1_000_000) -> None:
    """A CSV of ``n_units`` units in ``n_areas`` areas: ``lad, A, B, C, total`` and two text columns, in chunks."""
    rng = np.random.default_rng(seed)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "w", encoding="utf-8") as fh:
        fh.write("unit,lad,name,A,B,C,total,note\n")
        for start in range(0, n_units, chunk):
            n = min(chunk, n_units - start)
            area = rng.integers(0, n_areas, n)
            size = rng.integers(50, 400, n)
            share = rng.dirichlet([0.6, 0.4, 0.3, 3.0], n)
            counts = np.floor(share * size[:, None]).astype(np.int64)
            total = counts.sum(axis=1)
            ids = np.arange(start, start + n)
            lines = [
                f"U{i},E{a:08d},unit {i},{c[0]},{c[1]},{c[2]},{t},free text\n"
                for i, a, c, t in zip(ids.tolist(), area.tolist(), counts.tolist(), total.tolist())
            ]
            fh.writelines(lines)
    os.replace(partial, path)  # a table cut short is never reused


def _vm_hwm_gb(pid: int) -> float:
    """Peak resident memory of a running process so far (Linux /proc), in GB; NaN elsewhere."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return float("nan")


def run(n_units: int, draws: int, keep: Path | None = None) -> dict:
    """Write the table, run ``segindex indices`` on it in a child process; return the figures."""
    folder = Path(tempfile.mkdtemp(prefix="segindex-bench-")) if keep is None else keep
    table = folder / "big.csv"
    if not table.exists():
        start = time.perf_counter()
        write_table(table, n_units)
        print(
            f"wrote {n_units:,} units ({table.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - start:.0f} s",
            flush=True,
        )
    out = folder / "indices.csv"
    for stale in (out, folder / "indices.csv.provenance.json"):
        if stale.exists():
            stale.unlink()
    cmd = [
        sys.executable,
        "-m",
        "segindex",
        "indices",
        "--input",
        str(table),
        "--groups",
        "A",
        "B",
        "C",
        "--total",
        "total",
        "--by",
        "lad",
        "--draws",
        str(draws),
        "--out",
        str(out),
        "--no-progress",
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    with open(folder / "stderr.txt", "w") as err:
        child = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, text=True)
        while child.poll() is None:  # a running figure, for a run that has to be stopped early
            time.sleep(30)
            print(f"  {time.perf_counter() - start:.0f} s, peak so far {_vm_hwm_gb(child.pid):.2f} GB", flush=True)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if child.returncode != 0:
        raise SystemExit(f"segindex indices failed ({child.returncode}):\n{(folder / 'stderr.txt').read_text()}")
    if peak_kb <= before:
        print("note: an earlier child process had a higher peak; the figure below is an upper bound", flush=True)
    rows = sum(1 for _ in open(out, encoding="utf-8")) - 1
    return {
        "units": n_units,
        "draws": draws,
        "rows": rows,
        "seconds": seconds,
        "peak_gb": peak_kb / 1024**2,
        "met": peak_kb / 1024**2 <= TARGET_GB,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=10_000_000, help="number of units (default: %(default)s)")
    parser.add_argument("--draws", type=int, default=99, help="draws of each kind (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="100,000 units and 9 draws, to check the script runs")
    parser.add_argument("--keep", type=Path, help="folder to keep (and reuse) the generated table in")
    args = parser.parse_args(argv)
    units, draws = (100_000, 9) if args.quick else (args.units, args.draws)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
    r = run(units, draws, args.keep)
    print(
        f"segindex indices, {r['units']:,} units x 3 groups + total, 300 areas, every index, {r['draws']} draws: "
        f"{r['seconds']:.0f} s wall, peak {r['peak_gb']:.2f} GB resident "
        f"(target <= {TARGET_GB:g} GB: {'met' if r['met'] else 'NOT met'}); {r['rows']:,} rows; "
        f"{os.cpu_count()} cores"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
