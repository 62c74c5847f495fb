"""Every weight and threshold the resolver uses, named, in one place.

Scores are in "prior points": a country name starts at 10, a village at about 2 plus half
the log10 of its population. Tuned on the dev corpora with general rules only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType


def _frozen(d: dict[str, float]) -> MappingProxyType:
    return MappingProxyType(d)


@dataclass(frozen=True)
class ResolverWeights:
    # -- prior: what the name is before any context -----------------------------------
    level_prior: MappingProxyType = field(default_factory=lambda: _frozen(
        {"country": 10.0, "region": 7.5, "admin1": 7.0, "admin2": 3.0}))
    fcode_prior: MappingProxyType = field(default_factory=lambda: _frozen(
        {"PPLC": 6.0, "PPLA": 4.0, "PPLA2": 3.0, "PPLA3": 2.3, "PPLA4": 2.2, "PPLG": 3.0}))
    place_prior: float = 2.0  # any other populated place
    country_alt_prior: float = 7.5  # an alternate name of a country ("U.S." for the Virgin Islands)
    minor_admin1_pop: int = 1_000_000  # an admin-1 smaller than this is a parish or unitary authority
    minor_admin1_prior: float = 5.0
    pop_weight: float = 0.5  # per log10 of population
    alt_penalty: float = 1.5  # an alternate name of a town
    unlike_alt_penalty: float = 4.0  # translations and old names rarely beat a place that has the name
    # -- context ------------------------------------------------------------------------
    torn_margin: float = 1.0  # a name votes for its country only when its best reading leads by this
    named_city_pop: int = 50_000  # a city this big vouches for its admin-1 like a state does
    comma_contained: float = 9.0  # "Culiacán, Sinaloa": the first name lies inside the second
    comma_country_factor: float = 0.7  # ... and "Culiacán, Mexico" counts a little less
    country_context: float = 3.0  # the country is named elsewhere in the document
    country_per_mention: float = 0.5  # ... plus this per further mention
    admin1_context: float = 3.0  # the admin-1 is named elsewhere
    admin1_per_mention: float = 0.25
    # a town under 1/dwarf_ratio of a city of dwarf_min_pop or more that has the name as its own
    # takes its admin-1's bonus only when a state or county names that admin-1, not another town
    dwarf_ratio: float = 100.0
    dwarf_min_pop: int = 100_000
    context_mentions_cap: int = 4  # mentions counted for the per-mention bonus
    abroad_penalty: float = 3.0  # a small place in a country the text never names
    state_word: float = 4.0  # "Sinaloa state", "the state of Mexico"
    namesake_bonus: float = 2.5  # a city far bigger than the same-named admin-1 ("Manchester")
    namesake_min_pop: int = 100_000
    namesake_ratio: float = 2.0  # ... at least this many times the admin-1's population
    namesake_place_ratio: float = 10.0  # ... or this many times the best-ranked same-named town's
    alt_namesake_share: float = 0.2  # ... or, ranked below alternate names only, this share of theirs
    capital_namesake_share: float = 0.2  # ... or a national capital below an admin-1, this share of its
    near_km: float = 400.0  # "near a country the document names" (spatial coherence)
    near_bonus: float = 1.5
    near_countries_max: int = 8  # country points tried for nearness
    local_km: float = 50.0  # a town or county this near a likely reading of another name ...
    local_bonus: float = 3.0  # ... is likelier (a local story names places close together)
    local_readings_max: int = 15  # readings per name, by prior, tried for nearness
    political_capital: float = 2.5  # a capital in political news ("Washington" beside Congress)
    political_window: int = 20_000  # characters searched for political words
    # -- confidence ---------------------------------------------------------------------
    only_candidate_confidence: float = 0.9
    max_confidence: float = 0.99
    confidence_temperature: float = 1.5  # softmax temperature over the scores
    confidence_top_n: int = 20
    # -- pruning: small readings nothing in the document supports ----------------------
    small_place_pop: int = 100_000
    small_admin1_pop: int = 1_000_000
    famous_pop: int = 1_000_000  # an unlike alternate name is kept for a place this big
    personlike_place_pop: int = 20_000  # a common personal name naming a smaller place is a person
    hamlet_pop: int = 1_000
    # -- namesakes ------------------------------------------------------------------------
    own_state_city_pop: int = 50_000  # a city this big inside its same-named state is what news means
    own_municipality_town_pop: int = 10_000  # ... and a town this big inside its same-named municipality
    generic_admin_zipf: float = 3.5  # an admin unit named by a common word ("Delta", "Eastern") needs context
    generic_admin_max_pop: int = 2_000_000  # ... unless it is big enough to be the word's main sense ("Wales")
    water_over_town_pop: int = 50_000  # a sea or ocean beats a town smaller than this without local support


WEIGHTS = ResolverWeights()
