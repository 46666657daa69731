#!/usr/bin/env python3
"""Build the digest: seeds/ -> content/ -> site/. Thin on purpose; see newsdigest.cli."""

import sys

from newsdigest.cli import main

if __name__ == "__main__":
    sys.exit(main())
