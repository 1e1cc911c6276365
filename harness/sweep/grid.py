"""What a sweep runs: one rehearsal per (variant, profile, seed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from harness.errors import UserError
from harness.package.variants import Variant


@dataclass(frozen=True)
class Rehearsal:
    """One cell of the grid; `seed` draws the train/test split."""

    variant: Variant
    profile: str
    seed: int

    @property
    def label(self) -> str:
        return f"{self.variant.name} / {self.profile} / seed {self.seed}"


def grid(variants: Sequence[Variant], profiles: Sequence[str], seeds: Sequence[int]) -> list:
    """Every combination, variants outermost, so a variant's runs sit together."""
    if not seeds:
        raise UserError("a sweep needs at least one seed", hint="e.g. --seeds 3 (seeds 0, 1 and 2)")
    if len(set(seeds)) != len(seeds):
        raise UserError(f"seeds repeat: {list(seeds)}", hint="give each seed once")
    if len(set(profiles)) != len(profiles):
        raise UserError(f"profiles repeat: {list(profiles)}", hint="give each profile once")
    return [
        Rehearsal(variant, profile, seed)
        for variant in variants
        for profile in profiles
        for seed in seeds
    ]
