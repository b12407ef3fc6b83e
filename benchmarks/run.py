"""Run every benchmark and print one table of medians and ratios.

Usage::

    python benchmarks/run.py               # everything, full sizes
    python benchmarks/run.py --quick       # small sizes, to check the script runs
    python benchmarks/run.py --only gini   # cases whose section or name contains "gini"
    python benchmarks/run.py --out benchmarks/RESULTS.md
    python benchmarks/run.py --memory      # peak memory of `segindex indices` on 10^7 units (heavy)

Each ``bench_<topic>.py`` beside this file contributes ``cases(quick)``. Real-data
cases read ``../shared/data`` (relative to the project root) and are left out,
with a note, when it is absent.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import format_table, run_case  # noqa: E402


def machine_line() -> str:
    import numba
    import numpy
    import pandas

    try:
        import segregation

        pysal = f"PySAL segregation {segregation.__version__}"
    except ImportError:
        pysal = "PySAL segregation not installed"
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"NumPy {numpy.__version__}, numba {numba.__version__}, pandas {pandas.__version__}; {pysal}"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, to check that everything runs")
    parser.add_argument("--only", default=None, help="run only cases whose section or name contains this text")
    parser.add_argument("--out", default=None, help="also write the table (Markdown) to this file")
    parser.add_argument(
        "--memory",
        action="store_true",
        help="only the memory benchmark (bench_memory.py: a child process, peak RSS and wall time)",
    )
    args = parser.parse_args(argv)
    if args.memory:
        print(machine_line(), flush=True)
        return importlib.import_module("bench_memory").main(["--quick"] if args.quick else [])

    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    rows = []
    print(machine_line(), flush=True)
    for name in modules:
        module = importlib.import_module(name)
        for case in module.cases(args.quick):
            label = f"{case.section} {case.name}"
            if args.only and args.only.lower() not in label.lower():
                continue
            print(f"  {case.section}: {case.name} ...", flush=True)
            rows.append(run_case(case))
            for note in case.notes:
                print(f"    note: {note}")
    table = format_table(rows)
    print()
    print(table)
    if args.out:
        Path(args.out).write_text(f"{machine_line()}\n\n{table}\n")
    missed = [r for r in rows if r["met"] is False]
    if missed:
        print(f"\n{len(missed)} target(s) not met: " + "; ".join(r["name"] for r in missed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
