"""Numbers as people read them: sizes in MiB/GiB, durations in h/m/s."""

from __future__ import annotations

MISSING = "–"


def format_bytes(value: float | None) -> str:
    """1536 -> '1.5 KiB'; None -> a dash, because 'not measured' is not zero."""
    if value is None:
        return MISSING
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(size) < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return MISSING


def format_seconds(value: float | None) -> str:
    """83 -> '1m23s', 10800 -> '3h00m', 4.2 -> '4.2s'; None -> a dash."""
    if value is None:
        return MISSING
    seconds = float(value)
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
