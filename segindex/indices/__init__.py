"""Public segregation indices: two-group, multigroup, local, and the tidy table."""

# two-group indices first: the registry lists indices in the order their modules register them
from .twogroup import atkinson, correlation_ratio, dissimilarity, exposure, gini, isolation  # isort: skip
from .local import local_mutual_information, location_quotients
from .multigroup import (
    entropy_index,
    multigroup_dissimilarity,
    mutual_information,
    mutual_information_decomposition,
    mutual_information_within,
)

from .table import segregation_table  # isort: skip

# the peer-parity indices register after the house's own (PySAL and R segregation's sets)
from .centralisation import (
    absolute_centralisation,
    local_relative_centralisation,
    relative_centralisation,
)
from .clustering import (
    absolute_clustering,
    relative_clustering,
    spatial_proximity,
    spatial_proximity_profile,
    spatial_proximity_profile_index,
)
from .concentration import (
    absolute_concentration,
    delta,
    relative_concentration,
)
from .distortion import (
    divergence_profiles,
    global_distortion,
    local_distortion,
)
from .diversity import (
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
from .evenness import (
    concentration_profile,
    concentration_profile_index,
    density_corrected_dissimilarity,
    min_max,
    square_root_index,
)
from .rank_order import (
    rank_order_information,
    rank_order_profile,
    rank_order_square_root,
    rank_order_variance_ratio,
)

__all__ = [
    "dissimilarity",
    "isolation",
    "exposure",
    "correlation_ratio",
    "gini",
    "atkinson",
    "entropy_index",
    "mutual_information",
    "mutual_information_decomposition",
    "mutual_information_within",
    "multigroup_dissimilarity",
    "location_quotients",
    "local_mutual_information",
    "segregation_table",
    # peer-parity indices (PySAL segregation, R segregation)
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
]
