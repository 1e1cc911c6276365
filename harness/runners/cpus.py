"""Which CPUs a phase is pinned to: the contest predicted on a few CPUs, not a whole machine.

A pure rule over the CPUs the harness itself may use, so both runners pin the
same ids (the docker runner's engine is this machine: it bind-mounts host paths).
"""

from __future__ import annotations

import os


def cpu_list(cpus: tuple[int, ...]) -> str:
    """CPU ids as taskset and docker's cpuset take them: `0,1`."""
    return ",".join(str(cpu) for cpu in cpus)


def harness_cpus() -> tuple[int, ...]:
    """The CPU ids this process may run on (its affinity, which a container or taskset narrows)."""
    return tuple(sorted(os.sched_getaffinity(0)))


def pinned_cpus(count: int | str, available: tuple[int, ...]) -> tuple[int, ...] | None:
    """The first `count` of `available`; None (no pinning) for "all" or when count covers them."""
    if count == "all" or count >= len(available):
        return None
    return available[:count]


def cpus_note(count: int | str, available: tuple[int, ...]) -> str | None:
    """A warning when the phase gets fewer CPUs than asked, because the harness has fewer."""
    if count != "all" and count > len(available):
        return f"asked for {count} CPUs, but the harness may use only {len(available)}: all of them"
    return None
