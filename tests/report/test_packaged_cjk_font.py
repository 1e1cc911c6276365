"""Chinese class names on a fresh machine: the packaged font alone, no system CJK font.

The page is rendered in a child process with its own empty matplotlib cache
(MPLCONFIGDIR), whose font manager is cut down to the fonts matplotlib itself
ships (mpl-data) before the harness is imported. So no system font, CJK or
other, is in that process's view, as on a machine without root where no
Debian font package could be installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from matplotlib.ft2font import FT2Font
from report_fixtures import CLASSES, write_passed_run

REPO = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, logging, sys, warnings
import matplotlib
from matplotlib import font_manager

bundled = matplotlib.get_data_path()
font_manager.fontManager.ttflist = [
    entry for entry in font_manager.fontManager.ttflist if entry.fname.startswith(bundled)
]
font_messages = []
handler = logging.Handler()
handler.emit = lambda record: font_messages.append(record.getMessage())
logging.getLogger("matplotlib").addHandler(handler)

from harness.report import page, plots

if sys.argv[2] == "control":
    plots.cjk_font_family = lambda: "DejaVu Sans"
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    written = page.write_report_page(__import__("pathlib").Path(sys.argv[1]))
family = plots.cjk_font_family()
print(json.dumps({
    "family": family,
    "font_file": font_manager.findfont(font_manager.FontProperties(family=family)),
    "fonts_in_view": sorted({entry.fname for entry in font_manager.fontManager.ttflist}),
    "warnings": [str(w.message) for w in caught] + font_messages,
    "page_bytes": written.stat().st_size,
}))
"""


def _render_without_system_fonts(run_dir: Path, config_dir: Path, mode: str = "packaged") -> dict:
    env = {**os.environ, "MPLCONFIGDIR": str(config_dir), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(run_dir), mode],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_chinese_names_render_with_the_packaged_font_and_no_system_font(tmp_path):
    run_dir = write_passed_run(tmp_path / "run")

    seen = _render_without_system_fonts(run_dir, tmp_path / "mplconfig")

    import matplotlib

    outside = [
        path for path in seen["fonts_in_view"] if not path.startswith(matplotlib.get_data_path())
    ]
    assert outside == [str(Path(seen["font_file"]))]
    assert "mplfonts" in seen["font_file"] and seen["family"] == "Noto Sans CJK SC"
    assert [w for w in seen["warnings"] if "missing from font" in w] == []
    charmap = FT2Font(seen["font_file"]).get_charmap()
    characters = sorted(set("".join(CLASSES)))
    assert [c for c in characters if ord(c) not in charmap] == []
    assert seen["page_bytes"] > 10_000


def test_the_child_would_see_missing_glyphs_without_a_cjk_font(tmp_path):
    """Control: the same child, plotting in DejaVu Sans alone, reports the missing glyphs."""
    run_dir = write_passed_run(tmp_path / "run")

    seen = _render_without_system_fonts(run_dir, tmp_path / "mplconfig", mode="control")

    assert any("missing from font" in w for w in seen["warnings"])
