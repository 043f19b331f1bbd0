"""PostgreSQL full-text search: keep `search_document` filled by a trigger, index it with GIN.

A trigger (rather than a GeneratedField) because the migration must also apply on
SQLite, where the column simply stays NULL and search() falls back to icontains.
The trigger fires for every write, whatever its origin (admin, CSV import, ORM,
bulk update, raw SQL), so the stored vector never drifts from the row. The
weights are the search ranking: title A, organisation B, summary C, description D.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION resources_resource_search_document() RETURNS trigger AS $$
BEGIN
  NEW.search_document :=
    setweight(to_tsvector('english'::regconfig, coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('english'::regconfig, coalesce(NEW.organisation, '')), 'B') ||
    setweight(to_tsvector('english'::regconfig, coalesce(NEW.summary, '')), 'C') ||
    setweight(to_tsvector('english'::regconfig, coalesce(NEW.description, '')), 'D');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER resources_resource_search_document
  BEFORE INSERT OR UPDATE ON resources_resource
  FOR EACH ROW EXECUTE FUNCTION resources_resource_search_document();

UPDATE resources_resource SET search_document = NULL;

CREATE INDEX resources_resource_search_gin ON resources_resource USING gin (search_document);
"""

DROP = """
DROP INDEX IF EXISTS resources_resource_search_gin;
DROP TRIGGER IF EXISTS resources_resource_search_document ON resources_resource;
DROP FUNCTION IF EXISTS resources_resource_search_document();
UPDATE resources_resource SET search_document = NULL;
"""


def postgresql_only(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]

    operations = [migrations.RunPython(postgresql_only(CREATE), postgresql_only(DROP))]
