"""Words for what the report shows: human labels of groups and indices, and the order of the indices."""

from __future__ import annotations

__all__ = ["GROUP_LABELS", "INDEX_LABELS", "group_label", "index_label", "index_names"]

#: Display labels of the common groups of :mod:`segindex.classification` (and of the example town).
GROUP_LABELS = {
    "white_british": "White British",
    "white_irish": "White Irish",
    "gypsy_roma_traveller": "Gypsy, Roma or Traveller",
    "white_other": "Other White",
    "mixed": "Mixed",
    "indian": "Indian",
    "pakistani": "Pakistani",
    "bangladeshi": "Bangladeshi",
    "chinese": "Chinese",
    "other_asian": "Other Asian",
    "black_african": "Black African",
    "black_caribbean": "Black Caribbean",
    "other_black": "Other Black",
    "other": "Other",
    "white": "White",
    "asian": "Asian",
    "black": "Black",
    "rest": "the rest of the population",
    "(all groups)": "All groups",
}

#: Display labels of the indices.
INDEX_LABELS = {
    "dissimilarity": "Dissimilarity",
    "isolation": "Isolation",
    "correlation_ratio": "Correlation ratio",
    "exposure": "Exposure",
    "gini": "Gini",
    "atkinson": "Atkinson",
    "entropy_index": "Theil's H",
    "mutual_information": "Mutual information M",
    "multigroup_dissimilarity": "Multigroup dissimilarity",
}

# Used only while the index registry is empty (it fills as the index modules register their specs).
_FALLBACK_ORDER = {
    "two-group": ("dissimilarity", "isolation", "correlation_ratio", "exposure", "gini", "atkinson"),
    "multigroup": ("entropy_index", "mutual_information", "multigroup_dissimilarity"),
}


def group_label(name) -> str:
    """A group's display label: ``"black_african"`` → ``"Black African"``; other names as given.

    Examples
    --------
    >>> group_label("black_african"), group_label("new_arrivals"), group_label("WhiteBrit")
    ('Black African', 'New arrivals', 'WhiteBrit')
    """
    text = str(name)
    if text in GROUP_LABELS:
        return GROUP_LABELS[text]
    if text.islower() or "_" in text:
        text = text.replace("_", " ").strip()
        return text[:1].upper() + text[1:]
    return text


def index_label(name) -> str:
    """An index's display label (``"correlation_ratio"`` → ``"Correlation ratio"``)."""
    text = str(name)
    return INDEX_LABELS.get(text, text.replace("_", " ").capitalize())


def index_names(kind: str) -> tuple[str, ...]:
    """The names of the registered indices of ``kind``, in registry order (a fixed order while it is empty)."""
    from ..indices.registry import names

    registered = names(kind)
    return registered if registered else _FALLBACK_ORDER.get(kind, ())
