"""Make the submission's package importable as `garbage`, the way its entry scripts see it."""

import sys
from pathlib import Path

SUBMISSION = Path(__file__).resolve().parents[2] / "submission"
if str(SUBMISSION) not in sys.path:
    sys.path.insert(0, str(SUBMISSION))
