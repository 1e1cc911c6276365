"""A 2019-style contest entry in today's TensorFlow/Keras: train, export a SavedModel, stop.

As the teams' `python_package/model.py` did: read the class folders from
IMAGE_TRAIN_INPUT_PATH, train, export the model to
$MODEL_INFERENCE_PATH/SavedModel and write class_index.txt (`name index`,
sorted order) beside it. The platform serves the SavedModel; preprocessing is
declared, not coded here: RGB, 32 px, (x - 127.5) / 127.5.
"""

import os
from pathlib import Path

import keras
import numpy as np
from PIL import Image

SIDE = 32
EPOCHS = int(os.environ.get("CONTEST_EPOCHS", "12"))


def load(root: Path):
    classes = sorted(p.name for p in root.iterdir() if p.is_dir())
    images, labels = [], []
    for index, name in enumerate(classes):
        for path in sorted((root / name).iterdir()):
            with Image.open(path) as image:
                images.append(np.asarray(image.convert("RGB").resize((SIDE, SIDE), Image.BILINEAR)))
            labels.append(index)
    pixels = (np.asarray(images, dtype=np.float32) - 127.5) / 127.5
    return classes, pixels, np.asarray(labels)


def build(class_count: int) -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((SIDE, SIDE, 3), name="image"),
            keras.layers.Conv2D(8, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(16, 3, activation="relu"),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(class_count, activation="softmax"),
        ]
    )


keras.utils.set_random_seed(2019)
classes, x, y = load(Path(os.environ["IMAGE_TRAIN_INPUT_PATH"]))
model = build(len(classes))
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
model.fit(x, y, epochs=EPOCHS, batch_size=8, verbose=2)
out = Path(os.environ["MODEL_INFERENCE_PATH"])
model.export(str(out / "SavedModel"), format="tf_saved_model", verbose=False)
(out / "class_index.txt").write_text(
    "".join(f"{name} {index}\n" for index, name in enumerate(classes)), encoding="utf-8"
)
