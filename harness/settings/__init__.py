"""Settings: the profiles (profiles.toml) and one run's resolved configuration."""
