"""Proposals: members send a correction of one fact or a new program; curators act on them.

Members: `submit(proposal)` is the one way a member's proposal is saved: at most PER_DAY a
member in any rolling 24 hours (counted in the database), and never twice the same open
proposal (a double submit). Both checks run under a lock on the member's own user row, so two
requests of one member at the same moment are counted one after the other. A proposal
changes nothing in the catalogue by itself.

Curators (the admin, catalogue/admin.py ProposalAdmin): accept (as proposed or as edited) or
reject. Accepting is all-or-nothing (one transaction: the catalogue change and the
proposal's status together) and happens once: the proposal is locked and must still be
open, so a double click or two curators at once accept it once. A correction goes through
`set_fact` (history and notices to the members who keep the program); a new program creates
its institution (found by name and state) and the program.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .facts import set_fact
from .models import CatalogueProgram, Institution, Origin, Proposal, ProposalStatus, clean_value

PER_DAY = 10
WINDOW = datetime.timedelta(hours=24)
SENT = "Sent to the curators; it changes nothing until a curator accepts it."


class Refused(Exception):
    """Why a proposal was not saved (the message is shown on the form)."""


def same_open(proposal: Proposal):
    """The member's open proposals that say the same thing."""
    mine = Proposal.objects.filter(user=proposal.user, status=Proposal.Status.OPEN)
    if proposal.program_id is not None:
        return mine.filter(program=proposal.program_id, kind=proposal.kind, value=proposal.value)
    return mine.filter(
        program__isnull=True, name__iexact=proposal.name, specialty__iexact=proposal.specialty
    )


def submit(proposal: Proposal, now: datetime.datetime | None = None) -> Proposal:
    """Save the member's proposal, or raise Refused (nothing saved)."""
    now = now or timezone.now()
    with transaction.atomic():
        # Serialises this member's submissions: the count and the duplicate check hold.
        get_user_model().objects.select_for_update().filter(pk=proposal.user_id).first()
        if same_open(proposal).exists():
            raise Refused("You have already proposed this; it is waiting for a curator.")
        recent = Proposal.objects.filter(user=proposal.user, created_at__gt=now - WINDOW)
        if recent.count() >= PER_DAY:
            raise Refused(
                f"You have sent {PER_DAY} proposals in the last 24 hours, the most we accept: "
                "please try again tomorrow. Nothing was saved."
            )
        proposal.save()
    return proposal


# --- Curators ---------------------------------------------------------------------------


def check(proposal: Proposal) -> None:
    """Raise a ValidationError (by field) if accepting `proposal` as it stands would fail."""
    errors: dict[str, str] = {}
    if proposal.kind:
        try:
            clean_value(proposal.kind, proposal.value)
        except ValidationError as error:
            errors["value"] = " ".join(error.messages)
    if not proposal.is_correction:
        if not proposal.institution_name.strip():
            errors["institution_name"] = "Enter the institution before accepting."
        programs = CatalogueProgram.objects
        acgme_id, nrmp_code = proposal.acgme_id.strip(), proposal.nrmp_code.strip()
        if acgme_id and programs.filter(acgme_id=acgme_id).exists():
            errors["acgme_id"] = "Another catalogue program has this ACGME program ID."
        if nrmp_code and programs.filter(nrmp_code=nrmp_code).exists():
            errors["nrmp_code"] = "Another catalogue program has this NRMP program code."
    if errors:
        raise ValidationError(errors)


def new_program(proposal: Proposal, institution: Institution) -> CatalogueProgram:
    return CatalogueProgram(
        institution=institution,
        name=proposal.name.strip(),
        specialty=proposal.specialty.strip(),
        city=proposal.city.strip(),
        state=proposal.state.strip(),
        acgme_id=proposal.acgme_id.strip(),
        nrmp_code=proposal.nrmp_code.strip(),
    )


def accept(proposal: Proposal, curator) -> bool:
    """Accept the proposal with its current fields (the curator may have edited them);
    False if it was no longer open (accepted or rejected already: nothing changes)."""
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().filter(
            pk=proposal.pk, status=ProposalStatus.OPEN
        )
        if not locked.exists():
            return False
        check(proposal)
        today = timezone.localdate()
        program = proposal.program
        if program is None:
            institution, _ = Institution.objects.get_or_create(
                name=proposal.institution_name.strip(),
                state=proposal.state.strip(),
                defaults={"city": proposal.city.strip()},
            )
            program = new_program(proposal, institution)
            program.save()
        if proposal.kind:
            set_fact(
                program,
                proposal.kind,
                proposal.value,
                source_url=proposal.source_url,
                checked_on=today,
                by=curator,
                origin=Origin.PROPOSAL,
                manual=True,  # a curator checked it by hand: an import leaves it alone
            )
        close(proposal, curator, ProposalStatus.ACCEPTED)
    return True


def reject(proposal: Proposal, curator, note: str) -> bool:
    """Reject with the curator's note; False if it was no longer open."""
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().filter(
            pk=proposal.pk, status=ProposalStatus.OPEN
        )
        if not locked.exists():
            return False
        proposal.curator_note = note
        close(proposal, curator, ProposalStatus.REJECTED)
    return True


def close(proposal: Proposal, curator, status: str) -> None:
    proposal.status = status
    proposal.reviewed_by = curator
    proposal.reviewed_at = timezone.now()
    proposal.save()
