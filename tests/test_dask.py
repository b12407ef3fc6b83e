"""The draws on a Dask cluster: the local result bit for bit, whatever the workers and blocks; lost workers.

The cluster is started and stopped here (two worker processes, one thread each).
"""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest

from segindex import infer, infer_difference, segregation_table
from segindex.errors import SegindexTypeError, SegindexValueError

distributed = pytest.importorskip(
    "distributed", reason="dask[distributed] is not installed (pip install 'segindex-toolkit[dask]')"
)


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", scheduler_port=0) as c:
        yield c


@pytest.fixture(scope="module")
def client(cluster):
    from distributed import Client

    with Client(cluster) as c:
        c.wait_for_workers(2)
        yield c


@pytest.fixture(scope="module")
def one_worker():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0", scheduler_port=0) as c:
        with Client(c) as cl:
            yield cl


def _frame(seed=0, n=600, areas=6):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "A": rng.integers(0, 40, n),
            "B": rng.integers(0, 90, n),
            "C": rng.integers(0, 25, n),
            "lad": [f"E{k:03d}" for k in rng.integers(0, areas, n)],
            "px": rng.uniform(0, 5e4, n),
            "py": rng.uniform(0, 5e4, n),
        }
    )
    df["total"] = df[["A", "B", "C"]].sum(axis=1) + rng.integers(0, 10, n)
    return df


def _same(a, b):
    assert np.array_equal(a.draws, b.draws, equal_nan=True)
    for name in a.FIELDS:
        assert np.array_equal(np.asarray(getattr(a, name)), np.asarray(getattr(b, name)), equal_nan=True), name


CASES = [
    ("two-group", "dissimilarity", ("A", "B"), {"by": "lad"}),
    ("two-group rest", "isolation", ("A",), {"total": "total"}),
    ("multigroup", "entropy_index", (["A", "B", "C"],), {"by": "lad"}),
    (
        "spatial",
        "spatial_isolation",
        ("A",),
        {"total": "total", "bandwidth": 5000.0, "points": ("px", "py"), "crs": 27700},
    ),
    (
        "spatial information",
        "spatial_information",
        (["A", "B", "C"],),
        {"total": "total", "bandwidth": 4000.0, "points": ("px", "py"), "crs": 27700, "bin_size": "auto"},
    ),
]


