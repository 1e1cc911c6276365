"""The process runner: a phase as a child process tree, watched by the harness itself.

The modules: `runner` (starting and ending the phase), `sandbox` (the
namespaces and mounts it starts in) and `monitor` (memory, GPU and time of
the whole process tree, and the limits enforced on them).
"""

from harness.runners.process.runner import ProcessRunner

__all__ = ["ProcessRunner"]
