"""What a phase can see of the machine, as one line: its CPUs and any GPU."""

import json
import os
from pathlib import Path


def seen() -> str:
    """CPUs by affinity (a cpuset or a pin shows here); GPUs by the CUDA variable and devices."""
    devices = sorted(p.name for p in Path("/dev").glob("nvidia[0-9]*"))
    return json.dumps(
        {
            "cpus": sorted(os.sched_getaffinity(0)),
            "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES"),
            "nvidia_devices": devices,
        }
    )
