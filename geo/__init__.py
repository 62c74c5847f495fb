"""Offline geoparser and incident mapper.

Flow, one module per stage: read -> extract -> resolve -> join -> store -> view/export.

    >>> import geo
    >>> geo.parse("Gunmen attacked a convoy in Culiacan, Sinaloa.")   # list of geo.types.Mention
"""

from __future__ import annotations

__version__ = "0.1.0"

# Imported eagerly (about 0.1 s, no gazetteer is loaded until the first call): the submodule
# geo.parse would otherwise replace the function geo.parse the first time it is imported.
from geo.parse import parse, parse_many  # noqa: E402

__all__ = ["parse", "parse_many", "__version__"]
