"""Maps and charts of segregation results (matplotlib; mapclassify for classed maps).

Every plot function is called ``plot_*``, takes ``ax=None`` as a keyword (a new
figure when omitted), returns the matplotlib Axes and never calls
``plt.show()``. Figures made from real data should carry a source line
(``source=``); the standard attribution strings are ``ONS_2011``,
``DFE_2023``, ``OS_ROYAL_MAIL`` and ``SYNTHETIC_NOTE``. Titles say what, who,
where and when with :func:`figure_title`; group names are written for readers
with :func:`human_label`. The default colours are readable with colour-vision
deficiency (:data:`CVD_SAFE_CMAPS`, :data:`CVD_SAFE_COLORS`).

The names of segindex < 0.2 (``choropleth``, ``school_points``,
``index_by_year``, ``schools_vs_neighbourhoods``, ``indices_by_group``) raise
a TypeError naming their ``plot_*`` successor.
"""

from . import charts, maps
from ._base import (
    CVD_SAFE_CMAPS,
    CVD_SAFE_COLORS,
    DFE_2023,
    ONS_2011,
    OS_ROYAL_MAIL,
    SYNTHETIC_NOTE,
    figure_title,
    human_label,
)
from .benchmark import plot_nearest_school_benchmark
from .charts import plot_index_by_year, plot_indices_by_group, plot_schools_vs_neighbourhoods
from .curves import plot_concentration_profile, plot_segplot, plot_segregation_curve
from .decomposition import plot_decomposition
from .maps import LQ_BINS, LQ_COLORS, SCHEMES, plot_choropleth, plot_school_points
from .schools import plot_school_contrast
from .spatial import TYPE_COLORS, plot_profile, plot_typology
from .trends import plot_threshold_trend, plot_trend, plot_trend_panels

# Names of segindex < 0.2, kept importable: each raises a TypeError naming its plot_* successor.
choropleth = maps.choropleth
school_points = maps.school_points
index_by_year = charts.index_by_year
schools_vs_neighbourhoods = charts.schools_vs_neighbourhoods
indices_by_group = charts.indices_by_group

__all__ = [
    "plot_choropleth",
    "plot_school_points",
    "plot_index_by_year",
    "plot_schools_vs_neighbourhoods",
    "plot_indices_by_group",
    "plot_school_contrast",
    "plot_typology",
    "plot_profile",
    "plot_trend",
    "plot_trend_panels",
    "plot_threshold_trend",
    "figure_title",
    "human_label",
    "TYPE_COLORS",
    "SCHEMES",
    "LQ_BINS",
    "LQ_COLORS",
    "CVD_SAFE_CMAPS",
    "CVD_SAFE_COLORS",
    "ONS_2011",
    "DFE_2023",
    "OS_ROYAL_MAIL",
    "SYNTHETIC_NOTE",
    "plot_segregation_curve",
    "plot_segplot",
    "plot_concentration_profile",
    "plot_nearest_school_benchmark",
    "plot_decomposition",
]
