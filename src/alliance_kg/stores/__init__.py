"""Stores hold the served dataset; the rest of the server talks to them only through ``Store``."""

from __future__ import annotations

from .base import Store
from .memory import MemoryStore

__all__ = ["MemoryStore", "Store"]
