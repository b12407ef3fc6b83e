"""segindex: residential and school segregation indices, fast and tested.

A flat namespace: everything public is importable from ``segindex`` (plots from
``segindex.plot``). Importing segindex compiles nothing and changes no global
state: numba kernels compile on first use and are cached on disk; geopandas,
matplotlib and scipy's spatial code load only when a function needs them.
"""

from . import plot
from .change import (
    ComparableUnits,
    areal_interpolate,
    comparable_units,
    decompose_change,
    harmonise_counts,
    mutual_information_difference,
    panel,
)
from .classification import (
    BROAD_GROUPS,
    CENSUS2011,
    CENSUS2021,
    CENSUS2021_ROMA_GRT,
    COMMON_GROUPS,
    SCHOOL_CENSUS,
    to_common,
)
from .counts import Counts, as_counts, to_wide
from .datasets import ExampleTown, example_town
from .decomposition import (
    decompose_difference,
    decompose_mutual_information,
    ipf,
)
from .errors import (
    AbsentGroupWarning,
    AreaFailureWarning,
    DataQualityWarning,
    SegindexError,
    SegindexTypeError,
    SegindexValueError,
    SegindexWarning,
)
from .indices import (
    atkinson,
    correlation_ratio,
    dissimilarity,
    entropy_index,
    exposure,
    gini,
    isolation,
    local_mutual_information,
    location_quotients,
    multigroup_dissimilarity,
    mutual_information,
    mutual_information_decomposition,
    mutual_information_within,
    segregation_table,
)
from .indices.centralisation import (
    absolute_centralisation,
    local_relative_centralisation,
    relative_centralisation,
)
from .indices.clustering import (
    absolute_clustering,
    relative_clustering,
    spatial_proximity,
    spatial_proximity_profile,
    spatial_proximity_profile_index,
)
from .indices.concentration import (
    absolute_concentration,
    delta,
    relative_concentration,
)
from .indices.distortion import (
    divergence_profiles,
    global_distortion,
    local_distortion,
)
from .indices.diversity import (
    divergence,
    diversity,
    local_diversity,
    local_entropy,
    local_simpsons_concentration,
    local_simpsons_interaction,
    multigroup_gini,
    normalised_exposure,
    relative_diversity,
    simpsons_concentration,
    simpsons_interaction,
    squared_coefficient_of_variation,
)
from .indices.evenness import (
    concentration_profile,
    concentration_profile_index,
    density_corrected_dissimilarity,
    min_max,
    square_root_index,
)
from .indices.rank_order import (
    rank_order_information,
    rank_order_profile,
    rank_order_square_root,
    rank_order_variance_ratio,
)
from .indices.spatial import (
    bespoke_profile,
    boundary_dissimilarity,
    distance_decay_exposure,
    distance_decay_isolation,
    local_environment,
    local_spatial_information,
    morrill_dissimilarity,
    multiscale_profile,
    perimeter_area_dissimilarity,
    spatial_information,
    spatial_isolation,
)
from .inference import Inference, infer, infer_difference
from .io import (
    ReadReport,
    geocode_postcodes,
    join_to_areas,
    read_boundaries,
    read_census_table,
    read_school_census,
    report_of,
)
from .report import write_report
from .schools import (
    compare_schools_neighbourhoods,
    match_local_authorities,
    nearest_school_allocation,
    school_contrast,
)
from .typology import area_typology, threshold_exposure, typology_summary
from .weights import contiguity_weights, distance_band_weights, from_libpysal, knn_weights, to_libpysal, unit_points

__version__ = "0.2.0.dev0"

