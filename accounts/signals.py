"""Signals the lower apps send so the apps above them can react without being imported.

`situation_changed(sender, user)`: sent after a member's profile (accounts) or progress
(pathways) was saved. The reminders app plans that member's reminders at once, so a clock
found already run out (ECFMG's seven-year window) is emailed now, not at the next daily run.
Sent explicitly by the views that save (no model signals): imports still point down.
"""

from django.dispatch import Signal

situation_changed = Signal()
