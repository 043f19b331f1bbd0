"""PostgreSQL full-text search of the catalogue: `search_document` filled by a trigger, GIN.

As resources' migration 0002: a trigger rather than a GeneratedField, so the migration also
applies on SQLite (the column stays NULL there and search falls back to icontains), and so
every write, whatever its origin (admin, import, ORM, raw SQL), keeps the vector right.
Weights: the program's name and its ACGME ID / NRMP code A, specialty and institution B,
city and state C. The institution's name is read at write time (a renamed institution
re-indexes its programs: catalogue/apps.py reindex_programs).
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION catalogue_program_search_document() RETURNS trigger AS $$
BEGIN
  NEW.search_document :=
    setweight(to_tsvector('simple'::regconfig, coalesce(NEW.name, '')), 'A') ||
    setweight(to_tsvector('simple'::regconfig,
              coalesce(NEW.acgme_id, '') || ' ' || coalesce(NEW.nrmp_code, '')), 'A') ||
    setweight(to_tsvector('simple'::regconfig, coalesce(NEW.specialty, '')), 'B') ||
    setweight(to_tsvector('simple'::regconfig, coalesce(
      (SELECT name FROM catalogue_institution WHERE id = NEW.institution_id), '')), 'B') ||
    setweight(to_tsvector('simple'::regconfig,
              coalesce(NEW.city, '') || ' ' || coalesce(NEW.state, '')), 'C');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER catalogue_program_search_document
  BEFORE INSERT OR UPDATE ON catalogue_catalogueprogram
  FOR EACH ROW EXECUTE FUNCTION catalogue_program_search_document();

UPDATE catalogue_catalogueprogram SET search_document = NULL;

CREATE INDEX catalogue_program_search_gin
  ON catalogue_catalogueprogram USING gin (search_document);
"""

DROP = """
DROP INDEX IF EXISTS catalogue_program_search_gin;
DROP TRIGGER IF EXISTS catalogue_program_search_document ON catalogue_catalogueprogram;
DROP FUNCTION IF EXISTS catalogue_program_search_document();
UPDATE catalogue_catalogueprogram SET search_document = NULL;
"""


def postgresql_only(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [migrations.RunPython(postgresql_only(CREATE), postgresql_only(DROP))]
