"""Files to a checked knowledge graph: find and parse the sources, infer (OWL-RL), validate
(SHACL and the SPARQL checks), report; and synthetic data for scale tests. Knows nothing of
stores, queries or the web: what it builds is handed on by the caller."""
