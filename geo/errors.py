"""The project's exceptions: one root, `GeoError`, so the CLI and the app catch ours once.

Like geopy's `GeocoderQueryError(GeocoderServiceError, ValueError)`, each subclass also derives
from the matching built-in, so callers that catch `ValueError` or `RuntimeError` keep working.
Modules define their specific errors here or subclass these.
"""

from __future__ import annotations


class GeoError(Exception):
    """Root of every error this package raises on purpose (a message for the user)."""


class InputError(GeoError, ValueError):
    """Input that cannot be read as articles (bad file, bad format, bad option value)."""


class SetupError(GeoError, RuntimeError):
    """Something the project needs is missing (gazetteer not built, assets not installed)."""


class StoreError(GeoError, RuntimeError):
    """A user-facing problem with the store (bad path, unknown article, unknown place)."""
