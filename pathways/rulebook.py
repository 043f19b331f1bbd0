"""The time-varying rules (pathways.models.Rule) as the roadmap reads them: the record in
force on a date. One per curated content (pathways/curated_cache.py), shared by every
roadmap of a process."""

import datetime

from pathways.models import Rule


class RuleBook:
    """The time-varying rules, loaded once."""

    def __init__(self, rules: list[Rule]):
        self.rules = rules
        # Each key's records, latest effective_from first (one without comes last; records of
        # the same day keep their order, the first in force as max() found it).
        self.by_key: dict[str, list[Rule]] = {}
        for rule in rules:
            self.by_key.setdefault(rule.key, []).append(rule)
        for records in self.by_key.values():
            records.sort(key=lambda r: r.effective_from or datetime.date.min, reverse=True)

    def record(self, key: str, on: datetime.date) -> Rule | None:
        """The rule record in force on a date: the latest effective_from on or before it."""
        for rule in self.by_key.get(key, ()):
            if rule.effective_from is None or rule.effective_from <= on:
                return rule
        return None

    def in_force(self, key: str, on: datetime.date) -> int | None:
        """The value in force on a date. The one rule lookup: alerts, reminders, the Match
        check, forms and views call it (or `record` for the source)."""
        record = self.record(key, on)
        return record.value if record is not None else None

    def highest(self, key: str) -> int | None:
        """The highest value a rule ever had (e.g. the attempt limit before it was lowered)."""
        values = [r.value for r in self.rules if r.key == key]
        return max(values) if values else None
