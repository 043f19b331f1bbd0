"""Deleting an account: every personal row, its sessions, its traces in the admin log."""

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import logout
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User


def end_sessions(user: User) -> None:
    """Delete every session of the user (all devices), not only the current one."""
    if apps.is_installed("allauth.usersessions"):
        from allauth.usersessions.models import UserSession

        for user_session in UserSession.objects.filter(user=user):
            user_session.end()
    # Sessions allauth.usersessions does not know (made before it was installed,
    # or by force_login): scan the live ones; deletions are rare, sessions few.
    user_id = str(user.pk)
    stale = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == user_id
    ]
    Session.objects.filter(pk__in=stale).delete()


def personal_objects(user: User) -> Q:
    """The admin-log entries about the user or any row of theirs (every model with
    a foreign key to the user, found by walking the models)."""
    about = Q(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk))
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.concrete and getattr(field, "related_model", None) is User:
                ids = model._default_manager.filter(**{field.name: user}).values_list(
                    "pk", flat=True
                )
                about |= Q(
                    content_type=ContentType.objects.get_for_model(model),
                    object_id__in=[str(pk) for pk in ids],
                )
    return about


def scrub_admin_log(user: User) -> None:
    """The admin log keeps entries about the member, without their email address."""
    LogEntry.objects.filter(personal_objects(user) | Q(object_repr__iexact=user.email)).update(
        object_repr=f"Deleted member #{user.pk}"
    )


def delete_account(request: HttpRequest) -> None:
    user = request.user
    with transaction.atomic():
        scrub_admin_log(user)
        logout(request)
        end_sessions(user)
        user.delete()  # cascades to the profile, progress, saved resources, reports
