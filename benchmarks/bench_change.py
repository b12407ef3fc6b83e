"""Benchmarks of change over time: comparable units, harmonised counts, per-area and
per-year indices, and the decompositions of change.

Real data (left out with a note when ``../shared/data`` is absent):

* the ONS LSOA 2011 → 2021 lookup (35,795 rows),
* 2011 Census ethnic group for all 34,753 LSOAs of England and Wales,
* 2021 Census TS021 for all 35,672 LSOAs (short column names),
* the R package ``segregation``'s school panel ``schools00`` / ``schools05``.

The national case is the whole pipeline from tables in memory: comparable units
for every lookup row, both years aggregated to them (5 groups and the total),
stacked into a panel, then D, isolation and η² of each of the 5 groups against the
rest for every local authority × year (``by=["LAD22NM", "year"]``). Target: under
5 s. A second case includes reading the three CSV files.

Section names start with ``change:`` so ``--only change`` selects them.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

from harness import Case

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
LOOKUP = DATA / "uk" / "lookups" / "lsoa11_lsoa21_lad22_exactfit.csv"
C2011 = DATA / "uk" / "census2011" / "lsoa2011_ethnicity_england_wales.csv"
C2021 = DATA / "uk" / "census2021" / "census2021_ts021_lsoa21_ethnic20.csv"
US = DATA / "us"

#: The five groups, 2011 column → 2021 column (common name = the 2021 one).
GROUPS_2011 = {
    "WhiteBrit": "white_british",
    "Indian": "asian_indian",
    "Pakistani": "asian_pakistani",
    "Bangladeshi": "asian_bangladeshi",
    "BlkAfrican": "black_african",
}
GROUPS = list(GROUPS_2011.values())


def _read():
    import pandas as pd

    lookup = pd.read_csv(LOOKUP)
    c11 = pd.read_csv(C2011, usecols=["LSOA", "Persons", *GROUPS_2011])
    c21 = pd.read_csv(C2021, usecols=["LSOA21CD", "total", *GROUPS])
    c11 = c11.rename(columns={**GROUPS_2011, "LSOA": "LSOA11CD", "Persons": "total"})
    return lookup, c11, c21


@functools.cache
def tables():
    return _read()


def national(lookup, c11, c21):
    """Comparable units → harmonised counts → panel → D, isolation, η² per LA × year × group."""
    from segindex import correlation_ratio, dissimilarity, isolation
    from segindex.change import comparable_units, harmonise_counts, panel

    units = comparable_units(lookup, keep=["LAD22NM"], straddling="join")
    h = harmonise_counts(c11, c21, units, groups=GROUPS, total="total", years=(2011, 2021))
    p = panel(h, groups=GROUPS, area="LAD22NM", total="total")
    by = ["LAD22NM", "year"]
    out = {}
    for g in GROUPS:
        out[g, "D"] = dissimilarity(p, g, total="total", by=by)
        out[g, "isolation"] = isolation(p, g, total="total", by=by)
        out[g, "eta2"] = correlation_ratio(p, g, total="total", by=by)
    return out


def cases(quick: bool) -> list[Case]:
    out = []
    if not (LOOKUP.exists() and C2011.exists() and C2021.exists()):
        case = Case("change: real data", "national pipeline (skipped)", segindex=lambda: None)
        case.notes.append("../shared/data is absent: the real-data change benchmarks were left out")
        return [case]
    out.append(
        Case(
            "change: real data",
            "comparable units, 35,795 lookup rows",
            segindex=lambda: __import__("segindex.change", fromlist=["x"]).comparable_units(
                tables()[0], keep=["LAD22NM"], straddling="join"
            ),
            repeat=3 if quick else 5,
        )
    )
    out.append(
        Case(
            "change: real data",
            "units + harmonise + D, isolation, η² for every LA × 2 years × 5 groups (in memory)",
            segindex=lambda: national(*tables()),
            max_seconds=5.0,
            target="< 5 s",
            repeat=2 if quick else 5,
        )
    )
    out.append(
        Case(
            "change: real data",
            "the same, reading the three CSV files too",
            segindex=lambda: national(*_read()),
            max_seconds=5.0,
            target="< 5 s",
            repeat=1 if quick else 3,
        )
    )

    def decomposition():
        from segindex.change import comparable_units, decompose_change, harmonise_counts
        from segindex.errors import AbsentGroupWarning

        lookup, c11, c21 = tables()
        units = comparable_units(lookup, keep=["LAD22NM"], straddling="join")
        h = harmonise_counts(c11, c21, units, groups=GROUPS, total="total")
        with warnings.catch_warnings():
            # a few authorities (Isles of Scilly, City of London, the 3 joined straddling units) lack a group
            warnings.simplefilter("ignore", AbsentGroupWarning)
            return [decompose_change(h["from"], h["to"], g, total="total", by="LAD22NM") for g in GROUPS]

    out.append(
        Case(
            "change: real data",
            "composition/distribution decomposition, every LA × 5 groups × 3 indices",
            segindex=decomposition,
            repeat=2 if quick else 5,
        )
    )
    if (US / "schools00.csv").exists():

        @functools.cache
        def schools():
            import pandas as pd

            from segindex import to_wide

            w00 = to_wide(pd.read_csv(US / "schools00.csv"), unit="school", group="race", count="n")
            w05 = to_wide(pd.read_csv(US / "schools05.csv"), unit="school", group="race", count="n")
            return w00, w05

        def elbers():
            from segindex.change import mutual_information_difference

            w00, w05 = schools()
            return mutual_information_difference(w00, w05, ["asian", "black", "hisp", "native", "white"], detail=True)

        out.append(
            Case(
                "change: schools",
                "Elbers M decomposition, schools00 → schools05 (6 IPFs to rel. tol 1e-10)",
                segindex=elbers,
                repeat=2 if quick else 5,
            )
        )
    return out
