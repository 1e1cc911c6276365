"""Where everything of one sweep lives: `runs/sweeps/<id>/`, named in one place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SWEEPS_FOLDER = "sweeps"


@dataclass(frozen=True)
class SweepLayout:
    """The paths of one sweep folder; its rehearsals' run folders stay in `runs/` as any run."""

    root: Path

    @classmethod
    def under(cls, runs_dir: Path, sweep_id: str) -> SweepLayout:
        return cls(Path(runs_dir).resolve() / SWEEPS_FOLDER / sweep_id)

    @property
    def summary(self) -> Path:
        return self.root / "summary.json"

    @property
    def page(self) -> Path:
        return self.root / "summary.html"

    @property
    def variants(self) -> Path:
        """The variants' package copies, shared by their rehearsals, deleted after the sweep."""
        return self.root / "variants"

    def variant(self, name: str) -> Path:
        return self.variants / name
