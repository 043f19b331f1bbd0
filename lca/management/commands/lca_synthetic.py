"""Write a synthetic LCA disclosure file (.xlsx) in the real column layout, for measuring
the import (docs/performance.md, "LCA import"). Nothing in it is real: employers are
"Synthetic Hospital N", case numbers "I-200-SYN-N".

    manage.py lca_synthetic /tmp/lca-600k.xlsx --rows 600000

About 1 row in 50 is a physician resident or fellow H-1B case (most certified); the rest
are other occupations, visa classes, statuses and titles, as in a real file. Written with
openpyxl's write-only mode (rows are not kept in memory).
"""

import datetime
import random

from django.core.management.base import BaseCommand

# The columns of the FY2020+ LCA disclosure files that the importer reads, with others
# around them in the published order (a subset: the real files have about 100).
COLUMNS = [
    "CASE_NUMBER", "CASE_STATUS", "RECEIVED_DATE", "DECISION_DATE", "ORIGINAL_CERT_DATE",
    "VISA_CLASS", "JOB_TITLE", "SOC_CODE", "SOC_TITLE", "FULL_TIME_POSITION", "BEGIN_DATE",
    "END_DATE", "TOTAL_WORKER_POSITIONS", "NEW_EMPLOYMENT", "EMPLOYER_NAME",
    "TRADE_NAME_DBA", "EMPLOYER_ADDRESS1", "EMPLOYER_CITY", "EMPLOYER_STATE",
    "EMPLOYER_POSTAL_CODE", "NAICS_CODE", "WORKSITE_CITY", "WORKSITE_STATE",
    "WORKSITE_POSTAL_CODE", "WAGE_RATE_OF_PAY_FROM", "WAGE_UNIT_OF_PAY", "PREVAILING_WAGE",
]  # fmt: skip
STATES = ["NY", "CA", "TX", "MI", "IL", "PA", "OH", "FL", "MA", "NJ"]
PHYSICIAN = [("29-1216.00", "General Internal Medicine Physicians"),
             ("29-1221.00", "Pediatricians, General"), ("29-1229.00", "Physicians, All Other"),
             ("29-1069.00", "Physicians and Surgeons, All Other")]  # fmt: skip
OTHER = [("15-1252.00", "Software Developers"), ("15-2051.00", "Data Scientists"),
         ("25-1071.00", "Health Specialties Teachers, Postsecondary"),
         ("29-1141.00", "Registered Nurses")]  # fmt: skip
TRAINEE = ["Resident Physician", "Internal Medicine Resident", "PGY-1", "Clinical Fellow",
           "Fellow - Cardiology", "Medical Resident (PGY2)"]  # fmt: skip
ATTENDING = ["Hospitalist", "Attending Physician", "Staff Physician"]


def synthetic_row(n: int, rng: random.Random) -> list:
    physician = rng.random() < 0.03
    soc, soc_title = rng.choice(PHYSICIAN if physician else OTHER)
    title = rng.choice(TRAINEE if physician and rng.random() < 0.7 else ATTENDING)
    if not physician:
        title = soc_title.rstrip("s")
    status = rng.choices(
        ["Certified", "Certified - Withdrawn", "Withdrawn", "Denied"], [90, 5, 4, 1]
    )[0]
    visa = rng.choices(["H-1B", "E-3 Australian", "H-1B1 Chile", "H-1B1 Singapore"],
                       [96, 2, 1, 1])[0]  # fmt: skip
    employer = rng.randrange(2000)
    state = STATES[employer % len(STATES)]
    begin = datetime.date(2024, 10, 1) + datetime.timedelta(days=rng.randrange(365))
    received = begin - datetime.timedelta(days=rng.randrange(30, 180))
    decided = received + datetime.timedelta(days=7)
    return [
        f"I-200-SYN-{n:08d}", status, received, decided, decided if "Certified" in status
        else None, visa, title, soc, soc_title, "Y", begin, begin.replace(year=begin.year + 3),
        1, 1, f"Synthetic Hospital {employer}, Inc.", "", f"{employer} Example Street",
        f"City {employer % 97}", state, f"{10000 + employer:05d}", 622110,
        f"City {employer % 97}", state, f"{10000 + employer:05d}", 65000.0, "Year", 64000.0,
    ]  # fmt: skip


class Command(BaseCommand):
    help = "Write a synthetic LCA disclosure file (.xlsx) for measuring the import."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--rows", type=int, default=600_000)
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, *args, path, rows, seed, verbosity, **options):
        write_synthetic(path, rows, seed)
        if verbosity:
            self.stdout.write(f"Wrote {rows:,} rows to {path}.")


def write_synthetic(path, rows: int, seed: int = 2025) -> None:
    from openpyxl import Workbook

    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(COLUMNS)
    for n in range(1, rows + 1):
        sheet.append(synthetic_row(n, rng))
    workbook.save(path)
