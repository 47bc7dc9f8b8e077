"""Every "should we": pure decisions, one package, no I/O.

- ``sources``: when a source is next due (interval, jitter, backoff, server hints), whether
  to skip it, its state after a success or a failure.
- ``articles``: what a new scan of an article folder does to the entries stored from it.
- ``entries``: how a changed entry merges into the stored one.
- ``publish``: whether a topic must be republished, how to share the work, when the
  debounced publish fires.

``now`` and randomness always come in as arguments. Must not import sqlite3, httpx, aiohttp,
asyncio, the store, or anything that does I/O; may import models, errors and normalize.
"""
