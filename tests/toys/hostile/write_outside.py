"""Write outside the phase's places: TOY_TARGETS (host paths, colon-separated)."""

import os

from _verdict import blocked

for path in os.environ["TOY_TARGETS"].split(":"):
    try:
        with open(path, "w") as handle:
            handle.write("hostile")
        print(f"wrote {path} (inside the sandbox)", flush=True)
    except OSError as error:
        print(f"refused {path}: {error.strerror}", flush=True)
blocked("the test checks the host")
