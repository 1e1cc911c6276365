"""Train entry for the contest's served prediction: train.py's work, then the SavedModel.

A manifest with `command = ["python", "contest_train.py"]` under [train] and
`serve = "savedmodel"` under [predict] (with garbage.savedmodel's serve
settings) runs the reference submission as a 2019 contest package.
"""

import os
import sys
from pathlib import Path

from garbage.train_main import main

if __name__ == "__main__":
    code = main()
    if code == 0:
        # Imported here, not above: it imports TensorFlow, which main() sets switches for first.
        from garbage.savedmodel import export_savedmodel

        settings = export_savedmodel(Path(os.environ["MODEL_INFERENCE_PATH"]))
        print(f"contest_train: SavedModel exported, serve settings {settings}", flush=True)
    sys.exit(code)
