"""Members' proposals to the curators: a correction of one fact, or a new program.

`submit(proposal)` is the one way a member's proposal is saved: at most PER_DAY a member in
any rolling 24 hours (counted in the database), and never twice the same open proposal (a
double submit). Both checks run under a lock on the member's own user row, so two requests
of one member at the same moment are counted one after the other. A proposal changes
nothing in the catalogue: a curator accepts, edits or rejects it in the admin.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .models import Proposal

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
