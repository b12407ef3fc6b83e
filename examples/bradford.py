"""Bradford: residential segregation of the main ethnic groups, with maps.

Reads the public data under ``../shared/data`` (relative to the project root):
the 2011 Census ethnic-group counts for Bradford's output areas (OA) and
lower-layer super output areas (LSOA), the LSOA boundaries and the DfE school
census 2022/23 with school locations. Writes into ``--out`` (default
``bradford-output``):

* ``indices.csv``: D, isolation, η² and the other indices for each group,
  across OAs and across LSOAs (tidy, unrounded);
* ``lq_<group>.png``: location-quotient maps at LSOA level;
* ``schools_pakistani.png``: schools (dots) over residents, Pakistani shares;
* ``indices_by_group.png``: the indices as bars.

Run from the project root::

    python examples/bradford.py --out bradford-output
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "uk"
FILES = {
    "oa": DATA / "census2011" / "oa2011_ethnicity_bradford.csv",
    "lsoa": DATA / "census2011" / "lsoa2011_ethnicity_bradford.csv",
    "boundaries": DATA / "boundaries" / "bradford_lsoa2011.gpkg",
    "schools": DATA / "schools" / "spc_2022_23_school_ethnicity_bradford_geocoded.csv",
}
#: 2011 Census columns of the groups studied (the largest minorities in Bradford, and White British).
GROUPS = ["WhiteBrit", "Pakistani", "Indian", "Bangladeshi", "BlkAfrican", "BlkCaribbean", "Mixed", "OtherWhite"]
MAPPED = ["Pakistani", "Indian", "Bangladeshi", "BlkAfrican"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="bradford-output", help="output folder (default: %(default)s)")
    args = parser.parse_args(argv)
    missing = [str(p) for p in FILES.values() if not p.exists()]
    if missing:
        print(
            "bradford.py: the public data are not here; this example needs ../shared/data beside the project "
            f"(missing: {', '.join(missing)}).",
            file=sys.stderr,
        )
        return 1

    import matplotlib

    matplotlib.use("Agg")
    import geopandas as gpd
    import matplotlib.pyplot as plt
    import pandas as pd

    from segindex.classification import SCHOOL_CENSUS, to_common
    from segindex.indices.local import location_quotients
    from segindex.indices.table import segregation_table
    from segindex.io import read_boundaries, read_census_table, read_school_census
    from segindex.plot import (
        DFE_2023,
        LQ_BINS,
        LQ_COLORS,
        ONS_2011,
        OS_ROYAL_MAIL,
        figure_title,
        plot_choropleth,
        plot_indices_by_group,
        plot_school_points,
    )

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    source = f"{ONS_2011} {OS_ROYAL_MAIL}"

    # residents, 2011, at two scales
    oa = read_census_table(FILES["oa"])
    lsoa = read_census_table(FILES["lsoa"])
    tables = []
    for level, frame in (("OA", oa), ("LSOA", lsoa)):
        t = segregation_table(frame, GROUPS, total="Persons", other="WhiteBrit")
        t.insert(0, "units", level)
        tables.append(t)
    table = pd.concat(tables, ignore_index=True)
    table.to_csv(out / "indices.csv", index=False)
    main_rows = table[
        (table.comparison == "rest") & table["index"].isin(["dissimilarity", "isolation", "correlation_ratio"])
    ]
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(main_rows.pivot_table(index="group", columns=["index", "units"], values="value", sort=False).round(3))

    fig, ax = plt.subplots(figsize=(7, 7))
    plot_indices_by_group(
        table[table.units == "LSOA"].drop(columns="units"),
        ax=ax,
        title="Bradford, 2011: residential segregation across LSOAs",
        source=ONS_2011,
    )
    fig.savefig(out / "indices_by_group.png", dpi=110, bbox_inches="tight")
    plt.close(fig)

    # location quotients on the LSOA map
    areas = read_boundaries(FILES["boundaries"], "LSOA11CD", to_crs=27700)
    lsoas = areas[["geometry"]].join(lsoa, how="left")
    lq = location_quotients(lsoas, GROUPS, total="Persons")
    for group in MAPPED:
        fig, ax = plt.subplots(figsize=(7.5, 7))
        plot_choropleth(
            lsoas.assign(lq=lq[group]),
            "lq",
            ax=ax,
            scheme="user_defined",
            bins=LQ_BINS,
            colors=LQ_COLORS,
            fmt="{:.2f}",
            legend_title="location quotient",
            title=figure_title("location quotient by LSOA", group=group, place="Bradford", year=2011),
            source=source,
        )
        fig.savefig(out / f"lq_{group.lower()}.png", dpi=110, bbox_inches="tight")
        plt.close(fig)

    # schools over residents
    pupils = read_school_census(FILES["schools"], phase=["primary", "secondary"])
    common = to_common(pupils, SCHOOL_CENSUS, unmapped="ignore")
    classified = common.drop(columns="unclassified").sum(axis=1)
    schools = gpd.GeoDataFrame(
        {"pupils": classified, "share": common["pakistani"] / classified},
        geometry=gpd.points_from_xy(pupils["easting"], pupils["northing"]),
        crs=27700,
    )
    fig, ax = plt.subplots(figsize=(8, 7))
    plot_school_points(
        schools,
        lsoas.assign(share=lsoas["Pakistani"] / lsoas["Persons"]),
        share_column="share",
        size_column="pupils",
        ax=ax,
        label="Pakistani share",
        title="Bradford: Pakistani pupils 2022/23 (dots) and residents 2011 (areas)",
        source=f"{ONS_2011} {DFE_2023} {OS_ROYAL_MAIL}",
    )
    fig.savefig(out / "schools_pakistani.png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    print(f"wrote {len(list(out.iterdir()))} files to {out.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
