"""segindex: residential and school segregation indices, fast and tested.

Importing segindex compiles nothing and changes no global state: numba kernels
compile on first use and are cached on disk.
"""

from .counts import Counts, as_counts, to_wide
from .errors import (
    AbsentGroupWarning,
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

__version__ = "0.1.0"

__all__ = [
    "Counts",
    "as_counts",
    "to_wide",
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
    "SegindexError",
    "SegindexValueError",
    "SegindexTypeError",
    "SegindexWarning",
    "AbsentGroupWarning",
    "DataQualityWarning",
]
