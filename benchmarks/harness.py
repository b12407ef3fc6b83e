"""A small benchmark harness: medians of repeated timings, side by side.

Each ``benchmarks/bench_<topic>.py`` module defines ``cases(quick: bool) -> list[Case]``.
``benchmarks/run.py`` collects them, warms every callable up once (numba compiles on
first call; the timings are warm), times it, and prints one table with the ratios
against PySAL ``segregation`` and against a bare NumPy pass, and whether each target
is met.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Case:
    """One benchmark: the same computation by segindex and, where it exists, by others.

    Attributes
    ----------
    section : str
        Heading the case is listed under (e.g. ``"two-group indices"``).
    name : str
        What is computed on what (e.g. ``"dissimilarity, 10^6 units"``).
    segindex : callable
        Zero-argument callable running segindex's computation.
    pysal : callable, optional
        The same computation with PySAL ``segregation``.
    numpy : callable, optional
        A bare NumPy pass over the same arrays, for the "within k× of NumPy" targets.
    min_speedup_vs_pysal, max_ratio_vs_numpy, max_seconds : float, optional
        The targets; ``None`` means no target of that kind.
    target : str
        The target in words, printed in the table.
    repeat, pysal_repeat : int
        Timed repetitions (the median is reported).
    """

    section: str
    name: str
    segindex: Callable[[], object]
    pysal: Callable[[], object] | None = None
    numpy: Callable[[], object] | None = None
    min_speedup_vs_pysal: float | None = None
    max_ratio_vs_numpy: float | None = None
    max_seconds: float | None = None
    target: str = ""
    repeat: int = 5
    pysal_repeat: int = 3
    notes: list = field(default_factory=list)


def median_seconds(fn: Callable[[], object], repeat: int, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` over ``repeat`` runs after ``warmup`` untimed runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_case(case: Case) -> dict:
    """Time one case; returns a row for the table."""
    row = {"section": case.section, "name": case.name, "target": case.target}
    row["segindex_s"] = median_seconds(case.segindex, case.repeat)
    row["pysal_s"] = median_seconds(case.pysal, case.pysal_repeat) if case.pysal else None
    row["numpy_s"] = median_seconds(case.numpy, case.repeat) if case.numpy else None
    ok = True
    if row["pysal_s"] is not None:
        row["speedup_vs_pysal"] = row["pysal_s"] / row["segindex_s"]
        if case.min_speedup_vs_pysal is not None:
            ok &= row["speedup_vs_pysal"] >= case.min_speedup_vs_pysal
    if row["numpy_s"] is not None:
        row["ratio_vs_numpy"] = row["segindex_s"] / row["numpy_s"]
        if case.max_ratio_vs_numpy is not None:
            ok &= row["ratio_vs_numpy"] <= case.max_ratio_vs_numpy
    if case.max_seconds is not None:
        ok &= row["segindex_s"] <= case.max_seconds
    row["met"] = ok if (case.min_speedup_vs_pysal or case.max_ratio_vs_numpy or case.max_seconds) else None
    return row


def _fmt_seconds(s):
    if s is None:
        return "–"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.0f} µs"


def format_table(rows: list[dict]) -> str:
    """A Markdown table of the results."""
    lines = [
        "| section | case | segindex | PySAL | × PySAL | NumPy pass | ÷ NumPy | target | met |",
        "|---|---|---:|---:|---:|---:|---:|---|:-:|",
    ]
    for r in rows:
        speed = f"{r['speedup_vs_pysal']:.0f}×" if r.get("speedup_vs_pysal") else "–"
        ratio = f"{r['ratio_vs_numpy']:.2f}" if r.get("ratio_vs_numpy") else "–"
        met = {True: "yes", False: "**no**", None: ""}[r["met"]]
        lines.append(
            f"| {r['section']} | {r['name']} | {_fmt_seconds(r['segindex_s'])} | "
            f"{_fmt_seconds(r['pysal_s'])} | {speed} | {_fmt_seconds(r['numpy_s'])} | {ratio} | "
            f"{r['target']} | {met} |"
        )
    return "\n".join(lines)
