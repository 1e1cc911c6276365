"""Unmount or remount the read-only training data, then write into it."""

import ctypes
import os

from _verdict import blocked, escaped

libc = ctypes.CDLL(None, use_errno=True)
data = os.environ["IMAGE_TRAIN_INPUT_PATH"].encode()
if libc.umount2(data, 2) == 0:
    escaped("unmounted the data")
if libc.mount(None, data, None, 0x20 | 0x1000, None) == 0:  # MS_REMOUNT | MS_BIND, writable
    escaped("remounted the data writable")
for root, _, files in os.walk(os.environ["IMAGE_TRAIN_INPUT_PATH"]):
    for name in files:
        try:
            with open(os.path.join(root, name), "ab") as image:
                image.write(b"x")
            escaped(f"wrote {name}")
        except OSError:
            pass
blocked("no unmount, no remount, no write")
