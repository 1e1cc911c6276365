"""Which GPU device nodes the process runner's sandbox shows a phase granted the GPU."""

from __future__ import annotations

from pathlib import Path

from harness.runners.process import sandbox

HOST_DEV = ["null", "nvidia0", "nvidia1", "nvidia10", "nvidiactl", "nvidia-uvm", "nvidia-caps"]


def test_a_task_on_gpu_1_gets_the_node_of_gpu_1_only():
    nodes = sandbox.gpu_device_nodes("1", HOST_DEV)
    assert [n for n in nodes if n not in sandbox.GPU_CONTROL_DEVICES] == ["nvidia1"]
    assert set(sandbox.GPU_CONTROL_DEVICES) <= set(nodes)


def test_no_index_or_uuids_give_every_card_in_index_order():
    for visible in (None, "GPU-8f2b1c3e-0000-0000-0000-000000000000"):
        cards = sandbox.gpu_device_nodes(visible, HOST_DEV)[:3]
        assert cards == ["nvidia0", "nvidia1", "nvidia10"]


def test_the_argv_binds_the_granted_card_and_nothing_without_the_gpu():
    places = sandbox.Places(read_only=(), writable=())

    def argv(gpu: bool) -> list[str]:
        env = {"CUDA_VISIBLE_DEVICES": "2,3"}
        return sandbox.bwrap_argv(["true"], places, env, Path("/"), False, gpu, None, None, None)

    granted = argv(True)
    binds = [granted[i + 1] for i, a in enumerate(granted) if a == "--dev-bind-try"]
    assert binds[:2] == ["/dev/nvidia2", "/dev/nvidia3"]
    assert "--dev-bind-try" not in argv(False)
