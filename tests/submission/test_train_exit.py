"""train.py ends without the interpreter's teardown, which once took 70 s of the training
budget after the last export; what it printed still reaches its log."""

import subprocess
import sys

from submission_run import SUBMISSION

SCRIPT = """
import atexit, pathlib, sys
from garbage.train_main import exit_without_teardown
atexit.register(lambda: pathlib.Path(sys.argv[1]).write_text("teardown ran"))
print("to stdout, buffered", end="")
print("to stderr", file=sys.stderr, end="")
exit_without_teardown(3)
"""


def test_the_exit_keeps_the_code_and_the_output_and_skips_the_teardown(tmp_path):
    marker = tmp_path / "teardown"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(marker)],
        cwd=SUBMISSION,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3
    assert done.stdout == "to stdout, buffered"
    assert done.stderr.endswith("to stderr")
    assert not marker.exists()
