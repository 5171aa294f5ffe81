"""alliance-kg: the Chinese-German Industrial Cities Alliance as linked open data."""

#: The one place the version is written: the package metadata (pyproject reads it from here),
#: ``alliance-kg --version``, the VoID description and the ontology's ``owl:versionInfo``
#: (stamped on the ontology document when it is loaded) all take it from this line.
__version__ = "0.1.0"
