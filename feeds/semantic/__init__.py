"""Topics by meaning (#21; the optional extra ``feeds[semantic]``, docs/semantic.md).

``embedder``: the ``Embedder`` protocol and the bundled encoder behind it (loaded only when a
topic has ``about``). ``flow``: embed the entries that need it and record each ``about``
topic's matches in the store, decided by ``feeds.topics.about``. May import: models, errors,
topics, store. Nothing here runs, nor imports numpy, unless a topic has ``about``.
"""
