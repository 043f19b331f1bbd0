from django.urls import path

from applications.views import (
    applications,
    costs,
    interviews,
    letters,
    programs,
    rank,
    spreadsheets,
)

app_name = "applications"

urlpatterns = [
    path("", applications.index, name="index"),
    path("new/", applications.application_new, name="application_new"),
    path("bulk-status/", applications.bulk_status, name="bulk_status"),
    path("carry-over/", applications.carry_over, name="carry_over"),
    path("a/<int:pk>/", applications.application, name="application"),
    path("a/<int:pk>/status/", applications.application_status, name="application_status"),
    path("a/<int:pk>/signal/", applications.application_signal, name="application_signal"),
    path("a/<int:pk>/rank/", rank.rank_move, name="rank_move"),
    path("a/<int:pk>/rank-note/", rank.rank_note, name="rank_note"),
    path("a/<int:pk>/letters/", letters.application_letters, name="application_letters"),
    path("interviews/", interviews.interviews, name="interviews"),
    path("interviews/<int:pk>/", interviews.interview, name="interview"),
    path("interviews/<int:pk>/delete/", interviews.interview_delete, name="interview_delete"),
    path("letters/", letters.letters, name="letters"),
    path("letters/<int:pk>/", letters.letter, name="letter"),
    path("letters/<int:pk>/delete/", letters.letter_delete, name="letter_delete"),
    path("import/", spreadsheets.import_sheet, name="import"),
    path("import/confirm/", spreadsheets.import_confirm, name="import_confirm"),
    path("import/sample.csv", spreadsheets.import_sample, name="import_sample"),
    path("export.<str:kind>", spreadsheets.export_sheet, name="export"),
    path("rank/", rank.rank, name="rank"),
    path("rank/export.csv", rank.rank_export, name="rank_export"),
    path("a/<int:pk>/delete/", applications.application_delete, name="application_delete"),
    path("costs/", costs.cost_ledger, name="costs"),
    path("costs/<int:pk>/", costs.cost_entry, name="cost"),
    path("costs/<int:pk>/delete/", costs.cost_entry_delete, name="cost_delete"),
    path("programs/", programs.programs, name="programs"),
    path("programs/new/", programs.program_new, name="program_new"),
    path("programs/<int:pk>/", programs.program, name="program"),
    path("programs/<int:pk>/edit/", programs.program_edit, name="program_edit"),
    path("programs/<int:pk>/delete/", programs.program_delete, name="program_delete"),
]
