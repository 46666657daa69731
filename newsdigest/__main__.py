"""`python -m newsdigest ...`: the same command line as the `newsdigest` script."""

import sys

from .cli import main

sys.exit(main())
