"""What a submission package is: its manifest, its contents, their hash, and weights provenance.

Every run reads these, not only `package`; the names other code uses are
re-exported here.
"""

from harness.package.content_hash import content_hash
from harness.package.contents import OUTPUT_FOLDERS, copy_contents, scan

__all__ = ["OUTPUT_FOLDERS", "content_hash", "copy_contents", "scan"]
