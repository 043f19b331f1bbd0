"""A past Match cycle is kept read-only: every write URL of the applications app is walked.

The URLs come from the resolver, so a new one fails `test_every_write_url_is_walked` until it
is listed in WRITES (how to send it at a cycle's objects) or EXEMPT (why it writes no cycle).
Each write is sent twice with the same data: at the past cycle (Match 2026, nothing of that
cycle may change, and the answer says it is read-only) and at the current one (Match 2027,
the same request writes: so the refusal is the cycle's doing, not bad data).
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, get_resolver, reverse

from applications.models import Application, CostEntry, Interview, Letter, StatusChange
from tests.factories import make_application, make_program

PAST, CURRENT = 2026, 2027  # Alice's Match year is 2027
REFUSAL = f"Match {PAST} is past: it is kept read-only."


def season_objects(member, cycle: int) -> dict:
    """One of each object kind in `cycle`, all Alice's."""
    program = make_program(member, name=f"Program of {cycle}")
    first = make_application(member, program, cycle=cycle, status="interviewed", rank=1)
    second = make_application(member, cycle=cycle, status="interviewed", rank=2)
    interview = Interview.objects.create(
        user=member,
        application=first,
        date=datetime.date(cycle - 1, 11, 3),
        start_time=datetime.time(9, 0),
        time_zone="America/New_York",
    )
    cost = CostEntry.objects.create(
        user=member, cycle=cycle, category="eras", description="ERAS fees", amount=99
    )
    letter = Letter.objects.create(user=member, writer=f"Dr Cycle {cycle}")
    letter.applications.add(first)
    return {
        "program": program,
        "application": first,
        "second": second,
        "interview": interview,
        "cost": cost,
        "letter": letter,
        "cycle": cycle,
    }


def cycle_state(member, cycle: int) -> list:
    """Everything of one cycle a write could change."""
    applications = Application.objects.filter(user=member, cycle=cycle)
    return [
        sorted(applications.values_list()),
        sorted(StatusChange.objects.filter(application__in=applications).values_list()),
        sorted(Interview.objects.filter(application__in=applications).values_list()),
        sorted(CostEntry.objects.filter(user=member, cycle=cycle).values_list()),
        sorted(
            Letter.applications.through.objects.filter(application__in=applications).values_list(
                "letter_id", "application_id"
            )
        ),
    ]


def interview_data(objects):
    return {
        "version": 1,
        "application": objects["application"].pk,
        "date": f"{objects['cycle'] - 1}-12-01",
        "start_time": "10:30",
        "time_zone": "America/Chicago",
        "duration_minutes": 45,
        "format": "virtual",
    }


def cost_data(objects):
    return {
        "category": "travel",
        "description": "Flight",
        "amount": 420,
        "state": "paid",
        "version": 1,
    }


def upload(objects):
    sheet = f"program_name,specialty,cycle,status\nImported,Surgery,{objects['cycle']},applied\n"
    return {"file": SimpleUploadedFile("sheet.csv", sheet.encode(), content_type="text/csv")}


def previewed_import(client, objects):
    """A preview made while the cycle was open, confirmed now (the session holds its rows)."""
    session = client.session
    session["applications_import"] = {
        "rows": [
            {"program_name": "Imported", "specialty": "Surgery", "cycle": str(objects["cycle"])}
        ],
        "formulas": {},
        "name": "sheet.csv",
    }
    session.save()
    return {}


# name -> (URL kwargs of the cycle's objects, query string, POST data); a callable gets the
# objects (and, for `prepare`, the client first).
WRITES = {
    "application_new": (
        None,
        None,
        lambda o: {"program": o["program"].pk, "specialty": "Surgery", "cycle": o["cycle"]},
    ),
    "bulk_status": (
        None,
        None,
        lambda o: {"ids": [o["application"].pk], "status": "rejected", "cycle": o["cycle"]},
    ),
    "application": (
        "application",
        None,
        lambda o: {"status": "rejected", "changed_on": "2026-10-01", "notes": "x", "version": 1},
    ),
    "application_status": ("application", None, lambda o: {"status": "rejected", "version": 1}),
    "application_signal": ("application", None, lambda o: {"signal": "gold"}),
    "application_delete": ("application", None, lambda o: {}),
    "rank_move": ("application", None, lambda o: {"direction": "down"}),
    "rank_note": ("application", None, lambda o: {"rank_note": "My first choice"}),
    "interviews": (None, "cycle", interview_data),
    "interview": ("interview", None, interview_data),
    "interview_delete": ("interview", None, lambda o: {}),
    "application_letters": (
        "second",
        None,
        lambda o: {"letter": o["letter"].pk, "action": "add"},
    ),
    "letter": (
        "letter",
        "cycle",
        lambda o: {"writer": "Dr Renamed", "applications": [o["second"].pk], "version": 1},
    ),
    "costs": (None, "cycle", cost_data),
    "cost": ("cost", None, cost_data),
    "cost_delete": ("cost", None, lambda o: {}),
    "import": (None, None, upload),
    "import_confirm": (None, None, "session"),
}

