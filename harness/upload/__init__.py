"""The upload: the contest's tarball, built only for content that passed the online profile.

One module per concept (tarball, layout, checks, gate, build); the names
other code uses are re-exported here.
"""

from harness.upload.build import PackageConfig, build_package
from harness.upload.layout import LAYOUTS

__all__ = ["LAYOUTS", "PackageConfig", "build_package"]
