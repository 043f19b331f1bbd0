"""Import an OFLC LCA disclosure file from a path, in this process (no worker needed).

    manage.py lca_import LCA_Disclosure_Data_FY2025_Q4.xlsx --file-date 2025-10-01

Prints what was read and kept, the time and this process's peak memory.
"""

import datetime
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.spreadsheets import shorten
from lca import importer
from lca.models import FileStatus, LcaFile


def iso_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--file-date: {text!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = "Import an LCA disclosure file (.xlsx) from a path."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--file-date", type=iso_date, help="The file's date (default: from its name)."
        )

    def handle(self, *args, path, file_date, verbosity, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"No file at {path}.")
        file_date = file_date or importer.file_date_from_name(source.name)
        if file_date is None:
            raise CommandError("The file's name holds no date: give --file-date YYYY-MM-DD.")
        record = LcaFile.objects.create(
            original_name=shorten(source.name, 200), file_date=file_date
        )
        started = time.monotonic()
        record = importer.run(record.pk, source)
        seconds = time.monotonic() - started
        if record.status != FileStatus.DONE:
            raise CommandError(record.error)
        if verbosity:
            self.stdout.write(
                f"{record.original_name}: {record.rows_read:,} rows read, {record.rows_kept:,} "
                f"kept ({record.rows_certified:,} certified, {record.cases_new:,} new cases) "
                f"in {seconds:,.1f} s; peak RSS {record.peak_memory_kb / 1024:,.0f} MiB."
            )
