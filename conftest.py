"""Test and doctest set-up for the whole project: a headless matplotlib backend."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
