"""The user's images: scanning a data set, the hold-out reserve, staging a split, the demo set."""
