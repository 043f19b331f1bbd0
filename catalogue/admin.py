"""The catalogue in the admin (curators: programs, facts, proposals)."""

from django.contrib import admin

from . import admin_import
from .models import CatalogueProgram, Fact, FactChange, Institution, Proposal


class FactInline(admin.TabularInline):
    model = Fact
    extra = 0
    fields = ["kind", "value", "source_url", "checked_on", "checked_by", "origin", "manual"]
    readonly_fields = ["checked_by", "origin"]


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "state"]
    search_fields = ["name"]


@admin.register(CatalogueProgram)
class CatalogueProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "specialty", "institution", "state", "acgme_id", "nrmp_code"]
    list_filter = ["published", "state"]
    search_fields = ["name", "specialty", "acgme_id", "nrmp_code", "institution__name"]
    autocomplete_fields = ["institution"]
    inlines = [FactInline]

    def get_urls(self):
        # The curators' import and export (catalogue/admin_import.py); the changelist's
        # buttons are in templates/admin/catalogue/catalogueprogram/change_list.html.
        return admin_import.urls(self) + super().get_urls()


@admin.register(FactChange)
class FactChangeAdmin(admin.ModelAdmin):
    list_display = ["program", "kind", "old_value", "new_value", "changed_by", "changed_at"]
    list_filter = ["kind", "origin"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["user", "created_at"]
