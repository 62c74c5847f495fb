"""Spanish articles on the real gazetteer: language detection picks the Spanish rules, and each
Spanish pattern does what it says (invented sentences in the style of Mexican regional news)."""

from __future__ import annotations

import pytest

from geo.nlp import spanish
from geo.nlp.language import UNDETERMINED, detect_language


@pytest.fixture(scope="module")
def parser(real_gazetteer_dir):
    from geo.parse import default_parser

    return default_parser()


def by_surface(mentions):
    return {m.surface: m for m in mentions}


def places(mentions):
    return {m.surface for m in mentions if m.kind in ("toponym", "modified_region")}


# -- language detection -----------------------------------------------------------------------
@pytest.mark.parametrize(("text", "lang"), [
    ("Hombres armados atacaron la madrugada del sábado una vivienda en Culiacán.", "es"),
    ("Gunmen attacked a house in Culiacán early on Saturday, police said.", "en"),
    ("Des manifestants ont bloqué le périphérique de Paris lundi matin.", "fr"),
    ("Die Polizei hat am Montag in Berlin zwei Männer festgenommen.", "de"),
    ("RT @noticias: Balacera en Navolato deja dos muertos https://t.co/abc #Sinaloa", "es"),
])
def test_detect_language(text, lang):
    assert detect_language(text) == lang


def test_a_short_english_tweet_is_not_called_spanish():
    # too few words to tell: undetermined is an honest answer, Spanish would be wrong
    assert detect_language("Tornado watch for West TN until 9pm http://t.co/xyz #wx") in ("en", UNDETERMINED)


@pytest.mark.parametrize("text", ["", None, "   ", "12345 678", "http://t.co/abc @x #y"])
def test_detect_language_without_words(text):
    assert detect_language(text) == UNDETERMINED


def test_the_parser_records_the_language(parser):
    doc = parser.run("Los hechos ocurrieron la noche del viernes en el centro de Culiacán, Sinaloa.")
    assert doc.language == "es"
    assert parser.run("Gunmen opened fire in Culiacan, Sinaloa, on Friday.").language == "en"
    # an explicit language wins over detection
    assert parser.run("Los hechos ocurrieron en Culiacán.", language="en").language == "en"


# -- the reported misses ----------------------------------------------------------------------
def test_city_before_its_state_at_sentence_start(parser):
    got = by_surface(parser.parse("En Culiacán, Sinaloa, el cártel incendió vehículos y bloqueó "
                                  "accesos durante la madrugada del jueves."))
    assert got["Culiacán"].level == "place" and got["Culiacán"].admin1_iso == "MX-SIN"
    assert got["Sinaloa"].level == "admin1"


def test_articles_are_not_places_and_spanish_country_names_are(parser):
    got = by_surface(parser.parse("Los hechos ocurrieron en Culiacán y en Estados Unidos, donde "
                                  "Las autoridades federales abrieron otra investigación."))
    assert "Los" not in got and "Las" not in got
    assert got["Estados Unidos"].country == "US" and got["Estados Unidos"].level == "country"
    assert got["Culiacán"].admin1_iso == "MX-SIN"


@pytest.mark.parametrize(("name", "country"), [("Alemania", "DE"), ("Reino Unido", "GB"),
                                                ("Japón", "JP"), ("Países Bajos", "NL")])
def test_spanish_country_names(parser, name, country):
    got = by_surface(parser.parse(f"El canciller viajará a {name} la próxima semana para firmar el acuerdo."))
    assert got[name].country == country and got[name].level == "country"


def test_common_spanish_words_are_not_places(parser):
    text = ("Elementos de la Guardia Nacional vigilan el Río y las Playas del puerto. Nacional y "
            "extranjeros esperaron en Las Quintas.")
    got = places(parser.parse(text))
    assert not got & {"Nacional", "Río", "Las", "Playas"}


# -- organisations, levels, directions, neighbourhoods ------------------------------------------
@pytest.mark.parametrize("org", ["Cártel de Sinaloa", "cártel de Sinaloa", "Fiscalía General del Estado de Sinaloa",
                                 "Gobierno de Sinaloa", "Universidad Autónoma de Sinaloa",
                                 "Secretaría de Seguridad Pública de Sinaloa"])
def test_organisation_embedded_names(parser, org):
    mentions = parser.parse(f"Un vocero del {org} confirmó los hechos ocurridos en Culiacán.")
    sinaloa = [m for m in mentions if m.surface.endswith("Sinaloa")]  # "Estado de Sinaloa" is a name too
    assert len(sinaloa) == 1 and sinaloa[0].kind == "org_embedded" and sinaloa[0].admin1_iso == "MX-SIN"
    assert by_surface(mentions)["Culiacán"].kind == "toponym"


