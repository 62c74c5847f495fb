"""Event categories: a small taxonomy analysts know, chosen by trigger words with evidence.

Names and boundaries follow ACLED's event types (battles; explosions/remote violence; violence
against civilians; protests; riots; strategic developments, of which we keep arrests and
security operations) and EM-DAT's disaster types (hydrological: flood; geophysical:
earthquake; meteorological: storm; climatological: wildfire, drought; biological: epidemic;
technological: transport and industrial accidents). See docs/events.md.

Rules are general trigger words (English and Spanish), weighted by where they occur: the
title and the event sentence say what happened, the body adds context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geo.rescan import PatternSet

# key -> (label, family, trigger regex). Order breaks ties: the more specific first.
TAXONOMY: dict[str, tuple[str, str, str]] = {
    "explosions_remote_violence": (
        "Explosions / remote violence", "violence",
        r"explosions?|explosives?|blasts?|bomb(?:s|ings?|ed|ers?)?|car[- ]bombs?|ieds?|"
        r"air ?strikes?|drone (?:strikes?|attacks?)|shell(?:ing|ed)|missiles?|rockets?|"
        r"grenades?|mortars?|suicide (?:bomber|attack)|landmines?|"
        r"explosi[oó]n|explosivos?|bombas?|bombardeos?|coche bomba|granadas?|misiles?|"
        r"ataque con drones?|drones? con explosivos"),
    "battles": (
        "Battles (armed clashes)", "violence",
        r"clash(?:es|ed)?|firefights?|gunfights?|shoot-?outs?|gun battles?|fighting|"
        r"ambush(?:ed|es)?|armed (?:confrontation|groups? attacked)|insurgents?|rebels?|"
        r"militants? attacked|troops? (?:attacked|fought)|offensive|"
        r"enfrentamientos?|balaceras?|tiroteos?|emboscadas?|combates?|emboscad[oa]s?"),
    "violence_against_civilians": (
        "Violence against civilians", "violence",
        r"massacres?|murder(?:s|ed)?|homicides?|killings?|shot dead|gunned down|gunm[ae]n|"
        r"kidnap(?:ped|ping|pings)?|abduct(?:ed|ion|ions)?|hostages?|executed|"
        r"stabb(?:ed|ing)|lynch(?:ed|ing)|disappear(?:ed|ance)|femicides?|"
        r"masacres?|asesinad[oa]s?|asesinatos?|homicidios?|secuestr(?:o|ad[oa]s?|os)|"
        r"ejecutad[oa]s?|pistoleros|hombres armados|feminicidios?|desaparecid[oa]s?|"
        r"levantad[oa]s?|acribillad[oa]s?"),
    "riots": (
        "Riots", "unrest",
        r"riots?|rioters|rioting|looting|looters|mob|vandali[sz](?:ed|m)|torched|"
        r"disturbios|saqueos?|turba|linchamientos?|mot[ií]n"),
    "protests": (
        "Protests", "unrest",
        r"protest(?:s|ers|ed|ing)?|demonstrat(?:ion|ions|ors|ed)|rall(?:y|ies)|march(?:ed|ers)|"
        r"sit-ins?|walkouts?|strik(?:e|es|ing) (?:workers|teachers)|blockades?|"
        r"protestas?|manifestaci[oó]n(?:es)?|manifestantes|marchas?|bloqueos?|paros?"),
    "arrests_security_operations": (
        "Arrests / security operations", "security",
        r"arrest(?:s|ed)?|detain(?:ed|s)?|detention|raids?|raided|captured|seized|seizure|"
        r"extradit(?:ed|ion)|charged with|custody|operation against|crackdown|"
        r"detenid[oa]s?|arrestad[oa]s?|capturad[oa]s?|aprehendid[oa]s?|decomis(?:o|aron)|"
        r"asegurad[oa]s?|operativos?|cateos?|extradici[oó]n|extraditad[oa]s?"),
    "flood": (
        "Flood", "disaster",
        r"floods?|flooding|flooded|flash floods?|inundaci[oó]n(?:es)?|inundad[oa]s?|"
        r"desbordamientos?|crecidas?"),
    "earthquake": (
        "Earthquake", "disaster",
        r"earthquakes?|quakes?|tremors?|aftershocks?|seismic|magnitude[- ]\d|richter|"
        r"sismos?|terremotos?|temblor(?:es)?|r[eé]plicas?"),
    "storm": (
        "Storm", "disaster",
        r"storms?|hurricanes?|typhoons?|cyclones?|tornado(?:es|s)?|blizzards?|"
        r"tormentas?|hurac[aá]n|huracanes|tif[oó]n|cicl[oó]n|tornados?"),
    "wildfire": (
        "Wildfire", "disaster",
        r"wildfires?|forest fires?|bush ?fires?|brush fires?|"
        r"incendios? forestal(?:es)?|incendio de pastizal"),
    "drought": (
        "Drought", "disaster",
        r"droughts?|sequ[ií]as?"),
    "disease_outbreak": (
        "Disease outbreak", "health",
        r"outbreaks?|epidemics?|pandemics?|cholera|dengue|ebola|measles|influenza|"
        r"infections?|infected|virus|brotes?|epidemias?|c[oó]lera|sarampi[oó]n|contagios?"),
    "accident": (
        "Accident", "accident",
        r"crash(?:ed|es)?|collisions?|collided|derail(?:ed|ment)|capsiz(?:ed|es)|sank|"
        r"plane crash|accidents?|collapsed?|overturned|run over|"
        r"accidentes?|choques?|volcaduras?|descarril(?:amiento|[oó])|naufragios?|derrumbes?"),
}
OTHER = "other"
LABELS = {key: label for key, (label, _, _) in TAXONOMY.items()} | {OTHER: "Other"}
FAMILY = {key: family for key, (_, family, _) in TAXONOMY.items()} | {OTHER: OTHER}
_PATTERNS = {key: re.compile(rf"\b(?:{pattern})\b", re.I)
             for key, (_, _, pattern) in TAXONOMY.items()}
_SCAN = PatternSet(list(_PATTERNS.values()))  # all triggers in one pass over a text
TITLE_WEIGHT, SENTENCE_WEIGHT, BODY_WEIGHT = 3.0, 2.0, 0.5


@dataclass
class Category:
    key: str
    label: str
    score: float
    evidence: str  # the trigger words and where they were found


def classify(title: str, sentence: str, body: str = "") -> Category:
    """The category of an event from its title, event sentence and (weakly) the body."""
    scores: dict[str, float] = {}
    found: dict[str, list[str]] = {}
    for part, weight, where in ((title, TITLE_WEIGHT, "title"),
                                (sentence, SENTENCE_WEIGHT, "event sentence"),
                                (body, BODY_WEIGHT, "text")):
        if not part:
            continue
        starts = _SCAN.starts(part)
        for index, key in enumerate(_PATTERNS):
            hits = [m.group(0) for m in _SCAN.finditer(index, part, starts)]
            if hits:
                scores[key] = scores.get(key, 0.0) + weight * min(len(hits), 3)
                found.setdefault(key, []).append(
                    f"{where}: " + ", ".join(dict.fromkeys(h.lower() for h in hits[:4])))
    if not scores:
        return Category(OTHER, LABELS[OTHER], 0.0, "no trigger word of any category")
    order = list(TAXONOMY)
    best = max(scores, key=lambda k: (scores[k], -order.index(k)))
    evidence = "; ".join(found[best])
    if sentence:
        evidence += f" | sentence: {' '.join(sentence.split())[:200]}"
    return Category(best, LABELS[best], scores[best], evidence)


def compatible(a: str, b: str) -> float:
    """How well two categories fit one event: 1 same, 0.5 same family or unknown, 0 else."""
    if a == b:
        return 1.0
    if OTHER in (a, b) or FAMILY[a] == FAMILY[b]:
        return 0.5
    return 0.0
