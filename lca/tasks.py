"""Background work: an uploaded LCA file is imported by the worker (`manage.py db_worker`),
not in the curator's request (a quarterly file takes minutes)."""

from django.tasks import task

from . import importer


@task()
def import_lca_file(file_id: int) -> str:
    """Import one queued LcaFile; a second run of the same task does nothing."""
    return importer.run(file_id).status
