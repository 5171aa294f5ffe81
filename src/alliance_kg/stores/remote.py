"""What the remote store's writer (``push``) and reader (``sparql``) agree on: where the
description of a push is kept, its terms, and the media types both ask for."""

from __future__ import annotations

#: Graph (outside the project's IRIs, so never listed as data) describing what was pushed.
META_GRAPH = "urn:alliance-kg:meta"
META_SUBJECT = "urn:alliance-kg:dataset"
HAS_VERSION = "http://purl.org/dc/terms/hasVersion"
MODIFIED = "http://purl.org/dc/terms/modified"

#: What the reader accepts for result sets and for graphs.
JSON_RESULTS = "application/sparql-results+json"
GRAPH_TYPES = "application/n-triples, text/turtle;q=0.9"
