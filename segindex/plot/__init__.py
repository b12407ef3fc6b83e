"""Maps and charts of segregation results (matplotlib; mapclassify for classed maps).

Every function takes ``ax=None`` (a new figure when omitted), returns the
matplotlib Axes and never calls ``plt.show()``. Figures made from real data
should carry a source line (``source=``); the standard attribution strings are
in :mod:`segindex.plot._base` (``ONS_2011``, ``DFE_2023``, ``OS_ROYAL_MAIL``,
``SYNTHETIC_NOTE``).
"""

from ._base import DFE_2023, ONS_2011, OS_ROYAL_MAIL, SYNTHETIC_NOTE
from .charts import index_by_year, indices_by_group, schools_vs_neighbourhoods
from .curves import plot_concentration_profile, plot_segplot, plot_segregation_curve
from .maps import LQ_BINS, LQ_COLORS, SCHEMES, choropleth, school_points

from .schools import plot_school_contrast
from .spatial import TYPE_COLORS, plot_profile, plot_typology
from .trends import plot_threshold_trend, plot_trend, plot_trend_panels

__all__ = [
    "choropleth",
    "school_points",
    "index_by_year",
    "schools_vs_neighbourhoods",
    "indices_by_group",
    "plot_school_contrast",
    "plot_typology",
    "plot_profile",
    "plot_trend",
    "plot_trend_panels",
    "plot_threshold_trend",
    "TYPE_COLORS",
    "SCHEMES",
    "LQ_BINS",
    "LQ_COLORS",
    "ONS_2011",
    "DFE_2023",
    "OS_ROYAL_MAIL",
    "SYNTHETIC_NOTE",
    "plot_segregation_curve",
    "plot_segplot",
    "plot_concentration_profile",
]
