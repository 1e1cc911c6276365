"""TerminalProgress as the observer of a real `simulate` run, drawing on a real pty."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
from pathlib import Path

from harness.data.demo import make_image_set

REPO = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
from pathlib import Path
from harness.settings.config import resolve_config
from harness.cli.progress import TerminalProgress
from harness.run.simulate import simulate

config = resolve_config({"profile": "smoke", "submission": Path(sys.argv[1]),
                         "data": Path(sys.argv[2]), "runs_dir": Path(sys.argv[3])})
simulate(config, TerminalProgress(refresh_s=0.0))
"""


def test_progress_draws_a_real_run_on_a_terminal(tmp_path: Path):
    data = make_image_set(tmp_path / "data", ["充电器", "纸箱", "拖把"], 30, size=32)
    reader, writer = os.openpty()
    try:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                SCRIPT,
                str(REPO / "tests" / "toys" / "constant"),
                str(data),
                str(tmp_path / "runs"),
            ],
            stdout=writer,
            stderr=subprocess.PIPE,
        )
        os.close(writer)
        chunks = []
        while True:
            ready, _, _ = select.select([reader], [], [], 120)
            if not ready:
                break
            try:
                chunk = os.read(reader, 65536)
            except OSError:  # the pty reports EIO once the child has closed it
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=120) == 0, process.stderr.read().decode()
    finally:
        os.close(reader)
    drawn = b"".join(chunks).decode("utf-8", errors="replace")

    assert "\r\x1b[Ktrain" in drawn and "/ 1m00s" in drawn
    assert "train    ok" in drawn
    assert "predict  ok" in drawn
    assert re.search(r"answered (\d+)/\1", drawn), "every test image answered"
