"""Raw items → Entries, the text helpers, and story grouping: the pure core.

No I/O, no clock (``now`` comes in), no store. May import: models, errors, words.
"""
