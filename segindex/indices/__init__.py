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
from .table import segregation_table

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
]
