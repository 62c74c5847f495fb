"""Does an alternate name look like the place's own name?"""

from __future__ import annotations

from rapidfuzz import fuzz

from geo.geoparse_index import PlaceRow
from geo.textnorm import fold


def alt_unlike(key: str, row: PlaceRow) -> bool:
    """An alternate name that does not look like the place's own name ("Jim" for Jimma);
    initials ("DC" for District of Columbia) and single words of the name look like it."""
    own = fold(row.name)
    if fuzz.ratio(key, own) >= 75:
        return False
    words = own.replace("-", " ").split()
    if key in words:
        return False
    # the stem of a word of the name ("Kherson" for Khersonska oblast, "Kharkiv" for Kharkivska)
    if len(key) >= 5 and " " not in key and any(w.startswith(key) and len(key) >= 0.6 * len(w) for w in words):
        return False
    initials = "".join(w[0] for w in words if w not in ("of", "the", "and", "de", "du"))
    return key.replace(".", "") not in (initials, "".join(w[0] for w in words))
