"""The publish flow and what it writes: Atom, RSS, JSON Feed, pages, archives, the health
feed, atomic files in public/, WebSub pings.

May import: store, topics, normalize, decide, models, errors, words, clock, agent (the
user agent of its own requests: WebSub) and pool (the worker processes). Never sources,
ingest, run or cli.
"""
