"""Backup and restore round-trip with identical counts and content (docs/operations.md):
SQLite through its online backup API (what `sqlite3 db.sqlite3 ".backup file"` uses),
PostgreSQL through `pg_dump -Fc` and `pg_restore` into a scratch database."""

import hashlib
import shutil
import sqlite3
import subprocess

import pytest
from django.apps import apps
from django.db import connection


def tables() -> list[str]:
    return sorted(
        {model._meta.db_table for model in apps.get_models()}
        & set(connection.introspection.table_names())
    )


def fingerprint(cursor, names: list[str]) -> dict[str, tuple[int, str]]:
    """Per table: the row count and a hash of every row (ordered by all columns)."""
    result = {}
    for name in names:
        cursor.execute(f'SELECT * FROM "{name}" ORDER BY 1')  # nosec B608 - our table names
        rows = cursor.fetchall()
        digest = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
        result[name] = (len(rows), digest)
    return result


def sqlite_round_trip(tmp_path) -> tuple[dict, dict]:
    names = tables()
    connection.ensure_connection()
    source = connection.connection  # Django's sqlite3.Connection (in-memory test database)
    original = fingerprint(source.cursor(), names)
    backup_file = tmp_path / "backup.sqlite3"
    with sqlite3.connect(backup_file) as backup:
        source.backup(backup)  # online backup: consistent even while others write
    backup.close()
    # Django's sqlite3 converters (dates, decimals...) apply to the copy too.
    restored = sqlite3.connect(
        ":memory:", detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES
    )
    with sqlite3.connect(backup_file) as saved:
        saved.backup(restored)
    saved.close()
    copy = fingerprint(restored.cursor(), names)
    restored.close()
    return original, copy


def postgresql_round_trip(tmp_path) -> tuple[dict, dict]:
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.fail("pg_dump/pg_restore are missing (Debian package postgresql-client)")
    import psycopg

    names = tables()
    with connection.cursor() as cursor:
        original = fingerprint(cursor, names)
    settings = connection.settings_dict
    server = f"postgresql://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}"
    source, scratch = settings["NAME"], settings["NAME"] + "_restore"
    dump = tmp_path / "backup.dump"
    subprocess.run(
        ["pg_dump", "-Fc", "--no-owner", "-f", str(dump), f"{server}/{source}"],
        check=True,
        timeout=120,
    )
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        admin.execute(f'CREATE DATABASE "{scratch}"')
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "-d", f"{server}/{scratch}", str(dump)],
            check=True,
            timeout=120,
        )
        # Django's sessions run in UTC: read the copy the same way.
        with psycopg.connect(f"{server}/{scratch}", options="-c TimeZone=UTC") as restored:
            # Read JSON columns as text, as Django's own connection does (it decodes them itself).
            from psycopg.types.string import TextLoader

            for json_type in ("json", "jsonb"):
                restored.adapters.register_loader(json_type, TextLoader)
            copy = fingerprint(restored.cursor(), names)
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
    return original, copy


@pytest.mark.django_db(transaction=True)  # pg_dump sees only committed rows
def test_backup_and_restore_round_trip_with_identical_counts_and_content(populated, tmp_path):
    if connection.vendor == "sqlite":
        original, copy = sqlite_round_trip(tmp_path)
    else:
        original, copy = postgresql_round_trip(tmp_path)
    assert original["pathways_progress"][0] >= 2 and original["resources_resource"][0] > 30
    assert copy == original
