"""What a user reads from inference: estimates beside their intervals, small numbers flagged."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from conftest import shared_data
from segindex import infer, segregation_table
from segindex.errors import AbsentGroupWarning, DataQualityWarning


@pytest.mark.realdata
@pytest.mark.slow
def test_national_table_has_no_estimate_outside_its_interval():
    # the README's national example (output areas of England and Wales by local authority), three groups:
    # 'value' may lie outside the interval (small units bias D upward), 'bias_corrected' never does, since the
    # interval is centred on it
    path = shared_data("uk", "census2011", "oa2011_ethnicity_england_wales.csv.gz")
    oa = pd.read_csv(path, usecols=["Persons", "Pakistani", "Indian", "Bangladeshi", "LAD"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t = segregation_table(
            oa, ["Pakistani", "Indian", "Bangladeshi"], total="Persons", by="LAD", n_draws=19, random_state=2011
        )
    # the Isles of Scilly have none of the three groups; in small authorities some draws have none either
    assert {w.category for w in caught} == {AbsentGroupWarning, DataQualityWarning}
    assert "Isles of Scilly" in str(next(w.message for w in caught if w.category is AbsentGroupWarning))
    assert t["area"].nunique() == 348 and "LAD" not in t
    rows = t.dropna(subset=["ci_low", "ci_high"])
    assert len(rows) > 0.9 * len(t)
    inside = (rows["ci_low"] <= rows["bias_corrected"]) & (rows["bias_corrected"] <= rows["ci_high"])
    assert inside.all(), rows.loc[~inside, ["area", "group", "index", "bias_corrected", "ci_low", "ci_high"]]
    # and the measured value often is outside: the reason the estimate is printed beside the interval
    assert ((rows["value"] < rows["ci_low"]) | (rows["value"] > rows["ci_high"])).any()
    # small groups are flagged (Torridge and Maldon top a ranking by D on a handful of people)
    d = t[(t.group == "Pakistani") & (t["index"] == "dissimilarity")].set_index("area")
    assert d.loc["Torridge", "small_group"] and d.loc["Torridge", "count"] < 100
    assert not d.loc["Bradford", "small_group"] and not d.loc["Bradford", "high_expected"]
    assert d.loc["Torridge", "high_expected"]


def test_bias_corrected_lies_inside_its_interval_on_small_synthetic_units():
    # the same property without real data: 60 small units in 4 areas, a small group
    rng = np.random.default_rng(12)
    n = 240
    total = rng.integers(50, 300, size=n)
    share = rng.beta(0.5, 8, size=n)
    df = pd.DataFrame({"g": rng.binomial(total, share), "total": total, "area": np.repeat(list("abcd"), n // 4)})
    df["h"] = rng.binomial(df["total"] - df["g"], 0.1)
    t = segregation_table(df, ["g", "h"], total="total", by="area", n_draws=19, random_state=1)
    ok = t.dropna(subset=["ci_low"])
    assert ((ok["ci_low"] <= ok["bias_corrected"]) & (ok["bias_corrected"] <= ok["ci_high"])).all()
    r = infer("dissimilarity", df, "g", total="total", by="area", method="bootstrap", n_draws=19, random_state=1)
    frame = r.to_frame()
    assert ((frame["ci_low"] <= frame["bias_corrected"]) & (frame["bias_corrected"] <= frame["ci_high"])).all()
    assert frame["count"].tolist() == df.groupby("area")["g"].sum().tolist()
