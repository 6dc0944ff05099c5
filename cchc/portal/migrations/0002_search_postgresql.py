"""PostgreSQL only: the unaccent extension and a GIN index for article full-text search.

The index expression is the one Django writes for
SearchVector("search_title", "search_body", config="simple"), so the planner can use it.
SQLite needs nothing: it searches the indexed normalised columns."""

from django.db import migrations

INDEX_SQL = (
    "CREATE INDEX IF NOT EXISTS article_search_gin ON portal_article USING gin "
    "(to_tsvector('simple'::regconfig, COALESCE(search_title, '') || ' ' || "
    "COALESCE(search_body, '')))"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema_editor.execute(INDEX_SQL)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_search_gin")


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
