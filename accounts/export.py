"""Your data: everything a member entered, as one zip (data.json plus one CSV per model).

The models are found by walking the registry (every model with a foreign key or one-to-one
to the user), never listed, so a model added later is exported without anyone remembering
to; accounts imports no other app. Rows are selected by the model's *owner* field (the
member's own rows only); what is left out is in the two small sets below, each with its
reason, and tests/accounts/test_export.py fails when a model escapes the walk.
"""

import csv
import datetime
import io
import json
import zipfile

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from accounts.spreadsheets import escape_formula

# The account row's own fields a member may see (never the password hash or staff flags).
USER_FIELDS = ["email", "first_name", "last_name", "date_joined", "last_login"]

# Whole models left out: bookkeeping, not something the member entered.
EXCLUDED_MODELS = {
    "admin.LogEntry": "staff's record of their own admin actions on curated content; "
    "its descriptions can name rows that belong to other members",
}

# Fields left out of exported models: secrets that would let someone act as the member.
EXCLUDED_FIELDS = {
    "mfa.Authenticator": {
        "data": "the second factor's secrets (TOTP key, recovery-code seed, passkey credential)"
    },
    "usersessions.UserSession": {
        "session_key": "a live session credential: whoever has it is logged in",
        "data": "the session's internal state",
    },
    "mentors.MentorLink": {
        # The reasons fields are left out of the export, not passwords (bandit B105).
        "token_hash": "the fingerprint of a live mentor link (the link itself is never stored)"  # nosec B105
    },
    # The reminders app (merged on main in parallel) keeps its feed token in clear.
    "reminders.CalendarFeed": {
        "token": "the private calendar feed's key: whoever holds it reads the member's dates"  # nosec B105
    },
}


def user_fields(model) -> list[models.Field]:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return [
        field
        for field in model._meta.concrete_fields
        if field.is_relation
        and (field.many_to_one or field.one_to_one)
        and field.related_model is user_model
    ]


def member_owned_models() -> list[type[models.Model]]:
    """Every model with a foreign key (or one-to-one) to the user, the user model aside."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return [m for m in apps.get_models() if m is not user_model and user_fields(m)]


def owner_field(model) -> models.Field:
    """The field naming the member a row belongs to: the only one to the user, or the one
    called `user` (ProblemReport also names the curator who resolved it)."""
    fields = user_fields(model)
    if len(fields) == 1:
        return fields[0]
    named = [f for f in fields if f.name == "user"]
    if len(named) != 1:
        raise ImproperlyConfigured(
            f"{model._meta.label} has several foreign keys to the user: name the owner 'user'."
        )
    return named[0]


def exported_models() -> list[type[models.Model]]:
    return sorted(
        (m for m in member_owned_models() if m._meta.label not in EXCLUDED_MODELS),
        key=lambda m: m._meta.label,
    )


def columns(model) -> list[tuple[str, models.Field, str]]:
    """(column name, field, kind) for a model: kind is "value", "label" (a choice's label)
    or "related" (the related row's name). Foreign keys to the user are left out: the
    owner is the member themself; any other (a resolving curator) is another person."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    skipped = EXCLUDED_FIELDS.get(model._meta.label, {})
    found = []
    for field in model._meta.concrete_fields:
        if field.name in skipped or (field.is_relation and field.related_model is user_model):
            continue
        found.append((field.attname, field, "value"))
        if field.is_relation:
            found.append((field.name, field, "related"))
        elif field.choices:
            found.append((f"{field.name}_label", field, "label"))
    return found


def cell(obj, field: models.Field, kind: str):
    if kind == "related":
        related = getattr(obj, field.name)
        return str(related) if related is not None else None
    if kind == "label":
        return getattr(obj, f"get_{field.name}_display")()
    value = field.value_from_object(obj)
    if hasattr(value, "code"):  # a django-countries Country: its ISO code
        return value.code
    return value


def collect(user) -> dict:
    """The member's data: their account, then every owned model's rows (label -> rows)."""
    account = {name: getattr(user, name) for name in USER_FIELDS}
    data = {}
    for model in exported_models():
        cols = columns(model)
        related = [f.name for _, f, kind in cols if kind == "related"]
        rows = model._default_manager.filter(**{owner_field(model).name: user}).order_by("pk")
        if related:
            rows = rows.select_related(*related)
        data[model._meta.label] = [
            {name: cell(obj, field, kind) for name, field, kind in cols} for obj in rows
        ]
    return {"account": account, "data": data}


def csv_text(header: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([escape_formula(as_text(row[name])) for name in header])
    return out.getvalue()


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder)
    return str(value)


def left_out() -> dict[str, str]:
    """What the export leaves out and why, for the member to read."""
    return {
        **EXCLUDED_MODELS,
        **{
            f"{label}.{name}": reason
            for label, fields in EXCLUDED_FIELDS.items()
            for name, reason in fields.items()
        },
    }


def build_zip(user, today: datetime.date) -> bytes:
    """The zip a member downloads: data.json (everything) and one CSV per model."""
    collected = collect(user)
    document = {
        "exported_on": today,
        "account": collected["account"],
        "data": collected["data"],
        "left_out": left_out(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json", json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        )
        archive.writestr("account.csv", csv_text(USER_FIELDS, [collected["account"]]))
        for model in exported_models():
            header = [name for name, _, _ in columns(model)]
            rows = collected["data"][model._meta.label]
            archive.writestr(csv_name(model), csv_text(header, rows))
    return buffer.getvalue()


def csv_name(model) -> str:
    return f"{model._meta.app_label}_{model._meta.model_name}.csv"
