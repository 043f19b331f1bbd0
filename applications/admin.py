"""Admin for the curated parts of the application season only.

Members' own rows (programs, applications, costs, interviews, letters) are not in the
admin, and the Curators group gets no permission on this app (setup_curators' allow-list
does not include it): fee schedules and allowances are edited by superusers, or shipped
in applications/content/costs.toml.
"""

from django.contrib import admin

from .models import CostEstimate, FeeSchedule, SignalAllowance


@admin.register(FeeSchedule)
class FeeScheduleAdmin(admin.ModelAdmin):
    list_display = ["system", "season", "tier_size", "first_fee", "later_fee", "confidence"]
    list_filter = ["system", "confidence"]


@admin.register(CostEstimate)
class CostEstimateAdmin(admin.ModelAdmin):
    list_display = ["label", "category", "amount", "as_of", "confidence"]
    list_filter = ["category", "confidence"]
    search_fields = ["label", "slug"]


@admin.register(SignalAllowance)
class SignalAllowanceAdmin(admin.ModelAdmin):
    list_display = ["cycle", "specialty", "gold", "silver", "verified"]
    list_filter = ["cycle", "verified"]
