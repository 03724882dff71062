"""IRIs, names and word lists of the benchmark data (all fixed, no network).

Municipality names are made from a fixed list of syllables, so every run with the same seed
produces the same 300 names.
"""

from __future__ import annotations

import random

ID = "https://w3id.org/srg/id/"
GRAPH = "https://w3id.org/srg/graph/bench-"
SRG = "https://w3id.org/srg/ns#"
ORG = "http://www.w3.org/ns/org#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
CV = "http://data.europa.eu/m8g/"
CPSV = "http://purl.org/vocab/cpsv#"
DCAT = "http://www.w3.org/ns/dcat#"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "http://schema.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"

SOURCE = f"{ID}source/bench-generator"
SRO = f"{ID}body/smart-region-office"
STUURGROEP = f"{ID}body/ambtelijke-stuurgroep"
WERKBANKOVERLEG = f"{ID}body/werkbankoverleg"
# mandates are granted "vanuit de Vlaamse overheid" (the seed's words), not by a named body of it
VLAAMSE_OVERHEID = f"{ID}organisation/vlaamse-overheid"


def concept(scheme: str, slug: str) -> str:
    return f"{ID}concept/{scheme}/{slug}"


ROLES = (  # (slug, weight)
    ("lid", 40),
    ("vertegenwoordiger", 15),
    ("uitvoerder", 10),
    ("geconsulteerde", 8),
    ("co-creatiepartner", 8),
    ("kerngroeplid", 6),
    ("trekker", 5),
    ("leidinggevende", 4),
    ("projectleider", 2),
    ("incubator", 2),
)
MANDATE_STATUS = (("officieel", 35), ("vereist", 40), ("akkoord", 15), ("geformaliseerd", 10))
MEMBERSHIP_STATUS = (("voorgesteld", 60), ("akkoord", 30), ("officieel", 10))
VLOCA = (
    "broker",
    "marketplace",
    "sensing-iot",
    "connectivity",
    "data-ingestion-integration",
    "context-data-management",
    "analytics-models",
    "applications-apis",
    "security-privacy-sovereignty",
)
LEVELS = (("full", 30), ("partial", 45), ("planned", 25))
CORE_TASKS = (
    "beleidsmatige-opvolging",
    "projectmatige-coordinatie-en-sturing",
    "adviseren-en-informeren",
    "integratie-en-kennisdeling",
)
THEMES = (  # (slug, nl, en)
    ("mobiliteit", "Mobiliteit", "Mobility"),
    ("energie", "Energie", "Energy"),
    ("zorg", "Zorg en welzijn", "Care and welfare"),
    ("data", "Open data", "Open data"),
    ("veiligheid", "Veiligheid", "Safety"),
    ("klimaat", "Klimaat", "Climate"),
    ("water", "Waterbeheer", "Water management"),
    ("afval", "Afvalbeheer", "Waste management"),
    ("onderwijs", "Onderwijs", "Education"),
    ("toerisme", "Toerisme", "Tourism"),
    ("economie", "Lokale economie", "Local economy"),
    ("wonen", "Wonen", "Housing"),
)
SERVICES = (  # (slug, nl, en)
    ("parkeerloket", "Digitaal parkeerloket", "Digital parking desk"),
    ("meldpunt", "Meldpunt openbaar domein", "Public space reporting point"),
    ("luchtkwaliteit", "Meetnet luchtkwaliteit", "Air quality sensor network"),
    ("verlichting", "Slimme straatverlichting", "Smart street lighting"),
    ("afvalkalender", "Digitale afvalkalender", "Digital waste calendar"),
    ("e-loket", "E-loket burgerzaken", "Civil affairs e-desk"),
    ("mobiliteitsdata", "Mobiliteitsdataplatform", "Mobility data platform"),
    ("energiescan", "Energiescan voor woningen", "Home energy scan"),
    ("waterpeil", "Waterpeilmonitoring", "Water level monitoring"),
    ("deelmobiliteit", "Deelmobiliteitspunt", "Shared mobility hub"),
    ("bezoekersteller", "Bezoekerstelling centrum", "Town centre visitor count"),
    ("zorgalarm", "Digitaal zorgalarm", "Digital care alarm"),
)
REGIONS = (
    "Kempen",
    "Noorderkempen",
    "Waasland",
    "Meetjesland",
    "Leiedal",
    "Westhoek",
    "Pajottenland",
    "Hageland",
    "Haspengouw",
    "Maasland",
    "Vlaamse Ardennen",
    "Dender",
    "Rupelstreek",
    "Brugse Ommeland",
    "Voorkempen",
)
PROVINCES = (
    "Antwerpen",
    "Limburg",
    "Oost-Vlaanderen",
    "Vlaams-Brabant",
    "West-Vlaanderen",
)
FIRST = (
    "Wester",
    "Ooster",
    "Noord",
    "Zuid",
    "Hoog",
    "Laag",
    "Groot",
    "Klein",
    "Sint-",
    "Berg",
    "Beve",
    "Dender",
    "Eke",
    "Gel",
    "Hamme",
    "Herk",
    "Kort",
    "Lede",
    "Maas",
    "Meer",
    "Nieu",
    "Ruis",
    "Schel",
    "Tiel",
    "Ver",
    "Wal",
    "Zand",
    "Ander",
    "Brecht",
    "Dil",
    "Essel",
    "Haven",
    "Kaster",
    "Lier",
    "Mol",
    "Over",
    "Putt",
    "Ron",
    "Stok",
    "Vos",
)
LAST = (
    "lo",
    "kerke",
    "gem",
    "donk",
    "hout",
    "rode",
    "zele",
    "beek",
    "dijk",
    "hem",
    "lare",
    "brugge",
    "gaarde",
    "veld",
    "aken",
    "bos",
    "wijk",
    "berge",
    "meer",
    "tegem",
)


def municipality_names(rng: random.Random, count: int = 300) -> list[str]:
    """`count` distinct plausible Flemish-sounding place names."""
    names: list[str] = []
    pairs = [(a, b) for a in FIRST for b in LAST]
    rng.shuffle(pairs)
    for first, last in pairs:
        name = first + last.capitalize() if first.endswith("-") else (first + last).capitalize()
        if name not in names:
            names.append(name)
        if len(names) == count:
            break
    return names


def slug(text: str) -> str:
    cleaned = "".join(c.lower() if c.isalnum() else "-" for c in text)
    return "-".join(part for part in cleaned.split("-") if part)


def weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]
