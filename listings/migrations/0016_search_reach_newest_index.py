"""A search's walk in publication order within one visibility branch (listings.search.bound):
(organisation, stage, newest first) over what the catalogue can show.

PostgreSQL only, like the other search indexes; SQLite has no ranking to bound.
"""

from django.db import migrations

FORWARD = (
    "CREATE INDEX IF NOT EXISTS listing_reach_newest_idx "
    "ON listings_listing (organisation_id, audience, published_at DESC) "
    "WHERE quantity_available > 0 AND status = 'published'"
)
BACKWARD = "DROP INDEX IF EXISTS listing_reach_newest_idx"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("listings", "0015_recipient_name_any_case")]

    operations = [migrations.RunPython(forward, backward)]
