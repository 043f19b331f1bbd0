"""Members' reminder data: visible to superusers only (for support), and read-only."""

from django.contrib import admin

from reminders.models import ReminderPreference, SentReminder


class SuperuserReadOnly(admin.ModelAdmin):
    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SentReminder)
class SentReminderAdmin(SuperuserReadOnly):
    list_display = ["subject_key", "due_date", "horizon", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    exclude = ["payload"]


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(SuperuserReadOnly):
    list_display = ["user", "enabled", "frequency", "updated_at"]
    list_filter = ["enabled", "frequency"]
