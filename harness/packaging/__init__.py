"""Submission packaging: what the package contains, its content hash, and the upload tarball.

One module per concept (scan, content_hash, tarball, layout, checks, gate,
build); the names other code uses are re-exported here.
"""

from harness.packaging.build import PackageConfig, build_package
from harness.packaging.content_hash import content_hash
from harness.packaging.layout import LAYOUTS
from harness.packaging.scan import OUTPUT_FOLDERS, copy_contents, scan

__all__ = [
    "LAYOUTS",
    "OUTPUT_FOLDERS",
    "PackageConfig",
    "build_package",
    "content_hash",
    "copy_contents",
    "scan",
]
