"""PostgreSQL only: a stored tsvector of the normalised title and body, with a GIN index, so a
broad query does not recompute a vector per row. SQLite keeps using the normalised columns."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS article_search_gin")
    schema_editor.execute(
        "ALTER TABLE portal_article ADD COLUMN IF NOT EXISTS search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, "
        "COALESCE(search_title, '') || ' ' || COALESCE(search_body, ''))) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS article_search_vector_gin ON portal_article "
        "USING gin (search_vector)"
    )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_search_vector_gin")
        schema_editor.execute("ALTER TABLE portal_article DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_search_postgresql")]
    operations = [migrations.RunPython(forward, backward)]
