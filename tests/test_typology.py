"""Area typology (Poulsen, Johnston & Forrest) and threshold measures: boundaries, bases, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segindex.errors import AbsentGroupWarning, SegindexTypeError, SegindexValueError
from segindex.typology import DEFAULT_DOMINANCE, TYPES, area_typology, threshold_exposure, typology_summary


def types(df, **kw):
    return area_typology(df, "host", ["a", "b"], **kw)["type"].astype(str).tolist()


# ---------------------------------------------------------------------------- host-share boundaries


def test_host_share_boundaries():
    df = pd.DataFrame(
        {
            "host": [80, 7999, 50, 4999, 30, 2999],
            "a": [10, 1000, 25, 2500, 35, 3500],
            "b": [10, 1001, 25, 2501, 35, 3501],
        }
    )
    # h = 0.80 exactly -> I; 0.7999 -> II; 0.50 -> II; 0.4999 -> III; 0.30 -> III; 0.2999 -> IV
    assert types(df) == ["I", "II", "II", "III", "III", "IV"]
    np.testing.assert_allclose(area_typology(df, "host", ["a", "b"])["host_share"], df["host"] / df.sum(axis=1))


def test_shares_that_round_in_floating_point_count_as_at_the_threshold():
    # 0.3 * 10 is not exactly 3 in binary; 3/10 must still be type III, 2/3 must dominate at θ = 2/3
    df = pd.DataFrame({"host": [3, 1], "a": [7, 6], "b": [0, 3]})
    out = area_typology(df, "host", ["a", "b"], dominance=2 / 3, ghetto_share=1.0)
    assert out["type"].astype(str).tolist() == ["III", "V"]


# ---------------------------------------------------------------------------- dominance: θ and base


def frame_with_ghetto_guard(rows):
    """Add a big type-I unit holding most of every group, so no type-V area becomes a ghetto."""
    guard = {"host": 10**6, "a": 10**4, "b": 10**4}
    return pd.DataFrame(rows + [guard])


def test_dominance_exactly_theta_non_host_base():
    df = frame_with_ghetto_guard(
        [
            {"host": 20, "a": 48, "b": 32},  # a = 0.60 of the non-host 80
            {"host": 10, "a": 60, "b": 30},  # a = 2/3 of the non-host 90
            {"host": 20, "a": 47, "b": 33},  # a = 0.5875
        ]
    )
    assert types(df)[:3] == ["V", "V", "IV"]
    assert types(df, dominance=0.6)[:3] == ["V", "V", "IV"]
    assert types(df, dominance=2 / 3)[:3] == ["IV", "V", "IV"]
    out = area_typology(df, "host", ["a", "b"], dominance=2 / 3)
    assert out["dominant_group"].iloc[1] == "a" and pd.isna(out["dominant_group"].iloc[0])
    assert out["dominant_share"].iloc[1] == pytest.approx(2 / 3)


def test_dominance_total_base():
    df = frame_with_ghetto_guard(
        [
            {"host": 25, "a": 60, "b": 15},  # a = 0.80 of non-host, 0.60 of total
            {"host": 20, "a": 48, "b": 32},  # a = 0.60 of non-host, 0.48 of total
            {"host": 0, "a": 200, "b": 100},  # a = 2/3 of both
        ]
    )
    assert types(df, dominance_base="total")[:3] == ["V", "IV", "V"]
    assert types(df, dominance_base="total", dominance=2 / 3)[:3] == ["IV", "IV", "V"]
    assert types(df, dominance_base="non-host", dominance=2 / 3)[:3] == ["V", "IV", "V"]


def test_rest_of_population_counts_in_the_base_but_cannot_dominate():
    df = pd.DataFrame({"host": [10], "a": [30], "b": [0], "all": [100]})
    out = area_typology(df, "host", ["a", "b"], total="all")
    # non-host = 90, of whom a is 1/3; the other 60 are in no named group
    assert out["type"].astype(str).tolist() == ["IV"]


def test_default_dominance_is_the_original_papers():
    assert DEFAULT_DOMINANCE == 0.60


# ---------------------------------------------------------------------------- ghettos: pooled 30 % rule


def test_ghetto_share_exactly_thirty_percent():
    ghetto = {"host": 0, "a": 30, "b": 0}
    rest = {"host": 930, "a": 70, "b": 50}
    df = pd.DataFrame([ghetto, rest])
    assert types(df) == ["VI", "I"]  # 30 of 100 a live in a's type-V areas
    df2 = pd.DataFrame([ghetto, {**rest, "a": 71}])
    assert types(df2) == ["V", "I"]  # 30 of 101
    assert types(df2, ghetto_share=0.25) == ["VI", "I"]


def test_ghetto_rule_is_pooled_over_a_groups_type_v_areas():
    rows = [{"host": 0, "a": 15, "b": 0}, {"host": 0, "a": 15, "b": 0}, {"host": 1000, "a": 70, "b": 40}]
    # each holds 15 %; pooled 30 % -> both ghettos
    assert types(pd.DataFrame(rows)) == ["VI", "VI", "I"]
    rows[1]["a"] = 14
    assert types(pd.DataFrame(rows)) == ["V", "V", "I"]


def test_ghetto_rule_is_per_group():
    rows = [{"host": 0, "a": 50, "b": 0}, {"host": 0, "a": 0, "b": 10}, {"host": 1000, "a": 50, "b": 90}]
    out = area_typology(pd.DataFrame(rows), "host", ["a", "b"])
    assert out["type"].astype(str).tolist() == ["VI", "V", "I"]
    assert out["dominant_group"].tolist()[:2] == ["a", "b"]


def test_empty_units_have_no_type():
    df = pd.DataFrame({"host": [0, 90], "a": [0, 10], "b": [0, 0]})
    out = area_typology(df, "host", ["a", "b"])
    assert pd.isna(out["type"].iloc[0]) and np.isnan(out["host_share"].iloc[0])
    assert out.index.equals(df.index)
    assert list(out["type"].cat.categories) == list(TYPES) and out["type"].cat.ordered


def test_input_not_modified():
    df = pd.DataFrame({"host": [5, 90], "a": [95, 10], "b": [0, 0]}, index=["x", "y"])
    before = df.copy()
    area_typology(df, "host", ["a", "b"])
    pd.testing.assert_frame_equal(df, before)


# ---------------------------------------------------------------------------- summary


def test_summary_shares_add_to_one():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.integers(0, 100, size=(200, 3)), columns=["host", "a", "b"])
    df.loc[:50, "host"] = rng.integers(0, 10, 51)
    typ = area_typology(df, "host", ["a", "b"])
    s = typology_summary(df, typ, ["host", "a", "b"])
    assert set(s["type"]) == set(TYPES)
    for _, part in s.groupby("group"):
        assert part["share"].sum() == pytest.approx(1.0)
    units = s[s["group"] == "a"].set_index("type")["units"]
    assert units.sum() == len(df)
    assert units.to_dict() == typ["type"].value_counts().reindex(list(TYPES), fill_value=0).to_dict()
    allp = s[s["group"] == "(all)"]["population"].sum()
    assert allp == df.to_numpy().sum()


def test_summary_errors():
    df = pd.DataFrame({"host": [5, 90], "a": [95, 10], "b": [0, 0]})
    with pytest.raises(SegindexValueError, match="with a 'type' column"):
        typology_summary(df, pd.DataFrame({"x": [1, 2]}), ["a"])
    typ = area_typology(df, "host", ["a", "b"])
    with pytest.raises(SegindexValueError, match="not aligned to data"):
        typology_summary(df.iloc[:1], typ, ["a"])


# ---------------------------------------------------------------------------- threshold measures


@pytest.fixture
def schools():
    # 4 schools; White British, Pakistani, Indian pupils
    return pd.DataFrame(
        {
            "wb": [95, 10, 50, 0],
            "pak": [5, 90, 30, 60],
            "ind": [0, 0, 20, 40],
            "la": ["X", "X", "Y", "Y"],
        }
    )


def test_own_share_at_or_above(schools):
    out = threshold_exposure(schools, "pak", [0.6, 0.9], groups=["wb", "pak", "ind"])
    # pak shares 0.05, 0.90, 0.30, 0.60: >= 0.6 -> schools 2 and 4; >= 0.9 -> school 2
    assert out["units"].tolist() == [2, 1]
    np.testing.assert_allclose(out["group_share"], [150 / 185, 90 / 185])
    np.testing.assert_allclose(out["population_share"], [200 / 400, 100 / 400])
    np.testing.assert_allclose(out["unit_share"], [0.5, 0.25])
    assert (out["rule"] == ">=").all()


def test_strict_above(schools):
    out = threshold_exposure(schools, "pak", [0.6, 0.9], groups=["wb", "pak", "ind"], strict=True)
    assert out["units"].tolist() == [1, 0]
    assert (out["rule"] == ">").all()


def test_non_host_basis_with_combined_group(schools):
    out = threshold_exposure(schools, ["pak", "ind"], [0.75], basis="non-host", host="wb", groups=["wb", "pak", "ind"])
    # non-WB shares 0.05, 0.90, 0.50, 1.00 -> schools 2 and 4 hold 90 + 100 of 245
    assert out["group"].item() == "pak+ind"
    assert out["group_share"].item() == pytest.approx(190 / 245)


def test_any_single_group_basis(schools):
    out = threshold_exposure(schools, "wb", [0.9], basis="any single group", groups=["wb", "pak", "ind"])
    # largest shares 0.95, 0.90, 0.50, 0.60 -> schools 1 and 2
    assert out["units"].item() == 2
    assert out["population_share"].item() == pytest.approx(0.5)
    assert out["group_share"].item() == pytest.approx(105 / 155)


def test_total_column_and_by(schools):
    df = schools.assign(total=[100, 100, 120, 100])  # school 3 has 20 unclassified pupils
    with pytest.warns(AbsentGroupWarning, match="no members in 1 of 2 areas"):
        out = threshold_exposure(df, "ind", [0.4], total="total", by="la")
    assert out["la"].tolist() == ["X", "Y"]
    assert np.isnan(out["group_share"].iloc[0])
    assert out["group_share"].iloc[1] == pytest.approx(40 / 60)
    assert out["population_share"].iloc[1] == pytest.approx(100 / 220)


def test_threshold_errors(schools):
    g = ["wb", "pak", "ind"]
    with pytest.raises(SegindexValueError, match="basis must be"):
        threshold_exposure(schools, "pak", basis="other", groups=g)
    with pytest.raises(SegindexValueError, match="needs host="):
        threshold_exposure(schools, "pak", basis="non-host", groups=g)
    with pytest.raises(SegindexValueError, match="needs groups="):
        threshold_exposure(schools, "pak", basis="any single group", total="wb")
    with pytest.raises(SegindexValueError, match="give total="):
        threshold_exposure(schools, "pak")
    with pytest.raises(SegindexValueError, match=r"each threshold must be a number in \(0, 1\]"):
        threshold_exposure(schools, "pak", [75], groups=g)
    with pytest.raises(SegindexValueError, match="thresholds is empty"):
        threshold_exposure(schools, "pak", [], groups=g)
    with pytest.raises(SegindexValueError, match="'nope' is not in the data"):
        threshold_exposure(schools, "nope", groups=g)
    with pytest.raises(SegindexValueError, match="add up to"):
        threshold_exposure(schools.assign(t=1), "pak", total="t")
    with pytest.raises(SegindexTypeError, match="must be a pandas DataFrame"):
        threshold_exposure({"pak": [1]}, "pak", groups=g)


# ---------------------------------------------------------------------------- typology errors


def test_typology_errors():
    df = pd.DataFrame({"host": [5, 90], "a": [95, 10], "b": [0, 0], "s": ["x", "y"]})
    with pytest.raises(SegindexValueError, match=r"dominance must be a number in \(0.5, 1\]"):
        area_typology(df, "host", ["a", "b"], dominance=0.5)
    with pytest.raises(SegindexValueError, match="dominance must be"):
        area_typology(df, "host", ["a", "b"], dominance=60)
    with pytest.raises(SegindexValueError, match="ghetto_share must be"):
        area_typology(df, "host", ["a", "b"], ghetto_share=0)
    with pytest.raises(SegindexValueError, match="dominance_base must be"):
        area_typology(df, "host", ["a", "b"], dominance_base="all")
    with pytest.raises(SegindexValueError, match="also in groups"):
        area_typology(df, "host", ["host", "a"])
    with pytest.raises(SegindexTypeError, match="'s' must hold numbers"):
        area_typology(df, "host", ["a", "s"])
    with pytest.raises(SegindexValueError, match="'zz' is not in the data"):
        area_typology(df, "zz", ["a"])
    with pytest.raises(SegindexValueError, match="add up to"):
        area_typology(df.assign(t=50), "host", ["a", "b"], total="t")
    with pytest.raises(SegindexValueError, match="both as a group and as the total"):
        area_typology(df, "host", ["a", "b"], total="a")
    with pytest.raises(SegindexTypeError, match="list of column names"):
        area_typology(df, "host", "a")
    neg = df.assign(a=[-1, 10])
    with pytest.raises(SegindexValueError, match="negative count"):
        area_typology(neg, "host", ["a", "b"])


# ---------------------------------------------------------------------------- map


def test_plot_typology_and_errors():
    import geopandas as gpd
    import matplotlib

    matplotlib.use("Agg")
    from shapely import box

    from segindex.plot.spatial import plot_profile, plot_typology

    df = pd.DataFrame({"host": [90, 60, 40, 20, 0], "a": [10, 40, 60, 80, 90], "b": [0, 0, 0, 0, 10]})
    gdf = gpd.GeoDataFrame(df, geometry=[box(i, 0, i + 1, 1) for i in range(5)], crs=27700)
    typ = area_typology(gdf, "host", ["a", "b"])
    ax = plot_typology(gdf, typ, source="Synthetic data.")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0].startswith("I isolated host community (1)")
    assert len(ax.collections) == 1
    with pytest.raises(SegindexTypeError, match="GeoDataFrame"):
        plot_typology(df, typ)
    with pytest.raises(SegindexValueError, match="same index"):
        plot_typology(gdf, typ.iloc[:2])
    with pytest.raises(SegindexValueError, match="multiscale_profile or bespoke_profile"):
        plot_profile(pd.DataFrame({"x": [1]}))
    prof = pd.DataFrame({"bandwidth": [1, 2], "index": ["H", "H"], "group": ["(all)"] * 2, "value": [0.5, 0.2]})
    ax = plot_profile(prof)
    assert ax.get_xscale() == "log" and len(ax.lines) == 1
    with pytest.raises(SegindexValueError, match="no 'k' column"):
        plot_profile(prof, x="k")
