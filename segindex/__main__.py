"""``python -m segindex``: the same as the ``segindex`` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
