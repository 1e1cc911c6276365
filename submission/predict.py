"""Predict entry (contract: docs/contract.md): all work is in garbage.serve.

Once stdin has closed and every answer is written, it leaves at once: the
interpreter's teardown with TensorFlow loaded can outlast the harness's grace
(2 s under the smoke profile) on a busy CPU, and would turn a finished phase
into one stopped at exit.
"""

import os
import sys

from garbage.serve import main

if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
