"""Topics as saved searches: the query language (folding, AST, parser), explain.

Pure and free of any storage dialect's I/O. May import: models, errors, normalize.
"""
