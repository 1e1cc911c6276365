"""Settings: each declared once (table), their kinds of value, the profiles, a run's RunConfig."""
