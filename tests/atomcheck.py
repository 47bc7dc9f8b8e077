"""Test helper: check Atom bytes against the RFC 4287 (Appendix B) RELAX NG schema.

The schema is a copy in tests/data/atom.rng so tests do not depend on anything outside the
repository. Import it from any test: ``from atomcheck import assert_valid_atom``.
"""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree

SCHEMA_PATH = Path(__file__).parent / "data" / "atom.rng"
ATOM_NS = "http://www.w3.org/2005/Atom"
NS = {"a": ATOM_NS}

#: Same safety as feedgen's own parser: no DTDs, no entities, no network.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@functools.cache
def atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMA_PATH)))


def parse_xml(data: bytes) -> etree._Element:
    """Parse bytes strictly (raises on anything that is not well-formed XML)."""
    return etree.fromstring(data, _PARSER)


def assert_valid_atom(data: bytes) -> etree._Element:
    """Assert that ``data`` is well-formed, RFC 4287-valid Atom; return the root element."""
    root = parse_xml(data)
    schema = atom_schema()
    if not schema.validate(root):
        errors = "\n".join(f"line {e.line}: {e.message}" for e in schema.error_log)
        raise AssertionError(f"not valid Atom:\n{errors}")
    assert root.tag == f"{{{ATOM_NS}}}feed"
    return root
