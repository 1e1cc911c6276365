"""The report: report.json, the run page, and runs compared side by side."""
