"""onlinesim harness: rehearse a code-submission contest's online round locally."""

__version__ = "0.1.0"