@pytest.mark.parametrize("method", ["randomisation", "bootstrap"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_infer_on_the_cluster_is_the_local_result_bit_for_bit(client, one_worker, case, method):
    _, index, args, kwargs = case
    df = _frame()
    n = 12 if index == "spatial_isolation" else 40
    local = infer(index, df, *args, n_draws=n, random_state=11, method=method, **kwargs)
    assert np.isfinite(local.draws).all() and np.unique(local.draws).size > 1  # real draws, not constants
    for block_size in (None, 1, 7):
        for c in (client, one_worker):
            _same(
                local,
                infer(
                    index,
                    df,
                    *args,
                    n_draws=n,
                    random_state=11,
                    method=method,
                    client=c,
                    block_size=block_size,
                    **kwargs,
                ),
            )


def test_multiscale_profile_on_the_cluster_is_the_local_result_bit_for_bit(client, one_worker):
    from segindex.indices.spatial import multiscale_profile

    df = _frame(2)
    opts = dict(bandwidths=[1000.0, 4000.0], isolation=["A"], total="total", points=("px", "py"), crs=27700)
    opts.update(n_draws=10, random_state=8, bin_size="auto")
    local = multiscale_profile(df, ["A", "B", "C"], **opts)
    assert local["se"].gt(0).all() and local["expected"].gt(0).all()  # real draws
    for block_size in (None, 3):
        for c in (client, one_worker):
            there = multiscale_profile(df, ["A", "B", "C"], client=c, block_size=block_size, **opts)
            pd.testing.assert_frame_equal(there, local, check_exact=True)


def test_multiscale_profile_by_area_on_the_cluster_is_the_local_result(client, one_worker):
    from segindex.indices.spatial import multiscale_profile

    df = _frame(3, n=300, areas=3)
    opts = dict(bandwidths=[2000.0, 8000.0], by="lad", points=("px", "py"), crs=27700, n_draws=5, random_state=4)
    local = multiscale_profile(df, ["A", "B", "C"], **opts)
    assert local["area"].nunique() == 3 and local["se"].gt(0).all()
    for c in (client, one_worker):
        there = multiscale_profile(df, ["A", "B", "C"], client=c, **opts)
        pd.testing.assert_frame_equal(there, local, check_exact=True)


def test_block_size_never_changes_the_local_result():
    df = _frame(1)
    whole = infer("multigroup_dissimilarity", df, ["A", "B", "C"], by="lad", n_draws=30, random_state=5)
    for block_size in (1, 4, 30, 100):
        _same(
            whole,
            infer(
                "multigroup_dissimilarity",
                df,
                ["A", "B", "C"],
                by="lad",
                n_draws=30,
                random_state=5,
                block_size=block_size,
            ),
        )


def test_infer_difference_on_the_cluster(client):
    a, b = _frame(2), _frame(3)
    local = infer_difference("dissimilarity", a, b, "A", "B", by="lad", n_draws=30, random_state=4)
    _same(
        local,
        infer_difference(
            "dissimilarity", a, b, "A", "B", by="lad", n_draws=30, random_state=4, client=client, block_size=4
        ),
    )


def test_national_like_table_on_the_cluster(client, one_worker):
    df = _frame(4, n=3000, areas=30)
    local = segregation_table(df, ["A", "B", "C"], total="total", by="lad", n_draws=20, random_state=9)
    assert local["se"].notna().all() and (local["se"] > 0).all()
    for c, block_size in ((client, None), (client, 3), (one_worker, 8)):
        pd.testing.assert_frame_equal(
            local,
            segregation_table(
                df,
                ["A", "B", "C"],
                total="total",
                by="lad",
                n_draws=20,
                random_state=9,
                client=c,
                block_size=block_size,
            ),
            check_exact=True,
        )


def test_schools_against_neighbourhoods_on_the_cluster(client):
    from segindex import compare_schools_neighbourhoods
    from segindex.datasets import example_town

    t = example_town(random_state=3, choice=0.6)
    res = t.units.assign(la=np.arange(len(t.units)) % 2)
    sch = t.schools.assign(la=np.arange(len(t.schools)) % 2)
    kw = dict(total="total", school_total="roll", by="la", n_draws=12, random_state=1)
    local = compare_schools_neighbourhoods(res, sch, ["pakistani", "indian"], **kw)
    assert local["dissimilarity_difference_se"].notna().all()
    remote = compare_schools_neighbourhoods(res, sch, ["pakistani", "indian"], client=client, block_size=5, **kw)
    pd.testing.assert_frame_equal(local, remote, check_exact=True)


def test_a_worker_killed_mid_run_does_not_change_the_result(client):
    df = _frame(5, n=200_000, areas=40)
    kwargs = dict(by="lad", n_draws=60, random_state=3, method="bootstrap")
    local = infer("entropy_index", df, ["A", "B", "C"], **kwargs)
    pids = client.run(os.getpid)
    victim = sorted(pids.values())[0]

    address = next(a for a, pid in pids.items() if pid == victim)

    def kill():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # wait until the victim is running blocks of draws
            if client.processing().get(address):
                time.sleep(0.2)
                os.kill(victim, signal.SIGKILL)
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill)
    killer.start()
    remote = infer("entropy_index", df, ["A", "B", "C"], client=client, block_size=1, **kwargs)
    killer.join()
    assert victim not in client.run(os.getpid).values() or len(pids) == 1  # the worker did die
    _same(local, remote)
    client.wait_for_workers(2, timeout=60)  # the nanny restarts it for the next tests


def test_client_and_block_size_errors_name_the_parameter():
    df = _frame()
    with pytest.raises(SegindexTypeError, match="'client' parameter must be None or a dask.distributed.Client"):
        infer("dissimilarity", df, "A", "B", n_draws=5, client="tcp://127.0.0.1:8786")
    with pytest.raises(SegindexTypeError, match="'block_size' parameter must be None or a whole number"):
        infer("dissimilarity", df, "A", "B", n_draws=5, block_size=2.5)
    with pytest.raises(SegindexValueError, match="'block_size' parameter must be at least 1"):
        segregation_table(df, ["A", "B"], n_draws=5, block_size=0)
    with pytest.raises(SegindexTypeError, match="'client' parameter"):
        infer_difference("dissimilarity", df, df, "A", "B", n_draws=5, client=object())


def test_cli_scheduler_gives_the_local_table(cluster, client, tmp_path):
    from segindex.cli import main

    df = _frame(6, n=800, areas=8)
    data = tmp_path / "units.csv"
    df.drop(columns=["px", "py"]).to_csv(data, index=False)
    argv = [
        "indices",
        "--input",
        str(data),
        "--groups",
        "A",
        "B",
        "C",
        "--total",
        "total",
        "--by",
        "lad",
        "--draws",
        "15",
        "--random-state",
        "2",
        "--no-progress",
    ]
    assert main([*argv, "--out", str(tmp_path / "local.csv")]) == 0
    assert main([*argv, "--out", str(tmp_path / "dask.csv"), "--scheduler", cluster.scheduler_address]) == 0
    local, remote = (tmp_path / "local.csv").read_bytes(), (tmp_path / "dask.csv").read_bytes()
    assert len(local) > 1000 and local == remote


def test_cli_scheduler_that_is_not_there_is_one_line(tmp_path, capsys):
    from segindex.cli import main

    data = tmp_path / "units.csv"
    _frame(7, n=50).to_csv(data, index=False)
    code = main(
        ["indices", "--input", str(data), "--groups", "A", "B", "--draws", "5", "--scheduler", "tcp://127.0.0.1:9"]
    )
    err = capsys.readouterr().err
    assert code != 0 and "could not connect to a Dask scheduler at 'tcp://127.0.0.1:9'" in err
    assert "Traceback" not in err


def test_an_area_failing_on_the_cluster_is_nan_with_a_warning_and_the_others_intact(client):
    import operator

    from segindex import _engine
    from segindex.errors import AreaFailureWarning

    # area 0 divides by zero on its worker; the other areas' tasks are unaffected
    with pytest.warns(AreaFailureWarning, match=r"1 of 4 areas.*'E000' \(ZeroDivisionError"):
        out = _engine.map_areas(
            operator.truediv, 12.0, 4, keys=["E000", "E001", "E002", "E003"], caller="f", client=client
        )
    assert out == [None, 12.0, 6.0, 4.0]
    with pytest.raises(ZeroDivisionError):
        _engine.map_areas(operator.truediv, 12.0, 1, keys=["E000"], caller="f", client=client)
