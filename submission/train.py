"""Train entry (contract: docs/contract.md): all work is in garbage.train_main."""

import sys

from garbage.train_main import main

if __name__ == "__main__":
    sys.exit(main())
