"""The catalogue in the admin (curators: institutions, programs and their facts, proposals).

A curator's edit of a fact goes through `catalogue.facts.set_fact` (never a plain save), so
every change is in the history (FactChange, shown read-only on the program's page) and the
members who keep the program are told. A program on members' lists cannot be deleted
(PROTECT): the admin says so without naming anybody's list. Proposals are accepted (as
proposed or edited) or rejected on their own page (catalogue/proposals.py).

CatalogueProgramAdmin is extended by the curators' import (catalogue/admin_import.py adds
its views through `get_urls`); keep its hooks (`save_formset`, `get_deleted_objects`,
`delete_view`) calling `super()`.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from . import admin_import, proposals
from .facts import set_fact
from .models import (
    CatalogueProgram,
    Fact,
    FactChange,
    Institution,
    Origin,
    Proposal,
    ProposalStatus,
)


class FactForm(forms.ModelForm):
    """One fact of a program: validated as set_fact will store it (`clean_value`; a known
    value needs its source and the date checked), errors next to the field."""

    # The model's clean() does the validating (clean_value on the value; a known value needs
    # its source and the date checked), each error next to its field.

    class Meta:
        model = Fact
        fields = ["kind", "value", "source_url", "checked_on"]
        widgets = {"value": forms.TextInput(attrs={"size": 30})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # a fact's kind is what it is: set "unknown" instead of moving it
            self.fields["kind"].disabled = True


class FactInline(admin.TabularInline):
    model = Fact
    form = FactForm
    extra = 1
    can_delete = False  # "unknown" is a value: set it instead of deleting (history kept)
    fields = ["kind", "value", "source_url", "checked_on", "checked_by", "origin", "manual"]
    readonly_fields = ["checked_by", "origin", "manual"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("checked_by", "program")


class FactChangeInline(admin.TabularInline):
    """The history of the program's facts, newest first: read-only."""

    model = FactChange
    extra = 0
    can_delete = False
    verbose_name = "change of a fact"
    verbose_name_plural = "history of the facts"
    fields = ["changed_at", "kind", "old_value", "new_value", "source_url", "checked_on",
              "origin", "changed_by"]  # fmt: skip
    readonly_fields = fields
    ordering = ["-changed_at", "-pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by", "program")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "state", "updated_at"]
    list_filter = ["state"]
    search_fields = ["name", "city"]


