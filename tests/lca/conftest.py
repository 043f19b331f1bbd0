import datetime
import signal

import pytest
from django.core.management import call_command

from lca import importer
from lca.models import LcaFile


@pytest.fixture(autouse=True)
def _upload_dir(settings, tmp_path):
    settings.LCA_UPLOAD_DIR = tmp_path / "uploads"


@pytest.fixture
def run_import(db, tmp_path):
    """Import rows (or a path) as the management command would: the file's record."""
    from tests.lca.files import write

    def run(rows_or_path, *, name="lca.xlsx", file_date=datetime.date(2025, 10, 1), **kw):
        path = rows_or_path if not isinstance(rows_or_path, list) else None
        path = path or write(tmp_path, name, rows_or_path, **kw)
        record = LcaFile.objects.create(original_name=name, file_date=file_date)
        return importer.run(record.pk, path)

    return run


@pytest.fixture
def run_worker(monkeypatch):
    """django-tasks-db's real worker until the queue is empty (as tests/reminders does)."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}

    def run() -> None:
        call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0)

    yield run
    for sig, handler in saved.items():
        signal.signal(sig, handler)
