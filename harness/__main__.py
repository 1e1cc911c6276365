"""`python -m harness` is the `onlinesim` command."""

import sys

from harness.cli import main

sys.exit(main())
