"""No-model toy, train: works hard, exits 0, and forgets to export anything."""

import sys

print("toy train: finished training, exporting nothing", file=sys.stderr)
