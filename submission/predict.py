"""Predict entry (contract: docs/contract.md): all work is in garbage.serve."""

import sys

from garbage.serve import main

if __name__ == "__main__":
    sys.exit(main())
