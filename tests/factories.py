"""Test data, one place for every test folder (unit, view and browser tests alike).

Plain functions: fixtures in tests/conftest.py wrap the common ones as personas.
"""

import datetime
import itertools

from django.utils import timezone

PASSWORD = "correct-horse-battery-42"
_numbers = itertools.count(1)


def make_member(email: str, *, onboarded: bool = True, profile: bool = True, **profile_fields):
    """A verified member; with a profile (onboarded unless told otherwise) by default."""
    from allauth.account.models import EmailAddress

    from accounts.models import Profile, User

    user = User.objects.create_user(email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if not profile:
        return user
    defaults = {
        "school_country": "India",
        "school_name": "Example Medical College",
        "graduation_year": 2024,
        "specialty": "Internal Medicine",
        "match_year": 2027,
        "visa": Profile.Visa.J1,
        "has_step2cs": False,
        "onboarded_at": timezone.now() if onboarded else None,
    }
    Profile.objects.create(user=user, **{**defaults, **profile_fields})
    return user


def give_authenticator_app(user) -> str:
    """Activate TOTP for the user (staff need a second factor for the admin); the secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def record(user, slug: str, **fields):
    """Set fields of a member's progress on a milestone, creating the row if needed."""
    from pathways.models import Milestone, Progress

    progress, _ = Progress.objects.update_or_create(
        user=user, milestone=Milestone.objects.get(slug=slug), defaults=fields
    )
    return progress


def make_milestones(count: int, *, year: int = 2027):
    """`count` synthetic milestones, each (after the first) requiring the previous one
    (hard and soft in turn), spread over the categories and record kinds, plus the rules
    and the cycle for `year`."""
    from pathways.cycles import default_dates
    from pathways.models import MatchCycle, Milestone, Prerequisite, Rule

    kinds = ["dates", "pass_fail", "score", "oet", "nothing"]
    categories = ["exams", "ecfmg", "match", "visa", "licensure"]
    milestones = Milestone.objects.bulk_create(
        Milestone(
            slug=f"m-{n}",
            title=f"Milestone {n}",
            category=categories[n % 5],
            summary="Synthetic.",
            source_url="https://example.org/",
            last_reviewed=datetime.date(2025, 1, 1),
            order=n,
            records=kinds[n % 5],
            counts_attempts=n % 5 == 2,
            deadline="match_day" if n % 3 == 0 else "",
        )
        for n in range(count)
    )
    Prerequisite.objects.bulk_create(
        Prerequisite(milestone=b, required=a, kind="hard" if n % 2 else "soft")
        for n, (a, b) in enumerate(zip(milestones, milestones[1:], strict=False))
    )
    Rule.objects.get_or_create(key="usmle_attempt_limit", effective_from=None, value=4)
    MatchCycle.objects.get_or_create(year=year, defaults=default_dates(year))
    return milestones


def make_resource(**fields):
    """A resource; published and reviewed recently unless told otherwise."""
    from resources.models import Resource

    number = next(_numbers)
    tags = fields.pop("tags", [])
    milestones = fields.pop("milestones", [])
    defaults = {
        "title": f"Resource {number}",
        "slug": f"resource-{number}",
        "organisation": "ECFMG (Intealth)",
        "category": Resource.Category.ECFMG,
        "summary": "A short summary.",
        "description": "",
        "url": f"https://www.ecfmg.org/page-{number}/",
        "cost": Resource.Cost.FREE,
        "location": "Online",
        "published": True,
        "last_reviewed": datetime.date(2025, 12, 1),
    }
    resource = Resource.objects.create(**{**defaults, **fields})
    resource.tags.set(tags)
    resource.milestones.set(milestones)
    return resource


def verify_cycle(year: int, source_url: str = "https://www.nrmp.org", checked_on=None):
    """Mark every date of a Match cycle as verified against an official page (test data)."""
    from pathways.models import MatchCycle

    cycle = MatchCycle.objects.get(year=year)
    for name in MatchCycle.DATE_FIELDS:
        if cycle.date_for(name) is not None:
            cycle.verify(name, source_url, checked_on or datetime.date(2026, 11, 1))
    cycle.save()
    return cycle


# --- Application season (applications/) ---------------------------------------


def make_program(user, **fields):
    """A program the member keeps; every fact unknown unless told otherwise."""
    from applications.models import Program

    number = next(_numbers)
    defaults = {"name": f"Program {number}", "specialty": "Internal Medicine", "city": "Newark"}
    return Program.objects.create(user=user, **{**defaults, **fields})


def make_application(user, program=None, **fields):
    """An application (a new program unless given) with its first status change, Match 2027."""
    from applications.models import Application, StatusChange

    program = program or make_program(user)
    defaults = {
        "specialty": program.specialty,
        "cycle": 2027,
        "status": "researching",
        "status_changed_on": datetime.date(2026, 9, 1),
    }
    application = Application.objects.create(user=user, program=program, **{**defaults, **fields})
    StatusChange.objects.create(
        user=user,
        application=application,
        to_status=application.status,
        changed_on=application.status_changed_on,
    )
    return application


def make_interview(user, application=None, **fields):
    """An interview for one of the member's applications (a new one unless given): a virtual
    interview on 2 Nov 2026 at 9:00 in New York unless told otherwise."""
    from applications.models import Interview

    defaults = {
        "date": datetime.date(2026, 11, 2),
        "start_time": datetime.time(9),
        "time_zone": "America/New_York",
    }
    application = application or make_application(user, status="interviewed")
    return Interview.objects.create(user=user, application=application, **{**defaults, **fields})


def make_letter(user, applications=(), **fields):
    """A letter of recommendation, assigned to `applications`."""
    from applications.models import Letter

    number = next(_numbers)
    letter = Letter.objects.create(user=user, **{"writer": f"Dr Writer {number}", **fields})
    letter.applications.set(applications)
    return letter


def make_cost(user, **fields):
    """A cost entry of the member's Match 2027 season: a planned 20-dollar bus ticket unless
    told otherwise."""
    from applications.models import CostEntry

    defaults = {"cycle": 2027, "category": "travel", "description": "Bus", "amount": 20}
    return CostEntry.objects.create(user=user, **{**defaults, **fields})


def make_catalogue_program(**fields):
    """A published catalogue program (and its institution, unless given), with no facts."""
    from catalogue.models import CatalogueProgram, Institution

    n = next(_numbers)
    state = fields.pop("state", "NY")
    institution = fields.pop("institution", None) or Institution.objects.create(
        name=f"Hospital {n}", city="Albany", state=state
    )
    defaults = {
        "name": f"Catalogue Program {n}",
        "specialty": "Internal Medicine",
        "city": "Albany",
        "state": state,
        "acgme_id": f"140{n:07d}",
        "nrmp_code": f"{n:04d}140C0",
    }
    return CatalogueProgram.objects.create(institution=institution, **{**defaults, **fields})


def give_fact(program, kind: str, value: str, *, by=None, checked_on=None, **fields):
    """Set a catalogue fact as a curator would (source and date filled for known values)."""
    from catalogue.facts import set_fact

    if value != "unknown":
        fields.setdefault("source_url", "https://example.org/program/visas")
        checked_on = checked_on or datetime.date(2026, 11, 1)
    from django.db import transaction

    with transaction.atomic():  # set_fact locks the fact's row (select_for_update)
        return set_fact(program, kind, value, checked_on=checked_on, by=by, **fields)
