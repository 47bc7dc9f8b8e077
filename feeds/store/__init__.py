"""The store: entries with their search index, source state, the publish ledger.

Only this package speaks SQL. May import: models, errors, words, normalize (text helpers),
topics (the query AST it compiles to its own dialect).
"""
