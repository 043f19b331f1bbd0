"""The curators' forms: uploading an LCA file, deciding an employer's institution."""

import datetime
import zipfile
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.utils import timezone

from accounts.spreadsheets import MB, NOT_XLSX, shorten
from catalogue.models import Institution

from .importer import file_date_from_name
from .models import EmployerLink, LcaFile

# A guard against typos in the year (not a fact about the files).
FIRST_FILE_DATE = datetime.date(2000, 1, 1)


class LcaUploadForm(forms.ModelForm):
    upload = forms.FileField(
        label="LCA disclosure file (.xlsx)",
        help_text="As published on the Department of Labor's OFLC performance data page.",
    )

    class Meta:
        model = LcaFile
        fields = ["file_date"]
        help_texts = {
            "file_date": "The file's date as the Department of Labor gives it. Leave empty "
            "when the file's name holds its date (2025-10-01 or 20251001)."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file_date"].required = False

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        limit = settings.LCA_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / MB:,.0f} MB; the limit is {limit // MB:,} MB."
            )
        if not (upload.name or "").lower().endswith(".xlsx"):
            raise forms.ValidationError("Upload the .xlsx file as published (not CSV).")
        # A first look only (is it a zip at all?); the worker checks the members' sizes
        # and the rows before anything is imported.
        upload.seek(0)
        if not zipfile.is_zipfile(upload):
            raise forms.ValidationError(NOT_XLSX)
        upload.seek(0)
        return upload

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload and not cleaned.get("file_date") and "file_date" not in self.errors:
            found = file_date_from_name(upload.name)
            if found is None:
                self.add_error("file_date", "Enter the file's date: its name holds none.")
                return cleaned
            cleaned["file_date"] = found
            self.instance.file_date = found
        day = cleaned.get("file_date")
        if day and not FIRST_FILE_DATE <= day <= timezone.localdate():
            self.add_error(
                "file_date",
                f"Enter a date from {FIRST_FILE_DATE:%Y} to today: members read it as the "
                "file's date.",
            )
        return cleaned

    def original_name(self) -> str:
        return shorten(PurePath(self.cleaned_data["upload"].name).name, 200)


class DecisionForm(forms.Form):
    institution = forms.ModelChoiceField(queryset=Institution.objects.all())
    decision = forms.ChoiceField(choices=EmployerLink.Decision.choices)
