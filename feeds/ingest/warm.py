"""Imported by feeds.ingest.parallel's forkserver only, after feeds' modules: loads what every
worker would otherwise load again, once, before the workers are forked from it.

The lingua models of the configured languages (named in ``$_FEEDS_WARM_LANGUAGES`` by
``feeds.ingest.parallel.process_pool`` when it starts the forkserver) are read-only once loaded, so
the workers share their pages with the forkserver instead of loading a copy each on every
pass. Then ``gc.freeze()``: the collector of a worker leaves what it inherited alone, so
it does not copy those pages by touching them either. Importing this module anywhere else
would do no harm, and nothing useful.
"""

from __future__ import annotations

import gc
import os

from feeds.ingest.parallel import ENV_WARM
from feeds.normalize.language import warm_language_models

_languages = tuple(t for t in os.environ.get(ENV_WARM, "").split(",") if t)
if _languages:
    warm_language_models(_languages)
gc.freeze()
