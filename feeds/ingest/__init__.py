"""The ingest flow: sources → parse → normalize → store, wiring that decides nothing.

May import: sources, parse, normalize, topics, decide, store, models, errors, words.
Never publish, run or cli.
"""
