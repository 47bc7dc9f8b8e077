"""The config stage: TOML (and FEEDS_* environment overrides) → a frozen Config.

Every mistake names its file and key (ConfigError). May import: models, errors, words and the
topic query language (to check queries at load); nothing that does I/O beyond reading the file.
"""
