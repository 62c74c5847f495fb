"""The records that flow between stages. Plain dataclasses so every stage can be inspected."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Level = Literal["country", "admin1", "admin2", "place", "region"]
Kind = Literal["toponym", "demonym", "modified_region", "org_embedded", "supranational"]
Precision = Literal["place", "admin2", "admin1", "subregion", "country"]

# UCDP/ACLED-style geo precision code per mention precision.
GEO_PRECISION: dict[str, int] = {"place": 1, "admin2": 2, "admin1": 3, "subregion": 3, "country": 4}


@dataclass
class Place:
    """One gazetteer row (see gazetteer/README.md for the schema)."""

    id: int
    name: str
    level: Level
    feature_class: str | None
    feature_code: str | None
    country: str | None  # ISO 3166-1 alpha-2
    country_iso3: str | None
    admin1_code: str | None  # GeoNames "CC.XX", e.g. "MX.26"
    admin1_iso: str | None  # ISO 3166-2, e.g. "MX-SON"
    admin2_code: str | None  # GeoNames "CC.XX.YYY"; US counties also carry FIPS in fips
    population: int
    lat: float
    lon: float
    alt_names: list[str] = field(default_factory=list)
    score: float = 0.0  # lookup ranking score, filled by the lookup API
    matched: str = ""  # which name matched, filled by the lookup API

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Mention:
    """A place mention found in a text and what it resolved to."""

    start: int
    end: int
    surface: str
    kind: Kind = "toponym"
    place_id: int | None = None  # gazetteer id
    name: str | None = None  # resolved place name
    level: Level | None = None
    country: str | None = None  # ISO2
    country_iso3: str | None = None
    admin1_iso: str | None = None
    admin1_code: str | None = None
    admin2_code: str | None = None
    lat: float | None = None
    lon: float | None = None
    geometry_wkt: str | None = None  # derived geometry for modified regions, in EPSG:4326
    modifier: str | None = None  # "southern", "north-east", ...
    precision: Precision | None = None
    confidence: float = 0.0
    evidence: str = ""

    @property
    def resolved(self) -> bool:
        return self.place_id is not None or self.lat is not None

    @property
    def geo_precision(self) -> int | None:
        return GEO_PRECISION.get(self.precision) if self.precision else None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["geo_precision"] = self.geo_precision
        return d
