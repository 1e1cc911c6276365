"""The private tmpfs is read only inside the sandbox, never the host's /tmp."""

from __future__ import annotations

import os

from harness.runners.process.shared_memory import tmpfs_bytes


def test_a_process_outside_the_sandbox_holds_no_private_tmpfs():
    """A bwrap child before its namespaces exist sees the host's /tmp: not the phase's.

    Counting it once made a phase's first sample read 32 GiB and stop it as out of memory.
    """
    assert tmpfs_bytes(os.getpid()) is None
