"""The private tmpfs is read only inside the sandbox, never the host's /tmp."""

from __future__ import annotations

import os

from harness.runners.process.shared_memory import tmpfs_bytes


def test_a_process_outside_the_sandbox_holds_no_private_tmpfs():
    """A bwrap child before it mounted the sandbox's tmpfs sees the host's /tmp: not the phase's.

    Counting it made a phase's first sample read the host disk's use (32 GiB here) and
    stop the phase as out of memory.
    """
    assert tmpfs_bytes(os.getpid()) is None
