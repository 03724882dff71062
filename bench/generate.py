"""Seeded generator of governance data in the project's vocabulary, as N-Quads.

    python bench/generate.py --triples 1000000 --seed 7 --out /tmp/bench-1m.nq[.gz]

All 300 municipalities (names made from syllables), regional and thematic bodies, werkbanken,
Flemish agencies, posts with reporting chains, then a stream of rounds (a public service with
its contact point and mandate, VLOCA mappings, a membership, a budget line, now and then an
open point) until the requested number of triples is reached. One named graph per concern,
under https://w3id.org/srg/graph/bench-. The data refers to the seed's concepts (roles,
statuses, VLOCA components) and bodies, so it is meant to be loaded beside the seed.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import random
import sys
from pathlib import Path
from typing import TextIO

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.quads import Quads
from bench.vocab import (
    CORE_TASKS,
    CPSV,
    CV,
    DCT,
    ID,
    LEVELS,
    MANDATE_STATUS,
    MEMBERSHIP_STATUS,
    ORG,
    PROV,
    REGIONS,
    ROLES,
    SCHEMA,
    SERVICES,
    SKOS,
    SRG,
    SRO,
    STUURGROEP,
    THEMES,
    VLAAMSE_OVERHEID,
    VLOCA,
    WERKBANKOVERLEG,
    concept,
    municipality_names,
    slug,
    weighted,
)

YEARS = tuple(range(2018, 2027))


class Generator:
    """Writes the base (organisations, bodies, posts) and then rounds until the target."""

    def __init__(self, quads: Quads, rng: random.Random, target: int):
        self.q, self.rng, self.target = quads, rng, target
        self.municipalities: list[str] = []
        self.regions: list[str] = []
        self.bodies: list[str] = []  # thematic bodies and werkbanken: where members sit
        self.agencies: list[str] = []
        self.services: list[str] = []
        self.seats: set[tuple[str, str, str]] = set()
        self.mapped: set[tuple[str, str]] = set()

    # -- base ------------------------------------------------------------------------------
    def base(self) -> None:
        self.q.datasets()
        self.agencies = [self.agency(k) for k in range(30)]
        self.regions = [self.region(name, k) for k, name in enumerate(REGIONS)]
        for k, name in enumerate(municipality_names(self.rng)):
            self.municipalities.append(self.municipality(name, self.regions[k % len(REGIONS)]))
        for k in range(max(5, self.target // 20_000)):
            self.bodies.append(self.thematic_body(k))
        for k in range(max(4, self.target // 100_000)):
            self.bodies.append(self.werkbank(k))
        for period in YEARS:
            self.q.typed(
                "budgets",
                f"{ID}period/{period}",
                (DCT + "PeriodOfTime",),
                str(period),
                f"Budgetjaar {period}",
                f"Budget year {period}",
            )
            self.q.date("budgets", f"{ID}period/{period}", SCHEMA + "startDate", f"{period}-01-01")
            self.q.date("budgets", f"{ID}period/{period}", SCHEMA + "endDate", f"{period}-12-31")

    def agency(self, k: int) -> str:
        iri = f"{ID}organisation/bench-agentschap-{k:02d}"
        theme = THEMES[k % len(THEMES)]
        self.q.typed(
            "organisations",
            iri,
            (ORG + "Organization", CV + "PublicOrganisation"),
            f"AG{k:02d}",
            f"Agentschap {theme[1]} {k:02d}",
            f"{theme[2]} agency {k:02d}",
        )
        self.q.iri(
            "organisations",
            iri,
            ORG + "classification",
            concept("organisation-kind", "vlaamse-dienst"),
        )
        return iri

    def municipality(self, name: str, region: str) -> str:
        iri = f"{ID}organisation/gemeente-{slug(name)}"
        self.q.typed(
            "organisations",
            iri,
            (ORG + "Organization", CV + "PublicOrganisation"),
            name,
            f"Gemeente {name}",
            f"Municipality of {name}",
        )
        self.q.iri(
            "organisations",
            iri,
            ORG + "classification",
            concept("organisation-kind", "lokaal-bestuur"),
        )
        self.q.iri("organisations", iri, SRG + "relatesTo", region)
        self.membership(iri, region, "lid")
        return iri

    def governance_body(self, iri: str, nl: str, en: str, reports_to: str) -> None:
        """What the shapes ask of a body: purpose, core task, composition, responsibility."""
        q, key = self.q, iri.rsplit("/", 1)[-1]
        q.typed("bodies", iri, (SRG + "GovernanceBody",), key, nl, en)
        q.text(
            "bodies",
            iri,
            DCT + "description",
            f"Overleg over {nl.lower()}.",
            f"Consultation on {en.lower()}.",
        )
        q.iri("bodies", iri, ORG + "purpose", concept("core-task", self.rng.choice(CORE_TASKS)))
        q.iri("bodies", iri, ORG + "classification", concept("body-kind", "overlegplatform"))
        responsibility = f"{ID}responsibility/{key}-coordinatie"
        q.iri("bodies", iri, SRG + "responsibility", responsibility)
        q.typed(
            "bodies",
            responsibility,
            (SRG + "Responsibility",),
            key,
            f"Coördinatie door {nl}",
            f"Coordination by {en}",
        )
        q.iri("reporting", iri, ORG + "reportsTo", reports_to)
        self.mandate(iri, "bodies")
        self.posts(iri, nl, en)

    def region(self, name: str, k: int) -> str:
        iri = f"{ID}body/regio-{slug(name)}"
        self.governance_body(
            iri, f"Regionaal smart-city-overleg {name}", f"Regional smart city council {name}", SRO
        )
        self.q.iri("reporting", SRO, SRG + "oversees", iri)
        self.lead_or_open_point(iri, self.agencies[k % len(self.agencies)], k % 4 == 3)
        return iri

    def thematic_body(self, k: int) -> str:
        theme = THEMES[k % len(THEMES)]
        iri = f"{ID}body/thema-{theme[0]}-{k:03d}"
        parent = self.bodies[(k - 1) // 2] if k >= 3 else self.regions[k % len(self.regions)]
        self.governance_body(
            iri, f"Themagroep {theme[1]} {k}", f"Theme group {theme[2]} {k}", parent
        )
        self.q.iri("reporting", iri, SRG + "advises", parent)
        self.lead_or_open_point(iri, self.agencies[k % len(self.agencies)], k % 5 == 4)
        return iri

    def werkbank(self, k: int) -> str:
        theme = THEMES[(k * 5) % len(THEMES)]
        iri = f"{ID}werkbank/bench-{theme[0]}-{k:02d}"
        q = self.q
        q.typed(
            "bodies",
            iri,
            (SRG + "Werkbank",),
            f"WB{k}",
            f"Werkbank {theme[1]} {k}",
            f"Werkbank {theme[2]} {k}",
        )
        # the seed's lines of every werkbank (R1, R2, R8): it reports to the SRO and at the
        # werkbank meeting, the SRO oversees it, the Ambtelijke Stuurgroep steers it
        q.iri("reporting", iri, ORG + "reportsTo", SRO)
        q.iri("reporting", iri, SRG + "reportsAt", WERKBANKOVERLEG)
        q.iri("reporting", SRO, SRG + "oversees", iri)
        q.iri("reporting", STUURGROEP, SRG + "steers", iri)
        self.lead_or_open_point(iri, self.agencies[(k * 7) % len(self.agencies)], False)
        self.mandate(iri, "bodies")
        self.posts(iri, f"Werkbank {theme[1]} {k}", f"Werkbank {theme[2]} {k}")
        return iri

    def posts(self, body: str, nl: str, en: str) -> None:
        key = body.rsplit("/", 1)[-1]
        chair, secretary = f"{ID}post/{key}-voorzitter", f"{ID}post/{key}-secretaris"
        for post, word_nl, word_en, role in (
            (chair, "Voorzitter", "Chair", "leidinggevende"),
            (secretary, "Secretaris", "Secretary", "uitvoerder"),
        ):
            self.q.typed(
                "compositions", post, (ORG + "Post",), key, f"{word_nl} {nl}", f"{word_en} {en}"
            )
            self.q.iri("compositions", post, ORG + "postIn", body)
            self.q.iri("compositions", post, ORG + "role", concept("role", role))
        self.q.iri("reporting", secretary, ORG + "reportsTo", chair)

    def lead_or_open_point(self, holder: str, lead: str, open_point: bool) -> None:
        if open_point:
            self.open_point(
                holder,
                SRG + "lead",
                "De trekker is nog niet gekozen.",
                "The lead has not been chosen yet.",
            )
        else:
            self.q.iri("bodies", holder, SRG + "lead", lead)

    # -- parts used by base and rounds ---------------------------------------------------------
    def mandate(self, holder: str, graph: str) -> None:
        iri = f"{ID}mandate/{holder.removeprefix(ID).replace('/', '-')}"
        status = weighted(self.rng, MANDATE_STATUS)
        self.q.iri(graph, holder, SRG + "mandate", iri)
        self.q.typed(graph, iri, (SRG + "Mandate",), "", "Mandaat", "Mandate")
        self.q.iri(graph, iri, SRG + "status", concept("status", status))
        self.q.iri(graph, iri, SRG + "mandateFor", holder)
        self.q.iri(graph, iri, SRG + "grantedBy", VLAAMSE_OVERHEID)

    def membership(self, member: str, body: str, role: str) -> None:
        self.seats.add((member, body, role))
        m, b = member.rsplit("/", 1)[-1], body.rsplit("/", 1)[-1]
        iri = f"{ID}membership/{b}-{m}-{role}"
        q = self.q
        q.typed(
            "compositions",
            iri,
            (ORG + "Membership",),
            "",
            f"{m} in {b} ({role})",
            f"{m} in {b} ({role})",
        )
        q.iri("compositions", iri, ORG + "member", member)
        q.iri("compositions", iri, ORG + "organization", body)
        q.iri("compositions", iri, ORG + "role", concept("role", role))
        q.iri(
            "compositions",
            iri,
            SRG + "status",
            concept("status", weighted(self.rng, MEMBERSHIP_STATUS)),
        )
        if self.rng.random() < 0.1:
            q.boolean("compositions", iri, SRG + "optional", True)

    def open_point(self, about: str, prop: str, nl: str, en: str) -> None:
        iri = f"{ID}open-point/{about.removeprefix(ID).replace('/', '-')}-{prop.rsplit('#')[-1]}"
        self.q.typed(
            "open-points", iri, (SRG + "OpenPoint",), "", f"Open punt: {nl}", f"Open point: {en}"
        )
        self.q.iri("open-points", iri, SRG + "concerns", about)
        self.q.iri("open-points", iri, SRG + "aboutProperty", prop)
        self.q.text("open-points", iri, DCT + "description", nl, en)

    # -- rounds ----------------------------------------------------------------------------
    def round(self, i: int) -> None:
        service = self.service(i)
        self.mapping(service, VLOCA[i % len(VLOCA)])
        if i % 2:
            self.mapping(service, VLOCA[(i + 4) % len(VLOCA)])
        if i % 3 == 0:
            self.mapping(self.municipalities[(i * 7) % 300], VLOCA[(i // 3) % len(VLOCA)])
        self.random_membership()
        self.budget(i)
        if i % 7 == 0:
            self.open_point(
                service,
                SCHEMA + "email",
                "Het e-mailadres ontbreekt nog.",
                "The e-mail address is still missing.",
            )

    def service(self, i: int) -> str:
        kind = SERVICES[i % len(SERVICES)]
        authority = self.municipalities[i % 300] if i % 10 else self.agencies[i % 30]
        place = authority.rsplit("/", 1)[-1]
        iri = f"{ID}service/{place}-{kind[0]}-{i}"
        cp = f"{ID}contact-point/{place}-{kind[0]}-{i}"
        q = self.q
        q.typed(
            "services",
            iri,
            (CPSV + "PublicService",),
            "",
            f"{kind[1]} ({place})",
            f"{kind[2]} ({place})",
        )
        q.iri("services", iri, CV + "hasCompetentAuthority", authority)
        q.iri("services", iri, CV + "hasContactPoint", cp)
        q.iri("services", iri, SRG + "relatesTo", self.bodies[i % len(self.bodies)])
        q.typed(
            "services",
            cp,
            (SCHEMA + "ContactPoint", CV + "ContactPoint"),
            "",
            f"Aanspreekpunt {kind[1].lower()}",
            f"Contact point {kind[2].lower()}",
        )
        q.text("services", cp, SCHEMA + "contactType", kind[1], kind[2])
        q.plain("services", cp, SCHEMA + "telephone", f"+32 {10 + i % 89} {i % 1000:03d} {i:06d}")
        self.mandate(iri, "services")
        self.services.append(iri)
        return iri

    def mapping(self, subject: str, component: str) -> None:
        if (subject, component) in self.mapped:
            return
        self.mapped.add((subject, component))
        digest = hashlib.sha256(f"{subject}\n{ID}concept/vloca/{component}".encode()).hexdigest()
        iri, q, vloca = f"{ID}mapping/{digest[:20]}", self.q, f"{ID}concept/vloca/{component}"
        q.iri("mappings", iri, q.TYPE, SRG + "Mapping")
        q.iri("mappings", iri, SRG + "mappingOf", subject)
        q.iri("mappings", iri, SRG + "component", vloca)
        q.iri("mappings", iri, SRG + "level", concept("mapping-level", weighted(self.rng, LEVELS)))
        q.iri("mappings", iri, PROV + "wasAttributedTo", self.rng.choice(self.agencies))
        month, day = self.rng.randint(1, 12), self.rng.randint(1, 28)
        day = f"{self.rng.choice(YEARS[:-1])}-{month:02d}-{day:02d}"
        q.date("mappings", iri, DCT + "date", day)
        q.text(
            "mappings",
            iri,
            SKOS + "note",
            f"Afgestemd op {component}.",
            f"Aligned with {component}.",
        )
        q.iri("mappings", subject, SRG + "alignsWith", vloca)

    def random_membership(self) -> None:
        members = self.municipalities + self.agencies
        for _ in range(20):
            seat = (
                self.rng.choice(members),
                self.rng.choice(self.bodies),
                weighted(self.rng, ROLES),
            )
            if seat not in self.seats:
                self.membership(*seat)
                return

    def budget(self, i: int) -> None:
        owners = self.municipalities + self.bodies + self.regions
        owner, year = owners[i % len(owners)], YEARS[(i // len(owners)) % len(YEARS)]
        key = f"{owner.rsplit('/', 1)[-1]}-{year}-{i}"
        iri, amount, q = f"{ID}budget/{key}", f"{ID}budget/{key}-bedrag", self.q
        q.typed(
            "budgets",
            iri,
            (SRG + "BudgetAllocation",),
            "",
            f"Budgetlijn {key}",
            f"Budget line {key}",
        )
        q.iri("budgets", iri, SRG + "owner", owner)
        q.iri("budgets", iri, SRG + "amount", amount)
        q.iri("budgets", iri, SRG + "period", f"{ID}period/{year}")
        q.iri("budgets", iri, SRG + "funds", self.services[-1])
        q.iri("budgets", amount, q.TYPE, SCHEMA + "MonetaryAmount")
        q.number("budgets", amount, SCHEMA + "value", f"{self.rng.randrange(1000, 2_000_000)}.00")
        q.plain("budgets", amount, SCHEMA + "currency", "EUR")

    def run(self) -> None:
        self.base()
        i = 0
        while self.q.count < self.target:
            self.round(i)
            i += 1


def generate(out: TextIO, triples: int, seed: int) -> int:
    """Write about `triples` quads (stopping after the round that reaches it); return the count."""
    quads = Quads(out)
    Generator(quads, random.Random(seed), triples).run()
    return quads.count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=100_000, help="target size (10k..5M)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    parser.add_argument("--out", type=Path, required=True, help="output .nq or .nq.gz")
    args = parser.parse_args(argv)
    opener = gzip.open if args.out.suffix == ".gz" else open
    with opener(args.out, "wt", encoding="utf-8") as out:  # type: ignore[operator]
        count = generate(out, args.triples, args.seed)
    print(f"wrote {count} quads to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
