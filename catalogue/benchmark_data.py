"""Synthetic catalogue rows at the scale of the real one (about 13,000 ACGME programs), for
measuring search and the curators' pages: `synthetic_catalogue(programs, facts)`.

Everything is made up and marked so: institution names are combinations of invented place
words and hospital words, program names add real specialty names (the specialties are real,
the programs are not), ACGME IDs and NRMP codes start with BENCH_PREFIX ("BENCH0000001",
"BENCHN0000001": one search token each, as a real 10-digit ACGME ID is, and never a real
ID), and every fact's source is an example.org page. `delete_synthetic_catalogue()` removes
exactly these rows. Use a throwaway database: the rows are published while they exist.
"""

import datetime
import random

from django.db import transaction

from . import search_cache
from .models import (
    BOOLEAN_KINDS,
    NUMBER_RANGES,
    UNKNOWN,
    CatalogueProgram,
    Fact,
    FactKind,
    Institution,
    Origin,
)

BENCH_PREFIX = "BENCH"
PLACES = [
    "Alderbrook", "Bellhaven", "Briarwood", "Cedar Hollow", "Clearwater Bend", "Copperfield",
    "Eastmoor", "Elmstead", "Fairhollow", "Foxglen", "Glenmarsh", "Granite Ridge", "Harborview",
    "Hollisford", "Ironwood", "Juniper Falls", "Kestrel Point", "Lakemont", "Larkspur",
    "Maplecrest", "Marrowfield", "Millbrook", "Northvale", "Oakhurst", "Pinegate", "Quarry Hill",
    "Ravenmoor", "Redfern", "Riverbend", "Rosewater", "Saltmarsh", "Silverlake", "Stonebridge",
    "Sunnydale", "Thornbury", "Westhaven", "Willowmere", "Wrenford",
]  # fmt: skip
KINDS_OF_PLACE = [
    "Medical Center", "General Hospital", "Regional Medical Center", "University Hospital",
    "Health System", "Community Hospital", "Memorial Hospital", "Medical College",
]  # fmt: skip
SPECIALTIES = [
    "Internal Medicine", "Family Medicine", "Pediatrics", "Psychiatry", "Neurology",
    "General Surgery", "Emergency Medicine", "Obstetrics and Gynecology", "Anesthesiology",
    "Diagnostic Radiology", "Pathology-Anatomic and Clinical",
    "Physical Medicine and Rehabilitation", "Dermatology", "Ophthalmology",
    "Orthopaedic Surgery", "Otolaryngology", "Urology", "Radiation Oncology",
    "Neurological Surgery", "Internal Medicine-Pediatrics", "Transitional Year",
    "Preventive Medicine", "Child Neurology", "Medical Genetics",
]  # fmt: skip
# Internal Medicine is about a third of residency programs' positions: weight it so.
SPECIALTY_WEIGHTS = [12, 6, 5, 4, 2, 3, 3, 3, 2, 2, 2, 1, 1, 1, 2, 1, 1, 1, 1, 1, 2, 1, 1, 1]
STATES = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
    "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
    "VT", "VA", "WA", "WV", "WI", "WY", "PR",
]  # fmt: skip
NOTES = [
    "Interviews are virtual.",
    "Prefers applicants with recent US clinical experience.",
    "Accepts the ECFMG certificate by the start date.",
    "Observerships do not count as clinical experience.",
]


def synthetic_value(rng: random.Random, kind: str) -> str:
    if rng.random() < 0.2:
        return UNKNOWN
    if kind in BOOLEAN_KINDS:
        return rng.choice(["yes", "no"])
    if kind in NUMBER_RANGES:
        low, high = NUMBER_RANGES[kind]
        if kind in (FactKind.STEP1_MINIMUM, FactKind.STEP2CK_MINIMUM):
            low, high = 200, 250
        return str(rng.randint(low, high))
    return rng.choice(NOTES)


def synthetic_catalogue(programs: int = 13_000, facts: int = 50_000, seed: int = 19) -> dict:
    """Bulk-create `programs` synthetic programs (about ten per institution) and `facts`
    facts spread over them (at most one per program and kind); returns the counts."""
    # Reproducible synthetic data, not a secret.
    rng = random.Random(seed)  # nosec B311
    facts = min(facts, programs * len(FactKind.values))
    with transaction.atomic():
        names = [f"{place} {kind}" for place in PLACES for kind in KINDS_OF_PLACE]
        institutions, seen = [], set()
        while len(institutions) < max(1, programs // 10):
            name, state = rng.choice(names), rng.choice(STATES)
            if (name, state) not in seen:
                seen.add((name, state))
                institutions.append(Institution(name=name, city=name.split()[0], state=state))
        Institution.objects.bulk_create(institutions, batch_size=2000)  # sets pks (PG, SQLite)
        rows = []
        for number in range(1, programs + 1):
            institution = rng.choice(institutions)
            specialty = rng.choices(SPECIALTIES, weights=SPECIALTY_WEIGHTS)[0]
            rows.append(
                CatalogueProgram(
                    institution=institution,
                    name=f"{institution.name} {specialty} Program",
                    specialty=specialty,
                    city=institution.city,
                    state=institution.state,
                    acgme_id=f"{BENCH_PREFIX}{number:07d}",
                    nrmp_code=f"{BENCH_PREFIX}N{number:07d}",
                    program_url=f"https://example.org/bench/{number}",
                )
            )
        CatalogueProgram.objects.bulk_create(rows, batch_size=2000)
        ids = list(
            CatalogueProgram.objects.filter(acgme_id__startswith=BENCH_PREFIX).values_list(
                "pk", flat=True
            )
        )
        checked = datetime.date(2026, 11, 1)
        slots = rng.sample(range(len(ids) * len(FactKind.values)), facts)
        kinds = FactKind.values
        fact_rows = []
        for slot in slots:
            program_id, kind = ids[slot // len(kinds)], kinds[slot % len(kinds)]
            value = synthetic_value(rng, kind)
            known = value != UNKNOWN
            fact_rows.append(
                Fact(
                    program_id=program_id,
                    kind=kind,
                    value=value,
                    source_url=f"https://example.org/bench/{program_id}/{kind}" if known else "",
                    checked_on=checked - datetime.timedelta(days=rng.randint(0, 400))
                    if known
                    else None,
                    origin=Origin.IMPORT,
                )
            )
        Fact.objects.bulk_create(fact_rows, batch_size=5000)
        # bulk_create sends no signals: the search's cached pages must not outlive it.
        search_cache.forget()
    return {"institutions": len(institutions), "programs": len(ids), "facts": len(fact_rows)}


def delete_synthetic_catalogue() -> int:
    """Remove the synthetic programs (their facts cascade) and then-empty institutions."""
    with transaction.atomic():
        programs = CatalogueProgram.objects.filter(acgme_id__startswith=BENCH_PREFIX)
        institution_ids = set(programs.values_list("institution_id", flat=True))
        deleted = programs.delete()[0]
        Institution.objects.filter(pk__in=institution_ids, programs__isnull=True).delete()
    return deleted
