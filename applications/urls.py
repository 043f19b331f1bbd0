from django.urls import path

from applications import views

app_name = "applications"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.application_new, name="application_new"),
    path("bulk-status/", views.bulk_status, name="bulk_status"),
    path("carry-over/", views.carry_over, name="carry_over"),
    path("a/<int:pk>/", views.application, name="application"),
    path("a/<int:pk>/status/", views.application_status, name="application_status"),
    path("a/<int:pk>/signal/", views.application_signal, name="application_signal"),
    path("a/<int:pk>/rank/", views.rank_move, name="rank_move"),
    path("a/<int:pk>/rank-note/", views.rank_note, name="rank_note"),
    path("interviews/", views.interviews, name="interviews"),
    path("interviews/<int:pk>/", views.interview, name="interview"),
    path("interviews/<int:pk>/delete/", views.interview_delete, name="interview_delete"),
    path("letters/", views.letters, name="letters"),
    path("letters/<int:pk>/", views.letter, name="letter"),
    path("letters/<int:pk>/delete/", views.letter_delete, name="letter_delete"),
    path("import/", views.import_sheet, name="import"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("import/sample.csv", views.import_sample, name="import_sample"),
    path("export.<str:kind>", views.export_sheet, name="export"),
    path("rank/", views.rank, name="rank"),
    path("rank/export.csv", views.rank_export, name="rank_export"),
    path("a/<int:pk>/delete/", views.application_delete, name="application_delete"),
    path("costs/", views.cost_ledger, name="costs"),
    path("costs/<int:pk>/", views.cost_entry, name="cost"),
    path("costs/<int:pk>/delete/", views.cost_entry_delete, name="cost_delete"),
    path("programs/", views.programs, name="programs"),
    path("programs/new/", views.program_new, name="program_new"),
    path("programs/<int:pk>/", views.program, name="program"),
    path("programs/<int:pk>/edit/", views.program_edit, name="program_edit"),
    path("programs/<int:pk>/delete/", views.program_delete, name="program_delete"),
]
