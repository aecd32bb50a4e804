"""PostgreSQL search indexes: full text (GIN) and typo-tolerant titles (pg_trgm).

SQLite (the embedded default) has neither; its search is a simple word match.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS listing_search_vector_gin "
    "ON listings_listing USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS listing_title_trgm "
    "ON listings_listing USING gin (title gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS listing_title_trgm",
    "DROP INDEX IF EXISTS listing_search_vector_gin",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("listings", "0003_location_and_search")]

    operations = [migrations.RunPython(forward, backward)]
