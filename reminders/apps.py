from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = "Reminders"

    def ready(self) -> None:
        from accounts.signals import situation_changed
        from catalogue.facts import facts_changed
        from reminders.tasks import plan_soon, program_changes_soon

        situation_changed.connect(plan_soon, dispatch_uid="reminders.plan_soon")
        facts_changed.connect(program_changes_soon, dispatch_uid="reminders.program_changes")
