"""Doctest set-up: a headless matplotlib backend."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