def test_estado_de_and_municipio_de_set_the_level(parser):
    got = by_surface(parser.parse("La violencia en el estado de Guanajuato no cede: en el municipio de "
                                  "Celaya hubo cinco homicidios."))
    assert got["Guanajuato"].level == "admin1" and got["Guanajuato"].admin1_iso == "MX-GUA"
    assert got["Celaya"].level == "admin2"
    # "la región de X" names the admin-1 where one has the name; otherwise it changes nothing
    got = by_surface(parser.parse("Los incendios en la región de Murcia obligaron a evacuar a cientos."))
    assert got["Murcia"].level == "admin1" and got["Murcia"].admin1_iso == "ES-MC"


def test_estado_de_mexico_keeps_the_country_apart(parser):
    mentions = parser.parse("México reforzó la vigilancia en el estado de México tras los ataques.")
    country = [m for m in mentions if m.surface == "México" and m.level == "country"]
    state = [m for m in mentions if m.surface == "México" and m.level == "admin1"]
    assert country and state and state[0].admin1_iso == "MX-MEX"


def test_ciudad_de_prefers_the_city(parser):
    got = by_surface(parser.parse("Los maestros marcharon en la ciudad de Guanajuato el lunes."))
    assert got["Guanajuato"].level == "place"


@pytest.mark.parametrize(("phrase", "modifier"), [("al norte de Sinaloa", "northern"),
                                                  ("en el sur de Sonora", "southern"),
                                                  ("en el noroeste de México", "north-west")])
def test_directions_give_derived_regions(parser, phrase, modifier):
    mentions = parser.parse(f"Las lluvias afectaron comunidades {phrase} durante el fin de semana.")
    region = [m for m in mentions if m.kind == "modified_region"]
    assert len(region) == 1 and region[0].modifier == modifier
    assert region[0].precision == "subregion" and region[0].geometry_wkt


def test_neighbourhood_is_placed_in_the_town_next_to_it(parser):
    text = ("Un hombre fue asesinado en la colonia Las Quintas de Culiacán. Horas después, en el "
            "fraccionamiento Villa Verde, en Navolato, se reportó otro ataque.")
    got = by_surface(parser.parse(text))
    assert got["Las Quintas"].name == "Culiacán" and "neighbourhood" in got["Las Quintas"].evidence
    assert got["Villa Verde"].admin1_iso == "MX-SIN" and got["Villa Verde"].name == got["Navolato"].name
    assert "Las" not in got and "Quintas" not in got


def test_people_are_not_places(parser):
    text = ("El gobernador Rubén Rocha Moya dijo que el alcalde Juan de Dios Gámez visitará Navolato. "
            "Victoria declaró ante el juez en Culiacán.")
    got = places(parser.parse(text))
    assert not got & {"Rocha", "Moya", "Victoria"}
    assert {"Navolato", "Culiacán"} <= got


def test_rules_are_spanish_only(parser):
    # the same words in English keep their English reading
    got = by_surface(parser.parse("Los Angeles and Las Vegas police met in Reno on Monday."))
    assert got["Los Angeles"].admin1_iso == "US-CA" and got["Las Vegas"].admin1_iso == "US-NV"


@pytest.mark.parametrize("text", [
    "Die Polizei hat am Montag in Berlin zwei Männer festgenommen, teilte die Staatsanwaltschaft mit.",
    "Des manifestants ont bloqué le périphérique de Paris lundi matin, selon la préfecture.",
    "Polícia prende suspeitos em São Paulo após tiroteio na zona sul, informou a secretaria.",
])
def test_other_languages_use_the_general_rules(parser, text):
    doc = parser.run(text)
    assert doc.language in ("de", "fr", "pt")
    assert any(m.resolved for m in doc.mentions)


def test_word_lists_are_generated_and_loaded():
    zipf = spanish.common_word_zipf()
    assert zipf["nacional"] > 5 and zipf["rio"] > 4.5 and "mexico" not in zipf
    assert "herrera" in spanish.surnames() and "jesus" in spanish.given_names()


def test_spanish_press_forms(parser):
    doc = parser.run("La UE y EE.UU. acordaron sanciones; la Unión Europea enviará ayuda a la CDMX. "
                     "Autoridades de EU deportaron a 200 migrantes a Tijuana.")
    got = by_surface(doc.mentions)
    assert doc.language == "es"
    assert got["EE.UU."].country == "US" and got["EU"].country == "US"  # Mexican press: EU = Estados Unidos
    assert got["UE"].kind == got["Unión Europea"].kind == "supranational"
    assert got["CDMX"].name == "Mexico City"
    # in English, EU is the European Union
    eu = by_surface(parser.parse("EU ministers met in Brussels on Monday to agree the sanctions."))["EU"]
    assert eu.kind == "supranational"