EXEMPT = {
    "program_new": "a program belongs to no cycle",
    "program_edit": "a program belongs to no cycle",
    "program_delete": "a program belongs to no cycle (removing it removes it everywhere)",
    "program_add": "a program belongs to no cycle (added from the catalogue)",
    "program_link": "a program belongs to no cycle (linked to its catalogue entry)",
    "program_unlink": "a program belongs to no cycle (kept as private)",
    "letter_delete": "a letter belongs to no cycle (removing it removes it everywhere)",
    "letters": "adds a letter, which belongs to no cycle; it is assigned per application "
    "(application_letters)",
    "carry_over": "reads a past cycle, writes only the current one",
}


def app_urls() -> dict[str, URLPattern]:
    """The applications app's URL patterns, by name, from the resolver."""
    resolver = get_resolver()
    [(_, namespace_resolver)] = [
        (prefix, inner)
        for prefix, inner in resolver.namespace_dict.values()
        if getattr(inner, "app_name", None) == "applications"
        or getattr(inner, "namespace", None) == "applications"
    ]
    return {p.name: p for p in namespace_resolver.url_patterns}


def send(client, name: str, objects: dict):
    kwarg, query, data = WRITES[name]
    url = reverse(f"applications:{name}", args=[objects[kwarg].pk] if kwarg else [])
    if query:
        url += f"?cycle={objects['cycle']}"
    data = previewed_import(client, objects) if data == "session" else data(objects)
    return client.post(url, data, follow=True)


def test_every_write_url_is_walked(member_client, member):
    """A URL that accepts a POST is in WRITES or EXEMPT; one that refuses POST (405) is in
    neither."""
    objects = season_objects(member, CURRENT)
    listed = set(WRITES) | set(EXEMPT)
    for name, pattern in app_urls().items():
        kwargs = {
            key: "csv" if key == "kind" else objects["program"].pk
            for key in pattern.pattern.converters
        }
        url = reverse(f"applications:{name}", kwargs=kwargs)
        accepts_post = member_client.post(url).status_code != 405
        assert accepts_post == (name in listed), name
    assert listed <= set(app_urls()), listed - set(app_urls())


@pytest.mark.parametrize("name", sorted(WRITES))
def test_past_cycle_write_is_refused_and_writes_nothing(member_client, member, name):
    past = season_objects(member, PAST)
    season_objects(member, CURRENT)
    before = cycle_state(member, PAST)
    response = send(member_client, name, past)
    assert response.status_code == 200
    assert cycle_state(member, PAST) == before
    assert REFUSAL in response.content.decode()


@pytest.mark.parametrize("name", sorted(WRITES))
def test_the_same_write_in_the_current_cycle_writes(member_client, member, name):
    season_objects(member, PAST)
    current = season_objects(member, CURRENT)
    before = cycle_state(member, CURRENT)
    response = send(member_client, name, current)
    assert response.status_code == 200
    if name == "import":  # the preview saves nothing; its confirmation writes (below)
        assert "Import 1 row" in response.content.decode()
        return
    assert cycle_state(member, CURRENT) != before


def test_an_htmx_write_into_a_past_cycle_sends_the_browser_to_the_refusal(member_client, member):
    past = season_objects(member, PAST)
    before = cycle_state(member, PAST)
    url = reverse("applications:application_status", args=[past["application"].pk])
    response = member_client.post(
        url, {"status": "rejected", "version": 1}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("applications:index") + f"?cycle={PAST}"
    assert cycle_state(member, PAST) == before
    assert REFUSAL in member_client.get(response["HX-Redirect"]).content.decode()


def test_past_cycle_pages_offer_no_write(member_client, member):
    past = season_objects(member, PAST)
    for url in [
        reverse("applications:application", args=[past["application"].pk]),
        reverse("applications:interview", args=[past["interview"].pk]),
        reverse("applications:cost", args=[past["cost"].pk]),
        reverse("applications:letter", args=[past["letter"].pk]) + f"?cycle={PAST}",
        reverse("applications:letters") + f"?cycle={PAST}",
    ]:
        page = member_client.get(url).content.decode()
        assert f"Match {PAST} is past" in page, url
        assert 'method="post"' not in page.split("<main", 1)[1], url
