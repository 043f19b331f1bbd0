"""Admin for the curated parts of the application season only.

Members' own rows (programs, applications, costs, interviews, letters) are not in the
admin, and the Curators group has no permission on them. The sourced figures (ERAS fee
schedules, cost estimates, signal allowances) are curated content: shipped in
applications/content/costs.toml and editable by curators (setup_curators' allow-list).
Every form lists its fields; `curated_values` (what the loader last wrote) is never edited.
"""

from django.contrib import admin

from .models import CostEstimate, FeeSchedule, SignalAllowance


@admin.register(FeeSchedule)
class FeeScheduleAdmin(admin.ModelAdmin):
    list_display = ["system", "season", "tier_size", "first_fee", "later_fee", "confidence"]
    list_filter = ["system", "confidence"]
    fields = [
        "system",
        "season",
        "tier_size",
        "first_fee",
        "later_fee",
        "per",
        "source_name",
        "source_url",
        "confidence",
        "last_reviewed",
        "notes",
    ]


@admin.register(CostEstimate)
class CostEstimateAdmin(admin.ModelAdmin):
    list_display = ["label", "category", "amount", "as_of", "confidence"]
    list_filter = ["category", "confidence"]
    search_fields = ["label", "slug"]
    fields = [
        "slug",
        "label",
        "category",
        "amount",
        "unit",
        "as_of",
        "confidence",
        "source_name",
        "source_url",
    ]


@admin.register(SignalAllowance)
class SignalAllowanceAdmin(admin.ModelAdmin):
    list_display = ["cycle", "specialty", "gold", "silver", "verified"]
    list_filter = ["cycle", "verified"]
    fields = ["cycle", "specialty", "gold", "silver", "source_url", "verified", "last_reviewed"]
