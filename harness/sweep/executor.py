"""Each rehearsal a Ray task that declares what its profile needs; outcomes as they finish.

Ray places a task only where its CPUs, memory and GPUs are free, so a sweep
runs as many rehearsals at once as the machine (or the cluster) holds, and a
profile that needs 16 GiB never shares 24 GiB with another one. A task that no
node could ever hold is refused before anything starts: Ray would leave it
pending for ever. Ray is imported here only, so other commands never pay for it.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.data.image_reads import Learned, each_image_once
from harness.errors import UserError
from harness.report.compare import summarize
from harness.report.run_folder import load_run
from harness.settings.config import RunConfig
from harness.sweep.aggregate import Outcome
from harness.sweep.grid import Rehearsal

# Results are a folder name each: the object store needs no more than Ray's minimum.
OBJECT_STORE_BYTES = 80 * 2**20
WAIT_STEP_S = 0.5  # how often the driver looks up from waiting, so Ctrl-C is seen at once
CANCEL_WAIT_S = 5.0  # after the phases' grace: how long a cancelled task may take to stop
CONNECT_TIMEOUT_S = 5.0  # to open a TCP connection to --address before Ray tries to join


@dataclass(frozen=True)
class TaskDemand:
    """What one rehearsal asks Ray for, from its profile (docs/sweep.md maps each figure)."""

    num_cpus: float
    memory_bytes: int
    num_gpus: int

    def options(self) -> dict[str, Any]:
        return {
            "num_cpus": self.num_cpus,
            "memory": self.memory_bytes,
            "num_gpus": self.num_gpus,
            "max_retries": 0,
        }


def demand_of(config: RunConfig, cpus: float) -> TaskDemand:
    """`cpus` per rehearsal, the profile's memory limit (none: 0) and the GPUs its phases take.

    The phases run one after the other, so the task holds the larger of the two.
    """
    return TaskDemand(cpus, config.memory_limit_bytes or 0, task_gpus(config))


def task_gpus(config: RunConfig) -> int:
    return max(config.train_gpu, config.predict_gpu)


def _fits(demand: TaskDemand, node: Mapping[str, float]) -> bool:
    return (
        node.get("CPU", 0) >= demand.num_cpus
        and node.get("memory", 0) >= demand.memory_bytes
        and node.get("GPU", 0) >= demand.num_gpus
    )


def most_gpus(nodes: Sequence[Mapping[str, float]]) -> float:
    """The GPUs of the node that has the most (0 for a cluster without any)."""
    return max((node.get("GPU", 0) for node in nodes), default=0)


def refuse_unplaceable(demands: Mapping[str, TaskDemand], nodes: Sequence[Mapping]) -> None:
    """A UserError for the first profile whose task no node can hold (Ray would wait for ever)."""
    for profile, demand in demands.items():
        if any(_fits(demand, node) for node in nodes):
            continue
        gpus = most_gpus(nodes)
        if demand.num_gpus > gpus:
            raise UserError(
                f"a rehearsal under profile {profile} asks for {demand.num_gpus} GPU(s) "
                f"(its train_gpu and predict_gpu settings), and no node of the Ray cluster has "
                f"{'any' if gpus == 0 else demand.num_gpus}.",
                hint="run on a machine or cluster with GPUs (--address), or without one: "
                "--set train_gpu=0",
            )
        memory = max((node.get("memory", 0) for node in nodes), default=0)
        cpus = max((node.get("CPU", 0) for node in nodes), default=0)
        raise UserError(
            f"a rehearsal under profile {profile} asks for {demand.num_cpus:g} CPU(s) and "
            f"{demand.memory_bytes / 2**30:.1f} GiB (its memory_limit_mb), and no node of the "
            f"Ray cluster has that much (largest: {cpus:g} CPUs, {memory / 2**30:.1f} GiB "
            "for Ray tasks).",
            hint="lower --cpus-per-rehearsal (tune: --cpus-per-variant) or "
            "--set memory_limit_mb=..., or join a larger cluster with --address",
        )


@contextmanager
def ray_session(address: str | None, num_cpus: int | None = None) -> Iterator[Any]:
    """Ray, joined at `address` or started here (and then shut down on the way out).

    A Ray already initialised in this process (a test's) is used as it is.
    """
    try:
        import ray
    except ModuleNotFoundError:
        raise UserError(
            "the sweep command needs Ray, which is not installed here",
            hint="pip install 'onlinesim[sweep]' (scripts/setup.sh installs it)",
        ) from None

    if address is not None:
        refuse_unreachable(address)
    if ray.is_initialized():
        yield ray
        return
    if address is None:
        start_local(ray, num_cpus or os.cpu_count())
    else:
        try:
            ray.init(address=address, log_to_driver=False, configure_logging=False)
        except ConnectionError as error:
            raise UserError(
                f"could not join the Ray cluster at {address}: {error}",
                hint="start it (ray start --head on the head node) or leave --address out "
                "to run on this machine",
            ) from None
    try:
        yield ray
    finally:
        ray.shutdown()


def refuse_unreachable(address: str, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """A UserError at once when no TCP connection opens to a HOST:PORT address (`ray://`
    ones included): Ray's own join retries an unreachable address for minutes. Names Ray
    resolves itself (`auto`, `local`) are left to Ray."""
    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not port.isdigit():
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s).close()
    except OSError as error:
        raise UserError(
            f"could not reach the Ray cluster at {address}: {error or 'timed out'}",
            hint="check the head node's address and port (ray start --head prints them; "
            "the default port is 6379) or leave --address out to run on this machine",
        ) from None


def start_local(ray: Any, num_cpus: int) -> None:
    """A Ray instance on this machine, quiet: no dashboard, no worker logs on the terminal."""
    ray.init(
        num_cpus=num_cpus,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
        object_store_memory=OBJECT_STORE_BYTES,
    )


def live_nodes(ray: Any) -> list[dict[str, float]]:
    """Each live node's total resources, as Ray names them (CPU, memory, GPU)."""
    return [node["Resources"] for node in ray.nodes() if node.get("Alive")]


def run_rehearsal(config: RunConfig, known_images: Learned) -> str:
    """The task's body: one rehearsal in a Ray worker; returns its run folder.

    `known_images` are the driver's image reads (tune's view): the worker's
    scan and hold-out take them instead of reading the same files again.

    The GPUs Ray assigned to this task become CUDA_VISIBLE_DEVICES, which the
    process runner passes to the phase and the docker runner turns into device
    ids: a phase sees its own GPUs, never all of the node's.
    """
    import ray

    from harness.run.simulate import simulate

    granted = ray.get_gpu_ids() if task_gpus(config) > 0 else []
    if granted:  # none where the task declared none (tune on a machine without GPUs)
        os.environ["CUDA_VISIBLE_DEVICES"] = ",".join(str(i) for i in granted)
    with each_image_once(known_images):
        return str(simulate(config).run_dir)


def outcome_of(ray: Any, rehearsal: Rehearsal, ref: Any) -> Outcome:
    """The finished task's run folder summarized, or the reason it has none."""
    try:
        run_dir = ray.get(ref)
    except ray.exceptions.TaskCancelledError:
        return Outcome(rehearsal, None, None, "cancelled: the sweep was interrupted")
    except ray.exceptions.RayTaskError as error:
        cause = error.cause
        text = str(cause) if isinstance(cause, UserError) else f"{type(cause).__name__}: {cause}"
        return Outcome(rehearsal, None, None, f"the rehearsal failed: {text}")
    except ray.exceptions.RayError as error:  # a lost worker or node
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return Outcome(rehearsal, None, None, f"{type(error).__name__}: {first}")
    if not (Path(run_dir) / "report.json").is_file():
        return Outcome(
            rehearsal,
            run_dir,
            None,
            f"the run folder {run_dir} is not visible here: give --runs-dir a path every "
            "node shares",
        )
    return Outcome(rehearsal, run_dir, summarize(load_run(Path(run_dir))))


def _cancel(ray: Any, refs: Sequence[Any], wait_s: float) -> None:
    """Ctrl-C: each task told to stop (its phases stop cleanly), then forced after `wait_s`."""
    if not refs:
        return
    for ref in refs:
        ray.cancel(ref, force=False)
    _ready, stuck = ray.wait(list(refs), num_returns=len(refs), timeout=wait_s)
    for ref in stuck:
        ray.cancel(ref, force=True)


def execute(
    ray: Any,
    jobs: Sequence[tuple[Rehearsal, RunConfig, TaskDemand]],
    on_outcome: Callable[[Outcome], None] = lambda outcome: None,
    grace_s: float = 0.0,
    known_images: Learned | None = None,
) -> list[Outcome]:
    """Submit every rehearsal, then collect each as it ends, in the grid's order.

    A task that crashed or lost its worker is an Outcome with its reason; the
    others go on. `known_images` (from `learned_so_far()`) reach every task.
    On KeyboardInterrupt every task is cancelled before it is
    raised again.
    """
    refuse_unplaceable({c.profile: d for _r, c, d in jobs}, live_nodes(ray))
    task = ray.remote(run_rehearsal)
    known = ray.put(dict(known_images or {}))  # once in the object store, not once per task
    refs = {}
    for rehearsal, config, demand in jobs:
        refs[task.options(**demand.options()).remote(config, known)] = rehearsal
    pending, finished = list(refs), {}
    try:
        while pending:
            ready, pending = ray.wait(pending, num_returns=1, timeout=WAIT_STEP_S)
            for ref in ready:
                finished[ref] = outcome_of(ray, refs[ref], ref)
                on_outcome(finished[ref])
    except KeyboardInterrupt:
        _cancel(ray, pending, grace_s + CANCEL_WAIT_S)
        raise
    return [finished[ref] for ref in refs]
