"""The embedded store: SQLite in WAL mode with FTS5, schema versioned by ``user_version``."""
