"""feeds: a self-hosted topic-feed publisher and monitor.

Sources (feeds on the web, folders of article files) are fetched, parsed, normalized into
entries, stored in SQLite, sorted into topics by saved queries, and published as one Atom
feed per topic.
"""

from __future__ import annotations

__version__ = "0.1.0"
