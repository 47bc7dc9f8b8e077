"""Getting bytes: the HTTP fetcher and its transport, local feed files, article folders,
autodiscovery and the hints servers send (Retry-After, max-age).

An edge: it fetches and reads, and never parses feeds, touches the store or decides when to run.
May import: models, errors, words, decide (pure), parse.sniff helpers; never store, publish, run
or cli.
"""
