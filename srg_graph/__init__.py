"""The Smart Region Governance graph: sources, store, validation and server."""

__version__ = "0.1.0"
