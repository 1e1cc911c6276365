"""The offline environments of the 3rd-place team: tune fast, pretrain long.

Both are `simulate` runs under their own profile, arranged so that neither
ever trains or validates on the hold-out reserve that online test splits are
drawn from:

- tune runs on a *training-side view* of the data: the hold-out pool alone,
  hard-linked into a scratch folder. Its validation images are split off
  that pool, so a tuning score can never come from a future test image.
- pretrain trains on the whole pool (the `pretrain` profile), then installs
  the exported model into the submission's `weights/pretrained/` with a
  provenance record, which `simulate`'s leakage guard reads.
"""
