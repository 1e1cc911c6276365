"""The GPUs Ray assigns a task are the ones its phases see, through the process runner."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.sweep.executor import OBJECT_STORE_BYTES
from harness.sweep.sweep import SweepPlan, sweep

pytestmark = pytest.mark.slow  # its own Ray instance and a real rehearsal

PRINT_GPUS = (
    '[train]\ncommand = ["python", "-c", '
    "\"import os; print('visible:', repr(os.environ.get('CUDA_VISIBLE_DEVICES')))\"]\n"
)


@pytest.fixture(scope="module")
def ray_with_one_gpu():
    """Ray told this machine has one GPU: it schedules and assigns it like a real one."""
    import ray

    ray.init(
        num_cpus=2,
        num_gpus=1,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
        object_store_memory=OBJECT_STORE_BYTES,
    )
    yield ray
    ray.shutdown()


def test_a_phase_sees_the_gpu_ray_assigned_its_task(
    ray_with_one_gpu, toys_dir, three_class_set, tmp_path, write_variant
):
    result = sweep(
        {
            "submission": str(toys_dir / "constant"),
            "data": str(three_class_set),
            "runs_dir": str(tmp_path / "runs"),
            "runner": "process",
            "train_gpu": 1,
        },
        SweepPlan(("smoke",), (0,), (write_variant("gpus", PRINT_GPUS),), "submission.toml"),
    )
    printed = next(o for o in result.outcomes if o.rehearsal.variant.name == "gpus")
    assert printed.run_dir is not None, printed.reason
    log = Path(printed.run_dir) / "logs" / "train.log"
    assert "visible: '0'" in log.read_text(encoding="utf-8")