class KeptFilter(admin.SimpleListFilter):
    title = "on members' lists"
    parameter_name = "kept"

    def lookups(self, request, model_admin):
        return [("yes", "Kept by members"), ("no", "Kept by nobody")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(kept_by__isnull=False).distinct()
        if self.value() == "no":
            return queryset.filter(kept_by__isnull=True)
        return queryset


@admin.register(CatalogueProgram)
class CatalogueProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "specialty", "institution", "state", "acgme_id", "nrmp_code",
                    "published", "updated_at"]  # fmt: skip
    list_filter = ["published", "specialty", "state", KeptFilter]
    list_select_related = ["institution"]
    search_fields = ["name", "specialty", "acgme_id", "nrmp_code", "institution__name", "city"]
    autocomplete_fields = ["institution"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "specialty", "institution", "city", "state"]}),
        ("Identifiers", {"fields": ["acgme_id", "nrmp_code", "program_url"]}),
        ("Curation", {"fields": ["published", "created_at", "updated_at"]}),
    ]
    inlines = [FactInline, FactChangeInline]

    def save_formset(self, request, form, formset, change):
        """Facts are written by set_fact, one per changed row (history and notices); the
        admin's transaction holds them all, and the notices go out once it commits."""
        if formset.model is not Fact:
            return super().save_formset(request, form, formset, change)
        program = form.instance
        # What the admin's log of the change reads (construct_change_message).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for fact_form in formset.forms:
            if not fact_form.has_changed():
                continue
            data = fact_form.cleaned_data
            if fact_form.instance.pk:
                formset.changed_objects.append((fact_form.instance, fact_form.changed_data))
            else:
                formset.new_objects.append(fact_form.instance)
            set_fact(
                program,
                data.get("kind") or fact_form.instance.kind,
                data["value"],
                source_url=data.get("source_url", ""),
                checked_on=data.get("checked_on"),
                by=request.user,
                origin=Origin.CURATOR,
                manual=True,
            )

    def get_deleted_objects(self, objs, request):
        """Members' programs that keep these entries stop the deletion (PROTECT): say how
        many, never whose or what they named them. A program nobody keeps may go, with the
        history of its facts."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        # The history of its facts goes with a program (nobody deletes it by hand).
        perms_needed.discard(FactChange._meta.verbose_name)
        kept = sum(program.kept_by.count() for program in objs)
        if kept:
            protected = [
                f"{kept} program{'s' if kept != 1 else ''} on members' lists keep"
                f"{'s' if kept == 1 else ''} this entry: unpublish it instead of deleting it"
            ]
        return to_delete, model_count, perms_needed, protected

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ProtectedError:  # kept by a member since the confirmation page was shown
            self.message_user(
                request,
                "Members keep this program on their lists: it cannot be deleted. "
                "Unpublish it instead.",
                messages.ERROR,
            )
            return HttpResponseRedirect(
                reverse("admin:catalogue_catalogueprogram_change", args=[object_id])
            )

    def get_urls(self):
        # The curators' import and export (catalogue/admin_import.py); the changelist's
        # buttons are in templates/admin/catalogue/catalogueprogram/change_list.html.
        return admin_import.urls(self) + super().get_urls()


@admin.register(FactChange)
class FactChangeAdmin(admin.ModelAdmin):
    list_display = ["program", "kind", "old_value", "new_value", "origin", "changed_by",
                    "changed_at"]  # fmt: skip
    list_filter = ["kind", "origin"]
    list_select_related = ["program", "changed_by"]
    search_fields = ["program__name", "program__acgme_id"]
    date_hierarchy = "changed_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ProposalForm(forms.ModelForm):
    """What a curator may edit before accepting (the value, a new program's details) and
    the note; the Accept and Reject buttons are checked here, errors next to the field."""

    ACCEPT, REJECT = "_accept", "_reject"

    class Meta:
        model = Proposal
        fields = ["value", "institution_name", "name", "specialty", "city", "state",
                  "acgme_id", "nrmp_code", "curator_note"]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if self.REJECT in self.data and not (cleaned.get("curator_note") or "").strip():
            self.add_error("curator_note", "Say why it is rejected (the note is kept).")
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        if self.ACCEPT in self.data and self.instance.status == ProposalStatus.OPEN:
            try:
                proposals.check(self.instance)
            except ValidationError as error:
                for field, messages_ in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages_)


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    """Members' proposals. As with problem reports, curators see who sent one (its author's
    email), nothing else of theirs."""

    form = ProposalForm
    list_display = ["__str__", "proposal_kind", "status", "created_at", "reviewed_by"]
    list_filter = ["status", "kind"]
    list_select_related = ["program", "reviewed_by"]
    search_fields = ["name", "institution_name", "program__name", "source_url"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]  # the review queue lists the open ones oldest first
    actions = ["accept_selected"]
    change_form_template = "admin/catalogue/proposal/change_form.html"
    REVIEW = ["user", "status", "reviewed_by", "reviewed_at", "created_at", "source_link",
              "program", "kind", "comment"]  # fmt: skip

    @admin.display(description="kind of proposal")
    def proposal_kind(self, obj: Proposal) -> str:
        return "Correction" if obj.is_correction else "New program"

    @admin.display(description="source")
    def source_link(self, obj: Proposal) -> str:
        return format_html(
            '<a href="{}" rel="noopener noreferrer nofollow">{}</a>', obj.source_url, obj.source_url
        )

    def get_fields(self, request, obj=None):
        if obj is not None and obj.is_correction:
            editable = ["value", "curator_note"]
        else:
            editable = [f for f in ProposalForm.Meta.fields]
        return [*self.REVIEW, *editable]

    def get_readonly_fields(self, request, obj=None):
        if obj is None or obj.status != ProposalStatus.OPEN:
            return self.get_fields(request, obj)  # a closed proposal is a record
        return self.REVIEW

    def has_add_permission(self, request) -> bool:
        return False  # members write proposals, curators act on them

    def save_model(self, request, obj, form, change):
        """Accept or reject (the buttons), or save the edits only; inside the admin's
        transaction, so an accept that fails leaves nothing half-done."""
        if ProposalForm.ACCEPT in request.POST:
            try:
                done = proposals.accept(obj, request.user)
            except (ValidationError, IntegrityError):  # raced by another change
                self.message_user(request, "It could not be accepted: check it again.",
                                  messages.ERROR)  # fmt: skip
                return
            self.say_done(request, done, "accepted")
        elif ProposalForm.REJECT in request.POST:
            done = proposals.reject(obj, request.user, obj.curator_note)
            self.say_done(request, done, "rejected")
        elif obj.status == ProposalStatus.OPEN:
            super().save_model(request, obj, form, change)

    def say_done(self, request, done: bool, verb: str) -> None:
        if done:
            self.message_user(request, f"The proposal was {verb}.", messages.SUCCESS)
        else:
            self.message_user(
                request, "It was reviewed already: nothing changed.", messages.WARNING
            )

    def response_change(self, request: HttpRequest, obj):
        if ProposalForm.ACCEPT in request.POST or ProposalForm.REJECT in request.POST:
            return HttpResponseRedirect(reverse("curation-review"))
        return super().response_change(request, obj)

    @admin.action(description="Accept the selected proposals as proposed", permissions=["change"])
    def accept_selected(self, request: HttpRequest, queryset) -> None:
        accepted, refused = 0, []
        for proposal in queryset.filter(status=ProposalStatus.OPEN).select_related("program"):
            try:
                accepted += proposals.accept(proposal, request.user)
            except ValidationError:
                refused.append(str(proposal.pk))
        self.message_user(request, f"Accepted {accepted} proposal(s).", messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                "Not accepted, open each to fix it first: #" + ", #".join(refused),
                messages.WARNING,
            )
