"""Look for a labelled copy of the data set at TOY_COPY (anywhere on disk)."""

import os

from _verdict import blocked, escaped

if os.path.exists(os.environ["TOY_COPY"]):
    escaped(f"found {os.environ['TOY_COPY']}")
blocked("no copy visible")
