"""Namesake rules of the resolver on the real gazetteer (general rules, invented sentences):
a city and its same-named state, seas against small towns, admin units named by common words."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def parse(real_gazetteer_dir):
    from geo.parse import parse as parse_text

    return lambda text: {m.surface: m for m in parse_text(text)}


def test_a_city_and_its_same_named_state_means_the_city(parse):
    got = parse("Gunmen attacked a bus in Puebla on Monday, killing three passengers.")
    assert got["Puebla"].level == "place" and got["Puebla"].admin1_iso == "MX-PUE"
    assert "same-named state" in got["Puebla"].evidence
    assert parse("A fire destroyed a warehouse in New York overnight.")["New York"].level == "place"
    # a state reached by a name like its own ("Krasnodar" for Krasnodarskiy kray) is such a state too
    got = parse("Protesters gathered in Krasnodar on Sunday.")["Krasnodar"]
    assert got.level == "place" and "same-named state" in got.evidence


def test_the_state_when_the_text_says_so(parse):
    assert parse("Troops were sent to the state of Puebla.")["Puebla"].level == "admin1"
    assert parse("Rain fell across Puebla state on Monday.")["Puebla"].level == "admin1"
    # "Buffalo, New York": the name after the comma is the container
    assert parse("A girl from Buffalo, New York, died of the flu.")["New York"].level == "admin1"
    # state-level context: other states of the same country are named
    got = parse("Floods hit Puebla, Oaxaca and Veracruz after the storm.")
    assert got["Puebla"].level == "admin1"
    # "prefecture", "governorate", "region" and "oblast" after the name call it an admin-1 too
    assert parse("Snow closed roads across Niigata prefecture.")["Niigata"].level == "admin1"
    assert parse("Shelling hit Tartus governorate overnight.")["Tartus"].level == "admin1"
    got = parse("Floods hit the Arequipa region on Monday.")["Arequipa"]
    assert got.level == "admin1" and "called a state, province or region" in got.evidence
    assert parse("Floods hit Arequipa on Monday.")["Arequipa"].level == "place"
    # a state known by the stem of its own name (Khersonska oblast) is still the state
    got = parse("Shelling hit Kherson oblast overnight.")["Kherson"]
    assert got.level == "admin1" and got.admin1_iso == "UA-65"
    assert parse("Shelling hit Kherson overnight.")["Kherson"].level == "place"
    assert parse("Floods hit Krasnodar krai.")["Krasnodar"].level == "admin1"
    assert parse("Storms hit the Silesia voivodeship.")["Silesia"].level == "admin1"
    # a state's code is the state
    assert parse("Schools in NY closed early.")["NY"].level == "admin1"


def test_a_sea_is_not_a_small_town(parse):
    got = parse("Fishermen were rescued in the Atlantic after their boat capsized.")
    assert got["Atlantic"].level == "region"
    got = parse("Authorities in Atlantic, Iowa, closed two roads after the storm.")
    assert got["Atlantic"].level == "place" and got["Atlantic"].admin1_iso == "US-IA"


def test_an_admin_unit_named_by_a_common_word_needs_context(parse):
    got = parse("Bird flu was found in a swan in the Eastern province of the island, officials said.")
    assert "Eastern" not in got
    got = parse("Water pumping out of the Delta could help farms recover next year.")
    assert "Delta" not in got
    # with its country named, the same word is the admin unit
    got = parse("Militants attacked an oil pipeline in Nigeria's Delta state.")
    assert got["Delta"].admin1_iso == "NG-DE"
    # British spellings count as the word ("Centre" is a region of Cameroon and of France)
    assert "Centre" not in parse("The Centre for Infectious Disease said cases rose in Lyon.")
    assert parse("Floods hit the Centre region of Cameroon.")["Centre"].country == "CM"
    # a word that is mostly the place's name stays a place
    assert parse("Tourism in Wales rose last year.")["Wales"].level == "admin1"


def test_a_town_and_its_same_named_municipality_means_the_town(parse):
    got = parse("Gunmen killed five people at a taco stand in Celaya, Guanajuato, on Sunday night.")
    assert got["Celaya"].level == "place" and got["Celaya"].admin1_iso == "MX-GUA"
    # Spanish "municipio de" keeps the municipality
    got = parse("Cinco personas murieron en el municipio de Celaya, Guanajuato, el domingo.")
    assert got["Celaya"].level == "admin2"


def test_a_dateline_names_a_city(parse):
    got = parse("WASHINGTON (Reuters) - The United States on Monday condemned the attack.")
    assert got["WASHINGTON"].level == "place" and got["WASHINGTON"].admin1_iso == "US-DC"
    got = parse("Kerry condemns rebels as deadline passes: WASHINGTON (AP) - The State Department said.")
    assert got["WASHINGTON"].admin1_iso == "US-DC"
    # the same name elsewhere in capitals is not a dateline
    got = parse("Voters in WASHINGTON and Oregon approved the measure.")
    assert got["WASHINGTON"].level == "admin1"


def test_a_far_bigger_city_beats_a_small_seat_of_the_same_name(parse):
    # ranked first by their rank as a seat, small capitals of departments and parishes
    # (Portsmouth, Dominica; Touba, Côte d'Ivoire; a Georgia county seat) lost to cities ten
    # and more times their size that a text naming them alone means
    got = parse("Thousands marched through Portsmouth on Saturday.")
    assert (got["Portsmouth"].country, got["Portsmouth"].admin1_iso) == ("GB", "GB-ENG")
    assert "a big city of this name, over the same-named places ranked above it" in got["Portsmouth"].evidence
    assert parse("Pilgrims crowded into Touba for the festival.")["Touba"].country == "SN"
    assert parse("A tornado damaged homes in Greensboro overnight.")["Greensboro"].admin1_iso == "US-NC"
    # the best-ranked town need not be the first reading: "Aurora" is first a Philippine
    # municipality, then a Nebraska county seat of 4,500, ahead of the cities of Colorado
    # and Illinois (359,000 and 180,000)
    got = parse("Violence in the United States continued: police in Aurora arrested two men.")
    assert got["Aurora"].country == "US" and got["Aurora"].admin1_iso in ("US-CO", "US-IL")
    # ranked below alternate names only, a city that has the name as its own needs a fifth of
    # their population: Freiburg im Breisgau over the canton of Fribourg (German "Freiburg"),
    # not St. Petersburg, Florida, over Saint Petersburg
    assert parse("Students marched in Freiburg on Saturday.")["Freiburg"].country == "DE"
    assert parse("Protesters gathered in St. Petersburg.")["St. Petersburg"].country == "RU"
    # the document's own context still decides: the seat where its country is named
    got = parse("Hurricane Maria flattened Dominica. In Portsmouth the port was closed.")
    assert got["Portsmouth"].country == "DM"


def test_an_admin1_far_smaller_than_the_capital_of_its_name_loses(parse):
    # the admin-1 the city competes with is the best-ranked one, not the biggest one the
    # name can mean through an alternate name (a region named after the city)
    got = parse("Students protested in Santiago against the fare rise.")
    assert (got["Santiago"].country, got["Santiago"].level) == ("CL", "place")


def test_a_name_with_an_apostrophe_reads_as_its_own_city(parse):
    # "Tai'an" and "Tai An" are one index key: the city of that name (Shandong, 1.7 million)
    # was lost there to the alternate names of townships
    assert parse("Floods hit Tai'an on Monday.")["Tai'an"].admin1_iso == "CN-SD"
    assert parse("Protesters gathered in Lu'an.")["Lu'an"].name == "Lu’an"


def test_a_capital_beats_the_bigger_province_of_its_name(parse):
    # ranked first by its population, the province of Buenos Aires (15.6 million) read the
    # capital's name as itself; a national capital a fifth as big as a same-named admin-1
    # ranked above it is what the name means
    got = parse("Thousands marched in Buenos Aires against the cuts.")["Buenos Aires"]
    assert (got.level, got.admin1_iso) == ("place", "AR-C")
    assert parse("A blackout hit Santo Domingo overnight.")["Santo Domingo"].level == "place"
    # a capital that already outranks its small same-named parish gains nothing: with New
    # York named, Kingston is still the town on the Hudson
    got = parse("Kingston, a city in New York, opened a new bridge. Kingston officials said.")
    assert got["Kingston"].admin1_iso == "US-NY"


def test_a_town_dwarfed_by_a_city_of_its_name_needs_its_state_named(parse):
    # another city of the same state ("Chicago", Illinois) does not pull "Atlanta" to a village
    # of 1,600 there: a town under a hundredth of a city with the name as its own ("Atlanta",
    # Georgia) takes its admin-1's bonus only when a state or county names that admin-1
    got = parse("Chicago beat Atlanta 4-2 in extra innings.")
    assert got["Atlanta"].admin1_iso == "US-GA"
    assert "in US-IL" not in got["Atlanta"].evidence
    assert parse("Austin beat Riverside 3-1 on Sunday.")["Riverside"].admin1_iso == "US-CA"
    assert parse("Lincoln beat Philadelphia 3-1 on Sunday.")["Lincoln"].admin1_iso == "US-NE"
    # the state or county named: the small town
    got = parse("Volunteers in Logan County cleaned up Atlanta and Lincoln after the tornado.")
    assert got["Atlanta"].admin1_iso == "US-IL" and got["Lincoln"].admin1_iso == "US-IL"
    got = parse("A tornado damaged homes in Atlanta, a small town in central Illinois, on Monday.")
    assert got["Atlanta"].admin1_iso == "US-IL"


def test_an_alternate_name_that_is_the_stem_of_the_own_name_looks_like_it():
    from geo.geoparse_index import PlaceRow
    from geo.nlp.similarity import alt_unlike

    def row(name):
        return PlaceRow(1, name, "admin1", "ADM1", "UA", "UA.65", "UA-65", "", 688_303, 46.7, 33.6)

    assert not alt_unlike("kherson", row("Khersonska oblast"))
    assert not alt_unlike("kharkiv", row("Kharkivska oblast"))
    assert alt_unlike("odes", row("Odeska oblast"))  # too short a stem to say
    assert alt_unlike("kiev", row("Kyiv City"))


def test_a_landmark_is_read_as_the_city_it_stands_in(parse):
    # "the White House" is not White House, Tennessee (11,000 people), unless the text places the town
    got = parse("Protesters marched to the White House on Monday.")["White House"]
    assert got.admin1_iso == "US-DC" and got.name == "Washington"
    assert parse("The Kremlin denied the report.")["Kremlin"].country == "RU"
    got = parse("A fire broke out in White House, Tenn., on Monday.")["White House"]
    assert got.admin1_iso == "US-TN"


def test_the_demonym_city_of_a_name_places_it_in_that_country(parse):
    # "the Venezuelan city of San Rafael": the demonym says where the name lies, as
    # "San Rafael, Venezuela" does (the Argentine city is bigger and was read)
    got = parse("A bomb exploded in the Venezuelan city of San Rafael on Friday.")["San Rafael"]
    assert got.country == "VE" and "inside the country named beside it" in got.evidence
    got = parse("A fire hit the Californian town of Paradise.")["Paradise"]
    assert got.admin1_iso == "US-CA" and "inside the admin-1 named beside it" in got.evidence
    assert parse("A bomb exploded in San Rafael on Friday.")["San Rafael"].country == "AR"