__all__ = [
    # counts model
    "Counts",
    "as_counts",
    "to_wide",
    # two-group indices
    "dissimilarity",
    "isolation",
    "exposure",
    "correlation_ratio",
    "gini",
    "atkinson",
    # multigroup and local indices
    "entropy_index",
    "mutual_information",
    "mutual_information_decomposition",
    "mutual_information_within",
    "multigroup_dissimilarity",
    "location_quotients",
    "local_mutual_information",
    "segregation_table",
    # inference
    "Inference",
    "infer",
    "infer_difference",
    # schools against neighbourhoods
    "compare_schools_neighbourhoods",
    "nearest_school_allocation",
    "school_contrast",
    "match_local_authorities",
    # typology and thresholds
    "area_typology",
    "typology_summary",
    "threshold_exposure",
    # spatial weights and spatial / multiscale indices
    "contiguity_weights",
    "distance_band_weights",
    "knn_weights",
    "unit_points",
    "from_libpysal",
    "to_libpysal",
    "morrill_dissimilarity",
    "boundary_dissimilarity",
    "perimeter_area_dissimilarity",
    "local_environment",
    "spatial_information",
    "local_spatial_information",
    "spatial_isolation",
    "distance_decay_isolation",
    "distance_decay_exposure",
    "multiscale_profile",
    "bespoke_profile",
    # change over time
    "ComparableUnits",
    "comparable_units",
    "harmonise_counts",
    "areal_interpolate",
    "panel",
    "decompose_change",
    "mutual_information_difference",
    # readers and classification
    "ReadReport",
    "report_of",
    "read_boundaries",
    "read_census_table",
    "read_school_census",
    "geocode_postcodes",
    "join_to_areas",
    "COMMON_GROUPS",
    "BROAD_GROUPS",
    "CENSUS2011",
    "CENSUS2021",
    "CENSUS2021_ROMA_GRT",
    "SCHOOL_CENSUS",
    "to_common",
    # example data and report
    "ExampleTown",
    "example_town",
    "write_report",
    "plot",
    # errors and warnings
    "SegindexError",
    "SegindexValueError",
    "SegindexTypeError",
    "SegindexWarning",
    "AbsentGroupWarning",
    "DataQualityWarning",
    "AreaFailureWarning",
    # peer-parity indices and decompositions (PySAL segregation, R segregation)
    "square_root_index",
    "min_max",
    "density_corrected_dissimilarity",
    "concentration_profile",
    "concentration_profile_index",
    "delta",
    "absolute_concentration",
    "relative_concentration",
    "absolute_centralisation",
    "relative_centralisation",
    "local_relative_centralisation",
    "absolute_clustering",
    "relative_clustering",
    "spatial_proximity",
    "spatial_proximity_profile",
    "spatial_proximity_profile_index",
    "multigroup_gini",
    "normalised_exposure",
    "relative_diversity",
    "squared_coefficient_of_variation",
    "divergence",
    "diversity",
    "simpsons_concentration",
    "simpsons_interaction",
    "local_diversity",
    "local_entropy",
    "local_simpsons_concentration",
    "local_simpsons_interaction",
    "rank_order_information",
    "rank_order_variance_ratio",
    "rank_order_square_root",
    "rank_order_profile",
    "local_distortion",
    "global_distortion",
    "divergence_profiles",
    "decompose_difference",
    "decompose_mutual_information",
    "ipf",
]

# wards and two decades
from . import geography, perturbation  # noqa: E402
from .classification import CENSUS2001, CENSUS2011_AS_2001, CENSUS2021_AS_2001, KS006_GROUPS  # noqa: E402
from .geography import (  # noqa: E402
    AreaSplitComparison,
    BestFit,
    ChainedUnits,
    aggregate_counts,
    areal_split,
    best_fit,
    chain_units,
    compare_lookups,
    compare_with_areal_split,
    compose_lookups,
    lookup_coverage,
)
from .io import read_ks006  # noqa: E402
from .perturbation import PerturbationCheck, perturb_counts, perturbation_check  # noqa: E402

__all__ += [
    "geography",
    "perturbation",
    "CENSUS2001",
    "CENSUS2011_AS_2001",
    "CENSUS2021_AS_2001",
    "KS006_GROUPS",
    "BestFit",
    "ChainedUnits",
    "AreaSplitComparison",
    "best_fit",
    "aggregate_counts",
    "compose_lookups",
    "areal_split",
    "compare_with_areal_split",
    "chain_units",
    "lookup_coverage",
    "compare_lookups",
    "read_ks006",
    "PerturbationCheck",
    "perturb_counts",
    "perturbation_check",
]

# the data preparation of `segindex report`, for notebooks
from .prepare import PreparedArea, prepare_area  # noqa: E402

__all__ += ["prepare_area", "PreparedArea"]
