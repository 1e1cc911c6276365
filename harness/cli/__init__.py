"""The `onlinesim` command line."""
