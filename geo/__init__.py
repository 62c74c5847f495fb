"""Offline geoparser and incident mapper.

Flow, one module per stage: read -> extract -> resolve -> join -> store -> view/export.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from geo.types import Mention


def parse(text: str, published: str | None = None) -> list[Mention]:
    """Find and resolve the place mentions in one text (see geo.parse)."""
    from geo.parse import parse as _parse

    return _parse(text, published=published)


def parse_many(texts, published=None) -> list[list[Mention]]:
    """Batch form of parse(): one list of mentions per text."""
    from geo.parse import parse_many as _parse_many

    return _parse_many(texts, published=published)
