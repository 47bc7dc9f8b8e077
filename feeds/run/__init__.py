"""``feeds run``: the daemon's lifecycle, jobs and publish debounce; serving public/, health,
metrics, the data-folder lock.

The top of the house with cli: may import every flow and stage; nothing imports it but cli.
"""
