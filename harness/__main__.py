"""`python -m harness` is the `onlinesim` command."""

import sys

from harness.cli.main import main

sys.exit(main())
