"""The publish flow and what it writes: Atom, RSS, JSON Feed, pages, archives, the health
feed, atomic files in public/, WebSub pings.

May import: store, topics, normalize, decide, models, errors, words, clock and agent (the
user agent of its own requests: WebSub). Never sources, ingest (but for
its process pool, feeds.ingest.parallel), run or cli.
"""
