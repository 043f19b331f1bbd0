# Cases for `make security` (semgrep --test): each "ruleid" line must be found, each "ok" line not.
from django.shortcuts import get_object_or_404
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt


def views(request, pk, slug, name, connection, Progress, Milestone, forms):
    # ruleid: unscoped-get-object-or-404
    get_object_or_404(Progress, pk=pk)
    # ruleid: unscoped-get-object-or-404
    get_object_or_404(Progress.objects.all(), id=pk)
    # ok: unscoped-get-object-or-404
    get_object_or_404(Progress, pk=pk, user=request.user)
    # ok: unscoped-get-object-or-404
    get_object_or_404(Milestone, slug=slug)
    # ruleid: mark-safe
    mark_safe(name)
    # ruleid: sql-from-strings
    Progress.objects.raw(f"SELECT * FROM pathways_progress WHERE notes = '{name}'")
    # ruleid: sql-from-strings
    Progress.objects.extra(where=["notes = 'x'"])
    with connection.cursor() as cursor:
        # ruleid: sql-from-strings
        cursor.execute("SELECT * FROM t WHERE a = '%s'" % name)
        # ruleid: sql-from-strings
        cursor.execute("SELECT * FROM t WHERE a = '{}'".format(name))
        # ruleid: sql-from-strings
        cursor.execute("SELECT * FROM t WHERE a = " + name)
        # ok: sql-from-strings
        cursor.execute("SELECT * FROM t WHERE a = %s", [name])


# ruleid: csrf-exempt
@csrf_exempt
def exempt(request):
    return None


class AllFields:
    class Meta:
        # ruleid: modelform-all-fields
        fields = "__all__"


class Excluding:
    class Meta:
        # ruleid: modelform-exclude
        exclude = ["user"]


class Explicit:
    class Meta:
        # ok: modelform-all-fields
        fields = ["status", "notes"]
