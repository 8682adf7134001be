"""pg_trgm where the server has it: the search's trigram indexes are an optimisation, never a requirement.

The embedded PostgreSQL of `make run` and `make test` (the `pgserver` wheel) ships no contrib extensions, so
pg_trgm may be missing there; production PostgreSQL has it (postgresql-contrib). Without it the indexes are
left out and `UPPER(column) LIKE '%…%'` scans the partner's (small) shipment, certificate, model and project
tables; the VIN suffix lookup on the large vehicle table uses a plain btree either way.
"""

from django.db import migrations

# Once in the public schema: django-tenants puts public on every search_path, so each partner schema finds
# gin_trgm_ops there; IF NOT EXISTS + SCHEMA public never makes a copy inside a partner schema.
CREATE_WHERE_AVAILABLE = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
        CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
    END IF;
END
$$;
"""


def trigram_installed(connection) -> bool:
    """Whether pg_trgm is installed in this database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def create_trigram_extension() -> migrations.RunSQL:
    """The migration step that installs pg_trgm when the server offers it, and does nothing otherwise."""
    return migrations.RunSQL(CREATE_WHERE_AVAILABLE, reverse_sql=migrations.RunSQL.noop)


class AddTrigramIndex(migrations.AddIndex):
    """AddIndex for a gin_trgm_ops index: always in the migration state, in the database only with pg_trgm."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if trigram_installed(schema_editor.connection):
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if trigram_installed(schema_editor.connection):
            with schema_editor.connection.cursor() as cursor:  # the index may never have been made
                cursor.execute(f'DROP INDEX IF EXISTS "{self.index.name}"')
